#!/usr/bin/env bats
# What delete removes, and in which order, when it takes its quick paths: an empty
# leaf cgroup removed without listing it first, the state directory removed file by
# known file, state.json replaced in place under the lock.  Each test has a case the
# quick path must hand over to the thorough one.

load helpers

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle sleep 1000
	ID=$(container_id dt)
}

teardown() {
	teardown_bundle
}

create() {
	cleat create "$@" </dev/null >"$BUNDLE/create.log" 2>&1 3>&-
}

# cgroup_dirs ID: the container's cgroup directories, from its state.json.
cgroup_dirs() {
	jq -r .cgroup "$ROOT/$1/state.json" | awk -F '\t' '$1 == "h" { print $6 }'
}

@test "delete-tail: init gone, a process left in the cgroup (no pid namespace): delete kills it and removes every cgroup directory" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))
		| .process.args = ["sh", "-c", "sleep 1000 & wait"]'
	create "$ID"
	cleat start "$ID"
	local pid kid dirs d i
	pid=$(cleat state "$ID" | jq -r .pid)
	for i in $(seq 50); do
		kid=$(pgrep -P "$pid") && break
		sleep 0.1
	done
	assert [ -n "$kid" ]
	mapfile -t dirs < <(cgroup_dirs "$ID")
	assert [ "${#dirs[@]}" -gt 0 ]
	kill -9 "$pid"
	wait_for_container "$ID" stopped
	# The sleep is still in the cgroup: the main hierarchy's rmdir says EBUSY.
	assert [ -d "/proc/$kid" ]
	run -0 cleat delete "$ID"
	retry 50 0.1 bash -c "[ ! -e /proc/$kid ] || grep -q '^State:[[:space:]]*[ZX]' /proc/$kid/status"
	for d in "${dirs[@]}"; do
		run ! test -d "$d"
	done
	assert [ ! -e "$ROOT/$ID" ]
}

@test "delete-tail: a stopped container's cgroup directories and state directory are all removed" {
	update_config '.process.args = ["true"]'
	create "$ID"
	local dirs d
	mapfile -t dirs < <(cgroup_dirs "$ID")
	assert [ "${#dirs[@]}" -gt 0 ]
	for d in "${dirs[@]}"; do
		assert [ -d "$d" ]
	done
	cleat start "$ID"
	wait_for_container "$ID" stopped
	run -0 cleat delete "$ID"
	for d in "${dirs[@]}"; do
		run ! test -d "$d"
	done
	assert [ ! -e "$ROOT/$ID" ]
}

@test "delete-tail: a state directory holding files cleat did not make is still removed whole" {
	create "$ID"
	# A temporary state.json a killed create could leave, and a file of someone else.
	echo '{' >"$ROOT/$ID/.state.json.tmp"
	mkdir "$ROOT/$ID/extra"
	touch "$ROOT/$ID/extra/file"
	run -0 cleat delete --force "$ID"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "delete-tail: a state directory left without state.json (a killed delete) is removed" {
	create "$ID"
	cleat delete --force "$ID"
	# What a delete killed right after its first unlink leaves.
	mkdir -p "$ROOT/$ID"
	cp "$BUNDLE/config.json" "$ROOT/$ID/config.json"
	run -0 cleat state "$ID"
	assert_output --partial '"status": "stopped"'
	run -0 cleat delete "$ID"
	assert [ ! -e "$ROOT/$ID" ]
}

@test "delete-tail: create leaves state.json alone in the state directory: no temporary file, root-only mode" {
	create "$ID"
	run -0 ls -A "$ROOT/$ID"
	refute_output --partial '.state.json'
	assert [ "$(stat -c %a "$ROOT/$ID/state.json")" = 600 ]
	run -0 jq -e '.init_pid > 0 and (.init_start_time | tonumber) > 0' "$ROOT/$ID/state.json"
	cleat delete --force "$ID"
}
