#!/usr/bin/env bats
# `cleat --help` and `cleat COMMAND --help` (runc 1.5's layout, every flag the parser
# accepts and nothing else, the same option sets as runc 1.5.3 but for the differences
# the README lists), bash completion in a bash with bash-completion, and the man pages
# and completion that `make install` puts in place.

load helpers
load peers/peers

setup_file() {
	peers_setup_file
}

setup() {
	require_binary "$CLEAT"
	TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/cleat-help.XXXXXX")
}

teardown() {
	teardown_bundle
	[ -z "${TMP:-}" ] || rm -rf "$TMP"
}

# The commands of `BIN --help`, one a line ("help, h" left out).
commands_of() {
	"$1" --help | sed -n '/^COMMANDS:/,/^$/s/^   \([a-z]*\)  .*/\1/p' | grep -vx help
}

# The flags of an OPTIONS section, sorted, one a line: "--name" and "-x" each.
flags_of() {
	"$@" --help | sed -n 's/^   \(-.*\)/\1/p' | sed 's/  .*//; s/ value//g; s/, /\n/g' | sort
}

@test "cli-help: every command's --help is runc's layout: NAME, USAGE, then DESCRIPTION and OPTIONS" {
	local cmds cmd
	cmds=$(commands_of "$CLEAT")
	[ "$(wc -l <<<"$cmds")" -ge 17 ] || fail "too few commands: $cmds"
	for cmd in $cmds; do
		run -0 "$CLEAT" "$cmd" --help
		assert_line --index 0 "NAME:"
		assert_line --index 1 --regexp "^   cleat $cmd - [a-z]"
		assert_line --index 2 "USAGE:"
		assert_line --index 3 --regexp "^   cleat $cmd( \[command options\])? "
		# -h and "help COMMAND" print the same.
		local long=$output
		run -0 "$CLEAT" "$cmd" -h
		assert_equal "$output" "$long"
		run -0 "$CLEAT" help "$cmd"
		assert_equal "$output" "$long"
		# [command options] exactly when there is an OPTIONS section.
		if grep -q '^OPTIONS:$' <<<"$long"; then
			assert_line --index 3 --regexp "^   cleat $cmd \[command options\]"
		else
			refute_line --index 3 --regexp "\[command options\]"
		fi
	done
	run -0 "$CLEAT" run --help
	assert_line "DESCRIPTION:"
	assert_line "OPTIONS:"
	# Value, short name and default as urfave/cli prints them, aligned in one column.
	assert_line "   --bundle value, -b value  path to the root of the bundle directory, defaults to the current directory"
	assert_line --regexp '^   --preserve-fds value      .* \(default: 0\)$'
	run -0 "$CLEAT" list --help
	assert_line '   --format value, -f value  select one of: table or json (default: "table")'
}

@test "cli-help: every flag in a command's help is accepted by its parser, and no other flag is" {
	local cmd flag runc_flags=""
	for cmd in $(commands_of "$CLEAT"); do
		local shown
		shown=$(flags_of "$CLEAT" "$cmd")
		for flag in $shown; do
			[ "$flag" != --help ] && [ "$flag" != -h ] || continue
			# A trailing unknown flag makes the parser stop there with an error: the
			# flag under test was taken when the complaint is about the other one.
			run "$CLEAT" "$cmd" "$flag" 1 --zz-not-a-flag
			refute_output --partial "flag provided but not defined: ${flag#-}"
			refute_output --partial "flag provided but not defined: $flag"
		done
		# Names that runc 1.5 or cleat use elsewhere and that are not in this
		# command's help are refused, but for the hidden flags runc hides too
		# (kill --all, update --kernel-memory*) and update's --cpu-shares alias.
		[ -z "${PEERS_BIN:-}" ] || runc_flags=$(flags_of "$PEERS_BIN/runc" "$cmd" 2>/dev/null)
		for flag in $runc_flags --bundle --detach --keep --format --force --rootless --all --tty; do
			grep -qx -- "$flag" <<<"$shown" && continue
			case "$cmd $flag" in
			"kill --all" | "update --kernel-memory" | "update --kernel-memory-tcp" | "update --cpu-shares") continue ;;
			esac
			[ "$cmd" != checkpoint ] && [ "$cmd" != restore ] || continue
			run -1 "$CLEAT" "$cmd" "$flag" 1 x
			assert_output --partial "flag provided but not defined: ${flag#-}"
		done
	done
	# The global flags likewise.
	for flag in $(flags_of "$CLEAT"); do
		case $flag in --help | -h | --version | -v) continue ;; esac
		run "$CLEAT" "$flag" 1 --zz-not-a-flag list
		refute_output --partial "flag provided but not defined: ${flag#-}"
	done
}

@test "cli-help: the commands and option sets are runc 1.5.3's, but for the README's known differences" {
	peers_require
	local runc=$PEERS_BIN/runc
	run -0 "$runc" --version
	assert_line "runc version 1.5.3"
	assert_equal "$(commands_of "$CLEAT" | sort)" "$(commands_of "$runc" | sort)"
	assert_equal "$(flags_of "$CLEAT")" "$(flags_of "$runc")"
	local cmd want
	for cmd in $(commands_of "$runc"); do
		case $cmd in
		# No CRIU support: checkpoint and restore only refuse (README).
		checkpoint | restore) want="" ;;
		*) want=$(flags_of "$runc" "$cmd") ;;
		esac
		run -0 flags_of "$CLEAT" "$cmd"
		assert_equal "$output" "$want"
	done
}

