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
trap 'exit $_tap_fail' EXIT
