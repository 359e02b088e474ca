#!/bin/bash
# http_limits.sh - the connection limits and the idle timeout, driven by
# the event loop's timer (http.timeout, http.max_per_client,
# http.max_header_size), and serving over IPv6 loopback.
. "$top_srcdir/t/http_lib.sh"

d=$(scratch_dir)
mkdir -p "$d/root"
echo "hello" >"$d/root/f.txt"

http_start "$d/root" 'timeout = 1; max_per_client = 2; max_header_size = 2048;' ||
	{ echo "1..0 # SKIP server failed"; exit 1; }

# Opens N idle connections, then one more: prints what each saw.
conns() {
	timeout 20 python3 - "$HTTP_PORT" "$@" <<'PY'
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]

def closed(s, wait):
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True

if mode == "idle":
    # an idle connection is closed after the timeout (1 s), not before
    s = socket.create_connection(("127.0.0.1", port))
    early = closed(s, 0.3)
    late = closed(s, 4)
    print("early-closed" if early else "open-early", "closed-late" if late else "open-late")
elif mode == "perclient":
    a = socket.create_connection(("127.0.0.1", port))
    b = socket.create_connection(("127.0.0.1", port))
    time.sleep(0.2)
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"GET /f.txt HTTP/1.1\r\nHost: t\r\n\r\n")
    print("third-refused" if closed(c, 2) else "third-served")
    a.close(); b.close()
PY
}

is "an idle connection stays open until the timeout, then closes" "$(conns idle)" "open-early closed-late"
is "a third connection from one address is refused" "$(conns perclient)" "third-refused"
ok "serving again once the others closed" wait_for 5 sh -c "curl -sf '$HTTP_URL/f.txt' >/dev/null"
hdr=$(head -c 3000 /dev/zero | tr '\0' a)
st=$(http_status /f.txt -H "X-Big: $hdr")
check "a header over max_header_size is refused with 4xx ($st)" $([ "${st:0:1}" = 4 ]; echo $?)
is "a smaller one is fine" "$(http_status /f.txt -H "X-Small: ${hdr:0:1000}")" 200
ok "still serving" sh -c "curl -sf '$HTTP_URL/f.txt' >/dev/null"
ok "stops cleanly on SIGTERM" http_stop

# IPv6 loopback
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	HTTP_ADDR=::1
	http_start "$d/root" '' || { echo "not ok - IPv6 server"; exit 1; }
	is "served over [::1]" "$(timeout 10 curl -s "$HTTP_URL/f.txt")" hello
	ok "access log names the IPv6 client" wait_for 5 grep -qE "http: ::1 GET /f.txt 200 6 [0-9]+ms$" "$HTTP_LOG"
	ok "stops cleanly on SIGTERM (IPv6)" http_stop
else
	diag "no IPv6 loopback: IPv6 not tested"
fi
tap_done
