#!/usr/bin/env bats
# cleat under Debian's podman 4.3 and conmon (`podman --runtime PATH-TO-CLEAT`, and the
# name `cleat` registered by contrib/podman/cleat.conf), each case compared with runc on
# the same commands. Our own --root/--runroot/--tmpdir, cgroupfs, file events, --network
# none, images from local tarballs, --pull never.

load helpers
load podman-helpers

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	command -v podman >/dev/null && command -v conmon >/dev/null || return 0
	# A throw-away user with subordinate ids: the range --userns=auto takes ids from,
	# and the rootless podman user.
	if command -v newuidmap >/dev/null && useradd -M -d / -s /bin/sh "clpm$$" >/dev/null 2>&1; then
		PM_USER=clpm$$
		export PM_USER
	fi
	start_podman "${PM_USER:-}"
}

teardown_file() {
	stop_podman
	pm_cleanup_cgroups $(cat "$BATS_FILE_TMPDIR"/pods 2>/dev/null)
	if [ -n "${PM_USER:-}" ]; then
		userdel "$PM_USER" >/dev/null 2>&1 || true
		local f
		for f in /etc/subuid /etc/subgid; do
			[ -f "$f" ] && sed -i "/^$PM_USER:/d" "$f"
		done
	fi
	return 0
}

setup() {
	require_root
	skip_unless_cmd podman "podman is not installed (apt-get install podman)"
	skip_unless_cmd conmon "conmon is not installed (apt-get install conmon)"
	require_binary "$CLEAT"
	[ -n "${PM_DIR:-}" ] || fail "setup_file could not start podman"
}

teardown() {
	# The rootless test's podman, run as the test user, with its pause process and mounts.
	if [ -n "${RL_DIR:-}" ]; then
		pm_cleanup "$RL_DIR"
		unset RL_DIR
	fi
	# Containers a failed test left behind; the file's own teardown removes the rest.
	[ -n "${PM_DIR:-}" ] && [ -x "$PM_DIR/podman" ] || return 0
	timeout 60 "$PM_DIR/podman" pod rm -af -t 0 </dev/null >/dev/null 2>&1 3>&- || true
	timeout 60 "$PM_DIR/podman" rm -af -t 0 </dev/null >/dev/null 2>&1 3>&- || true
}

# pm_run_with RT PODMAN-RUN-ARGS...: `podman run --rm` of the test image with runtime RT
# (a path or a registered name); `run` sets $output and $status.
pm_run_with() {
	local rt=$1
	shift
	run pm --runtime "$rt" run --rm --network none --pull never "$@"
}

# pm_run_both PODMAN-RUN-ARGS...: the same with runc then cleat; RUNC_OUT/RUNC_STATUS
# keep runc's, $output/$status are cleat's, and the statuses must agree.
pm_run_both() {
	pm_run_with runc "$@"
	RUNC_OUT=$output
	RUNC_STATUS=$status
	pm_run_with "$CLEAT" "$@"
	if [ "$status" -ne "$RUNC_STATUS" ]; then
		fail "exit status: cleat $status, runc $RUNC_STATUS (runc said: $RUNC_OUT)"
	fi
}

# each_runtime FN: FN runc, then FN "$CLEAT"; FN prints what it saw; the outputs must match.
each_runtime() {
	local fn=$1 runc_out
	run "$fn" runc
	runc_out=$output
	[ "$status" -eq 0 ] || fail "with runc: status $status: $output"
	run "$fn" "$CLEAT"
	[ "$status" -eq 0 ] || fail "with cleat: status $status: $output"
	assert_equal "$output" "$runc_out"
}

TEST_IMAGE=busybox:cleat-test

# pm_detach RT PODMAN-RUN-ARGS...: `podman run -d` with runtime RT under a fresh name, set
# in PM_NAME.
pm_detach() {
	local rt=$1
	shift
	PM_NAME=$(container_id pm)
	pm --runtime "$rt" run -d --name "$PM_NAME" --network none --pull never "$@" >/dev/null
}

@test "podman: contrib/podman/cleat.conf registers cleat by name" {
	run -0 pm --runtime cleat info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}'
	assert_output "cleat $CLEAT"
	pm_run_with cleat "$TEST_IMAGE" echo hi
	assert_success
	assert_output hi
}

