#!/bin/bash
# http_serve.sh - the HTTP plugin against curl and wget: byte-identical
# downloads (0 B, 1 B, 1 MiB, a 300 MiB sparse file), HEAD, one Range,
# 403/404/405/416, conditional requests (304), listings on and off,
# redirects of directories, a generated file made for the client,
# keep-alive, oversized headers, the access log and a clean stop.
. "$top_srcdir/t/http_lib.sh"

d=$(scratch_dir)
root="$d/root"
mkdir -p "$root/boot/sub" "$root/nolist"
: >"$root/boot/empty"
printf 'x' >"$root/boot/one"
head -c 1048576 /dev/urandom >"$root/boot/1m.bin"
truncate -s 300M "$root/boot/big.img"
# marks at the start, the middle and the end of the sparse file
printf 'START' | dd of="$root/boot/big.img" conv=notrunc status=none
printf 'MIDDLE' | dd of="$root/boot/big.img" bs=1 seek=157286400 conv=notrunc status=none
printf 'END!' | dd of="$root/boot/big.img" bs=1 seek=314572796 conv=notrunc status=none
echo "kernel args" >"$root/boot/menu.cfg"
echo "odd" >"$root/boot/a b&<c>.txt"
echo "in sub" >"$root/boot/sub/file.txt"
echo "top" >"$root/top.txt"
echo "hidden" >"$root/nolist/x.txt"

http_start "$root" 'listing = ["/boot"];' || { echo "1..0 # SKIP server failed"; exit 1; }

# ---- downloads ----
for f in empty one 1m.bin big.img; do
	timeout 120 curl -sf "$HTTP_URL/boot/$f" | cmp -s - "$root/boot/$f"
	check "curl: /boot/$f is byte-identical" $?
done
if command -v wget >/dev/null; then
	for f in empty one 1m.bin big.img; do
		timeout 120 wget -q -O - "$HTTP_URL/boot/$f" | cmp -s - "$root/boot/$f"
		check "wget: /boot/$f is byte-identical" $?
	done
else
	diag "wget not installed: its downloads are not tested"
fi

# ---- HEAD ----
for f in empty one 1m.bin big.img; do
	is "HEAD /boot/$f: Content-Length" "$(http_header Content-Length "/boot/$f" -I)" \
		"$(stat -c %s "$root/boot/$f")"
done
is "HEAD sends no body" "$(timeout 10 curl -s -I "$HTTP_URL/boot/one" | tr -d '\r' | sed '1,/^$/d' | wc -c)" 0
is "Accept-Ranges: bytes" "$(http_header Accept-Ranges /boot/one -I)" "bytes"
is "Content-Type from the name" "$(http_header Content-Type /boot/menu.cfg -I)" \
	"text/plain; charset=utf-8"

# ---- Range ----
# range_is NAME FILE RANGE START LENGTH: 206, Content-Range, and the bytes.
range_is() {
	local name=$1 f=$2 r=$3 start=$4 len=$5 size got
	size=$(stat -c %s "$root/boot/$f")
	is "$name: 206" "$(http_status "/boot/$f" -r "$r")" 206
	is "$name: Content-Range" "$(http_header Content-Range "/boot/$f" -r "$r")" \
		"bytes $start-$((start + len - 1))/$size"
	got=$(timeout 30 curl -s -r "$r" "$HTTP_URL/boot/$f" | od -An -tx1 | tr -d ' \n')
	is "$name: bytes" "$got" \
		"$(tail -c +$((start + 1)) "$root/boot/$f" | head -c "$len" | od -An -tx1 | tr -d ' \n')"
}
range_is "first byte" 1m.bin 0-0 0 1
range_is "last byte" 1m.bin 1048575-1048575 1048575 1
range_is "middle bytes" 1m.bin 1000-1999 1000 1000
range_is "suffix range" 1m.bin -100 1048476 100
range_is "open-ended" 1m.bin 1048000- 1048000 576
range_is "end clamped" 1m.bin 1048570-2000000 1048570 6
range_is "one-byte file" one 0- 0 1
range_is "big file start" big.img 0-4 0 5
range_is "big file middle" big.img 157286400-157286405 157286400 6
range_is "big file end" big.img -4 314572796 4
is "multiple ranges: whole file, 200" "$(http_status /boot/1m.bin -r 0-1,5-6)" 200
is "multiple ranges: full length" \
	"$(timeout 10 curl -s -r 0-1,5-6 "$HTTP_URL/boot/1m.bin" | wc -c)" 1048576
