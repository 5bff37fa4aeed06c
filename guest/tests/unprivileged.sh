#!/bin/sh
# boots: nopool pool64
# Every secret-memory kselftest again as an unprivileged user: uid and gid
# 65534 (nobody), no supplementary groups, no capabilities (run_as), with
# RLIMIT_MEMLOCK raised to unlimited by root first. One result per
# kselftest, each followed by the idle check. What needs root in them
# (debugfs, /proc/kcore, pagemap PFNs, fault injection, cgroups outside a
# delegated subtree, raising a hard rlimit) skips with its reason; a
# "not ok", a bail-out, a crash, a wrong exit status, results short of the
# plan, a process left running, or a kselftest that skips everything
# where it should run, fails here.
#
# What nobody is given, as a system would give a user:
# - test_secretmem runs in a cgroup subtree delegated to nobody (cgroup v2
#   delegation: the directory and its cgroup.procs, cgroup.subtree_control
#   and cgroup.threads chowned), secretmem enabled above it, started in a
#   leaf of it (the test makes its groups beside the leaf: the delegated
#   group itself holds no process, so it can pass the controller on);
# - secretmem_readers gets /dev/ram0, as a user who owns a disk, for its
#   O_DIRECT cases.
# secretmem_pool also runs under the kernel's default RLIMIT_MEMLOCK of
# 8 MiB, which nobody cannot raise: what fits must run, the rest skips.
set -eu
. /lib-smt/tap.sh
. /lib-smt/idle.sh

NOBODY=65534
cg=/sys/fs/cgroup
deleg=$cg/smt_unpriv
# a hung kselftest fails as itself, not as the whole script (which init
# kills after 300 s)
limit=${SMT_UNPRIV_TIMEOUT:-200}
out=/tmp/unpriv.out
cd /tmp

tap_plan 17
ulimit -l unlimited
# debugfs is root's: tell the kselftests that scale their work to a debug
# kernel what they cannot see as nobody
if [ -e /sys/kernel/debug/kmemleak ]; then
	export SMT_DEBUG_KERNEL=1
else
	export SMT_DEBUG_KERNEL=0
fi

# 1. The user the kselftests run as really is unprivileged.
got=$(run_as $NOBODY $NOBODY sh -c \
	'echo $(id -u) $(id -g) "[$(id -G)]" $(ulimit -Sl) $(ulimit -Hl) $(sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status)' 2>&1) ||
	true
tap_is "run_as: uid gid [groups] memlock soft/hard CapEff" "$got" \
	"$NOBODY $NOBODY [$NOBODY] unlimited unlimited 0000000000000000"

# Processes of nobody still running (not zombies), as "PID PID ...".
nobody_pids() {
	local s
	for s in /proc/[0-9]*/status; do
		awk -v u=$NOBODY '$1 == "State:" { z = $2 == "Z" }
			$1 == "Uid:" && $2 == u && !z { n = split(FILENAME, p, "/"); print p[n - 1] }' "$s" 2>/dev/null || true
	done | xargs
}

# count PATTERN: how many TAP results of $out match PATTERN
count() { grep -E '^(not )?ok [0-9]+' "$out" | grep -Eic "$1" || true; }

