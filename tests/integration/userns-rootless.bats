#!/usr/bin/env bats
# Rootless with newuidmap/newgidmap: a non-root user with /etc/subuid and /etc/subgid ranges
# runs `cleat spec --rootless` and `cleat run` with a multi-range mapping (container 0 = the
# user, container 1.. = the user's subordinate range), which only the setuid helpers may
# write. Checked against the kernel: the container's uid_map/gid_map, and the host owner of
# a file that uid 1 owns inside.

load helpers

bats_require_minimum_version 1.5.0

# A throw-away user per run (useradd gives it a free subordinate range of its own, so
# concurrent runs never share one); removed in teardown_file.
setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	command -v newuidmap >/dev/null && command -v newgidmap >/dev/null || return 0
	RL_USER=clrl$$
	useradd -M -d / -s /bin/sh "$RL_USER" >/dev/null 2>&1 || return 0
	export RL_USER
}

teardown_file() {
	[ -n "${RL_USER:-}" ] && userdel "$RL_USER" >/dev/null 2>&1 || true
	# userdel leaves the subordinate ranges on some shadow versions.
	local f
	for f in /etc/subuid /etc/subgid; do
		[ -n "${RL_USER:-}" ] && [ -f "$f" ] && sed -i "/^$RL_USER:/d" "$f"
	done
	return 0
}

setup() {
	require_root
	require_binary "$CLEAT"
	skip_unless_cmd newuidmap "newuidmap is not installed (apt-get install uidmap)"
	skip_unless_cmd newgidmap "newgidmap is not installed (apt-get install uidmap)"
	[ -n "${RL_USER:-}" ] || skip "could not create a test user (useradd)"
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	SUBUID=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subuid)
	SUBGID=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subgid)
	[ -n "$SUBUID" ] && [ -n "$SUBGID" ] || skip "useradd gave $RL_USER no subordinate ids"
	setup_bundle
	# The user runs its own copy of cleat (the build tree may not be reachable for it).
	cp "$CLEAT" "$BUNDLE/cleat"
	chmod 755 "$BUNDLE/cleat"
	chown -R "$RL_USER:" "$BUNDLE/rootfs" "$ROOT"
	chown "$RL_USER:" "$BUNDLE"
	ID=$(container_id rootless)
}

teardown() {
	teardown_bundle
}

# as_user CMD...: run CMD in $BUNDLE as the test user, with its own runtime state dir.
as_user() {
	setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/ sh -c 'cd "$0" && exec "$@"' \
		"$BUNDLE" "$@"
}

@test "userns-rootless: spec --rootless maps the calling user only" {
	rm -f config.json
	run -0 as_user "$BUNDLE/cleat" spec --rootless
	run -0 jq -c '.linux.uidMappings, .linux.gidMappings' config.json
	assert_line --index 0 "[{\"containerID\":0,\"hostID\":$RL_UID,\"size\":1}]"
	assert_line --index 1 "[{\"containerID\":0,\"hostID\":$RL_GID,\"size\":1}]"
}

@test "userns-rootless: multi-range maps go through newuidmap/newgidmap; uid 1 is the first subuid" {
	rm -f config.json
	run -0 as_user "$BUNDLE/cleat" spec --rootless
	# Root inside needs CAP_CHOWN to give a file to uid 1 (the rootless spec drops it).
	update_config '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1},
			{containerID: 1, hostID: $su, size: 65535}]
		| .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1},
			{containerID: 1, hostID: $sg, size: 65535}]
		| .root.readonly = false | .process.terminal = false
		| .process.capabilities |= with_entries(.value += ["CAP_CHOWN"])
		| .process.args = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/by-root && chown 1:1 /tmp/by-root"]' \
		--argjson u "$RL_UID" --argjson g "$RL_GID" --argjson su "$SUBUID" --argjson sg "$SUBGID"
	chown "$RL_USER:" config.json
	run -0 as_user "$BUNDLE/cleat" --root "$ROOT" run "$ID"
	assert_line --index 0 --regexp "^ +0 +$RL_UID +1\$"
	assert_line --index 1 --regexp "^ +1 +$SUBUID +65535\$"
	assert_line --index 2 --regexp "^ +0 +$RL_GID +1\$"
	assert_line --index 3 --regexp "^ +1 +$SUBGID +65535\$"
	run -0 stat -c '%u:%g' rootfs/tmp/by-root
	assert_output "$SUBUID:$SUBGID"

	# The process itself as uid/gid 1: what it creates belongs to the subordinate ids.
	update_config '.process.user = {uid: 1, gid: 1}
		| .process.args = ["sh", "-c", "id -u; id -g; touch /tmp/by-one"]'
	chown "$RL_USER:" config.json
	run -0 as_user "$BUNDLE/cleat" --root "$ROOT" run "$ID-2"
	assert_output $'1\n1'
	run -0 stat -c '%u:%g' rootfs/tmp/by-one
	assert_output "$SUBUID:$SUBGID"
	run -0 as_user "$BUNDLE/cleat" --root "$ROOT" list -q
	assert_output ""
}

@test "userns-rootless: a range outside the user's subordinate ids is refused" {
	rm -f config.json
	run -0 as_user "$BUNDLE/cleat" spec --rootless
	update_config '.linux.uidMappings += [{containerID: 1, hostID: 1, size: 10}]
		| .process.args = ["true"]'
	chown "$RL_USER:" config.json
	run ! as_user "$BUNDLE/cleat" --root "$ROOT" run "$ID"
	assert_output --partial newuidmap
	run -0 as_user "$BUNDLE/cleat" --root "$ROOT" list -q
	assert_output ""
}

@test "userns-rootless: exec joins the rootless container (its helper sets the pid namespace)" {
	rm -f config.json
	run -0 as_user "$BUNDLE/cleat" spec --rootless
	update_config '.process.terminal = false | .process.args = ["sleep", "100"]'
	chown "$RL_USER:" config.json
	as_user "$BUNDLE/cleat" --root "$ROOT" run -d "$ID" </dev/null >/dev/null 2>&1 3>&-
	local pid
	pid=$(as_user "$BUNDLE/cleat" --root "$ROOT" state "$ID" | jq -r .pid)
	run -0 as_user "$BUNDLE/cleat" --root "$ROOT" exec "$ID" \
		sh -c 'id -u; for n in pid user mnt; do readlink /proc/self/ns/$n; done; echo "ppid $PPID"'
	assert_line --index 0 0
	assert_line --index 1 "$(readlink "/proc/$pid/ns/pid")"
	assert_line --index 2 "$(readlink "/proc/$pid/ns/user")"
	assert_line --index 3 "$(readlink "/proc/$pid/ns/mnt")"
	assert_line --index 4 "ppid 0"
	run -0 as_user "$BUNDLE/cleat" --root "$ROOT" delete --force "$ID"
}
