#!/bin/bash
# guest/lib/tap.sh and idle.sh under the guest's shell (busybox sh when the
# host has it, else sh): a test keeps its own exit status, and the idle check
# fails when a counter it needs is missing. Prints TAP.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib=$(cd "$here/../../guest/lib" && pwd)
gsh=(sh)
command -v busybox >/dev/null && gsh=(busybox sh)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0
check() { # NAME WANT GOT
	n=$((n + 1))
	if [ "$2" = "$3" ]; then echo "ok $n $1"; else echo "not ok $n $1: got $3, expected $2"; bad=1; fi
}
# run BODY: a test script sourcing tap.sh; prints its exit status
run() {
	printf '. %s/tap.sh\n%s\n' "$lib" "$1" >"$tmp/t.sh"
	"${gsh[@]}" "$tmp/t.sh" >"$tmp/out" 2>&1
	echo $?
}
echo "1..13"
check "tap: whole-test skip exits 4" 4 "$(run 'tap_skip_all no secretmem controller')"
check "tap: the skip says 1..0 # SKIP and why" "1..0 # SKIP no secretmem controller" "$(cat "$tmp/out")"
check "tap: exit 4 is kept" 4 "$(run 'echo "1..0 # SKIP x"; exit 4')"
check "tap: a set -e abort is kept" 1 "$(run 'set -e; tap_plan 2; tap_ok 1 a; false; tap_ok 1 b')"
check "tap: a shell error is kept" 2 "$(run 'tap_plan 1; : ${nothing_here?unset}; tap_ok 1 a')"
check "tap: a not ok makes a clean end exit 1" 1 "$(run 'tap_plan 2; tap_ok 0 a; tap_ok 1 b')"
check "tap: all ok exits 0" 0 "$(run 'tap_plan 2; tap_ok 1 a; tap_is b 1 1')"

# idle.sh with its files replaced
mkdir -p "$tmp/cg/g"
echo 0 >"$tmp/cg/g/secretmem.current"
printf 'MemTotal: 100 kB\nSecretmemTotal: 64 kB\nSecretmemFree: 64 kB\nSecretmemRsvd: 0 kB\n' >"$tmp/meminfo"
printf 'MemTotal: 100 kB\n' >"$tmp/meminfo-none"
echo 0 >"$tmp/inodes"
mkdir -p "$tmp/sysfs"
echo 0 >"$tmp/sysfs/ceiling_bytes"
echo '[always] unless_cgroup_limit' >"$tmp/sysfs/memlock"
idle() { # MEMINFO INODES [SHELL BEFORE]: the TAP result line of smt_idle
	printf '. %s/tap.sh; . %s/idle.sh; %s\nsmt_idle\n' "$lib" "$lib" "${3:-}" >"$tmp/i.sh"
	SMT_MEMINFO=$1 SMT_INODES=$2 SMT_CGROUP=$tmp/cg SMT_IDLE_TRIES=1 \
		SMT_SYSFS=$tmp/sysfs SMT_SETTINGS=$tmp/settings "${gsh[@]}" "$tmp/i.sh" 2>&1 |
		grep -E '^(not )?ok' | cut -d' ' -f1-2
}
check "idle: all counters idle is ok" "ok 1" "$(idle "$tmp/meminfo" "$tmp/inodes")"
check "idle: no Secretmem lines in meminfo is not ok" "not ok" "$(idle "$tmp/meminfo-none" "$tmp/inodes")"
check "idle: no debugfs inode counter is not ok" "not ok" "$(idle "$tmp/meminfo" "$tmp/no-such-file")"
check "idle: settings as booted is ok" "ok 1" \
	"$(idle "$tmp/meminfo" "$tmp/inodes" 'smt_settings_save')"
check "idle: a setting left changed is not ok" "not ok" \
	"$(idle "$tmp/meminfo" "$tmp/inodes" 'smt_settings_save; echo 8388608 >"$SMT_SYSFS/ceiling_bytes"')"
check "idle: ... and is put back" "0" "$(cat "$tmp/sysfs/ceiling_bytes")"
exit $bad
