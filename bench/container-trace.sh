#!/bin/bash
# container-trace.sh [-c default|docker] [-n ROUNDS] [-t TOP] CLEAT...: the container
# process's own time in `CLEAT run` of /bin/true, for each cleat binary given (say the build
# before a change and the one after), from an ftrace instance of our own
# (/sys/kernel/tracing/instances/cleat-trace-PID: every syscalls event, sched_switch, fork
# and exec), ROUNDS rounds (default 10) of one run of each binary in turn, after 2 untimed
# rounds.  Per binary, the medians of (container-trace.awk):
#   wall      the container process's fork to its execve of /bin/true (waits included)
#   on-CPU    its running time over that span (syscall tracing adds ~1 us a syscall)
#   mounts    its running time from its first mount(2) to sethostname/setsid: the rootfs
#             and mount work, pivot_root, sysctls, masked and read-only paths
#   syscalls  its syscall count
# and, with -t TOP, the TOP syscalls of its median run by on-CPU time.
# -c default: runc's default spec (contrib/make-test-image.sh -s runc); -c docker: docker's
# captured config as runtime-bench.sh runs it (the capture must be cached: run
# runtime-bench.sh once).  Like runtime-bench.sh it runs in a private mount namespace where
# /sys/fs/cgroup/unified is unmounted, with the state roots on a tmpfs.  Also prints the
# load average.  Run as root; not part of the test suite.
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=common.sh
. "$SRCDIR/bench/common.sh"
USAGE="usage: container-trace.sh [-c default|docker] [-n ROUNDS] [-t TOP] CLEAT..."
ARGS=("$@")
CONFIG=default ROUNDS=10 TOP=0
while getopts c:n:t:h o; do
	case $o in
	c) CONFIG=$OPTARG ;;
	n) ROUNDS=$OPTARG ;;
	t) TOP=$OPTARG ;;
	*)
		echo "$USAGE"
		[ "$o" = h ] && exit 0
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
bench_args container-trace.sh "$USAGE" "${1:-}" ROUNDS "$ROUNDS"
[[ $TOP =~ ^[0-9]+$ ]] || { echo "$USAGE" >&2; exit 2; }
case $CONFIG in default | docker) ;; *) echo "$USAGE" >&2; exit 2 ;; esac
[ $# -ge 1 ] || { echo "$USAGE" >&2; exit 2; }
if [ "$(id -u)" -ne 0 ]; then
	echo "container-trace.sh: run as root" >&2
	exit 1
fi
DOCKER_CONFIG_JSON=${CLEAT_TEST_CACHE:-/tmp/cleat-test-cache}/bench/docker-config-$(dockerd --version 2>/dev/null | awk '{ print $3 }' | tr -d ,).json
if [ "$CONFIG" = docker ] && [ ! -s "$DOCKER_CONFIG_JSON" ]; then
	echo "container-trace.sh: no docker capture at $DOCKER_CONFIG_JSON (run runtime-bench.sh once)" >&2
	exit 1
fi
if [ "${CLEAT_TRACE_UNSHARED:-}" != 1 ]; then
	exec env CLEAT_TRACE_UNSHARED=1 unshare -m --propagation private "$0" "${ARGS[@]}"
fi
umount -l /sys/fs/cgroup/unified 2>/dev/null || true

BINS=("$@")
NBIN=$#
WORK=$(mktemp -d /tmp/cleat-trace.XXXXXX)
chmod 755 "$WORK"
INST=/sys/kernel/tracing/instances/cleat-trace-$$
cleanup() {
	set +e
	[ -d "$INST" ] && echo 0 >"$INST/tracing_on" && rmdir "$INST"
	local k id
	for ((k = 1; k <= NBIN; k++)); do
		for id in $(ls "$WORK/state/$k" 2>/dev/null); do
			"${BINS[k - 1]}" --root "$WORK/state/$k" delete --force "$id" >/dev/null 2>&1
		done
	done
	mountpoint -q "$WORK/state" && umount "$WORK/state"
	rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

"$SRCDIR/contrib/make-test-image.sh" -s runc bundle "$WORK/bundle-default" /bin/true >/dev/null
BUNDLE=$WORK/bundle-default
if [ "$CONFIG" = docker ]; then
	bench_docker_bundle "$DOCKER_CONFIG_JSON" "$WORK/bundle-default/rootfs" "$WORK/docker-files" \
		"$WORK/bundle-docker"
	BUNDLE=$WORK/bundle-docker
fi
mkdir -p "$WORK/state"
mount -t tmpfs -o mode=0711 cleat-trace-state "$WORK/state"

mkdir "$INST"
echo 8192 >"$INST/buffer_size_kb"
echo 1 >"$INST/events/syscalls/enable"
for e in sched_switch sched_process_fork sched_process_exec; do
	echo 1 >"$INST/events/sched/$e/enable"
done

for ((r = -2; r < ROUNDS; r++)); do
	for ((k = 1; k <= $#; k++)); do
		bin=${!k}
		mkdir -p "$WORK/state/$k" "$WORK/out/$k"
		echo >"$INST/trace"
		echo 1 >"$INST/tracing_on"
		"$bin" --root "$WORK/state/$k" run --bundle "$BUNDLE" "trace-$k" >/dev/null
		echo 0 >"$INST/tracing_on"
		[ $r -ge 0 ] || continue
		cat "$INST/trace" >"$WORK/trace"
		awk -v prog=/bin/true -v root=$$ -v top="$TOP" -f "$SRCDIR/bench/container-trace.awk" \
			"$WORK/trace" "$WORK/trace" >"$WORK/out/$k/$r"
	done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '%-40s %9s %9s %9s %9s   (medians of %d rounds, %s config, microseconds)\n' \
	binary wall on-CPU mounts syscalls "$ROUNDS" "$CONFIG"
for ((k = 1; k <= $#; k++)); do
	out=$WORK/out/$k
	row=()
	for col in 1 2 3 4; do
		row+=("$(for f in "$out"/*; do head -1 "$f" | awk -v c=$col '{ print $c }'; done | median)")
	done
	printf '%-40s %9s %9s %9s %9s\n' "${!k}" "${row[@]}"
	if [ "$TOP" -gt 0 ]; then
		# The run whose on-CPU time is the median's (or the nearest above it).
		med=${row[1]}
		pick=$(for f in "$out"/*; do echo "$(head -1 "$f" | awk '{ print $2 }') $f"; done |
			sort -n | awk -v m="$med" '$1 >= m { print $2; exit }')
		tail -n +2 "$pick" | awk '{ printf "    %-24s %5d calls %7d us\n", $1, $2, $3 }'
	fi
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
