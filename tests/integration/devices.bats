#!/usr/bin/env bats
# /dev inside the container: default nodes, linux.devices (mknod, or bind mounts in a user
# namespace), file modes and owners, /dev/ptmx and the /dev symlinks; compared with runc.

load helpers
load rootfs-helpers

bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle
}

teardown() {
	teardown_bundle
}

# dev_listing: type, mode, owner, major:minor and name of everything under /dev (no dates).
LIST='ls -ln /dev /dev/pts | awk "NF >= 9 { print \$1, \$3, \$4, \$5, \$6, \$NF }"'

@test "devices: the default /dev matches runc's" {
	both_run sh -c "$LIST"
	assert_same 0
	local want line
	for want in "crw-rw-rw- 0 0 1, 3 null" "crw-rw-rw- 0 0 1, 5 zero" "crw-rw-rw- 0 0 1, 7 full" \
		"crw-rw-rw- 0 0 1, 8 random" "crw-rw-rw- 0 0 1, 9 urandom" "crw-rw-rw- 0 0 5, 0 tty"; do
		grep -qxF "$want" <<<"$CLEAT_OUT" || fail "missing: $want"
	done
	both_run sh -c 'for l in ptmx fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done'
	assert_same 0
	assert_equal "$CLEAT_OUT" "$(printf '%s\n' 'ptmx -> pts/ptmx' 'fd -> /proc/self/fd' \
		'stdin -> /proc/self/fd/0' 'stdout -> /proc/self/fd/1' 'stderr -> /proc/self/fd/2')"
}

@test "devices: the default nodes work" {
	update_config '.process.args = ["sh", "-c", "echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c && (echo x > /dev/full) 2>&1 | grep -c \"No space\""]'
	run -0 cleat run "$(container_id)"
	assert_output $'4\n4\n1'
}

@test "devices: linux.devices with type, mode, owner and nested paths" {
	update_config '.linux.devices = [
		{path: "/dev/mynull", type: "c", major: 1, minor: 3, fileMode: 384, uid: 1000, gid: 1001},
		{path: "/dev/sub/dir/zero", type: "c", major: 1, minor: 5},
		{path: "/dev/myloop", type: "b", major: 7, minor: 0, fileMode: 432},
		{path: "/dev/myfifo", type: "p", fileMode: 420},
		{path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: 384}]
		| .linux.resources.devices = [{allow: true, access: "rwm"}]'
	both_run sh -c "$LIST; ls -ln /dev/sub/dir | tail -n1 | awk '{ print \$1, \$5, \$6 }'"
	assert_same 0
	assert_line "crw------- 1000 1001 1, 3 mynull"
	assert_line "brw-rw---- 0 0 7, 0 myloop"
	assert_line --regexp '^prw-r--r-- 0 0 0 [A-Z]'
	assert_line "crw------- 0 0 1, 3 null"
	assert_line "crw-rw-rw- 1, 5"
}

@test "devices: a device path through an image symlink stays inside the rootfs" {
	local host
	host=$(mktemp -d /tmp/cleat-devices-host.XXXXXX)
	ln -s "$host" rootfs/devlink
	update_config '.linux.devices = [{path: "/devlink/evil", type: "c", major: 1, minor: 3}]'
	run -0 cleat run "$(container_id)"
	local leaked=no
	[ -e "$host/evil" ] && leaked=yes
	rm -rf "$host"
	assert [ "$leaked" = no ]
	assert [ -c "rootfs$host/evil" ]
}

@test "devices: /dev bind-mounted from the host gets no device setup, like runc" {
	update_config '.mounts |= map(select(.destination | startswith("/dev") | not))
		| .mounts += [{destination: "/dev", type: "bind", source: "/dev", options: ["rbind", "nosuid", "noexec"]}]'
	both_run sh -c 'readlink /dev/ptmx || echo not-a-link; test -L /dev/fd && echo fd-link'
	assert_same 0
	# The host's /dev is shown as is: its ptmx is a node, not our symlink.
	assert_line not-a-link
}

@test "devices: in a user namespace devices are bind mounts of the host's nodes" {
	update_config '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.namespaces += [{type: "user"}]
		| .mounts |= map(select(.type != "cgroup"))
		| .linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229}]'
	both_run sh -c 'grep -E " /dev/(null|zero|tty|fuse) " /proc/self/mountinfo | cut -d" " -f4,5; ls -l /dev/null /dev/fuse | awk "{ print \$1, \$5, \$6 }"; echo x > /dev/null && echo wrote'
	assert_same 0
	assert_line "/null /dev/null"
	assert_line "/fuse /dev/fuse"
	assert_line "crw-rw-rw- 1, 3"
	assert_line wrote
}

@test "devices: an unknown device type is refused" {
	update_config '.linux.devices = [{path: "/dev/x", type: "q", major: 1, minor: 3}]'
	run ! cleat run "$(container_id)"
	assert_output --partial ".linux.devices[0].type"
}
