#!/usr/bin/env bats
# Gaps found by running runc's own integration suite against cleat (seccomp-notify.bats,
# seccomp.bats): SCMP_ACT_NOTIFY on syscalls the runtime's own setup makes, and runc's
# error wording. Every run is under `timeout`, so a deadlock fails instead of hanging.

load helpers
load seccomp-helpers

bats_require_minimum_version 1.5.0

setup_file() {
	build_listener
}

setup() {
	seccomp_setup
}

teardown() {
	seccomp_teardown
}

# notify_common NNP: NOTIFY on syscalls that the init itself makes between loading the
# filter and exec'ing the process (runc's "SCMP_ACT_NOTIFY important syscalls" cases).
notify_common() {
	update_config '.process.noNewPrivileges = $nnp
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $sock,
			listenerMetadata: "bar",
			architectures: ["SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_X86_64"],
			syscalls: [{names: ["execve", "openat", "open", "read", "close"],
				action: "SCMP_ACT_NOTIFY"}]}' \
		--arg sock "$LISTENER_SOCK" --argjson nnp "$1"
}

@test "seccomp-conformance: NOTIFY on execve/openat/read/close, noNewPrivileges false, does not deadlock" {
	start_listener 13
	notify_common false
	update_config '.process.args = ["sh", "-c", "cat /proc/self/status >/dev/null && echo ok"]'
	run -0 timeout -k 5 30 "$CLEAT" --root "$ROOT" run "$(container_id)"
	assert_output ok
	run -0 grep -c '^fd received$' "$LISTENER_LOG"
	assert_output 1
	run -0 grep -c '^notify ' "$LISTENER_LOG"
	assert [ "$output" -ge 3 ]
}

@test "seccomp-conformance: NOTIFY on execve/openat/read/close, noNewPrivileges true" {
	start_listener 13
	notify_common true
	update_config '.process.args = ["sh", "-c", "cat /proc/self/status >/dev/null && echo ok"]'
	run -0 timeout -k 5 30 "$CLEAT" --root "$ROOT" run "$(container_id)"
	assert_output ok
}

@test "seccomp-conformance: NOTIFY on common syscalls with a non-root user, noNewPrivileges false" {
	start_listener 13
	notify_common false
	update_config '.process.user = {uid: 1000, gid: 1000, additionalGids: [10]}
		| .process.args = ["sh", "-c", "id -u; echo ok"]'
	run -0 timeout -k 5 30 "$CLEAT" --root "$ROOT" run "$(container_id)"
	assert_output "$(printf '1000\nok')"
}

@test "seccomp-conformance: cleat exec with NOTIFY on common syscalls, noNewPrivileges false" {
	start_listener 13
	notify_common false
	update_config '.process.args = ["sleep", "1000"]'
	local id
	id=$(container_id)
	run -0 detached timeout -k 5 30 "$CLEAT" --root "$ROOT" run -d "$id"
	run -0 timeout -k 5 30 "$CLEAT" --root "$ROOT" exec "$id" sh -c 'cat /proc/self/status >/dev/null && echo exec-ok'
	assert_output exec-ok
	run -0 grep -c '^fd received$' "$LISTENER_LOG"
	assert_output 2
}

@test "seccomp-conformance: a hook killed by the filter reports runc's 'error running startContainer hook #0: ... signal: bad system call'" {
	update_config '.process.args = ["true"]
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
			syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_KILL"}]}
		| .hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "mkdir /tmp/hook-dir"]}]'
	run ! timeout 30 "$CLEAT" --root "$ROOT" run "$(container_id)"
	assert_output --partial "error running startContainer hook #0:"
	assert_output --partial "bad system call"
}

@test "seccomp-conformance: no agent on listenerPath: runc's 'failed to connect with seccomp agent'" {
	update_config '.process.args = ["true"]
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/nonexistent/agent.sock",
			syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}'
	local id
	id=$(container_id)
	run ! timeout 30 "$CLEAT" --root "$ROOT" run "$id"
	assert_output --partial "failed to connect with seccomp agent"
	assert_output --partial "/nonexistent/agent.sock"
	run ! cleat state "$id"
}

@test "seccomp-conformance: SCMP_ACT_NOTIFY on write is refused at create, like runc" {
	update_config '.process.args = ["true"]
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/nonexistent/agent.sock",
			syscalls: [{names: ["openat", "write"], action: "SCMP_ACT_NOTIFY"}]}'
	local id
	id=$(container_id)
	run ! timeout 30 "$CLEAT" --root "$ROOT" run "$id"
	assert_output --partial "SCMP_ACT_NOTIFY cannot be used for the write syscall"
	run ! cleat state "$id"
	run ! timeout 30 "$RUNC" --root "$RUNC_ROOT" run "$(container_id runc)"
	assert_output --partial "SCMP_ACT_NOTIFY cannot be used for the write syscall"
}
