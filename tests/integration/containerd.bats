#!/usr/bin/env bats
# containerd-generations: 1.6 2.x (tests/run-all.sh runs it under Debian's containerd 1.6, then
# again with CLEAT_CONTAINERD_GEN=2 under the pinned containerd 2.x; see helpers.bash)
# cleat under Debian's containerd: the runtime binary under containerd-shim-runc-v2
# (`ctr run --runc-binary`), compared with runc under the same shim, and the README's
# quickstart command through the cleat shim. Our own containerd, image imported locally.

load helpers

setup_file() {
	start_containerd
	import_test_image_ctr
}

teardown_file() {
	stop_containerd
}

setup() {
	require_binary "$CLEAT"
}

# ctr_run_both ID_PREFIX CTR-RUN-ARGS... -- CMD...: run the same container with runc and
# with cleat under containerd-shim-runc-v2; sets RUNC_OUT/RUNC_STATUS and leaves `run`'s
# $output/$status for cleat.
ctr_run_both() {
	local prefix=$1 opts=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	run ctr_ run --rm "${opts[@]}" "$TEST_IMAGE_REF" "$(container_id "$prefix-runc")" "$@"
	RUNC_OUT=$output
	RUNC_STATUS=$status
	run ctr_ run --rm --runc-binary "$CLEAT" "${opts[@]}" "$TEST_IMAGE_REF" \
		"$(container_id "$prefix-cleat")" "$@"
}

@test "containerd: test image is imported under its name" {
	run -0 ctr_ images ls -q
	assert_line "$TEST_IMAGE_REF"
}

@test "containerd: ctr run --runc-binary cleat runs a busybox container" {
	run -0 ctr_ run --rm --runc-binary "$CLEAT" "$TEST_IMAGE_REF" "$(container_id)" echo hi
	assert_output hi
}

@test "containerd: exit status of the container reaches ctr, as with runc" {
	ctr_run_both exit -- sh -c 'exit 42'
	assert [ "$RUNC_STATUS" -eq 42 ]
	assert_equal "$status" 42
}

@test "containerd: stdout and stderr both reach ctr" {
	ctr_run_both stdio -- sh -c 'echo out; echo err >&2'
	assert_success
	assert_line out
	assert_line err
}

@test "containerd: environment, cwd and user match runc's" {
	ctr_run_both env --env FOO=bar --cwd /tmp -- \
		sh -c 'echo "$FOO $(pwd) $(id)"; echo "$PATH"' </dev/null
	assert_success
	assert_output "$RUNC_OUT"
	assert_line --partial "bar /tmp uid=0(root) gid=0(root)"
}

@test "containerd: the container's process is pid 1 in its own namespaces" {
	run -0 ctr_ run --rm --runc-binary "$CLEAT" "$TEST_IMAGE_REF" "$(container_id)" \
		sh -c 'echo $$; readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt'
	assert_line --index 0 1
	refute_line "$(readlink /proc/self/ns/pid)"
	refute_line "$(readlink /proc/self/ns/mnt)"
}

@test "containerd: mount table (targets and types) matches runc's" {
	ctr_run_both mounts -- sh -c "awk '{ for (i = 7; \$i != \"-\"; i++); print \$5, \$(i + 1) }' /proc/self/mountinfo"
	assert_success
	assert_output "$RUNC_OUT"
	assert_line "/ overlay"
	assert_line "/proc proc"
}

@test "containerd: capabilities, seccomp and no_new_privs match runc's" {
	ctr_run_both status -- grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status
	assert_success
	assert_output "$RUNC_OUT"
}

@test "containerd: hostname, rlimits and cgroup membership match runc's" {
	ctr_run_both misc -- sh -c 'hostname; ulimit -n; ulimit -Hn; cat /proc/self/cgroup | sed "s/[^/]*-\(runc\|cleat\)-[0-9a-f-]*$/ID/"'
	assert_success
	assert_output "$RUNC_OUT"
}

# With no standard input (as in CI), `run` gives the command its capture pipe as fd 0 too.
@test "containerd: ctr_ with fd 0 closed gets all of the container's output" {
	local i
	for i in 1 2 3 4 5; do
		run -0 ctr_ run --rm --runc-binary "$CLEAT" "$TEST_IMAGE_REF" "$(container_id fd0)" \
			sh -c 'hostname; ulimit -n; cat /proc/self/cgroup; seq 1 100 | sed s/^/n/' 0<&-
		assert_line n100
	done
}

@test "containerd: -t gives the container a terminal" {
	skip_unless_cmd script "script (util-linux) is needed to give ctr a terminal"
	local id
	id=$(container_id)
	run -0 in_pty "$CTR --address $CTR_ADDRESS -n $CTR_NAMESPACE run --rm -t --runc-binary $CLEAT $TEST_IMAGE_REF $id sh -c 'tty; test -t 0 && test -t 1 && echo both-tty'"
	assert_line --partial /dev/pts/0
	assert_line --partial both-tty
}

@test "containerd: detached task: ps, exec, kill, delete, nothing left mounted" {
	local id
	id=$(container_id)
	run -0 ctr_ run -d --runc-binary "$CLEAT" "$TEST_IMAGE_REF" "$id" sleep 1000
	run -0 ctr_ task ls
	assert_line --regexp "^$id +[0-9]+ +RUNNING"
	run -0 ctr_ task ps "$id"
	assert_line --regexp '^[0-9]+ '
	run -0 ctr_ task exec --exec-id e1 "$id" sh -c 'echo exec $$ && cat /proc/1/cmdline | tr "\0" " "'
	assert_output --regexp '^exec [0-9]+'
	assert_output --partial 'sleep 1000'
	# sleep as pid 1 has no handler for SIGTERM, so the kernel ignores it.
	run -0 ctr_ task kill -s SIGKILL "$id"
	retry 50 0.1 bash -c "! $CTR --address $CTR_ADDRESS -n $CTR_NAMESPACE task ls | grep -q '^$id .*RUNNING'"
	run -0 ctr_ task ls
	assert_line --regexp "^$id +[0-9]+ +STOPPED"
	run -0 ctr_ task delete "$id"
	run -0 ctr_ container delete "$id"
	run ! grep -F "/$id/" /proc/self/mountinfo
}

@test "containerd: README quickstart command runs through the cleat shim" {
	require_binary "$SHIM"
	run -0 ctr_ run --rm --runtime io.containerd.cleat.v2 "$TEST_IMAGE_REF" "$(container_id)" \
		echo hello from cleat
	assert_output "hello from cleat"
}
