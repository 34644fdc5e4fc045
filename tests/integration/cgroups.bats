#!/usr/bin/env bats
# cgroups on this machine's layout (v1 controllers + the hybrid unified mount): every
# resource is read back from the kernel's files; runc with the same config must leave the
# same values (differential).  Pure v1 is in cgroups-v1.bats, v2 in cgroupv2-vm/.

load helpers

setup() {
	require_root
	[ -d /sys/fs/cgroup/memory ] || skip "no cgroup v1 memory hierarchy on this host"
	setup_bundle sleep 1000
	ID=$(container_id cg)
	CG=/cleat-test-$ID
	update_config '.linux.cgroupsPath = $p' --arg p "$CG"
}

teardown() {
	# Delete our containers by name first: nothing of ours may outlive the test.
	cleat delete --force "$ID" >/dev/null 2>&1 || true
	runc_ delete --force "$ID-runc" >/dev/null 2>&1 || true
	crun_ delete --force "$ID-crun" >/dev/null 2>&1 || true
	teardown_bundle
	local d
	for d in /sys/fs/cgroup/*/cleat-test-cg-*; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	true
}

# v1 FILE for the container: v1 CONTROLLER FILE
v1() {
	cat "/sys/fs/cgroup/$1$CG/$2"
}

start() {
	run -0 detached cleat run -d "$ID"
}

@test "memory: limit, reservation, swap, swappiness, disableOOMKiller" {
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432,
		"swap": 134217728, "swappiness": 30, "disableOOMKiller": true}'
	start
	run -0 v1 memory memory.limit_in_bytes
	assert_output 67108864
	run -0 v1 memory memory.soft_limit_in_bytes
	assert_output 33554432
	if [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]; then
		run -0 v1 memory memory.memsw.limit_in_bytes
		assert_output 134217728
	fi
	run -0 v1 memory memory.swappiness
	assert_output 30
	run -0 v1 memory memory.oom_control
	assert_line "oom_kill_disable 1"
}

@test "memory: kernelTCP is applied where the kernel has memory.kmem.tcp, as by crun" {
	update_config '.linux.resources.memory = {"limit": 67108864, "kernelTCP": 16777216}'
	if [ ! -e /sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes ]; then
		# No TCP accounting file: ignored with runc's warning, never silently.
		run -0 detached cleat run -d "$ID"
		assert_output --partial "kernelTCP"
		assert_output --partial "ignored"
		return
	fi
	run -0 detached cleat run -d "$ID"
	refute_output --partial "ignored"
	run -0 v1 memory memory.kmem.tcp.limit_in_bytes
	assert_output 16777216
	skip_unless_cmd "$CRUN"
	update_config '.linux.cgroupsPath = $p' --arg p "$CG-crun"
	run -0 detached crun_ run -d "$ID-crun"
	local b
	b=$(cat "/sys/fs/cgroup/memory$CG-crun/memory.kmem.tcp.limit_in_bytes")
	crun_ delete --force "$ID-crun"
	assert_equal "$b" 16777216
}

@test "memory: kernel memory is ignored with runc's warning" {
	update_config '.linux.resources.memory = {"limit": 67108864, "kernel": 33554432}'
	run -0 detached cleat run -d "$ID"
	assert_output --partial "Kernel memory settings are ignored"
	run -0 v1 memory memory.limit_in_bytes
	assert_output 67108864
}

@test "a failed create leaves no cgroup behind" {
	# cpu.shares 1 is accepted by the config parser, then clamped by the kernel.
	update_config '.linux.resources.cpu = {"shares": 1}'
	run -1 detached cleat run -d "$ID"
	assert_output --partial "the minimum allowed cpu-shares is 2"
	local d
	for d in /sys/fs/cgroup/*; do
		[ ! -e "$d$CG" ] || fail "$d$CG is left"
	done
}

@test "cpu: shares, quota, period, burst, idle, realtime" {
	update_config '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 200000,
		"burst": 10000, "realtimePeriod": 1000000, "realtimeRuntime": 10000}'
	start
	run -0 v1 cpu cpu.shares
	assert_output 512
	run -0 v1 cpu cpu.cfs_quota_us
	assert_output 50000
	run -0 v1 cpu cpu.cfs_period_us
	assert_output 200000
	run -0 v1 cpu cpu.cfs_burst_us
	assert_output 10000
	run -0 v1 cpu cpu.rt_runtime_us
	assert_output 10000
}

@test "cpu: idle" {
	[ -e /sys/fs/cgroup/cpu/cpu.idle ] || skip "this kernel has no cpu.idle"
	update_config '.linux.resources.cpu = {"idle": 1}'
	start
	run -0 v1 cpu cpu.idle
	assert_output 1
}

@test "cpu: shares outside the kernel's range are reported like runc" {
	update_config '.linux.resources.cpu = {"shares": 1}'
	run -1 detached cleat run -d "$ID"
	assert_output --partial "the minimum allowed cpu-shares is 2"
}

@test "cpuset: cpus and mems; cpus outside the set is a clear error" {
	update_config '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
	start
	run -0 v1 cpuset cpuset.cpus
	assert_output 0
	run -0 v1 cpuset cpuset.mems
	assert_output 0
	run -1 cleat update --cpuset-cpus 63 "$ID"
	assert_output --partial 'cpuset.cpus "63" is outside the allowed set'
	run -0 v1 cpuset cpuset.cpus
	assert_output 0
}

@test "cpuset: a nested new path inherits the parent's cpus and mems" {
	update_config '.linux.cgroupsPath = $p' --arg p "$CG/a/b"
	start
	run -0 cat "/sys/fs/cgroup/cpuset$CG/a/b/cpuset.cpus"
	assert_output "$(cat /sys/fs/cgroup/cpuset/cpuset.cpus)"
	run -0 cleat delete --force "$ID"
	rmdir "/sys/fs/cgroup"/*"$CG/a" "/sys/fs/cgroup"/*"$CG" 2>/dev/null || true
}

@test "pids: limit, and -1 is max" {
	update_config '.linux.resources.pids = {"limit": 42}'
	start
	run -0 v1 pids pids.max
	assert_output 42
	run -0 cleat update --pids-limit -1 "$ID"
	run -0 v1 pids pids.max
	assert_output max
}

@test "pids: limit 0 is a limit (written as 1, as runc 1.4+); no limit given sets none" {
	update_config '.linux.resources.pids = {}'
	start
	run -0 v1 pids pids.max
	assert_output max
	run -0 cleat update --pids-limit 0 "$ID"
	run -0 v1 pids pids.max
	assert_output 1
	run -0 jq -c '.linux.resources.pids' "$ROOT/$ID/config.json"
	assert_output '{"limit":0}'
}

@test "blkio: throttle read/write bps and iops" {
	local dev
	dev=$(cat /sys/block/vda/dev 2>/dev/null || cat "$(ls -d /sys/block/*/dev | grep -v loop | head -1)")
	local maj=${dev%:*} min=${dev#*:}
	update_config ".linux.resources.blockIO = {
		throttleReadBpsDevice: [{major: $maj, minor: $min, rate: 1048576}],
		throttleWriteBpsDevice: [{major: $maj, minor: $min, rate: 2097152}],
		throttleReadIOPSDevice: [{major: $maj, minor: $min, rate: 100}],
		throttleWriteIOPSDevice: [{major: $maj, minor: $min, rate: 200}]}"
	start
	run -0 v1 blkio blkio.throttle.read_bps_device
	assert_output "$dev 1048576"
	run -0 v1 blkio blkio.throttle.write_bps_device
	assert_output "$dev 2097152"
	run -0 v1 blkio blkio.throttle.read_iops_device
	assert_output "$dev 100"
	run -0 v1 blkio blkio.throttle.write_iops_device
	assert_output "$dev 200"
}

