#!/usr/bin/env bats
# linux.netDevices (runtime-spec 1.3): host interfaces moved into the container's network
# namespace, renamed, with their permanent global addresses, set up, and never moved back.
# The interfaces are veth pairs made here (no traffic is sent); addresses come only from
# 127.0.0.0/8 (always host scope on a non-lo interface: never carried) and 2001:db8::/32.

load helpers
load peers/peers

setup_file() {
	peers_setup_file
}

setup() {
	require_root
	require_binary "$CLEAT"
	skip_unless_cmd ip "needs iproute2"
	setup_bundle
	ID=$(container_id nd)
	# Unique per test: tests of other suites may run at the same time.
	A=cl$$${BATS_TEST_NUMBER}a
	B=cl$$${BATS_TEST_NUMBER}b
	ip link add "$A" type veth peer name "$B" || skip "no veth support"
}

teardown() {
	[ -z "${HOLDER:-}" ] || kill "$HOLDER" 2>/dev/null || true
	teardown_bundle
	ip link del "$A" 2>/dev/null || true
	ip link del "$B" 2>/dev/null || true
}

# in_ctr ARG...: run ARG... (the host's tools) in the network namespace of the container.
in_ctr() {
	nsenter -t "$(cleat state "$ID" | jq -r .pid)" -n "$@"
}

# host_has DEV: the host's network namespace has DEV.
host_has() {
	ip link show "$1" >/dev/null 2>&1
}

host_lacks() {
	! host_has "$1"
}

# nothing_left: a failed create left no state directory, no cgroup and $A on the host.
nothing_left() {
	[ -z "$(ls -A "$ROOT")" ] || fail "state left behind: $(ls -A "$ROOT")"
	run -0 find /sys/fs/cgroup -maxdepth 4 -name "*$ID*"
	assert_output ''
	host_has "$A" || fail "$A left the host"
}

@test "netDevices: moved and renamed, up, permanent global addresses only; not moved back at delete" {
	ip addr add 127.0.10.1/8 dev "$A"
	ip addr add 2001:db8::1/64 dev "$A" nodad
	ip addr add 2001:db8:1::1/64 dev "$A" nodad
	ip addr add 2001:db8::2/64 dev "$A" valid_lft 100 preferred_lft 100 nodad
	ip addr add fe80::1234/64 dev "$A" nodad
	update_config '.linux.netDevices = {($a): {name: "ctr0"}} | .process.args = ["pause"]' \
		--arg a "$A"
	run -0 detached cleat create "$ID"
	host_lacks "$A"
	run -0 in_ctr ip -o link show ctr0
	assert_output --regexp '<[^>]*[,<]UP[,>]'
	run -0 in_ctr ip -o addr show dev ctr0
	assert_output --partial 'inet6 2001:db8::1/64 scope global'
	assert_output --partial 'inet6 2001:db8:1::1/64 scope global'
	refute_output --partial '2001:db8::2/'
	refute_output --partial '127.0.10.1'
	refute_output --partial 'fe80::1234'
	run -0 in_ctr ip -6 addr show dev ctr0 permanent scope global
	assert_output --partial '2001:db8::1/64'
	# The kernel destroys a veth with its namespace, and its peer with it.
	run -0 cleat delete --force "$ID"
	retry 50 0.1 host_lacks "$B"
	host_lacks "$A"
	host_lacks ctr0
}

@test "netDevices: a %d name is numbered by the kernel; without a name the host name is kept" {
	update_config '.linux.netDevices = {($a): {name: "net%d"}, ($b): {}} | .process.args = ["pause"]' \
		--arg a "$A" --arg b "$B"
	run -0 detached cleat create "$ID"
	run -0 in_ctr ip -o link show
	assert_output --regexp ' net0@'
	assert_output --regexp " $B@"
	host_lacks "$A"
	host_lacks "$B"
	run -0 cleat delete --force "$ID"
}

@test "netDevices: a joined network namespace gets the device, and keeps it after delete" {
	hold_netns
	ip addr add 2001:db8::5/64 dev "$A" nodad
	update_config '(.linux.namespaces[] | select(.type == "network")).path = $p
		| .linux.netDevices = {($a): {name: "moved0"}} | .process.args = ["true"]' \
		--arg p "/proc/$HOLDER/ns/net" --arg a "$A"
	run -0 cleat run "$ID"
	run -0 nsenter -t "$HOLDER" -n ip -o addr show dev moved0
	assert_output --partial '2001:db8::5/64'
	run -0 nsenter -t "$HOLDER" -n ip -o link show moved0
	assert_output --regexp '[,<]UP[,>]'
	host_lacks "$A"
}

@test "netDevices: a container with a user namespace gets the device" {
	[ -e /proc/self/ns/user ] || skip "no user namespaces"
	ip addr add 2001:db8::9/64 dev "$A" nodad
	chown -R 100000:100000 rootfs
	update_config '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.netDevices = {($a): {name: "u0"}} | .process.args = ["pause"]' --arg a "$A"
	run -0 detached cleat create "$ID"
	run -0 in_ctr ip -o addr show dev u0
	assert_output --partial '2001:db8::9/64'
	host_lacks "$A"
	run -0 cleat delete --force "$ID"
	retry 50 0.1 host_lacks "$B"
}

