#!/bin/bash
# runtime-bench.sh [N]: N (default 50) sequential `run` of /bin/true with cleat, runc and
# crun on the same bundles, printing per-container mean and median wall times and the ratios
# cleat/runc and cleat/crun, for each configuration:
#   default  runc's default spec (`runc spec`)
#   docker   docker's default confinement: the config.json Debian's dockerd hands its runtime
#            for `docker run --network none IMAGE /bin/true` (its seccomp profile,
#            capabilities, masked and read-only paths, mounts), captured from a real dockerd
#            by capture-docker-config.sh and cached in $CLEAT_TEST_CACHE/bench; the bench only
#            points it at its own rootfs and files (root.path, the resolv.conf, hostname and
#            hosts bind mounts), drops docker's libnetwork-setkey prestart hook (it calls back
#            into a dockerd that is gone) and cgroupsPath (each runtime makes its default
#            cgroup /<id>, as for `default`).
# A Kubernetes pod container as containerd's CRI plugin builds it is not measured yet.
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
# BENCH_STATE (tmpfs), CLEAT_BEFORE (unset), CLEAT_TEST_CACHE (/tmp/cleat-test-cache).
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
# CLEAT_BEFORE: another cleat build (the one before a change), run as a fourth runtime
# `before` in the same passes, with the ratio cleat/before.
RUNTIMES=(cleat runc crun)
[ -n "${CLEAT_BEFORE:-}" ] && RUNTIMES+=(before)

if [ "$(id -u)" -ne 0 ]; then
	echo "runtime-bench.sh: run as root" >&2
	exit 1
fi

# docker's config, captured once per dockerd version (outside the private namespace below:
# dockerd needs the host's cgroups as they are).
BENCH_CACHE=${CLEAT_TEST_CACHE:-/tmp/cleat-test-cache}/bench
DOCKER_CONFIG_JSON=$BENCH_CACHE/docker-config-$(dockerd --version | awk '{ print $3 }' | tr -d ,).json
if [ "${CLEAT_BENCH_UNSHARED:-}" != 1 ] && [ ! -s "$DOCKER_CONFIG_JSON" ]; then
	echo "runtime-bench: capturing docker's config.json into $DOCKER_CONFIG_JSON" >&2
	"$SRCDIR/bench/capture-docker-config.sh" "$DOCKER_CONFIG_JSON" >&2
fi

# Re-run inside a private mount namespace with the unified hierarchy hidden.
if [ "${CLEAT_BENCH_UNSHARED:-}" != 1 ]; then
	exec env CLEAT_BENCH_UNSHARED=1 CLEAT="$CLEAT" CLEAT_BEFORE="${CLEAT_BEFORE:-}" unshare -m --propagation private "$0" "$@"
fi
umount -l /sys/fs/cgroup/unified 2>/dev/null || true

WORK=$(mktemp -d /tmp/cleat-bench-runtime.XXXXXX)
chmod 755 "$WORK"
STATE=$WORK/state
mkdir -m 0711 "$STATE"
cleanup() {
	local rt
	for rt in "${RUNTIMES[@]}"; do
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
	before) echo "$CLEAT_BEFORE" ;;
	esac
}

"$SRCDIR/contrib/make-test-image.sh" -s runc bundle "$WORK/bundle-default" /bin/true
# docker's config on the same rootfs, with files of our own for its three bind mounts.
mkdir -p "$WORK/bundle-docker" "$WORK/docker-files"
echo nameserver 127.0.0.1 >"$WORK/docker-files/resolv.conf"
echo bench >"$WORK/docker-files/hostname"
echo 127.0.0.1 localhost >"$WORK/docker-files/hosts"
jq --arg root "$WORK/bundle-default/rootfs" --arg files "$WORK/docker-files" '
	.root.path = $root | .process.args = ["/bin/true"] | del(.hooks) |
	del(.linux.cgroupsPath) |
	.mounts |= map(if (.destination | test("^/etc/(resolv.conf|hostname|hosts)$"))
		then .source = $files + "/" + (.destination | ltrimstr("/etc/")) else . end)' \
	"$DOCKER_CONFIG_JSON" >"$WORK/bundle-docker/config.json"
