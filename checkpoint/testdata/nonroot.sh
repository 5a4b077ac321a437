#!/bin/sh
# Runs the tests of package checkpoint as the unprivileged user nobody, so
# that the cases root cannot see (a directory that can be written but not
# opened, a read-only file) are exercised. Run it as root:
#
#	sh checkpoint/testdata/nonroot.sh [test flags, e.g. -test.run Save]
#
# The test binary is built as root and run by nobody in a world-writable
# temporary directory, which is removed afterwards.
set -eu
pkg=$(cd "$(dirname "$0")/.." && pwd)
go=${GO:-go}
if [ "$(id -u)" != 0 ]; then
	echo "nonroot.sh: run as root (it drops to nobody itself)" >&2
	exit 2
fi
if command -v setpriv >/dev/null 2>&1; then
	drop="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
elif command -v runuser >/dev/null 2>&1; then
	drop="runuser -u nobody --"
else
	echo "nonroot.sh: neither setpriv nor runuser found" >&2
	exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 1777 "$work"
(cd "$pkg" && "$go" test -c -o "$work/checkpoint.test" .)
cp -R "$pkg/testdata" "$work/testdata"
chmod -R a+rX "$work"
cd "$work"
# shellcheck disable=SC2086
$drop env HOME="$work" TMPDIR="$work" ./checkpoint.test -test.count=1 "$@"
