#!/usr/bin/env bats
# OCI hooks: order of the six phases, the state on stdin, args/env, timeout, failure
# semantics. Differential with runc 1.5 (the pinned peer: hook semantics changed since
# Debian's runc 1.1) for order and state; those comparisons skip, with the reason, when the
# peer cannot be built.

load helpers
load peers/peers

bats_require_minimum_version 1.5.0

# A hook that appends "<phase> <status of the state on stdin> <pid>0?" to a log.
# $0 is the phase (args[3]), $1 the log path.
HOOK_SCRIPT='read -r s; st=$(echo "$s" | sed -n "s/.*\"status\":\"\([a-z]*\)\".*/\1/p"); pid=$(echo "$s" | sed -n "s/.*\"pid\":\([0-9]*\).*/\1/p"); id=$(echo "$s" | sed -n "s/.*\"id\":\"\([^\"]*\)\".*/\1/p"); echo "$0 $st pid:${pid:+yes} id:$id" >> "$1"'

setup_file() {
	peers_setup_file
}

setup() {
	require_root
	require_binary "$CLEAT"
	use_runc15
	setup_bundle
	mkdir "$BUNDLE/hooklog"
	chmod 777 "$BUNDLE/hooklog"
}

teardown() {
	teardown_bundle
}

# hook PHASE LOG: the JSON of a hook recording PHASE into LOG.
hook() {
	jq -nc --arg s "$HOOK_SCRIPT" --arg p "$1" --arg l "$2" \
		'{path: "/bin/sh", args: ["sh", "-c", $s, $p, $l]}'
}

# all_hooks: one recording hook per phase. startContainer runs inside the container (its
# path resolves there), so it logs to the bind mount /hooklog.
all_hooks() {
	local host=$BUNDLE/hooklog/log
	update_config ".mounts += [{destination: \"/hooklog\", type: \"bind\", source: \"$BUNDLE/hooklog\", options: [\"rbind\", \"rw\"]}]
		| .hooks = {prestart: [$(hook prestart "$host")],
			createRuntime: [$(hook createRuntime "$host")],
			createContainer: [$(hook createContainer "$host")],
			startContainer: [$(hook startContainer /hooklog/log)],
			poststart: [$(hook poststart "$host")],
			poststop: [$(hook poststop "$host")]}"
}

@test "hooks: all six phases run in order with the state runc 1.5.3 gives" {
	[ -z "$RUNC_REF_SKIP" ] || skip "$RUNC_REF_SKIP"
	all_hooks
	update_config '.process.args = ["true"]'
	local id
	id=$(container_id runc)
	run -0 --separate-stderr runc_ run "$id"
	local want
	# runc runs poststart in the parent while its init runs startContainer: their order
	# is a race there, so only the create-time part is compared line by line.
	want=$(sed "s/id:$id\$/id:ID/" "$BUNDLE/hooklog/log" | head -n3)
	rm "$BUNDLE/hooklog/log"

	id=$(container_id cleat)
	run -0 cleat run "$id"
	run -0 sed "s/id:$id\$/id:ID/" "$BUNDLE/hooklog/log"
	assert [ "${#lines[@]}" -eq 6 ]
	assert [ "$(printf '%s\n' "${lines[@]:0:3}")" = "$want" ]
	assert_line --index 0 'prestart creating pid:yes id:ID'
	assert_line --index 1 'createRuntime creating pid:yes id:ID'
	assert_line --index 2 'createContainer creating pid:yes id:ID'
	# startContainer (in the init, right before its execve) and poststart (in `start`,
	# once the init is released) race in runc too, so their order is not asserted.
	assert_line 'startContainer created pid:yes id:ID'
	assert_line 'poststart running pid:yes id:ID'
	# As runc: the state of a stopped container has no pid.
	assert_line --index 5 'poststop stopped pid: id:ID'
}

@test "hooks: create/start/delete run each phase at its step" {
	all_hooks
	update_config '.process.args = ["sleep", "1000"]'
	local id log=$BUNDLE/hooklog/log
	id=$(container_id)
	run -0 detached cleat create "$id"
	run -0 cut -d' ' -f1 "$log"
	assert_output "$(printf 'prestart\ncreateRuntime\ncreateContainer')"
	run -0 cleat start "$id"
	# startContainer runs in the init, which may still be on its way to execve.
	retry 50 0.1 sh -c "[ \$(wc -l <'$log') -ge 5 ]"
	run -0 sh -c "cut -d' ' -f1 '$log' | tail -n2 | sort"
	assert_output "$(printf 'poststart\nstartContainer')"
	run -0 cleat kill "$id" KILL
	wait_for_container "$id" stopped
	run -0 cleat delete "$id"
	run -0 tail -n1 "$log"
	assert_output --regexp "^poststop stopped pid:(yes)? id:$id\$"
}

