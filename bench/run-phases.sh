#!/bin/bash
# run-phases.sh [N]: where `cleat run` of /bin/true spends the time after the container
# process is ready, for this build against CLEAT_BEFORE, interleaved, from one ftrace
# instance of its own (/sys/kernel/tracing/instances/cleat-run-phases-PID) recording only the
# run's own tasks (set_event_pid with event-fork).  Per run, from the trace:
#   ready->start   the container process's READY (its last sendmsg before the exec) to its
#                  receipt of START (the return of its next recvfrom): the parent's reap of
#                  the setup helper, state.json, the start message
#   ready->exec    the same to the exec of /bin/true
#   exit->end      the container process's exit to the exit of the run's last task: its
#                  teardown (mount namespace), the reap, the delete (cgroup, state dir)
#   total          cleat's exec to that last exit
# Printed: the median of each over N runs (default 40) per build, and the load average.
# Runs as runtime-bench.sh does: in a private mount namespace without
# /sys/fs/cgroup/unified, the state root on a tmpfs, runc's default spec.
# Environment: CLEAT (default: $CLEAT_BUILDDIR/cleat, else ./cleat), CLEAT_BEFORE (required).
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
N=${1:-40}
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
CLEAT=${CLEAT:-${CLEAT_BUILDDIR:-$SRCDIR}/cleat}
if [ "$(id -u)" != 0 ] || [ -z "${CLEAT_BEFORE:-}" ]; then
	echo "usage: CLEAT_BEFORE=OTHER-CLEAT run-phases.sh [N]  (as root)" >&2
	exit 2
fi
if [ "${CLEAT_PHASES_UNSHARED:-}" != 1 ]; then
	exec env CLEAT_PHASES_UNSHARED=1 CLEAT="$CLEAT" CLEAT_BEFORE="$CLEAT_BEFORE" \
		unshare -m --propagation private "$0" "$@"
fi
umount -l /sys/fs/cgroup/unified 2>/dev/null || true
WORK=$(mktemp -d /tmp/cleat-run-phases.XXXXXX)
T=/sys/kernel/tracing/instances/cleat-run-phases-$$
cleanup() {
	set +e
	if [ -d "$T" ]; then
		echo 0 >"$T/tracing_on"
		echo >"$T/set_event_pid"
		echo 0 >"$T/events/enable"
		rmdir "$T"
	fi
	mountpoint -q "$WORK/state" && umount "$WORK/state"
	rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
mkdir -m 0711 "$WORK/state"
mount -t tmpfs -o mode=0711 cleat-run-phases "$WORK/state"
"$SRCDIR/contrib/make-test-image.sh" -s runc bundle "$WORK/bundle" /bin/true >/dev/null

mkdir "$T"
echo 4096 >"$T/buffer_size_kb"
for e in sched_process_fork sched_process_exec sched_process_exit; do
	echo 1 >"$T/events/sched/$e/enable"
done
# sendmsg (46) in, recvfrom (45) out: READY and START on the container process's side.
echo 'id == 46' >"$T/events/raw_syscalls/sys_enter/filter"
echo 'id == 45' >"$T/events/raw_syscalls/sys_exit/filter"
echo 1 >"$T/events/raw_syscalls/sys_enter/enable"
echo 1 >"$T/events/raw_syscalls/sys_exit/enable"
echo 1 >"$T/options/event-fork"

for i in $(seq "$N"); do
	for build in new before; do
		bin=$CLEAT
		[ "$build" = before ] && bin=$CLEAT_BEFORE
		echo >"$T/trace"
		(
			echo "$BASHPID" >"$T/set_event_pid"
			echo 1 >"$T/tracing_on"
			exec "$bin" --root "$WORK/state/root" run -b "$WORK/bundle" "phases-$i" >/dev/null
		)
		echo 0 >"$T/tracing_on"
		echo "== $build" >>"$WORK/trace"
		grep -v '^#' "$T/trace" >>"$WORK/trace"
	done
done

python3 - "$WORK/trace" <<'PY'
import collections, re, statistics, sys
runs = []
for line in open(sys.argv[1]):
    if line.startswith('== '):
        runs.append((line[3:].strip(), []))
        continue
    m = re.match(r'\s*(\S+)-(\d+)\s+\[\d+\]\s+\S+\s+([\d.]+): (\S+): (.*)', line)
    if m and runs:
        runs[-1][1].append((float(m.group(3)), m.group(2), m.group(4), m.group(5)))
res = collections.defaultdict(lambda: collections.defaultdict(list))
for build, ev in runs:
    try:
        t0 = next(t for t, p, e, a in ev if e == 'sched_process_exec' and '/cleat' in a)
        tp, tex = next((p, t) for t, p, e, a in ev if e == 'sched_process_exec' and 'bin/true' in a)
        tx = next(t for t, p, e, a in ev if e == 'sched_process_exit' and p == tp)
        end = max(t for t, p, e, a in ev if e == 'sched_process_exit')
        ready = max(t for t, p, e, a in ev if e == 'sys_enter' and p == tp and t < tex)
        start = min(t for t, p, e, a in ev if e == 'sys_exit' and p == tp and t > ready)
    except (StopIteration, ValueError):
        continue
    for k, v in (('ready->start', start - ready), ('ready->exec', tex - ready),
                 ('exit->end', end - tx), ('total', end - t0)):
        res[build][k].append(v * 1e6)
for build in ('new', 'before'):
    d = res[build]
    print(build, ' '.join('%s %.0f us' % (k, statistics.median(v)) for k, v in d.items()),
          '(n=%d)' % len(d['total']))
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
