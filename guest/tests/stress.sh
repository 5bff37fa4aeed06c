#!/bin/sh
# boots: nopool pool64 grow
# needs: cgroup
# 60 seconds of our own threads creating, faulting and closing secret files
# of random sizes in groups whose limits they keep running into (a: 8M, b:
# 512K, short-lived groups of 512K-2M) and in one without a limit (c, the
# same workload as a: it must go above 8M, so a's limit is really tested),
# while groups are created and removed and the workers are moved between
# them. The limits hold (peak <= max in every limited group), each limited
# group refused charges itself (events.local max > 0), and the refusals the
# workers saw at ftruncate (ENOMEM) are exactly the max events counted under
# the test's top group. Nothing else may fail, and everything is idle after.
# stress-ng --secretmem runs alongside in a group of its own, as an external
# client that must run and exit 0; version 0.15.06 sets its file's size over
# and over, which a secret file refuses after the first time, so it does
# almost nothing here and no coverage is claimed for it.
. /lib-smt/tap.sh
. /lib-smt/idle.sh
cg=/sys/fs/cgroup
top=$cg/smt_stress
secs=${SMT_STRESS_SECONDS:-60}
if ! grep -qw secretmem $cg/cgroup.controllers; then
	echo "1..0 # SKIP no secretmem controller"
	exit 4
fi
tap_plan 16
echo +secretmem > $cg/cgroup.subtree_control
mkdir -p $top
echo +secretmem > $top/cgroup.subtree_control
for g in a b c ng; do mkdir -p $top/$g; done
echo 8M > $top/a/secretmem.max
echo 512K > $top/b/secretmem.max
ulimit -l unlimited

# run_in GROUP COMMAND...: start it in the group, in the background.
run_in() {
	local g=$1
	shift
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$top/$g" "$@" &
}
ev() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
# 4 threads of files up to 4M each: about 8M held on average, up to 16M
run_in ng stress-ng --secretmem 2 --timeout ${secs}s --metrics-brief > /tmp/st-ng.out 2>&1
ng=$!
run_in a secret_churn $secs 4 1024 > /tmp/st-a.out 2>&1
ca=$!
run_in b secret_churn $secs 3 64 > /tmp/st-b.out 2>&1
cb=$!
run_in c secret_churn $secs 4 1024 > /tmp/st-c.out 2>&1
cc=$!

# Meanwhile: new groups come and go, and the workers move around.
end=$(( $(date +%s) + secs ))
made=0 removed=0 moves=0 i=0 tmpbad=0 tmpev=0
while [ "$(date +%s)" -lt $end ]; do
	i=$((i + 1))
	d=$top/tmp$i
	max=$(( (i % 4 + 1) * 512 * 1024 ))
	mkdir $d && made=$((made + 1))
	echo $max > $d/secretmem.max
	for p in $ca $cb $cc; do
		echo $p > $d/cgroup.procs 2>/dev/null && moves=$((moves + 1))
	done
	sleep 0.3
	echo $ca > $top/a/cgroup.procs 2>/dev/null
	echo $cb > $top/b/cgroup.procs 2>/dev/null
	echo $cc > $top/c/cgroup.procs 2>/dev/null
	# swap a and c's workers now and then: charges stay with the files
	if [ $((i % 3)) = 0 ]; then
		echo $ca > $top/c/cgroup.procs 2>/dev/null
		echo $cc > $top/a/cgroup.procs 2>/dev/null
	fi
	p=$(cat $d/secretmem.peak)
	if [ "$p" -gt $max ]; then
		tap_diag "$d peaked at $p, above its max $max"
		tmpbad=$((tmpbad + 1))
	fi
	tmpev=$((tmpev + $(ev $d/secretmem.events.local max)))
	rmdir $d && removed=$((removed + 1))
done

wait $ng; rng=$?
wait $ca; ra=$?
wait $cb; rb=$?
wait $cc; rc=$?
sed 's/^/# /' /tmp/st-ng.out | tail -4
cat /tmp/st-a.out /tmp/st-b.out /tmp/st-c.out | sed 's/^/# /'
echo "# $made groups created, $removed removed, $moves moves, $tmpev refusals by their limits"
tap_ok $([ $rng = 0 ] && echo 1 || echo 0) "stress-ng --secretmem (external client, no coverage claimed) exits 0 (rc=$rng)"
tap_ok $([ $ra = 0 ] && echo 1 || echo 0) "churn in a (8M) exits 0 (rc=$ra)"
tap_ok $([ $rb = 0 ] && echo 1 || echo 0) "churn in b (512K) exits 0 (rc=$rb)"
tap_ok $([ $rc = 0 ] && echo 1 || echo 0) "churn in c (no limit) exits 0 (rc=$rc)"
tap_ok $([ $made -gt 0 ] && [ $made = $removed ] && echo 1 || echo 0) \
	"every group created under load was removed ($made/$removed)"
tap_ok $([ $tmpbad = 0 ] && echo 1 || echo 0) "every short-lived group stayed within its max ($tmpbad did not)"

# c has no limit and ran a's workload: it must have gone above a's 8M, or
# a's limit below was never put to the test.
peak=$(cat $top/c/secretmem.peak)
tap_ok $([ "$peak" -gt 8388608 ] && echo 1 || echo 0) "c (no limit, a's workload) peaked at $peak, above 8M"
tap_is "c (no limit) max events" "$(ev $top/c/secretmem.events max)" 0
peak=$(cat $top/a/secretmem.peak)
tap_ok $([ "$peak" -le 8388608 ] && echo 1 || echo 0) "a peaked at $peak, within its 8M"
n=$(ev $top/a/secretmem.events.local max)
tap_ok $([ "${n:-0}" -gt 0 ] && echo 1 || echo 0) "a's own limit refused charges (${n:-none} local max events)"
peak=$(cat $top/b/secretmem.peak)
tap_ok $([ "$peak" -le 524288 ] && echo 1 || echo 0) "b peaked at $peak, within its 512K"
n=$(ev $top/b/secretmem.events.local max)
tap_ok $([ "${n:-0}" -gt 0 ] && echo 1 || echo 0) "b's own limit refused charges (${n:-none} local max events)"
tap_is "stress-ng's group (no limit) max events" "$(ev $top/ng/secretmem.events max)" 0

# Every ENOMEM at ftruncate was a limit (the pool, if any, is far from
# full), and every refusal by a limit is one max event in each group from
# that limit up to the test's top group.
enomem=$(cat /tmp/st-a.out /tmp/st-b.out /tmp/st-c.out | sed -n 's/.*enomem=\([0-9]*\).*/\1/p' |
	awk '{ s += $1 } END { print s + 0 }')
eagain=$(cat /tmp/st-a.out /tmp/st-b.out /tmp/st-c.out | sed -n 's/.*eagain=\([0-9]*\).*/\1/p' |
	awk '{ s += $1 } END { print s + 0 }')
tap_is "max events under the top group = ENOMEM refusals the workers saw" \
	"$(ev $top/secretmem.events max)" "$enomem"
tap_is "EAGAIN refusals (RLIMIT_MEMLOCK is unlimited)" "$eagain" 0
smt_idle
for g in a b c ng; do rmdir $top/$g; done
rmdir $top
