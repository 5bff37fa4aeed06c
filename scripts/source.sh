#!/bin/bash
# Unpack Debian's linux-source-6.12 once under build/src (pristine, never edited).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tarball=/usr/src/linux-source-6.12.tar.xz
[ -f "$tarball" ] || die "$tarball not found: run scripts/deps.sh"
[ -f "$SRC/Makefile" ] && exit 0

say "unpacking $(basename "$tarball") (~15 s)"
rm -rf "$BUILD/src.tmp"
mkdir -p "$BUILD/src.tmp"
tar -C "$BUILD/src.tmp" -xf "$tarball"
mkdir -p "$BUILD/src"
mv "$BUILD/src.tmp/linux-source-6.12" "$SRC"
rmdir "$BUILD/src.tmp"
ver=$(make -s -C "$SRC" kernelversion)
say "pristine source: $ver ($(dpkg-query -W -f='${Version}' linux-source-6.12))"