@test "blkio: weight is applied where the kernel has a weight file, refused as by runc where not" {
	update_config '.linux.resources.blockIO = {"weight": 500}'
	# The kernel decides: CFQ's blkio.weight (gone since 5.0), BFQ's blkio.bfq.weight, or
	# neither (no BFQ in the kernel). Probe the hierarchy's root, not this machine.
	local f=
	if [ -e /sys/fs/cgroup/blkio/blkio.weight ]; then
		f=blkio.weight
	elif [ -e /sys/fs/cgroup/blkio/blkio.bfq.weight ]; then
		f=blkio.bfq.weight
	fi
	if [ -n "$f" ]; then
		start
		run -0 v1 blkio $f
		assert_line --partial 500
		return
	fi
	# Without a weight file both runtimes fail the start, and nothing is left behind.
	run -1 detached cleat run -d "$ID"
	assert_output --partial blkio.weight
	[ ! -e "/sys/fs/cgroup/blkio$CG" ] || fail "cleat left /sys/fs/cgroup/blkio$CG behind"
	run -0 cleat list -q
	refute_output --partial "$ID"
	update_config '.linux.cgroupsPath = $p' --arg p "$CG-runc"
	run ! detached runc_ run -d "$ID-runc"
}

@test "blkio: weightDevice behaves as under runc (the device's scheduler decides)" {
	local dev
	dev=$(cat /sys/block/vda/dev 2>/dev/null || echo 254:0)
	update_config ".linux.resources.blockIO = {weightDevice: [{major: ${dev%:*}, minor: ${dev#*:}, weight: 300}]}"
	local rc_cleat=0 rc_runc=0
	detached cleat run -d "$ID" || rc_cleat=$?
	update_config '.linux.cgroupsPath = $p' --arg p "$CG-runc"
	detached runc_ run -d "$ID-runc" || rc_runc=$?
	[ "$rc_cleat" = "$rc_runc" ] || fail "cleat exit $rc_cleat, runc exit $rc_runc"
	if [ "$rc_cleat" = 0 ]; then
		run -0 sh -c "cat /sys/fs/cgroup/blkio$CG/blkio.*weight_device"
		assert_output --partial "$dev 300"
	fi
}

