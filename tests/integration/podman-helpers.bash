# shellcheck shell=bash
# podman of our own for tests and bench/podman-bench.sh: every call gets its own --root,
# --runroot, --tmpdir, cgroupfs, file events and a containers.conf built from
# contrib/podman/cleat.conf (cleat registered by path) plus limits this machine allows.
# Images come from the locally built test image; nothing is ever pulled.
#
#   start_podman            PM_DIR, PM_CONF, PM_STORAGE_CONF; test image loaded
#   pm ARG...               podman with the isolation flags (add --runtime RT yourself)
#   stop_podman             remove containers and pods, kill what is left, unmount, delete

# The infra image of `podman pod`: the test rootfs with /bin/pause as its entrypoint,
# imported locally; containers.conf names it so podman never pulls its default one.
PM_PAUSE_IMAGE=localhost/cleat-pause:test

# pm_limits: the default_ulimits line. podman's default nofile and nproc limits are
# above the hard limits here when root lacks CAP_SYS_RESOURCE, and every runtime then
# fails setrlimit, so the defaults are small ones below any hard limit a test machine has.
pm_limits() {
	local nofile=1024 nproc=4096 h
	h=$(ulimit -Hn)
	[ "$h" = unlimited ] || [ "$h" -ge "$nofile" ] || nofile=$h
	h=$(ulimit -Hu)
	[ "$h" = unlimited ] || [ "$h" -ge "$nproc" ] || nproc=$h
	echo "default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]"
}

# pm_write_conf DIR CLEAT_PATH [AUTO_USERNS_USER]: DIR/containers.conf and DIR/storage.conf.
pm_write_conf() {
	local dir=$1 cleat=$2 auto_user=${3:-}
	{
		echo "[containers]"
		pm_limits
		echo "[engine]"
		echo "cgroup_manager = \"cgroupfs\""
		echo "events_logger = \"file\""
		echo "infra_image = \"$PM_PAUSE_IMAGE\""
		echo "infra_command = \"/bin/pause\""
		# The contrib snippet with the runtime path under test first.
		sed -e "s#^cleat = \\[#cleat = [\"$cleat\",#" "$SRCDIR/contrib/podman/cleat.conf"
	} >"$dir/containers.conf"
	{
		echo "[storage]"
		echo "driver = \"overlay\""
		echo "runroot = \"$dir/runroot\""
		echo "graphroot = \"$dir/root\""
		if [ -n "$auto_user" ]; then
			echo "[storage.options]"
			echo "root-auto-userns-user = \"$auto_user\""
		fi
	} >"$dir/storage.conf"
}

# pm_write_wrapper DIR [USER]: DIR/podman, podman with DIR's configuration, storage and
# isolation flags (as USER, with XDG_RUNTIME_DIR=DIR/xdg, when given): a plain command,
# so script(1) and timeout can run it.
pm_write_wrapper() {
	local dir=$1 user=${2:-} pre=
	if [ -n "$user" ]; then
		pre="setpriv --reuid=$(id -u "$user") --regid=$(id -g "$user") --init-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=$dir/home XDG_RUNTIME_DIR=$dir/xdg"
	fi
	cat >"$dir/podman" <<-EOF
		#!/bin/sh
		exec $pre env CONTAINERS_CONF=$dir/containers.conf CONTAINERS_STORAGE_CONF=$dir/storage.conf \\
			podman --root $dir/root --runroot $dir/runroot --tmpdir $dir/tmp \\
			--cgroup-manager cgroupfs --events-backend file "\$@"
	EOF
	chmod 755 "$dir/podman"
}

# pm_in DIR ARG...: DIR's podman (fd 3, bats's, closed: conmon outlives the call).
pm_in() {
	local dir=$1
	shift
	"$dir/podman" "$@" 3>&-
}

pm() {
	pm_in "$PM_DIR" "$@"
}

# pm_load_images DIR: the busybox test image and the pause image, from local tarballs.
pm_load_images() {
	local dir=$1
	pm_in "$dir" load -q -i "$TEST_IMAGE_OCI_TAR" >/dev/null || return 1
	pm_in "$dir" import -q --change 'ENTRYPOINT ["/bin/pause"]' "$TEST_IMAGE_DOCKER_TAR" \
		"$PM_PAUSE_IMAGE" >/dev/null || return 1
}

# start_podman [AUTO_USERNS_USER]: a fresh PM_DIR with configuration and the images.
start_podman() {
	ensure_test_image || return 1
	PM_DIR=$(mktemp -d /tmp/cleat-podman.XXXXXX)
	chmod 755 "$PM_DIR"
	mkdir -p "$PM_DIR/tmp"
	pm_write_conf "$PM_DIR" "$CLEAT" "${1:-}"
	pm_write_wrapper "$PM_DIR"
	export PM_DIR
	pm_load_images "$PM_DIR"
}

# pm_cleanup DIR: remove every container and pod of DIR's podman (as the user DIR/podman
# runs as), kill what holds DIR (conmon, a rootless pause process), unmount, delete DIR.
pm_cleanup() {
	local dir=$1 pid
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	if [ -x "$dir/podman" ]; then
		timeout 60 "$dir/podman" pod rm -af -t 0 </dev/null >/dev/null 2>&1 3>&- || true
		timeout 60 "$dir/podman" rm -af -t 0 </dev/null >/dev/null 2>&1 3>&- || true
	fi
	# conmon carries DIR in its arguments; rootless podman's pause process holds the
	# user namespace and its mounts and records its pid under --tmpdir.
	kill_pids_with_arg "$dir/"
	for pid in $(cat "$dir"/tmp/pause.pid "$dir"/rl/tmp/pause.pid 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	remove_tree "$dir"
}

stop_podman() {
	pm_cleanup "${PM_DIR:-}"
	unset PM_DIR
}

# pm_rmdir_cgroups NAME...: remove what podman leaves below its cgroupfs parent
# (/libpod_parent/NAME): a pod's conmon directory survives `pod rm` with runc as with cleat
# where /sys/fs/cgroup/CONTROLLER is a plain directory of the tmpfs rather than a cgroup
# hierarchy (podman then made ordinary directories and files there). Cgroups are removed
# deepest first, busy ones stay; tmpfs leftovers are deleted.
pm_rmdir_cgroups() {
	local n d
	for n in "$@"; do
		[ -n "$n" ] || continue
		for d in /sys/fs/cgroup/*/libpod_parent/"$n"; do
			[ -d "$d" ] || continue
			if [ "$(stat -f -c %T "$d")" = tmpfs ]; then
				rm -rf --one-file-system "$d"
			else
				find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
			fi
		done
	done
}

# pm_cleanup_cgroups POD-ID...: the pods' leftovers, then podman's shared conmon cgroup and
# /libpod_parent itself when nothing uses them any more.
pm_cleanup_cgroups() {
	local d
	pm_rmdir_cgroups "$@" conmon
	for d in /sys/fs/cgroup/*/libpod_parent; do
		[ -d "$d" ] || continue
		if [ "$(stat -f -c %T "$d")" != tmpfs ]; then
			rmdir "$d" 2>/dev/null || true
		elif [ -z "$(find "$d" -mindepth 1 -type d -print -quit)" ]; then
			rm -rf --one-file-system "$d"
		fi
	done
}
