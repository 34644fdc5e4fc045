#!/usr/bin/env bats
# The cleat shim in drop-in mode under Debian's dockerd 20.10 and containerd 1.6:
# contrib/cleat-dropin.sh links it as containerd-shim-runc-v2 in a directory put first on
# containerd's PATH, so dockerd's io.containerd.runc.v2 starts the C shim. Every case runs
# in three configurations and must behave the same in each:
#   cleat-shim/cleat   dockerd A (drop-in), `docker run --runtime cleat`
#   cleat-shim/runc    dockerd A (drop-in), `docker run --runtime runc`
#   runc-v2/runc       dockerd B (Debian's containerd-shim-runc-v2), `--runtime runc`
# Both dockerds run with --live-restore, --bridge=none --iptables=false, no pulls (the
# image is `docker import`ed), each on its own containerd, dirs and sockets.

load helpers

# The daemon variables helpers.bash keeps for one dockerd + containerd pair.
PAIR_VARS="DOCKERD_DIR DOCKER_SOCK DOCKERD_PID CTRD_DIR CTR_ADDRESS CTRD_PID CTRD_PATH_PREFIX DOCKERD_OWNS_CONTAINERD"
# rtlog: runc behind a wrapper that logs each argv, to compare what each shim passes.
RTLOG=$BATS_FILE_TMPDIR/rtlog
DOCKERD_ARGS=(--live-restore --add-runtime "rtlog=$RTLOG")
CONFIGS="cleat-shim/cleat cleat-shim/runc runc-v2/runc"

# save_pair NAME / use_pair NAME: keep the current pair's variables as NAME_*, or make
# NAME's the current ones (exported: tests inherit what setup_file exports).
save_pair() {
	local v
	for v in $PAIR_VARS; do
		eval "export ${1}_$v=\${$v:-}"
	done
}
use_pair() {
	local v n
	for v in $PAIR_VARS; do
		n=${1}_$v
		eval "export $v=\${$n:-}"
	done
	PAIR=$1
	# A test may have restarted a daemon: its pidfile has the current PID.
	[ -s "$CTRD_DIR/containerd.pid" ] && CTRD_PID=$(cat "$CTRD_DIR/containerd.pid")
	[ -s "$DOCKERD_DIR/docker.pid" ] && DOCKERD_PID=$(cat "$DOCKERD_DIR/docker.pid")
	return 0
}

setup_file() {
	require_binary "$SHIM"
	printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"$0.args"\nexec runc "$@"\n' >"$RTLOG"
	chmod 755 "$RTLOG"
	DROPIN=$(mktemp -d /tmp/cleat-dropin.XXXXXX)
	chmod 755 "$DROPIN"
	export DROPIN
	"$SRCDIR/contrib/cleat-dropin.sh" --no-systemd --dir "$DROPIN/bin" --shim "$SHIM" install \
		>/dev/null
	CTRD_PATH_PREFIX=$DROPIN/bin start_dockerd "${DOCKERD_ARGS[@]}"
	CTRD_PATH_PREFIX=$DROPIN/bin
	import_test_image_docker
	save_pair A
	unset DOCKERD_DIR DOCKER_SOCK DOCKERD_PID CTRD_DIR CTR_ADDRESS CTRD_PID CTRD_PATH_PREFIX \
		DOCKERD_OWNS_CONTAINERD
	start_dockerd "${DOCKERD_ARGS[@]}"
	import_test_image_docker
	save_pair B
}

teardown_file() {
	use_pair A
	stop_dockerd
	use_pair B
	stop_dockerd
	if [ -n "${DROPIN:-}" ]; then
		"$SRCDIR/contrib/cleat-dropin.sh" --no-systemd --dir "$DROPIN/bin" uninstall
		rm -rf "$DROPIN"
	fi
}

# use_config CONFIG: the pair and runtime of CONFIG (see the header); sets RT.
use_config() {
	CONFIG=$1
	case "$CONFIG" in
	cleat-shim/*) use_pair A ;;
	*) use_pair B ;;
	esac
	RT=${CONFIG#*/}
}

# each FUNCTION: run FUNCTION in every configuration, each in a fresh container name
# ($NAME); its output says which configuration failed.
each() {
	local c
	for c in $CONFIGS; do
		use_config "$c"
		NAME=$(container_id dropin)
		echo "--- $c"
		"$1"
		docker_ rm -f "$NAME" >/dev/null 2>&1 || true
	done
}

