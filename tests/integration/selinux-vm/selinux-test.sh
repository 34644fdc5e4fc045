#!/bin/busybox sh
# PID 1 of the SELinux test VM (see run.sh).  Loads the host's compiled refpolicy
# (permissive), runs bin/probe (probe.sh) in containers under cleat and runc, and
# checks process.selinuxLabel, linux.mountLabel and `exec --process-label` by the
# labels the kernel reports.  Prints TAP between CLEAT-TAP-BEGIN / CLEAT-TAP-END on
# the serial console, then powers off.
. /tests/vm-guest.sh
mount -t selinuxfs selinuxfs /sys/fs/selinux 2>/dev/null

# Labels of the loaded policy (run.sh checks that the types exist in it).
. /tests/labels
# Two probe outputs, but for the session keyring's name (it names the container).
same() { # FILE FILE
	grep -v '^keyring-name=' "$1" >/tmp/same.1
	grep -v '^keyring-name=' "$2" >/tmp/same.2
	cmp -s /tmp/same.1 /tmp/same.2 || { echo "--- $1"; cat "$1"; echo "--- $2"; cat "$2"; return 1; }
}
label() { # PID
	tr -d '\000' <"/proc/$1/attr/current"
}

# The kernel and the policy.
ok "SELinux is the chosen LSM (security/lsm) and selinuxfs is mounted" sh -c \
	'grep -q selinux /sys/kernel/security/lsm && grep -q "/sys/fs/selinux selinuxfs" /proc/mounts'
# Before a policy is loaded every task is "kernel" and the kernel maps any label
# written to attr/exec to "kernel" without an error: SELinux counts as disabled.
ok "no policy yet: every task is \"kernel\"" sh -c '[ "$(tr -d "\000" </proc/self/attr/current)" = kernel ]'
ok "no policy yet: a selinuxLabel fails clearly instead of running as \"kernel\"" sh -c \
	"cd /tests/labeled && ! $C run pre1 </dev/null >/tmp/out.pre1 2>&1 &&
		grep -q 'selinux label is specified in config, but selinux is disabled' /tmp/out.pre1 ||
		{ cat /tmp/out.pre1; false; }"
ok "... and leaves no container behind" sh -c "! $C state pre1 >/dev/null 2>&1"
if $have_runc; then
	ok "runc refuses it the same way" sh -c \
		"cd /tests/labeled && ! $R run pre2 </dev/null >/tmp/out.pre2 2>&1 &&
			grep -q 'selinux label is specified in config, but selinux is disabled' /tmp/out.pre2 ||
			{ cat /tmp/out.pre2; false; }"
else
	skip "runc refuses it the same way" "runc is not installed"
fi
ok "no policy yet: a mountLabel is ignored (no context=)" sh -c \
	"cd /tests/mountinfo && $C run pre3 </dev/null >/tmp/out.pre3 2>&1 && grep -q ' /dev/shm ' /tmp/out.pre3 &&
		! grep -q context= /tmp/out.pre3 || { cat /tmp/out.pre3; false; }"
# Known difference: runc 1.1 formats context= all the same and the kernel refuses it.
$have_runc && echo "# runc, no policy, mountLabel: $(cd /tests/mountinfo && $R run pre4 </dev/null 2>&1 | head -c 300)"
ok "the host's compiled refpolicy loads" sehelper load /tests/policy
ok "... the kernel runs it (policyvers, this shell is kernel_t)" sh -c \
	'grep -q . /sys/fs/selinux/policyvers && [ "$(tr -d "\000" </proc/self/attr/current)" = "system_u:system_r:kernel_t:s0" ]'
echo "# enforce=$(cat /sys/fs/selinux/enforce) mls=$(cat /sys/fs/selinux/mls) policyvers=$(cat /sys/fs/selinux/policyvers)"
ok "cleat features reports selinux enabled" sh -c \
	"cleat features | tr -d ' \n' | grep -q '\"selinux\":{\"enabled\":true}'"
KERNEL_LABEL=$(label $$)

