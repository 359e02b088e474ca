#!/bin/bash
# openwrt_proxy.sh - the OpenWrt default: pxebootd in proxy mode on the router
# itself, beside the router's dnsmasq, both on br-lan with the same address.
# Namespace "router" holds bridge br-lan (198.18.0.1/24) and both servers;
# namespace "cli" is a LAN port. dnsmasq runs as OpenWrt runs it
# (nonwildcard '1': --bind-dynamic, no --interface) and knows nothing of PXE;
# pxebootd runs on the translation of conf/openwrt/pxeboot.config (pxebootctl
# uci) with one substitution for the test: root and state_dir point into a
# scratch directory and "option user" is dropped (no user pxeboot here).
# In both start orders: the iPXE ROM's DISCOVER gets dnsmasq's address OFFER
# and our proxy OFFER; udhcpc and dhclient get their lease from dnsmasq and
# nothing from us; a RENEW unicast to the router reaches dnsmasq, not the
# proxy (dhcp.broadcast_only, which the default file sets). Last,
# dnsmasq in wildcard mode (nonwildcard '0') and pxebootd exclude each
# other from port 67, and the one started second says so.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
netns_require
[ -x /usr/sbin/dnsmasq ] || tap_skip_all "needs dnsmasq (/usr/sbin/dnsmasq)"
command -v python3 >/dev/null || tap_skip_all "needs python3"
bb=$(command -v busybox) || tap_skip_all "needs busybox (udhcpc)"
dhclient=$(command -v dhclient) || tap_skip_all "needs dhclient (isc-dhcp-client)"
CTL="$top_builddir/daemon/pxebootctl"
client="$top_srcdir/t/openwrt_client.py"
d=$(scratch_dir)
mkdir -p "$d/root/boot" "$d/state"
echo "bios loader" >"$d/root/undionly.kpxe"
echo "#!ipxe" >"$d/root/menu.ipxe"

sed -e "s|option root '/mnt/sda1/pxeboot'|option root '$d/root'|" \
	-e "s|option state_dir '/var/lib/pxeboot'|option state_dir '$d/state'|" \
	-e "/option user 'pxeboot'/d" "$top_srcdir/conf/openwrt/pxeboot.config" >"$d/pxeboot.uci"
ok "the substitution changed root, state_dir and user only" \
	test "$(diff "$top_srcdir/conf/openwrt/pxeboot.config" "$d/pxeboot.uci" | grep -c '^<')" = 3
"$CTL" uci "$d/pxeboot.uci" "$top_srcdir/t/openwrt/dhcp" >"$d/pxeboot.conf" 2>"$d/uci.err"
check "pxebootctl uci translates the default /etc/config/pxeboot" $?
ok "  to proxy mode on br-lan" sh -c "grep -q 'mode = \"proxy\"' '$d/pxeboot.conf' && grep -q 'interfaces = \[\"br-lan\"\]' '$d/pxeboot.conf'"

netns_make router
netns_make cli
{ netns_bridge router br-lan 198.18.0.1/24 && netns_port router br-lan cli ""; } ||
	{ check "test network" 1; tap_done; exit 1; }

DNSMASQ_PID=""
start_dnsmasq() { # start_dnsmasq BIND-OPTION...: as OpenWrt runs it, DHCP only
	: >"$d/dnsmasq.log"
	ip netns exec "$NS_router" /usr/sbin/dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
		"$@" --dhcp-range=198.18.0.100,198.18.0.150,255.255.255.0,10m --dhcp-authoritative \
		--no-ping --dhcp-leasefile="$d/dnsmasq.leases" --pid-file="$d/dnsmasq.pid" \
		--user=root --group=root --log-dhcp >"$d/dnsmasq.log" 2>&1 &
	DNSMASQ_PID=$!
	track_pid "$DNSMASQ_PID"
	wait_for 5 grep -q "DHCP, IP range" "$d/dnsmasq.log"
}
start_srv() {
	start_pxebootd_in "$NS_router" "$d/log" -d -c "$d/pxeboot.conf"
	wait_for 10 grep -q "dhcp: serving in proxy mode" "$d/log"
}
stop() { # stop PID: TERM, 5 s, then KILL
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
count67() { ip netns exec "$NS_router" ss -Huan 'sport = :67' | wc -l; }

cat >"$d/udhcpc.sh" <<U
#!/bin/sh
case "\$1" in bound|renew)
  ip addr replace "\$ip/24" dev "\$interface"
  { echo "ip=\$ip"; echo "serverid=\$serverid"; echo "boot_file=\$boot_file"; } >"$d/u.out";;
esac
U
chmod +x "$d/udhcpc.sh"
: >"$d/dhclient.sh"

pyq() { # pyq FILE WHAT: checks the OFFERs collected in FILE
	python3 - "$@" <<'PY'
import json, sys
offers = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
ours = [o for o in offers if o["yiaddr"] == "0.0.0.0"]
theirs = [o for o in offers if o["yiaddr"] != "0.0.0.0"]
what = sys.argv[2]
if what == "theirs":
    ok = len(theirs) == 1 and theirs[0]["type"] == "OFFER" and \
        theirs[0]["yiaddr"].startswith("198.18.0.1") and theirs[0]["opt60"] is None
elif what == "ours":
    ok = len(ours) == 1 and ours[0]["type"] == "OFFER" and ours[0]["opt60"] == "PXEClient" \
        and ours[0]["file"] == "menu.ipxe" and ours[0]["opt67"] == "menu.ipxe" \
        and ours[0]["siaddr"] == "198.18.0.1" and ours[0]["server_id"] == "198.18.0.1"
sys.exit(0 if ok else 1)
PY
}

