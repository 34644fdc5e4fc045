#!/usr/bin/env bats
# containerd-generations: 1.6 2.x (tests/run-all.sh runs it under Debian's containerd 1.6, then
# again with CLEAT_CONTAINERD_GEN=2 under the pinned containerd 2.x; see helpers.bash)
# containerd-shim-cleat-v2 under Debian's real containerd 1.6 (our own instance), driven by
# ctr. The runtime under the shim is its default, cleat; run with CLEAT_SHIM_RUNTIME=runc for
# the reference runtime under the same shim.

load helpers
load shim-helpers

SHIM_RPC=$BUILDDIR/tests/unit/shim-rpc

setup_file() {
	shim_setup_file
}

teardown_file() {
	shim_teardown_file
}

setup() {
	require_binary "$SHIM"
	ID=$(container_id shim)
}

teardown() {
	[ -n "${CREATE_PID:-}" ] && kill "$CREATE_PID" 2>/dev/null && wait "$CREATE_PID"
	[ -n "${LOGGER_PID:-}" ] && kill -KILL "$LOGGER_PID" 2>/dev/null
	ctr_cleanup
	[ -n "${EVENTS_PID:-}" ] && kill "$EVENTS_PID" 2>/dev/null
	[ -n "${UNSHARE_PID:-}" ] && kill -KILL "$UNSHARE_PID" $(pgrep -P "$UNSHARE_PID") 2>/dev/null
	true
}

# task_pid ID: the init pid containerd knows.
task_pid() {
	ctr_ tasks ls | awk -v id="$1" '$1 == id { print $2 }'
}

# topics ID: the /tasks/* topics recorded for container ID, in order ("topic[:exec id]").
topics() {
	sleep 0.5
	grep -F "\"container_id\":\"$1\"" "$BATS_TEST_TMPDIR/events" |
		awk '{ print $6, $7 }' | while read -r topic json; do
		case $topic in
		/tasks/exit) echo "$topic:$(jq -r .id <<<"$json")" ;;
		/tasks/exec-*) echo "$topic:$(jq -r .exec_id <<<"$json")" ;;
		*) echo "$topic" ;;
		esac
	done
}

@test "shim: ctr run in the foreground: stdout, stderr and exit code" {
	run --separate-stderr ctr_ run --rm --runtime "$RT" "$TEST_IMAGE_REF" "$ID" \
		sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'
	assert_equal "$status" 3
	assert_output to-stdout
	assert_equal "$stderr" to-stderr
	# --rm removed everything: no task, no bundle mount.
	run -0 ctr_ tasks ls -q
	refute_output --partial "$ID"
	run -1 grep -F "$(bundle_of "$ID")" /proc/self/mountinfo
}

@test "shim: runtime type by absolute path" {
	run -0 ctr_ run --rm --runtime "$SHIM" "$TEST_IMAGE_REF" "$ID" echo by-path
	assert_output by-path
}

@test "shim: stdin reaches the container, and CloseIO its EOF" {
	# ctr run never sends CloseIO (the shim holds stdin open, as runc-v2); ctr task exec does.
	run_d "$ID" sleep 1000
	run -0 bash -c "printf 'abc\n' | $CTR --address $CTR_ADDRESS -n $CTR_NAMESPACE tasks exec --exec-id in1 $ID sh -c 'tr a-z A-Z; echo done'"
	assert_line ABC
	assert_line done
}

@test "shim: -t gives the container a pty of the client's size" {
	skip_unless_cmd script
	run -0 in_pty "stty cols 123 rows 45; $CTR --address $CTR_ADDRESS -n $CTR_NAMESPACE run --rm -t --runtime $RT $TEST_IMAGE_REF $ID sh -c 'tty; sleep 1; stty size'"
	# ctr sends ResizePty after Start: the container sees the client's size once it is in.
	assert_output --partial /dev/pts/
	assert_output --partial "45 123"
	run in_pty "$CTR --address $CTR_ADDRESS -n $CTR_NAMESPACE run --rm -t --runtime $RT $TEST_IMAGE_REF $ID-2 sh -c 'exit 4'"
	assert_equal "$status" 4
}

