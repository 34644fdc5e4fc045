#!/usr/bin/env bats
# containerd-generations: 1.6 2.x (tests/run-all.sh runs it under Debian's containerd 1.6, then
# again with CLEAT_CONTAINERD_GEN=2 under the pinned containerd 2.x; see helpers.bash)
# containerd runs `containerd-shim-cleat-v2 ... delete` whenever a shim's connection closes,
# also after a clean Delete and Shutdown (every `ctr run --rm`, every `docker run --rm`),
# and waits for it before its Delete returns. The subcommand runs the runtime's `delete
# --force` only for a container the runtime still has state for: after a clean Delete it
# has none, and the exec is time on every container's removal. Calls are logged by the
# failpoint runtime (helpers/failpoint-runtime.sh, with no failpoint set).

load helpers
load shim-helpers

setup_file() { failpoint_setup_file; }
teardown_file() { failpoint_teardown_file; }

setup() {
	require_binary "$SHIM"
	ID=$(container_id dc)
	: >"$FAILPOINT_FILE.log"
}

teardown() { ctr_cleanup; }

@test "shim delete: after a clean Delete, containerd's cleanup runs no runtime" {
	local log_at
	log_at=$(stat -c %s "$CTRD_DIR/containerd.log")
	run -0 ctr_ run --rm --runtime "$RT" "$TEST_IMAGE_REF" "$ID" true </dev/null 3>&-
	# The daemon's own delete ran...
	run -0 grep -c "^delete .* delete $ID\$" "$FAILPOINT_FILE.log"
	assert_output 1
	# ...and containerd did run the subcommand once the shim had gone (it logs so).
	run -0 bash -c "tail -c +$((log_at + 1)) '$CTRD_DIR/containerd.log' | grep 'cleaning up after shim disconnected' | grep -F '$ID'"
	# That subcommand ran no runtime: the runtime had no state left for the container.
	run -1 grep "delete --force $ID\$" "$FAILPOINT_FILE.log"
	[ ! -e "/run/containerd/runc/$CTR_NAMESPACE/$ID" ]
}

@test "shim delete: a container the runtime still knows is deleted with --force" {
	run_d "$ID" sleep 1000
	wait_status "$ID" RUNNING
	local shim pid
	shim=$(shim_pid "$ID")
	pid=$(ctr_ tasks ls | awk -v id="$ID" '$1 == id { print $2 }')
	kill -KILL "$shim"
	# containerd notices the closed connection and runs the subcommand, which kills and
	# deletes the container through the runtime.
	retry 100 0.1 grep -q "delete --force $ID\$" "$FAILPOINT_FILE.log" ||
		fail "the delete subcommand ran no runtime delete --force: $(cat "$FAILPOINT_FILE.log")"
	retry 100 0.1 bash -c "! kill -0 $pid 2>/dev/null"
}
