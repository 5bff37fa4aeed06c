#!/bin/bash
# Read one boot's logs, check them against what the row and the kernel
# flavour expect, and print the results; the last line is "P F S" (passed,
# failed, skipped) for the caller to add up. Each failure is one line
# "  FAIL  <rule>: <what>".
# usage: results.sh LOGDIR [FLAVOUR]
#   LOGDIR holds console.log, tests.log and cmdline (scripts/boot.sh);
#   FLAVOUR defaults to LOGDIR's name up to the first "-" (base-pool64).
#   env: SMT_CONFIG (default config/) for flavours, SMT_GUEST_TESTS (default
#   guest/tests/) for the tests' "# needs:" lines.
#
# Rules (README, "What fails a boot"):
#  expect   the row states smt_expect_total and smt_expect_cgroup, and the
#           guest's SMT-FACT lines match them
#  started  every test in smt_tests= (and its idle-after-) has SMT-BEGIN and
#           SMT-END; SMT-END counts anywhere on a line (output without a
#           final newline)
#  plan     a test's results match its TAP plan "1..N"
#  exit     a non-zero exit needs a "not ok"; exit 4 is a whole-test skip only
#           with no pass and no fail
#  skip     a whole-test skip ("1..0 # SKIP reason", exit 4) is a skip only if
#           the row or flavour lacks something its "# needs:" line names
#  kunit    the flavour's KUnit suites all ran, each "ok", plans match
#  kmemleak a flavour with kmemleak shows "SMT-KMEMLEAK scanned: 0 ..."
#  splat    no oops, WARN, BUG, KASAN, lockdep report... in the console;
#           on a crash row (crashkernel= on the command line) the one
#           panic of sysrq-c (crashdump.sh crashes into a capture kernel
#           on purpose) is not one: "Kernel panic - not syncing: sysrq
#           triggered crash" right after "sysrq: Trigger a crash", and the
#           "Call Trace:" of its stack dump, once per boot; nothing else
#  fault    on a pool row (smt_expect_total > 0) no VM_FAULT_OOM leaked to
#           the page-fault handler ("Huh VM_FAULT_OOM leaked out"): pool
#           faults never fail, so the retry that message announces is a bug
#  done     the guest finished (SMT-DONE), no timeout, QEMU ran
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
logs=$1
flavour=${2:-$(basename "$logs")}
flavour=${flavour%%-*}
config=${SMT_CONFIG:-$ROOT/config}
gtests=${SMT_GUEST_TESTS:-$ROOT/guest/tests}

