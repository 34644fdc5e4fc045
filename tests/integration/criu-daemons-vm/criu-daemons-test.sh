#!/bin/bash
# Runs at boot under systemd (cleat-criutest.service, see run.sh): checkpoint and restore of
# a counter container through containerd 1.6 (ctr) and dockerd 20.10 (--experimental),
# with containerd-shim-runc-v2 + runc as the baseline, the cleat shim with runc and with
# cleat, and cleat under containerd-shim-runc-v2.  TAP goes to the serial console between
# markers; "# time" lines give ctr's checkpoint and restore times per setup.
exec > >(tee /root/criutest.tap >/dev/ttyS0) 2>&1
echo CLEAT-TAP-BEGIN
export PATH=/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin
IMG=${TEST_IMAGE_REF:-docker.io/library/busybox:cleat-test}
DIMG=${TEST_IMAGE_DOCKER:-busybox:cleat-test}
# Counts every 0.2 s; SIGTERM ends it with status 7.
COUNTER='trap "exit 7" TERM; i=0; while :; do echo $i; i=$((i + 1)); sleep 0.2; done'
n=0
ok() {
	local d=$1 out
	shift
	n=$((n + 1))
	# 180 s each; a shell function runs in a subshell that a watchdog kills.
	local rc=0 pid w
	("$@") >/tmp/ok.out 2>&1 &
	pid=$!
	(sleep 180 && pkill -KILL -P "$pid" && kill -KILL "$pid" && echo "timed out after 180 s" >>/tmp/ok.out) &
	w=$!
	wait "$pid" || rc=$?
	kill "$w" 2>/dev/null
	out=$(cat /tmp/ok.out)
	if [ "$rc" = 0 ]; then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d"
		echo "$out" | tail -25 | sed 's/^/#   /'
	fi
}
skip_t() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
finish() {
	echo "1..$n"
	echo CLEAT-TAP-END
	sleep 1
	systemctl poweroff --no-block
	exit 0
}
ms() { echo $((($2 - $1) / 1000000)); }

echo "# kernel $(uname -r); $(criu --version | head -1); $(runc --version | head -1); $(containerd --version); $(dockerd --version)"
while read -r ko; do
	insmod "/root/modules/$ko" 2>/dev/null
done </root/modules/load.list
ok "criu check" criu check
criu check >/dev/null 2>&1 || finish
CLEAT_CR=1
cr=$(cleat checkpoint no-such-container 2>&1)
if grep -qi "not supported" <<<"$cr"; then
	CLEAT_CR=
	CLEAT_CR_WHY="this cleat has no checkpoint: $cr"
fi

# ---- containerd --------------------------------------------------------------------------

# start_ctrd NAME [PATH-PREFIX]: a containerd with its own root, state and socket; $A is
# its socket.
start_ctrd() {
	local d=/run/ctd-$1
	mkdir -p "$d"
	cat >"$d/config.toml" <<-TOML
		version = 2
		root = "/var/lib/ctd-$1"
		state = "$d/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$d/sock"
		[ttrpc]
		  address = "$d/sock.ttrpc"
	TOML
	PATH=${2:+$2:}$PATH containerd --config "$d/config.toml" >"/root/ctd-$1.log" 2>&1 &
	A=$d/sock
	local i
	for ((i = 0; i < 100; i++)); do
		ctr --address "$A" version >/dev/null 2>&1 && break
		sleep 0.1
	done
	ctr --address "$A" -n criu images import /root/images/busybox-oci.tar >/dev/null
}
C() { ctr --address "$A" -n criu "$@"; }

# attach ID FILE: what the task prints within a few seconds, through ctr task attach
# (SIGKILL: ctr would forward a SIGTERM to the task); tried again while nothing came.
attach() {
	local try
	for try in 1 2 3; do
		timeout -s KILL 5 ctr --address "$A" -n criu tasks attach "$1" >"$2" 2>/dev/null
		grep -q '^[0-9]' "$2" && return 0
	done
}

