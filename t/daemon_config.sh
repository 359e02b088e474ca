#!/bin/bash
# daemon_config.sh - pxebootd's command line: -t on good and bad files,
# -o overrides, -V, a missing plugin, SIGHUP with a bad file keeps serving.
. "$top_srcdir/t/lib/common.sh"
d=$(scratch_dir)

: >"$d/empty.conf"
ok "-t accepts an empty file" "$PXEBOOTD" -t -c "$d/empty.conf"

cat >"$d/bad.conf" <<'CONF'
# a broken file
tftp = {
  listen = "192.168.1.300";
  max_blksize = 70000;
};
dhcp = { mode = "sometimes"; pool = 3; };
CONF
"$PXEBOOTD" -t -c "$d/bad.conf" >"$d/out" 2>&1
check "-t on a broken file exits 1" $([ $? -eq 1 ]; echo $?)
ok "names file:line:setting for a bad address" \
	grep -qx "$d/bad.conf:3: tftp.listen: \"192.168.1.300\" is not ADDR or ADDR:PORT (IPv4, or \[IPv6\]:PORT)" "$d/out"
ok "lists every error (range)" grep -q "bad.conf:4: tftp.max_blksize: 70000 is out of range" "$d/out"
ok "lists every error (choice)" grep -q "bad.conf:6: dhcp.mode: \"sometimes\" is not one of server|proxy|off" "$d/out"
ok "lists every error (unknown)" grep -q "bad.conf:6: dhcp.pool: unknown setting" "$d/out"

printf 'tftp = { root = ; };\n' >"$d/syntax.conf"
"$PXEBOOTD" -t -c "$d/syntax.conf" >"$d/out" 2>&1
check "syntax error exits 1" $([ $? -eq 1 ]; echo $?)
ok "syntax error names file and line" grep -q "syntax.conf:1: syntax error" "$d/out"

ok "-o overrides a setting" "$PXEBOOTD" -t -c "$d/empty.conf" -o tftp.listen=127.0.0.1:6969
"$PXEBOOTD" -t -c "$d/empty.conf" -o tftp.listen=nowhere >"$d/out" 2>&1
check "-o with a bad value exits 1" $([ $? -eq 1 ]; echo $?)
ok "-o error names the setting" grep -q "command line: tftp.listen: \"nowhere\" is not ADDR" "$d/out"

"$PXEBOOTD" -t -c "$d/empty.conf" -P "$d" -o plugins=nothere >"$d/out" 2>&1
check "a missing plugin is an error" $([ $? -eq 1 ]; echo $?)
ok "names the path tried and dlerror's text" \
	grep -q "plugin nothere: cannot load $d/nothere.so: .*No such file" "$d/out"

ok "-V prints the version" sh -c "'$PXEBOOTD' -V | grep -q '^pxebootd [0-9]'"
ok "-t without -c checks the built-in default (shipped plugins)" "$PXEBOOTD" -t -P "$PXB_PLUGIN_DIR"

"$PXEBOOTD" -t -c "$d/missing.conf" >"$d/out" 2>&1
check "a missing file exits 1" $([ $? -eq 1 ]; echo $?)

# A running daemon keeps its configuration when a reload brings a bad one.
mkdir -p "$d/root"
port=$(free_port udp)
cat >"$d/run.conf" <<CONF
tftp = { root = "$d/root"; listen = "127.0.0.1:$port"; };
http = { root = "$d/root"; };
plugins = ["example"];
example = { greeting = "Hello"; };
CONF
# The port was free when chosen; another test may take it before we bind:
# then start again on another port (at most 3 times).
for attempt in 1 2 3; do
	start_pxebootd "$d/log" -c "$d/run.conf" -p "$d/pid" -o tftp.listen=127.0.0.1:$port
	wait_for 20 grep -q "started" "$d/log" && break
	grep -q "cannot listen" "$d/log" || break
	wait "$PXBD_PID" 2>/dev/null
	port=$(free_port udp)
done
ok "daemon starts" grep -q "started" "$d/log"
grep -q "started" "$d/log" || sed 's/^/# /' "$d/log"
ok "pid file written" wait_for 5 test -s "$d/pid"
check "pid file holds the daemon's pid" $([ "$(cat "$d/pid" 2>/dev/null)" = "$PXBD_PID" ]; echo $?)
echo 'tftp = { max_blksize = 3; };' >"$d/run.conf"
kill -HUP "$PXBD_PID"
ok "bad reload is reported" wait_for 10 grep -q "the running one stays" "$d/log"
ok "daemon still running after a bad reload" kill -0 "$PXBD_PID"
cat >"$d/run.conf" <<CONF
tftp = { root = "$d/root"; listen = "127.0.0.1:$port"; };
http = { root = "$d/root"; };
plugins = ["example"];
example = { greeting = "Howdy"; };
CONF
kill -HUP "$PXBD_PID"
ok "good reload applied" wait_for 10 grep -q "configuration reloaded" "$d/log"
kill -TERM "$PXBD_PID"
ok "SIGTERM stops it cleanly (first run)" wait_for 10 grep -q "notice pxebootd: stopped" "$d/log"
wait "$PXBD_PID"

# After binding, the daemon runs as the configured user.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	: >"$d/log"
	port=$(free_port udp)   # a fresh port: the old one may be an ephemeral port elsewhere now
	start_pxebootd "$d/log" -c "$d/run.conf" -o user=nobody -o group=nogroup -o state_dir="$d/state" \
		-o tftp.listen=127.0.0.1:$port
	ok "starts and drops privileges" wait_for 10 grep -q "running as user nobody" "$d/log"
	grep -q "running as user nobody" "$d/log" || sed "s/^/# /" "$d/log"
	uid=$(awk '/^Uid:/ {print $2}' /proc/"$PXBD_PID"/status 2>/dev/null)
	check "runs as nobody (uid $uid)" $([ "$uid" = "$(id -u nobody)" ]; echo $?)
	python3 "$top_srcdir/t/tftp_probe.py" errors 127.0.0.1 "$port" >/dev/null 2>&1
	ok "still serves TFTP after dropping privileges" kill -0 "$PXBD_PID"
