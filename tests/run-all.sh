#!/bin/bash
# The whole cleat test suite, from a fresh Debian 12 machine, as root:
#   1. install every package the build and the tests need (idempotent, quiet)
#   2. build with -Werror and run the unit tests (`make check`)
#   3. the unit tests again under ASan + UBSan (configure --enable-sanitizers)
#   4. every libFuzzer target (tests/unit/fuzz-*) for FUZZ_SECONDS each, under ASan (clang)
#   5. `make distcheck` (the tarball holds everything needed to build and test)
#   6. every tests/integration/**/*.bats with `bats --tap`, one file after another
#   7. a formatting check against .clang-format (drift fails the run)
# and ends with one line, `N passed, N failed`, summing the TAP results of all of them
# (skips are listed before it and counted as passed). Exits non-zero if anything failed.
#
# Every build happens in a VPATH directory under $CLEAT_CI_DIR (default: _build-ci in the
# source tree), so the source tree itself stays unconfigured. If the source tree has been
# configured in place, its files are copied to a clean tree first.
#
# Environment: FUZZ_SECONDS (30), BATS_TIMEOUT (seconds per .bats file, 1800), JOBS (nproc),
# CLEAT_CI_DIR, CLEAT_SKIP_INSTALL=1 (no apt-get), CLEAT_ONLY_BATS="a.bats b.bats" (run only
# these integration files), CLEAT_SKIP_SANITIZERS=1, CLEAT_SKIP_FUZZ=1, CLEAT_SKIP_DISTCHECK=1,
# CLEAT_FORMAT_STRICT=0 (formatting drift is only reported instead of failing the run),
# CLEAT_LEAKS_STRICT=1 (mounts, cgroups or processes left by the integration suites fail the
# run; .ci/run sets it), CLEAT_SKIP_PEERS=1 (do not build the containerd 2.x / runc 1.5 peers;
# containerd2.bats, runc15.bats and the runc 1.5 comparisons then skip, and the containerd 2.x
# pass of the files marked `# containerd-generations: 1.6 2.x` is not run), CLEAT_SKIP_CRIU_VM=1
# (leave out the two checkpoint/restore VMs).
set -uo pipefail

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
CI_DIR=${CLEAT_CI_DIR:-$SRCDIR/_build-ci}
LOGDIR=$CI_DIR/logs
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
BATS_TIMEOUT=${BATS_TIMEOUT:-1800}
# No single test may hang the run: bats fails a test after this many seconds.
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}
JOBS=${JOBS:-$(nproc)}
START=$(date +%s)

PASSED=0
FAILED=0
SKIPPED=0
FAILURES=()

PACKAGES=(
	# build
	build-essential autoconf automake libtool pkg-config git
	libyajl-dev libseccomp-dev libcap-dev libsystemd-dev libprotobuf-c-dev protobuf-c-compiler
	# man pages (scdoc), and bash-completion for tests/integration/cli-help.bats
	scdoc bash-completion man-db
	# sanitizers, fuzzing, formatting
	clang libclang-rt-14-dev clang-format valgrind
	# daemons and reference runtimes
	containerd docker.io runc crun
	# tests
	bats bats-assert bats-support busybox-static jq iproute2 util-linux bsdutils procps file curl
	python3
	# cgroup v2 in a VM (Debian's kernel under qemu)
	qemu-system-x86 linux-image-amd64
	# the systemd cgroup driver in a booted Debian (tests/integration/cgroupv2-vm/systemd-vm.sh)
	debootstrap e2fsprogs
	# checkpoint/restore (criu.bats, shim-checkpoint.bats, criu-vm/, criu-daemons-vm/; the
	# build takes criu's rpc.proto from the criu package): criu,
	# GNU tar for its tmpfs images, iptables for its network lock, kmod's modinfo for the
	# guests' modules
	criu tar iptables kmod
	# rootless multi-range user namespaces (tests/integration/userns-rootless.bats)
	uidmap
	# podman with conmon (tests/integration/podman.bats, bench/podman-bench.sh)
	podman conmon
	# apparmor_parser for the AppArmor VM (tests/integration/lsm-vm/run.sh)
	apparmor
	# a compiled refpolicy for the SELinux VM (tests/integration/selinux-vm/run.sh); it
	# does not enable SELinux on the host
	selinux-policy-default
	# critest against containerd 2.x's CRI (tests/integration/critest2.bats): a registry on
	# 127.0.0.1 serving locally built images (curl, above, pushes them)
	docker-registry
	# the Debian package built, checked and installed (tests/integration/debian-package.bats)
	dpkg-dev debhelper lintian
	# CNI's loopback plugin for containerd 1.6's CRI pod in bench/capture-cri-config.sh
	# (tests/integration/bench-smoke.bats)
	containernetworking-plugins
)

