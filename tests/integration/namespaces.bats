#!/usr/bin/env bats
# linux.namespaces: new ones, joined by path, invalid combinations; hostname, domainname,
# time namespace offsets, cgroup namespace rooted at the container's cgroup.

load helpers

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle
	ID=$(container_id ns)
}

teardown() {
	# The holder of hold_netns, when a test failed before it killed it.
	[ -z "${HOLDER:-}" ] || kill "$HOLDER" 2>/dev/null || true
	teardown_bundle
}

# ns_inodes: print "type inode" for every namespace as the container sees it.
NS_SCRIPT='for n in pid net ipc uts mnt cgroup time user; do echo "$n $(readlink /proc/self/ns/$n)"; done'

host_ns() {
	readlink "/proc/self/ns/$1"
}

@test "namespaces: default spec gets new pid, net, ipc, uts, mount; shares cgroup, user" {
	update_config '.process.args = ["sh", "-c", $s]' --arg s "$NS_SCRIPT"
	run -0 cleat run "$ID"
	local t
	for t in pid net ipc uts mnt; do
		assert_line --regexp "^$t "
		refute_line "$t $(host_ns "$t")"
	done
	assert_line "user $(host_ns user)"
	assert_line "cgroup $(host_ns cgroup)"
}

@test "namespaces: cgroup and time namespaces are created when asked" {
	update_config '.linux.namespaces += [{"type": "cgroup"}, {"type": "time"}]
		| .process.args = ["sh", "-c", $s]' --arg s "$NS_SCRIPT"
	run -0 cleat run "$ID"
	refute_line "cgroup $(host_ns cgroup)"
	refute_line "time $(host_ns time)"
}

@test "namespaces: the process is pid 1 of its pid namespace" {
	update_config '.process.args = ["sh", "-c", "echo $$; cat /proc/1/cmdline | tr \"\\0\" \" \""]'
	run -0 cleat run "$ID"
	assert_line 1
	assert_line --partial "sh -c"
}

@test "namespaces: hostname and domainname in the new uts namespace" {
	update_config '.hostname = "cleat-host" | .domainname = "cleat.example"
		| .process.args = ["sh", "-c", "hostname; cat /proc/sys/kernel/domainname"]'
	local before
	before=$(hostname)
	run -0 cleat run "$ID"
	assert_output "cleat-host
cleat.example"
	assert_equal "$(hostname)" "$before"
}

@test "namespaces: hostname without a uts namespace is refused (runc's message)" {
	update_config '.hostname = "x" | .linux.namespaces |= map(select(.type != "uts"))'
	run -1 detached cleat create "$ID"
	assert_output --partial "unable to set hostname without a private UTS namespace"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "namespaces: the same type twice, or an unknown type, is refused" {
	update_config '.linux.namespaces += [{"type": "pid"}]'
	run -1 detached cleat create "$ID"
	assert_output --regexp 'duplicate.*"pid"'
	update_config '.linux.namespaces |= (unique_by(.type) + [{"type": "bogus"}])'
	run -1 detached cleat create "$ID"
	assert_output --partial "bogus"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "namespaces: uid mappings without a user namespace are refused" {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]'
	run -1 detached cleat create "$ID"
	assert_output --partial "USER namespace isn't enabled"
}

@test "namespaces: joining by path shares the namespaces of another container" {
	update_config '.process.args = ["sleep", "1000"] | .hostname = "first"'
	cleat run -d "$ID" </dev/null >/dev/null 2>&1 3>&-
	local pid
	pid=$(cleat state "$ID" | jq -r .pid)
	local id2=${ID}-2
	update_config '.hostname = null | .linux.namespaces = [
		{"type": "pid", "path": "/proc/\($p)/ns/pid"},
		{"type": "network", "path": "/proc/\($p)/ns/net"},
		{"type": "ipc", "path": "/proc/\($p)/ns/ipc"},
		{"type": "uts", "path": "/proc/\($p)/ns/uts"},
		{"type": "mount"}]
		| .process.args = ["sh", "-c", $s + "; hostname; echo pid=$$"]' --arg p "$pid" --arg s "$NS_SCRIPT"
	run -0 cleat run "$id2"
	local t
	for t in pid net ipc uts; do
		assert_line "$t $(readlink "/proc/$pid/ns/$t")"
	done
	refute_line "mnt $(readlink "/proc/$pid/ns/mnt")"
	assert_line first
	# Not pid 1: the first container's sleep is.
	refute_line pid=1
	cleat delete -f "$ID"
}

