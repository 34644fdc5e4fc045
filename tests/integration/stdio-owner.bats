#!/usr/bin/env bats
# stdio handed to a non-root container process belongs to its uid (runc's
# fixStdioPermissions), so it can reopen /dev/stdout, /dev/stderr or its tty; the group
# stays, and /dev/null is never touched.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle
	update_config '.root.readonly = false | .process.user = {uid: 1000, gid: 1000}'
}

teardown() {
	teardown_bundle
}

@test "stdio-owner: a non-root init can write to /dev/stdout and /dev/stderr (pipes)" {
	update_config '.process.args = ["sh", "-c",
		"stat -L -c %u:%g /proc/self/fd/1; echo hi > /dev/stdout; echo err > /dev/stderr"]'
	# stdin, stdout and stderr are pipes, as a shim hands them.
	run -0 sh -c "echo | timeout 30 '$CLEAT' --root '$ROOT' run '$(container_id)' 2>&1 | cat"
	assert_output "$(printf '1000:0\nhi\nerr')"
	# runc does the same.  Its foreground run copies stdout and stderr through pipes of
	# its own, one goroutine each, so "hi" and "err" may arrive in either order.
	run -0 sh -c "echo | timeout 30 '$RUNC' --root '$RUNC_ROOT' run '$(container_id runc)' 2>&1 | cat"
	assert [ "${#lines[@]}" -eq 3 ]
	assert_line --index 0 1000:0
	assert_line hi
	assert_line err
}

@test "stdio-owner: /dev/null stdio is left alone" {
	local before after
	before=$(stat -c %u:%g /dev/null)
	update_config '.process.args = ["sh", "-c", "stat -L -c %u /proc/self/fd/0"]'
	run -0 sh -c "timeout 30 '$CLEAT' --root '$ROOT' run '$(container_id)' </dev/null 2>&1 | cat"
	assert_output 0
	after=$(stat -c %u:%g /dev/null)
	assert [ "$before" = "$after" ]
}

@test "stdio-owner: cleat exec as a non-root user gets its stdio" {
	update_config '.process.user = {uid: 0, gid: 0} | .process.args = ["sleep", "1000"]'
	local id
	id=$(container_id)
	run -0 detached cleat run -d "$id"
	run -0 sh -c "echo | timeout 30 '$CLEAT' --root '$ROOT' exec --user 1000:1000 '$id' sh -c 'echo hi > /dev/stdout; echo err > /dev/stderr; stat -L -c %u /proc/self/fd/2' 2>&1 | cat"
	assert_output "$(printf 'hi\nerr\n1000')"
}

@test "stdio-owner: exec -t: the tty belongs to the user, group tty (runc's tty owner test)" {
	skip_unless_cmd script
	update_config '.process.user = {uid: 1000, gid: 100} | .process.args = ["sleep", "1000"]'
	local id
	id=$(container_id)
	run -0 detached cleat run -d "$id"
	run -0 in_pty "timeout --kill-after=5 30 '$CLEAT' --root '$ROOT' exec -t '$id' sh -c 'stat -c %u:%g \$(tty)'"
	assert_output --partial "1000:5"
}

@test "stdio-owner: a root without /dev/null (no mount namespace) still starts; host /dev/null untouched" {
	local before
	before=$(stat -c %u:%g /dev/null)
	update_config '.linux.namespaces |= map(select(.type != "mount")) | .mounts = []
		| del(.linux.maskedPaths, .linux.readonlyPaths)
		| .process.args = ["sh", "-c", "echo hi; id -u"]'
	rm -rf "$BUNDLE/rootfs/dev"
	run -0 sh -c "timeout 30 '$CLEAT' --root '$ROOT' run '$(container_id)' </dev/null 2>&1 | cat"
	assert_output "$(printf 'hi\n1000')"
	assert [ "$(stat -c %u:%g /dev/null)" = "$before" ]
}