@test "shim: ctr task exec without and with a terminal" {
	run_d "$ID" sleep 1000
	run ctr_ tasks exec --exec-id ex1 "$ID" sh -c 'echo in-exec; cat /proc/self/stat >/dev/null; exit 5'
	assert_equal "$status" 5
	assert_output in-exec
	run -0 bash -c "echo piped | $CTR --address $CTR_ADDRESS -n $CTR_NAMESPACE tasks exec --exec-id ex2 $ID cat"
	assert_output piped
	skip_unless_cmd script
	run in_pty "$CTR --address $CTR_ADDRESS -n $CTR_NAMESPACE tasks exec -t --exec-id ex3 $ID sh -c 'tty; exit 6'"
	assert_equal "$status" 6
	assert_output --partial /dev/pts/
}

@test "shim: ctr task kill delivers the signal; exit status is 128+signal or the trap's" {
	run_d "$ID" sh -c 'trap "exit 12" TERM; while :; do sleep 0.1; done'
	wait_status "$ID" RUNNING
	# RUNNING comes before sh has set its trap: wait until the kernel shows SIGTERM caught
	# (bit 15 of SigCgt), or the signal would kill sh with 143 instead.
	local pid
	pid=$(task_pid "$ID")
	retry 100 0.05 catches_sigterm "$pid" || fail "sh never caught SIGTERM"
	run -0 ctr_ tasks kill -s SIGTERM "$ID"
	wait_status "$ID" STOPPED
	run -0 ctr_ tasks delete "$ID"
	assert_output --partial "exit code 12"
	ctr_ containers delete "$ID"

	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	run -0 ctr_ tasks kill -s SIGKILL "$ID"
	wait_status "$ID" STOPPED
	run -0 ctr_ tasks delete "$ID"
	assert_output --partial "exit code 137"
	# A second kill of a finished task is NotFound ("already finished"), as runc-v2 says.
	run ctr_ tasks kill -s SIGKILL "$ID"
	assert_failure
}

@test "shim: pause and resume freeze and thaw the container's cgroup" {
	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	local pid freezer
	pid=$(task_pid "$ID")
	freezer=/sys/fs/cgroup/freezer$(awk -F: '$2 == "freezer" { print $3 }' "/proc/$pid/cgroup")
	run -0 ctr_ tasks pause "$ID"
	assert_equal "$(task_status "$ID")" PAUSED
	assert_equal "$(cat "$freezer/freezer.state")" FROZEN
	run -0 ctr_ tasks resume "$ID"
	assert_equal "$(task_status "$ID")" RUNNING
	assert_equal "$(cat "$freezer/freezer.state")" THAWED
	# Resume of a running task is an error, as with runc-v2.
	run ctr_ tasks resume "$ID"
	assert_failure
}

@test "shim: ctr task ps lists init and exec processes" {
	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	ctr_ tasks exec -d --exec-id psx "$ID" sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	sleep 1
	run -0 ctr_ tasks ps "$ID"
	assert_line --regexp "^$(task_pid "$ID") +-"
	# containerd 1.6's ctr prints the exec's details as Go's struct dump
	# (&ProcessDetails{ExecID:psx,}), 2.x's ctr as protobuf text (exec_id:"psx").
	assert_output --regexp 'ExecID:psx|exec_id:"psx"'
}

@test "shim: ctr task metrics reads the container's cgroup" {
	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	run -0 ctr_ tasks metrics "$ID"
	assert_output --regexp "memory.usage_in_bytes +[1-9]"
	assert_output --regexp "pids.current +1"
	assert_output --partial cpuacct.usage
}

@test "shim: ctr task delete of a stopped task, and of a running one refused" {
	run_d "$ID" sh -c 'exit 9'
	wait_status "$ID" STOPPED
	run -0 ctr_ tasks delete "$ID"
	assert_output --partial "exit code 9"
	run -0 ctr_ tasks ls -q
	refute_output --partial "$ID"
	run -1 grep -F "$(bundle_of "$ID")" /proc/self/mountinfo
	ctr_ containers delete "$ID"
	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	run ctr_ tasks delete "$ID"
	assert_failure
}

