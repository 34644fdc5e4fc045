#!/usr/bin/env bats
# dockerd 20.10 with `--runtime cleat` against `--runtime runc`: the same docker security
# options must give the same Cap*/Seccomp*/NoNewPrivs lines and the same behaviour in the
# container, for `docker run` and `docker exec` (with and without -t).
# The image is built locally (busybox-static) and imported; nothing is ever pulled.

load helpers

bats_require_minimum_version 1.5.0

PROBE='grep -E "^(Cap|Seccomp|NoNewPrivs)" /proc/self/status'
# Syscalls docker's default profile and capabilities decide on.
BEHAVIOUR_PROBE='unshare -U true 2>/dev/null; echo "unshare=$?"; mkdir /tmp/d 2>/dev/null; echo "mkdir=$?"; mount -t tmpfs none /mnt 2>/dev/null; echo "mount=$?"; nice -n -5 true 2>/dev/null; echo "nice=$?"; chown 1:1 /tmp 2>/dev/null; echo "chown=$?"; mknod /tmp/n c 1 3 2>/dev/null; echo "mknod=$?"; hostname x 2>/dev/null; echo "hostname=$?"'

setup_file() {
	require_binary "$CLEAT"
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	start_dockerd || return 1
	import_test_image_docker || return 1
	# sysno N...: issue raw syscalls (all arguments -1) and print "N=ret/errno".
	mkdir -p "$BATS_FILE_TMPDIR/bin"
	cat >"$BATS_FILE_TMPDIR/sysno.c" <<-'EOF'
		#include <errno.h>
		#include <stdio.h>
		#include <stdlib.h>
		#include <unistd.h>
		int main(int argc, char **argv)
		{
			for (int i = 1; i < argc; i++) {
				long n = atol(argv[i]);
				errno = 0;
				long r = syscall(n, -1L, -1L, -1L, -1L, -1L, -1L);
				printf("%ld=%ld/%d\n", n, r, r < 0 ? errno : 0);
			}
			return 0;
		}
	EOF
	cc -static -O2 -o "$BATS_FILE_TMPDIR/bin/sysno" "$BATS_FILE_TMPDIR/sysno.c"
	# A custom profile: docker's "seccomp=FILE" form.
	cat >"$BATS_FILE_TMPDIR/custom.json" <<-'EOF'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		 "syscalls": [
		   {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95},
		   {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
		    "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]},
		   {"names": ["not_a_real_syscall"], "action": "SCMP_ACT_KILL"}]}
	EOF
}

teardown_file() {
	stop_dockerd
}

# dr RUNTIME ARG...: docker run --rm with the runtime and the local image.
dr() {
	local rt=$1
	shift
	docker_ run --rm --pull never --network none --runtime "$rt" "$@"
}

# compare_run DOCKER_ARGS... -- CMD...: the same `docker run` under runc and cleat must
# exit alike and print the same.
compare_run() {
	local -a opts=()
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	run --separate-stderr dr runc "${opts[@]}" "$TEST_IMAGE_DOCKER" "$@"
	local rs=$status ro=$output re=$stderr
	run --separate-stderr dr cleat "${opts[@]}" "$TEST_IMAGE_DOCKER" "$@"
	if [ "$rs" != "$status" ] || [ "$ro" != "$output" ]; then
		printf 'runc (%s):\n%s\n%s\ncleat (%s):\n%s\n%s\n' "$rs" "$ro" "$re" "$status" "$output" "$stderr" >&2
		return 1
	fi
	[ "$status" -eq 0 ] || { echo "both failed: $stderr" >&2; return 1; }
}

@test "docker: default caps and seccomp profile match runc" {
	compare_run -- sh -c "$PROBE"
	assert_output --partial "Seccomp:	2"
	assert_output --partial "CapEff:	00000000a80425fb"
}

@test "docker: the default profile and caps allow and deny the same syscalls" {
	compare_run -- sh -c "$BEHAVIOUR_PROBE"
	assert_line "unshare=1"
	assert_line "mkdir=0"
}

@test "docker: syscalls newer than the default profile get ENOSYS, not EPERM, like runc" {
	# 300 fanotify_init (in the profile's range, refused), 435 clone3 (ENOSYS by the
	# profile itself), 451-454 cachestat..futex_wake (newer than docker 20.10's profile).
	compare_run -v "$BATS_FILE_TMPDIR/bin:/t:ro" -- /t/sysno 300 435 451 452 453 454
	assert_line "300=-1/1"
	assert_line "451=-1/38"
}

@test "docker: --cap-drop ALL" {
	compare_run --cap-drop ALL -- sh -c "$PROBE; $BEHAVIOUR_PROBE"
	assert_output --partial "CapBnd:	0000000000000000"
}