@test "hooks: args (args[0] is argv[0]) and env reach the hook; absent env is empty" {
	local out=$BUNDLE/hooklog/out
	update_config '.hooks.prestart = [
		{path: "/bin/sh", args: ["my-argv0", "-c", "echo \"$(head -c 8 /proc/$$/cmdline) $0 [$HOOKVAR] [${HOME:-}]\" >> \($o)", "arg1"], env: ["HOOKVAR=v1"]},
		{path: "/bin/sh", args: ["sh", "-c", "echo \"[${HOOKVAR:-}][$(wc -c < /proc/$$/environ)]\" >> \($o)"]}]
		| .process.args = ["true"]' --arg o "$out"
	run -0 cleat run "$(container_id)"
	run -0 cat "$out"
	assert_line --index 0 "my-argv0 arg1 [v1] []"
	# Not one byte of the runtime's environment leaks in.
	assert_line --index 1 "[][0]"
}

@test "hooks: a hook past its timeout is killed and the create fails, leaving nothing" {
	local id
	id=$(container_id)
	update_config '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "sleep 30"], timeout: 1}]'
	SECONDS=0
	run --separate-stderr cleat run "$id"
	assert [ "$status" -ne 0 ]
	assert [ "$SECONDS" -lt 10 ]
	assert_contains "$stderr" "createRuntime"
	assert_contains "$stderr" "timed out"
	run ! cleat state "$id"
	run -0 cleat list -q
	assert_output ""
	run ! ls -d /sys/fs/cgroup/pids/"$id" /sys/fs/cgroup/memory/"$id"
	# No sleep left from the killed hook.
	run ! pgrep -f "sh -c sleep 30"
}

@test "hooks: a startContainer hook without env gets the process's environment, like runc" {
	# Runs inside the container: its log goes to the bind-mounted /hooklog.
	update_config '.mounts += [{destination: "/hooklog", type: "bind", source: $d, options: ["rbind", "rw"]}]
		| .process.env = ["ONE=two", "PATH=/bin:/usr/bin"]
		| .process.args = ["true"]
		| .hooks.startContainer = [
			{path: "/bin/sh", args: ["sh", "-c", "echo \"[${ONE:-}][${HOME:-}]\" >> /hooklog/env"]},
			{path: "/bin/sh", args: ["sh", "-c", "echo \"[${ONE:-}][${X:-}]\" >> /hooklog/env"], env: ["X=y"]}]' \
		--arg d "$BUNDLE/hooklog"
	run -0 cleat run "$(container_id)"
	run -0 cat "$BUNDLE/hooklog/env"
	assert_line --index 0 "[two][/root]"
	# A hook with its own env gets that one only.
	assert_line --index 1 "[][y]"
}

@test "hooks: a failing hook is reported with runc's 'error running <phase> hook #<i>:'" {
	update_config '.hooks.createRuntime = [{path: "/bin/true"}, {path: "/bin/false"}]'
	run ! cleat run "$(container_id)"
	assert_output --partial "error running createRuntime hook #1: \"/bin/false\": exit status 1"
}

@test "hooks: a failing createRuntime hook aborts the create and leaves nothing behind" {
	local id
	id=$(container_id)
	update_config '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "echo hook-said-no >&2; exit 7"]}]
		| .process.args = ["sleep", "1000"]'
	run --separate-stderr cleat create "$id"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "createRuntime"
	assert_contains "$stderr" "/bin/sh"
	assert_contains "$stderr" "hook-said-no"
	run ! cleat state "$id"
	assert [ ! -e "$ROOT/$id" ]
	run ! ls -d /sys/fs/cgroup/pids/"$id" /sys/fs/cgroup/memory/"$id"
	run ! pgrep -f "cleat.*$id"
}

@test "hooks: failing prestart and createContainer hooks abort the create" {
	local phase id
	for phase in prestart createContainer; do
		id=$(container_id)
		update_config "del(.hooks) | .hooks.$phase = [{path: \"/bin/false\"}]"
		run --separate-stderr cleat run "$id"
		[ "$status" -ne 0 ] || fail "$phase: run succeeded"
		[[ "$stderr" == *"$phase"* ]] || fail "$phase: $stderr"
		run ! cleat state "$id"
	done
}

@test "hooks: a failing startContainer hook fails the start" {
	local id
	id=$(container_id)
	update_config '.hooks.startContainer = [{path: "/bin/false"}] | .process.args = ["sh", "-c", "echo started > /tmp/ran"]'
	run --separate-stderr cleat run "$id"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "startContainer" || assert_contains "$stderr" "hook"
	assert [ ! -e "$BUNDLE/rootfs/tmp/ran" ]
}

