#!/usr/bin/env bats
# Under Debian's containerd 1.6 only in tests/run-all.sh: it measures the shims' own memory
# footprint, which the containerd generation does not change (it passes under 2.x too:
# CLEAT_CONTAINERD_GEN=2).
# 50 containers at once under containerd-shim-cleat-v2, each with its own shim: every one
# runs, and the total and per-shim RSS and PSS (from /proc/PID/smaps_rollup) are reported
# as TAP comments. (Targets, checked in bench/: per-shim PSS <= 512 KiB, RSS <= 2 MiB.)

load helpers
load shim-helpers

N=${SHIM_SCALE_N:-50}

setup_file() {
	shim_setup_file
}

teardown_file() {
	shim_teardown_file
}

shim_pids() {
	local p
	for p in /proc/[0-9]*; do
		{ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q -- "^containerd-shim-cleat-v2 .*-address $CTR_ADDRESS" &&
			echo "${p#/proc/}"
	done
	true
}

@test "shim scale: $N containers at once, one shim each; RSS and PSS per shim" {
	local i pids=() prefix
	prefix=$(container_id scale)
	for ((i = 0; i < N; i++)); do
		ctr_ run -d --runtime "$RT" "$TEST_IMAGE_REF" "$prefix-$i" sleep 1000 \
			</dev/null >"$BATS_TEST_TMPDIR/run-$i" 2>&1 3>&- &
		pids+=($!)
	done
	local failed=0
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { failed=$((failed + 1)); echo "# $prefix-$i: $(cat "$BATS_TEST_TMPDIR/run-$i")" >&3; }
	done
	assert_equal "$failed" 0
	run -0 ctr_ tasks ls
	assert_equal "$(grep -c " RUNNING" <<<"$output")" "$N"

	local shims rss=0 pss=0 max_rss=0 max_pss=0 r p n=0
	shims=$(shim_pids)
	for i in $shims; do
		r=$(awk '$1 == "Rss:" { print $2 }' "/proc/$i/smaps_rollup")
		p=$(awk '$1 == "Pss:" { print $2 }' "/proc/$i/smaps_rollup")
		rss=$((rss + r))
		pss=$((pss + p))
		[ "$r" -gt "$max_rss" ] && max_rss=$r
		[ "$p" -gt "$max_pss" ] && max_pss=$p
		n=$((n + 1))
		# Single-threaded, as designed.
		assert_equal "$(awk '$1 == "Threads:" { print $2 }' "/proc/$i/status")" 1
	done
	assert_equal "$n" "$N"
	echo "# $n shims: total RSS $rss KiB, total PSS $pss KiB" >&3
	echo "# per shim: mean RSS $((rss / n)) KiB (max $max_rss), mean PSS $((pss / n)) KiB (max $max_pss)" >&3

	# Wait for our own jobs only: a bare `wait` would also wait for bats's
	# BATS_TEST_TIMEOUT watchdog, a child of this shell.
	local jobs=()
	for ((i = 0; i < N; i++)); do
		ctr_ tasks kill -s SIGKILL "$prefix-$i" >/dev/null 2>&1 &
		jobs+=($!)
	done
	wait "${jobs[@]}"
	jobs=()
	for ((i = 0; i < N; i++)); do
		(
			for _ in $(seq 50); do
				ctr_ tasks delete "$prefix-$i" >/dev/null 2>&1 && break
				sleep 0.1
			done
			ctr_ containers delete "$prefix-$i" >/dev/null 2>&1
		) 3>&- &
		jobs+=($!)
	done
	wait "${jobs[@]}"
	run -0 ctr_ tasks ls -q
	assert_output ""
	# Every shim exited after its last Shutdown.
	sleep 1
	run -0 shim_pids
	assert_output ""
}