@test "podman: run: output, exit codes, command not found as with runc" {
	pm_run_both "$TEST_IMAGE" echo hi
	assert_success
	assert_output hi
	pm_run_both "$TEST_IMAGE" sh -c 'exit 3'
	assert_equal "$status" 3
	# 127 for both (checked by run, which would otherwise warn that 127 means the test's
	# own command was not found).
	run -127 pm --runtime runc run --rm --network none --pull never "$TEST_IMAGE" /no/such/binary
	run -127 pm --runtime "$CLEAT" run --rm --network none --pull never "$TEST_IMAGE" /no/such/binary
	assert_output --partial "/no/such/binary"
}

@test "podman: run: ids, env, workdir, hostname, limits, capabilities, seccomp, mounts match runc's" {
	pm_run_both -e FOO=bar -u 1000:1000 --group-add 1001 -w /home/user --hostname pmhost \
		"$TEST_IMAGE" sh -c 'echo "$FOO|$(pwd)|$(hostname)"; id; ulimit -n; ulimit -u; grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp(_filters)?):" /proc/self/status'
	assert_success
	assert_output "$RUNC_OUT"
	assert_line "bar|/home/user|pmhost"
	pm_run_both "$TEST_IMAGE" sh -c "awk '{ for (i = 7; \$i != \"-\"; i++); print \$5, \$(i + 1), \$6 }' /proc/self/mountinfo | sort; (echo x >/proc/sys/kernel/domainname) 2>/dev/null || echo ro-sys"
	assert_success
	assert_output "$RUNC_OUT"
	assert_line ro-sys
}

@test "podman: run -i passes stdin; run -it gives a terminal (under script) as with runc" {
	pm_run_with "$CLEAT" -i "$TEST_IMAGE" sh -c 'tr a-z A-Z; echo done' <<<"from stdin"
	assert_success
	assert_output "FROM STDIN
done"
	local cmd='tty; test -t 0 && test -t 1 && echo both-tty; read -r l; echo typed: \$l'
	run -0 in_pty "$PM_DIR/podman --runtime runc run -it --rm --network none --pull never $TEST_IMAGE sh -c \"$cmd\"" <<<abc
	local runc_out
	runc_out=$(sort <<<"$output")
	run -0 in_pty "$PM_DIR/podman --runtime $CLEAT run -it --rm --network none --pull never $TEST_IMAGE sh -c \"$cmd\"" <<<abc
	# The terminals' echo of the typed line comes before or after the container's first
	# lines depending on timing, so the lines are compared in sorted order.
	assert_equal "$(sort <<<"$output")" "$runc_out"
	assert_output --partial /dev/pts/0
	assert_output --partial both-tty
	assert_output --partial "typed: abc"
}

# detached_cycle RT: run -d, exec (plain, -u -w -e), logs, top, kill -s, stop; print what
# each showed, minus what differs by nature (ids, times).
detached_cycle() {
	local name
	pm_detach "$1" "$TEST_IMAGE" \
		sh -c 'trap "echo usr1" USR1; trap "exit 5" TERM; echo started; while :; do sleep 0.1; done' || return 1
	name=$PM_NAME
	sleep 0.5
	pm exec "$name" sh -c 'echo exec; id' || return 1
	pm exec -u 1000 -w /tmp -e A=b "$name" sh -c 'echo "$A $(pwd)"; id -u'
	pm exec "$name" sh -c 'exit 4'
	echo "exec exit: $?"
	pm exec -d "$name" sh -c 'echo from-exec-d >/tmp/mark' >/dev/null
	sleep 0.3
	pm exec "$name" cat /tmp/mark
	pm top "$name" user pid args | awk 'NR > 1 && $3 == "sh" { print $1, $2 }'
	pm kill -s USR1 "$name" >/dev/null
	sleep 0.5
	pm inspect -f '{{.State.Status}}' "$name"
	pm stop -t 10 "$name" >/dev/null
	pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name"
	pm logs "$name"
	pm rm "$name" >/dev/null
}

