#!/bin/bash
# cgroup v2 for real: boot Debian's kernel under qemu (software emulation) with an
# initramfs holding busybox, the built `cleat` (+ its shared libraries) and init.sh, which
# mounts only cgroup2 and runs the v2 test subset.  Prints the guest's TAP.
# Skips (TAP "1..0 # SKIP reason") only where qemu or a kernel is not available.
set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../../.." && pwd)
CLEAT=${CLEAT:-}
if [ -z "$CLEAT" ]; then
	for c in "${CLEAT_BUILDDIR:-}/cleat" "$PWD/cleat" "$srcdir/cleat"; do
		[ -x "$c" ] && { CLEAT=$c; break; }
	done
fi
QEMU=${QEMU:-qemu-system-x86_64}
KERNEL=${CLEAT_VM_KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)}
BUSYBOX=${BUSYBOX:-/bin/busybox}

skip() {
	echo "1..0 # SKIP $*"
	exit 0
}
command -v "$QEMU" >/dev/null 2>&1 || skip "$QEMU is not installed (apt-get install qemu-system-x86)"
[ -n "$KERNEL" ] && [ -r "$KERNEL" ] || skip "no readable kernel in /boot (apt-get install linux-image-amd64)"
[ -x "$CLEAT" ] || { echo "1..1"; echo "not ok 1 - cleat has not been built"; exit 1; }
file -L "$BUSYBOX" 2>/dev/null | grep -q "statically linked" ||
	skip "$BUSYBOX is not a static busybox (apt-get install busybox-static)"
for t in cpio jq gzip; do
	command -v $t >/dev/null 2>&1 || skip "$t is not installed"
done

kver=${KERNEL#*/vmlinuz-}
work=$(mktemp -d /tmp/cleat-v2vm.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
ir=$work/initramfs
mkdir -p "$ir"/{bin,sbin,lib,lib64,usr/bin,proc,sys,dev,run,tmp,etc,newroot,tests/rootfs/bin,modules}

cp "$BUSYBOX" "$ir/bin/busybox"
cp "$CLEAT" "$ir/bin/cleat"
# The shared libraries cleat needs, at the same paths.
ldd "$CLEAT" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | while read -r lib; do
	mkdir -p "$ir$(dirname "$lib")"
	cp -L "$lib" "$ir$lib"
done
# A block device for io.max: brd (ram disk) is a module in Debian's kernel.
for m in brd; do
	f=$(find "/lib/modules/$kver" -name "$m.ko*" 2>/dev/null | head -1)
	[ -n "$f" ] || continue
	case $f in
	*.xz) xz -dc "$f" >"$ir/modules/$m.ko" ;;
	*.zst) zstd -dqc "$f" >"$ir/modules/$m.ko" ;;
	*) cp "$f" "$ir/modules/$m.ko" ;;
	esac
done

# The container rootfs and the bundles' configs (generated here: the guest has no jq).
cp "$BUSYBOX" "$ir/tests/rootfs/bin/busybox"
for a in sh sleep cat head echo ls wc true tr; do ln -s busybox "$ir/tests/rootfs/bin/$a"; done
mkdir -p "$ir/tests/rootfs"/{proc,sys,dev,tmp,etc}
"$CLEAT" spec --bundle "$work" >/dev/null 2>&1 || (cd "$work" && "$CLEAT" spec) || {
	echo "1..1"; echo "not ok 1 - cleat spec failed"; exit 1; }
base=$(jq '.root.path = "/tests/rootfs" | .process.terminal = false | .process.args = ["sleep", "1000"]' "$work/config.json")
mkbundle() { # NAME JQ-FILTER
	mkdir -p "$ir/tests/$1"
	jq "$2" <<<"$base" >"$ir/tests/$1/config.json"
}
mkbundle res '.linux.cgroupsPath = "/cleat/res"
	| .linux.resources.memory = {limit: 67108864, reservation: 16777216, swap: 100663296}
	| .linux.resources.cpu = {shares: 1024, quota: 50000, period: 100000, cpus: "1", mems: "0"}
	| .linux.resources.pids = {limit: 50}
	| .linux.resources.blockIO = {throttleReadBpsDevice: [{major: 1, minor: 0, rate: 1048576}],
		throttleWriteIOPSDevice: [{major: 1, minor: 0, rate: 300}]}
	| .linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]
	| .linux.resources.unified = {"memory.high": "104857600"}'
