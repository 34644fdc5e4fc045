# shellcheck shell=bash
# Helpers shared by the seccomp suites (seccomp, seccomp-conformance).
# Loaded after helpers: `load helpers; load seccomp-helpers`.

# build_listener: the suites' seccomp agent (also built by `make check`); it runs on the host.
build_listener() {
	cc -O2 -Wall -Wextra -o "$BATS_FILE_TMPDIR/seccomp-listener" "$HELPERS_SRC/seccomp-listener.c"
}

# seccomp_setup: a bundle with a writable root (runc's default spec has a read-only one:
# mkdir would fail with EROFS regardless of the filter).
seccomp_setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle
	update_config '.root.readonly = false'
}

seccomp_teardown() {
	[ -n "${LISTENER_PID:-}" ] && stop_pid "$LISTENER_PID" 5
	teardown_bundle
}

# start_listener ERRNO: the agent on $BUNDLE/listener.sock; it answers mkdir/mkdirat with
# ERRNO (0: fakes success) and lets every other syscall continue.
start_listener() {
	LISTENER_SOCK=$BUNDLE/listener.sock
	LISTENER_LOG=$BUNDLE/listener.log
	"$BATS_FILE_TMPDIR/seccomp-listener" "$LISTENER_SOCK" "$LISTENER_LOG" "$1" \
		</dev/null >/dev/null 2>&1 3>&- &
	LISTENER_PID=$!
	retry 50 0.1 test -S "$LISTENER_SOCK"
}
