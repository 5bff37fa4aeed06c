#!/bin/bash
# make test-mutants: apply each deliberate bug of mutants/*.patch, one at a
# time, to a mirror of build/linux, rebuild it incrementally, boot the rows
# and run the tests its "# kill:" line names, and show that they fail.
# A mutant the tests do not catch SURVIVES, and so does this script: it
# exits non-zero. One line per mutant: "killed by ROW/RULE,..." or
# "SURVIVED"; a mutant that no longer applies or builds is BROKEN (a
# failure too: the suite was not shown anything).
#
# usage: mutants.sh [NAME...]   (names or parts of names of mutants/*.patch)
# env: MUT_BASELINE=0 skips the first boot of the unmutated mirror (which
#      shows that the same rows and tests pass without a mutant);
#      MUT_BOOT_TIMEOUT (default 420 s) kills a hung guest; ACCEL as boot.sh.
#
# Never touches build/linux, build/obj-base or linux/: the mirror is
# build/mut/linux (build/linux copied with the links into linux/ replaced by
# real files; refreshed each run, only changed files, so the build stays
# incremental) built in build/mut/obj-base. Same layout relative to the
# repo, so ccache (CCACHE_BASEDIR) hits for every file a mutant leaves
# alone. Logs: build/logs/base-mut-NN-ROW/ and build/mut/log/.
# Everything runs under nice -n 19.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ "$(nice)" -lt 19 ]; then exec nice -n 19 "$0" "$@"; fi

MUT=$BUILD/mut
MTREE=$MUT/linux
MOBJ=$MUT/obj-base
MLOG=$MUT/log
mutdir=$ROOT/mutants
base_obj=$(obj_dir base)
export BOOT_TIMEOUT=${MUT_BOOT_TIMEOUT:-420}

[ -d "$TREE" ] || die "no $TREE: make tree"
[ -f "$base_obj/.config" ] || die "no $base_obj/.config: make kernel"
[ -f "$BUILD/guest-base/initramfs.cpio.gz" ] || die "no base initramfs: make guest"
command -v ccache >/dev/null || die "ccache missing: run scripts/deps.sh"

mutants=()
for p in "$mutdir"/*.patch; do
	n=$(basename "$p" .patch)
	if [ $# -gt 0 ]; then
		keep=0
		for w in "$@"; do [[ $n == *"$w"* ]] && keep=1; done
		[ $keep = 1 ] || continue
	fi
	mutants+=("$n")
done
[ ${#mutants[@]} -gt 0 ] || die "no mutant in mutants/ matches: $*"

t0=$(date +%s)
mkdir -p "$MOBJ" "$MLOG"
applied=$MUT/applied

# files_of PATCH: the tree paths a patch changes
files_of() { sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$1"; }

# rebuild_of FILE: make the next build compile FILE of the mirror again (a
# ccache hit when it is back to what build/linux has): a .c file loses its
# object; anything else (a header) is touched.
rebuild_of() {
	case $1 in
	*.c) rm -f "$MOBJ/${1%.c}.o" ;;
	*) touch "$MTREE/$1" ;;
	esac
}

# apply NAME: apply a mutant to the mirror, keeping its files' times
apply() {
	local f
	for f in $(files_of "$mutdir/$1.patch"); do
		printf '%s\t%s\n' "$f" "$(stat -c %y "$MTREE/$f")"
	done >"$applied.times"
	(cd "$MTREE" && patch -p1 -s --no-backup-if-mismatch <"$mutdir/$1.patch")
	echo "$1" >"$applied"
}

# revert: take the mutant applied in the mirror out again, give its files
# their times back (so the next refresh leaves them alone) and drop their
# objects (so the next build compiles them from the original).
revert() {
	[ -s "$applied" ] || return 0
	local p f t
	p=$mutdir/$(cat "$applied").patch
	if (cd "$MTREE" && patch -p1 -R -s --no-backup-if-mismatch <"$p"); then
		while IFS=$'\t' read -r f t; do touch -d "$t" "$MTREE/$f"; done <"$applied.times"
	else
		say "WARNING: could not revert $(cat "$applied"); the next run's refresh restores the mirror"
	fi
	for f in $(files_of "$p"); do rebuild_of "$f"; done
	: >"$applied"
}
trap revert EXIT

# 1. The mirror. A mutant left applied by an interrupted run is reverted
# first; rsync copies only files whose size or time differ and keeps
# their times, and every file it copies is rebuilt (rebuild_of), so make
# never sees a copied file older than an object built from something else.
revert
say "refreshing the mirror build/mut/linux from build/linux"
rsync -a --copy-links --delete --exclude=/.pc --exclude=/patches -i "$TREE/" "$MTREE/" |
	sed -n 's/^>f[^ ]* //p' >"$MLOG/refreshed"
while IFS= read -r f; do rebuild_of "$f"; done <"$MLOG/refreshed"
say "  $(wc -l <"$MLOG/refreshed") files changed since the last refresh"
if ! cmp -s "$base_obj/.config" "$MOBJ/.config"; then
	cp "$base_obj/.config" "$MOBJ/.config"
	touch "$MOBJ/.config"
fi
# the selftests in it do not change per mutant; a copy, so that a
# concurrent make guest cannot change it under the run
cp "$BUILD/guest-base/initramfs.cpio.gz" "$MUT/initramfs.cpio.gz"

kmake() {
	flock "$BUILD/.kbuild-mut.lock" make -s -C "$MTREE" O="$MOBJ" CC="ccache gcc" \
		HOSTCC="ccache gcc" -j"$JOBS" "$@"
}
# build NAME: the mirror as it is now, into build/mut/bzImage-NAME
build() {
	local start
	start=$(date +%s)
	if ! { kmake olddefconfig && kmake bzImage; } >"$MLOG/$1.build" 2>&1; then
		return 1
	fi
	cp "$MOBJ/arch/x86/boot/bzImage" "$MUT/bzImage-$1"
	echo $(($(date +%s) - start)) >"$MLOG/$1.buildtime"
}

# kills_of NAME: "ROW:TEST,TEST ..." from the mutant's "# kill:" line
kills_of() { sed -n 's/^# kill: *//p' "$mutdir/$1.patch" | head -1; }

