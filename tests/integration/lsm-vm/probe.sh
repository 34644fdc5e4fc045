#!/bin/sh
# Runs inside the test containers (lsm-test.sh): what the process's AppArmor
# confinement is and what it lets through, as key=value lines (the same for
# cleat and runc, so their outputs compare whole).
printf 'current=%s\n' "$(cat /proc/self/attr/current 2>&1)"
printf 'apparmor/current=%s\n' "$(cat /proc/self/attr/apparmor/current 2>&1)"
try() { # KEY COMMAND...
	key=$1
	shift
	if out=$("$@" 2>&1); then echo "$key=ok"; else echo "$key=failed: $out"; fi
}
try write-deny sh -c 'echo x > /tmp/deny-probe'
try write-allow sh -c 'echo x > /tmp/allow-probe'
try read-secret cat /etc/cleat-secret