# ctr_restore_case LABEL RUNTIME BINARY: run the counter, `ctr container checkpoint --task`,
# remove it, `ctr container restore --live`; the restored counter goes on from where it
# was, its output reaches containerd (`ctr task attach`), SIGTERM's status 7 is reported.
ctr_case() {
	local label=$1 rt=$2 bin=$3 id=ct-$1 ref=cleat.test/ckpt-$1:1 t0 t1 t2 t3 last first
	local ropt=(--runc-binary "$bin")
	if [ "$rt" != io.containerd.runc.v2 ]; then
		printf 'BinaryName = "%s"\n' "$bin" >"/tmp/$label.toml"
		ropt=(--runtime-config-path "/tmp/$label.toml")
	fi
	# Fifos, as containerd's clients use (a file:// log is the container's own fd under the
	# cleat shim, which CRIU cannot dump: see the README's known differences).
	C run -d --net-host --runtime "$rt" "${ropt[@]}" "$IMG" "$id" sh -c "$COUNTER" \
		</dev/null || return 1
	sleep 1.5
	# The checkpoint holds a count at least this far; the task runs on until killed.
	attach "$id" "/tmp/$label.before"
	last=$(tail -1 "/tmp/$label.before")
	t0=$(date +%s%N)
	C containers checkpoint --task "$id" "$ref" || {
		tail -20 /run/ctd-*/state/io.containerd.runtime.v2.task/criu/"$id"/criu-dump.log
		return 1
	}
	t1=$(date +%s%N)
	C tasks kill -s SIGKILL "$id"
	sleep 0.5
	C tasks delete "$id" >/dev/null 2>&1
	C containers delete "$id" || return 1
	t2=$(date +%s%N)
	C containers restore --live "$id" "$ref" </dev/null >/dev/null 2>&1 || {
		echo "restore failed: $(C containers restore --live "$id" "$ref" 2>&1)"
		return 1
	}
	t3=$(date +%s%N)
	echo "$label checkpoint $(ms "$t0" "$t1") restore $(ms "$t2" "$t3")" >>/tmp/times
	attach "$id" "/tmp/$label.after"
	first=$(grep -m1 -x '[0-9]*' "/tmp/$label.after")
	echo "before checkpoint: ...$(tail -3 "/tmp/$label.before" | tr '\n' ' ') after restore: $(head -3 "/tmp/$label.after" | tr '\n' ' ')..."
	# containerd-shim-runc-v2 keeps nothing in the fifo for a late reader: last may be empty.
	[ -n "$first" ] && [ "$first" -gt 0 ] && [ "$first" -ge "${last:-1}" ] ||
		{ echo "restored count $first does not follow $last"; return 1; }
	C tasks ls | grep "^$id " | grep -q RUNNING || { C tasks ls; return 1; }
	C tasks kill -s SIGTERM "$id"
	local i st
	for ((i = 0; i < 50; i++)); do
		C tasks ls | grep "^$id " | grep -q STOPPED && break
		sleep 0.1
	done
	# ctr 1.6 reports a non-zero exit status as a warning.
	st=$(C tasks delete "$id" 2>&1)
	C containers delete "$id"
	C images rm "$ref" >/dev/null 2>&1
	grep -q "exit code 7" <<<"$st" || { echo "exit status after restore: $st"; return 1; }
}

start_ctrd ref
ctr_ok() {
	local what=$1
	shift
	if [ "$3" = cleat ] && [ -z "$CLEAT_CR" ]; then
		skip_t "$what" "$CLEAT_CR_WHY"
		return
	fi
	ok "$what" ctr_case "$@"
}
ctr_ok "ctr: containerd-shim-runc-v2 + runc: checkpoint, restore, count goes on, exit 7" runcv2-runc io.containerd.runc.v2 runc
ctr_ok "ctr: cleat shim + runc: checkpoint, restore, count goes on, exit 7" cleatshim-runc io.containerd.cleat.v2 runc
ctr_ok "ctr: cleat shim + cleat: checkpoint, restore, count goes on, exit 7" cleatshim-cleat io.containerd.cleat.v2 cleat
ctr_ok "ctr: containerd-shim-runc-v2 + cleat: checkpoint, restore, count goes on, exit 7" runcv2-cleat io.containerd.runc.v2 cleat

# ---- dockerd -----------------------------------------------------------------------------

# start_dockerd NAME: dockerd --experimental on containerd $A, no networking of its own.
start_dockerd() {
	local d=/run/dockerd-$1 sd=vfs i
	grep -qw overlay /proc/filesystems && sd=overlay2
	mkdir -p "$d"
	echo '{}' >"$d/daemon.json"
	dockerd --config-file "$d/daemon.json" --experimental --data-root "/var/lib/docker-$1" \
		--exec-root "$d/exec" -H "unix://$d/sock" --pidfile "$d/pid" --containerd "$A" \
		--bridge=none --iptables=false --ip-masq=false --ip-forward=false \
		--userland-proxy=false --storage-driver "$sd" --add-runtime cleat=/usr/local/bin/cleat \
		>"/root/dockerd-$1.log" 2>&1 &
	D=unix://$d/sock
	for ((i = 0; i < 150; i++)); do
		docker -H "$D" info >/dev/null 2>&1 && break
		sleep 0.2
	done
	docker -H "$D" load -i /root/images/busybox-oci.tar >/dev/null
}
K() { docker -H "$D" "$@"; }
# dlogs ID: the container's log, without a terminal's carriage returns.
dlogs() { K logs "$1" 2>&1 | tr -d '\r'; }