else
	diag "not root or no user nobody: privilege drop not tested"
fi
kill -TERM "$PXBD_PID"
ok "SIGTERM stops it cleanly" wait_for 10 grep -q "notice pxebootd: stopped" "$d/log"
wait "$PXBD_PID"
check "exit status 0 after SIGTERM" $?
ok "pid file removed" test ! -e "$d/pid"

# -t compiles what the services compile at start: what start refuses, -t refuses.
cat >"$d/expr.conf" <<'CONF'
dhcp = { mode = "proxy"; interfaces = ["lo"];
  boot = ( { tags = "A | B"; file = "x.efi"; } ); };
CONF
"$PXEBOOTD" -t -c "$d/expr.conf" -o allow_root=true >"$d/out" 2>&1
check "-t refuses a boot rule's bad tag expression" $([ $? -eq 1 ]; echo $?)
ok "and names file:line:setting" grep -q "expr.conf:2: dhcp.boot\[0\].tags: \"A | B\"" "$d/out"
printf 'dhcp = { mode = "server"; interfaces = ["lo"]; };\n' >"$d/nonet.conf"
"$PXEBOOTD" -t -c "$d/nonet.conf" -o allow_root=true >"$d/out" 2>&1
check "-t refuses server mode without a network" $([ $? -eq 1 ]; echo $?)
ok "saying dhcp.subnets" grep -q "dhcp.subnets: server mode needs" "$d/out"
if [ "$(id -u)" = 0 ]; then
	"$PXEBOOTD" -t -c "$d/empty.conf" >"$d/out" 2>&1
	ok "-t as root without user or allow_root says start would refuse" \
		grep -q "refusing to serve as root" "$d/out"
fi

# -t warns (file:line, exit 0) about what would silently misbehave.
mkdir -p "$d/wroot"
echo x >"$d/wroot/undionly.kpxe"
cat >"$d/warn.conf" <<CONF
plugins = ["http", "ipxe"];
tftp = { root = "$d/wroot"; };
http = { root = "$d/wroot"; };
entries = ( { id = "rescue"; kind = "linux"; kernel = "/boot/vmlinuz"; } );
menu = { default = "rescue"; items = ["shell", "ghost"]; };
policy = { protect = ["nothere"]; };
dhcp = { mode = "proxy"; interfaces = ["lo"];
  boot = ( { tags = "ENH"; file = "menu.ipxe"; },
           { file = "undionly.kpxe"; },
           { tags = "ENH & EFI"; file = "snp.efi"; } ); };
CONF
"$PXEBOOTD" -t -c "$d/warn.conf" -P "$PXB_PLUGIN_DIR" -o allow_root=true >"$d/out" 2>&1
check "-t: warnings alone leave the file valid" $?
ok "warns: menu default not among the items" \
	grep -q "warn.conf:5: menu.default: warning: \"rescue\" is not among this menu's items" "$d/out"
ok "warns: a menu item naming no entry" grep -q "warn.conf:5: menu.items: warning: item \"ghost\"" "$d/out"
ok "warns: policy.protect naming no entry" grep -q "warn.conf:6: policy.protect: warning: \"nothere\"" "$d/out"
ok "warns: a rule an earlier one shadows" \
	grep -q "warn.conf:10: dhcp.boot\[2\]: warning: no client reaches this rule: dhcp.boot\[0\]" "$d/out"
ok "warns: a boot file nobody serves" grep -q "dhcp.boot\[2\].file: warning: \"snp.efi\"" "$d/out"
check "no warning for a file in the root or one a plugin provides" \
	$(! grep -q "\"undionly.kpxe\" is in\|\"menu.ipxe\" is in\|dhcp.boot\[1\]: warning" "$d/out"; echo $?)

# -o reaches plugins' settings (a list of strings among them); an unknown one is an error.
printf 'plugins = ["http"];\n' >"$d/http.conf"
"$PXEBOOTD" -t -c "$d/http.conf" -P "$PXB_PLUGIN_DIR" -o allow_root=true -o http.nosuch=1 \
	>"$d/out" 2>&1
check "-o naming an unknown plugin setting exits 1" $([ $? -eq 1 ]; echo $?)
ok "naming it" grep -q "command line: http.nosuch: unknown setting" "$d/out"
mkdir -p "$d/lroot/boot"
echo x >"$d/lroot/boot/f"
for attempt in 1 2 3; do
	hp=$(free_port tcp) tp=$(free_port udp)
	cat >"$d/listing.conf" <<CONF
plugins = ["http"];
state_dir = "$d/lstate";
tftp = { root = "$d/lroot"; listen = "127.0.0.1:$tp"; };
http = { root = "$d/lroot"; listen = "127.0.0.1:$hp"; };
CONF
	start_pxebootd "$d/llog" -c "$d/listing.conf" -o http.listing=/boot
	wait_for 10 grep -q "listening on 127.0.0.1:$hp" "$d/llog" && break
	kill "$PXBD_PID" 2>/dev/null
	wait "$PXBD_PID" 2>/dev/null
done
code=$(timeout 10 curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hp/boot/")
is "-o http.listing=/boot lists /boot/ (a plugin's list setting)" "$code" 200
kill -TERM "$PXBD_PID"
wait "$PXBD_PID"
tap_done
