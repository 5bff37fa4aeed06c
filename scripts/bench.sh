#!/bin/bash
# `make bench`: boot the kernel three times under QEMU, with a secretmem=
# pool (bench-pool), without (bench-nopool), and with no floor but a ceiling
# the pool grows to in 2 MiB units (bench-grow, secretmem=+CEILING), run
# guest/bench.sh (secretmem_bench) in each, and write
# build/bench/results.json and build/bench/results.md: a table per metric,
# the ratios of this run and the targets. It measures and never judges
# timings: it fails only when a boot or the benchmark itself fails.
# usage: bench.sh [FLAVOUR]
#   env: BENCH_SIZE (16M) BENCH_REPS (5) BENCH_FORKS (1024) BENCH_THREADS (1,2,4)
#        BENCH_CYCLES (100000: the create/fault/close loop of pool and grow)
#        BENCH_ROWS (all: bench-pool bench-nopool bench-grow; a subset to
#        measure only those boots) BENCH_CASES (each boot's own: a comma-
#        separated list instead, e.g. grow on bench-grow)
#        BENCH_TCG_CPU (max,-erms,-fsrm: QEMU's CPU model under TCG)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-base}
size=${BENCH_SIZE:-16M}
reps=${BENCH_REPS:-5}
forks=${BENCH_FORKS:-1024}
threads=${BENCH_THREADS:-1,2,4}
cycles=${BENCH_CYCLES:-100000}
mem=2G
cpus=4
# the guest's own limit on the benchmark (init reads SMT_TIMEOUT from its
# environment, which unknown KEY=VALUE kernel parameters end up in)
guest_timeout=${BENCH_TIMEOUT:-3000}
out=$BUILD/bench
# TCG emulates a string instruction one iteration at a time, so the
# kernel's clear_page(), rep stosb where the CPU has ERMS or FSRM, zeroes
# 2 MiB in 8.0 ms against 1.2 ms with rep stosq (the same boot, 2026-11-26):
# a cost no hardware has, in every path that zeroes pages (growth, the
# per-page path, anonymous memory, the pool's release). The bench's guests
# lack those two features; BENCH_TCG_CPU=max measures as make test boots.
export TCG_CPU=${BENCH_TCG_CPU:-max,-erms,-fsrm}
command -v python3 >/dev/null || die "python3 missing: run scripts/deps.sh"
[ "$reps" -ge 1 ] 2>/dev/null || die "BENCH_REPS must be a number >= 1, not '$reps'"
[ "$cycles" -ge 0 ] 2>/dev/null || die "BENCH_CYCLES must be a number >= 0, not '$cycles'"

# row and extra kernel command line of each boot
# (bench-grow: no floor, growth up to 512M; the fault case needs its size,
# the fork bomb 2 MiB per 512 processes)
all_rows=("bench-pool secretmem=256M" "bench-nopool" "bench-grow secretmem=+512M")
rows=()
for r in "${all_rows[@]}"; do
	[ -z "${BENCH_ROWS:-}" ] || [[ " $BENCH_ROWS " == *" ${r%% *} "* ]] || continue
	rows+=("$r")
done
[ ${#rows[@]} -gt 0 ] || die "BENCH_ROWS '${BENCH_ROWS:-}' names none of: ${all_rows[*]%% *}"
# KUnit suites would run at boot, with their own load and pool state: off.
opts="kunit.enable=0 smt_bench_size=$size smt_bench_reps=$reps smt_bench_forks=$forks"
opts="$opts smt_bench_threads=$threads smt_bench_cycles=$cycles SMT_TIMEOUT=$guest_timeout"
[ -z "${BENCH_CASES:-}" ] || opts="$opts smt_bench_cases=$BENCH_CASES"

logdirs=()
for r in "${rows[@]}"; do
	read -r row extra <<<"$r"
	say "boot $row ($mem, $cpus CPUs${extra:+, $extra}): bench, $size x $reps reps, $forks processes, $cycles cycles (several minutes under TCG)"
	start=$(date +%s)
	BOOT_TIMEOUT=$((guest_timeout + 300)) \
		"$ROOT/scripts/boot.sh" "$flavour" "$row" "$mem" "$cpus" 1 "${extra:+$extra }$opts" bench
	logs=$BUILD/logs/$flavour-$row
	# no kernel splat, no timeout, the guest finished, the benchmark exited 0
	res=$("$ROOT/scripts/results.sh" "$logs")
	read -r _ f _ <<<"$(tail -1 <<<"$res")"
	[ "$f" -eq 0 ] || { sed '$d' <<<"$res" >&2; die "bench boot $row failed: see ${logs#"$ROOT"/}/{tests,console}.log"; }
	grep -q '^SMT-END bench rc=0' "$logs/tests.log" ||
		die "the benchmark failed in $row: see ${logs#"$ROOT"/}/tests.log"
	say "$row: $(grep -c '^BENCH ' "$logs/tests.log") BENCH lines in $(($(date +%s) - start)) s"
	logdirs+=("$row=$logs")
done

# the accelerator the boots ran on, as boot.sh recorded it
used=$(cat "$BUILD/logs/$flavour-${rows[0]%% *}/accel")
accel=$(accel_name "$used")
[ "$used" != tcg ] || accel="$accel, -cpu $TCG_CPU"
mkdir -p "$out"
python3 "$ROOT/scripts/bench_report.py" --out "$out" \
	--nproc "$(nproc)" \
	--model "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
	--accel "$accel" \
	--qemu "$("$QEMU" --version | head -1)" \
	--date "$(date -u '+%Y-%m-%d %H:%M UTC')" \
	--guest "$mem RAM, $cpus vCPUs" \
	"${logdirs[@]}"
cat "$out/results.md"
say "results: ${out#"$ROOT"/}/results.md and results.json"
