#!/usr/bin/env bats
# A create that dies or fails half-way: `cleat create` killed with SIGKILL at any moment
# must leave nothing that `delete --force` cannot find and remove; an init that dies
# during setup (the OOM killer, a signal) is named in create's error, and nothing is left.
#
# Every container here gets linux.cgroupsPath /$CG_PARENT/<id>, so that whatever create
# made in any hierarchy (each cgroup v1 controller, a hybrid host's unified cgroup2 mount,
# a pure cgroup2 host) is a directory below $CG_PARENT in that hierarchy.

load helpers

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle sleep 100
	CG_PARENT=cleat-crash-$$-$RANDOM
	# Set in the environment of the create commands only: the helper and the init
	# carry it until the init execs the container's process.
	MARK=CLEAT_CRASH_MARK=$CG_PARENT
}

teardown() {
	local p
	# Processes of ours that escaped: marked, or rooted in the bundle.
	for p in $(marked_pids) ${SLEEPER:-}; do kill -KILL "$p" 2>/dev/null || true; done
	teardown_bundle
	remove_cgroup_tree "$CG_PARENT"
}

# cgroup_mounts: the mount point of every cgroup v1 hierarchy and cgroup2 mount.
cgroup_mounts() {
	awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5 }' \
		/proc/self/mountinfo
}

# marked_pids: processes carrying $MARK in their environment, or whose root or cwd is
# in the bundle's rootfs.
marked_pids() {
	{
		grep -lsz -- "^$MARK\$" /proc/[0-9]*/environ | cut -d/ -f3
		find /proc -mindepth 2 -maxdepth 2 \( -name cwd -o -name root \) \
			-lname "$BUNDLE/rootfs*" 2>/dev/null | cut -d/ -f3
	} | sort -u
}

# leftovers ID: print what is left of container ID (nothing when all is gone): its
# cgroup directories (any below $CG_PARENT with ID unset), mounts, processes, state dir.
leftovers() {
	local id=$1 mp d i pids
	for mp in $(cgroup_mounts); do
		[ -d "$mp/$CG_PARENT" ] || continue
		for d in $(find "$mp/$CG_PARENT" -mindepth 1 -type d ${id:+-name "$id"}); do
			echo "cgroup $d: $(cat "$d/cgroup.procs" 2>/dev/null | tr '\n' ' ')"
		done
	done
	grep -F -e "$BUNDLE" ${id:+-e "$id"} /proc/self/mountinfo | sed 's/^/mount /'
	[ -n "$id" ] && [ -e "$ROOT/$id" ] && echo "state dir $ROOT/$id: $(ls -A "$ROOT/$id" | tr '\n' ' ')"
	# A helper killed with its parent may take a moment to go: only those that stay count.
	for ((i = 0; i < 20; i++)); do
		pids=$(marked_pids)
		[ -z "$pids" ] && break
		sleep 0.05
	done
	for p in $pids; do
		echo "process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	return 0
}

# cgroup_path_for ID: give container ID a cgroupsPath below $CG_PARENT.
cgroup_path_for() {
	update_config '.linux.cgroupsPath = $p' --arg p "/$CG_PARENT/$1"
}

