# docker-phases.awk: the phases of one `docker run --rm IMAGE /bin/true`, for
# docker-bench.sh --phases. Input, one event a line, each tagged by its source:
#   X <epoch s> client_start|client_end          the bench's own clock around the CLI
#   D time="<RFC 3339>" ...                       dockerd's debug log from the run on
#   C time="<RFC 3339>" ...                       containerd's debug log from the run on
#   K <comm-pid> [cpu] <flags> <epoch s>: sched_process_{fork,exec,exit}: ... or
#     sched_wakeup: ... (of the runtime only)
#                                                 an ftrace instance (clock tai, offset
#                                                 removed by the caller's -v koff)
# Variables: rt (runtime binary's basename), dockerd (dockerd's pid), roots (the thread
# ids of containerd and dockerd: a process forked by one of them, or by a descendant, is
# theirs; everything else on the machine is ignored), koff (tai - realtime, seconds).
# Output: one line, the duration of every phase in microseconds in the order of the
# table below (NA where a point was not seen), then the total; with -v debug=1, then each
# point's time from the client's start.

function us_of_rfc3339(s, d, t, frac) {
	# 2026-12-07T02:46:33.372614185Z
	split(substr(s, 1, 10), d, "-")
	split(substr(s, 12, 8), t, ":")
	frac = substr(s, 20)
	sub(/Z.*/, "", frac)
	return mktime(d[1] " " d[2] " " d[3] " " t[1] " " t[2] " " t[3], 1) * 1000000 + \
		int(substr(frac "000000", 2, 6))
}
function first(name, us) {
	if (!(name in at))
		at[name] = us
}
function basename(p) {
	sub(/.*\//, "", p)
	return p
}

BEGIN {
	n = split(roots, r, " ")
	for (i = 1; i <= n; i++)
		ours[r[i]] = 1
}

$1 == "X" { at[$3] = int($2 * 1000000); next }

$1 == "D" || $1 == "C" {
	if (!match($0, /time="[^"]+"/))
		next
	us = us_of_rfc3339(substr($0, RSTART + 6, RLENGTH - 7))
	if ($1 == "D") {
		if ($0 ~ /Calling HEAD \/_ping/) first("ping", us)
		else if ($0 ~ /Calling POST \/v[0-9.]+\/containers\/[0-9a-f]+\/attach/) first("attach", us)
		else if ($0 ~ /Calling POST \/v[0-9.]+\/containers\/[0-9a-f]+\/start/) first("start", us)
		else if ($0 ~ /bundle dir created/) first("bundle", us)
		else if ($0 ~ /msg=event .*topic=\/tasks\/exit/) first("ev_exit", us)
	} else {
		if ($0 ~ /topic=\/containers\/delete/) first("ctr_delete", us)
	}
	next
}

$1 == "K" {
	if (!match($0, / [0-9]+\.[0-9]+: sched_(process_[a-z]+|wakeup): /))
		next
	head = substr($0, 3, RSTART - 2)
	ts = substr($0, RSTART + 1)
	ev = ts
	sub(/:.*/, "", ts)
	us = int((ts - koff) * 1000000)
	sub(/^[^ ]+ sched_(process_)?/, "", ev)
	kind = ev
	sub(/:.*/, "", kind)
	# comm may hold anything; the pid is the number after the last '-' before the cpu.
	sub(/ +\[[0-9]+\].*/, "", head)
	pid = head
	sub(/.*-/, "", pid)
	if (kind == "fork") {
		if (pid in ours) {
			match(ev, /child_pid=[0-9]+/)
			child = substr(ev, RSTART + 10, RLENGTH - 10)
			ours[child] = 1
			if (pid in hook)
				hook[child] = 1
		}
		next
	}
	# The hook's end is when it wakes the runtime: after its exit tracepoint the kernel
	# still tears down its address space (a Go binary of dockerd's size: milliseconds),
	# and the runtime waits for that too.
	if (kind == "wakeup") {
		if ((pid in hook) && ("hook_exit" in at) && ev ~ ("comm=" rt " "))
			first("hook_done", us)
		next
	}
	if (!(pid in ours))
		next
	if (kind == "exec") {
		match(ev, /filename=[^ ]+/)
		file = substr(ev, RSTART + 9, RLENGTH - 9)
		b = basename(file)
		if (b ~ /^containerd-shim-/) {
			# In order: the `start` subcommand, the daemon it spawns, the `delete`
			# subcommand containerd runs once the daemon disconnected.
			role[pid] = "shim" (++nshim)
		} else if (b == rt) {
			# create, start, delete (the shim's), delete --force (the shim's `delete`)
			role[pid] = "rt" (++nrt)
		} else if (file == "/proc/" dockerd "/exe" && !("hook_exec" in at)) {
			role[pid] = "hook"
			hook[pid] = 1
		} else if (file == "/bin/true" && !("user_exec" in at)) {
			role[pid] = "user"
		} else
			next
		first(role[pid] "_exec", us)
	} else if (kind == "exit" && (pid in role)) {
		first(role[pid] "_exit", us)
	}
	next
}

END {
	# The points, in the order a run passes them; a phase runs from one to the next, so
	# the phases add up to the total.
	np = split("client_start ping attach start bundle shim1_exec shim1_exit rt1_exec hook_exec " \
		"hook_exit rt1_exit rt2_exec user_exit ev_exit rt3_exec rt3_exit shim2_exit shim3_exit " \
		"ctr_delete client_end", p, " ")
	if ("hook_done" in at)
		at["hook_exit"] = at["hook_done"]
	line = ""
	for (i = 2; i <= np; i++) {
		if ((p[i - 1] in at) && (p[i] in at))
			line = line sprintf("%d ", at[p[i]] - at[p[i - 1]])
		else
			line = line "NA "
	}
	print line (at["client_end"] - at["client_start"])
	if (debug)
		for (i = 1; i <= np; i++)
			printf "%-14s %s\n", p[i], (p[i] in at) ? at[p[i]] - at["client_start"] : "NA"
}
