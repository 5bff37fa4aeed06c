#!/bin/bash
# scripts/results.sh against fabricated guest logs: one case per rule
# (tests/host/fixtures/results/CASE/{cmdline,console.log,tests.log,expect}).
# "expect" says the flavour, and what must come out:
#   counts P F S    the last line
#   fail TEXT       a "  FAIL  TEXT..." line (prefix match)
#   skip TEXT       a "  skip  TEXT..." line
# A case with no "fail" line must print no FAIL at all; one with "fail"
# lines must report at least one failure. Prints TAP.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fx=$here/fixtures/results
export SMT_CONFIG=$fx/config SMT_GUEST_TESTS=$fx/tests

cases=()
for d in "$fx"/*/; do [ -e "$d/expect" ] && cases+=("$(basename "$d")"); done
echo "1..${#cases[@]}"
n=0 bad=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	d=$fx/$c
	flavour=$(sed -n 's/^flavour //p' "$d/expect")
	out=$("$root/scripts/results.sh" "$d" "$flavour" 2>&1)
	rc=$?
	why=""
	[ $rc -eq 0 ] || why+=" results.sh exited $rc;"
	last=$(tail -1 <<<"$out")
	[[ $last =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]] || why+=" last line is not \"P F S\": $last;"
	counts=$(sed -n 's/^counts //p' "$d/expect")
	[ -z "$counts" ] || [ "$last" = "$counts" ] || why+=" got \"$last\", expected \"$counts\";"
	nfail=0
	while IFS= read -r want; do
		nfail=$((nfail + 1))
		grep -qF -- "  FAIL  $want" <<<"$out" || why+=" no FAIL line \"$want\";"
	done < <(sed -n 's/^fail //p' "$d/expect")
	while IFS= read -r want; do
		grep -qF -- "  skip  $want" <<<"$out" || why+=" no skip line \"$want\";"
	done < <(sed -n 's/^skip //p' "$d/expect")
	f=$(awk '{ print $2 }' <<<"$last")
	if [ $nfail -eq 0 ] && grep -q '  FAIL  ' <<<"$out"; then why+=" unexpected FAIL;"; fi
	if [ $nfail -gt 0 ] && [ "${f:-0}" -eq 0 ]; then why+=" no failure counted;"; fi
	if [ -z "$why" ]; then
		echo "ok $n $c"
	else
		echo "not ok $n $c:$why"
		sed 's/^/# /' <<<"$out"
		bad=1
	fi
done
exit $bad
