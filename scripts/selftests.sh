#!/bin/bash
# Build the kselftests the guest runs, static, from the assembled tree.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-base}
obj=$(obj_dir "$flavour")
out=$BUILD/guest-$flavour/bin/kselftests
st=$TREE/tools/testing/selftests
[ -d "$obj/usr/include" ] || die "no kernel headers in $obj/usr/include: build the kernel first"
mkdir -p "$out"

cflags=(-static -O2 -Wall -D_GNU_SOURCE -I"$st" -isystem "$obj/usr/include")
# name:sources:libraries
progs=(
	"memfd_secret:mm/memfd_secret.c:-lcap"
	"secretmem_pool:mm/secretmem_pool.c:-lpthread"
	"test_secretmem:cgroup/test_secretmem.c cgroup/cgroup_util.c:-lpthread"
)
for p in "${progs[@]}"; do
	IFS=: read -r name srcs libs <<<"$p"
	files=()
	for s in $srcs; do files+=("$st/$s"); done

# Small helpers of our own guest scripts.
for src in "$ROOT"/guest/src/*.c; do
	name=$(basename "$src" .c)
	[ "$out/../$name" -nt "$src" ] && continue
	say "guest helper $name"
	gcc -static -O2 -Wall -o "$out/../$name" "$src"
done
	missing=0
	for f in "${files[@]}"; do [ -f "$f" ] || missing=1; done

# Small helpers of our own guest scripts.
for src in "$ROOT"/guest/src/*.c; do
	name=$(basename "$src" .c)
	[ "$out/../$name" -nt "$src" ] && continue
	say "guest helper $name"
	gcc -static -O2 -Wall -o "$out/../$name" "$src"
done
	if [ $missing -eq 1 ]; then
		say "selftest $name: sources not in the tree yet, skipped"
		continue
	fi
	newest=$(ls -t "${files[@]}" "$out/$name" 2>/dev/null | head -1)
	[ "$newest" = "$out/$name" ] && continue
	say "selftest $name"
	# shellcheck disable=SC2086
	gcc "${cflags[@]}" -o "$out/$name" "${files[@]}" $libs
done

# Small helpers of our own guest scripts.
for src in "$ROOT"/guest/src/*.c; do
	name=$(basename "$src" .c)
	[ "$out/../$name" -nt "$src" ] && continue
	say "guest helper $name"
	gcc -static -O2 -Wall -o "$out/../$name" "$src"
done