log() {
	printf '%s [%4ds] %s\n' "==" "$(($(date +%s) - START))" "$*"
}

# A step that is not itself TAP (configure, build): a failure counts as one failed test.
step() {
	local name=$1 logf
	shift
	logf=$LOGDIR/$(echo "$name" | tr -c 'A-Za-z0-9._-' '_').log
	log "$name"
	if "$@" >"$logf" 2>&1; then
		return 0
	fi
	echo "   FAILED: $name (log: $logf)"
	# The log's tail is a summary; name the failing test points (automake/TAP) first.
	grep -E '^(FAIL|ERROR|not ok)[: ]' "$logf" | head -n 20 | sed 's/^/   ! /'
	tail -n 25 "$logf" | sed 's/^/   | /'
	FAILED=$((FAILED + 1))
	FAILURES+=("$name")
	return 1
}

# Count automake's per-test-point results (.trs files of a tap-driver run) under DIR.
count_trs() {
	local label=$1 dir=$2 p=0 f=0 s=0 res name
	while IFS= read -r line; do
		res=${line#:test-result: }
		res=${res%% *}
		case $res in
		PASS | XFAIL) p=$((p + 1)) ;;
		SKIP) s=$((s + 1)) ;;
		*) f=$((f + 1)) ;;
		esac
	done < <(find "$dir" -name '*.trs' -exec grep -h '^:test-result:' {} + 2>/dev/null)
	# A test program that failed outright leaves a failing .trs; list the programs too.
	for name in $(grep -l '^:global-test-result: \(FAIL\|ERROR\)' $(find "$dir" -name '*.trs') \
		2>/dev/null); do
		FAILURES+=("$label: ${name#"$dir"/}")
	done
	echo "   $label: $p passed, $f failed, $s skipped"
	PASSED=$((PASSED + p + s))
	FAILED=$((FAILED + f))
	SKIPPED=$((SKIPPED + s))
}

# Count a TAP stream (bats --tap). A plan larger than the results (an aborted file) counts
# the missing tests as failed; a non-zero exit with no failing test counts one failure.
count_tap() {
	local label=$1 file=$2 rc=$3 p=0 f=0 s=0 plan=0 line
	while IFS= read -r line; do
		case $line in
		1..*) plan=${line#1..} ;;
		"not ok "*) f=$((f + 1)); FAILURES+=("$label: ${line#not ok }") ;;
		"ok "*" # skip"* | "ok "*" # SKIP"*) s=$((s + 1)) ;;
		"ok "*) p=$((p + 1)) ;;
		esac
	done <"$file"
	if [ $((p + f + s)) -lt "$plan" ]; then
		FAILURES+=("$label: $((plan - p - f - s)) tests did not run (exit $rc)")
		f=$((f + plan - p - f - s))
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		FAILURES+=("$label: bats exited $rc")
		f=1
	fi
	printf '   %-34s %3d passed, %d failed, %d skipped\n' "$label:" "$p" "$f" "$s"
	PASSED=$((PASSED + p + s))
	FAILED=$((FAILED + f))
	SKIPPED=$((SKIPPED + s))
}

# run_unit LABEL BUILDDIR: `make check`, counted per TAP test point; a make check that
# fails without a failing test point (a test that did not build) counts one failure.
run_unit() {
	local label=$1 dir=$2 before=$FAILED rc=0
	log "$label: make check"
	make -C "$dir" -j"$JOBS" check >"$LOGDIR/$(echo "$label" | tr -c 'A-Za-z0-9' '_').log" 2>&1 ||
		rc=$?
	count_trs "$label" "$dir/tests"
	if [ "$rc" -ne 0 ] && [ "$FAILED" -eq "$before" ]; then
		FAILED=$((FAILED + 1))
		FAILURES+=("$label: make check exited $rc")
	fi
}

