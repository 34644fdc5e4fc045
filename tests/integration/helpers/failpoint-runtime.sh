#!/bin/bash
# failpoint-runtime.sh: stands in for the OCI runtime binary under containerd-shim-cleat-v2
# (name it in CLEAT_SHIM_RUNTIME or Options.BinaryName) to force the races and failures the
# shim must survive. It execs the real runtime ($FAILPOINT_RUNTIME, default runc) with the
# same arguments, except for the verb named in the control file $FAILPOINT_FILE
# (default /tmp/cleat-failpoint), which holds at most one line:
#
#   <verb> fail <message...>    log <message> as the runtime's JSON error line and exit 1
#   <verb> sleep <seconds>      sleep first, then run the real runtime
#   <verb> sleep-after <secs>   run the real runtime, then sleep before exiting with its status
#                               (the container's process may exit meanwhile: "exit before start")
#   <verb> console-hold <secs>  create/exec only: run nothing; a process that connects to the
#                               --console-socket and holds the connection for <secs> without
#                               sending the pty master is the "container", its pid in
#                               --pid-file; exit 0
#
# With no control file (or another verb) it is the real runtime. Every call is appended to
# $FAILPOINT_FILE.log for the tests to inspect.
set -u

real=${FAILPOINT_RUNTIME:-runc}
ctl=${FAILPOINT_FILE:-/tmp/cleat-failpoint}

# Find the verb and the --log file among runc's global options.
verb= log= i=1 args=("$@")
while [ $i -le $# ]; do
	a=${args[$((i - 1))]}
	case $a in
	--root | --log | --log-format | --criu | --rootless)
		[ "$a" = --log ] && log=${args[$i]}
		i=$((i + 2))
		continue
		;;
	--root=* | --log-format=* | --criu=* | --rootless=*) ;;
	--log=*) log=${a#--log=} ;;
	-*) ;;
	*)
		verb=$a
		break
		;;
	esac
	i=$((i + 1))
done

echo "$verb $*" >>"$ctl.log"

read -r fverb action rest 2>/dev/null <"$ctl" || fverb=
if [ -z "$verb" ] || [ "$verb" != "$fverb" ]; then
	exec "$real" "$@"
fi

case $action in
fail)
	if [ -n "$log" ]; then
		printf '{"level":"error","msg":"%s","time":"%s"}\n' "$rest" "$(date -u +%FT%T.%NZ)" >>"$log"
	fi
	echo "$rest" >&2
	exit 1
	;;
sleep)
	sleep "$rest"
	exec "$real" "$@"
	;;
sleep-after)
	"$real" "$@"
	rc=$?
	sleep "$rest"
	exit $rc
	;;
console-hold)
	sock= pidfile=
	for ((i = 1; i < $#; i++)); do
		case ${args[$((i - 1))]} in
		--console-socket) sock=${args[$i]} ;;
		--pid-file) pidfile=${args[$i]} ;;
		esac
	done
	# It writes its pid once connected.
	perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "$!";
		open(my $f, ">", $ARGV[1]) or die "$!"; print $f "$$\n"; close $f; sleep $ARGV[2]' \
		"$sock" "$pidfile" "$rest" </dev/null >/dev/null 2>&1 &
	for ((i = 0; i < 100; i++)); do
		[ -s "$pidfile" ] && exit 0
		sleep 0.05
	done
	exit 1
	;;
*)
	exec "$real" "$@"
	;;
esac
