#!/bin/bash
# The systemd cgroup driver against a real systemd: a Debian bookworm rootfs (debootstrap,
# cached) on an ext4 image, booted under qemu with Debian's kernel and initrd on pure
# cgroup v2 (or v1 with CLEAT_SD_CGROUP=v1); a oneshot unit runs systemd-test.sh, which
# prints TAP on the serial console and powers off.  Needs root, debootstrap and the Debian
# mirror the first time.  Skips with a reason where any of that is missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../vm-host.bash"
INITRD=${CLEAT_VM_INITRD:-/boot/initrd.img-${KERNEL#*/vmlinuz-}}
CACHE=${CLEAT_TEST_CACHE:-/tmp/cleat-test-cache}/systemd-rootfs-bookworm
MIRROR=${CLEAT_DEBIAN_MIRROR:-http://deb.debian.org/debian}

[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v "$QEMU" >/dev/null || skip "$QEMU is not installed"
[ -r "$KERNEL" ] && [ -r "$INITRD" ] || skip "no Debian kernel+initrd in /boot (linux-image-amd64)"
command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 is not installed"
[ -x "$CLEAT" ] || fail "cleat has not been built"

if [ ! -e "$CACHE/.complete" ]; then
	command -v debootstrap >/dev/null || skip "debootstrap is not installed"
	rm -rf "$CACHE.tmp"
	mkdir -p "$(dirname "$CACHE")"
	debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libyajl2,libseccomp2,libcap2 \
		bookworm "$CACHE.tmp" "$MIRROR" >"$CACHE.log" 2>&1 ||
		skip "debootstrap failed (no mirror?): $(tail -1 "$CACHE.log")"
	touch "$CACHE.tmp/.complete"
	rm -rf "$CACHE"
	mv "$CACHE.tmp" "$CACHE"
fi

work=$(mktemp -d /var/tmp/cleat-sdvm.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
r=$work/rootfs
cp -a "$CACHE" "$r"
cp "$CLEAT" "$r/usr/local/bin/cleat"
b=$r/root/bundle
mkdir -p "$b/rootfs/bin" "$b/rootfs"/{proc,sys,dev,tmp}
cp /bin/busybox "$b/rootfs/bin/busybox"
for a in sh sleep cat; do ln -s busybox "$b/rootfs/bin/$a"; done
(cd "$b" && "$CLEAT" spec) || fail "cleat spec failed"
jq '.process.terminal = false | .process.args = ["sleep", "1000"]
	| .linux.cgroupsPath = "system.slice:cleat:sd1"
	| .linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 50}
	| .linux.resources.cpu = {shares: 512, quota: 50000, period: 100000}' "$b/config.json" >"$b/c.json"
mv "$b/c.json" "$b/config.json"
cp "$here/systemd-test.sh" "$r/root/sdtest.sh"
cp "$here/../vm-tap.sh" "$r/root/vm-tap.sh"
chmod +x "$r/root/sdtest.sh"
cat >"$r/etc/systemd/system/cleat-sdtest.service" <<UNIT
[Unit]
Description=cleat systemd cgroup driver test
After=multi-user.target
[Service]
Type=oneshot
TimeoutStartSec=600
ExecStart=/root/sdtest.sh
ExecStopPost=/bin/systemctl poweroff --no-block
[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/cleat-sdtest.service "$r/etc/systemd/system/multi-user.target.wants/"
# minbase has no udev: nothing would ever announce /dev/vda or ttyS0 to systemd, so keep
# units from waiting on devices (the kernel mounted / rw already).
: >"$r/etc/fstab"
for u in serial-getty@ttyS0.service getty@tty1.service systemd-remount-fs.service; do
	ln -sf /dev/null "$r/etc/systemd/system/$u"
done
echo cleat-sdvm >"$r/etc/hostname"
mkfs.ext4 -q -F -L root -d "$r" "$work/root.img" 1200M || fail "mkfs failed"

unified=1
[ "${CLEAT_SD_CGROUP:-v2}" = v1 ] && unified=0
log=$work/console.log
timeout "${CLEAT_VM_TIMEOUT:-900}" "$QEMU" -m 1024 -smp 2 -kernel "$KERNEL" -initrd "$INITRD" \
	-drive "file=$work/root.img,format=raw,if=virtio" \
	-append "root=/dev/vda rw console=ttyS0 panic=-1 loglevel=4 systemd.unified_cgroup_hierarchy=$unified" \
	-nographic -no-reboot -monitor none </dev/null >"$log" 2>&1
rc=$?
vm_tap systemd $rc
