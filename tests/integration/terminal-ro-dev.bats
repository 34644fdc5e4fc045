#!/usr/bin/env bats
# A read-only /dev tmpfs with a terminal (runc's mounts.bats "runc run [ro /dev mount]",
# runc issue #3248): /dev/console must be created before /dev turns read-only.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_binary "$CLEAT"
	skip_unless_cmd script
	setup_bundle
	update_config '.root.readonly = false | .process.terminal = true
		| .mounts |= map((select(.destination == "/dev") | .options += ["ro"]) // .)
		| .process.args = ["sh", "-c", "grep \"^tmpfs /dev \" /proc/mounts; stat -c %t:%T /dev/console; tty"]'
}

teardown() {
	teardown_bundle
}

@test "terminal-ro-dev: ro /dev tmpfs + terminal runs; /dev stays read-only, console is the pty" {
	run -0 in_pty "timeout --kill-after=5 30 '$CLEAT' --root '$ROOT' run '$(container_id)'"
	assert_output --regexp 'tmpfs /dev tmpfs ro,'
	# A pty slave: major 136 (0x88), and the process's tty is /dev/pts/N or /dev/console.
	assert_output --partial "88:"
	refute_output --partial "Read-only file system"
}

@test "terminal-ro-dev: same as runc" {
	# runc is the reference here, not the subject: once (CI, 2026-11-28) runc 1.1.5 never
	# returned from this run; a runc hang skips with that reason instead of failing cleat's run.
	run in_pty "timeout --kill-after=5 30 '$RUNC' --root '$RUNC_ROOT' run '$(container_id runc)'"
	[ "$status" -ne 124 ] && [ "$status" -ne 137 ] || skip "runc itself hung (exit $status): $output"
	assert [ "$status" -eq 0 ]
	assert_output --regexp 'tmpfs /dev tmpfs ro,'
}
