#!/usr/bin/env bats
# create / start / state / kill / delete / run: the state machine over the state dir,
# with runc's messages and exit codes.

load helpers

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle sleep 1000
	ID=$(container_id lc)
}

teardown() {
	teardown_bundle
}

# create/runc_create ARG...: create with stdio away from bats (the waiting init inherits
# the runtime's stdio, and bats waits for every holder of its pipes and fd 3).
create() {
	cleat create "$@" </dev/null >"$BUNDLE/create.log" 2>&1 3>&-
}
runc_create() {
	runc_ create "$@" </dev/null >"$BUNDLE/runc-create.log" 2>&1 3>&-
}

# pid_gone PID: the process is gone or a zombie nobody reaped yet.
pid_gone() {
	[ ! -e "/proc/$1" ] || grep -q '^State:[[:space:]]*[ZX]' "/proc/$1/status"
}

# init_pid ID: the pid recorded by create.
init_pid() {
	cleat state "$1" | jq -r .pid
}

@test "lifecycle: create leaves a created container whose init waits; runtime exited" {
	run -0 detached cleat create --pid-file "$BUNDLE/pid" "$ID"
	assert_output ""
	run -0 cleat state "$ID"
	assert_equal "$(jq -r .status <<<"$output")" created
	assert_equal "$(jq -r .id <<<"$output")" "$ID"
	assert_equal "$(jq -r .bundle <<<"$output")" "$BUNDLE"
	assert_equal "$(jq -r .rootfs <<<"$output")" "$BUNDLE/rootfs"
	local pid
	pid=$(jq -r .pid <<<"$output")
	# --pid-file holds the host pid of the init, no newline (as runc writes it).
	assert_equal "$(cat "$BUNDLE/pid")" "$pid"
	assert [ -d "/proc/$pid" ]
	# The init has not exec'd the user's process yet: it still runs cleat.
	run ! grep -q sleep "/proc/$pid/cmdline"
	assert [ -p "$ROOT/$ID/exec.fifo" ]
}

@test "lifecycle: start execs the process; status running; exec.fifo removed" {
	create "$ID"
	run -0 cleat start "$ID"
	assert_output ""
	wait_for_container "$ID" running
	local pid
	pid=$(init_pid "$ID")
	run -0 tr '\0' ' ' <"/proc/$pid/cmdline"
	assert_output "sleep 1000 "
	assert [ ! -e "$ROOT/$ID/exec.fifo" ]
}

@test "lifecycle: kill delivers the signal; stopped; delete removes everything" {
	create "$ID"
	cleat start "$ID"
	local pid
	pid=$(init_pid "$ID")
	run -0 cleat kill "$ID" KILL
	wait_for_container "$ID" stopped
	run -0 cleat state "$ID"
	assert_equal "$(jq -r .pid <<<"$output")" 0
	run -0 cleat delete "$ID"
	assert [ ! -e "$ROOT/$ID" ]
	run -1 cleat state "$ID"
	assert_output "cleat: container does not exist"
}

@test "lifecycle: kill accepts names with and without SIG and numbers; default is SIGTERM" {
	update_config '.root.readonly = false'
	update_config '.process.args = ["sh", "-c", "trap \"echo got-usr1 >>/sig\" USR1; trap \"echo got-hup >>/sig\" HUP; trap \"echo got-term >>/sig; exit 0\" TERM; while :; do sleep 0.1; done"]'
	create "$ID"
	cleat start "$ID"
	sleep 0.3
	run -0 cleat kill "$ID" USR1
	sleep 0.5
	run -0 cleat kill "$ID" SIGHUP
	sleep 0.5
	run -0 cleat kill "$ID" 10
	sleep 0.5
	run -0 cleat kill "$ID"
	wait_for_container "$ID" stopped
	run -0 cat "$BUNDLE/rootfs/sig"
	assert_output "got-usr1
got-hup
got-usr1
got-term"
}

@test "lifecycle: kill errors: unknown signal, stopped container, unknown id" {
	create "$ID"
	run -1 cleat kill "$ID" FOO
	assert_output 'cleat: unknown signal "FOO"'
	cleat start "$ID"
	cleat kill "$ID" 9
	wait_for_container "$ID" stopped
	run -1 cleat kill "$ID" 9
	assert_output "cleat: container not running"
	run -1 cleat kill nosuch 9
	assert_output "cleat: container does not exist"
}

@test "lifecycle: kill --all signals every process of the container" {
	update_config '.process.args = ["sh", "-c", "sleep 1000 & sleep 1000 & wait"]'
	create "$ID"
	cleat start "$ID"
	sleep 0.3
	run -0 cleat kill --all "$ID" KILL
	wait_for_container "$ID" stopped
	cleat delete "$ID"
}