@test "podman: run -d, exec (-u -w -e -d), top, kill -s, stop, logs as with runc" {
	each_runtime detached_cycle
	assert_line "exec"
	assert_line "b /tmp"
	assert_line "exec exit: 4"
	assert_line "from-exec-d"
	assert_line "root 1"
	assert_line "exited 5"
	assert_line "started"
	assert_line "usr1"
}

attach_cycle() {
	local name
	pm_detach "$1" "$TEST_IMAGE" \
		sh -c 'sleep 1; echo attached-out; echo attached-err >&2; exit 7' || return 1
	name=$PM_NAME
	pm attach --no-stdin "$name" 2>&1
	echo "attach exit: $?"
	echo "wait: $(pm wait "$name")"
	pm rm "$name" >/dev/null
}

@test "podman: attach gets the output and exit code as with runc" {
	each_runtime attach_cycle
	assert_line "attached-out"
	assert_line "attached-err"
	# podman 4.3's attach exits 0 whatever the container's status (with runc too).
	assert_line "attach exit: 0"
	assert_line "wait: 7"
}

pause_stats_cycle() {
	local name
	pm_detach "$1" "$TEST_IMAGE" \
		sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/c; mv /tmp/c /tmp/count; sleep 0.05; done' || return 1
	name=$PM_NAME
	sleep 0.5
	pm pause "$name" >/dev/null || return 1
	pm inspect -f '{{.State.Status}}' "$name"
	local a b
	a=$(pm exec "$name" cat /tmp/count 2>&1)
	echo "exec while paused: ${a:+refused}"
	a=$(cat "$(pm inspect -f '{{.GraphDriver.Data.UpperDir}}' "$name")/tmp/count")
	sleep 0.5
	b=$(cat "$(pm inspect -f '{{.GraphDriver.Data.UpperDir}}' "$name")/tmp/count")
	[ "$a" = "$b" ] && echo "frozen"
	pm unpause "$name" >/dev/null || return 1
	pm inspect -f '{{.State.Status}}' "$name"
	sleep 0.5
	b=$(pm exec "$name" cat /tmp/count)
	[ "$b" -gt "$a" ] && echo "runs again"
	pm stats --no-stream --format '{{.PIDs}} {{.MemUsage}}' "$name" | awk '{ print ($1 > 0 ? "pids" : "no-pids"), ($2 ~ /B$/ ? "mem" : "no-mem") }'
	pm rm -f -t 0 "$name" >/dev/null
}

@test "podman: pause, unpause and stats as with runc" {
	each_runtime pause_stats_cycle
	assert_line paused
	assert_line frozen
	assert_line running
	assert_line "runs again"
	assert_line "pids mem"
}

health_cycle() {
	local name
	pm_detach "$1" \
		--health-cmd 'test -e /tmp/ok' --health-interval 0 "$TEST_IMAGE" sleep 100 || return 1
	name=$PM_NAME
	pm healthcheck run "$name" 2>/dev/null
	echo "health: $?"
	pm exec "$name" touch /tmp/ok
	pm healthcheck run "$name" 2>/dev/null
	echo "health: $?"
	pm inspect -f '{{.State.Health.Status}}' "$name"
	pm rm -f -t 0 "$name" >/dev/null
}

@test "podman: healthcheck run as with runc" {
	each_runtime health_cycle
	assert_line "health: 1"
	assert_line "health: 0"
	assert_line healthy
}

pod_cycle() {
	local rt=$1 pod id
	pod=$(container_id pod)
	id=$(pm --runtime "$rt" pod create --name "$pod" --network none --hostname podhost) || return 1
	echo "$id" >>"$BATS_FILE_TMPDIR/pods"
	pm --runtime "$rt" run -d --pod "$pod" --name "$pod-a" --pull never "$TEST_IMAGE" \
		sh -c 'echo shared >/dev/shm/x; sleep 100' >/dev/null || return 1
	pm --runtime "$rt" run --rm --pod "$pod" --pull never "$TEST_IMAGE" \
		sh -c 'hostname; cat /dev/shm/x' || return 1
	pm pod inspect -f '{{.State}} {{.NumContainers}}' "$pod"
	pm inspect -f '{{.OCIRuntime}}' "$pod-a" | sed "s#^$rt\$#RT#"
	pm pod stop -t 0 "$pod" >/dev/null
	pm pod inspect -f '{{.State}}' "$pod"
	# On this hybrid hierarchy podman 4.3 fails to remove the pod's conmon cgroup (with
	# runc as with cleat) but removes the pod; the status is not compared.
	pm pod rm -f "$pod" >/dev/null 2>&1
	pm pod exists "$pod" && echo "pod left"
	return 0
}

