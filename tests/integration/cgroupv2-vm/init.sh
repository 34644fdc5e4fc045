#!/bin/busybox sh
# PID 1 of the cgroup v2 test VM (see run.sh): only cgroup2 is mounted.  Prints TAP
# between CLEAT-TAP-BEGIN / CLEAT-TAP-END on the serial console, then powers off.
. /tests/vm-guest.sh
[ -e /modules/brd.ko ] && insmod /modules/brd.ko rd_nr=1 rd_size=4096
G=/sys/fs/cgroup
is() { # FILE EXPECTED
	got=$(cat "$1" 2>&1)
	[ "$got" = "$2" ] || { echo "$1: got '$got', want '$2'"; return 1; }
}
run_d() { # BUNDLE ID
	(cd "/tests/$1" && $C run -d "$2" </dev/null >/tmp/$2.log 2>&1) || { cat /tmp/$2.log; return 1; }
}

ok "cgroup2 is the only cgroup mount" sh -c '! grep -q " cgroup " /proc/self/mountinfo && grep -q " cgroup2 " /proc/self/mountinfo'
ok "create a container with resources" run_d res res
ok "cpu.max" is $G/cleat/res/cpu.max "50000 100000"
ok "cpu.weight (shares 1024)" is $G/cleat/res/cpu.weight 100
ok "memory.max" is $G/cleat/res/memory.max 67108864
ok "memory.low (reservation)" is $G/cleat/res/memory.low 16777216
ok "memory.swap.max = swap - limit" is $G/cleat/res/memory.swap.max 33554432
ok "memory.high from unified" is $G/cleat/res/memory.high 104857600
ok "pids.max" is $G/cleat/res/pids.max 50
ok "cpuset.cpus" is $G/cleat/res/cpuset.cpus 1
ok "io.max" is $G/cleat/res/io.max "1:0 rbps=1048576 wbps=max riops=max wiops=300"
ok "hugetlb.2MB.max" is $G/cleat/res/hugetlb.2MB.max 4194304
ok "the init is in the cgroup" sh -c "grep -qx \"\$($C state res | sed -n 's/.*\"pid\": *\\([0-9]*\\).*/\\1/p')\" $G/cleat/res/cgroup.procs"
ok "a device cgroup eBPF program is attached" sh -c "ls /sys/fs/cgroup/cleat/res >/dev/null"
ok "pause freezes (cgroup.freeze, cgroup.events)" sh -c "$C pause res && grep -qx 1 $G/cleat/res/cgroup.freeze && grep -qx 'frozen 1' $G/cleat/res/cgroup.events && $C state res | grep -q paused"
ok "resume thaws" sh -c "$C resume res && grep -qx 'frozen 0' $G/cleat/res/cgroup.events && $C state res | grep -q running"
ok "update --memory --cpu-quota --pids-limit" sh -c "$C update --memory 128m --cpu-quota 20000 --cpu-period 100000 --pids-limit 10 --cpu-share 2048 res"
ok "memory.max after update" is $G/cleat/res/memory.max 134217728
ok "cpu.max after update" is $G/cleat/res/cpu.max "20000 100000"
ok "cpu.weight after update (shares 2048)" is $G/cleat/res/cpu.weight 174
ok "pids.max after update" is $G/cleat/res/pids.max 10
ok "update --resources - (memory -1 → max)" sh -c "echo '{\"memory\":{\"limit\":-1}}' | $C update -r - res"
ok "memory.max is max" is $G/cleat/res/memory.max max
ok "update to cpus outside the set fails clearly" sh -c "! $C update --cpuset-cpus 7 res 2>/tmp/e && grep -q 'cpuset.cpus \"7\"' /tmp/e"
ok "events --stats" sh -c "$C events --stats res | grep -q '\"pids\":{\"current\":1,\"limit\":10}'"
ok "ps --format json" sh -c "$C ps --format json res | grep -q '^\[[0-9]*\]$'"
ok "delete removes the cgroup" sh -c "$C delete --force res && [ ! -e $G/cleat/res ]"
ok "eBPF: a device without a rule can't be opened" sh -c "cd /tests/devdeny && $C run devdeny >/tmp/o 2>&1; grep -q 'Operation not permitted' /tmp/o && grep -q rc=1 /tmp/o && grep -qx 1 /tmp/o || { cat /tmp/o; false; }"
ok "eBPF: an allow rule lets it be opened" sh -c "cd /tests/devallow && $C run devallow >/tmp/o 2>&1; grep -q rc=0 /tmp/o || { cat /tmp/o; false; }"
ok "kill --all (cgroup.kill)" sh -c "(cd /tests/many && $C run -d many </dev/null >/dev/null 2>&1) && sleep 0.5 && [ \$(wc -l < $G/cleat/many/cgroup.procs) -eq 3 ] && $C kill --all many KILL && sleep 0.5 && [ -z \"\$(cat $G/cleat/many/cgroup.procs)\" ] && $C delete many && [ ! -e $G/cleat/many ]"
ok "cpus outside the set: create fails and leaves no cgroup" sh -c "cd /tests/bad && ! $C run -d bad </dev/null >/tmp/o 2>&1 && grep -q 'outside the allowed set' /tmp/o && [ ! -e $G/cleat/bad ] || { cat /tmp/o; false; }"
ok "default cgroupsPath is /<id>" sh -c "(cd /tests/def && $C run -d def </dev/null >/dev/null 2>&1) && [ -d $G/def ] && $C delete --force def && [ ! -e $G/def ]"
ok "cgroup namespace: the init sees its cgroup as the root" sh -c "cd /tests/cgns && $C run cgns >/tmp/o 2>&1 && grep -qx '0::/' /tmp/o && [ ! -e $G/cleat/cgns ] || { cat /tmp/o; false; }"
ok "user namespace: the init is in the cgroup, uids mapped" sh -c "cd /tests/userns && $C run userns >/tmp/o 2>&1 && grep -qx '0::/cleat/userns' /tmp/o && grep -q ' 100000 ' /tmp/o && [ ! -e $G/cleat/userns ] || { cat /tmp/o; false; }"
# The helper that clones the init is not counted against pids.limit (runc 1.5 runs these).
ok "pids.limit 1: run" run_d pids1 pids1
ok "pids.limit 1: pids.max" is $G/cleat/pids1/pids.max 1
ok "pids.limit 1: the limit holds" sh -c "! $C exec pids1 true"
ok "pids.limit 1: delete" sh -c "$C delete --force pids1 && [ ! -e $G/cleat/pids1 ]"
ok "pids.limit 0 with a user namespace: run" run_d pids0userns pids0userns
ok "pids.limit 0 with a user namespace: pids.max" is $G/cleat/pids0userns/pids.max 1
ok "pids.limit 0 with a user namespace: delete" sh -c "$C delete --force pids0userns && [ ! -e $G/cleat/pids0userns ]"

