#!/bin/bash
# Boot the test kernel once in QEMU and run the named guest tests.
# usage: boot.sh FLAVOUR ROW MEM CPUS NODES "CMDLINE" "TEST..."
# Writes build/logs/FLAVOUR-ROW/{console,tests}.log; a hung guest is killed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=$1 row=$2 mem=$3 cpus=$4 nodes=$5 extra=$6 tests=$7
obj=$(obj_dir "$flavour")
kernel=$obj/arch/x86/boot/bzImage
initrd=$BUILD/guest-$flavour/initramfs.cpio.gz
logs=$BUILD/logs/$flavour-$row
timeout=${BOOT_TIMEOUT:-900}
[ -f "$kernel" ] || die "no kernel at $kernel: make kernel"
[ -f "$initrd" ] || die "no initramfs at $initrd: make guest"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run scripts/deps.sh"

rm -rf "$logs"
mkdir -p "$logs"
# A /dev/kvm that exists may still not run a guest (nested virtualisation
# without some MSRs): use KVM only when asked, until the probe lands.
case ${ACCEL:-tcg} in
kvm) accel=(-accel kvm -cpu host) ;;
tcg) accel=(-accel tcg,thread=multi -cpu max) ;;
*) die "ACCEL=$ACCEL: expected kvm or tcg" ;;
esac

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
printf '%s\n' "$cmdline" >"$logs/cmdline"
: >"$logs/console.log"
: >"$logs/tests.log"
qemu() {
	timeout -k 10 "$timeout" qemu-system-x86_64 "${accel[@]}" -m "$mem" -smp "$smp" "${numa[@]}" \
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
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "SMT-TIMEOUT guest killed after ${timeout}s" >>"$logs/tests.log"
elif [ $rc -ne 0 ]; then
	echo "SMT-QEMU-FAILED rc=$rc: $(tail -3 "$logs/qemu.log")" >>"$logs/tests.log"
fi
exit 0
