#!/bin/bash
# Read one boot's logs and print its results; the last line is
# "P F S" (passed, failed, skipped) for the caller to add up.
# usage: results.sh LOGDIR
set -euo pipefail
logs=$1

splat='(BUG:|WARNING:|Oops|Kernel panic|general protection fault|KASAN|UBSAN|kernel BUG at|'\
'possible circular locking|possible recursive locking|inconsistent lock state|'\
'suspicious RCU usage|unreferenced object|INFO: task .* blocked|Call Trace:)'

awk -v splat="$splat" '
FNR == 1 { file = FILENAME; sub(".*/", "", file) }
{ sub(/\r$/, "") }
# KUnit test cases in the kernel console (indented once below their suite).
file == "console.log" {
	line = $0; sub(/^\[[^]]*\] ?/, "", line)
	if (line ~ /^    # Subtest: /) { suite = substr(line, 15) }
	if (line ~ /^    (not )?ok [0-9]+ /) {
		name = line; sub(/^    (not )?ok [0-9]+ /, "", name)
		if (line ~ /# SKIP/) { s++; print "  skip  kunit " name }
		else if (line ~ /^    not ok/) { f++; print "  FAIL  kunit " name }
		else p++
	}
	if (line ~ splat) { f++; print "  FAIL  kernel splat: " line; nsplat++ }
	next
}
# Guest tests: TAP lines between SMT-BEGIN and SMT-END.
/^SMT-DONE/ { done = 1 }
/^SMT-TIMEOUT|^SMT-QEMU-FAILED/ { f++; print "  FAIL  " $0 }
/^SMT-BEGIN / { t = $2; tp = tf = ts = 0; next }
/^SMT-END / {
	rc = $3; sub("rc=", "", rc)
	if (rc != 0 && rc != 4 && tf == 0) { f++; print "  FAIL  " t " exited with " rc }
	if (rc == 4 && tp + tf + ts == 0) { s++; print "  skip  " t }
	if (rc == 0 && tp + tf + ts == 0) p++
	t = ""; next
}
t != "" && /^(not )?ok [0-9]+/ {
	if ($0 ~ /# [Ss][Kk][Ii][Pp]/) { s++; ts++; print "  skip  " t ": " $0 }
	else if ($0 ~ /^not ok/) { f++; tf++; print "  FAIL  " t ": " $0 }
	else { p++; tp++ }
}
END {
	if (!done) { f++; print "  FAIL  guest did not finish (no SMT-DONE)" }
	printf "%d %d %d\n", p, f, s
}' "$logs/console.log" "$logs/tests.log"
