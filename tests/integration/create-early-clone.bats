#!/usr/bin/env bats
# The early clone (container_create.c, early_clone()): on cgroupfs v1 without a user
# namespace, the container process is cloned, and makes its mounts, while `cleat create`
# still makes the state directory and the cgroup; it reads the cgroup at its join point
# (a cgroup mount, the first hook, the root switch) and joins it before any hook or
# anything of the container's runs.  A create killed or failing in that window must
# leave no process, mount, cgroup or state directory behind.
#
# cleat runs where the hybrid unified mount is hidden (a private mount namespace): the
# pure v1 layout, where the early clone applies (a cgroup2 tree keeps the clone into the
# cgroup2 directory, after the cgroup is made).

load helpers

setup() {
	require_root
	grep -qw cgroup /proc/self/mounts || skip "no cgroup v1 hierarchy mounted"
	[ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] || skip "cgroup2 host: no early clone"
	setup_bundle sleep 100
	CG_PARENT=cleat-early-$$-$RANDOM
	# In the environment of the create commands only: the setup helper and the container
	# process carry it until the container's program runs.
	MARK=CLEAT_EARLY_MARK=$CG_PARENT
	# Mounts made before the cgroup mount needs the cgroup: the window the tests aim at.
	update_config '.mounts = [range(0; 100) | {destination: "/early/\(.)", type: "tmpfs",
		source: "tmpfs", options: ["nosuid", "size=64k"]}] + .mounts'
}

teardown() {
	local p
	[ -n "${LISTENER:-}" ] && kill "$LISTENER" 2>/dev/null
	[ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null
	[ -n "${SOCKDIR:-}" ] && rm -rf "$SOCKDIR"
	for p in $(marked_pids); do kill -KILL "$p" 2>/dev/null || true; done
	teardown_bundle
	remove_cgroup_tree "$CG_PARENT"
}

# cleat_v1 ARG...: cleat with the unified mount hidden (one process: each step execs).
cleat_v1_cmd() {
	CLEAT_V1=(env "$MARK" unshare -m --propagation private sh -c
		'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' cleat_v1
		"$CLEAT" --root "$ROOT")
}
cleat_v1() {
	cleat_v1_cmd
	"${CLEAT_V1[@]}" "$@"
}

cgroup_mounts() {
	awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup") print $5 }' /proc/self/mountinfo
}

# marked_pids: processes carrying $MARK in their environment.
marked_pids() {
	grep -lsz -- "^$MARK\$" /proc/[0-9]*/environ | cut -d/ -f3
}

# leftovers ID: what is left of container ID: its cgroup directories, mounts of the
# bundle, marked processes, its state directory.
leftovers() {
	local id=$1 mp d
	for mp in $(cgroup_mounts); do
		[ -d "$mp/$CG_PARENT" ] || continue
		for d in $(find "$mp/$CG_PARENT" -mindepth 1 -type d -name "$id"); do
			echo "cgroup $d: $(tr '\n' ' ' <"$d/cgroup.procs" 2>/dev/null)"
		done
	done
	grep -F "$BUNDLE" /proc/self/mountinfo | sed 's/^/mount /'
	[ -e "$ROOT/$id" ] && echo "state dir $ROOT/$id: $(ls -A "$ROOT/$id" | tr '\n' ' ')"
	for p in $(marked_pids); do
		echo "process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	return 0
}

# cgroup_leaves PATH: the directories of cgroupsPath PATH that exist, in any hierarchy.
cgroup_leaves() {
	local mp
	for mp in $(cgroup_mounts); do
		[ -d "$mp$1" ] && echo "$mp$1"
	done
	return 0
}

# block_console SOCK: a console socket whose backlog is full (LISTENER holds it): a create
# given it blocks in its connect, after it handed the config to the setup helper and before
# it makes the state directory and the cgroup.  Killing LISTENER refuses the connect.
block_console() {
	skip_unless_cmd python3
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(0)
c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1])
print("ready", flush=True); time.sleep(120)' "$1" >"$1.out" &
	LISTENER=$!
	for ((i = 0; i < 500; i++)); do
		grep -q ready "$1.out" && return 0
		sleep 0.01
	done
	fail "the console socket listener did not start"
}

# create_blocked ID: `cleat create ID` in the background (CREATE: its pid) on a blocked
# console socket; SEEN: its container process (a child of create, CLONE_PARENT, in a pid
# namespace of its own) once it made its config's first mounts, or empty.
create_blocked() {
	local id=$1 own child ns i
	SOCKDIR=$(mktemp -d /tmp/cleat-early.XXXXXX)
	block_console "$SOCKDIR/console.sock"
	update_config '.process.terminal = true'
	own=$(readlink /proc/self/ns/pid)
	cleat_v1_cmd
	"${CLEAT_V1[@]}" create --console-socket "$SOCKDIR/console.sock" "$id" \
		>"$SOCKDIR/create.out" 2>&1 </dev/null &
	CREATE=$!
	SEEN=
	for ((i = 0; i < 2000; i++)); do
		[ -z "$SEEN" ] || break
		[ -e "/proc/$CREATE" ] || break
		for child in $(cat "/proc/$CREATE/task/$CREATE/children" 2>/dev/null); do
			ns=$(readlink "/proc/$child/ns/pid" 2>/dev/null) || continue
			[ "$ns" != "$own" ] || continue
			SEEN=$child
			break
		done
		[ -n "$SEEN" ] || sleep 0.01
	done
	[ -n "$SEEN" ] || return 0
	# The tmpfs mounts come first in the config, before the cgroup mount waits.
	for ((i = 0; i < 1000; i++)); do
		grep -q " $BUNDLE/rootfs/early/99 " "/proc/$SEEN/mountinfo" 2>/dev/null && return 0
		sleep 0.01
	done
	SEEN=
}

