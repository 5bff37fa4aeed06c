#!/bin/bash
# Run the test matrix: boot every row of config/boots that some guest test
# asks for, run those tests in it, and print a summary per boot and a last
# line "N passed, N failed, N skipped". Exit non-zero on any failure.
# usage: test.sh [FLAVOUR]   env: T="test ..." picks tests, ROWS="row ..." picks rows,
#                            NOT_T="test ..." leaves tests out
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-base}
want_tests=${T:-}
skip_tests=${NOT_T:-}
want_rows=${ROWS:-}

# tests_for ROW: the guest tests whose "# boots:" line names ROW.
tests_for() {
	local f name
	for f in "$ROOT"/guest/tests/*.sh; do
		name=$(basename "$f" .sh)
		if [ -n "$want_tests" ] && ! grep -qw -- "$name" <<<"$want_tests"; then continue; fi
		if [ -n "$skip_tests" ] && grep -qw -- "$name" <<<"$skip_tests"; then continue; fi
		sed -n 's/^# boots://p' "$f" | grep -qw -- "$1" && printf '%s ' "$name"
	done
	return 0
}

tp=0 tf=0 ts=0 failed_logs=()
while read -r row mem cpus nodes extra; do
	case "$row" in ''|'#'*) continue;; esac
	if [ -n "$want_rows" ] && ! grep -qw -- "$row" <<<"$want_rows"; then continue; fi
	tests=$(tests_for "$row")
	[ -n "$tests" ] || continue
	say "boot $row ($mem, $cpus CPUs, $nodes node(s)${extra:+, $extra}): $tests"
	start=$(date +%s)
	"$ROOT/scripts/boot.sh" "$flavour" "$row" "$mem" "$cpus" "$nodes" "${extra:-}" "$tests"
	logs=$BUILD/logs/$flavour-$row
	out=$("$ROOT/scripts/results.sh" "$logs" "$flavour")
	read -r p f s <<<"$(tail -1 <<<"$out")"
	sed '$d' <<<"$out"
	echo "    $row: $p passed, $f failed, $s skipped ($(($(date +%s) - start)) s)"
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
	[ "$f" -eq 0 ] || failed_logs+=("$logs")
done <"$ROOT/config/boots"

if [ ${#failed_logs[@]} -gt 0 ]; then
	echo "logs of failed boots:"
	printf '  %s/{console,tests}.log\n' "${failed_logs[@]}"
fi
[ $((tp + tf + ts)) -gt 0 ] || { echo "no test ran"; tf=1; }
echo "$tp passed, $tf failed, $ts skipped"
[ "$tf" -eq 0 ]
