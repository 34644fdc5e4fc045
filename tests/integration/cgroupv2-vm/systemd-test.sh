#!/bin/bash
# Runs at boot under systemd (cleat-sdtest.service, see systemd-vm.sh): the systemd cgroup
# driver against a real systemd as PID 1.  TAP goes to the serial console between markers.
exec > >(tee /root/sdtest.tap >/dev/ttyS0) 2>&1
TAP_TIMEOUT=60
. /root/vm-tap.sh
C="cleat --systemd-cgroup --root /run/cleat"
prop() { systemctl show -P "$2" "$1"; }
mode=v1; [ -e /sys/fs/cgroup/cgroup.controllers ] && mode=v2
echo "# systemd $(systemctl --version | head -1), cgroup $mode"
cd /root/bundle
# A detached container keeps the stdio it was given: not our capture pipe.
ok "run -d with --systemd-cgroup" bash -c "$C run -d sd1 </dev/null >/tmp/run.log 2>&1 || { cat /tmp/run.log; false; }"
ok "scope is active" test "$(prop cleat-sd1.scope ActiveState)" = active
ok "Delegate=yes" test "$(prop cleat-sd1.scope Delegate)" = yes
ok "scope in system.slice" test "$(prop cleat-sd1.scope Slice)" = system.slice
pid=$($C state sd1 | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
ok "init pid in the scope" grep -q "system.slice/cleat-sd1.scope" /proc/$pid/cgroup
# exec_ro CMD...: CMD in a mount namespace where every cgroup mount is read-only.
exec_ro() {
	unshare -m bash -c 'awk '\''{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) ~ /^cgroup/) print $5; break } }'\'' /proc/self/mountinfo |
		while read -r m; do mount -o remount,bind,ro "$m" || exit 1; done && exec "$@"' exec_ro "$@"
}
export -f exec_ro
# runc 1.5 asks systemd to move an exec'd process into the scope: no cgroupfs write needed.
ok "exec with a read-only cgroupfs: systemd moves it into the scope" bash -c "exec_ro $C exec sd1 cat /proc/self/cgroup >/tmp/ex.log 2>&1; cat /tmp/ex.log; grep -q 'system.slice/cleat-sd1.scope' /tmp/ex.log && ! grep -q '^cleat:' /tmp/ex.log"
ok "TasksMax=50" test "$(prop cleat-sd1.scope TasksMax)" = 50
ok "DevicePolicy=strict (runc's default deny-all)" test "$(prop cleat-sd1.scope DevicePolicy)" = strict
ok "DeviceAllow has /dev/null (1:3 rwm)" bash -c "v=\$(systemctl show -p DeviceAllow cleat-sd1.scope); echo \"\$v\"; echo \"\$v\" | grep -q '/dev/char/1:3 rwm'"
if [ $mode = v2 ]; then
	G=/sys/fs/cgroup/system.slice/cleat-sd1.scope
	ok "MemoryMax property" test "$(prop cleat-sd1.scope MemoryMax)" = 67108864
	ok "memory.max file" test "$(cat $G/memory.max)" = 67108864
	ok "CPUWeight property (shares 512)" test "$(prop cleat-sd1.scope CPUWeight)" = 59
	ok "cpu.max file" test "$(cat $G/cpu.max)" = "50000 100000"
	ok "pids.max file" test "$(cat $G/pids.max)" = 50
else
	ok "MemoryLimit property" test "$(prop cleat-sd1.scope MemoryLimit)" = 67108864
	ok "memory.limit_in_bytes" test "$(cat /sys/fs/cgroup/memory/system.slice/cleat-sd1.scope/memory.limit_in_bytes)" = 67108864
	ok "CPUShares property" test "$(prop cleat-sd1.scope CPUShares)" = 512
	ok "cpu.cfs_quota_us" test "$(cat /sys/fs/cgroup/cpu,cpuacct/system.slice/cleat-sd1.scope/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu/system.slice/cleat-sd1.scope/cpu.cfs_quota_us)" = 50000
fi
ok "CPUQuotaPerSecUSec=500ms" test "$(prop cleat-sd1.scope CPUQuotaPerSecUSec)" = 500ms
ok "update --memory 128m --pids-limit 70" $C update --memory 128m --pids-limit 70 sd1
ok "TasksMax after update" test "$(prop cleat-sd1.scope TasksMax)" = 70
if [ $mode = v2 ]; then
	ok "MemoryMax after update" test "$(prop cleat-sd1.scope MemoryMax)" = 134217728
	ok "memory.max after update" test "$(cat $G/memory.max)" = 134217728
else
	ok "MemoryLimit after update" test "$(prop cleat-sd1.scope MemoryLimit)" = 134217728
fi
[ $mode = v1 ] && echo "# devices.list before daemon-reload: $(tr '\n' ',' </sys/fs/cgroup/devices/system.slice/cleat-sd1.scope/devices.list)"
ok "daemon-reload keeps the limits" bash -c "systemctl daemon-reload && test \"\$(systemctl show -P TasksMax cleat-sd1.scope)\" = 70"
if [ $mode = v1 ]; then
	D=/sys/fs/cgroup/devices/system.slice/cleat-sd1.scope/devices.list
	ok "after daemon-reload the devices whitelist stands" bash -c "cat $D; ! grep -q 'a \*:\* rwm' $D && grep -q 'c 1:3 rwm' $D"
fi
ok "pause/resume" bash -c "$C pause sd1 && $C state sd1 | grep -q paused && $C resume sd1 && $C state sd1 | grep -q running"
ok "delete --force" $C delete --force sd1
ok "scope gone" bash -c "! systemctl is-active -q cleat-sd1.scope"
ok "cgroup dir gone" bash -c "! ls -d /sys/fs/cgroup/*/system.slice/cleat-sd1.scope /sys/fs/cgroup/system.slice/cleat-sd1.scope 2>/dev/null | grep -q ."
tap_end
sleep 1
systemctl poweroff --no-block
