#!/usr/bin/env bats
# process: args, env, cwd, user (uid, gid, umask, additionalGids), rlimits,
# noNewPrivileges, oomScoreAdj, bounding set, --pid-file, --preserve-fds, LISTEN_FDS,
# and no other fd of the runtime reaching the container.

load helpers

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle
	ID=$(container_id proc)
}

teardown() {
	# The --pidfd-socket receiver, when a test failed before it got its message.
	[ -z "${RECV_PID:-}" ] || kill "$RECV_PID" 2>/dev/null || true
	teardown_bundle
}

@test "process: args and env reach the process; HOME is added like runc" {
	update_config '.process.env = ["PATH=/bin:/usr/bin", "FOO=bar baz"]
		| .process.args = ["sh", "-c", "echo \"$FOO|$HOME|$#|$0\"", "zero"]'
	run -0 cleat run "$ID"
	assert_output "bar baz|/root|0|zero"
	run -0 runc_ run "$ID"
	assert_output "bar baz|/root|0|zero"
	# An empty HOME is replaced too.
	update_config '.process.env += ["HOME="]'
	run -0 cleat run "$ID"
	assert_output "bar baz|/root|0|zero"
	run -0 runc_ run "$ID"
	assert_output "bar baz|/root|0|zero"
}

@test "process: an empty HOME counts as unset, in run and exec, like runc 1.5" {
	update_config '.process.env = ["PATH=/bin:/usr/bin", "HOME=/override", "HOME="]
		| .process.args = ["sh", "-c", "env | grep -c ^HOME=; echo \"[$HOME]\""]'
	run -0 cleat run "$ID"
	assert_output $'1\n[/root]'
	update_config '.process.env = ["PATH=/bin:/usr/bin", "HOME=/override"]'
	run -0 cleat run "$ID"
	assert_output $'1\n[/override]'
	update_config '.process.args = ["sleep", "1000"]'
	cleat run -d "$ID" </dev/null >/dev/null 2>&1 3>&-
	run -0 cleat exec --env HOME= "$ID" sh -c 'echo "[$HOME]"'
	assert_output "[/root]"
	cleat delete --force "$ID"
}

@test "process: executable not found in PATH gets runc's message" {
	update_config '.process.args = ["no-such-cmd"]'
	run -1 cleat run "$ID"
	assert_output --partial 'exec: "no-such-cmd": executable file not found in $PATH'
	assert [ ! -e "$ROOT/$ID" ]
}

@test "process: CAP_DAC_OVERRIDE runs a binary without the user's exec bit; no exec bit is refused" {
	# /opt/echo: busybox, executable by root only. uid 1000 holding CAP_DAC_OVERRIDE
	# may run it (execve allows it when any exec bit is set), as under runc.
	mkdir -p "$BUNDLE/rootfs/opt"
	cp "$BUNDLE/rootfs/bin/busybox" "$BUNDLE/rootfs/opt/echo"
	chown 0:0 "$BUNDLE/rootfs/opt/echo"
	chmod 0700 "$BUNDLE/rootfs/opt/echo"
	local c='["CAP_DAC_OVERRIDE"]'
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.env = ["PATH=/opt:/bin"]
		| .process.capabilities = {"bounding": '"$c"', "effective": '"$c"',
			"permitted": '"$c"', "inheritable": '"$c"', "ambient": '"$c"'}
		| .process.args = ["/opt/echo", "by", "path"]'
	run -0 cleat run "$ID"
	assert_output "by path"
	run -0 runc_ run "$ID"
	assert_output "by path"
	update_config '.process.args = ["echo", "via", "PATH"]'
	run -0 cleat run "$ID"
	assert_output "via PATH"
	# Without the capability the kernel refuses, and the error says so.
	update_config '.process.capabilities = {} | .process.args = ["/opt/echo", "x"]'
	run -1 cleat run "$ID"
	assert_output --partial 'exec: "/opt/echo": permission denied'
	# No exec bit at all: refused even with the capability.
	chmod 0600 "$BUNDLE/rootfs/opt/echo"
	update_config '.process.capabilities = {"bounding": '"$c"', "effective": '"$c"',
			"permitted": '"$c"', "inheritable": '"$c"', "ambient": '"$c"'}'
	run -1 cleat run "$ID"
	assert_output --partial 'exec: "/opt/echo": permission denied'
	assert [ ! -e "$ROOT/$ID" ]
}