# process.selinuxLabel.
ok "cleat run with process.selinuxLabel" run_probe "$C" labeled c1
ok "attr/current is exactly process.selinuxLabel" has /tmp/out.c1 "current=$PL1"
ok "attr/exec is reset by the execve (the label applied once)" has /tmp/out.c1 "exec="
ok "without selinuxLabel the process keeps the runtime's label" sh -c \
	"cd /tests/plain && $C run p1 </dev/null >/tmp/out.p1 2>&1 && grep -qxF 'current=$KERNEL_LABEL' /tmp/out.p1 || { cat /tmp/out.p1; false; }"
ok "the container's own session keyring (no_new_keyring is false)" has /tmp/out.c1 "keyring-name=_ses.c1"
ok "the session keyring is labelled with process.selinuxLabel (as runc does)" \
	has /tmp/out.c1 "keyring=$PL1"
if $have_runc; then
	ok "runc run with the same config: the same process label" sh -c \
		"cd /tests/labeled && $R run r1 </dev/null >/tmp/out.r1 2>&1 && grep -qxF 'current=$PL1' /tmp/out.r1 || { cat /tmp/out.r1; false; }"
	ok "... and the same probe output, line for line" same /tmp/out.c1 /tmp/out.r1
else
	skip "runc run with the same config: the same process label" "runc is not installed"
	skip "... and the same probe output" "runc is not installed"
fi

# linux.mountLabel.
ok "cleat run with linux.mountLabel" run_probe "$C" mountlabel m1
ok "the container's /dev tmpfs has the mount label" has /tmp/out.m1 "/dev=$ML"
ok "/dev/shm has the mount label" has /tmp/out.m1 "/dev/shm=$ML"
ok "/dev/mqueue has the mount label" has /tmp/out.m1 "/dev/mqueue=$ML"
ok "/dev/pts has the mount label" has /tmp/out.m1 "/dev/pts=$ML"
ok "a masked directory's tmpfs (/sys/firmware) has the mount label" has /tmp/out.m1 "/sys/firmware=$ML"
ok "a tmpfs from config.mounts (/tmp) has the mount label" has /tmp/out.m1 "/tmp=$ML"
bind_unlabeled() {
	grep -q '^/mnt=[a-z_]*:object_r:' /tmp/out.m1 && ! grep -qxF "/mnt=$ML" /tmp/out.m1 ||
		{ cat /tmp/out.m1; return 1; }
}
ok "a bind mount (/mnt) keeps its source's label" bind_unlabeled
unlabeled_proc_sys() {
	[ "$(grep -cE '^/(proc|sys)=[a-z_]+:object_r:' /tmp/out.m1)" = 2 ] &&
		! grep -E '^/(proc|sys)=' /tmp/out.m1 | grep -qF "$ML" || { cat /tmp/out.m1; return 1; }
}
ok "/proc and /sys keep their own labels" unlabeled_proc_sys
ok "the mount data carries context= (mountinfo)" sh -c \
	"cd /tests/mountinfo && $C run mi1 </dev/null >/tmp/out.mi1 2>&1 && grep ' /dev/shm ' /tmp/out.mi1 | grep -qF 'context=\"$ML\"' || { cat /tmp/out.mi1; false; }"
if $have_runc; then
	runc_mountlabel() {
		run_probe "$R" mountlabel rm1 && same /tmp/out.m1 /tmp/out.rm1
	}
	ok "runc with the same mountLabel: the same labels, line for line" runc_mountlabel
else
	skip "runc with the same mountLabel" "runc is not installed"
fi
# In a user namespace: tmpfs and devpts take context= there too, mqueue its xattr.
userns_labels() {
	run_probe "$C" userns u1 && has /tmp/out.u1 "current=$PL1" && has /tmp/out.u1 "keyring=$PL1" &&
		for d in /dev /dev/shm /dev/mqueue /dev/pts /sys/firmware; do
			has /tmp/out.u1 "$d=$ML" || return 1
		done
}
ok "in a user namespace: the process label, and the mount label on /dev, shm, mqueue, pts" userns_labels
if $have_runc; then
	ok "runc runs the same user-namespaced config" sh -c \
		"cd /tests/userns && $R run u2 </dev/null >/tmp/out.u2 2>&1 || { cat /tmp/out.u2; false; }"
	ok "... with the same labels, line for line" same /tmp/out.u1 /tmp/out.u2
