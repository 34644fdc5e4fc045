#!/bin/bash
# shim-bench.sh [N] [K]: the cleat shim against containerd-shim-runc-v2, under a containerd
# of our own (own root, state and sockets; stopped by PID at the end):
#   1. memory: K (default 5) `sleep` containers per shim, started detached; for each shim
#      process, Rss and Pss from /proc/PID/smaps_rollup; mean per shim and the ratios.
#      (Pss divides shared pages among the processes sharing them, so K matters: it is
#      printed.)
#   2. end to end: N (default 20) `ctr run --rm IMAGE ID /bin/true`, interleaved, with
#      io.containerd.cleat.v2 + cleat and with io.containerd.runc.v2 + runc; mean and
#      median per container and the ratio.
# Not part of the test suite.
#
# Environment: CLEAT, SHIM (default: the built binaries, CLEAT_BUILDDIR or the source tree).
set -euo pipefail

# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
N=${1:-20}
K=${2:-5}
bench_args shim-bench.sh "usage: shim-bench.sh [N] [K]  (N end-to-end runs, default 20; K containers per shim, default 5)" \
	"${1:-}" N "$N" K "$K"

if [ "$(id -u)" -ne 0 ]; then
	echo "shim-bench.sh: run as root" >&2
	exit 1
fi

# helpers.bash expects to be loaded by bats; its daemon helpers need neither.
bats_require_minimum_version() { :; }
load() { :; }
# shellcheck source=../tests/integration/helpers.bash
source "$(cd "$(dirname "$0")/.." && pwd)/tests/integration/helpers.bash"
for b in "$CLEAT" "$SHIM"; do
	[ -x "$b" ] || { echo "shim-bench.sh: $b not built (run make)" >&2; exit 1; }
done

trap 'stop_containerd' EXIT
start_containerd
import_test_image_ctr

CLEAT_RT=io.containerd.cleat.v2
RUNC_RT=io.containerd.runc.v2

# shim_of ID: the pid of the shim holding task ID (the parent of its init: the shim is the
# init's subreaper, and the runtime has exited by now).
shim_of() {
	local pid
	pid=$(ctr_ task ls | awk -v id="$1" '$1 == id { print $2 }')
	awk '/^PPid:/ { print $2 }' "/proc/$pid/status"
}

# rollup PID FIELD: FIELD (Rss, Pss) of /proc/PID/smaps_rollup in KiB.
rollup() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/smaps_rollup"
}

echo "shim-bench: containerd $(containerd --version | awk '{ print $3 }'), $K containers per shim for memory, $N runs end to end"
echo "  cleat shim: $SHIM (runtime $CLEAT)"
echo "  runc shim:  $(command -v containerd-shim-runc-v2) (runtime $(command -v runc))"

# 1. memory
declare -A RSS PSS
for kind in cleat runc; do
	rt=$CLEAT_RT
	[ "$kind" = runc ] && rt=$RUNC_RT
	for ((i = 0; i < K; i++)); do
		ctr_ run -d --runtime "$rt" "$TEST_IMAGE_REF" "mem-$kind-$i" sleep 1000 >/dev/null
	done
done
sleep 1
for kind in cleat runc; do
	rss=0 pss=0
	for ((i = 0; i < K; i++)); do
		s=$(shim_of "mem-$kind-$i")
		rss=$((rss + $(rollup "$s" Rss)))
		pss=$((pss + $(rollup "$s" Pss)))
	done
	RSS[$kind]=$((rss / K))
	PSS[$kind]=$((pss / K))
done
for kind in cleat runc; do
	for ((i = 0; i < K; i++)); do
		ctr_ task kill -s SIGKILL "mem-$kind-$i" >/dev/null 2>&1 || true
	done
done
for kind in cleat runc; do
	for ((i = 0; i < K; i++)); do
		for _ in $(seq 50); do
			ctr_ task delete "mem-$kind-$i" >/dev/null 2>&1 && break
			sleep 0.1
		done
		ctr_ container delete "mem-$kind-$i" >/dev/null 2>&1 || true
	done
done

printf '\n%-28s %10s %10s\n' "per shim (mean of $K)" "RSS (KiB)" "PSS (KiB)"
printf '%-28s %10s %10s\n' containerd-shim-cleat-v2 "${RSS[cleat]}" "${PSS[cleat]}"
printf '%-28s %10s %10s\n' containerd-shim-runc-v2 "${RSS[runc]}" "${PSS[runc]}"
echo "cleat/runc-v2: RSS $(bench_ratio "${RSS[cleat]}" "${RSS[runc]}"), PSS $(bench_ratio "${PSS[cleat]}" "${PSS[runc]}")"

# 2. end to end
run_once() {
	local rt=$1 id=$2 t0 t1
	t0=${EPOCHREALTIME/./}
	ctr_ run --rm --runtime "$rt" "$TEST_IMAGE_REF" "$id" /bin/true </dev/null >/dev/null
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0))
}
TIMES=$(mktemp -d)
trap 'rm -rf "$TIMES"; stop_containerd' EXIT
for i in 1 2; do
	run_once "$CLEAT_RT" "warm-cleat-$i" >/dev/null
	run_once "$RUNC_RT" "warm-runc-$i" >/dev/null
done
for ((i = 0; i < N; i++)); do
	run_once "$CLEAT_RT" "e2e-cleat-$i" >>"$TIMES/cleat"
	run_once "$RUNC_RT" "e2e-runc-$i" >>"$TIMES/runc"
done
read -r cm cmed < <(bench_stats "$TIMES/cleat")
read -r rm_ rmed < <(bench_stats "$TIMES/runc")
printf '\n%-34s %10s %12s\n' "ctr run --rm /bin/true" "mean (ms)" "median (ms)"
printf '%-34s %10s %12s\n' "cleat shim + cleat" "$cm" "$cmed"
printf '%-34s %10s %12s\n' "runc-v2 shim + runc" "$rm_" "$rmed"
echo "cleat/runc-v2 end to end: mean $(bench_ratio "$cm" "$rm_"), median $(bench_ratio "$cmed" "$rmed")"
