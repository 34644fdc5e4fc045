# shellcheck shell=bash
# Shared plumbing for cleat's bats tests (runc's shape: `load helpers`, setup_bundle,
# update_config, `run -0 cleat state ID`, bats-assert).
#
# Typical runtime test:
#   load helpers            # from a subdirectory: load ../helpers
#   setup()    { setup_bundle; }
#   teardown() { teardown_bundle; }
#   @test "echo" {
#       update_config '.process.args = ["echo", "hi"]'
#       run -0 cleat run "$(container_id)"
#       assert_output hi
#   }
#
# Typical daemon test:
#   setup_file()    { start_containerd; import_test_image_ctr; }
#   teardown_file() { stop_containerd; }
#   @test "..." { run -0 ctr_ run --rm "$TEST_IMAGE_REF" "$(container_id)" echo hi; }
#
# Every daemon gets its own root, state and socket paths under a fresh /tmp directory, so
# several suites can run at once on one machine; daemons are stopped by the PID we started.
#
# Environment overrides: CLEAT, SHIM, CLEAT_BUILDDIR (VPATH build dir), RUNC, CRUN, CTR,
# CONTAINERD, DOCKER, DOCKERD, CLEAT_TEST_CACHE, CLEAT_TEST_SPEC (runc|cleat: which runtime's
# `spec` makes the default config.json; runc by default, as the reference),
# CLEAT_CONTAINERD_GEN (1: Debian's containerd 1.6, the default; 2: the pinned containerd 2.x
# peer, see use_containerd_generation).

bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

# Where this file lives, whatever directory the .bats file is in.
INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The source tree; the build tree defaults to it (set CLEAT_BUILDDIR for a VPATH build).
SRCDIR=$(cd "$INTEGRATION_DIR/../.." && pwd)
BUILDDIR=${CLEAT_BUILDDIR:-$SRCDIR}

# The binaries under test and the references they are compared with.
CLEAT=${CLEAT:-$BUILDDIR/cleat}
SHIM=${SHIM:-$BUILDDIR/containerd-shim-cleat-v2}
# RUNC: Debian's runc 1.1 (the reference where runc did not change since); files whose
# reference changed since 1.1 switch to the pinned runc 1.5 with use_runc15 (peers/peers.bash).
RUNC=${RUNC:-runc}
CRUN=${CRUN:-crun}
CTR=${CTR:-ctr}
CONTAINERD=${CONTAINERD:-containerd}
DOCKERD=${DOCKERD:-dockerd}
# Debian's docker client matches Debian's dockerd; another `docker` may sit earlier in PATH.
if [ -z "${DOCKER:-}" ]; then
	if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi
fi

# Static files tests may use (seccomp profiles, process.json...).
TESTDATA=$INTEGRATION_DIR/testdata
# Sources of the small static helper programs installed into the test rootfs's /bin.
HELPERS_SRC=$INTEGRATION_DIR/helpers

# The test image: built once from busybox-static and cached (see ensure_test_image).
CLEAT_TEST_CACHE=${CLEAT_TEST_CACHE:-/tmp/cleat-test-cache}
TEST_IMAGE_REF=docker.io/library/busybox:cleat-test
TEST_IMAGE_DOCKER=busybox:cleat-test
# containerd namespace used by ctr_.
CTR_NAMESPACE=${CTR_NAMESPACE:-cleat-test}

# rootfs_helper_sources: the helper programs built static into the test rootfs's /bin:
# helpers/pause.c and every helpers/rootfs-*.c (name a new in-container helper that way;
# other helpers/*.c are host-side tools built by make).
rootfs_helper_sources() {
	local f
	for f in "$HELPERS_SRC/pause.c" "$HELPERS_SRC"/rootfs-*.c; do
		[ -e "$f" ] && echo "$f"
	done
	return 0
}