# drun ARGS...: `docker run` with this configuration's runtime, no network, no pull.
drun() {
	docker_ run --runtime "$RT" --network none --pull never "$@"
}

# ddetach NAME ARGS...: a detached container named NAME.
ddetach() {
	local n=$1
	shift
	drun -d --name "$n" "$@" >/dev/null
}

# shim_pid NAME: the pid of the shim holding container NAME (its init's parent: the shim is
# the subreaper, and the runtime exited after start).
shim_pid() {
	local pid
	pid=$(docker_ inspect -f '{{.State.Pid}}' "$1")
	awk '/^PPid:/ { print $2 }' "/proc/$pid/status"
}

# docker_cmd: the docker client command line as one string, for `script -c`.
docker_cmd() {
	printf 'DOCKER_CONFIG=%q %q -H %q' "$DOCKERD_DIR/client" "$DOCKER" "unix://$DOCKER_SOCK"
}

# wait_until TRIES CMD...: run CMD every 0.2 s until it succeeds, at most TRIES times.
wait_until() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# kill_daemon PID: SIGKILL a daemon we started, quietly (bash reports a killed job).
kill_daemon() {
	local i
	kill -KILL "$1"
	wait "$1" 2>/dev/null || true
	# A daemon started by an earlier step is not this shell's child: it stays a zombie
	# until whoever adopted it reaps it, and some machines' PID 1 never does. dockerd
	# refuses to start while its pid file names a pid that /proc still lists, so a
	# zombie's pid file goes (what a reboot would do for a real host).
	for ((i = 0; i < 100; i++)); do
		[ -e "/proc/$1" ] || return 0
		[ "$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)" = Z ] && break
		sleep 0.1
	done
	if [ "$1" = "${DOCKERD_PID:-}" ] && [ -n "${DOCKERD_DIR:-}" ]; then
		rm -f "$DOCKERD_DIR/docker.pid"
	fi
}

