#!/bin/busybox sh
# PID 1 of the AppArmor test VM (see run.sh).  Loads profiles/cleat-test-deny, runs
# bin/probe (probe.sh) in containers under cleat and runc, and checks what the
# process's confinement is and does.  Prints TAP between CLEAT-TAP-BEGIN /
# CLEAT-TAP-END on the serial console, then powers off.
. /tests/vm-guest.sh
PROBE_CLEAN=/tests/rootfs/tmp
same() { # FILE FILE
	cmp -s "$1" "$2" || { echo "--- $1"; cat "$1"; echo "--- $2"; cat "$2"; return 1; }
}

# The kernel and the profile.
ok "AppArmor is enabled and listed in security/lsm" sh -c \
	'grep -qx Y /sys/module/apparmor/parameters/enabled && grep -q apparmor /sys/kernel/security/lsm'
ok "cleat features reports apparmor enabled" sh -c \
	"cleat features | tr -d ' \n' | grep -q '\"apparmor\":{\"enabled\":true}'"
ok "apparmor_parser loads cleat-test-deny in enforce mode" sh -c \
	'apparmor_parser -r -K /tests/cleat-test-deny && grep -qx "cleat-test-deny (enforce)" /sys/kernel/security/apparmor/profiles'

# What bin/probe prints under cleat-test-deny, and unconfined.
cat >/tmp/want.confined <<'WANT'
current=cleat-test-deny (enforce)
apparmor/current=cleat-test-deny (enforce)
write-deny=failed: sh: can't create /tmp/deny-probe: Permission denied
write-allow=ok
read-secret=failed: cat: can't open '/etc/cleat-secret': Permission denied
WANT
cat >/tmp/want.unconfined <<'WANT'
current=unconfined
apparmor/current=unconfined
write-deny=ok
write-allow=ok
read-secret=ok
WANT

# process.apparmorProfile.
ok "cleat run with process.apparmorProfile = cleat-test-deny" run_probe "$C" confined c1
ok "attr/current names the profile, in enforce mode" has /tmp/out.c1 "current=cleat-test-deny (enforce)"
ok "attr/apparmor/current names it too" has /tmp/out.c1 "apparmor/current=cleat-test-deny (enforce)"
ok "a write the profile denies fails with EACCES" \
	has /tmp/out.c1 "write-deny=failed: sh: can't create /tmp/deny-probe: Permission denied"
ok "... and creates no file" test ! -e /tests/rootfs/tmp/deny-probe
ok "a read the profile denies fails with EACCES" matches /tmp/out.c1 "read-secret=failed: .*Permission denied"
allowed_write() {
	has /tmp/out.c1 write-allow=ok && [ "$(cat /tests/rootfs/tmp/allow-probe)" = x ]
}
ok "an allowed write works" allowed_write
ok "the probe's whole output is the confined one" same /tmp/out.c1 /tmp/want.confined
unconfined_run() {
	run_probe "$C" plain p1 && same /tmp/out.p1 /tmp/want.unconfined
}
ok "without apparmorProfile the process is unconfined and nothing is denied" unconfined_run
profile_unconfined() {
	run_probe "$C" unconfined u1 && same /tmp/out.u1 /tmp/want.unconfined
}
ok "apparmorProfile = unconfined runs unconfined" profile_unconfined
runc_run() {
	run_probe "$R" confined r1 && same /tmp/out.r1 /tmp/out.c1
}
if $have_runc; then
	ok "runc run under the same profile: the same output, line for line" runc_run
else
	skip "runc run under the same profile: the same output" "runc is not installed"
fi

# A profile that is not loaded.
ok "cleat run with a profile that is not loaded fails, naming it" \
	fails_naming /tmp/out.m1 '"cleat-no-such-profile"' sh -c "cd /tests/missing && $C run m1"
echo "# cleat: $(head -c 300 /tmp/out.m1)"
ok "... and leaves no container behind" sh -c "! $C state m1"
if $have_runc; then
	ok "runc fails for it too" sh -c "cd /tests/missing && ! $R run m2 >/tmp/out.m2 2>&1 </dev/null"
	echo "# runc: $(head -c 300 /tmp/out.m2)"
else
	skip "runc fails for it too" "runc is not installed"
fi

# exec --apparmor, and what exec inherits.
exec_same() { # ID WANT-FILE EXEC-ARGS...
	id=$1 want=$2
	shift 2
	exec_probe "$C" "$id" "$@" && same "/tmp/out.$id" "$want"
}
ok "start an unconfined container" start "$C" sleeper s1
ok "cleat exec --apparmor cleat-test-deny confines the exec'd process" \
	exec_same e1 /tmp/want.confined --apparmor cleat-test-deny s1 probe
ok "cleat exec without --apparmor stays unconfined" exec_same e2 /tmp/want.unconfined s1 probe
ok "cleat exec --apparmor with a profile that is not loaded fails, naming it" \
	fails_naming /tmp/out.e3 '"cleat-no-such-profile"' $C exec --apparmor cleat-no-such-profile s1 true
echo "# cleat exec: $(head -c 300 /tmp/out.e3)"
ok "... and the container keeps running" sh -c "$C state s1 | grep -q '\"running\"'"
ok "start a container under the profile" start "$C" sleeper-confined s2
ok "cleat exec inherits the container's apparmorProfile" exec_same e4 /tmp/want.confined s2 probe
ok "cleat exec --apparmor unconfined overrides it" \
	exec_same e5 /tmp/want.unconfined --apparmor unconfined s2 probe
runc_exec() {
	start "$R" sleeper rs1 && start "$R" sleeper-confined rs2 &&
		exec_probe "$R" re1 --apparmor cleat-test-deny rs1 probe && same /tmp/out.re1 /tmp/out.e1 &&
		exec_probe "$R" re4 rs2 probe && same /tmp/out.re4 /tmp/out.e4 &&
		exec_probe "$R" re5 --apparmor unconfined rs2 probe && same /tmp/out.re5 /tmp/out.e5
}
if $have_runc; then
	ok "runc exec agrees: --apparmor, inherited, overridden" runc_exec
	$R delete --force rs1 >/dev/null 2>&1
	$R delete --force rs2 >/dev/null 2>&1
else
	skip "runc exec agrees" "runc is not installed"
fi
# SELinux is built into this kernel but AppArmor was chosen: its labels are refused.
selinux_refused() {
	! grep -q selinuxfs /proc/filesystems &&
		! (cd /tests/selinux && $C run se1 </dev/null >/tmp/out.se1 2>&1) &&
		grep -q "selinux label is specified in config, but selinux is disabled" /tmp/out.se1 ||
		{ cat /tmp/out.se1; return 1; }
}
ok "a selinuxLabel fails clearly under AppArmor" selinux_refused
mountlabel_ignored() {
	(cd /tests/mountlabel && $C run ml1 </dev/null >/tmp/out.ml1 2>&1) &&
		grep -q ' /dev/shm ' /tmp/out.ml1 && ! grep -q context= /tmp/out.ml1 ||
		{ cat /tmp/out.ml1; return 1; }
}
ok "a mountLabel is ignored under AppArmor" mountlabel_ignored
ok "delete the containers" sh -c "$C delete --force s1 && $C delete --force s2"

vm_guest_end
