#!/bin/bash
# arm_hostile.sh - rescue on demand against another machine of the LAN, in
# private network namespaces: the armed machine gets its address from
# pxebootd's DHCP (udhcpc); a second address on its link, which DHCP never
# gave it, asks with ?mac= of the armed machine. That address gets the menu
# but no token, does not spend the one-shot arm, adds nothing to the armed
# machine's timeline and cannot list the arms; the leased address gets its
# token. With policy.protect = ["*"], no other path reaches a protected
# file's bytes: a symlink to the kernel, the ISO image holding a kernel, a
# Range of that image. The first protected file fetched with the token
# spends the one-shot arm.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
[ -x "$PXEBOOTD" ] || tap_skip_all "pxebootd is not built"
[ -f "$PXB_PLUGIN_DIR/http.so" ] || tap_skip_all "the http plugin is not built"
[ -f "$PXB_PLUGIN_DIR/catalog-iso.so" ] || tap_skip_all "the catalog-iso plugin is not built"
command -v curl >/dev/null || tap_skip_all "curl is not installed"
command -v xorriso >/dev/null || tap_skip_all "xorriso is not installed"
bb=$(command -v busybox) || tap_skip_all "needs busybox (udhcpc)"
netns_require

d=$(scratch_dir)
mkdir -p "$d/root/boot/rescue" "$d/root/links" "$d/iso" "$d/state" "$d/t-live/live" "$d/t-live/stuff"
echo "the kernel" >"$d/root/boot/rescue/vmlinuz"
echo "the initrd" >"$d/root/boot/rescue/initrd.img"
echo "nothing secret" >"$d/root/readme.txt"
ln -s ../boot/rescue/vmlinuz "$d/root/links/k"
ln -s ../readme.txt "$d/root/links/r"
head -c 200000 /dev/urandom >"$d/t-live/live/vmlinuz-6.1.0-13-amd64"
head -c 300000 /dev/urandom >"$d/t-live/live/initrd.img-6.1.0-13-amd64"
head -c 100000 /dev/urandom >"$d/t-live/live/filesystem.squashfs"
echo "a plain file" >"$d/t-live/stuff/readme.txt"
xorriso -as mkisofs -R -V LIVE -o "$d/iso/live.iso" "$d/t-live" >/dev/null 2>&1

MAC=52:54:00:00:0a:01
FOREIGN=198.18.0.99
netns_make srv
netns_make cli
netns_link srv cli 198.18.0.1/24 198.18.0.2/24 || { check "test network" 1; tap_done; exit 1; }
netns_exec cli ip addr flush dev vcli
netns_exec cli ip link set vcli address "$MAC"

cat >"$d/pxeboot.conf" <<EOF
plugins = ["http", "ipxe", "catalog-iso"];
state_dir = "$d/state";
tftp = { enable = false; root = "$d/root"; };
http = { root = "$d/root"; listen = "198.18.0.1:80"; api_token = "test-token"; };
dhcp = { mode = "server"; interfaces = ["vsrv"]; lease_time = "10m";
  subnets = ( { network = "198.18.0.0/24"; pool_start = "198.18.0.100";
                pool_end = "198.18.0.150"; } );
  hosts = ( { name = "labpc"; mac = "$MAC"; policy = "armed"; } ); };
policy = { protect = ["*"]; };
iso = { dirs = ["$d/iso"]; };
menu = { timeout = 0; items = ["rescue", "catalog"]; };
entries = (
  { id = "rescue"; kind = "linux"; kernel = "/boot/rescue/vmlinuz";
    initrd = ["/boot/rescue/initrd.img"]; args = "root=\${http}/boot/rescue/root.sfs?token=\${token}"; }
);
EOF

