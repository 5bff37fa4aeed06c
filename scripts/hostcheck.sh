#!/bin/bash
# Host-side checks of the tooling itself, before any kernel is built or
# booted: every tests/host/*.sh runs on its own and prints TAP; any failure
# stops `make test`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rc=0 n=0
for t in "$ROOT"/tests/host/*.sh; do
	[ -e "$t" ] || continue
	n=$((n + 1))
	say "host check $(basename "$t")"
	if ! bash "$t"; then
		echo "host check $(basename "$t") FAILED" >&2
		rc=1
	fi
done
[ $n -gt 0 ] || die "no host checks in tests/host/"
exit $rc
