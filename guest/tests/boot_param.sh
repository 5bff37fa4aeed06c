#!/bin/sh
# boots: nopool pool64 pool1g-4g pool1g-8g numa2 bad-empty bad-zero bad-garbage bad-negative bad-overflow bad-too-large bad-node bad-dup-node bad-trailing bad-comma bad-entry
# secretmem= reserves what it can, says one clear line per problem, and the
# boot goes on whatever the value.
. /lib-smt/tap.sh
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
kb() { awk -v k="$1" '$1 == k":" { print $2 }' /proc/meminfo; }
expect=$(arg smt_expect_total)
tap_plan 5

# 1. the pool is what the parameter could give
total=$(kb SecretmemTotal)
tap_is "SecretmemTotal" "${total:-missing}" "${expect:-0}"

# 2. one KERN_ERR line per problem, none when the value is good
errs=$(dmesg -r | grep -c '^<3>\[[^]]*\] secretmem' || true)
infos=$(dmesg -r | grep -c '^<6>\[[^]]*\] secretmem: node .*: reserved' || true)
tap_is "KERN_ERR lines naming a problem" "$errs" "$(arg smt_expect_errs | grep . || echo 0)"
dmesg -r | grep '^<3>\[[^]]*\] secretmem' | sed 's/^/# /'

# 3. one KERN_INFO line per region reserved
tap_is "KERN_INFO lines, one per region" "$infos" "$(arg smt_expect_regions | grep . || echo 0)"

# 4. per node meminfo adds up, and matches what was asked per node
sum=0
ok=1
for f in /sys/devices/system/node/node*/meminfo; do
	[ -e "$f" ] || continue
	n=$(awk '$3 == "SecretmemTotal:" { print $4 }' "$f")
	node=$(awk 'NR == 1 { print $2 }' "$f")
	want=$(arg smt_expect_node$node)
	[ -n "$want" ] && [ "$want" != "$n" ] && { tap_diag "node $node: $n kB, expected $want"; ok=0; }
	sum=$((sum + ${n:-0}))
done
[ "$sum" = "${total:-0}" ] || { tap_diag "nodes sum to $sum kB, meminfo says $total"; ok=0; }
tap_ok $ok "per-node SecretmemTotal sums to the total and matches the request"

# 5. alignment: 1 GiB regions are 1 GiB aligned when there is room
if [ "$(arg smt_expect_align)" = 1G ]; then
	start=$(dmesg | sed -n 's/.*secretmem: node .*at \[mem \(0x[0-9a-f]*\)-.*/\1/p' | head -1)
	if [ -n "$start" ] && [ $((start % 1073741824)) -eq 0 ] && dmesg | grep -q 'secretmem:.*1 GiB aligned'; then
		tap_ok 1 "1 GiB region is 1 GiB aligned ($start)"
	else
		tap_ok 0 "1 GiB region is 1 GiB aligned (start ${start:-unknown})"
	fi
else
	tap_skip "alignment (only checked on rows asking for 1 GiB alignment)"
fi
