#!/usr/bin/env bats
# cgroup behaviour that runc's own integration suite checks (cgroups.bats, events.bats,
# exec.bats of runc 1.1.5): frozen and non-empty pre-existing cgroups, the end of an
# `events` stream, `exec --cgroup`.  Each case compares with runc where it runs here.

load helpers

setup() {
	require_root
	[ -d /sys/fs/cgroup/freezer ] || skip "no cgroup v1 freezer hierarchy on this host"
	setup_bundle sleep 1000
	ID=$(container_id cgc)
	CG=/cleat-test-$ID
	update_config '.linux.cgroupsPath = $p' --arg p "$CG"
}

teardown() {
	local d id
	# A frozen cgroup left by a failed test would keep its tasks from dying.
	for d in /sys/fs/cgroup/freezer/cleat-test-cgc-*; do
		[ -d "$d" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
	done
	for id in "$ID" "$ID-2" "$ID-3"; do
		cleat delete --force "$id" >/dev/null 2>&1 || true
		runc_ delete --force "$id" >/dev/null 2>&1 || true
	done
	teardown_bundle
	for d in /sys/fs/cgroup/*/cleat-test-cgc-*; do
		[ -d "$d" ] || continue
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	true
}

@test "events --interval ends (rc 0) when the container is deleted, like runc" {
	run -0 detached cleat run -d "$ID"
	"$CLEAT" --root "$ROOT" events --interval 200ms "$ID" >"$BUNDLE/events.out" 2>&1 &
	local ev=$! rc=0
	sleep 1
	# The stream must not hold the container's lock: delete is immediate.
	run -0 timeout 5 "$CLEAT" --root "$ROOT" delete --force "$ID"
	for _ in $(seq 50); do
		kill -0 "$ev" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$ev" 2>/dev/null; then
		kill "$ev"
		fail "events still running 5 s after the delete"
	fi
	wait "$ev" || rc=$?
	[ "$rc" -eq 0 ] || fail "events exited $rc: $(cat "$BUNDLE/events.out")"
	run -0 jq -r .type "$BUNDLE/events.out"
	assert_line stats
}