@test "devices: runc's default rules; a denied device can't be opened, an allowed one can" {
		# A linux.devices node gets no cgroup rule (as in runc): it exists but can't be opened.
	update_config '.linux.devices = [{"path": "/dev/xmem", "type": "c", "major": 1, "minor": 1}]
		| .process.args = ["sh", "-c", "ls /dev/xmem; head -c1 /dev/xmem; echo rc=$?; head -c1 /dev/zero | wc -c"]'
	run -0 cleat run "$ID"
	assert_line /dev/xmem
	assert_line "rc=1"
	assert_line "1"
	assert_output --partial "Operation not permitted"
}

@test "devices: v1 devices.list holds the whitelist" {
	update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 1, "access": "r"}]'
	start
	run -0 v1 devices devices.list
	assert_line "c 1:1 r"
	assert_line "c 1:3 rwm"
	assert_line "c 136:* rwm"
	refute_line "a *:* rwm"
}

@test "devices: letters other than r, w and m are ignored, as runc does" {
	# runc's own update.bats writes "rwa".  A rule left with none of r, w, m does
	# nothing here; runc fails such a config ("doesn't precisely match target").
	update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 1, "access": "rwa"}]'
	local runc_config
	runc_config=$(cat "$BUNDLE/config.json")
	update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 4, "access": "x"}]'
	start
	run -0 v1 devices devices.list
	assert_line "c 1:1 rw"
	refute_line --regexp "^c 1:4 "
	local ours=$output
	jq '.linux.cgroupsPath = $p' --arg p "$CG-runc" <<<"$runc_config" >"$BUNDLE/config.json"
	run -0 detached runc_ run -d "$ID-runc"
	assert [ "$(sort <<<"$ours")" = "$(sort "/sys/fs/cgroup/devices$CG-runc/devices.list")" ]
}

@test "hugetlb: limits land in the hybrid unified hierarchy (hugetlb.*.max, rsvd)" {
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null ||
		skip "hugetlb is not on the unified mount of this host"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	start
	run -0 cat "/sys/fs/cgroup/unified$CG/hugetlb.2MB.max"
	assert_output 4194304
	if [ -e "/sys/fs/cgroup/unified$CG/hugetlb.2MB.rsvd.max" ]; then
		run -0 cat "/sys/fs/cgroup/unified$CG/hugetlb.2MB.rsvd.max"
		assert_output 4194304
	fi
}

@test "unified: rejected on v1/hybrid like runc" {
	update_config '.linux.resources.unified = {"pids.max": "10"}'
	run -1 detached cleat run -d "$ID"
	assert_output --partial "cannot use unified on cgroup v1"
}

@test "network: classID and priorities need net_cls/net_prio" {
	update_config '.linux.resources.network = {"classID": 1048577}'
	if mountpoint -q /sys/fs/cgroup/net_cls; then
		start
		run -0 v1 net_cls net_cls.classid
		assert_output 1048577
	else
		run -1 detached cleat run -d "$ID"
		assert_output --partial '"net_cls" cgroup controller is not available'
	fi
}

