#!/bin/bash
# scripts/bench_report.py against fabricated BENCH logs of the three
# `make bench` boots (tests/host/fixtures/bench/ROW/{tests.log,cmdline}):
# it must write results.json (valid JSON) and results.md, and results.md
# must contain each line of fixtures/bench/expect (a fixed string within
# one line): the grow / pool ratio and the growth targets among them.
# Prints TAP.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fx=$here/fixtures/bench
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

mapfile -t want < <(grep -v '^#' "$fx/expect")
echo "1..$((${#want[@]} + 2))"
n=1
if python3 "$root/scripts/bench_report.py" --out "$out" --accel "QEMU TCG" \
	bench-pool="$fx/bench-pool" bench-nopool="$fx/bench-nopool" bench-grow="$fx/bench-grow" \
	>"$out/log" 2>&1; then
	echo "ok $n bench_report.py writes the report"
else
	echo "not ok $n bench_report.py writes the report"
	sed 's/^/# /' "$out/log"
fi
n=$((n + 1))
if python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$out/results.json" 2>/dev/null; then
	echo "ok $n results.json is JSON"
else
	echo "not ok $n results.json is JSON"
fi
bad=0
for w in "${want[@]}"; do
	n=$((n + 1))
	if grep -qF -- "$w" "$out/results.md" 2>/dev/null; then
		echo "ok $n results.md: ${w:0:100}"
	else
		echo "not ok $n results.md: $w"
		bad=1
	fi
done
[ $bad -eq 0 ] || sed 's/^/# /' "$out/results.md" 2>/dev/null | grep -E '^# \| (fault cost|grow|pool)' 
[ -s "$out/results.md" ] && [ $bad -eq 0 ]
