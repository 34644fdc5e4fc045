#!/usr/bin/env bats
# Under Debian's containerd 1.6 only in tests/run-all.sh: it measures the shim's own
# behaviour at its open-file limit, which the containerd generation does not change (it
# passes under 2.x too: CLEAT_CONTAINERD_GEN=2).
# containerd-shim-cleat-v2 at its open-file limit: with RLIMIT_NOFILE lowered to 64, hundreds
# of connections to its ttrpc socket (held, then closed) must neither wedge it nor make it
# spin or flood the log; once they are gone it is back to its baseline fd count, idle, and
# exec (also with a terminal), kill, State and delete work.

load helpers
load shim-helpers

NOFILE=64

setup_file() {
	shim_setup_file
}

teardown_file() {
	shim_teardown_file
}

setup() {
	require_binary "$SHIM"
	skip_unless_cmd prlimit
	skip_unless_cmd python3
	ID=$(container_id emfile)
	FLOOD_PID=
}

teardown() {
	touch "$BATS_TEST_TMPDIR/stop"
	[ -n "$FLOOD_PID" ] && wait "$FLOOD_PID" 2>/dev/null
	ctr_cleanup
}

# ctr_t CMD...: ctr with a 20 s bound, so a wedged shim fails the test instead of hanging it.
ctr_t() {
	timeout --kill-after=5 20 "$CTR" --address "$CTR_ADDRESS" -n "$CTR_NAMESPACE" "$@"
}

# flood SOCKET COUNT HOLD_SECONDS: open COUNT connections to the unix socket without
# blocking (those the full backlog refuses are counted, not retried), hold them for
# HOLD_SECONDS or until $BATS_TEST_TMPDIR/stop exists, close them.
flood() {
	python3 - "${1#unix://}" "$2" "$3" "$BATS_TEST_TMPDIR/stop" <<-'EOF'
		import errno, os, socket, sys, time
		path, count, hold, stop = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
		held, refused = [], 0
		for _ in range(count):
		    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		    s.setblocking(False)
		    if s.connect_ex(path) in (0, errno.EINPROGRESS):
		        held.append(s)
		    else:
		        refused += 1
		        s.close()
		print("connected %d, refused %d" % (len(held), refused), flush=True)
		end = time.monotonic() + hold
		while time.monotonic() < end and not os.path.exists(stop):
		    time.sleep(0.1)
		for s in held:
		    s.close()
	EOF
}

fd_count() {
	ls "/proc/$1/fd" | wc -l
}

# cpu_ticks PID: utime + stime of PID, in clock ticks.
cpu_ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# cpu_percent PID: the share of one CPU PID used over the next second.
cpu_percent() {
	local t0 t1
	t0=$(cpu_ticks "$1")
	sleep 1
	t1=$(cpu_ticks "$1")
	echo $(((t1 - t0) * 100 / $(getconf CLK_TCK)))
}

# wait_fds PID MAX: wait up to 5 s for PID to have at most MAX open fds; print the count.
wait_fds() {
	local i n
	for ((i = 0; i < 50; i++)); do
		n=$(fd_count "$1")
		[ "$n" -le "$2" ] && break
		sleep 0.1
	done
	echo "$n"
}

log_size() {
	stat -c %s "$CTRD_DIR/containerd.log"
}

# check_log GROWN: containerd's log (the shim logs into it) grew by 16 KiB at most.
check_log() {
	[ "$1" -le 16384 ] || fail "the log grew by $1 bytes: $(tail -c 1000 "$CTRD_DIR/containerd.log")"
}

# check_quiet: the shim is idle (<= 10 % of a CPU), back to its baseline fd count, and
# the log grew little since start_limited.
check_quiet() {
	local cpu fds grown
	cpu=$(cpu_percent "$SHIM_PID")
	fds=$(wait_fds "$SHIM_PID" $((BASE_FDS + 2)))
	grown=$(($(log_size) - LOG0))
	echo "# shim $SHIM_PID: CPU $cpu % over 1 s, $fds fds (baseline $BASE_FDS), log +$grown bytes" >&3
	[ "$cpu" -le 10 ] || fail "the shim is busy: $cpu % of a CPU"
	[ "$fds" -le $((BASE_FDS + 2)) ] || fail "the shim holds $fds fds: $(ls -l "/proc/$SHIM_PID/fd")"
	check_log "$grown"
}

# start_limited: run $ID, lower its shim's soft fd limit; sets SHIM_PID, SOCK, BASE_FDS, LOG0.
start_limited() {
	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	SHIM_PID=$(shim_pid "$ID")
	SOCK=$(shim_address "$ID")
	# Only the soft limit: the runtime the shim starts for an exec inherits it and must
	# still be able to set the spec's RLIMIT_NOFILE, which raising a lowered hard limit
	# would not allow without CAP_SYS_RESOURCE in the initial user namespace.
	prlimit --pid "$SHIM_PID" --nofile=$NOFILE:
	BASE_FDS=$(fd_count "$SHIM_PID")
	LOG0=$(log_size)
	echo "# shim $SHIM_PID: $BASE_FDS fds at start, limit $NOFILE" >&3
}

# check_recovered: check_quiet, and exec, State, kill and delete work.
check_recovered() {
	check_quiet
	run -0 ctr_t tasks exec --exec-id after "$ID" echo exec-works
	assert_output exec-works
	run -0 ctr_t tasks ls
	assert_output --regexp "$ID +[0-9]+ +RUNNING"
	run -0 ctr_t tasks kill -s SIGKILL "$ID"
	wait_status "$ID" STOPPED
	run -0 ctr_t tasks delete "$ID"
	check_log $(($(log_size) - LOG0))
}

@test "shim emfile: hundreds of connections at nofile $NOFILE, then closed: no wedge, spin or log flood" {
	start_limited
	run -0 flood "$SOCK" 400 2
	echo "# $output" >&3
	sleep 0.5
	check_recovered
}

@test "shim emfile: a tty exec while the shim is out of fds fails with the reason; afterwards tty execs work" {
	start_limited
	flood "$SOCK" 200 600 >"$BATS_TEST_TMPDIR/flood" &
	FLOOD_PID=$!
	# Until the shim has used up its fds.
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(fd_count "$SHIM_PID")" -ge $((NOFILE - 1)) ] && break
		sleep 0.1
	done
	[ "$(fd_count "$SHIM_PID")" -ge $((NOFILE - 1)) ] || fail "the shim did not reach its fd limit"
	# Whether it gets through or is refused, it must end, and the container stays healthy.
	run in_pty -t 30 "$CTR --address $CTR_ADDRESS -n $CTR_NAMESPACE tasks exec -t --exec-id under $ID sh -c 'exit 3'"
	echo "# tty exec at the limit: status $status: ${output:0:300}" >&3
	[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || fail "tty exec at the fd limit hung"
	# Refused, it says why.
	[ "$status" -eq 3 ] || assert_output --regexp "[Tt]oo many open files"
	touch "$BATS_TEST_TMPDIR/stop"
	wait "$FLOOD_PID" || true
	FLOOD_PID=
	sleep 0.5
	check_quiet
	for i in 1 2 3; do
		run in_pty -t 30 "$CTR --address $CTR_ADDRESS -n $CTR_NAMESPACE tasks exec -t --exec-id tty$i $ID sh -c 'tty; exit 6'"
		assert_equal "$status" 6
		assert_output --partial /dev/pts/
	done
	check_recovered
}
