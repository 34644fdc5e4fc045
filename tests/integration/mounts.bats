#!/usr/bin/env bats
# `mounts` entries: every option of the table, the filesystem types and their data, bind
# of files and directories, propagation and recursive attributes, idmapped mounts.  The
# kernel's view (/proc/self/mountinfo inside the container) is compared with runc 1.5's
# (the pinned peer: the mount table of runc's default spec changed since Debian's runc 1.1)
# for the same config.json where runc supports the feature; those comparisons skip, with
# the reason, when the peer cannot be built.

load helpers
load rootfs-helpers
load peers/peers

bats_require_minimum_version 1.5.0

setup_file() {
	peers_setup_file
}

setup() {
	require_root
	require_binary "$CLEAT"
	use_runc15
	setup_bundle
	HOSTDIR=$(mktemp -d /tmp/cleat-mounts-host.XXXXXX)
	echo data >"$HOSTDIR/file"
}

teardown() {
	teardown_bundle
	remove_tree "$HOSTDIR"
}

@test "mounts: runc's default spec gives runc's mount table" {
	both_mountinfo
	assert_same_mountinfo
	# Spot checks of the kernel's view, not only equality with runc.
	assert_equal "$(mi_line /proc)" "/proc / rw,relatime - proc proc rw"
	assert_equal "$(mi_line /dev)" "/dev / rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755"
	assert_glob "$(mi_line /dev/pts)" "*devpts devpts rw,gid=5,mode=620,ptmxmode=666"
	assert_equal "$(mi_line /sys)" "/sys / ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro"
	assert_glob "$(mi_line /dev/mqueue)" "*- mqueue mqueue rw"
	assert_glob "$(mi_line /sys/fs/cgroup)" "*- tmpfs tmpfs rw,mode=755"
}

@test "mounts: bind ro,nosuid,nodev,noexec of a host directory" {
	add_mount "{destination: \"/data\", type: \"bind\", source: \"$HOSTDIR\", options: [\"bind\", \"ro\", \"nosuid\", \"nodev\", \"noexec\"]}"
	both_mountinfo
	assert_same_mountinfo
	assert_glob "$(mi_line /data)" "/data $HOSTDIR ro,nosuid,nodev,noexec,relatime - *"
	update_config '.process.args = ["sh", "-c", "cat /data/file; touch /data/new && echo WRITABLE"]'
	run cleat run "$(container_id)"
	assert_output --partial data
	refute_output --partial WRITABLE
	assert [ ! -e "$HOSTDIR/new" ]
}

@test "mounts: bind rw of a host directory writes through" {
	add_mount "{destination: \"/data\", type: \"bind\", source: \"$HOSTDIR\", options: [\"rbind\", \"rw\"]}"
	update_config '.process.args = ["sh", "-c", "echo x > /data/new"]'
	run -0 cleat run "$(container_id)"
	assert [ "$(cat "$HOSTDIR/new")" = x ]
}

@test "mounts: bind of a file creates a file target, of a directory a directory" {
	add_mount "{destination: \"/etc/hostfile\", type: \"none\", source: \"$HOSTDIR/file\", options: [\"bind\"]}"
	add_mount "{destination: \"/deep/er/dir\", type: \"none\", source: \"$HOSTDIR\", options: [\"bind\"]}"
	update_config '.process.args = ["sh", "-c", "cat /etc/hostfile; test -f /etc/hostfile && test -d /deep/er/dir && cat /deep/er/dir/file"]'
	run -0 cleat run "$(container_id)"
	assert_output $'data\ndata'
	assert [ -f rootfs/etc/hostfile ]
	assert [ -d rootfs/deep/er/dir ]
	both_mountinfo
	assert_same_mountinfo
}

@test "mounts: a relative bind source is taken from the bundle" {
	mkdir "$BUNDLE/vol"
	echo inbundle >"$BUNDLE/vol/f"
	add_mount '{destination: "/vol", type: "bind", source: "vol", options: ["bind"]}'
	update_config '.process.args = ["cat", "/vol/f"]'
	run -0 cleat run "$(container_id)"
	assert_output inbundle
}

@test "mounts: bind keeps submounts only with rbind" {
	mkdir -p "$HOSTDIR/sub"
	mount -t tmpfs -o size=1m,mode=700 subtmp "$HOSTDIR/sub"
	add_mount "{destination: \"/b\", type: \"bind\", source: \"$HOSTDIR\", options: [\"bind\"]}"
	add_mount "{destination: \"/rb\", type: \"bind\", source: \"$HOSTDIR\", options: [\"rbind\"]}"
	both_mountinfo
	umount "$HOSTDIR/sub"
	assert_same_mountinfo
	assert [ -z "$(mi_line /b/sub)" ]
	assert_glob "$(mi_line /rb/sub)" "*tmpfs subtmp rw,size=1024k,mode=700"
}

