#!/usr/bin/env bats
# The container's root: pivot_root and --no-pivot, root.readonly, rootfsPropagation,
# maskedPaths, readonlyPaths, linux.sysctl (runc's namespace rules), process.cwd creation,
# and nothing left mounted on the host afterwards.  Compared with runc 1.5 (the pinned peer;
# masked directories changed since Debian's runc 1.1) where it applies; those comparisons
# skip, with the reason, when the peer cannot be built.

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
}

teardown() {
	if [ -n "${RO_ROOT_MOUNT:-}" ]; then
		umount "$RO_ROOT_MOUNT" || true
	fi
	teardown_bundle
}

@test "rootfs: pivot_root leaves only the container's mounts, and the rootfs is /" {
	both_mountinfo
	assert_same_mountinfo
	# The first line is the rootfs bind at /; no host mount point is visible.
	assert_glob "$(head -n1 <<<"$CLEAT_MI")" "/ $BUNDLE/rootfs *"
	run -1 grep -E '^/(work|tmp|mnt|run)( |/)' <<<"$CLEAT_MI"
	update_config '.process.args = ["sh", "-c", "ls /; cat /proc/1/mountinfo | wc -l"]'
	run -0 cleat run "$(container_id)"
	assert_line bin
	assert_line etc
}

@test "rootfs: --no-pivot moves the rootfs onto / and chroots" {
	update_config '.process.args = ["sh", "-c", "ls /bin/busybox && grep -c \" / \" /proc/self/mountinfo"]'
	[ -z "$RUNC_REF_SKIP" ] || skip "$RUNC_REF_SKIP"
	run -0 --separate-stderr runc_ run --no-pivot "$(container_id runc)"
	local want=$output
	run -0 cleat run --no-pivot "$(container_id)"
	assert_output "$want"
	assert_line /bin/busybox
	update_config '.process.args = ["cat", "/proc/self/mountinfo"]'
	run -0 cleat run --no-pivot "$(container_id)"
	# The rootfs is at / and the masked paths are applied as with pivot_root.
	assert_output --regexp "$BUNDLE/rootfs / [^ ]+ .*ext4|$BUNDLE/rootfs / "
	assert_output --partial " /proc/timer_list "
}

@test "rootfs: root.readonly remounts / read-only, and only /" {
	update_config '.root.readonly = true'
	both_run sh -c 'touch /x 2>/dev/null && echo WROTE; touch /dev/shm/x && echo SHM; awk "\$5 == \"/\" { print \$4, \$5, \$6 }" /proc/self/mountinfo'
	assert_same 0
	assert_equal "$CLEAT_OUT" "$(printf 'SHM\n%s / ro,relatime' "$BUNDLE/rootfs")"
	update_config '.root.readonly = false'
	both_run sh -c 'touch /x && echo WROTE; awk "\$5 == \"/\" { print \$4, \$5, \$6 }" /proc/self/mountinfo'
	assert_same 0
	assert_equal "$CLEAT_OUT" "$(printf 'WROTE\n%s / rw,relatime' "$BUNDLE/rootfs")"
}

@test "rootfs: root.readonly keeps the nosuid and nodev of the rootfs mount, like runc 1.5" {
	# The bundle's rootfs is itself a mount point with nosuid,nodev.
	mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	RO_ROOT_MOUNT=$BUNDLE/rootfs
	mount -o remount,bind,nosuid,nodev "$BUNDLE/rootfs"
	update_config '.root.readonly = true
		| .process.args = ["awk", "$5 == \"/\" { print \",\" $6 \",\" }", "/proc/self/mountinfo"]'
	run -0 cleat run "$(container_id)"
	assert_output --partial ",ro,"
	assert_output --partial ",nosuid,"
	assert_output --partial ",nodev,"
	umount "$RO_ROOT_MOUNT"
	unset RO_ROOT_MOUNT
}

# root_propagation RUNTIME...: run the bundle under RUNTIME and print the propagation fields
# of the container's / in its mountinfo ("shared", "master", "unbindable", or nothing).
root_propagation() {
	update_config '.process.args = ["cat", "/proc/self/mountinfo"]'
	"$@" run "$(container_id prop)" | norm_mountinfo | awk '$1 == "/" {
		s = ""; for (i = 4; $i != "-"; i++) s = s " " $i; print substr(s, 2); exit }'
}

