# shellcheck shell=bash
# Helpers shared by the rootfs suites (mounts, rootfs, devices, cve-mounts).
# Loaded after helpers: `load helpers; load rootfs-helpers`.

# norm_mountinfo ID...: mountinfo on stdin, without what differs between two runs of the
# same config (mount ids, device numbers, peer group numbers, the container ids given) or
# between runc 1.1 and 1.5: the size of the read-only tmpfs over masked directories
# (runc-15 tests check it with mask_tmpfs_size).
norm_mountinfo() {
	local sedargs=(-e 's/ - tmpfs tmpfs ro,size=4k,nr_inodes=[12]$/ - tmpfs tmpfs ro/') id
	for id in "$@"; do sedargs+=(-e "s|$id|ID|g"); done
	awk '{
		out = $5 " " $4 " " $6
		if (NF < 10) next
		for (i = 7; i <= NF && $i != "-"; i++) { o = $i; sub(/:[0-9]+$/, "", o); out = out " " o }
		out = out " - " $(i + 1) " " $(i + 2) " " $(i + 3)
		print out
	}' | sed "${sedargs[@]:--e s/^//}"
}

# both_mountinfo: both_run `cat /proc/self/mountinfo` and normalize both outputs.
both_mountinfo() {
	both_run cat /proc/self/mountinfo
	RUNC_MI=$(norm_mountinfo "$RUNC_ID" <<<"$RUNC_OUT")
	CLEAT_MI=$(norm_mountinfo "$CLEAT_ID" <<<"$CLEAT_OUT")
}

# assert_same_mountinfo: both succeeded and their normalized mount tables are equal.
assert_same_mountinfo() {
	if [ "$RUNC_STATUS" != 0 ] || [ "$CLEAT_STATUS" != 0 ] || [ "$RUNC_MI" != "$CLEAT_MI" ]; then
		printf '%s (%s): %s\ncleat (%s): %s\n' "$(runc_label)" "$RUNC_STATUS" "$RUNC_ERR" "$CLEAT_STATUS" "$CLEAT_ERR" >&2
		diff <(echo "$RUNC_MI") <(echo "$CLEAT_MI") >&2 || true
		return 1
	fi
}

# mi_line MOUNTPOINT: the normalized line of MOUNTPOINT in $CLEAT_MI (last one wins).
mi_line() {
	awk -v mp="$1" '$1 == mp { l = $0 } END { print l }' <<<"$CLEAT_MI"
}

# host_mounts_under DIR: the host's mount points at or below DIR (must stay empty).
host_mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
}

# add_mount JSON: append a mounts entry.
add_mount() {
	update_config ".mounts += [$1]"
}