@test "shim: ctr events shows every task topic in order" {
	start_events
	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	run -0 ctr_ tasks exec --exec-id evx "$ID" true
	run -0 ctr_ tasks pause "$ID"
	run -0 ctr_ tasks resume "$ID"
	run -0 ctr_ tasks kill -s SIGKILL "$ID"
	wait_status "$ID" STOPPED
	run -0 ctr_ tasks delete "$ID"
	run -0 topics "$ID"
	assert_equal "$output" "$(printf '%s\n' /tasks/create /tasks/start /tasks/exec-added:evx \
		/tasks/exec-started:evx "/tasks/exit:evx" /tasks/paused /tasks/resumed \
		"/tasks/exit:$ID" /tasks/delete)"
}

@test "shim: an OOM kill publishes /tasks/oom before /tasks/exit 137" {
	start_events
	run ctr_ run --rm --runtime "$RT" --memory-limit 16777216 "$TEST_IMAGE_REF" "$ID" \
		sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived'
	assert_equal "$status" 137
	run -0 topics "$ID"
	assert_line /tasks/oom
	# Every OOM event precedes the exit.
	run -0 bash -c "topics() { :; }; grep -n -F '\"container_id\":\"$ID\"' '$BATS_TEST_TMPDIR/events' | grep -E '/tasks/(oom|exit)' | awk '{print \$6}' | tail -1"
	assert_output /tasks/exit
}

@test "shim: exits after the last Shutdown; nothing left listening" {
	run -0 ctr_ run --rm --runtime "$RT" "$TEST_IMAGE_REF" "$ID" true
	run -1 shim_pid "$ID"
	run -0 ctr_ run --rm --runtime "$RT" "$TEST_IMAGE_REF" "$ID-b" true
	# No socket of ours stays behind in /run/containerd/s for containers that are gone.
	local sock
	sock=$(printf '%s' "$CTR_ADDRESS/$CTR_NAMESPACE/$ID" | sha256sum | cut -c1-64)
	assert [ ! -e "/run/containerd/s/$sock" ]
}

@test "shim: no shim fd leaks into the container" {
	run -0 ctr_ run --rm --runtime "$RT" "$TEST_IMAGE_REF" "$ID" ls /proc/self/fd
	# 0, 1, 2 and the fd ls itself holds open on /proc/self/fd.
	assert_equal "${#lines[@]}" 4
}

@test "shim: Update changes the container's cgroup limits" {
	require_binary "$SHIM_RPC"
	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	local pid mem
	pid=$(task_pid "$ID")
	mem=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")
	run -0 "$SHIM_RPC" "$(shim_address "$ID")" \
		update "$ID" '{"memory":{"limit":67108864},"cpu":{"shares":512}}'
	assert_equal "$(cat "$mem/memory.limit_in_bytes")" 67108864
	local cpu
	cpu=/sys/fs/cgroup/$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $2 $3 }' "/proc/$pid/cgroup")
	assert_equal "$(cat "$cpu/cpu.shares")" 512
	# Bad JSON is the runtime's error, code Unknown (2), as runc-v2.
	run -1 "$SHIM_RPC" "$(shim_address "$ID")" update "$ID" '{"memory":'
	assert_output --partial "code=2"
}

@test "shim: gRPC codes containerd expects (NotFound, Unimplemented) and Connect" {
	require_binary "$SHIM_RPC"
	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	local addr
	addr=$(shim_address "$ID")
	run -1 "$SHIM_RPC" "$addr" state no-such-container
	assert_output "code=5 message=container not created: not found"
	run -1 "$SHIM_RPC" "$addr" state "$ID" no-such-exec
	assert_output "code=5 message=process does not exist no-such-exec: not found"
	# Checkpoint is served (shim-checkpoint.bats); without an image path it is refused.
	run -1 "$SHIM_RPC" "$addr" call Checkpoint "$ID"
	assert_output "code=3 message=checkpoint $ID: no image path: invalid argument"
	run -1 "$SHIM_RPC" "$addr" call NoSuchMethod "$ID"
	assert_output --partial "code=12"
	run -0 "$SHIM_RPC" "$addr" state "$ID"
	assert_output "status=2 pid=$(task_pid "$ID") exit_status=0"
	run -0 "$SHIM_RPC" "$addr" connect "$ID"
	assert_output "shim_pid=$(shim_pid "$ID") task_pid=$(task_pid "$ID")"
}

