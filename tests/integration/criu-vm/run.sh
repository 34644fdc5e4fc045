#!/bin/bash
# Checkpoint/restore with CRIU for real: criu 3.17 cannot work on every kernel (on 6.18
# `criu check` fails on the vDSO layout), so boot Debian's kernel under qemu with an
# initramfs holding busybox, the built `cleat`, runc (1.5 from the peers cache when it is
# built, else Debian's), criu with its libraries and iptables for the network lock, and
# criu-test.sh, which checkpoints and restores containers with both runtimes.  Prints
# the guest's TAP.  Skips (TAP "1..0 # SKIP reason") where qemu, a kernel, busybox-static,
# criu or runc is missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../vm-host.bash"

[ "$(id -u)" -eq 0 ] || skip "needs root"
CRIU=${CRIU:-$(PATH=$PATH:/sbin:/usr/sbin command -v criu)}
[ -n "$CRIU" ] || skip "criu is not installed (apt-get install criu)"
[ -n "$RUNC" ] || skip "runc is not installed (apt-get install runc)"
vm_require cpio jq gzip ldd tar modinfo ip
# runc 1.5 when the peers are built (the same runc the other tests compare with).
# build-peers.sh prints the bin directory of the current pins (reused when built), so a
# cache that still holds an older pin's directory is never picked.
peer=$("$here/../peers/build-peers.sh" 2>/dev/null) && [ -x "$peer/runc" ] && RUNC=$peer/runc

