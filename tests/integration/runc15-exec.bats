#!/usr/bin/env bats
# A user process whose execve fails (here: a script whose interpreter does not exist) is
# reported in runc's words, "exec /run.sh: no such file or directory", on the process's
# stderr, for `run` and for `exec` (with and without a terminal); compared with runc
# 1.5.3 (the pinned peer, peers/build-peers.sh).

load helpers
load peers/peers

bats_require_minimum_version 1.5.0

setup_file() {
	peers_setup_file
}

setup() {
	runc15_setup
	printf '#!/mmnnttbb foo bar\nsh\n' >"$BUNDLE/rootfs/run.sh"
	chmod +x "$BUNDLE/rootfs/run.sh"
}

teardown() {
	teardown_bundle
}

@test "runc15-exec: run: a failing execve is one line on stderr, in runc 1.5.3's words" {
	update_config '.process.args = ["/run.sh"]'
	run --separate-stderr runc_ run "$(container_id runc)"
	assert [ "$status" -ne 0 ]
	# (runc warns first when this machine refuses it ambient capabilities.)
	assert [ "$(grep -v 'level=warning' <<<"$stderr")" = "exec /run.sh: no such file or directory" ]
	run --separate-stderr cleat run "$(container_id)"
	assert [ "$status" -ne 0 ]
	assert [ "$stderr" = "exec /run.sh: no such file or directory" ]
}

@test "runc15-exec: exec: a failing execve is reported (it was lost with the sync socket)" {
	update_config '.process.args = ["sleep", "1000"]'
	local id
	id=$(container_id)
	run -0 detached cleat run -d "$id"
	run --separate-stderr cleat exec "$id" /run.sh
	assert [ "$status" -ne 0 ]
	assert [ "$stderr" = "exec /run.sh: no such file or directory" ]
	# A kept fd that got the sync socket's number is not written to.
	run --separate-stderr cleat exec --preserve-fds 5 "$id" /run.sh 3>&- 4>&- 5>&- 6>&- 7>&-
	assert [ "$status" -ne 0 ]
	assert [ "$stderr" = "exec /run.sh: no such file or directory" ]
	# A permission error keeps Go's lower-case wording too.
	printf '#!/bin/sh\n' >"$BUNDLE/rootfs/noexec.sh"
	chmod 644 "$BUNDLE/rootfs/noexec.sh"
	run --separate-stderr cleat exec --user 1000:1000 "$id" /noexec.sh
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "permission denied"
}

@test "runc15-exec: exec -t: the error reaches the terminal, once, as with runc 1.5.3" {
	skip_unless_cmd script
	update_config '.process.args = ["sleep", "1000"]'
	local id rid
	id=$(container_id)
	rid=$(container_id runc)
	run -0 detached cleat run -d "$id"
	run -0 detached runc_ run -d "$rid"
	run in_pty "'$RUNC' --root '$RUNC_ROOT' exec -t '$rid' /run.sh 2>/dev/null"
	assert [ "$status" -ne 0 ]
	assert_output --partial "exec /run.sh: no such file or directory"
	run in_pty "'$CLEAT' --root '$ROOT' exec -t '$id' /run.sh"
	assert [ "$status" -ne 0 ]
	# Once, and nothing else from cleat (script(1) may echo a ^@ of its own at stdin's end).
	assert [ "$(grep -c 'exec /run.sh: no such file or directory' <<<"$output")" -eq 1 ]
	refute_output --partial 'cleat'
}
