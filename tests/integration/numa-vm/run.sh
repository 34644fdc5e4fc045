#!/bin/bash
# linux.memoryPolicy on a machine with two NUMA nodes: boot Debian's kernel under qemu
# with nodes 0 and 1 (one CPU and 256 MiB each) and an initramfs holding busybox, the
# built `cleat` and numa-test.sh, which binds containers to node 1 and reads the policy
# and the node of their pages in /proc/self/numa_maps.  Prints the guest's TAP.  Skips
# (TAP "1..0 # SKIP reason") where qemu, a kernel with NUMA or busybox-static is missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../vm-host.bash"

[ "$(id -u)" -eq 0 ] || skip "needs root"
vm_require cpio jq gzip ldd
vm_kconfig NUMA

vm_workdir numavm
install_bin "$CLEAT" /bin/cleat || fail "cannot copy $CLEAT"
vm_rootfs sh head cut grep cat true
vm_base '.process.args = ["true"] | del(.linux.cgroupsPath)'
# The policy of the probe's stack, and the nodes its pages are on ("N1=3").
PROBE='grep -m1 " stack " /proc/self/numa_maps'
MKBUNDLE_ARGS=(--arg p "$PROBE")
mkbundle bind1 '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "1"} | .process.args = ["sh", "-c", $p]'
mkbundle interleave '.linux.memoryPolicy = {mode: "MPOL_INTERLEAVE", nodes: "0-1"} | .process.args = ["sh", "-c", $p]'
mkbundle none '.process.args = ["sh", "-c", $p]'
mkbundle bind2 '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "2"}'

vm_initramfs numa-test.sh
VM_QEMU_ARGS=(-object memory-backend-ram,id=m0,size=256M -object memory-backend-ram,id=m1,size=256M
	-numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1)
# About 15 s.
vm_boot "${CLEAT_VM_TIMEOUT:-300}" 512 ""
vm_tap NUMA $?