# state_is NAME STATE: docker inspect's .State.Status of NAME is STATE.
state_is() {
	[ "$(docker_ inspect -f '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ]
}

@test "dropin: install and uninstall never touch the distribution's shim" {
	local d units
	d=$(mktemp -d /tmp/cleat-dropin-t.XXXXXX)
	units=$d/units
	local before
	before=$(sha256sum /usr/bin/containerd-shim-runc-v2)
	run -0 "$SRCDIR/contrib/cleat-dropin.sh" --dir "$d/bin" --unit-dir "$units" --shim "$SHIM" install
	run -0 readlink "$d/bin/containerd-shim-runc-v2"
	assert_output "$SHIM"
	run -0 cat "$units/containerd.service.d/50-cleat-dropin.conf"
	assert_line "Environment=\"PATH=$d/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\""
	# Installing twice is fine; a file that is not our link is never replaced.
	run -0 "$SRCDIR/contrib/cleat-dropin.sh" --dir "$d/bin" --unit-dir "$units" --shim "$SHIM" install
	run -0 "$SRCDIR/contrib/cleat-dropin.sh" --dir "$d/bin" --unit-dir "$units" uninstall
	assert [ ! -e "$d/bin" ]
	assert [ ! -e "$units/containerd.service.d" ]
	mkdir -p "$d/bin"
	echo other >"$d/bin/containerd-shim-runc-v2"
	run -1 "$SRCDIR/contrib/cleat-dropin.sh" --dir "$d/bin" --no-systemd --shim "$SHIM" install
	assert_output --partial "not replacing it"
	run -0 "$SRCDIR/contrib/cleat-dropin.sh" --dir "$d/bin" --no-systemd uninstall
	run -0 cat "$d/bin/containerd-shim-runc-v2"
	assert_output other
	# make install-dropin / uninstall-dropin, staged under DESTDIR: the link and the PATH
	# name the final places.
	if [ -f "$BUILDDIR/Makefile" ]; then
		local dirs=(DESTDIR="$d/dest" bindir=/opt/cl/bin libexecdir=/opt/cl/libexec)
		mkdir -p "$d/dest/opt/cl/bin"
		cp "$SHIM" "$d/dest/opt/cl/bin/containerd-shim-cleat-v2"
		run -0 make -s -C "$BUILDDIR" install-dropin "${dirs[@]}"
		run -0 readlink "$d/dest/opt/cl/libexec/cleat/dropin/containerd-shim-runc-v2"
		assert_output /opt/cl/bin/containerd-shim-cleat-v2
		run -0 cat "$d/dest/etc/systemd/system/containerd.service.d/50-cleat-dropin.conf"
		assert_output --partial 'Environment="PATH=/opt/cl/libexec/cleat/dropin:/usr/local/sbin:'
		run -0 make -s -C "$BUILDDIR" uninstall-dropin "${dirs[@]}"
		assert [ ! -e "$d/dest/opt/cl/libexec/cleat/dropin" ]
		assert [ ! -e "$d/dest/etc/systemd/system/containerd.service.d" ]
	fi
	rm -rf "$d"
	assert_equal "$(sha256sum /usr/bin/containerd-shim-runc-v2)" "$before"
}

check_shim_and_runtime() {
	ddetach "$NAME" "$TEST_IMAGE_DOCKER" sleep 1000
	local shim exe
	shim=$(shim_pid "$NAME")
	exe=$(readlink "/proc/$shim/exe")
	case "$CONFIG" in
	cleat-shim/*) assert_equal "$exe" "$(readlink -f "$SHIM")" ;;
	*) assert_equal "$exe" /usr/bin/containerd-shim-runc-v2 ;;
	esac
	# The runtime that made the container answers `state` for it under dockerd's root.
	local id root bin
	id=$(docker_ inspect -f '{{.Id}}' "$NAME")
	root=$DOCKERD_DIR/exec/runtime-runc/moby
	[ "$RT" = cleat ] && bin=$CLEAT || bin=runc
	run -0 "$bin" --root "$root" state "$id"
	assert_output --partial '"status": "running"'
	if [ "$RT" = cleat ]; then
		run ! runc --root "$root" state "$id"
	fi
}

@test "dropin: containerd starts the cleat shim; --runtime runc and cleat run what they name" {
	each check_shim_and_runtime
}

# runtime_calls: the argv the rtlog runtime got, one line each, with what differs between
# the two dockerds by construction (their dirs, the container id) replaced by names.
runtime_calls() {
	sed -e "s|$DOCKERD_DIR|DOCKERD|g" -e "s|$CTRD_DIR|CTRD|g" -e "s|$1|ID|g" \
		-e 's|/proc/self/fd/[0-9]*|FD|g' -e 's|[0-9a-f]\{64\}|EXEC|g' \
		-e 's|/tmp/[^ ]*|TMP|g' "$RTLOG.args"
}

teardown() {
	# The argv test restarts the dockerds with DOCKER_RAMDISK: put them back if it failed.
	local p
	for p in ${RAMDISK_PAIRS:-}; do
		use_pair "$p"
		stop_pid "$DOCKERD_PID" 20
		launch_dockerd "${DOCKERD_ARGS[@]}" || true
	done
}

@test "dropin: the runtime gets the same argv from the cleat shim as from containerd-shim-runc-v2" {
	local p id
	RAMDISK_PAIRS=
	for p in A B; do
		use_pair "$p"
		# DOCKER_RAMDISK makes dockerd set NoPivotRoot; BinaryName and Root are always set.
		stop_pid "$DOCKERD_PID" 20
		RAMDISK_PAIRS+=" $p"
		DOCKER_RAMDISK=1 launch_dockerd "${DOCKERD_ARGS[@]}"
		: >"$RTLOG.args"
		NAME=$(container_id dropin)
		docker_ run -d --name "$NAME" --runtime rtlog --network none --pull never \
			"$TEST_IMAGE_DOCKER" sleep 1000 >/dev/null
		id=$(docker_ inspect -f '{{.Id}}' "$NAME")
		docker_ exec "$NAME" true
		docker_ pause "$NAME" >/dev/null
		docker_ unpause "$NAME" >/dev/null
		docker_ kill -s KILL "$NAME" >/dev/null
		docker_ wait "$NAME" >/dev/null
		docker_ rm "$NAME" >/dev/null
		runtime_calls "$id" >"$BATS_TEST_TMPDIR/calls-$p"
		stop_pid "$DOCKERD_PID" 20
		launch_dockerd "${DOCKERD_ARGS[@]}"
		RAMDISK_PAIRS=${RAMDISK_PAIRS% "$p"}
	done
	# Not vacuous: every call the containers' life needs was logged, with NoPivotRoot.
	local verb
	for verb in create start exec pause resume delete; do
		grep -qE "(^| )$verb( |\$)" "$BATS_TEST_TMPDIR/calls-A" ||
			fail "no $verb in $(cat "$BATS_TEST_TMPDIR/calls-A")"
	done
	grep -E '(^| )create ' "$BATS_TEST_TMPDIR/calls-A" | grep -q -- --no-pivot
	grep -q -- '--root DOCKERD/exec/runtime-runc/moby ' "$BATS_TEST_TMPDIR/calls-A" ||
		fail "no --root of dockerd's in $(cat "$BATS_TEST_TMPDIR/calls-A")"
	# One difference on purpose: after the shim disconnects, containerd runs the shim's
	# `delete` subcommand; containerd-shim-runc-v2's always runs `delete --force`, the cleat
	# shim's only while the runtime has state left, and the daemon's `delete` removed it.
	tail -n 1 "$BATS_TEST_TMPDIR/calls-B" | grep -q -- ' delete --force ID$' ||
		fail "containerd-shim-runc-v2 ended without delete --force: $(cat "$BATS_TEST_TMPDIR/calls-B")"
	run -1 grep -- ' delete --force ID$' "$BATS_TEST_TMPDIR/calls-A"
	run diff -u <(head -n -1 "$BATS_TEST_TMPDIR/calls-B") "$BATS_TEST_TMPDIR/calls-A"
	assert_success
}

check_run() {
	run drun --rm "$TEST_IMAGE_DOCKER" sh -c 'echo out; echo err >&2; exit 7'
	assert_equal "$status" 7
	assert_line out
	assert_line err
	ddetach "$NAME" "$TEST_IMAGE_DOCKER" sh -c 'echo started; exit 4'
	run -0 docker_ wait "$NAME"
	assert_output 4
	run -0 docker_ logs "$NAME"
	assert_output started
}

@test "dropin: docker run in the foreground and -d; docker wait has the exit code" {
	each check_run
}

check_tty() {
	local cmd
	cmd="$(docker_cmd) run -it --name $NAME --runtime $RT --network none --pull never $TEST_IMAGE_DOCKER sh -c 'sleep 1; tty; stty size; echo ready; while :; do sleep 0.1; done'"
	# Ctrl-P Ctrl-Q (the default detach keys) once the container is up: the client
	# detaches and exits 0, the container keeps running.
	run bash -c "{ sleep 4; printf '\\020\\021'; sleep 2; } | script -qfec \"stty rows 30 cols 90; $cmd\" /dev/null"
	assert_success
	assert_output --partial /dev/pts/0
	assert_output --partial "30 90"
	state_is "$NAME" running
	# Resize through the API, as a client does on SIGWINCH.
	run -0 curl -sf --unix-socket "$DOCKER_SOCK" -X POST \
		"http://localhost/containers/$NAME/resize?h=41&w=101"
	run -0 docker_ exec "$NAME" stty -F /dev/console size
	assert_output "41 101"
	# --detach-keys of our own on docker attach.
	cmd="$(docker_cmd) attach --detach-keys ctrl-x,x $NAME"
	run bash -c "{ sleep 2; printf '\\030x'; sleep 2; } | script -qfec \"$cmd\" /dev/null"
	assert_output --partial "read escape sequence"
	state_is "$NAME" running
}

@test "dropin: docker run -it: a tty, resize, detach keys" {
	command -v script >/dev/null || skip "needs script (bsdutils)"
	each check_tty
}

check_attach() {
	# stdin through attach (the client may close before the output: read it from the logs,
	# the same with containerd-shim-runc-v2).
	ddetach "$NAME" -i "$TEST_IMAGE_DOCKER" sh -c 'read l; echo "got $l"; sleep 1; exit 3'
	run bash -c "echo hello | $(docker_cmd) attach $NAME"
	assert_equal "$status" 3
	run -0 docker_ logs "$NAME"
	assert_output "got hello"
	# Output through attach, then the exit status.
	ddetach "$NAME-out" "$TEST_IMAGE_DOCKER" sh -c 'sleep 2; echo late; exit 4'
	run docker_ attach --no-stdin "$NAME-out"
	assert_equal "$status" 4
	assert_output late
	docker_ rm -f "$NAME-out" >/dev/null
}

@test "dropin: docker attach gets stdin to and output from the container, then its status" {
	each check_attach
}

# A container printing a counter every 100 ms: the check of no gap in the logs.
COUNTER='i=0; while :; do echo "line $i"; i=$((i + 1)); sleep 0.1; done'

# no_gap: $output is "line 0" ... "line N" with nothing missing (N >= $1).
no_gap() {
	local min=$1 n
	n=$(grep -c '^line ' <<<"$output")
	[ "$n" -gt "$min" ] || fail "only $n lines: $output"
	awk '$1 == "line" && $2 != NR - 1 { print "gap at " NR ": " $0; bad = 1 } END { exit bad }' \
		<<<"$output" || fail "gap in the logs"
}

check_logs_containerd_down() {
	local driver
	for driver in json-file local; do
		ddetach "$NAME-$driver" --log-driver "$driver" "$TEST_IMAGE_DOCKER" sh -c "$COUNTER"
	done
	sleep 1
	# containerd down (SIGKILL) for a second: the shim keeps writing into dockerd's fifos.
	kill_daemon "$CTRD_PID"
	sleep 1.5
	launch_containerd
	save_pair "$PAIR"
	sleep 1
	for driver in json-file local; do
		docker_ stop -t 1 "$NAME-$driver" >/dev/null
		run -0 docker_ logs "$NAME-$driver"
		no_gap 25
		docker_ rm -f "$NAME-$driver" >/dev/null
	done
}

@test "dropin: docker logs (json-file, local) has no gap across a containerd restart" {
	each check_logs_containerd_down
}

check_exec() {
	ddetach "$NAME" "$TEST_IMAGE_DOCKER" sleep 1000
	run -0 docker_ exec -u 1000:1000 -w /tmp -e FOO=bar "$NAME" sh -c 'id -u; pwd; echo $FOO'
	assert_output "1000
/tmp
bar"
	run docker_ exec "$NAME" sh -c 'exit 6'
	assert_equal "$status" 6
	run -0 docker_ exec -d "$NAME" sh -c 'echo detached >/tmp/d'
	wait_until 25 docker_ exec "$NAME" test -s /tmp/d
	local cmd
	# The client sends the size after the start: wait for it.
	cmd="$(docker_cmd) exec -it $NAME sh -c 'sleep 1; tty; stty size'"
	run bash -c "script -qfec \"stty rows 20 cols 70; $cmd\" /dev/null </dev/null"
	assert_success
	assert_output --partial /dev/pts/
	assert_output --partial "20 70"
}

@test "dropin: docker exec plain, -it, -d, -u, -w, -e" {
	command -v script >/dev/null || skip "needs script (bsdutils)"
	each check_exec
}

check_stop_kill_restart() {
	ddetach "$NAME" "$TEST_IMAGE_DOCKER" sh -c 'trap "exit 5" TERM; trap "echo usr1" USR1; while :; do sleep 0.1; done'
	run -0 docker_ kill -s USR1 "$NAME"
	wait_until 25 bash -c "DOCKER_CONFIG=$DOCKERD_DIR/client $DOCKER -H unix://$DOCKER_SOCK logs $NAME | grep -qx usr1"
	run -0 docker_ restart -t 5 "$NAME"
	state_is "$NAME" running
	run -0 docker_ inspect -f '{{.RestartCount}} {{.State.ExitCode}}' "$NAME"
	run -0 docker_ stop -t 5 "$NAME"
	run -0 docker_ inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$NAME"
	assert_output "exited 5"
	run -0 docker_ start "$NAME"
	run -0 docker_ kill -s KILL "$NAME"
	run -0 docker_ wait "$NAME"
	assert_output 137
}

@test "dropin: docker stop, kill -s, restart" {
	each check_stop_kill_restart
}

restarts_are() {
	[ "$(docker_ inspect -f '{{.RestartCount}} {{.State.Status}}' "$1")" = "$2" ]
}

check_restart_policy() {
	ddetach "$NAME" --restart on-failure:2 "$TEST_IMAGE_DOCKER" sh -c 'echo run; exit 3'
	wait_until 100 restarts_are "$NAME" "2 exited" ||
		fail "on-failure:2: $(docker_ inspect -f '{{.RestartCount}} {{.State.Status}}' "$NAME")"
	run -0 docker_ logs "$NAME"
	assert_output "run
run
run"
	ddetach "$NAME-always" --restart always "$TEST_IMAGE_DOCKER" sh -c 'sleep 0.2; exit 0'
	wait_until 100 bash -c "[ \"\$(DOCKER_CONFIG=$DOCKERD_DIR/client $DOCKER -H unix://$DOCKER_SOCK inspect -f '{{.RestartCount}}' $NAME-always)\" -ge 2 ]"
	docker_ rm -f "$NAME-always" >/dev/null
}

@test "dropin: --restart on-failure:N and always" {
	each check_restart_policy
}

check_health() {
	ddetach "$NAME" --health-cmd 'test -e /tmp/ok' --health-interval 1s --health-retries 1 \
		"$TEST_IMAGE_DOCKER" sh -c 'touch /tmp/ok; sleep 1000'
	wait_until 50 bash -c "[ \"\$(DOCKER_CONFIG=$DOCKERD_DIR/client $DOCKER -H unix://$DOCKER_SOCK inspect -f '{{.State.Health.Status}}' $NAME)\" = healthy ]"
	docker_ exec "$NAME" rm /tmp/ok
	wait_until 50 bash -c "[ \"\$(DOCKER_CONFIG=$DOCKERD_DIR/client $DOCKER -H unix://$DOCKER_SOCK inspect -f '{{.State.Health.Status}}' $NAME)\" = unhealthy ]"
}

@test "dropin: healthchecks go healthy, then unhealthy" {
	each check_health
}

check_stats_top_update_pause() {
	ddetach "$NAME" --memory 64m "$TEST_IMAGE_DOCKER" sh -c 'sleep 1000'
	run -0 docker_ stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' "$NAME"
	assert_output --regexp "^$NAME [0-9.]+[KMG]i?B / 64MiB 1\$"
	run -0 docker_ top "$NAME"
	assert_line --partial 'sleep 1000'
	run -0 docker_ update --memory 96m --memory-swap 200m "$NAME"
	run -0 docker_ stats --no-stream --format '{{.MemUsage}}' "$NAME"
	assert_output --partial "/ 96MiB"
	run -0 docker_ pause "$NAME"
	state_is "$NAME" paused
	run -0 docker_ unpause "$NAME"
	state_is "$NAME" running
	run -0 docker_ exec "$NAME" true
}

@test "dropin: docker stats, top, update, pause/unpause" {
	[ -d /sys/fs/cgroup/memory ] || skip "needs the cgroup v1 memory controller"
	each check_stats_top_update_pause
}

check_oom_event() {
	local since
	since=$(date +%s)
	run drun --name "$NAME" --memory 16m --memory-swap 16m "$TEST_IMAGE_DOCKER" \
		sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
	assert_equal "$status" 137
	run -0 docker_ inspect -f '{{.State.OOMKilled}}' "$NAME"
	assert_output true
	run -0 timeout 10 "$DOCKER" -H "unix://$DOCKER_SOCK" events --since "$since" --until "$(($(date +%s) + 1))" \
		--filter "container=$NAME" --filter event=oom --format '{{.Status}}'
	# One event per OOM kill the kernel reported: the pipeline may lose several processes.
	assert_line oom
	run -1 grep -vx oom <<<"$output"
}

@test "dropin: docker events shows an OOM kill" {
	[ -d /sys/fs/cgroup/memory ] || skip "needs the cgroup v1 memory controller"
	each check_oom_event
}

check_init_ro_tmpfs_volume() {
	local vol
	vol=$(mktemp -d /tmp/cleat-dropin-vol.XXXXXX)
	echo host >"$vol/f"
	docker_ volume create "$NAME" >/dev/null
	run drun --rm --init --read-only --tmpfs /scratch:size=1m -v "$vol:/data" -v "$NAME:/named" \
		"$TEST_IMAGE_DOCKER" sh -c 'cat /proc/1/comm; cat /data/f; echo vol >/named/v && cat /named/v;
			echo t >/scratch/t && grep " /scratch " /proc/mounts | cut -d" " -f3;
			touch /x 2>/dev/null || echo ro'
	docker_ volume rm "$NAME" >/dev/null
	rm -rf "$vol"
	assert_success
	assert_output "docker-init
host
vol
tmpfs
ro"
}

@test "dropin: --init, --read-only, --tmpfs, volumes" {
	each check_init_ro_tmpfs_volume
}

check_live_restore() {
	ddetach "$NAME" "$TEST_IMAGE_DOCKER" sh -c "$COUNTER"
	local pid
	pid=$(docker_ inspect -f '{{.State.Pid}}' "$NAME")
	stop_pid "$DOCKERD_PID" 20
	kill -0 "$pid"
	launch_dockerd "${DOCKERD_ARGS[@]}"
	save_pair "$PAIR"
	state_is "$NAME" running
	assert_equal "$(docker_ inspect -f '{{.State.Pid}}' "$NAME")" "$pid"
	run -0 docker_ exec "$NAME" echo after-restart
	assert_output after-restart
	run -0 docker_ stop -t 1 "$NAME"
	run -0 docker_ logs "$NAME"
	no_gap 5
}

@test "dropin: --live-restore: dockerd restarted while a container runs" {
	each check_live_restore
}

# The walk-through: both daemons SIGKILLed under a running container, then restarted.
check_walkthrough() {
	local id pid shim p
	ddetach "$NAME" "$TEST_IMAGE_DOCKER" sh -c "trap 'exit 9' TERM; $COUNTER"
	id=$(docker_ inspect -f '{{.Id}}' "$NAME")
	pid=$(docker_ inspect -f '{{.State.Pid}}' "$NAME")
	shim=$(shim_pid "$NAME")
	# The tree: dockerd, containerd, the shim (reparented to init: it is a daemon), the
	# container's process; no runtime process once start returned.
	kill -0 "$DOCKERD_PID" && kill -0 "$CTRD_PID"
	case "$CONFIG" in
	cleat-shim/*) assert_equal "$(readlink "/proc/$shim/exe")" "$(readlink -f "$SHIM")" ;;
	*) assert_equal "$(readlink "/proc/$shim/exe")" /usr/bin/containerd-shim-runc-v2 ;;
	esac
	grep -qF -- "-id $id " <(tr '\0' ' ' <"/proc/$shim/cmdline")
	assert_equal "$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status")" "$shim"
	for p in /proc/[0-9]*; do
		case "$(readlink "$p/exe" 2>/dev/null)" in
		"$(readlink -f "$CLEAT")" | */runc) fail "runtime still running: $p $(tr '\0' ' ' <"$p/cmdline")" ;;
		esac
	done
	sleep 0.5
	kill_daemon "$CTRD_PID"
	kill_daemon "$DOCKERD_PID"
	sleep 1
	kill -0 "$pid" || fail "the container died with its daemons"
	kill -0 "$shim"
	launch_containerd
	launch_dockerd "${DOCKERD_ARGS[@]}"
	save_pair "$PAIR"
	run -0 docker_ ps --filter "id=$id" --format '{{.Names}} {{.State}}'
	assert_output "$NAME running"
	sleep 0.5
	run -0 docker_ stop -t 5 "$NAME"
	run -0 docker_ inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$NAME"
	assert_output "exited 9"
	run -0 docker_ logs "$NAME"
	no_gap 20
}

@test "dropin: walk-through: dockerd and containerd SIGKILLed and restarted under a running container" {
	each check_walkthrough
}

@test "dropin: with no BinaryName (ctr, io.containerd.runc.v2) the cleat shim runs runc, as the shim it stands in for" {
	use_pair A
	import_test_image_ctr
	local id pid shim
	id=$(container_id ctr)
	run -0 ctr_ run -d --runtime io.containerd.runc.v2 "$TEST_IMAGE_REF" "$id" sleep 1000
	pid=$(ctr_ task ls | awk -v id="$id" '$1 == id { print $2 }')
	shim=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status")
	assert_equal "$(readlink "/proc/$shim/exe")" "$(readlink -f "$SHIM")"
	# runc's default root under containerd-shim-runc-v2, and runc made the container.
	run runc --root "/run/containerd/runc/$CTR_NAMESPACE" state "$id"
	ctr_ task kill -s SIGKILL "$id" >/dev/null 2>&1 || true
	wait_until 50 bash -c "! kill -0 $pid 2>/dev/null"
	ctr_ task delete "$id" >/dev/null 2>&1 || true
	ctr_ container delete "$id" >/dev/null 2>&1 || true
	assert_success
	assert_output --partial '"status": "running"'
}
