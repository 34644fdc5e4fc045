#!/usr/bin/env bats
# The compiled-seccomp cache in <root>/.seccomp: a container behaves the same whether its
# filter was compiled (miss) or loaded from the cache (hit); notify and the flags still
# work on a hit; a corrupted entry is rebuilt; an entry planted by another user, or with a
# mode others could have written, is not used.  A hit keeps the entry's inode and
# refreshes its mtime; a rebuild renames a new file into place.

load helpers
load seccomp-helpers

bats_require_minimum_version 1.5.0

setup_file() {
	build_listener
}

setup() {
	seccomp_setup
}

teardown() {
	seccomp_teardown
}

PROBE='mkdir "$(mktemp -u /tmp/probe.XXXXXX)" 2>/dev/null; echo "mkdir=$?"; grep -E "^Seccomp" /proc/self/status'

# profile ACTION [SYSCALL...]: default allow, the syscalls (mkdir mkdirat) get ACTION.
profile() {
	local action=$1
	shift
	local names
	names=$(printf '%s\n' "${@:-mkdir}" "${@:-mkdirat}" | jq -R . | jq -sc 'unique')
	update_config ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\",
		architectures: [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],
		syscalls: [{names: $names, action: \"$action\", errnoRet: 1}]}
		| .process.args = [\"sh\", \"-c\", \$p]" --arg p "$PROBE"
}

# the_entry: the one cache entry's path (fails unless there is exactly one).
the_entry() {
	local e
	e=$(find "$ROOT/.seccomp" -mindepth 1 -maxdepth 1 -name '[0-9a-f]*')
	[ -n "$e" ] && [ "$(echo "$e" | wc -l)" = 1 ] && echo "$e"
}

# run_probe: one run; it must block mkdir through a filter.
run_probe() {
	run -0 cleat run "$(container_id)"
	assert_output --partial "mkdir=1"
	assert_output --partial "Seccomp_filters:	1"
}

@test "seccomp-cache: a miss stores a root-only entry, a hit loads it and behaves the same" {
	profile SCMP_ACT_ERRNO
	run -0 cleat run "$(container_id)"
	local miss=$output
	assert_contains "$miss" "mkdir=1"
	run -0 stat -c '%a %U %F' "$ROOT/.seccomp"
	assert_output "700 root directory"
	local e
	e=$(the_entry)
	run -0 stat -c '%a %U %F' "$e"
	assert_output "600 root regular file"
	run -0 head -c 8 "$e"
	assert_output "CLTSBPF"
	local ino
	ino=$(stat -c %i "$e")
	touch -d '2001-01-01' "$e"
	cp "$e" "$BUNDLE/saved"
	run -0 cleat run "$(container_id)"
	assert_output "$miss"
	# A hit: the same file (inode), its mtime refreshed, its bytes unchanged.
	assert [ "$(stat -c %i "$e")" = "$ino" ]
	assert [ "$(stat -c %Y "$e")" -gt 1000000000 ]
	cmp "$e" "$BUNDLE/saved"
	# A different profile is a different entry.
	profile SCMP_ACT_ERRNO rmdir
	run -0 cleat run "$(container_id)"
	assert_output --partial "mkdir=0"
	assert [ "$(find "$ROOT/.seccomp" -mindepth 1 -name '[0-9a-f]*' | wc -l)" = 2 ]
}

@test "seccomp-cache: a corrupted or truncated entry is rebuilt" {
	profile SCMP_ACT_ERRNO
	run_probe
	local e
	e=$(the_entry)
	cp "$e" "$BUNDLE/saved"
	# Flip a byte in the program (the last instruction's k field).
	local size
	size=$(stat -c %s "$e")
	printf '\x55' | dd of="$e" bs=1 seek=$((size - 2)) conv=notrunc status=none
	! cmp -s "$e" "$BUNDLE/saved"
	run_probe
	cmp "$e" "$BUNDLE/saved"
	truncate -s $((size - 8)) "$e"
	run_probe
	cmp "$e" "$BUNDLE/saved"
	truncate -s 0 "$e"
	run_probe
	cmp "$e" "$BUNDLE/saved"
}

# plant_entry: replace the entry of the current profile (mkdir blocked) by a well-formed
# entry holding another profile's program (rmdir blocked, mkdir allowed) under this key:
# the other entry with this key spliced into its header (bytes 24-55).  Prints its path.
plant_entry() {
	local e key other
	e=$(the_entry)
	key=$(basename "$e")
	cp "$BUNDLE/config.json" "$BUNDLE/config.saved"
	profile SCMP_ACT_ERRNO rmdir
	cleat run "$(container_id)" >/dev/null
	other=$(find "$ROOT/.seccomp" -mindepth 1 -name '[0-9a-f]*' ! -name "$key")
	printf "$(echo "$key" | sed 's/../\\x&/g')" |
		dd of="$other" bs=1 seek=24 conv=notrunc status=none
	mv "$other" "$e"
	cp "$BUNDLE/config.saved" "$BUNDLE/config.json"
	echo "$e"
}

@test "seccomp-cache: an entry planted by another user or writable by others is not used" {
	profile SCMP_ACT_ERRNO
	run_probe
	local e
	e=$(plant_entry)
	chown 65534:65534 "$e"
	run_probe
	run -0 stat -c '%U' "$e"
	assert_output root
	e=$(plant_entry)
	chmod 0644 "$e"
	run_probe
	e=$(plant_entry)
	chmod 0600 "$e"
	chown 0:0 "$e"
	# The same well-formed entry, root's and 0600: the check above was what kept it out.
	run -0 cleat run "$(container_id)"
	assert_output --partial "mkdir=0"
	rm -f "$e"
	# A cache directory someone else owns or others may write is not used at all.
	chmod 0777 "$ROOT/.seccomp"
	run_probe
	assert [ -z "$(find "$ROOT/.seccomp" -mindepth 1 -name '[0-9a-f]*')" ]
	chmod 0700 "$ROOT/.seccomp"
	chown 65534:65534 "$ROOT/.seccomp"
	run_probe
	assert [ -z "$(find "$ROOT/.seccomp" -mindepth 1 -name '[0-9a-f]*')" ]
}

@test "seccomp-cache: flags LOG, SPEC_ALLOW, TSYNC and WAIT_KILLABLE_RECV work on a hit" {
	local flags
	for flags in '["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]' \
		'["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'; do
		rm -rf "$ROOT/.seccomp"
		profile SCMP_ACT_ERRNO
		update_config ".linux.seccomp.flags = $flags"
		run_probe
		local e ino
		e=$(the_entry)
		ino=$(stat -c %i "$e")
		run_probe
		assert [ "$(stat -c %i "$e")" = "$ino" ]
	done
	# SPEC_ALLOW on a hit: the process is left open to speculation, as on a miss.
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"]
		| .process.args = ["grep", "Speculation_Store_Bypass", "/proc/self/status"]'
	run -0 cleat run "$(container_id)"
	local miss=$output
	run -0 cleat run "$(container_id)"
	assert_output "$miss"
}

@test "seccomp-cache: SCMP_ACT_NOTIFY works on a hit, for run and exec" {
	start_listener 0
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $sock,
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}
		| .process.args = ["sh", "-c", "mkdir /tmp/probe; echo rc=$?; test -d /tmp/probe || echo faked"]' \
		--arg sock "$LISTENER_SOCK"
	run -0 cleat run "$(container_id)"
	assert_output "$(printf 'rc=0\nfaked')"
	local e ino
	e=$(the_entry)
	ino=$(stat -c %i "$e")
	run -0 cleat run "$(container_id)"
	assert_output "$(printf 'rc=0\nfaked')"
	assert [ "$(stat -c %i "$e")" = "$ino" ]
	update_config '.process.args = ["sleep", "1000"]'
	local id
	id=$(container_id)
	cleat run -d "$id" </dev/null >/dev/null 2>&1
	run -0 cleat exec "$id" sh -c "mkdir /tmp/probe2; echo rc=\$?; test -d /tmp/probe2 || echo faked"
	assert_output "$(printf 'rc=0\nfaked')"
	assert [ "$(stat -c %i "$e")" = "$ino" ]
	cleat delete -f "$id"
	run -0 grep -c '^fd received$' "$LISTENER_LOG"
	assert_output 4
}

@test "seccomp-cache: a temporary left by a writer killed before its rename is removed by the next store" {
	profile SCMP_ACT_ERRNO
	run_probe
	local dead
	sh -c 'exit 0' &
	dead=$!
	wait "$dead" || true
	touch "$ROOT/.seccomp/.tmp-$dead"
	touch -d '2001-01-01' "$ROOT/.seccomp/.tmp-1"
	# A new profile: a miss, so a store.
	profile SCMP_ACT_ERRNO rmdir
	run -0 cleat run "$(container_id)"
	run -0 find "$ROOT/.seccomp" -mindepth 1 -name '.tmp-*'
	assert_output ""
}
