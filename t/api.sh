#!/bin/bash
# api.sh - seeing every boot through a running pxebootd: files fetched over
# TFTP (curl) and HTTP become one client's timeline, in order; the JSON API
# (clients, timeline, leases, config), the Prometheus metrics (checked by a
# strict parser of the text format, and by promtool when installed), the
# status page (HTML-escaped names, no JavaScript), the token on writes, and
# the API's namespace kept apart from the files.
. "$top_srcdir/t/lib/common.sh"
command -v curl >/dev/null || tap_skip_all "curl is not installed"
command -v python3 >/dev/null || tap_skip_all "python3 is not installed"
curl -V | grep -qw tftp || tap_skip_all "curl has no TFTP"
[ -f "$PXB_PLUGIN_DIR/http.so" ] || tap_skip_all "the http plugin is not built"
d=$(scratch_dir)
root="$d/root"
mkdir -p "$root/boot/x" "$root/_pxeboot"
head -c 100000 /dev/urandom >"$root/undionly.kpxe"
echo kernel >"$root/boot/x/vmlinuz"
echo "not for the API" >"$root/_pxeboot/clients"

conf() { # conf HTTP-PORT TFTP-PORT
	cat <<CONF
plugins = ["http", "ipxe"];
state_dir = "$d/state";
tftp = { root = "$root"; listen = "127.0.0.1:$2"; };
http = { root = "$root"; listen = "127.0.0.1:$1"; api_token = "s3cret-token"; };
entries = ( { id = "rescue"; kind = "linux"; kernel = "/boot/x/vmlinuz"; } );
CONF
}
start_on_free_ports "$d/log" "$d/conf" conf
check "pxebootd started" $?
hp=$HP tp=$TP
U="http://127.0.0.1:$hp"
A="$U/_pxeboot"

# A boot, as far as this host can play it: loader over TFTP, menu and kernel
# over HTTP, then the root image is missing.
timeout 20 curl -s -o "$d/got" "tftp://127.0.0.1:$tp/undionly.kpxe"
check "TFTP: undionly.kpxe fetched" $(cmp -s "$d/got" "$root/undionly.kpxe"; echo $?)
check "HTTP: the menu" $([ "$(curl -s -o /dev/null -w '%{http_code}' "$U/menu.ipxe")" = 200 ]; echo $?)
check "HTTP: the kernel" $([ "$(curl -s -o /dev/null -w '%{http_code}' "$U/boot/x/vmlinuz")" = 200 ]; echo $?)
curl -s -o /dev/null "$U/boot/%3Cscript%3Ealert(1)%3C/script%3E&.bin"
check "HTTP: the root image is missing (404)" \
	$([ "$(curl -s -o /dev/null -w '%{http_code}' "$U/boot/x/airootfs.sfs")" = 404 ]; echo $?)

# ---- clients and timeline ----
curl -s "$A/clients" >"$d/clients.json"
python3 - "$d/clients.json" >"$d/clients.check" 2>&1 <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["clients"]
assert len(c) == 1, c
c = c[0]
assert c["id"] == "127.0.0.1" and c["addr"] == "127.0.0.1" and c["mac"] is None, c
assert c["state"] == "failed", c
assert c["cause"] == "HTTP 404 for /boot/x/airootfs.sfs: the root image is missing", c
assert c["entry"] == "rescue", c
print("ok")
PY
check "GET clients: one client, failed at the missing root image$(sed 's/^/; /' "$d/clients.check" | tail -1)" \
	$(grep -qx ok "$d/clients.check"; echo $?)