else
	skip "runc runs the same user-namespaced config" "runc is not installed"
	skip "... with the same labels" "runc is not installed"
fi
# Unlabelled /dev mounts, for the record: what the policy gives them.
(cd /tests/plain && $C run p2 </dev/null >/tmp/out.p2 2>&1)
sed -n 's/^/# without labels: /p' /tmp/out.p2

# Labels the policy does not know.
ok "cleat run with an invalid selinuxLabel fails, naming it" \
	fails_naming /tmp/out.b1 "$BAD" sh -c "cd /tests/badlabel && $C run b1"
echo "# cleat: $(head -c 300 /tmp/out.b1)"
ok "... and leaves no container behind" sh -c "! $C state b1 >/dev/null 2>&1 && ! ls /run/cleat/b1 2>/dev/null"
if $have_runc; then
	ok "runc fails for it too" sh -c "cd /tests/badlabel && ! $R run rb1 >/tmp/out.rb1 2>&1 </dev/null"
	echo "# runc: $(head -c 300 /tmp/out.rb1)"
else
	skip "runc fails for it too" "runc is not installed"
fi
ok "cleat run with an invalid mountLabel fails" sh -c \
	"cd /tests/badmount && ! $C run b2 </dev/null >/tmp/out.b2 2>&1"
echo "# cleat: $(head -c 300 /tmp/out.b2)"
ok "... and leaves no container behind" sh -c "! $C state b2 >/dev/null 2>&1 && ! ls /run/cleat/b2 2>/dev/null"

# exec --process-label.
ok "start a container with process.selinuxLabel" start "$C" sleeper s1
ok "its init runs with the label" sh -c \
	"[ \"\$(tr -d '\\000' </proc/\$($C state s1 | grep '\"pid\"' | tr -dc 0-9)/attr/current)\" = '$PL1' ]"
ok "cleat exec --process-label gives the exec'd process that label" \
	exec_probe "$C" e1 --process-label "$PL2" s1 probe
ok "... exactly" has /tmp/out.e1 "current=$PL2"
ok "cleat exec without --process-label inherits process.selinuxLabel" exec_probe "$C" e2 s1 probe
ok "... exactly" has /tmp/out.e2 "current=$PL1"
ok "cleat exec --process-label with an invalid label fails, naming it" \
	fails_naming /tmp/out.e3 "$BAD" $C exec --process-label "$BAD" s1 true
echo "# cleat exec: $(head -c 300 /tmp/out.e3)"
ok "... and the container keeps running" sh -c "$C state s1 | grep -q '\"running\"'"
if $have_runc; then
	runc_exec() {
		start "$R" sleeper rs1 &&
			exec_probe "$R" re1 --process-label "$PL2" rs1 probe && has /tmp/out.re1 "current=$PL2" &&
			exec_probe "$R" re2 rs1 probe && has /tmp/out.re2 "current=$PL1"
	}
	ok "runc exec agrees: --process-label, inherited" runc_exec
	# Known difference: runc's exec joins the container's session keyring (_ses.ID,
	# labelled with process.selinuxLabel: runc's init made it searchable); cleat's exec
	# keeps the caller's.
	grep -E '_ses\.(s1|rs1)' /proc/keys | sed 's/^/# \/proc\/keys: /'
	for f in e1 e2; do
		cmp -s /tmp/out.$f /tmp/out.r$f || {
			echo "# cleat exec ($f) and runc exec differ:"
			diff /tmp/out.$f /tmp/out.r$f | grep '^[-+][a-z/]' | sed 's/^/#   /'
		}
	done
	$R delete --force rs1 >/dev/null 2>&1
else
	skip "runc exec agrees" "runc is not installed"
fi
ok "delete the container" $C delete --force s1

vm_guest_end