@test "shim: containers with the same group annotation share one shim" {
	local g=grp-$ID shim_a shim_b
	ctr_ run -d --annotation "io.containerd.runc.v2.group=$g" --runtime "$RT" "$TEST_IMAGE_REF" \
		"$ID-a" sleep 1000 </dev/null >/dev/null 2>&1 3>&-
	ctr_ run -d --annotation "io.containerd.runc.v2.group=$g" --runtime "$RT" "$TEST_IMAGE_REF" \
		"$ID-b" sleep 1000 </dev/null >/dev/null 2>&1 3>&-
	wait_status "$ID-a" RUNNING
	wait_status "$ID-b" RUNNING
	shim_a=$(shim_pid "$ID-a")
	assert_equal "$(shim_address "$ID-a")" "$(shim_address "$ID-b")"
	run -1 shim_pid "$ID-b"
	run -0 ctr_ tasks exec --exec-id gx "$ID-b" echo in-b
	assert_output in-b
	# Deleting the first container keeps the shim for the second (Shutdown is a no-op).
	ctr_ tasks kill -s SIGKILL "$ID-a"
	wait_status "$ID-a" STOPPED
	run -0 ctr_ tasks delete "$ID-a"
	kill -0 "$shim_a"
	assert_equal "$(task_status "$ID-b")" RUNNING
	ctr_ tasks kill -s SIGKILL "$ID-b"
	wait_status "$ID-b" STOPPED
	run -0 ctr_ tasks delete "$ID-b"
	local i
	for ((i = 0; i < 50; i++)); do
		[ -e "/proc/$shim_a" ] && [ "$(awk '$1 == "State:" { print $2 }' "/proc/$shim_a/status")" != Z ] || break
		sleep 0.1
	done
	run -1 shim_pid "$ID-a"
}

@test "shim: file:// log URI appends stdout and stderr to the file" {
	local log=$BATS_TEST_TMPDIR/logs/ct.log
	run -0 ctr_ run --rm --log-uri "file://$log" --runtime "$RT" "$TEST_IMAGE_REF" "$ID" \
		sh -c 'echo line-out; echo line-err >&2'
	run -0 cat "$log"
	assert_line line-out
	assert_line line-err
}

@test "shim: binary:// log URI hands stdout and stderr to the logger (fd 3, 4; ready on fd 5)" {
	local logger=$BATS_TEST_TMPDIR/logger.sh out=$BATS_TEST_TMPDIR/logged
	cat >"$logger" <<-'SH'
		#!/bin/sh
		# $1 $2: the query words (out PATH); ready as soon as the pipes are taken.
		exec 5>&-
		echo "id=$CONTAINER_ID ns=$CONTAINER_NAMESPACE" >"$2.env"
		cat <&3 >"$2.out" &
		cat <&4 >"$2.err"
		wait
	SH
	chmod +x "$logger"
	run -0 ctr_ run --rm --log-uri "binary://$logger?out=$out" --runtime "$RT" "$TEST_IMAGE_REF" \
		"$ID" sh -c 'echo to-logger; echo err-to-logger >&2'
	sleep 0.5
	run -0 cat "$out.out"
	assert_output to-logger
	run -0 cat "$out.err"
	assert_output err-to-logger
	run -0 cat "$out.env"
	assert_output "id=$ID ns=$CTR_NAMESPACE"
}

# timed NAME CMD...: run CMD, leaving its output in $BATS_TEST_TMPDIR/NAME.out and
# "<exit code> <milliseconds>" in NAME.ms.
timed() {
	local name=$1 t0 rc=0
	shift
	t0=$(date +%s%N)
	"$@" >"$BATS_TEST_TMPDIR/$name.out" 2>&1 || rc=$?
	echo "$rc $((($(date +%s%N) - t0) / 1000000))" >"$BATS_TEST_TMPDIR/$name.ms"
}

