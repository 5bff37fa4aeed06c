# The values secret memory must return to when nobody holds any: all of the
# pool free and nothing reserved, every group's secretmem.current 0, and no
# secretmem inode left. Give releases a moment, then report as TAP.
# The kernel under test always has the Secretmem meminfo lines and the
# debugfs inode counter: a missing one is a failure, not a check left out.
# The pool's settings (smt_settings_save at boot) must be back to what they
# were too: a test killed half-way leaves its own, which the next test would
# then run under; they are put back, and the test that left them fails.
# usage: . /lib-smt/tap.sh; . /lib-smt/idle.sh; smt_idle
_idle_meminfo=${SMT_MEMINFO:-/proc/meminfo}
_idle_inodes=${SMT_INODES:-/sys/kernel/debug/secretmem/inodes}
_idle_cgroup=${SMT_CGROUP:-/sys/fs/cgroup}
_idle_sysfs=${SMT_SYSFS:-/sys/kernel/mm/secretmem}
_idle_saved=${SMT_SETTINGS:-/tmp/smt-settings}
_idle_settings="ceiling_bytes unit_keep_ms pmd_enabled memlock"

# A setting's value; of a choice ("[always] unless_cgroup_limit"), the chosen.
_idle_val() { sed 's/.*\[\(.*\)\].*/\1/' "$_idle_sysfs/$1" 2>/dev/null; }

# Record the settings as booted: "name value" lines.
smt_settings_save() {
	local n
	: > "$_idle_saved"
	for n in $_idle_settings; do
		[ -r "$_idle_sysfs/$n" ] && echo "$n $(_idle_val "$n")" >> "$_idle_saved"
	done
}

# Lines "setting-NAME value expected" for each setting changed, put back.
_idle_restore() {
	local n want got
	[ -r "$_idle_saved" ] || return 0
	while read -r n want; do
		got=$(_idle_val "$n")
		[ "$got" = "$want" ] && continue
		echo "setting-$n $got $want"
		echo "$want" > "$_idle_sysfs/$n" 2>/dev/null
	done < "$_idle_saved"
}
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
	local i=0 busy changed
	changed=$(_idle_restore)
	while busy=$(_idle_busy) && [ -n "$busy" ] && [ $i -lt "${SMT_IDLE_TRIES:-20}" ]; do
		sleep 0.5
		i=$((i + 1))
	done
	busy=$(printf '%s\n%s\n' "$changed" "$busy" | grep . || true)
	if [ -z "$busy" ]; then
		tap_ok 1 "idle: pool free, nothing reserved, no group charged, no secret inode"
	else
		echo "$busy" | while read -r what got want; do
			echo "# not idle: $what is $got, expected $want"
		done
		tap_ok 0 "idle: secret memory still held after the test, its counters missing, or a setting left changed"
	fi
}
