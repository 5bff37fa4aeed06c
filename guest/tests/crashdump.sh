#!/bin/sh
# boots: crashpool crashload crashnopool crashgrow
# Secret memory in a crash dump. In the first kernel: load this same kernel
# and initramfs as the capture kernel (kexec_file_load(), or kexec_load()
# through kexec-tools on a row with smt_crash_loader=kexec_load), write a
# 64-byte marker into pages of a secret file and another into anonymous
# memory, and crash with sysrq-c. guest/init boots the capture kernel into
# this script again (SMT_CAPTURE=1), which reads all of /proc/vmcore by
# mmap() and by read() where it matters (guest/src/crashdump.c): with a
# pool the secret marker never occurs, the anonymous one does (the scan
# sees the dump); without a pool the secret marker is counted and reported
# (the per-page path is dumped like any page cache,
# Documentation/admin-guide/mm/secretmem.rst). On crashgrow the pool has
# no floor: the secret pages are in a unit grown after the capture kernel
# was loaded, which only the capture kernel can hide.
. /lib-smt/tap.sh

word() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" /proc/cmdline; }
pool=0
[ "$(word smt_expect_total)" != "" ] && [ "$(word smt_expect_total)" != 0 ] && pool=1
[ "$(word smt_expect_grow)" = 1 ] && pool=1
regions=$(word smt_expect_regions)
regions=${regions:-0}
loader=$(word smt_crash_loader)
loader=${loader:-kexec_file_load}
headers=exclude
[ "$loader" = kexec_load ] && headers=include
NPAGES=16

if [ "${SMT_CAPTURE:-0}" = 1 ]; then
	# The plan was printed by the crashed kernel; results 1-4 too.
	_tap_n=4
	seed=$(word smt_crash_seed)
	tap_diag "capture kernel $(uname -r), loaded by $loader: $(cat /proc/cmdline)"
	t0=$(cut -d. -f1 /proc/uptime)
	/bin/crashdump scan "$seed" 5 "$pool" "$headers"
	rc=$?
	_tap_n=10
	[ $rc -eq 0 ] || _tap_fail=1
	tap_diag "scanned /proc/vmcore in $(($(cut -d. -f1 /proc/uptime) - t0)) s"
	n=$(dmesg | sed -n 's/.*secretmem: vmcore: \([0-9]*\) region(s) and \([0-9]*\) grown unit(s).*/\1 \2/p')
	if [ "$pool" = 1 ]; then
		# with growth, the 16 pages are in one grown unit
		units=0
		[ "$(word smt_expect_grow)" = 1 ] && [ "$(word smt_expect_total)" = 0 ] && units=1
		tap_is "capture kernel hides the crashed kernel's secret regions and units" "${n:-none}" "$regions $units"
	else
		tap_is "capture kernel: no secret region to hide" "${n:-none}" none
	fi
	tap_exit
fi

tap_plan 11
n=$(grep -c ': Secret memory$' /proc/iomem)
if [ "$pool" = 1 ]; then
	tap_is "/proc/iomem names the pool's regions" "$n" "$regions"
else
	tap_is "/proc/iomem names no pool" "$n" 0
fi
grep -B1 -A1 'Secret memory' /proc/iomem | sed 's/^/# /'

# The capture kernel: this command line without the crash reservation
# and the pool, one CPU, no KUnit (it ran in this kernel), and what this
# script needs to go on there (guest/init).
seed=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
cmdline=$(sed 's/crashkernel=[^ ]*//; s/secretmem=[^ ]*//; s/smt_crashed=[^ ]*//' /proc/cmdline)
cmdline="$cmdline nr_cpus=1 kunit.enable=0 reset_devices smt_crashed=crashdump smt_crash_seed=$seed"
if [ "$loader" = kexec_load ]; then
	# kexec-tools builds the ELF core headers from /proc/iomem itself:
	# it does not know the pool, only the capture kernel can hide it
	kexec -p -c /boot/bzImage --initrd=/boot/initramfs.cpio.gz \
		--append="$cmdline" 2>&1 | sed 's/^/# kexec: /'
else
	/bin/crashdump load /boot/bzImage /boot/initramfs.cpio.gz "$cmdline" 2>&1 | sed 's/^/# /'
fi
tap_is "capture kernel loaded by $loader" "$(cat /sys/kernel/kexec_crash_loaded)" 1
if [ "$(cat /sys/kernel/kexec_crash_loaded)" != 1 ]; then
	for i in 3 4 5 6 7 8 9 10 11; do tap_ok 0 "no capture kernel: nothing to crash into"; done
	tap_exit
fi
tap_diag "crashing with sysrq-c; the capture kernel reports the rest (seed $seed)"
/bin/crashdump crash "$seed" "$NPAGES" 3 "$pool"
# only if the kernel did not crash
_tap_n=4
for i in 5 6 7 8 9 10 11; do tap_ok 0 "the kernel did not crash"; done
tap_exit
