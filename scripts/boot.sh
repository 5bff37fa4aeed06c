#!/bin/bash
# Boot the test kernel once in QEMU and run the named guest tests.
# usage: boot.sh FLAVOUR ROW MEM CPUS NODES "CMDLINE" "TEST..."
# Writes build/logs/FLAVOUR-ROW/{console,tests}.log and accel (kvm or tcg); a
# hung guest is killed after BOOT_TIMEOUT s (default 900 under TCG, 450 KVM).
# env: ACCEL=kvm|tcg forces the accelerator (see scripts/accel.sh);
#      KERNEL, INITRD boot another bzImage or initramfs (scripts/mutants.sh)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=$1 row=$2 mem=$3 cpus=$4 nodes=$5 extra=$6 tests=$7
obj=$(obj_dir "$flavour")
kernel=${KERNEL:-$obj/arch/x86/boot/bzImage}
initrd=${INITRD:-$BUILD/guest-$flavour/initramfs.cpio.gz}
logs=$BUILD/logs/$flavour-$row
[ -f "$kernel" ] || die "no kernel at $kernel: make kernel"
[ -f "$initrd" ] || die "no initramfs at $initrd: make guest"
command -v "$QEMU" >/dev/null || die "$QEMU missing: run scripts/deps.sh"

rm -rf "$logs"
mkdir -p "$logs"
# KVM only where a probe boot of this kernel shows it works (scripts/accel.sh)
acc=$("$ROOT/scripts/accel.sh" "$kernel")
echo "$acc" >"$logs/accel"
read -ra accel <<<"$(accel_args "$acc")"
# TCG emulates every instruction: several times slower than KVM
if [ "$acc" = kvm ]; then timeout=${BOOT_TIMEOUT:-450}; else timeout=${BOOT_TIMEOUT:-900}; fi

numa=()
smp=$cpus
if [ "$nodes" -gt 1 ]; then
	# one socket per node, or the scheduler warns about an LLC split across nodes
	smp="$cpus,sockets=$nodes,cores=$((cpus / nodes)),threads=1"
	total=$(numfmt --from=iec "$mem")
	per=$((total / nodes))
	for ((n = 0; n < nodes; n++)); do
		numa+=(-object "memory-backend-ram,id=m$n,size=$per"
		       -numa "node,nodeid=$n,memdev=m$n,cpus=$((n * cpus / nodes))-$(((n + 1) * cpus / nodes - 1))")
	done
fi

cmdline="console=ttyS0 panic=-1 loglevel=7 $extra smt_tests=$(echo "$tests" | tr ' ' ,)"
# KASAN and 5-level paging (TCG's -cpu max has LA57): identify_cpu() clears
# and refills the boot CPU's feature bits, LA57 among them; an interrupt in
# that window sees pgtable_l5_enabled() false, and KASAN reports a "wild"
# access to a 5-level direct-map address in do_raw_spin_lock() (seen in 2 of
# about 15 debug boots on 2026-11-25, 3 ms into boot, before any of our
# code). Debug boots use 4-level paging; base boots keep what the CPU has.
if [ "$flavour" = debug ]; then
	cmdline+=" no5lvl"
fi
printf '%s\n' "$cmdline" >"$logs/cmdline"
# A row with crashkernel= loads a capture kernel from inside the guest: this
# same kernel and initramfs, in /boot of a cpio appended to the initramfs
# (the kernel unpacks both); the capture kernel boots the initramfs alone.
if [[ " $extra " == *" crashkernel="* ]]; then
	stage=$logs/crash-initrd
	mkdir -p "$stage/boot"
	cp "$kernel" "$stage/boot/bzImage"
	cp "$initrd" "$stage/boot/initramfs.cpio.gz"
	# the kernel looks for the next archive at a 4-byte boundary: pad with zeros
	pad=$(((4 - $(stat -c %s "$initrd") % 4) % 4))
	{ cat "$initrd"; head -c "$pad" /dev/zero; (cd "$stage" && find . | cpio -o -H newc --quiet); } \
		>"$logs/initrd-crash.cpio"
	rm -rf "$stage"
	initrd=$logs/initrd-crash.cpio
fi
: >"$logs/console.log"
: >"$logs/tests.log"
qemu() {
	timeout -k 10 "$timeout" "$QEMU" "${accel[@]}" -m "$mem" -smp "$smp" "${numa[@]}" \
		-display none -no-reboot -monitor none \
		-serial "file:$logs/console.log" "$@" \
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline" </dev/null
}
rc=0
if [ "${LIVE:-0}" = 1 ]; then
	# The tests' output (ttyS1) goes to our stdout as well.
	set +o pipefail
	qemu -serial stdio 2>"$logs/qemu.log" | tr -d '\r' | tee "$logs/tests.log"
	rc=${PIPESTATUS[0]}
	set -o pipefail
else
	qemu -serial "file:$logs/tests.log" >"$logs/qemu.log" 2>&1 || rc=$?
fi
rm -f "$logs/initrd-crash.cpio"
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "SMT-TIMEOUT guest killed after ${timeout}s" >>"$logs/tests.log"
elif [ "$rc" -ne 0 ]; then
	echo "SMT-QEMU-FAILED rc=$rc: $(tail -3 "$logs/qemu.log")" >>"$logs/tests.log"
fi
exit 0
