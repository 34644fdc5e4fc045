#!/bin/bash
# Build the pinned peer daemons the test suite compares cleat against when Debian's own are
# too old: containerd 2.x (containerd, ctr, containerd-shim-runc-v2) and runc 1.5, from their
# Go modules, into a cache directory (never into the source tree); and critest (cri-tools'
# CRI validation suite, a Go test binary) that critest2.bats runs against containerd 2.x.
#
#   build-peers.sh [DIR]      DIR defaults to $CLEAT_PEERS_DIR, else $CLEAT_TEST_CACHE/peers
#                             (CLEAT_TEST_CACHE defaults to /tmp/cleat-test-cache)
#
# Layout: DIR/<pin-key>/bin/{containerd,ctr,containerd-shim-runc-v2,runc,critest}, a .complete stamp
# and build.log (with the build time), and DIR/go/{cache,mod} (Go's build and module caches,
# kept so a rebuild after a pin change only fetches what changed). The pin key is a checksum
# of the pins and of the Go version, so a bin directory always matches them; an existing
# complete one is reused at once.
#
# Prints the bin directory on success. Exits 2 (with the reason on stderr) when Go is absent
# or the module proxy cannot be reached, 1 when the build failed; callers skip either way.
# Environment: GO (the go binary; else PATH, else /usr/local/go/bin/go), CONTAINERD2_VERSION,
# RUNC15_VERSION, CRITEST_VERSION, CLEAT_PEERS_DIR, CLEAT_PEERS_RETRY, CLEAT_PEERS_DOWNLOAD_TIMEOUT (s, 300).
set -euo pipefail

CONTAINERD2_VERSION=${CONTAINERD2_VERSION:-v2.4.2}
RUNC15_VERSION=${RUNC15_VERSION:-v1.5.3}
CRITEST_VERSION=${CRITEST_VERSION:-v1.37.0}

find_go() {
	if [ -n "${GO:-}" ]; then [ -x "$(command -v "$GO")" ] && echo "$GO"; return; fi
	if command -v go >/dev/null 2>&1; then command -v go; return 0; fi
	local g
	for g in /usr/local/go/bin/go /usr/lib/go/bin/go; do
		[ -x "$g" ] && { echo "$g"; return 0; }
	done
	return 1
}

GO=$(find_go) || { echo "build-peers: no Go toolchain (PATH, /usr/local/go/bin/go)" >&2; exit 2; }
CACHE=${CLEAT_TEST_CACHE:-/tmp/cleat-test-cache}
DIR=${1:-${CLEAT_PEERS_DIR:-$CACHE/peers}}
goversion=$("$GO" env GOVERSION) || { echo "build-peers: $GO does not run" >&2; exit 2; }
key=$(printf '%s\n' "containerd $CONTAINERD2_VERSION" "runc $RUNC15_VERSION" \
	"critest $CRITEST_VERSION" "$goversion" \
	"$(sha256sum "$0" | cut -d' ' -f1)" | sha256sum | cut -c1-16)
OUT=$DIR/$key
if [ -e "$OUT/.complete" ]; then
	echo "$OUT/bin"
	exit 0
fi

mkdir -p "$DIR"
exec 9>"$DIR/.lock"
flock -w 3600 9 || { echo "build-peers: cannot lock $DIR/.lock" >&2; exit 1; }
if [ -e "$OUT/.complete" ]; then
	echo "$OUT/bin"
	exit 0
fi

# A build that failed for these pins is not tried again by every suite (CLEAT_PEERS_RETRY=1
# does); a download failure is not remembered.
failed=$DIR/$key.failed
if [ -e "$failed" ] && [ "${CLEAT_PEERS_RETRY:-0}" != 1 ]; then
	echo "build-peers: an earlier build of these pins failed (CLEAT_PEERS_RETRY=1 retries):" >&2
	cat "$failed" >&2
	exit 1
fi

tmp=$(mktemp -d "$DIR/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$DIR/go/cache" "$DIR/go/mod"
export GOCACHE=$DIR/go/cache GOMODCACHE=$DIR/go/mod GOFLAGS=-mod=mod GOTOOLCHAIN=local
export CGO_ENABLED=1 GOBIN=$tmp/bin
log=$tmp/build.log

# The proxy (or a module already in GOMODCACHE) must answer; otherwise it is a skip.
if ! timeout "${CLEAT_PEERS_DOWNLOAD_TIMEOUT:-300}" "$GO" mod download -json "github.com/containerd/containerd/v2@$CONTAINERD2_VERSION" \
	"github.com/opencontainers/runc@$RUNC15_VERSION" "sigs.k8s.io/cri-tools@$CRITEST_VERSION" \
	>"$tmp/download.json" 2>"$tmp/download.err"; then
	echo "build-peers: cannot download the modules (proxy unreachable?):" >&2
	{ grep -h '"Error"' "$tmp/download.json"; tail -n 5 "$tmp/download.err"; } | head -n 5 >&2
	exit 2
fi

start=$(date +%s)
{
	echo "go: $goversion ($GO)"
	echo "containerd: $CONTAINERD2_VERSION, runc: $RUNC15_VERSION, critest: $CRITEST_VERSION"
} >"$log"
c=github.com/containerd/containerd/v2/cmd
if ! "$GO" install "$c/containerd@$CONTAINERD2_VERSION" "$c/ctr@$CONTAINERD2_VERSION" \
	"$c/containerd-shim-runc-v2@$CONTAINERD2_VERSION" >>"$log" 2>&1; then
	echo "build-peers: building containerd $CONTAINERD2_VERSION failed:" >&2
	tail -n 20 "$log" | tee "$failed" >&2
	exit 1
fi
mid=$(date +%s)
if ! "$GO" install -tags seccomp "github.com/opencontainers/runc@$RUNC15_VERSION" >>"$log" 2>&1; then
	echo "build-peers: building runc $RUNC15_VERSION failed:" >&2
	tail -n 20 "$log" | tee "$failed" >&2
	exit 1
fi
end=$(date +%s)
# critest has no main package: it is cri-tools' cmd/critest test binary, built by `go test -c`
# inside a scratch module that requires cri-tools at the pin (cri-tools' own go.mod then picks
# every dependency's version).
mkdir -p "$tmp/critest-mod"
printf 'module cleat-critest-build\n\ngo 1.24\n' >"$tmp/critest-mod/go.mod"
if ! (cd "$tmp/critest-mod" && "$GO" get "sigs.k8s.io/cri-tools@$CRITEST_VERSION" &&
	"$GO" test -c -o "$GOBIN/critest" sigs.k8s.io/cri-tools/cmd/critest) >>"$log" 2>&1; then
	echo "build-peers: building critest $CRITEST_VERSION failed:" >&2
	tail -n 20 "$log" | tee "$failed" >&2
	exit 1
fi
crit=$(date +%s)
echo "build seconds: containerd $((mid - start)), runc $((end - mid)), critest $((crit - end)), total $((crit - start))" >>"$log"
mv "$tmp/bin" "$tmp/out-bin"
mkdir -p "$tmp/out"
mv "$tmp/out-bin" "$tmp/out/bin"
mv "$log" "$tmp/out/build.log"
touch "$tmp/out/.complete"
rm -rf "$OUT"
mv -T "$tmp/out" "$OUT"
chmod -R a+rX "$OUT"
echo "$OUT/bin"