# host_pidns_children ID: run ID without a pid namespace of its own, with two sleeps
# beside its init; prints the pids of the init's children.
host_pidns_children() {
	update_config '.linux.namespaces |= map(select(.type != "pid"))
		| .process.args = ["sh", "-c", "sleep 1000 & sleep 1000 & wait"]'
	create "$1"
	cleat start "$1"
	local pid i
	pid=$(init_pid "$1")
	for i in $(seq 50); do
		[ "$(pgrep -P "$pid" | wc -l)" -ge 2 ] && break
		sleep 0.1
	done
	pgrep -P "$pid"
}

@test "lifecycle: kill KILL without a pid namespace of its own kills every process, like runc" {
	local kids pid k
	kids=$(host_pidns_children "$ID")
	assert [ -n "$kids" ]
	pid=$(init_pid "$ID")
	run -0 cleat kill "$ID" KILL
	wait_for_container "$ID" stopped
	for k in $kids; do
		retry 50 0.1 pid_gone "$k"
	done
	cleat delete "$ID"
}

@test "lifecycle: kill KILL without a pid namespace, init already gone: the rest are killed" {
	local kids pid k
	kids=$(host_pidns_children "$ID")
	assert [ -n "$kids" ]
	pid=$(init_pid "$ID")
	kill -9 "$pid"
	wait_for_container "$ID" stopped
	run -0 cleat kill "$ID" KILL
	for k in $kids; do
		retry 50 0.1 pid_gone "$k"
	done
	cleat delete "$ID"
}

@test "lifecycle: start errors match runc: running, stopped, unknown" {
	create "$ID"
	cleat start "$ID"
	run -1 cleat start "$ID"
	assert_output "cleat: cannot start an already running container"
	runc_create "$ID"
	runc_ start "$ID"
	run -1 runc_ start "$ID"
	assert_output --partial "cannot start an already running container"
	cleat kill "$ID" KILL
	wait_for_container "$ID" stopped
	run -1 cleat start "$ID"
	assert_output "cleat: cannot start a container that has stopped"
	run -1 cleat start nosuch
	assert_output "cleat: container does not exist"
}

@test "lifecycle: delete of a running container needs --force; --force kills it" {
	create "$ID"
	cleat start "$ID"
	local pid
	pid=$(init_pid "$ID")
	run -1 cleat delete "$ID"
	assert_output "cleat: cannot delete container $ID that is not stopped: running"
	assert [ -d "/proc/$pid" ]
	run -0 cleat delete --force "$ID"
	assert [ ! -e "$ROOT/$ID" ]
	pid_gone "$pid"
}

@test "lifecycle: delete of a created container kills the waiting init" {
	create "$ID"
	local pid
	pid=$(init_pid "$ID")
	run -0 cleat delete "$ID"
	assert [ ! -e "$ROOT/$ID" ]
	# The init is the test's (reaped) child or gone: never running sleep.
	run ! grep -q sleep "/proc/$pid/cmdline"
}

