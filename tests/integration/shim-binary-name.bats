#!/usr/bin/env bats
# A BinaryName whose path holds a double quote and a backslash, under the cleat shim and
# containerd 2.x: the shim records it in the bundle's options.json for its `delete`
# subcommand, which containerd runs when the shim dies. The JSON must stay valid so that
# delete runs that binary, not the default runtime.

load helpers
load shim-helpers
load peers/peers

setup_file() { peers_shim_setup_file; }
teardown_file() { peers_shim_teardown_file; }
teardown() { peers_shim_teardown; }

setup() {
	peers_shim_setup
	ID=$(container_id bn)
}

# wrapper DIR: DIR/cleat, which logs its arguments to $BATS_TEST_TMPDIR/calls and runs the
# built cleat.
wrapper() {
	mkdir -p "$1"
	printf '#!/bin/sh\necho "$*" >>%q\nexec %q "$@"\n' "$BATS_TEST_TMPDIR/calls" "$CLEAT" >"$1/cleat"
	chmod 755 "$1/cleat"
}

@test "shim-binary-name: delete after the shim is killed runs a BinaryName holding \" and \\" {
	local dir=$BATS_TEST_TMPDIR/bin\"q\\b bundle pid
	wrapper "$dir"
	# A TOML literal string: the path as it is.
	printf "BinaryName = '%s'\n" "$dir/cleat" >"$BATS_TEST_TMPDIR/runtime.toml"
	ctr_ run -d --runtime io.containerd.cleat.v2 --runtime-config-path "$BATS_TEST_TMPDIR/runtime.toml" \
		"$TEST_IMAGE_REF" "$ID" sleep 1000 </dev/null >/dev/null 2>&1 3>&-
	wait_status "$ID" RUNNING
	run -0 grep -c " create .*$ID\$" "$BATS_TEST_TMPDIR/calls"
	bundle=$(bundle_of "$ID")
	cp "$bundle/options.json" "$BATS_TEST_TMPDIR/options.json"
	# containerd sees the shim die and runs `containerd-shim-cleat-v2 ... delete`.
	pid=$(shim_pid "$ID")
	kill -KILL "$pid"
	retry 100 0.1 grep -q "delete --force $ID\$" "$BATS_TEST_TMPDIR/calls" ||
		fail "delete did not run the BinaryName; it ran: $(cat "$BATS_TEST_TMPDIR/calls")"
	run -0 jq -r .binary_name "$BATS_TEST_TMPDIR/options.json"
	assert_output "$dir/cleat"
}
