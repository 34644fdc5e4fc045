#!/bin/bash
# runtime-bench.sh [N] [LEVELS] [K]: cleat against runc and crun on the same bundles, in one
# run, printing per-operation mean and median wall times and every ratio, one table a figure:
#   run-default  N sequential `run` of /bin/true with runc's default spec (`runc spec`)
#   run-docker   the same with docker's default confinement: the config.json Debian's dockerd
#                hands its runtime for `docker run --network none IMAGE /bin/true` (its
#                seccomp profile, capabilities, masked and read-only paths, mounts), captured
#                from a real dockerd by capture-docker-config.sh; the bench only points it at
#                its own rootfs and files (root.path, the resolv.conf, hostname and hosts bind
#                mounts), drops docker's libnetwork-setkey prestart hook (it calls back into a
#                dockerd that is gone) and cgroupsPath (each runtime makes its default cgroup
#                /<id>, as for run-default).
#   run-cri      the same with a Kubernetes pod container's config as containerd 1.6's CRI
#                plugin builds it (RuntimeDefault seccomp, the kubelet's masked and read-only
#                paths, the sandbox's hosts/hostname/resolv.conf/shm mounts, a BestEffort
#                pod's cgroup parent, the pause container's network, IPC and UTS namespaces
#                joined by path), captured from a real CRI run by capture-cri-config.sh. The
#                bench points the namespace paths at a holder of its own (`unshare --net --ipc
#                --uts sleep`, started here and killed by PID), the mounts at files of its own,
#                and the cgroup parent under /cleat-bench-PID (removed at the end); every run
#                uses the same leaf, which each runtime removes at delete.
#   exec         N `exec` of /bin/true into a running container (one `run -d` sleeper per
#                runtime, runc's default spec).
#   floor        the bare-kernel floor: bench/floor.c (compiled here) unshares the namespaces
#                of runc's default spec, forks, chroots into the same rootfs and execs
#                /bin/true; printed with each runtime's run-default time over it.
# Cached captures (in $CLEAT_TEST_CACHE/bench): docker's per dockerd version, the CRI one per
# containerd version and capture script. When the CRI capture cannot be made here (no Go to
# build crictl, ...), run-cri is left out with the reason.
#
# Then the scale curve, when LEVELS is not `none`: for each count L in LEVELS (comma-separated,
# default 1,10,100,500), with L sleepers of a runtime running, the median time of K (default
# 10) more `run -d` of a sleeper (removed again before the next level), for each runtime
# directly; then the same through a containerd 1.6 of our own (own root, state, socket;
# stopped by PID) with `ctr run -d`: the cleat shim (io.containerd.cleat.v2) against
# containerd-shim-runc-v2 with runc and with crun (--runc-binary). One runtime at a time: its
# containers are all removed before the next starts (and on any exit, by the trap).
#
# Fairness: every binary timed is read back into the page cache from disk first
# (bench_reread in common.sh): a freshly linked cleat execs slower until then.
# crun refuses this kind of host's hybrid cgroup layout, so the whole benchmark
# runs in a private mount namespace (`unshare -m`) where /sys/fs/cgroup/unified is unmounted,
# and all three runtimes run there, with the same config.json.
#
# Two passes, both reported: interleaved (each figure, cleat, runc, crun, cleat, ...), so
# drift in the machine hits all three alike, the order shuffled each round (a fixed seed)
# so that each runtime follows each other as often (a run here is up to 0.4 ms slower or
# faster for the one before it: in a fixed order, the same cleat as CLEAT_BEFORE, always
# after crun, came out faster than as CLEAT, always after another cleat), and
# back-to-back (N runs of one runtime, then the next). They differ for crun: it moves its pid into each cgroup by writing cgroup.procs, and
# each such move waits for an RCU grace period, which is slower when the kernel is still
# tearing down the previous container (runc's, in the interleaved pass) or after idling.
# cleat's init joins by itself (no grace period), runc's cost is dominated by Go start-up.
# Timed: the whole command, from fork to its exit (for `run`, the container exited and was
# deleted). Each table gives the load average when its pass (interleaved) or its figure
# (back-to-back) ended; targets (issue 14) are printed beside the figures, never asserted.
# Not part of the test suite (tests/integration/bench-smoke.bats runs it once, tiny).
#
# State roots: each runtime's --root lives on a tmpfs, as /run (their default roots'
# home) is on real hosts; this machine's /run is on ext4 with online discard, where
# creating and removing the few state files adds 0.2-0.5 ms per container.
# BENCH_STATE=disk puts them in the work directory under /tmp instead.
#
# Environment: CLEAT (default: the built ./cleat, else cleat on PATH), SHIM (default: the
# containerd-shim-cleat-v2 beside CLEAT), RUNC, CRUN, WARMUP (3), BENCH_STATE (tmpfs),
# CLEAT_BEFORE (unset), CLEAT_TEST_CACHE (/tmp/cleat-test-cache).
set -euo pipefail

# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
N=${1:-50}
LEVELS=${2:-1,10,100,500}
K=${3:-10}
USAGE="usage: runtime-bench.sh [N] [LEVELS] [K]  (N runs per runtime, figure and pass, default 50;
LEVELS: running containers for the scale curve, comma-separated, default 1,10,100,500, or none;
K: timed starts per level, default 10)"
bench_args runtime-bench.sh "$USAGE" "${1:-}" N "$N" K "$K"
if [ "$LEVELS" != none ] && ! [[ $LEVELS =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]]; then
	printf 'runtime-bench.sh: LEVELS must be positive integers separated by commas, or none, got "%s"\n%s\n' \
		"$LEVELS" "$USAGE" >&2
	exit 2
fi
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${CLEAT:-}" ]; then
	if [ -x "${CLEAT_BUILDDIR:-$SRCDIR}/cleat" ]; then
		CLEAT=${CLEAT_BUILDDIR:-$SRCDIR}/cleat
	else
		CLEAT=$(command -v cleat)
	fi
fi
SHIM=${SHIM:-$(dirname "$CLEAT")/containerd-shim-cleat-v2}
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

# The captured configs, made once (outside the private namespace below: the daemons need the
# host's cgroups as they are).
BENCH_CACHE=${CLEAT_TEST_CACHE:-/tmp/cleat-test-cache}/bench
DOCKER_CONFIG_JSON=$BENCH_CACHE/docker-config-$(dockerd --version | awk '{ print $3 }' | tr -d ,).json
if [ "${CLEAT_BENCH_UNSHARED:-}" != 1 ]; then
	if [ ! -s "$DOCKER_CONFIG_JSON" ]; then
		echo "runtime-bench: capturing docker's config.json into $DOCKER_CONFIG_JSON" >&2
		"$SRCDIR/bench/capture-docker-config.sh" "$DOCKER_CONFIG_JSON" >&2
	fi
	CRI_CONFIG_JSON=$BENCH_CACHE/cri-config-$(containerd --version | awk '{ print $3 }')-$(sha256sum "$SRCDIR/bench/capture-cri-config.sh" | cut -c1-8).json
	if [ ! -s "$CRI_CONFIG_JSON" ]; then
		echo "runtime-bench: capturing the CRI plugin's config.json into $CRI_CONFIG_JSON" >&2
		if ! CLEAT=$CLEAT SHIM=$SHIM "$SRCDIR/bench/capture-cri-config.sh" "$CRI_CONFIG_JSON" >&2; then
			echo "runtime-bench: no CRI capture (see above): run-cri is left out" >&2
			CRI_CONFIG_JSON=
		fi
	fi
	# Re-run inside a private mount namespace with the unified hierarchy hidden.
	exec env CLEAT_BENCH_UNSHARED=1 CLEAT="$CLEAT" SHIM="$SHIM" CLEAT_BEFORE="${CLEAT_BEFORE:-}" \
		CLEAT_BENCH_CRI="$CRI_CONFIG_JSON" unshare -m --propagation private "$0" "$@"
