#!/bin/bash
# The checks are strings eval'd later, the variables they use set before:
# shellcheck disable=SC2016,SC2034
# The cats are on purpose: source_spec must read from a pipe.
# shellcheck disable=SC2002
# Host check of the source pin: source_spec (scripts/lib.sh), which
# scripts/deps.sh feeds `apt-cache madison linux-source-6.12`, against fake
# listings with and without the pinned version, fed through a pipe under
# pipefail; and scripts/tree.sh naming the patch that does not apply and the
# version it failed on. TAP on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fix=$here/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=SCRIPTDIR/../../scripts/lib.sh
. "$root/scripts/lib.sh"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

# the pin is served: it is what gets installed, silently
spec=$(cat "$fix/madison-pinned" | source_spec 2>"$tmp/err")
check "pin served: install linux-source-6.12=$KVER_PIN" '[ "$spec" = "linux-source-6.12=$KVER_PIN" ]'
check "pin served: no note" '[ ! -s "$tmp/err" ]'

# not served (only a longer version that contains it as a prefix): the
# newest, and a note naming both
spec=$(cat "$fix/madison-unpinned" | source_spec 2>"$tmp/err")
check "pin not served: install the bare package" '[ "$spec" = linux-source-6.12 ]'
check "pin not served: the note names the pin and the newest" \
	'grep -qF "$KVER_PIN" "$tmp/err" && grep -qF "not served" "$tmp/err" && grep -qF "6.12.118-1~deb12u1" "$tmp/err"'

# a listing longer than a pipe's buffer, the pin on its first line: a reader
# that stops at the first match would kill the writer with SIGPIPE
{ cat "$fix/madison-pinned"; for i in $(seq 20000); do
	echo " linux-source-6.12 | 6.12.$i-1~deb12u1 | http://deb.debian.org/debian bookworm/main amd64 Packages"
done; } >"$tmp/long"
rc=0
spec=$(cat "$tmp/long" | source_spec 2>/dev/null) || rc=$?
check "a long listing through a pipe: no SIGPIPE, the pin honoured" '[ $rc = 0 ] && [ "$spec" = "linux-source-6.12=$KVER_PIN" ]'

# an empty listing (the package unknown to apt): not served, no failure
rc=0
spec=$(source_spec </dev/null 2>/dev/null) || rc=$?
check "an empty listing: the bare package" '[ $rc = 0 ] && [ "$spec" = linux-source-6.12 ]'

check "deps.sh asks source_spec, not a grep on madison's pipe" \
	'grep -q "source_spec" "$root/scripts/deps.sh" && ! grep -qE "^[^#]*madison[^#]*[|]" "$root/scripts/deps.sh"'

# tree.sh on a source its series does not apply to: a copy of the tooling
# with a fake pristine source of another version
if command -v quilt >/dev/null; then
	mkdir -p "$tmp/r/scripts" "$tmp/r/patches" "$tmp/r/linux" "$tmp/r/build/src/linux-source-6.12"
	cp "$root/scripts/lib.sh" "$root/scripts/tree.sh" "$tmp/r/scripts/"
	printf '#!/bin/bash\n' >"$tmp/r/scripts/source.sh"     # the source is there
	chmod +x "$tmp/r/scripts/source.sh"
	src=$tmp/r/build/src/linux-source-6.12
	printf 'a\nb\n' >"$src/file"
	echo "6.12.999-1~deb12u1" >"$src/.debian-version"
	printf -- '--- a/file\n+++ b/file\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n' >"$tmp/r/patches/0001-good.patch"
	printf -- '--- a/file\n+++ b/file\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n' >"$tmp/r/patches/0002-bad.patch"
	printf '0001-good.patch\n0002-bad.patch\n' >"$tmp/r/patches/series"
	rc=0
	QUILTRC=/dev/null bash "$tmp/r/scripts/tree.sh" >/dev/null 2>"$tmp/err" || rc=$?
	check "tree.sh fails on a patch that does not apply" '[ $rc != 0 ]'
	check "tree.sh names the patch and the version it failed on" \
		'grep -q "0002-bad.patch.*6.12.999-1~deb12u1" "$tmp/err"'
else
	ok "tree.sh fails on a patch that does not apply # SKIP quilt not installed"
	ok "tree.sh names the patch and the version it failed on # SKIP quilt not installed"
fi

echo "1..$n"
[ $failed -eq 0 ]
