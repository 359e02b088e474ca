# http_lib.sh - helpers for the HTTP plugin's shell tests: start a server on
# 127.0.0.1 and a free port, ask it things with curl or raw requests.
#
#   . "$top_srcdir/t/http_lib.sh"
#   http_start ROOT 'listing = ["/boot"];'     # sets HTTP_PORT, HTTP_URL, HTTP_LOG
#
# The server is t/http_host (the plugin alone in a minimal host) unless
# HTTP_SERVER=pxebootd, which runs the same tests against the daemon.
# Set HTTP_HOST_FLAGS=-n to give the plugin no event loop, HTTP_ADDR=::1 to
# listen on IPv6 loopback.
. "$top_srcdir/t/lib/common.sh"

: "${HTTP_SERVER:=host}"
: "${HTTP_ADDR:=127.0.0.1}"
HTTP_PLUGIN_DIR="$top_builddir/plugins/.libs"
HTTP_HOST="$top_builddir/t/http_host"

command -v curl >/dev/null || tap_skip_all "curl is not installed"
test -f "$HTTP_PLUGIN_DIR/http.so" || tap_skip_all "the http plugin is not built"

# http_start ROOT EXTRA-HTTP-SETTINGS: up to three ports are tried.
http_start() {
	local root=$1 extra=$2 try hp
	HTTP_DIR=$(scratch_dir)
	HTTP_LOG="$HTTP_DIR/log"
	for try in 1 2 3; do
		HTTP_PORT=$(free_port tcp)
		case $HTTP_ADDR in
		*:*) hp="[$HTTP_ADDR]:$HTTP_PORT" ;;
		*) hp="$HTTP_ADDR:$HTTP_PORT" ;;
		esac
		HTTP_URL="http://$hp"
		if [ "$HTTP_SERVER" = pxebootd ]; then
			cat >"$HTTP_DIR/conf" <<CONF
plugins = ["http"];
http = { root = "$root"; listen = "$hp"; $extra };
tftp = { enable = false; };
CONF
			start_pxebootd "$HTTP_LOG" -c "$HTTP_DIR/conf"
			HTTP_PID=$PXBD_PID
		else
			cat >"$HTTP_DIR/conf" <<CONF
http = { root = "$root"; listen = "$hp"; $extra };
CONF
			# shellcheck disable=SC2086
			"$HTTP_HOST" $HTTP_HOST_FLAGS "$HTTP_PLUGIN_DIR" "$HTTP_DIR/conf" \
				>"$HTTP_DIR/out" 2>"$HTTP_LOG" &
			HTTP_PID=$!
			track_pid "$HTTP_PID"
		fi
		if wait_for 10 grep -qF "listening on $hp" "$HTTP_LOG"; then
			return 0
		fi
		kill "$HTTP_PID" 2>/dev/null
		wait "$HTTP_PID" 2>/dev/null
	done
	diag "server did not start:"
	sed 's/^/#   /' "$HTTP_LOG"
	return 1
}

# Stops the server with SIGTERM; fails unless it exits 0 within 10 s.
http_stop() {
	local rc
	kill -TERM "$HTTP_PID" 2>/dev/null || return 1
	timeout 10 tail --pid="$HTTP_PID" -f /dev/null || return 1
	_pids=${_pids/ $HTTP_PID/} # gone: never signal that number again
	wait "$HTTP_PID"
	rc=$?
	# On failure the server's last words (a sanitizer report, say) go to the TAP log.
	[ $rc -eq 0 ] || { echo "# server exited with status $rc:"; tail -40 "$HTTP_LOG" | sed 's/^/#   /'; } >&2
	return $rc
}

# Status code of a GET (or of curl ARGS...): http_status PATH [CURL-ARGS...]
http_status() {
	local path=$1; shift
	timeout 30 curl -s -o /dev/null -w '%{http_code}' --path-as-is "$@" "$HTTP_URL$path"
}

# A header's value from a response: http_header NAME PATH [CURL-ARGS...]
http_header() {
	local name=$1 path=$2; shift 2
	timeout 30 curl -s -o /dev/null -D - --path-as-is "$@" "$HTTP_URL$path" |
		tr -d '\r' | awk -v n="$name" 'BEGIN{IGNORECASE=1} index(tolower($0), tolower(n) ": ") == 1 {sub(/^[^:]*: /, ""); print; exit}'
}

# Sends "METHOD TARGET HTTP/1.1" as given (no client-side cleaning) and
# prints the whole response: http_raw TARGET [METHOD] [EXTRA-HEADER-LINES]
http_raw() {
	HTTP_ADDR=$HTTP_ADDR timeout 15 python3 - "$HTTP_PORT" "$1" "${2:-GET}" "${3:-}" <<'PY'
import os, socket, sys
port, target, method, extra = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
req = method.encode("latin-1") + b" " + target.encode("latin-1") + b" HTTP/1.1\r\nHost: t\r\n"
if extra:
    req += extra.encode("latin-1") + b"\r\n"
req += b"Connection: close\r\n\r\n"
s = socket.create_connection((os.environ.get("HTTP_ADDR", "127.0.0.1"), port), timeout=10)
s.sendall(req)
data = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
except (ConnectionResetError, socket.timeout):
    pass
sys.stdout.write(data.decode("latin-1"))
PY
}

# Status code of a raw request: http_raw_status TARGET [METHOD] [EXTRA]
http_raw_status() {
	http_raw "$@" | head -n 1 | awk '{print $2}'
}