is "malformed range ignored" "$(http_status /boot/1m.bin -H 'Range: bytes=9-1')" 200
is "416 past the end" "$(http_status /boot/1m.bin -r 1048576-)" 416
is "416 Content-Range" "$(http_header Content-Range /boot/1m.bin -r 1048576-)" "bytes */1048576"
is "416 on an empty file" "$(http_status /boot/empty -r 0-)" 416
is "HEAD with Range: 206" "$(http_status /boot/1m.bin -I -r 10-19)" 206
is "HEAD with Range: length" "$(http_header Content-Length /boot/1m.bin -I -r 10-19)" 10

# ---- errors ----
is "404 for a missing file" "$(http_status /boot/nothere)" 404
is "404 for a file under a file" "$(http_status /boot/one/x)" 404
is "404 for a file named as a directory" "$(http_status /boot/one/)" 404
is "403 for the root without listing" "$(http_status /)" 403
is "403 for a directory without listing" "$(http_status /nolist/)" 403
is "403 for a directory without listing (no slash)" "$(http_status /nolist)" 403
is "405 for POST" "$(http_status /boot/one -X POST -d x=1)" 405
is "405 says Allow" "$(http_header Allow /boot/one -X DELETE)" "GET, HEAD"
is "file at the root served" "$(timeout 10 curl -s "$HTTP_URL/top.txt")" top

# ---- conditional requests ----
lm=$(http_header Last-Modified /boot/1m.bin)
etag=$(http_header ETag /boot/1m.bin)
is "ETag is size-mtime" "$etag" "\"100000-$(printf %x "$(stat -c %Y "$root/boot/1m.bin")")\""
is "304 for If-Modified-Since = Last-Modified" \
	"$(http_status /boot/1m.bin -H "If-Modified-Since: $lm")" 304
is "304 has no body" "$(timeout 10 curl -s -H "If-Modified-Since: $lm" "$HTTP_URL/boot/1m.bin" | wc -c)" 0
is "200 for an older If-Modified-Since" \
	"$(http_status /boot/1m.bin -H 'If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT')" 200
is "200 for a malformed If-Modified-Since" \
	"$(http_status /boot/1m.bin -H 'If-Modified-Since: yesterday')" 200
is "304 for If-None-Match" "$(http_status /boot/1m.bin -H "If-None-Match: $etag")" 304
is "200 for another If-None-Match" "$(http_status /boot/1m.bin -H 'If-None-Match: "0-0"')" 200
is "If-None-Match wins over If-Modified-Since" \
	"$(http_status /boot/1m.bin -H 'If-None-Match: "0-0"' -H "If-Modified-Since: $lm")" 200
is "If-Range that matches: 206" "$(http_status /boot/1m.bin -r 0-9 -H "If-Range: $etag")" 206
is "If-Range that does not: 200" "$(http_status /boot/1m.bin -r 0-9 -H 'If-Range: "0-0"')" 200

# ---- listings ----
timeout 10 curl -s "$HTTP_URL/boot/" >"$d/index"
is "listing of /boot/: 200" "$(http_status /boot/)" 200
is "listing is HTML" "$(http_header Content-Type /boot/)" "text/html; charset=utf-8"
ok "listing names are HTML-escaped" grep -qF '>a b&amp;&lt;c&gt;.txt</a>' "$d/index"
ok "listing hrefs are URL-encoded" grep -qF 'href="a%20b%26%3Cc%3E.txt"' "$d/index"
ok "listing shows sizes" grep -qF '<a href="1m.bin">1m.bin</a></td><td align="right">1048576</td>' "$d/index"
ok "listing marks directories" grep -qF '<a href="sub/">sub/</a>' "$d/index"
names=$(grep -o 'href="[^"]*"' "$d/index" | sed 's/href="//; s/"$//' | grep -v '^\.\./$')
is "listing is sorted" "$names" "$(printf '%s\n' $names | LC_ALL=C sort)"
is "a directory without '/' redirects: 301" "$(http_status /boot)" 301
is "the redirect adds the slash" "$(http_header Location /boot)" "/boot/"
is "an encoded name from the listing is served" "$(http_status '/boot/a%20b%26%3Cc%3E.txt')" 200
is "subdirectory listed" "$(http_status /boot/sub/)" 200
ok "subdirectory listing holds its file" sh -c "curl -s '$HTTP_URL/boot/sub/' | grep -qF 'file.txt'"

