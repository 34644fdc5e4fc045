#!/usr/bin/env bats
# A cleat shim SIGKILLed during Create while the idmapped clone of the overlay lower dirs
# is attached in the bundle (CLEAT_SHIM_FAILPOINT=idmap-attached, under the pinned
# containerd 2.x, whose overlay snapshotter gives uidmap=/gidmap= rootfs mounts): once
# containerd has cleaned up after the dead shim (`shim delete`), no ".ovl-idmapped-*"
# mount and no bundle is left.

load helpers
load shim-helpers
load peers/peers

MAP=0:400000:65536

setup_file() {
	export CLEAT_SHIM_FAILPOINT=idmap-attached
	peers_shim_setup_file
}

teardown_file() { peers_shim_teardown_file; }

setup() {
	peers_shim_setup
	ID=$(container_id idk)
}

teardown() {
	peers_shim_teardown
	# What the code before the fix left: detach it so the next file starts clean.
	local m
	for m in $(awk -v d="${CTRD_DIR:-/nonexistent}" 'index($5, d) == 1 && $5 ~ /ovl-idmapped/ { print $5 }' /proc/self/mountinfo); do
		umount -l "$m"
	done
	true
}

idmapped_mounts() {
	awk -v d="$CTRD_DIR" 'index($5, d) == 1 && $5 ~ /ovl-idmapped/ { print $5 }' /proc/self/mountinfo
}

@test "shim-idmap-kill: a shim killed with the idmapped clone attached leaves no mount or bundle" {
	run ctr_ run --runtime io.containerd.cleat.v2 --uidmap "$MAP" --gidmap "$MAP" --remap-labels \
		--rm "$TEST_IMAGE_REF" "$ID" true
	[ "$status" -ne 0 ] ||
		skip "the container ran: the failpoint was not reached (no uidmap= rootfs mount from the overlay snapshotter on this kernel, or a shim without CLEAT_SHIM_FAILPOINT)"
	echo "ctr run: $output"
	local bundle=$CTRD_DIR/state/io.containerd.runtime.v2.task/$CTR_NAMESPACE/$ID i
	# containerd runs `shim delete` for the dead shim, then removes the bundle.
	for ((i = 0; i < 50; i++)); do
		[ -e "$bundle" ] || break
		sleep 0.2
	done
	run -0 idmapped_mounts
	assert_output ""
	run -0 ls -A "$(dirname "$bundle")"
	refute_output --partial "$ID"
	# The next container of that name starts from a clean bundle directory.
	run -0 ctr_ tasks ls -q
	refute_output --partial "$ID"
}
