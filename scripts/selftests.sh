#!/bin/bash
# Build the kselftests the guest runs, static, from the assembled tree, and
# the small helper programs of our guest scripts (guest/src).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-base}
obj=$(obj_dir "$flavour")
bin=$BUILD/guest-$flavour/bin
st=$TREE/tools/testing/selftests
[ -d "$obj/usr/include" ] || die "no kernel headers in $obj/usr/include: build the kernel first"
mkdir -p "$bin/kselftests"

cflags=(-static -O2 -Wall -I"$st" -isystem "$obj/usr/include")

# build OUT SOURCES... -- LIBS...: compile when a source is newer than OUT.
build() {
	local out=$1 f stale=0 srcs=() libs=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do srcs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	libs=("$@")
	for f in "${srcs[@]}"; do
		[ -f "$f" ] || die "missing source $f (make tree)"
		[ "$f" -nt "$out" ] && stale=1
	done
	[ -f "$out" ] && [ $stale -eq 0 ] && return 0
	say "building $(basename "$out")"
	gcc "${cflags[@]}" -o "$out" "${srcs[@]}" "${libs[@]}"
}

build "$bin/kselftests/memfd_secret" "$st/mm/memfd_secret.c" -- -lcap
build "$bin/kselftests/secretmem_pool" "$st/mm/secretmem_pool.c" -- -lpthread
build "$bin/kselftests/secretmem_readers" "$st/mm/secretmem_readers.c"
build "$bin/kselftests/secretmem_faults" "$st/mm/secretmem_faults.c"
build "$bin/kselftests/secretmem_lifetimes" "$st/mm/secretmem_lifetimes.c" -- -lpthread
build "$bin/kselftests/secretmem_hwpoison" "$st/mm/secretmem_hwpoison.c"
build "$bin/kselftests/secretmem_grow" "$st/mm/secretmem_grow.c"
build "$bin/kselftests/secretmem_pmd" "$st/mm/secretmem_pmd.c" -- -lpthread
build "$bin/kselftests/test_secretmem" "$st/cgroup/test_secretmem.c" "$st/cgroup/cgroup_util.c" -- -lpthread
for src in "$ROOT"/guest/src/*.c; do
	out=$bin/$(basename "$src" .c)
	# a changed shared header makes every helper stale
	for h in "$ROOT"/guest/src/*.h; do [ "$h" -nt "$out" ] && rm -f "$out"; done
	build "$out" "$src"
done
