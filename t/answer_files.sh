#!/bin/bash
# answer_files.sh - unattended installs through pxebootd in private network
# namespaces: a host gets its address from pxebootd's DHCP (udhcpc);
# pxebootctl install makes its next menu default to the install entry with a
# short timeout and d-i's arguments; its answer file (its hostname and vars
# in it) is served to its leased address and refused to another address on
# the link unless that carries the install's token; nothing under /answer is
# listed and the answer's secrets never reach the log; the callback records
# the install done (timeline: "answer file fetched", "installer finished")
# and the next menu boots the local disk, also after a restart; pxebootd -t
# names template:line of an undefined variable.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
[ -x "$PXEBOOTD" ] || tap_skip_all "pxebootd is not built"
[ -f "$PXB_PLUGIN_DIR/http.so" ] || tap_skip_all "the http plugin is not built"
command -v curl >/dev/null || tap_skip_all "curl is not installed"
bb=$(command -v busybox) || tap_skip_all "needs busybox (udhcpc)"
netns_require
CTL="$top_builddir/daemon/pxebootctl"

d=$(scratch_dir)
mkdir -p "$d/root/d-i" "$d/state"
echo "the installer's kernel" >"$d/root/d-i/linux"
echo "the installer's initrd" >"$d/root/d-i/initrd.gz"
cat >"$d/preseed.cfg" <<'EOF2'
d-i netcfg/get_hostname string ${hostname}
d-i passwd/root-password-crypted password ${root_hash}
d-i preseed/early_command string wget -q -O /dev/null ${done_url}; echo $${HOME}
EOF2

MAC=52:54:00:00:0a:01
FOREIGN=198.18.0.99
SECRET='$6$saltsalt$secrethashvalue'
netns_make srv
netns_make cli
netns_link srv cli 198.18.0.1/24 198.18.0.2/24 || { check "test network" 1; tap_done; exit 1; }
netns_exec cli ip addr flush dev vcli
netns_exec cli ip link set vcli address "$MAC"

conf() { # conf TEMPLATE
cat <<EOF2
plugins = ["http", "ipxe"];
state_dir = "$d/state";
tftp = { enable = false; root = "$d/root"; };
http = { root = "$d/root"; listen = "198.18.0.1:80"; api_token = "test-token"; listing = ["/"]; };
dhcp = { mode = "server"; interfaces = ["vsrv"]; lease_time = "10m";
  subnets = ( { network = "198.18.0.0/24"; pool_start = "198.18.0.100";
                pool_end = "198.18.0.150"; } );
  hosts = ( { name = "labpc"; mac = "$MAC";
              vars = { hostname = "web-17"; root_hash = "$SECRET"; }; } ); };
menu = { timeout = 0; items = ["*", "-", "local", "exit"]; };
install = { timeout = 2; };
entries = (
  { id = "debian-install"; kind = "linux"; kernel = "/d-i/linux"; initrd = ["/d-i/initrd.gz"];
    args = "vga=788"; answer = "$1"; family = "debian"; }
);
EOF2
}
conf "$d/preseed.cfg" >"$d/pxeboot.conf"

B="http://198.18.0.1"
API="$B/_pxeboot"
U="$B/answer/debian-install/52-54-00-00-0a-01"
auth=(-H "Authorization: Bearer test-token")
in_srv() { netns_exec srv timeout 10 curl -s "$@"; }
from() { local ip=$1; shift; netns_exec cli timeout 10 curl -s --interface "$ip" "$@"; }
code_from() { local ip=$1; shift; from "$ip" -o /dev/null -w "%{http_code}" "$@"; }
start() {
	start_pxebootd_in "$NS_srv" "$d/log" -d -c "$d/pxeboot.conf"
	wait_for 10 grep -q "dhcp: serving in server mode" "$d/log" &&
		wait_for 10 grep -q "listening on 198.18.0.1:80" "$d/log"
}
stop() { kill "$PXBD_PID" 2>/dev/null; wait "$PXBD_PID" 2>/dev/null; }

# pxebootd -t: every template checked against every host's vars.
printf 'd-i netcfg/get_hostname string ${hostname}\n\nd-i partman-auto/disk string ${disk}\n' >"$d/bad.cfg"
conf "$d/bad.cfg" >"$d/bad.conf"
"$PXEBOOTD" -t -P "$PXB_PLUGIN_DIR" -c "$d/bad.conf" -o allow_root=true >"$d/t.out" 2>&1
ok "pxebootd -t refuses a template with an undefined variable" test $? -eq 1
ok "... naming template:line, the variable and the host" \
	grep -q "bad.cfg:3: \${disk} is not defined for this host.*" "$d/t.out"
ok "pxebootd -t accepts the good one" "$PXEBOOTD" -t -P "$PXB_PLUGIN_DIR" -c "$d/pxeboot.conf" -o allow_root=true

: >"$d/log"
start || { check "pxebootd starts in the namespace" 1; sed 's/^/# /' "$d/log"; tap_done; exit 1; }
ok "pxebootd serves DHCP and HTTP" true

cat >"$d/udhcpc.sh" <<'SH'
#!/bin/sh
case "$1" in bound|renew) ip addr replace "$ip/24" dev "$interface"; echo "ip=$ip" >"$OUT";; esac
SH
chmod +x "$d/udhcpc.sh"
OUT="$d/u.out" netns_exec cli timeout 20 "$bb" udhcpc -i vcli -n -q -f -t 4 -T 2 \
	-s "$d/udhcpc.sh" >"$d/u.log" 2>&1
