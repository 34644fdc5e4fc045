#!/usr/bin/env bats
# Checkpoint/restore through containerd 1.6 (ctr) and dockerd 20.10 with the cleat shim, with
# cleat under containerd-shim-runc-v2, and with runc-v2 + runc as the baseline, in a qemu VM
# on Debian's 6.1 kernel where criu 3.17 works (tests/integration/criu-daemons-vm/run.sh;
# this host's kernel may be one criu cannot handle: shim-checkpoint.bats covers that).
# Slow (a systemd boot under software emulation): CLEAT_SKIP_CRIU_VM=1 leaves it out.

load helpers

@test "criu-daemons-vm: ctr and docker checkpoint/restore in the VM (guest TAP below)" {
	[ "${CLEAT_SKIP_CRIU_VM:-0}" = 1 ] && skip "CLEAT_SKIP_CRIU_VM=1"
	require_binary "$CLEAT"
	require_binary "$SHIM"
	run env CLEAT="$CLEAT" SHIM="$SHIM" timeout --kill-after=30 1500 \
		"$INTEGRATION_DIR/criu-daemons-vm/run.sh"
	# The guest's TAP, indented so bats reports it as diagnostics.
	printf '# %s\n' "${lines[@]}" >&3
	if [[ "$output" == "1..0 # SKIP"* ]]; then
		skip "${output#1..0 # SKIP }"
	fi
	[ "$status" -eq 0 ]
}
