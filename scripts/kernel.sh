#!/bin/bash
# Configure and build the kernel of one flavour (base or debug) out of tree,
# in build/obj-FLAVOUR, through ccache.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-base}
obj=$(obj_dir "$flavour")
frags=("$ROOT/config/base.config")
[ "$flavour" = base ] || frags+=("$ROOT/config/$flavour.config")
for f in "${frags[@]}"; do [ -f "$f" ] || die "no config fragment $f"; done
command -v ccache >/dev/null || die "ccache missing: run scripts/deps.sh"

mkdir -p "$obj"
kmake() { flock "$BUILD/.kbuild-$flavour.lock" make -s -C "$TREE" O="$obj" CC="ccache gcc" HOSTCC="ccache gcc" -j"$JOBS" "$@"; }

stamp=$obj/.fragments.sha
sum=$(cat "${frags[@]}" | sha1sum)
if [ ! -f "$obj/.config" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
	say "configuring $flavour kernel (tinyconfig + ${frags[*]##*/})"
	kmake tinyconfig >/dev/null
	KCONFIG_CONFIG=$obj/.config "$TREE/scripts/kconfig/merge_config.sh" -m -O "$obj" \
		"$obj/.config" "${frags[@]}" >/dev/null
	kmake olddefconfig >/dev/null
	# Every option a fragment asks for must have landed.
	bad=0
	while IFS= read -r line; do
		case "$line" in CONFIG_*=n) opt=${line%%=*}
			grep -q "^$opt=" "$obj/.config" && { echo "  $opt is set, fragment wants n" >&2; bad=1; }
			continue;;
		CONFIG_*) grep -qxF "$line" "$obj/.config" || { echo "  $line did not stick" >&2; bad=1; };;
		esac
	done < <(cat "${frags[@]}")
	[ $bad -eq 0 ] || die "config fragment options were dropped (dependencies?)"
	echo "$sum" >"$stamp"
fi

case $flavour in debug) cold="16-24 min";; *) cold="~12 min";; esac
say "building $flavour kernel in ${obj#"$ROOT"/} (cold $cold, warm < 1 min)"
start=$(date +%s)
kmake bzImage
kmake headers >/dev/null
say "built $obj/arch/x86/boot/bzImage in $(($(date +%s) - start)) s"
