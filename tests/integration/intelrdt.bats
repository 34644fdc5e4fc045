#!/usr/bin/env bats
# linux.intelRdt through resctrl.  Where no resctrl is mounted (no Intel RDT, or a VM) a
# config asking for it fails before anything is made, naming the field; the resctrl
# writer itself is unit-tested against a directory tree (tests/unit/test-resctrl.c).

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

@test "intelRdt: without a mounted resctrl the config is refused early, naming linux.intelRdt" {
	[ "$(stat -f -c %T /sys/fs/resctrl 2>/dev/null)" != resctrl ] || skip "resctrl is mounted here"
	grep -q ' resctrl ' /proc/self/mountinfo && skip "resctrl is mounted here"
	local id
	id=$(container_id)
	update_config '.linux.intelRdt = {closID: "gold", schemata: ["L3:0=f"]} | .process.args = ["true"]'
	run --separate-stderr cleat run "$id"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "linux.intelRdt: Intel RDT is not available: "
	run cleat state "$id"
	assert [ "$status" -ne 0 ]
	assert [ ! -e "$ROOT/$id" ]
}

# the container's pids.max (the pids v1 hierarchy, else the unified one)
pids_max() {
	local path
	path=$(awk -F: '$2 == "pids" { print $3 }' "/proc/$1/cgroup")
	if [ -n "$path" ]; then
		cat "/sys/fs/cgroup/pids$path/pids.max"
	else
		cat "/sys/fs/cgroup$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup")/pids.max"
	fi
}

@test "update --l3-cache-schema / --mem-bw-schema: refused with runc's words, nothing changed" {
	grep -q ' - resctrl ' /proc/self/mountinfo && skip "resctrl is mounted here"
	local id pid before
	id=$(container_id)
	update_config '.process.args = ["sleep", "1000"]'
	run -0 detached cleat run -d "$id"
	pid=$(cleat state "$id" | jq -r .pid)
	before=$(pids_max "$pid")
	run --separate-stderr cleat update --pids-limit 77 --l3-cache-schema "L3:0=f" "$id"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "Intel RDT/CAT: l3 cache schema is not enabled"
	run --separate-stderr cleat update --mem-bw-schema "MB:0=50" -r - "$id" <<<'{"pids": {"limit": 77}}'
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "Intel RDT/MBA: memory bandwidth schema is not enabled"
	# refused before anything was applied or recorded
	assert [ "$(pids_max "$pid")" = "$before" ]
	run -0 jq -c '.linux.resources.pids // null' "$ROOT/$id/config.json"
	assert [ "$output" = null ]
	# an empty schema asks for nothing (as runc's flag default)
	run -0 cleat update --l3-cache-schema "" --pids-limit 77 "$id"
	assert [ "$(pids_max "$pid")" = 77 ]
}
