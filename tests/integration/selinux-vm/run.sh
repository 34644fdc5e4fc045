#!/bin/bash
# SELinux for real: boot Debian's kernel with SELinux chosen (permissive) under qemu,
# with an initramfs holding busybox, the built `cleat`, runc (when installed), the
# host's compiled refpolicy (selinux-policy-default) and sehelper (built here: loads
# the policy, reads security.selinux xattrs and the session keyring's label).
# selinux-test.sh checks process.selinuxLabel, linux.mountLabel and
# `exec --process-label` against runc.  Prints the guest's TAP.  The host kernel needs
# no SELinux; nothing is downloaded.  Skips (TAP "1..0 # SKIP reason") only where
# qemu, a kernel with SELinux, busybox-static, a static C toolchain or the policy are
# missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../vm-host.bash"
CC=${CC:-cc}
POLICY=${CLEAT_SELINUX_POLICY:-$(ls -1 /etc/selinux/default/policy/policy.* 2>/dev/null | sort -V | tail -1)}

[ "$(id -u)" -eq 0 ] || skip "needs root"
vm_require cpio jq gzip ldd "$CC"
vm_kconfig SECURITY_SELINUX
[ -n "$POLICY" ] && [ -r "$POLICY" ] ||
	skip "no compiled SELinux policy in /etc/selinux/default/policy (apt-get install selinux-policy-default)"

vm_workdir selinuxvm
"$CC" -static -O2 -o "$work/sehelper" "$here/sehelper.c" >"$work/cc.log" 2>&1 ||
	skip "cannot build a static binary with $CC: $(head -c 200 "$work/cc.log")"

# The labels the tests use: types of the refpolicy's virt module (Debian's policy has
# no container module), MCS categories (Debian's policy is MCS).  A type name is
# stored whole in the binary policy: a missing one is a skip, not a failure.
PL1=system_u:system_r:svirt_t:s0:c1,c2
PL2=system_u:system_r:svirt_t:s0:c3,c4
ML=system_u:object_r:svirt_image_t:s0:c1,c2
BAD=system_u:system_r:cleat_no_such_t:s0
for t in svirt_t svirt_image_t kernel_t; do
	grep -aq "$t" "$POLICY" || skip "$POLICY has no type $t"
done

cp "$work/sehelper" "$ir/bin/sehelper"
install_bin "$CLEAT" /bin/cleat || fail "cannot copy $CLEAT"
[ -n "$RUNC" ] && [ -x "$RUNC" ] && { install_bin "$RUNC" /bin/runc || fail "cannot copy $RUNC"; }
cp "$POLICY" "$ir/tests/policy"
printf 'PL1=%s\nPL2=%s\nML=%s\nBAD=%s\n' "$PL1" "$PL2" "$ML" "$BAD" >"$ir/tests/labels"

vm_rootfs sh sleep cat echo true tr
cp "$work/sehelper" "$rootfs/bin/sehelper"
cp "$here/probe.sh" "$rootfs/bin/probe"
chmod 755 "$rootfs/bin/probe"
vm_base '.root.readonly = false | .process.args = ["probe"] | del(.linux.cgroupsPath)'
MKBUNDLE_ARGS=(--arg pl1 "$PL1" --arg ml "$ML" --arg bad "$BAD")
mkbundle labeled '.process.selinuxLabel = $pl1'
mkbundle plain '.'
mkbundle sleeper '.process.selinuxLabel = $pl1 | .process.args = ["sleep", "1000"]'
# A tmpfs of the config's own gets the mount label too; a bind keeps its source's.
mkdir -p "$rootfs/mnt" "$ir/tests/bindsrc"
mounts='.mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]},
	{"destination": "/mnt", "type": "bind", "source": "/tests/bindsrc", "options": ["rbind", "ro"]}]'
mkbundle mountlabel ".linux.mountLabel = \$ml | $mounts"
mkbundle mountinfo ".linux.mountLabel = \$ml | $mounts | .process.args = [\"cat\", \"/proc/self/mountinfo\"]"
mkbundle userns '.process.selinuxLabel = $pl1 | .linux.mountLabel = $ml
	| .linux.namespaces += [{"type": "user"}]
	| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
	| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
mkbundle badlabel '.process.selinuxLabel = $bad | .process.args = ["true"]'
mkbundle badmount '.linux.mountLabel = $bad | .process.args = ["true"]'

vm_initramfs selinux-test.sh
# security=selinux: SELinux instead of the kernel's default AppArmor; enforcing=0:
# permissive (labels are set and reported all the same, and the test policy needs no
# rules for the test's domains).  A run takes about 20 s.
boot() {
	vm_boot "${CLEAT_VM_TIMEOUT:-150}" 768 "security=selinux selinux=1 enforcing=0"
}
boot
rc=$?
# Once in many runs a loaded host left the emulated guest stuck before it reached the
# tests (nothing but the firmware on the console): boot once more, saying so.
if ! grep -q 'CLEAT-TAP-BEGIN' "$log"; then
	echo "# the VM did not reach the tests (qemu exit $rc): booting it again; its console:"
	tr -d '\r' <"$log" | tail -10 | sed 's/^/#   /'
	boot
	rc=$?
fi
vm_tap SELinux $rc
