#!/usr/bin/env bats
# Mount behaviour of runc 1.2-1.5 that cleat follows, each compared with runc 1.5.3 (the
# pinned peer, peers/build-peers.sh) running the same config.json:
# - a destination given as a host path inside the rootfs names the same mount point as the
#   path relative to the rootfs, and a bind source inside the rootfs sees the mounts made
#   by the entries before it (config order);
# - bind options that only clear a flag (rw, exec, dev, suid) are applied; a locked flag
#   that the config asks to clear is an error;
# - "acl" is filesystem data (the filesystem decides), not MS_POSIXACL;
# - masked directories are covered by a tmpfs of one block and one inode.

load helpers
load rootfs-helpers
load peers/peers

bats_require_minimum_version 1.5.0

setup_file() {
	peers_setup_file
}

setup() {
	runc15_setup
	HOSTDIR=$(mktemp -d /tmp/cleat-r15m.XXXXXX)
}

teardown() {
	teardown_bundle
	[ -z "${HOSTDIR:-}" ] || umount_under "$HOSTDIR"
	remove_tree "${HOSTDIR:-}"
}

# bind_tree: host directories a/x b/y c/z with a file each, and the mounts entries of a
# tree built from them in the container, then copied with binds whose sources and
# destinations are host paths inside the rootfs (runc's "mount order" test).
bind_tree() {
	local rootfs=$BUNDLE/rootfs sub
	for sub in a/x b/y c/z; do
		mkdir -p "$HOSTDIR/$sub"
		echo "$sub" >"$HOSTDIR/$sub/file"
	done
	mkdir -p "$rootfs/final"
	rm -rf "$rootfs/mnt" && mkdir "$rootfs/mnt"
	add_mount "{destination: \"/mnt\", type: \"bind\", source: \"$HOSTDIR/a\", options: [\"rbind\"]}"
	add_mount "{destination: \"/mnt/x\", type: \"bind\", source: \"$HOSTDIR/b\", options: [\"rbind\"]}"
	add_mount "{destination: \"/mnt/x/y\", type: \"bind\", source: \"$HOSTDIR/c\", options: [\"rbind\"]}"
	add_mount "{destination: \"/mnt/x/y/z\", type: \"bind\", source: \"$HOSTDIR/a\", options: [\"rbind\"]}"
	add_mount "{destination: \"$rootfs/mnt/x/y/z/x\", type: \"bind\", source: \"$rootfs/mnt/x\", options: [\"rbind\"]}"
	add_mount "{destination: \"$rootfs/mnt/x/y/z\", type: \"bind\", source: \"$rootfs/mnt/x/y\", options: [\"rbind\"]}"
	add_mount "{destination: \"$rootfs/final\", type: \"bind\", source: \"$rootfs/mnt\", options: [\"rbind\"]}"
}

# both_refused TEXT: after both_run, both runtimes failed, cleat's error says TEXT, and
# cleat left no state directory and no mount behind.
both_refused() {
	[ "$RUNC_STATUS" -ne 0 ] || fail "runc accepted the config"
	[ "$CLEAT_STATUS" -ne 0 ] || fail "cleat accepted the config"
	[[ "$CLEAT_ERR" == *"$1"* ]] || fail "cleat's error lacks '$1': $CLEAT_ERR"
	[ -z "$(ls -A "$ROOT")" ]
	[ -z "$(host_mounts_under "$BUNDLE")" ]
}

@test "runc15-mounts: destinations inside the rootfs path, sources made by earlier entries (as runc 1.5.3)" {
	bind_tree
	both_run sh -c 'cat /final/x/y/z/z/x/y/z/x/file; ls /tmp'
	assert_same 0
	assert [ "${CLEAT_OUT%%$'\n'*}" = a/x ]
	# Nothing was created under a copy of the host path inside the rootfs.
	assert [ ! -e "$BUNDLE/rootfs/${BUNDLE#/}" ]
	assert [ -z "$(host_mounts_under "$BUNDLE")" ]
}

