#!/usr/bin/env bats
# cleat exec re-executes itself through the overlayfs seal (CVE-2019-5736) and keeps the
# seal's mount fd open across that exec, to close it off the critical path. That mount
# (a detached overlay whose lower layer is the state root), and any other fd of the
# runtime, must never reach the container, not even through --preserve-fds when the
# caller left the preserved numbers closed (the runtime's own fds then take those
# numbers).

load helpers

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle sleep 1000
	ID=$(container_id exseal)
	cleat run -d "$ID" </dev/null >"$BUNDLE/run.log" 2>&1 3>&- || {
		cat "$BUNDLE/run.log"
		return 1
	}
}

teardown() {
	teardown_bundle
}

# exec_closed_fds ARG...: cleat exec ARG... with every fd above 2 closed in the caller.
exec_closed_fds() {
	# shellcheck disable=SC2016
	bash -c 'for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
		exec "$@"' bash "$CLEAT" ${ROOT:+--root "$ROOT"} exec "$@"
}

@test "exec seal: --preserve-fds over numbers the caller left closed passes no mount of the seal" {
	run -0 exec_closed_fds --preserve-fds 8 "$ID" ls -l /proc/self/fd
	# The seal's mount fd (a detached overlay over the state root) reads as "/".
	if grep -E " -> /$|$ROOT" <<<"$output"; then
		fail "a mount fd of the seal reached the container"
	fi
	# ls itself ran with fds past 2 (its own directory fd, at least): the test saw them.
	grep -qE ' 3( -> .*)?$' <<<"$output"
}

@test "exec: --preserve-fds over numbers the caller left closed passes none of the runtime's fds" {
	# Not the namespace files, cgroup files or sync socket the runtime opened there:
	# only stdio and ls's own directory fd.
	run -0 exec_closed_fds --preserve-fds 8 "$ID" ls /proc/self/fd
	assert_equal "$(echo "$output" | sort -n | tr '\n' ' ')" "0 1 2 3 "
}

# The helper that enters the container, caught frozen as it joins the paused container's
# freezer cgroup: it runs from the sealed copy, and the `cleat exec` that started it is
# in no namespace of the container.
@test "exec seal: the helper that joins the container is sealed; the exec parent joins nothing" {
	[ -d /sys/fs/cgroup/freezer ] || skip "no cgroup v1 freezer to catch the helper in"
	local init parent helper=
	init=$(cleat state "$ID" | jq -r .pid)
	cleat pause "$ID"
	"$CLEAT" ${ROOT:+--root "$ROOT"} exec --ignore-paused -d "$ID" true </dev/null >/dev/null 2>&1 &
	parent=$!
	# Frozen (D, in the refrigerator) once it wrote itself into the freezer cgroup.
	for _ in $(seq 100); do
		helper=$(pgrep -P "$parent" | head -n1)
		[ -n "$helper" ] && [ "$(awk '/^State/ {print $2}' "/proc/$helper/status")" = D ] && break
		sleep 0.05
	done
	[ -n "$helper" ] || fail "no helper under cleat exec ($parent)"
	run -0 readlink "/proc/$helper/exe"
	refute_output "$CLEAT"
	assert_output --regexp '^(/memfd:|/cleat)'
	local ns
	for ns in mnt net ipc uts pid; do
		assert_equal "$(readlink "/proc/$parent/ns/$ns")" "$(readlink "/proc/self/ns/$ns")"
	done
	[ "$(readlink "/proc/$parent/exe")" != "$CLEAT" ]
	cleat resume "$ID"
	wait "$parent"
	[ "$(readlink "/proc/$init/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
}
