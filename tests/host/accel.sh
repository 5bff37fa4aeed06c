#!/bin/bash
# The checks are strings eval'd later, the variables they use set before:
# shellcheck disable=SC2016,SC2034
# Host check of scripts/accel.sh, the choice of QEMU's accelerator: a fake
# /dev/kvm on which the fake QEMU fails like a nested KVM without the
# IA32_ARCH_CAPABILITIES MSR, one on which it hangs, one on which it boots,
# none at all, and ACCEL forcing either. TAP on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
accel=$here/../../scripts/accel.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

# run NAME [ENV=VALUE...]: accel.sh on the fake kernel; stdout to $tmp/NAME.out,
# stderr to $tmp/NAME.err, exit status to $tmp/NAME.rc
run() {
	local name=$1
	shift
	local rc=0
	env ACCEL_CACHE="$tmp/cache" QEMU="$here/fixtures/fake-qemu" KVM_DEV="$tmp/kvm" \
		FAKE_QEMU_CALLS="$tmp/calls" "$@" "$accel" "$tmp/bzImage" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
	echo $rc >"$tmp/$name.rc"
}
calls() { if [ -f "$tmp/calls" ]; then wc -l <"$tmp/calls"; else echo 0; fi; }
lines() { wc -l <"$tmp/$1.err"; }

head -c 4096 /dev/urandom >"$tmp/bzImage"

# no /dev/kvm: TCG, silently, and no probe
run nokvm
check "no /dev/kvm: tcg" '[ "$(cat "$tmp/nokvm.out")" = tcg ] && [ "$(cat "$tmp/nokvm.rc")" = 0 ]'
check "no /dev/kvm: no probe, no line" '[ "$(calls)" = 0 ] && [ "$(lines nokvm)" = 0 ]'

# a /dev/kvm QEMU opens but cannot run a guest on
: >"$tmp/kvm"
run msr FAKE_QEMU_MODE=msr
check "unusable /dev/kvm: tcg, exit 0" '[ "$(cat "$tmp/msr.out")" = tcg ] && [ "$(cat "$tmp/msr.rc")" = 0 ]'
check "unusable /dev/kvm: probed once" '[ "$(calls)" = 1 ]'
check "unusable /dev/kvm: one line naming the MSR error" \
	'[ "$(lines msr)" = 1 ] && grep -q "TCG.*MSR 0x10a" "$tmp/msr.err"'
check "the probe boots the kernel with KVM and -cpu host" \
	'grep -qs -- "-accel kvm -cpu host .*-kernel $tmp/bzImage" "$tmp/calls"'

# cached per kernel: no second probe, the same answer and line
run msr2 FAKE_QEMU_MODE=ok
check "cached: tcg again without a probe" '[ "$(cat "$tmp/msr2.out")" = tcg ] && [ "$(calls)" = 1 ]'
check "cached: the same one line" 'cmp -s "$tmp/msr.err" "$tmp/msr2.err"'

# a new kernel is probed afresh; this time KVM works
head -c 4096 /dev/urandom >"$tmp/bzImage"
run good FAKE_QEMU_MODE=ok
check "working KVM: kvm, silently" \
	'[ "$(cat "$tmp/good.out")" = kvm ] && [ "$(calls)" = 2 ] && [ "$(lines good)" = 0 ]'

# a guest that hangs: the probe gives up after PROBE_TIMEOUT
head -c 4096 /dev/urandom >"$tmp/bzImage"
start=$(date +%s)
run hang FAKE_QEMU_MODE=hang PROBE_TIMEOUT=2
check "silent guest: tcg within the probe's timeout" \
	'[ "$(cat "$tmp/hang.out")" = tcg ] && [ $(($(date +%s) - start)) -lt 10 ]'
check "silent guest: one line saying so" '[ "$(lines hang)" = 1 ] && grep -q "within 2 s" "$tmp/hang.err"'

# ACCEL forces either, without a probe, even against the device
head -c 4096 /dev/urandom >"$tmp/bzImage"
before=$(calls)
run ftcg FAKE_QEMU_MODE=ok ACCEL=tcg
run fkvm FAKE_QEMU_MODE=msr ACCEL=kvm KVM_DEV="$tmp/none"
check "ACCEL=tcg forces tcg" '[ "$(cat "$tmp/ftcg.out")" = tcg ]'
check "ACCEL=kvm forces kvm" '[ "$(cat "$tmp/fkvm.out")" = kvm ]'
check "ACCEL forcing runs no probe" '[ "$(calls)" = "$before" ]'
run bad ACCEL=xen
check "ACCEL=xen is refused" '[ "$(cat "$tmp/bad.rc")" != 0 ] && grep -q "ACCEL=xen" "$tmp/bad.err"'

# nothing else decides for itself
check "no other script looks at /dev/kvm or runs qemu-system-x86_64 by name" \
	'! grep -nE "/dev/kvm|^[^#]*qemu-system-x86_64 [^|]*-" "$here"/../../scripts/*.sh | grep -v "scripts/\(accel\|lib\)\.sh:"'

echo "1..$n"
[ $failed -eq 0 ]
