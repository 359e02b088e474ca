# common.sh - shared helpers for shell tests: TAP output, bounded waits,
# cleanup of what the test started (by PID only), free ports.
#
#   . "$top_srcdir/t/lib/common.sh"
#   tap_plan_lazy; ok "name" test -f x; ...; tap_done

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PXB_PLUGIN_DIR:=$top_builddir/plugins/.libs}"
PXEBOOTD="$top_builddir/daemon/pxebootd"

_tap_n=0
_tap_failed=0
_pids=""
_cleanups=""

tap_skip_all() { echo "1..0 # SKIP $*"; exit 0; }

ok() {
	local name=$1; shift
	_tap_n=$((_tap_n + 1))
	if "$@" >/dev/null 2>&1; then
		echo "ok $_tap_n - $name"
	else
		echo "not ok $_tap_n - $name"
		_tap_failed=$((_tap_failed + 1))
	fi
}

# pass/fail with a computed condition: check NAME CONDITION-STATUS
check() {
	_tap_n=$((_tap_n + 1))
	if [ "$2" -eq 0 ]; then echo "ok $_tap_n - $1"; else
		echo "not ok $_tap_n - $1"; _tap_failed=$((_tap_failed + 1)); fi
}

# is NAME GOT WANT: passes when GOT equals WANT, else shows both.
is() {
	_tap_n=$((_tap_n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $_tap_n - $1"
	else
		echo "not ok $_tap_n - $1"
		echo "#   got '$2', want '$3'"
		_tap_failed=$((_tap_failed + 1))
	fi
}

diag() { echo "# $*"; }

tap_done() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}

# Runs the registered cleanups (newest first) and kills started PIDs.
_run_cleanup() {
	local p
	for p in $_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $_pids; do
		# bounded: give each process 5 s, then SIGKILL
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	_pids=""
	eval "$_cleanups"
	_cleanups=""
}
trap _run_cleanup EXIT
trap 'exit 130' INT TERM

# Registers a command to run at exit (last registered runs first).
at_exit() { _cleanups="$*; $_cleanups"; }

# Remembers a PID to stop at exit.
track_pid() { _pids="$_pids $1"; }

# wait_for SECONDS COMMAND...: polls every 0.1 s until COMMAND succeeds.
wait_for() {
	local t=$1 i=0; shift
	while [ $i -lt $((t * 10)) ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# A free UDP/TCP port on 127.0.0.1 in a high range.
free_port() {
	python3 - "$1" <<'PY'
import socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}

# A scratch directory removed at exit.
scratch_dir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/pxb-test.XXXXXX")
	at_exit "rm -rf '$d'"
	echo "$d"
}

# start_on_free_ports LOG CONF WRITE: picks free ports for HTTP and TFTP on
# 127.0.0.1, has the function WRITE print the configuration for them ($1 =
# HTTP port, $2 = TFTP port) into CONF and starts pxebootd; tries again with
# new ports, three times in all, when one was taken in between. Sets HP, TP
# and PXBD_PID; returns 1 when pxebootd never listened on both.
start_on_free_ports() {
	local log=$1 conf=$2 write=$3 try
	for try in 1 2 3; do
		HP=$(free_port tcp) TP=$(free_port udp)
		"$write" "$HP" "$TP" >"$conf"
		start_pxebootd "$log" -c "$conf"
		wait_for 10 grep -q "listening on 127.0.0.1:$HP" "$log" &&
			wait_for 5 grep -q "listening on 127.0.0.1:$TP" "$log" && return 0
		kill "$PXBD_PID" 2>/dev/null; wait "$PXBD_PID" 2>/dev/null
	done
	return 1
}

# start_pxebootd_in NETNS LOG ARGS...: starts pxebootd in the foreground in
# network namespace NETNS ("": this one), its output in LOG; sets PXBD_PID.
# Tests run as root with no user to change to: allow_root says that is meant.
# What LOG held is kept in LOG.old, and LOG is emptied now, not by the
# background redirection: a restart's waits must not read the previous
# run's lines.
start_pxebootd_in() {
	local ns=$1 log=$2; shift 2
	if [ -s "$log" ]; then cat "$log" >>"$log.old"; fi
	: >"$log"
	set -- "$PXEBOOTD" -f -P "$PXB_PLUGIN_DIR" -o allow_root=true "$@"
	if [ -n "$ns" ]; then set -- ip netns exec "$ns" "$@"; fi
	"$@" >"$log" 2>&1 &
	PXBD_PID=$!
	track_pid "$PXBD_PID"
}

# start_pxebootd LOG ARGS...
start_pxebootd() { start_pxebootd_in "" "$@"; }