@test "mounts: tmpfs data options, mode and size" {
	add_mount '{destination: "/t1", type: "tmpfs", source: "tmpfs", options: ["nosuid", "size=1m", "mode=1777", "uid=1000", "gid=1000"]}'
	add_mount '{destination: "/t2", type: "tmpfs", source: "mytmp", options: ["ro", "noexec", "nr_inodes=100", "mode=1777"]}'
	both_mountinfo
	assert_same_mountinfo
	assert_equal "$(mi_line /t1)" "/t1 / rw,nosuid,relatime - tmpfs tmpfs rw,size=1024k,uid=1000,gid=1000"
	assert_glob "$(mi_line /t2)" "/t2 / ro,noexec,relatime - tmpfs mytmp rw,nr_inodes=100*"
	update_config '.process.args = ["sh", "-c", "stat -c %a:%u /t1; touch /t2/x 2>/dev/null || echo RO"]'
	run -0 cleat run "$(container_id)"
	assert_output $'1777:1000\nRO'
}

@test "mounts: tmpfs over an existing directory keeps its mode unless mode= is given" {
	mkdir -p rootfs/keep
	chmod 710 rootfs/keep
	add_mount '{destination: "/keep", type: "tmpfs", source: "tmpfs", options: ["size=1m"]}'
	both_run stat -c %a /keep
	assert_same 0
	assert_equal "$CLEAT_OUT" 710
}

@test "mounts: tmpfs mode like runc 1.5: mode= of the covered directory, 1777 over a new one" {
	mkdir -p rootfs/keep
	chmod 710 rootfs/keep
	rm -rf rootfs/made
	add_mount '{destination: "/keep", type: "tmpfs", source: "tmpfs", options: ["nodev"]}'
	add_mount '{destination: "/made/a/b", type: "tmpfs", source: "tmpfs", options: ["nodev"]}'
	update_config '.process.args = ["sh", "-c", "stat -c %a /keep /made/a/b; grep -E \" /(keep|made/a/b) \" /proc/self/mounts"]'
	run -0 cleat run "$(container_id)"
	assert_line --index 0 710
	assert_line --index 1 1777
	# The mode is the tmpfs's own (in its options), not a chmod of its root.
	assert_line --regexp '^tmpfs /keep tmpfs .*\bmode=710\b'
	refute_line --regexp '^tmpfs /made/a/b tmpfs .*\bmode='
}

@test "mounts: tmpcopyup copies the directory under the tmpfs" {
	mkdir -p rootfs/etc/seed/sub
	echo seeded >rootfs/etc/seed/sub/f
	ln -s sub/f rootfs/etc/seed/link
	chown 1000:1000 rootfs/etc/seed/sub/f
	add_mount '{destination: "/etc/seed", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup", "mode=755"]}'
	update_config '.process.args = ["sh", "-c", "cat /etc/seed/link; stat -c %u /etc/seed/sub/f; grep \" /etc/seed \" /proc/self/mountinfo | grep -c tmpfs; echo new > /etc/seed/new"]'
	run -0 cleat run "$(container_id)"
	assert_output $'seeded\n1000\n1'
	# The copy is private to the tmpfs.
	assert [ ! -e rootfs/etc/seed/new ]
}

@test "mounts: atime family, sync and dirsync reach the kernel" {
	add_mount '{destination: "/a1", type: "tmpfs", source: "tmpfs", options: ["noatime", "nodiratime", "mode=1777"]}'
	add_mount '{destination: "/a2", type: "tmpfs", source: "tmpfs", options: ["strictatime", "mode=1777"]}'
	add_mount '{destination: "/a3", type: "tmpfs", source: "tmpfs", options: ["sync", "dirsync", "mode=1777"]}'
	add_mount "{destination: \"/a4\", type: \"bind\", source: \"$HOSTDIR\", options: [\"bind\", \"noatime\"]}"
	add_mount "{destination: \"/a5\", type: \"bind\", source: \"$HOSTDIR\", options: [\"bind\", \"norelatime\", \"strictatime\", \"ro\", \"rw\"]}"
	both_mountinfo
	assert_same_mountinfo
	assert_glob "$(mi_line /a1)" "/a1 / rw,noatime,nodiratime - *"
	assert_glob "$(mi_line /a2)" "/a2 / rw - *"
	assert_contains "$(mi_line /a3)" "tmpfs tmpfs rw,sync,dirsync"
	assert_glob "$(mi_line /a4)" "/a4 $HOSTDIR rw,noatime - *"
	assert_glob "$(mi_line /a5)" "/a5 $HOSTDIR rw - *"
}

