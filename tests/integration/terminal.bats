#!/usr/bin/env bats
# process.terminal: the pty master over --console-socket with SCM_RIGHTS (runc's protocol,
# what containerd-shim-runc-v2 expects), consoleSize, /dev/console, and `run` proxying the
# pty to its own stdio when no console socket is given.

load helpers

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle
	ID=$(container_id tty)
	update_config '.process.terminal = true'
}

teardown() {
	[ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
	teardown_bundle
}

# start_receiver SOCKET OUT: a console-socket server that takes one connection, receives
# the fd, writes "name=<payload> fds=<n>" and then everything read from the master to OUT.
start_receiver() {
	python3 - "$1" "$2" <<'PY' 3>&- &
import os, socket, sys, time
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
open(path + ".ready", "w").close()
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 4096, 8)
with open(out, "w") as f:
    f.write("name=%s fds=%d\n" % (msg.decode(), len(fds)))
    f.flush()
    end = time.time() + 10
    while fds and time.time() < end:
        try:
            d = os.read(fds[0], 4096)
        except OSError:
            break
        if not d:
            break
        f.write(d.decode(errors="replace").replace("\r", ""))
        f.flush()
PY
	RECV_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		[ -e "$1.ready" ] && return 0
		sleep 0.1
	done
	fail "console receiver did not start"
}

@test "terminal: the pty master arrives over --console-socket like runc's (payload /dev/ptmx, one fd)" {
	update_config '.process.args = ["sh", "-c", "tty; echo done"]'
	start_receiver "$BUNDLE/console.sock" "$BUNDLE/console.out"
	run -0 detached cleat create --console-socket "$BUNDLE/console.sock" "$ID"
	cleat start "$ID"
	wait "$RECV_PID" || true
	run -0 cat "$BUNDLE/console.out"
	assert_line "name=/dev/ptmx fds=1"
	assert_line /dev/pts/0
	assert_line done
}

@test "terminal: consoleSize sets the window size; stdio and /dev/console are the pty" {
	update_config '.process.consoleSize = {"height": 33, "width": 101}
		| .process.args = ["sh", "-c", "stty size; readlink /proc/self/fd/0; readlink /proc/self/fd/2; stat -c %t:%T /dev/console /dev/pts/0"]'
	start_receiver "$BUNDLE/console.sock" "$BUNDLE/console.out"
	run -0 detached cleat create --console-socket "$BUNDLE/console.sock" "$ID"
	cleat start "$ID"
	wait "$RECV_PID" || true
	run -0 cat "$BUNDLE/console.out"
	assert_line "33 101"
	assert_line /dev/pts/0
	# /dev/console is the same character device as the pty slave.
	assert_line "88:0"
	assert [ "$(grep -c '^88:0$' "$BUNDLE/console.out")" -eq 2 ]
}

@test "terminal: the process has the pty as its controlling terminal" {
	update_config '.process.args = ["sh", "-c", "cat /proc/self/stat | cut -d\" \" -f7; stat -c %t:%T /dev/pts/0"]'
	start_receiver "$BUNDLE/console.sock" "$BUNDLE/console.out"
	run -0 detached cleat create --console-socket "$BUNDLE/console.sock" "$ID"
	cleat start "$ID"
	wait "$RECV_PID" || true
	run -0 cat "$BUNDLE/console.out"
	# tty_nr of /dev/pts/0 is major 136 minor 0 = 34816.
	assert_line 34816
}

@test "terminal: without --console-socket, create (which detaches) is refused like runc" {
	run -1 detached cleat create "$ID"
	assert_output --partial "cannot allocate tty if runc will detach without setting console socket"
	run -1 detached cleat run -d "$ID"
	assert_output --partial "cannot allocate tty"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "terminal: a console socket without terminal, or with run in the foreground, is refused" {
	run -1 detached cleat run --console-socket "$BUNDLE/nosock" "$ID"
	assert_output --partial "cannot use console socket if runc will not detach or allocate tty"
	update_config '.process.terminal = false'
	run -1 detached cleat create --console-socket "$BUNDLE/nosock" "$ID"
	assert_output --partial "cannot use console socket"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "terminal: a console socket that is not listening is named in the error" {
	run -1 detached cleat create --console-socket "$BUNDLE/nosock" "$ID"
	assert_output --partial "\"$BUNDLE/nosock\""
	assert [ ! -e "$ROOT/$ID" ]
}

@test "terminal: run in the foreground proxies the pty to its stdio and returns the status" {
	update_config '.process.consoleSize = {"height": 20, "width": 70} | .process.args = ["sh"]'
	run -3 bash -c '(sleep 1; echo "echo from-stdin; stty size; exit 3") | timeout --kill-after=5 60 script -qec "$0 --root $1 run $2" /dev/null' \
		"$CLEAT" "$ROOT" "$ID"
	assert_output --partial from-stdin
	assert_output --partial "20 70"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "terminal: run in the foreground clears ONLCR on the pty as runc does" {
	update_config '.process.args = ["sh", "-c", "stty -a"]'
	run -0 in_pty "$CLEAT --root $ROOT run $ID"
	# ONLCR on the container's pty would turn the process's "\n" into "\r\n" on the
	# master; how our own terminal (script's pty) then shows it depends on timing.
	assert_output --partial -- '-onlcr'
	assert [ ! -e "$ROOT/$ID" ]
	run -0 in_pty "$RUNC --root $RUNC_ROOT run $ID"
	assert_output --partial -- '-onlcr'
}

@test "terminal: exec -t in the foreground clears ONLCR too" {
	update_config '.process.terminal = false | .process.args = ["sleep", "100"]'
	run -0 detached cleat run -d "$ID"
	run -0 in_pty "$CLEAT --root $ROOT exec -t $ID stty -a"
	assert_output --partial -- '-onlcr'
}
