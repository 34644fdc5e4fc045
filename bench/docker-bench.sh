#!/bin/bash
# docker-bench.sh [--phases] [N]: `docker run --rm IMAGE /bin/true` end to end under Debian's dockerd
# and containerd, in three configurations interleaved run by run (N each, default 20):
#   cleat shim + cleat     a dockerd on a containerd with the drop-in (contrib/cleat-dropin.sh:
#                          the cleat shim answers for containerd-shim-runc-v2), --runtime cleat
#   runc-v2 shim + cleat   a second dockerd + containerd with Debian's shim, --runtime cleat
#   runc-v2 shim + runc    the second pair, --runtime runc
# Prints mean and median per container and each median's ratio to (runc-v2 shim + runc).
# Both pairs have their own dirs and sockets, --bridge=none --iptables=false, no pulls (the
# image is `docker import`ed), and are stopped by PID at the end. Not part of the test suite.
#
# --phases: both daemons log at debug level and an ftrace instance of our own records
# every fork, exec and exit (of containerd's and dockerd's descendants: the shim, the
# runtime, the hook, the container); each run is cut into phases at dockerd's and
# containerd's log lines and at those execs and exits (docker-phases.awk), and a table
# prints each phase's median per configuration, who spends it, and the daemons' floor:
# the time of the phases where neither the shim nor the runtime runs nor is waited for.
# Debug logging and tracing cost a little: compare totals only within one mode.
#
# Environment: CLEAT, SHIM (default: the built binaries, CLEAT_BUILDDIR or the source tree).
set -euo pipefail

# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
PHASES=0
if [ "${1:-}" = --phases ]; then
	PHASES=1
	shift
fi
N=${1:-20}
bench_args docker-bench.sh "usage: docker-bench.sh [--phases] [N]  (N runs per configuration, default 20)" \
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
	[ -n "${TRACE:-}" ] && [ -d "$TRACE" ] && { echo 0 >"$TRACE/tracing_on"; rmdir "$TRACE"; }
	rm -rf "$WORK"
}
trap cleanup EXIT

# trace_setup: an ftrace instance of ours (its own buffer; the machine's tracing is left
# alone) recording forks, execs and exits on the tai clock; KOFF is tai - realtime, from
# a marker written with the realtime clock's reading. Without tracefs, TRACE stays empty
# and the phases bounded by execs and exits print as NA.
TRACE=
KOFF=0
trace_setup() {
	local t e mark
	for t in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -d "$t/instances" ] && break
	done
	TRACE=$t/instances/cleat-docker-bench-$$
	if ! mkdir "$TRACE" 2>/dev/null; then
		echo "docker-bench.sh: no ftrace instance ($TRACE): phases at execs and exits print as NA" >&2
		TRACE=
		return 0
	fi
	echo tai >"$TRACE/trace_clock"
	echo 8192 >"$TRACE/buffer_size_kb"
	for e in fork exec exit; do echo 1 >"$TRACE/events/sched/sched_process_$e/enable"; done
	# Wakeups of the runtimes only: the hook's end is when it wakes the runtime.
	echo 'comm == "cleat" || comm == "runc"' >"$TRACE/events/sched/sched_wakeup/filter"
	echo 1 >"$TRACE/events/sched/sched_wakeup/enable"
	echo 1 >"$TRACE/tracing_on"
	echo "cleat-docker-bench $EPOCHREALTIME" >"$TRACE/trace_marker"
	echo 0 >"$TRACE/tracing_on"
	mark=$(grep -m1 'cleat-docker-bench ' "$TRACE/trace")
	KOFF=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) t = $i + 0
		printf "%.6f", t - $NF }' <<<"$mark")
	echo >"$TRACE/trace"
}

if [ "$PHASES" = 1 ]; then
	export DOCKERD_LOG_LEVEL=debug CTRD_LOG_LEVEL=debug
	trace_setup
fi

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

# run_once PAIR RUNTIME [PHASES_FILE]: one run; prints its time in microseconds. With
# PHASES_FILE, appends the run's phases (docker-phases.awk) to it.
run_once() {
	local t0 t1 dpos cpos roots
	use_pair "$1"
	if [ -n "${3:-}" ]; then
		roots=$(ls "/proc/$CTRD_PID/task" "/proc/$DOCKERD_PID/task" | grep '^[0-9]')
		dpos=$(stat -c %s "$DOCKERD_DIR/dockerd.log")
		cpos=$(stat -c %s "$CTRD_DIR/containerd.log")
		if [ -n "$TRACE" ]; then
			echo >"$TRACE/trace"
			echo 1 >"$TRACE/tracing_on"
		fi
	fi
	t0=${EPOCHREALTIME/./}
	docker_ run --rm --runtime "$2" --network none --pull never "$TEST_IMAGE_DOCKER" /bin/true \
		</dev/null >/dev/null
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0))
	[ -n "${3:-}" ] || return 0
	[ -n "$TRACE" ] && echo 0 >"$TRACE/tracing_on"
	{
		echo "X ${t0:0:-6}.${t0: -6} client_start"
		echo "X ${t1:0:-6}.${t1: -6} client_end"
		tail -c +$((dpos + 1)) "$DOCKERD_DIR/dockerd.log" | sed 's/^/D /'
		tail -c +$((cpos + 1)) "$CTRD_DIR/containerd.log" | sed 's/^/C /'
		[ -n "$TRACE" ] && grep -v '^#' "$TRACE/trace" | sed 's/^/K /'
	} | awk -f "$SRC/bench/docker-phases.awk" -v rt="$2" -v dockerd="$DOCKERD_PID" \
		-v koff="$KOFF" -v roots="$roots" \
		>>"$3"
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
		run_once ${CONFIGS[$k]} "$([ "$PHASES" = 1 ] && echo "$WORK/phases-$k")" >>"$WORK/times-$k"
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

