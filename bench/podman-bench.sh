#!/bin/bash
# podman-bench.sh [N]: `podman run --rm --network none IMAGE /bin/true` end to end through
# podman 4.3 and conmon, with cleat, runc and crun interleaved (one container of each per
# round, N rounds, default 20, after one warm-up round); mean and median per container and
# the ratios cleat/runc and cleat/crun. A runtime whose warm-up run fails is left out and
# said so. crun refuses the hybrid cgroup layout (v1 plus a unified mount), so on such a
# host the whole bench runs in a private mount namespace without the unified mount, where
# all three runtimes see the same cgroup v1 tree (and podman's mounts vanish with it).
# podman gets its own --root, --runroot and --tmpdir (tests/integration/podman-helpers.bash)
# and the locally built busybox image; nothing is pulled. Not part of the test suite.
#
# Environment: CLEAT (default: the built binary, CLEAT_BUILDDIR or the source tree).
set -euo pipefail

# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
N=${1:-20}
bench_args podman-bench.sh "usage: podman-bench.sh [N]  (N rounds of cleat, runc, crun; default 20)" \
	"${1:-}" N "$N"

if [ "$(id -u)" -ne 0 ]; then
	echo "podman-bench.sh: run as root" >&2
	exit 1
fi
command -v podman >/dev/null || { echo "podman-bench.sh: podman is not installed" >&2; exit 1; }
if [ -z "${PODMAN_BENCH_V1_NS:-}" ] && mountpoint -q /sys/fs/cgroup/unified; then
	PODMAN_BENCH_V1_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
if [ -n "${PODMAN_BENCH_V1_NS:-}" ]; then
	umount -l /sys/fs/cgroup/unified
	echo "podman-bench: hybrid cgroups; running in a mount namespace without /sys/fs/cgroup/unified"
fi

# helpers.bash expects to be loaded by bats; its podman helpers need neither.
bats_require_minimum_version() { :; }
load() { :; }
TOP=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/integration/helpers.bash
source "$TOP/tests/integration/helpers.bash"
# shellcheck source=../tests/integration/podman-helpers.bash
source "$TOP/tests/integration/podman-helpers.bash"
[ -x "$CLEAT" ] || { echo "podman-bench.sh: $CLEAT not built (run make)" >&2; exit 1; }

TIMES=$(mktemp -d)
trap 'rm -rf "$TIMES"; stop_podman; pm_cleanup_cgroups' EXIT
start_podman

run_once() {
	local rt=$1 t0 t1
	t0=${EPOCHREALTIME/./}
	pm --runtime "$rt" run --rm --network none --pull never busybox:cleat-test /bin/true \
		</dev/null >/dev/null 2>"$TIMES/err" || return 1
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0))
}

declare -A PATHS=([cleat]=$CLEAT [runc]=$(command -v runc) [crun]=$(command -v crun || true))
KINDS=()
for kind in cleat runc crun; do
	if [ -n "${PATHS[$kind]}" ] && run_once "${PATHS[$kind]}" >/dev/null; then
		KINDS+=("$kind")
	else
		echo "podman-bench: $kind left out: $(head -c 300 "$TIMES/err" 2>/dev/null)"
	fi
done
[ "${KINDS[0]:-}" = cleat ] || { echo "podman-bench: cleat does not run" >&2; exit 1; }

echo "podman-bench: $(podman --version), conmon $(conmon --version | awk 'NR == 1 { print $3 }'), $N rounds of ${KINDS[*]}"
for kind in "${KINDS[@]}"; do
	echo "  $kind: ${PATHS[$kind]}"
done
for ((i = 0; i < N; i++)); do
	for kind in "${KINDS[@]}"; do
		run_once "${PATHS[$kind]}" >>"$TIMES/$kind"
	done
done

declare -A MEAN MEDIAN
printf '\n%-34s %10s %12s\n' "podman run --rm /bin/true" "mean (ms)" "median (ms)"
for kind in "${KINDS[@]}"; do
	read -r "MEAN[$kind]" "MEDIAN[$kind]" < <(bench_stats "$TIMES/$kind")
	printf '%-34s %10s %12s\n' "$kind" "${MEAN[$kind]}" "${MEDIAN[$kind]}"
done
for kind in "${KINDS[@]:1}"; do
	echo "cleat/$kind: mean $(bench_ratio "${MEAN[cleat]}" "${MEAN[$kind]}"), median $(bench_ratio "${MEDIAN[cleat]}" "${MEDIAN[$kind]}")"
done
