#!/bin/bash
# Install the Debian packages the host tooling needs, only those missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils kmod
      rsync quilt ccache sparse qemu-system-x86 busybox-static libcap-dev
      cgroup-tools stress-ng perl python3 kexec-tools "linux-source-6.12")

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root or install them"
say "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# kexec-tools is for the guest (crashdump.sh, its kexec_load() path): it
# must not make this host reboot through kexec
if [[ " ${missing[*]} " == *" kexec-tools "* ]]; then
	echo "kexec-tools kexec-tools/load_kexec boolean false" | debconf-set-selections
fi
apt-get update -qq
for i in "${!missing[@]}"; do
	if [ "${missing[$i]}" = linux-source-6.12 ]; then
		# not `madison | grep -q` under pipefail: grep's early exit kills
		# madison with SIGPIPE and the pin was never honoured
		listing=$(apt-cache madison linux-source-6.12)
		missing[i]=$(source_spec <<<"$listing")
		say "source: ${missing[i]}"
	fi
done
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
