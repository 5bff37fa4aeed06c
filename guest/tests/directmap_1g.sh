#!/bin/sh
# boots: pool1g-2g pool1g-8g
# A 1 GiB pool used to the last page changes no direct map page size and
# splits nothing.
. /lib-smt/tap.sh
kb() { awk -v k="$1" '$1 == k":" { print $2 }' /proc/meminfo; }
splits() { awk '/direct_map_level[23]_splits/ { s += $2 } END { print s + 0 }' /proc/vmstat; }
tap_plan 4
dm0=$(grep '^DirectMap' /proc/meminfo | tr -s ' ' | tr '\n' ' ')
s0=$(splits)
free=$(kb SecretmemFree)
ulimit -l unlimited
out=$(secret "${free}K")
rc=$?
echo "# $out"
tap_ok $([ $rc -eq 0 ] && echo 1 || echo 0) "fill the whole pool (${free} kB)"
dm1=$(grep '^DirectMap' /proc/meminfo | tr -s ' ' | tr '\n' ' ')
tap_is "DirectMap lines" "$dm1" "$dm0"
tap_is "direct_map_level2/3_splits" "$(splits)" "$s0"
tap_is "SecretmemFree after release" "$(kb SecretmemFree)" "$(kb SecretmemTotal)"