curl -s "$A/timeline/127.0.0.1" >"$d/tl.json"
python3 - "$d/tl.json" >"$d/tl.check" 2>&1 <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
kinds = [s["kind"] for s in t["steps"]]
want = ["tftp-request", "tftp-done", "menu", "http", "http", "http", "root-image", "http"]
assert kinds == want, kinds
stages = [s["stage"] for s in t["steps"]]
assert stages[2] == "menu" and stages[4] == "kernel" and stages[6] == "root image", stages
offs = [s["offset_ms"] for s in t["steps"]]
assert offs == sorted(offs) and offs[0] == 0, offs
assert t["steps"][1]["text"].startswith("TFTP sent undionly.kpxe: 100000 bytes"), t["steps"][1]
print("ok")
PY
check "GET timeline: every step in order, with stages$(sed 's/^/; /' "$d/tl.check" | tail -1)" \
	$(grep -qx ok "$d/tl.check"; echo $?)
"$top_builddir/daemon/pxebootctl" -s "$A" timeline 127.0.0.1 >"$d/tl.txt" 2>&1
check "pxebootctl timeline: the text, and where it stopped" \
	$(grep -q "^state: failed" "$d/tl.txt" && grep -q "root image is missing" "$d/tl.txt"; echo $?)
sed 's/^/#   /' "$d/tl.txt"
"$top_builddir/daemon/pxebootctl" -s "$A" clients >"$d/cl.txt" 2>&1
check "pxebootctl clients: one line" $([ "$(wc -l <"$d/cl.txt")" -eq 1 ] && grep -q "^127.0.0.1 " "$d/cl.txt"; echo $?)
check "timeline of an unknown client: 404" \
	$([ "$(curl -s -o /dev/null -w '%{http_code}' "$A/timeline/52:54:00:00:00:01")" = 404 ]; echo $?)
"$top_builddir/daemon/pxebootctl" -s "$A" timeline 52:54:00:00:00:01 >/dev/null 2>&1
check "pxebootctl exits 1 on a 404" $([ $? -eq 1 ]; echo $?)

# ---- metrics ----
curl -s -D "$d/mh" "$A/metrics" >"$d/metrics"
check "metrics: Prometheus text content type" \
	$(grep -qi '^content-type: text/plain; version=0.0.4' "$d/mh"; echo $?)
python3 - "$d/metrics" >"$d/m.check" 2>&1 <<'PY'
# A strict reader of the text exposition format 0.0.4.
import re, sys
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
lname = r"[a-zA-Z_][a-zA-Z0-9_]*"
lval = r'"(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r"^(%s)(\{(%s=%s(,%s=%s)*)?\})? ([^ ]+)( -?[0-9]+)?$" % (name, lname, lval, lname, lval))
types, helps, seen, done, series = {}, {}, [], set(), {}
cur = None
text = open(sys.argv[1]).read()
assert text.endswith("\n"), "no final newline"
for n, line in enumerate(text.split("\n")[:-1], 1):
    if line.startswith("# HELP "):
        m = re.match(r"^# HELP (%s) (.*)$" % name, line)
        assert m, "bad HELP at %d: %r" % (n, line)
        assert m.group(1) not in helps, "second HELP for %s" % m.group(1)
        assert not re.search(r"\\[^\\n]", m.group(2)), "bad escape in HELP at %d" % n
        helps[m.group(1)] = m.group(2)
        continue
    if line.startswith("# TYPE "):
        m = re.match(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % name, line)
        assert m, "bad TYPE at %d: %r" % (n, line)
        f = m.group(1)
        assert f not in types and f not in done, "TYPE after samples or twice: %s" % f
        types[f] = m.group(2)
        if cur and cur != f:
            done.add(cur)
        cur = f
        continue
    assert not line.startswith("#") or line.startswith("# "), "bad comment at %d" % n
    if line.startswith("#") or line == "":
        continue
    m = sample.match(line)
    assert m, "bad sample at %d: %r" % (n, line)
    f = m.group(1)
    assert f in types, "sample before its TYPE: %s" % f
    assert f == cur, "samples of %s not together" % f
    v = m.group(5)
    assert re.match(r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?Inf|NaN)$", v), "bad value %r" % v
    if types[f] == "counter":
        assert f.endswith("_total"), "counter %s does not end in _total" % f
        assert float(v) >= 0, "negative counter"
    key = (f, m.group(3) or "")
    assert key not in series, "duplicate series %r" % (key,)
    series[key] = float(v)
