#!/bin/bash
# http_noloop.sh - a host without an event loop: the plugin runs
# libmicrohttpd's own polling thread, says so, and still serves files,
# ranges and generated files, and stops cleanly.
. "$top_srcdir/t/http_lib.sh"

[ "$HTTP_SERVER" = host ] || tap_skip_all "only the test host can run without a loop"
d=$(scratch_dir)
mkdir -p "$d/root/boot"
head -c 100000 /dev/urandom >"$d/root/boot/f.bin"

HTTP_HOST_FLAGS=-n
http_start "$d/root" 'listing = ["/boot"]; access_log = false;' ||
	{ echo "1..0 # SKIP server failed"; exit 1; }

ok "says it runs its own thread" grep -q "no event loop: libmicrohttpd runs its own polling thread" "$HTTP_LOG"
timeout 30 curl -sf "$HTTP_URL/boot/f.bin" | cmp -s - "$d/root/boot/f.bin"
check "file is byte-identical" $?
is "range" "$(http_status /boot/f.bin -r 5-9)" 206
is "listing" "$(http_status /boot/)" 200
ok "generated file" sh -c "curl -s '$HTTP_URL/menu.txt?mac=52:54:00:12:34:56' | grep -q mac=52:54:00:12:34:56"
ok "access_log = false: no request lines" sh -c "! grep -q 'GET /boot/f.bin' '$HTTP_LOG'"
ok "stops cleanly on SIGTERM" http_stop
tap_done
