#!/usr/bin/env bats
# checkpoint/restore on this host: the errors when CRIU is missing or cannot work on
# this kernel, flag validation, `features`.  The checkpoint/restore cases themselves run
# where criu works: tests/run-all.sh boots Debian's kernel under qemu for criu-vm/ and criu-daemons-vm/.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle sleep 1000
	ID=$(container_id criu)
}

teardown() {
	teardown_bundle
}

# A PATH holding everything cleat's tests use but criu.
no_criu_path() {
	mkdir -p "$BUNDLE/bin"
	echo "$BUNDLE/bin"
}

@test "criu: checkpoint without criu in PATH says so" {
	run -0 detached cleat run -d "$ID"
	run -1 env PATH="$(no_criu_path)" "$CLEAT" --root "$ROOT" checkpoint --image-path "$BUNDLE/img" "$ID"
	assert_output --partial "no criu binary in PATH"
	assert_output --partial "install the criu package"
	# Nothing happened to the container.
	run -0 cleat state "$ID"
	assert_output --partial '"status": "running"'
}

@test "criu: restore without criu in PATH says so and leaves nothing" {
	mkdir -p "$BUNDLE/img"
	run -1 env PATH="$(no_criu_path)" "$CLEAT" --root "$ROOT" restore -d --image-path "$BUNDLE/img" "$ID"
	assert_output --partial "no criu binary in PATH"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "criu: features reports checkpoint.enabled from the criu in PATH" {
	skip_unless_cmd criu
	run -0 cleat features
	assert [ "$(jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]' <<<"$output")" = true ]
	run -0 env PATH="$(no_criu_path)" "$CLEAT" features
	assert [ "$(jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]' <<<"$output")" = false ]
}

@test "criu: when criu check fails on this kernel, checkpoint shows its output" {
	skip_unless_cmd criu
	local check
	check=$(criu check 2>&1) && skip "criu works on this kernel ($(uname -r)): tested in criu-vm"
	run -0 detached cleat run -d "$ID"
	run -1 cleat checkpoint --image-path "$BUNDLE/img" "$ID"
	assert_output --partial "check\" fails on this kernel, CRIU cannot work here"
	# The first line criu check printed is in the error.
	assert_output --partial "$(head -1 <<<"$check")"
	run -0 cleat state "$ID"
	assert_output --partial '"status": "running"'
}

@test "criu: when criu check fails on this kernel, restore shows its output and leaves nothing" {
	skip_unless_cmd criu
	local check
	check=$(criu check 2>&1) && skip "criu works on this kernel ($(uname -r)): tested in criu-vm"
	mkdir -p "$BUNDLE/img"
	echo '["/dev/null","/dev/null","/dev/null"]' >"$BUNDLE/img/descriptors.json"
	run -1 cleat restore -d --image-path "$BUNDLE/img" "$ID"
	assert_output --partial "check\" fails on this kernel"
	assert_output --partial "$(head -1 <<<"$check")"
	assert [ ! -e "$ROOT/$ID" ]
	assert [ ! -d "/sys/fs/cgroup/memory/$ID" ] || assert [ ! -d "/sys/fs/cgroup/pids/$ID" ]
	! grep -q "$ID" /proc/self/mountinfo
}

@test "criu: bad flags are refused naming them" {
	skip_unless_cmd criu
	run -1 cleat checkpoint --manage-cgroups-mode bogus "$ID"
	assert_output --partial 'invalid manage-cgroups-mode value "bogus"'
	run -1 cleat restore --empty-ns pid "$ID"
	assert_output --partial 'namespace "pid" is not supported'
	run -0 detached cleat run -d "$ID"
	run -1 cleat checkpoint --page-server nowhere "$ID"
	assert_output --partial 'want IP:port'
	run -1 cleat checkpoint --bundle x "$ID"
	assert_output --partial "flag provided but not defined: -bundle"
}

@test "criu: the init leads a session of its own, as runc's (criu dumps no session led from outside)" {
	update_config '.process.args = ["sh", "-c", "cut -d \" \" -f 6 /proc/self/stat"]'
	run -0 cleat run "$ID"
	assert [ "$output" = 1 ]
	skip_unless_cmd runc
	run -0 runc_ run "$ID"
	assert [ "$output" = 1 ]
}

@test "criu: checkpoint of a created container is refused" {
	skip_unless_cmd criu
	cleat create "$ID" </dev/null >/dev/null 2>&1 3>&-
	run -1 cleat checkpoint --image-path "$BUNDLE/img" "$ID"
	assert_output --partial "cannot be checkpointed in created state"
}

@test "criu: restore of a missing image leaves nothing" {
	skip_unless_cmd criu
	run -1 cleat restore -d --image-path "$BUNDLE/none" "$ID"
	assert_output --partial "checkpoint image"
	assert [ ! -e "$ROOT/$ID" ]
}
