#!/bin/bash
# arm_pgsql_menu.sh - rescue on demand across servers, as the client sees
# it: servers a and b (DHCP, http, ipxe) share leases and arms in
# PostgreSQL (t/lib/pgsql.sh). The armed machine gets its address from a
# (udhcpc, b not yet started); the arm is posted to a's API; then the
# machine asks b for its iPXE menu from that address, as iPXE does after
# DHCP, and must get the armed entry as the default with the arm's token in
# its URLs, and b must serve the protected kernel with that token. b knows
# the machine only through the lease a wrote and the arm a stored; after a
# disarm on a, b's next menu carries no token.
#
# Network: a bridge in namespace lan; a (198.18.0.1), b (198.18.0.4), the
# client c (no address until udhcpc configures the one it gets).
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
. "$top_srcdir/t/lib/pgsql.sh"
[ -f "$PXB_PLUGIN_DIR/http.so" ] || tap_skip_all "the http plugin is not built"
[ -f "$PXB_PLUGIN_DIR/ipxe.so" ] || tap_skip_all "the ipxe plugin is not built"
command -v curl >/dev/null || tap_skip_all "curl is not installed"

W=$(scratch_dir)
pg_udhcpc_net "$W"
for n in a b c; do netns_make $n; done
netns_port lan br0 a 198.18.0.1/24
netns_port lan br0 b 198.18.0.4/24
netns_port lan br0 c
MAC=52:54:00:00:0a:01
ip -n "$NS_c" link set vc address "$MAC"
mkdir -p "$W/root/boot/rescue" "$W/root/boot/tools"
echo "another kernel" >"$W/root/boot/tools/vmlinuz"
echo "the kernel" >"$W/root/boot/rescue/vmlinuz"
echo "the initrd" >"$W/root/boot/rescue/initrd.img"

conf() { # NAME ADDRESS
	cat <<CONF
plugins = ["http", "ipxe", "pgsql"];
state_dir = "$W/st-$1";
log_level = "info";
tftp = { enable = false; root = "$W/root"; };
http = { root = "$W/root"; listen = "$2:80"; api_token = "test-token"; };
pgsql = { url = "$PG_URL"; server_id = "$1"; sync_ms = 200; retry_ms = 200; };
dhcp = {
  mode = "server";
  lease_store = "pgsql";
  interfaces = ["v$1"];
  lease_time = "10m";
  subnets = ( { network = "198.18.0.0/24"; pool_start = "198.18.0.100";
                pool_end = "198.18.0.150"; } );
  hosts = ( { name = "labpc"; mac = "$MAC"; policy = "armed"; } );
};
policy = { protect = ["rescue"]; arm_max = "2h"; };
menu = { timeout = 0; items = ["tools", "rescue"]; };
entries = ( { id = "rescue"; kind = "linux"; kernel = "/boot/rescue/vmlinuz";
              initrd = ["/boot/rescue/initrd.img"]; },
            { id = "tools"; kind = "linux"; kernel = "/boot/tools/vmlinuz"; } );
CONF
}
for s in a b; do mkdir -p "$W/st-$s"; done
conf a 198.18.0.1 >"$W/a.conf"
conf b 198.18.0.4 >"$W/b.conf"
auth=(-H "Authorization: Bearer test-token")
A=http://198.18.0.1 B=http://198.18.0.4
# from_c CURL-ARGS: the client machine, from the address DHCP gave it
from_c() { ip netns exec "$NS_c" timeout 10 curl -s "$@"; }

start_pxebootd_in "$NS_a" "$W/a.log" -c "$W/a.conf"
ok "a connects to PostgreSQL" wait_for 15 grep -q "connected as a" "$W/a.log"
wait_for 10 grep -q "dhcp: serving in server mode" "$W/a.log"

cat >"$W/udhcpc.sh" <<'SH'
#!/bin/sh
case "$1" in bound|renew) ip addr replace "$ip/24" dev "$interface"; echo "ip=$ip" >"$OUT";; esac
SH
chmod +x "$W/udhcpc.sh"
OUT="$W/u.out" ip netns exec "$NS_c" timeout 20 "$bb" udhcpc -i vc -n -q -f -t 4 -T 2 \
	-s "$W/udhcpc.sh" >"$W/u.log" 2>&1
cip=$(sed -n 's/^ip=//p' "$W/u.out" 2>/dev/null)
ok "the machine gets its address from a ($cip)" sh -c "echo '$cip' | grep -q '^198.18.0.1[0-5][0-9]$'"

start_pxebootd_in "$NS_b" "$W/b.log" -c "$W/b.conf"
ok "b connects and loads a's lease" wait_for 15 grep -q "connected as b, .* 1 lease(s) loaded" "$W/b.log"
ok "b serves HTTP" wait_for 10 grep -q "listening on 198.18.0.4:80" "$W/b.log"

from_c "$B/menu.ipxe" >"$W/menu0.ipxe"
ok "before the arm, b's menu for the machine has no token" \
	sh -c "grep -q '^#!ipxe' '$W/menu0.ipxe' && ! grep -q 'token=[0-9a-f]' '$W/menu0.ipxe'"
ok "... and its default is the menu's first item" grep -q "choose --default tools" "$W/menu0.ipxe"
is "before the arm, b refuses the protected kernel" \
	"$(from_c -o /dev/null -w '%{http_code}' "$B/boot/rescue/vmlinuz")" 403

ip netns exec "$NS_a" timeout 10 curl -s -X POST "${auth[@]}" \
	"$A/_pxeboot/arms/labpc?entry=rescue&for=30m" >"$W/arm.json"
tok=$(sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' "$W/arm.json")
ok "labpc armed through a's API" test ${#tok} -eq 32

# b learns of the arm at its next sync; the menu is what iPXE would chain to
ok "b's menu for the machine carries the arm's token" \
	wait_for 10 sh -c "ip netns exec '$NS_c' timeout 5 curl -s '$B/menu.ipxe' >'$W/menu1.ipxe' &&
		grep -q 'token=$tok' '$W/menu1.ipxe'"
ok "... the kernel's URL on b with the token" grep -q "198.18.0.4/boot/rescue/vmlinuz?token=$tok" "$W/menu1.ipxe"
ok "... the initrd's too" grep -q "/boot/rescue/initrd.img?token=$tok" "$W/menu1.ipxe"
ok "... and the armed entry is the default" grep -q "choose --default rescue" "$W/menu1.ipxe"
is "b serves the protected kernel to the machine with the token" \
	"$(from_c -o /dev/null -w '%{http_code}' "$B/boot/rescue/vmlinuz?token=$tok")" 200
is "... and the initrd" \
	"$(from_c -o /dev/null -w '%{http_code}' "$B/boot/rescue/initrd.img?token=$tok")" 200

is "disarm on a" "$(ip netns exec "$NS_a" timeout 10 curl -s -o /dev/null -w '%{http_code}' \
	-X DELETE "${auth[@]}" "$A/_pxeboot/arms/labpc")" 200
ok "b's next menu has no token" \
	wait_for 10 sh -c "ip netns exec '$NS_c' timeout 5 curl -s '$B/menu.ipxe' >'$W/menu2.ipxe' &&
		grep -q '^#!ipxe' '$W/menu2.ipxe' && ! grep -q 'token=[0-9a-f]' '$W/menu2.ipxe'"
if [ "$_tap_failed" -ne 0 ]; then
	for f in a.log b.log u.log menu1.ipxe; do sed "s|^|# $f: |" "$W/$f" | tail -20; done
fi
tap_done