# slow_logger SECONDS|never: a binary:// logger (path in $LOGGER) that says it is ready, by
# closing its fd 5 as containerd's binary logging protocol has it, only SECONDS after it
# started, or never; it writes its pid to the file named by its query (?started=PATH) first.
slow_logger() {
	LOGGER=$BATS_TEST_TMPDIR/slow-logger.sh
	local rest='sleep '$1'; exec 5>&-; cat <&3 >/dev/null & cat <&4 >/dev/null; wait'
	[ "$1" = never ] && rest='exec sleep 1000'
	printf '#!/bin/sh\necho $$ >"$2"\n%s\n' "$rest" >"$LOGGER"
	chmod +x "$LOGGER"
}

# catches_sigterm PID: PID has a handler for SIGTERM (bit 15 of SigCgt).
catches_sigterm() {
	(( 0x$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status") & 0x4000 ))
}


@test "shim: a slow binary:// logger delays only its own Create: State, Exec, another Kill at once" {
	require_binary "$SHIM_RPC"
	local g=grp-$ID mark=$BATS_TEST_TMPDIR/logger-started addr id what rc ms
	slow_logger 5
	# Three containers in one shim (the group annotation): two running ones, then the logger's.
	for id in "$ID-a" "$ID-c"; do
		ctr_ run -d --annotation "io.containerd.runc.v2.group=$g" --runtime "$RT" \
			"$TEST_IMAGE_REF" "$id" sleep 1000 </dev/null >/dev/null 2>&1 3>&-
		wait_status "$id" RUNNING
	done
	addr=$(shim_address "$ID-a")
	assert_equal "$(shim_address "$ID-c")" "$addr"
	ctr_ run -d --annotation "io.containerd.runc.v2.group=$g" --runtime "$RT" \
		--log-uri "binary://$LOGGER?started=$mark" "$TEST_IMAGE_REF" "$ID-b" sleep 1000 \
		</dev/null >"$BATS_TEST_TMPDIR/create-b.out" 2>&1 3>&- &
	CREATE_PID=$!
	retry 100 0.1 test -e "$mark"
	# The shim is now waiting for the logger; requests for the others must not wait with it.
	local pids=()
	timed state "$SHIM_RPC" "$addr" state "$ID-a" 3>&- &
	pids+=($!)
	timed exec ctr_ tasks exec --exec-id slow-logger-x "$ID-a" echo exec-ok 3>&- &
	pids+=($!)
	timed kill ctr_ tasks kill -s SIGKILL "$ID-c" 3>&- &
	pids+=($!)
	wait "${pids[@]}"
	for what in state exec kill; do
		read -r rc ms <"$BATS_TEST_TMPDIR/$what.ms"
		echo "# $what: exit $rc after $ms ms: $(cat "$BATS_TEST_TMPDIR/$what.out")" >&3
	done
	for what in state exec kill; do
		read -r rc ms <"$BATS_TEST_TMPDIR/$what.ms"
		assert_equal "$what:$rc" "$what:0"
		assert [ "$ms" -lt 1000 ]
	done
	assert_equal "$(cat "$BATS_TEST_TMPDIR/exec.out")" exec-ok
	wait_status "$ID-c" STOPPED
	# The slow logger's container is created once the logger is ready.
	wait "$CREATE_PID"
	CREATE_PID=
	wait_status "$ID-b" RUNNING
}

@test "shim: an exec's slow binary:// logger delays only that exec's Start" {
	require_binary "$SHIM_RPC"
	local mark=$BATS_TEST_TMPDIR/logger-started addr t0 ms
	slow_logger 3
	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	addr=$(shim_address "$ID")
	ctr_ tasks exec --exec-id logged --log-uri "binary://$LOGGER?started=$mark" "$ID" true \
		</dev/null >"$BATS_TEST_TMPDIR/exec.out" 2>&1 3>&- &
	CREATE_PID=$!
	retry 100 0.1 test -e "$mark"
	t0=$(date +%s%N)
	run -0 "$SHIM_RPC" "$addr" state "$ID" logged
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "# exec State while its logger starts: $ms ms ($output)" >&3
	# Created, not yet started: its Start is the one waiting.
	assert_output --partial "status=1 "
	assert [ "$ms" -lt 1000 ]
	wait "$CREATE_PID"
	CREATE_PID=
}

@test "shim: a binary:// logger that never gets ready fails only its Create, after 10 s" {
	require_binary "$SHIM_RPC"
	local g=grp-$ID mark=$BATS_TEST_TMPDIR/logger-started addr t0 ms
	slow_logger never
	ctr_ run -d --annotation "io.containerd.runc.v2.group=$g" --runtime "$RT" "$TEST_IMAGE_REF" \
		"$ID-a" sleep 1000 </dev/null >/dev/null 2>&1 3>&-
	wait_status "$ID-a" RUNNING
	addr=$(shim_address "$ID-a")
	t0=$(date +%s%N)
	ctr_ run -d --annotation "io.containerd.runc.v2.group=$g" --runtime "$RT" \
		--log-uri "binary://$LOGGER?started=$mark" "$TEST_IMAGE_REF" "$ID-b" sleep 1000 \
		</dev/null >"$BATS_TEST_TMPDIR/create-b.out" 2>&1 3>&- &
	CREATE_PID=$!
	retry 100 0.1 test -e "$mark"
	local t1
	t1=$(date +%s%N)
	run -0 "$SHIM_RPC" "$addr" state "$ID-a"
	ms=$((($(date +%s%N) - t1) / 1000000))
	echo "# State while the logger never gets ready: $ms ms" >&3
	assert [ "$ms" -lt 1000 ]
	local rc=0
	wait "$CREATE_PID" || rc=$?
	CREATE_PID=
	assert [ "$rc" -ne 0 ]
	ms=$((($(date +%s%N) - t0) / 1000000))
	run -0 cat "$BATS_TEST_TMPDIR/create-b.out"
	assert_output --partial "did not become ready"
	assert [ "$ms" -ge 9000 ]
	# Nothing left: no task, the logger gone (SIGTERM), the other container untouched.
	run -0 ctr_ tasks ls -q
	refute_line "$ID-b"
	assert_equal "$(task_status "$ID-a")" RUNNING
	LOGGER_PID=$(cat "$mark")
	local i
	for ((i = 0; i < 30; i++)); do
		[ -e "/proc/$LOGGER_PID" ] || break
		sleep 0.1
	done
	assert [ ! -e "/proc/$LOGGER_PID" ]
	LOGGER_PID=
}

@test "shim: without a private pid namespace, init's exit kills what it left behind (kill --all)" {
	# Join another pid namespace (an entry with a path is not a private one): a sleeper's.
	unshare --pid --fork sleep 1000 3>&- &
	UNSHARE_PID=$!
	local ns_pid pid left i
	for ((i = 0; i < 20; i++)); do
		ns_pid=$(pgrep -P "$UNSHARE_PID") && break
		sleep 0.1
	done
	ctr_ run -d --with-ns "pid:/proc/$ns_pid/ns/pid" --runtime "$RT" "$TEST_IMAGE_REF" "$ID" \
		sh -c 'sleep 1000 & echo $! >/leftover; sleep 2' </dev/null >/dev/null 2>&1 3>&-
	wait_status "$ID" RUNNING
	pid=$(task_pid "$ID")
	for ((i = 0; i < 20; i++)); do
		left=$(cat "/proc/$pid/root/leftover" 2>/dev/null) && [ -n "$left" ] && break
		sleep 0.1
	done
	# /leftover holds its pid in that namespace; find its host pid in the container's cgroup.
	local cg p nspid=$left
	left=
	cg=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")
	for p in $(cat "$cg/cgroup.procs"); do
		[ "$(awk '$1 == "NSpid:" { print $NF }' "/proc/$p/status")" = "$nspid" ] && left=$p
	done
	assert [ -n "$left" ]
	wait_status "$ID" STOPPED
	# Dead: gone, or a zombie of that namespace's init (the sleeper, which never reaps).
	for ((i = 0; i < 50; i++)); do
		[ "$(awk '$1 == "State:" { print $2 }' "/proc/$left/status" 2>/dev/null)" = S ] || break
		sleep 0.1
	done
	run awk '$1 == "State:" { print $2 }' "/proc/$left/status"
	refute_output S
}

@test "shim: failed create says what containerd-shim-runc-v2 says, for the same runtime" {
	local bin
	bin=$(command -v "${CLEAT_SHIM_RUNTIME:-$CLEAT}")
	run ctr_ run --rm --runtime io.containerd.runc.v2 --runc-binary "$bin" "$TEST_IMAGE_REF" "$ID-ref" /nonexistent
	assert_failure
	local ref=$output
	run ctr_ run --rm --runtime "$RT" "$TEST_IMAGE_REF" "$ID" /nonexistent
	assert_failure
	assert_output --partial "OCI runtime create failed:"
	assert_equal "${output//$ID/ID}" "${ref//$ID-ref/ID}"
	run -1 grep -F "$(bundle_of "$ID")" /proc/self/mountinfo
}

@test "shim: a failure's cause reaches ctr: the errno text of the shim's own call, the runtime's error, as containerd-shim-runc-v2" {
	# A file:// log under a regular file: the shim's own mkdir/open fails with ENOTDIR.
	# containerd 1.6 ends the message with the gRPC code's name (": unknown"); 2.x passes
	# the shim's message through without it.
	local pattern='^ctr: failed to create shim task: failed to create init process I/O: .*/proc/version.*: not a directory: unknown$'
	[ -z "${CTRD_GEN_BIN:-}" ] ||
		pattern='^ctr: failed to create shim task: failed to create init process I/O: .*/proc/version.*: not a directory$'
	run ctr_ run --rm --runtime io.containerd.runc.v2 --log-uri file:///proc/version/x \
		"$TEST_IMAGE_REF" "$ID-ref" true
	assert_failure
	assert_output --regexp "$pattern"
	run ctr_ run --rm --runtime "$RT" --log-uri file:///proc/version/x "$TEST_IMAGE_REF" "$ID" true
	assert_failure
	assert_output --regexp "$pattern"
	ctr_ containers delete "$ID-ref" "$ID" 2>/dev/null || true
	# An exec of a missing binary: the runtime's own error, the same runtime under both shims.
	local bin ref
	bin=$(command -v "${CLEAT_SHIM_RUNTIME:-$CLEAT}")
	ctr_ run -d --runtime io.containerd.runc.v2 --runc-binary "$bin" "$TEST_IMAGE_REF" "$ID-ref" \
		sleep 1000 </dev/null >/dev/null 2>&1 3>&-
	run ctr_ tasks exec --exec-id x "$ID-ref" /nonexistent
	assert_failure
	ref=$output
	run_d "$ID" sleep 1000
	run ctr_ tasks exec --exec-id x "$ID" /nonexistent
	assert_failure
	assert_output --partial 'OCI runtime exec failed:'
	assert_output --partial 'no such file or directory'
	assert_equal "$output" "$ref"
}

@test "shim: an exec whose output a background child keeps open: exit after the drain timeout; Delete waits for it" {
	require_binary "$SHIM_RPC"
	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	local addr t0 t1
	addr=$(shim_address "$ID")
	# ctr waits for Wait and for EOF on its stdout: both come after the 2 s drain timeout.
	t0=$(date +%s%N)
	run ctr_ tasks exec --exec-id held "$ID" sh -c 'sleep 1000 & echo started; exit 2'
	t1=$(date +%s%N)
	assert_equal "$status" 2
	assert_output started
	assert [ $(((t1 - t0) / 1000000)) -lt 6000 ]

	# Detached: Delete arrives while the output is still draining and is answered after it.
	ctr_ tasks exec -d --exec-id held2 "$ID" sh -c 'sleep 1000 & exit 4' </dev/null >/dev/null 2>&1 3>&-
	sleep 0.5
	run -0 "$SHIM_RPC" "$addr" call Delete "$ID" held2
	run -1 "$SHIM_RPC" "$addr" state "$ID" held2
	assert_output --partial "code=5"
}
