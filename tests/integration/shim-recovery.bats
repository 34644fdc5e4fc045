#!/usr/bin/env bats
# containerd-generations: 1.6 2.x (tests/run-all.sh runs it under Debian's containerd 1.6, then
# again with CLEAT_CONTAINERD_GEN=2 under the pinned containerd 2.x; see helpers.bash)
# containerd-shim-cleat-v2 when containerd or the shim itself dies: containers outlive a
# containerd restart (stdio keeps flowing, exits that happened meanwhile are reported), and a
# SIGKILLed shim is cleaned up by containerd's `delete` path.

load helpers
load shim-helpers

setup_file() {
	shim_setup_file
}

teardown_file() {
	shim_teardown_file
}

setup() {
	require_binary "$SHIM"
	ID=$(container_id rec)
	CTRD_PID=$(cat "$CTRD_DIR/containerd.pid")
}

# gone_after_reload ID: under containerd 2.x, wait until task ID has left `ctr tasks ls` and
# its shim has exited. 2.x reloads a shim by asking its Pids and takes one whose task has no
# process (and no sandbox) for a leaked shim: it shuts it down and drops the task
# ("cleaning leaked shim process"), with containerd-shim-runc-v2 as with the cleat shim. So a
# container that exited while 2.x was down is not STOPPED after the restart but gone, and its
# exit is not published to subscribers that connect after the restart.
# exited_before_reload ID: under 2.x, whether task ID's exit came before containerd
# reloaded its shim (the task then leaves `ctr tasks ls`) rather than after it (the task is
# then STOPPED with its exit status, as under 1.6): on a loaded machine the restart can
# outlast the container's 2 s. Waits up to 10 s for one of the two.
exited_before_reload() {
	local i st
	for ((i = 0; i < 100; i++)); do
		st=$(task_status "$1")
		[ -z "$st" ] && return 0
		[ "$st" = STOPPED ] && return 1
		sleep 0.1
	done
	return 0
}

gone_after_reload() {
	retry 100 0.1 bash -c "! $CTR --address $CTR_ADDRESS -n $CTR_NAMESPACE tasks ls -q | grep -qx '$1'"
	local i
	for ((i = 0; i < 100; i++)); do
		shim_pid "$1" >/dev/null || break
		sleep 0.1
	done
	run -1 shim_pid "$1"
	run -1 grep -F "$(bundle_of "$1")" /proc/self/mountinfo
}

teardown() {
	ctr_cleanup
	[ -n "${READER_PID:-}" ] && kill "$READER_PID" 2>/dev/null
	true
}

# restart_containerd: SIGKILL our containerd and start it again on the same config and state.
restart_containerd() {
	local i
	kill -KILL "$CTRD_PID" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$CTRD_PID" 2>/dev/null || break
		sleep 0.1
	done
	PATH="$(dirname "$SHIM"):$(dirname "$CLEAT"):${CTRD_GEN_BIN:+$CTRD_GEN_BIN:}$PATH" "$CONTAINERD" --config "$CTRD_DIR/config.toml" \
		--log-level "${CTRD_LOG_LEVEL:-info}" </dev/null >>"$CTRD_DIR/containerd.log" 2>&1 3>&- &
	CTRD_PID=$!
	echo "$CTRD_PID" >"$CTRD_DIR/containerd.pid"
	for ((i = 0; i < 200; i++)); do
		"$CTR" --address "$CTR_ADDRESS" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "containerd did not come back" >&2
	return 1
}

@test "shim: containers survive a containerd SIGKILL + restart; exits meanwhile are reported" {
	run_d "$ID-live" sh -c 'i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.1; done'
	run_d "$ID-dies" sh -c 'sleep 2; exit 42'
	wait_status "$ID-live" RUNNING
	local pid shim
	pid=$(ctr_ tasks ls | awk -v id="$ID-live" '$1 == id { print $2 }')
	shim=$(shim_pid "$ID-live")

	restart_containerd
	sleep 3 # $ID-dies exits while containerd is down or reloading

	# Same process, same shim: nothing was restarted under the container.
	kill -0 "$pid"
	kill -0 "$shim"
	assert_equal "$(task_status "$ID-live")" RUNNING
	if [ -n "${CTRD_GEN_BIN:-}" ] && exited_before_reload "$ID-dies"; then
		gone_after_reload "$ID-dies"
	else
		wait_status "$ID-dies" STOPPED
		run -0 ctr_ tasks delete "$ID-dies"
		assert_output --partial "exit code 42"
	fi

	# stdio still flows: attach reopens the fifos the shim kept and sees new ticks.
	ctr_ tasks attach "$ID-live" >"$BATS_TEST_TMPDIR/attach" 2>&1 </dev/null 3>&- &
	READER_PID=$!
	sleep 1.5
	kill -KILL "$READER_PID"
	READER_PID=
	run -0 cat "$BATS_TEST_TMPDIR/attach"
	assert_output --regexp "tick [0-9]+"
}

@test "shim: an exit while containerd is down is published once it is back" {
	run_d "$ID" sh -c 'sleep 1; exit 7'
	wait_status "$ID" RUNNING
	kill -KILL "$CTRD_PID" 2>/dev/null || true
	sleep 2 # the container exits now; the shim's Forward fails and is retried
	restart_containerd
	if [ -n "${CTRD_GEN_BIN:-}" ]; then
		gone_after_reload "$ID"
		return 0
	fi
	ctr_ events >"$BATS_TEST_TMPDIR/events" 2>&1 3>&- &
	READER_PID=$!
	wait_status "$ID" STOPPED
	sleep 6 # the publisher retries after 1, 2, 3 s
	kill "$READER_PID"
	READER_PID=
	run -0 grep -F "/tasks/exit" "$BATS_TEST_TMPDIR/events"
	assert_output --partial "\"container_id\":\"$ID\""
	assert_output --partial '"exit_status":7'
}

@test "shim: a SIGKILLed shim is cleaned up by containerd's delete path" {
	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	local shim pid bundle sock
	shim=$(shim_pid "$ID")
	pid=$(ctr_ tasks ls | awk -v id="$ID" '$1 == id { print $2 }')
	bundle=$(bundle_of "$ID")
	sock=$(cat "$bundle/address")
	assert [ -S "${sock#unix://}" ]
	grep -qF "$bundle/rootfs" /proc/self/mountinfo
	kill -KILL "$shim"
	# containerd notices the closed connection and runs `containerd-shim-cleat-v2 delete`.
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	run kill -0 "$pid"
	assert_failure
	run -1 grep -F "$bundle/rootfs" /proc/self/mountinfo
	run -0 ctr_ tasks ls -q
	refute_output --partial "$ID"
	# Nor is its socket left in /run/containerd/s.
	assert [ ! -e "${sock#unix://}" ]
}