fi
umount -l /sys/fs/cgroup/unified 2>/dev/null || true
CRI_CONFIG_JSON=${CLEAT_BENCH_CRI:-}

WORK=$(mktemp -d /tmp/cleat-bench-runtime.XXXXXX)
chmod 755 "$WORK"
STATE=$WORK/state
mkdir -m 0711 "$STATE"
HOLDER=
CGROUP_TOP=cleat-bench-$$
cleanup() {
	set +e
	local rt id
	for rt in "${RUNTIMES[@]}"; do
		for id in $(ls "$STATE/root-$rt" 2>/dev/null); do
			"$(bin_of "$rt")" --root "$STATE/root-$rt" delete --force "$id" >/dev/null 2>&1
		done
	done
	[ -n "${CTRD_DIR:-}" ] && stop_containerd
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	find /sys/fs/cgroup/*/"$CGROUP_TOP" -depth -type d -exec rmdir {} + 2>/dev/null
	mountpoint -q "$STATE" && umount "$STATE"
	rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
# A signal ends the bench through exit, so the cleanup runs then too.
trap 'exit 130' INT TERM HUP
if [ "${BENCH_STATE:-tmpfs}" = tmpfs ]; then
	mount -t tmpfs -o mode=0711 cleat-bench-state "$STATE"
fi

bin_of() {
	case $1 in
	cleat) echo "$CLEAT" ;;
	runc) echo "$RUNC" ;;
	crun) echo "$CRUN" ;;
	before) echo "$CLEAT_BEFORE" ;;
	floor) echo "$WORK/floor" ;;
	esac
}

"$SRCDIR/contrib/make-test-image.sh" -s runc bundle "$WORK/bundle-default" /bin/true
ROOTFS=$WORK/bundle-default/rootfs
# docker's config on the same rootfs, with files of our own for its three bind mounts.
bench_docker_bundle "$DOCKER_CONFIG_JSON" "$ROOTFS" "$WORK/docker-files" "$WORK/bundle-docker"
FIGURES=(run-default run-docker)

# The CRI config: namespaces by path into our holder, captured mount sources replaced by
# files and directories of ours (named after the destination), the cgroup parent under ours.
if [ -n "$CRI_CONFIG_JSON" ]; then
	unshare --net --ipc --uts sleep 1000000 </dev/null >/dev/null 2>&1 &
	HOLDER=$!
	for _ in $(seq 100); do
		[ "$(readlink "/proc/$HOLDER/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.01
	done
	mkdir -p "$WORK/bundle-cri" "$WORK/cri-files"
	jq --arg root "$ROOTFS" --arg files "$WORK/cri-files" --arg holder "$HOLDER" \
		--arg top "/$CGROUP_TOP" '
		.root.path = $root | .process.args = ["/bin/true"] | del(.hooks) |
		.linux.cgroupsPath = $top + (.linux.cgroupsPath | sub("/[^/]*$"; "")) + "/ct" |
		.linux.namespaces |= map(if .path then .path = "/proc/" + $holder + "/ns/" +
			({network: "net", ipc: "ipc", uts: "uts", mount: "mnt", pid: "pid",
			  cgroup: "cgroup", user: "user", time: "time"}[.type]) else . end) |
		.mounts |= map(if (.source // "" | startswith("@CAPTURED-")) then
			.source = (.source | sub("/.*"; "")) + ($files + "/" + (.destination | ltrimstr("/") | gsub("/"; "_")))
			else . end)' "$CRI_CONFIG_JSON" >"$WORK/cri.json"
	jq -r '.mounts[].source' "$WORK/cri.json" | while read -r s; do
		case $s in
		@CAPTURED-FILE@*) : >"${s#@CAPTURED-FILE@}" ;;
		@CAPTURED-DIR@*) mkdir -p "${s#@CAPTURED-DIR@}" ;;
		esac
	done
	jq '.mounts |= map(.source |= sub("^@CAPTURED-(FILE|DIR)@"; ""))' "$WORK/cri.json" \
		>"$WORK/bundle-cri/config.json"
	FIGURES+=(run-cri)
fi

# exec: one sleeper per runtime, runc's default spec.
mkdir -p "$WORK/bundle-exec"
jq --arg root "$ROOTFS" '.root.path = $root | .process.args = ["sleep", "1000000"]' \
	"$WORK/bundle-default/config.json" >"$WORK/bundle-exec/config.json"
for rt in "${RUNTIMES[@]}"; do mkdir -p "$STATE/root-$rt"; done
for rt in "${RUNTIMES[@]}"; do
	"$(bin_of "$rt")" --root "$STATE/root-$rt" run -d --bundle "$WORK/bundle-exec" \
		"bench-exec-$rt-$$" </dev/null >/dev/null
done
FIGURES+=(exec)

# floor: the namespaces of runc's default spec.
FLOOR_NS=$(jq -r '[.linux.namespaces[].type] | join(",")' "$WORK/bundle-default/config.json")
if cc -O2 -o "$WORK/floor" "$SRCDIR/bench/floor.c" 2>"$WORK/cc.err"; then
	FIGURES+=(floor)
else
	echo "runtime-bench: cannot compile bench/floor.c, no floor figure:" >&2
	cat "$WORK/cc.err" >&2
fi

# Every binary timed, the same way in the page cache (bench_reread).
bench_reread "$CLEAT" "$SHIM" "$RUNC" "$CRUN" ${CLEAT_BEFORE:+"$CLEAT_BEFORE"} "$WORK/floor"

# runtimes_of FIGURE: who is timed for it.
runtimes_of() {
	if [ "$1" = floor ]; then echo floor; else echo "${RUNTIMES[@]}"; fi
}

# measure FIGURE RUNTIME ID: one timed command; prints microseconds.
measure() {
	local fig=$1 rt=$2 id=$3 bin t0 t1
	local -a cmd
	bin=$(bin_of "$rt")
	case $fig in
	run-*) cmd=("$bin" --root "$STATE/root-$rt" run --bundle "$WORK/bundle-${fig#run-}" "$id") ;;
	exec) cmd=("$bin" --root "$STATE/root-$rt" exec "bench-exec-$rt-$$" /bin/true) ;;
	floor) cmd=("$bin" "$FLOOR_NS" "$ROOTFS" /bin/true) ;;
	esac
	t0=${EPOCHREALTIME/./}
	if ! "${cmd[@]}" </dev/null >/dev/null 2>"$WORK/err"; then
		echo "runtime-bench.sh: $rt $fig failed:" >&2
		cat "$WORK/err" >&2
		exit 1
	fi
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0))
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

echo "runtime-bench: $N sequential runs each (+$WARMUP warm-up), all in a private mount namespace"
echo "without /sys/fs/cgroup/unified, state roots on $( [ "${BENCH_STATE:-tmpfs}" = tmpfs ] && echo "a tmpfs" || echo "$STATE (disk)")"
echo "  cleat: $CLEAT ($("$CLEAT" --version | head -n1))"
echo "  runc:  $(command -v "$RUNC") ($("$RUNC" --version | head -n1))"
echo "  crun:  $(command -v "$CRUN") ($("$CRUN" --version | head -n1))"
[ -n "${CLEAT_BEFORE:-}" ] && echo "  before: $CLEAT_BEFORE ($("$CLEAT_BEFORE" --version | head -n1))"
echo "  docker config: $DOCKER_CONFIG_JSON"
echo "  CRI config: ${CRI_CONFIG_JSON:-none}"
echo "  figures: ${FIGURES[*]}; floor namespaces: $FLOOR_NS; $(nproc) CPUs"
# cleat seals itself with an overlay of its own directory over the state root; where that
# directory holds the state roots the layers overlap, and it copies itself to a memfd.
for b in "$CLEAT" ${CLEAT_BEFORE:+"$CLEAT_BEFORE"}; do
	d=$(dirname "$(readlink -f "$b")")
	case $STATE/ in "$d"/*)
		echo "  warning: $b lives above the state roots ($STATE): it re-executes from a memfd copy, ~1 ms more a start" ;;
	esac
done

for ((i = 0; i < WARMUP; i++)); do
	for fig in "${FIGURES[@]}"; do
		for rt in $(runtimes_of "$fig"); do
			measure "$fig" "$rt" "bench-warm-$fig-$rt-$$-$i" >/dev/null
		done
	done
done
# shuffled WORD...: the words in a random order (Fisher-Yates on $RANDOM, seeded below
# so that a run can be repeated).
shuffled() {
	local -a w=("$@")
	local k j t
	for ((k = ${#w[@]} - 1; k > 0; k--)); do
		j=$((RANDOM % (k + 1)))
		t=${w[k]} w[k]=${w[j]} w[j]=$t
	done
	printf '%s\n' "${w[@]}"
}
RANDOM=14
for ((i = 0; i < N; i++)); do
	for fig in "${FIGURES[@]}"; do
		# shellcheck disable=SC2046 # one runtime name a word
		for rt in $(shuffled $(runtimes_of "$fig")); do
			measure "$fig" "$rt" "bench-$fig-$rt-$$-$i" >>"$WORK/times-$fig-$rt"
		done
	done
done
for fig in "${FIGURES[@]}"; do echo "$(loadavg)" >"$WORK/load-times-$fig"; done
for fig in "${FIGURES[@]}"; do
	for rt in $(runtimes_of "$fig"); do
		for ((i = 0; i < N; i++)); do
			measure "$fig" "$rt" "bench-b2b-$fig-$rt-$$-$i" >>"$WORK/b2b-$fig-$rt"
		done
	done
	echo "$(loadavg)" >"$WORK/load-b2b-$fig"
done

# stats FILE: "mean median" in milliseconds with 2 decimals.
stats() {
	sort -n "$1" | awk '{ v[NR] = $1; s += $1 }
		END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		      printf "%.2f %.2f\n", s / NR / 1000, m / 1000 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# target NAME VALUE LIMIT: "target NAME ≤ LIMIT: met (VALUE)" or "not met".
target() {
	local verdict="not met"
	awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }' && verdict=met
	echo "target $1 ≤ $3: $verdict ($2)"
}

describe() {
	case $1 in
	run-default) echo "run of /bin/true, runc's default spec" ;;
	run-docker) echo "run of /bin/true, docker's default confinement" ;;
	run-cri) echo "run of /bin/true, a Kubernetes pod container (containerd 1.6 CRI)" ;;
	exec) echo "exec of /bin/true into a running container" ;;
	floor) echo "bare-kernel floor (unshare $FLOOR_NS + chroot + exec of /bin/true) against run-default" ;;
	esac
}

# report TITLE PREFIX: one table a figure, with the ratios and targets under it.
report() {
	local title=$1 p=$2 rt fig
	declare -A MEAN MEDIAN
	for fig in "${FIGURES[@]}"; do
		for rt in $(runtimes_of "$fig"); do
			read -r "MEAN[$fig.$rt]" "MEDIAN[$fig.$rt]" < <(stats "$WORK/$p-$fig-$rt")
		done
	done
	for fig in "${FIGURES[@]}"; do
		printf '\n%s: %s (N=%s, load average %s)\n\n' "$title" "$(describe "$fig")" "$N" "$(cat "$WORK/load-$p-$fig")"
		if [ "$fig" = floor ]; then
			printf '| %s | %s | %s | %s |\n|---|---|---|---|\n' "" "mean (ms)" "median (ms)" "median / floor"
			printf '| floor | %s | %s | 1.00 |\n' "${MEAN[floor.floor]}" "${MEDIAN[floor.floor]}"
			for rt in "${RUNTIMES[@]}"; do
				printf '| %s run-default | %s | %s | %s |\n' "$rt" "${MEAN[run-default.$rt]}" \
					"${MEDIAN[run-default.$rt]}" "$(ratio "${MEDIAN[run-default.$rt]}" "${MEDIAN[floor.floor]}")"
			done
			target cleat/floor "$(ratio "${MEDIAN[run-default.cleat]}" "${MEDIAN[floor.floor]}")" 1.5
			continue
		fi
		printf '| runtime | mean (ms) | median (ms) | cleat/runtime (mean) | cleat/runtime (median) |\n|---|---|---|---|---|\n'
		for rt in "${RUNTIMES[@]}"; do
			printf '| %s | %s | %s | %s | %s |\n' "$rt" "${MEAN[$fig.$rt]}" "${MEDIAN[$fig.$rt]}" \
				"$(ratio "${MEAN[$fig.cleat]}" "${MEAN[$fig.$rt]}")" \
				"$(ratio "${MEDIAN[$fig.cleat]}" "${MEDIAN[$fig.$rt]}")"
		done
		local c=${MEDIAN[$fig.cleat]} r=${MEDIAN[$fig.crun]}
		case $fig in
		run-default) target "cleat/crun (median)" "$(ratio "$c" "$r")" 0.5 ;;
		run-docker)
			target "cleat/crun (median)" "$(ratio "$c" "$r")" 0.35
			target "cleat docker/default (median)" "$(ratio "$c" "${MEDIAN[run-default.cleat]}")" 1.3
			;;
		run-cri) echo "no target; cleat cri/default (median): $(ratio "$c" "${MEDIAN[run-default.cleat]}")" ;;
		exec) target "cleat/crun (median)" "$(ratio "$c" "$r")" 0.4 ;;
		esac
		if [[ $fig == run-* ]] && [ "$fig" != run-default ]; then
			for rt in "${RUNTIMES[@]:1}"; do
				echo "$rt ${fig#run-}/default (median): $(ratio "${MEDIAN[$fig.$rt]}" "${MEDIAN[run-default.$rt]}")"
			done
		fi
	done
}
report "interleaved" times
report "back-to-back" b2b

[ "$LEVELS" = none ] && exit 0
LEVEL_LIST=$(tr , '\n' <<<"$LEVELS" | sort -nu)
# median_ms FILE: the median in milliseconds.
median_ms() { stats "$1" | cut -d' ' -f2; }

# Scale, each runtime directly: sleepers of runc's default spec, filled up to each level.
# scale_direct RUNTIME: writes $WORK/scale-RUNTIME-LEVEL (K times each).
scale_direct() {
	local rt=$1 bin count=0 level k t0 t1 id
	bin=$(bin_of "$rt")
	for level in $LEVEL_LIST; do
		while ((count < level)); do
			"$bin" --root "$STATE/root-$rt" run -d --bundle "$WORK/bundle-exec" \
				"scale-$rt-$$-$count" </dev/null >/dev/null
			count=$((count + 1))
		done
		for ((k = 0; k < K; k++)); do
			id=scale-$rt-$$-t$level-$k
			t0=${EPOCHREALTIME/./}
			"$bin" --root "$STATE/root-$rt" run -d --bundle "$WORK/bundle-exec" "$id" </dev/null >/dev/null
			t1=${EPOCHREALTIME/./}
			echo $((t1 - t0)) >>"$WORK/scale-$rt-$level"
		done
		echo "$(loadavg)" >"$WORK/scale-load-$rt-$level"
		for ((k = 0; k < K; k++)); do
			"$bin" --root "$STATE/root-$rt" delete --force "scale-$rt-$$-t$level-$k" >/dev/null
		done
	done
	for ((k = 0; k < count; k++)); do
		"$bin" --root "$STATE/root-$rt" delete --force "scale-$rt-$$-$k" >/dev/null
	done
}

# scale_table TITLE PREFIX KIND...: the curve, one row a level.
scale_table() {
	local title=$1 p=$2 level kind
	shift 2
	printf '\n%s (K=%s timed starts a level)\n\n| running |' "$title" "$K"
	for kind in "$@"; do printf ' %s median (ms) |' "$kind"; done
	for kind in "${@:2}"; do printf ' %s/%s |' "$1" "$kind"; done
	printf ' load average (at the end of %s) |\n|---|' "$1"
	for _ in "$@" "${@:2}"; do printf -- '---|'; done
	printf -- '---|\n'
	for level in $LEVEL_LIST; do
		declare -A M
		printf '| %s |' "$level"
		for kind in "$@"; do
			M[$kind]=$(median_ms "$WORK/$p-$kind-$level")
			printf ' %s |' "${M[$kind]}"
		done
		for kind in "${@:2}"; do printf ' %s |' "$(ratio "${M[$1]}" "${M[$kind]}")"; done
		printf ' %s |\n' "$(cat "$WORK/$p-load-$1-$level")"
	done
}

for rt in "${RUNTIMES[@]}"; do scale_direct "$rt"; done
scale_table "scale: \`run -d\` of a sleeper with L of the same runtime's containers running" scale "${RUNTIMES[@]}"

# Scale through containerd 1.6: helpers.bash's daemon helpers (its bats hooks stubbed).
if [ ! -x "$SHIM" ]; then
	echo "runtime-bench: $SHIM not built: no ctr scale curve" >&2
	exit 0
fi
bats_require_minimum_version() { :; }
load() { :; }
# shellcheck source=../tests/integration/helpers.bash
source "$SRCDIR/tests/integration/helpers.bash"
CONTAINERD=containerd
CTR_NAMESPACE=cleat-bench-$$
CTR=ctr
start_containerd
import_test_image_ctr
# ctr_args KIND: the runtime options of `ctr run` for cleat, runc and crun.
ctr_args() {
	case $1 in
	cleat) echo "--runtime io.containerd.cleat.v2" ;;
	runc) echo "--runtime io.containerd.runc.v2 --runc-binary $(command -v "$RUNC")" ;;
	crun) echo "--runtime io.containerd.runc.v2 --runc-binary $(command -v "$CRUN")" ;;
	esac
}
# ctr_remove ID...: kill and delete the tasks and containers.
ctr_remove() {
	local id
	for id in "$@"; do ctr_ task kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
	for id in "$@"; do
		for _ in $(seq 50); do
			ctr_ task delete "$id" >/dev/null 2>&1 && break
			sleep 0.05
		done
	done
	ctr_ container delete "$@" >/dev/null 2>&1 || true
}
scale_ctr() {
	local kind=$1 count=0 level k t0 t1 id
	local -a args timed fill=()
	read -r -a args <<<"$(ctr_args "$kind")"
	for level in $LEVEL_LIST; do
		while ((count < level)); do
			id=cscale-$kind-$$-$count
			ctr_ run -d "${args[@]}" "$TEST_IMAGE_REF" "$id" sleep 1000000 </dev/null >/dev/null
			fill+=("$id")
			count=$((count + 1))
		done
		timed=()
		for ((k = 0; k < K; k++)); do
			id=cscale-$kind-$$-t$level-$k
			t0=${EPOCHREALTIME/./}
			ctr_ run -d "${args[@]}" "$TEST_IMAGE_REF" "$id" sleep 1000000 </dev/null >/dev/null
			t1=${EPOCHREALTIME/./}
			echo $((t1 - t0)) >>"$WORK/cscale-$kind-$level"
			timed+=("$id")
		done
		echo "$(loadavg)" >"$WORK/cscale-load-$kind-$level"
		ctr_remove "${timed[@]}"
	done
	ctr_remove "${fill[@]}"
}
CTR_KINDS=(cleat runc crun)
for kind in "${CTR_KINDS[@]}"; do scale_ctr "$kind"; done
scale_table "scale: \`ctr run -d\` of a sleeper through containerd $(containerd --version | awk '{ print $3 }') with L of the same kind running (cleat = cleat shim; runc, crun = containerd-shim-runc-v2 with that binary)" cscale "${CTR_KINDS[@]}"
