#!/bin/bash
# dhcp_pgsql_share.sh - what servers sharing one PostgreSQL must know of
# each other besides leases: a's reservations (dhcp.hosts' fixed addresses)
# and a RELEASE made on a. Servers a and b each have their own link (their
# DISCOVERs never meet) and the same two-address pool; a reserves the second
# address for a host that b knows nothing of. b must never give that
# address to another MAC, even asked for it by name, must give the first
# address once its client released it on a, and must not give it once a
# client declined it on a. Real clients: udhcpc (its ARP check, -a, makes
# the DECLINE).
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
. "$top_srcdir/t/lib/pgsql.sh"

W=$(scratch_dir)
pg_udhcpc_net "$W"
# a and its client namespace ca on br0; b and cb on br1
netns_bridge lan br1 ""
for n in a b ca cb; do netns_make $n; done
netns_port lan br0 a 198.18.0.1/24
netns_port lan br0 ca
netns_port lan br1 b 198.18.0.4/24
netns_port lan br1 cb

conf() { # NAME HOSTS
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
  lease_time = "10m";
  subnets = ( { network = "198.18.0.0/24"; pool_start = "198.18.0.100";
                pool_end = "198.18.0.101"; router = "198.18.0.1"; } );
  hosts = ( $2 );
};
CONF
}
mkdir -p "$W/st-a" "$W/st-b"
conf a '{ name = "fixed"; mac = "02:00:00:00:0f:aa"; address = "198.18.0.101"; }' >"$W/a.conf"
conf b '' >"$W/b.conf"

cat >"$W/udhcpc.sh" <<'SH'
#!/bin/sh
# the address is configured (in the client's namespace) so that a RELEASE can leave
[ "$1" = bound ] || exit 0
ip addr flush dev "$interface"
ip addr add "$ip/24" dev "$interface"
echo "$ip $serverid" >>"$OUT"
SH
chmod +x "$W/udhcpc.sh"
# new_client NSNAME NS MAC OUT: the client interface, without address, takes MAC
new_client() {
	ip -n "$1" link set "v$2" down
	ip -n "$1" addr flush dev "v$2"
	ip -n "$1" link set "v$2" address "$3"
	ip -n "$1" link set "v$2" up
	: >"$4"
}
# client NS MAC OUT [ARGS...]: one udhcpc run (obtain, quit), bounded
client() {
	local ns=$1 mac=$2 out=$3 nsname; shift 3
	eval "nsname=\$NS_$ns"
	new_client "$nsname" "$ns" "$mac" "$out"
	OUT=$out ip netns exec "$nsname" timeout 20 "$bb" udhcpc -i "v$ns" -f -q -n -t 3 -T 1 \
		-s "$W/udhcpc.sh" "$@" >"$out.log" 2>&1
}

# client_bg NS MAC OUT: udhcpc left running (SIGUSR2: RELEASE, RFC 2131 4.4.6); sets CPID
client_bg() {
	local ns=$1 mac=$2 out=$3 nsname
	eval "nsname=\$NS_$ns"
	new_client "$nsname" "$ns" "$mac" "$out"
	OUT=$out ip netns exec "$nsname" "$bb" udhcpc -i "v$ns" -f -t 3 -T 1 -s "$W/udhcpc.sh" \
		>"$out.log" 2>&1 &
	CPID=$!
	track_pid $CPID
}
row_is() { # ADDR STATE: the row of ADDR has that state
	[ "$(psqlq "SELECT state FROM pxb_leases WHERE addr = '$1'::inet - '0.0.0.0'::inet")" = "$2" ]
}

start_pxebootd_in "$NS_a" "$W/a.log" -c "$W/a.conf"
start_pxebootd_in "$NS_b" "$W/b.log" -c "$W/b.conf"
ok "both servers connect" wait_for 15 \
	sh -c "grep -q 'connected as a' '$W/a.log' && grep -q 'connected as b' '$W/b.log'"
ok "a's reservation is in the database" wait_for 5 \
	sh -c "psql -h '$PGD' -U pxb -d postgres -XAtqc \"SELECT server || ' ' || encode(mac, 'hex') FROM pxb_reservations WHERE addr = '198.18.0.101'::inet - '0.0.0.0'::inet\" | grep -qx 'a 020000000faa'"
sleep 1 # b's next sync reads it

client ca 02:00:00:00:0f:01 "$W/y1"
is "y1 gets the pool's free address from a" "$(cat "$W/y1")" "198.18.0.100 198.18.0.1"
sleep 1
client cb 02:00:00:00:0f:02 "$W/y2"
is "b has nothing for y2 (.100 is y1's, .101 is reserved on a)" "$(cat "$W/y2")" ""
client cb 02:00:00:00:0f:02 "$W/y2r" -r 198.18.0.101
is "y2 asking b for the reserved address by name gets nothing" "$(cat "$W/y2r")" ""
is "no lease on the reserved address in the table" \
	"$(psqlq "SELECT count(*) FROM pxb_leases WHERE addr = '198.18.0.101'::inet - '0.0.0.0'::inet AND state = 2")" 0

# y1 again, running this time, releases on a
client_bg ca 02:00:00:00:0f:01 "$W/y1r"
wait_for 10 grep -q 198.18.0.100 "$W/y1r"
kill -USR2 $CPID
ok "y1 releases on a: the row says released" wait_for 5 row_is 198.18.0.100 3
sleep 1
client_bg cb 02:00:00:00:0f:02 "$W/y3"
wait_for 10 grep -q . "$W/y3"
is "then b gives y2 the address y1 released on a" "$(cat "$W/y3")" "198.18.0.100 198.18.0.4"
client ca 02:00:00:00:0f:aa "$W/fx"
is "the reserved host gets its address from a" "$(cat "$W/fx")" "198.18.0.101 198.18.0.1"

# a DECLINE on a (RFC 2131 4.4.1: z's ARP check finds the address taken) keeps b from it
kill -USR2 $CPID
ok "y2 releases on b" wait_for 5 row_is 198.18.0.100 3
netns_make sq
netns_port lan br0 sq 198.18.0.100/24
client ca 02:00:00:00:0f:03 "$W/z" -a
ok "z declines the address a acknowledged: the row says declined" \
	wait_for 5 row_is 198.18.0.100 4
sleep 1
client cb 02:00:00:00:0f:04 "$W/y4"
is "b has nothing for y4 (.100 declined on a, .101 reserved on a)" "$(cat "$W/y4")" ""
if [ "$_tap_failed" -ne 0 ]; then
	for f in a.log b.log y2.log; do sed "s|^|# $f: |" "$W/$f" | tail -15; done
fi
tap_done