# ---- a generated file, made for the client (t/http_host mounts /menu.txt) ----
if [ "$HTTP_SERVER" = host ]; then
	menu=$(timeout 10 curl -s "$HTTP_URL/menu.txt?mac=52:54:00:12:34:56&arch=x86_64-efi")
	ok "generated file gets the MAC from the query" sh -c "echo '$menu' | grep -q 'mac=52:54:00:12:34:56'"
	ok "generated file gets the arch from the query" sh -c "echo '$menu' | grep -q 'arch=7'"
	ok "generated file gets our address and port" \
		sh -c "echo '$menu' | grep -q 'server=127.0.0.1 port=$HTTP_PORT'"
	ok "generated file gets the client's address" sh -c "echo '$menu' | grep -q 'ip=127.0.0.1'"
	is "without a query, the client is found by address" \
		"$(timeout 10 curl -s "$HTTP_URL/menu.txt" | cut -d' ' -f1)" "mac=52:54:00:aa:bb:cc"
	is "generated files are not cached" "$(http_header Cache-Control '/menu.txt?mac=52:54:00:12:34:56')" \
		"no-store"
	is "generated files have no ETag" "$(http_header ETag /menu.txt)" ""
fi

# ---- connections ----
ok "keep-alive: a second request reuses the connection" \
	sh -c "timeout 10 curl -sv -o /dev/null -o /dev/null '$HTTP_URL/boot/one' '$HTTP_URL/top.txt' 2>&1 | grep -q 'Re-using existing connection'"
big=$(head -c 20000 /dev/zero | tr '\0' a)
st=$(http_status /boot/one -H "X-Big: $big")
check "oversized header refused with 4xx ($st)" $([ "${st:0:1}" = 4 ]; echo $?)
is "a header within the limit is fine" "$(http_status /boot/one -H "X-Ok: ${big:0:6000}")" 200
is "a malformed header line gets 400" "$(http_raw_status /boot/one GET 'NoColonHere')" 400
is "an unknown HTTP version gets 505" \
	"$(printf 'GET / HTTP/9.9\r\n\r\n' | timeout 10 curl -s telnet://127.0.0.1:$HTTP_PORT | head -n 1 | awk '{print $2}')" 505
printf '\001\002\003garbage\r\n\r\n' | timeout 10 curl -s telnet://127.0.0.1:$HTTP_PORT >/dev/null
is "a target that is not a path gets 400" "$(http_raw_status 'nothing')" 400
is "OPTIONS * gets 405" "$(http_raw_status '*' OPTIONS)" 405
ok "still serving after the bad requests" sh -c "curl -sf '$HTTP_URL/boot/one' >/dev/null"

# ---- access log ----
ok "access log: one line per request" \
	grep -qE "http: 127\.0\.0\.1 GET /boot/one 200 1 [0-9]+ms$" "$HTTP_LOG"
ok "access log: HEAD has no bytes" grep -qE "http: 127\.0\.0\.1 HEAD /boot/1m\.bin 200 0 [0-9]+ms$" "$HTTP_LOG"
ok "access log: ranges" grep -qE "http: 127\.0\.0\.1 GET /boot/1m\.bin 206 1000 [0-9]+ms$" "$HTTP_LOG"
ok "access log: the big file" grep -qE "http: 127\.0\.0\.1 GET /boot/big\.img 200 314572800 [0-9]+ms$" "$HTTP_LOG"
ok "access log: the path as requested" grep -qF "GET /boot/a%20b%26%3Cc%3E.txt 200 4 " "$HTTP_LOG"
ok "access log: query not logged" sh -c "! grep -q 'mac=52:54:00:12:34:56' '$HTTP_LOG'"

ok "stops cleanly on SIGTERM" http_stop
tap_done
