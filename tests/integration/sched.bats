#!/usr/bin/env bats
# process.scheduler, process.ioPriority, process.execCPUAffinity, linux.personality.
# runc 1.1 supports only personality of these, so the others assert the kernel-visible
# effect in the container directly.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle
}

teardown() {
	teardown_bundle
}

# Fields of /proc/self/stat: 19 nice, 40 rt_priority, 41 policy (comm is "cat": no spaces).
STAT_PROBE='cut -d" " -f19,40,41 /proc/self/stat'

@test "sched: SCHED_BATCH with nice" {
	update_config '.process.scheduler = {policy: "SCHED_BATCH", nice: 5}
		| .process.args = ["sh", "-c", $p]' --arg p "$STAT_PROBE"
	run -0 cleat run "$(container_id)"
	assert_output "5 0 3"
}

# Real-time policies need a real-time budget in the container's cgroup (cgroup v1 with
# RT_GROUP_SCHED gives a new cgroup none: sched_setattr fails with EPERM for every runtime).
RT_BUDGET='.linux.resources.cpu = {realtimeRuntime: 10000, realtimePeriod: 1000000}'

@test "sched: SCHED_FIFO with a priority" {
	update_config "$RT_BUDGET"
	update_config '.process.scheduler = {policy: "SCHED_FIFO", priority: 10}
		| .process.args = ["sh", "-c", $p]' --arg p "$STAT_PROBE"
	run -0 cleat run "$(container_id)"
	# A real-time policy leaves the nice value alone (the kernel sets it for the fair
	# policies only): the process keeps the one it inherited, the runner's (runc alike).
	assert_output "$(nice) 10 1"
}

@test "sched: SCHED_RR, and RESET_ON_FORK reaches the kernel" {
	update_config "$RT_BUDGET"
	update_config '.process.scheduler = {policy: "SCHED_RR", priority: 3, flags: ["SCHED_FLAG_RESET_ON_FORK"]}
		| .process.args = ["sh", "-c", "cut -d\" \" -f40,41 /proc/$$/stat; sleep 10 & cut -d\" \" -f40,41 /proc/$!/stat; kill $!"]'
	run -0 cleat run "$(container_id)"
	# The shell is SCHED_RR 3; its child (sleep) was reset to SCHED_OTHER by the flag.
	assert_line --index 0 "3 2"
	assert_line --index 1 "0 0"
}

@test "sched: an unknown policy is rejected naming it" {
	update_config '.process.scheduler = {policy: "SCHED_BOGUS"} | .process.args = ["true"]'
	run --separate-stderr cleat run "$(container_id)"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "process.scheduler.policy"
	assert_contains "$stderr" '"SCHED_BOGUS"'
}

@test "sched: an invalid combination is the kernel's error, not a silent success" {
	update_config '.process.scheduler = {policy: "SCHED_FIFO", priority: 200} | .process.args = ["true"]'
	run --separate-stderr cleat run "$(container_id)"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "sched_setattr"
}

@test "sched: ioPriority classes" {
	update_config '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0}
		| .process.args = ["ionice", "-p", "1"]'
	run -0 cleat run "$(container_id)"
	assert_output --partial idle
	update_config '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 6}'
	run -0 cleat run "$(container_id)"
	assert_output --partial "best-effort: prio 6"
	update_config '.process.ioPriority = {class: "IOPRIO_CLASS_RT", priority: 1}'
	run -0 cleat run "$(container_id)"
	assert_output --partial "realtime: prio 1"
}

@test "sched: ioPriority out of range is rejected" {
	update_config '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 9} | .process.args = ["true"]'
	run --separate-stderr cleat run "$(container_id)"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "process.ioPriority.priority"
}

@test "sched: execCPUAffinity of an exec'd process" {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs, this machine has $(nproc)"
	local id
	id=$(container_id)
	update_config '.process.args = ["sleep", "1000"]'
	run -0 detached cleat run -d "$id"
	jq '.process | .args = ["sh", "-c", "grep Cpus_allowed_list /proc/self/status"]
		| .execCPUAffinity = {initial: "0", final: "1"}' "$BUNDLE/config.json" >"$BUNDLE/p1.json"
	run -0 cleat exec --process "$BUNDLE/p1.json" "$id"
	# final is applied after the move into the cgroup, and the process keeps it.
	assert_output --regexp 'Cpus_allowed_list:[[:space:]]+1$'
	jq '.process | .args = ["sh", "-c", "grep Cpus_allowed_list /proc/self/status"]
		| .execCPUAffinity = {initial: "1"}' "$BUNDLE/config.json" >"$BUNDLE/p2.json"
	run -0 cleat exec --process "$BUNDLE/p2.json" "$id"
	assert_output --regexp 'Cpus_allowed_list:[[:space:]]+(1|0-1)$'
}

@test "sched: the container does not inherit the runtime's CPU affinity (runc 1.4)" {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs, this machine has $(nproc)"
	command -v taskset >/dev/null || skip "no taskset"
	local id
	id=$(container_id)
	# The container's cpuset allows CPUs 0 and 1; the runtime itself is pinned to 0.
	update_config '.linux.resources.cpu.cpus = "0-1"
		| .process.args = ["sh", "-c", "grep Cpus_allowed_list /proc/self/status"]'
	run -0 taskset -c 0 "$CLEAT" --root "$ROOT" run "$id"
	assert_output --regexp 'Cpus_allowed_list:[[:space:]]+0-1$'
	update_config '.process.args = ["sleep", "1000"]'
	run -0 detached cleat run -d "$id"
	run -0 taskset -c 0 "$CLEAT" --root "$ROOT" exec "$id" grep Cpus_allowed_list /proc/self/status
	assert_output --regexp 'Cpus_allowed_list:[[:space:]]+0-1$'
}

@test "personality: LINUX32 makes uname -m report i686" {
	# runc 1.1 ignores linux.personality (it prints x86_64 here); crun and the spec apply it.
	update_config '.linux.personality = {domain: "LINUX32"} | .process.args = ["uname", "-m"]'
	run -0 cleat run "$(container_id)"
	assert_output i686
}

@test "personality: LINUX keeps x86_64" {
	update_config '.linux.personality = {domain: "LINUX"} | .process.args = ["uname", "-m"]'
	run -0 cleat run "$(container_id)"
	assert_output x86_64
}

@test "personality: ADDR_NO_RANDOMIZE flag reaches the kernel" {
	update_config '.linux.personality = {domain: "LINUX", flags: ["ADDR_NO_RANDOMIZE"]}
		| .process.args = ["cat", "/proc/self/personality"]'
	run -0 cleat run "$(container_id)"
	assert_output 00040000
}

@test "personality: an unknown domain is rejected" {
	update_config '.linux.personality = {domain: "WINDOWS"} | .process.args = ["true"]'
	run --separate-stderr cleat run "$(container_id)"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "linux.personality.domain"
	assert_contains "$stderr" '"WINDOWS"'
}
