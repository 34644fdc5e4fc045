#!/bin/bash
# cgroup v2 for real: boot Debian's kernel under qemu (software emulation) with an
# initramfs holding busybox, the built `cleat` (+ its shared libraries) and init.sh, which
# mounts only cgroup2 and runs the v2 test subset.  Prints the guest's TAP.
# Skips (TAP "1..0 # SKIP reason") only where qemu or a kernel is not available.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../vm-host.bash"

vm_require cpio jq gzip ldd
kver=${KERNEL#*/vmlinuz-}
vm_workdir v2vm modules
install_bin "$CLEAT" /bin/cleat || fail "cannot copy $CLEAT"
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

vm_rootfs sh sleep cat head echo ls wc true tr
vm_base '.process.args = ["sleep", "1000"]'
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
mkbundle pids1 '.linux.cgroupsPath = "/cleat/pids1" | .linux.resources.pids = {limit: 1}'
mkbundle pids0userns '.linux.cgroupsPath = "/cleat/pids0userns" | .linux.resources.pids = {limit: 0}
	| .linux.namespaces += [{type: "user"}]
	| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	| .mounts |= map(select(.destination != "/sys" and .destination != "/sys/fs/cgroup"))'
mkbundle noprefix '.linux.cgroupsPath = "/cleat/noprefix" | .linux.resources.cpu = {cpus: "1"}'

vm_initramfs init.sh
timeout "${CLEAT_VM_TIMEOUT:-600}" "$QEMU" -m 512 -smp 2 -kernel "$KERNEL" -initrd "$work/initramfs.gz" \
	-append "console=ttyS0 quiet panic=-1" -nographic -no-reboot -monitor none </dev/null >"$log" 2>&1
rc=$?
if ! grep -q 'CLEAT-TAP-END' "$log" && [ $rc -ne 0 ] &&
	grep -qi "could not initialize kvm\|failed to initialize\|Could not access KVM" "$log"; then
	skip "qemu cannot run here: $(head -1 "$log")"
fi
vm_tap "cgroup v2" $rc
