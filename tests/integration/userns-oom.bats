#!/usr/bin/env bats
# oomScoreAdj with a user namespace. Inside a user namespace that does not map host root, a
# non-dumpable process cannot open its own /proc/self/oom_score_adj (the file then belongs to
# host root): cleat sets the score before entering the namespace, and the container's
# process inherits it, as runc does. containerd's CRI sets oomScoreAdj on every container, so
# a pod with a user namespace (critest2.bats' UserNamespaces specs) failed to start.

load helpers

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle
	ID=$(container_id usernsoom)
}

teardown() {
	cleat delete -f "$ID" >/dev/null 2>&1
	teardown_bundle
}

userns_oom_config() {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .process.oomScoreAdj = $adj' --argjson adj "$1"
	chown -R 100000:100000 "$BUNDLE/rootfs"
}

@test "userns-oom: the init in a new user namespace gets oomScoreAdj" {
	userns_oom_config 321
	update_config '.process.args = ["cat", "/proc/self/oom_score_adj"]'
	run -0 cleat run "$ID"
	assert_output 321
}

@test "userns-oom: the current score (what CRI asks with restrict_oom_score_adj) is accepted too" {
	userns_oom_config "$(cat /proc/self/oom_score_adj)"
	update_config '.process.args = ["true"]'
	run -0 cleat run "$ID"
}

@test "userns-oom: exec into a user-namespaced container gets its oomScoreAdj" {
	userns_oom_config 200
	update_config '.process.args = ["sleep", "1000"]'
	cleat run -d "$ID" </dev/null >/dev/null 2>&1 3>&-
	jq '.process | .args = ["cat", "/proc/self/oom_score_adj"] | .oomScoreAdj = 654' \
		"$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/process.json"
	run -0 cleat exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	assert_output 654
}
