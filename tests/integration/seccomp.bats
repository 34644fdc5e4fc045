#!/usr/bin/env bats
# linux.seccomp, differential with runc where runc 1.1 supports the feature: the same
# profile must block the same syscalls the same way and leave the same Seccomp lines in
# /proc/self/status.

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

# profile_mkdir ACTION [ERRNORET]: default allow, mkdir/mkdirat get ACTION.
profile_mkdir() {
	local ret=${2:+, errnoRet: $2}
	update_config ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\",
		architectures: [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],
		syscalls: [{names: [\"mkdir\", \"mkdirat\"], action: \"$1\" $ret}]}"
}

# Both runtimes share the bundle's rootfs: each probe makes a directory of its own.
MKDIR_PROBE='mkdir "$(mktemp -u /tmp/probe.XXXXXX)" 2>/dev/null; echo "mkdir=$?"; grep -E "^(Seccomp|NoNewPrivs)" /proc/self/status'

@test "seccomp: ERRNO with errnoRet matches runc" {
	profile_mkdir SCMP_ACT_ERRNO 95
	update_config '.process.args = ["sh", "-c", $p]' --arg p "$MKDIR_PROBE"
	both_run
	assert_same 0
	assert_contains "$CLEAT_OUT" "mkdir=1"
	assert_contains "$CLEAT_OUT" "Seccomp:	2"
	assert_contains "$CLEAT_OUT" "Seccomp_filters:	1"
}

@test "seccomp: ERRNO without errnoRet is EPERM, like runc" {
	profile_mkdir SCMP_ACT_ERRNO
	update_config '.process.args = ["sh", "-c", "mkdir $(mktemp -u /tmp/probe.XXXXXX) 2>&1 | sed s,/tmp/probe.*:,:,; true"]'
	both_run
	assert_same 0
	assert_contains "$CLEAT_OUT" "Operation not permitted"
}

@test "seccomp: no profile means no filter, like runc" {
	update_config 'del(.linux.seccomp) | .process.args = ["sh", "-c", $p]' --arg p "$MKDIR_PROBE"
	both_run
	assert_same 0
	assert_contains "$CLEAT_OUT" "mkdir=0"
	assert_contains "$CLEAT_OUT" "Seccomp:	0"
}

@test "seccomp: KILL, KILL_THREAD, KILL_PROCESS and TRAP end the process with SIGSYS" {
	local action
	for action in SCMP_ACT_KILL SCMP_ACT_KILL_THREAD SCMP_ACT_KILL_PROCESS SCMP_ACT_TRAP; do
		profile_mkdir "$action"
		update_config '.process.args = ["mkdir", "/tmp/probe"]'
		both_run
		assert_same
		# 128 + SIGSYS
		[ "$CLEAT_STATUS" -eq 159 ] || fail "$action: status $CLEAT_STATUS"
	done
}

@test "seccomp: LOG allows the call" {
	profile_mkdir SCMP_ACT_LOG
	update_config '.process.args = ["sh", "-c", $p]' --arg p "$MKDIR_PROBE"
	both_run
	assert_same 0
	assert_contains "$CLEAT_OUT" "mkdir=0"
}

@test "seccomp: TRACE with no tracer fails the call like runc" {
	profile_mkdir SCMP_ACT_TRACE
	update_config '.process.args = ["sh", "-c", "mkdir $(mktemp -u /tmp/probe.XXXXXX) 2>/dev/null; echo rc=$?"]'
	both_run
	assert_same 0
	assert_contains "$CLEAT_OUT" "rc=1"
}

@test "seccomp: every comparison operator, and two args on one index, like runc" {
	# kill(999999, SIG): ESRCH when allowed, errno 42 (ENOMSG) when a rule matches.
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [
		{names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 42,
		 args: [{index: 1, value: 3, op: "SCMP_CMP_EQ"}]},
		{names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 43,
		 args: [{index: 1, value: 30, op: "SCMP_CMP_GT"}]},
		{names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 44,
		 args: [{index: 1, value: 20, op: "SCMP_CMP_GE"}, {index: 1, value: 21, op: "SCMP_CMP_LE"}]},
		{names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 45,
		 args: [{index: 1, value: 24, op: "SCMP_CMP_MASKED_EQ", valueTwo: 8}]},
		{names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 46,
		 args: [{index: 0, value: 999998, op: "SCMP_CMP_NE"}, {index: 1, value: 2, op: "SCMP_CMP_LT"}]},
		{names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 47,
		 args: [{index: 0, value: 999998, op: "SCMP_CMP_EQ"}, {index: 1, value: 9, op: "SCMP_CMP_EQ"}]}
	]} | .process.args = ["sh", "-c", "for p in 999999 999998; do for s in 0 1 2 3 4 8 9 10 16 20 21 22 24 31; do kill -$s $p 2>&1; done; done; true"]'
	both_run
	assert_same 0
	# EQ 3 (42); GT 30 (43); GE 20 and LE 21 as separate rules on one index (44 for 20..31);
	# MASKED_EQ (s & 24) == 8 (45); NE pid AND LT 2 (46); EQ pid AND EQ 9 (47).
	assert_contains "$CLEAT_OUT" "No message of desired type"
	assert [ "$(grep -c . <<<"$CLEAT_OUT")" -eq 28 ]
}

@test "seccomp: unknown syscall names are skipped, not fatal" {
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [
		{names: ["no_such_syscall_cleat", "mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}
		| .process.args = ["sh", "-c", $p]' --arg p "$MKDIR_PROBE"
	both_run
	assert_same 0
	assert_contains "$CLEAT_OUT" "mkdir=1"
}

@test "seccomp: a rule with the default action is ignored, like runc" {
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [
		{names: ["getpid"], action: "SCMP_ACT_ALLOW"},
		{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}
		| .process.args = ["sh", "-c", $p]' --arg p "$MKDIR_PROBE"
	both_run
	assert_same 0
}

@test "seccomp: flags LOG and SPEC_ALLOW" {
	# runc 1.1 rejects every flag ("seccomp flags are not yet supported by runc").
	profile_mkdir SCMP_ACT_ERRNO 1
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]
		| .process.args = ["sh", "-c", $p]' --arg p "$MKDIR_PROBE"
	run -0 cleat run "$(container_id)"
	assert_output --partial "mkdir=1"
	assert_output --partial "Seccomp_filters:	1"
}

@test "seccomp: flags TSYNC and WAIT_KILLABLE_RECV are accepted" {
	profile_mkdir SCMP_ACT_ERRNO 1
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]
		| .process.args = ["sh", "-c", $p]' --arg p "$MKDIR_PROBE"
	run -0 cleat run "$(container_id)"
	assert_output --partial "mkdir=1"
	assert_output --partial "Seccomp_filters:	1"
}

@test "seccomp: an unknown flag is an error naming it" {
	profile_mkdir SCMP_ACT_ERRNO 1
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_BOGUS"]'
	run --separate-stderr cleat run "$(container_id)"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "SECCOMP_FILTER_FLAG_BOGUS"
}

@test "seccomp: an unknown action is an error naming it" {
	profile_mkdir SCMP_ACT_BOGUS
	run --separate-stderr cleat run "$(container_id)"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "seccomp.syscalls[0].action"
	assert_contains "$stderr" '"SCMP_ACT_BOGUS"'
}

@test "seccomp: NoNewPrivileges with a filter matches runc" {
	profile_mkdir SCMP_ACT_ERRNO 1
	update_config '.process.noNewPrivileges = true | .process.args = ["sh", "-c", $p]' \
		--arg p "$MKDIR_PROBE"
	both_run
	assert_same 0
	assert_contains "$CLEAT_OUT" "NoNewPrivs:	1"
}

@test "seccomp: a non-root user without NoNewPrivileges still gets the filter (loaded before caps drop)" {
	# Loading a filter needs CAP_SYS_ADMIN or no_new_privs: a runtime that loads it after
	# dropping to uid 1000 fails here. docker run --user 1000 is exactly this.
	profile_mkdir SCMP_ACT_ERRNO 1
	update_config '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = false
		| .process.capabilities = {bounding: ["CAP_KILL"]}
		| .process.args = ["sh", "-c", $p]' --arg p "$MKDIR_PROBE"
	both_run
	assert_same 0
	assert_contains "$CLEAT_OUT" "NoNewPrivs:	0"
	assert_contains "$CLEAT_OUT" "Seccomp:	2"
}

@test "seccomp: exec'd processes get the container's filter, like runc" {
	profile_mkdir SCMP_ACT_ERRNO 1
	update_config '.process.args = ["sleep", "1000"]'
	local rid cid
	rid=$(container_id runc)
	cid=$(container_id cleat)
	run -0 detached runc_ run -d "$rid"
	run -0 detached cleat run -d "$cid"
	run -0 runc_ exec "$rid" sh -c "$MKDIR_PROBE"
	local want=$output
	run -0 cleat exec "$cid" sh -c "$MKDIR_PROBE"
	assert_output "$want"
	assert_output --partial "mkdir=1"
}

@test "seccomp: SCMP_ACT_NOTIFY hands the listener fd and state to listenerPath like runc" {
	start_listener 13
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		listenerPath: $sock, listenerMetadata: "meta-for-test",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}
		| .process.args = ["sh", "-c", "d=$(mktemp -u /tmp/probe.XXXXXX); mkdir $d 2>&1 | sed s,$d,DIR,; test -d $d || echo absent"]' \
		--arg sock "$LISTENER_SOCK"
	both_run
	assert_same 0
	assert_contains "$CLEAT_OUT" "can't create directory 'DIR': Permission denied"
	assert_contains "$CLEAT_OUT" "absent"
	# One connection per runtime, each with the fd and runc's ContainerProcessState.
	run -0 grep -c '^fd received$' "$LISTENER_LOG"
	assert_output 2
	run -0 grep -c '"fds":\["seccompFd"\]' "$LISTENER_LOG"
	assert_output 2
	run -0 grep -c '"metadata":"meta-for-test"' "$LISTENER_LOG"
	assert_output 2
	# The state part has the same keys and status under both runtimes.
	run -0 sh -c "grep '^{' '$LISTENER_LOG' | jq -c '[(keys), .state.status, (.state | keys), (.pid == .state.pid)]' | uniq | wc -l"
	assert_output 1
	run -0 grep -c '^notify ' "$LISTENER_LOG"
	assert [ "$output" -ge 2 ]
}

@test "seccomp: SCMP_ACT_NOTIFY answered with success" {
	start_listener 0
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $sock,
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}
		| .process.args = ["sh", "-c", "mkdir /tmp/probe; echo rc=$?; test -d /tmp/probe || echo faked"]' --arg sock "$LISTENER_SOCK"
	run -0 cleat run "$(container_id)"
	assert_output "$(printf 'rc=0\nfaked')"
	run -0 grep -c '^fd received$' "$LISTENER_LOG"
	assert_output 1
	run -1 grep -q metadata "$LISTENER_LOG"
}

@test "seccomp: SCMP_ACT_NOTIFY for an exec'd process: its pid, the init's state (runc's shape)" {
	start_listener 13
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $sock,
		listenerMetadata: "m2", syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}
		| .process.args = ["sleep", "1000"]' --arg sock "$LISTENER_SOCK"
	local id
	id=$(container_id)
	run -0 detached cleat run -d "$id"
	run -0 cleat exec "$id" sh -c "mkdir /tmp/probe 2>&1; true"
	assert_output --partial "Permission denied"
	run -0 grep -c '^fd received$' "$LISTENER_LOG"
	assert_output 2
	# The second connection is the exec: its own pid outside, the container (running,
	# the init's pid) inside.
	run -0 sh -c "grep '^{' '$LISTENER_LOG' | tail -n1 | jq -r '[.state.status, (.pid != .state.pid), .metadata, .state.id] | @tsv'"
	assert_output "$(printf 'running\ttrue\tm2\t%s' "$id")"
}

@test "seccomp: SCMP_ACT_NOTIFY with an unreachable listenerPath fails the create" {
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/nonexistent/sock",
		syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}'
	local id
	id=$(container_id)
	run --separate-stderr cleat run "$id"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "/nonexistent/sock"
	run ! cleat state "$id"
}
