# The values secret memory must return to when nobody holds any: all of the
# pool free and nothing reserved, every group's secretmem.current 0, and no
# secretmem inode left. Give releases a moment, then report as TAP.
# usage: . /lib-smt/tap.sh; . /lib-smt/idle.sh; smt_idle
_idle_kb() { awk -v k="$1" '$1 == k":" { print $2 }' /proc/meminfo; }

# Lines "what value expected" for everything that is not idle.
_idle_busy() {
	local f v
	if [ -n "$(_idle_kb SecretmemTotal)" ]; then
		[ "$(_idle_kb SecretmemFree)" = "$(_idle_kb SecretmemTotal)" ] ||
			echo "SecretmemFree $(_idle_kb SecretmemFree) $(_idle_kb SecretmemTotal)"
		[ "$(_idle_kb SecretmemRsvd)" = 0 ] ||
			echo "SecretmemRsvd $(_idle_kb SecretmemRsvd) 0"
	fi
	for f in $(find /sys/fs/cgroup -name secretmem.current 2>/dev/null); do
		v=$(cat "$f")
		[ "$v" = 0 ] || echo "$f $v 0"
	done
	f=/sys/kernel/debug/secretmem/inodes
	if [ -r $f ]; then
		v=$(cat $f)
		[ "$v" = 0 ] || echo "secretmem-inodes $v 0"
	fi
}

smt_idle() {
	local i=0 busy
	while busy=$(_idle_busy) && [ -n "$busy" ] && [ $i -lt 20 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	if [ -z "$busy" ]; then
		tap_ok 1 "idle: pool free, nothing reserved, no group charged, no secret inode"
	else
		echo "$busy" | while read -r what got want; do
			echo "# not idle: $what is $got, expected $want"
		done
		tap_ok 0 "idle: secret memory still held after the test"
	fi
}
