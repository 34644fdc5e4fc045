#!/bin/busybox sh
# PID 1 of the NUMA test VM (see run.sh): two memory nodes.  TAP on the console.
. /tests/vm-guest.sh

# ID WORDS...: run the bundle ID, its output (one numa_maps line) has every WORD.
policy() {
	id=$1
	shift
	run_probe "$C" "$id" "$id" || return 1
	for w in "$@"; do
		grep -q -- "$w" "/tmp/out.$id" || { echo "no '$w' in:"; cat "/tmp/out.$id"; return 1; }
	done
}
# ID WORD: the output of the bundle ID does not have WORD.
lacks() {
	! grep -q -- "$2" "/tmp/out.$1" || { echo "'$2' in:"; cat "/tmp/out.$1"; return 1; }
}

ok "the VM has two memory nodes" sh -c '[ -d /sys/devices/system/node/node1 ] && ! [ -d /sys/devices/system/node/node2 ]'
ok "MPOL_BIND to node 1: the policy, pages on node 1" policy bind1 " bind:1 " " N1="
ok "MPOL_BIND to node 1: no page on node 0" lacks bind1 " N0="
ok "MPOL_INTERLEAVE over nodes 0-1" policy interleave " interleave:0-1 "
ok "without memoryPolicy: default" policy none " default "
ok "MPOL_BIND to a missing node 2 fails naming set_mempolicy" \
	fails_naming /tmp/out.bind2 "set_mempolicy(MPOL_BIND, 2)" sh -c "cd /tests/bind2 && $C run bind2"
ok "nothing is left of the failed container" sh -c "! $C state bind2 >/dev/null 2>&1"
vm_guest_end
