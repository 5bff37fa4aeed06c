#!/bin/bash
# Every row of config/boots states what it expects, consistently with its
# own command line: smt_expect_total (0 without secretmem=) and
# smt_expect_cgroup (0 exactly when it has cgroup_disable=secretmem); every
# "# needs:" word of a guest test is one scripts/results.sh knows. Prints TAP.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=0 bad=0
rows=$(awk '$1 !~ /^#/ && NF' "$root/config/boots" | wc -l)
tests=("$root"/guest/tests/*.sh)
echo "1..$((rows + ${#tests[@]}))"
while read -r row mem cpus nodes extra; do
	case "$row" in '' | '#'*) continue ;; esac
	n=$((n + 1))
	why=""
	words=" ${extra:-} "
	total=$(grep -o ' smt_expect_total=[^ ]*' <<<"$words" | cut -d= -f2)
	cg=$(grep -o ' smt_expect_cgroup=[^ ]*' <<<"$words" | cut -d= -f2)
	[[ $total =~ ^[0-9]+$ ]] || why+=" no smt_expect_total=KB;"
	[[ $cg =~ ^[01]$ ]] || why+=" no smt_expect_cgroup=1|0;"
	[[ $words == *" secretmem="* ]] || [ "$total" = 0 ] || why+=" no secretmem= but smt_expect_total=$total;"
	if [[ $words == *" cgroup_disable=secretmem "* ]]; then
		[ "$cg" = 0 ] || why+=" cgroup_disable=secretmem but smt_expect_cgroup=$cg;"
	else
		[ "$cg" != 0 ] || why+=" smt_expect_cgroup=0 without cgroup_disable=secretmem;"
	fi
	if [ -z "$why" ]; then echo "ok $n row $row states its expectations"; else echo "not ok $n row $row:$why"; bad=1; fi
done <"$root/config/boots"
known=" cgroup pool $(awk '$1 !~ /^#/ && NF { for (i = 2; i <= NF; i++) { sub(/=.*/, "", $i); if ($i != "kunit") printf "%s ", $i } }' "$root/config/flavours")"
for t in "${tests[@]}"; do
	n=$((n + 1))
	why=""
	for w in $(sed -n 's/^# needs://p' "$t"); do
		[[ $known == *" $w "* ]] || why+=" needs \"$w\", which no row or flavour states;"
	done
	if [ -z "$why" ]; then echo "ok $n $(basename "$t"): needs only known words"; else echo "not ok $n $(basename "$t"):$why"; bad=1; fi
done
exit $bad