install_packages() {
	export DEBIAN_FRONTEND=noninteractive
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && { echo "all packages installed"; return 0; }
	echo "installing: ${missing[*]}"
	# Keep the packages' daemons from starting: a system dockerd would create its default
	# bridge on a private-range network, and the tests start isolated daemons of their own.
	local policy=/usr/sbin/policy-rc.d own_policy=0 rc=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
	fi
	apt-get update -qq &&
		apt-get install -y -qq --no-install-recommends "${missing[@]}" || rc=$?
	[ "$own_policy" = 1 ] && rm -f "$policy"
	return "$rc"
}

# The source tree to build from: $SRCDIR itself unless it was configured in place (a VPATH
# build refuses such a tree), then a clean copy of its tracked and untracked files.
prepare_source() {
	BUILD_SRC=$SRCDIR
	if [ -e "$SRCDIR/config.status" ]; then
		BUILD_SRC=$CI_DIR/src
		rm -rf "$BUILD_SRC"
		mkdir -p "$BUILD_SRC"
		(cd "$SRCDIR" && git ls-files -co --exclude-standard -z |
			xargs -0 tar -cf - --no-recursion) | tar -C "$BUILD_SRC" -xf -
		echo "source tree is configured in place; building from a copy in $BUILD_SRC"
	fi
	(cd "$BUILD_SRC" && ./autogen.sh)
}

# configure_build DIR [CONFIGURE ARG...]: a fresh VPATH build directory.
configure_build() {
	local dir=$1
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && "$BUILD_SRC/configure" "$@")
}

