#!/usr/bin/env bats
# stdio on the host's /dev/null (dockerd and containerd start a container without stdin
# that way): once in the new root the init holds the container's /dev/null instead, as
# runc does, so nothing of a mount outside the container stays open (criu cannot dump
# such a file: "Can't lookup mount").  Compared with runc 1.5.3 (the pinned peer).

load helpers
load peers/peers

bats_require_minimum_version 1.5.0

setup_file() {
	peers_setup_file
}

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle
	# For fd 0 and 2: "pipe", else "own" when the file's mount is one of the container's,
	# else "host".
	update_config '.process.args = ["sh", "-c", "for fd in 0 2; do case $(readlink /proc/self/fd/$fd) in pipe:*) echo $fd pipe; continue ;; esac; m=$(sed -n \"s/^mnt_id:[[:space:]]*//p\" /proc/self/fdinfo/$fd); if awk -v m=\"$m\" \"\\$1 == m { f = 1 } END { exit !f }\" /proc/self/mountinfo; then echo $fd own; else echo $fd host; fi; done"]'
}

teardown() {
	teardown_bundle
}

# RUNTIME [GLOBAL-ARGS...] ID: `run -d` with stdin and stderr on the host's /dev/null
# (detached, both runtimes give the init their own stdio); the container's output once it
# has exited, then it is deleted.
null_run() {
	local id=${*: -1}
	run -0 sh -c '"$@" </dev/null 2>/dev/null' _ "${@:1:$#-1}" run -d ${NO_PIVOT:+--no-pivot} "$id"
	local out=$output
	"${@:1:$#-1}" delete -f "$id" >/dev/null 2>&1 || true
	output=$out
	lines=()
	mapfile -t lines <<<"$out"
}

@test "devnull-stdio: stdin and stderr on the host's /dev/null become the container's" {
	null_run "$CLEAT" --root "$ROOT" "$(container_id)"
	assert_line "0 own"
	assert_line "2 own"
	peers_require
	null_run "$PEERS_BIN/runc" --root "$RUNC_ROOT" "$(container_id runc)"
	assert_line "0 own"
	assert_line "2 own"
}

@test "devnull-stdio: the same with --no-pivot" {
	NO_PIVOT=1 null_run "$CLEAT" --root "$ROOT" "$(container_id)"
	assert_line "0 own"
	assert_line "2 own"
}

@test "devnull-stdio: with /dev bind-mounted from the host, stdio is left as it is (runc)" {
	update_config '.mounts |= map(select(.destination != "/dev" and (.destination | startswith("/dev/") | not)))
		| .mounts += [{destination: "/dev", type: "bind", source: "/dev", options: ["rbind"]}]'
	null_run "$CLEAT" --root "$ROOT" "$(container_id)"
	assert_line "0 host"
	peers_require
	local got=$output
	null_run "$PEERS_BIN/runc" --root "$RUNC_ROOT" "$(container_id runc)"
	assert_equal "$output" "$got"
}
