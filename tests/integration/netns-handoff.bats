#!/usr/bin/env bats
# The new network namespace is made after the clone (linux/netns_handoff.h): without a user
# namespace the setup helper clones the container process first, then makes the network
# namespace and brings lo up in it while the container process makes its first mounts,
# and hands it over.  The container process must be in it before anything can depend on
# it: a sysfs mount (whose class/net is the mounter's namespace's), a bind of a /proc
# path, a hook, the runtime looking at the pid.  Each test runs in the host's cgroup view
# (a hybrid or cgroup2 host: the container process is cloned into its cgroup) and in the
# pure v1 view (the early clone), compared with runc where runc can run.

load helpers

setup() {
	require_root
	setup_bundle true
	ID=$(container_id nh)
	MARK=CLEAT_NETNS_MARK=$ID
}

teardown() {
	local p
	for p in $(marked_pids); do kill -KILL "$p" 2>/dev/null || true; done
	teardown_bundle
}

# cleat_in VIEW ARG...: cleat in the host's cgroup view (host), or where the hybrid unified
# mount is hidden (v1: the early clone), with $MARK in its environment.
cleat_in() {
	local view=$1
	shift
	if [ "$view" = v1 ]; then
		env "$MARK" unshare -m --propagation private sh -c \
			'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' cleat_v1 \
			"$CLEAT" --root "$ROOT" "$@"
	else
		env "$MARK" "$CLEAT" --root "$ROOT" "$@"
	fi
}

# marked_pids: processes carrying $MARK in their environment.
marked_pids() {
	grep -lsz -- "^$MARK\$" /proc/[0-9]*/environ | cut -d/ -f3
}

# views: host, and v1 where cgroup v1 hierarchies are mounted.
views() {
	echo host
	grep -qw cgroup /proc/self/mounts && echo v1
	return 0
}

@test "netns handoff: sysfs mounted first shows the container's network namespace (lo only, up)" {
	# The sysfs entry before /proc and /dev: the container process has made no other mount
	# when it needs the namespace.
	update_config '.mounts = ([.mounts[] | select(.destination == "/sys")] +
		[.mounts[] | select(.destination != "/sys")])'
	set_args sh -c 'ls /sys/class/net; cat /sys/class/net/lo/flags; cat /sys/class/net/lo/operstate'
	local view
	for view in $(views); do
		run -0 cleat_in "$view" run "$ID-$view"
		assert_output "lo
0x9
unknown"
	done
	both_run
	assert_same 0
}

@test "netns handoff: a bind of /proc/self/ns/net binds the container's network namespace" {
	touch rootfs/netns
	update_config '.mounts += [{destination: "/netns", type: "bind", source: "/proc/self/ns/net",
		options: ["bind"]}]'
	set_args sh -c '[ "$(stat -Lc %i /netns)" = "$(stat -Lc %i /proc/self/ns/net)" ] && echo same'
	local view
	for view in $(views); do
		run -0 cleat_in "$view" run "$ID-$view"
		assert_output "same"
	done
	both_run
	assert_same 0
}

@test "netns handoff: a createRuntime hook finds the container process in its new network namespace" {
	local host
	host=$(readlink /proc/self/ns/net)
	cat >"$BUNDLE/hook.sh" <<-EOF
		#!/bin/sh
		pid=\$(jq -r .pid)
		readlink /proc/\$pid/ns/net >"$BUNDLE/hook.out"
	EOF
	chmod 755 "$BUNDLE/hook.sh"
	update_config '.hooks.createRuntime = [{path: $p}]' --arg p "$BUNDLE/hook.sh"
	set_args readlink /proc/self/ns/net
	local view own
	for view in $(views); do
		rm -f "$BUNDLE/hook.out"
		run -0 cleat_in "$view" run "$ID-$view"
		own=$output
		[ "$own" != "$host" ] || fail "the container ran in the host's network namespace"
		# The hook saw the container's namespace, the one its program ran in.
		run -0 cat "$BUNDLE/hook.out"
		assert_output "$own"
	done
}

@test "netns handoff: a network namespace the kernel refuses fails the create with that error; nothing is left" {
	# A seccomp filter on cleat and all it starts: unshare with CLONE_NEWNET fails with
	# ENOSPC, as when user.max_net_namespaces is reached (which root cannot lower here
	# without CAP_SYS_RESOURCE).
	local deny=$BATS_FILE_TMPDIR/deny-newnet
	[ -x "$deny" ] || cc -O2 -Wall -Wextra -o "$deny" "$HELPERS_SRC/deny-newnet.c" -lseccomp ||
		fail "cannot build the seccomp wrapper"
	update_config '.process.args = ["sleep", "100"]'
	local view
	for view in $(views); do
		if [ "$view" = v1 ]; then
			run env "$MARK" unshare -m --propagation private sh -c \
				'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' cleat_v1 \
				"$deny" "$CLEAT" --root "$ROOT" create "$ID-$view"
		else
			run env "$MARK" "$deny" "$CLEAT" --root "$ROOT" create "$ID-$view"
		fi
		assert_failure
		assert_output --partial "unshare network namespace: No space left on device"
		[ ! -e "$ROOT/$ID-$view" ] || fail "state directory left: $(ls -A "$ROOT/$ID-$view")"
		run marked_pids
		assert_output ""
		run grep -F "$BUNDLE" /proc/self/mountinfo
		assert_output ""
		run -0 cleat_in "$view" list -q
		assert_output ""
	done
}
