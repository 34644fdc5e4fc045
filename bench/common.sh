# Sourced by the bench scripts.

# bench_args SCRIPT USAGE FIRST_ARG [NAME VALUE]...: -h or --help as FIRST_ARG prints USAGE
# and exits 0; every VALUE must be a positive integer, else USAGE and exit 2.
bench_args() {
	local script=$1 usage=$2
	case "$3" in -h | --help)
		echo "$usage"
		exit 0
		;;
	esac
	shift 3
	while [ $# -ge 2 ]; do
		if ! [[ $2 =~ ^[1-9][0-9]*$ ]]; then
			printf '%s: %s must be a positive integer, got "%s"\n%s\n' \
				"$script" "$1" "$2" "$usage" >&2
			exit 2
		fi
		shift 2
	done
}

# bench_reread PROGRAM...: each program's file (a path, or a name on PATH) written back,
# dropped from the page cache and read again, so that every binary in a comparison is
# mapped from what a read from disk leaves there, as an installed one is.  A file just
# written (a fresh link of cleat in the build directory, say) execs slower here until
# then: 0.05-0.2 ms more per exec, measured with the same binary in both states.
bench_reread() {
	local f
	for f in "$@"; do
		f=$(command -v "$f") && f=$(readlink -f "$f") || continue
		sync "$f" 2>/dev/null || true
		dd if="$f" iflag=nocache count=0 status=none 2>/dev/null || true
		cat "$f" >/dev/null
	done
}

# bench_ratio A B: A / B with three decimals.
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

# bench_stats FILE: mean and median in ms of FILE's times in microseconds (one a line).
bench_stats() {
	sort -n "$1" | awk '{ v[NR] = $1; s += $1 }
		END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		      printf "%.1f %.1f\n", s / NR / 1000, m / 1000 }'
}

# bench_capture_prologue SCRIPT: what the capture scripts share: refuse to run as anyone
# but root, then source the test suite's helpers.bash for its daemon helpers (start and
# stop by PID, own directories and sockets). helpers.bash expects bats, whose
# bats_require_minimum_version and load those helpers need neither of.
bench_capture_prologue() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$1: run as root" >&2
		exit 1
	fi
	bats_require_minimum_version() { :; }
	load() { :; }
	# shellcheck source=../tests/integration/helpers.bash
	source "$SRC/tests/integration/helpers.bash"
}

# bench_capture_runtime FILE SAVE: write FILE, a runtime for a daemon to call instead of
# runc: it takes runc's command line, finds the bundle (`--bundle DIR`/`-b DIR`, else the
# cwd), runs the bash lines SAVE (with $bundle set) when the command is `create`, then execs
# runc with the same arguments.
bench_capture_runtime() {
	cat >"$1" <<WRAPPER
#!/bin/bash
bundle=.
create=0
prev=
for a in "\$@"; do
	case \$prev in --bundle | -b) bundle=\$a ;; esac
	[ "\$a" = create ] && create=1
	prev=\$a
done
if [ \$create = 1 ]; then
$2
fi
exec runc "\$@"
WRAPPER
	chmod 755 "$1"
}

# bench_docker_bundle CAPTURE ROOTFS FILES BUNDLE: BUNDLE/config.json, docker's captured
# config (capture-docker-config.sh) on ROOTFS running /bin/true, with files of our own in
# FILES for its three bind mounts (resolv.conf, hostname, hosts), without docker's
# libnetwork-setkey prestart hook (it calls back into a dockerd that is gone) and without
# its cgroupsPath (each runtime makes its default cgroup /<id>).
bench_docker_bundle() {
	mkdir -p "$3" "$4"
	echo nameserver 127.0.0.1 >"$3/resolv.conf"
	echo bench >"$3/hostname"
	echo 127.0.0.1 localhost >"$3/hosts"
	jq --arg root "$2" --arg files "$3" '
		.root.path = $root | .process.args = ["/bin/true"] | del(.hooks) |
		del(.linux.cgroupsPath) |
		.mounts |= map(if (.destination | test("^/etc/(resolv.conf|hostname|hosts)$"))
			then .source = $files + "/" + (.destination | ltrimstr("/etc/")) else . end)' \
		"$1" >"$4/config.json"
}
