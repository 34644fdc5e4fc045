# Sourced by the run.sh of the qemu test VMs (cgroupv2-vm, lsm-vm, selinux-vm): the
# binaries under test, skipping, the initramfs (binaries with their libraries, a busybox
# container rootfs, bundles, vm-guest.sh and the test script as PID 1), the boot and the
# guest's TAP.  The caller sets `here` (its own directory) first.
srcdir=$(cd "$here/../../.." && pwd)
CLEAT=${CLEAT:-}
for c in "${CLEAT_BUILDDIR:-}/cleat" "$PWD/cleat" "$srcdir/cleat"; do
	[ -z "$CLEAT" ] && [ -x "$c" ] && CLEAT=$c
done
QEMU=${QEMU:-qemu-system-x86_64}
KERNEL=${CLEAT_VM_KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)}
BUSYBOX=${BUSYBOX:-/bin/busybox}
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

# vm_require TOOL...: qemu, a kernel, a static busybox and TOOLs, or skip; a built cleat.
vm_require() {
	local t
	command -v "$QEMU" >/dev/null 2>&1 || skip "$QEMU is not installed (apt-get install qemu-system-x86)"
	[ -n "$KERNEL" ] && [ -r "$KERNEL" ] || skip "no readable kernel in /boot (apt-get install linux-image-amd64)"
	file -L "$BUSYBOX" 2>/dev/null | grep -q "statically linked" ||
		skip "$BUSYBOX is not a static busybox (apt-get install busybox-static)"
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
	done
	[ -x "$CLEAT" ] || fail "cleat has not been built"
}

# vm_kconfig SYMBOL: skip unless the kernel is built with CONFIG_SYMBOL=y.
vm_kconfig() {
	grep -qs "^CONFIG_$1=y" "/boot/config-${KERNEL#*/vmlinuz-}" || skip "$KERNEL is not built with $1"
}

# vm_workdir NAME [DIR...]: $work (removed on exit unless KEEP is set) and $ir, the
# initramfs tree, with the directories every VM has plus DIRs.
vm_workdir() {
	work=$(mktemp -d "/tmp/cleat-$1.XXXXXX")
	trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
	ir=$work/initramfs
	shift
	mkdir -p "$ir"/{bin,sbin,lib,lib64,usr/bin,proc,sys,dev,run,tmp,etc,newroot,tests}
	local d
	for d in "$@"; do
		mkdir -p "$ir/$d"
	done
	cp "$BUSYBOX" "$ir/bin/busybox"
}

# install_bin SOURCE DEST: a binary and the shared libraries it needs, at the same paths.
install_bin() {
	cp -L "$1" "$ir$2" || return 1
	ldd "$1" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | while read -r lib; do
		mkdir -p "$ir$(dirname "$lib")"
		cp -L "$lib" "$ir$lib"
	done
}

# vm_rootfs APPLET...: the busybox container rootfs the bundles share, $rootfs.
vm_rootfs() {
	rootfs=$ir/tests/rootfs
	mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp,etc}
	cp "$BUSYBOX" "$rootfs/bin/busybox"
	local a
	for a in "$@"; do
		ln -s busybox "$rootfs/bin/$a"
	done
}

# vm_base JQ-FILTER: $base, cleat's default spec (rootfs /tests/rootfs, no terminal)
# changed by the filter.  The bundles' configs are made here: the guest has no jq.
vm_base() {
	(cd "$work" && "$CLEAT" spec >/dev/null 2>&1) || fail "cleat spec failed"
	base=$(jq '.root.path = "/tests/rootfs" | .process.terminal = false | '"$1" "$work/config.json")
}

# mkbundle NAME JQ-FILTER: the bundle /tests/NAME, $base changed by the filter; the jq
# arguments in the array MKBUNDLE_ARGS (e.g. --arg) are passed on.
mkbundle() {
	mkdir -p "$ir/tests/$1"
	jq ${MKBUNDLE_ARGS[@]+"${MKBUNDLE_ARGS[@]}"} "$2" <<<"$base" >"$ir/tests/$1/config.json"
}

# vm_initramfs SCRIPT: $work/initramfs.gz, running SCRIPT (next to the caller) as PID 1
# from a tmpfs (pivot_root can't leave an initramfs), with vm-guest.sh and vm-tap.sh beside it.
vm_initramfs() {
	cat >"$ir/init" <<-INIT
		#!/bin/busybox sh
		/bin/busybox mount -t tmpfs -o size=300m tmpfs /newroot
		for d in bin sbin lib lib64 usr etc tests modules; do
			[ -e /\$d ] && /bin/busybox cp -a /\$d /newroot/
		done
		/bin/busybox mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/run /newroot/tmp
		exec /bin/busybox switch_root /newroot /tests/$1
	INIT
	chmod +x "$ir/init"
	cp "$here/$1" "$ir/tests/$1"
	chmod +x "$ir/tests/$1"
	cp "$here/../vm-guest.sh" "$ir/tests/vm-guest.sh"
	cp "$here/../vm-tap.sh" "$ir/tests/vm-tap.sh"
	(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"
	log=$work/console.log
}

# vm_boot TIMEOUT MEMORY KERNEL-ARGS: the VM, its console in $log; qemu's status.  The
# array VM_QEMU_ARGS, when set, adds qemu options (e.g. a NUMA layout).
# Software emulation: /dev/kvm exists on some test hosts whose nested KVM hangs or
# aborts qemu.
vm_boot() {
	timeout "$1" "$QEMU" -accel tcg -m "$2" -smp 2 ${VM_QEMU_ARGS[@]+"${VM_QEMU_ARGS[@]}"} \
		-kernel "$KERNEL" -initrd "$work/initramfs.gz" \
		-append "console=ttyS0 quiet loglevel=3 panic=-1 $3" \
		-nographic -no-reboot -monitor none </dev/null >"$log" 2>&1
}

# vm_tap WHAT RC: print the guest's TAP and exit: 1 when the guest did not finish (WHAT
# names the VM, RC is qemu's status), printed no plan or failed a test.
vm_tap() {
	if ! grep -q 'CLEAT-TAP-END' "$log"; then
		echo "1..1"
		echo "not ok 1 - the $1 VM did not finish the tests (qemu exit $2)"
		# The guest's results so far (the last one names where it stopped), then the tail.
		tr -d '\r' <"$log" | grep -E '^(ok|not ok) ' | tail -n 5 | sed 's/^/# guest: /'
		tr -d '\r' <"$log" | tail -40 | sed 's/^/# /'
		exit 1
	fi
	# Kernel messages and terminal resets may interleave on the console: keep TAP lines.
	local tap
	tap=$(sed -n '/CLEAT-TAP-BEGIN/,/CLEAT-TAP-END/p' "$log" | tr -d '\r' |
		sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' | grep -E '^(ok|not ok|#|1\.\.)')
	echo "$tap"
	grep -q '^not ok' <<<"$tap" && exit 1
	grep -q '^1\.\.' <<<"$tap" || exit 1
	exit 0
}
