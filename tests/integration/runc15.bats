#!/usr/bin/env bats
# Differential with runc 1.5 (the pinned peer built by peers/build-peers.sh) where runc's
# behaviour changed since Debian's runc 1.1, the reference of the other differential files:
# linux.memoryPolicy (1.1 ignores it), rootfsPropagation, --pidfd-socket (new in 1.2),
# process.execCPUAffinity and the runtime's own affinity (1.2 / 1.4), and masked
# directories sharing one tmpfs (1.5). Here runc_ is runc 1.5; every test names it. The
# hooks' order and state are compared with runc 1.5 in hooks.bats. Skipped with the reason
# when the peer cannot be built (no Go, module proxy unreachable).

load helpers
load rootfs-helpers
load peers/peers

bats_require_minimum_version 1.5.0

setup_file() {
	peers_setup_file
}

setup() {
	runc15_setup
	ID=$(container_id r15)
}

teardown() {
	[ -z "${RECV_PID:-}" ] || kill "$RECV_PID" 2>/dev/null || true
	[ -z "${HOST_SHARED:-}" ] || umount "$HOST_SHARED" 2>/dev/null || true
	teardown_bundle
}

@test "runc 1.5.3: the peer is runc 1.5" {
	run -0 "$RUNC" --version
	assert_line --regexp '^runc version 1\.5\.'
}

# The policy field of the probe's first mapping in /proc/self/numa_maps.
POLICY_PROBE='head -n 1 /proc/self/numa_maps | cut -d " " -f 2'

require_numa() {
	[ -r /proc/self/numa_maps ] || skip "the kernel has no NUMA support (/proc/self/numa_maps)"
	[ -d /sys/devices/system/node/node0 ] || skip "no NUMA node 0"
}

@test "runc 1.5.3: memoryPolicy modes and flags give the same policy as runc 1.5.3" {
	require_numa
	local p
	for p in '{mode: "MPOL_BIND", nodes: "0"}' \
		'{mode: "MPOL_INTERLEAVE", nodes: "0", flags: ["MPOL_F_STATIC_NODES"]}' \
		'{mode: "MPOL_PREFERRED", nodes: "0", flags: ["MPOL_F_RELATIVE_NODES"]}' \
		'{mode: "MPOL_DEFAULT"}' '{mode: "MPOL_LOCAL"}'; do
		update_config ".linux.memoryPolicy = $p"
		both_run sh -c "$POLICY_PROBE"
		echo "$p: runc 1.5.3 [$RUNC_OUT] cleat [$CLEAT_OUT]"
		assert_same 0
		assert [ "$CLEAT_OUT" != default ] || assert_glob "$p" "*MPOL_DEFAULT*"
	done
}

@test "runc 1.5.3: an exec'd process gets the memoryPolicy, as with runc 1.5.3" {
	require_numa
	update_config '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0"} | .process.args = ["sleep", "1000"]'
	run -0 detached runc_ run -d "$ID-runc"
	run -0 --separate-stderr runc_ exec "$ID-runc" sh -c "$POLICY_PROBE"
	local want=$output
	run -0 detached cleat run -d "$ID"
	run -0 cleat exec "$ID" sh -c "$POLICY_PROBE"
	assert_output "$want"
	assert_output bind:0
}

@test "runc 1.5.3: a bad memoryPolicy mode, or a node the machine lacks, is refused by both" {
	require_numa
	update_config '.linux.memoryPolicy = {mode: "INTERLEAVE", nodes: "0"}'
	both_run true
	assert [ "$RUNC_STATUS" -ne 0 ]
	assert [ "$CLEAT_STATUS" -ne 0 ]
	assert_contains "$CLEAT_ERR" ".linux.memoryPolicy.mode"
	[ -d /sys/devices/system/node/node1000 ] && skip "the machine has a node 1000"
	update_config '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "1000"}'
	both_run true
	assert [ "$RUNC_STATUS" -ne 0 ]
	assert [ "$CLEAT_STATUS" -ne 0 ]
	assert [ ! -e "$ROOT/$CLEAT_ID" ]
}

# root_propagation RUNTIME-FN: the propagation fields of the container's / ("shared",
# "master", "unbindable" or nothing).
root_propagation() {
	update_config '.process.args = ["cat", "/proc/self/mountinfo"]'
	"$1" run "$(container_id prop)" | norm_mountinfo | awk '$1 == "/" {
		s = ""; for (i = 4; $i != "-"; i++) s = s " " $i; print substr(s, 2); exit }'
}

@test "runc 1.5.3: rootfsPropagation gives / the propagation runc 1.5.3 gives" {
	local p got runc_got
	# A shared rootfs mount on the host, where a leak or a lost value shows.
	HOST_SHARED=$BUNDLE/rootfs
	mount --bind "$HOST_SHARED" "$HOST_SHARED"
	mount --make-shared "$HOST_SHARED"
	for p in shared slave private unbindable rshared rslave rprivate; do
		update_config '.linux.rootfsPropagation = $p' --arg p "$p"
		got=$(root_propagation cleat) || fail "$p: cleat failed"
		runc_got=$(root_propagation runc_) || fail "$p: runc 1.5.3 failed"
		echo "$p: runc 1.5.3 [$runc_got] cleat [$got]"
		# runc 1.5 makes a slave root's parent private, so its / loses the master; cleat
		# keeps it (README, Known differences): the spec says a slave receives the host's
		# events.
		if [[ "$p" == *slave ]]; then
			assert_equal "$got" master
		else
			assert_equal "$got" "$runc_got"
		fi
	done
}

