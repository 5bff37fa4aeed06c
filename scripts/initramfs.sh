#!/bin/bash
# Pack the guest initramfs: static busybox, our init and test scripts, the
# static kselftests, and the external programs tests drive (Debian's
# cgroup-tools, stress-ng and kexec-tools) with their shared libraries.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-base}
g=$BUILD/guest-$flavour
root=$g/root
img=$g/initramfs.cpio.gz
bb=/bin/busybox
[ -x $bb ] || die "$bb missing: run scripts/deps.sh (busybox-static)"
file -L $bb 2>/dev/null | grep -q 'statically linked' || ldd $bb 2>&1 | grep -q 'not a dynamic' ||
	die "$bb is not static: install busybox-static"

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,lib64,tests}
cp $bb "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
cp "$ROOT/guest/init" "$root/init"
cp "$ROOT"/guest/tests/*.sh "$root/tests/"
[ -d "$ROOT/guest/lib" ] && cp -r "$ROOT/guest/lib" "$root/lib-smt"
cp -r "$g/bin/." "$root/bin/"
cp "$ROOT/guest/demo.sh" "$root/tests/demo.sh"
cp "$ROOT/guest/bench.sh" "$root/tests/bench.sh"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >>"$root/etc/passwd"

# Dynamic programs: copy each with the libraries ldd lists, at the same paths.
# kexec: crashdump.sh's kexec_load() path, a loader that does not know the pool
for prog in cgcreate cgset cgget cgexec cgdelete lscgroup stress-ng kexec; do
	path=$(command -v "$prog") || die "$prog missing: run scripts/deps.sh"
	cp "$path" "$root/usr/bin/"
	ldd "$path" | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$img.tmp"
mv "$img.tmp" "$img"
say "initramfs: ${img#"$ROOT"/} ($(du -h "$img" | cut -f1))"
