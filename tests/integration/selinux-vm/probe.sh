#!/bin/sh
# Runs inside the test containers (selinux-test.sh): the process's SELinux label,
# the labels of the container's /dev mounts, /proc and /sys, a masked directory,
# /tmp and /mnt (a tmpfs and a bind in some bundles), and of its session
# keyring, as key=value lines (the same for cleat and runc, so they compare whole).
printf 'current=%s\n' "$(tr -d '\000' </proc/self/attr/current 2>&1)"
printf 'exec=%s\n' "$(tr -d '\000' </proc/self/attr/exec 2>&1)"
sehelper filecon /dev /dev/shm /dev/mqueue /dev/pts /proc /sys /sys/firmware /tmp /mnt
sehelper keycon