[ "$PHASES" = 1 ] || exit 0

# The phases between docker-phases.awk's points, each with who spends it: "daemons" when
# neither the shim nor the runtime runs or is waited for (the docker CLI counts here, and
# the libnetwork-setkey prestart hook: dockerd's own binary, run by the runtime as
# dockerd's config.json asks, calling back into dockerd), "shim", "runtime", or "mixed"
# when a daemon and the shim take turns (RPCs and their replies). The floor sums the
# "daemons" rows only: it is what remains with a shim and a runtime that take no time.
PHASE_ROWS=(
	"daemons|docker CLI start, first API call"
	"daemons|dockerd create (layer, overlay mount)"
	"daemons|CLI attach and wait calls"
	"daemons|dockerd start (mount, sandbox, spec)"
	"daemons|containerd container, task to shim exec"
	"shim|shim start subcommand"
	"mixed|Create RPC until the runtime create exec"
	"runtime|runtime create until the prestart hook"
	"daemons|libnetwork-setkey hook (dockerd)"
	"runtime|runtime create after the hook"
	"mixed|Create reply, Start RPC to runtime exec"
	"runtime|runtime start, /bin/true runs and exits"
	"mixed|exit reaped to TaskExit at dockerd"
	"mixed|dockerd exit handling, stdio EOF, Delete"
	"runtime|runtime delete"
	"shim|Delete reply, Shutdown, shim exit"
	"mixed|containerd runs shim delete (disconnected)"
	"daemons|dockerd: containerd container delete"
	"daemons|autoremove (layer), wait reply, CLI exit"
)
# col_median FILE COLUMN: median of a column in ms, NA values left out.
col_median() {
	awk -v c="$2" '$c != "NA" { print $c }' "$1" | sort -n | awk '{ v[NR] = $1 }
		END { if (!NR) { print "NA"; exit }
		      printf "%.1f\n", ((NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 1000 }'
}
printf '\nphases, median ms per configuration (debug logs and tracing on; rows are medians, so they need not add up to the total)\n'
printf '%-48s %-8s %9s %9s %9s\n' "phase" "who" "cleat+c" "v2+cleat" "v2+runc"
WHO=""
for ((i = 0; i < ${#PHASE_ROWS[@]}; i++)); do
	who=${PHASE_ROWS[$i]%%|*}
	WHO+="$who "
	row=$(printf '%-48s %-8s' "$((i + 1)). ${PHASE_ROWS[$i]#*|}" "$who")
	for k in 0 1 2; do row+=$(printf ' %9s' "$(col_median "$WORK/phases-$k" $((i + 1)))"); done
	echo "$row"
done
# Per run, the sum of each owner's phases (a run missing a point has no sums), then the
# median of those sums over the runs: the floor is the daemons' sum.
for k in 0 1 2; do
	awk -v who="$WHO" 'BEGIN { n = split(who, w, " ") }
		{ for (i = 1; i <= n; i++) if ($i == "NA") next
		  delete s; for (i = 1; i <= n; i++) s[w[i]] += $i
		  print s["daemons"] + 0, s["shim"] + 0, s["runtime"] + 0, s["mixed"] + 0, $(n + 1) }' \
		"$WORK/phases-$k" >"$WORK/owners-$k"
done
declare -A OWN
c=0
for who in daemons shim runtime mixed total; do
	c=$((c + 1))
	printf '%-57s' "$who (median of each run's sum)"
	for k in 0 1 2; do
		OWN[$who.$k]=$(col_median "$WORK/owners-$k" $c)
		printf ' %9s' "${OWN[$who.$k]}"
	done
	echo
done
target=$(awk -v t="${OWN[total.2]}" 'BEGIN { printf "%.1f", 0.6 * t }')
echo "floor: the daemons' phases of (cleat shim + cleat) take ${OWN[daemons.0]} ms (shim, runtime and mixed: the rest); the target, 0.6 x (runc-v2 shim + runc), is $target ms"
awk -v f="${OWN[daemons.0]}" -v t="${OWN[total.2]}" 'BEGIN {
	printf "floor / (runc-v2 shim + runc) = %.3f: ", f / t
	print (f / t >= 0.6) ? "0.6 is out of reach even with a shim and a runtime that take no time" \
		: "0.6 is above the floor" }'