# boot_row TAG KERNEL ROW TESTS: boot ROW of config/boots with KERNEL and
# the tests; print the boot's FAIL lines; fail if the boot has any.
boot_row() {
	local tag=$1 kernel=$2 row=$3 tests=$4 mem cpus nodes extra out f
	read -r mem cpus nodes extra < <(awk -v r="$row" '$1 == r { $1 = ""; print }' "$ROOT/config/boots")
	[ -n "${mem:-}" ] || die "row $row is not in config/boots"
	KERNEL=$kernel INITRD=$MUT/initramfs.cpio.gz "$ROOT/scripts/boot.sh" base "$tag-$row" \
		"$mem" "$cpus" "$nodes" "${extra:-}" "${tests//,/ }"
	out=$("$ROOT/scripts/results.sh" "$BUILD/logs/base-$tag-$row" base)
	grep '^  FAIL ' <<<"$out" || true
	read -r _ f _ <<<"$(tail -1 <<<"$out")"
	[ "$f" -eq 0 ] # a status, not a count: 256 failures would wrap to 0
}

# 2. The unmutated mirror must pass what the mutants are judged by.
say "building the unmutated mirror (build/mut/obj-base)"
build base || { tail -20 "$MLOG/base.build" >&2; die "the unmutated mirror does not build: $MLOG/base.build"; }
say "  built in $(cat "$MLOG/base.buildtime") s"
# one accelerator for all: probed once, on the unmutated kernel
ACCEL=${ACCEL:-$("$ROOT/scripts/accel.sh" "$MUT/bzImage-base")}
export ACCEL
if [ "${MUT_BASELINE:-1}" != 0 ]; then
	declare -A union=()
	for n in "${mutants[@]}"; do
		for k in $(kills_of "$n"); do
			for t in ${k#*:}; do union[${k%%:*}]+=" $t"; done
		done
	done
	for row in "${!union[@]}"; do
		tests=$(tr -s ' ,' '\n' <<<"${union[$row]}" | grep . | sort -u | xargs)
		say "baseline: boot $row with the unmutated mirror: $tests"
		if ! boot_row mut-00 "$MUT/bzImage-base" "$row" "$tests" >"$MLOG/baseline-$row"; then
			sed 's/^/  /' "$MLOG/baseline-$row" >&2
			die "the unmutated mirror fails $row (build/logs/base-mut-00-$row): no mutant could be judged"
		fi
	done
fi

# 3. Each mutant in turn.
results=() nsurv=0 nbroken=0 nkilled=0
for n in "${mutants[@]}"; do
	p=$mutdir/$n.patch
	nn=${n%%-*}
	start=$(date +%s)
	say "mutant $n: $(sed -n "s/^# $n: //p" "$p" | head -1)"
	kills=$(kills_of "$n")
	if [ -z "$kills" ]; then
		results+=("$n: BROKEN (no '# kill:' line)"); nbroken=$((nbroken + 1)); continue
	fi
	if ! (cd "$MTREE" && patch -p1 -s --dry-run --no-backup-if-mismatch <"$p") >"$MLOG/$n.patch" 2>&1; then
		results+=("$n: BROKEN (does not apply to build/linux: $(head -1 "$MLOG/$n.patch"))")
		nbroken=$((nbroken + 1)); continue
	fi
	apply "$n"
	if ! build "$n"; then
		revert
		results+=("$n: BROKEN (does not build: $MLOG/$n.build)")
		nbroken=$((nbroken + 1)); continue
	fi
	revert
	killed=""
	for k in $kills; do
		row=${k%%:*} tests=${k#*:}
		say "  boot $row: ${tests//,/ }"
		passed=1
		boot_row "mut-$nn" "$MUT/bzImage-$n" "$row" "$tests" >"$MLOG/$n.fails" || passed=0
		sed 's/^/  /' "$MLOG/$n.fails" | head -8 >&2
		if [ $passed = 0 ]; then
			# "  FAIL  RULE: ..." names a results.sh rule or a test
			killed=$(sed -n 's/^  FAIL  \([^:]*\):.*/\1/p' "$MLOG/$n.fails" |
				awk -v r="$row" '!seen[$0]++ { printf "%s%s/%s", n++ ? "," : "", r, $0 }')
			killed=${killed:-$row}
			break
		fi
	done
	took="build $(cat "$MLOG/$n.buildtime") s, total $(($(date +%s) - start)) s"
	if [ -n "$killed" ]; then
		results+=("$n: killed by $killed ($took)"); nkilled=$((nkilled + 1))
	else
		results+=("$n: SURVIVED $kills ($took)"); nsurv=$((nsurv + 1))
	fi
	say "  ${results[-1]}"
done

echo "mutants (logs: build/logs/base-mut-NN-ROW, build/mut/log):"
printf '  %s\n' "${results[@]}"
echo "${#mutants[@]} mutants: $nkilled killed, $nsurv survived, $nbroken broken ($(($(date +%s) - t0)) s)"
[ $((nsurv + nbroken)) -eq 0 ]
