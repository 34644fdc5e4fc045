#!/usr/bin/env bats
# cleat exec: joins every namespace and the cgroup of the container, --process or trailing
# args, flags, -d/--pid-file, -t with --console-socket, exit status, refused states.

load helpers
load peers/peers

setup_file() {
	peers_setup_file
}

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle sleep 1000
	ID=$(container_id ex)
}

teardown() {
	teardown_bundle
}

start_container() {
	cleat run -d "$ID" </dev/null >"$BUNDLE/run.log" 2>&1 3>&- || {
		cat "$BUNDLE/run.log"
		return 1
	}
	INIT_PID=$(cleat state "$ID" | jq -r .pid)
}

@test "exec: runs in every namespace of the container (user and time included)" {
	update_config '.linux.namespaces += [{"type": "cgroup"}, {"type": "time"}]'
	start_container
	run -0 cleat exec "$ID" sh -c 'for n in pid net ipc uts mnt cgroup time user; do echo "$n $(readlink /proc/self/ns/$n)"; done'
	local n
	for n in pid net ipc uts mnt cgroup time user; do
		assert_line "$n $(readlink "/proc/$INIT_PID/ns/$n")"
	done
}

@test "exec: the process is in the container's cgroup and sees its pid 1" {
	start_container
	run -0 cleat exec "$ID" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo $$'
	assert_line "sleep 1000 "
	refute_line 1
	run -0 cleat exec "$ID" cat /proc/self/cgroup
	local mine=$output
	run -0 cat "/proc/$INIT_PID/cgroup"
	assert_equal "$mine" "$output"
}

@test "exec: exit status of a foreground exec is the process's" {
	start_container
	run -7 cleat exec "$ID" sh -c 'exit 7'
	run -0 cleat exec "$ID" true
}

@test "exec: --env, --cwd, --user, --additional-gids" {
	start_container
	run -0 cleat exec --env A=1 -e B=2 --cwd /tmp --user 1000:1001 -g 5 -g 7 "$ID" \
		sh -c 'echo "$A $B $(pwd)"; grep -E "^(Uid|Gid|Groups):" /proc/self/status'
	assert_line "1 2 /tmp"
	assert_line --regexp '^Uid:\s+1000\s+1000\s+1000\s+1000$'
	assert_line --regexp '^Gid:\s+1001\s+1001\s+1001\s+1001$'
	assert_line --regexp '^Groups:\s+5 7\s*$'
}

@test "exec: --process process.json" {
	start_container
	cat >"$BUNDLE/process.json" <<-'JSON'
		{"terminal": false, "user": {"uid": 1000, "gid": 1000}, "args": ["sh", "-c", "echo $X; id -u; pwd"],
		 "env": ["PATH=/bin", "X=from-process-json"], "cwd": "/etc", "noNewPrivileges": true}
	JSON
	run -0 cleat exec --process "$BUNDLE/process.json" "$ID"
	assert_output "from-process-json
1000
/etc"
}

@test "exec: rlimits and no_new_privs come from the container's process" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654}] | .process.noNewPrivileges = true'
	start_container
	run -0 cleat exec "$ID" sh -c 'ulimit -n; grep NoNewPrivs /proc/self/status'
	assert_line 321
	assert_line --regexp 'NoNewPrivs:\s+1'
	run -0 cleat exec --no-new-privs "$ID" grep NoNewPrivs /proc/self/status
}

@test "exec: --cap adds a capability; others stay out of the bounding set" {
	update_config '.process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
	start_container
	run -0 cleat exec "$ID" grep CapBnd /proc/self/status
	assert_output --regexp 'CapBnd:\s+0000000000000020'
	run -0 cleat exec --cap CAP_CHOWN "$ID" grep CapBnd /proc/self/status
	assert_output --regexp 'CapBnd:\s+0000000000000021'
}

@test "exec: -d with --pid-file leaves the process running and writes its host pid" {
	start_container
	run -0 detached cleat exec -d --pid-file "$BUNDLE/exec.pid" "$ID" sleep 1000
	local pid
	pid=$(cat "$BUNDLE/exec.pid")
	run -0 tr '\0' ' ' <"/proc/$pid/cmdline"
	assert_output "sleep 1000 "
	assert_equal "$(readlink "/proc/$pid/ns/pid")" "$(readlink "/proc/$INIT_PID/ns/pid")"
}

@test "exec: -t with --console-socket sends the master; -t -d without a socket is refused" {
	start_container
	run -255 detached cleat exec -t -d "$ID" true
	assert_output --partial "cannot allocate tty if runc will detach without setting console socket"
	python3 - "$BUNDLE/c.sock" "$BUNDLE/c.out" <<'PY' 3>&- &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 4096, 8)
