#!/usr/bin/env bats
# The Checkpoint RPC of containerd-shim-cleat-v2 on a host where CRIU cannot work (criu 3.17
# on a newer kernel than it knows): `ctr task checkpoint` gets the runtime's error, worded as
# runc-v2 words it, and the task keeps running with its output still flowing. Successful
# checkpoints and restores, which need a working CRIU, run in the VM
# (tests/integration/criu-daemons-vm/).

load helpers
load shim-helpers
load peers/peers

SHIM_RPC=$BUILDDIR/tests/unit/shim-rpc

setup_file() {
	shim_setup_file
}

teardown_file() {
	shim_teardown_file
}

setup() {
	require_binary "$SHIM"
	require_binary "$SHIM_RPC"
	ID=$(container_id ckpt)
}

teardown() {
	ctr_cleanup
}

# skip_if_criu_works: these tests are about a failing CRIU.
skip_if_criu_works() {
	if command -v criu >/dev/null 2>&1 && criu check >/dev/null 2>&1; then
		skip "criu works on this kernel: checkpoints succeed (criu-daemons-vm covers that)"
	fi
}

# counter ID RUNTIME: a container printing 0, 1, 2, ... every 0.1 s to $BATS_TEST_TMPDIR/out,
# its runtime binary RUNTIME (BinaryName in runtime options).
counter() {
	printf 'BinaryName = "%s"\n' "$2" >"$BATS_TEST_TMPDIR/runtime.toml"
	ctr_ run -d --runtime "$RT" --runtime-config-path "$BATS_TEST_TMPDIR/runtime.toml" \
		--log-uri "file://$BATS_TEST_TMPDIR/out" "$TEST_IMAGE_REF" "$1" \
		sh -c 'i=0; while :; do echo $i; i=$((i + 1)); sleep 0.1; done' \
		</dev/null >/dev/null 2>&1 3>&-
	wait_status "$1" RUNNING
}

# still_counting ID: the task is RUNNING and its output keeps growing.
still_counting() {
	local before after
	wait_status "$1" RUNNING
	before=$(wc -l <"$BATS_TEST_TMPDIR/out")
	sleep 0.5
	after=$(wc -l <"$BATS_TEST_TMPDIR/out")
	[ "$after" -gt "$before" ] || fail "output stopped at $before lines"
}

@test "shim-checkpoint: runc under the cleat shim: criu's failure reaches ctr, task keeps running" {
	skip_unless_cmd runc
	skip_if_criu_works
	counter "$ID" runc
	run -1 ctr_ tasks checkpoint "$ID"
	assert_output --partial "OCI runtime checkpoint failed"
	# runc's own message names criu; runc-v2 points at the dump log it kept.
	assert_output --partial "criu"
	still_counting "$ID"
	# The default work dir is gone; nothing left in the bundle but the kept log.
	assert [ ! -e "$(bundle_of "$ID")/criu-work" ]
}

@test "shim-checkpoint: CheckpointOptions reach the runtime (ctr 2.x: --exit, --work-path); a failed --exit leaves the task running" {
	# ctr 1.6 sends CheckpointOptions only for runc's runtime types; 2.x's ctr always does.
	skip_unless_cmd runc
	skip_if_criu_works
	peers_setup_file
	peers_require
	counter "$ID" runc
	run -1 "$PEERS_BIN/ctr" --address "$CTR_ADDRESS" -n "$CTR_NAMESPACE" \
		tasks checkpoint --exit --work-path "$BATS_TEST_TMPDIR/work" "$ID"
	assert_output --partial "OCI runtime checkpoint failed"
	# runc names the work dir's dump.log; the shim keeps a copy beside the bundle.
	assert_output --partial "$BATS_TEST_TMPDIR/work/dump.log"
	assert_output --partial "path= $(bundle_of "$ID")/criu-dump.log"
	assert [ -s "$(bundle_of "$ID")/criu-dump.log" ]
	still_counting "$ID"
}

@test "shim-checkpoint: cleat as the runtime: its checkpoint error reaches ctr, task keeps running" {
	skip_if_criu_works
	counter "$ID" cleat
	run -1 ctr_ tasks checkpoint "$ID"
	assert_output --partial "OCI runtime checkpoint failed"
	assert_output --partial "checkpoint"
	still_counting "$ID"
}

@test "shim-checkpoint: Checkpoint of a stopped task is refused as runc-v2 refuses it" {
	counter "$ID" cleat
	ctr_ tasks kill -s SIGKILL "$ID"
	wait_status "$ID" STOPPED
	run -1 "$SHIM_RPC" "$(cat "$(bundle_of "$ID")/address")" call Checkpoint "$ID"
	assert_output "code=2 message=cannot checkpoint a stopped container"
}