# The libFuzzer targets the build system knows (tests/unit/fuzz-*), built and run each for
# FUZZ_SECONDS on a scratch copy of its seed corpus (tests/unit/data/<area>/fuzz-corpus,
# <area> being the word after fuzz-) with its dictionary when there is one.
run_fuzzers() {
	local dir=$CI_DIR/fuzz t area corpus dict args
	local targets
	targets=$(grep -ho 'tests/unit/fuzz-[A-Za-z0-9_-]*' "$BUILD_SRC"/tests/unit/*.mk "$BUILD_SRC"/Makefile.am 2>/dev/null |
		sort -u | while read -r t; do [ -e "$BUILD_SRC/$t.c" ] && echo "$t"; done)
	if [ -z "$targets" ]; then
		echo "   fuzz: no targets"
		return 0
	fi
	step "fuzz: configure (clang, --enable-fuzzing, ASan+UBSan)" \
		configure_build "$dir" CC=clang --enable-fuzzing \
		CFLAGS="-g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer" || return 1
	for t in $targets; do
		if ! step "fuzz: build $(basename "$t")" make -C "$dir" -j"$JOBS" "$t"; then
			continue
		fi
		area=$(basename "$t")
		area=${area#fuzz-}
		area=${area%%-*}
		corpus=$dir/corpus-$(basename "$t")
		rm -rf "$corpus"
		mkdir -p "$corpus"
		[ -d "$BUILD_SRC/tests/unit/data/$area/fuzz-corpus" ] &&
			cp -r "$BUILD_SRC/tests/unit/data/$area/fuzz-corpus/." "$corpus/"
		args=(-max_total_time="$FUZZ_SECONDS" -max_len=16384 -timeout=10 -rss_limit_mb=2048)
		for dict in "$BUILD_SRC/tests/unit/data/$area"/*.dict; do
			[ -e "$dict" ] && args+=(-dict="$dict")
		done
		if step "fuzz: run $(basename "$t") for ${FUZZ_SECONDS}s" \
			"$dir/$t" "${args[@]}" "$corpus"; then
			PASSED=$((PASSED + 1))
			printf '   %-34s ok\n' "$(basename "$t"):"
		fi
	done
}

# Refuse to trust a run in which /dev/null has been damaged (seen once with crun exec
# --user): put it back and say so.
check_dev_null() {
	local st
	st=$(stat -c '%F %a %u' /dev/null 2>/dev/null)
	[ "$st" = "character special file 666 0" ] && return 0
	echo "   WARNING: /dev/null was '$st' after $1; restoring it"
	rm -f /dev/null && mknod -m 666 /dev/null c 1 3
}

# The pinned peers (containerd 2.x, runc 1.5; tests/integration/peers/build-peers.sh) are
# built from Go modules once the unit, sanitizer, fuzz and distcheck steps are done, just
# before the integration suites: a cold build keeps both cores busy for minutes, and the
# steps before it hold timing-bounded unit tests and qemu VMs under software emulation
# that must not share the machine with it (reused when the pins match: seconds).  No Go,
# no module proxy or a failed build: containerd2.bats skips with the reason, nothing
# fails here.
start_peers_build() {
	PEERS_BUILD_PID=
	[ "${CLEAT_SKIP_PEERS:-0}" = 1 ] && return 0
	log "peers: building containerd 2.x and runc 1.5 (reused when the pins match)"
	"$BUILD_SRC/tests/integration/peers/build-peers.sh" </dev/null >"$LOGDIR/peers-build.log" 2>&1 &
	PEERS_BUILD_PID=$!
}

wait_peers_build() {
	local rc=0
	PEERS_BUILT=0
	[ -n "${PEERS_BUILD_PID:-}" ] || return 0
	log "peers: waiting for the build"
	wait "$PEERS_BUILD_PID" || rc=$?
	if [ "$rc" = 0 ]; then
		local bin
		bin=$(tail -n 1 "$LOGDIR/peers-build.log")
		PEERS_BUILT=1
		echo "   peers: $bin ($(grep -h '^build seconds' "$bin/../build.log" 2>/dev/null), reused if built earlier)"
	else
		# containerd2.bats skips, naming the reason; the log holds the build's tail.
		echo "   peers: not built (exit $rc, log: $LOGDIR/peers-build.log): $(tail -n 3 "$LOGDIR/peers-build.log" | tr '\n' ' ' | cut -c1-300)"
	fi
}

# run_bats_file FILE BUILDDIR GEN: one .bats file under containerd generation GEN (1:
# Debian's 1.6, 2: the pinned 2.x), counted under its path (and "[containerd 2.x]").
run_bats_file() {
	local f=$1 builddir=$2 gen=$3 label out rc=0
	label=${f#"$BUILD_SRC/tests/integration/"}
	[ "$gen" = 2 ] && label="$label [containerd 2.x]"
	out=$LOGDIR/bats-$(printf '%s' "$label" | tr -c 'A-Za-z0-9._-' '_').tap
	log "integration: $label"
	(cd "$(dirname "$f")" && CLEAT_BUILDDIR=$builddir CLEAT_CONTAINERD_GEN=$gen \
		timeout --kill-after=30 "$BATS_TIMEOUT" bats --tap "$f") </dev/null >"$out" 2>&1 ||
		rc=$?
	count_tap "$label" "$out" "$rc"
	check_dev_null "$label"
}

run_integration() {
	local builddir=$CI_DIR/main f files
	if [ -n "${CLEAT_ONLY_BATS:-}" ]; then
		files=$(for f in $CLEAT_ONLY_BATS; do echo "$BUILD_SRC/tests/integration/$f"; done)
	else
		files=$(find "$BUILD_SRC/tests/integration" -name '*.bats' | sort)
	fi
	for f in $files; do
		run_bats_file "$f" "$builddir" 1
	done
	# The files marked `# containerd-generations: 1.6 2.x` start a containerd: they run
	# once more under the pinned containerd 2.x (CLEAT_CONTAINERD_GEN=2, helpers.bash).
	if [ "${PEERS_BUILT:-0}" = 1 ]; then
		for f in $(grep -l '^# containerd-generations: 1.6 2.x' $files); do
			run_bats_file "$f" "$builddir" 2
		done
	else
		echo "   containerd 2.x pass: not run, the peers were not built (see peers: above)"
	fi
	[ -n "${CLEAT_ONLY_BATS:-}" ] || run_systemd_vms
	[ -n "${CLEAT_ONLY_BATS:-}" ] || run_lsm_vm
	[ -n "${CLEAT_ONLY_BATS:-}" ] || run_selinux_vm
	[ -n "${CLEAT_ONLY_BATS:-}" ] || run_vm_suite numa-vm "memoryPolicy on two NUMA nodes in a VM" \
		tests/integration/numa-vm/run.sh
	[ -n "${CLEAT_ONLY_BATS:-}" ] || run_criu_vms
}

# Checkpoint/restore where criu works: Debian's 6.1 kernel under qemu, cleat against runc
# 1.5.3 (criu-vm), then containerd 1.6 and dockerd 20.10 through both shims (criu-daemons-vm,
# a systemd boot). Each case is one TAP line. CLEAT_SKIP_CRIU_VM=1 leaves them out.
run_criu_vms() {
	[ "${CLEAT_SKIP_CRIU_VM:-0}" = 1 ] && return 0
	run_vm_suite criu-vm "checkpoint/restore with criu in a VM" tests/integration/criu-vm/run.sh 2700
	run_vm_suite criu-daemons-vm "checkpoint/restore through containerd and dockerd in a VM" \
		tests/integration/criu-daemons-vm/run.sh 1800
}

# The systemd cgroup driver against a real systemd as PID 1: a debootstrap'd Debian booted
# under qemu, once on cgroup v2 and once on v1 (tests/integration/cgroupv2-vm/systemd-vm.sh
# prints TAP).  CLEAT_SKIP_SYSTEMD_VM=1 leaves them out.
run_systemd_vms() {
	local layout out rc
	[ "${CLEAT_SKIP_SYSTEMD_VM:-0}" = 1 ] && return 0
	for layout in v2 v1; do
		out=$LOGDIR/systemd-vm-$layout.tap
		log "integration: systemd driver in a VM (cgroup $layout)"
		rc=0
		CLEAT_SD_CGROUP=$layout CLEAT=$CI_DIR/main/cleat timeout --kill-after=30 1800 \
			"$BUILD_SRC/tests/integration/cgroupv2-vm/systemd-vm.sh" </dev/null >"$out" 2>&1 || rc=$?
		count_tap "systemd-vm ($layout)" "$out" "$rc"
	done
}

# run_vm_suite LABEL TITLE SCRIPT [SECONDS]: a qemu suite that prints TAP, bounded to
# SECONDS (600).
run_vm_suite() {
	local out=$LOGDIR/$1.tap rc=0
	log "integration: $2"
	CLEAT=$CI_DIR/main/cleat SHIM=$CI_DIR/main/containerd-shim-cleat-v2 \
		timeout --kill-after=30 "${4:-600}" "$BUILD_SRC/$3" </dev/null >"$out" 2>&1 || rc=$?
	count_tap "$1" "$out" "$rc"
}

# AppArmor for real: Debian's kernel under qemu with AppArmor, a test profile loaded,
# apparmorProfile and exec --apparmor checked from inside containers against runc
# (tests/integration/lsm-vm/run.sh prints TAP).  CLEAT_SKIP_LSM_VM=1 leaves it out.
run_lsm_vm() {
	[ "${CLEAT_SKIP_LSM_VM:-0}" = 1 ] ||
		run_vm_suite lsm-vm "AppArmor in a VM" tests/integration/lsm-vm/run.sh
}

# SELinux for real: Debian's kernel under qemu with SELinux (permissive) and the
# selinux-policy-default refpolicy loaded; selinuxLabel, mountLabel and
# exec --process-label checked by the labels the kernel reports, against runc
# (tests/integration/selinux-vm/run.sh prints TAP).  CLEAT_SKIP_SELINUX_VM=1 leaves it out.
run_selinux_vm() {
	[ "${CLEAT_SKIP_SELINUX_VM:-0}" = 1 ] ||
		run_vm_suite selinux-vm "SELinux in a VM" tests/integration/selinux-vm/run.sh
}

# What the integration suites left behind: mounts under the helpers' temporary
# directories, cgroups named like container_id ids created during the run, and orphaned
# processes still running from a test bundle. Reported; with CLEAT_LEAKS_STRICT=1 (.ci/run)
# any leftover counts as one failed test. On a machine where other suites run at the same
# time, their containers show up here too.
check_leftovers() {
	local mounts cgroups procs p n
	mounts=$(awk '$5 ~ "^/tmp/cleat-(bundle|ctrd|dockerd)\\." { print $5 }' /proc/self/mountinfo)
	cgroups=$(find /sys/fs/cgroup/ -mindepth 2 -maxdepth 3 -type d -newer "$RUN_STAMP" 2>/dev/null |
		grep -E '/[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*-[0-9a-f]+-[0-9]+-[0-9]+$')
	procs=$(for p in /proc/[0-9]*; do
		[ "$(awk '/^PPid:/ { print $2 }' "$p/status" 2>/dev/null)" = 1 ] || continue
		readlink "$p/root" 2>/dev/null | grep -q '^/tmp/cleat-bundle\.' && echo "${p#/proc/}"
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q -- '--root /tmp/cleat-bundle\.' &&
			echo "${p#/proc/}"
	done | sort -u)
	n=$(( $(echo -n "$mounts" | grep -c .) + $(echo -n "$cgroups" | grep -c .) + $(echo -n "$procs" | grep -c .) ))
	if [ "$n" -eq 0 ]; then
		echo "   leftovers: none (mounts, cgroups, processes)"
		[ "${CLEAT_LEAKS_STRICT:-0}" = 1 ] && PASSED=$((PASSED + 1))
		return 0
	fi
	echo "   leftovers: $(echo -n "$mounts" | grep -c .) mounts, $(echo -n "$cgroups" | grep -c .) cgroups, $(echo -n "$procs" | grep -c .) processes"
	{ echo "$mounts"; echo "$cgroups"; for p in $procs; do
		echo "pid $p: $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")"; done; } | grep . |
		head -n 20 | sed 's/^/   | /'
	if [ "${CLEAT_LEAKS_STRICT:-0}" = 1 ]; then
		FAILED=$((FAILED + 1))
		FAILURES+=("leftovers after the integration suites (see above)")
	fi
}

# Fail on (or, with CLEAT_FORMAT_STRICT=0, only report) C files that differ from clang-format.
check_format() {
	local f n=0 files=()
	command -v clang-format >/dev/null || { echo "   format: clang-format not installed"; return 0; }
	while IFS= read -r f; do
		if ! clang-format --style=file "$SRCDIR/$f" | cmp -s - "$SRCDIR/$f"; then
			n=$((n + 1))
			files+=("$f")
		fi
	done < <(cd "$SRCDIR" && git ls-files '*.c' '*.h' 2>/dev/null)
	if [ "$n" -eq 0 ]; then
		echo "   format: every C file matches .clang-format"
		PASSED=$((PASSED + 1))
	elif [ "${CLEAT_FORMAT_STRICT:-1}" = 1 ]; then
		echo "   format: $n files differ from clang-format: ${files[*]}"
		FAILED=$((FAILED + 1))
		FAILURES+=("format: $n files differ from clang-format")
	else
		echo "   format (report only): $n files differ from clang-format output"
	fi
}

main() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "run-all.sh: run as root (the integration tests create namespaces, mounts, cgroups)" >&2
		exit 1
	fi
	mkdir -p "$LOGDIR"
	log "cleat test suite: source $SRCDIR, logs in $LOGDIR"

	if [ "${CLEAT_SKIP_INSTALL:-0}" != 1 ]; then
		step "install packages" install_packages || {
			echo "$PASSED passed, $FAILED failed"
			exit 1
		}
	fi

	step "autogen" prepare_source || { echo "$PASSED passed, $FAILED failed"; exit 1; }

	local main=$CI_DIR/main
	if step "configure --enable-werror" configure_build "$main" --enable-werror &&
		step "build (-Werror)" make -C "$main" -j"$JOBS"; then
		run_unit "unit" "$main"
	fi

	if [ "${CLEAT_SKIP_SANITIZERS:-0}" != 1 ]; then
		local asan=$CI_DIR/asan
		if step "configure --enable-sanitizers" configure_build "$asan" --enable-werror \
			--enable-sanitizers &&
			step "build (ASan+UBSan)" make -C "$asan" -j"$JOBS"; then
			ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
				run_unit "unit (ASan+UBSan)" "$asan"
		fi
	fi

	[ "${CLEAT_SKIP_FUZZ:-0}" != 1 ] && run_fuzzers

	if [ "${CLEAT_SKIP_DISTCHECK:-0}" != 1 ] && [ -e "$main/Makefile" ]; then
		step "make distcheck" make -C "$main" -j"$JOBS" distcheck && {
			PASSED=$((PASSED + 1))
			echo "   distcheck: ok"
		}
	fi

	if [ -x "$main/cleat" ]; then
		RUN_STAMP=$LOGDIR/.integration-start
		touch "$RUN_STAMP"
		start_peers_build
		wait_peers_build
		run_integration
		log "leftovers"
		check_leftovers
	else
		echo "   integration: not run, the build failed"
		FAILED=$((FAILED + 1))
		FAILURES+=("integration: not run (no cleat binary)")
	fi

	log "format"
	check_format

	log "done in $(($(date +%s) - START)) s"
	if [ ${#FAILURES[@]} -gt 0 ]; then
		echo "failures:"
		printf '   %s\n' "${FAILURES[@]}"
	fi
	echo "skipped (counted as passed): $SKIPPED"
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

main "$@"