@test "lifecycle: delete --force of a missing container succeeds silently, like runc" {
	run -0 runc_ delete --force nosuch
	assert_output ""
	run -0 cleat delete --force nosuch
	assert_output ""
	run -1 cleat delete nosuch
	assert_output "cleat: container does not exist"
	run -1 cleat delete --force 'a/b'
	assert_output --partial "invalid container ID format"
	# A leftover directory without state.json is removed, with or without --force.
	mkdir "$ROOT/$ID"
	run -0 cleat delete --force "$ID"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "lifecycle: a container without a mount namespace is created and started (no /proc in its root)" {
	update_config '.linux.namespaces |= map(select(.type != "mount")) | .mounts = []
		| del(.linux.maskedPaths, .linux.readonlyPaths) | .root.readonly = false'
	# Nothing mounts /dev either; the init checks its stdio against /dev/null (runc's
	# fixStdioPermissions), so the rootfs brings its own.
	mkdir -p "$BUNDLE/rootfs/dev"
	mknod -m 666 "$BUNDLE/rootfs/dev/null" c 1 3
	create "$ID"
	run -0 cleat state "$ID"
	assert_equal "$(jq -r .status <<<"$output")" created
	local pid
	pid=$(init_pid "$ID")
	assert_equal "$(readlink "/proc/$pid/ns/mnt")" "$(readlink /proc/self/ns/mnt)"
	assert [ ! -e "$BUNDLE/rootfs/proc/self" ]
	run -0 cleat start "$ID"
	wait_for_container "$ID" running
	assert_equal "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 "
	cleat delete --force "$ID"
}

@test "lifecycle: duplicate id is refused and the first container is untouched" {
	create "$ID"
	run -1 detached cleat create "$ID"
	assert_output "cleat: create \"$ID\": container with given ID already exists"
	run -0 cleat state "$ID"
	assert_equal "$(jq -r .status <<<"$output")" created
}

@test "lifecycle: invalid ids get runc's messages" {
	run -1 detached cleat create 'a/b'
	assert_output --partial "invalid container ID format"
	run -1 detached cleat create '..'
	assert_output --partial "invalid container ID format"
	run -1 detached cleat create ''
	assert_output --partial "container id cannot be empty"
	run -1 cleat state 'a/b'
	assert_output --partial "invalid container ID format"
	assert [ -z "$(ls "$ROOT")" ]
}

@test "lifecycle: a bad bundle path is named and nothing is left behind" {
	run -1 detached cleat create -b /nonexistent-bundle "$ID"
	assert_output "cleat: create \"$ID\": bundle \"/nonexistent-bundle\": No such file or directory"
	assert [ ! -e "$ROOT/$ID" ]
	rm -rf "$BUNDLE/rootfs"
	run -1 detached cleat create "$ID"
	assert_output --partial "rootfs (\"$BUNDLE/rootfs\") does not exist"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "lifecycle: a failing create (missing executable) cleans up state, cgroup, mounts" {
	update_config '.process.args = ["/no/such/binary"]'
	run -1 detached cleat create "$ID"
	assert_output --partial "no/such/binary"
	assert [ ! -e "$ROOT/$ID" ]
	run ! grep -q "$BUNDLE/rootfs" /proc/self/mountinfo
	run ! test -d "/sys/fs/cgroup/pids/$ID"
	run -1 cleat state "$ID"
}

@test "lifecycle: run (foreground) returns the exit status and deletes the container" {
	update_config '.process.args = ["sh", "-c", "echo out; echo err >&2; exit 42"]'
	run -42 cleat run "$ID"
	assert_output "out
err"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "lifecycle: run reports a signal death as 128+signal, like runc" {
	"$CLEAT" --root "$ROOT" run "$ID" </dev/null >/dev/null 2>&1 3>&- &
	local pid=$!
	wait_for_container "$ID" running
	cleat kill "$ID" KILL
	local rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 137
	"$RUNC" --root "$RUNC_ROOT" run "$ID" </dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	wait_for_container -r runc_ "$ID" running
	runc_ kill "$ID" KILL
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 137
}

@test "lifecycle: a container deleted by someone else while run waits: run returns its status quietly" {
	"$CLEAT" --root "$ROOT" run "$ID" </dev/null >"$BUNDLE/out" 2>&1 3>&- &
	local pid=$!
	wait_for_container "$ID" running
	cleat delete -f "$ID"
	local rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 137
	run -0 cat "$BUNDLE/out"
	assert_output ""
	assert [ ! -e "$ROOT/$ID" ]
	# run had the state directory open: a new container under the same id is left alone.
	"$CLEAT" --root "$ROOT" run "$ID" </dev/null >"$BUNDLE/out" 2>&1 3>&- &
	pid=$!
	wait_for_container "$ID" running
	cleat delete -f "$ID"
	run -0 detached cleat run -d "$ID"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 137
	run -0 cleat state "$ID"
	cleat delete -f "$ID"
}

@test "lifecycle: run forwards signals to the container" {
	update_config '.process.args = ["sh", "-c", "trap \"echo trapped; exit 7\" USR1; echo ready; while :; do sleep 0.1; done"]'
	"$CLEAT" --root "$ROOT" run "$ID" >"$BUNDLE/out" 2>&1 3>&- &
	local pid=$!
	wait_for_container "$ID" running
	sleep 0.3
	kill -USR1 "$pid"
	local rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 7
	run -0 cat "$BUNDLE/out"
	assert_output "ready
trapped"
}

@test "lifecycle: run -d leaves the container running and exits" {
	run -0 detached cleat run -d "$ID"
	wait_for_container "$ID" running
	cleat delete -f "$ID"
}

@test "lifecycle: the runtime exits after create and after start; the container keeps running" {
	create "$ID" &
	wait $!
	cleat start "$ID" &
	wait $!
	wait_for_container "$ID" running
	run -1 pgrep -f "cleat .*$ID"
	run -0 cleat state "$ID"
	assert [ -d "/proc/$(jq -r .pid <<<"$output")" ]
}

@test "lifecycle: a recycled pid is not mistaken for the init (start time check)" {
	create "$ID"
	cleat start "$ID"
	cleat kill "$ID" KILL
	wait_for_container "$ID" stopped
	# Point the state at a live process with another start time: still stopped.
	jq --arg p "$$" '.init_pid = ($p | tonumber)' "$ROOT/$ID/state.json" >"$BUNDLE/s.json"
	cp "$BUNDLE/s.json" "$ROOT/$ID/state.json"
	run -0 cleat state "$ID"
	assert_equal "$(jq -r .status <<<"$output")" stopped
	cleat delete "$ID"
	kill -0 $$
}

@test "lifecycle: state output has runc's fields and shape" {
	create "$ID"
	runc_create "$ID"
	run -0 cleat state "$ID"
	local mine=$output
	run -0 runc_ state "$ID"
	assert_equal "$(jq -c 'keys' <<<"$mine")" "$(jq -c 'keys' <<<"$output")"
	assert_equal "$(jq -r .created <<<"$mine" | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$')" 1
	runc_ delete -f "$ID"
}

@test "lifecycle: poststart and poststop hooks run with the state on stdin" {
	update_config '.hooks = {"poststart": [{"path": "/bin/sh", "args": ["sh", "-c", "cat > '"$BUNDLE"'/poststart.json"]}],
		"poststop": [{"path": "/bin/sh", "args": ["sh", "-c", "cat > '"$BUNDLE"'/poststop.json"]}]}'
	create "$ID"
	cleat start "$ID"
	run -0 jq -r '.id + " " + .status' "$BUNDLE/poststart.json"
	assert_output "$ID running"
	cleat delete -f "$ID"
	run -0 jq -r '.id + " " + .status' "$BUNDLE/poststop.json"
	assert_output "$ID stopped"
}

@test "lifecycle: a failing createRuntime hook fails create with the hook named" {
	update_config '.hooks = {"createRuntime": [{"path": "/bin/false"}]}'
	run -1 detached cleat create "$ID"
	assert_output --partial "createRuntime"
	assert_output --partial "/bin/false"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "lifecycle: --log-format json puts the error in --log for containerd-shim-runc-v2" {
	run -1 "$CLEAT" --root "$ROOT" --log "$BUNDLE/log.json" --log-format json state nosuch
	assert_output "cleat: container does not exist"
	run -0 jq -r '.level + " " + .msg' "$BUNDLE/log.json"
	assert_output "error container does not exist"
	run -0 jq -r .time "$BUNDLE/log.json"
	assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'
}

@test "lifecycle: paused: status, start and delete refused like runc; SIGKILL thaws and kills" {
	create "$ID"
	cleat start "$ID"
	run -0 cleat pause "$ID"
	wait_for_container "$ID" paused
	run -1 cleat start "$ID"
	assert_output "cleat: cannot start a container in the paused state"
	run -255 cleat exec "$ID" true
	assert_output "cleat: exec failed: cannot exec in a paused container (use --ignore-paused to override)"
	run -1 cleat delete "$ID"
	assert_output "cleat: cannot delete container $ID that is not stopped: paused"
	run -0 cleat kill "$ID" KILL
	wait_for_container "$ID" stopped
	run -0 cleat delete "$ID"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "lifecycle: delete --force of a paused container kills it and removes its cgroup" {
	create "$ID"
	cleat start "$ID"
	cleat pause "$ID"
	local pid
	pid=$(init_pid "$ID")
	run -0 cleat delete --force "$ID"
	pid_gone "$pid"
	assert [ ! -e "$ROOT/$ID" ]
	run ! test -d "/sys/fs/cgroup/freezer/$ID"
}

@test "lifecycle: a create killed midway is reported stopped and delete cleans it up" {
	update_config '.hooks = {"createRuntime": [{"path": "/bin/sleep", "args": ["sleep", "2"]}]}'
	"$CLEAT" --root "$ROOT" create "$ID" </dev/null >/dev/null 2>&1 3>&- &
	local cpid=$!
	wait_for_container "$ID" creating
	run -0 cleat list
	assert_line --regexp "^$ID +0 +creating "
	kill -KILL "$cpid"
	wait "$cpid" || true
	wait_for_container "$ID" stopped
	run -0 cleat delete "$ID"
	assert [ ! -e "$ROOT/$ID" ]
	run ! test -d "/sys/fs/cgroup/pids/$ID"
}

@test "lifecycle: --no-pivot runs the container without pivot_root (chroot), like runc" {
	update_config '.process.args = ["sh", "-c", "ls /; cat /proc/self/mountinfo | head -1"]'
	run -0 cleat run --no-pivot "$ID"
	assert_line bin
	assert_line proc
	local mine=$output
	run -0 runc_ run --no-pivot "$ID"
	assert_equal "$(grep -c . <<<"$mine")" "$(grep -c . <<<"$output")"
}
