#!/usr/bin/env bats
# uids and gids outside 0-2147483647, from every entry point (config.json, exec --user,
# exec --additional-gids, exec --process), and id mappings the kernel would refuse: all
# refused with the field named, never run. 4294967295 is (uid_t)-1, "unchanged" to
# setresuid/setresgid: before, such a process ran as root. Also: an oversized value is
# cut in the message.

load helpers

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle id
	ID=$(container_id ids)
}

teardown() {
	teardown_bundle
}

IDS_RANGE="uids and gids must be in range 0-2147483647"

# set_user_raw JSON: put JSON, as written, in .process.user (jq would rewrite 1e3 as 1000).
set_user_raw() {
	update_config '.process.user = "@USER@"'
	sed -i "s|\"@USER@\"|$1|" "$BUNDLE/config.json"
}

# refused_run PATH VALUE: `cleat run` fails naming PATH and VALUE; nothing ran, nothing is
# left; runc refuses the same config too.
refused_run() {
	run -1 cleat run "$ID"
	assert_output "cleat: run \"$ID\": config.json: $1: $IDS_RANGE, got $2"
	refute_output --partial "uid="
	run ! cleat state "$ID"
	run ! runc_ run "$ID-runc"
	refute_output --partial "uid="
}

@test "ids: process.user uid/gid 4294967295 (either or both) are refused, not run as root" {
	set_user_raw '{"uid": 4294967295, "gid": 4294967295}'
	refused_run .process.user.uid 4294967295
	set_user_raw '{"uid": 4294967295, "gid": 1000}'
	refused_run .process.user.uid 4294967295
	set_user_raw '{"uid": 1000, "gid": 4294967295}'
	refused_run .process.user.gid 4294967295
	set_user_raw '{"uid": 1000, "gid": 1000, "additionalGids": [5, 4294967295]}'
	refused_run '.process.user.additionalGids[1]' 4294967295
}

@test "ids: 2147483648, negative and non-integer ids are refused" {
	set_user_raw '{"uid": 2147483648, "gid": 0}'
	refused_run .process.user.uid 2147483648
	set_user_raw '{"uid": 0, "gid": -1}'
	refused_run .process.user.gid -1
	set_user_raw '{"uid": 0, "gid": 0, "additionalGids": [2147483648]}'
	refused_run '.process.user.additionalGids[0]' 2147483648
	local v
	for v in 1.5 1e3 '"1000"'; do
		set_user_raw "{\"uid\": $v, \"gid\": 0}"
		run -1 cleat run "$ID"
		assert_output "cleat: run \"$ID\": config.json: .process.user.uid: expected an integer, got $v"
		run ! runc_ run "$ID-runc"
		refute_output --partial "uid="
	done
	# The highest id is still fine.
	update_config '.process.user = {"uid": 2147483647, "gid": 2147483647}'
	run -0 cleat run "$ID"
	assert_output "uid=2147483647 gid=2147483647"
}

start_container() {
	update_config '.process.args = ["sleep", "1000"]'
	detached cleat run -d "$ID" || return 1
	detached runc_ run -d "$ID-runc"
}

@test "ids: exec --user and --additional-gids outside 0-2147483647 are refused" {
	start_container
	local flags what
	while IFS='|' read -r flags what; do
		# shellcheck disable=SC2086 # flags are words
		run -255 cleat exec $flags "$ID" id
		assert_output "cleat: exec failed: $what"
		# shellcheck disable=SC2086
		run -255 runc_ exec $flags "$ID-runc" id
	done <<-EOF
		--user 4294967295:4294967295|--user gid: $IDS_RANGE, got 4294967295
		--user 4294967295:1000|--user uid: $IDS_RANGE, got 4294967295
		--user 1000:4294967295|--user gid: $IDS_RANGE, got 4294967295
		--user 4294967295|--user uid: $IDS_RANGE, got 4294967295
		--user 2147483648|--user uid: $IDS_RANGE, got 2147483648
		--user -1|--user uid: $IDS_RANGE, got -1
		--user 1.5|parsing 1.5 as int for uid failed
		--user 1e3|parsing 1e3 as int for uid failed
		--user 1000 -g 4294967295|--additional-gids gid: $IDS_RANGE, got 4294967295
		--user 1000 -g 2147483648|--additional-gids gid: $IDS_RANGE, got 2147483648
	EOF
	# runc 1.1 wraps 4294967296 to uid 0 and runs the process as root; cleat refuses it.
	run -255 cleat exec --user 4294967296 "$ID" id
	assert_output "cleat: exec failed: --user uid: $IDS_RANGE, got 4294967296"
	run -0 cleat exec --user 1000:1001 -g 2147483647 "$ID" id
	assert_output "uid=1000(user) gid=1001(extra) groups=2147483647"
}

