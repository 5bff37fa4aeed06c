# TAP helpers for guest shell tests (busybox sh).
_tap_n=0
_tap_fail=0
tap_plan() { echo "TAP version 13"; echo "1..$1"; }
tap_diag() { echo "# $*"; }
tap_ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 1 ]; then
		echo "ok $_tap_n $2"
	else
		echo "not ok $_tap_n $2"
		_tap_fail=1
	fi
}
tap_is() {
	if [ "$2" = "$3" ]; then
		tap_ok 1 "$1: $2"
	else
		tap_ok 0 "$1: got $2, expected $3"
	fi
}
tap_skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $*"; }
tap_exit() { exit $_tap_fail; }
# A whole-test skip: "1..0 # SKIP reason" and exit 4 (the host reports it as
# a skip, and as a failure where the row expects what the test needs).
tap_skip_all() { echo "1..0 # SKIP $*"; exit 4; }
# Keep the script's own exit status (exit 4, a set -e abort, a shell error);
# a script that ends with status 0 after a "not ok" exits 1.
_tap_exit() {
	_tap_rc=$1
	[ "$_tap_rc" = 0 ] && _tap_rc=$_tap_fail
	exit "$_tap_rc"
}
trap '_tap_exit $?' EXIT
