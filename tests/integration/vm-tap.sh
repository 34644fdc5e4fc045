# The TAP every test VM prints on its serial console, between CLEAT-TAP-BEGIN and
# CLEAT-TAP-END, for vm-host.bash's vm_tap to collect.  Sourced by vm-guest.sh (busybox sh,
# the initramfs VMs) and by cgroupv2-vm/systemd-test.sh (bash under systemd); POSIX sh.
# TAP_TIMEOUT, when set, bounds each check to that many seconds.
n=0
echo CLEAT-TAP-BEGIN

ok() { # DESCRIPTION COMMAND...
	d=$1
	shift
	n=$((n + 1))
	if out=$(${TAP_TIMEOUT:+timeout "$TAP_TIMEOUT"} "$@" 2>&1); then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d"
		echo "$out" | sed 's/^/#   /' | head -20
	fi
}
skip() { # DESCRIPTION REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
# The plan and the end marker.
tap_end() {
	echo "1..$n"
	echo CLEAT-TAP-END
}