# complete LINE...: what bash-completion offers for the command line LINE (completing
# its last word; a trailing space starts a new word), one a line.
complete_line() {
	local completion=${COMPLETION_FILE:-$SRCDIR/contrib/bash-completion/cleat}
	bash --norc --noprofile -c '
		source /usr/share/bash-completion/bash_completion || exit 9
		source "$1" || exit 9
		COMP_LINE=$2
		COMP_POINT=${#COMP_LINE}
		read -ra COMP_WORDS <<<"$COMP_LINE"
		[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_cleat cleat "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' complete "$completion" "$1"
}

@test "cli-help: bash completion offers the commands, run's options and the container ids of --root" {
	[ -r /usr/share/bash-completion/bash_completion ] ||
		skip "bash-completion is not installed (Debian package bash-completion)"
	require_root
	run -0 complete_line "$CLEAT r"
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' restore resume run)"
	run -0 complete_line "$CLEAT "
	assert_equal "$(sort <<<"$output")" "$({ commands_of "$CLEAT"; echo help; } | sort)"
	run -0 complete_line "$CLEAT --ro"
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' --root --rootless)"
	run -0 complete_line "$CLEAT --root /x --deb"
	assert_output "--debug"
	# run's options: exactly those of its --help.
	run -0 complete_line "$CLEAT run --"
	assert_equal "$(sort <<<"$output")" "$(flags_of "$CLEAT" run | grep -- '^--')"
	run -0 complete_line "$CLEAT run --de"
	assert_output "--detach"
	run -0 complete_line "$CLEAT list --format "
	assert_equal "$output" "$(printf '%s\n' table json)"
	# Container ids from `cleat list -q` with the command line's --root.
	setup_bundle sleep 1000
	ID=$(container_id compl)
	cleat create --bundle "$BUNDLE" "$ID" </dev/null >"$BUNDLE/create.log" 2>&1 3>&- ||
		fail "create: $(cat "$BUNDLE/create.log")"
	run -0 complete_line "$CLEAT --root $ROOT kill "
	assert_output "$ID"
	run -0 complete_line "$CLEAT --root=$ROOT state ${ID:0:5}"
	assert_output "$ID"
	run -0 complete_line "$CLEAT --root $ROOT kill $ID KI"
	assert_output "KILL"
	# Not under another root; run names a new container.
	run -0 complete_line "$CLEAT --root $TMP/other kill "
	assert_output ""
	run -0 complete_line "$CLEAT --root $ROOT run "
	assert_output ""
}

@test "cli-help: make install puts the man pages and the completion in place; man -l renders cleat-run(8)" {
	require_root
	[ -f "$BUILDDIR/Makefile" ] || skip "no Makefile in $BUILDDIR (not a build tree)"
	skip_unless_cmd man
	run -0 make -s -C "$BUILDDIR" install DESTDIR="$TMP/dest"
	local man8
	man8=$(dirname "$(find "$TMP/dest" -name cleat-run.8 | head -1)")
	[[ $man8 == */share/man/man8 ]] || fail "cleat-run.8 not in a man8 directory: '$man8'"
	local cmd
	for cmd in $(commands_of "$CLEAT"); do
		[ -s "$man8/cleat-$cmd.8" ] || fail "no man page for $cmd in $man8: $(ls "$man8")"
	done
	[ -s "$man8/cleat.8" ] || fail "no cleat.8"
	[ -s "$man8/containerd-shim-cleat-v2.8" ] || fail "no containerd-shim-cleat-v2.8"
	run -0 env MANWIDTH=200 man -l "$man8/cleat-run.8"
	assert_line --regexp '^ *cleat-run - create and run a container$'
	# The OPTIONS of the page are those of `cleat run --help`.
	local flag
	for flag in $(flags_of "$CLEAT" run | grep -v -e --help -e -h); do
		assert_output --regexp "(^|[[:space:]])$flag[[:space:],]"
	done
	run -0 env MANWIDTH=200 man -l "$man8/containerd-shim-cleat-v2.8"
	assert_output --partial "io.containerd.cleat.v2"
	# The completion, where bash-completion looks for it under the prefix.
	local comp
	comp=$(find "$TMP/dest" -path '*/bash-completion/completions/cleat')
	[ -n "$comp" ] || fail "no completion installed: $(find "$TMP/dest" -type f | head -50)"
	local prefix=${comp#"$TMP/dest"}
	prefix=${prefix%/share/bash-completion/completions/cleat}
	assert_equal "${comp#"$TMP/dest"}" \
		"$(pkg-config --define-variable=prefix="$prefix" --define-variable=datadir="$prefix/share" --variable=completionsdir bash-completion 2>/dev/null || echo "$prefix/share/bash-completion/completions")/cleat"
	# And it completes with the installed file.
	[ -r /usr/share/bash-completion/bash_completion ] || return 0
	COMPLETION_FILE=$comp run -0 complete_line "$CLEAT sta"
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' start state)"
}