@test "crash: SIGKILL of create at 0.25 to 10 ms: delete --force leaves no cgroup, mount, process or state dir" {
	local killer=$BATS_FILE_TMPDIR/kill-after
	cc -O2 -Wall -Wextra -o "$killer" "$HELPERS_SRC/kill-after.c"
	# 100 kills spread over 0.25 to 10 ms: the step that leaked on a create without
	# its cgroup recorded first (the mkdirs until the state save) is under 1 ms long
	# and was hit 1 to 14 times per 100.  Where a whole create takes longer than
	# 10 ms (a loaded machine), 20 more up to its duration reach the later steps.
	local n=${CLEAT_CRASH_ITERATIONS:-100} i us id killed=0 bad=0 left t0 t1 dur
	local -a delays=()
	for ((i = 0; i < n; i++)); do
		delays+=($((250 + (10000 - 250) * i / (n - 1))))
	done
	id=crash-$$-timed
	cgroup_path_for "$id"
	t0=$(date +%s%N)
	cleat create "$id"
	t1=$(date +%s%N)
	cleat delete --force "$id"
	dur=$(((t1 - t0) / 1000))
	for ((i = 1; dur > 10000 && i <= 20; i++)); do
		delays+=($((10000 + (dur - 10000) * i / 20)))
	done
	for ((i = 0; i < ${#delays[@]}; i++)); do
		us=${delays[i]}
		id=crash-$$-$i
		cgroup_path_for "$id"
		"$killer" "$us" env "$MARK" "$CLEAT" --root "$ROOT" create -b "$BUNDLE" "$id" \
			>/dev/null 2>&1 </dev/null && killed=$((killed + 1))
		run cleat delete --force "$id"
		[ "$status" -eq 0 ] || { echo "delete --force $id (killed at ${us}us): $output"; bad=$((bad + 1)); }
		left=$(leftovers "$id")
		if [ -n "$left" ]; then
			echo "killed at ${us}us, left after delete --force:"
			echo "$left"
			bad=$((bad + 1))
		fi
	done
	echo "$killed of ${#delays[@]} creates (one takes ${dur}us) were killed before they finished"
	left=$(leftovers "")
	[ -z "$left" ] || { echo "left at the end:"; echo "$left"; bad=$((bad + 1)); }
	run ls -A "$ROOT"
	[ -z "$output" ] || { echo "state dirs left at the end: $output"; bad=$((bad + 1)); }
	# The kill must land during create most of the time, or this tests nothing.
	assert [ "$killed" -ge $((n / 2)) ]
	assert [ "$bad" -eq 0 ]
}

memory_controller() {
	[ -d /sys/fs/cgroup/memory ] && return 0
	local mp
	for mp in $(cgroup_mounts); do
		grep -qw memory "$mp/cgroup.controllers" 2>/dev/null && return 0
	done
	return 1
}

# create_fails_saying 'JQ FILTER' TEXT...: with the config changed by the filter, create
# fails, its error contains each TEXT, and nothing of the container is left.
create_fails_saying() {
	local id t
	id=$(container_id)
	cgroup_path_for "$id"
	update_config "$1"
	shift
	run -1 env "$MARK" "$CLEAT" --root "$ROOT" create "$id"
	for t in "$@"; do
		assert_output --partial "$t"
	done
	run leftovers "$id"
	assert_output ""
}

@test "crash: an init killed by the OOM killer during setup names the OOM killer and the limit; nothing is left" {
	memory_controller || skip "no memory cgroup controller"
	# One page: the init's setup after its cgroup join (confining itself) needs more.
	create_fails_saying '.linux.resources.memory = {"limit": 4096}' \
		"killed by the OOM killer during setup" "linux.resources.memory.limit = 4096"
}

@test "crash: an init killed by a signal during setup names the signal; nothing is left" {
	skip_unless_cmd jq
	# A prestart hook runs while the init waits for it; its stdin names the init's pid.
	create_fails_saying \
		'.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "kill -KILL $(jq .pid)"]}]' \
		"container init was killed by signal 9" "before it was ready"
}

@test "crash: delete --force kills a process found in only some of the container's hierarchies" {
	# As a helper joining the hierarchies one by one is when its create is killed.
	local id mp
	mp=$(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup" && $NF !~ /pids/) print $5 }' \
		/proc/self/mountinfo | tail -1)
	[ -n "$mp" ] || skip "no cgroup v1 hierarchy without the pids controller"
	id=$(container_id)
	cgroup_path_for "$id"
	cleat create "$id"
	sleep 1000 &
	SLEEPER=$!
	echo "$SLEEPER" >"$mp/$CG_PARENT/$id/cgroup.procs"
	run -0 cleat delete --force "$id"
	run wait "$SLEEPER"
	assert [ "$status" -eq 137 ]
	run leftovers "$id"
	assert_output ""
}