@test "docker: --cap-add SYS_ADMIN --cap-add NET_ADMIN" {
	compare_run --cap-add SYS_ADMIN --cap-add NET_ADMIN -- sh -c "$PROBE; $BEHAVIOUR_PROBE"
	assert_output --partial "CapEff:	00000000a82435fb"
}

@test "docker: --cap-drop ALL --cap-add CHOWN" {
	compare_run --cap-drop ALL --cap-add CHOWN -- sh -c "$PROBE; $BEHAVIOUR_PROBE"
	assert_output --partial "CapEff:	0000000000000001"
}

@test "docker: --security-opt no-new-privileges" {
	compare_run --security-opt no-new-privileges -- sh -c "$PROBE; $BEHAVIOUR_PROBE"
	assert_output --partial "NoNewPrivs:	1"
}

@test "docker: --security-opt seccomp=custom.json" {
	compare_run --security-opt "seccomp=$BATS_FILE_TMPDIR/custom.json" -- \
		sh -c "$PROBE; mkdir /tmp/x 2>&1; kill -10 999999 2>&1; kill -12 999999 2>&1; true"
	assert_output --partial "Operation not supported"
	assert_output --partial "No message of desired type"
}

@test "docker: --security-opt seccomp=unconfined" {
	compare_run --security-opt seccomp=unconfined -- sh -c "$PROBE; $BEHAVIOUR_PROBE"
	assert_output --partial "Seccomp:	0"
}

@test "docker: --user 1000:1000" {
	compare_run --user 1000:1000 -- sh -c "$PROBE; id; $BEHAVIOUR_PROBE"
	assert_output --partial "CapEff:	0000000000000000"
	assert_output --partial "uid=1000"
}

@test "docker: --user 1000:1000 --security-opt no-new-privileges --cap-add NET_RAW" {
	compare_run --user 1000:1000 --security-opt no-new-privileges --cap-add NET_RAW -- sh -c "$PROBE"
}

# --privileged is not compared: it asks for every capability, and root on the test
# machines lacks CAP_SYS_RESOURCE, so runc and cleat both fail ("apply caps").

# exec_compare DOCKER_RUN_ARGS... -- EXEC_ARGS... -- CMD...: a container started with the
# run args under each runtime, then `docker exec EXEC_ARGS CMD` in it.
exec_compare() {
	local -a ropts=() eopts=()
	while [ "$1" != -- ]; do ropts+=("$1"); shift; done
	shift
	while [ "$1" != -- ]; do eopts+=("$1"); shift; done
	shift
	local rt cid
	local -A outs=() sts=()
	for rt in runc cleat; do
		cid=$(docker_ run -d --pull never --network none --runtime "$rt" "${ropts[@]}" \
			"$TEST_IMAGE_DOCKER" sleep 1000) || return 1
		run --separate-stderr docker_ exec "${eopts[@]}" "$cid" "$@"
		sts[$rt]=$status
		outs[$rt]=${output//$'\r'/}
		docker_ rm -f "$cid" >/dev/null
	done
	if [ "${sts[runc]}" != "${sts[cleat]}" ] || [ "${outs[runc]}" != "${outs[cleat]}" ]; then
		printf 'runc (%s):\n%s\ncleat (%s):\n%s\n' "${sts[runc]}" "${outs[runc]}" \
			"${sts[cleat]}" "${outs[cleat]}" >&2
		return 1
	fi
	output=${outs[cleat]}
	assert [ "${sts[cleat]}" -eq 0 ]
}

@test "docker exec: caps and seccomp match runc" {
	exec_compare -- -- sh -c "$PROBE; $BEHAVIOUR_PROBE"
	assert_output --partial "Seccomp:	2"
}

@test "docker exec -t: caps and seccomp match runc" {
	exec_compare -- -t -- sh -c "$PROBE"
	assert_output --partial "Seccomp:	2"
}

@test "docker exec --user 1000:1000 matches runc" {
	exec_compare -- --user 1000:1000 -- sh -c "$PROBE; id -u"
	assert_output --partial "CapEff:	0000000000000000"
}

@test "docker exec --cap-add through a --cap-add container matches runc" {
	exec_compare --cap-add NET_ADMIN -- --user 0 -- sh -c "$PROBE"
	assert_output --partial "CapEff:	00000000a80435fb"
}

@test "docker exec into a --cap-drop ALL, no-new-privileges container matches runc" {
	exec_compare --cap-drop ALL --security-opt no-new-privileges -- -- sh -c "$PROBE"
	assert_output --partial "NoNewPrivs:	1"
}

@test "docker exec -t into a custom-seccomp container matches runc" {
	exec_compare --security-opt "seccomp=$BATS_FILE_TMPDIR/custom.json" -- -t -- \
		sh -c "$PROBE; mkdir /tmp/x; true"
	assert_output --partial "Operation not supported"
}
