#!/bin/sh
# The `make run` demo: what secretmem= and the secretmem controller do, told
# step by step. Runs in the guest booted with secretmem=64M.
say() { printf '\n== %s\n' "$*"; }
show() { printf '   %s\n' "$@"; }
kb() { awk -v k="$1" '$1 == k":" { print $2 " kB" }' /proc/meminfo; }

say "The kernel carved the secret memory pool at boot (dmesg):"
dmesg | grep 'secretmem:' | sed 's/^\[[^]]*\] /   /'

say "/proc/meminfo: the pool, and the direct map page sizes"
grep -E '^(Secretmem|DirectMap)' /proc/meminfo | sed 's/^/   /'
splits0=$(grep -E 'direct_map_level[23]_splits' /proc/vmstat | awk '{s += $2} END {print s + 0}')
dm0=$(grep '^DirectMap' /proc/meminfo | tr -s ' ' | tr '\n' ' ')

say "RLIMIT_MEMLOCK still limits each user, charged at ftruncate: with the default 8M, 16M is refused"
secret 16M | sed 's/^/   /'
ulimit -l unlimited
show "(the rest of the demo lifts RLIMIT_MEMLOCK so that the cgroup limits speak)"

if [ ! -e /sys/fs/cgroup/cgroup.controllers ] || ! grep -qw secretmem /sys/fs/cgroup/cgroup.controllers; then
	say "No secretmem cgroup controller in this kernel; skipping the cgroup part"
else
	say "Two cgroups share the pool: 'alpha' may hold 32M, 'beta' 8M"
	echo +secretmem > /sys/fs/cgroup/cgroup.subtree_control
	mkdir -p /sys/fs/cgroup/alpha /sys/fs/cgroup/beta
	echo 32M > /sys/fs/cgroup/alpha/secretmem.max
	echo 8M > /sys/fs/cgroup/beta/secretmem.max
	show "alpha/secretmem.max = $(cat /sys/fs/cgroup/alpha/secretmem.max)" \
	     "beta/secretmem.max  = $(cat /sys/fs/cgroup/beta/secretmem.max)"

	say "alpha runs a workload holding 24M of secret memory"
	mkfifo /tmp/hold
	sh -c 'echo $$ > /sys/fs/cgroup/alpha/cgroup.procs; exec secret 24M hold < /tmp/hold' | sed 's/^/   /' &
	exec 3>/tmp/hold
	sleep 1
	show "alpha/secretmem.current = $(cat /sys/fs/cgroup/alpha/secretmem.current)"
	show "SecretmemFree: $(kb SecretmemFree)   SecretmemRsvd: $(kb SecretmemRsvd)"

	say "beta asks for 16M, over its 8M limit: refused at ftruncate, not at fault"
	sh -c 'echo $$ > /sys/fs/cgroup/beta/cgroup.procs; exec secret 16M' | sed 's/^/   /'
	show "beta/secretmem.events: $(cat /sys/fs/cgroup/beta/secretmem.events)"

	say "beta asks for 4M: fits"
	sh -c 'echo $$ > /sys/fs/cgroup/beta/cgroup.procs; exec secret 4M' | sed 's/^/   /'

	say "alpha lets go of its memory"
	exec 3>&-
	wait
	show "alpha/secretmem.current = $(cat /sys/fs/cgroup/alpha/secretmem.current)" \
	     "alpha/secretmem.peak    = $(cat /sys/fs/cgroup/alpha/secretmem.peak)"
fi

say "More than the pool holds (128M) is refused at ftruncate, never a SIGBUS:"
secret 128M | sed 's/^/   /'

say "512 processes with one secret page each, all alive at once"
i=0
mkfifo /tmp/many
while [ $i -lt 512 ]; do
	secret 4K hold < /tmp/many > /dev/null &
	i=$((i + 1))
done
exec 4>/tmp/many
sleep 2
show "SecretmemFree while they run: $(kb SecretmemFree)"
exec 4>&-
wait

splits1=$(grep -E 'direct_map_level[23]_splits' /proc/vmstat | awk '{s += $2} END {print s + 0}')
dm1=$(grep '^DirectMap' /proc/meminfo | tr -s ' ' | tr '\n' ' ')
say "The direct map after all of this"
show "direct map splits: before $splits0, after $splits1" \
     "before: $dm0" "after:  $dm1"
[ "$splits0" = "$splits1" ] && [ "$dm0" = "$dm1" ] && show "unchanged: no secretmem activity split the direct map"
show "SecretmemFree: $(kb SecretmemFree) of $(kb SecretmemTotal), SecretmemRsvd: $(kb SecretmemRsvd)"