# judge NAME LABEL RC: one TAP line for kselftest NAME that exited RC, from
# its output in $out; skipping everything fails it unless NAME may.
judge() {
	local name="$1" label="$2" rc="$3" plan skip fail pass left allskip="" why=""

	# everything in it needs root (the reason is in its own output)
	[ "$name" = secretmem_faults ] && allskip="fault injection is set up in debugfs"
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$out" | head -1)
	skip=$(count '# *skip')
	fail=$(($(count '^not ok') - $(count '^not ok.*# *skip')))
	pass=$(($(count '^ok') - $(count '^ok.*# *skip')))
	left=$(nobody_pids)
	[ -z "$left" ] || kill -9 $left 2>/dev/null || true
	if [ "$rc" -ge 124 ]; then
		why="killed (exit $rc: a signal, the ${limit} s timeout, or run_as)"
	elif [ "$fail" -gt 0 ]; then
		why="$fail not ok"
	elif grep -q '^Bail out!' "$out"; then
		why="bailed out: $(sed -n 's/^Bail out! *//p' "$out" | head -1)"
	elif [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
		why="exit $rc with no not ok"
	elif [ -n "$left" ]; then
		why="left processes running (killed): $left"
	elif [ -z "$plan" ]; then
		why="no TAP plan"
	elif [ "$pass" = 0 ]; then
		why=$(sed -n 's/^1\.\.0 *# *[Ss][Kk][Ii][Pp] *//p' "$out" | head -1)
		[ -n "$why" ] || why="all $skip cases skipped"
		if [ -n "$allskip" ]; then
			tap_diag "$name may skip everything as nobody: $allskip"
			tap_skip "$label as nobody: $why"
			return
		fi
		why="skipped everything where it should run: $why"
	elif [ $((pass + skip)) != "$plan" ]; then
		why="plan 1..$plan but $pass passed and $skip skipped"
	fi
	if [ -n "$why" ]; then
		tap_ok 0 "$label as nobody: $why"
	else
		tap_ok 1 "$label as nobody: $pass passed, $skip skipped"
	fi
}

# run "NAME [ARGS]" [MEMLOCK_KB] [CGROUP]: kselftest NAME as nobody under
# RLIMIT_MEMLOCK MEMLOCK_KB (soft and hard; default unlimited) in CGROUP
# (default: this script's), its output as diagnostics, its result, then
# the idle check.
run() {
	local name="$1" memlock="${2:-unlimited}" cgroup="${3:-}" rc=0 t0 label="$1"

	[ "$memlock" = unlimited ] || label="$name, RLIMIT_MEMLOCK $memlock kB,"
	t0=$(cut -d. -f1 /proc/uptime)
	# its output comes when it ends: say what runs, should init kill us
	tap_diag "$label as nobody: started at $t0 s"
	timeout -s KILL "$limit" sh -c '
		[ -z "$1" ] || echo $$ >"$1/cgroup.procs" || exit 125
		ulimit -l "$2" || exit 125
		exec run_as "$3" "$3" /bin/kselftests/$4' \
		sh "$cgroup" "$memlock" $NOBODY "$name" >$out 2>&1 || rc=$?
	sed 's/^/# /' $out
	tap_diag "$name: exit $rc after $(($(cut -d. -f1 /proc/uptime) - t0)) s${cgroup:+ in $cgroup}"
	judge "$name" "$label" $rc
	smt_idle
}

# 2-13, each with its idle check (secretmem_readers --pmd where there is a
# pool for its 2 MiB buffer).
run memfd_secret
run secretmem_pool
run secretmem_pool 8192
run secretmem_faults
chown $NOBODY /dev/ram0 2>/dev/null || tap_diag "no /dev/ram0 to give nobody"
run secretmem_readers
if [ "$(sed -n 's/^SecretmemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)" -gt 0 ] 2>/dev/null; then
	run "secretmem_readers --pmd"
else
	tap_skip "secretmem_readers --pmd as nobody: no secretmem= pool"
	smt_idle
fi
chown 0 /dev/ram0 2>/dev/null || true

# 14-15. test_secretmem in a delegated subtree. secretmem enabled at the
# root stays as the other tests leave it; what was off is turned off again.
was_on=0
grep -qw secretmem $cg/cgroup.subtree_control && was_on=1
grep -qw secretmem $cg/cgroup.controllers && [ $was_on = 0 ] &&
	echo +secretmem >$cg/cgroup.subtree_control
[ ! -d $deleg ] || find $deleg -depth -type d -exec rmdir {} \;
mkdir $deleg
chown $NOBODY:$NOBODY $deleg $deleg/cgroup.procs $deleg/cgroup.subtree_control $deleg/cgroup.threads
# a group is protected only as far as its parent is: root guarantees the
# subtree the pool, so that nobody's secretmem.min tests have something
[ ! -f $deleg/secretmem.min ] || echo max >$deleg/secretmem.min
# nobody makes its own leaf; root moves the test into it (from the root
# cgroup, which nobody may not write) before it drops to nobody
run_as $NOBODY $NOBODY mkdir $deleg/leaf
# the cleanup comes after the idle check, which sees every group's charge
run test_secretmem unlimited $deleg/leaf
# whatever the test left behind, deepest first
find $deleg -depth -type d -exec rmdir {} \; 2>/dev/null || tap_diag "could not remove $deleg"
[ $was_on = 1 ] || ! grep -qw secretmem $cg/cgroup.subtree_control ||
	echo -secretmem >$cg/cgroup.subtree_control

# 16-17. The longest last: whatever it takes, the others have reported.
run secretmem_lifetimes
