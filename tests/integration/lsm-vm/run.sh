#!/bin/bash
# AppArmor for real: boot Debian's kernel (AppArmor built in and selected) under qemu with
# an initramfs holding busybox, the built `cleat`, apparmor_parser, runc (when installed)
# and lsm-test.sh, which loads a test profile and checks process.apparmorProfile and
# `exec --apparmor` from inside containers, against runc.  Prints the guest's TAP.
# The host kernel needs no AppArmor; nothing is downloaded.  Skips (TAP "1..0 # SKIP
# reason") only where qemu, a kernel, busybox-static or apparmor_parser are missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../vm-host.bash"
PARSER=${APPARMOR_PARSER:-$(PATH=$PATH:/sbin:/usr/sbin command -v apparmor_parser)}

[ "$(id -u)" -eq 0 ] || skip "needs root"
vm_require cpio jq gzip ldd
vm_kconfig SECURITY_APPARMOR
[ -n "$PARSER" ] && [ -x "$PARSER" ] || skip "apparmor_parser is not installed (apt-get install apparmor)"

vm_workdir lsmvm
install_bin "$CLEAT" /bin/cleat || fail "cannot copy $CLEAT"
install_bin "$PARSER" /sbin/apparmor_parser || fail "cannot copy $PARSER"
[ -n "$RUNC" ] && [ -x "$RUNC" ] && { install_bin "$RUNC" /bin/runc || fail "cannot copy $RUNC"; }
# The parser's configuration and the policy ABI files it may refer to.
[ -d /etc/apparmor ] && cp -a /etc/apparmor "$ir/etc/"
[ -d /etc/apparmor.d/abi ] && mkdir -p "$ir/etc/apparmor.d" && cp -a /etc/apparmor.d/abi "$ir/etc/apparmor.d/"
[ -d /usr/share/apparmor-features ] && mkdir -p "$ir/usr/share" && cp -a /usr/share/apparmor-features "$ir/usr/share/"
cp "$here/profiles/"* "$ir/tests/" || fail "no test profiles in $here/profiles"

vm_rootfs sh sleep cat echo true
echo secret >"$rootfs/etc/cleat-secret"
cp "$here/probe.sh" "$rootfs/bin/probe"
chmod 755 "$rootfs/bin/probe"
vm_base '.root.readonly = false | .process.args = ["probe"] | del(.linux.cgroupsPath)'
mkbundle confined '.process.apparmorProfile = "cleat-test-deny"'
mkbundle plain '.'
mkbundle sleeper '.process.args = ["sleep", "1000"]'
mkbundle sleeper-confined '.process.args = ["sleep", "1000"] | .process.apparmorProfile = "cleat-test-deny"'
mkbundle missing '.process.apparmorProfile = "cleat-no-such-profile" | .process.args = ["true"]'
mkbundle unconfined '.process.apparmorProfile = "unconfined"'
mkbundle selinux '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2" | .process.args = ["true"]'
mkbundle mountlabel '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"
	| .process.args = ["sh", "-c", "cat /proc/self/mountinfo"]'

vm_initramfs lsm-test.sh
# About 15 s.  apparmor=1 security=apparmor: AppArmor even where the kernel's default
# LSM order differs.
vm_boot "${CLEAT_VM_TIMEOUT:-300}" 512 "apparmor=1 security=apparmor"
vm_tap AppArmor $?
