#!/bin/sh
# boots: pool64
# needs: pool
# Pool pages are never buddy pages and never sit on an LRU, neither while
# files use them nor after they are released (/proc/kpageflags).
. /lib-smt/tap.sh
[ -r /proc/kpageflags ] || { echo "1..0 # SKIP no /proc/kpageflags"; exit 4; }
range=$(dmesg | sed -n 's/.*secretmem: node .*at \[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\].*/\1 \2/p' | head -1)
[ -n "$range" ] || { echo "1..0 # SKIP no pool"; exit 4; }
set -- $range
first=$(($1 / 4096))
count=$((($2 + 1 - $1) / 4096))
KPF_LRU=$((1 << 5))
KPF_BUDDY=$((1 << 10))
tap_plan 3

# check WHAT: count pool pages whose kpageflags have any bit of MASK
bad_pages() {
	dd if=/proc/kpageflags bs=8 skip=$first count=$count 2>/dev/null |
		od -An -v -t x8 | tr -s ' ' '\n' | grep . |
		{ n=0; while read -r f; do [ $((0x$f & $1)) -ne 0 ] && n=$((n + 1)); done; echo $n; }
}

ulimit -l unlimited
mkfifo /tmp/pf_hold
secret 32M hold < /tmp/pf_hold > /dev/null &
exec 3>/tmp/pf_hold
sleep 1
tap_is "pool pages on an LRU while in use" "$(bad_pages $KPF_LRU)" 0
tap_is "pool pages in the buddy allocator while in use" "$(bad_pages $KPF_BUDDY)" 0
exec 3>&-
wait
tap_is "pool pages on an LRU or in the buddy allocator after release" "$(bad_pages $((KPF_LRU | KPF_BUDDY)))" 0
