# The values secret memory must return to when nobody holds any: all of the
# pool free and nothing reserved, every group's secretmem.current 0, and no
# secretmem inode left. Give releases a moment, then report as TAP.
# The kernel under test always has the Secretmem meminfo lines and the
# debugfs inode counter: a missing one is a failure, not a check left out.
# usage: . /lib-smt/tap.sh; . /lib-smt/idle.sh; smt_idle
_idle_meminfo=${SMT_MEMINFO:-/proc/meminfo}
_idle_inodes=${SMT_INODES:-/sys/kernel/debug/secretmem/inodes}
_idle_cgroup=${SMT_CGROUP:-/sys/fs/cgroup}
_idle_kb() { awk -v k="$1" '$1 == k":" { print $2 }' "$_idle_meminfo"; }

# Lines "what value expected" for everything that is not idle.
_idle_busy() {
	local f v
	if [ -n "$(_idle_kb SecretmemTotal)" ]; then
		[ "$(_idle_kb SecretmemFree)" = "$(_idle_kb SecretmemTotal)" ] ||
			echo "SecretmemFree $(_idle_kb SecretmemFree) $(_idle_kb SecretmemTotal)"
		[ "$(_idle_kb SecretmemRsvd)" = 0 ] ||
			echo "SecretmemRsvd $(_idle_kb SecretmemRsvd) 0"
	else
		echo "SecretmemTotal(meminfo) missing present"
	fi
	for f in $(find "$_idle_cgroup" -name secretmem.current 2>/dev/null); do
		v=$(cat "$f")
		[ "$v" = 0 ] || echo "$f $v 0"
	done
	if [ -r "$_idle_inodes" ]; then
		v=$(cat "$_idle_inodes")
		[ "$v" = 0 ] || echo "secretmem-inodes $v 0"
	else
		echo "$_idle_inodes missing present"
	fi
}

smt_idle() {
	local i=0 busy
	while busy=$(_idle_busy) && [ -n "$busy" ] && [ $i -lt "${SMT_IDLE_TRIES:-20}" ]; do
		sleep 0.5
		i=$((i + 1))
	done
	if [ -z "$busy" ]; then
		tap_ok 1 "idle: pool free, nothing reserved, no group charged, no secret inode"
	else
		echo "$busy" | while read -r what got want; do
			echo "# not idle: $what is $got, expected $want"
		done
		tap_ok 0 "idle: secret memory still held after the test (or its counters are missing)"
	fi
}
