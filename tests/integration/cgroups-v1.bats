#!/usr/bin/env bats
# Pure cgroup v1: the hybrid unified mount hidden in a private mount namespace (as on hosts
# booted with systemd.unified_cgroup_hierarchy=0 and no unified mount).  crun runs in the
# same view, so it is the reference here (it refuses the hybrid layout).

load helpers

setup() {
	require_root
	[ -d /sys/fs/cgroup/memory ] || skip "no cgroup v1 memory hierarchy on this host"
	setup_bundle sleep 1000
	ID=$(container_id v1)
	CG=/cleat-test-$ID
	update_config '.linux.cgroupsPath = $p' --arg p "$CG"
}

teardown() {
	local id
	for id in "$ID" "$ID-crun"; do
		cleat_v1 delete --force "$id" >/dev/null 2>&1 || true
	done
	teardown_bundle
}

# cleat_v1 ARG...: cleat where /sys/fs/cgroup/unified is not mounted.
cleat_v1() {
	unshare -m --propagation private sh -c \
		'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' cleat_v1 \
		"$CLEAT" --root "$ROOT" "$@"
}

@test "pure v1: resources applied, no unified directory, cleaned up on delete" {
	update_config '.linux.resources.memory = {"limit": 33554432}
		| .linux.resources.cpu = {"shares": 256, "quota": 25000, "period": 100000}
		| .linux.resources.pids = {"limit": 20}'
	run -0 detached cleat_v1 run -d "$ID"
	run -0 cat "/sys/fs/cgroup/memory$CG/memory.limit_in_bytes"
	assert_output 33554432
	run -0 cat "/sys/fs/cgroup/cpu$CG/cpu.shares"
	assert_output 256
	run -0 cat "/sys/fs/cgroup/pids$CG/pids.max"
	assert_output 20
	[ ! -e "/sys/fs/cgroup/unified$CG" ] || fail "a unified cgroup was created in pure v1 mode"
	run -0 cleat_v1 pause "$ID"
	run -0 cat "/sys/fs/cgroup/freezer$CG/freezer.state"
	assert_output FROZEN
	run -0 cleat_v1 resume "$ID"
	run -0 cleat_v1 update --memory 64m "$ID"
	run -0 cat "/sys/fs/cgroup/memory$CG/memory.limit_in_bytes"
	assert_output 67108864
	run -0 cleat_v1 events --stats "$ID"
	run -0 jq -r '.data.memory.usage.limit' <<<"$output"
	assert_output 67108864
	run -0 cleat_v1 delete --force "$ID"
	local d
	for d in /sys/fs/cgroup/*; do
		[ ! -e "$d$CG" ] || fail "$d$CG is left"
	done
}

@test "pure v1: hugetlb without a v1 hugetlb hierarchy is a clear error" {
	mountpoint -q /sys/fs/cgroup/hugetlb && skip "this host has a v1 hugetlb hierarchy"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	run -1 detached cleat_v1 run -d "$ID"
	assert_output --partial '"hugetlb" cgroup controller is not available'
}

@test "pure v1: same values as crun for the same config" {
	skip_unless_cmd "$CRUN"
	update_config '.linux.resources.memory = {"limit": 50331648, "reservation": 16777216}
		| .linux.resources.cpu = {"shares": 333, "quota": 30000, "period": 100000, "cpus": "0"}
		| .linux.resources.pids = {"limit": 33}'
	run -0 detached cleat_v1 run -d "$ID"
	update_config '.linux.cgroupsPath = $p' --arg p "$CG-crun"
	run -0 detached crun_ run -d "$ID-crun"
	local f a b
	for f in memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes cpu/cpu.shares \
		cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpuset/cpuset.cpus pids/pids.max; do
		a=$(cat "/sys/fs/cgroup/${f%%/*}$CG/${f#*/}")
		b=$(cat "/sys/fs/cgroup/${f%%/*}$CG-crun/${f#*/}")
		[ "$a" = "$b" ] || fail "$f: cleat '$a', crun '$b'"
	done
	crun_ delete --force "$ID-crun"
}