@test "hooks: a startContainer hook killed by a signal makes run exit 255, as runc 1.5.3" {
	[ -z "$RUNC_REF_SKIP" ] || skip "$RUNC_REF_SKIP"
	update_config '.hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "kill -KILL $$"]}]
		| .process.args = ["true"]'
	# The init fails after start: runc 1.5's init exits 255 (runc 1.1's exited 1), and
	# run reports the container's status.
	run -255 --separate-stderr runc_ run "$(container_id runc)"
	run -255 --separate-stderr cleat run "$(container_id)"
	assert_contains "$stderr" "startContainer"
}

@test "hooks: a failing poststart hook fails run, stops the container, and poststop runs" {
	local id log=$BUNDLE/hooklog/log pid
	id=$(container_id)
	# The first poststart hook keeps the init's pid, the second fails.
	update_config ".hooks = {poststart: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \$p]},
				{path: \"/bin/false\"}],
			poststop: [$(hook poststop "$log")]}
		| .process.args = [\"sleep\", \"20\"]" \
		--arg p "sed -n 's/.*\"pid\":\\([0-9]*\\).*/\\1/p' > $BUNDLE/hooklog/pid"
	SECONDS=0
	run --separate-stderr cleat run "$id"
	[ "$SECONDS" -lt 15 ] || fail "run waited for the container: ${SECONDS}s"
	# runtime-spec 1.3 and runc 1.5: an error (exit 1), the container stopped and deleted.
	[ "$status" -eq 1 ] || fail "status $status: $stderr"
	[[ "$stderr" == *"error running poststart hook #1: \"/bin/false\": exit status 1"* ]] || fail "$stderr"
	run ! cleat state "$id"
	assert [ ! -e "$ROOT/$id" ]
	run -0 cat "$log"
	assert_output "poststop stopped pid: id:$id"
	pid=$(cat "$BUNDLE/hooklog/pid")
	assert [ -n "$pid" ]
	assert [ ! -e "/proc/$pid" ] || assert [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]
}

@test "hooks: a failing poststart hook fails start; the stopped container's delete runs poststop" {
	local id log=$BUNDLE/hooklog/log pid
	id=$(container_id)
	update_config ".hooks = {poststart: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"echo no >&2; exit 4\"]}],
			poststop: [$(hook poststop "$log")]}
		| .process.args = [\"sleep\", \"1000\"]"
	run -0 detached cleat create "$id"
	pid=$(cleat state "$id" | jq -r .pid)
	run --separate-stderr cleat start "$id"
	[ "$status" -eq 1 ] || fail "status $status: $stderr"
	[[ "$stderr" == *"poststart hook #0"*"exit status 4"*"stderr: no"* ]] || fail "$stderr"
	# The container was killed before start returned.
	assert [ ! -e "/proc/$pid" ] || assert [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]
	run -0 cleat state "$id"
	assert [ "$(jq -r .status <<<"$output")" = stopped ]
	assert [ ! -s "$log" ]
	run -0 cleat delete "$id"
	run -0 cat "$log"
	assert_output "poststop stopped pid: id:$id"
}

@test "hooks: a failing poststop hook is only a warning; the hooks after it still run" {
	local id log=$BUNDLE/hooklog/log
	id=$(container_id)
	update_config ".hooks.poststop = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"echo bye >&2; exit 3\"]},
			$(hook poststop-after "$log")]
		| .process.args = [\"sh\", \"-c\", \"exit 0\"]"
	run --separate-stderr cleat run "$id"
	assert [ "$status" -eq 0 ]
	[[ "$stderr" == *"poststop hook #0"*"exit status 3"*"bye"* ]] || fail "$stderr"
	run ! cleat state "$id"
	assert [ ! -e "$ROOT/$id" ]
	run -0 cat "$log"
	assert_output "poststop-after stopped pid: id:$id"
	# The same under delete.
	rm "$log"
	id=$(container_id)
	update_config '.process.args = ["true"]'
	run -0 detached cleat run -d "$id"
	wait_for_container "$id" stopped
	run --separate-stderr cleat delete "$id"
	assert [ "$status" -eq 0 ]
	assert_contains "$stderr" "poststop hook #0"
	run -0 cat "$log"
	assert_output "poststop-after stopped pid: id:$id"
	assert [ ! -e "$ROOT/$id" ]
}

@test "hooks: the hook's stdin is the state JSON with the bundle and annotations" {
	update_config '.annotations = {"org.example.k": "v"}
		| .hooks.prestart = [{path: "/bin/sh", args: ["sh", "-c", "cat > \($o)"]}]
		| .process.args = ["true"]' --arg o "$BUNDLE/hooklog/state.json"
	local id
	id=$(container_id)
	run -0 cleat run "$id"
	run -0 jq -r '[.ociVersion != null, .id, .status, (.pid > 0), .bundle, .annotations["org.example.k"]] | @tsv' "$BUNDLE/hooklog/state.json"
	assert_output "$(printf 'true\t%s\tcreating\ttrue\t%s\tv' "$id" "$BUNDLE")"
}