mkbundle devdeny '.linux.cgroupsPath = "/cleat/devdeny"
	| .linux.devices = [{path: "/dev/xkmsg", type: "c", major: 1, minor: 11}]
	| .process.args = ["sh", "-c", "echo x > /dev/xkmsg; echo rc=$?; head -c1 /dev/zero | wc -c"]'
mkbundle devallow '.linux.cgroupsPath = "/cleat/devallow"
	| .linux.devices = [{path: "/dev/xkmsg", type: "c", major: 1, minor: 11}]
	| .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 11, access: "w"}]
	| .process.args = ["sh", "-c", "echo x > /dev/xkmsg; echo rc=$?"]'
mkbundle many '.linux.cgroupsPath = "/cleat/many"
	| .process.args = ["sh", "-c", "sleep 1000 & sleep 1000 & wait"]'
mkbundle bad '.linux.cgroupsPath = "/cleat/bad" | .linux.resources.cpu = {cpus: "7"}'
mkbundle def 'del(.linux.cgroupsPath)'
# The init is cloned into the cgroup (clone3 CLONE_INTO_CGROUP) and creates the cgroup
# namespace itself; a user-namespaced helper is started inside the cgroup instead.
mkbundle cgns '.linux.cgroupsPath = "/cleat/cgns" | .linux.namespaces += [{type: "cgroup"}]
	| .process.args = ["cat", "/proc/self/cgroup"]'
mkbundle userns '.linux.cgroupsPath = "/cleat/userns" | .linux.namespaces += [{type: "user"}]
	| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	| .mounts |= map(select(.destination != "/sys" and .destination != "/sys/fs/cgroup"))
	| .process.args = ["sh", "-c", "cat /proc/self/cgroup /proc/self/uid_map"]'

cat >"$ir/init" <<'INIT'
#!/bin/busybox sh
# pivot_root can't leave the initramfs: copy it into a tmpfs and switch_root there.
/bin/busybox mount -t tmpfs -o size=300m tmpfs /newroot
for d in bin sbin lib lib64 usr etc tests modules; do
	[ -e /$d ] && /bin/busybox cp -a /$d /newroot/
done
/bin/busybox mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/run /newroot/tmp
exec /bin/busybox switch_root /newroot /tests/init.sh
INIT
chmod +x "$ir/init"
cp "$here/init.sh" "$ir/tests/init.sh"
chmod +x "$ir/tests/init.sh"

(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

log=$work/console.log
timeout "${CLEAT_VM_TIMEOUT:-600}" "$QEMU" -m 512 -smp 2 -kernel "$KERNEL" -initrd "$work/initramfs.gz" \
	-append "console=ttyS0 quiet panic=-1" -nographic -no-reboot -monitor none </dev/null >"$log" 2>&1
rc=$?
if ! grep -q 'CLEAT-TAP-END' "$log"; then
	if grep -qi "could not initialize kvm\|failed to initialize\|Could not access KVM" "$log" && [ $rc -ne 0 ]; then
		skip "qemu cannot run here: $(head -1 "$log")"
	fi
	echo "1..1"
	echo "not ok 1 - the VM did not finish the tests (qemu exit $rc)"
	sed 's/^/# /' "$log" | tail -40
	exit 1
fi
# The console prefixes the first line with terminal resets: match anywhere.
tap=$(sed -n '/CLEAT-TAP-BEGIN/,/CLEAT-TAP-END/p' "$log" | tr -d '\r' | grep -v 'CLEAT-TAP-')
echo "$tap"
grep -q '^not ok' <<<"$tap" && exit 1
exit 0
