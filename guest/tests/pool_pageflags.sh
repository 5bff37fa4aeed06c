#!/bin/sh
# boots: pool64
# needs: pool
# Pool pages are never buddy pages and never sit on an LRU, neither while
# files use them nor after they are released (/proc/kpageflags). The read
# must cover the whole region, and a 32M secret file must really be held
# from the pool while it is looked at: its pages show as mapped (KPF_MMAP)
# in the region, and SecretmemFree is 32M lower.
. /lib-smt/tap.sh
kb() { awk -v k="$1" '$1 == k":" { print $2 }' /proc/meminfo; }
want=$(sed -n 's/.*smt_expect_total=\([0-9]*\).*/\1/p' /proc/cmdline)
range=$(dmesg | sed -n 's/.*secretmem: node .*at \[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\].*/\1 \2/p' | head -1)
# A row that expects a pool fails without one; elsewhere the test skips.
if [ -z "$range" ] || [ ! -r /proc/kpageflags ]; then
	why="no pool region in dmesg"
	[ -r /proc/kpageflags ] || why="no /proc/kpageflags"
	if [ "${want:-0}" -gt 0 ]; then
		tap_plan 1
		tap_ok 0 "the row expects a ${want} kB pool: $why"
		exit 1
	fi
	echo "1..0 # SKIP $why"
	exit 4
fi
set -- $range
first=$(($1 / 4096))
count=$((($2 + 1 - $1) / 4096))
hold=32768 # kB
KPF_LRU=$((1 << 5))
KPF_BUDDY=$((1 << 10))
KPF_MMAP=$((1 << 11))
tap_plan 8

# pages MASK: "READ MATCHING": how many of the region's kpageflags words
# were read, and how many of them have a bit of MASK.
pages() {
	dd if=/proc/kpageflags bs=8 skip=$first count=$count 2>/dev/null |
		od -An -v -t x8 | tr -s ' ' '\n' | grep . |
		{ n=0 r=0; while read -r f; do r=$((r + 1)); [ $((0x$f & $1)) -ne 0 ] && n=$((n + 1)); done; echo $r $n; }
}
# check NAME MASK WANT: all of the region was read, WANT pages match MASK
check() {
	set -- "$1" "$2" "$3" $(pages "$2")
	if [ "$4" != "$count" ]; then
		tap_ok 0 "$1: read $4 of the region's $count kpageflags words"
	else
		tap_is "$1" "$5" "$3"
	fi
}

ulimit -l unlimited
free0=$(kb SecretmemFree)
mkfifo /tmp/pf_hold
secret ${hold}K hold < /tmp/pf_hold > /tmp/pf_out &
exec 3>/tmp/pf_hold
i=0
while ! grep -q reserved /tmp/pf_out && [ $i -lt 60 ]; do
	sleep 0.5
	i=$((i + 1))
done
sed 's/^/# /' /tmp/pf_out
tap_ok $(grep -q "reserved and faulted in" /tmp/pf_out && echo 1 || echo 0) "a ${hold} kB secret file is held"
tap_is "SecretmemFree while held" "$(kb SecretmemFree)" $((free0 - hold))
# the region is the one read: exactly the held file's pages are mapped in it
check "pool pages mapped while held" $KPF_MMAP $((hold / 4))
check "pool pages on an LRU while in use" $KPF_LRU 0
check "pool pages in the buddy allocator while in use" $KPF_BUDDY 0
exec 3>&-
wait
# pages come back at their final put: give it a moment
i=0
while [ "$(kb SecretmemFree)" != "$free0" ] && [ $i -lt 20 ]; do
	sleep 0.5
	i=$((i + 1))
done
tap_is "SecretmemFree after release" "$(kb SecretmemFree)" "$free0"
check "pool pages mapped after release" $KPF_MMAP 0
check "pool pages on an LRU or in the buddy allocator after release" $((KPF_LRU | KPF_BUDDY)) 0
