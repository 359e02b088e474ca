#!/bin/bash
# plugin_check.sh - pxebootd -t asks each plugin's check hook what its init
# would refuse in its settings: every such value fails -t with file:line and
# the setting's name, and makes the daemon refuse to start with the same words.
. "$top_srcdir/t/lib/common.sh"
# Under the sanitizers, LeakSanitizer's tracer itself sometimes crashes at the
# exit of a process that loaded libpq (pgsql.so), "Tracer caught signal 11",
# which would turn -t's exit status 1 into 134: the -t runs here check
# exit statuses and messages, so leak checking is off for them only.
check_conf() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$PXEBOOTD" -t "$@"; }
d=$(scratch_dir)
mkdir -p "$d/state"

# refuses NAME CONF PATTERN...: -t exits 1 naming each PATTERN (grep -E), and
# the daemon, started on CONF, exits non-zero (not by timeout) saying the same.
refuses() {
	local name=$1 conf=$2 pat rc; shift 2
	check_conf -P "$PXB_PLUGIN_DIR" -c "$conf" -o allow_root=true >"$d/out" 2>&1
	rc=$?
	check "-t refuses $name" $([ $rc -eq 1 ]; echo $?)
	for pat in "$@"; do
		ok "-t says: $pat" grep -qE "$pat" "$d/out"
	done
	timeout 20 "$PXEBOOTD" -f -P "$PXB_PLUGIN_DIR" -c "$conf" -o allow_root=true \
		-o state_dir="$d/state" -o tftp.listen=127.0.0.1:16969 \
		-o http.listen=127.0.0.1:16980 >"$d/log" 2>&1
	rc=$?
	check "the daemon refuses to start with $name" $([ $rc -ne 0 ] && [ $rc -ne 124 ]; echo $?)
	ok "the daemon says why: $1" grep -qE "${1#*:[0-9]*: }" "$d/log"
}

cat >"$d/http.conf" <<'CONF'
plugins = ["http"];
http = {
  listing = ["/boot",
             "/../etc"];
  api_prefix = "/";
};
CONF
refuses "a bad http.listing and api_prefix" "$d/http.conf" \
	"^$d/http.conf:4: http.listing\[1\]: \"/\.\./etc\" is not a path$" \
	"^$d/http.conf:5: http.api_prefix: \"/\" is not a path below /$"

cat >"$d/pgsql.conf" <<'CONF'
plugins = ["pgsql"];
pgsql = {
  url = "host=127.0.0.1 port";
  server_id = "a b";
};
CONF
refuses "a bad pgsql.url and server_id" "$d/pgsql.conf" \
	"^$d/pgsql.conf:3: pgsql.url: not a connection string or URI: .*port" \
	"^$d/pgsql.conf:4: pgsql.server_id: \"a b\": letters, digits, \. - _ only, at most 63$"

printf 'plugins = ["pgsql"];\npgsql = { url = "postgresql://[::1"; };\n' >"$d/pguri.conf"
refuses "an unparsable pgsql URI" "$d/pguri.conf" \
	"^$d/pguri.conf:2: pgsql.url: not a connection string or URI: "

long=$(printf '%0200d' 0)
printf 'plugins = ["example"];\nexample = {\n  greeting = "%s";\n};\n' "$long" >"$d/example.conf"
refuses "an example.greeting too long" "$d/example.conf" \
	"^$d/example.conf:3: example.greeting: longer than 127 bytes$"

# Set by -o, the setting has no line: the file and the setting are named.
: >"$d/empty.conf"
check_conf -P "$PXB_PLUGIN_DIR" -c "$d/empty.conf" -o allow_root=true \
	-o 'plugins=http' -o http.api_prefix=/a/../.. >"$d/out" 2>&1
check "-t refuses a bad value given by -o" $([ $? -eq 1 ]; echo $?)
ok "names the file and the setting" \
	grep -qx "$d/empty.conf: http.api_prefix: \"/a/../..\" is not a path below /" "$d/out"

cat >"$d/good.conf" <<'CONF'
plugins = ["http", "pgsql", "example", "ipxe", "pxelinux", "grub", "catalog-dir", "catalog-iso"];
http = { listing = ["/boot", "/iso/"]; api_prefix = "/api/v1"; };
pgsql = { url = "postgresql://pxe@127.0.0.1:5432/leases?sslmode=disable"; server_id = "a-1.b_2"; };
example = { greeting = "Hi"; };
CONF
ok "-t accepts good values of every plugin" \
	check_conf -P "$PXB_PLUGIN_DIR" -c "$d/good.conf" -o allow_root=true
printf 'plugins = ["pgsql"];\npgsql = { url = "leases"; };\n' >"$d/pgname.conf"
ok "-t accepts a bare database name as pgsql.url" \
	check_conf -P "$PXB_PLUGIN_DIR" -c "$d/pgname.conf" -o allow_root=true
printf 'plugins = ["pgsql"];\npgsql = { url = "host=/run/pg dbname=x"; };\n' >"$d/pgkv.conf"
ok "-t accepts a key=value pgsql.url" \
	check_conf -P "$PXB_PLUGIN_DIR" -c "$d/pgkv.conf" -o allow_root=true

tap_done
