#!/bin/sh
# Print the version: `git describe` when this is a git checkout, else .tarball-version.
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
