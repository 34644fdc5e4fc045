#!/usr/bin/env bats
# containerd-generations: 1.6 2.x (tests/run-all.sh runs it under Debian's containerd 1.6, then
# again with CLEAT_CONTAINERD_GEN=2 under the pinned containerd 2.x; see helpers.bash)
# containerd-shim-cleat-v2 gives back what an exec touched: once the execs are over (Start,
# Wait, Delete), the shim drops the pages their code path faulted in and returns freed heap
# and dead stack pages, so a shim serving exec probes all day stays where it was before them.
# The reference is the same shim's own Rss before the execs; the per-shim memory targets are
# bench/shim-bench.sh's, not this file's.

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
	ID=$(container_id memtrim)
}

teardown() {
	ctr_cleanup
}

# rss PID: Rss of PID in KiB, from smaps_rollup (reading it sends the shim no request).
rss() {
	awk '$1 == "Rss:" { print $2 }' "/proc/$1/smaps_rollup"
}

# settled_rss PID: Rss of PID once two readings 0.5 s apart agree (the trim runs 300 ms after
# the last request), at most 10 s.
settled_rss() {
	local prev=-1 cur i
	sleep 1
	for ((i = 0; i < 20; i++)); do
		cur=$(rss "$1")
		[ "$cur" = "$prev" ] && break
		prev=$cur
		sleep 0.5
	done
	echo "$cur"
}

@test "shim memtrim: after three exec probes the shim's Rss is back within 128 KiB of its Rss before them" {
	local pid before after i
	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	pid=$(shim_pid "$ID")
	before=$(settled_rss "$pid")
	for i in 1 2 3; do
		run -0 ctr_ task exec --exec-id "probe-$i" "$ID" sh -c 'echo probe'
		assert_output probe
	done
	after=$(settled_rss "$pid")
	echo "shim $pid: Rss $before KiB before the execs, $after KiB after"
	[ "$after" -le $((before + 128)) ] ||
		fail "the shim kept $((after - before)) KiB of what the execs touched ($before -> $after KiB)"
}
