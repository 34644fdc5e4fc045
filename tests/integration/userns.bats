#!/usr/bin/env bats
# User namespaces: uid/gid maps written by the parent (ranged and single-id), root inside
# mapped to an unprivileged host uid, exec joining the user namespace, and a rootless
# container (`cleat spec --rootless` + `cleat run` as a non-root user, no cgroups).

load helpers

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle
	ID=$(container_id userns)
}

teardown() {
	teardown_bundle
}

# userns_config HOSTID SIZE: a new user namespace mapping 0..SIZE-1 to HOSTID.., with the
# rootfs owned by the mapped root.
userns_config() {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": $h, "size": $s}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": $h, "size": $s}]' \
		--argjson h "$1" --argjson s "$2"
	chown -R "$1:$1" "$BUNDLE/rootfs"
}

@test "userns: ranged maps are written; root inside is the mapped host uid outside" {
	userns_config 100000 65536
	update_config '.process.args = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; sleep 1000"]'
	cleat run -d "$ID" </dev/null >"$BUNDLE/out" 2>&1 3>&-
	local pid
	pid=$(cleat state "$ID" | jq -r .pid)
	retry 20 0.1 grep -q 100000 "$BUNDLE/out"
	sleep 0.2
	run -0 cat "$BUNDLE/out"
	assert_line --regexp '^\s+0\s+100000\s+65536$'
	assert [ "$(grep -cE '^\s+0\s+100000\s+65536$' "$BUNDLE/out")" -eq 2 ]
	assert_line 0
	# Seen from the host, the container's root is 100000.
	run -0 grep -E '^Uid:' "/proc/$pid/status"
	assert_output --regexp '^Uid:\s+100000\s+100000\s+100000\s+100000$'
	assert_equal "$(readlink "/proc/$pid/ns/user")" "$(cleat exec "$ID" readlink /proc/self/ns/user)"
	refute [ "$(readlink "/proc/$pid/ns/user")" = "$(readlink /proc/self/ns/user)" ]
	cleat delete -f "$ID"
}

@test "userns: a single-id map; users outside the map are refused" {
	userns_config 200000 1
	# gid 5 (tty) is not mapped: devpts must not ask for it (runc spec --rootless drops it too).
	update_config '.mounts |= map(if .type == "devpts" then .options -= ["gid=5"] else . end)
		| .process.args = ["sh", "-c", "cat /proc/self/uid_map; id -u"]'
	run -0 cleat run "$ID"
	assert_line --regexp '^\s+0\s+200000\s+1$'
	update_config '.process.user.uid = 5'
	run -1 cleat run "$ID"
	assert_output --partial "setresuid 5"
}

@test "userns: capabilities are the container's, inside its namespace only" {
	userns_config 100000 65536
	update_config '.process.args = ["sh", "-c", "hostname changed-in-userns && hostname"]
		| .process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	run -0 cleat run "$ID"
	assert_output changed-in-userns
}

@test "userns: exec with a different user maps through the namespace" {
	userns_config 100000 65536
	update_config '.process.args = ["sleep", "1000"]'
	cleat run -d "$ID" </dev/null >/dev/null 2>&1 3>&-
	run -0 cleat exec -u 1000:1000 "$ID" id -u
	assert_output 1000
	run -0 detached cleat exec -d --pid-file "$BUNDLE/exec.pid" -u 1000:1000 "$ID" sleep 1000
	# Container uid 1000 is host uid 101000.
	run -0 grep -E '^Uid:' "/proc/$(cat "$BUNDLE/exec.pid")/status"
	assert_output --regexp '^Uid:\s+101000\s+101000\s+101000\s+101000$'
	cleat delete -f "$ID"
}

@test "userns: mappings but no user namespace are refused; a user namespace needs mappings" {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]'
	run -1 detached cleat create "$ID"
	assert_output --partial "USER namespace isn't enabled in the config"
	update_config 'del(.linux.uidMappings) | del(.linux.gidMappings) | .linux.namespaces += [{"type": "user"}]'
	run -1 detached cleat create "$ID"
	assert_output --partial "no user namespace mappings"
}

