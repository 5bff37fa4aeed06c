#!/bin/bash
# Assemble build/linux: the pristine source, our quilt series pushed, and the
# files of linux/ linked in at their tree paths. Idempotent: an existing tree
# gets newly added patches pushed and links refreshed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$ROOT/scripts/source.sh"
export QUILT_PATCHES=patches QUILT_PC=.pc

if [ ! -d "$TREE" ]; then
	say "copying pristine source to build/linux"
	rm -rf "$TREE.tmp"
	cp -a "$SRC" "$TREE.tmp"
	ln -s ../../patches "$TREE.tmp/patches"
	mv "$TREE.tmp" "$TREE"
fi

cd "$TREE"
if [ -s patches/series ] && grep -qv '^\s*\(#\|$\)' patches/series; then
	rc=0
	log=$BUILD/logs/quilt-push.log
	mkdir -p "$(dirname "$log")"
	quilt push -a -q >"$log" 2>&1 || rc=$?
	# 2 means "nothing to push": the series is already applied.
	if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
		# a failed push leaves the patch it failed on unapplied: it is next
		die "patch $(quilt next 2>/dev/null || echo '?') does not apply to linux-source-6.12" \
			"$(source_version) (last tested: $KVER_PIN); see ${log#"$ROOT"/}"
	fi
fi

# Link our own files in; a relative link keeps the tree movable with the repo.
(cd "$ROOT/linux" && find . -type f ! -name '*.o' ! -name '.*.cmd') | while read -r f; do
	f=${f#./}
	dst=$TREE/$f
	want=$(realpath --relative-to="$(dirname "$dst")" "$ROOT/linux/$f")
	mkdir -p "$(dirname "$dst")"
	[ "$(readlink "$dst" 2>/dev/null)" = "$want" ] && continue
	[ -e "$dst" ] && [ ! -L "$dst" ] && die "$f exists upstream: change it with a quilt patch instead"
	ln -sfn "$want" "$dst"
done
say "tree ready: $TREE (linux-source-6.12 $(source_version), $(quilt applied 2>/dev/null | wc -l) patches applied)"