@test "process: cwd is entered and created when missing" {
	update_config '.root.readonly = false | .process.cwd = "/new/dir" | .process.args = ["pwd"]'
	run -0 cleat run "$ID"
	assert_output /new/dir
	assert [ -d "$BUNDLE/rootfs/new/dir" ]
}

@test "process: user uid, gid, additionalGids as /proc/self/status shows them" {
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [5, 1002]}
		| .process.args = ["sh", "-c", "grep -E \"^(Uid|Gid|Groups):\" /proc/self/status"]'
	run -0 cleat run "$ID"
	local mine=$output
	assert_line --regexp '^Uid:\s+1000\s+1000\s+1000\s+1000$'
	assert_line --regexp '^Gid:\s+1001\s+1001\s+1001\s+1001$'
	assert_line --regexp '^Groups:\s+5 1002\s*$'
	run -0 runc_ run "$ID"
	assert_equal "$mine" "$output"
}

@test "process: umask from the config, 0022 by default" {
	update_config '.process.args = ["sh", "-c", "umask"]'
	run -0 cleat run "$ID"
	assert_output 0022
	update_config '.process.user.umask = 63'
	run -0 cleat run "$ID"
	assert_output 0077
}

@test "process: rlimits are applied (soft and hard)" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]
		| .process.args = ["sh", "-c", "ulimit -n; ulimit -Hn; ulimit -c"]'
	run -0 cleat run "$ID"
	assert_output "123
456
0"
}

