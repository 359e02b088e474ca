#!/bin/bash
# dhcp_hostile.sh - pxebootd's DHCP server on a LAN with a hostile machine,
# in private namespaces on one bridge: the server, a client that misbehaves
# (t/dhcp_probe.py) and a third host that captures the wire (AF_PACKET).
# A direct client writing a giaddr gets nothing (no address of the relayed
# network, no reply at giaddr), while the same request from a relay does; a
# DISCOVER naming the third host in ciaddr has its OFFER broadcast, never
# sent to that host; an exhausted pool is a warning line and a metric; so is
# a burst over dhcp.rate.
# Every wait is bounded; the whole test takes about 20 s.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
netns_require
command -v python3 >/dev/null || tap_skip_all "needs python3"
d=$(scratch_dir)
mkdir -p "$d/root" "$d/state"
probe="$top_srcdir/t/dhcp_probe.py"
echo "bios loader" >"$d/root/undionly.kpxe"

# One bridge (namespace "lan"), three ports: server, client, third host.
netns_make lan
netns_make srv
netns_make cli
netns_make third
netns_bridge lan br0 "" || { check "test network" 1; tap_done; exit 1; }
port() { netns_port lan br0 "$@"; } # port NAME [ADDR]: a port on br0
port srv 198.18.0.1/24 && port cli 198.18.0.2/24 && port third 198.18.0.3/24 ||
	{ check "test network" 1; tap_done; exit 1; }
# The client can also play a relay for 198.19.5.0/24 (its giaddr 198.19.5.1).
ip -n "$NS_cli" addr add 198.19.5.1/24 dev vcli
ip -n "$NS_srv" route add 198.19.5.0/24 via 198.18.0.2

plugins=""
[ -f "$PXB_PLUGIN_DIR/http.so" ] && plugins='plugins = ["http"];'
cat >"$d/pxeboot.conf" <<CONF
$plugins
state_dir = "$d/state";
tftp = { enable = false; };
http = { root = "$d/root"; listen = "198.18.0.1:8080"; };
dhcp = {
  mode = "server";
  interfaces = ["vsrv"];
  subnets = ( { network = "198.18.0.0/24"; pool_start = "198.18.0.100";
                pool_end = "198.18.0.102"; },
              { network = "198.19.5.0/24"; pool_start = "198.19.5.10";
                pool_end = "198.19.5.19"; } );
  boot = ( { file = "undionly.kpxe"; } );
};
CONF
ok "config is valid" "$PXEBOOTD" -t -P "$PXB_PLUGIN_DIR" -c "$d/pxeboot.conf"
start_pxebootd_in "$NS_srv" "$d/log" -d -c "$d/pxeboot.conf"
ok "pxebootd starts in server mode" wait_for 10 grep -q "dhcp: serving in server mode" "$d/log"

offers() { # offers NAME ARGS...: one DISCOVER from the client namespace, replies in $d/NAME
	local name=$1; shift
	netns_exec cli timeout 10 python3 "$probe" offers --iface vcli "$@" >"$d/$name" 2>&1
}

# ---- a DISCOVER naming the third host in ciaddr ----
rm -f "$d/sniff.ready"
netns_exec third timeout 15 python3 "$probe" sniff --iface vthird --wait 5 \
	--ready "$d/sniff.ready" >"$d/sniff" 2>&1 &
sniff_pid=$!
track_pid "$sniff_pid"
wait_for 5 test -e "$d/sniff.ready"
offers ciaddr --mac 02:00:00:00:01:01 --ciaddr 198.18.0.3 --no-bcast --wait 2
ok "the client with a foreign ciaddr gets its OFFER" grep -q '"type": "OFFER"' "$d/ciaddr"
wait "$sniff_pid"
sed 's/^/# third host saw: /' "$d/sniff"
ok "the third host's capture works: it sees the OFFER broadcast" \
	grep -q '"dst": "255.255.255.255", "dport": 68, "type": "OFFER", .*02:00:00:00:01:01' "$d/sniff"
check "no reply is addressed to the third host" \
	$(! grep -q '"dst": "198.18.0.3"' "$d/sniff"; echo $?)

# ---- giaddr from a client on the LAN, then from a relay ----
offers direct --mac 02:00:00:00:02:01 --giaddr 198.19.5.1 --wait 2
check "a direct client with a giaddr gets nothing (not even at giaddr:67)" \
	$([ ! -s "$d/direct" ]; echo $?)
