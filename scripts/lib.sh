# shellcheck shell=bash
# Common paths and helpers, sourced by the other scripts.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
KVER_PIN=6.12.117-1~deb12u1
SRC=$BUILD/src/linux-source-6.12
TREE=$BUILD/linux
JOBS=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
# Relative paths in the cache key: a fresh clone elsewhere still hits.
export CCACHE_BASEDIR=$ROOT CCACHE_NOHASHDIR=true

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# source_version: the Debian version of linux-source-6.12 unpacked in
# build/src (recorded by source.sh; older unpacks: the kernel version).
source_version() {
	if [ -s "$SRC/.debian-version" ]; then
		cat "$SRC/.debian-version"
	else
		echo "$(make -s -C "$SRC" kernelversion) (Debian version not recorded)"
	fi
}

# obj_dir FLAVOUR: where the kernel of that flavour (base, debug) is built.
obj_dir() { echo "$BUILD/obj-$1"; }

# The QEMU binary and the KVM device; both injectable, for tests/host.
QEMU=${QEMU:-qemu-system-x86_64}
KVM_DEV=${KVM_DEV:-/dev/kvm}

# accel_args ACCEL: QEMU's accelerator and CPU options for kvm or tcg
# (TCG_CPU: the CPU model under TCG, max unless make bench says otherwise).
accel_args() {
	case $1 in
	kvm) echo "-accel kvm -cpu host" ;;
	tcg) echo "-accel tcg,thread=multi -cpu ${TCG_CPU:-max}" ;;
	*) die "unknown accelerator '$1': expected kvm or tcg" ;;
	esac
}

# accel_name ACCEL: how reports name it.
accel_name() {
	case $1 in
	kvm) echo "QEMU KVM" ;;
	*) echo "QEMU TCG (no usable KVM)" ;;
	esac
}

# source_spec: read `apt-cache madison linux-source-6.12` on stdin and print
# what to install: the pinned version when it is served, else the bare
# package name (apt's candidate, the newest), saying so. Reads all of its
# input, so a writer into a pipe never dies of SIGPIPE under pipefail.
source_spec() {
	local served newest
	served=$(awk -F'|' '{ gsub(/[[:space:]]/, "", $2); if ($2 != "") print $2 }')
	if grep -qxF -- "$KVER_PIN" <<<"$served"; then
		echo "linux-source-6.12=$KVER_PIN"
		return
	fi
	newest=$(sort -V <<<"$served" | tail -1)
	say "NOTE: linux-source-6.12 $KVER_PIN (the version last tested) is not served;" \
		"installing the newest, ${newest:-whatever apt finds}"
	echo linux-source-6.12
}
