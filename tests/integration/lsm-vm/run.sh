#!/bin/bash
# AppArmor for real: boot Debian's kernel (AppArmor built in and selected) under qemu with
# an initramfs holding busybox, the built `cleat`, apparmor_parser, runc (when installed)
# and lsm-test.sh, which loads a test profile and checks process.apparmorProfile and
# `exec --apparmor` from inside containers, against runc.  Prints the guest's TAP.
# The host kernel needs no AppArmor; nothing is downloaded.  Skips (TAP "1..0 # SKIP
# reason") only where qemu, a kernel, busybox-static or apparmor_parser are missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../../.." && pwd)
CLEAT=${CLEAT:-}
for c in "${CLEAT_BUILDDIR:-}/cleat" "$PWD/cleat" "$srcdir/cleat"; do
	[ -z "$CLEAT" ] && [ -x "$c" ] && CLEAT=$c
done
QEMU=${QEMU:-qemu-system-x86_64}
KERNEL=${CLEAT_VM_KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)}
BUSYBOX=${BUSYBOX:-/bin/busybox}
PARSER=${APPARMOR_PARSER:-$(PATH=$PATH:/sbin:/usr/sbin command -v apparmor_parser)}
RUNC=${RUNC:-$(PATH=$PATH:/sbin:/usr/sbin command -v runc)}