@test "process: raising a hard rlimit above ours fails with the rlimit named" {
	local hard
	hard=$(ulimit -Hn)
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": ($h + 1000)}]' \
		--argjson h "$hard"
	# CAP_SYS_RESOURCE is withheld on this machine: EPERM, as for runc.
	if capsh --has-p=cap_sys_resource 2>/dev/null; then
		skip "this host grants CAP_SYS_RESOURCE"
	fi
	run -1 detached cleat create "$ID"
	assert_output --partial "RLIMIT_NOFILE"
	assert_output --partial "Operation not permitted"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "process: noNewPrivileges sets NoNewPrivs" {
	update_config '.process.noNewPrivileges = true | .process.args = ["grep", "NoNewPrivs", "/proc/self/status"]'
	run -0 cleat run "$ID"
	assert_output --regexp 'NoNewPrivs:\s+1'
	update_config '.process.noNewPrivileges = false'
	run -0 cleat run "$ID"
	assert_output --regexp 'NoNewPrivs:\s+0'
}

@test "process: oomScoreAdj is applied; a negative one fails without CAP_SYS_RESOURCE" {
	update_config '.process.oomScoreAdj = 345 | .process.args = ["cat", "/proc/self/oom_score_adj"]'
	run -0 cleat run "$ID"
	assert_output 345
	if capsh --has-p=cap_sys_resource 2>/dev/null; then
		skip "this host grants CAP_SYS_RESOURCE"
	fi
	update_config '.process.oomScoreAdj = -500'
	run -1 detached cleat create "$ID"
	assert_output --partial "oomScoreAdj"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "process: capabilities outside the bounding set are dropped" {
	update_config '.process.capabilities = {"bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}
		| .process.args = ["grep", "CapBnd", "/proc/self/status"]'
	run -0 cleat run "$ID"
	# CAP_CHOWN (0) and CAP_KILL (5).
	assert_output --regexp 'CapBnd:\s+0000000000000021'
}

@test "process: --pid-file holds the init's host pid, written atomically" {
	update_config '.process.args = ["sleep", "1000"]'
	run -0 detached cleat create --pid-file "$BUNDLE/init.pid" "$ID"
	local pid
	pid=$(cat "$BUNDLE/init.pid")
	assert_equal "$pid" "$(cleat state "$ID" | jq -r .pid)"
	assert [ -z "$(ls "$BUNDLE" | grep -v -e '^init.pid$' -e '^rootfs$' -e '^config.json$' -e state -e '\.log$')" ]
	cleat delete -f "$ID"
}

@test "process: only fds 0-2 reach the process" {
	update_config '.process.args = ["ls", "/proc/self/fd"]'
	run -0 cleat run "$ID" 7</dev/null 8>/dev/null
	# ls itself opens one fd for the directory listing.
	assert_equal "$(echo "$output" | sort -n | tr '\n' ' ')" "0 1 2 3 "
}

@test "process: --preserve-fds passes fds 3..3+N-1 through" {
	echo preserved-data >"$BUNDLE/data"
	update_config '.process.args = ["sh", "-c", "cat <&3; ls /proc/self/fd | sort -n | tr \"\\n\" \" \""]'
	run -0 cleat run --preserve-fds 1 "$ID" 3<"$BUNDLE/data" 4</dev/null
	assert_line preserved-data
	assert_line --regexp '^0 1 2 3 [0-9]+ $'
	refute_line --partial ' 4 5 '
}

@test "process: LISTEN_FDS for socket activation passes the fds with LISTEN_PID=1" {
	update_config '.process.args = ["sh", "-c", "echo $LISTEN_FDS $LISTEN_PID; cat <&3"]'
	echo socket-data >"$BUNDLE/data"
	run -0 bash -c 'export LISTEN_FDS=1 LISTEN_PID=$$; exec "$0" --root "$1" run "$2" 3<"$3"' \
		"$CLEAT" "$ROOT" "$ID" "$BUNDLE/data"
	assert_output "1 1
socket-data"
}

@test "process: LISTEN_FDS meant for another process is ignored" {
	update_config '.process.args = ["sh", "-c", "echo \"[$LISTEN_FDS]\"; ls /proc/self/fd | sort -n | tr \"\\n\" \" \""]'
	run -0 env LISTEN_FDS=1 LISTEN_PID=1 "$CLEAT" --root "$ROOT" run "$ID" 3</dev/null
	assert_line "[]"
	assert_line --regexp '^0 1 2 [0-9]+ $'
}

@test "process: a session keyring _ses.<id> is joined unless --no-new-keyring" {
	update_config '.process.args = ["sleep", "1000"]'
	cleat run -d "$ID" </dev/null >/dev/null 2>&1 3>&-
	run -0 grep -c " _ses.$ID: " /proc/keys
	cleat delete -f "$ID"
	local id2=$ID-nk
	cleat run -d --no-new-keyring "$id2" </dev/null >/dev/null 2>&1 3>&-
	run -1 grep " _ses.$id2: " /proc/keys
	cleat delete -f "$id2"
}

@test "process: --pidfd-socket hands the caller a pidfd of the init (create) and of an exec'd process" {
	[ -e /proc/self/fdinfo ] && python3 -c 'import os; os.pidfd_open' 2>/dev/null ||
		skip "no pidfd_open"
	update_config '.process.args = ["sleep", "1000"]'
	pidfd_receiver "$BUNDLE/pidfd.sock" "$BUNDLE/init.out"
	run -0 detached cleat create --pidfd-socket "$BUNDLE/pidfd.sock" "$ID"
	wait "$RECV_PID"
	run -0 cat "$BUNDLE/init.out"
	assert_output "name=standard fds=1 pid=$(cleat state "$ID" | jq -r .pid)"
	cleat start "$ID"
	pidfd_receiver "$BUNDLE/pidfd.sock" "$BUNDLE/exec.out"
	run -0 detached cleat exec -d --pid-file "$BUNDLE/exec.pid" --pidfd-socket "$BUNDLE/pidfd.sock" "$ID" sleep 1000
	wait "$RECV_PID"
	run -0 cat "$BUNDLE/exec.out"
	assert_output "name=setns fds=1 pid=$(cat "$BUNDLE/exec.pid")"
	# A socket nobody listens on fails the create and leaves nothing behind.
	run -1 detached cleat create --pidfd-socket "$BUNDLE/none.sock" "$ID-2"
	assert_output --partial "pidfd socket"
	assert [ ! -e "$ROOT/$ID-2" ]
}
