#!/usr/bin/env bats
# cleat under Debian's dockerd 20.10 (`--add-runtime cleat=...`, `docker run --runtime cleat`),
# each case compared with runc under the same dockerd. Our own dockerd and containerd; no
# bridge, no iptables, no pulls: the image is `docker import`ed from busybox-static.

load helpers

setup_file() {
	start_dockerd
	import_test_image_docker
}

teardown_file() {
	stop_dockerd
}

setup() {
	require_binary "$CLEAT"
}

# docker_run_with RUNTIME DOCKER-RUN-ARGS... : `docker run --rm` of the test image with the
# network and pull policy every test here needs; `run` sets $output and $status.
docker_run_with() {
	local rt=$1
	shift
	run docker_ run --rm --runtime "$rt" --network none --pull never "$@"
}

# docker_run_both DOCKER-RUN-ARGS... : the same container with runc then cleat; sets
# RUNC_OUT/RUNC_STATUS and leaves $output/$status for cleat, and checks both statuses agree.
docker_run_both() {
	docker_run_with runc "$@"
	RUNC_OUT=$output
	RUNC_STATUS=$status
	docker_run_with cleat "$@"
	if [ "$status" -ne "$RUNC_STATUS" ]; then
		fail "exit status: cleat $status, runc $RUNC_STATUS (runc said: $RUNC_OUT)"
	fi
}

@test "docker: the cleat runtime is registered" {
	run -0 docker_ info --format '{{json .Runtimes}}'
	assert_output --partial '"cleat":{"path":"'"$CLEAT"'"}'
}

@test "docker: docker run --runtime cleat --network none busybox echo hi" {
	run -0 docker_ run --rm --runtime cleat --network none --pull never "$TEST_IMAGE_DOCKER" echo hi
	assert_output hi
	run -0 docker_ ps -a --filter status=running -q
	assert_output ""
}

@test "docker: exit codes match runc's (normal, 255, command not found)" {
	docker_run_both "$TEST_IMAGE_DOCKER" sh -c 'exit 3'
	assert_equal "$status" 3
	docker_run_both "$TEST_IMAGE_DOCKER" sh -c 'exit 255'
	assert_equal "$status" 255
	docker_run_both "$TEST_IMAGE_DOCKER" /no/such/binary
	assert_equal "$status" 127
}

@test "docker: stdin with -i reaches the container" {
	docker_run_with cleat -i "$TEST_IMAGE_DOCKER" sh -c 'tr a-z A-Z; echo done' <<<"from stdin"
	assert_success
	assert_output "FROM STDIN
done"
}

@test "docker: -t gives a terminal, as with runc" {
	docker_run_both -t "$TEST_IMAGE_DOCKER" sh -c 'tty; test -t 1 && echo stdout-tty; stty size'
	assert_success
	assert_line --partial /dev/pts/0
	assert_line --partial stdout-tty
	assert_output "$RUNC_OUT"
}

@test "docker: env, user, workdir and hostname match runc's" {
	docker_run_both -e FOO=bar -e EMPTY= --user 1000:1000 --group-add 1001 -w /tmp/work \
		--hostname cleathost "$TEST_IMAGE_DOCKER" \
		sh -c 'echo "$FOO|$EMPTY|$(pwd)|$(hostname)"; id; env | sort'
	assert_success
	assert_output "$RUNC_OUT"
	assert_line "bar||/tmp/work|cleathost"
	assert_line "uid=1000(user) gid=1000(user) groups=1000(user),1001(extra)"
}

@test "docker: default capabilities, seccomp and no_new_privs match runc's" {
	docker_run_both "$TEST_IMAGE_DOCKER" grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp(_filters)?):' /proc/self/status
	assert_success
	assert_output "$RUNC_OUT"
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
}

@test "docker: mounts, masked paths and read-only paths match runc's" {
	docker_run_both "$TEST_IMAGE_DOCKER" sh -c "awk '{ for (i = 7; \$i != \"-\"; i++); print \$5, \$(i + 1), \$6 }' /proc/self/mountinfo | sort; cat /proc/kcore 2>&1 | head -c 100 | wc -c; (echo x >/proc/sys/kernel/domainname) 2>/dev/null || echo ro-sys"
	assert_success
	assert_output "$RUNC_OUT"
	assert_line ro-sys
}

@test "docker: a bind mount (-v) and --read-only work as with runc" {
	local vol
	vol=$(mktemp -d /tmp/cleat-docker-vol.XXXXXX)
	echo hostdata >"$vol/file"
	docker_run_both --read-only -v "$vol:/data" "$TEST_IMAGE_DOCKER" \
		sh -c 'cat /data/file; echo new >/data/new && echo wrote; touch /x 2>/dev/null || echo rootfs-ro'
	rm -rf "$vol"
	assert_success
	assert_output "$RUNC_OUT"
	assert_output "hostdata
wrote
rootfs-ro"
}

@test "docker: detached container, docker exec, docker stop, exit code kept" {
	local name
	name=$(container_id docker)
	run -0 docker_ run -d --name "$name" --runtime cleat --network none --pull never \
		"$TEST_IMAGE_DOCKER" sh -c 'trap "exit 5" TERM; while :; do sleep 0.1; done'
	run -0 docker_ inspect -f '{{.State.Status}}' "$name"
	assert_output running
	run -0 docker_ exec "$name" sh -c 'echo exec-ok; cat /proc/1/cmdline | tr "\0" " "'
	assert_line exec-ok
	assert_line --partial 'while :'
	run -0 docker_ stop -t 10 "$name"
	run -0 docker_ inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name"
	assert_output "exited 5"
	run -0 docker_ rm "$name"
	run ! grep -F "$DOCKERD_DIR/root/overlay2" /proc/self/mountinfo
}

@test "docker: docker kill delivers the signal; docker wait reports 128+signal" {
	local name
	name=$(container_id docker)
	run -0 docker_ run -d --name "$name" --runtime cleat --network none --pull never \
		"$TEST_IMAGE_DOCKER" sleep 1000
	run -0 docker_ kill -s KILL "$name"
	run -0 docker_ wait "$name"
	assert_output 137
	run -0 docker_ rm "$name"
}
