#!/bin/bash
# shim-bench.sh [N] [K]...: the cleat shim against containerd-shim-runc-v2, under a containerd
# of our own (own root, state and sockets; stopped by PID at the end):
#   1. memory, for each K (default 20; e.g. `shim-bench.sh 20 20 100`): K `sleep` containers
#      of each runtime running at once (one shim each), started detached; per shim, Rss, Pss,
#      Private_Dirty and Private_Clean from /proc/PID/smaps_rollup, once with every container
#      started and again after each container has served one `exec` of /bin/true (what a
#      Kubernetes exec probe does); means per shim and the cleat/runc-v2 ratios. Pss divides
#      shared pages among the processes sharing them, so K matters: it is printed. Both
#      readings are taken SETTLE seconds (default 2) after the last start or exec, when the
#      shims are idle again.
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
KS=("${@:2}")
[ ${#KS[@]} -gt 0 ] || KS=(20)
SETTLE=${SETTLE:-2}
USAGE="usage: shim-bench.sh [N] [K]...  (N end-to-end runs, default 20; each K a number of running containers per runtime for memory, default 20)"
bench_args shim-bench.sh "$USAGE" "${1:-}" N "$N" SETTLE "$SETTLE" $(printf 'K %s ' "${KS[@]}")

if [ "$(id -u)" -ne 0 ]; then
	echo "shim-bench.sh: run as root" >&2
	exit 1
fi

# A namespace of our own: the shims' runtime state root (/run/containerd/runc/<namespace>)
# is machine-wide.
export CTR_NAMESPACE=${CTR_NAMESPACE:-shim-bench-$$}
# helpers.bash expects to be loaded by bats; its daemon helpers need neither.
bats_require_minimum_version() { :; }
load() { :; }
# shellcheck source=../tests/integration/helpers.bash
source "$(cd "$(dirname "$0")/.." && pwd)/tests/integration/helpers.bash"
for b in "$CLEAT" "$SHIM"; do
	[ -x "$b" ] || { echo "shim-bench.sh: $b not built (run make)" >&2; exit 1; }
done

# set +e: stop_containerd, written for bats, must run to its end (under set -e a failed
# step would leave tasks, shims and mounts behind).
trap 'set +e; stop_containerd; rmdir "/run/containerd/runc/$CTR_NAMESPACE" 2>/dev/null' EXIT
start_containerd
import_test_image_ctr

CLEAT_RT=io.containerd.cleat.v2
RUNC_RT=io.containerd.runc.v2

# shim_pids: "ID PID" for every shim of our containerd and namespace, from the shims'
# command lines (-namespace NS -id ID -address ADDR). Not `ctr task ls`: that makes every
# shim serve a State request, which runs code the idle shim would not touch.
shim_pids() {
	local p cmd id
	for p in /proc/[0-9]*; do
		cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		case "$cmd" in
		*"-namespace $CTR_NAMESPACE -id "*"-address $CTR_ADDRESS "*)
			id=${cmd#*-namespace "$CTR_NAMESPACE" -id }
			echo "${id%% *} ${p#/proc/}"
			;;
		esac
	done
}

# rollup PID: "Rss Pss Private_Dirty Private_Clean" of /proc/PID/smaps_rollup in KiB.
rollup() {
	awk '{ v[$1] = $2 } END { print v["Rss:"], v["Pss:"], v["Private_Dirty:"], v["Private_Clean:"] }' \
		"/proc/$1/smaps_rollup"
}

echo "shim-bench: containerd $(containerd --version | awk '{ print $3 }'), ${KS[*]} running containers per runtime for memory, $N runs end to end"
echo "  cleat shim: $SHIM (runtime $CLEAT)"
echo "  runc shim:  $(command -v containerd-shim-runc-v2) (runtime $(command -v runc))"

# 1. memory
FIELDS=(RSS PSS PrivDirty PrivClean)
# mem_read KIND K: the mean per shim of each rollup field over the K shims of KIND, as
# "RSS PSS PrivDirty PrivClean" (KiB).
mem_read() {
	local kind=$1 k=$2 i
	for ((i = 0; i < k; i++)); do
		rollup "${SHIM_PID[mem-$kind-$i]:?no shim found for mem-$kind-$i}"
	done | awk -v k="$k" '{ for (f = 1; f <= 4; f++) s[f] += $f }
		END { printf "%d %d %d %d\n", s[1] / k, s[2] / k, s[3] / k, s[4] / k }'
}
# mem_table K WHEN: the table of one reading of both kinds, and the ratios.
mem_table() {
	local k=$1 when=$2 f
	read -ra C <<<"${MEM[cleat]}"
	read -ra R <<<"${MEM[runc]}"
	printf '\n%-40s %13s %13s %13s %13s\n' "per shim, $k running, $when" "${FIELDS[@]/%/ KiB}"
	printf '%-40s %13s %13s %13s %13s\n' containerd-shim-cleat-v2 "${C[@]}"
	printf '%-40s %13s %13s %13s %13s\n' containerd-shim-runc-v2 "${R[@]}"
	printf '%-40s' "cleat/runc-v2"
	for f in 0 1 2 3; do
		if [ "${R[f]}" -gt 0 ]; then printf ' %13s' "$(bench_ratio "${C[f]}" "${R[f]}")"; else printf ' %13s' -; fi
	done
	echo
}
mem_cleanup() {
	local k=$1 kind i
	for kind in cleat runc; do
		for ((i = 0; i < k; i++)); do
			ctr_ task kill -s SIGKILL "mem-$kind-$i" >/dev/null 2>&1 || true
		done
	done
	for kind in cleat runc; do
		for ((i = 0; i < k; i++)); do
			for _ in $(seq 50); do
				ctr_ task delete "mem-$kind-$i" >/dev/null 2>&1 && break
				sleep 0.1
			done
			ctr_ container delete "mem-$kind-$i" >/dev/null 2>&1 || true
		done
	done
}
declare -A MEM SHIM_PID
for k in "${KS[@]}"; do
	for ((i = 0; i < k; i++)); do
		ctr_ run -d --runtime "$CLEAT_RT" "$TEST_IMAGE_REF" "mem-cleat-$i" sleep 100000 >/dev/null
		ctr_ run -d --runtime "$RUNC_RT" "$TEST_IMAGE_REF" "mem-runc-$i" sleep 100000 >/dev/null
	done
	SHIM_PID=()
	while read -r id pid; do SHIM_PID[$id]=$pid; done < <(shim_pids)
	sleep "$SETTLE"
	for kind in cleat runc; do MEM[$kind]=$(mem_read "$kind" "$k"); done
	mem_table "$k" "started"
	for ((i = 0; i < k; i++)); do
		ctr_ task exec --exec-id probe "mem-cleat-$i" /bin/true </dev/null >/dev/null
		ctr_ task exec --exec-id probe "mem-runc-$i" /bin/true </dev/null >/dev/null
	done
	sleep "$SETTLE"
	for kind in cleat runc; do MEM[$kind]=$(mem_read "$kind" "$k"); done
	mem_table "$k" "after one exec each"
	mem_cleanup "$k"
done

# 2. end to end
run_once() {
	local rt=$1 id=$2 t0 t1
	t0=${EPOCHREALTIME/./}
	ctr_ run --rm --runtime "$rt" "$TEST_IMAGE_REF" "$id" /bin/true </dev/null >/dev/null
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0))
}
TIMES=$(mktemp -d)
trap 'set +e; rm -rf "$TIMES"; stop_containerd; rmdir "/run/containerd/runc/$CTR_NAMESPACE" 2>/dev/null' EXIT
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