# ensure_test_image: build (once per content, shared by every suite on the machine) the
# busybox test image and set:
#   TEST_IMAGE_DIR          the cache directory
#   TEST_ROOTFS             rootfs: busybox + applet links + /bin/pause (and the other
#                           rootfs helpers, see rootfs_helper_sources), /etc/passwd and
#                           /etc/group with user (1000:1000, also in group extra 1001)
#   TEST_CONFIG             default config.json (runc spec; terminal false; args ["sh"])
#   TEST_IMAGE_DOCKER_TAR   rootfs tar for `docker import`
#   TEST_IMAGE_OCI_TAR      OCI layout tar for `ctr images import` (and `docker load`)
# The cache key is the checksum of busybox, the image script and the helper sources, so a
# change to any of them builds a new image. A failure here fails the test.
ensure_test_image() {
	local key tmp lock
	key=$(cat /bin/busybox "$SRCDIR/contrib/make-test-image.sh" $(rootfs_helper_sources) \
		<(echo "${CLEAT_TEST_SPEC:-runc}") | sha256sum | cut -c1-16)
	TEST_IMAGE_DIR=$CLEAT_TEST_CACHE/image-$key
	TEST_ROOTFS=$TEST_IMAGE_DIR/rootfs
	TEST_CONFIG=$TEST_IMAGE_DIR/config.json
	TEST_IMAGE_DOCKER_TAR=$TEST_IMAGE_DIR/busybox-rootfs.tar
	TEST_IMAGE_OCI_TAR=$TEST_IMAGE_DIR/busybox-oci.tar
	export TEST_IMAGE_DIR TEST_ROOTFS TEST_CONFIG TEST_IMAGE_DOCKER_TAR TEST_IMAGE_OCI_TAR
	[ -e "$TEST_IMAGE_DIR/.complete" ] && return 0

	mkdir -p "$CLEAT_TEST_CACHE"
	chmod 755 "$CLEAT_TEST_CACHE"
	lock=$CLEAT_TEST_CACHE/.lock
	(
		flock -w 120 9 || { echo "ensure_test_image: cannot lock $lock" >&2; exit 1; }
		[ -e "$TEST_IMAGE_DIR/.complete" ] && exit 0
		set -e
		tmp=$(mktemp -d "$CLEAT_TEST_CACHE/.build.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		local -a extra=()
		local src
		for src in $(rootfs_helper_sources); do
			${CC_FOR_TESTS:-cc} -static -O2 -Wall -Wextra -o "$tmp/$(basename "$src" .c)" "$src"
			extra+=(-x "$tmp/$(basename "$src" .c)")
		done
		local mk=$SRCDIR/contrib/make-test-image.sh
		"$mk" "${extra[@]}" rootfs "$tmp/image/rootfs"
		"$mk" -s "${CLEAT_TEST_SPEC:-runc}" bundle "$tmp/spec" >/dev/null
		mv "$tmp/spec/config.json" "$tmp/image/config.json"
		"$mk" "${extra[@]}" docker-tar "$tmp/image/busybox-rootfs.tar"
		"$mk" "${extra[@]}" oci-image "$tmp/image/busybox-oci.tar" "$TEST_IMAGE_REF"
		chmod 755 "$tmp/image"
		touch "$tmp/image/.complete"
		mv -T "$tmp/image" "$TEST_IMAGE_DIR"
	) 9>"$lock" || { echo "ensure_test_image: building the test image failed" >&2; return 1; }
}

# container_id [PREFIX]: print a container id unique to this test run. Use it rather than a
# fixed name: default cgroup paths are /<id>, shared with every other suite on the machine.
container_id() {
	printf '%s-%x-%s-%s\n' "${1:-ct}" "$$" "${BATS_TEST_NUMBER:-0}" "$RANDOM"
}

# setup_bundle [ARG...]: create $BUNDLE, a fresh directory holding rootfs/ (a copy of the
# cached busybox rootfs, so tests may change it) and config.json (runc's default spec,
# terminal false, args ARG... or ["sh"]); cd into it. Sets ROOT ($BUNDLE/state, the --root
# of cleat) and RUNC_ROOT / CRUN_ROOT (the same for runc_ and crun_).
setup_bundle() {
	ensure_test_image || return 1
	BUNDLE=$(mktemp -d /tmp/cleat-bundle.XXXXXX)
	# Readable by any uid: user-namespaced containers run as unmapped host ids.
	chmod 755 "$BUNDLE"
	cp -a "$TEST_ROOTFS" "$BUNDLE/rootfs"
	cp "$TEST_CONFIG" "$BUNDLE/config.json"
	ROOT=$BUNDLE/state
	RUNC_ROOT=$BUNDLE/runc-state
	CRUN_ROOT=$BUNDLE/crun-state
	mkdir -p "$ROOT" "$RUNC_ROOT" "$CRUN_ROOT"
	export BUNDLE ROOT RUNC_ROOT CRUN_ROOT
	if [ $# -gt 0 ]; then
		update_config '.process.args = $ARGS.positional' --args "$@"
	fi
	cd "$BUNDLE" || return 1
}

# update_config 'JQ FILTER' [JQ ARGS...]: edit $BUNDLE/config.json in place with jq.
#   update_config '.process.env += ["A=b"]'
#   update_config '.hostname = $h' --arg h myhost
update_config() {
	local filter=$1 tmp
	shift
	tmp=$(mktemp "$BUNDLE/.config.XXXXXX")
	jq "$filter" "$BUNDLE/config.json" "$@" >"$tmp" || { rm -f "$tmp"; return 1; }
	mv "$tmp" "$BUNDLE/config.json"
}

# cleat ARG...: the built cleat with --root $ROOT (runc's default --root when ROOT is unset).
cleat() {
	"$CLEAT" ${ROOT:+--root "$ROOT"} "$@"
}

# runc_ ARG...: runc with its own --root, for differential tests.
runc_() {
	"$RUNC" ${RUNC_ROOT:+--root "$RUNC_ROOT"} "$@"
}

# runc_label: "runc <version>" of $RUNC (Debian's runc 1.1 unless a file chose the pinned
# runc 1.5, see peers/peers.bash), for the messages of differential tests, which must say
# which runc they compare with.
runc_label() {
	"$RUNC" --version 2>/dev/null | awk 'NR == 1 { print $1 " " $3; f = 1 } END { if (!f) print "runc (version unknown)" }'
}

# assert_contains VALUE SUBSTRING: VALUE contains SUBSTRING (taken literally); on
# failure both are printed, which a bare [[ ]] check does not do.
assert_contains() {
	[[ $1 == *"$2"* ]] && return 0
	batslib_print_kv_single_or_multi 9 value "$1" substring "$2" |
		batslib_decorate 'value does not contain substring' | fail
}

# refute_contains VALUE SUBSTRING: VALUE does not contain SUBSTRING.
refute_contains() {
	[[ $1 != *"$2"* ]] && return 0
	batslib_print_kv_single_or_multi 9 value "$1" substring "$2" |
		batslib_decorate 'value contains substring' | fail
}

# assert_glob VALUE PATTERN: [[ VALUE == PATTERN ]], PATTERN a glob (backslash what must
# match literally); on failure both are printed.
assert_glob() {
	# shellcheck disable=SC2053
	[[ $1 == $2 ]] && return 0
	batslib_print_kv_single_or_multi 7 value "$1" pattern "$2" |
		batslib_decorate 'value does not match pattern' | fail
}

# The runc-vs-cleat comparison harness, one copy for every differential suite.

# set_args ARG...: process.args = the arguments (any of them may start with '-').
set_args() {
	local json
	json=$(jq -nc '$ARGS.positional' --args -- "$@")
	update_config '.process.args = $a' --argjson a "$json"
}

# both_run [ARG...]: run the bundle (args ARG... when given) under runc ($RUNC: Debian's
# runc 1.1, or runc 1.5 after use_runc15; the messages name it), then cleat; keep status,
# stdout and stderr of each in RUNC_STATUS/RUNC_OUT/RUNC_ERR and CLEAT_STATUS/CLEAT_OUT/
# CLEAT_ERR, the container ids in RUNC_ID/CLEAT_ID. Skips with $RUNC_REF_SKIP when set.
both_run() {
	[ -z "${RUNC_REF_SKIP:-}" ] || skip "$RUNC_REF_SKIP"
	if [ $# -gt 0 ]; then
		set_args "$@"
	fi
	RUNC_ID=$(container_id runc)
	CLEAT_ID=$(container_id cleat)
	run --separate-stderr runc_ run "$RUNC_ID"
	RUNC_STATUS=$status RUNC_OUT=$output RUNC_ERR=$stderr
	run --separate-stderr cleat run "$CLEAT_ID"
	CLEAT_STATUS=$status CLEAT_OUT=$output CLEAT_ERR=$stderr
}

# assert_same [STATUS]: both runtimes exited with the same status (STATUS if given) and
# printed the same stdout; on failure prints both statuses, outputs and stderrs.
assert_same() {
	if [ "$RUNC_STATUS" != "$CLEAT_STATUS" ] || [ "$RUNC_OUT" != "$CLEAT_OUT" ] ||
		{ [ -n "${1:-}" ] && [ "$CLEAT_STATUS" != "$1" ]; }; then
		printf '%s (%s):\n%s\n%s\ncleat (%s):\n%s\n%s\n' "$(runc_label)" "$RUNC_STATUS" "$RUNC_OUT" \
			"$RUNC_ERR" "$CLEAT_STATUS" "$CLEAT_OUT" "$CLEAT_ERR" >&2
		return 1
	fi
}

# crun_ ARG...: crun with its own --root, in a private mount namespace where the hybrid
# cgroup2 mount is hidden (crun refuses this host's hybrid layout). Every crun_ call gets
# the same view, so create/state/delete agree.
crun_() {
	unshare -m --propagation private sh -c \
		'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' crun_ \
		"$CRUN" ${CRUN_ROOT:+--root "$CRUN_ROOT"} "$@"
}

# The wrappers above as plain commands (for `timeout`, which cannot run shell functions).
CRUN_PURE_V1=(unshare -m --propagation private sh -c
	'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' crun_)

# hold_netns: HOLDER= a process of ours in a network namespace of its own, once it is in
# there (ip netns add would leave its /run/netns mount behind).  The test, or its teardown
# when it failed first, kills it.
hold_netns() {
	unshare --net sleep 60 &
	HOLDER=$!
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(readlink "/proc/$HOLDER/ns/net")" != "$(readlink /proc/$$/ns/net)" ] && return 0
		sleep 0.1
	done
	return 1
}

# pidfd_receiver SOCKET OUT: take one connection on SOCKET, receive one message and write
# "name=<payload> fds=<n> pid=<the pidfd's Pid from fdinfo>" to OUT (for --pidfd-socket).
# RECV_PID is the receiver; a teardown kills it when a test failed before its message.
pidfd_receiver() {
	rm -f "$1" "$1.ready"
	python3 - "$1" "$2" <<'PY' 3>&- &
import socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
s.settimeout(30)
open(path + ".ready", "w").close()
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 4096, 8)
pid = "-"
for line in open("/proc/self/fdinfo/%d" % fds[0]) if fds else []:
    if line.startswith("Pid:"):
        pid = line.split()[1]
with open(out, "w") as f:
    f.write("name=%s fds=%d pid=%s\n" % (msg.decode(), len(fds), pid))
PY
	RECV_PID=$!
	retry 100 0.1 test -e "$1.ready"
}

# detached CMD...: run CMD (e.g. `cleat run -d ID`) with stdin from /dev/null and stdout
# and stderr to $BUNDLE/detached.log, then print that log. A detached container inherits
# the runtime's stdio; under `run` that is bats's capture pipe, and `run` would wait until
# the container exits. Use: run -0 detached cleat run -d "$id"
detached() {
	local log=${BUNDLE:-/tmp}/detached.log rc=0
	"$@" </dev/null >"$log" 2>&1 3>&- || rc=$?
	cat "$log"
	return "$rc"
}

# in_pty [-t SECONDS] COMMAND_STRING: run COMMAND_STRING (one shell string) under script(1)
# so its stdin/stdout are a pty, bounded by SECONDS (default 60). script waits for every
# holder of the pty slave, so a container left behind would otherwise hang the test until the
# suite's timeout; here it is killed and the test fails with exit 124.
in_pty() {
	local secs=60
	if [ "$1" = -t ]; then
		secs=$2
		shift 2
	fi
	timeout --kill-after=5 "$secs" script -qec "$1" /dev/null
}

# runtime_status RUNTIME_FN ID: print the status field of `RUNTIME_FN state ID`.
runtime_status() {
	"$1" state "$2" 2>/dev/null | jq -r .status 2>/dev/null
}

# wait_for_container [-r RUNTIME_FN] ID STATUS [TIMEOUT_SECONDS]: poll `state` every 0.1 s
# until the container's status is STATUS (default runtime: cleat; timeout 10 s).
wait_for_container() {
	local rt=cleat
	if [ "$1" = -r ]; then
		rt=$2
		shift 2
	fi
	local id=$1 want=$2 timeout=${3:-10} i got
	for ((i = 0; i < timeout * 10; i++)); do
		got=$(runtime_status "$rt" "$id")
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	echo "wait_for_container: $id is '${got}', not '$want', after ${timeout}s" >&2
	return 1
}

# retry ATTEMPTS DELAY CMD...: run CMD until it succeeds, at most ATTEMPTS times.
retry() {
	local attempts=$1 delay=$2 i
	shift 2
	for ((i = 0; i < attempts; i++)); do
		"$@" && return 0
		sleep "$delay"
	done
	echo "retry: '$*' failed $attempts times" >&2
	return 1
}

# require_root: skip unless running as root.
require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

# skip_unless_cmd CMD [REASON]: skip (with the reason printed) when CMD is not installed.
skip_unless_cmd() {
	command -v "$1" >/dev/null 2>&1 || skip "${2:-$1 is not installed}"
}

# require_binary PATH: fail (not skip) when a binary under test has not been built.
require_binary() {
	[ -x "$1" ] || fail "$1 has not been built (run make)"
}

# umount_under DIR: lazily unmount every mount point at or below DIR, deepest first.
umount_under() {
	local dir=$1 mp
	[ -n "$dir" ] || return 0
	awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r mp; do
		umount -l "$(printf '%b' "$mp")" 2>/dev/null || true
	done
}

# remove_tree DIR: unmount what is below DIR, then delete it without crossing into any
# mount that survived (a leftover bind mount of a host directory must not be emptied).
remove_tree() {
	local dir=$1
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	umount_under "$dir"
	rm -rf --one-file-system "$dir" 2>/dev/null || true
}

# remove_cgroup_tree NAME: in every cgroup hierarchy (v1 and cgroup2 mounts), kill what
# runs below /NAME and remove its directories (teardown of tests with cgroup parents of
# their own).
remove_cgroup_tree() {
	local mp p
	for mp in $(awk '{ for (i = 7; $i != "-"; i++);
		if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5 }' /proc/self/mountinfo); do
		[ -d "$mp/$1" ] || continue
		for p in $(find "$mp/$1" -name cgroup.procs -exec cat {} + 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null || true
		done
		find "$mp/$1" -depth -type d -exec rmdir {} + 2>/dev/null || true
	done
}

# force_delete_all STATE_DIR RUNTIME-COMMAND...: delete (--force, at most 20 s each) every
# container a runtime holds in STATE_DIR; when that fails, kill the recorded init pid.
#   force_delete_all "$ROOT" "$CLEAT" --root "$ROOT"
force_delete_all() {
	local dir=$1 id pid ids
	shift
	[ -d "$dir" ] || return 0
	ids=$(timeout 20 "$@" list -q 2>/dev/null) || ids=
	for id in $(printf '%s\n' $ids $(ls "$dir" 2>/dev/null) | sort -u); do
		[ -d "$dir/$id" ] || continue
		timeout 20 "$@" delete --force "$id" >/dev/null 2>&1 && continue
		pid=$(timeout 10 "$@" state "$id" 2>/dev/null | jq -r '.pid // empty' 2>/dev/null)
		[ -n "$pid" ] ||
			pid=$(jq -r '.init_process_pid // .pid // empty' "$dir/$id/state.json" 2>/dev/null)
		if [ -n "$pid" ] && [ "$pid" -gt 1 ] 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
		echo "teardown: could not delete container $id with '$1'" >&2
	done
}

# teardown_bundle: delete every container cleat, runc and crun hold under this bundle's
# roots (killing what is left), unmount leftovers under $BUNDLE and remove it.
teardown_bundle() {
	[ -n "${BUNDLE:-}" ] && [ -d "$BUNDLE" ] || return 0
	cd / || true
	[ -x "$CLEAT" ] && force_delete_all "$ROOT" "$CLEAT" --root "$ROOT"
	force_delete_all "$RUNC_ROOT" "$RUNC" --root "$RUNC_ROOT"
	force_delete_all "$CRUN_ROOT" "${CRUN_PURE_V1[@]}" "$CRUN" --root "$CRUN_ROOT"
	remove_tree "$BUNDLE"
	unset BUNDLE
}

# --- containerd --------------------------------------------------------------------------

# ctr_ ARG...: ctr against the isolated containerd, in namespace $CTR_NAMESPACE. Stdin is
# /dev/null: ctr copies its stdin into the container, and a test's stdin is nothing for a
# container to read (with no standard input, as in CI, it is a pipe of bats' own, and ctr
# read the container's output back from it: the output came back short or empty).
ctr_() {
	"$CTR" --address "$CTR_ADDRESS" -n "$CTR_NAMESPACE" "$@" </dev/null
}

# use_containerd_generation: with CLEAT_CONTAINERD_GEN=2, point CONTAINERD and CTR at the
# pinned containerd 2.x peer (peers/build-peers.sh, built or reused), write 2.x's config
# format, put the peer's bin directory (its containerd-shim-runc-v2, and runc 1.5 as that
# shim's `runc`) in containerd's PATH after the built cleat, and silence the cgroup v1
# deprecation warning 2.x's ctr prints on stderr at every call. Fails, naming the reason,
# when the peers cannot be built: a file asked to run under 2.x must not pass under 1.6.
use_containerd_generation() {
	[ "${CLEAT_CONTAINERD_GEN:-1}" = 2 ] || return 0
	[ -n "${CTRD_GEN_BIN:-}" ] && return 0
	local bin err
	err=$(mktemp)
	bin=$("$INTEGRATION_DIR/peers/build-peers.sh" 2>"$err") || {
		echo "CLEAT_CONTAINERD_GEN=2: containerd 2.x not available: $(cat "$err")" >&2
		rm -f "$err"
		return 1
	}
	rm -f "$err"
	CTRD_GEN_BIN=$bin
	CONTAINERD=$bin/containerd
	CTR=$bin/ctr
	CTRD_CONFIG_VERSION=3
	CONTAINERD_SUPPRESS_DEPRECATION_WARNINGS=1
	export CTRD_GEN_BIN CONTAINERD CTR CTRD_CONFIG_VERSION CONTAINERD_SUPPRESS_DEPRECATION_WARNINGS
}

# start_containerd: start a containerd of our own (config, root, state, sockets under a new
# $CTRD_DIR) with the build directory first in PATH, so runtime type io.containerd.cleat.v2
# resolves to the built containerd-shim-cleat-v2 and the shim's default `cleat` to the built
# runtime. Exports CTR_ADDRESS (grpc socket), CTRD_DIR, CTRD_PID. CRI is disabled unless
# CTRD_ENABLE_CRI=1; CTRD_EXTRA_CONFIG (TOML text) is appended to the config;
# CTRD_CONFIG_VERSION=3 writes containerd 2.x's config format (CRI's three plugins and NRI,
# whose socket is machine-wide, disabled).
# Call it from setup_file and stop_containerd from teardown_file.
start_containerd() {
	use_containerd_generation || return 1
	CTRD_DIR=$(mktemp -d /tmp/cleat-ctrd.XXXXXX)
	chmod 755 "$CTRD_DIR"
	CTR_ADDRESS=$CTRD_DIR/containerd.sock
	local version=${CTRD_CONFIG_VERSION:-2} disabled='"io.containerd.grpc.v1.cri"' opt
	[ "$version" = 3 ] && disabled+=', "io.containerd.cri.v1.runtime", "io.containerd.cri.v1.images", "io.containerd.nri.v1.nri"'
	[ "${CTRD_ENABLE_CRI:-0}" = 1 ] && disabled=
	# 2.x has no opt plugin.
	[ "$version" = 3 ] || opt="[plugins.\"io.containerd.internal.v1.opt\"]
		  path = \"$CTRD_DIR/opt\""
	# Under CLEAT_CONTAINERD_GEN=2 the shims' sockets go in a directory of ours too (2.x's
	# default is the machine-wide /run/containerd/s).
	[ -n "${CTRD_GEN_BIN:-}" ] && opt="[plugins.\"io.containerd.shim.v1.manager\"]
		  socket_dir = \"$CTRD_DIR/s\""
	cat >"$CTRD_DIR/config.toml" <<-EOF
		version = $version
		root = "$CTRD_DIR/root"
		state = "$CTRD_DIR/state"
		disabled_plugins = [$disabled]
		[grpc]
		  address = "$CTR_ADDRESS"
		[ttrpc]
		  address = "$CTR_ADDRESS.ttrpc"
		[debug]
		  address = "$CTRD_DIR/debug.sock"
		${opt:-}
		${CTRD_EXTRA_CONFIG:-}
	EOF
	export CTR_ADDRESS CTRD_DIR
	launch_containerd
}

# launch_containerd: start containerd on $CTRD_DIR's config and state (again, after a
# restart test stopped it) and wait for it to answer. Exports CTRD_PID, also written to
# $CTRD_DIR/containerd.pid.
launch_containerd() {
	local i
	# fd 3 closed: bats waits for every holder of its fd 3 before finishing a file.
	# CTRD_PATH_PREFIX: directories searched first for shims (a drop-in directory);
	# CTRD_GEN_BIN: the containerd 2.x peer's (use_containerd_generation), after ours.
	PATH="${CTRD_PATH_PREFIX:+$CTRD_PATH_PREFIX:}$(dirname "$SHIM"):$(dirname "$CLEAT"):${CTRD_GEN_BIN:+$CTRD_GEN_BIN:}$PATH" "$CONTAINERD" --config "$CTRD_DIR/config.toml" \
		--log-level "${CTRD_LOG_LEVEL:-info}" </dev/null >>"$CTRD_DIR/containerd.log" 2>&1 3>&- &
	CTRD_PID=$!
	echo "$CTRD_PID" >"$CTRD_DIR/containerd.pid"
	export CTRD_PID
	for ((i = 0; i < 200; i++)); do
		"$CTR" --address "$CTR_ADDRESS" version >/dev/null 2>&1 && return 0
		if ! kill -0 "$CTRD_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "start_containerd: containerd did not come up; its log:" >&2
	tail -n 30 "$CTRD_DIR/containerd.log" >&2
	stop_containerd
	return 1
}

# kill_pids_with_arg STRING: SIGKILL every process whose command line contains STRING
# (the address of a daemon we started: shims it spawned carry it in their argv).
kill_pids_with_arg() {
	local s=$1 p
	[ -n "$s" ] || return 0
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = "$$" ] && continue
		if tr "\\0" " " 2>/dev/null <"$p/cmdline" | grep -qF -- "$s"; then
			kill -KILL "${p#/proc/}" 2>/dev/null || true
		fi
	done
}

# stop_pid PID [TIMEOUT]: SIGTERM, wait up to TIMEOUT seconds (default 10), then SIGKILL.
stop_pid() {
	local pid=$1 timeout=${2:-10} i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < timeout * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# stop_containerd: remove every task and container in every namespace of our containerd,
# stop it by PID, kill shims it left behind, unmount and remove $CTRD_DIR. Safe to call
# when start_containerd failed or was never called.
stop_containerd() {
	[ -n "${CTRD_DIR:-}" ] && [ -d "$CTRD_DIR" ] || return 0
	local ns id c="$CTR --address $CTR_ADDRESS" namespaces=$CTR_NAMESPACE
	if [ -n "${CTRD_PID:-}" ] && kill -0 "$CTRD_PID" 2>/dev/null; then
		namespaces=$(timeout 10 $c namespaces ls -q 2>/dev/null)
		for ns in $namespaces; do
			for id in $(timeout 10 $c -n "$ns" tasks ls -q 2>/dev/null); do
				timeout 10 $c -n "$ns" tasks kill -s SIGKILL "$id" >/dev/null 2>&1
				timeout 20 $c -n "$ns" tasks delete --force "$id" >/dev/null 2>&1
			done
			for id in $(timeout 10 $c -n "$ns" containers ls -q 2>/dev/null); do
				timeout 10 $c -n "$ns" containers delete "$id" >/dev/null 2>&1
			done
		done
	fi
	stop_pid "${CTRD_PID:-}" 10
	kill_pids_with_arg "$CTR_ADDRESS"
	remove_tree "$CTRD_DIR"
	unset CTRD_DIR CTRD_PID
	# The runtime made /<namespace> the parent of the containers' cgroups (containerd's
	# default cgroupsPath /<namespace>/<id>); empty now unless another suite still uses it.
	for ns in $namespaces; do
		rmdir /sys/fs/cgroup/*/"$ns" /sys/fs/cgroup/unified/"$ns" 2>/dev/null || true
	done
}

# import_test_image_ctr: import the busybox test image into our containerd as
# $TEST_IMAGE_REF (docker.io/library/busybox:cleat-test), unpacked for the default
# snapshotter. Never pulls.
import_test_image_ctr() {
	ensure_test_image || return 1
	ctr_ images import "$TEST_IMAGE_OCI_TAR" >/dev/null || return 1
	ctr_ images ls -q | grep -qxF "$TEST_IMAGE_REF" || {
		echo "import_test_image_ctr: $TEST_IMAGE_REF missing after import" >&2
		return 1
	}
}

# --- dockerd -----------------------------------------------------------------------------

# docker_ ARG...: Debian's docker client against our dockerd, with a private client config.
docker_() {
	DOCKER_CONFIG=$DOCKERD_DIR/client "$DOCKER" -H "unix://$DOCKER_SOCK" "$@"
}

# start_dockerd [DOCKERD ARG...]: start a dockerd of our own on top of our own containerd
# (started here unless one is running already): --data-root, --exec-root, socket and
# pidfile under a new $DOCKERD_DIR, no bridge, no iptables, no ip forwarding, and the built
# runtime registered as `cleat`. Exports DOCKER_SOCK, DOCKERD_DIR, DOCKERD_PID.
# Containers must use `--network none` (or host) and `--pull never`.
start_dockerd() {
	if [ -z "${CTRD_DIR:-}" ]; then
		start_containerd || return 1
		DOCKERD_OWNS_CONTAINERD=1
	fi
	DOCKERD_DIR=$(mktemp -d /tmp/cleat-dockerd.XXXXXX)
	chmod 755 "$DOCKERD_DIR"
	DOCKER_SOCK=$DOCKERD_DIR/docker.sock
	mkdir -p "$DOCKERD_DIR/client"
	# An empty config file so /etc/docker/daemon.json never applies.
	echo '{}' >"$DOCKERD_DIR/daemon.json"
	export DOCKERD_DIR DOCKER_SOCK DOCKERD_OWNS_CONTAINERD
	launch_dockerd "$@"
}

# launch_dockerd [DOCKERD ARG...]: start dockerd on $DOCKERD_DIR (again, after a restart
# test stopped it) and wait for it to answer. Exports DOCKERD_PID.
launch_dockerd() {
	local i
	PATH="$(dirname "$CLEAT"):$PATH" "$DOCKERD" --config-file "$DOCKERD_DIR/daemon.json" \
		--data-root "$DOCKERD_DIR/root" --exec-root "$DOCKERD_DIR/exec" \
		-H "unix://$DOCKER_SOCK" --pidfile "$DOCKERD_DIR/docker.pid" \
		--containerd "$CTR_ADDRESS" \
		--bridge=none --iptables=false --ip-masq=false --ip-forward=false \
		--userland-proxy=false --log-level "${DOCKERD_LOG_LEVEL:-warn}" \
		--add-runtime "cleat=$CLEAT" "$@" \
		</dev/null >>"$DOCKERD_DIR/dockerd.log" 2>&1 3>&- &
	DOCKERD_PID=$!
	export DOCKERD_PID
	for ((i = 0; i < 300; i++)); do
		docker_ info >/dev/null 2>&1 && return 0
		kill -0 "$DOCKERD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "start_dockerd: dockerd did not come up; its log:" >&2
	tail -n 30 "$DOCKERD_DIR/dockerd.log" >&2
	stop_dockerd
	return 1
}

# stop_dockerd: remove every container, stop dockerd by PID, then the containerd it started.
stop_dockerd() {
	if [ -n "${DOCKERD_DIR:-}" ] && [ -d "$DOCKERD_DIR" ]; then
		if [ -n "${DOCKERD_PID:-}" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
			local ids d=("$DOCKER" -H "unix://$DOCKER_SOCK")
			ids=$(DOCKER_CONFIG=$DOCKERD_DIR/client timeout 20 "${d[@]}" ps -aq 2>/dev/null)
			[ -n "$ids" ] && DOCKER_CONFIG=$DOCKERD_DIR/client timeout 60 "${d[@]}" rm -f $ids \
				>/dev/null 2>&1
		fi
		stop_pid "${DOCKERD_PID:-}" 20
		kill_pids_with_arg "$DOCKERD_DIR/"
		remove_tree "$DOCKERD_DIR"
		unset DOCKERD_DIR DOCKERD_PID DOCKER_SOCK
		# dockerd's cgroupfs parent /docker, empty now unless another dockerd uses it.
		rmdir /sys/fs/cgroup/*/docker /sys/fs/cgroup/unified/docker 2>/dev/null || true
	fi
	if [ "${DOCKERD_OWNS_CONTAINERD:-}" = 1 ]; then
		stop_containerd
		unset DOCKERD_OWNS_CONTAINERD
	fi
}

# import_test_image_docker: `docker import` the busybox rootfs as $TEST_IMAGE_DOCKER
# (busybox:cleat-test) with PATH and CMD set as a real image has them. Never pulls.
import_test_image_docker() {
	ensure_test_image || return 1
	docker_ import \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'CMD ["sh"]' "$TEST_IMAGE_DOCKER_TAR" "$TEST_IMAGE_DOCKER" >/dev/null
}
