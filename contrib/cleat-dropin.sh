#!/bin/sh
# cleat-dropin.sh install|uninstall|status: run the cleat shim wherever containerd asks
# for containerd-shim-runc-v2 (dockerd 20.10 and 22 can only ask for that one), without
# touching the distribution's /usr/bin/containerd-shim-runc-v2.
#
# containerd looks a shim binary up on its own PATH first, then next to its own
# executable, and keeps the first answer until it restarts. install therefore:
#   1. makes DIR (default /usr/local/libexec/cleat/dropin) holding one symlink,
#      DIR/containerd-shim-runc-v2 -> SHIM (default: containerd-shim-cleat-v2 on PATH);
#   2. writes a systemd drop-in, UNITDIR/containerd.service.d/50-cleat-dropin.conf
#      (UNITDIR default /etc/systemd/system), that puts DIR first on containerd's PATH.
# Restart containerd afterwards (`systemctl daemon-reload && systemctl restart
# containerd`): running containers keep the shim they have; new ones get the cleat shim.
# Without systemd, start containerd with PATH=DIR:$PATH (print it with `status`).
# uninstall removes exactly what install made (the link only if it is ours) and nothing
# else; restart containerd again to go back to containerd-shim-runc-v2.
#
# Options: --dir DIR, --shim PATH, --unit-dir UNITDIR, --no-systemd (skip step 2),
# --destdir D (a staged install, as make's DESTDIR: files go under D, the link and the
# PATH name the final places).
set -eu

usage="usage: cleat-dropin.sh [--dir DIR] [--shim PATH] [--unit-dir UNITDIR] [--no-systemd] [--destdir D] install|uninstall|status"
DIR=/usr/local/libexec/cleat/dropin
SHIM=
UNITDIR=/etc/systemd/system
SYSTEMD=1
DESTDIR=
ACTION=
while [ $# -gt 0 ]; do
	case "$1" in
	--dir) DIR=${2:?$usage}; shift 2 ;;
	--shim) SHIM=${2:?$usage}; shift 2 ;;
	--unit-dir) UNITDIR=${2:?$usage}; shift 2 ;;
	--no-systemd) SYSTEMD=0; shift ;;
	--destdir) DESTDIR=${2?$usage}; shift 2 ;;
	-h | --help) echo "$usage"; exit 0 ;;
	install | uninstall | status) ACTION=$1; shift ;;
	*) echo "cleat-dropin.sh: unknown argument \"$1\"" >&2; echo "$usage" >&2; exit 2 ;;
	esac
done
[ -n "$ACTION" ] || { echo "$usage" >&2; exit 2; }
case "$DIR" in /*) ;; *) echo "cleat-dropin.sh: --dir must be absolute: \"$DIR\"" >&2; exit 2 ;; esac

LINK=$DESTDIR$DIR/containerd-shim-runc-v2
CONF=$DESTDIR$UNITDIR/containerd.service.d/50-cleat-dropin.conf
# Marks the files as ours, so uninstall never removes what someone else put there.
MARK="# written by cleat-dropin.sh"

# is_ours: the link exists and points at a containerd-shim-cleat-v2.
is_ours() {
	[ -L "$LINK" ] && [ "$(basename "$(readlink "$LINK")")" = containerd-shim-cleat-v2 ]
}

install_dropin() {
	if [ -z "$SHIM" ]; then
		SHIM=$(command -v containerd-shim-cleat-v2) || {
			echo "cleat-dropin.sh: containerd-shim-cleat-v2 not on PATH; pass --shim" >&2
			exit 1
		}
	fi
	case "$SHIM" in /*) ;; *) SHIM=$(cd "$(dirname "$SHIM")" && pwd)/$(basename "$SHIM") ;; esac
	[ -x "$DESTDIR$SHIM" ] || { echo "cleat-dropin.sh: $DESTDIR$SHIM is not executable" >&2; exit 1; }
	[ "$(basename "$SHIM")" = containerd-shim-cleat-v2 ] || {
		echo "cleat-dropin.sh: --shim must name a containerd-shim-cleat-v2: \"$SHIM\"" >&2
		exit 1
	}
	if [ -e "$LINK" ] || [ -L "$LINK" ]; then
		is_ours || {
			echo "cleat-dropin.sh: $LINK exists and is not a link to the cleat shim; not replacing it" >&2
			exit 1
		}
	fi
	mkdir -p "$DESTDIR$DIR"
	ln -sfn "$SHIM" "$LINK"
	if [ "$SYSTEMD" = 1 ]; then
		mkdir -p "$(dirname "$CONF")"
		cat >"$CONF.tmp" <<-EOF
			$MARK: the cleat shim answers for containerd-shim-runc-v2.
			[Service]
			Environment="PATH=$DIR:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
		EOF
		mv "$CONF.tmp" "$CONF"
		echo "installed $LINK -> $SHIM and $CONF"
		echo "now: systemctl daemon-reload && systemctl restart containerd"
	else
		echo "installed $LINK -> $SHIM"
		echo "now start containerd with PATH=$DIR:\$PATH"
	fi
}

uninstall_dropin() {
	if is_ours; then
		rm -f "$LINK"
		rmdir "$DESTDIR$DIR" 2>/dev/null || true
	elif [ -e "$LINK" ] || [ -L "$LINK" ]; then
		echo "cleat-dropin.sh: $LINK is not ours; left alone" >&2
	fi
	if [ -f "$CONF" ] && head -n 1 "$CONF" | grep -qF "$MARK"; then
		rm -f "$CONF"
		rmdir "$(dirname "$CONF")" 2>/dev/null || true
		echo "removed $CONF; now: systemctl daemon-reload && systemctl restart containerd"
	fi
}

case "$ACTION" in
install) install_dropin ;;
uninstall) uninstall_dropin ;;
status)
	if is_ours; then
		echo "installed: $LINK -> $(readlink "$LINK")"
	else
		echo "not installed: $LINK"
	fi
	[ -f "$CONF" ] && echo "systemd drop-in: $CONF"
	echo "containerd PATH: $DIR:\$PATH"
	;;
esac