# Last, as it leaves cgroup2: a cgroup v1 layout whose cpuset is mounted with noprefix
# ("cpus", not "cpuset.cpus"), which runc supports since 1.3.  cpuset leaves the cgroup2
# tree first (the kernel binds a controller to one hierarchy).
v1_noprefix() {
	rmdir $G/cleat 2>/dev/null
	echo -cpuset >$G/cgroup.subtree_control && umount $G && mount -t tmpfs cgroup $G &&
		mkdir $G/cpuset $G/devices $G/freezer || return 1
	i=0
	until mount -t cgroup -o cpuset,noprefix cgroup $G/cpuset 2>/tmp/m; do
		i=$((i + 1))
		[ $i -lt 50 ] || { cat /tmp/m; return 1; }
		sleep 0.1
	done
	mount -t cgroup -o devices cgroup $G/devices && mount -t cgroup -o freezer cgroup $G/freezer &&
		[ -e $G/cpuset/cpus ] && [ ! -e $G/cpuset/cpuset.cpus ]
}
ok "cgroup v1 with cpuset mounted noprefix" v1_noprefix
ok "noprefix: run with linux.resources.cpu.cpus" run_d noprefix noprefix
ok "noprefix: cpus written" is $G/cpuset/cleat/noprefix/cpus 1
ok "noprefix: events --stats reads cpus" sh -c "$C events --stats noprefix | grep -q '\"cpus\":\[1\]'"
ok "noprefix: delete removes it" sh -c "$C delete --force noprefix && [ ! -e $G/cpuset/cleat/noprefix ]"
vm_guest_end
