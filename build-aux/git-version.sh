#!/bin/sh
# Print the version: $CLEAT_VERSION when set (debian/rules sets it to the package's
# upstream version), else .tarball-version in a dist tarball, else `git describe`.
if [ -n "${CLEAT_VERSION:-}" ]; then
	printf '%s' "$CLEAT_VERSION"
	exit 0
fi
cd "$(dirname "$0")/.." || exit 1
if [ -f .tarball-version ]; then
	tr -d '\n' < .tarball-version
	exit 0
fi
v=$(git describe --tags --always --dirty 2>/dev/null)
case "$v" in
"") printf '0.1.0' ;;
[0-9]*.*) printf '%s' "$v" | sed 's/^v//' ;;
*) printf '0.1.0-g%s' "$v" ;;
esac
