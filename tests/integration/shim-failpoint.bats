#!/usr/bin/env bats
# containerd-generations: 1.6 2.x (tests/run-all.sh runs it under Debian's containerd 1.6, then
# again with CLEAT_CONTAINERD_GEN=2 under the pinned containerd 2.x; see helpers.bash)
# containerd-shim-cleat-v2 over a failpoint runtime (helpers/failpoint-runtime.sh), which
# fails or sleeps on a chosen verb, to force what the shim must survive: a failed create
# returns the runtime's own error and leaves nothing mounted; a process that exits before
# the runtime's start/exec has returned is reported exactly once, after its start event.

load helpers
load shim-helpers

setup_file() { failpoint_setup_file; }
teardown_file() { failpoint_teardown_file; }

setup() {
	require_binary "$SHIM"
	ID=$(container_id fp)
	: >"$FAILPOINT_FILE"
}

teardown() {
	: >"$FAILPOINT_FILE"
	[ -n "${CREATE_PID:-}" ] && kill "$CREATE_PID" 2>/dev/null && wait "$CREATE_PID"
	[ -n "${EVENTS_PID:-}" ] && kill "$EVENTS_PID" 2>/dev/null
	ctr_cleanup
}

failpoint() {
	echo "$*" >"$FAILPOINT_FILE"
}

# topics ID: /tasks/* topics of container ID in order, exits as /tasks/exit:<id>:<status>.
topics() {
	sleep 0.5
	grep -F "\"container_id\":\"$1\"" "$BATS_TEST_TMPDIR/events" |
		awk '{ print $6, $7 }' | while read -r topic json; do
		case $topic in
		/tasks/exit) echo "$topic:$(jq -r .id <<<"$json"):$(jq -r '.exit_status // 0' <<<"$json")" ;;
		/tasks/exec-*) echo "$topic:$(jq -r .exec_id <<<"$json")" ;;
		*) echo "$topic" ;;
		esac
	done
}

@test "shim failpoint: the runtime runs through the failpoint script" {
	run -0 ctr_ run --rm --runtime "$RT" "$TEST_IMAGE_REF" "$ID" echo through
	assert_output through
	run -0 grep -c "^create " "$FAILPOINT_FILE.log"
}

@test "shim failpoint: failed create returns the runtime's error and leaves nothing mounted" {
	failpoint create fail "failpoint: create refused for a test"
	run ctr_ run --rm --runtime "$RT" "$TEST_IMAGE_REF" "$ID" true
	assert_failure
	assert_output --partial "OCI runtime create failed: failpoint: create refused for a test"
	run -1 grep -F "$CTRD_DIR/state/io.containerd.runtime.v2.task/$CTR_NAMESPACE/$ID" /proc/self/mountinfo
	run -0 ctr_ tasks ls -q
	refute_output --partial "$ID"
	# No shim left behind for it either.
	run -1 pgrep -f "containerd-shim-cleat-v2 .*-id $ID -address $CTR_ADDRESS"
}

@test "shim failpoint: a slow runtime does not block other requests" {
	run ctr_ run -d --runtime "$RT" "$TEST_IMAGE_REF" "$ID" sleep 1000 </dev/null 3>&-
	failpoint pause sleep 3
	ctr_ tasks pause "$ID" >/dev/null 2>&1 3>&- &
	local pauser=$! t0 t1
	sleep 0.5
	t0=$(date +%s%N)
	run -0 ctr_ tasks ls
	t1=$(date +%s%N)
	# PAUSING while the runtime's pause runs; State answered at once.
	assert_output --regexp "$ID +[0-9]+ +PAUSING"
	assert [ $(((t1 - t0) / 1000000)) -lt 1500 ]
	wait "$pauser"
	run -0 ctr_ tasks ls
	assert_output --regexp "$ID +[0-9]+ +PAUSED"
}

@test "shim failpoint: a console connection that never brings the pty master fails only its Create" {
	local shim_rpc=$BUILDDIR/tests/unit/shim-rpc g=grp-$ID addr i t0 ms rc=0
	require_binary "$shim_rpc"
	skip_unless_cmd script
	ctr_ run -d --annotation "io.containerd.runc.v2.group=$g" --runtime "$RT" "$TEST_IMAGE_REF" \
		"$ID-a" sleep 1000 </dev/null >/dev/null 2>&1 3>&-
	wait_status "$ID-a" RUNNING
	addr=$(shim_address "$ID-a")
	# Its "create" leaves a process connected to the console socket, silent for 5 s.
	failpoint create console-hold 5
	in_pty -t 30 "$CTR --address $CTR_ADDRESS -n $CTR_NAMESPACE run -t --annotation io.containerd.runc.v2.group=$g --runtime $RT $TEST_IMAGE_REF $ID-b true" \
		>"$BATS_TEST_TMPDIR/create-b.out" 2>&1 3>&- &
	CREATE_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q "^create .* $ID-b\$" "$FAILPOINT_FILE.log" && break
		sleep 0.1
	done
	sleep 1
	t0=$(date +%s%N)
	run -0 "$shim_rpc" "$addr" state "$ID-a"
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "# State while the console connection is silent: $ms ms" >&3
	assert [ "$ms" -lt 1000 ]
	wait "$CREATE_PID" || rc=$?
	CREATE_PID=
	assert [ "$rc" -ne 0 ]
	run -0 cat "$BATS_TEST_TMPDIR/create-b.out"
	assert_output --partial "pty master"
	assert_equal "$(task_status "$ID-a")" RUNNING
}

@test "shim failpoint: init exiting before start has returned is reported once, after /tasks/start" {
	start_events
	failpoint start sleep-after 1
	run ctr_ run --rm --runtime "$RT" "$TEST_IMAGE_REF" "$ID" sh -c 'exit 3'
	assert_equal "$status" 3
	run -0 topics "$ID"
	assert_equal "$output" "$(printf '%s\n' /tasks/create /tasks/start "/tasks/exit:$ID:3" /tasks/delete)"
}

@test "shim failpoint: exec exiting before exec has returned is reported once, after exec-started" {
	ctr_ run -d --runtime "$RT" "$TEST_IMAGE_REF" "$ID" sleep 1000 </dev/null >/dev/null 2>&1 3>&-
	start_events
	failpoint exec sleep-after 1
	run ctr_ tasks exec --exec-id fast "$ID" sh -c 'exit 5'
	assert_equal "$status" 5
	run -0 topics "$ID"
	assert_equal "$output" "$(printf '%s\n' /tasks/exec-added:fast /tasks/exec-started:fast "/tasks/exit:fast:5")"
}

@test "shim failpoint: failed exec start returns the runtime's error; the task keeps running" {
	ctr_ run -d --runtime "$RT" "$TEST_IMAGE_REF" "$ID" sleep 1000 </dev/null >/dev/null 2>&1 3>&-
	failpoint exec fail "failpoint: exec refused"
	run ctr_ tasks exec --exec-id nope "$ID" true
	assert_failure
	assert_output --partial "failpoint: exec refused"
	run -0 ctr_ tasks ls
	assert_output --regexp "$ID +[0-9]+ +RUNNING"
}
