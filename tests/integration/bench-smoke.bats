#!/usr/bin/env bats
# bench/runtime-bench.sh, run once as small as it goes (one run a figure and pass, the scale
# curve at one level with one timed start): every figure's table is printed, the targets are
# printed beside them, and the bench leaves no container, cgroup, holder or work directory
# behind. Timings are not checked (they are reported, never asserted).

load helpers

# crictl (for the CRI capture) is built from its Go module once per machine, which can take
# minutes on a fresh one: done here, outside the tests' time limit. A capture that fails
# here fails again in the test, which then checks that run-cri is left out, saying so.
setup_file() {
	[ "$(id -u)" = 0 ] && [ ! -x "$CLEAT_TEST_CACHE/bench/crictl-v1.37.0" ] || return 0
	"$SRCDIR/bench/capture-cri-config.sh" "$BATS_FILE_TMPDIR/cri.json" >&2 || true
}

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
# /cleat-bench-PID, its containers' cgroups (bench-*, scale-*) and CRI network namespaces.
leftovers() {
	ls -d /tmp/cleat-bench-runtime.* /tmp/cleat-capture-cri.* /sys/fs/cgroup/*/cleat-bench-* \
		/sys/fs/cgroup/memory/bench-* /sys/fs/cgroup/memory/scale-* /run/netns/cni-* 2>/dev/null | sort
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

@test "bench-smoke: SIGTERM in the middle of the passes leaves nothing behind" {
	leftovers >"$BATS_TEST_TMPDIR/before"
	CLEAT=$CLEAT SHIM=$SHIM WARMUP=1 "$SRCDIR/bench/runtime-bench.sh" 100000 none 1 \
		>"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
	local pid=$! rc=0 i
	# The header's last line is printed once the exec sleepers run and the passes begin.
	for ((i = 0; i < 1200; i++)); do
		grep -q '^  figures:' "$BATS_TEST_TMPDIR/out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	run -0 grep '^  figures:' "$BATS_TEST_TMPDIR/out"
	sleep 1
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	assert_equal "$rc" 130
	leftovers >"$BATS_TEST_TMPDIR/after"
	run -0 comm -13 "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	assert_output ""
}
