#!/usr/bin/env bats
# `run` reaps its setup helper after the start unless a pids limit is set: the limit still
# holds from the container's first instruction, and nothing of the helper is left behind.

load helpers

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle true
	ID=$(container_id rs)
}

teardown() {
	teardown_bundle
}

@test "run-start: with pids.limit 2 the container process can fork one child at once (the helper does not count)" {
	[ -d /sys/fs/cgroup/pids ] || skip "no cgroup v1 pids hierarchy here"
	update_config '.linux.resources.pids = {"limit": 2} | .process.args = ["sh", "-c", "true & wait $! && echo forked"]'
	local i
	for i in 1 2 3 4 5; do
		run -0 cleat run "$ID-$i"
		assert_output "forked"
	done
}

@test "run-start: with pids.limit 1 a fork fails from the start, as the limit says" {
	[ -d /sys/fs/cgroup/pids ] || skip "no cgroup v1 pids hierarchy here"
	update_config '.linux.resources.pids = {"limit": 1} | .process.args = ["sh", "-c", "true & wait $! && echo forked"]'
	run cleat run "$ID"
	refute_output --partial "forked"
}

@test "run-start: without a pids limit, run leaves no process of its own behind: the helper is reaped" {
	update_config '.process.args = ["sleep", "0.2"]'
	"$CLEAT" --root "$ROOT" run "$ID" </dev/null >/dev/null 2>&1 3>&- &
	local rpid=$! kids i
	# While the container runs, the runtime's only child is the container process.
	for i in $(seq 50); do
		[ "$(cleat list -q 2>/dev/null)" = "$ID" ] && break
		sleep 0.02
	done
	sleep 0.05
	kids=$(ps -o pid=,stat=,comm= --ppid "$rpid" || true)
	run -0 echo "$kids"
	assert [ "$(echo "$kids" | grep -c .)" -le 1 ]
	refute_output --regexp ' Z'
	wait "$rpid"
	assert [ ! -e "$ROOT/$ID" ]
}
