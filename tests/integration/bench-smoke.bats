#!/usr/bin/env bats
# bench/runtime-bench.sh, run once as small as it goes (one run a figure and pass, the scale
# curve at one level with one timed start): every figure's table is printed, the targets are
# printed beside them, and the bench leaves no container, cgroup, holder or work directory
# behind. Timings are not checked (they are reported, never asserted).

load helpers

setup() {
	require_root
	skip_unless_cmd crun
	skip_unless_cmd dockerd
	skip_unless_cmd containerd
	skip_unless_cmd jq
	skip_unless_cmd cc
	[ -x "$CLEAT" ] || skip "cleat not built ($CLEAT)"
}

# leftovers: what a bench run may leave: its work and capture directories, cgroups under
# /cleat-bench-PID, and CRI network namespaces.
leftovers() {
	ls -d /tmp/cleat-bench-runtime.* /tmp/cleat-capture-cri.* /sys/fs/cgroup/*/cleat-bench-* \
		/run/netns/cni-* 2>/dev/null | sort
	return 0
}

@test "bench-smoke: bad arguments print the usage and exit 2" {
	run -2 "$SRCDIR/bench/runtime-bench.sh" 0
	assert_output --partial "usage: runtime-bench.sh [N] [LEVELS] [K]"
	run -2 "$SRCDIR/bench/runtime-bench.sh" 1 1,x
	assert_output --partial 'LEVELS must be positive integers separated by commas, or none, got "1,x"'
	run -2 "$SRCDIR/bench/runtime-bench.sh" 1 none 0
	assert_output --partial 'K must be a positive integer, got "0"'
	run -0 "$SRCDIR/bench/runtime-bench.sh" --help
	assert_output --partial "usage: runtime-bench.sh"
}

@test "bench-smoke: runtime-bench.sh 1 1 1 prints every figure and leaves nothing behind" {
	leftovers >"$BATS_TEST_TMPDIR/before"
	CLEAT=$CLEAT SHIM=$SHIM WARMUP=1 run -0 --separate-stderr "$SRCDIR/bench/runtime-bench.sh" 1 1 1
	sed "s/^/# /" <<<"$output" >&3
	local pass fig
	for pass in interleaved back-to-back; do
		for fig in "runc's default spec" "docker's default confinement" \
			"exec of /bin/true into a running container" "bare-kernel floor"; do
			assert_output --partial "$pass: "
			assert_line --regexp "^$pass: .*$fig"
		done
	done
	# The CRI capture needs crictl, built with Go; without it the figure is left out, saying so.
	if [[ $output == *"CRI config: none"* ]]; then
		echo "# no CRI capture here: $(grep -m1 'CRI' <<<"$stderr")" >&3
	else
		assert_line --regexp "^interleaved: .*a Kubernetes pod container"
		assert_line --regexp "^back-to-back: .*a Kubernetes pod container"
		assert_line --regexp "^no target; cleat cri/default \(median\): [0-9.]+$"
	fi
	assert_line --regexp '^\| cleat \| [0-9.]+ \| [0-9.]+ \| 1\.00 \| 1\.00 \|$'
	assert_line --regexp '^\| floor \| [0-9.]+ \| [0-9.]+ \| 1\.00 \|$'
	assert_line --regexp '^target cleat/crun \(median\) ≤ 0\.5: (met|not met) \([0-9.]+\)$'
	assert_line --regexp '^target cleat/crun \(median\) ≤ 0\.4: (met|not met) \([0-9.]+\)$'
	assert_line --regexp '^target cleat/floor ≤ 1\.5: (met|not met) \([0-9.]+\)$'
	assert_line --regexp '^scale: `run -d` of a sleeper'
	assert_line --regexp '^scale: `ctr run -d` of a sleeper'
	# One row a level in each curve: running, three medians, two ratios, the load average.
	run -0 grep -cE '^\| 1 \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9. ]+ \|$' <<<"$output"
	assert_output 2
	leftovers >"$BATS_TEST_TMPDIR/after"
	run -0 comm -13 "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	assert_output ""
}
