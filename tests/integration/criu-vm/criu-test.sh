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
	read up _ </proc/uptime
	echo $(( ${up%.*} * 1000 + 10 * ${up#*.} ))
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
	(sleep 100000 | (cd "/tests/$b" && $rt "$@"; echo $? >/tmp/rc.$id) 2>&1 | cat >/tmp/out.$id) >/dev/null 2>&1 &
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

for rt in cleat runc; do
	if [ $rt = cleat ]; then R=$C; else R="runc --root /run/runc"; fi
	id=cnt-$rt img=/tmp/img-$id
	ok "$rt: start a counter" start_piped "$R" counter $id
	ok "$rt: it counts" counts_past "$R" $id 3
	c1=$(count "$R" $id)
	ok "$rt: checkpoint" checkpoint "$R" $id $img
	ok "$rt: the container is gone after the checkpoint" gone "$R" $id
	ok "$rt: the image has descriptors.json" test -s $img/descriptors.json
	ok "$rt: restore" restore "$R" counter $id $img
	ok "$rt: restored container is running" status_is "$R" $id running
	ok "$rt: the count goes on from where it was" sh -c "c=\$($R exec $id cat /tmp/count); [ \"\$c\" -ge $c1 ] && [ \"\$c\" -lt $((c1 + 20)) ] || { echo 'before $c1, after '\$c; false; }"
	ok "$rt: and keeps counting" counts_past "$R" $id $((c1 + 3))
	ok "$rt: kill and delete the restored container" sh -c "$R kill $id KILL; sleep 0.5; $R delete -f $id && ! $R state $id >/dev/null 2>&1"
	echo "# time $rt: checkpoint $(cat /tmp/ms.checkpoint.$id 2>/dev/null) ms, restore $(cat /tmp/ms.restore.$id 2>/dev/null) ms"
done
vm_guest_end
