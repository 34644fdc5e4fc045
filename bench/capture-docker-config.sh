#!/bin/bash
# capture-docker-config.sh OUT: write to OUT the config.json that Debian's dockerd gives its
# runtime for `docker run --network none IMAGE /bin/true` on this machine (docker's default
# confinement: its seccomp profile, capabilities, masked and read-only paths, mounts).
#
# How: a dockerd of our own (own dirs and sockets, --bridge=none --iptables=false, the test
# image `docker import`ed, nothing pulled) gets a runtime `capture`, a wrapper that copies
# the bundle's config.json on `create` and then runs runc.  Both daemons are stopped by PID.
# Used by runtime-bench.sh, which caches the result; not part of the test suite.
set -euo pipefail

OUT=${1:?usage: capture-docker-config.sh OUT}
SRC=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=common.sh
. "$SRC/bench/common.sh"
bench_capture_prologue capture-docker-config.sh

WORK=$(mktemp -d /tmp/cleat-capture-docker.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	set +e
	stop_dockerd
	rm -rf "$WORK"
}
trap cleanup EXIT

# The wrapper saves the bundle's config.json.
bench_capture_runtime "$WORK/capture-runtime" 'cp "$bundle/config.json" "'"$WORK"'/config.json"'

start_dockerd --add-runtime "capture=$WORK/capture-runtime" >/dev/null
import_test_image_docker
docker_ run --rm --runtime capture --network none --pull never "$TEST_IMAGE_DOCKER" /bin/true \
	</dev/null >/dev/null
[ -s "$WORK/config.json" ] || {
	echo "capture-docker-config.sh: the runtime wrapper saw no create" >&2
	exit 1
}
mkdir -p "$(dirname "$OUT")"
cp "$WORK/config.json" "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
