#!/usr/bin/env bats
# The whole mount table of a container (/proc/self/mountinfo inside it, normalized by
# rootfs-helpers' norm_mountinfo) under cleat against runc 1.5.3 (the pinned peer) for the
# two configs the speed targets are measured with: runc's default spec and docker 20.10's
# default confinement (its mounts, masked and read-only paths and sysctls, with our own
# files for its resolv.conf, hostname and hosts binds), each in the host's cgroup view and
# in a pure cgroup v1 view (a private mount namespace with /sys/fs/cgroup/unified
# unmounted, as bench/runtime-bench.sh runs them).  Any change to the mount work of the
# container process that alters a mount's flags, propagation, source or order fails here;
# the last test puts the rootfs on a shared host mount without rootfsPropagation.

load helpers
load rootfs-helpers
load peers/peers

bats_require_minimum_version 1.5.0

setup_file() {
	peers_setup_file
}

setup() {
	runc15_setup
	FILES=$(mktemp -d /tmp/cleat-mount-table.XXXXXX)
}

teardown() {
	teardown_bundle
	remove_tree "${FILES:-}"
}

# docker_config: the bundle's config.json gets docker 20.10's mounts, masked and read-only
# paths and sysctls (what its dockerd hands runc for `docker run --network none`).
docker_config() {
	echo nameserver 127.0.0.1 >"$FILES/resolv.conf"
	echo mount-table >"$FILES/hostname"
	echo 127.0.0.1 localhost >"$FILES/hosts"
	update_config '
		.mounts = [
			{destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]},
			{destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
			{destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
			{destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]},
			{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro", "nosuid", "noexec", "nodev"]},
			{destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]},
			{destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=67108864"]},
			{destination: "/etc/resolv.conf", type: "bind", source: ($f + "/resolv.conf"), options: ["rbind", "rprivate"]},
			{destination: "/etc/hostname", type: "bind", source: ($f + "/hostname"), options: ["rbind", "rprivate"]},
			{destination: "/etc/hosts", type: "bind", source: ($f + "/hosts"), options: ["rbind", "rprivate"]}
		] |
		.linux.maskedPaths = ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
			"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
			"/proc/sched_debug", "/proc/scsi", "/sys/firmware"] |
		.linux.readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
			"/proc/sysrq-trigger"] |
		.linux.sysctl = {"net.ipv4.ip_unprivileged_port_start": "0",
			"net.ipv4.ping_group_range": "0 2147483647"}' --arg f "$FILES"
}

# pure_v1_mountinfo: both_mountinfo, each runtime in a private mount namespace of its own
# where the hybrid hierarchy /sys/fs/cgroup/unified is unmounted.
pure_v1_mountinfo() {
	set_args cat /proc/self/mountinfo
	RUNC_ID=$(container_id runc)
	CLEAT_ID=$(container_id cleat)
	run --separate-stderr "${CRUN_PURE_V1[@]}" "$RUNC" --root "$RUNC_ROOT" run "$RUNC_ID"
	RUNC_STATUS=$status RUNC_OUT=$output RUNC_ERR=$stderr
	run --separate-stderr "${CRUN_PURE_V1[@]}" "$CLEAT" --root "$ROOT" run "$CLEAT_ID"
	CLEAT_STATUS=$status CLEAT_OUT=$output CLEAT_ERR=$stderr
	RUNC_MI=$(norm_mountinfo "$RUNC_ID" <<<"$RUNC_OUT")
	CLEAT_MI=$(norm_mountinfo "$CLEAT_ID" <<<"$CLEAT_OUT")
}

require_v1() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || skip "the host has cgroup v2 only"
}

# assert_cgroup_binds: the table has mounts below /sys/fs/cgroup (a check that the comparison
# saw the cgroup v1 binds, not two empty tables).
assert_cgroup_binds() {
	local n
	n=$(awk '$1 ~ "^/sys/fs/cgroup/"' <<<"$CLEAT_MI" | wc -l)
	[ "$n" -ge 1 ] || fail "no mount below /sys/fs/cgroup in: $CLEAT_MI"
}

@test "mount-table: runc's default spec, host view" {
	both_mountinfo cat /proc/self/mountinfo
	assert_same_mountinfo
	assert_glob "$(mi_line /sys/fs/cgroup)" "*- tmpfs tmpfs rw,mode=755"
}

@test "mount-table: runc's default spec, pure cgroup v1 view" {
	require_v1
	pure_v1_mountinfo
	assert_same_mountinfo
	assert_cgroup_binds
}

@test "mount-table: docker's confinement, host view" {
	docker_config
	both_mountinfo cat /proc/self/mountinfo
	assert_same_mountinfo
	assert_glob "$(mi_line /proc/sys)" "/proc/sys /sys ro,nosuid,nodev,noexec,relatime - proc proc rw"
	assert_glob "$(mi_line /sys/firmware)" "/sys/firmware / ro,relatime - tmpfs tmpfs ro*"
	assert_glob "$(mi_line /etc/hosts)" "/etc/hosts $FILES/hosts rw,*"
}

@test "mount-table: docker's confinement, pure cgroup v1 view" {
	require_v1
	docker_config
	pure_v1_mountinfo
	assert_same_mountinfo
	assert_cgroup_binds
	assert_glob "$(awk '$1 ~ "^/sys/fs/cgroup/."' <<<"$CLEAT_MI" | head -1)" "* ro,nosuid,nodev,noexec,relatime - cgroup *"
}

@test "mount-table: runc's default spec with the rootfs on a shared host mount, no rootfsPropagation" {
	# Without rootfsPropagation the container makes "/" rslave and leaves the rootfs's
	# parent mount alone: nothing of the namespace is shared any more, so pivot_root
	# accepts the root and nothing the container mounts reaches the host.
	mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	mount --make-shared "$BUNDLE/rootfs"
	both_mountinfo cat /proc/self/mountinfo
	local host_after
	host_after=$(host_mounts_under "$BUNDLE")
	umount "$BUNDLE/rootfs"
	assert_equal "$host_after" "$BUNDLE/rootfs"
	# "/" of the container stays a slave of the host's mount (README, Known differences:
	# runc 1.5 makes the rootfs's parent private, so its "/" has no master); every other
	# mount is as runc 1.5.3 makes it.
	assert_glob "$(mi_line /)" "/ $BUNDLE/rootfs * master - *"
	assert_glob "$(awk '$1 == "/"' <<<"$RUNC_MI")" "/ $BUNDLE/rootfs ro,relatime - *"
	RUNC_MI=$(awk '$1 != "/"' <<<"$RUNC_MI")
	CLEAT_MI=$(awk '$1 != "/"' <<<"$CLEAT_MI")
	assert_same_mountinfo
}