@test "runc15-mounts: userns, an idmapped source made by earlier entries, inside the rootfs (as runc 1.5.3)" {
	chmod 755 "$HOSTDIR"
	bind_tree
	update_config '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .mounts[-3:] |= map(.options += ["idmap"])'
	chown -R 100000:100000 "$BUNDLE/rootfs"
	both_run sh -c 'cat /final/x/y/z/z/x/y/z/x/file; stat -c %u:%g /final/x/y/z/z/x/y/z/x/file; grep -c idmapped /proc/self/mountinfo'
	assert_same 0
	assert [ "${CLEAT_OUT%%$'\n'*}" = a/x ]
	# The three copies are idmapped mounts (their submounts, as plain rbind+idmap, are not).
	assert [ "${CLEAT_OUT##*$'\n'}" -ge 3 ]
	assert [ -z "$(host_mounts_under "$BUNDLE")" ]
}

@test "runc15-mounts: a destination equal to the rootfs path is refused, nothing left" {
	add_mount "{destination: \"$BUNDLE/rootfs\", type: \"bind\", source: \"$HOSTDIR\", options: [\"rbind\"]}"
	both_run true
	both_refused "mountpoint is on the top of rootfs"
}

@test "runc15-mounts: clearing-only bind options (rw, exec, suid, dev) are applied (runc 1.2+)" {
	mkdir "$HOSTDIR/src"
	mount --bind "$HOSTDIR/src" "$HOSTDIR/src"
	mount -o remount,bind,ro,noexec,nosuid,nodev "$HOSTDIR/src"
	add_mount "{destination: \"/clear\", type: \"bind\", source: \"$HOSTDIR/src\", options: [\"bind\", \"rw\", \"exec\", \"suid\", \"dev\"]}"
	add_mount "{destination: \"/keep\", type: \"bind\", source: \"$HOSTDIR/src\", options: [\"bind\"]}"
	both_mountinfo
	assert_same_mountinfo
	assert_glob "$(mi_line /clear)" "/clear * rw,relatime - *"
	assert_glob "$(mi_line /keep)" "/keep * ro,nosuid,nodev,noexec,relatime - *"
}

@test "runc15-mounts: masked directories get a one-block, one-inode read-only tmpfs (runc 1.5)" {
	both_run sh -c 'grep " /proc/acpi " /proc/self/mountinfo'
	assert [ "$RUNC_STATUS" = 0 ]
	assert [ "$CLEAT_STATUS" = 0 ]
	assert [ "${RUNC_OUT##* - }" = "${CLEAT_OUT##* - }" ]
	assert_glob "$CLEAT_OUT" "* - tmpfs tmpfs ro,size=4k,nr_inodes=[12]"
}

@test "runc15-mounts: clearing a locked flag in a user namespace is an error (as runc 1.5.3)" {
	mkdir "$HOSTDIR/src"
	chmod 755 "$HOSTDIR"
	mount --bind "$HOSTDIR/src" "$HOSTDIR/src"
	mount -o remount,bind,ro "$HOSTDIR/src"
	update_config '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	chown -R 100000:100000 "$BUNDLE/rootfs"
	add_mount "{destination: \"/clear\", type: \"bind\", source: \"$HOSTDIR/src\", options: [\"bind\", \"rw\"]}"
	both_run true
	both_refused "cannot clear locked flags ro"
	# Not asked to clear ro: the locked flag is kept and the container runs.
	update_config '.mounts[-1].options = ["bind", "nosuid"]'
	both_run sh -c 'touch /clear/f || echo RO'
	assert_same 0
	assert [ "$CLEAT_OUT" = RO ]
}

@test "runc15-mounts: acl is filesystem data: tmpfs refuses it as runc 1.5.3 does" {
	[ -r /proc/filesystems ] && grep -qw tmpfs /proc/filesystems || skip "no tmpfs"
	add_mount '{destination: "/acl", type: "tmpfs", source: "tmpfs", options: ["acl"]}'
	both_run true
	both_refused "acl"
}
