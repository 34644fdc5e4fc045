#!/bin/bash
# From a fresh Debian 12 machine (as root) to a container run by containerd through cleat:
#   1. apt-get install the build dependencies, containerd and busybox-static
#   2. build cleat and containerd-shim-cleat-v2 (in _build/, -Werror) and `make install`
#      them into $PREFIX (default /usr/local)
#   3. use the running containerd (/run/containerd/containerd.sock); if none answers, start
#      the system's containerd (its pid goes to /run/cleat-quickstart-containerd.pid and its
#      log to /var/log/cleat-quickstart-containerd.log; it keeps running afterwards)
#   4. import a busybox image built locally (no registry is contacted) as
#      docker.io/library/busybox:cleat-test into the `default` namespace
#   5. ctr run --rm --runtime io.containerd.cleat.v2 docker.io/library/busybox:cleat-test ID \
#          echo hello from cleat
#
# Environment: PREFIX (/usr/local), CLEAT_SKIP_INSTALL=1 (no apt-get), JOBS (nproc).
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${PREFIX:-/usr/local}
JOBS=${JOBS:-$(nproc)}
BUILD=$SRCDIR/_build
ADDRESS=/run/containerd/containerd.sock
IMAGE=docker.io/library/busybox:cleat-test

say() { printf '\n=== %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
	echo "quickstart.sh: run as root" >&2
	exit 1
fi

if [ "${CLEAT_SKIP_INSTALL:-0}" != 1 ]; then
	say "installing packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends build-essential autoconf automake libtool \
		pkg-config git libyajl-dev libseccomp-dev libcap-dev libsystemd-dev \
		libprotobuf-c-dev protobuf-c-compiler criu scdoc containerd runc busybox-static jq file >/dev/null
fi

say "building in $BUILD and installing into $PREFIX"
cd "$SRCDIR"
./autogen.sh >"$SRCDIR/autogen.log" 2>&1 || { cat "$SRCDIR/autogen.log" >&2; exit 1; }
rm -f "$SRCDIR/autogen.log"
if [ -e "$SRCDIR/config.status" ]; then
	# The tree was configured in place: build there (a VPATH build would refuse it).
	BUILD=$SRCDIR
else
	mkdir -p "$BUILD"
fi
cd "$BUILD"
"$SRCDIR/configure" --quiet --prefix="$PREFIX" --enable-werror
make -s -j"$JOBS" >/dev/null
make -s install >/dev/null
"$PREFIX/bin/cleat" --version

say "containerd"
if ctr --address "$ADDRESS" version >/dev/null 2>&1; then
	echo "using the running containerd at $ADDRESS"
else
	echo "no containerd answers at $ADDRESS: starting one"
	PATH="$PREFIX/bin:$PATH" containerd </dev/null >>/var/log/cleat-quickstart-containerd.log 2>&1 &
	echo $! >/run/cleat-quickstart-containerd.pid
	for _ in $(seq 100); do
		ctr --address "$ADDRESS" version >/dev/null 2>&1 && break
		sleep 0.1
	done
	ctr --address "$ADDRESS" version >/dev/null
	echo "containerd pid $(cat /run/cleat-quickstart-containerd.pid)"
fi

say "importing $IMAGE (built from busybox-static, no registry)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$SRCDIR/contrib/make-test-image.sh" oci-image "$tmp/busybox-oci.tar" "$IMAGE"
ctr --address "$ADDRESS" -n default images import "$tmp/busybox-oci.tar" >/dev/null

say "running a container through containerd-shim-cleat-v2 and cleat"
id=cleat-hello-$$
runtime=io.containerd.cleat.v2
# A containerd started without $PREFIX/bin on its PATH cannot find the shim by name;
# naming the shim binary by its path works everywhere.
pid=$(ss -xlpn 2>/dev/null | grep -F " $ADDRESS " | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1)
if [ -n "$pid" ] && ! tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep '^PATH=' |
	grep -q "$PREFIX/bin"; then
	echo "containerd's PATH lacks $PREFIX/bin: naming the shim by its path"
	runtime=$PREFIX/bin/containerd-shim-cleat-v2
fi
echo "+ ctr run --rm --runtime $runtime $IMAGE $id echo hello from cleat"
ctr --address "$ADDRESS" -n default run --rm --runtime "$runtime" "$IMAGE" "$id" \
	echo hello from cleat
