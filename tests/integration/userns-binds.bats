#!/usr/bin/env bats
# Bind mounts in a user namespace whose sources the container's root cannot reach: the
# runtime opens them on the host side and hands them in (runc's userns.bats "userns with
# inaccessible mounts" cases).

load helpers

bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle
	# Mode 0700, owned by host root: uid 100000 (the container's root) cannot enter it.
	SRC=$(mktemp -d /tmp/cleat-userns-src.XXXXXX)
	mkdir -p "$SRC/dir1" "$SRC/dir2"
	touch "$SRC/dir1/f1" "$SRC/dir2/f2"
	chmod 700 "$SRC"
	update_config '.root.readonly = false
		| .linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(if .type == "devpts" then .options -= ["gid=5"] else . end)
		| .mounts += [{source: ($s + "/dir1"), destination: "/tmp/m1", options: ["bind"]},
			{source: ($s + "/dir2"), destination: "/tmp/m2", options: ["rbind", "ro", "nosuid"]}]' \
		--arg s "$SRC"
	chown -R 100000:100000 "$BUNDLE/rootfs"
}

teardown() {
	teardown_bundle
	[ -n "${RO_SRC:-}" ] && umount "$RO_SRC" 2>/dev/null
	[ -n "${RO_SRC:-}" ] && rmdir "$RO_SRC"
	rm -rf "$SRC"
}

@test "userns-binds: two inaccessible bind sources are mounted, flags applied" {
	update_config '.process.args = ["sh", "-c",
		"ls /tmp/m1 /tmp/m2; grep -E \" /tmp/m[12] \" /proc/self/mountinfo | cut -d\" \" -f5,6"]'
	run -0 timeout 30 "$CLEAT" --root "$ROOT" run "$(container_id)"
	assert_line f1
	assert_line f2
	assert_line "/tmp/m1 rw,relatime"
	assert_line "/tmp/m2 ro,nosuid,relatime"
}

@test "userns-binds: inaccessible bind source + exec" {
	update_config '.process.args = ["sleep", "1000"]'
	local id
	id=$(container_id)
	run -0 detached cleat run -d "$id"
	run -0 timeout 30 "$CLEAT" --root "$ROOT" exec "$id" stat -c %n /tmp/m1/f1 /tmp/m2/f2
	assert_output "$(printf '/tmp/m1/f1\n/tmp/m2/f2')"
}

@test "userns-binds: a missing bind source still fails, naming the destination" {
	update_config '.mounts += [{source: "/nonexistent-cleat-src", destination: "/tmp/m3", options: ["bind"]}]
		| .process.args = ["true"]'
	run ! timeout 30 "$CLEAT" --root "$ROOT" run "$(container_id)"
	assert_output --partial "/tmp/m3"
	assert_output --partial "No such file or directory"
}

@test "userns-binds: a reachable source read-only on the host stays locked ro in the container" {
	# Cloned inside the user namespace, the host's ro flag is locked: even CAP_SYS_ADMIN
	# in the container cannot lift it (as with runc).
	RO_SRC=$(mktemp -d /tmp/cleat-userns-ro.XXXXXX)
	chmod 755 "$RO_SRC"
	mount --bind "$RO_SRC" "$RO_SRC"
	mount -o remount,bind,ro "$RO_SRC"
	update_config '.mounts += [{source: $r, destination: "/tmp/r", options: ["bind"]}]
		| .linux.seccomp = null
		| .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])
		| .process.args = ["sh", "-c", "mount -o remount,bind,rw /tmp/r; grep \" /tmp/r \" /proc/self/mountinfo | cut -d\" \" -f6"]' \
		--arg r "$RO_SRC"
	run timeout 30 "$CLEAT" --root "$ROOT" run "$(container_id)"
	assert_line --regexp '^ro,'
	refute_line --regexp '^rw,'
}
