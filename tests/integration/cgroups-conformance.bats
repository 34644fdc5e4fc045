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
	[ -z "${EVENTS_PID:-}" ] || kill "$EVENTS_PID" 2>/dev/null || true
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
	EVENTS_PID=$!
	local ev=$EVENTS_PID rc=0
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

# frozen_refused cleat|runc: `run -d` and `create` both fail with runc's message, without
# hanging (a timeout is a failure).
frozen_refused() {
	local rt=("$CLEAT" --root "$ROOT")
	[ "$1" = runc ] && rt=("$RUNC" --root "$RUNC_ROOT")
	run -1 timeout 10 "${rt[@]}" run -d "$ID" </dev/null
	assert_output --partial "container's cgroup unexpectedly frozen"
	run -1 timeout 10 "${rt[@]}" create "$ID-2" </dev/null
	assert_output --partial "container's cgroup unexpectedly frozen"
}

@test "run/create refuse a pre-existing frozen v1 cgroup, like runc" {
	local fz=/sys/fs/cgroup/freezer$CG
	mkdir -p "$fz"
	echo FROZEN >"$fz/freezer.state"
	frozen_refused cleat
	run -0 cleat list -q
	assert_output ""
	# The pre-existing cgroup is left as it was; nothing new in other hierarchies.
	run -0 cat "$fz/freezer.state"
	assert_output FROZEN
	[ ! -e "/sys/fs/cgroup/memory$CG" ] || fail "memory$CG was created"
	frozen_refused runc
	echo THAWED >"$fz/freezer.state"
	rmdir "$fz"
}

@test "run refuses a new cgroup under a frozen v1 parent" {
	local fz=/sys/fs/cgroup/freezer$CG
	update_config '.linux.cgroupsPath = $p' --arg p "$CG/child"
	mkdir -p "$fz"
	echo FROZEN >"$fz/freezer.state"
	frozen_refused cleat
	[ ! -e "$fz/child" ] || fail "$fz/child was created"
	echo THAWED >"$fz/freezer.state"
	rmdir "$fz"
}

@test "run refuses a frozen cgroup2 cgroup (cgroup.freeze)" {
	local u
	u=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	[ -n "$u" ] || skip "no cgroup2 mount on this host"
	local own
	own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
	# cgroup2 paths are resolved under the parent of our own cgroup, like runc.
	[ "$own" = / ] || skip "this shell is not in the cgroup2 root"
	mkdir -p "$u$CG"
	echo 1 >"$u$CG/cgroup.freeze"
	frozen_refused cleat
	run -0 cleat list -q
	assert_output ""
	run -0 cat "$u$CG/cgroup.freeze"
	assert_output 1
	echo 0 >"$u$CG/cgroup.freeze"
	rmdir "$u$CG"
}

@test "run/create refuse a non-empty cgroup, like runc 1.5" {
	run -0 detached cleat run -d "$ID"
	refute_output --partial "not empty"
	run -1 detached cleat run -d "$ID-2"
	assert_output --partial "container's cgroup is not empty: 1 process(es) found"
	run -1 detached cleat create "$ID-3"
	assert_output --partial "container's cgroup is not empty: 1 process(es) found"
	# Nothing is left of the refused ones; the first runs on.
	run -0 cleat list -q
	assert_output "$ID"
	assert [ "$(cleat state "$ID" | jq -r .status)" = running ]
}

@test "exec --cgroup joins existing sub-cgroups, with runc's checks" {
	run -0 detached cleat run -d "$ID"
	mkdir -p "/sys/fs/cgroup/memory$CG/submem" "/sys/fs/cgroup/cpu$CG/subcpu" \
		"/sys/fs/cgroup/pids$CG/a/b"
	run -0 cleat exec --cgroup memory:submem --cgroup pids:/a//b/ "$ID" cat /proc/self/cgroup
	assert_line --regexp "^[0-9]+:memory:$CG/submem\$"
	assert_line --regexp "^[0-9]+:pids:$CG/a/b\$"
	assert_line --regexp "^[0-9]+:cpu:$CG\$"
	# A later value for the same controller wins (runc's map).
	run -0 cleat exec --cgroup memory:submem --cgroup memory:/ "$ID" cat /proc/self/cgroup
	assert_line --regexp "^[0-9]+:memory:$CG\$"
	run -0 cleat exec --cgroup / "$ID" cat /proc/self/cgroup
	refute_output --partial "submem"
	run ! cleat exec --cgroup .. "$ID" true
	assert_output --partial "bad sub cgroup path: .."
	run ! cleat exec --cgroup memory:submem/../.. "$ID" true
	assert_output --partial "bad sub cgroup path"
	run ! cleat exec --cgroup nonexistent "$ID" true
	assert_output --regexp " adding pid .*/nonexistent/cgroup.procs: no such file "
	run ! cleat exec --cgroup cpu:nonexistent "$ID" true
	assert_output --regexp " adding pid .*/nonexistent/cgroup.procs: no such file "
	run ! cleat exec --cgroup whaaat:/ "$ID" true
	assert_output --partial "unknown controller "
	run ! cleat exec --cgroup submem --cgroup pids:a "$ID" true
	assert_output --partial "missing <controller>: prefix"
	# Nothing of the failed execs is left in the cgroup.
	run -0 cat "/sys/fs/cgroup/memory$CG/cgroup.procs"
	assert [ "${#lines[@]}" -eq 1 ]
}