B="http://198.18.0.1"
API="$B/_pxeboot"
auth=(-H "Authorization: Bearer test-token")
# in_srv CURL-ARGS: the administrator, on the server; from IP CURL-ARGS: a machine of the LAN.
in_srv() { netns_exec srv timeout 10 curl -s "$@"; }
from() { local ip=$1; shift; netns_exec cli timeout 10 curl -s --interface "$ip" "$@"; }
code_from() { local ip=$1; shift; from "$ip" -o /dev/null -w "%{http_code}" "$@"; }
token_of() { sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' "$1"; }
menus_in_timeline() { in_srv "$API/timeline/$MAC?format=text" | grep -c "rendered"; }

start_pxebootd_in "$NS_srv" "$d/log" -d -c "$d/pxeboot.conf"
if ! wait_for 10 grep -q "dhcp: serving in server mode" "$d/log" ||
   ! wait_for 10 grep -q "listening on 198.18.0.1:80" "$d/log"; then
	check "pxebootd starts in the namespace" 1
	sed 's/^/# /' "$d/log"; tap_done; exit 1
fi
ok "pxebootd serves DHCP and HTTP" true

in_srv -X POST "${auth[@]}" "$API/arms/labpc?entry=rescue&for=10m&once=1" >"$d/arm.json"
tok=$(token_of "$d/arm.json")
ok "labpc armed, one-shot" test ${#tok} -eq 32

# The armed machine gets its address from us.
cat >"$d/udhcpc.sh" <<'SH'
#!/bin/sh
case "$1" in bound|renew) ip addr replace "$ip/24" dev "$interface"; echo "ip=$ip" >"$OUT";; esac
SH
chmod +x "$d/udhcpc.sh"
OUT="$d/u.out" netns_exec cli timeout 20 "$bb" udhcpc -i vcli -n -q -f -t 4 -T 2 \
	-s "$d/udhcpc.sh" >"$d/u.log" 2>&1
cip=$(sed -n 's/^ip=//p' "$d/u.out" 2>/dev/null)
ok "the armed machine gets an address by DHCP" sh -c "echo '$cip' | grep -q '^198.18.0.1[0-5][0-9]$'"
netns_exec cli ip addr add "$FOREIGN/24" dev vcli
ok "another address on the link, never given by DHCP" \
	wait_for 5 sh -c "[ \"\$(ip netns exec '$NS_cli' ip -4 addr show dev vcli | grep -c inet)\" -ge 2 ]"

# From the foreign address, as the armed machine.
is "timeline of the armed MAC: no menu yet" "$(menus_in_timeline)" 0
from "$FOREIGN" "$B/menu.ipxe?mac=$MAC" >"$d/menu-foreign.ipxe"
ok "?mac= from a foreign address: the menu is served" grep -q "^#!ipxe" "$d/menu-foreign.ipxe"
ok "... without the arm's token" sh -c "! grep -q '$tok' '$d/menu-foreign.ipxe' && ! grep -q 'token=[0-9a-f]' '$d/menu-foreign.ipxe'"
in_srv "${auth[@]}" "$API/arms/$MAC" >"$d/arm-after.json"
ok "... and the one-shot arm is not spent" grep -q '"spent":false.*"armed":true' "$d/arm-after.json"
is "... and nothing is added to the armed machine's timeline" "$(menus_in_timeline)" 0
is "the arms list from the LAN without a credential: 401" "$(code_from "$FOREIGN" "$API/arms")" 401
is "one arm from the LAN without a credential: 401" "$(code_from "$FOREIGN" "$API/arms/$MAC")" 401
is "one arm with a wrong token: 401" \
	"$(code_from "$FOREIGN" "$API/arms/$MAC?token=00000000000000000000000000000000")" 401
ok "the refused list names no MAC" sh -c "! ip netns exec '$NS_cli' curl -s --interface $FOREIGN '$API/arms' | grep -q '$MAC'"
is "the list with the bearer token: 200" "$(code_from "$FOREIGN" "${auth[@]}" "$API/arms")" 200

# From the address DHCP gave the armed machine.
from "$cip" "$B/menu.ipxe?mac=$MAC" >"$d/menu-armed.ipxe"
ok "the leased address gets its token in the menu" grep -q "/boot/rescue/vmlinuz?token=$tok" "$d/menu-armed.ipxe"
ok "... in the initrd's URL" grep -q "/boot/rescue/initrd.img?token=$tok" "$d/menu-armed.ipxe"
ok "... and as \${token} in the arguments" grep -q "root=http://198.18.0.1/boot/rescue/root.sfs?token=$tok" "$d/menu-armed.ipxe"
ok "the arm's entry is the default" grep -q "choose --default rescue" "$d/menu-armed.ipxe"
ok "a menu that would wait forever waits 10 s when armed" grep -q "set pxb-timeout 10000" "$d/menu-armed.ipxe"
from "$cip" "$B/menu.ipxe" >"$d/menu-armed2.ipxe"
ok "... also without ?mac= (found by its address)" grep -q "token=$tok" "$d/menu-armed2.ipxe"
is "its menus are in its timeline" "$(menus_in_timeline)" 2
in_srv "${auth[@]}" "$API/arms/$MAC" >"$d/arm-after2.json"
ok "its menu does not spend the arm either" grep -q '"spent":false' "$d/arm-after2.json"
is "the armed machine reads its own arm with its token: 200" \
	"$(code_from "$cip" "$API/arms/$MAC?token=$tok")" 200

# Every path to a protected file's bytes.
is "a symlink to the protected kernel: 403" "$(code_from "$FOREIGN" "$B/links/k")" 403
is "the ISO image holding a protected kernel: 403" "$(code_from "$FOREIGN" "$B/iso/live.iso")" 403
is "a Range of that image: 403" "$(code_from "$FOREIGN" -r 0-99 "$B/iso/live.iso")" 403
is "the kernel inside the image: 403" \
	"$(code_from "$FOREIGN" "$B/iso/live/live/vmlinuz-6.1.0-13-amd64")" 403
is "a plain file of that image: 200" "$(code_from "$FOREIGN" "$B/iso/live/stuff/readme.txt")" 200
is "a symlink to a plain file: 200" "$(code_from "$FOREIGN" "$B/links/r")" 200
ok "the refusal says why" grep -q "refused $FOREIGN /links/k: protected entry: no token" "$d/log"

# The first protected file with the token spends the one-shot arm.
is "the kernel through the symlink with the token: 200" "$(code_from "$cip" "$B/links/k?token=$tok")" 200
in_srv "${auth[@]}" "$API/arms/$MAC" >"$d/arm-after3.json"
ok "the first protected file spent the one-shot arm" grep -q '"spent":true' "$d/arm-after3.json"
ok "the log says so" grep -q "one-shot arm of $MAC spent by /links/k" "$d/log"
is "the boot under way still fetches the initrd" \
	"$(code_from "$cip" "$B/boot/rescue/initrd.img?token=$tok")" 200

kill "$PXBD_PID" 2>/dev/null
wait "$PXBD_PID" 2>/dev/null
tap_done
