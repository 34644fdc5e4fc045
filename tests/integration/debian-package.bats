#!/usr/bin/env bats
# The Debian package: `dpkg-buildpackage -us -uc -b` on a clean copy of the source tree
# (its tracked and untracked files, never the build trees), lintian on the result, then
# the .deb installed with apt-get, used (man page, bash completion, --version, a container
# through a containerd of our own with the installed shim) and purged, leaving nothing.
#
# Only /usr/bin's programs are used: containerd gets a PATH without /usr/local, so a
# `make install` into /usr/local (the README's quickstart) is neither used nor touched
# (its checksums are compared before and after). The file skips when a cleat package is
# already installed or /usr/bin holds a cleat of another origin: it would replace them.

# The programs under test are the installed ones (helpers.bash reads these).
CLEAT=/usr/bin/cleat
SHIM=/usr/bin/containerd-shim-cleat-v2
load helpers

# What containerd and the shim it starts search for programs: no /usr/local, no build tree.
SYSTEM_PATH=/usr/sbin:/usr/bin:/sbin:/bin
# apt-get and dpkg wait for a lock held by another apt-get instead of failing.
APT_OPTS=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=300)

# usr_local_sums: the checksums of a cleat installed under /usr/local, if any.
usr_local_sums() {
	local f
	for f in /usr/local/bin/cleat /usr/local/bin/containerd-shim-cleat-v2; do
		[ -e "$f" ] && sha256sum "$f"
	done
	return 0
}

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root (installs a package)"
	local cmd
	for cmd in dpkg-buildpackage dh apt-get git; do
		command -v "$cmd" >/dev/null ||
			skip "$cmd is not installed (Debian packages dpkg-dev, debhelper, apt, git)"
	done
	git -C "$SRCDIR" rev-parse --git-dir >/dev/null 2>&1 ||
		skip "$SRCDIR is not a git checkout (the clean copy is made with git ls-files)"
	if dpkg-query -W -f='${db:Status-Status}' cleat 2>/dev/null | grep -qvx not-installed; then
		skip "a cleat package is already on this machine; purging it is not this test's call"
	fi
	for cmd in "$CLEAT" "$SHIM"; do
		[ -e "$cmd" ] && skip "$cmd exists and is not from a package: installing would replace it"
	done

	DEB_DIR=$(mktemp -d /tmp/cleat-deb.XXXXXX)
	export DEB_DIR
	usr_local_sums >"$DEB_DIR/usr-local.sums"
	# The clean tree: what git tracks plus untracked files it does not ignore (the tree
	# as it would be committed), never _build/, a configure run in place or old packages.
	mkdir "$DEB_DIR/cleat"
	(cd "$SRCDIR" && git ls-files -co --exclude-standard -z |
		xargs -0 tar -cf - --no-recursion) | tar -C "$DEB_DIR/cleat" -xf -
	# The build runs configure and make; nothing else of this file can run without it.
	(cd "$DEB_DIR/cleat" && DEB_BUILD_OPTIONS=parallel=2 nice dpkg-buildpackage -us -uc -b) \
		>"$DEB_DIR/build.log" 2>&1 || {
		tail -n 40 "$DEB_DIR/build.log" >&3
		return 1
	}
	# Our own containerd, started with a PATH without /usr/local: runtime type
	# io.containerd.cleat.v2 resolves to $SHIM once the package is installed.
	PATH=$SYSTEM_PATH start_containerd
	import_test_image_ctr
}

teardown_file() {
	stop_containerd
	# The package is removed even when a test failed half-way.
	if [ -n "${DEB_DIR:-}" ] && dpkg-query -W cleat >/dev/null 2>&1; then
		apt-get purge "${APT_OPTS[@]}" cleat >/dev/null 2>&1 || true
	fi
	[ -n "${DEB_DIR:-}" ] && rm -rf "$DEB_DIR"
}

deb_file() {
	local f
	for f in "$DEB_DIR"/cleat_*.deb; do
		[ -f "$f" ] && echo "$f"
	done
}

@test "debian-package: dpkg-buildpackage builds cleat_*.deb with both programs, man pages, completion and examples" {
	local deb
	deb=$(deb_file)
	[ -n "$deb" ] || fail "no cleat_*.deb in $DEB_DIR: $(ls "$DEB_DIR")"
	run -0 dpkg-deb -c "$deb"
	assert_output --partial ' ./usr/bin/cleat'
	assert_output --partial ' ./usr/bin/containerd-shim-cleat-v2'
	assert_output --partial ' ./usr/share/man/man8/cleat-run.8.gz'
	assert_output --partial ' ./usr/share/man/man8/containerd-shim-cleat-v2.8.gz'
	assert_output --partial ' ./usr/share/bash-completion/completions/cleat'
	assert_output --partial ' ./usr/share/doc/cleat/examples/containerd/config.toml'
	assert_output --partial ' ./usr/share/doc/cleat/examples/docker/daemon.json'
	assert_output --partial ' ./usr/share/doc/cleat/examples/kubernetes/runtimeclass.yaml'
	assert_output --partial ' ./usr/share/doc/cleat/examples/podman/cleat.conf'
	refute_output --partial './usr/local'
	# The shim links libprotobuf-c: statically where libprotobuf-c.a is installed
	# (configure.ac; Built-Using names its source package), else as a shared library that
	# Depends names.
	if dpkg -L libprotobuf-c-dev 2>/dev/null | grep -q '/libprotobuf-c\.a$'; then
		run -0 dpkg-deb -f "$deb" Built-Using
		assert_output --partial 'protobuf-c (= '
	else
		run -0 dpkg-deb -f "$deb" Depends
		assert_output --partial 'libprotobuf-c1'
	fi
	run -0 dpkg-deb -f "$deb" Recommends
	assert_output --partial 'libsystemd0'
	# checkpoint/restore run criu, found on PATH.
	run -0 dpkg-deb -f "$deb" Suggests
	assert_output --partial 'criu'
}

