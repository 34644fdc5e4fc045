#!/usr/bin/env bats
# The shared test plumbing itself, exercised with runc (the reference) so a broken helper is
# told apart from a broken cleat.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "plumbing: test rootfs has busybox, users and the pause helper" {
	assert [ -x "$BUNDLE/rootfs/bin/busybox" ]
	assert [ -L "$BUNDLE/rootfs/bin/sh" ]
	assert [ -x "$BUNDLE/rootfs/bin/pause" ]
	run -0 grep -x 'user:x:1000:1000:test user:/home/user:/bin/sh' "$BUNDLE/rootfs/etc/passwd"
	run -0 grep -x 'extra:x:1001:user' "$BUNDLE/rootfs/etc/group"
	run -0 jq -c '[.process.args, .process.terminal, .root.path]' "$BUNDLE/config.json"
	assert_output '[["sh"],false,"rootfs"]'
}

@test "plumbing: setup_bundle args and update_config with jq arguments" {
	teardown_bundle
	setup_bundle echo "a b"
	run -0 jq -c .process.args config.json
	assert_output '["echo","a b"]'
	update_config '.hostname = $h' --arg h plumbing
	run -0 jq -r .hostname config.json
	assert_output plumbing
}

@test "plumbing: runc_ runs the bundle and wait_for_container sees it" {
	local id
	id=$(container_id)
	update_config '.process.args = ["sleep", "100"]'
	run -0 detached runc_ run -d "$id"
	wait_for_container -r runc_ "$id" running
	run -0 runc_ exec "$id" id -un
	assert_output root
	run -0 runc_ kill "$id" KILL
	wait_for_container -r runc_ "$id" stopped
}

@test "plumbing: teardown_bundle removes a running container and its mounts" {
	local id b
	id=$(container_id)
	mkdir "$BUNDLE/leftover" && mount -t tmpfs none "$BUNDLE/leftover"
	update_config '.process.args = ["sleep", "100"]'
	run -0 detached runc_ run -d "$id"
	b=$BUNDLE
	teardown_bundle
	assert [ ! -e "$b" ]
	run ! grep -F "$b" /proc/self/mountinfo
	# runc's delete --force ran: its default cgroup /<id> is gone from every hierarchy.
	run ! compgen -G "/sys/fs/cgroup/*/$id"
	setup_bundle
}

@test "plumbing: teardown_bundle deletes running cleat and crun containers too" {
	require_binary "$CLEAT"
	local a c
	a=$(container_id cleat)
	c=$(container_id crun)
	update_config '.process.args = ["sleep", "100"]'
	run -0 detached cleat run -d "$a"
	run -0 detached crun_ run -d "$c"
	local pa pc
	pa=$(cleat state "$a" | jq .pid)
	pc=$(crun_ state "$c" | jq .pid)
	assert [ "$pa" -gt 1 ]
	assert [ "$pc" -gt 1 ]
	teardown_bundle
	run ! compgen -G "/sys/fs/cgroup/*/$a"
	run ! compgen -G "/sys/fs/cgroup/*/$c"
	# Gone, or a zombie waiting for whoever reaps orphans here.
	run ! grep -qv '^State:.*Z' <(grep ^State: "/proc/$pa/status" 2>/dev/null)
	run ! grep -qv '^State:.*Z' <(grep ^State: "/proc/$pc/status" 2>/dev/null)
	setup_bundle
}

@test "plumbing: crun_ runs in the pure-v1 view" {
	skip_unless_cmd "$CRUN"
	update_config '.process.args = ["echo", "from crun"]'
	run -0 crun_ run "$(container_id)"
	assert_output "from crun"
}
