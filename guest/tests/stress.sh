#!/bin/sh
# boots: nopool pool64
# needs: cgroup
# 60 seconds of everything at once: stress-ng --secretmem and our own
# threads creating, faulting and closing secret files of random sizes in
# several groups, while groups are created and removed and the workers are
# moved between them. Nothing may fail but with ENOMEM/EAGAIN at ftruncate,
# the limits must hold, and everything must be back to idle afterwards.
. /lib-smt/tap.sh
. /lib-smt/idle.sh
cg=/sys/fs/cgroup
top=$cg/smt_stress
secs=${SMT_STRESS_SECONDS:-60}
if ! grep -qw secretmem $cg/cgroup.controllers; then
	echo "1..0 # SKIP no secretmem controller"
	exit 4
fi
tap_plan 9
echo +secretmem > $cg/cgroup.subtree_control
mkdir -p $top
echo +secretmem > $top/cgroup.subtree_control
for g in a b c; do mkdir -p $top/$g; done
echo 8M > $top/a/secretmem.max
echo 512K > $top/b/secretmem.max
ulimit -l unlimited

# run_in GROUP COMMAND...: start it in the group, in the background.
run_in() {
	local g=$1
	shift
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$top/$g" "$@" &
}
run_in a stress-ng --secretmem 2 --timeout ${secs}s --metrics-brief > /tmp/st-ng.out 2>&1
ng=$!
run_in a secret_churn $secs 3 64 > /tmp/st-a.out 2>&1
ca=$!
run_in b secret_churn $secs 3 64 > /tmp/st-b.out 2>&1
cb=$!
run_in c secret_churn $secs 3 256 > /tmp/st-c.out 2>&1
cc=$!

# Meanwhile: new groups come and go, and the workers move around.
end=$(( $(date +%s) + secs ))
made=0 removed=0 moves=0 i=0
while [ "$(date +%s)" -lt $end ]; do
	i=$((i + 1))
	d=$top/tmp$i
	mkdir $d && made=$((made + 1))
	echo $(( (i % 4 + 1) * 512 ))K > $d/secretmem.max
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
	rmdir $d && removed=$((removed + 1))
done

wait $ng; rng=$?
wait $ca; ra=$?
wait $cb; rb=$?
wait $cc; rc=$?
sed 's/^/# /' /tmp/st-ng.out | tail -4
cat /tmp/st-a.out /tmp/st-b.out /tmp/st-c.out | sed 's/^/# /'
echo "# $made groups created, $removed removed, $moves moves"
tap_ok $([ $rng = 0 ] && echo 1 || echo 0) "stress-ng --secretmem for ${secs}s exits 0 (rc=$rng)"
tap_ok $([ $ra = 0 ] && echo 1 || echo 0) "churn in a (8M) exits 0 (rc=$ra)"
tap_ok $([ $rb = 0 ] && echo 1 || echo 0) "churn in b (512K) exits 0 (rc=$rb)"
tap_ok $([ $rc = 0 ] && echo 1 || echo 0) "churn in c (no limit) exits 0 (rc=$rc)"
tap_ok $([ $made -gt 0 ] && [ $made = $removed ] && echo 1 || echo 0) \
	"every group created under load was removed ($made/$removed)"
peak=$(cat $top/a/secretmem.peak)
tap_ok $([ "$peak" -le 8388608 ] && echo 1 || echo 0) "a peaked at $peak, within its 8M"
peak=$(cat $top/b/secretmem.peak)
tap_ok $([ "$peak" -le 524288 ] && echo 1 || echo 0) "b peaked at $peak, within its 512K"
ev=$(awk '$1 == "max" { print $2 }' $top/b/secretmem.events)
tap_ok $([ "${ev:-0}" -gt 0 ] && echo 1 || echo 0) "b's limit was hit ($ev max events)"
smt_idle
for g in a b c; do rmdir $top/$g; done
rmdir $top
