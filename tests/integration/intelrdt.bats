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
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"linux.intelRdt: Intel RDT is not available: "* ]]
	run cleat state "$id"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/$id" ]
}
