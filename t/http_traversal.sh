#!/bin/bash
# http_traversal.sh - nothing outside http.root is ever served: "..",
# encoded dots, encoded slashes and NULs, backslashes, absolute-form targets,
# absolute and relative symlinks leading out, double encoding. Every
# refusal is logged and the secret's bytes never appear in a response.
#
# Decisions: ".." that climbs above the root is 403; "%2f" (an encoded '/')
# and "%00" are 400, since no name in the namespace holds them; '\' and
# "%5c" are separators, as old PXE clients send them.
. "$top_srcdir/t/http_lib.sh"

d=$(scratch_dir)
root="$d/root"
mkdir -p "$root/boot/deep/er"
echo "TOPSECRET-4f1c" >"$d/secret.txt"
mkdir -p "$d/outside"
echo "TOPSECRET-4f1c" >"$d/outside/inner.txt"
echo "boot file" >"$root/boot/ok.txt"
echo "top" >"$root/top.txt"
ln -s "$d/secret.txt" "$root/abs_link"
ln -s ../secret.txt "$root/rel_link"
ln -s ../../secret.txt "$root/boot/rel_link2"
ln -s "$d/outside" "$root/boot/dirlink"
ln -s boot/ok.txt "$root/ok_link"
ln -s ../top.txt "$root/boot/up_link"

http_start "$root" 'listing = ["/boot"];' || { echo "1..0 # SKIP server failed"; exit 1; }

: >"$d/bodies"
# refused TARGET STATUS: the raw target gets STATUS.
refused() {
	local resp
	resp=$(http_raw "$1")
	printf '%s\n' "$resp" >>"$d/bodies"
	is "$1 -> $2" "$(printf '%s\n' "$resp" | head -n 1 | awk '{print $2}')" "$2"
}

# ---- dot segments ----
refused '/../secret.txt' 403
refused '/boot/../../secret.txt' 403
refused '/boot/deep/er/../../../../secret.txt' 403
refused '/./../secret.txt' 403
refused '/%2e%2e/secret.txt' 403
refused '/%2E%2E/%2E%2E/etc/passwd' 403
refused '/boot/%2e%2e/%2e%2e/secret.txt' 403
refused '/.%2e/secret.txt' 403
refused '/%2e./secret.txt' 403
refused 'http://evil/../secret.txt' 403
is "'..' that stays inside is fine" "$(http_raw_status '/boot/../top.txt')" 200
is "'.' segments are fine" "$(http_raw_status '/./boot/./ok.txt')" 200

# ---- encoded slashes and NULs ----
refused '/boot%2fok.txt' 400
refused '/boot%2F..%2F..%2Fsecret.txt' 400
refused '/..%2fsecret.txt' 400
refused '/top.txt%00' 400
refused '/top.txt%00.png' 400
refused '/%00' 400
refused '/top.txt%0a' 400
refused '/bad%zz' 400
refused '/bad%' 400

# ---- backslashes ----
refused '/..\secret.txt' 403
refused '/boot\..\..\secret.txt' 403
refused '/..%5csecret.txt' 403
refused '/%5c..%5c..%5csecret.txt' 403
is "backslash as a separator inside the root" "$(http_raw_status '/boot\ok.txt')" 200
is "%5c as a separator inside the root" "$(http_raw_status '/boot%5cok.txt')" 200

# ---- symlinks ----
refused '/abs_link' 403
refused '/rel_link' 403
refused '/boot/rel_link2' 403
refused '/boot/dirlink/inner.txt' 403
refused '/boot/dirlink/' 403
is "a symlink inside the root is followed" "$(http_raw_status '/ok_link')" 200
is "a relative symlink staying inside is followed" "$(http_raw_status '/boot/up_link')" 200

# ---- double encoding is decoded once ----
refused '/%252e%252e/secret.txt' 404
refused '/boot%252fok.txt' 404

# ---- nothing leaked ----
ok "the secret never appears in a response" sh -c "! grep -q TOPSECRET '$d/bodies'"
ok "the listing does not follow a symlink out" sh -c "! curl -s '$HTTP_URL/boot/' | grep -q inner.txt"
ok "responses do not reveal local paths" sh -c "! grep -qF '$d' '$d/bodies'"
ok "refusals are logged" grep -q "refused 127.0.0.1 /../secret.txt: climbs above the root" "$HTTP_LOG"
ok "encoded slash refusals are logged" grep -q "refused 127.0.0.1 /boot%2fok.txt: malformed path" "$HTTP_LOG"
ok "symlink refusals are logged" grep -q "refused 127.0.0.1 /abs_link: not a file, or outside the root" "$HTTP_LOG"
ok "still serving" sh -c "curl -sf '$HTTP_URL/top.txt' >/dev/null"
ok "stops cleanly on SIGTERM" http_stop
tap_done
