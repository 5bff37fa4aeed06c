#!/bin/bash
# `make run`: boot the kernel with a 64M secret memory pool and narrate.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-base}
say "booting the $flavour kernel with secretmem=64M under QEMU (about a minute under TCG)"
LIVE=1 "$ROOT/scripts/boot.sh" "$flavour" demo 2G 2 1 "secretmem=64M quiet" demo |
	grep -v '^SMT-' || true
logs=$BUILD/logs/$flavour-demo
grep -q '^SMT-DONE' "$logs/tests.log" || die "the demo did not finish: see $logs/console.log"
say "full kernel log: ${logs#"$ROOT"/}/console.log"
