#!/usr/bin/env bats
# bench/container-trace.sh, run once as small as it goes (one round, runc's default spec and
# docker's config): a row of four figures a binary, the top syscalls with -t, bad arguments
# refused, and nothing left behind (no ftrace instance of its own, work directory, mount
# or container state).  Timings are not checked (they are reported, never asserted).

load helpers

setup() {
	require_root
	skip_unless_cmd jq
	[ -x "$CLEAT" ] || skip "cleat not built ($CLEAT)"
	[ -d /sys/kernel/tracing/instances ] || skip "no tracefs at /sys/kernel/tracing"
	mkdir /sys/kernel/tracing/instances/cleat-bench-trace-probe 2>/dev/null ||
		skip "cannot make an ftrace instance here"
	rmdir /sys/kernel/tracing/instances/cleat-bench-trace-probe
	[ -d /sys/kernel/tracing/events/syscalls ] || skip "the kernel has no syscalls trace events"
}

leftovers() {
	ls -d /tmp/cleat-trace.* /sys/kernel/tracing/instances/cleat-trace-* 2>/dev/null | sort
	awk '$5 ~ "^/tmp/cleat-trace\\." { print $5 }' /proc/self/mountinfo
	return 0
}

@test "bench-trace: bad arguments print the usage and exit 2" {
	run -2 "$SRCDIR/bench/container-trace.sh"
	assert_output --partial "usage: container-trace.sh"
	run -2 "$SRCDIR/bench/container-trace.sh" -c nope "$CLEAT"
	assert_output --partial "usage: container-trace.sh"
	run -2 "$SRCDIR/bench/container-trace.sh" -n 0 "$CLEAT"
	assert_output --partial 'ROUNDS must be a positive integer, got "0"'
	run -0 "$SRCDIR/bench/container-trace.sh" -h
	assert_output --partial "usage: container-trace.sh"
}

@test "bench-trace: one round of each config prints a row a binary and leaves nothing behind" {
	leftovers >"$BATS_TEST_TMPDIR/before"
	run -0 "$SRCDIR/bench/container-trace.sh" -n 1 -t 3 "$CLEAT" "$CLEAT"
	sed "s/^/# /" <<<"$output" >&3
	assert_line --regexp '^binary +wall +on-CPU +mounts +syscalls +\(medians of 1 rounds, default config, microseconds\)$'
	run -0 grep -cE "^$CLEAT +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$" <<<"$output"
	assert_output 2
	run -0 "$SRCDIR/bench/container-trace.sh" -n 1 -t 3 "$CLEAT"
	run -0 grep -cE '^    [a-z0-9_]+ +[0-9]+ calls +[0-9]+ us$' <<<"$output"
	assert_output 3
	if [ -s "$CLEAT_TEST_CACHE/bench/docker-config-$(dockerd --version 2>/dev/null | awk '{ print $3 }' | tr -d ,).json" ]; then
		run -0 "$SRCDIR/bench/container-trace.sh" -c docker -n 1 "$CLEAT"
		assert_line --regexp 'docker config'
		run -0 grep -cE "^$CLEAT +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$" <<<"$output"
		assert_output 1
	else
		run -1 "$SRCDIR/bench/container-trace.sh" -c docker -n 1 "$CLEAT"
		assert_output --partial "no docker capture"
	fi
	leftovers >"$BATS_TEST_TMPDIR/after"
	run -0 comm -13 "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	assert_output ""
}
