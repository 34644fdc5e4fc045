# Sourced by the PID 1 scripts of the qemu test VMs (cgroupv2-vm/init.sh,
# lsm-vm/lsm-test.sh, selinux-vm/selinux-test.sh; each run.sh copies this file to
# /tests/vm-guest.sh): the guest's mounts and probe helpers; the TAP emitters (ok, skip)
# are vm-tap.sh's.  busybox sh.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp

C="cleat --root /run/cleat"
R="runc --root /run/runc"
have_runc=false
[ -x /bin/runc ] && have_runc=true
. /tests/vm-tap.sh

# A line of a file, exactly (has) or as a regular expression (matches).
has() { # FILE LINE
	grep -qxF "$2" "$1" || { echo "no line '$2' in:"; cat "$1"; return 1; }
}
matches() { # FILE REGEX
	grep -qx "$2" "$1" || { echo "no line matching '$2' in:"; cat "$1"; return 1; }
}
# Probes in containers; PROBE_CLEAN, when set, is emptied before each (a directory of
# the shared rootfs the probe writes to).
probe_clean() {
	[ -n "${PROBE_CLEAN:-}" ] && rm -f "$PROBE_CLEAN"/*
	return 0
}
# RUNTIME BUNDLE ID: run the container in the foreground, its output in /tmp/out.ID.
run_probe() {
	probe_clean
	(cd "/tests/$2" && $1 run "$3" </dev/null >"/tmp/out.$3" 2>&1) || { cat "/tmp/out.$3"; return 1; }
}
# RUNTIME ID EXEC-ARGS...: exec in a running container, its output in /tmp/out.ID.
exec_probe() {
	rt=$1 id=$2
	shift 2
	probe_clean
	$rt exec "$@" </dev/null >"/tmp/out.$id" 2>&1 || { cat "/tmp/out.$id"; return 1; }
}
# OUTPUT-FILE WORD COMMAND...: the command fails, and its output names WORD.
fails_naming() {
	f=$1 w=$2
	shift 2
	if "$@" </dev/null >"$f" 2>&1; then
		echo "succeeded:"
		cat "$f"
		return 1
	fi
	grep -qF "$w" "$f" || { echo "no '$w' in:"; cat "$f"; return 1; }
}
start() { # RUNTIME BUNDLE ID: run -d
	(cd "/tests/$2" && $1 run -d "$3" </dev/null >"/tmp/start.$3" 2>&1) || { cat "/tmp/start.$3"; return 1; }
}
# The plan and the end marker, then power off.
vm_guest_end() {
	tap_end
	poweroff -f
}
