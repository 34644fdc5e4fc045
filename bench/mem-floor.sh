#!/bin/bash
# mem-floor.sh: the lowest linux.resources.memory.limit (in 4 KiB steps) under which a
# container running `echo it works` succeeds, for cleat, runc and crun on the same bundle.
#
# Usage: bench/mem-floor.sh [BUNDLE]
#   BUNDLE  a bundle whose process prints "it works" (its config.json is copied, never
#           changed); default: one made in a temporary directory from /bin/busybox (static)
#           with `runc spec` and args ["sh", "-c", "echo it works"].
# Environment: CLEAT (default ./cleat, else _build/cleat), RUNC (runc), CRUN (crun),
#   RUNTIMES ("cleat runc crun"), REPEAT (runs per probe that must all succeed, 2),
#   MAX_KIB (the highest limit tried, 65536).
# Prints one line per runtime: "<name> <KiB>" ("<name> none" when even MAX_KIB fails).
# crun refuses a hybrid cgroup layout: it runs in a private mount namespace without the
# unified mount, as the test suite does.  Needs root and the cgroup v1 memory controller
# or cgroup2 with the memory controller.
set -euo pipefail

case "${1:-}" in -h | --help)
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
esac

REPEAT=${REPEAT:-2}
MAX_KIB=${MAX_KIB:-65536}
RUNTIMES=${RUNTIMES:-cleat runc crun}
if [ -z "${CLEAT:-}" ]; then
	if [ -x ./cleat ]; then CLEAT=$PWD/cleat; else CLEAT=$PWD/_build/cleat; fi
fi
RUNC=${RUNC:-runc}
CRUN=${CRUN:-crun}

WORK=$(mktemp -d /tmp/cleat-mem-floor.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	local rt
	for rt in $RUNTIMES; do
		[ -d "$WORK/state-$rt" ] || continue
		for id in $(ls "$WORK/state-$rt" 2>/dev/null); do
			run_rt "$rt" delete -f "$id" >/dev/null 2>&1 || true
		done
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# rt_cmd RT: CMD= the command line of runtime RT with its own --root.
rt_cmd() {
	case $1 in
	cleat) CMD=("$CLEAT" --root "$WORK/state-cleat") ;;
	runc) CMD=("$RUNC" --root "$WORK/state-runc") ;;
	crun)
		CMD=(unshare -m --propagation private sh -c
			'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' crun_
			"$CRUN" --root "$WORK/state-crun")
		;;
	*)
		echo "mem-floor.sh: unknown runtime $1" >&2
		exit 2
		;;
	esac
}

run_rt() {
	local CMD
	rt_cmd "$1"
	shift
	"${CMD[@]}" "$@"
}

BUNDLE=$WORK/bundle
mkdir -p "$BUNDLE"
if [ -n "${1:-}" ]; then
	src=$(cd "$1" && pwd)
	root=$(jq -r '.root.path' "$src/config.json")
	[[ $root == /* ]] || root=$src/$root
	jq --arg r "$root" '.root.path = $r' "$src/config.json" >"$BUNDLE/config.base.json"
else
	mkdir -p "$BUNDLE/rootfs/bin"
	cp /bin/busybox "$BUNDLE/rootfs/bin/busybox"
	ln -s busybox "$BUNDLE/rootfs/bin/sh"
	(cd "$BUNDLE" && "$RUNC" spec && mv config.json config.base.json)
	jq '.process.terminal = false | .process.args = ["sh", "-c", "echo it works"]' \
		"$BUNDLE/config.base.json" >"$BUNDLE/config.tmp"
	mv "$BUNDLE/config.tmp" "$BUNDLE/config.base.json"
fi

# probe RT KIB: every one of REPEAT runs under a limit of KIB KiB prints "it works".
N=0
probe() {
	local rt=$1 kib=$2 i out id CMD
	jq --argjson l $((kib * 1024)) '.linux.resources.memory.limit = $l' \
		"$BUNDLE/config.base.json" >"$BUNDLE/config.json"
	for ((i = 0; i < REPEAT; i++)); do
		N=$((N + 1))
		id=memfloor-$$-$N
		rt_cmd "$rt"
		out=$(cd "$BUNDLE" && timeout 30 "${CMD[@]}" run "$id" 2>/dev/null) || true
		run_rt "$rt" delete -f "$id" >/dev/null 2>&1 || true
		[ "$out" = "it works" ] || return 1
	done
	return 0
}

# floor RT: bisect between a failing and a succeeding limit, 4 KiB apart at the end.
floor() {
	local rt=$1 lo=0 hi=256 mid
	mkdir -p "$WORK/state-$rt"
	until probe "$rt" "$hi"; do
		lo=$hi
		hi=$((hi * 2))
		if [ "$hi" -gt "$MAX_KIB" ]; then
			echo none
			return
		fi
	done
	while [ $((hi - lo)) -gt 4 ]; do
		mid=$(((lo + hi) / 8 * 4))
		if probe "$rt" "$mid"; then hi=$mid; else lo=$mid; fi
	done
	echo "$hi"
}

for rt in $RUNTIMES; do
	printf '%s %s\n' "$rt" "$(floor "$rt")"
done
