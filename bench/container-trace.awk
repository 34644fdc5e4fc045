# container-trace.awk: the container process of one `run`, from an ftrace instance's trace
# (events syscalls/* and sched/sched_process_fork, sched_process_exec, sched_switch), for
# container-trace.sh.  The container process is the one that execs `prog` (-v prog=PATH);
# it starts at its fork.  Read the trace twice (the file given twice): the first pass finds
# the process, the second counts.
# Output, one line: wall (fork to execve of prog), on-CPU time of the process over that
# span, on-CPU time of its mount phase (from its first mount(2) to its first sethostname or
# setsid, or to the execve when neither comes), its syscall count, all in microseconds;
# with -v top=N, then the N syscalls it spent most on-CPU time in, one a line:
# "name calls us".

function ts(line, f) {
	# "comm-pid [cpu] flags 12345.678901: event..."
	match(line, /[0-9]+\.[0-9]+: /)
	return substr(line, RSTART, RLENGTH - 2) + 0
}
function pid_of(line, f) {
	match(line, /-[0-9]+ +\[/)
	return substr(line, RSTART + 1, RLENGTH - 2) + 0
}
# p descends from root (-v root=PID: the process that started the run), by the forks seen.
function under_root(p, hops) {
	for (hops = 0; hops < 64 && p != ""; hops++) {
		if (p == root)
			return 1
		p = (p in parent) ? parent[p] : ""
	}
	return 0
}
FNR == NR {
	if ($0 ~ /sched_process_exec: filename=/ && index($0, "filename=" prog " ") &&
	    under_root(pid_of($0))) {
		cp = pid_of($0)
		texec = ts($0)
	}
	if ($0 ~ /sched_process_fork:/ && match($0, /child_pid=[0-9]+/)) {
		child = substr($0, RSTART + 10, RLENGTH - 10) + 0
		fork_at[child] = ts($0)
		match($0, / pid=[0-9]+/)
		parent[child] = substr($0, RSTART + 5, RLENGTH - 5) + 0
	}
	next
}
FNR == 1 {
	if (cp == "" || !(cp in fork_at)) {
		print "container-trace.awk: no fork and exec of " prog " in the trace" > "/dev/stderr"
		exit 1
	}
	tfork = fork_at[cp]
	last = tfork
	on = 1
}
{
	t = ts($0)
	if (t < tfork || t > texec)
		next
	if ($0 ~ /sched_switch:/) {
		if (on && index($0, "prev_pid=" cp " ")) {
			cpu += t - last
			on = 0
		} else if (!on && index($0, "next_pid=" cp " ")) {
			on = 1
			last = t
		}
		next
	}
	if (pid_of($0) != cp || !match($0, /: sys_[a-z0-9_]+/))
		next
	name = substr($0, RSTART + 6, RLENGTH - 6)
	rest = substr($0, RSTART + RLENGTH)
	cpu += t - last
	last = t
	if (rest ~ /^\(/) {
		cur = name
		at_enter = cpu
		if (name == "mount" && phase_start == "")
			phase_start = cpu
		if ((name == "sethostname" || name == "setsid") && phase_end == "")
			phase_end = cpu
	} else if (rest ~ /^ -> / && cur == name) {
		calls[name]++
		spent[name] += cpu - at_enter
		n++
		cur = ""
	}
}
END {
	if (cp == "" || !(cp in fork_at))
		exit 1
	if (on)
		cpu += texec - last
	if (phase_end == "")
		phase_end = cpu
	printf "%.0f %.0f %.0f %d\n", (texec - tfork) * 1e6, cpu * 1e6,
		phase_start == "" ? 0 : (phase_end - phase_start) * 1e6, n
	for (i = 0; i < top; i++) {
		best = ""
		for (s in spent)
			if (!(s in shown) && (best == "" || spent[s] > spent[best]))
				best = s
		if (best == "")
			break
		shown[best] = 1
		printf "%s %d %.0f\n", best, calls[best], spent[best] * 1e6
	}
}
