#!/usr/bin/env bats
# dockerd 20.10 with `--runtime cleat` (the runc shim running our binary) against
# `--runtime runc`: the same docker flags must leave the same cgroup values, and update,
# pause/unpause, stats and top must work alike.  Own containerd + dockerd, local image,
# --pull never --network none.  DOCKER_CG_OPTS adds docker run flags to both runtimes
# (e.g. "--security-opt seccomp=unconfined" to isolate the cgroup checks).

load helpers

setup_file() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	command -v "$DOCKERD" >/dev/null 2>&1 || skip "dockerd is not installed"
	[ -d /sys/fs/cgroup/memory ] || skip "these checks read cgroup v1 files"
	start_dockerd
	import_test_image_docker
}

teardown_file() {
	stop_dockerd
}

DEV=/dev/vda

drun() { # RUNTIME NAME DOCKER-RUN-ARGS...
	local rt=$1 name=$2
	shift 2
	docker_ run -d --pull never --network none --runtime "$rt" --name "$name" ${DOCKER_CG_OPTS:-} "$@" \
		"$TEST_IMAGE_DOCKER" sleep 1000
}

# cgv NAME CONTROLLER FILE: the value in the container's v1 cgroup (docker's /docker/<id>).
cgv() {
	local id
	id=$(docker_ inspect -f '{{.Id}}' "$1")
	cat "/sys/fs/cgroup/$2/docker/$id/$3"
}

setup() {
	[ -b "$DEV" ] || DEV=$(ls /dev/sd? /dev/vd? /dev/nvme?n1 2>/dev/null | head -1)
	N=$(container_id d)
}

teardown() {
	docker_ rm -f "$N-cleat" "$N-runc" >/dev/null 2>&1 || true
}

@test "docker run --memory --cpus --pids-limit --device-read-bps: same cgroup values as runc" {
	local args=(--memory 64m --cpus 0.5 --pids-limit 50 --cpu-shares 512 --memory-reservation 32m)
	[ -n "$DEV" ] && args+=(--device-read-bps "$DEV:1mb" --device-write-iops "$DEV:100")
	run drun cleat "$N-cleat" "${args[@]}"
	assert_success
	run drun runc "$N-runc" "${args[@]}"
	assert_success
	run -0 cgv "$N-cleat" memory memory.limit_in_bytes
	assert_output 67108864
	run -0 cgv "$N-cleat" cpu cpu.cfs_quota_us
	assert_output 50000
	run -0 cgv "$N-cleat" pids pids.max
	assert_output 50
	local f a b
	for f in memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes memory/memory.memsw.limit_in_bytes \
		cpu/cpu.shares cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us pids/pids.max \
		blkio/blkio.throttle.read_bps_device blkio/blkio.throttle.write_iops_device devices/devices.list; do
		a=$(cgv "$N-cleat" "${f%%/*}" "${f#*/}" | sort)
		b=$(cgv "$N-runc" "${f%%/*}" "${f#*/}" | sort)
		[ "$a" = "$b" ] || fail "$f: cleat '$a', runc '$b'"
	done
	[ -z "$DEV" ] || [ -n "$(cgv "$N-cleat" blkio blkio.throttle.read_bps_device)" ] || fail "no read bps limit"
}

@test "docker update: same values as runc" {
	run drun cleat "$N-cleat" --memory 64m --cpus 0.5 --pids-limit 50
	assert_success
	run drun runc "$N-runc" --memory 64m --cpus 0.5 --pids-limit 50
	assert_success
	local n
	for n in "$N-cleat" "$N-runc"; do
		run -0 docker_ update --memory 128m --memory-swap 256m --cpus 1.5 --pids-limit 60 --cpu-shares 300 "$n"
	done
	run -0 cgv "$N-cleat" memory memory.limit_in_bytes
	assert_output 134217728
	local f a b
	for f in memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes cpu/cpu.shares \
		cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us pids/pids.max; do
		a=$(cgv "$N-cleat" "${f%%/*}" "${f#*/}")
		b=$(cgv "$N-runc" "${f%%/*}" "${f#*/}")
		[ "$a" = "$b" ] || fail "$f: cleat '$a', runc '$b'"
	done
}

@test "docker pause / unpause" {
	run drun cleat "$N-cleat"
	assert_success
	run -0 docker_ pause "$N-cleat"
	run -0 cgv "$N-cleat" freezer freezer.state
	assert_output FROZEN
	run -0 docker_ inspect -f '{{.State.Status}} {{.State.Paused}}' "$N-cleat"
	assert_output "paused true"
	run -0 docker_ unpause "$N-cleat"
	run -0 cgv "$N-cleat" freezer freezer.state
	assert_output THAWED
	run -0 docker_ inspect -f '{{.State.Status}} {{.State.Paused}}' "$N-cleat"
	assert_output "running false"
}

@test "docker stats --no-stream: the same limit as runc" {
	run drun cleat "$N-cleat" --memory 64m --pids-limit 50
	assert_success
	run drun runc "$N-runc" --memory 64m --pids-limit 50
	assert_success
	local a b
	a=$(docker_ stats --no-stream --format '{{.MemUsage}} {{.PIDs}}' "$N-cleat")
	b=$(docker_ stats --no-stream --format '{{.MemUsage}} {{.PIDs}}' "$N-runc")
	[[ "$a" == *"/ 64MiB 1" ]] || fail "cleat stats: $a"
	[[ "$b" == *"/ 64MiB 1" ]] || fail "runc stats: $b"
}

@test "docker top: the container's processes, as with runc" {
	run drun cleat "$N-cleat"
	assert_success
	run drun runc "$N-runc"
	assert_success
	local a b
	a=$(docker_ top "$N-cleat" | awk 'NR == 1 { print } NR > 1 { print $NF, $(NF-1) }')
	b=$(docker_ top "$N-runc" | awk 'NR == 1 { print } NR > 1 { print $NF, $(NF-1) }')
	[ "$a" = "$b" ] || fail "cleat: '$a' runc: '$b'"
	run -0 docker_ top "$N-cleat"
	assert_output --partial "sleep 1000"
}

@test "docker rm -f leaves no cgroup" {
	run drun cleat "$N-cleat" --memory 64m
	assert_success
	local id
	id=$(docker_ inspect -f '{{.Id}}' "$N-cleat")
	run -0 docker_ rm -f "$N-cleat"
	local d
	for d in /sys/fs/cgroup/*; do
		[ ! -e "$d/docker/$id" ] || fail "$d/docker/$id is left"
	done
}
