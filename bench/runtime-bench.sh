#!/bin/bash
# runtime-bench.sh [N]: N (default 50) sequential `run` of /bin/true with cleat, runc and
# crun on the same bundle, printing per-container mean and median wall times and the ratios
# cleat/runc and cleat/crun.
#
# Fairness: crun refuses this kind of host's hybrid cgroup layout, so the whole benchmark
# runs in a private mount namespace (`unshare -m`) where /sys/fs/cgroup/unified is unmounted,
# and all three runtimes run there, with the same config.json (runc's default spec, args
# ["/bin/true"], each runtime creating its default cgroup /<id>).
#
# Two passes, both reported: interleaved (cleat, runc, crun, cleat, ...), so drift in the
# machine hits all three alike, and back-to-back (N runs of one runtime, then the next).
# They differ for crun: it moves its pid into each cgroup by writing cgroup.procs, and each
# such move waits for an RCU grace period, which is slower when the kernel is still
# tearing down the previous container (runc's, in the interleaved pass) or after idling.
# cleat's init joins by itself (no grace period), runc's cost is dominated by Go start-up.
# Timed: the whole `RUNTIME run` command, from fork to its exit (the container exited and
# was deleted). Not part of the test suite.
#
# State roots: each runtime's --root lives on a tmpfs, as /run (their default roots'
# home) is on real hosts; this machine's /run is on ext4 with online discard, where
# creating and removing the few state files adds 0.2-0.5 ms per container.
# BENCH_STATE=disk puts them in the work directory under /tmp instead.
#
# Environment: CLEAT (default: the built ./cleat, else cleat on PATH), RUNC, CRUN, WARMUP (3),
# BENCH_STATE (tmpfs).
set -euo pipefail

# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
N=${1:-50}
bench_args runtime-bench.sh "usage: runtime-bench.sh [N]  (N runs per runtime and pass, default 50)" "${1:-}" N "$N"
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${CLEAT:-}" ]; then
	if [ -x "${CLEAT_BUILDDIR:-$SRCDIR}/cleat" ]; then
		CLEAT=${CLEAT_BUILDDIR:-$SRCDIR}/cleat
	else
		CLEAT=$(command -v cleat)
	fi
fi
RUNC=${RUNC:-runc}
CRUN=${CRUN:-crun}
WARMUP=${WARMUP:-3}

if [ "$(id -u)" -ne 0 ]; then
	echo "runtime-bench.sh: run as root" >&2
	exit 1
fi

# Re-run inside a private mount namespace with the unified hierarchy hidden.
if [ "${CLEAT_BENCH_UNSHARED:-}" != 1 ]; then
	exec env CLEAT_BENCH_UNSHARED=1 CLEAT="$CLEAT" unshare -m --propagation private "$0" "$@"
fi
umount -l /sys/fs/cgroup/unified 2>/dev/null || true

WORK=$(mktemp -d /tmp/cleat-bench-runtime.XXXXXX)
chmod 755 "$WORK"
STATE=$WORK/state
mkdir -m 0711 "$STATE"
cleanup() {
	local rt
	for rt in cleat runc crun; do
		for id in $(ls "$STATE/root-$rt" 2>/dev/null); do
			"$(bin_of "$rt")" --root "$STATE/root-$rt" delete --force "$id" >/dev/null 2>&1 || true
		done
	done
	mountpoint -q "$STATE" && umount "$STATE"
	rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
if [ "${BENCH_STATE:-tmpfs}" = tmpfs ]; then
	mount -t tmpfs -o mode=0711 cleat-bench-state "$STATE"
fi

bin_of() {
	case $1 in
	cleat) echo "$CLEAT" ;;
	runc) echo "$RUNC" ;;
	crun) echo "$CRUN" ;;
	esac
}

"$SRCDIR/contrib/make-test-image.sh" -s runc bundle "$WORK/bundle" /bin/true
mkdir -p "$STATE/root-cleat" "$STATE/root-runc" "$STATE/root-crun"

# run_once RUNTIME ID: one timed run; prints microseconds.
run_once() {
	local rt=$1 id=$2 bin t0 t1
	bin=$(bin_of "$rt")
	t0=${EPOCHREALTIME/./}
	if ! "$bin" --root "$STATE/root-$rt" run --bundle "$WORK/bundle" "$id" \
		</dev/null >/dev/null 2>"$WORK/err"; then
		echo "runtime-bench.sh: $rt run failed:" >&2
		cat "$WORK/err" >&2
		exit 1
	fi
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0))
}

echo "runtime-bench: $N sequential runs of /bin/true each (+$WARMUP warm-up), interleaved,"
echo "all in a private mount namespace without /sys/fs/cgroup/unified,"
echo "state roots on $( [ "${BENCH_STATE:-tmpfs}" = tmpfs ] && echo "a tmpfs" || echo "$STATE (disk)")"
echo "  cleat: $CLEAT ($("$CLEAT" --version | head -n1))"
echo "  runc:  $(command -v "$RUNC") ($("$RUNC" --version | head -n1))"
echo "  crun:  $(command -v "$CRUN") ($("$CRUN" --version | head -n1))"

for ((i = 0; i < WARMUP; i++)); do
	for rt in cleat runc crun; do
		run_once "$rt" "bench-warm-$rt-$$-$i" >/dev/null
	done
done
for ((i = 0; i < N; i++)); do
	for rt in cleat runc crun; do
		run_once "$rt" "bench-$rt-$$-$i" >>"$WORK/times-$rt"
	done
done
for rt in cleat runc crun; do
	for ((i = 0; i < N; i++)); do
		run_once "$rt" "bench-b2b-$rt-$$-$i" >>"$WORK/b2b-$rt"
	done
done

# stats FILE: "mean median" in milliseconds with 2 decimals.
stats() {
	sort -n "$1" | awk '{ v[NR] = $1; s += $1 }
		END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		      printf "%.2f %.2f\n", s / NR / 1000, m / 1000 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# report TITLE PREFIX
report() {
	local rt
	declare -A MEAN MEDIAN
	printf '\n%s\n%-8s %12s %12s\n' "$1" runtime "mean (ms)" "median (ms)"
	for rt in cleat runc crun; do
		read -r MEAN[$rt] MEDIAN[$rt] < <(stats "$WORK/$2-$rt")
		printf '%-8s %12s %12s\n' "$rt" "${MEAN[$rt]}" "${MEDIAN[$rt]}"
	done
	echo "cleat/runc: mean $(ratio "${MEAN[cleat]}" "${MEAN[runc]}"), median $(ratio "${MEDIAN[cleat]}" "${MEDIAN[runc]}")"
	echo "cleat/crun: mean $(ratio "${MEAN[cleat]}" "${MEAN[crun]}"), median $(ratio "${MEDIAN[cleat]}" "${MEDIAN[crun]}")"
}
report "interleaved (cleat, runc, crun, cleat, ...):" times
report "back-to-back ($N of each in a row):" b2b
