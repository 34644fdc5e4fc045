#!/bin/bash
# docker-bench.sh [N]: `docker run --rm IMAGE /bin/true` end to end under Debian's dockerd
# and containerd, in three configurations interleaved run by run (N each, default 20):
#   cleat shim + cleat     a dockerd on a containerd with the drop-in (contrib/cleat-dropin.sh:
#                          the cleat shim answers for containerd-shim-runc-v2), --runtime cleat
#   runc-v2 shim + cleat   a second dockerd + containerd with Debian's shim, --runtime cleat
#   runc-v2 shim + runc    the second pair, --runtime runc
# Prints mean and median per container and each median's ratio to (runc-v2 shim + runc).
# Both pairs have their own dirs and sockets, --bridge=none --iptables=false, no pulls (the
# image is `docker import`ed), and are stopped by PID at the end. Not part of the test suite.
#
# Environment: CLEAT, SHIM (default: the built binaries, CLEAT_BUILDDIR or the source tree).
set -euo pipefail

# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
N=${1:-20}
bench_args docker-bench.sh "usage: docker-bench.sh [N]  (N runs per configuration, default 20)" \
	"${1:-}" N "$N"

if [ "$(id -u)" -ne 0 ]; then
	echo "docker-bench.sh: run as root" >&2
	exit 1
fi

# helpers.bash expects to be loaded by bats; its daemon helpers need neither.
bats_require_minimum_version() { :; }
load() { :; }
SRC=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/integration/helpers.bash
source "$SRC/tests/integration/helpers.bash"
for b in "$CLEAT" "$SHIM"; do
	[ -x "$b" ] || { echo "docker-bench.sh: $b not built (run make)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/cleat-docker-bench.XXXXXX)
PAIR_VARS="DOCKERD_DIR DOCKER_SOCK DOCKERD_PID CTRD_DIR CTR_ADDRESS CTRD_PID CTRD_PATH_PREFIX DOCKERD_OWNS_CONTAINERD"
declare -A SAVED
save_pair() {
	local v
	for v in $PAIR_VARS; do SAVED[$1.$v]=${!v:-}; done
	for v in $PAIR_VARS; do unset "$v"; done
}
use_pair() {
	local v
	for v in $PAIR_VARS; do export "$v=${SAVED[$1.$v]}"; done
}
cleanup() {
	set +e
	for p in A B; do
		[ -n "${SAVED[$p.DOCKERD_DIR]:-}" ] && { use_pair "$p"; stop_dockerd; }
	done
	"$SRC/contrib/cleat-dropin.sh" --no-systemd --dir "$WORK/dropin" uninstall >/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

"$SRC/contrib/cleat-dropin.sh" --no-systemd --dir "$WORK/dropin" --shim "$SHIM" install >/dev/null
CTRD_PATH_PREFIX=$WORK/dropin start_dockerd
CTRD_PATH_PREFIX=$WORK/dropin
import_test_image_docker
save_pair A
start_dockerd
import_test_image_docker
save_pair B

CONFIGS=("A cleat" "B cleat" "B runc")
LABELS=("cleat shim + cleat" "runc-v2 shim + cleat" "runc-v2 shim + runc")

run_once() {
	local t0 t1
	use_pair "$1"
	t0=${EPOCHREALTIME/./}
	docker_ run --rm --runtime "$2" --network none --pull never "$TEST_IMAGE_DOCKER" /bin/true \
		</dev/null >/dev/null
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0))
}

echo "docker-bench: dockerd $(dockerd --version | awk '{ print $3 }' | tr -d ,), containerd $(containerd --version | awk '{ print $3 }'), $N runs per configuration, interleaved"
echo "  cleat shim: $SHIM (as containerd-shim-runc-v2 through $WORK/dropin)"
echo "  cleat: $CLEAT; runc: $(command -v runc); runc-v2 shim: $(command -v containerd-shim-runc-v2)"
for c in "${CONFIGS[@]}"; do
	# shellcheck disable=SC2086
	run_once $c >/dev/null
	# shellcheck disable=SC2086
	run_once $c >/dev/null
done
for ((i = 0; i < N; i++)); do
	for k in 0 1 2; do
		# shellcheck disable=SC2086
		run_once ${CONFIGS[$k]} >>"$WORK/times-$k"
	done
done

stats() {
	sort -n "$1" | awk '{ v[NR] = $1; s += $1 }
		END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		      printf "%.1f %.1f\n", s / NR / 1000, m / 1000 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
declare -a MEAN MED
for k in 0 1 2; do
	read -r "MEAN[$k]" "MED[$k]" < <(stats "$WORK/times-$k")
done
printf '\n%-34s %10s %12s %22s\n' "docker run --rm /bin/true" "mean (ms)" "median (ms)" "median / runc-v2+runc"
for k in 0 1 2; do
	printf '%-34s %10s %12s %22s\n' "${LABELS[$k]}" "${MEAN[$k]}" "${MED[$k]}" "$(ratio "${MED[$k]}" "${MED[2]}")"
done
