#!/bin/sh
# boots: pool64 nopool
# needs: cgroup
# Debian's stress-ng --secretmem inside a limited group, as an external
# client: it runs, exits 0, is charged, and every counter is back to idle
# afterwards. No coverage is claimed: version 0.15.06 grows its file with
# repeated ftruncate(), which a secret file refuses after the first size, so
# it does about 2 bogo ops and peaks at a few pages, far below the limit
# (the stress test drives groups past their limits with secret_churn).
. /lib-smt/tap.sh
cg=/sys/fs/cgroup
kb() { awk -v k="$1" '$1 == k":" { print $2 }' /proc/meminfo; }
if ! grep -qw secretmem $cg/cgroup.controllers; then
	echo "1..0 # SKIP no secretmem controller"
	exit 4
fi
tap_plan 4
echo +secretmem > $cg/cgroup.subtree_control
mkdir -p $cg/smt_stress
echo 16M > $cg/smt_stress/secretmem.max
ulimit -l unlimited
sh -c "echo \$\$ > $cg/smt_stress/cgroup.procs &&
	exec stress-ng --secretmem 2 --timeout 15s --metrics-brief" > /tmp/stress.out 2>&1
rc=$?
sed 's/^/# /' /tmp/stress.out | tail -8
tap_ok $([ $rc -eq 0 ] && echo 1 || echo 0) "stress-ng --secretmem 2 --timeout 15s exits 0 (rc=$rc)"
peak=$(cat $cg/smt_stress/secretmem.peak)
tap_ok $([ "$peak" -le 16777216 ] && [ "$peak" -gt 0 ] && echo 1 || echo 0) "stress-ng was charged to its group (peak $peak, limit 16M not reached)"
sleep 1
tap_is "secretmem.current back to 0" "$(cat $cg/smt_stress/secretmem.current)" 0
tap_is "SecretmemFree back to SecretmemTotal" "$(kb SecretmemFree)" "$(kb SecretmemTotal)"
rmdir $cg/smt_stress
