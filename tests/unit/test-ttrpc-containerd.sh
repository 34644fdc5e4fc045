#!/bin/bash
# The ttrpc transport against the real containerd (TAP).  Starts a private
# containerd (own root, state and sockets), then:
#  1. test-ttrpc-events forwards /tasks/oom and /tasks/exit to its ttrpc
#     socket, and `ctr events` must show both, in order, decoded;
#  2. if containerd-shim-cleat-v2 is built, `ctr run --rm` through it (runc as
#     the runtime) must show the container's output and exit code, and the
#     task events create, start, exit, delete in that order.
# Skipped (77) without root or containerd.
set -u
# make check runs tests from the top build directory.
builddir=$PWD
[ -x "$builddir/tests/unit/test-ttrpc-events" ] || builddir=$(cd "$(dirname "$0")/../.." && pwd)

n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }

if [ "$(id -u)" != 0 ] || ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
	echo "1..0 # SKIP needs root, containerd and ctr"
	exit 0
fi

dir=$(mktemp -d /tmp/cleat-ttrpc-ctd.XXXXXX)
ns=cleat-ttrpc-unit
cpid=
epid=
cleanup() {
	[ -n "$epid" ] && kill "$epid" 2>/dev/null
	if [ -n "$cpid" ]; then
		kill "$cpid" 2>/dev/null
		wait "$cpid" 2>/dev/null
	fi
	rm -rf "$dir"
	rmdir /sys/fs/cgroup/*/"$ns" /sys/fs/cgroup/unified/"$ns" 2>/dev/null
	true
}
trap cleanup EXIT

cat >"$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/c.sock"
[ttrpc]
  address = "$dir/c.sock.ttrpc"
EOF
CLEAT_SHIM_RUNTIME=runc containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
cpid=$!
ctr="ctr --address $dir/c.sock"
for _ in $(seq 50); do
	$ctr version >/dev/null 2>&1 && break
	sleep 0.1
done
$ctr version >/dev/null 2>&1
ok $? "private containerd is up"

$ctr events >"$dir/events" 2>&1 &
epid=$!
sleep 0.3
CLEAT_TEST_TTRPC_ADDRESS="$dir/c.sock.ttrpc" "$builddir/tests/unit/test-ttrpc-events" >"$dir/unit" 2>&1
ok $? "test-ttrpc-events against the real containerd"
grep -q 'ok .* - real containerd' "$dir/unit"
ok $? "the real-containerd case ran (not skipped)"
sleep 0.5
oom=$(grep -n '/tasks/oom {"container_id":"cleat-ttrpc-unit-test"}' "$dir/events" | cut -d: -f1)
exit_line=$(grep -n '/tasks/exit {"container_id":"cleat-ttrpc-unit-test".*"exit_status":7' "$dir/events" | cut -d: -f1)
[ -n "$oom" ] && [ -n "$exit_line" ] && [ "$oom" -lt "$exit_line" ]
ok $? "ctr events shows the forwarded /tasks/oom then /tasks/exit"

shim="$builddir/containerd-shim-cleat-v2"
if [ ! -x "$shim" ] || ! command -v runc >/dev/null || [ ! -x /bin/busybox ]; then
	echo "ok $((n + 1)) # SKIP containerd-shim-cleat-v2, runc or busybox missing"
	n=$((n + 1))
else
	mkdir -p "$dir/rootfs/bin"
	cp /bin/busybox "$dir/rootfs/bin/busybox"
	ln -s busybox "$dir/rootfs/bin/sh"
	# A namespace of our own: the runtime makes /<namespace> the container's cgroup
	# parent, which cleanup removes.
	out=$(timeout 30 $ctr -n "$ns" run --rm --runtime "$shim" --rootfs "$dir/rootfs" ttrpc-ctd-1 \
		/bin/sh -c 'echo via-cleat-shim; exit 5' 2>&1)
	rc=$?
	[ "$rc" = 5 ] && [ "$out" = via-cleat-shim ]
	ok $? "ctr run through the cleat shim: output and exit code 5 (rc=$rc out=$out)"
	sleep 0.5
	topics=$(grep -a 'ttrpc-ctd-1' "$dir/events" | grep -o '/tasks/[a-z-]*' | tr '\n' ' ')
	[ "$topics" = "/tasks/create /tasks/start /tasks/exit /tasks/delete " ]
	ok $? "task events in order: $topics"
fi

echo "1..$n"
exit $failed
