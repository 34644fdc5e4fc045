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
