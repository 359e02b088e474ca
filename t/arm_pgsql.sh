#!/bin/bash
# arm_pgsql.sh - rescue on demand across servers: two pxebootd with the
# http and pgsql plugins on one PostgreSQL (t/lib/pgsql.sh). An arm posted
# to a's API is listed by b and b serves the protected entry with its token;
# disarmed on a, b refuses the token again. Without the pgsql plugin b
# would know nothing of a's arm.
set -u
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/pgsql.sh"
[ -x "$PXEBOOTD" ] || tap_skip_all "pxebootd is not built"
[ -f "$PXB_PLUGIN_DIR/http.so" ] || tap_skip_all "the http plugin is not built"
[ -e "$PXB_PLUGIN_DIR/pgsql.so" ] || tap_skip_all "pgsql plugin not built (libpq-dev)"
command -v curl >/dev/null || tap_skip_all "curl is not installed"
pg_require

d=$(scratch_dir)
pg_setup "$d"
mkdir -p "$d/root/boot/rescue"
echo "the kernel" >"$d/root/boot/rescue/vmlinuz"
MAC=52:54:00:00:0a:01
auth=(-H "Authorization: Bearer test-token")
code() { curl -s -o /dev/null -w "%{http_code}" "$@"; }

write_conf() { # NAME HTTP-PORT
	cat <<CONF
plugins = ["http", "pgsql"];
state_dir = "$d/state-$1";
tftp = { enable = false; root = "$d/root"; };
http = { root = "$d/root"; listen = "127.0.0.1:$2"; api_token = "test-token"; };
pgsql = { url = "$PG_URL"; server_id = "$1"; sync_ms = 100; };
dhcp = { hosts = ( { name = "labpc"; mac = "$MAC"; policy = "armed"; } ); };
policy = { protect = ["rescue"]; arm_max = "2h"; };
entries = ( { id = "rescue"; kind = "linux"; kernel = "/boot/rescue/vmlinuz"; } );
CONF
}
for s in a b; do
	port=$(free_port tcp)
	eval "P_$s=$port"
	mkdir -p "$d/state-$s"
	write_conf $s "$port" >"$d/$s.conf"
	start_pxebootd "$d/$s.log" -c "$d/$s.conf"
	wait_for 10 grep -q "pxebootd .* started" "$d/$s.log" || { cat "$d/$s.log"; }
done
A="http://127.0.0.1:$P_a" B="http://127.0.0.1:$P_b"
ok "both servers connect" wait_for 15 sh -c "grep -q 'connected as a' '$d/a.log' && grep -q 'connected as b' '$d/b.log'"
ok "b refuses the protected kernel at first" test "$(code "$B/boot/rescue/vmlinuz")" = 403

st=$(curl -s -o "$d/arm.json" -w "%{http_code}" -X POST "${auth[@]}" "$A/_pxeboot/arms/labpc?entry=rescue&for=30m")
is "arm labpc through a's API" "$st" 201
tok=$(sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' "$d/arm.json")
ok "the arm is in the database" wait_for 5 sh -c "psql -h '$PGD' -U pxb -d postgres -XAtqc \"SELECT count(*) FROM pxb_arms WHERE NOT removed\" | grep -qx 1"
ok "b lists the arm made on a, with its token" \
	wait_for 5 sh -c "curl -s -H 'Authorization: Bearer test-token' '$B/_pxeboot/arms' | grep -q '$tok'"
ok "b serves the protected kernel with that token" test "$(code "$B/boot/rescue/vmlinuz?token=$tok")" = 200

is "disarm on a" "$(code -X DELETE "${auth[@]}" "$A/_pxeboot/arms/labpc")" 200
ok "b refuses the token once the disarm reached it" \
	wait_for 5 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$B/boot/rescue/vmlinuz?token=$tok')\" = 403 ]"
tap_done
