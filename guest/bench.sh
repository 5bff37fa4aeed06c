#!/bin/sh
# `make bench`, guest side: run secretmem_bench for the cases this boot can
# measure (with a secretmem= pool: pool shmem anon; without: perpage shmem
# anon). Its "BENCH {json}" lines go to the tests log for the host to
# collect. Settings come from the kernel command line: smt_bench_size,
# smt_bench_reps, smt_bench_forks, smt_bench_threads. No timing is judged here.
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
kb() { awk -v k="$1" '$1 == k":" { print $2 }' /proc/meminfo; }

opts="-s $(arg smt_bench_size | grep . || echo 16M)"
opts="$opts -r $(arg smt_bench_reps | grep . || echo 5)"
opts="$opts -n $(arg smt_bench_forks | grep . || echo 1024)"
opts="$opts -t $(arg smt_bench_threads | grep . || echo 1,2,4)"

total=$(kb SecretmemTotal)
if [ "${total:-0}" -gt 0 ]; then
	cases="pool poolpmd shmem anon"
else
	cases="perpage shmem anon"
fi
echo "# bench: $(nproc) CPUs, $(kb MemTotal) kB, SecretmemTotal ${total:-none} kB, cases: $cases"
grep -E '^(Secretmem|DirectMap)' /proc/meminfo | sed 's/^/# /'

rc=0
for c in $cases; do
	start=$(date +%s)
	# shellcheck disable=SC2086
	secretmem_bench $opts "$c" || { echo "# bench: case $c failed (rc=$?)"; rc=1; }
	echo "# bench: case $c took $(($(date +%s) - start)) s"
done
grep -E '^(Secretmem|DirectMap)' /proc/meminfo | sed 's/^/# /'
exit $rc
