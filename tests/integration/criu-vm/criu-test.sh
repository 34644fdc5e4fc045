#!/bin/busybox sh
# PID 1 of the CRIU test VM (see run.sh): each case with cleat, then with runc for
# comparison (the TAP line names the runtime).  TAP on the console.
. /tests/vm-guest.sh
export PATH=$PATH:/usr/sbin
while read -r m; do insmod "/modules/$m.ko" 2>/tmp/insmod || echo "# insmod $m: $(cat /tmp/insmod)"; done </modules/order
ip link set lo up
mkdir -p /dev/pts
mount -t devpts -o ptmxmode=0666 devpts /dev/pts
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
# criu's network lock and --tcp-established want iptables; /run/criu for its pid files.
mkdir -p /run/criu /var/run
RUNC_VERSION=$(cat /tests/runc-version)
echo "# runc: $RUNC_VERSION; $(criu --version | head -1)"

if ! criu check >/tmp/criu-check 2>&1; then
	ok "criu check passes on this kernel" sh -c 'cat /tmp/criu-check; false'
	vm_guest_end
fi

# The counter's last number (its /tmp/count inside the container).
count() { # RUNTIME ID
	$1 exec "$2" cat /tmp/count 2>/dev/null
}
# Wait until the counter of ID has counted past N.
counts_past() { # RUNTIME ID N
	i=0
	while [ $i -lt 50 ]; do
		c=$(count "$1" "$2")
		[ -n "$c" ] && [ "$c" -gt "$3" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	echo "$2 did not count past $3 (last: '$c')"
	return 1
}
status_is() { # RUNTIME ID STATUS
	$1 state "$2" >/tmp/state.$2 2>&1
	grep -q "\"status\": *\"$3\"" /tmp/state.$2 || { echo "want $3:"; cat /tmp/state.$2; return 1; }
}
gone() { # RUNTIME ID
	! $1 state "$2" >/dev/null 2>&1 || { echo "$2 still exists:"; $1 state "$2"; return 1; }
}
now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}
# RUNTIME BUNDLE ID ARGS...: `RUNTIME ARGS...` in /tests/BUNDLE with its stdio (and so
# the container's) on pipes: criu dumps and reattaches pipes, not files of the VM's
# own mounts.  The runtime's status in /tmp/rc.ID, the output in /tmp/out.ID; its time
# in ms in /tmp/ms.ID.
piped() {
	rt=$1 b=$2 id=$3
	shift 3
	rm -f /tmp/rc.$id
	t0=$(now_ms)
	(sleep 100000 | (cd "/tests/$b" && if [ -n "${NULL_STDIN:-}" ]; then exec </dev/null; fi &&
		$rt "$@"; echo $? >/tmp/rc.$id) 2>&1 | cat >/tmp/out.$id) >/dev/null 2>&1 &
	i=0
	while [ ! -s /tmp/rc.$id ] && [ $i -lt 600 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	echo $(($(now_ms) - t0)) >/tmp/ms.$id
	[ "$(cat /tmp/rc.$id 2>/dev/null)" = 0 ] || { cat /tmp/out.$id; return 1; }
}
# RUNTIME ID IMAGE [FLAGS...]: checkpoint, its time in /tmp/ms.checkpoint.ID.
checkpoint() {
	rt=$1 id=$2 img=$3
	shift 3
	t0=$(now_ms)
	$rt checkpoint --image-path "$img" "$@" "$id" </dev/null >/tmp/ckpt.$id 2>&1 || {
		cat /tmp/ckpt.$id; grep -E "Error|Warn" "$img"/dump.log 2>/dev/null | tail -20; return 1; }
	echo $(( $(now_ms) - t0 )) >/tmp/ms.checkpoint.$id
}
# RUNTIME BUNDLE ID IMAGE [FLAGS...]: restore -d with piped stdio.
restore() {
	rt=$1 b=$2 id=$3 img=$4
	shift 4
	piped "$rt" "$b" "$id" restore -d --image-path "$img" "$@" "$id" || {
		grep -E "Error|Warn" "$img"/restore.log 2>/dev/null | tail -20; return 1; }
	cp /tmp/ms.$id /tmp/ms.restore.$id
}
# RUNTIME BUNDLE ID: run -d with piped stdio.
start_piped() {
	piped "$1" "$2" "$3" run -d "$3"
}

# RUNTIME BUNDLE ID: run -d with stdin on the VM's /dev/null (as dockerd and containerd
# start a container without stdin), stdout and stderr on pipes.
start_null_stdin() {
	NULL_STDIN=1
	piped "$1" "$2" "$3" run -d "$3"
}

rt_cmd() { # cleat|runc
	if [ "$1" = cleat ]; then echo "$C"; else echo "runc --root /run/runc"; fi
}
# A file grows: its size now is more than SIZE.
grows() { # FILE SIZE
	i=0
	while [ $i -lt 50 ]; do
		[ "$(wc -c <"$1")" -gt "$2" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	echo "$1 stays at $(wc -c <"$1") bytes"
	return 1
}
size_of() {
	wc -c <"$1" 2>/dev/null || echo 0
}
pids_of() { # RUNTIME ID: the init's pid
	$1 state "$2" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'
}
in_cgroup() { # RUNTIME ID CGROUP-DIR
	p=$(pids_of "$1" "$2")
	grep -qx "$p" "$3/cgroup.procs" || { echo "init $p not in $3:"; cat "$3/cgroup.procs"; return 1; }
}

# --- restore through criu's RPC: hooks at restore, --console-socket (begin) ---
# The hooks' records with the restored init's pid written as "init".
hooks_at_restore() { # RUNTIME ID
	p=$(pids_of "$1" "$2")
	sed "s/pid=$p\$/pid=init/" /tmp/hooks.log
}
# The "line N" numbers in a file of terminal output.
line_numbers() {
	tr -d '\r' <"$1" 2>/dev/null | sed -n 's/^line \([0-9]*\)$/\1/p'
}
last_line() {
	line_numbers "$1" | tail -1
}
# The first line of FILE is N or more.
resumed_from() { # FILE N
	f=$(line_numbers "$1" | head -1)
	[ -n "$f" ] && [ "$f" -ge "$2" ] || { echo "first line after restore '$f', before $2"; return 1; }
}
# The terminal output FILE reaches past line N.
lines_past() { # FILE N
	i=0
	while [ $i -lt 50 ]; do
		l=$(last_line "$1")
		[ -n "$l" ] && [ "$l" -gt "$2" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	echo "$1 did not reach past line $2 (last: '$l'):"
	cat "$1" 2>/dev/null | tail -3
	return 1
}
rpc_cases() {
	for rt in cleat runc; do
		R=$(rt_cmd $rt)
		# prestart and createRuntime run at criu's setup-namespaces, with the restored
		# init's pid; poststart does not run at restore.
		id=hk-$rt img=/tmp/img-$id
		rm -f /tmp/hooks.log
		ok "$rt: hooks: start" start_piped "$R" hooks $id
		ok "$rt: hooks: checkpoint" checkpoint "$R" $id $img
		rm -f /tmp/hooks.log
		ok "$rt: hooks: restore" restore "$R" hooks $id $img
		hooks_at_restore "$R" $id >/tmp/hooks.$rt
		echo "# $rt hooks at restore: $(tr '\n' ';' </tmp/hooks.$rt)"
		ok "$rt: hooks: prestart then createRuntime ran at restore with the restored init's pid" \
			sh -c "printf 'prestart status=stopped pid=init\ncreateRuntime status=stopped pid=init\n' | cmp - /tmp/hooks.$rt"
		$R delete -f $id >/dev/null 2>&1

		# A terminal container: its new pty master comes from criu's orphan-pts-master
		# and goes to --console-socket.
		id=tty-$rt img=/tmp/img-$id sock=/tmp/tty-$rt.sock
		rm -f $sock /tmp/tty-$rt.*
		recvtty $sock /tmp/tty-$rt &
		rpid=$!
		i=0
		while [ ! -S $sock ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		ok "$rt: terminal: run -d --console-socket" sh -c "cd /tests/tty && $R run -d --console-socket $sock $id </dev/null"
		ok "$rt: terminal: the output arrives through the console socket" lines_past /tmp/tty-$rt.1 3
		ok "$rt: terminal: checkpoint" checkpoint "$R" $id $img
		l1=$(last_line /tmp/tty-$rt.1)
		ok "$rt: terminal: restore --console-socket" restore "$R" tty $id $img --console-socket $sock
		ok "$rt: terminal: the restored container is running" status_is "$R" $id running
		ok "$rt: terminal: the new master's output goes on from line $l1" lines_past /tmp/tty-$rt.2 $((l1 + 2))
		ok "$rt: terminal: the count resumed, not restarted" resumed_from /tmp/tty-$rt.2 $l1
		# Again, restored in the foreground without a console socket: the runtime
		# copies the new pty to its own stdout.  runc wants a controlling terminal
		# there: the VM's serial line, in a session of its own.
		ok "$rt: terminal: checkpoint the restored container" checkpoint "$R" $id $img-2
		l2=$(last_line /tmp/tty-$rt.2)
		rm -f /tmp/fg-$rt.*
		(cd /tests/tty && setsid -c $R restore --image-path $img-2 $id </dev/ttyS0 >/tmp/fg-$rt.out 2>&1
			echo $? >/tmp/fg-$rt.rc) &
		ok "$rt: terminal: a foreground restore prints the output on from line $l2" \
			lines_past /tmp/fg-$rt.out $((l2 + 2))
		ok "$rt: terminal: the count resumed in the foreground too" resumed_from /tmp/fg-$rt.out $l2
		$R kill $id KILL >/dev/null 2>&1
		i=0
		while [ ! -s /tmp/fg-$rt.rc ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
		ok "$rt: terminal: the foreground restore exits with the init's status (137)" \
			sh -c "[ \"\$(cat /tmp/fg-$rt.rc)\" = 137 ] || { echo rc \$(cat /tmp/fg-$rt.rc); tail -3 /tmp/fg-$rt.out; false; }"
		$R delete -f $id >/dev/null 2>&1
		kill $rpid 2>/dev/null
	done
}
rpc_cases
# --- restore through criu's RPC (end) ---

for rt in cleat runc; do
	R=$(rt_cmd $rt)
	id=cnt-$rt img=/tmp/img-$id
	ok "$rt: start a counter" start_piped "$R" counter $id
	ok "$rt: it counts" counts_past "$R" $id 3
	c1=$(count "$R" $id)
	ok "$rt: checkpoint" checkpoint "$R" $id $img
	ok "$rt: the container is gone after the checkpoint" gone "$R" $id
	ok "$rt: the image has descriptors.json" test -s $img/descriptors.json
	ok "$rt: restore" restore "$R" counter $id $img
	ok "$rt: restored container is running" status_is "$R" $id running
	ok "$rt: the count goes on from where it was" sh -c "c=\$($R exec $id cat /tmp/count); [ \"\$c\" -ge $c1 ] && [ \"\$c\" -lt $((c1 + 100)) ] || { echo 'before $c1, after '\$c; false; }"
	ok "$rt: and keeps counting" counts_past "$R" $id $((c1 + 3))
	ok "$rt: ps lists the restored init" sh -c "$R ps $id | grep -q counter || $R ps $id | grep -q sh"
	ok "$rt: pause and resume the restored container" sh -c "$R pause $id && $R state $id | grep -q paused && $R resume $id && $R state $id | grep -q running"
	ok "$rt: update the restored container (pids.max)" sh -c "$R update --pids-limit 99 $id && grep -qx 99 /sys/fs/cgroup\$(sed -n 's/^0:://p' /proc/\$($R state $id | sed -n 's/.*\"pid\": *\([0-9]*\).*/\1/p')/cgroup)/pids.max"
	ok "$rt: kill and delete the restored container" sh -c "$R kill $id KILL; sleep 0.5; $R delete -f $id && ! $R state $id >/dev/null 2>&1"
	echo "# time $rt: checkpoint $(cat /tmp/ms.checkpoint.$id 2>/dev/null) ms, restore $(cat /tmp/ms.restore.$id 2>/dev/null) ms"

	# stdin on the VM's /dev/null, a file of a mount outside the container that criu
	# cannot dump ("Can't lookup mount"): the runtime gives the init the container's
	# /dev/null instead.
	id=null-$rt img=/tmp/img-$id
	ok "$rt: stdin on the host's /dev/null: start" start_null_stdin "$R" counter $id
	ok "$rt: stdin on the host's /dev/null: it counts" counts_past "$R" $id 3
	c1=$(count "$R" $id)
	ok "$rt: stdin on the host's /dev/null: checkpoint" checkpoint "$R" $id $img
	ok "$rt: stdin on the host's /dev/null: descriptors.json names /dev/null for fd 0" \
		grep -q '^\[ *"/dev/null"' $img/descriptors.json
	ok "$rt: stdin on the host's /dev/null: restore" restore "$R" counter $id $img
	ok "$rt: stdin on the host's /dev/null: counts on from $c1" counts_past "$R" $id $((c1 + 2))
	$R delete -f $id >/dev/null 2>&1

	# --leave-running: the container goes on; its image restores under a new id.
	id=lr-$rt img=/tmp/img-$id
	ok "$rt: --leave-running: start" start_piped "$R" counter $id
	ok "$rt: --leave-running: it counts" counts_past "$R" $id 3
	c1=$(count "$R" $id)
	ok "$rt: --leave-running: checkpoint" checkpoint "$R" $id $img --leave-running
	ok "$rt: --leave-running: still running" status_is "$R" $id running
	ok "$rt: --leave-running: still counting" counts_past "$R" $id $((c1 + 5))
	ok "$rt: restore under a new id while the original runs" restore "$R" counter new-$rt $img
	ok "$rt: the new container runs, counting from the checkpoint" sh -c "c=\$($R exec new-$rt cat /tmp/count); [ \"\$c\" -ge $c1 ] && [ \"\$c\" -lt $((c1 + 100)) ] || { echo 'at checkpoint $c1, now '\$c; false; }"
	ok "$rt: the two are distinct containers" sh -c "[ \$($R state $id | grep -c running) = 1 ] && [ \$($R state new-$rt | grep -c running) = 1 ] && [ \"\$($R state $id | grep '\"pid\"')\" != \"\$($R state new-$rt | grep '\"pid\"')\" ]"
	$R delete -f $id >/dev/null 2>&1
	$R delete -f new-$rt >/dev/null 2>&1

	# pre-dump, then the final dump with --parent-path.
	id=pre-$rt
	ok "$rt: pre-dump: start" start_piped "$R" counter $id
	ok "$rt: pre-dump: it counts" counts_past "$R" $id 3
	ok "$rt: pre-dump" checkpoint "$R" $id /tmp/pre-$id --pre-dump
	ok "$rt: pre-dump: still running" status_is "$R" $id running
	c1=$(count "$R" $id)
	ok "$rt: final dump with --parent-path" checkpoint "$R" $id /tmp/final-$id --parent-path ../pre-$id
	ok "$rt: the final image links its parent" test -L /tmp/final-$id/parent
	ok "$rt: restore from the final dump" restore "$R" counter $id /tmp/final-$id
	ok "$rt: counting goes on after pre-dump + dump" counts_past "$R" $id $((c1 + 2))
	$R delete -f $id >/dev/null 2>&1

	# An open file on a bind mount and a pipe.
	id=fds-$rt img=/tmp/img-$id
	rm -f /tests/data/file
	ok "$rt: fds: start" start_piped "$R" fds $id
	ok "$rt: fds: the file grows" grows /tests/data/file 10
	ok "$rt: fds: checkpoint" checkpoint "$R" $id $img
	f=$(size_of /tests/data/file)
	ok "$rt: fds: restore" restore "$R" fds $id $img
	ok "$rt: the open file is written on through the pipe after restore" grows /tests/data/file $((f + 10))
	$R delete -f $id >/dev/null 2>&1

	# cgroup limits of the config are in place after restore.
	id=lim-$rt img=/tmp/img-$id
	ok "$rt: limits: start" start_piped "$R" limits-$rt $id
	ok "$rt: limits: checkpoint" checkpoint "$R" $id $img
	ok "$rt: limits: restore" restore "$R" limits-$rt $id $img
	ok "$rt: pids.max and memory.max after restore" sh -c "grep -qx 77 /sys/fs/cgroup/criu-$rt/pids.max && grep -qx 67108864 /sys/fs/cgroup/criu-$rt/memory.max"
	ok "$rt: the restored init is in the container's cgroup" in_cgroup "$R" $id /sys/fs/cgroup/criu-$rt
	$R delete -f $id >/dev/null 2>&1
done

# Images of one runtime restored by the other.
for pair in "runc cleat" "cleat runc"; do
	set -- $pair
	D=$(rt_cmd $1) Rr=$(rt_cmd $2)
	id=x-$1-$2 img=/tmp/img-x-$1-$2
	ok "$1 checkpoint, $2 restore: start with $1" start_piped "$D" counter $id
	ok "$1 checkpoint, $2 restore: it counts" counts_past "$D" $id 3
	c1=$(count "$D" $id)
	ok "$1 checkpoint, $2 restore: checkpoint with $1" checkpoint "$D" $id $img
	ok "$1 checkpoint, $2 restore: restore with $2" restore "$Rr" counter $id $img
	ok "$1 checkpoint, $2 restore: $2 counts on from $c1" counts_past "$Rr" $id $((c1 + 2))
	ok "$1 checkpoint, $2 restore: $2 deletes it" sh -c "$Rr delete -f $id && ! $Rr state $id >/dev/null 2>&1"
done
# ---- criu-probe cases: TCP on loopback, unix sockets, file locks, lazy pages, page
# server.  criu-probe (criu-probe.c, built by run.sh) holds the resource and writes
# "COUNT ok" to its status file after every check, so each case shows the resource
# still works after restore.  Each case runs with cleat, then with runc.
# N COMMAND...: COMMAND prints a probe's status; wait until it is "COUNT ok..." with
# COUNT past N (an error status fails at once, and so do 25 failures to read it).  Up
# to 60 s: a TCP peer's retransmissions back off while the other end is checkpointed.
probe_past() {
	want=$1
	shift
	i=0 bad=0
	while [ $i -lt 300 ] && [ $bad -lt 25 ]; do
		s=$("$@" 2>&1) || bad=$((bad + 1))
		case $s in *error*) echo "probe: $s"; return 1 ;; esac
		c=${s%% *}
		case $s in "$c ok"*) [ "$c" -gt "$want" ] && return 0 ;; esac
		sleep 0.2
		i=$((i + 1))
	done
	echo "the probe did not count past $want (status: '$s')"
	return 1
}
# COMMAND...: the count of a probe's status.
probe_count() {
	s=$("$@" 2>/dev/null)
	c=${s%% *}
	case $c in '' | *[!0-9]*) echo 0 ;; *) echo "$c" ;; esac
}
# RUNTIME ID: the status of the probe in the container, read through its init's root
# (not with exec, which the counter cases test).
probe_status() {
	p=$(pids_of "$1" "$2")
	[ -n "$p" ] && cat /proc/$p/root/tmp/probe
}
# WORD COMMAND...: wait until the status COMMAND prints has WORD in it.
says() {
	want=$1
	shift
	i=0
	while [ $i -lt 100 ]; do
		"$@" 2>/dev/null | grep -q "$want" && return 0
		sleep 0.2
		i=$((i + 1))
	done
	echo "the probe never said '$want': $("$@" 2>&1)"
	return 1
}
# RUNTIME ID IMAGE FLAGS...: the checkpoint fails and the container goes on.
checkpoint_refused() {
	if checkpoint "$@" >/dev/null 2>&1; then
		echo "the checkpoint of $2 succeeded"
		return 1
	fi
	status_is "$1" "$2" running
}
# Wait (up to 60 s) until PID has exited.
exited() { # PID
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	! kill -0 "$1" 2>/dev/null || { echo "pid $1 still runs"; return 1; }
}
# Stop a probe or criu daemon started here, by its pid.
stop_pid() {
	[ -n "$1" ] && kill "$1" 2>/dev/null
	return 0
}

# NAME RUNTIME FLAGS...: the probe of bundle probe-NAME-RUNTIME, checkpointed and
# restored with FLAGS; it counts on after restore.
probe_cr() {
	p_name=$1 p_rt=$2
	shift 2
	P=$(rt_cmd $p_rt) p_id=$p_name-$p_rt p_flags="$*"
	p_img=/tmp/img-$p_id
	ok "$p_rt: $p_name: start the probe" start_piped "$P" probe-$p_name-$p_rt $p_id
	ok "$p_rt: $p_name: the probe works" probe_past 3 probe_status "$P" $p_id
	p_c=$(probe_count probe_status "$P" $p_id)
	ok "$p_rt: $p_name: checkpoint${p_flags:+ $p_flags}" checkpoint "$P" $p_id $p_img "$@"
	ok "$p_rt: $p_name: restore${p_flags:+ $p_flags}" restore "$P" probe-$p_name-$p_rt $p_id $p_img "$@"
	ok "$p_rt: $p_name: the probe counts on from $p_c after restore" \
		probe_past $((p_c + 3)) probe_status "$P" $p_id
	$P delete -f $p_id >/dev/null 2>&1
}

# An established TCP connection with both ends in the container; without
# --tcp-established criu refuses it.
probe_tcp_both() { # RUNTIME
	P=$(rt_cmd $1)
	ok "$1: tcp, no flag: start the probe" start_piped "$P" probe-tcp-$1 tcpno-$1
	ok "$1: tcp, no flag: the probe works" probe_past 3 probe_status "$P" tcpno-$1
	ok "$1: tcp, no flag: checkpoint without --tcp-established is refused, the container goes on" \
		checkpoint_refused "$P" tcpno-$1 /tmp/img-tcpno-$1
	ok "$1: tcp, no flag: and its connection still works" \
		probe_past $(($(probe_count probe_status "$P" tcpno-$1) + 2)) probe_status "$P" tcpno-$1
	$P delete -f tcpno-$1 >/dev/null 2>&1
	probe_cr tcp "$1" --tcp-established
}

# One end outside: criu-probe tcp-client in the VM talks to the probe listening in the
# container; criu locks the connection while the container is checkpointed (iptables),
# and both ends go on after restore.
probe_tcp_outside() { # RUNTIME
	P=$(rt_cmd $1) p_id=tcps-$1 p_img=/tmp/img-tcps-$1 st=/tmp/tcp-client-$1.status
	port=$((7120 + $([ "$1" = cleat ] && echo 1 || echo 2)))
	ok "$1: tcp, a peer outside: start the server in the container" start_piped "$P" probe-tcps-$1 $p_id
	ok "$1: tcp, a peer outside: it listens" says listening probe_status "$P" $p_id
	criu-probe tcp-client $port $st </dev/null >/dev/null 2>&1 &
	p_cli=$!
	ok "$1: tcp, a peer outside: the client outside gets its echoes" probe_past 3 cat $st
	p_c=$(probe_count cat $st)
	ok "$1: tcp, a peer outside: checkpoint --tcp-established" checkpoint "$P" $p_id $p_img --tcp-established
	ok "$1: tcp, a peer outside: restore --tcp-established" restore "$P" probe-tcps-$1 $p_id $p_img --tcp-established
	ok "$1: tcp, a peer outside: the client's echoes go on from $p_c after restore" probe_past $((p_c + 3)) cat $st
	ok "$1: tcp, a peer outside: the restored server counts them" probe_past $((p_c + 3)) probe_status "$P" $p_id
	stop_pid $p_cli
	$P delete -f $p_id >/dev/null 2>&1
}

# A datagram socket connected to a socket bound outside the container (as a log
# socket is): --ext-unix-sk.
probe_ext_unix() { # RUNTIME
	P=$(rt_cmd $1) p_id=dgram-$1 st=/tmp/dgram-recv-$1.status
	rm -f $st
	criu-probe dgram-recv /tests/probe-data/ext-$1.sock $st </dev/null >/dev/null 2>&1 &
	p_recv=$!
	ok "$1: ext-unix-sk: the receiver outside is bound" says listening cat $st
	ok "$1: ext-unix-sk: start the sender in the container" start_piped "$P" probe-dgram-$1 $p_id
	ok "$1: ext-unix-sk: the receiver gets its datagrams" probe_past 3 cat $st
	ok "$1: ext-unix-sk: checkpoint without --ext-unix-sk is refused, the container goes on" \
		checkpoint_refused "$P" $p_id /tmp/img-dgramno-$1
	p_c=$(probe_count cat $st)
	ok "$1: ext-unix-sk: checkpoint --ext-unix-sk" checkpoint "$P" $p_id /tmp/img-$p_id --ext-unix-sk
	p_r=$(probe_count cat $st)
	ok "$1: ext-unix-sk: restore --ext-unix-sk" restore "$P" probe-dgram-$1 $p_id /tmp/img-$p_id --ext-unix-sk
	ok "$1: ext-unix-sk: the restored sender reaches the receiver (past $p_r)" probe_past $((p_r + 3)) cat $st
	stop_pid $p_recv
	$P delete -f $p_id >/dev/null 2>&1
}

# flock and fcntl locks held across checkpoint/restore with --file-locks: free while
# the container is checkpointed, held again by the restored probe.
probe_locks() { # RUNTIME
	P=$(rt_cmd $1) p_id=locks-$1 lk=/tests/probe-data/lock-$1
	rm -f $lk $lk.posix
	ok "$1: file locks: start the probe" start_piped "$P" probe-locks-$1 $p_id
	ok "$1: file locks: the probe holds both locks" probe_past 3 probe_status "$P" $p_id
	ok "$1: file locks: the flock is held, seen from outside" sh -c "! criu-probe flock-free $lk"
	ok "$1: file locks: checkpoint without --file-locks is refused, the container goes on" \
		checkpoint_refused "$P" $p_id /tmp/img-locksno-$1
	p_c=$(probe_count probe_status "$P" $p_id)
	ok "$1: file locks: checkpoint --file-locks" checkpoint "$P" $p_id /tmp/img-$p_id --file-locks
	ok "$1: file locks: the flock is free while checkpointed" criu-probe flock-free $lk
	ok "$1: file locks: restore --file-locks" restore "$P" probe-locks-$1 $p_id /tmp/img-$p_id --file-locks
	ok "$1: file locks: the restored probe holds both locks again (past $p_c)" \
		probe_past $((p_c + 3)) probe_status "$P" $p_id
	ok "$1: file locks: the flock is held again, seen from outside" sh -c "! criu-probe flock-free $lk"
	$P delete -f $p_id >/dev/null 2>&1
}

# Lazy migration: checkpoint --lazy-pages --page-server serves the memory from the
# dump side, `criu lazy-pages` fetches it for a restore --lazy-pages under a new id; the
# probe verifies 4 MiB of its memory on every tick.  Needs userfaultfd.
probe_lazy() { # RUNTIME
	P=$(rt_cmd $1) p_id=lazy-$1 p_img=/tmp/img-lazy-$1
	port=$((7130 + $([ "$1" = cleat ] && echo 1 || echo 2)))
	if ! criu check --feature uffd-noncoop >/tmp/uffd 2>&1; then
		skip "$1: lazy pages" "criu check --feature uffd-noncoop fails here: $(tail -1 /tmp/uffd)"
		return
	fi
	ok "$1: lazy pages: start the probe" start_piped "$P" probe-mem-$1 $p_id
	ok "$1: lazy pages: the probe verifies its memory" probe_past 3 probe_status "$P" $p_id
	p_c=$(probe_count probe_status "$P" $p_id)
	rm -rf $p_img /tmp/lazy-$1.*
	mkdir -p $p_img
	mkfifo /tmp/lazy-$1.fifo
	(
		$P checkpoint --image-path $p_img --work-path $p_img --lazy-pages \
			--page-server 127.0.0.1:$port --status-fd 3 $p_id 3>/tmp/lazy-$1.fifo
		echo $? >/tmp/lazy-$1.rc
	) </dev/null >/tmp/lazy-$1.out 2>&1 &
	ok "$1: lazy pages: checkpoint --lazy-pages --page-server: criu is ready to serve pages" \
		sh -c "[ \"\$(timeout 120 dd if=/tmp/lazy-$1.fifo bs=1 count=1 2>/dev/null | wc -c)\" = 1 ] ||
			{ cat /tmp/lazy-$1.out; grep -E 'Error|Warn' $p_img/dump.log | tail; false; }"
	criu lazy-pages --page-server --address 127.0.0.1 --port $port -D $p_img -W $p_img \
		-o lazy-pages.log </dev/null >/dev/null 2>&1 &
	p_lp=$!
	ok "$1: lazy pages: restore --lazy-pages under a new id" \
		restore "$P" probe-mem-$1 lazyr-$1 $p_img --work-path $p_img --lazy-pages
	ok "$1: lazy pages: the restored probe's memory is intact, it counts on from $p_c" \
		probe_past $((p_c + 3)) probe_status "$P" lazyr-$1
	ok "$1: lazy pages: the checkpoint finishes once every page is moved" \
		sh -c "i=0; while [ ! -s /tmp/lazy-$1.rc ] && [ \$i -lt 300 ]; do sleep 0.2; i=\$((i + 1)); done
			[ \"\$(cat /tmp/lazy-$1.rc 2>/dev/null)\" = 0 ] || { cat /tmp/lazy-$1.out; false; }"
	ok "$1: lazy pages: the lazy-pages daemon is done" exited $p_lp
	ok "$1: lazy pages: the checkpointed container is gone" gone "$P" $p_id
	stop_pid $p_lp
	$P delete -f $p_id >/dev/null 2>&1
	$P delete -f lazyr-$1 >/dev/null 2>&1
}

# checkpoint --page-server: the pages go to `criu page-server`, the other images to
# the image path; both together restore.
probe_page_server() { # RUNTIME
	P=$(rt_cmd $1) p_id=ps-$1 p_img=/tmp/img-ps-$1 p_ps=/tmp/ps-pages-$1
	port=$((7140 + $([ "$1" = cleat ] && echo 1 || echo 2)))
	rm -rf $p_img $p_ps
	mkdir -p $p_ps
	ok "$1: page server: start the probe" start_piped "$P" probe-mem-$1 $p_id
	ok "$1: page server: the probe verifies its memory" probe_past 3 probe_status "$P" $p_id
	ok "$1: page server: criu page-server listens" criu page-server -D $p_ps --address 127.0.0.1 \
		--port $port --daemon --pidfile $p_ps/pid -o page-server.log
	p_c=$(probe_count probe_status "$P" $p_id)
	ok "$1: page server: checkpoint --page-server" checkpoint "$P" $p_id $p_img --page-server 127.0.0.1:$port
	ok "$1: page server: the pages are on the page server's side only" \
		sh -c "ls $p_ps/pages-*.img >/dev/null && ! ls $p_img/pages-*.img 2>/dev/null"
	cp $p_ps/pagemap-*.img $p_ps/pages-*.img $p_img/ 2>/dev/null
	ok "$1: page server: restore from both" restore "$P" probe-mem-$1 $p_id $p_img
	ok "$1: page server: the restored probe's memory is intact, it counts on from $p_c" \
		probe_past $((p_c + 3)) probe_status "$P" $p_id
	stop_pid "$(cat $p_ps/pid 2>/dev/null)"
	$P delete -f $p_id >/dev/null 2>&1
}

if [ -e /tests/probe-missing ]; then
	skip "criu-probe cases" "$(cat /tests/probe-missing)"
else
	for rt in cleat runc; do
		probe_tcp_both $rt
		probe_tcp_outside $rt
		probe_cr unix $rt
		probe_ext_unix $rt
		probe_locks $rt
		probe_lazy $rt
		probe_page_server $rt
	done
fi
# ---- end of the criu-probe cases ----
vm_guest_end
