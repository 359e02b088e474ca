#!/bin/bash
# status_page.sh - the status page (PREFIX/status) as a browser shows it: a
# pxebootd with the http plugin sees a TFTP fetch (curl) and HTTP GETs, one
# of a file whose name is markup; Debian's headless Chromium then renders
# the page. Its DOM must list the client and the steps of its timeline,
# hold the hostile name as text (no element injected, no script anywhere),
# and the screenshot must be a real picture. The screenshot is kept as
# t/status_page.png in the build directory; a diagnostic line names it.
. "$top_srcdir/t/lib/common.sh"
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || tap_skip_all "chromium is not installed ($chromium)"
command -v curl >/dev/null || tap_skip_all "curl is not installed"
command -v python3 >/dev/null || tap_skip_all "python3 is not installed"
curl -V | grep -qw tftp || tap_skip_all "curl has no TFTP"
[ -f "$PXB_PLUGIN_DIR/http.so" ] || tap_skip_all "the http plugin is not built"
d=$(scratch_dir)
root="$d/root"
# The name as the page must show it: "/boot/<script>alert(1)</script>.bin",
# a directory and a file, and a file named as an element with an entity.
evil_dir='<script>alert(1)<'
evil_img='<img src=x onerror=alert(2)>&amp;.bin'
mkdir -p "$root/boot/x" "$root/boot/$evil_dir"
head -c 50000 /dev/urandom >"$root/undionly.kpxe"
echo kernel >"$root/boot/x/vmlinuz"
echo evil >"$root/boot/$evil_dir/script>.bin"
echo evil >"$root/boot/$evil_img"

conf() { # conf HTTP-PORT TFTP-PORT
	cat <<CONF
plugins = ["http", "ipxe"];
state_dir = "$d/state";
tftp = { root = "$root"; listen = "127.0.0.1:$2"; };
http = { root = "$root"; listen = "127.0.0.1:$1"; };
entries = ( { id = "rescue"; kind = "linux"; kernel = "/boot/x/vmlinuz"; } );
CONF
}
start_on_free_ports "$d/log" "$d/conf" conf
check "pxebootd started" $?
hp=$HP tp=$TP
U="http://127.0.0.1:$hp"
A="$U/_pxeboot"

code() { timeout 20 curl -s -o /dev/null -w '%{http_code}' "$@"; }
timeout 20 curl -s -o "$d/got" "tftp://127.0.0.1:$tp/undionly.kpxe"
check "TFTP: undionly.kpxe fetched" $(cmp -s "$d/got" "$root/undionly.kpxe"; echo $?)
check "HTTP: the menu" $([ "$(code "$U/menu.ipxe")" = 200 ]; echo $?)
check "HTTP: the kernel" $([ "$(code "$U/boot/x/vmlinuz")" = 200 ]; echo $?)
check "HTTP: a file named <script>alert(1)</script>.bin" \
	$([ "$(code "$U/boot/%3Cscript%3Ealert(1)%3C/script%3E.bin")" = 200 ]; echo $?)
check "HTTP: a file named as an <img> element" \
	$([ "$(code "$U/boot/%3Cimg%20src=x%20onerror=alert(2)%3E%26amp%3B.bin")" = 200 ]; echo $?)
check "HTTP: a missing file (404)" $([ "$(code "$U/boot/x/initrd.img")" = 404 ]; echo $?)

timeout 20 curl -s "$A/status" >"$d/status.html"
check "the page as served has no script element" $(! grep -qi '<script' "$d/status.html"; echo $?)

# ---- the browser ----
shot="$top_builddir/t/status_page.png"
mkdir -p "$top_builddir/t" "$d/home"
rm -f "$shot"
browse() { # browse LOG ARGS...: one headless Chromium run, bounded
	local log=$1; shift
	HOME="$d/home" timeout -k 5 60 "$chromium" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir="$(mktemp -d "$d/profile.XXXXXX")" \
		--window-size=1200,900 "$@" "$A/status" 2>"$log"
}
browse "$d/dom.err" --dump-dom >"$d/dom.html"
check "chromium: the DOM dumped" $([ -s "$d/dom.html" ]; echo $?)
[ -s "$d/dom.html" ] || sed 's/^/#   /' "$d/dom.err" | tail -20
browse "$d/shot.err" --screenshot="$shot" >/dev/null
check "chromium: the screenshot taken" $([ -f "$shot" ]; echo $?)
[ -f "$shot" ] || sed 's/^/#   /' "$d/shot.err" | tail -20