@test "debian-package: lintian reports no errors" {
	command -v lintian >/dev/null || skip "lintian is not installed (Debian package lintian)"
	local changes
	changes=$(echo "$DEB_DIR"/cleat_*.changes)
	[ -f "$changes" ] || fail "no .changes in $DEB_DIR"
	run lintian "$changes"
	echo "$output"
	refute_line --regexp '^E: '
}

@test "debian-package: apt-get installs it; cleat --version, man cleat-run and the completion work" {
	run -0 apt-get install "${APT_OPTS[@]}" "$(deb_file)"
	run -0 dpkg-query -W -f='${db:Status-Status} ${Version}' cleat
	local version=${output#installed }
	assert_output --regexp '^installed '
	# --version prints the package's upstream version (debian/rules sets it).
	run -0 "$CLEAT" --version
	assert_line --index 0 "cleat version ${version%-*}"
	run -0 env PATH="$SYSTEM_PATH" MANWIDTH=200 man -P cat cleat-run
	assert_output --partial 'cleat-run'
	assert_output --partial '--detach'
	run -0 env PATH="$SYSTEM_PATH" MANWIDTH=200 man -P cat containerd-shim-cleat-v2
	assert_output --partial 'io.containerd.cleat.v2'
	run -0 dpkg-query -S /usr/share/bash-completion/completions/cleat
	assert_output 'cleat: /usr/share/bash-completion/completions/cleat'
	# bash-completion finds and loads the completion on its own when `cleat` is completed
	# (searching /usr/share only: not a completion installed under /usr/local or $HOME).
	[ -r /usr/share/bash-completion/bash_completion ] || return 0
	run -0 env PATH="$SYSTEM_PATH" XDG_DATA_DIRS=/usr/share HOME="$DEB_DIR" \
		BASH_COMPLETION_USER_DIR="$DEB_DIR/none" bash --norc --noprofile -c '
		source /usr/share/bash-completion/bash_completion || exit 9
		_completion_loader cleat
		complete -p cleat || exit 8
		COMP_WORDS=(cleat ru); COMP_CWORD=1; COMP_LINE="cleat ru"; COMP_POINT=8
		_cleat cleat ru cleat
		printf "reply: %s\n" "${COMPREPLY[@]}"'
	assert_line --partial '_cleat cleat'
	assert_line 'reply: run'
}

@test "debian-package: containerd runs a container through the installed shim and runtime" {
	local id
	id=$(container_id)
	run -0 ctr_ run --rm --runtime io.containerd.cleat.v2 "$TEST_IMAGE_REF" "$id" echo hello from the package
	assert_output 'hello from the package'

	# A long-running one: its shim is the installed one, and it searches no /usr/local.
	id=$(container_id long)
	run -0 ctr_ run -d --runtime io.containerd.cleat.v2 "$TEST_IMAGE_REF" "$id" sleep 60
	local pid shim=""
	for pid in $(pgrep -f -- "-address $CTR_ADDRESS" || true); do
		[ "$(readlink "/proc/$pid/exe")" = "$SHIM" ] && shim=$pid
	done
	[ -n "$shim" ] || fail "no process of $SHIM serves $CTR_ADDRESS"
	run -0 sh -c "tr '\\0' '\\n' </proc/$shim/environ | grep '^PATH='"
	refute_output --partial /usr/local
	refute_output --partial "$SRCDIR"
	run -0 ctr_ tasks kill -s SIGKILL "$id"
	# delete fails until the task has stopped.
	retry 50 0.1 ctr_ tasks delete "$id"
	run -0 ctr_ containers delete "$id"
	# The runtime's state for the container (the shim's default root) is gone.
	[ ! -e "/run/containerd/runc/$CTR_NAMESPACE/$id" ] ||
		fail "state left in /run/containerd/runc/$CTR_NAMESPACE/$id"
}

@test "debian-package: apt-get purge leaves none of the package's files, and /usr/local is untouched" {
	stop_containerd
	run -0 dpkg-query -L cleat
	local files=() dirs=() f
	while read -r f; do
		[ "$f" = /. ] && continue
		if [ -d "$f" ]; then dirs+=("$f"); else files+=("$f"); fi
	done <<<"$output"
	[ "${#files[@]}" -gt 20 ] || fail "dpkg -L lists only: ${files[*]}"
	run -0 apt-get purge "${APT_OPTS[@]}" cleat
	run dpkg-query -W -f='${db:Status-Status}' cleat
	[ "$status" -ne 0 ] || assert_output not-installed
	for f in "${files[@]}"; do
		[ ! -e "$f" ] && [ ! -L "$f" ] || fail "$f is left after purge"
	done
	# Directories stay only when another package owns them (/usr/bin, /usr/share/man/man8).
	for f in "${dirs[@]}"; do
		[ -e "$f" ] || continue
		dpkg-query -S "$f" >/dev/null 2>&1 || fail "directory $f is left after purge"
	done
	[ ! -e /usr/share/doc/cleat ] || fail "/usr/share/doc/cleat is left after purge"
	run compgen -G '/var/lib/dpkg/info/cleat.*'
	assert_failure
	run -0 usr_local_sums
	assert_output "$(cat "$DEB_DIR/usr-local.sums")"
}