cip=$(sed -n 's/^ip=//p' "$d/u.out" 2>/dev/null)
ok "the host gets an address by DHCP" sh -c "echo '$cip' | grep -q '^198.18.0.1[0-5][0-9]$'"
netns_exec cli ip addr add "$FOREIGN/24" dev vcli
wait_for 5 sh -c "[ \"\$(ip netns exec '$NS_cli' ip -4 addr show dev vcli | grep -c inet)\" -ge 2 ]"

# Asking for the install.
is "install without the bearer token: 401" "$(code_from "$cip" -X POST "$API/installs/labpc?entry=debian-install")" 401
is "install of an unknown entry: 400" \
	"$(code_from "$cip" -X POST "${auth[@]}" "$API/installs/labpc?entry=nothing")" 400
if [ -x "$CTL" ]; then
	ok "pxebootctl install labpc --entry debian-install --for 1h" \
		netns_exec srv "$CTL" -s "$API" -t test-token install labpc --entry debian-install --for 1h
	netns_exec srv "$CTL" -s "$API" -t test-token installs >"$d/installs.txt" 2>&1
	ok "pxebootctl installs lists it, pending" grep -q "$MAC  entry debian-install  pending" "$d/installs.txt"
fi
in_srv "${auth[@]}" "$API/installs/$MAC" >"$d/install.json"
tok=$(sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' "$d/install.json")
ok "the install record has a token" test ${#tok} -eq 32

from "$cip" "$B/menu.ipxe" >"$d/menu.ipxe"
ok "its menu defaults to the install entry" grep -q "choose --default debian-install" "$d/menu.ipxe"
ok "... after install.timeout (2 s)" grep -q "set pxb-timeout 2000" "$d/menu.ipxe"
ok "... with d-i's arguments and its answer URL" \
	grep -q "vga=788 auto=true priority=critical url=$U" "$d/menu.ipxe"
from "$FOREIGN" "$B/menu.ipxe?mac=$MAC" >"$d/menu-foreign.ipxe"
ok "another address asking as that MAC gets no install default" \
	sh -c "! grep -q 'set pxb-timeout 2000' '$d/menu-foreign.ipxe'"

# The answer file.
is "the answer file from another address: 403" "$(code_from "$FOREIGN" "$U")" 403
is "... with a wrong token: 403" "$(code_from "$FOREIGN" "$U?token=00000000000000000000000000000000")" 403
is "/answer/ is not listed" "$(code_from "$cip" "$B/answer/")" 404
is "/answer/debian-install/ is not listed" "$(code_from "$cip" "$B/answer/debian-install/")" 404
is "an entry without an answer file: 404" "$(code_from "$cip" "$B/answer/exit/52-54-00-00-0a-01")" 404
from "$cip" "$U" >"$d/preseed.out"
ok "... with its hostname" grep -q "^d-i netcfg/get_hostname string web-17$" "$d/preseed.out"
ok "... its vars" grep -qF "password $SECRET" "$d/preseed.out"
ok "... its callback URL, and \$\${ as \${" grep -qF "wget -q -O /dev/null $U/done; echo \${HOME}" "$d/preseed.out"
is "from another address with the install's token: 200" "$(code_from "$FOREIGN" "$U?token=$tok")" 200
ok "the log never holds the answer's secrets or the token" \
	sh -c "! grep -qF 'secrethashvalue' '$d/log' && ! grep -q '$tok' '$d/log'"
in_srv "$API/timeline/$MAC?format=text" >"$d/tl1.txt"
ok "the timeline shows the answer file fetched" grep -q "answer file fetched: /answer/debian-install/" "$d/tl1.txt"
ok "the record says fetched" sh -c "ip netns exec '$NS_srv' curl -s -H 'Authorization: Bearer test-token' '$API/installs/$MAC' | grep -q '\"state\":\"fetched\"'"

# The callback.
is "the callback from another address: 403" "$(code_from "$FOREIGN" "$U/done")" 403
is "the callback from the host: 200" "$(code_from "$cip" "$U/done")" 200
ok "the log says the install finished" grep -q "install of $MAC (entry debian-install) finished" "$d/log"
in_srv "$API/timeline/$MAC?format=text" >"$d/tl2.txt"
ok "the timeline shows the installer finished" grep -q "installer finished (entry debian-install)" "$d/tl2.txt"
from "$cip" "$B/menu.ipxe" >"$d/menu2.ipxe"
ok "the next menu boots the local disk" grep -q "choose --default local" "$d/menu2.ipxe"

# State survives a restart.
stop
: >"$d/log"
ok "pxebootd starts again" start
# The host boots again: DHCP first.
OUT="$d/u2.out" netns_exec cli timeout 20 "$bb" udhcpc -i vcli -n -q -f -t 4 -T 2 \
	-s "$d/udhcpc.sh" >"$d/u2.log" 2>&1
from "$cip" "$B/menu.ipxe" >"$d/menu3.ipxe"
ok "after a restart the host still boots its disk" grep -q "choose --default local" "$d/menu3.ipxe"
ok "the record says done" sh -c "ip netns exec '$NS_srv' curl -s -H 'Authorization: Bearer test-token' '$API/installs/$MAC' | grep -q '\"state\":\"done\"'"
is "forget it: 200" "$(code_from "$cip" -X DELETE "${auth[@]}" "$API/installs/labpc")" 200
from "$cip" "$B/menu.ipxe" >"$d/menu4.ipxe"
ok "then the menu is as usual" sh -c "! grep -q 'choose --default local' '$d/menu4.ipxe' && ! grep -q 'pxb-timeout 2000' '$d/menu4.ipxe'"
stop
tap_done