# docker_case LABEL RUNTIME [-t]: docker checkpoint create (the container stops), docker
# start --checkpoint; the log goes on from the last number, docker stop gives exit code 7.
# With -t the container has a terminal: the shim holds its pty master, the checkpoint
# takes the pty as an external one and the restore hands the runtime a console socket,
# on which the new master comes back (runc's and cleat's orphan-pts-master).
docker_case() {
	local label=$1 rt=$2 tty=${3:-} id=dk-$1 last st
	K run -d $tty --name "$id" --runtime "$rt" --network host --pull never "$DIMG" sh -c "$COUNTER" >/dev/null || return 1
	sleep 1.5
	K checkpoint create "$id" cp1 || return 1
	sleep 0.3
	last=$(dlogs "$id" | tail -1)
	# dockerd 20.10 uploads the checkpoint again; until containerd's GC has dropped the
	# copy its checkpoint create left, the upload fails with "already exists".
	local try
	for try in 1 2 3 4 5; do
		K start --checkpoint cp1 "$id" 2>"/tmp/$label.start" && break
		grep -q "already exists" "/tmp/$label.start" || break
		sleep 3
	done
	[ -s "/tmp/$label.start" ] && { cat "/tmp/$label.start"; tail -n 5 /root/dockerd-*.log; }
	[ "$(K inspect -f '{{.State.Running}}' "$id")" = true ] || return 1
	case $label in
	cleatshim-*)
		# The restored task is served by the cleat shim (under runc-v2's name).
		ls -l /proc/[0-9]*/exe 2>/dev/null | grep -q /opt/cleat-shim/bin/containerd-shim-runc-v2 ||
			{ echo "no cleat shim running"; return 1; }
		;;
	esac
	sleep 1.2
	dlogs "$id" >"/tmp/$label.dlog"
	echo "last before checkpoint: $last; log: $(head -2 "/tmp/$label.dlog" | tr '\n' ' ')... $(tail -3 "/tmp/$label.dlog" | tr '\n' ' ')"
	[ "$(grep -cx 0 "/tmp/$label.dlog")" = 1 ] || { echo "count restarted"; return 1; }
	grep -qx "$((last + 1))" "/tmp/$label.dlog" || { echo "no $((last + 1)) after restore"; return 1; }
	[ "$(tail -1 "/tmp/$label.dlog")" -gt "$((last + 1))" ] || { echo "log stopped after restore"; return 1; }
	K stop -t 10 "$id" >/dev/null
	st=$(K inspect -f '{{.State.ExitCode}}' "$id")
	K rm -f "$id" >/dev/null
	[ "$st" = 7 ] || { echo "exit code after restore: $st"; return 1; }
}
docker_ok() {
	local what=$1
	shift
	if [ "$2" = cleat ] && [ -z "$CLEAT_CR" ]; then
		skip_t "$what" "$CLEAT_CR_WHY"
		return
	fi
	ok "$what" docker_case "$@"
}

start_dockerd ref
docker_ok "docker: containerd-shim-runc-v2 + runc: checkpoint create, start --checkpoint, exit 7" runcv2-runc runc
docker_ok "docker: containerd-shim-runc-v2 + cleat: checkpoint create, start --checkpoint, exit 7" runcv2-cleat cleat
docker_ok "docker: containerd-shim-runc-v2 + runc, with a terminal (-t): checkpoint create, start --checkpoint, exit 7" runcv2-runc-tty runc -t
docker_ok "docker: containerd-shim-runc-v2 + cleat, with a terminal (-t): checkpoint create, start --checkpoint, exit 7" runcv2-cleat-tty cleat -t
kill "$(cat /run/dockerd-ref/pid)"
sleep 2

# The same dockerd on a containerd whose containerd-shim-runc-v2 is the cleat shim.
start_ctrd shim /opt/cleat-shim/bin
start_dockerd shim
docker_ok "docker: cleat shim + runc: checkpoint create, start --checkpoint, exit 7" cleatshim-runc runc
docker_ok "docker: cleat shim + cleat: checkpoint create, start --checkpoint, exit 7" cleatshim-cleat cleat
docker_ok "docker: cleat shim + cleat, with a terminal (-t): checkpoint create, start --checkpoint, exit 7" cleatshim-cleat-tty cleat -t
docker_ok "docker: cleat shim + runc, with a terminal (-t): checkpoint create, start --checkpoint, exit 7" cleatshim-runc-tty runc -t

while read -r l; do echo "# time (ms) $l"; done </tmp/times
finish
