#!/usr/bin/env bats
# process.apparmorProfile, process.selinuxLabel, linux.mountLabel.
#
# On a host without the LSM, asking for a label is an error for runc ("apparmor failed to
# apply profile", "selinux label is specified in config, but selinux is disabled or not
# supported") and for crun; cleat fails the same way rather than run the container
# unconfined. A mountLabel alone is ignored without SELinux, as runc does.
# AppArmor itself (a loaded profile enforced in the container, exec --apparmor, against
# runc) is tested in a VM booted with it: tests/integration/lsm-vm/run.sh.

load helpers

bats_require_minimum_version 1.5.0

setup() {
	require_root
	require_binary "$CLEAT"
	setup_bundle
	update_config '.process.args = ["true"]'
}

teardown() {
	teardown_bundle
}

apparmor_enabled() {
	[ -e /sys/kernel/security/apparmor ] &&
		grep -q '^Y' /sys/module/apparmor/parameters/enabled 2>/dev/null
}

selinux_enabled() {
	[ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" = selinuxfs ]
}

@test "lsm: apparmorProfile without AppArmor fails for runc and for cleat, with a clear error" {
	apparmor_enabled && skip "AppArmor is enabled on this host: the profile would load"
	update_config '.process.apparmorProfile = "cleat-test-profile"'
	local id
	id=$(container_id)
	run ! runc_ run "$(container_id runc)"
	run --separate-stderr cleat run "$id"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" 'apparmor profile "cleat-test-profile"'
	assert_contains "$stderr" "AppArmor is not enabled"
	run ! cleat state "$id"
}

@test "lsm: selinuxLabel without SELinux fails for runc and for cleat, with a clear error" {
	selinux_enabled && skip "SELinux is enabled on this host: the label would apply"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
	local id
	id=$(container_id)
	run ! runc_ run "$(container_id runc)"
	run --separate-stderr cleat run "$id"
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "selinux label is specified in config, but selinux is disabled or not supported"
	run ! cleat state "$id"
}

@test "lsm: exec --apparmor / --process-label without the LSM fail too" {
	apparmor_enabled && skip "AppArmor is enabled on this host"
	selinux_enabled && skip "SELinux is enabled on this host"
	local id
	id=$(container_id)
	update_config '.process.args = ["sleep", "1000"]'
	run -0 detached cleat run -d "$id"
	run --separate-stderr cleat exec --apparmor cleat-test-profile "$id" true
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "AppArmor is not enabled"
	run --separate-stderr cleat exec --process-label "system_u:system_r:container_t:s0" "$id" true
	assert [ "$status" -ne 0 ]
	assert_contains "$stderr" "selinux"
	run -0 cleat exec "$id" true
}

@test "lsm: mountLabel alone is ignored without SELinux" {
	# runc 1.1 passes context="..." to every mount regardless and fails with EINVAL
	# ("mount tmpfs:/dev ... context=...: invalid argument"); go-selinux, crun and the
	# spec's "when SELinux is enabled" leave it out, so does cleat.
	selinux_enabled && skip "SELinux is enabled on this host: the label would apply"
	update_config '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"
		| .process.args = ["sh", "-c", "grep -c context= /proc/self/mountinfo; true"]'
	run -0 cleat run "$(container_id)"
	assert_output 0
}

@test "lsm: empty labels mean no label" {
	update_config '.process.apparmorProfile = "" | .process.selinuxLabel = ""'
	run -0 cleat run "$(container_id)"
}

@test "lsm: the AppArmor profile is written to the exec attribute when AppArmor runs" {
	apparmor_enabled || skip "this kernel runs no AppArmor (lsm-vm/run.sh boots one that does)"
	update_config '.process.apparmorProfile = "unconfined" | .process.args = ["cat", "/proc/self/attr/current"]'
	run -0 cleat run "$(container_id)"
	assert_output --partial unconfined
}
