#!/usr/bin/env bats
# The command line: global flags, usage errors, list/spec/features output, compared with
# runc where the output is meant to be the same.

load helpers

setup() {
	require_binary "$CLEAT"
	setup_bundle sleep 1000
	ID=$(container_id cli)
}

teardown() {
	teardown_bundle
}

create() {
	cleat create "$@" </dev/null >"$BUNDLE/create.log" 2>&1 3>&-
}

@test "cli: --version and -v print the version and the spec version" {
	run -0 "$CLEAT" --version
	assert_line --regexp '^cleat version [0-9]'
	assert_line "spec: 1.3.0"
	run -0 "$CLEAT" -v
	assert_line --regexp '^cleat version'
}

@test "cli: --help and help list the commands; a command's --help its usage" {
	run -0 "$CLEAT" --help
	local v
	for v in create start run state kill delete list spec features exec update pause resume ps events; do
		assert_line --regexp "^   $v "
	done
	run -0 "$CLEAT" help
	assert_line --partial "GLOBAL OPTIONS"
	run -0 "$CLEAT" kill --help
	assert_line "   cleat kill <container-id> [signal]"
}

@test "cli: an unknown command exits 3 like runc; an unknown flag exits 1" {
	run -3 "$CLEAT" bogus
	assert_output --partial "No help topic for 'bogus'"
	run -3 "$RUNC" bogus
	run -1 "$CLEAT" --bogus list
	assert_output --partial "flag provided but not defined: -bogus"
	run -1 "$CLEAT" list --bogus
	assert_output --partial "flag provided but not defined: -bogus"
	run -1 "$RUNC" list --bogus
}

@test "cli: wrong numbers of arguments get runc's messages" {
	run -1 cleat state
	assert_output 'cleat: "state" requires exactly 1 argument(s)'
	run -1 runc_ state
	assert_output --partial 'requires exactly 1 argument(s)'
	run -1 cleat kill
	assert_output 'cleat: "kill" requires a minimum of 1 argument(s)'
	run -1 cleat kill a b c
	assert_output 'cleat: "kill" requires a maximum of 2 argument(s)'
	run -1 cleat start a b
	assert_output 'cleat: "start" requires exactly 1 argument(s)'
	run -1 cleat exec
	assert_output 'cleat: "exec" requires a minimum of 1 argument(s)'
}

@test "cli: Go-style single-dash long flags work as with runc" {
	run -0 "$CLEAT" -root "$ROOT" list -format json
	assert_output null
	run -0 "$CLEAT" --root="$ROOT" list --format=json
	assert_output null
}

@test "cli: list with no containers matches runc (table, json, -q)" {
	run -0 cleat list
	local mine=$output
	run -0 runc_ list
	assert_equal "$mine" "$output"
	run -0 cleat list --format json
	assert_output null
	run -0 cleat list -q
	assert_output ""
}

@test "cli: list with a missing --root fails, like runc 1.5" {
	# Only the default root may be missing (nothing created yet); a --root that was
	# named and is not there is a mistake.
	run -1 "$CLEAT" --root "$BUNDLE/does-not-exist" list
	assert_output --partial "$BUNDLE/does-not-exist"
	run -1 "$CLEAT" --root "$BUNDLE/does-not-exist" list --format json
}

