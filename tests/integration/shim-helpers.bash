# shellcheck shell=bash
# Helpers shared by the containerd-shim-cleat-v2 suites (shim, shim-recovery, shim-failpoint,
# shim-scale). Loaded after helpers: `load helpers; load shim-helpers`.

RT=io.containerd.cleat.v2

# snapshot_cleat: run private copies of the built shim and cleat (their directory is first
# in containerd's PATH), so a rebuild of the shared tree during the run cannot make an exec
# fail (ENOEXEC/ETXTBSY) or mix versions.
snapshot_cleat() {
	require_binary "$SHIM"
	mkdir -p "$BATS_FILE_TMPDIR/bin"
	cp "$SHIM" "$BATS_FILE_TMPDIR/bin/containerd-shim-cleat-v2"
	[ -x "$CLEAT" ] && cp "$CLEAT" "$BATS_FILE_TMPDIR/bin/cleat"
	SHIM=$BATS_FILE_TMPDIR/bin/containerd-shim-cleat-v2
	CLEAT=$BATS_FILE_TMPDIR/bin/cleat
	export SHIM CLEAT
}

# shim_setup_file: our own containerd running the snapshot, with the test image imported.
# CLEAT_SHIM_RUNTIME reaches the shim when set; unset, the shim runs its default runtime,
# `cleat` (the built one: first in containerd's PATH).
shim_setup_file() {
	[ -n "${CLEAT_SHIM_RUNTIME:-}" ] && export CLEAT_SHIM_RUNTIME
	snapshot_cleat
	start_containerd
	import_test_image_ctr
}

# shim_teardown_file: stop our containerd; a test may have restarted it, so the one whose
# pid is in the pid file.
shim_teardown_file() {
	CTRD_PID=$(cat "$CTRD_DIR/containerd.pid" 2>/dev/null) stop_containerd
}

# failpoint_setup_file: shim_setup_file with helpers/failpoint-runtime.sh as the shim's
# runtime, in front of CLEAT_SHIM_RUNTIME (default cleat); its control file in
# FAILPOINT_FILE, every call it gets logged in $FAILPOINT_FILE.log.
failpoint_setup_file() {
	export FAILPOINT_RUNTIME=${CLEAT_SHIM_RUNTIME:-cleat}
	export CLEAT_SHIM_RUNTIME=$INTEGRATION_DIR/helpers/failpoint-runtime.sh
	FAILPOINT_FILE=$(mktemp /tmp/cleat-failpoint.XXXXXX)
	export FAILPOINT_FILE
	shim_setup_file
}

failpoint_teardown_file() {
	shim_teardown_file
	rm -f "$FAILPOINT_FILE" "$FAILPOINT_FILE.log"
}

# ctr_cleanup: kill and delete every task, then every container, of our containerd.
ctr_cleanup() {
	local id
	for id in $(ctr_ tasks ls -q 2>/dev/null); do
		ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1
		timeout 20 ctr_ tasks delete --force "$id" >/dev/null 2>&1
	done
	for id in $(ctr_ containers ls -q 2>/dev/null); do
		ctr_ containers delete "$id" >/dev/null 2>&1
	done
	true
}

# run_d ID CMD...: start a detached container under the cleat shim.
run_d() {
	local id=$1
	shift
	ctr_ run -d --runtime "$RT" "$TEST_IMAGE_REF" "$id" "$@" </dev/null >/dev/null 2>&1 3>&-
}

task_status() {
	ctr_ tasks ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'
}

# wait_status ID STATUS: poll `ctr tasks ls` for up to 10 s.
wait_status() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(task_status "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "task $1 is '$(task_status "$1")', not $2" >&2
	return 1
}

# shim_pid ID: the shim daemon serving container ID of our containerd.
shim_pid() {
	local p
	for p in /proc/[0-9]*; do
		{ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q -- "^containerd-shim-cleat-v2 .*-id $1 -address $CTR_ADDRESS" &&
			echo "${p#/proc/}" && return 0
	done
	return 1
}

bundle_of() {
	echo "$CTRD_DIR/state/io.containerd.runtime.v2.task/$CTR_NAMESPACE/$1"
}

# shim_address ID: the socket address (unix://...) of the shim serving ID. The cleat shim
# writes the bundle's `address` file under both containerd generations; containerd 2.x's
# containerd-shim-runc-v2 writes only bootstrap.json, which holds it too.
shim_address() {
	local b
	b=$(bundle_of "$1")
	if [ -e "$b/address" ]; then
		cat "$b/address"
	else
		jq -r .address "$b/bootstrap.json"
	fi
}

# start_events [FILE]: record `ctr events` into FILE ($BATS_TEST_TMPDIR/events by default),
# returning once its subscription is in place: a label of our namespace is set until its
# /namespaces/update reaches FILE (a fixed sleep lost the first events on a loaded machine).
# Tests read FILE filtered by container id, so these lines do not count.
start_events() {
	local file=${1:-$BATS_TEST_TMPDIR/events} i
	ctr_ events >"$file" 2>&1 3>&- &
	EVENTS_PID=$!
	for ((i = 0; i < 100; i++)); do
		ctr_ namespaces label "$CTR_NAMESPACE" "cleat.events.probe=$i" >/dev/null 2>&1
		if grep -qF "\"cleat.events.probe\":\"$i\"" "$file"; then
			ctr_ namespaces label "$CTR_NAMESPACE" cleat.events.probe >/dev/null 2>&1
			return 0
		fi
		sleep 0.1
	done
	echo "start_events: \`ctr events\` did not subscribe within 10 s" >&2
	return 1
}