@test "update: runc's flags, persisted in the state's config.json" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.cpu = {"shares": 512}'
	start
	run -0 cleat update --memory 128m --memory-reservation 64m --cpu-share 1024 --cpu-quota 30000 \
		--cpu-period 100000 --cpuset-cpus 0 --cpuset-mems 0 --pids-limit 77 "$ID"
	run -0 v1 memory memory.limit_in_bytes
	assert_output 134217728
	run -0 v1 memory memory.soft_limit_in_bytes
	assert_output 67108864
	run -0 v1 cpu cpu.shares
	assert_output 1024
	run -0 v1 cpu cpu.cfs_quota_us
	assert_output 30000
	run -0 v1 pids pids.max
	assert_output 77
	run -0 jq -c '.linux.resources | [.memory.limit, .memory.reservation, .cpu.shares, .cpu.quota, .pids.limit]' \
		"$ROOT/$ID/config.json"
	assert_output "[134217728,67108864,1024,30000,77]"
	# A later partial update keeps the earlier values.
	run -0 cleat update --pids-limit 88 "$ID"
	run -0 jq -c '.linux.resources | [.memory.limit, .pids.limit]' "$ROOT/$ID/config.json"
	assert_output "[134217728,88]"
}

@test "update: --resources from stdin and from a file" {
	start
	run -0 cleat update -r - "$ID" <<<'{"memory": {"limit": 100663296}, "pids": {"limit": 31}}'
	run -0 v1 memory memory.limit_in_bytes
	assert_output 100663296
	run -0 v1 pids pids.max
	assert_output 31
	echo '{"cpu": {"shares": 300}}' >"$BUNDLE/res.json"
	run -0 cleat update --resources "$BUNDLE/res.json" "$ID"
	run -0 v1 cpu cpu.shares
	assert_output 300
}

