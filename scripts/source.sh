#!/bin/bash
# Unpack Debian's linux-source-6.12 once under build/src (pristine, never edited).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tarball=/usr/src/linux-source-6.12.tar.xz
[ -f "$tarball" ] || die "$tarball not found: run scripts/deps.sh"
installed=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
if [ -f "$SRC/Makefile" ]; then
	have=$(source_version)
	[ ! -s "$SRC/.debian-version" ] || [ "$have" = "$installed" ] ||
		say "NOTE: build/src is linux-source-6.12 $have, $installed is installed: make distclean to use it"
	exit 0
fi

say "unpacking $(basename "$tarball") (~15 s)"
rm -rf "$BUILD/src.tmp"
mkdir -p "$BUILD/src.tmp"
tar -C "$BUILD/src.tmp" -xf "$tarball"
mkdir -p "$BUILD/src"
echo "$installed" >"$BUILD/src.tmp/linux-source-6.12/.debian-version"
mv "$BUILD/src.tmp/linux-source-6.12" "$SRC"
rmdir "$BUILD/src.tmp"
ver=$(make -s -C "$SRC" kernelversion)
say "pristine source: $ver (linux-source-6.12 $installed)"
[ "$installed" = "$KVER_PIN" ] || say "NOTE: the series was last tested on $KVER_PIN"
