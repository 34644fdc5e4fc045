#!/usr/bin/env bats
# linux.memoryPolicy (runtime-spec 1.3): set_mempolicy(2) before the container's process
# execs, seen in the policy field of /proc/self/numa_maps of a process in the container
# ("bind:0", "interleave:0", "prefer (relative):0", "default").  runc 1.1 ignores the
# field and Debian's crun 1.8 does not know it, so the effect is asserted directly.  A
# bind to node 1 of a two-node machine is in tests/integration/numa-vm/run.sh.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_binary "$CLEAT"
	[ -r /proc/self/numa_maps ] || skip "the kernel has no NUMA support (/proc/self/numa_maps)"
	[ -d /sys/devices/system/node/node0 ] || skip "no NUMA node 0"
	setup_bundle
}

teardown() {
	teardown_bundle
}

# The policy field of the probe's first mapping.
POLICY_PROBE='head -n 1 /proc/self/numa_maps | cut -d " " -f 2'

@test "memoryPolicy: MPOL_BIND to node 0" {
	update_config '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0"}
		| .process.args = ["sh", "-c", $p]' --arg p "$POLICY_PROBE"
	run -0 cleat run "$(container_id)"
	assert_output "bind:0"
}

@test "memoryPolicy: MPOL_INTERLEAVE with MPOL_F_STATIC_NODES" {
	update_config '.linux.memoryPolicy = {mode: "MPOL_INTERLEAVE", nodes: "0", flags: ["MPOL_F_STATIC_NODES"]}
		| .process.args = ["sh", "-c", $p]' --arg p "$POLICY_PROBE"
	run -0 cleat run "$(container_id)"
	assert_output "interleave=static:0"
}

@test "memoryPolicy: MPOL_DEFAULT without nodes" {
	update_config '.linux.memoryPolicy = {mode: "MPOL_DEFAULT"}
		| .process.args = ["sh", "-c", $p]' --arg p "$POLICY_PROBE"
	run -0 cleat run "$(container_id)"
	assert_output "default"
}

@test "memoryPolicy: MPOL_LOCAL" {
	update_config '.linux.memoryPolicy = {mode: "MPOL_LOCAL"}
		| .process.args = ["sh", "-c", $p]' --arg p "$POLICY_PROBE"
	run -0 cleat run "$(container_id)"
	assert_output "local"
}

@test "memoryPolicy: exec'd processes get the policy too (MPOL_PREFERRED, relative)" {
	local id
	id=$(container_id)
	update_config '.linux.memoryPolicy = {mode: "MPOL_PREFERRED", nodes: "0", flags: ["MPOL_F_RELATIVE_NODES"]}
		| .process.args = ["sleep", "1000"]'
	run -0 detached cleat run -d "$id"
	run -0 cleat exec "$id" sh -c "$POLICY_PROBE"
	assert_output "prefer=relative:0"
}

@test "memoryPolicy: invalid mode, flag and nodes are refused with their JSON path" {
	local id
	id=$(container_id)
	update_config '.linux.memoryPolicy = {mode: "INTERLEAVE", nodes: "0"} | .process.args = ["true"]'
	run --separate-stderr cleat run "$id"
	assert [ "$status" -ne 0 ]
	assert_glob "$stderr" "*.linux.memoryPolicy.mode: expected one of MPOL_BIND*got \"INTERLEAVE\"*"
	update_config '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0", flags: ["badflag"]}'
	run --separate-stderr cleat run "$id"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" '.linux.memoryPolicy.flags[0]: expected one of MPOL_F_NUMA_BALANCING'
	update_config '.linux.memoryPolicy = {mode: "MPOL_BIND"}'
	run --separate-stderr cleat run "$id"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" '.linux.memoryPolicy.nodes: mode MPOL_BIND needs at least one node'
	update_config '.linux.memoryPolicy = {mode: "MPOL_DEFAULT", nodes: "0-7"}'
	run --separate-stderr cleat run "$id"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" '.linux.memoryPolicy.nodes: mode MPOL_DEFAULT takes no nodes (8 given)'
	update_config '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0-x"}'
	run --separate-stderr cleat run "$id"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" '.linux.memoryPolicy.nodes: expected a node list'
	update_config '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "1024"}'
	run --separate-stderr cleat run "$id"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" '.linux.memoryPolicy.nodes: node 1024 is above the maximum 1023'
	# refused before anything was made
	run cleat state "$id"
	assert [ "$status" -ne 0 ]
}

@test "memoryPolicy: a node the machine lacks is the kernel's error, and nothing is left" {
	local id n
	id=$(container_id)
	n=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
	[ "$n" -lt 1000 ] || skip "this machine has $n nodes"
	update_config '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "1000"} | .process.args = ["true"]'
	run --separate-stderr cleat run "$id"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" 'linux.memoryPolicy: set_mempolicy(MPOL_BIND, 1000)'
	run cleat state "$id"
	assert [ "$status" -ne 0 ]
}
