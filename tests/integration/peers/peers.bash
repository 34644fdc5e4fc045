# shellcheck shell=bash
# The pinned peers (containerd 2.x, runc 1.5) built by peers/build-peers.sh into the test
# cache. Loaded after helpers: `load helpers; load peers/peers`.
#
#   peers_setup_file   build (or reuse) the peers; sets PEERS_BIN, or PEERS_SKIP (the
#                      reason) when Go or the module proxy is missing or the build failed
#   peers_require      in setup(): skip with PEERS_SKIP's reason

PEERS_BUILD=$INTEGRATION_DIR/peers/build-peers.sh

peers_setup_file() {
	local out rc=0
	out=$("$PEERS_BUILD" 2>"$BATS_FILE_TMPDIR/peers-build.err") || rc=$?
	if [ "$rc" -ne 0 ]; then
		PEERS_SKIP="peers not built ($([ "$rc" = 2 ] && echo unavailable || echo "build failed")): $(tr '\n' ' ' <"$BATS_FILE_TMPDIR/peers-build.err" | cut -c1-300)"
		export PEERS_SKIP
		return 0
	fi
	PEERS_BIN=$out
	export PEERS_BIN
}

peers_require() {
	[ -z "${PEERS_SKIP:-}" ] || skip "$PEERS_SKIP"
	[ -n "${PEERS_BIN:-}" ] || skip "peers not built"
}

# use_runc15: in setup(), after peers_setup_file in setup_file: make $RUNC (runc_, both_run,
# teardown_bundle) the pinned runc 1.5 instead of Debian's runc 1.1, for files whose
# reference behaviour changed since 1.1. When the peer is absent, RUNC_REF_SKIP holds the
# reason and the differential helpers (helpers.bash's both_run) skip with it; the tests
# that check cleat alone still run.
use_runc15() {
	if [ -n "${PEERS_BIN:-}" ] && [ -z "${PEERS_SKIP:-}" ]; then
		RUNC=$PEERS_BIN/runc
		RUNC_REF_SKIP=
	else
		RUNC_REF_SKIP="the reference is runc 1.5, ${PEERS_SKIP:-peers not built}"
	fi
	export RUNC RUNC_REF_SKIP
}

# runc15_setup: setup() of the files that compare with runc 1.5 alone (after
# peers_setup_file in setup_file): skips without root, cleat or the peers; $RUNC (runc_,
# both_run, teardown_bundle) is the pinned runc 1.5; a fresh bundle.
runc15_setup() {
	require_root
	require_binary "$CLEAT"
	peers_require
	RUNC=$PEERS_BIN/runc
	setup_bundle
}

# peers_start_containerd: our own containerd 2.x (the peer, with its config format and its
# containerd-shim-runc-v2 first in PATH) with the test image imported. CTRD_EXTRA_CONFIG is
# appended to its config as by start_containerd. Stop it with stop_containerd.
peers_start_containerd() {
	CONTAINERD=$PEERS_BIN/containerd
	CTR=$PEERS_BIN/ctr
	PATH=$PEERS_BIN:$PATH
	CTRD_CONFIG_VERSION=3
	export CONTAINERD CTR PATH CTRD_CONFIG_VERSION
	start_containerd
	import_test_image_ctr
}

# The setup_file / teardown_file / setup / teardown of a file that runs the cleat shim (a
# snapshot of the build) under the peer containerd 2.x; it loads shim-helpers too.
peers_shim_setup_file() {
	peers_setup_file
	[ -z "${PEERS_SKIP:-}" ] || return 0
	snapshot_cleat
	peers_start_containerd
}

peers_shim_teardown_file() {
	[ -n "${CTRD_DIR:-}" ] && CTRD_PID=$(cat "$CTRD_DIR/containerd.pid" 2>/dev/null) stop_containerd
	true
}

peers_shim_setup() {
	peers_require
	require_binary "$SHIM"
}

# Every task and container of our containerd killed and deleted.
peers_shim_teardown() {
	[ -n "${PEERS_BIN:-}" ] && [ -n "${CTRD_DIR:-}" ] && ctr_cleanup
	true
}
