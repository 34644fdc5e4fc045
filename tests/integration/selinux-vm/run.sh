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
srcdir=$(cd "$here/../../.." && pwd)
CLEAT=${CLEAT:-}
for c in "${CLEAT_BUILDDIR:-}/cleat" "$PWD/cleat" "$srcdir/cleat"; do
	[ -z "$CLEAT" ] && [ -x "$c" ] && CLEAT=$c
done
QEMU=${QEMU:-qemu-system-x86_64}
KERNEL=${CLEAT_VM_KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)}
BUSYBOX=${BUSYBOX:-/bin/busybox}
RUNC=${RUNC:-$(PATH=$PATH:/sbin:/usr/sbin command -v runc)}
CC=${CC:-cc}
POLICY=${CLEAT_SELINUX_POLICY:-$(ls -1 /etc/selinux/default/policy/policy.* 2>/dev/null | sort -V | tail -1)}

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
grep -qs '^CONFIG_SECURITY_SELINUX=y' "/boot/config-${KERNEL#*/vmlinuz-}" ||
	skip "$KERNEL is not built with SELinux"
file -L "$BUSYBOX" 2>/dev/null | grep -q "statically linked" ||
	skip "$BUSYBOX is not a static busybox (apt-get install busybox-static)"
[ -n "$POLICY" ] && [ -r "$POLICY" ] ||
	skip "no compiled SELinux policy in /etc/selinux/default/policy (apt-get install selinux-policy-default)"
for t in cpio jq gzip ldd "$CC"; do
	command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
done
[ -x "$CLEAT" ] || fail "cleat has not been built"

work=$(mktemp -d /tmp/cleat-selinuxvm.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
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
cp "$work/sehelper" "$ir/bin/sehelper"
install_bin "$CLEAT" /bin/cleat || fail "cannot copy $CLEAT"
[ -n "$RUNC" ] && [ -x "$RUNC" ] && { install_bin "$RUNC" /bin/runc || fail "cannot copy $RUNC"; }
cp "$POLICY" "$ir/tests/policy"
printf 'PL1=%s\nPL2=%s\nML=%s\nBAD=%s\n' "$PL1" "$PL2" "$ML" "$BAD" >"$ir/tests/labels"

# The container rootfs (shared by the bundles) and the bundles' configs, generated here:
# the guest has no jq.
rootfs=$ir/tests/rootfs
mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp,etc}
cp "$BUSYBOX" "$rootfs/bin/busybox"
for a in sh sleep cat echo true tr; do ln -s busybox "$rootfs/bin/$a"; done
cp "$work/sehelper" "$rootfs/bin/sehelper"
cp "$here/probe.sh" "$rootfs/bin/probe"
chmod 755 "$rootfs/bin/probe"
(cd "$work" && "$CLEAT" spec >/dev/null 2>&1) || fail "cleat spec failed"
base=$(jq '.root.path = "/tests/rootfs" | .root.readonly = false | .process.terminal = false
	| .process.args = ["probe"] | del(.linux.cgroupsPath)' "$work/config.json")
mkbundle() { # NAME JQ-FILTER
	mkdir -p "$ir/tests/$1"
	jq --arg pl1 "$PL1" --arg ml "$ML" --arg bad "$BAD" "$2" <<<"$base" >"$ir/tests/$1/config.json"
}
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

cat >"$ir/init" <<'INIT'
#!/bin/busybox sh
# pivot_root can't leave the initramfs: copy it into a tmpfs and switch_root there.
/bin/busybox mount -t tmpfs -o size=300m tmpfs /newroot
for d in bin sbin lib lib64 usr etc tests; do
	[ -e /$d ] && /bin/busybox cp -a /$d /newroot/
done
/bin/busybox mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/run /newroot/tmp
exec /bin/busybox switch_root /newroot /tests/selinux-test.sh
INIT
chmod +x "$ir/init"
cp "$here/selinux-test.sh" "$ir/tests/selinux-test.sh"
chmod +x "$ir/tests/selinux-test.sh"

(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

log=$work/console.log
# Software emulation: /dev/kvm exists on some test hosts whose nested KVM hangs or
# aborts qemu.  security=selinux: SELinux instead of the kernel's default AppArmor;
# enforcing=0: permissive (labels are set and reported all the same, and the test
# policy needs no rules for the test's domains).  A run takes about 20 s.
boot() {
	timeout "${CLEAT_VM_TIMEOUT:-150}" "$QEMU" -accel tcg -m 768 -smp 2 -kernel "$KERNEL" \
		-initrd "$work/initramfs.gz" \
		-append "console=ttyS0 quiet loglevel=3 panic=-1 security=selinux selinux=1 enforcing=0" \
		-nographic -no-reboot -monitor none </dev/null >"$log" 2>&1
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
if ! grep -q 'CLEAT-TAP-END' "$log"; then
	echo "1..1"
	echo "not ok 1 - the SELinux VM did not finish the tests (qemu exit $rc)"
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