CONFIGS=(default docker)
for rt in "${RUNTIMES[@]}"; do mkdir -p "$STATE/root-$rt"; done

# run_once RUNTIME CONFIG ID: one timed run; prints microseconds.
run_once() {
	local rt=$1 cfg=$2 id=$3 bin t0 t1
	bin=$(bin_of "$rt")
	t0=${EPOCHREALTIME/./}
	if ! "$bin" --root "$STATE/root-$rt" run --bundle "$WORK/bundle-$cfg" "$id" \
		</dev/null >/dev/null 2>"$WORK/err"; then
		echo "runtime-bench.sh: $rt run ($cfg) failed:" >&2
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
[ -n "${CLEAT_BEFORE:-}" ] && echo "  before: $CLEAT_BEFORE ($("$CLEAT_BEFORE" --version | head -n1))"
echo "  configurations: ${CONFIGS[*]} (docker: $DOCKER_CONFIG_JSON)"

for ((i = 0; i < WARMUP; i++)); do
	for cfg in "${CONFIGS[@]}"; do
		for rt in "${RUNTIMES[@]}"; do
			run_once "$rt" "$cfg" "bench-warm-$cfg-$rt-$$-$i" >/dev/null
		done
	done
done
for ((i = 0; i < N; i++)); do
	for cfg in "${CONFIGS[@]}"; do
		for rt in "${RUNTIMES[@]}"; do
			run_once "$rt" "$cfg" "bench-$cfg-$rt-$$-$i" >>"$WORK/times-$cfg-$rt"
		done
	done
done
for cfg in "${CONFIGS[@]}"; do
	for rt in "${RUNTIMES[@]}"; do
		for ((i = 0; i < N; i++)); do
			run_once "$rt" "$cfg" "bench-b2b-$cfg-$rt-$$-$i" >>"$WORK/b2b-$cfg-$rt"
		done
	done
done

# stats FILE: "mean median" in milliseconds with 2 decimals.
stats() {
	sort -n "$1" | awk '{ v[NR] = $1; s += $1 }
		END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		      printf "%.2f %.2f\n", s / NR / 1000, m / 1000 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# report TITLE PREFIX: every configuration's table and ratios, then each runtime's
# docker/default ratio (what the confinement costs it).
report() {
	local rt cfg
	declare -A MEAN MEDIAN
	printf '\n%s\n' "$1"
	for cfg in "${CONFIGS[@]}"; do
		printf '[%s]\n%-8s %12s %12s\n' "$cfg" runtime "mean (ms)" "median (ms)"
		for rt in "${RUNTIMES[@]}"; do
			read -r MEAN[$cfg.$rt] MEDIAN[$cfg.$rt] < <(stats "$WORK/$2-$cfg-$rt")
			printf '%-8s %12s %12s\n' "$rt" "${MEAN[$cfg.$rt]}" "${MEDIAN[$cfg.$rt]}"
		done
		for rt in "${RUNTIMES[@]:1}"; do
			echo "cleat/$rt: mean $(ratio "${MEAN[$cfg.cleat]}" "${MEAN[$cfg.$rt]}"), median $(ratio "${MEDIAN[$cfg.cleat]}" "${MEDIAN[$cfg.$rt]}")"
		done
	done
	for rt in "${RUNTIMES[@]}"; do
		echo "$rt docker/default: median $(ratio "${MEDIAN[docker.$rt]}" "${MEDIAN[default.$rt]}")"
	done
}
report "interleaved (per run: each configuration, cleat, runc, crun):" times
report "back-to-back ($N of each in a row):" b2b