@test "namespaces: a joined user namespace with a joined network namespace it does not own" {
	[ -e /proc/self/ns/user ] || skip "kernel without user namespaces"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.type != "cgroup"))
		| .process.args = ["sleep", "1000"]'
	cleat run -d "$ID" </dev/null >/dev/null 2>&1 3>&-
	local pid id2=${ID}-2
	pid=$(cleat state "$ID" | jq -r .pid)
	# The host's network namespace is owned by the host's user namespace, not the
	# container's: it must be joined while the runtime still has its capabilities.
	update_config '.linux.namespaces |= map(if .type == "user" then .path = "/proc/\($p)/ns/user"
			elif .type == "network" then .path = "/proc/\($h)/ns/net" else . end)
		| del(.linux.uidMappings, .linux.gidMappings)
		| .mounts |= map(if .type == "sysfs" then {destination: .destination, type: "bind", source: "/sys", options: ["rbind"]} else . end)
		| .process.args = ["sh", "-c", "readlink /proc/self/ns/user; readlink /proc/self/ns/net"]' \
		--arg p "$pid" --arg h "$$"
	run cleat run "$id2"
	echo "$output"
	assert [ "$status" -eq 0 ]
	assert_line "$(readlink "/proc/$pid/ns/user")"
	assert_line "$(readlink /proc/$$/ns/net)"
	cleat delete -f "$ID"
}

@test "namespaces: a bad namespace path is named in the error" {
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/nonexistent/ns/net" else . end)'
	run -1 detached cleat create "$ID"
	assert_output --partial '"/proc/nonexistent/ns/net"'
	assert [ ! -e "$ROOT/$ID" ]
}

@test "namespaces: time namespace offsets shift CLOCK_BOOTTIME (uptime)" {
	[ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 8640000, "nanosecs": 0}, "monotonic": {"secs": 86400, "nanosecs": 0}}
		| .process.args = ["cat", "/proc/uptime"]'
	run -0 cleat run "$ID"
	local up=${output%%.*}
	assert [ "$up" -ge 8640000 ]
}

@test "namespaces: time namespace offsets inside a new user namespace" {
	[ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
	[ -e /proc/self/ns/user ] || skip "kernel without user namespaces"
	# The ids change when entering the user namespace, which makes the helper not
	# dumpable: its /proc files are then the host root's and cannot be opened.
	update_config '.linux.namespaces += [{"type": "user"}, {"type": "time"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.type != "cgroup"))
		| .linux.timeOffsets = {"boottime": {"secs": 8640000, "nanosecs": 0}}
		| .process.args = ["cat", "/proc/uptime"]'
	run -0 cleat run "$ID"
	local up=${output%%.*}
	assert [ "$up" -ge 8640000 ]
}

@test "namespaces: time offsets without a time namespace are refused" {
	update_config '.linux.timeOffsets = {"boottime": {"secs": 1, "nanosecs": 0}}'
	run -1 detached cleat create "$ID"
	assert_output --partial "time"
}

@test "namespaces: a new cgroup namespace is rooted at the container's cgroup" {
	update_config '.linux.namespaces += [{"type": "cgroup"}] | .process.args = ["cat", "/proc/self/cgroup"]'
	run -0 cleat run "$ID"
	# Every hierarchy line ends in ":/" inside the namespace.
	refute_line --regexp ':/.+'
	assert_line --regexp ':/$'
}

@test "namespaces: a new network namespace has lo up with 127.0.0.1, like runc" {
	update_config '.process.args = ["sh", "-c", "cat /sys/class/net/lo/flags; ip -4 addr show lo | grep -o \"inet [0-9./]*\""]'
	run -0 cleat run "$ID"
	assert_output "0x9
inet 127.0.0.1/8"
	local mine=$output
	run -0 runc_ run "$ID-runc"
	assert_output "$mine"
}

@test "namespaces: a joined network namespace is left as it is (lo stays down), like runc" {
	hold_netns
	local holder=$HOLDER
	update_config '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = $p else . end]
		| .process.args = ["cat", "/sys/class/net/lo/flags"]' --arg p "/proc/$holder/ns/net"
	run cleat run "$ID"
	local status_cleat=$status out_cleat=$output
	run runc_ run "$ID-runc"
	kill "$holder"
	wait "$holder" || true
	assert [ "$status_cleat" -eq 0 ]
	assert [ "$out_cleat" = 0x8 ]
	assert_output 0x8
}

@test "namespaces: a joined network namespace with new ipc and uts ones" {
	# Without a user namespace, new network, IPC and UTS namespaces are made before the
	# cgroup join and joined ones after it: both kinds in one container.
	hold_netns
	local netns
	netns=$(readlink "/proc/$HOLDER/ns/net")
	update_config '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = $p else . end]
		| .hostname = "mixed" | .process.args = ["sh", "-c", $s + "; hostname"]' \
		--arg p "/proc/$HOLDER/ns/net" --arg s "$NS_SCRIPT"
	run cleat run "$ID"
	kill "$HOLDER"
	wait "$HOLDER" || true
	assert [ "$status" -eq 0 ]
	assert_line "net $netns"
	local t
	for t in ipc uts pid mnt; do
		assert_line --regexp "^$t "
		refute_line "$t $(host_ns "$t")"
	done
	assert_line mixed
}

@test "namespaces: an empty path means a new namespace, as runc treats it" {
	update_config '.linux.namespaces |= map(if .type == "uts" then .path = "" else . end)
		| .hostname = "empty-path" | .process.args = ["hostname"]'
	run -0 cleat run "$ID"
	assert_output empty-path
	run -0 runc_ run "$ID"
	assert_output empty-path
}
