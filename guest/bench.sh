#!/bin/sh
# `make bench`, guest side: run secretmem_bench for the cases this boot can
# measure (with a secretmem= pool floor: pool poolpmd shmem anon; with no floor but
# a ceiling for growth, secretmem=+CEILING: grow; without either: perpage
# shmem anon). Its "BENCH {json}" lines go to the tests log for the host to
# collect. Settings come from the kernel command line: smt_bench_size,
# smt_bench_reps, smt_bench_forks, smt_bench_threads, smt_bench_cycles
# (the create/fault/close loop of pool and grow), and smt_bench_cases
# (comma-separated, instead of the boot's own). No timing is judged here.
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
kb() { awk -v k="$1" '$1 == k":" { print $2 }' /proc/meminfo; }

opts="-s $(arg smt_bench_size | grep . || echo 16M)"
opts="$opts -r $(arg smt_bench_reps | grep . || echo 5)"
opts="$opts -n $(arg smt_bench_forks | grep . || echo 1024)"
opts="$opts -t $(arg smt_bench_threads | grep . || echo 1,2,4)"
opts="$opts -c $(arg smt_bench_cycles | grep . || echo 100000)"

total=$(kb SecretmemTotal)
ceiling=$(kb SecretmemCeiling)
if [ "${total:-0}" -gt 0 ]; then
	cases="pool poolpmd shmem anon"
elif [ "${ceiling:-0}" -gt 0 ]; then
	# shmem and anon are measured in the other two boots
	cases="grow"
else
	cases="perpage shmem anon"
fi
given=$(arg smt_bench_cases | tr , ' ')
cases=${given:-$cases}
echo "# bench: $(nproc) CPUs, $(kb MemTotal) kB, SecretmemTotal ${total:-none} kB," \
	"SecretmemCeiling ${ceiling:-none} kB, cases: $cases"
grep -E '^(Secretmem|DirectMap)' /proc/meminfo | sed 's/^/# /'
grep -E '^(secretmem_|direct_map_)' /proc/vmstat | sed 's/^/# /'

rc=0
for c in $cases; do
	start=$(date +%s)
	# shellcheck disable=SC2086
	secretmem_bench $opts "$c" || { echo "# bench: case $c failed (rc=$?)"; rc=1; }
	echo "# bench: case $c took $(($(date +%s) - start)) s"
done
grep -E '^(Secretmem|DirectMap)' /proc/meminfo | sed 's/^/# /'
grep -E '^(secretmem_|direct_map_)' /proc/vmstat | sed 's/^/# /'
exit $rc