vm_workdir criuvm usr/sbin etc/criu var/run modules
# What `criu check` needs that Debian's kernel has as modules (sock diag for sockets,
# tun and veth for the network namespace, nf_tables for its probe, iptables, xt_mark
# and xt_tcpudp (its "-p tcp --sport" rules) for the network lock of --tcp-established),
# in load order.
kver=${KERNEL#*/vmlinuz-}
for m in unix_diag inet_diag tcp_diag udp_diag netlink_diag af_packet_diag tun veth \
	crc32c_generic libcrc32c nfnetlink nf_tables x_tables xt_mark xt_tcpudp ip_tables iptable_filter ip6_tables \
	ip6table_filter nft_compat; do
	f=$(modinfo -k "$kver" -n "$m" 2>/dev/null) || continue
	case $f in
	*.xz) xz -dc "$f" >"$ir/modules/$m.ko" ;;
	*.zst) zstd -dqc "$f" >"$ir/modules/$m.ko" ;;
	/*) cp "$f" "$ir/modules/$m.ko" ;;
	*) continue ;;
	esac
	echo "$m" >>"$ir/modules/order"
done
install_bin "$CLEAT" /bin/cleat || fail "cannot copy $CLEAT"
install_bin "$RUNC" /bin/runc || fail "cannot copy $RUNC"
install_bin "$CRIU" /usr/sbin/criu || fail "cannot copy $CRIU"
# criu dumps and restores tmpfs contents with GNU tar (busybox's lacks its options).
install_bin "$(command -v tar)" /bin/tar || fail "cannot copy tar"
# criu saves the network namespace's addresses and routes with iproute2's `ip ... save`.
install_bin "$(PATH=$PATH:/sbin:/usr/sbin command -v ip)" /bin/ip || fail "cannot copy ip (iproute2)"
# criu locks the network of a --tcp-established dump with iptables (or nft).
for t in iptables-legacy iptables-legacy-restore iptables-legacy-save ip6tables-legacy \
	ip6tables-legacy-restore ip6tables-legacy-save; do
	p=$(PATH=$PATH:/sbin:/usr/sbin command -v "$t") || continue
	install_bin "$p" "/usr/sbin/$t"
	ln -sf "$t" "$ir/usr/sbin/${t/-legacy/}"
done
# iptables loads its extensions by path.
[ -d /usr/lib/x86_64-linux-gnu/xtables ] && mkdir -p "$ir/usr/lib/x86_64-linux-gnu" &&
	cp -a /usr/lib/x86_64-linux-gnu/xtables "$ir/usr/lib/x86_64-linux-gnu/"
echo "$RUNC" >"$ir/tests/runc-path"
"$RUNC" --version | head -1 >"$ir/tests/runc-version"

vm_rootfs sh sleep cat echo true nc seq ls head tail mkdir
cat >"$ir/tests/rootfs/bin/counter" <<-'SH'
	#!/bin/sh
	# Counts once every 0.2 s into /tmp/count of the container (the last number).
	i=0
	while :; do i=$((i + 1)); echo $i >/tmp/count; sleep 0.2; done
SH
chmod +x "$ir/tests/rootfs/bin/counter"
# The VM's network namespace: criu 3.17 fails to dump a new one on this kernel ("-22
# reported by netlink" while dumping the namespace's links), with runc as with cleat.
vm_base '.process.args = ["counter"] | .root.readonly = false | del(.linux.cgroupsPath)
	| .linux.namespaces |= map(select(.type != "network"))'
# /tmp a tmpfs of each container (criu dumps its contents); /data a bind mount (an
# external mount for criu) where the fds probe writes.
base=$(jq '.mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid"]}]' <<<"$base")
mkbundle counter '.'
mkdir -p "$ir/tests/data"
cat >"$ir/tests/rootfs/bin/fds" <<-'SH'
	#!/bin/sh
	# A pipe between two processes and an open file written on every 0.2 s: /data/file
	# grows.
	ticker | while read -r l; do echo "$l" >&3; done 3>>/data/file
SH
cat >"$ir/tests/rootfs/bin/ticker" <<-'SH'
	#!/bin/sh
	i=0
	while :; do i=$((i + 1)); echo "line $i"; sleep 0.2; done
SH
chmod +x "$ir/tests/rootfs/bin/ticker"
chmod +x "$ir/tests/rootfs/bin/fds"
mkbundle fds '.process.args = ["fds"]
	| .mounts += [{destination: "/data", type: "bind", source: "/tests/data", options: ["rbind"]}]'
for r in cleat runc; do
	mkbundle "limits-$r" '.linux.cgroupsPath = "/criu-'"$r"'"
		| .linux.resources = {pids: {limit: 77}, memory: {limit: 67108864}}'
done

# --- restore through criu's RPC: hooks at restore, --console-socket (begin) ---
# A hook that appends "<phase> status=<status> pid=<pid>" from its state JSON to its
# second argument; a bundle with prestart, createRuntime and poststart hooks.
cat >"$ir/tests/hook" <<-'SH'
	#!/bin/sh
	s=$(cat)
	st=$(echo "$s" | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p')
	pid=$(echo "$s" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
	echo "$1 status=$st pid=$pid" >>"$2"
SH
chmod +x "$ir/tests/hook"
mkbundle hooks '.hooks = ({prestart: ["prestart"], createRuntime: ["createRuntime"], poststart: ["poststart"]}
	| map_values(map({path: "/tests/hook", args: ["hook", ., "/tmp/hooks.log"]})))'
# A terminal container printing "line N" every 0.2 s, and a console socket receiver.
mkbundle tty '.process.terminal = true | .process.args = ["ticker"]'
cc -static -O2 -o "$ir/bin/recvtty" "$here/recvtty.c" || fail "cannot build recvtty.c (gcc, libc6-dev)"
# --- restore through criu's RPC (end) ---

# ---- criu-probe cases (TCP, unix sockets, file locks, lazy pages, page server) ----
# criu-probe.c holds the resource and checks it every 0.2 s; built here, statically
# (the container rootfs is busybox), for the containers and for the peers outside them.
# /tests/probe-data is bind-mounted at the same path in the containers, so a socket or
# lock file there has one name inside and outside.
mkdir -p "$ir/tests/probe-data" "$rootfs/tests/probe-data"
if ${CC:-cc} -static -O2 -o "$work/criu-probe" "$here/criu-probe.c" 2>"$work/probe-cc.log"; then
	cp "$work/criu-probe" "$rootfs/bin/criu-probe"
	cp "$work/criu-probe" "$ir/bin/criu-probe"
else
	echo "criu-probe.c does not build statically with ${CC:-cc}: $(head -2 "$work/probe-cc.log")" \
		>"$ir/tests/probe-missing"
fi
probe_bundle() { # NAME PROBE-ARGS...
	local n=$1 args
	shift
	args=$(printf '%s\n' criu-probe "$@" | jq -R . | jq -s .)
	MKBUNDLE_ARGS=(--argjson args "$args")
	mkbundle "$n" '.process.args = $args
		| .mounts += [{destination: "/tests/probe-data", type: "bind",
			source: "/tests/probe-data", options: ["rbind"]}]'
	MKBUNDLE_ARGS=()
}
port=7100
for r in cleat runc; do
	port=$((port + 1))
	probe_bundle "probe-tcp-$r" tcp $((port + 10)) /tmp/probe
	probe_bundle "probe-tcps-$r" tcp-server $((port + 20)) /tmp/probe
	probe_bundle "probe-unix-$r" unix /tmp/probe
	probe_bundle "probe-locks-$r" locks "/tests/probe-data/lock-$r" /tmp/probe
	probe_bundle "probe-dgram-$r" dgram-send "/tests/probe-data/ext-$r.sock" /tmp/probe
	probe_bundle "probe-mem-$r" mem 4 /tmp/probe
done
# ---- end of the criu-probe cases ----

vm_initramfs criu-test.sh
# Software emulation (vm_boot): nested KVM hangs on some hosts, this one included.  Up to
# 40 min: the probe cases double the run, and TCG is slow on a loaded machine.
vm_boot "${CLEAT_VM_TIMEOUT:-2400}" 1024 ""
vm_tap CRIU $?