@test "update: -r blockIO devices are upserted by major:minor, as runc 1.4+" {
	[ -e /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device ] || skip "no blkio throttle files"
	# Two whole disks (throttling takes no partition); loop devices as a fallback.
	local devs d1 d2
	devs=$(for d in /sys/block/*; do [ -e "$d/dev" ] && echo "$(basename "$d") $(cat "$d/dev")"; done |
		sort -k1,1 | awk '{ print ($1 ~ /^loop/ ? 1 : 0), $2 }' | sort -s -n -k1,1 | awk '{ print $2 }')
	d1=$(sed -n 1p <<<"$devs") d2=$(sed -n 2p <<<"$devs")
	[ -n "$d2" ] || skip "fewer than two block devices"
	update_config ".linux.resources.blockIO = {
		throttleReadBpsDevice: [{major: ${d1%:*}, minor: ${d1#*:}, rate: 1048576}],
		throttleWriteBpsDevice: [{major: ${d1%:*}, minor: ${d1#*:}, rate: 2097152}]}"
	start
	run -0 cleat update -r - "$ID" <<-EOF
		{"blockIO": {"throttleReadBpsDevice": [{"major": ${d2%:*}, "minor": ${d2#*:}, "rate": 3145728}],
			"throttleWriteIOPSDevice": [{"major": ${d1%:*}, "minor": ${d1#*:}, "rate": 50}],
			"throttleReadIOPSDevice": [{"major": ${d2%:*}, "minor": ${d2#*:}, "rate": 60}]}}
	EOF
	run -0 v1 blkio blkio.throttle.read_bps_device
	assert_line "$d1 1048576"
	assert_line "$d2 3145728"
	run -0 v1 blkio blkio.throttle.write_iops_device
	assert_output "$d1 50"
	run -0 v1 blkio blkio.throttle.read_iops_device
	assert_output "$d2 60"
	# A device already there gets its new rate; the others stay, in the state's config too.
	run -0 cleat update -r - "$ID" <<<"{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": ${d1%:*}, \"minor\": ${d1#*:}, \"rate\": 524288}]}}"
	run -0 v1 blkio blkio.throttle.read_bps_device
	assert_line "$d1 524288"
	assert_line "$d2 3145728"
	run -0 jq -c '.linux.resources.blockIO | [(.throttleReadBpsDevice[] | [.major, .minor, .rate]),
		(.throttleWriteBpsDevice[] | .rate), (.throttleWriteIOPSDevice[] | .rate)]' "$ROOT/$ID/config.json"
	assert_output "[[${d1%:*},${d1#*:},524288],[${d2%:*},${d2#*:},3145728],2097152,50]"
	# weightDevice likewise, where the kernel has a per-device weight file.
	local f
	for f in blkio.weight_device blkio.bfq.weight_device; do
		[ -e "/sys/fs/cgroup/blkio/$f" ] || continue
		run -0 cleat update -r - "$ID" <<<"{\"blockIO\": {\"weightDevice\": [{\"major\": ${d1%:*}, \"minor\": ${d1#*:}, \"weight\": 200}]}}"
		run -0 v1 blkio "$f"
		assert_line --partial "$d1 200"
		break
	done
}

@test "update: memory below current usage is a clear error" {
	start
	run -1 cleat update --memory 4096 "$ID"
	assert_output --partial "unable to set memory limit to 4096 (current usage:"
	assert_output --partial "memory.limit_in_bytes"
}

@test "update: checkBeforeUpdate refuses a limit below the usage before writing it" {
	update_config '.linux.resources.memory = {"limit": 67108864}'
	start
	run -1 cleat update -r - "$ID" <<<'{"memory": {"limit": 8192, "checkBeforeUpdate": true}}'
	assert_output --partial "below the current usage"
	run -0 v1 memory memory.limit_in_bytes
	assert_output 67108864
	run -0 jq .linux.resources.memory.limit "$ROOT/$ID/config.json"
	assert_output 67108864
}

@test "pause and resume: freezer.state and status" {
	start
	run -0 cleat pause "$ID"
	run -0 v1 freezer freezer.state
	assert_output FROZEN
	run -0 cleat state "$ID"
	assert_output --partial '"status": "paused"'
	run -1 cleat pause "$ID"
	run -0 cleat resume "$ID"
	run -0 v1 freezer freezer.state
	assert_output THAWED
	run -0 cleat state "$ID"
	assert_output --partial '"status": "running"'
	run -1 cleat resume "$ID"
	assert_output --partial "container not paused"
}

@test "ps: runc's table and --format json" {
	start
	local pid
	pid=$(cleat state "$ID" | jq .pid)
	run -0 cleat ps "$ID"
	assert_line --index 0 --regexp '^UID +PID +PPID'
	assert_line --regexp "^root +$pid .*sleep 1000"
	run -0 cleat ps --format json "$ID"
	assert_output "[$pid]"
	run -0 cleat ps "$ID" -o pid,comm
	assert_line --index 0 --regexp 'PID +COMMAND'
	assert_line --regexp "^ *$pid sleep"
}

@test "events --stats: runc's JSON shape and values" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
	start
	run -0 cleat events --stats "$ID"
	run -0 jq -c '[.type, .id, .data.memory.usage.limit, .data.pids.limit, .data.pids.current]' <<<"$output"
	assert_output "[\"stats\",\"$ID\",67108864,50,1]"
	local ours theirs
	ours=$(cleat events --stats "$ID" | jq -c '.data | keys')
	# The same keys as runc's output for the same container config.
	update_config '.linux.cgroupsPath = $p' --arg p "$CG-runc"
	run -0 detached runc_ run -d "$ID-runc"
	theirs=$(runc_ events --stats "$ID-runc" | jq -c '.data | keys')
	[ "$ours" = "$theirs" ] || fail "keys differ: cleat $ours, runc $theirs"
	# "cache" is left out when it is 0, by both; it counts page cache charged to the
	# cgroup, which depends on who read a file first (runc's init reads runc's binary
	# inside the container's cgroup), so it is not part of the shape compared.
	ours=$(cleat events --stats "$ID" | jq -c '.data.memory | keys - ["cache"]')
	theirs=$(runc_ events --stats "$ID-runc" | jq -c '.data.memory | keys - ["cache"]')
	[ "$ours" = "$theirs" ] || fail "memory keys differ: cleat $ours, runc $theirs"
}

@test "events --interval streams stats until the container stops" {
	update_config '.process.args = ["sleep", "2"]'
	start
	run -0 timeout 10 "$CLEAT" --root "$ROOT" events --interval 300ms "$ID"
	assert [ "${#lines[@]}" -ge 3 ]
	run -0 jq -r .type <<<"${lines[0]}"
	assert_output stats
}

@test "events: an OOM kill is reported" {
	update_config '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}
		| .process.args = ["sh", "-c", "sleep 1; (x=$(head -c 67108864 /dev/zero | tr \"\\\\0\" a)); sleep 1000"]'
	start
	run timeout 8 "$CLEAT" --root "$ROOT" events --interval 1s "$ID"
	assert_output --partial "{\"type\":\"oom\",\"id\":\"$ID\"}"
}

@test "kill --all signals every process of the cgroup" {
	update_config '.process.args = ["sh", "-c", "sleep 1000 & sleep 1000 & wait"]'
	start
	retry 20 0.1 sh -c "[ \$(cat /sys/fs/cgroup/pids$CG/cgroup.procs | wc -l) -eq 3 ]"
	run -0 cleat kill --all "$ID" KILL
	retry 50 0.1 sh -c "[ -z \"\$(cat /sys/fs/cgroup/pids$CG/cgroup.procs)\" ]"
}

@test "kill: SIGKILL without a private pid namespace reaches every process (runc 1.2+); --all is obsolete" {
	update_config '.process.args = ["sh", "-c", "sleep 1000 & sleep 1000 & wait"]
		| .linux.namespaces |= map(select(.type != "pid"))'
	start
	retry 20 0.1 sh -c "[ \$(cat /sys/fs/cgroup/pids$CG/cgroup.procs | wc -l) -eq 3 ]"
	# --all with another signal reaches init only, as in runc 1.2+
	run -0 cleat kill --all "$ID" TERM
	wait_for_container "$ID" stopped
	run -0 cat /sys/fs/cgroup/pids$CG/cgroup.procs
	assert [ "${#lines[@]}" -eq 2 ]
	# init is gone: SIGKILL still empties the cgroup
	run -0 cleat kill "$ID" KILL
	retry 50 0.1 sh -c "[ -z \"\$(cat /sys/fs/cgroup/pids$CG/cgroup.procs)\" ]"
	run -1 cleat kill "$ID" TERM
	assert_output "cleat: container not running"
	run -0 cleat kill --all "$ID" TERM
}

@test "delete removes the cgroup in every hierarchy, also with processes left" {
	update_config '.process.args = ["sh", "-c", "sleep 1000 & sleep 1000 & wait"]'
	start
	run -0 cleat delete --force "$ID"
	local d
	for d in /sys/fs/cgroup/*; do
		[ ! -e "$d$CG" ] || fail "$d$CG is left"
	done
}

@test "cgroupsPath: relative goes under our own cgroup, like runc" {
	local rel=cleat-test-$ID-rel own
	update_config '.linux.cgroupsPath = $p' --arg p "$rel"
	start
	own=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
	[ -d "/sys/fs/cgroup/memory${own%/}/$rel" ] || fail "no /sys/fs/cgroup/memory${own%/}/$rel"
	run -0 cleat delete --force "$ID"
	assert [ ! -d "/sys/fs/cgroup/memory${own%/}/$rel" ]
}

@test "cgroupsPath: default is the container id" {
	update_config 'del(.linux.cgroupsPath)'
	start
	local own
	own=$(awk -F: '$2 == "pids" { print $3 }' /proc/self/cgroup)
	assert [ -d "/sys/fs/cgroup/pids${own%/}/$ID" ]
	run -0 cleat delete --force "$ID"
	assert [ ! -d "/sys/fs/cgroup/pids${own%/}/$ID" ]
}

@test "differential: runc leaves the same values for the same config" {
	local dev
	dev=$(cat /sys/block/vda/dev 2>/dev/null || echo 254:0)
	update_config ".linux.resources.memory = {limit: 67108864, reservation: 16777216, swappiness: 20}
		| .linux.resources.cpu = {shares: 700, quota: 40000, period: 100000, cpus: \"0\", mems: \"0\"}
		| .linux.resources.pids = {limit: 64}
		| .linux.resources.blockIO = {throttleReadBpsDevice: [{major: ${dev%:*}, minor: ${dev#*:}, rate: 4096000}]}
		| .linux.resources.devices += [{allow: true, type: \"b\", major: 7, minor: 0, access: \"rw\"}]"
	start
	local ours=$CG
	update_config '.linux.cgroupsPath = $p' --arg p "$CG-runc"
	run -0 detached runc_ run -d "$ID-runc"
	local f
	for f in memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes memory/memory.swappiness \
		cpu/cpu.shares cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpuset/cpuset.cpus cpuset/cpuset.mems \
		pids/pids.max blkio/blkio.throttle.read_bps_device devices/devices.list; do
		local a b
		# Sorted: devices.list order follows the kernel's insertion order.
		a=$(sort "/sys/fs/cgroup/${f%%/*}$ours/${f#*/}")
		b=$(sort "/sys/fs/cgroup/${f%%/*}$ours-runc/${f#*/}")
		[ "$a" = "$b" ] || fail "$f: cleat '$a', runc '$b'"
	done
}