sed 's/^/# direct client got: /' "$d/direct"
ok "the drop is logged as a warning" \
	wait_for 5 grep -q "warning dhcp: vsrv: request with giaddr 198.19.5.1 from 198.18.0.2:68, which is no relay, dropped" "$d/log"
offers relay --mac 02:00:00:00:02:02 --giaddr 198.19.5.1 --bind 198.19.5.1 --sport 67 \
	--dest 198.18.0.1 --wait 2
ok "the same request from a relay (port 67 of giaddr) is answered from its pool" \
	grep -q '"type": "OFFER", "yiaddr": "198.19.5.1[0-9]"' "$d/relay"

# ---- pool exhaustion: 3 addresses, one held by the first OFFER above ----
offers ex1 --mac 02:00:00:00:03:01 --wait 1
offers ex2 --mac 02:00:00:00:03:02 --wait 1
ok "the pool's last addresses are offered" \
	sh -c "grep -q OFFER '$d/ex1' && grep -q OFFER '$d/ex2'"
offers ex3 --mac 02:00:00:00:03:03 --wait 1
check "the pool exhausted, a client gets nothing" $([ ! -s "$d/ex3" ]; echo $?)
ok "pool exhaustion is a warning line" wait_for 5 grep -q \
	"warning dhcp: vsrv: pool exhausted: no free address in the pool 198.18.0.100-198.18.0.102" "$d/log"
offers ex4 --mac 02:00:00:00:03:04 --wait 1
check "the warning is not repeated for every request" \
	$([ "$(grep -c "pool exhausted" "$d/log")" = 1 ]; echo $?)

# ---- the request rate of an interface: 1 a second from a reloaded configuration ----
sed -i 's/^  mode = "server";$/  mode = "server"; rate = 1; rate_burst = 1;/' "$d/pxeboot.conf"
kill -HUP "$PXBD_PID"
ok "reloaded with dhcp.rate = 1" wait_for 10 grep -q "configuration reloaded" "$d/log"
netns_exec cli timeout 10 python3 "$probe" storm --iface vcli --count 20 --rate 200 \
	--duration 2 --prefix 4 --out "$d/storm" >"$d/storm.log" 2>&1
ok "a burst of 20 DISCOVERs: over the rate, a warning line" wait_for 5 grep -q \
	"warning dhcp: vsrv: requests over dhcp.rate dropped" "$d/log"
check "the rate warning is not repeated for every request" \
	$([ "$(grep -c "requests over dhcp.rate" "$d/log")" = 1 ]; echo $?)

if [ -n "$plugins" ] && command -v curl >/dev/null; then
	netns_exec srv timeout 10 curl -s http://198.18.0.1:8080/_pxeboot/metrics >"$d/metrics"
	grep '^pxeboot_dhcp_\(pool_exhausted\|not_relay\|rate_limited\)' "$d/metrics" | sed 's/^/# /'
	metric() { sed -n "s/^$1 //p" "$d/metrics" | grep -x '[0-9]*' || echo 0; }
	# The burst below the rate's budget met the exhausted pool too: 2 and more.
	n=$(metric 'pxeboot_dhcp_pool_exhausted_total{interface="vsrv"}')
	check "metric: DISCOVERs an exhausted pool left unanswered ($n)" $([ "$n" -ge 2 ]; echo $?)
	ok "metric: requests with a giaddr from no relay" \
		grep -qx 'pxeboot_dhcp_not_relay_total{interface="vsrv"} 1' "$d/metrics"
	n=$(metric 'pxeboot_dhcp_packets_total{type="DISCOVER",verdict="exhausted"}')
	check "metric: verdicts by name ($n exhausted)" $([ "$n" -ge 2 ]; echo $?)
	n=$(metric 'pxeboot_dhcp_rate_limited_total{interface="vsrv"}')
	check "metric: datagrams over the rate ($n, at least 10 of 20)" $([ "$n" -ge 10 ]; echo $?)
else
	diag "no http plugin or curl: metrics not read"
fi
kill -TERM "$PXBD_PID"
ok "the counts are in the last line" \
	wait_for 10 grep -Eq "pool exhausted [2-9][0-9]*, not from a relay 1, over the rate [1-9]" "$d/log"
wait "$PXBD_PID" 2>/dev/null
tap_done
