#!/bin/sh
# boots: pool64 nopool
# needs: cgroup
# Debian's cgroup-tools (libcgroup), unmodified, drive the secretmem
# controller: create, set, get, exec; the limit holds and is visible.
. /lib-smt/tap.sh
cg=/sys/fs/cgroup
if ! grep -qw secretmem $cg/cgroup.controllers; then
	echo "1..0 # SKIP no secretmem controller"
	exit 4
fi
tap_plan 9
ulimit -l unlimited
echo +secretmem > $cg/cgroup.subtree_control

cgcreate -g secretmem:/smt_a
tap_ok $([ -f $cg/smt_a/secretmem.max ] && echo 1 || echo 0) "cgcreate -g secretmem:/smt_a makes a group with secretmem.max"

cgset -r secretmem.max=8M smt_a
tap_is "cgset -r secretmem.max=8M" "$(cat $cg/smt_a/secretmem.max)" 8388608

out=$(cgget -n -v -r secretmem.max smt_a)
tap_is "cgget -r secretmem.max" "$out" 8388608

# secretmem.min: the guarantee, effective as far as the pool goes
cgset -r secretmem.min=4M smt_a
tap_is "cgset -r secretmem.min=4M, cgget -r secretmem.min" "$(cgget -n -v -r secretmem.min smt_a)" 4194304
want=0
[ "$(sed -n 's/^SecretmemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)" -gt 4096 ] 2>/dev/null && want=4194304
out=$(cgget -n -v -r secretmem.stat smt_a | tr -s ' \t\n' ' ')
echo "# secretmem.stat: $out"
tap_ok $(echo " $out " | grep -q " effective_min $want " && echo 1 || echo 0) "cgget -r secretmem.stat: effective_min $want"
cgset -r secretmem.min=0 smt_a

mkfifo /tmp/lc_hold
cgexec -g secretmem:smt_a secret 6M hold < /tmp/lc_hold > /tmp/lc_out &
exec 3>/tmp/lc_hold
for i in 1 2 3 4 5 6 7 8 9 10; do
	grep -q reserved /tmp/lc_out 2>/dev/null && break
	sleep 1
done
cur=$(cgget -n -v -r secretmem.current smt_a)
tap_is "cgexec workload charged, cgget -r secretmem.current" "$cur" 6291456

out=$(cgexec -g secretmem:smt_a secret 4M)
rc=$?
echo "$out" | sed 's/^/# /'
tap_ok $([ $rc -eq 1 ] && echo "$out" | grep -q ENOMEM && echo 1 || echo 0) "over the limit through cgexec: ENOMEM at ftruncate"

tap_is "secretmem.events after the refusal" "$(cgget -n -v -r secretmem.events smt_a | tr -s ' \t\n' ' ' | sed 's/ $//')" "max 1 protected 0"
exec 3>&-
wait
cgdelete -g secretmem:/smt_a
tap_ok $([ ! -d $cg/smt_a ] && echo 1 || echo 0) "cgdelete removes the group"