data = b""
while True:
    try:
        d = os.read(fds[0], 4096)
    except OSError:
        break
    if not d:
        break
    data += d
open(sys.argv[2], "w").write("%s %d\n%s" % (msg.decode(), len(fds), data.decode().replace("\r", "")))
PY
	local rpid=$! i
	for ((i = 0; i < 100; i++)); do [ -e "$BUNDLE/c.sock.ready" ] && break; sleep 0.1; done
	run -0 detached cleat exec -t -d --console-socket "$BUNDLE/c.sock" "$ID" tty
	wait "$rpid"
	run -0 cat "$BUNDLE/c.out"
	assert_line "/dev/ptmx 1"
	assert_line --regexp '^/dev/pts/[0-9]+$'
}

@test "exec: -t in the foreground proxies the pty" {
	start_container
	run -0 in_pty "$CLEAT --root $ROOT exec -t $ID tty"
	assert_output --regexp '/dev/pts/[0-9]+'
}

@test "exec: a stopped container is refused with runc's message" {
	start_container
	cleat kill "$ID" KILL
	wait_for_container "$ID" stopped
	run -255 cleat exec "$ID" true
	assert_output "cleat: exec failed: cannot exec in a stopped container"
	run -255 cleat exec nosuch true
	assert_output "cleat: exec failed: container does not exist"
}

@test "exec: no args and no --process is refused" {
	start_container
	run -255 cleat exec "$ID"
	assert_output "cleat: exec failed: process args cannot be empty"
}

@test "exec: a missing executable gets runc's message and leaves nothing behind" {
	start_container
	run -255 cleat exec "$ID" /no/such
	assert_output --partial '/no/such'
	# No half-set-up exec process (still running the runtime's code) is left behind.
	run -0 cleat exec "$ID" sh -c 'for p in /proc/[0-9]*; do tr "\0" " " <$p/cmdline; echo; done'
	assert_line "sleep 1000 "
	refute_line --partial "exec $ID"
	refute_line --partial "/no/such"
}

@test "exec: runtime failures exit 255 with \"exec failed: \", like runc; usage errors 1" {
	start_container
	runc_ run -d --bundle "$BUNDLE" "$ID-runc" </dev/null >/dev/null 2>&1 3>&-
	run -255 runc_ exec --pid-file /non-existent/dir/x "$ID-runc" true
	assert_output --partial "exec failed: open /non-existent/dir/"
	run -255 cleat exec --pid-file /non-existent/dir/x "$ID" sleep 1001
	assert_output --regexp '^cleat: exec failed: open "/non-existent/dir/.*No such file or directory$'
	# The process that got no pid file is killed, as runc does.
	run -0 cleat exec "$ID" sh -c 'for p in /proc/[0-9]*; do tr "\0" " " <$p/cmdline; echo; done'
	assert_line "sleep 1000 "
	refute_line --partial "sleep 1001"
	run -255 runc_ exec --user foo "$ID-runc" true
	run -255 cleat exec --user foo "$ID" true
	assert_output "cleat: exec failed: parsing foo as int for uid failed"
	# The process's own 255 and usage errors are told apart.
	run -255 cleat exec "$ID" sh -c 'exit 255'
	assert_output ""
	run -1 runc_ exec --bogus "$ID-runc" true
	run -1 cleat exec --bogus "$ID" true
	run -1 cleat exec
	assert_output --partial "requires a minimum of 1 argument"
	runc_ delete --force "$ID-runc"
}

@test "exec: no fd of the runtime reaches the exec'd process" {
	start_container
	run -0 cleat exec "$ID" ls /proc/self/fd 7</dev/null
	assert_equal "$(echo "$output" | sort -n | tr '\n' ' ')" "0 1 2 3 "
	run -0 cleat exec --preserve-fds 1 "$ID" ls /proc/self/fd 3</dev/null
	assert_equal "$(echo "$output" | sort -n | tr '\n' ' ')" "0 1 2 3 4 "
}

@test "exec: --env overrides a variable of the container's process (last one wins)" {
	update_config '.process.env += ["FOO=from-config"]'
	start_container
	run -0 cleat exec -e FOO=from-flag "$ID" sh -c 'echo $FOO; env | grep -c ^FOO='
	assert_output "from-flag
1"
}

# sesring: the description of this process's session keyring (a static helper: busybox has
# no keyctl).
build_sesring() {
	[ -x "$BATS_FILE_TMPDIR/sesring" ] && return 0
	cat >"$BATS_FILE_TMPDIR/sesring.c" <<-'C'
		#include <stdio.h>
		#include <unistd.h>
		#include <sys/syscall.h>
		int main(void)
		{
			char d[256];
			long k = syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3 /* session */, 0);
			long n = syscall(SYS_keyctl, 6 /* DESCRIBE */, k, d, sizeof d - 1);
			if (k < 0 || n < 0) { perror("keyctl"); return 1; }
			d[n] = 0;
			puts(d);
			return 0;
		}
	C
	cc -static -O2 -o "$BATS_FILE_TMPDIR/sesring" "$BATS_FILE_TMPDIR/sesring.c"
}