@test "podman: pod with a locally built infra image, shared namespaces, pod stop/rm as with runc" {
	each_runtime pod_cycle
	assert_line podhost
	assert_line shared
	assert_line "Running 2"
	assert_line RT
	assert_line Exited
	refute_line "pod left"
	run -0 pm images --format '{{.Repository}}:{{.Tag}}'
	assert_line "$PM_PAUSE_IMAGE"
	refute_line --partial podman-pause
}

@test "podman: --userns=auto as with runc" {
	[ -n "${PM_USER:-}" ] || skip "no test user with subordinate ids (useradd, newuidmap)"
	local sub
	sub=$(awk -F: -v u="$PM_USER" '$1 == u { print $2; exit }' /etc/subuid)
	[ -n "$sub" ] || skip "useradd gave $PM_USER no subordinate ids"
	pm_run_both --userns=auto "$TEST_IMAGE" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id; touch /tmp/f; ls -ln /tmp/f | awk "{ print \$3 }"'
	assert_success
	assert_output "$RUNC_OUT"
	assert_line --regexp "^ +0 +$sub +[0-9]+$"
}

# Rootless: the test user runs podman with its own directories, XDG_RUNTIME_DIR and a
# copy of cleat; podman runs the runtime as root of the user's namespace without --root.
rootless_setup() {
	RL_DIR=$PM_DIR/rl
	mkdir -p "$RL_DIR/tmp" "$RL_DIR/xdg" "$RL_DIR/home"
	chmod 700 "$RL_DIR/xdg"
	install -m 755 "$CLEAT" "$RL_DIR/cleat"
	cp "$TEST_IMAGE_OCI_TAR" "$RL_DIR/image.tar"
	pm_write_conf "$RL_DIR" "$RL_DIR/cleat"
	pm_write_wrapper "$RL_DIR" "$PM_USER"
	chown -R "$PM_USER:" "$RL_DIR"
}

# pm_rl ARG...: podman as the test user.
pm_rl() {
	pm_in "$RL_DIR" "$@"
}

rootless_cycle() {
	local rt=$1 name
	[ "$rt" = runc ] || rt=$RL_DIR/cleat
	name=$(container_id rl)
	pm_rl --runtime "$rt" run --rm --network none --pull never "$TEST_IMAGE" \
		sh -c 'id; cat /proc/self/uid_map; touch /tmp/x && echo rw' || return 1
	pm_rl --runtime "$rt" run -d --name "$name" --network none --pull never "$TEST_IMAGE" \
		sh -c 'trap "exit 5" TERM; echo up; while :; do sleep 0.1; done' >/dev/null || return 1
	pm_rl exec -u 1000 "$name" id -u
	pm_rl top "$name" user args | awk 'NR > 1 && $2 == "sh" { print $1 }'
	pm_rl pause "$name" 2>&1 | sed 's/^Error: //'
	pm_rl stop -t 10 "$name" >/dev/null
	pm_rl inspect -f '{{.State.ExitCode}}' "$name"
	pm_rl logs "$name"
	pm_rl rm "$name" >/dev/null
}

@test "podman: rootless podman as an unprivileged user as with runc" {
	[ -n "${PM_USER:-}" ] || skip "no test user with subordinate ids (useradd, newuidmap)"
	rootless_setup
	pm_rl load -q -i "$RL_DIR/image.tar" >/dev/null || fail "rootless podman load failed"
	each_runtime rootless_cycle
	assert_line "uid=0(root) gid=0(root)"
	assert_line --regexp "^ +0 +$(id -u "$PM_USER") +1$"
	assert_line rw
	assert_line 1000
	assert_line up
	assert_line 5
	# cleat kept its state where runc keeps its own: under the user's XDG_RUNTIME_DIR.
	[ -d "$RL_DIR/xdg/cleat" ] || fail "no state directory $RL_DIR/xdg/cleat"
}