def get(f, labels=""):
    return series.get((f, labels))
assert get("pxeboot_bytes_served_total", 'protocol="tftp"') == 100000, series
assert get("pxeboot_tftp_transfers_total", 'result="done"') == 1, series
assert get("pxeboot_http_responses_total", 'code="404"') == 2, series
assert get("pxeboot_menus_rendered_total", 'format="ipxe"') == 1, series
assert get("pxeboot_tftp_transfers_active") == 0, series
assert get("pxeboot_clients_seen") == 1, series
print("ok %d series in %d families" % (len(series), len(types)))
PY
check "metrics: strict text-format check and values ($(tail -1 "$d/m.check"))" \
	$(grep -q "^ok " "$d/m.check"; echo $?)
promtool=$(command -v promtool || echo "${PXB_CACHE:-/var/cache/pxeboot-test}/promtool/usr/bin/promtool")
if [ -x "$promtool" ]; then
	"$promtool" check metrics <"$d/metrics" >"$d/promtool" 2>&1
	check "promtool check metrics" $?
	sed 's/^/#   /' "$d/promtool"
else
	diag "promtool not installed: only the built-in checker ran"
fi
"$top_builddir/daemon/pxebootctl" -s "$A" metrics | cmp -s - "$d/metrics"
check "pxebootctl metrics" $?

# ---- status page ----
curl -s -D "$d/sh" "$A/status" >"$d/status.html"
check "status: HTML" $(grep -qi '^content-type: text/html' "$d/sh"; echo $?)
check "status: the hostile name is escaped" \
	$(grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;&amp;.bin' "$d/status.html"; echo $?)
check "status: no script element at all" $(! grep -qi '<script' "$d/status.html"; echo $?)
check "status: lists the client and its cause" \
	$(grep -q '127.0.0.1' "$d/status.html" && grep -q 'root image is missing' "$d/status.html"; echo $?)

# ---- the rest of the API ----
check "leases: 404 without DHCP" \
	$([ "$(curl -s -o /dev/null -w '%{http_code}' "$A/leases")" = 404 ]; echo $?)
curl -s "$A/config" >"$d/config.json"
check "config check: ok" $(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); sys.exit(0 if c["ok"] and c["problems"] == [] else 1)' "$d/config.json"; echo $?)
echo 'http = { bogus = 1; };' >>"$d/conf"
curl -s "$A/config" >"$d/config2.json"
check "config check: a broken file is reported" \
	$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); sys.exit(0 if not c["ok"] and c["problems"] else 1)' "$d/config2.json"; echo $?)
check "a file under the API prefix is not served" \
	$(! curl -s "$A/clients" | grep -q "not for the API"; echo $?)
check "unknown API resource: 404" \
	$([ "$(curl -s -o /dev/null -w '%{http_code}' "$A/nothing")" = 404 ]; echo $?)
check "POST to the API: 405" \
	$([ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$A/clients")" = 405 ]; echo $?)
check "DELETE without the token: 401" \
	$([ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$A/timeline/127.0.0.1")" = 401 ]; echo $?)
check "DELETE with a wrong token: 401" \
	$([ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H 'Authorization: Bearer s3cret-tokeN' "$A/timeline/127.0.0.1")" = 401 ]; echo $?)
"$top_builddir/daemon/pxebootctl" -s "$A" -t s3cret-token forget 127.0.0.1 >/dev/null
check "pxebootctl forget with the token" $?
check "the client is gone" $(curl -s "$A/clients" | grep -q '"clients":\[\]'; echo $?)
check "API requests are not events" $(! grep -q '_pxeboot' "$d/tl.txt"; echo $?)
kill -TERM "$PXBD_PID"
check "stops cleanly" $(timeout 10 tail --pid="$PXBD_PID" -f /dev/null; echo $?)
tap_done