cmdline=$(cat "$logs/cmdline" 2>/dev/null || true)
# The config/boots row of this name fills in smt_expect_* words a hand-made
# command line leaves out (scripts/boot.sh base pool64 ... "secretmem=64M
# cgroup_disable=secretmem" is still checked as pool64).
row=$(basename "$logs")
row=${row#"$flavour"-}
rowwords=$(awk -v r="$row" '$1 == r { for (i = 5; i <= NF; i++) print $i }' "$config/boots" 2>/dev/null |
	grep '^smt_expect_' | xargs || true)
fwords=$(awk -v f="$flavour" '$1 == f { $1 = ""; print }' "$config/flavours")
# "test:need,need" for every test named on the command line
needs=""
for t in $(sed -n 's/.*smt_tests=\([^ ]*\).*/\1/p' <<<"$cmdline" | tr , ' '); do
	if [ -e "$gtests/$t.sh" ]; then
		n=$(sed -n 's/^# needs://p' "$gtests/$t.sh" | xargs | tr ' ' ,)
		needs+="$t:$n "
	else
		needs+="$t! " # not a guest test (the benchmark): its exit status judges it
	fi
done

splat='(BUG:|WARNING:|Oops|Kernel panic|general protection fault|KASAN|UBSAN|kernel BUG at|'\
'possible circular locking|possible recursive locking|inconsistent lock state|'\
'suspicious RCU usage|unreferenced object|INFO: task .* blocked|Call Trace:)'

console=$logs/console.log tests=$logs/tests.log
[ -e "$console" ] || console=/dev/null
[ -e "$tests" ] || tests=/dev/null
MK='SMT-(BOOT|FACT|BEGIN|END|KMEMLEAK|DONE|TIMEOUT|QEMU-FAILED)'
awk -v splat="$splat" -v cmdline="$cmdline" -v fwords="$fwords" -v MK="$MK" \
	-v needs="$needs" -v rowwords="$rowwords" -v nocmdline="$([ -e "$logs/cmdline" ] || echo 1)" '
function fail(rule, msg) { f++; print "  FAIL  " rule ": " msg }
function skip(msg) { s++; print "  skip  " msg }
BEGIN {
	n = split(cmdline, w, " ")
	for (i = 1; i <= n; i++) if (w[i] ~ /=/) { k = w[i]; sub(/=.*/, "", k); v = w[i]; sub(/^[^=]*=/, "", v); E[k] = v }
	n = split(rowwords, w, " ")
	for (i = 1; i <= n; i++) { k = w[i]; sub(/=.*/, "", k); v = w[i]; sub(/^[^=]*=/, "", v); if (!(k in E)) E[k] = v }
	n = split(fwords, w, " ")
	for (i = 1; i <= n; i++) if (w[i] ~ /=/) { k = w[i]; sub(/=.*/, "", k); v = w[i]; sub(/^[^=]*=/, "", v); F[k] = v }
	# what the row and the flavour say is there, by the names "# needs:" uses
	have["cgroup"] = ("smt_expect_cgroup" in E) && E["smt_expect_cgroup"] == "1"
	have["pool"] = ("smt_expect_total" in E) && E["smt_expect_total"] + 0 > 0
	for (k in F) if (k != "kunit") have[k] = F[k] == "1"
	nt = ("smt_tests" in E) ? split(E["smt_tests"], tests, ",") : 0
	n = split(needs, w, " ")
	for (i = 1; i <= n; i++) {
		if (w[i] ~ /!$/) { k = w[i]; sub(/!$/, "", k); EXT[k] = 1; continue }
		k = w[i]; sub(/:.*/, "", k); v = w[i]; sub(/^[^:]*:/, "", v); NEED[k] = v
	}
	for (k in E) if (k ~ /^smt_expect_/) stated = 1
	nk = ("kunit" in F) ? split(F["kunit"], ksuites, ",") : 0
	# a boot that switches KUnit off (make bench) expects none
	if (("kunit.enable" in E) && E["kunit.enable"] == "0") nk = 0
	for (i = 1; i <= nk; i++) want[ksuites[i]] = 1
	if (nocmdline) fail("expect", "no cmdline file: the row'"'"'s expectations are unknown")
	crashrow = "crashkernel" in E
	cur = ""
}
{ sub(/\r$/, "") }

# KUnit in the kernel console: KTAP at level 0 (the suites), suites indented
# by 4 (their cases), parameterised cases by 8 (not counted on their own).
part == "console" {
	line = $0; sub(/^\[[^]]*\] ?/, "", line)
	# the deliberate crash of a crash row: its panic line right after
	# sysrq-c, then the stack dump of that panic up to its end (or the capture
	# kernel booting), once
	if (inpanic) {
		if (line ~ /^ *<\/TASK>$/ || line ~ /^Linux version /) inpanic = 0
		else if (line == "Call Trace:") next
	}
	if (sysrqc && line == "Kernel panic - not syncing: sysrq triggered crash") {
		sysrqc = 0; crashed = 1; inpanic = 1
		next
	}
	sysrqc = crashrow && !crashed && line == "sysrq: Trigger a crash"
	if (line ~ splat) { fail("splat", line) }
	if (line ~ /Huh VM_FAULT_OOM leaked out to the #PF handler/ && have["pool"])
		fail("fault", "a fault failed with VM_FAULT_OOM on a pool row (smt_expect_total=" E["smt_expect_total"] "): " line)
	if (line ~ /^KTAP version /) { kunit = 1; next }
	if (!kunit) next
	if (line ~ /^1\.\.[0-9]+/ && ktop_plan == "") { ktop_plan = substr(line, 4) + 0; next }
	if (line ~ /^    # Subtest: /) { suite = substr(line, 16); ran[suite] = 1; scases[suite] = 0; next }
	if (line ~ /^    1\.\.[0-9]+/ && suite != "") { splan[suite] = substr(line, 8) + 0; next }
	if (line ~ /^    (not )?ok [0-9]+ /) {
		name = line; sub(/^    (not )?ok [0-9]+ /, "", name)
		scases[suite]++
		if (line ~ /# SKIP/) skip("kunit " suite "." name)
		else if (line ~ /^    not ok/) fail("kunit", suite "." name ": not ok")
		else p++
		next
	}
	if (line ~ /^(not )?ok [0-9]+ /) {
		ktop_n++
		name = line; sub(/^(not )?ok [0-9]+ /, "", name); sub(/ *#.*/, "", name)
		result[name] = line ~ /^not ok/ ? "not ok" : line ~ /# SKIP/ ? "skip" : "ok"
		if (result[name] == "not ok")
			fail("kunit", "suite " name ": not ok" (scases[name] ? "" : ", with no case results"))
		else if (result[name] == "skip" && !(name in want)) skip("kunit suite " name)
		if ((name in splan) && splan[name] != scases[name])
			fail("kunit", "suite " name ": plan 1.." splan[name] " but " scases[name] " case results")
		else if (!(name in splan))
			fail("kunit", "suite " name ": no plan")
		suite = ""
	}
	next
}

# Guest tests: TAP between SMT-BEGIN and SMT-END on ttyS1, plus the markers
# init prints. A marker glued to output without a final newline still counts.
{
	rest = $0
	while ((i = match(substr(rest, 2), MK)) > 0) {
		guest(substr(rest, 1, i))
		rest = substr(rest, i + 1)
	}
	guest(rest)
}

function guest(l,    a) {
	if (l ~ /^SMT-BOOT /) { booted = 1; return }
	if (l ~ /^SMT-FACT controllers:/) { ctl = l; sub(/^SMT-FACT controllers: ?/, "", ctl); ctl_seen = 1; return }
	if (l ~ /^SMT-FACT meminfo SecretmemTotal /) { split(l, a, " "); total = a[4]; total_seen = 1; return }
	if (l ~ /^SMT-FACT /) return
	if (l ~ /^SMT-KMEMLEAK /) { kml = l; return }
	if (l ~ /^SMT-DONE/) { done = 1; return }
	if (l ~ /^SMT-TIMEOUT|^SMT-QEMU-FAILED/) { fail("done", l); return }
	if (l ~ /^SMT-BEGIN /) {
		split(l, a, " ")
		if (cur != "") fail("started", cur ": no SMT-END (" a[2] " began)")
		cur = a[2]; begun[cur] = 1
		tp = tf = ts = 0; plan = ""; planskip = ""; skipwhy = ""; nplans = 0; buf = ""
		return
	}
	if (l ~ /^SMT-END /) {
		split(l, a, " ")
		if (cur == "" || cur != a[2]) { fail("started", a[2] ": SMT-END without SMT-BEGIN"); return }
		rc = a[3]; sub(/^rc=/, "", rc)
		if (rc !~ /^[0-9]+$/) rc = "unknown"
		end_test(cur, rc)
		ended[cur] = 1; cur = ""
		return
	}
	if (cur == "") return
	if (l ~ /^1\.\.[0-9]+/) {
		nplans++
		plan = l; sub(/^1\.\./, "", plan); sub(/[^0-9].*/, "", plan); plan += 0
		if (l ~ /# *[Ss][Kk][Ii][Pp]/) { planskip = l; sub(/^.*# *[Ss][Kk][Ii][Pp] */, "", planskip); if (planskip == "") planskip = "no reason given" }
		return
	}
	if (l ~ /^(not )?ok [0-9]+/) {
		if (l ~ /# *[Ss][Kk][Ii][Pp]/) { ts++; buf = buf "  skip  " cur ": " l "\n"; if (skipwhy == "") { skipwhy = l; sub(/^.*# *[Ss][Kk][Ii][Pp] */, "", skipwhy) } }
		else if (l ~ /^not ok/) { tf++; buf = buf "  FAIL  " cur ": " l "\n" }
		else tp++
	}
}

# A test is over: count it, and apply the plan, exit and skip rules.
function end_test(t, rc,    n, base, nd, i, lacks, why, a2) {
	n = tp + tf + ts
	if (rc == 4 && tp == 0 && tf == 0 && (planskip != "" || ts > 0)) {
		why = planskip != "" ? planskip : skipwhy
		base = t; sub(/^idle-after-/, "", base)
		lacks = ""
		nd = split(t == base ? NEED[t] : "", a2, ",")
		for (i = 1; i <= nd; i++) if (!have[a2[i]]) lacks = lacks " " a2[i]
		if (lacks != "")
			skip(t ": " why " (row/flavour lacks:" lacks ")")
		else
			fail("skip", t " skipped as a whole (" why ") but the row and flavour have what it needs (" (NEED[t] == "" ? "it names no prerequisite" : NEED[t]) ")")
		return
	}
	if ((t in EXT) && nplans == 0 && n == 0) {
		if (rc == 0) p++
		else fail("exit", t ": exited " rc)
		return
	}
	p += tp; f += tf; s += ts
	printf "%s", buf
	if (nplans == 0) fail("plan", t ": no TAP plan (" n " results, exit " rc ")")
	else if (nplans > 1) fail("plan", t ": " nplans " TAP plans")
	else if (planskip != "") fail("exit", t ": skipped as a whole (" planskip ") but exited " rc ", not 4")
	else if (n != plan) fail("plan", t ": plan 1.." plan " but " n " results (exit " rc ")")
	else if (plan == 0) fail("plan", t ": plan 1..0 without a SKIP reason")
	if (rc != 0 && tf == 0 && planskip == "") fail("exit", t ": exited " rc " with no \"not ok\"")
}

END {
	if (cur != "") fail("started", cur ": no SMT-END (the guest stopped in it)")
	if (!booted) fail("done", "the guest never reached init (no SMT-BOOT)")
	else {
		for (i = 1; i <= nt; i++) {
			if (tests[i] == "") continue # boot.sh leaves a trailing comma
			if (!begun[tests[i]]) fail("started", tests[i] ": named in smt_tests= but never started (no SMT-BEGIN)")
			else if (!begun["idle-after-" tests[i]] && ended[tests[i]]) fail("started", "idle-after-" tests[i] ": never started")
		}
		# the row against the guest facts; a boot that states no
		# smt_expect_* word at all (make bench, a hand-made boot) is not
		# checked, config/boots rows all state them (tests/host/boots.sh)
		if (!stated) print "  note  the boot states no smt_expect_* words: pool and controller not checked"
		else if (!("smt_expect_cgroup" in E)) fail("expect", "the row does not state smt_expect_cgroup (1 or 0)")
		else if (!ctl_seen) fail("expect", "the guest printed no SMT-FACT controllers line")
		else {
			hasc = (" " ctl " ") ~ / secretmem /
			if (E["smt_expect_cgroup"] == "1" && !hasc) fail("expect", "the row expects the secretmem controller (smt_expect_cgroup=1), cgroup.controllers: " ctl)
			if (E["smt_expect_cgroup"] == "0" && hasc) fail("expect", "the row expects no secretmem controller (smt_expect_cgroup=0), cgroup.controllers: " ctl)
		}
		if (!stated) ;
		else if (!("smt_expect_total" in E)) fail("expect", "the row does not state smt_expect_total (kB, 0 for no pool)")
		else if (!total_seen) fail("expect", "the guest printed no SMT-FACT meminfo SecretmemTotal line")
		else if (total != E["smt_expect_total"]) fail("expect", "SecretmemTotal is " total " kB, the row expects " E["smt_expect_total"])
	}
	# the flavour: KUnit suites
	if (nk > 0) {
		if (!kunit) fail("kunit", "no KUnit output in the console (expected suites: " F["kunit"] ")")
		else {
			for (i = 1; i <= nk; i++) {
				if (!(ksuites[i] in result)) fail("kunit", "suite " ksuites[i] " expected but " (ksuites[i] in ran ? "it reported no result" : "did not run"))
				else if (result[ksuites[i]] == "skip") fail("kunit", "suite " ksuites[i] " expected but skipped")
			}
			if (ktop_plan == "") fail("kunit", "no KUnit plan (1..N suites)")
			else if (ktop_plan != ktop_n) fail("kunit", "plan 1.." ktop_plan " suites but " ktop_n " suite results")
		}
	}
	# the flavour: kmemleak
	if (kml ~ /^SMT-KMEMLEAK FAILED/) fail("kmemleak", kml)
	else if (F["kmemleak"] == "1" && booted) {
		if (kml == "") fail("kmemleak", "no SMT-KMEMLEAK line: kmemleak was not scanned")
		else if (kml !~ /^SMT-KMEMLEAK scanned: /) fail("kmemleak", "not scanned on a kmemleak kernel: " kml)
		else if (kml !~ /^SMT-KMEMLEAK scanned: 0 /) fail("kmemleak", kml)
	}
	if (!done) fail("done", "guest did not finish (no SMT-DONE)")
	printf "%d %d %d\n", p, f, s
}' part=console "$console" part=tests "$tests"