@test "rootfs: rootfsPropagation values give / the spec's propagation, as crun does" {
	skip_unless_cmd "$CRUN"
	local p want got crun_got
	# A shared rootfs mount on the host, the case where a leak or a lost value shows.
	mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	mount --make-shared "$BUNDLE/rootfs"
	for p in shared slave private unbindable rshared rslave rprivate; do
		update_config '.linux.rootfsPropagation = $p' --arg p "$p"
		case $p in
		*shared) want=shared ;; # a new peer group, not the host's
		*slave) want=master ;;
		*private) want= ;;
		*unbindable) want=unbindable ;;
		esac
		got=$(root_propagation cleat) || fail "$p: cleat failed"
		# crun in a slave copy of this namespace: its umount of the hybrid cgroup2 mount
		# cannot reach the host, and the shared rootfs stays a mount with a master.
		crun_got=$(root_propagation unshare -m --propagation slave sh -c \
			'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' crun_ \
			"$CRUN" --root "$CRUN_ROOT") || fail "$p: crun failed"
		echo "$p: cleat [$got] crun [$crun_got]"
		[ "$got" = "$want" ] || fail "$p: cleat gives [$got], want [$want]"
		# crun (and runc 1.5.0) make a slave root's parent private, so their / loses
		# its master; the spec says it receives the host's events, as here.
		[[ "$p" == *slave ]] || [ "$got" = "$crun_got" ] || fail "$p: cleat [$got], crun [$crun_got]"
	done
	# A recursively unbindable / cannot be bound from: the cgroup binds fail (crun too).
	update_config '.linux.rootfsPropagation = "runbindable"'
	run ! cleat run "$(container_id prop)"
	# The container's shared / is not in the host's peer group: nothing it mounts
	# reaches the host.
	local host_group
	host_group=$(awk -v m="$BUNDLE/rootfs" '$5 == m { print $7 }' /proc/self/mountinfo)
	update_config '.linux.rootfsPropagation = "shared" | .process.args = ["cat", "/proc/self/mountinfo"]'
	run -0 cleat run "$(container_id prop)"
	umount "$BUNDLE/rootfs"
	assert_glob "$host_group" "shared:*"
	run -0 awk '$5 == "/" { print $7 }' <<<"$output"
	assert_glob "$output" "shared:*"
	assert [ "$output" != "$host_group" ]
}

@test "rootfs: an invalid rootfsPropagation is refused" {
	update_config '.linux.rootfsPropagation = "sideways"'
	run ! cleat run "$(container_id)"
	assert_output --partial "sideways"
}

@test "rootfs: maskedPaths hide files and directories, missing ones are skipped" {
	mkdir -p rootfs/secret/dir
	echo s >rootfs/secret/dir/f
	echo s >rootfs/secret/file
	update_config '.linux.maskedPaths = ["/secret/file", "/secret/dir", "/does/not/exist", "/proc/timer_list"]'
	both_mountinfo
	assert_same_mountinfo
	assert_glob "$(mi_line /secret/file)" "/secret/file /null rw,nosuid - tmpfs tmpfs *"
	# (norm_mountinfo drops the tmpfs's size; runc15-mounts.bats checks it.)
	assert_equal "$(mi_line /secret/dir)" "/secret/dir / ro,relatime - tmpfs tmpfs ro"
	assert_glob "$(mi_line /proc/timer_list)" "/proc/timer_list /null rw,nosuid - tmpfs tmpfs *"
	set_args sh -c 'cat /secret/file; ls -A /secret/dir; echo x > /secret/dir/y || echo RO; wc -c < /proc/timer_list'
	run -0 cleat run "$(container_id)"
	assert_output --partial "Read-only file system"
	assert_line RO
	assert_line 0
	refute_line s
}

@test "rootfs: masked directories share one tmpfs; a path given twice is masked once (as runc 1.5)" {
	mkdir -p rootfs/m1 rootfs/m2 rootfs/m3
	touch rootfs/mf
	update_config '.linux.maskedPaths += ["/m1", "/m2", "/m3", "/m1", "/mf", "/mf"]
		| .process.args = ["sh", "-c", "stat -c %d /m1 /m2 /m3 | sort -u | wc -l; grep -c \" /m1 \" /proc/self/mountinfo; grep -c \" /mf \" /proc/self/mountinfo; touch /m2/x 2>/dev/null || echo RO"]'
	run -0 cleat run "$(container_id)"
	assert_output $'1\n1\n1\nRO'
}

