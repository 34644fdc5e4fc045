#!/usr/bin/env bats
# stdio and console ownership in a user namespace, as runc 1.4+ sets it: only the uid
# changes (chown(uid, -1)), the group is never passed back, and what the namespace may not
# change is left alone. Compared with runc 1.5.3 (the pinned peer, peers/build-peers.sh).

load helpers
load peers/peers

bats_require_minimum_version 1.5.0

setup_file() {
	peers_setup_file
}

setup() {
	runc15_setup
	update_config '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .process.user = {uid: 1000, gid: 1000}'
	chown -R 100000:100000 "$BUNDLE/rootfs"
}

teardown() {
	teardown_bundle
}

@test "runc15-stdio: userns, a terminal: the pty belongs to the user, group tty, as with runc 1.5.3" {
	skip_unless_cmd script
	update_config '.process.terminal = true | .process.args = ["sh", "-c", "stat -c %u:%g $(tty)"]'
	# The line stat printed: the pty may echo a stray byte of the test's stdin before it
	# (as "^@"), for either runtime.
	run -0 in_pty "'$RUNC' --root '$RUNC_ROOT' run '$(container_id runc)' 2>/dev/null"
	local want
	want=$(tr -d '\r' <<<"$output" | grep -Eo '[0-9]+:[0-9]+$' | tail -n 1)
	assert_equal "$want" "1000:5"
	run -0 in_pty "'$CLEAT' --root '$ROOT' run '$(container_id)'"
	assert_equal "$(tr -d '\r' <<<"$output" | grep -Eo '[0-9]+:[0-9]+$' | tail -n 1)" "$want"
}