@test "cli: list shows created, running and stopped containers like runc" {
	create "$ID-a"
	create "$ID-b"
	cleat start "$ID-b"
	create "$ID-c"
	cleat start "$ID-c"
	cleat kill "$ID-c" KILL
	wait_for_container "$ID-c" stopped
	run -0 cleat list
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
	assert_line --regexp "^$ID-a +[1-9][0-9]* +created +$BUNDLE +[0-9T:.-]+Z +root$"
	assert_line --regexp "^$ID-b +[1-9][0-9]* +running +$BUNDLE +[0-9T:.-]+Z +root$"
	assert_line --regexp "^$ID-c +0 +stopped +$BUNDLE +[0-9T:.-]+Z +root$"
	# Columns are aligned the way Go's tabwriter (runc) aligns them: 3 spaces after the widest.
	local w=$(( ${#ID} + 2 + 3 ))
	assert_line --index 0 --regexp "^ID {$(( w - 2 ))}PID"
	run -0 cleat list -q
	assert_output "$ID-a
$ID-b
$ID-c"
	run -0 cleat list --format json
	assert_equal "$(jq -r 'map(.id + ":" + .status + ":" + .owner) | join(" ")' <<<"$output")" \
		"$ID-a:created:root $ID-b:running:root $ID-c:stopped:root"
	assert_equal "$(jq -c '.[0] | keys' <<<"$output")" \
		'["bundle","created","id","ociVersion","owner","pid","rootfs","status"]'
}

@test "cli: spec writes runc's default config; refuses to overwrite; --bundle; --rootless" {
	local d=$BUNDLE/spec
	mkdir -p "$d/c" "$d/r"
	run -0 "$CLEAT" spec --bundle "$d/c"
	(cd "$d/r" && "$RUNC" spec)
	run -0 diff <(jq -S . "$d/c/config.json") <(jq -S . "$d/r/config.json")
	run -1 "$CLEAT" spec --bundle "$d/c"
	assert_output "cleat: File config.json exists. Remove it first"
	rm "$d/c/config.json" "$d/r/config.json"
	run -0 "$CLEAT" spec --rootless -b "$d/c"
	(cd "$d/r" && "$RUNC" spec --rootless)
	run -0 diff <(jq -S . "$d/c/config.json") <(jq -S . "$d/r/config.json")
	run -1 "$CLEAT" spec --bundle "$d/nonexistent"
	assert_output --partial "$d/nonexistent"
}

@test "cli: features is the runtime-spec features document" {
	run -0 "$CLEAT" features
	assert_equal "$(jq -r .ociVersionMin <<<"$output")" 1.0.0
	assert_equal "$(jq -r '.linux.namespaces | index("time") != null' <<<"$output")" true
	assert_equal "$(jq -r '.hooks | index("createRuntime") != null' <<<"$output")" true
	assert_equal "$(jq -r '.linux.seccomp.enabled' <<<"$output")" true
	# runc 1.5 lists WAIT_KILLABLE_RECV where the kernel has it (5.19+)
	local killable=false
	[ "$(printf '5.19\n%s\n' "$(uname -r)" | sort -V | head -1)" = 5.19 ] && killable=true
	assert_equal "$(jq -r '.linux.seccomp.supportedFlags | index("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") != null' <<<"$output")" "$killable"
	assert_equal "$(jq -c '.linux.memoryPolicy.flags' <<<"$output")" \
		'["MPOL_F_NUMA_BALANCING","MPOL_F_RELATIVE_NODES","MPOL_F_STATIC_NODES"]'
	# Same top-level shape as runc's.
	local mine
	mine=$(jq -c 'keys' <<<"$output")
	run -0 "$RUNC" features
	assert_equal "$mine" "$(jq -c 'keys' <<<"$output")"
}

@test "cli: --log with text format writes runc-style text lines" {
	run -1 "$CLEAT" --root "$ROOT" --log "$BUNDLE/log.txt" state nosuch
	assert_output "cleat: container does not exist"
	run -0 cat "$BUNDLE/log.txt"
	assert_output --regexp '^time="[^"]+" level=error msg="container does not exist"$'
}

@test "cli: --debug, --systemd-cgroup, --rootless are accepted; --criu is gone (runc 1.4+)" {
	run -0 "$CLEAT" --debug --systemd-cgroup --rootless false --root "$ROOT" list -q
	run -1 "$CLEAT" --criu criu --root "$ROOT" list -q
	assert_output --partial "flag provided but not defined: -criu"
	run -1 "$CLEAT" --log-format yaml list
	assert_output --partial "invalid log-format"
}

@test "cli: the default root is /run/cleat" {
	run -0 "$CLEAT" --help
	assert_output --partial '(default: "/run/cleat")'
}

@test "cli: flags after the container id work like runc's (not for exec), up to --" {
	update_config '.process.args = ["sh", "-c", "sleep 1000 & sleep 1000 & wait"]'
	cd /
	run -0 detached cleat run "$ID" -d --bundle "$BUNDLE"
	run -0 cleat state "$ID" --
	assert_equal "$(jq -r .status <<<"$output")" running
	local pid cg
	pid=$(jq -r .pid <<<"$output")
	cg=$(awk -F: '$2 == "pids" { print $3 }' "/proc/$pid/cgroup")
	run -0 cleat update "$ID" --pids-limit 17
	assert_equal "$(cat "/sys/fs/cgroup/pids$cg/pids.max")" 17
	run -0 cleat update "$ID" --pids-limit=18
	assert_equal "$(cat "/sys/fs/cgroup/pids$cg/pids.max")" 18
	# exec keeps its trailing words for the process.
	run -0 cleat exec "$ID" echo -d --tty
	assert_output "-d --tty"
	# Unknown flags after the id stay operands, as with runc; -- ends the reordering.
	run -1 cleat state "$ID" --bogus
	assert_output 'cleat: "state" requires exactly 1 argument(s)'
	run -1 cleat delete "$ID" -- --force
	assert_output 'cleat: "delete" requires exactly 1 argument(s)'
	run -0 cleat state "$ID" -h
	assert_output --partial "cleat state <container-id>"
	run -0 cleat kill "$ID" KILL --all
	wait_for_container "$ID" stopped
	run -0 cleat delete "$ID" -f
	run -1 cleat state "$ID"
	assert_output "cleat: container does not exist"
	run -0 cleat delete nosuch --force
	# create and start likewise.
	run -0 detached cleat create "$ID" --bundle "$BUNDLE"
	run -0 cleat start "$ID" --
	wait_for_container "$ID" running
}

@test "cli: every runc command answers -h and --help with its usage, exit 0; checkpoint/restore are refused" {
	local v
	for v in checkpoint create delete events exec kill list pause ps restore resume run spec start state update features; do
		run -0 "$RUNC" "$v" -h
		run -0 "$CLEAT" "$v" -h
		assert_line --partial "cleat $v"
		run -0 "$CLEAT" "$v" --help
		assert_line --partial "cleat $v"
	done
	run -0 "$CLEAT" help checkpoint
	assert_line --partial "cleat checkpoint <container-id>"
	run -1 cleat checkpoint --image-path "$BUNDLE/img" "$ID"
	assert_output "cleat: checkpoint/restore is not supported by cleat"
	run -1 cleat restore --image-path "$BUNDLE/img" "$ID"
	assert_output "cleat: checkpoint/restore is not supported by cleat"
	[ ! -e "$ROOT/$ID" ]
}