@test "userns: rootless: spec --rootless and run as an unprivileged user" {
	skip_unless_cmd setpriv "setpriv (util-linux) is needed to drop to uid 1000"
	rm -f "$BUNDLE/config.json"
	chown -R 1000:1000 "$BUNDLE"
	run -0 setpriv --reuid=1000 --regid=1000 --clear-groups "$CLEAT" spec --rootless --bundle "$BUNDLE"
	run -0 jq -c '.linux.uidMappings' "$BUNDLE/config.json"
	assert_output '[{"containerID":0,"hostID":1000,"size":1}]'
	update_config '.process.terminal = false | .process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map"]'
	chown 1000:1000 "$BUNDLE/config.json"
	run -0 setpriv --reuid=1000 --regid=1000 --clear-groups "$CLEAT" --root "$BUNDLE/rootless-state" run "$ID"
	assert_line 0
	assert_line --regexp '^\s+0\s+1000\s+1$'
	assert [ -z "$(ls "$BUNDLE/rootless-state")" ]
}

@test "userns: rootless: run -d, exec, kill and delete as an unprivileged user" {
	skip_unless_cmd setpriv "setpriv (util-linux) is needed to drop to uid 1000"
	rm -f "$BUNDLE/config.json"
	chown -R 1000:1000 "$BUNDLE"
	setpriv --reuid=1000 --regid=1000 --clear-groups "$CLEAT" spec --rootless --bundle "$BUNDLE"
	update_config '.process.terminal = false | .process.args = ["sleep", "1000"]'
	chown 1000:1000 "$BUNDLE/config.json"
	local rl=(setpriv --reuid=1000 --regid=1000 --clear-groups "$CLEAT" --root "$BUNDLE/rootless-state")
	"${rl[@]}" run -d "$ID" </dev/null >/dev/null 2>&1 3>&-
	run -0 "${rl[@]}" exec "$ID" sh -c 'id -u; cat /proc/1/cmdline'
	assert_output --partial 0
	assert_output --partial sleep
	run -0 "${rl[@]}" list
	assert_line --regexp "^$ID +[1-9][0-9]* +running "
	run -0 "${rl[@]}" kill "$ID" KILL
	for ((i = 0; i < 50; i++)); do
		[ "$("${rl[@]}" state "$ID" | jq -r .status)" = stopped ] && break
		sleep 0.1
	done
	run -0 "${rl[@]}" delete "$ID"
	assert [ -z "$(ls "$BUNDLE/rootless-state")" ]
}

@test "userns: joining another container's user namespace by path, with or without its mappings" {
	userns_config 100000 65536
	update_config '.process.args = ["sleep", "1000"]'
	run -0 detached cleat run -d "$ID"
	local pid
	pid=$(cleat state "$ID" | jq -r .pid)
	# runc 1.1's userns.bats keeps the mappings in the config; containerd and CRI-O send
	# both too. A new mount namespace mounts devpts as root of the joined namespace.
	update_config '.linux.namespaces |= map(if .type == "user" then .path = $p else . end)' \
		--arg p "/proc/$pid/ns/user"
	run -0 detached cleat run -d "$ID-kept"
	run -0 cleat exec "$ID-kept" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
	assert [ "$(grep -cE '^\s+0\s+100000\s+65536$' <<<"$output")" -eq 2 ]
	assert_line 0
	assert_equal "$(cleat exec "$ID-kept" readlink /proc/self/ns/user)" "$(readlink "/proc/$pid/ns/user")"
	# Without the mappings (runc 1.2's form of that test).
	update_config 'del(.linux.uidMappings) | del(.linux.gidMappings)'
	run -0 detached cleat run -d "$ID-bare"
	run -0 cleat exec "$ID-bare" cat /proc/self/uid_map
	assert_output --regexp '^\s+0\s+100000\s+65536$'
	# Mappings that are not the namespace's are refused (runc 1.2+'s message).
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 300000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	run -1 detached cleat run -d "$ID-other"
	assert_output --partial "both namespace path and non-matching mapping specified"
	assert [ ! -e "$ROOT/$ID-other" ]
}

@test "userns: user.* sysctls are set in a user-namespaced container, refused without one" {
	[ -e /proc/sys/user/max_user_namespaces ] || skip "no /proc/sys/user/max_user_namespaces"
	update_config '.linux.sysctl = {"user.max_user_namespaces": "7"}
		| .process.args = ["cat", "/proc/sys/user/max_user_namespaces"]'
	run -1 cleat run "$ID"
	assert_output --partial "user.max_user_namespaces"
	assert_output --partial "without a user namespace"
	local host
	host=$(cat /proc/sys/user/max_user_namespaces)
	userns_config 100000 65536
	run -0 cleat run "$ID"
	assert_output 7
	# The host's value is its own.
	assert_equal "$(cat /proc/sys/user/max_user_namespaces)" "$host"
}