# scenario ORDER: both servers running; the clients.
scenario() {
	local o=$1 n=$2
	ok "$o: dnsmasq and pxebootd both bound port 67" test "$(count67)" -ge 2
	netns_exec cli ip addr flush dev vcli
	netns_exec cli timeout 15 python3 "$client" ipxe-rom vcli "02:00:00:00:0$n:01" \
		>"$d/offers" 2>&1
	sed 's/^/# /' "$d/offers"
	ok "$o: iPXE ROM DISCOVER gets dnsmasq's address OFFER" pyq "$d/offers" theirs
	ok "$o: and our proxy OFFER (PXEClient, menu.ipxe, next server the router)" \
		pyq "$d/offers" ours

	rm -f "$d/u.out"
	netns_exec cli ip link set vcli address "02:00:00:00:0$n:02"
	netns_exec cli timeout 30 "$bb" udhcpc -i vcli -n -q -f -t 5 -T 2 -s "$d/udhcpc.sh" \
		>"$d/u.log" 2>&1
	sed 's/^/# udhcpc: /' "$d/u.log" | tail -4
	ok "$o: udhcpc gets its address from dnsmasq" \
		sh -c "grep -q '^ip=198.18.0.1[0-5][0-9]$' '$d/u.out' && grep -q '^serverid=198.18.0.1$' '$d/u.out'"
	ok "$o: pxebootd stays silent to udhcpc" sh -c "grep -q 'DISCOVER 02:00:00:00:0$n:02 .*-> ignore' '$d/log' && ! grep -q '02:00:00:00:0$n:02 .*-> \(offer\|ack\|nak\)' '$d/log'"
	ip=$(sed -n 's/^ip=//p' "$d/u.out" 2>/dev/null)
	netns_exec cli timeout 15 python3 "$client" renew vcli "02:00:00:00:0$n:02" "${ip:-198.18.0.250}" \
		198.18.0.1 >"$d/renew" 2>&1
	sed 's/^/# renew: /' "$d/renew"
	ok "$o: a RENEW unicast to the router is ACKed by dnsmasq" \
		sh -c "grep -q '\"type\": \"ACK\"' '$d/renew' && grep -q '\"yiaddr\": \"$ip\"' '$d/renew'"

	netns_exec cli ip addr flush dev vcli
	netns_exec cli ip link set vcli address "02:00:00:00:0$n:03"
	rm -f "$d/dhclient.leases"
	netns_exec cli timeout 30 "$dhclient" -1 -d -v -sf /bin/true -lf "$d/dhclient.leases" \
		-pf "$d/dhclient.pid" vcli >"$d/dhclient.log" 2>&1
	grep -i 'DHCP\|bound' "$d/dhclient.log" | sed 's/^/# dhclient: /' | tail -4
	ok "$o: dhclient gets its address from dnsmasq" \
		sh -c "grep -q 'fixed-address 198.18.0.1[0-5][0-9];' '$d/dhclient.leases' && grep -q 'dhcp-server-identifier 198.18.0.1;' '$d/dhclient.leases' && ! grep -q 'filename' '$d/dhclient.leases'"
	ok "$o: pxebootd stays silent to dhclient" sh -c "! grep -q '02:00:00:00:0$n:03 .*-> \(offer\|ack\|nak\)' '$d/log'"
	ok "$o: both still run" sh -c "kill -0 $DNSMASQ_PID && kill -0 $PXBD_PID"
}

ok "dnsmasq first: dnsmasq starts" start_dnsmasq --bind-dynamic
ok "dnsmasq first: then pxebootd starts in proxy mode" start_srv
ok "  port 67 takes broadcasts only (dhcp.broadcast_only)" \
	grep -q "listening on br-lan port 67 (broadcasts only)" "$d/log"
scenario "dnsmasq first" 1
stop "$PXBD_PID"; stop "$DNSMASQ_PID"

ok "pxebootd first: pxebootd starts in proxy mode" start_srv
ok "pxebootd first: then dnsmasq starts" start_dnsmasq --bind-dynamic
scenario "pxebootd first" 2
stop "$DNSMASQ_PID"; stop "$PXBD_PID"

# nonwildcard '0': dnsmasq binds 0.0.0.0:67 without SO_REUSEADDR, which
# excludes every other socket on port 67 (README: the router needs '1').
ok "wildcard dnsmasq starts" start_dnsmasq
start_srv
ok "  then pxebootd cannot have port 67, and says why" \
	wait_for 10 grep -q "cannot serve br-lan port 67: Address already in use" "$d/log"
stop "$PXBD_PID"; stop "$DNSMASQ_PID"
ok "pxebootd first: it starts" start_srv
start_dnsmasq
ok "  then wildcard dnsmasq cannot have port 67" \
	wait_for 5 grep -q "failed to bind DHCP server socket: Address already in use" "$d/dnsmasq.log"
stop "$DNSMASQ_PID"; stop "$PXBD_PID"
tap_done