@test "ids: exec --process with uid, gid or additionalGids 4294967295 is refused" {
	start_container
	local user path
	while IFS='|' read -r user path; do
		printf '{"terminal": false, "user": %s, "args": ["id"], "cwd": "/"}\n' "$user" \
			>"$BUNDLE/process.json"
		run -255 cleat exec --process "$BUNDLE/process.json" "$ID"
		assert_output "cleat: exec failed: $BUNDLE/process.json: $path: $IDS_RANGE, got 4294967295"
		run -255 runc_ exec --process "$BUNDLE/process.json" "$ID-runc"
		refute_output --partial "uid="
	done <<-'EOF'
		{"uid": 4294967295, "gid": 4294967295}|.user.uid
		{"uid": 4294967295, "gid": 1000}|.user.uid
		{"uid": 1000, "gid": 4294967295}|.user.gid
		{"uid": 1000, "gid": 1000, "additionalGids": [4294967295]}|.user.additionalGids[0]
	EOF
}

@test "ids: a device owner outside 0-2147483647 is refused (runc leaves it root's)" {
	update_config '.linux.devices = [{"type": "c", "path": "/dev/fuse", "major": 10,
		"minor": 229, "uid": 4294967295, "gid": 0}]'
	run -1 cleat run "$ID"
	assert_output "cleat: run \"$ID\": config.json: .linux.devices[0].uid: $IDS_RANGE, got 4294967295"
	run ! cleat state "$ID"
}

@test "ids: uid/gid mappings that wrap past 4294967295 or are empty are refused with their path" {
	local lnx='.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	update_config "$lnx"'| .linux.uidMappings[0].hostID = 4294967295 | .linux.uidMappings[0].size = 1'
	run -1 cleat run "$ID"
	assert_output "cleat: run \"$ID\": config.json: .linux.uidMappings[0]: hostID + size exceeds 4294967295, got {\"containerID\":0,\"hostID\":4294967295,\"size\":1}"
	run ! runc_ run "$ID-runc"
	cp "$TEST_CONFIG" "$BUNDLE/config.json"
	update_config "$lnx"'| .linux.gidMappings[0].containerID = 4294967295 | .linux.gidMappings[0].size = 1'
	run -1 cleat run "$ID"
	assert_output "cleat: run \"$ID\": config.json: .linux.gidMappings[0]: containerID + size exceeds 4294967295, got {\"containerID\":4294967295,\"hostID\":100000,\"size\":1}"
	cp "$TEST_CONFIG" "$BUNDLE/config.json"
	update_config "$lnx"'| .linux.uidMappings[0].size = 0'
	run -1 cleat run "$ID"
	assert_output "cleat: run \"$ID\": config.json: .linux.uidMappings[0].size: expected at least 1, got 0"
	cp "$TEST_CONFIG" "$BUNDLE/config.json"
	update_config '.mounts += [{"destination": "/mnt", "source": "/tmp", "type": "bind",
		"options": ["bind"], "uidMappings": [{"containerID": 0, "hostID": 4294967000, "size": 296}],
		"gidMappings": [{"containerID": 0, "hostID": 0, "size": 1}]}]'
	run -1 cleat run "$ID"
	assert_output --partial "config.json: .mounts[$(jq '.mounts | length - 1' "$BUNDLE/config.json")].uidMappings[0]: hostID + size exceeds 4294967295"
	run ! cleat state "$ID"
}

@test "ids: a 100 KB hostname is refused with a short message naming .hostname" {
	update_config '.hostname = $h' --arg h "$(head -c 100000 /dev/zero | tr '\0' h)"
	run -1 cleat run "$ID"
	assert_output "cleat: run \"$ID\": config.json: .hostname: expected at most 64 bytes, got \"$(printf 'h%.0s' {1..64})…\" (100000 bytes)"
	assert [ "${#output}" -lt 300 ]
	run ! cleat state "$ID"
	# runc fails too, at sethostname.
	run ! runc_ run "$ID-runc"
}