@test "early clone: create SIGKILLed while the container process mounts before its cgroup exists leaves nothing" {
	local id path cg="" state=""
	id=$(container_id early)
	path=/$CG_PARENT/$id
	update_config '.linux.cgroupsPath = $p' --arg p "$path"
	create_blocked "$id"
	if [ -n "$SEEN" ]; then
		cg=$(cgroup_leaves "$path")
		[ -e "$ROOT/$id" ] && state=$(ls -A "$ROOT/$id" | tr '\n' ' ')
	fi
	kill -KILL "$CREATE" 2>/dev/null || true
	wait "$CREATE" || true
	[ -n "$SEEN" ] || fail "no container process with its mounts made while create waited for the console socket"
	[ -z "$cg" ] || fail "the cgroup existed while create waited for the console socket: $cg"
	[ -z "$state" ] || fail "the state directory existed while create waited: $state"
	run cleat_v1 delete --force "$id"
	assert_success
	run leftovers "$id"
	assert_output ""
}

@test "early clone: a create failing after the clone, before the state dir (console socket refused), leaves nothing" {
	local id
	id=$(container_id early)
	update_config '.linux.cgroupsPath = $p' --arg p "/$CG_PARENT/$id"
	create_blocked "$id"
	[ -n "$SEEN" ] || fail "no container process with its mounts made while create waited for the console socket"
	kill "$LISTENER"
	run wait "$CREATE"
	assert_failure
	run cat "$SOCKDIR/create.out"
	assert_output --partial "console socket"
	run leftovers "$id"
	assert_output ""
}

@test "early clone: a mount failing before the cgroup exists is the create's error; nothing is left" {
	local id
	id=$(container_id early)
	update_config '.linux.cgroupsPath = $p | .mounts = [{destination: "/bad", type: "tmpfs",
		source: "tmpfs", options: ["size=notanumber"]}] + .mounts' --arg p "/$CG_PARENT/$id"
	run cleat_v1 create "$id"
	assert_failure
	assert_output --partial 'mount "/bad"'
	run leftovers "$id"
	assert_output ""
}

@test "early clone: a create failing at the cgroup after the clone leaves no process, cgroup or state dir" {
	local id
	id=$(container_id early)
	update_config '.linux.cgroupsPath = $p | .linux.resources.cpu.cpus = "4096"' \
		--arg p "/$CG_PARENT/$id"
	run cleat_v1 create "$id"
	assert_failure
	assert_output --partial 'cpuset.cpus "4096"'
	# Killed and reaped before create returned: nothing to wait for.
	run leftovers "$id"
	assert_output ""
}

@test "early clone: a create failing at the state dir (the id exists) after the clone leaves no process" {
	local id
	id=$(container_id early)
	update_config '.linux.cgroupsPath = $p' --arg p "/$CG_PARENT/$id"
	MARK=CLEAT_EARLY_MARK=first-$CG_PARENT cleat_v1 create "$id"
	run cleat_v1 create "$id"
	assert_failure
	assert_output --partial "already exists"
	[ -z "$(marked_pids)" ] || fail "processes of the failed create: $(marked_pids)"
	run cleat_v1 state "$id"
	assert_output --partial '"status": "created"'
	run cleat_v1 delete --force "$id"
	assert_success
}

@test "early clone: the container process is in its cgroup, its cgroup mount binds its own directories, hooks see it there" {
	local id
	id=$(container_id early)
	update_config '.linux.cgroupsPath = $p | .process.args = ["sh", "-c",
		"cat /proc/self/cgroup; cat /sys/fs/cgroup/pids/tasks; cat /hook-out"] |
		.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c",
		"pid=$(jq .pid); grep -q \"^$pid$\" /sys/fs/cgroup/pids\($p)/tasks && echo hook-ok >\($r)/hook-out"]}]' \
		--arg p "/$CG_PARENT/$id" --arg r "$BUNDLE/rootfs"
	run cleat_v1 run "$id"
	assert_success
	assert_line --regexp "^[0-9]+:pids:/$CG_PARENT/$id\$"
	assert_line 1
	assert_line hook-ok
}

@test "early clone: not into a mount namespace joined by path, where the state dir may be hidden" {
	local id i
	id=$(container_id early)
	mkdir -p "$ROOT"
	# A mount namespace of our own where the state root is covered by an empty tmpfs:
	# exec.fifo is opened from the host's view, before the container process joins it.
	unshare -m --propagation private sh -c \
		'umount -l /sys/fs/cgroup/unified 2>/dev/null; mount -t tmpfs hide "$1" && exec sleep 60' \
		holder "$ROOT" &
	HOLDER=$!
	for ((i = 0; i < 500; i++)); do
		[ "$(cat "/proc/$HOLDER/comm" 2>/dev/null)" = sleep ] && break
		sleep 0.01
	done
	update_config '.linux.cgroupsPath = $p |
		.linux.namespaces |= map(if .type == "mount" then .path = $ns else . end)' \
		--arg p "/$CG_PARENT/$id" --arg ns "/proc/$HOLDER/ns/mnt"
	# Its stdio is the container process's: not a pipe that `run` would wait on.
	cleat_v1 create "$id" </dev/null >"$BUNDLE/create.out" 2>&1 ||
		fail "create failed: $(cat "$BUNDLE/create.out")"
	run cleat_v1 state "$id"
	assert_output --partial '"status": "created"'
	run cleat_v1 delete --force "$id"
	assert_success
}
