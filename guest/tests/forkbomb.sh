#!/bin/sh
# boots: pool64 grow
# needs: cgroup pool
# A fork bomb of 1024 processes holding one secret page each: under pids
# and secretmem limits both limits hold exactly; without limits all 1024
# get their page. Either way the direct map does not split, and all is
# idle again once they are gone. On a pool that grows (grow: no floor),
# the pages come from 2 MiB units taken for them: a 1 GiB direct-map page
# may split into 2 MiB ones, never a 2 MiB one into 4 KiB pages, and once
# the units are back DirectMap4k is what it was.
. /lib-smt/tap.sh
. /lib-smt/idle.sh
cg=/sys/fs/cgroup
g=$cg/smt_bomb
N=1024
for c in secretmem pids; do
	if ! grep -qw $c $cg/cgroup.controllers; then
		echo "1..0 # SKIP no $c controller"
		exit 4
	fi
done
kb() { awk -v k="$1" '$1 == k":" { print $2 }' /proc/meminfo; }
grows=0
[ "$(kb SecretmemCeiling)" ] && [ "$(kb SecretmemCeiling)" -gt 0 ] && grows=1
if [ "$(kb SecretmemTotal)" = 0 ] && [ $grows = 0 ]; then
	echo "1..0 # SKIP no secretmem= pool"
	exit 4
fi
tap_plan $((20 + grows))
echo "+secretmem +pids" > $cg/cgroup.subtree_control
mkdir -p $g
ulimit -l unlimited
# what must not change: with growth, 4 KiB splits and pages only
if [ $grows = 1 ]; then
	splits() { grep -E '^direct_map_level2_splits' /proc/vmstat; }
	dm() { grep DirectMap4k /proc/meminfo | tr -s ' '; }
else
	splits() { grep -E '^direct_map_level[23]_splits' /proc/vmstat | tr '\n' ' '; }
	dm() { grep DirectMap /proc/meminfo | tr -s ' ' | tr '\n' ' '; }
fi
field() { echo "$out" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
ev() { awk -v k="$2" '$1 == k { print $2 }' $g/$1.events; }

# bomb PIDS_MAX SECRET_MAX: run it, look while it holds, release.
bomb() {
	echo $1 > $g/pids.max
	echo $2 > $g/secretmem.max
	rm -f /tmp/bomb.in /tmp/bomb.out
	mkfifo /tmp/bomb.in
	secret_bomb $N $g < /tmp/bomb.in > /tmp/bomb.out 2>&1 &
	bpid=$!
	exec 3> /tmp/bomb.in
	i=0
	while ! grep -q READY /tmp/bomb.out && [ $i -lt 600 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	out=$(head -1 /tmp/bomb.out)
	echo "# $out"
	held=$(cat $g/secretmem.current)
	pids=$(cat $g/pids.current)
	exec 3>&-
	wait $bpid
	grep -q RELEASED /tmp/bomb.out || echo "# secret_bomb did not finish"
}

before=$(splits)
dm_before=$(dm)

# Both limits bite: 600 tasks (the parent is one), 512 secret pages.
bomb 600 2M
tap_is "forks allowed by pids.max 600" "$(field forked)" 599
tap_is "forks refused with EAGAIN" "$(field fork_eagain)" $((N - 599))
tap_is "children with a secret page (secretmem.max 2M)" "$(field secret_ok)" 512
tap_is "children refused with ENOMEM at ftruncate" "$(field secret_enomem)" $((599 - 512))
tap_is "children that failed otherwise" "$(field secret_other)" 0
tap_is "secretmem.current while held" "$held" 2097152
tap_is "pids.current while held" "$pids" 600
tap_ok $([ "$(ev secretmem max)" -gt 0 ] && echo 1 || echo 0) "secretmem.events max counted ($(ev secretmem max))"
tap_ok $([ "$(ev pids max)" -gt 0 ] && echo 1 || echo 0) "pids.events max counted ($(ev pids max))"
tap_is "secretmem.current after release" "$(cat $g/secretmem.current)" 0

# No limits: every one of the 1024 gets its page from the pool.
bomb max max
tap_is "forks without limits" "$(field forked)" $N
tap_is "children with a secret page" "$(field secret_ok)" $N
tap_is "children refused" "$(field secret_enomem)" 0
tap_is "children that failed otherwise" "$(field secret_other)" 0
tap_is "secretmem.current while held" "$held" $((N * 4096))
tap_is "secretmem.current after release" "$(cat $g/secretmem.current)" 0
tap_is "pids.current after release" "$(cat $g/pids.current)" 0

tap_is "direct map split counters" "$(splits)" "$before"
# grown units go back after unit_keep_ms (1 s by default)
i=0
while [ "$(kb SecretmemGrown)" != 0 ] && [ $i -lt 20 ]; do
	sleep 0.5
	i=$((i + 1))
done
[ $grows = 1 ] && tap_is "grown units back" "$(kb SecretmemGrown)" 0
tap_is "DirectMap lines" "$(dm)" "$dm_before"
smt_idle
rmdir $g
