#!/bin/bash
# Choose QEMU's accelerator for a kernel: print "kvm" or "tcg" on stdout.
# usage: accel.sh BZIMAGE
#   env: ACCEL=kvm|tcg forces it; KVM_DEV (/dev/kvm), QEMU (qemu-system-x86_64),
#        ACCEL_CACHE (build/accel), PROBE_TIMEOUT (20 s)
# A /dev/kvm that exists may not run a guest (nested virtualisation without
# some MSRs: QEMU aborts, or the guest hangs silently), so KVM is used only
# when a short probe boot of this very kernel, with no initramfs, gets as far
# as looking for init (its "Kernel panic" line) on the serial console. The
# answer is cached per kernel image, QEMU and device. When it falls back to
# TCG it says why in one line on stderr. It never fails for a failed probe.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: accel.sh BZIMAGE"
kernel=$1
case ${ACCEL:-} in
kvm|tcg) echo "$ACCEL"; exit 0 ;;
'') ;;
*) die "ACCEL=$ACCEL: expected kvm or tcg" ;;
esac

# fallback REASON: TCG, saying why.
fallback() {
	say "accelerator: TCG; $1; ACCEL=kvm|tcg forces one"
	echo tcg
	exit 0
}
[ -e "$KVM_DEV" ] || { echo tcg; exit 0; }     # no KVM at all: nothing to fall back from
if [ ! -r "$KVM_DEV" ] || [ ! -w "$KVM_DEV" ]; then
	fallback "$KVM_DEV is not read-writable by $(id -un)"
fi
[ -f "$kernel" ] || fallback "no kernel at $kernel to probe KVM with"
command -v "$QEMU" >/dev/null || fallback "$QEMU not found"

cache=${ACCEL_CACHE:-$BUILD/accel}
key=$({ sha1sum <"$kernel"; command -v "$QEMU"; echo "$KVM_DEV"; } | sha1sum | cut -c1-16)
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9                                     # concurrent boots probe once
if [ ! -s "$cache/$key" ]; then
	timeout=${PROBE_TIMEOUT:-20}
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	start=$(date +%s%N)
	read -ra args <<<"$(accel_args kvm)"
	rc=0
	# panic=-1 and -no-reboot: QEMU exits as soon as the kernel gives up on
	# init. The braces' 2>/dev/null keeps bash's "Aborted" off the terminal.
	{ timeout -k 2 "$timeout" "$QEMU" "${args[@]}" -m 256M -smp 1 \
		-display none -no-reboot -monitor none -serial "file:$tmp/console" \
		-kernel "$kernel" -append "console=ttyS0 panic=-1" \
		</dev/null >"$tmp/qemu.log" 2>&1; } 2>/dev/null || rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	if grep -q 'Kernel panic' "$tmp/console" 2>/dev/null; then
		echo kvm >"$cache/$key"
	elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "tcg a KVM probe boot printed no \"Kernel panic\" within ${timeout} s" >"$cache/$key"
	else
		# QEMU's first message, without its "qemu-system-x86_64: error: "
		why=$(sed -n '/[^[:space:]]/{s/^[^:]*: //; s/^error: //; p; q}' "$tmp/qemu.log")
		echo "tcg a KVM probe boot failed (rc=$rc: ${why:-no message})" >"$cache/$key"
	fi
	# kept for whoever wonders why: the time, QEMU's messages, the console
	{ echo "probe of $kernel took $ms ms, rc=$rc"; cat "$tmp/qemu.log" "$tmp/console" 2>/dev/null || true; } \
		>"$cache/$key.log"
fi
read -r acc reason <"$cache/$key"
[ "$acc" = kvm ] && { echo kvm; exit 0; }
fallback "$KVM_DEV is there but $reason"
