#!/bin/bash
# Checkpoint/restore through real daemons where CRIU works: the Debian bookworm rootfs of
# the systemd VM (cgroupv2-vm/systemd-vm.sh, cached) plus this host's containerd 1.6, ctr,
# containerd-shim-runc-v2, runc, criu, dockerd and docker, and the built cleat and
# containerd-shim-cleat-v2, booted under qemu with Debian's 6.1 kernel (criu 3.17 fails on
# newer kernels).  A oneshot unit runs criu-daemons-test.sh, which prints TAP on the serial
# console and powers off.  Skips with a reason where any of that is missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../vm-host.bash"
SHIM=${SHIM:-$(dirname "$CLEAT")/containerd-shim-cleat-v2}
INITRD=${CLEAT_VM_INITRD:-/boot/initrd.img-${KERNEL#*/vmlinuz-}}
KVER=${KERNEL#*/vmlinuz-}
CACHE=${CLEAT_TEST_CACHE:-/tmp/cleat-test-cache}/systemd-rootfs-bookworm

[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v "$QEMU" >/dev/null || skip "$QEMU is not installed"
[ -r "$KERNEL" ] && [ -r "$INITRD" ] || skip "no Debian kernel+initrd in /boot (linux-image-amd64)"
command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 is not installed"
[ -x "$CLEAT" ] || fail "cleat has not been built"
[ -x "$SHIM" ] || fail "containerd-shim-cleat-v2 has not been built"
export PATH=$PATH:/usr/sbin:/sbin
for t in containerd ctr containerd-shim-runc-v2 runc criu dockerd docker jq; do
	command -v "$t" >/dev/null || skip "$t is not installed"
done
# The systemd VM's test builds the rootfs (debootstrap, needs the Debian mirror once).
[ -e "$CACHE/.complete" ] || skip "no cached bookworm rootfs ($CACHE): run cgroupv2-vm/systemd-vm.sh first"

# The test image, as the host suites build it (contrib/make-test-image.sh).
eval "$(bash -c '. "$1/../helpers.bash" && ensure_test_image >/dev/null &&
	declare -p TEST_IMAGE_OCI_TAR TEST_IMAGE_REF TEST_IMAGE_DOCKER' _ "$here" 2>/dev/null)"
[ -r "${TEST_IMAGE_OCI_TAR:-}" ] || skip "the busybox test image could not be built"

work=$(mktemp -d /var/tmp/cleat-criuvm.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
r=$work/rootfs
cp -a "$CACHE" "$r"

# put SOURCE DEST: a host binary and its shared libraries, at the same paths in the rootfs.
put() {
	mkdir -p "$r$(dirname "$2")"
	cp -L "$1" "$r$2" || fail "cannot copy $1"
	ldd "$1" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | while read -r lib; do
		[ -e "$r$lib" ] && continue
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
}
for t in containerd ctr containerd-shim-runc-v2 runc criu dockerd docker ip; do
	p=$(command -v "$t") && put "$p" "/usr/bin/$t"
done
put "$CLEAT" /usr/local/bin/cleat
put "$SHIM" /usr/local/bin/containerd-shim-cleat-v2
# dockerd 20.10 always asks for io.containerd.runc.v2: the cleat shim under that name, in a
# directory that only the "cleat shim" containerd has first in its PATH.
put "$SHIM" /opt/cleat-shim/bin/containerd-shim-runc-v2
p=$(command -v insmod) && put "$p" /usr/sbin/insmod
# The modules `criu check` wants (socket diag, tun, veth, nftables) and overlayfs, with
# their dependencies first, loaded by the guest in this order (the rootfs has no modules).
mkdir -p "$r/root/modules"
for m in overlay unix_diag inet_diag tcp_diag udp_diag netlink_diag packet_diag tun veth \
	nf_tables nft_compat; do
	modprobe -S "$KVER" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	cp "$ko" "$r/root/modules/" && basename "$ko" >>"$r/root/modules/load.list"
done
mkdir -p "$r/root/images"
cp "$TEST_IMAGE_OCI_TAR" "$r/root/images/busybox-oci.tar"
cp "$here/criu-daemons-test.sh" "$r/root/criutest.sh"
chmod +x "$r/root/criutest.sh"
cat >"$r/etc/systemd/system/cleat-criutest.service" <<UNIT
[Unit]
Description=cleat checkpoint/restore through containerd and dockerd
After=multi-user.target
[Service]
Type=oneshot
TimeoutStartSec=900
Environment=TEST_IMAGE_REF=$TEST_IMAGE_REF TEST_IMAGE_DOCKER=$TEST_IMAGE_DOCKER
ExecStart=/root/criutest.sh
ExecStopPost=/bin/systemctl poweroff --no-block
[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/cleat-criutest.service "$r/etc/systemd/system/multi-user.target.wants/"
: >"$r/etc/fstab"
for u in serial-getty@ttyS0.service getty@tty1.service systemd-remount-fs.service; do
	ln -sf /dev/null "$r/etc/systemd/system/$u"
done
echo cleat-criuvm >"$r/etc/hostname"
# Host networking binds these into the containers (no network of their own: CRIU then has
# no network namespace to dump).
[ -e "$r/etc/hosts" ] || echo "127.0.0.1 localhost cleat-criuvm" >"$r/etc/hosts"
[ -e "$r/etc/resolv.conf" ] || : >"$r/etc/resolv.conf"
mkfs.ext4 -q -F -L root -d "$r" "$work/root.img" 3000M || fail "mkfs failed"

# Software emulation by default, as vm-host.bash: nested KVM hangs or aborts qemu on some
# test hosts.  CLEAT_VM_ACCEL=kvm where it works.
accel=(-accel tcg -cpu max)
[ "${CLEAT_VM_ACCEL:-tcg}" = kvm ] && accel=(-accel kvm -cpu host)
log=$work/console.log
timeout "${CLEAT_VM_TIMEOUT:-1200}" "$QEMU" "${accel[@]}" -m 2048 -smp 2 -kernel "$KERNEL" \
	-initrd "$INITRD" -drive "file=$work/root.img,format=raw,if=virtio" \
	-append "root=/dev/vda rw console=ttyS0 panic=-1 loglevel=4 apparmor=0 systemd.unified_cgroup_hierarchy=1" \
	-nographic -no-reboot -monitor none </dev/null >"$log" 2>&1
vm_tap "criu-daemons" $?