@test "exec: joins the container's session keyring, like runc (not the caller's)" {
	build_sesring
	cp "$BATS_FILE_TMPDIR/sesring" "$BUNDLE/rootfs/bin/sesring"
	start_container
	# type;uid;gid;perm;description: the init's keyring, made searchable by its owner.
	run -0 cleat exec "$ID" /bin/sesring
	assert_output --regexp "^keyring;0;0;3f1b0000;_ses\.$ID\$"
	local rid
	rid=$(container_id runc)
	runc_ run -d "$rid" </dev/null >/dev/null 2>&1 3>&-
	run -0 runc_ exec "$rid" /bin/sesring
	assert_output --regexp "^keyring;0;0;3f1b0000;_ses\.$rid\$"
	runc_ delete -f "$rid"
}

@test "exec: with create --no-new-keyring, exec keeps the caller's session keyring too" {
	build_sesring
	cp "$BATS_FILE_TMPDIR/sesring" "$BUNDLE/rootfs/bin/sesring"
	cleat run -d --no-new-keyring "$ID" </dev/null >/dev/null 2>&1 3>&-
	run -0 cleat exec "$ID" /bin/sesring
	refute_output --partial "_ses.$ID"
}

# Forked straight into the container's pid namespace (linux/exec.h): without a time
# namespace to join, and where cleat may set the pid namespace for its children (not
# rootless, userns-rootless.bats has that one).
NS_LIST="pid net ipc uts mnt cgroup user"
NS_SCRIPT='for n in pid net ipc uts mnt cgroup user; do echo "$n $(readlink /proc/self/ns/$n)"; done
echo "ppid $PPID"; [ "$(cat /proc/self/cgroup)" = "$(cat /proc/1/cgroup)" ] && echo "cgroup of pid 1"'

# same_as_init: the exec'd process printed NS_SCRIPT's output: the init's namespaces and
# cgroup, and a parent outside the container (cleat exec).
same_as_init() {
	local n
	for n in $NS_LIST; do
		assert_line "$n $(readlink "/proc/$INIT_PID/ns/$n")"
	done
	assert_line "ppid 0"
	assert_line "cgroup of pid 1"
}

@test "exec: direct: in the container's namespaces (a cgroup one included) and cgroup, parent outside" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	start_container
	run -0 cleat exec "$ID" sh -c "$NS_SCRIPT"
	same_as_init
	# The pid namespace for cleat's later children is its own again: a second exec works the
	# same way.
	run -0 cleat exec "$ID" sh -c "$NS_SCRIPT"
	same_as_init
}

@test "exec: direct: with a user namespace, joined first, root inside is the mapped id" {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	chown -R 100000:100000 "$BUNDLE/rootfs"
	start_container
	run -0 cleat exec "$ID" sh -c "$NS_SCRIPT; id -u"
	same_as_init
	assert_line 0
	# Outside, the process runs as the mapped uid.
	run -0 cleat exec -d --pid-file "$BUNDLE/p" "$ID" sleep 100
	run -0 awk '/^Uid:/ { print $2 }' "/proc/$(cat "$BUNDLE/p")/status"
	assert_output 100000
}

@test "exec: direct: at the container's pids limit, exec does what runc 1.5's does" {
	# cgroup2: the process is cloned into the cgroup (the limit refuses it); v1: it moves
	# in by writing, which no pids limit checks (runc 1.5 alike).
	[ -d /sys/fs/cgroup/pids ] || [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] ||
		skip "no pids controller mounted here"
	use_runc15
	[ -z "$RUNC_REF_SKIP" ] || skip "$RUNC_REF_SKIP"
	update_config '.linux.resources.pids = {"limit": 1}'
	start_container
	RUNC_ID=$(container_id runc)
	runc_ run -d "$RUNC_ID" </dev/null >/dev/null 2>&1 3>&- || fail "$(runc_label) cannot run the container"
	run runc_ exec "$RUNC_ID" sh -c 'echo ran'
	local runc_status=$status
	run cleat exec "$ID" sh -c 'echo ran'
	[ "$status" -eq 0 ] && [ "$runc_status" -eq 0 ] && return 0
	[ "$status" -ne 0 ] && [ "$runc_status" -ne 0 ] ||
		fail "cleat exec exited $status, $(runc_label)'s $runc_status"
	assert_output --partial "Resource temporarily unavailable"
}
