#!/bin/bash
# http_slow.sh - slow and hostile clients: a slowloris from 32 loopback
# addresses (1056 connections each sending a header line every 2 s) does
# not keep curl out; a request that trickles in is closed at
# http.request_timeout however busy it looks; a chunked body of absurd size
# and a Content-Length of 2^64-1 are cut off; a NUL byte in the request
# line gets 400.
. "$top_srcdir/t/http_lib.sh"

command -v python3 >/dev/null || tap_skip_all "python3 is not installed"
d=$(scratch_dir)
mkdir -p "$d/root"
echo "hello" >"$d/root/f.txt"

# The defaults: 1000 connections, 32 per client address.
http_start "$d/root" '' || { echo "not ok - server failed"; exit 1; }

# slowloris PORT SECONDS: holds 33 connections from each of 127.0.1.1-32,
# opening new ones when the server closes some; prints the most it held so far.
timeout 40 python3 - "$HTTP_PORT" 30 >"$d/loris" 2>&1 <<'PY' &
import resource, selectors, socket, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
want = [("127.0.1.%d" % a) for a in range(1, 33) for _ in range(33)]
held = {}   # socket -> source
sel = selectors.DefaultSelector()
most = 0
end = time.monotonic() + secs
def opened(src):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.bind((src, 0))
        s.connect_ex(("127.0.0.1", port))
    except OSError:
        s.close()
        return
    held[s] = src
    sel.register(s, selectors.EVENT_READ)
    started.append(s)
started = []
for src in want:
    opened(src)
next_line = time.monotonic()
while time.monotonic() < end:
    for key, _ in sel.select(timeout=0.2):
        s = key.fileobj
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if not data:   # closed by the server: come back
            if s in started:
                started.remove(s)
            src = held.pop(s)
            sel.unregister(s)
            s.close()
            opened(src)
    for s in list(started):   # the request line once connected, then a line every 2 s
        try:
            s.send(b"GET / HTTP/1.1\r\n")
            started.remove(s)
        except OSError:
            pass
    if time.monotonic() >= next_line:
        next_line += 2
        for s in list(held):
            try:
                if s not in started:
                    s.send(b"X-Slow: 1\r\n")
            except OSError:
                pass
    if len(held) > most:
        most = len(held)
        print("held", most, flush=True)
PY
loris=$!
track_pid "$loris"
sleep 5
t0=$(date +%s%N)
body=$(timeout 15 curl -s -m 8 "$HTTP_URL/f.txt")
t1=$(date +%s%N)
is "curl is served during a slowloris of 1056 connections" "$body" hello
ms=$(((t1 - t0) / 1000000))
check "within 5 s ($ms ms)" $([ "$ms" -lt 5000 ]; echo $?)
kill "$loris" 2>/dev/null
wait "$loris" 2>/dev/null
diag "slowloris: $(tail -n 1 "$d/loris")"
ok "logs what it closed and refused, in few lines" \
	sh -c "n=\$(grep -c 'closed .* connections without a whole request' '$HTTP_LOG'); [ \$n -ge 1 ] && [ \$n -le 40 ]"
ok "serving after the slowloris" sh -c "timeout 10 curl -sf '$HTTP_URL/f.txt' >/dev/null"

# raw PORT MODE: prints what the client saw.
raw() {
	timeout 30 python3 - "$HTTP_PORT" "$1" <<'PY'
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]

def answer(req):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(req)
    try:
        data = s.recv(200)   # the status line comes first, in one segment
    except OSError:
        data = b""
    return data.split(b"\r\n", 1)[0].decode("latin-1")

if mode == "nul":
    for req in (b"GET /f.txt\x00x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                b"GET /f.t\x00xt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                b"GE\x00T /f.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"):
        print(answer(req))
elif mode == "length":
    print(answer(b"POST /f.txt HTTP/1.1\r\nHost: t\r\n"
                 b"Content-Length: 18446744073709551615\r\n\r\n" + b"x" * 1000))
elif mode == "chunked":
    # a chunk of 2^64-1 bytes, sent as fast as the server reads it
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /f.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"ffffffffffffffff\r\n")
    t0 = time.monotonic()
    s.settimeout(0.5)
    block = b"y" * 65536
    how = "still open"
    while time.monotonic() - t0 < 15:
        try:
            s.send(block)
        except socket.timeout:
            pass
        except OSError:
            how = "closed"
            break
    print(how, "after %.1f s" % (time.monotonic() - t0))
elif mode == "trickle":
    # a header line every 0.5 s, never the end of the headers
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /f.txt HTTP/1.1\r\n")
    t0 = time.monotonic()
    how = "still open"
    s.settimeout(0.5)
    while time.monotonic() - t0 < 12:
        try:
            s.sendall(b"X-Slow: 1\r\n")
            if s.recv(1) == b"":
                how = "closed"
                break
        except socket.timeout:
            pass
        except OSError:
            how = "closed"
            break
    print(how, round(time.monotonic() - t0))
elif mode == "prompt":
    # slow but whole within the deadline: served
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    for line in (b"GET /f.txt HTTP/1.1\r\n", b"Host: t\r\n", b"Connection: close\r\n", b"\r\n"):
        s.sendall(line)
        time.sleep(0.3)
    print(s.recv(100).split(b"\r\n", 1)[0].decode())
PY
}

is "a NUL byte in the request line gets 400" "$(raw nul | tr '\n' ' ')" \
	"HTTP/1.1 400 Bad Request HTTP/1.1 400 Bad Request HTTP/1.1 400 Bad Request "
is "a Content-Length of 2^64-1 gets 413" "$(raw length)" "HTTP/1.1 413 Content Too Large"
out=$(raw chunked)
check "a chunked body of 2^64-1 bytes is cut off within 5 s ($out)" \
	$(case $out in "closed after "[0-4].*) echo 0 ;; *) echo 1 ;; esac)
ok "serving after the bodies" sh -c "timeout 10 curl -sf '$HTTP_URL/f.txt' >/dev/null"
ok "stops cleanly on SIGTERM" http_stop

# The deadline of a whole request.
http_start "$d/root" 'request_timeout = 2;' || { echo "not ok - server failed"; exit 1; }
out=$(raw trickle)
check "a request trickling in is closed at the 2 s deadline ($out)" \
	$(case $out in "closed 2" | "closed 3") echo 0 ;; *) echo 1 ;; esac)
is "a slow request whole within the deadline is served" "$(raw prompt)" "HTTP/1.1 200 OK"
ok "stops cleanly on SIGTERM (deadline)" http_stop
tap_done