@test "mounts: cgroup v1 hierarchies with and without a cgroup namespace" {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] || skip "this machine has no cgroup v1 hierarchies"
	both_mountinfo
	assert_same_mountinfo
	# Without a cgroup namespace: binds of the container's own cgroup directories.
	assert_equal "$(mi_line /sys/fs/cgroup/pids)" "/sys/fs/cgroup/pids /ID ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,pids"
	update_config '.linux.namespaces += [{type: "cgroup"}]'
	both_mountinfo
	assert_same_mountinfo
	assert_equal "$(mi_line /sys/fs/cgroup/pids)" "/sys/fs/cgroup/pids / ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,pids"
	assert_glob "$(mi_line /sys/fs/cgroup/systemd)" "* - cgroup systemd rw,name=systemd"
	update_config '.process.args = ["sh", "-c", "cat /sys/fs/cgroup/pids/cgroup.procs; touch /sys/fs/cgroup/pids/x || echo RO"]'
	run -0 cleat run "$(container_id)"
	assert_line 1
	assert_line RO
}

@test "mounts: mqueue, sysfs, proc and devpts with data" {
	update_config '.mounts |= map(select(.destination != "/dev/pts"))'
	add_mount '{destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0600", "mode=0600"]}'
	add_mount '{destination: "/mq2", type: "mqueue", source: "mqueue", options: ["nosuid", "nodev", "noexec"]}'
	add_mount '{destination: "/sys2", type: "sysfs", source: "sysfs", options: ["nosuid", "ro"]}'
	both_mountinfo
	assert_same_mountinfo
	assert_glob "$(mi_line /dev/pts)" "*devpts devpts rw,mode=600,ptmxmode=600"
	assert_equal "$(mi_line /mq2)" "/mq2 / rw,nosuid,nodev,noexec,relatime - mqueue mqueue rw"
	assert_equal "$(mi_line /sys2)" "/sys2 / ro,nosuid,relatime - sysfs sysfs ro"
}

@test "mounts: propagation options of a bind" {
	# A shared host mount, bound into the container four ways.
	mkdir -p "$HOSTDIR/s" "$HOSTDIR/p"
	mount --bind "$HOSTDIR/s" "$HOSTDIR/s"
	mount --make-shared "$HOSTDIR/s"
	add_mount "{destination: \"/shared\", type: \"bind\", source: \"$HOSTDIR/s\", options: [\"rbind\", \"rshared\"]}"
	add_mount "{destination: \"/slave\", type: \"bind\", source: \"$HOSTDIR/s\", options: [\"rbind\", \"rslave\"]}"
	add_mount "{destination: \"/private\", type: \"bind\", source: \"$HOSTDIR/s\", options: [\"bind\", \"private\"]}"
	add_mount "{destination: \"/unbind\", type: \"bind\", source: \"$HOSTDIR/p\", options: [\"bind\", \"unbindable\"]}"
	both_mountinfo
	umount "$HOSTDIR/s"
	assert_same_mountinfo
	assert_glob "$(mi_line /shared)" "/shared $HOSTDIR/s rw,relatime shared master - *"
	assert_glob "$(mi_line /slave)" "/slave $HOSTDIR/s rw,relatime master - *"
	assert_glob "$(mi_line /private)" "/private $HOSTDIR/s rw,relatime - *"
	assert_glob "$(mi_line /unbind)" "/unbind $HOSTDIR/p rw,relatime unbindable - *"
}

@test "mounts: rshared bind under rshared rootfsPropagation propagates back to the host" {
	mkdir -p "$HOSTDIR/prop"
	mount --bind "$HOSTDIR/prop" "$HOSTDIR/prop"
	mount --make-shared "$HOSTDIR/prop"
	update_config '.linux.rootfsPropagation = "rshared"'
	add_mount "{destination: \"/prop\", type: \"bind\", source: \"$HOSTDIR/prop\", options: [\"rbind\", \"rshared\"]}"
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	update_config '.process.args = ["sh", "-c", "mkdir -p /prop/in && mount -t tmpfs fromct /prop/in && echo mounted"]'
	run -0 cleat run "$(container_id)"
	assert_output mounted
	run grep -c " $HOSTDIR/prop/in .* fromct " /proc/self/mountinfo
	umount -R "$HOSTDIR/prop" || true
	assert_output 1
}

