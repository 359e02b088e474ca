#!/bin/bash
# dhcp_pgsql.sh - two pxebootd sharing their leases in PostgreSQL
# (dhcp.lease_store = "pgsql"): a perfdhcp storm against both at once,
# kill -9 of one during it, PostgreSQL restarted during it. Proves that no
# address is acknowledged to two clients, that every ACK seen on the wire is
# in the table, that the survivor goes on, and that service is back within
# seconds of the database's return with no ACK while it was away.
#
# PostgreSQL 15 (Debian's) is started here by initdb/pg_ctl as the user
# nobody, in a scratch directory, listening on a unix socket only.
# Network: a bridge in namespace lan; servers a (198.18.0.1) and b
# (198.18.0.4); perfdhcp relays c1 (198.18.0.2, to a) and c2 (198.18.0.3, to
# b) with disjoint MACs. The pool (1000 addresses) is smaller than the
# 2 x 600 clients' worth of demand, so both servers fight over it.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
. "$top_srcdir/t/lib/pgsql.sh"

pg_require
command -v perfdhcp >/dev/null || tap_skip_all "needs perfdhcp (kea-admin)"
[ -e "$PXB_PLUGIN_DIR/pgsql.so" ] || tap_skip_all "pgsql plugin not built (libpq-dev)"
netns_require

W=$(scratch_dir)
pg_setup "$W"
URL=$PG_URL

netns_make lan
netns_bridge lan br0 ""
for n in a b c1 c2; do netns_make $n; done
netns_port lan br0 a 198.18.0.1/24
netns_port lan br0 c1 198.18.0.2/24
netns_port lan br0 c2 198.18.0.3/24
netns_port lan br0 b 198.18.0.4/24

conf() {
	cat <<CONF
state_dir = "$W/st-$1";
log_level = "notice";
tftp = { enable = false; };
plugins = ["pgsql"];
pgsql = { url = "$URL"; server_id = "$1"; sync_ms = 200; retry_ms = 200; };
dhcp = {
  mode = "server";
  lease_store = "pgsql";
  interfaces = ["v$1"];
  relays = ["198.18.0.2", "198.18.0.3"];
  lease_time = "1h";
  rate = 0;
  subnets = ( { network = "198.18.0.0/15"; pool_start = "198.19.0.1";
                pool_end = "198.19.3.232"; router = "198.18.0.1"; } );
};
CONF
}
for s in a b; do conf $s >"$W/$s.conf"; done
start_pxebootd_in "$NS_a" "$W/a.log" -c "$W/a.conf"; PA=$PXBD_PID
start_pxebootd_in "$NS_b" "$W/b.log" -c "$W/b.conf"; PB=$PXBD_PID
ok "both servers connect to PostgreSQL and create the schema" \
	wait_for 15 sh -c "grep -q 'connected as a' '$W/a.log' && grep -q 'connected as b' '$W/b.log'"
is "schema created at its current version" "$(psqlq 'SELECT max(version) FROM pxb_schema')" 3

# ACKs captured on the bridge's ports (from a: pa, from b: pb); perfdhcp
# storms: 150 DORA/s from 600 clients for SECS seconds
ip netns exec "$NS_lan" python3 "$top_srcdir/t/dhcp_acks.py" pa 40 >"$W/acks1" 2>"$W/acks1.err" & track_pid $!
ip netns exec "$NS_lan" python3 "$top_srcdir/t/dhcp_acks.py" pb 40 >"$W/acks2" & track_pid $!
sleep 0.5
storm() { # NS IFACE SERVER MAC SECS
	timeout $(($5 + 15)) ip netns exec "$1" perfdhcp -4 -l "$2" -r 150 -R 600 -p "$5" \
		-b "mac=$4" -W 1000000 "$3" >>"$W/perf-$2.out" 2>&1
}
storm "$NS_c1" vc1 198.18.0.1 00:0c:01:00:00:00 6 & S1=$!
storm "$NS_c2" vc2 198.18.0.4 00:0c:02:00:00:00 12 & S2=$!
sleep 3
kill -9 "$PA"
t_kill=$(date +%s.%N)
wait "$S1"
wait "$S2"
after_kill=$(awk -v t="$t_kill" '$1 > t + 1' "$W/acks2" | wc -l)
before_kill=$(awk -v t="$t_kill" '$1 < t' "$W/acks1" | wc -l)
ok "a acknowledged during the storm until it was killed ($before_kill ACKs)" test "$before_kill" -gt 0
ok "after kill -9 of a, b goes on acknowledging ($after_kill ACKs)" test "$after_kill" -gt 100

# PostgreSQL restarted during a storm against b, from b's own clients (the pool
# is full by now: new clients would get nothing, and an offer must not take a
# bound lease away from its client)
storm "$NS_c2" vc2 198.18.0.4 00:0c:02:00:00:00 10 & S2=$!
sleep 2
pg_stop
t_down=$(date +%s.%N)
sleep 2
t_up0=$(date +%s.%N)
pg_start
t_up=$(date +%s.%N)
wait "$S2"
sleep 1
down_acks=$(awk -v a="$t_down" -v b="$t_up0" '$1 > a + 0.3 && $1 < b' "$W/acks2" | wc -l)
is "no ACK while PostgreSQL is down" "$down_acks" 0
first_back=$(awk -v t="$t_up" '$1 > t {print $1 - t; exit}' "$W/acks2")
ok "service back within 5 s of PostgreSQL's return (${first_back:-never} s)" \
	awk -v x="${first_back:-99}" 'BEGIN {exit !(x < 5)}'
ok "the outage is logged (the URL without its password)" \
	sh -c "grep -q 'database .*host=$PGD unreachable' '$W/b.log' && ! grep -q s3cr3t '$W/b.log'"

# every ACK seen on the wire is in the table; no address went to two clients
psqlq "SELECT (inet '0.0.0.0' + addr)::text || ' ' || encode(substr(ckey, 3), 'hex') FROM pxb_leases WHERE state = 2" |
	sed 's|/32||' | sort >"$W/table"
cat "$W/acks1" "$W/acks2" | awk '{print $3, $2}' | sort -u >"$W/acked"
n_acked=$(wc -l <"$W/acked")
dup=$(awk '{print $1}' "$W/acked" | uniq -d | wc -l)
is "no address acknowledged to two clients ($n_acked ACKed pairs)" "$dup" 0
# a client acknowledged twice keeps its last address: compare each client's last ACK
cat "$W/acks1" "$W/acks2" | sort -n | awk '{last[$2] = $3} END {for (m in last) print last[m], m}' |
	sort >"$W/last"
missing=$(comm -23 "$W/last" "$W/table" | wc -l)
is "every acknowledged lease is in the table ($(wc -l <"$W/last") clients, $(wc -l <"$W/table") rows)" "$missing" 0
ok "enough ACKs to mean something" test "$n_acked" -gt 500
diag "a: $(grep -c . "$W/acks1") ACKs, b: $(grep -c . "$W/acks2") ACKs"
[ -s "$W/acks1.err" ] && diag "capture on c1: $(head -3 "$W/acks1.err")"
if [ "$_tap_failed" -ne 0 ]; then
	for f in a.log b.log acks1.err perf-vc1.out perf-vc2.out; do sed "s|^|# $f: |" "$W/$f" | tail -25; done
fi
[ -n "${PXB_TEST_KEEP:-}" ] && cp -r "$W" "$PXB_TEST_KEEP"
tap_done