@test "netDevices: a name taken in a joined namespace fails before anything moves" {
	hold_netns
	nsenter -t "$HOLDER" -n ip link add taken0 type veth peer name taken1
	update_config '(.linux.namespaces[] | select(.type == "network")).path = $p
		| .linux.netDevices = {($b): {name: "free0"}, ($a): {name: "taken1"}}' \
		--arg p "/proc/$HOLDER/ns/net" --arg a "$A" --arg b "$B"
	run -1 cleat run "$ID"
	assert_output --partial "linux.netDevices[\"$A\"]: the container's network namespace already has an interface named \"taken1\""
	nothing_left
	host_has "$B"
	run -1 nsenter -t "$HOLDER" -n ip link show free0
}

@test "netDevices: a create failing after the move leaves no state; the veth dies with the namespace" {
	update_config '.linux.netDevices = {($a): {name: "ctr0"}}
		| .hooks.createRuntime = [{path: "/bin/false"}]' --arg a "$A"
	run -1 cleat run "$ID"
	assert_output --partial createRuntime
	[ -z "$(ls -A "$ROOT")" ] || fail "state left behind: $(ls -A "$ROOT")"
	run -0 find /sys/fs/cgroup -maxdepth 4 -name "*$ID*"
	assert_output ''
	# The kernel destroys a virtual device with its namespace (a physical one would
	# come back to the initial namespace, under its container name).
	retry 50 0.1 host_lacks "$B"
	host_lacks "$A"
	host_lacks ctr0
}

@test "netDevices: two devices renamed to one name, or to lo, are refused at parse" {
	update_config '.linux.netDevices = {($a): {name: "same0"}, ($b): {name: "same0"}}' \
		--arg a "$A" --arg b "$B"
	run -1 cleat run "$ID"
	assert_output --partial ".linux.netDevices[\"$B\"]: the container name \"same0\" is also the one of netDevices[\"$A\"]"
	nothing_left
	host_has "$B"
	update_config '.linux.netDevices = {($a): {name: "lo"}}' --arg a "$A"
	run -1 cleat run "$ID"
	assert_output --partial ".linux.netDevices[\"$A\"].name: every network namespace already has lo"
	nothing_left
}

@test "netDevices: a missing host interface is named in the error, nothing left behind" {
	update_config '.linux.netDevices = {($a): {}, "clnosuch0": {}}' --arg a "$A"
	run -1 cleat run "$ID"
	assert_output --partial 'linux.netDevices["clnosuch0"]: no such network interface on the host'
	nothing_left
}

@test "netDevices: refused without a network namespace of the container's own" {
	update_config '.linux.namespaces |= map(select(.type != "network"))
		| .linux.netDevices = {($a): {}}' --arg a "$A"
	run -1 cleat run "$ID"
	assert_output --partial 'unable to move network devices without a private NET namespace'
	nothing_left
	# Joining the runtime's own namespace by path is the same thing.
	update_config '.linux.namespaces += [{type: "network", path: "/proc/self/ns/net"}]'
	run -1 cleat run "$ID"
	assert_output --partial 'unable to move network devices without a private NET namespace'
	nothing_left
}

# add_addrs DEV: the same addresses each time: a permanent global one, a permanent one
# from 127.0.0.0/8 (host scope on a non-lo device), one with a lifetime, a link-local one.
# None has nodad: cleat keeps that flag where runc drops it (README, Known differences).
add_addrs() {
	ip addr add 127.0.10.1/8 dev "$1"
	ip addr add 2001:db8::7/64 dev "$1"
	ip addr add 2001:db8::8/64 dev "$1" valid_lft 100 preferred_lft 100
	ip addr add fe80::1234/64 dev "$1"
}

# runc 1.1 and crun 1.8 predate runtime-spec 1.3 and ignore the field: the reference is
# runc 1.5.3, the pinned peer (peers/build-peers.sh), which implements it.
@test "netDevices: same interface, flags and addresses inside the container as runc 1.5.3" {
	peers_require
	local peer=$PEERS_BIN/runc want
	run -0 "$peer" --version
	assert_line --partial 'runc version 1.5.3'
	add_addrs "$A"
	update_config '.linux.netDevices = {($a): {name: "ctr0"}}
		| .process.args = ["sh", "-c", "ip -o link show ctr0 | grep -o \"<[^>]*>\"; ip -o addr show dev ctr0 | sed \"s/^[0-9]*: //\"; ip -o link | grep -c ."]' \
		--arg a "$A"
	run -0 "$peer" --root "$RUNC_ROOT" run "$ID-runc"
	want=$(grep -v 'level=warning' <<<"$output")
	assert_contains "$want" "inet6 2001:db8::7/64 scope global"
	# The veth went with runc's container: make the pair again for cleat.
	retry 50 0.1 host_lacks "$B"
	ip link add "$A" type veth peer name "$B"
	add_addrs "$A"
	run -0 cleat run "$ID"
	assert_equal "$output" "$want"
}