@test "mounts: recursive attributes (rro, rnosuid, rnoexec) reach submounts" {
	mkdir -p "$HOSTDIR/sub"
	mount -t tmpfs -o size=1m subtmp "$HOSTDIR/sub"
	add_mount "{destination: \"/r\", type: \"bind\", source: \"$HOSTDIR\", options: [\"rbind\", \"rro\", \"rnosuid\", \"rnoexec\"]}"
	add_mount "{destination: \"/n\", type: \"bind\", source: \"$HOSTDIR\", options: [\"rbind\", \"ro\"]}"
	update_config '.process.args = ["sh", "-c", "grep -E \" /(r|n)(/sub)? \" /proc/self/mountinfo; touch /r/sub/x || echo RO"]'
	run -0 cleat run "$(container_id)"
	umount "$HOSTDIR/sub"
	CLEAT_MI=$(norm_mountinfo <<<"$(grep -v RO <<<"$output")")
	assert_glob "$(mi_line /r)" "/r $HOSTDIR ro,nosuid,noexec,relatime - *"
	assert_glob "$(mi_line /r/sub)" "/r/sub / ro,nosuid,noexec,relatime - tmpfs subtmp*"
	# ro without r applies to the top mount only, as with runc.
	assert_glob "$(mi_line /n)" "/n $HOSTDIR ro,relatime - *"
	assert_glob "$(mi_line /n/sub)" "/n/sub / rw,relatime - tmpfs subtmp*"
	assert_output --partial RO
}

@test "mounts: idmapped bind mount with uidMappings/gidMappings" {
	# As runc writes them: "containerID hostID size" into the mount's user namespace, so
	# on-disk id containerID is seen as hostID through the mount.
	touch "$HOSTDIR/owned"
	chown 0:0 "$HOSTDIR/owned"
	chmod 755 "$HOSTDIR"
	add_mount "{destination: \"/idm\", type: \"bind\", source: \"$HOSTDIR\", options: [\"rbind\"],
		uidMappings: [{containerID: 0, hostID: 1000, size: 1}],
		gidMappings: [{containerID: 0, hostID: 2000, size: 1}]}"
	update_config '.process.args = ["sh", "-c", "stat -c %u:%g /idm/owned; grep \" /idm \" /proc/self/mountinfo"]'
	run -0 cleat run "$(container_id)"
	assert_line --index 0 1000:2000
	assert_output --partial "idmapped"
	# The host's view is unchanged.
	assert [ "$(stat -c %u:%g "$HOSTDIR/owned")" = 0:0 ]
}

@test "mounts: idmap option uses the container's mappings" {
	touch "$HOSTDIR/owned"
	chmod 755 "$HOSTDIR"
	add_mount "{destination: \"/idm\", type: \"bind\", source: \"$HOSTDIR\", options: [\"rbind\", \"idmap\"]}"
	update_config '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.namespaces += [{type: "user"}]'
	chown -R 100000:100000 rootfs
	update_config '.process.args = ["sh", "-c", "stat -c %u:%g /idm/owned"]'
	run cleat run "$(container_id)"
	if [ "$status" -ne 0 ]; then
		echo "$output"
		fail "idmapped mount in a user-namespaced container failed"
	fi
	# On-disk 0 is shown as 100000 by the mount, which is 0 in the container's namespace.
	assert_output "0:0"
}

@test "mounts: unknown filesystem option fails with the kernel's reason and leaves nothing mounted" {
	add_mount '{destination: "/bad", type: "tmpfs", source: "tmpfs", options: ["bogusopt=1"]}'
	run ! cleat run "$(container_id)"
	assert_output --partial '/bad'
	assert_output --partial 'bogusopt'
	assert [ -z "$(host_mounts_under "$BUNDLE")" ]
}

@test "mounts: a missing bind source fails clearly" {
	add_mount '{destination: "/x", type: "bind", source: "/nonexistent/source/dir", options: ["bind"]}'
	run ! cleat run "$(container_id)"
	assert_output --partial '/nonexistent/source/dir'
	assert [ -z "$(host_mounts_under "$BUNDLE")" ]
}

@test "mounts: a bind mount with filesystem-specific options is refused (runc 1.2+), nothing made" {
	add_mount "{destination: \"/data\", type: \"bind\", source: \"$HOSTDIR\", options: [\"rbind\", \"ro\", \"size=1m\"]}"
	local id
	id=$(container_id)
	run ! cleat run "$id"
	assert_output --partial '("/data"): bind mounts cannot have any filesystem-specific options applied: "size=1m"'
	assert [ ! -e "$ROOT/$id" ]
	assert [ -z "$(host_mounts_under "$BUNDLE")" ]
}

@test "mounts: nothing stays mounted on the host after run and delete" {
	add_mount "{destination: \"/data\", type: \"bind\", source: \"$HOSTDIR\", options: [\"rbind\"]}"
	local id
	id=$(container_id)
	update_config '.process.args = ["sleep", "100"]'
	run -0 detached cleat run -d "$id"
	wait_for_container "$id" running
	assert [ -z "$(host_mounts_under "$BUNDLE")" ]
	assert [ -z "$(host_mounts_under "$HOSTDIR")" ]
	run -0 cleat delete -f "$id"
	assert [ -z "$(host_mounts_under "$BUNDLE")" ]
	assert [ -z "$(host_mounts_under "$HOSTDIR")" ]
}