@test "rootfs: readonlyPaths are read-only and keep nosuid/nodev/noexec" {
	update_config '.linux.readonlyPaths = ["/proc/sys", "/dev/shm", "/does/not/exist"]'
	update_config '.process.args = ["sh", "-c", "echo 1 > /dev/shm/x || echo RO; grep -E \" /(proc/sys|dev/shm) \" /proc/self/mountinfo | cut -d\" \" -f5,6"]'
	both_run
	assert_same 0
	assert_line RO
	assert_line "/dev/shm ro,nosuid,nodev,noexec,relatime"
	assert_line "/proc/sys ro,relatime"
}

@test "rootfs: namespaced sysctls are written in the container" {
	update_config '.linux.namespaces += [{type: "network"}] | .linux.namespaces |= unique_by(.type)
		| .linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456", "fs.mqueue.msg_max": "20", "net/ipv4/conf/lo/forwarding": "1"}'
	both_run sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax /proc/sys/fs/mqueue/msg_max /proc/sys/net/ipv4/conf/lo/forwarding'
	assert_same 0
	assert_equal "$CLEAT_OUT" $'1\n123456\n20\n1'
	# The host's values are untouched.
	assert [ "$(cat /proc/sys/kernel/shmmax)" != 123456 ]
}

@test "rootfs: sysctls outside the container's namespaces are refused like runc" {
	update_config '.linux.sysctl = {"vm.swappiness": "10"}'
	both_run true
	assert [ "$RUNC_STATUS" -ne 0 ]
	assert [ "$CLEAT_STATUS" -ne 0 ]
	assert_glob "$CLEAT_ERR" "*vm.swappiness*not in a separate kernel namespace*"

	update_config '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	both_run true
	assert [ "$RUNC_STATUS" -ne 0 ]
	assert [ "$CLEAT_STATUS" -ne 0 ]
	assert_glob "$CLEAT_ERR" "*net.ipv4.ip_forward*network namespace*"

	update_config '.linux.namespaces |= map(select(.type != "ipc")) | .linux.sysctl = {"kernel.msgmax": "1"}'
	both_run true
	assert [ "$RUNC_STATUS" -ne 0 ]
	assert [ "$CLEAT_STATUS" -ne 0 ]
	assert_glob "$CLEAT_ERR" "*kernel.msgmax*ipc namespace*"
}

@test "rootfs: process.cwd is created inside the rootfs" {
	ln -s /tmp/cleat-rootfs-should-not-exist rootfs/wd
	update_config '.process.cwd = "/wd/deep"'
	update_config '.process.args = ["pwd"]'
	run -0 cleat run "$(container_id)"
	assert_output /tmp/cleat-rootfs-should-not-exist/deep
	assert [ ! -e /tmp/cleat-rootfs-should-not-exist ]
	assert [ -d rootfs/tmp/cleat-rootfs-should-not-exist/deep ]
}

@test "rootfs: nothing stays mounted on the host after create, start, delete and a failed create" {
	local id
	id=$(container_id)
	update_config '.process.args = ["sleep", "100"]'
	run -0 detached cleat create "$id"
	assert [ -z "$(host_mounts_under "$BUNDLE")" ]
	run -0 detached cleat start "$id"
	assert [ -z "$(host_mounts_under "$BUNDLE")" ]
	run -0 cleat delete -f "$id"
	assert [ -z "$(host_mounts_under "$BUNDLE")" ]
	# A mount failing after several succeeded.
	update_config '.mounts += [{destination: "/late", type: "nosuchfs", source: "x"}]'
	run ! detached cleat create "$(container_id)"
	assert_output --partial "/late"
	assert [ -z "$(host_mounts_under "$BUNDLE")" ]
	run -0 cleat list -q
	assert_output ""
}

@test "rootfs: without a mount namespace masking is refused and nothing is mounted" {
	update_config '.linux.namespaces |= map(select(.type != "mount"))'
	run ! cleat run "$(container_id)"
	assert_output --partial "unable to restrict sys entries without a private MNT namespace"
	update_config '.linux.maskedPaths = [] | .linux.readonlyPaths = [] | .root.readonly = false'
	run ! cleat run "$(container_id)"
	assert_output --partial "mounts need a private mount namespace"
	# runc leaves a bind of the rootfs on the host in this case; we mount nothing.
	assert [ -z "$(host_mounts_under "$BUNDLE")" ]
}
