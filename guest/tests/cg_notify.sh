#!/bin/sh
# boots: pool64
# needs: cgroup
# A refusal by secretmem.max wakes a program that poll()s secretmem.events
# and secretmem.events.local for POLLPRI (kernfs file notification, as for
# memory.events), and the "max" count it reads again has grown by one.
#
# secret_poll opens both files of a group with secretmem.max 1M, reads each
# once (which arms it), then starts a process in the group that asks for
# 2M (ftruncate: ENOMEM) and polls for up to 3 s. The control: the same
# with a 512K file the limit accepts, where no notification may come
# (both polls time out, counts unchanged); it also shows that the poll
# does not return by itself, so a kernel that counts the event without
# notifying fails the check.
. /lib-smt/tap.sh
cg=/sys/fs/cgroup
g=$cg/smt_notify
grep -qw secretmem $cg/cgroup.controllers 2>/dev/null ||
	tap_skip_all "no secretmem controller in $cg/cgroup.controllers"
tap_plan 6
ulimit -l unlimited
echo +secretmem > $cg/cgroup.subtree_control
rmdir $g 2>/dev/null
mkdir $g
echo 1M > $g/secretmem.max
ev=$g/secretmem.events
evl=$g/secretmem.events.local
# run SIZE: secret_poll over both files while "secret SIZE" runs in $g
run() {
	secret_poll 3000 $ev $evl -- sh -c 'echo $$ > "$0/cgroup.procs" && exec secret "$1"' $g "$1"
}
line() { echo "$out" | grep "^$1: "; }
f() { line "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# 1. the refusal, from a process in the group
out=$(run 2M)
echo "$out" | sed 's/^/# /'
tap_ok $(echo "$out" | grep -q 'ftruncate(2M):.*ENOMEM' && [ "$(echo "$out" | sed -n 's/^command: exit=//p')" = 1 ] && echo 1 || echo 0) \
	"a 2M secret file in a group with secretmem.max 1M is refused with ENOMEM"
# 2-5. each file reports POLLPRI and its count grew by one
for file in $ev $evl; do
	n=$(basename $file)
	tap_ok $([ "$(f $file notified)" = 1 ] && echo 1 || echo 0) \
		"$n: poll() reports POLLPRI after the refusal ($(f $file ms) ms, 3000 ms allowed)"
	b=$(f $file before)
	tap_is "$n: max after the refusal (was ${b:-?})" "$(f $file after)" "$((${b:--2} + 1))"
done

# 6. control: a charge the limit accepts notifies nothing
out=$(run 512K)
echo "$out" | sed 's/^/# /'
ok=1
echo "$out" | grep -q 'secret memory: 512K reserved' || { tap_diag "the 512K file was not accepted"; ok=0; }
for file in $ev $evl; do
	[ "$(f $file notified)" = 0 ] || { tap_diag "$file: notified without a refusal"; ok=0; }
	[ -n "$(f $file before)" ] && [ "$(f $file before)" = "$(f $file after)" ] || { tap_diag "$file: count changed"; ok=0; }
done
tap_ok $ok "control: a 512K file within the limit: both polls time out after 3000 ms, counts unchanged"

rmdir $g 2>/dev/null || { sleep 1; rmdir $g; }
