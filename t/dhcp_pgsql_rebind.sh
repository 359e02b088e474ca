#!/bin/bash
# dhcp_pgsql_rebind.sh - REBINDING through another server (RFC 2131 4.4.5):
# servers a and b share their leases in PostgreSQL (t/lib/pgsql.sh). Three
# udhcpc clients, each in its own namespace, get 20 s leases from a alone;
# then b starts, a is killed with -9, and the clients' unicast RENEWs to a go
# unanswered (T1), so at T2 they broadcast REQUESTs that b must acknowledge
# with the same addresses: the clients' scripts see the address renewed by
# b's server id, and the table says b wrote each client's row on its old
# address.
#
# Network: a bridge in namespace lan; a (198.18.0.1), b (198.18.0.4),
# clients c1..c3 without addresses (their scripts configure what they get).
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
. "$top_srcdir/t/lib/pgsql.sh"

W=$(scratch_dir)
pg_udhcpc_net "$W"
for n in a b c1 c2 c3; do netns_make $n; done
netns_port lan br0 a 198.18.0.1/24
netns_port lan br0 b 198.18.0.4/24
for n in c1 c2 c3; do netns_port lan br0 $n; done

conf() {
	cat <<CONF
state_dir = "$W/st-$1";
log_level = "info";
tftp = { enable = false; };
plugins = ["pgsql"];
pgsql = { url = "$PG_URL"; server_id = "$1"; sync_ms = 200; retry_ms = 200; };
dhcp = {
  mode = "server";
  lease_store = "pgsql";
  interfaces = ["v$1"];
  lease_time = "20s";
  subnets = ( { network = "198.18.0.0/24"; pool_start = "198.18.0.100";
                pool_end = "198.18.0.150"; router = "198.18.0.1"; } );
};
CONF
}
for s in a b; do mkdir -p "$W/st-$s"; conf $s >"$W/$s.conf"; done

# The client's script configures the address in its namespace (so that its
# unicast RENEW can leave) and records each event with the server's id.
cat >"$W/udhcpc.sh" <<'SH'
#!/bin/sh
case "$1" in
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	echo "$(date +%s) $1 $ip $serverid" >>"$OUT" ;;
deconfig) ip addr flush dev "$interface"; echo "$(date +%s) deconfig" >>"$OUT" ;;
esac
SH
chmod +x "$W/udhcpc.sh"

start_pxebootd_in "$NS_a" "$W/a.log" -c "$W/a.conf"; PA=$PXBD_PID
ok "a connects to PostgreSQL" wait_for 15 grep -q "connected as a" "$W/a.log"
wait_for 10 grep -q "dhcp: serving in server mode" "$W/a.log"

i=0
for n in c1 c2 c3; do
	i=$((i + 1))
	# no timeout(1) in between: the cleanup kills udhcpc itself
	OUT=$W/$n.ev ip netns exec "$(eval echo \$NS_$n)" "$bb" udhcpc -i "v$n" -f -t 5 -T 2 \
		-s "$W/udhcpc.sh" -x "hostname:client$i" >"$W/$n.out" 2>&1 &
	track_pid $!
done
for n in c1 c2 c3; do
	ok "$n is bound by a" wait_for 15 grep -q " bound 198.18.0.1[0-5][0-9] 198.18.0.1$" "$W/$n.ev"
done

start_pxebootd_in "$NS_b" "$W/b.log" -c "$W/b.conf"; PB=$PXBD_PID
ok "b connects and loads a's leases" wait_for 15 grep -q "connected as b, .* 3 lease(s) loaded" "$W/b.log"
wait_for 10 grep -q "dhcp: serving in server mode" "$W/b.log"
kill -9 "$PA"

for n in c1 c2 c3; do
	addr=$(awk '$2 == "bound" {print $3; exit}' "$W/$n.ev")
	ok "$n rebinds through b and keeps $addr" \
		wait_for 40 grep -q " renew $addr 198.18.0.4$" "$W/$n.ev"
	mac=$(ip netns exec "$(eval echo \$NS_$n)" cat "/sys/class/net/v$n/address" | tr -d :)
	is "the table has $n's lease on $addr, written by b" \
		"$(psqlq "SELECT server || ' ' || encode(substr(ckey, 3), 'hex') FROM pxb_leases WHERE addr = '$addr'::inet - '0.0.0.0'::inet AND state = 2")" \
		"b $mac"
	# udhcpc deconfigures once at its start, before it is bound: any later
	# deconfig (times are in whole seconds, so order is what tells) is a loss
	ok "$n was never deconfigured after it was bound" \
		sh -c "! awk '\$2 == \"bound\" {b = 1} b && \$2 == \"deconfig\"' '$W/$n.ev' | grep -q ."
done
ok "b acknowledged REQUESTs in REBINDING (broadcast, ciaddr set)" grep -q "REQUEST.*ack" "$W/b.log"
if [ "$_tap_failed" -ne 0 ]; then
	for f in a.log b.log c1.ev c1.out c2.ev; do sed "s|^|# $f: |" "$W/$f" | tail -15; done
fi
tap_done