# pidfd_messages RUNTIME-FN ID: create ID and exec into it, each with --pidfd-socket; print
# both messages with the pids replaced by what they must be (INIT, EXEC).
pidfd_messages() {
	local rt=$1 id=$2 init
	pidfd_receiver "$BUNDLE/pidfd.sock" "$BUNDLE/$id.init"
	detached "$rt" create --pidfd-socket "$BUNDLE/pidfd.sock" "$id" >/dev/null || return 1
	wait "$RECV_PID"
	init=$("$rt" state "$id" | jq -r .pid)
	"$rt" start "$id"
	pidfd_receiver "$BUNDLE/pidfd.sock" "$BUNDLE/$id.exec"
	detached "$rt" exec -d --pid-file "$BUNDLE/$id.pid" --pidfd-socket "$BUNDLE/pidfd.sock" \
		"$id" sleep 1000 >/dev/null || return 1
	wait "$RECV_PID"
	RECV_PID=
	sed "s/pid=$init\$/pid=INIT/" "$BUNDLE/$id.init"
	sed "s/pid=$(cat "$BUNDLE/$id.pid")\$/pid=EXEC/" "$BUNDLE/$id.exec"
}

@test "runc 1.5.3: --pidfd-socket sends what runc 1.5.3 sends, for create and exec" {
	[ -e /proc/self/fdinfo ] && python3 -c 'import os; os.pidfd_open' 2>/dev/null ||
		skip "no pidfd_open"
	update_config '.process.args = ["sleep", "1000"]'
	run -0 pidfd_messages runc_ "$ID-runc"
	local want=$output
	echo "runc 1.5.3: $want"
	run -0 pidfd_messages cleat "$ID"
	assert_output "$want"
	assert_line "name=standard fds=1 pid=INIT"
	assert_line "name=setns fds=1 pid=EXEC"
}

@test "runc 1.5.3: execCPUAffinity initial and final as with runc 1.5.3" {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs, this machine has $(nproc)"
	update_config '.process.args = ["sleep", "1000"]'
	run -0 detached runc_ run -d "$ID-runc"
	run -0 detached cleat run -d "$ID"
	local aff rt id want
	for aff in '{initial: "0", final: "1"}' '{initial: "1"}' '{final: "0"}'; do
		jq --argjson a "$(jq -nc "$aff")" '.process | .args = ["sh", "-c", "grep Cpus_allowed_list /proc/self/status"]
			| .execCPUAffinity = $a' "$BUNDLE/config.json" >"$BUNDLE/p.json"
		run -0 --separate-stderr runc_ exec --process "$BUNDLE/p.json" "$ID-runc"
		want=$output
		run -0 cleat exec --process "$BUNDLE/p.json" "$ID"
		echo "$aff: runc 1.5.3 [$want] cleat [$output]"
		assert_output "$want"
	done
}

@test "runc 1.5.3: the container does not inherit the runtime's CPU affinity, as with runc 1.5.3" {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs, this machine has $(nproc)"
	skip_unless_cmd taskset
	update_config '.linux.resources.cpu.cpus = "0-1"
		| .process.args = ["sh", "-c", "grep Cpus_allowed_list /proc/self/status"]'
	run -0 --separate-stderr taskset -c 0 "$RUNC" --root "$RUNC_ROOT" run "$ID-runc"
	local want=$output
	run -0 taskset -c 0 "$CLEAT" --root "$ROOT" run "$ID"
	assert_output "$want"
	assert_output --regexp 'Cpus_allowed_list:[[:space:]]+0-1$'
	update_config '.process.args = ["sleep", "1000"]'
	run -0 detached runc_ run -d "$ID-runc"
	run -0 detached cleat run -d "$ID"
	run -0 --separate-stderr taskset -c 0 "$RUNC" --root "$RUNC_ROOT" exec "$ID-runc" grep Cpus_allowed_list /proc/self/status
	want=$output
	run -0 taskset -c 0 "$CLEAT" --root "$ROOT" exec "$ID" grep Cpus_allowed_list /proc/self/status
	assert_output "$want"
}

@test "runc 1.5.3: masked directories share one read-only tmpfs, a path given twice is masked once" {
	mkdir -p rootfs/m1 rootfs/m2 rootfs/m3
	touch rootfs/mf
	update_config '.linux.maskedPaths += ["/m1", "/m2", "/m3", "/m1", "/mf", "/mf"]'
	both_run sh -c 'stat -c %d /m1 /m2 /m3 /proc/acpi /proc/scsi 2>/dev/null | sort -u | wc -l; grep -c " /m1 " /proc/self/mountinfo; grep -c " /mf " /proc/self/mountinfo; touch /m2/x 2>/dev/null || echo RO'
	assert_same 0
	assert_output $'1\n1\n1\nRO'
	both_mountinfo
	assert_same_mountinfo
}
