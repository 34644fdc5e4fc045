#!/usr/bin/env bats
# Rootfs mounts with uidmap=/gidmap= under the cleat shim: containerd 2.x's overlay
# snapshotter adds them for a container with a user namespace and remapped snapshot labels
# (what a CRI pod with hostUsers: false gets). The shim mounts overlay on idmapped clones of
# the lower dirs, as containerd-shim-runc-v2 does: file ownership inside equals runc-v2's,
# the temporary idmapped mount is gone once the container is created, nothing is left
# mounted after delete, and a malformed map is refused naming the option.

load helpers
load shim-helpers
load peers/peers

MAP=0:400000:65536

setup_file() { peers_shim_setup_file; }
teardown_file() { peers_shim_teardown_file; }
teardown() { peers_shim_teardown; }

setup() {
	peers_shim_setup
	ID=$(container_id idm)
}

rt_args() {
	case $1 in
	cleat) RTARGS=(--runtime io.containerd.cleat.v2) ;;
	runc) RTARGS=(--runtime io.containerd.runc.v2 --runc-binary "$PEERS_BIN/runc") ;;
	esac
}

# Ownership of image files (lower dirs) and of a new file (upper dir), seen inside.
OWNERS='stat -c "%u:%g %n" / /bin /bin/sh /etc /etc/passwd; touch /new; stat -c "%u:%g %n" /new'

# mapped_run RUNTIME ID ARG...: ctr run in a user namespace with a remapped snapshot.
mapped_run() {
	rt_args "$1"
	local id=$2
	shift 2
	ctr_ run "${RTARGS[@]}" --uidmap "$MAP" --gidmap "$MAP" --remap-labels "$@" 2>/dev/null
}

# mounts_of: mount points under our containerd's directories or of idmapped clones.
mounts_of() {
	awk -v d="$CTRD_DIR" 'index($5, d) == 1 || $5 ~ /ovl-idmapped/ { print $5 }' /proc/self/mountinfo
}

@test "shim-idmap: overlay rootfs with uidmap/gidmap: ownership inside as with runc-v2" {
	local before
	before=$(mounts_of)
	run -0 mapped_run runc "$ID-runc" --rm "$TEST_IMAGE_REF" "$ID-runc" sh -c "$OWNERS"
	local want=$output
	[[ $want == *"0:0 /bin"* ]] ||
		skip "containerd's overlay snapshotter does not remap on this kernel: $want"
	run mapped_run cleat "$ID" --rm "$TEST_IMAGE_REF" "$ID" sh -c "$OWNERS"
	echo "runc-v2: $want"
	assert_success
	assert_output "$want"
	assert_equal "$(mounts_of)" "$before"
}

@test "shim-idmap: the idmapped clone is gone once created; delete leaves nothing mounted" {
	local before
	before=$(mounts_of)
	run -0 mapped_run cleat "$ID" -d "$TEST_IMAGE_REF" "$ID" sleep 1000 </dev/null 3>&-
	wait_status "$ID" RUNNING
	run -0 --separate-stderr ctr_ tasks exec --exec-id e1 "$ID" stat -c "%u:%g" /bin
	assert_output 0:0
	run -0 mounts_of
	refute_output --partial ovl-idmapped
	run -0 ls -A "$(bundle_of "$ID")"
	refute_output --partial ovl-idmapped
	ctr_ tasks kill -s SIGKILL "$ID"
	wait_status "$ID" STOPPED
	run -0 ctr_ tasks delete "$ID"
	run -0 ctr_ containers delete "$ID"
	assert_equal "$(mounts_of)" "$before"
}

@test "shim-idmap: a malformed uidmap is refused naming the option, nothing left mounted" {
	local before
	before=$(mounts_of)
	# A container with a remapped snapshot whose first task has exited; the next task's
	# rootfs mount carries the snapshot's labels again, read when the task is created.
	run -0 mapped_run cleat "$ID" "$TEST_IMAGE_REF" "$ID" true
	# The overlay snapshotter copies this label into the rootfs mount's uidmap= option.
	ctr_ snapshots label "$ID" containerd.io/snapshot/uidmapping=0:400000 >/dev/null
	run ctr_ tasks start "$ID"
	assert_failure
	assert_output --partial "uidmap=0:400000"
	assert_output --partial "containerID:hostID:size"
	assert_equal "$(mounts_of)" "$before"
	run -0 ls -A "$CTRD_DIR/state/io.containerd.runtime.v2.task/$CTR_NAMESPACE"
	refute_output --partial "$ID"
}