skip() {
	echo "1..0 # SKIP $*"
	exit 0
}
fail() {
	echo "1..1"
	echo "not ok 1 - $*"
	exit 1
}
[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v "$QEMU" >/dev/null 2>&1 || skip "$QEMU is not installed (apt-get install qemu-system-x86)"
[ -n "$KERNEL" ] && [ -r "$KERNEL" ] || skip "no readable kernel in /boot (apt-get install linux-image-amd64)"
grep -qs '^CONFIG_SECURITY_APPARMOR=y' "/boot/config-${KERNEL#*/vmlinuz-}" ||
	skip "$KERNEL is not built with AppArmor"
file -L "$BUSYBOX" 2>/dev/null | grep -q "statically linked" ||
	skip "$BUSYBOX is not a static busybox (apt-get install busybox-static)"
[ -n "$PARSER" ] && [ -x "$PARSER" ] || skip "apparmor_parser is not installed (apt-get install apparmor)"
for t in cpio jq gzip ldd; do
	command -v $t >/dev/null 2>&1 || skip "$t is not installed"
done
[ -x "$CLEAT" ] || fail "cleat has not been built"

work=$(mktemp -d /tmp/cleat-lsmvm.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
ir=$work/initramfs
mkdir -p "$ir"/{bin,sbin,lib,lib64,usr/bin,proc,sys,dev,run,tmp,etc,newroot,tests}

# A binary and the shared libraries it needs, at the same paths.
install_bin() { # SOURCE DEST
	cp -L "$1" "$ir$2" || return 1
	ldd "$1" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | while read -r lib; do
		mkdir -p "$ir$(dirname "$lib")"
		cp -L "$lib" "$ir$lib"
	done
}
cp "$BUSYBOX" "$ir/bin/busybox"
install_bin "$CLEAT" /bin/cleat || fail "cannot copy $CLEAT"
install_bin "$PARSER" /sbin/apparmor_parser || fail "cannot copy $PARSER"
[ -n "$RUNC" ] && [ -x "$RUNC" ] && { install_bin "$RUNC" /bin/runc || fail "cannot copy $RUNC"; }
# The parser's configuration and the policy ABI files it may refer to.
[ -d /etc/apparmor ] && cp -a /etc/apparmor "$ir/etc/"
[ -d /etc/apparmor.d/abi ] && mkdir -p "$ir/etc/apparmor.d" && cp -a /etc/apparmor.d/abi "$ir/etc/apparmor.d/"
[ -d /usr/share/apparmor-features ] && mkdir -p "$ir/usr/share" && cp -a /usr/share/apparmor-features "$ir/usr/share/"
cp "$here/profiles/"* "$ir/tests/" || fail "no test profiles in $here/profiles"

# The container rootfs (shared by the bundles) and the bundles' configs, generated here:
# the guest has no jq.
rootfs=$ir/tests/rootfs
mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp,etc}
cp "$BUSYBOX" "$rootfs/bin/busybox"
for a in sh sleep cat echo true; do ln -s busybox "$rootfs/bin/$a"; done
echo secret >"$rootfs/etc/cleat-secret"
cp "$here/probe.sh" "$rootfs/bin/probe"
chmod 755 "$rootfs/bin/probe"
(cd "$work" && "$CLEAT" spec >/dev/null 2>&1) || fail "cleat spec failed"
base=$(jq '.root.path = "/tests/rootfs" | .root.readonly = false | .process.terminal = false
	| .process.args = ["probe"] | del(.linux.cgroupsPath)' "$work/config.json")
mkbundle() { # NAME JQ-FILTER
	mkdir -p "$ir/tests/$1"
	jq "$2" <<<"$base" >"$ir/tests/$1/config.json"
}
mkbundle confined '.process.apparmorProfile = "cleat-test-deny"'
mkbundle plain '.'
mkbundle sleeper '.process.args = ["sleep", "1000"]'
mkbundle sleeper-confined '.process.args = ["sleep", "1000"] | .process.apparmorProfile = "cleat-test-deny"'
mkbundle missing '.process.apparmorProfile = "cleat-no-such-profile" | .process.args = ["true"]'
mkbundle unconfined '.process.apparmorProfile = "unconfined"'
mkbundle selinux '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2" | .process.args = ["true"]'
mkbundle mountlabel '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"
	| .process.args = ["sh", "-c", "cat /proc/self/mountinfo"]'

cat >"$ir/init" <<'INIT'
#!/bin/busybox sh
# pivot_root can't leave the initramfs: copy it into a tmpfs and switch_root there.
/bin/busybox mount -t tmpfs -o size=300m tmpfs /newroot
for d in bin sbin lib lib64 usr etc tests; do
	[ -e /$d ] && /bin/busybox cp -a /$d /newroot/
done
/bin/busybox mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/run /newroot/tmp
exec /bin/busybox switch_root /newroot /tests/lsm-test.sh
INIT
chmod +x "$ir/init"
cp "$here/lsm-test.sh" "$ir/tests/lsm-test.sh"
chmod +x "$ir/tests/lsm-test.sh"

(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

log=$work/console.log
# Software emulation (about 15 s): /dev/kvm exists on some test hosts whose nested KVM
# hangs or aborts qemu.  apparmor=1 security=apparmor: AppArmor even where the kernel's
# default LSM order differs.
timeout "${CLEAT_VM_TIMEOUT:-300}" "$QEMU" -accel tcg -m 512 -smp 2 -kernel "$KERNEL" \
	-initrd "$work/initramfs.gz" \
	-append "console=ttyS0 quiet loglevel=3 panic=-1 apparmor=1 security=apparmor" \
	-nographic -no-reboot -monitor none </dev/null >"$log" 2>&1
rc=$?
if ! grep -q 'CLEAT-TAP-END' "$log"; then
	echo "1..1"
	echo "not ok 1 - the AppArmor VM did not finish the tests (qemu exit $rc)"
	tr -d '\r' <"$log" | tail -40 | sed 's/^/# /'
	exit 1
fi
# Kernel messages may interleave on the console: keep the TAP lines.
tap=$(sed -n '/CLEAT-TAP-BEGIN/,/CLEAT-TAP-END/p' "$log" | tr -d '\r' |
	sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' | grep -E '^(ok|not ok|#|1\.\.)')
echo "$tap"
grep -q '^not ok' <<<"$tap" && exit 1
grep -q '^1\.\.' <<<"$tap" || exit 1
exit 0