# The DOM as Chromium built it: elements and text, read back by a parser.
python3 - "$d/dom.html" >"$d/dom.check" 2>&1 <<'PY'
import sys
from html.parser import HTMLParser

class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text, self.cells, self.pres, self.h2 = [], [], [], [], []
        self.stack = []
    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self.stack.append(tag)
    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass
    def handle_data(self, data):
        self.text.append(data)
        where = self.stack[-1] if self.stack else ""
        if where in ("td", "a"):
            self.cells.append(data)
        elif where == "pre":
            self.pres.append(data)
        elif where == "h2":
            self.h2.append(data)

p = Page()
p.feed(open(sys.argv[1], encoding="utf-8").read())
names = [t for t, _ in p.tags]
bad = [t for t in names if t in ("script", "img", "iframe", "object", "embed")]
assert not bad, "elements injected: %r" % bad
assert not any(k.startswith("on") for _, a in p.tags for k, _ in a), "an event handler attribute"
assert "table" in names and "pre" in names, names
assert "127.0.0.1" in p.cells, "the client is not in the table: %r" % p.cells[:20]
assert "127.0.0.1" in p.h2, "no timeline heading for the client: %r" % p.h2
pre = "".join(p.pres)
steps = [l for l in pre.split("\n") if l.startswith("+")]
assert len(steps) >= 6, "timeline steps: %r" % steps
want = ["TFTP", "menu", "vmlinuz", "<script>alert(1)</script>.bin",
        "<img src=x onerror=alert(2)>&amp;.bin", "initrd.img"]
for w in want:
    assert any(w in l for l in steps), "no step mentions %r: %r" % (w, steps)
assert "state: " in pre, pre
print("ok %d steps, %d elements" % (len(steps), len(names)))
PY
check "DOM: the client, its timeline steps, the hostile names as text ($(tail -1 "$d/dom.check"))" \
	$(grep -q "^ok " "$d/dom.check"; echo $?)
grep -q "^ok " "$d/dom.check" || sed 's/^/#   /' "$d/dom.check"
check "DOM: the names escaped in the serialization" \
	$(grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;.bin' "$d/dom.html" &&
	  grep -qF '&lt;img src=x onerror=alert(2)&gt;&amp;amp;.bin' "$d/dom.html"; echo $?)
check "DOM: no script element" $(! grep -qi '<script' "$d/dom.html"; echo $?)

# The screenshot: a PNG of the window's size with more than one colour in it.
python3 - "$shot" >"$d/png.check" 2>&1 <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype = ihdr[:4]
assert (w, h) == (1200, 900), (w, h)
raw = zlib.decompress(idat)
bpp = {2: 3, 6: 4, 0: 1, 4: 2}[ctype] * depth // 8
stride = 1 + w * bpp
# Filter bytes aside, count distinct bytes in the top part of the page (the text).
px = set()
for y in range(min(h, 300)):
    px.update(raw[y * stride + 1:(y + 1) * stride])
assert len(px) > 8, "a blank picture: %d byte values" % len(px)
print("ok %dx%d, %d bytes" % (w, h, len(data)))
PY
size=$(stat -c %s "$shot" 2>/dev/null || echo 0)
check "screenshot: a ${size}-byte PNG, 1200x900, not blank ($(tail -1 "$d/png.check"))" \
	$([ "$size" -gt 5000 ] && grep -q "^ok " "$d/png.check"; echo $?)
diag "screenshot: $(cd "$(dirname "$shot")" && pwd)/$(basename "$shot") ($size bytes)"

kill -TERM "$PXBD_PID"
check "stops cleanly" $(timeout 10 tail --pid="$PXBD_PID" -f /dev/null; echo $?)
tap_done
