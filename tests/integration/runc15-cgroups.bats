#!/usr/bin/env bats
# cgroup behaviour of runc 1.2-1.5 that runc 1.5.3's own suite (cgroups.bats, update.bats,
# scheduler.bats, exec.bats) checks: a pids limit of 0 or 1 that the runtime's own helper
# does not use up, `update --cpu-burst` / `--cpu-idle`, cpu.shares and cpu.idle written in
# an order the kernel accepts, runc's words for a scheduler against a cpuset and for a
# bad `exec --cgroup` path.  Cases compare with runc 1.5 (peers build) where it is built.

load helpers
load peers/peers

setup_file() {
	peers_setup_file
}

setup() {
	require_root
	[ -d /sys/fs/cgroup/cpu ] || skip "no cgroup v1 cpu hierarchy on this host"
	setup_bundle sleep 1000
	ID=$(container_id r15)
	CG=/cleat-test-$ID
	update_config '.linux.cgroupsPath = $p' --arg p "$CG"
}

teardown() {
	teardown_bundle
	local d
	for d in /sys/fs/cgroup/*; do
		[ -d "$d$CG" ] && rmdir "$d$CG" 2>/dev/null
		[ -d "$d$CG-sibling" ] && rmdir "$d$CG-sibling" 2>/dev/null
	done
	return 0
}

# no_leftovers: neither a state directory nor a cgroup directory of $ID remains.
no_leftovers() {
	[ ! -e "$ROOT/$ID" ] || fail "state directory $ROOT/$ID is left"
	local d
	for d in /sys/fs/cgroup/*; do
		[ ! -e "$d$CG" ] || fail "$d$CG is left"
	done
}

@test "pids.limit 0 and 1: the container starts, pids.max is 1 before start" {
	[ -d /sys/fs/cgroup/pids ] ||
		skip "no pids controller"
	local limit
	for limit in 0 1; do
		update_config '.linux.resources.pids.limit = ($l | tonumber)' --arg l "$limit"
		run -0 detached cleat create "$ID"
		# Created, not started: the limit is already in force.
		run -0 cat "/sys/fs/cgroup/pids$CG/pids.max"
		assert_output 1
		run -0 cleat start "$ID"
		wait_for_container "$ID" running
		run -0 cat "/sys/fs/cgroup/pids$CG/pids.current"
		assert_output 1
		# The limit holds: nothing in there may fork.  (An exec'd process moves in by
		# writing, which v1 does not check against the limit, as with runc 1.5.)
		run cleat exec "$ID" sh -c 'true & wait $! && echo forked'
		refute_output --partial forked
		assert_output --partial "can't fork"
		run -0 cleat delete --force "$ID"
		no_leftovers
	done
}

@test "pids.limit 0: runc 1.5 starts it too" {
	peers_require
	update_config '.linux.resources.pids.limit = 0'
	run -0 detached "$PEERS_BIN/runc" --root "$RUNC_ROOT" run -d "$ID"
	run -0 cat "/sys/fs/cgroup/pids$CG/pids.max"
	assert_output 1
	run -0 "$PEERS_BIN/runc" --root "$RUNC_ROOT" delete --force "$ID"
}

@test "update --cpu-burst: cpu.cfs_burst_us set, kept by other updates, lowered with the quota" {
	[ -f /sys/fs/cgroup/cpu/cpu.cfs_burst_us ] || skip "kernel without CFS burst"
	update_config '.linux.resources.cpu = {"shares": 100, "quota": 500000, "period": 1000000}'
	run -0 detached cleat run -d "$ID"
	run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.cfs_burst_us"
	assert_output 0
	run -0 cleat update "$ID" --cpu-period 900000 --cpu-burst 500000
	run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.cfs_burst_us"
	assert_output 500000
	run -0 cleat update "$ID" --memory 100M
	run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.cfs_burst_us"
	assert_output 500000
	# A quota below the current burst: the burst goes first.
	run -0 cleat update "$ID" --cpu-quota 100000 --cpu-burst 50000
	run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.cfs_burst_us"
	assert_output 50000
	run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.cfs_quota_us"
	assert_output 100000
	# A burst above the current quota: written after the new quota.
	run -0 cleat update "$ID" --cpu-quota 800000 --cpu-burst 700000
	run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.cfs_burst_us"
	assert_output 700000
	run -0 cleat update "$ID" --cpu-burst 0
	run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.cfs_burst_us"
	assert_output 0
	run ! cleat update "$ID" --cpu-burst -1
	assert_output --partial "invalid value"
}

@test "cpu.idle with cpu.shares: update -r and --cpu-idle, the order the kernel accepts" {
	[ -f /sys/fs/cgroup/cpu/cpu.idle ] || skip "kernel without cpu.idle"
	update_config '.linux.resources.cpu = {"shares": 100, "quota": 500000, "period": 1000000}'
	run -0 detached cleat run -d "$ID"
	local val
	for val in 1 0 1; do
		run -0 cleat update -r - "$ID" <<<"{\"cpu\": {\"idle\": $val}}"
		run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.idle"
		assert_output "$val"
	done
	for val in 0 1; do
		run -0 cleat update --cpu-idle "$val" "$ID"
		run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.idle"
		assert_output "$val"
	done
	for val in -1 2; do
		run ! cleat update --cpu-idle "$val" "$ID"
		run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.idle"
		assert_output 1
	done
	# Other updates leave idle alone (no cpu.shares written into the idle group).
	run -0 cleat update --cpu-period 10000 "$ID"
	run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.idle"
	assert_output 1
	# Leaving idle with new shares: idle goes first.
	run -0 cleat update -r - "$ID" <<<'{"cpu": {"idle": 0, "shares": 200}}'
	run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.idle"
	assert_output 0
	run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.shares"
	assert_output 200
}

@test "config with cpu.idle 0 and shares on a group that is idle: created" {
	[ -f /sys/fs/cgroup/cpu/cpu.idle ] || skip "kernel without cpu.idle"
	# A pre-existing idle cgroup (runc reuses an existing directory).
	mkdir -p "/sys/fs/cgroup/cpu$CG"
	echo 1 >"/sys/fs/cgroup/cpu$CG/cpu.idle"
	update_config '.linux.resources.cpu = {"shares": 300, "idle": 0}'
	run -0 detached cleat run -d "$ID"
	run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.idle"
	assert_output 0
	run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.shares"
	assert_output 300
}

@test "scheduler with a cpuset: runc's error, nothing left behind" {
	[ "$(nproc --all)" -gt 1 ] || skip "needs more than one CPU"
	update_config '.linux.resources.cpu.cpus = "0"
		| .process.scheduler = {"policy": "SCHED_DEADLINE", "nice": 19, "runtime": 42000,
			"deadline": 1000000, "period": 1000000}'
	run ! detached cleat run -d "$ID"
	assert_output --partial "process scheduler can't be used together with AllowedCPUs"
	no_leftovers
}

@test "exec --cgroup outside the container's cgroup: runc's 'bad sub cgroup path'" {
	run -0 detached cleat run -d "$ID"
	local sibling
	sibling="$(basename "$CG")-sibling"
	# Removed by teardown.
	mkdir "/sys/fs/cgroup/cpu/$sibling"
	run ! cleat exec --cgroup .. "$ID" true
	assert_output --partial "bad sub cgroup path"
	run ! cleat exec --cgroup "../$sibling" "$ID" true
	assert_output --partial "bad sub cgroup path"
	run ! cleat exec --cgroup "cpu:../$sibling" "$ID" true
	assert_output --partial "bad sub cgroup path"
}
