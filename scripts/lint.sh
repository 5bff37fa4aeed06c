#!/bin/bash
# Style and static checks: checkpatch --strict on every patch and every file
# of linux/, sparse and W=1 on the objects we add or change. Fails on any
# finding.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

obj=$(obj_dir base)
[ -f "$obj/.config" ] || die "no configured kernel in $obj: make kernel"
cd "$TREE"
bad=0
checkpatch=(./scripts/checkpatch.pl --strict --quiet --no-summary --show-types
	    --ignore FILE_PATH_CHANGES)

say "checkpatch --strict: patches"
while read -r p; do
	case "$p" in ''|'#'*) continue;; esac
	out=$("${checkpatch[@]}" "patches/$p" 2>&1) || true
	[ -z "$out" ] || { echo "patches/$p:"; echo "$out"; bad=1; }
done <"$ROOT/patches/series"

say "checkpatch --strict: files of linux/"
# User-space tests follow user-space conventions: they return positive
# errnos, feed whitespace to parsers on purpose, and memfd_secret() itself
# answers ENOSYS where the architecture cannot remove pages from the direct
# map.
selftest_ignore=(--ignore ENOSYS,USE_NEGATIVE_ERRNO,QUOTED_WHITESPACE_BEFORE_NEWLINE)
while read -r f; do
	extra=()
	case "$f" in tools/testing/selftests/*) extra=("${selftest_ignore[@]}");; esac
	out=$("${checkpatch[@]}" "${extra[@]}" -f "$f" 2>&1) || true
	[ -z "$out" ] || { echo "$f:"; echo "$out"; bad=1; }
done < <(cd "$ROOT/linux" && find . -type f \( -name '*.c' -o -name '*.h' \) | sed 's|^\./||' | sort)

# Objects built from files we add or change (upstream files touched by the
# series count: their warnings would be ours to explain).
# A .c file another one #includes (a KUnit suite built into the code it
# tests) is checked as part of that one.
included=$(cd "$ROOT/linux" && { grep -rhoE '^#include "[a-z0-9_]+\.c"' --include='*.c' . || true; } |
	   sed 's/^#include "//; s/"$//' | sort -u | tr '\n' '|')
objs=$(cd "$ROOT/linux" && find . -name '*.c' ! -path './tools/*' | sed 's|^\./||' |
       grep -vE "/(${included%|})\$" | sed 's|\.c$|.o|')
objs+=" $(grep -h '^+++ b/' "$ROOT"/patches/*.patch | sed 's|^+++ b/||' |
	 grep '\.c$' | grep -v '^tools/' | sed 's|\.c$|.o|' | sort -u | tr '\n' ' ')"
say "sparse and W=1: $(echo $objs | wc -w) objects"
log=$BUILD/lint-build.log
# Warnings come only from a compile: drop the objects so that every one is
# compiled again (ccache replays a cached compile's warnings).
# shellcheck disable=SC2086
(cd "$obj" && rm -f $objs)
# shellcheck disable=SC2086
flock "$BUILD/.kbuild-base.lock" make -s -C "$TREE" O="$obj" CC="ccache gcc" \
	-j"$JOBS" W=1 C=2 $objs >"$log" 2>&1 || { cat "$log"; die "build of checked objects failed"; }
# Sparse's lock-context noise in upstream mm code the series touches: the
# same warnings come from the pristine tree (checked on 6.12.117).
# upstream's own sparse lock-context warnings in the files our patches touch
# (mm/gup.c and mm/huge_memory.c since the PMD mappings of #14)
known="context imbalance in '(filemap_fault_recheck_pte_none|filemap_map_pages|__page_cache_release|page_cache_release|folio_batch_move_lru|folios_put_refs|walk_zones_in_node"
known+="|follow_page_pte|get_gate_page|gup_fast_pte_range|madvise_free_huge_pmd|zap_huge_pmd|move_huge_pmd|change_huge_pmd|change_huge_pud"
known+="|__pmd_trans_huge_lock|__pud_trans_huge_lock|zap_huge_pud|__split_huge_zero_page_pmd|__split_huge_pmd_locked|__split_huge_page"
known+="|split_huge_page_to_list_to_order|split_huge_pages_pid)'"
# W=1's kernel-doc check of kernel/power/snapshot.c: upstream's comments
# there are not complete kernel-doc (same from the pristine tree); only a
# warning about the function the series adds there is ours.
ours_kdoc=register_nosave_region_late
if grep -E 'warning:|error:' "$log" | grep -vE "$known" |
	awk -v ours="$ours_kdoc" '!(/kernel\/power\/snapshot\.c:[0-9]+: warning: / && index($0, ours) == 0)' |
	grep .; then
	bad=1
fi

[ $bad -eq 0 ] || die "lint found problems (see above)"
say "lint clean"
