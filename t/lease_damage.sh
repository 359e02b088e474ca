#!/bin/bash
# lease_damage.sh - pxebootd with a damaged lease journal, in namespaces.
# A flipped bit in the first record: the leases after it are restored (the
# clients of t/dhcp_probe.py get their addresses back), the loss is logged as
# an error and the file kept aside; a host answering ping on the lost lease's
# address does not get it given to another client (dhcp.probe). A journal cut
# inside its header: TFTP (tftp-hpa) and HTTP (curl) are served, DHCP refuses
# with an error saying what to do.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
netns_require
command -v python3 >/dev/null || tap_skip_all "needs python3"
command -v tftp >/dev/null || tap_skip_all "needs tftp-hpa"
command -v curl >/dev/null || tap_skip_all "needs curl"
d=$(scratch_dir)
mkdir -p "$d/root" "$d/state"
echo "boot me" >"$d/root/hello.txt"
probe="$top_srcdir/t/dhcp_probe.py"

netns_make srv
netns_make cli
netns_link srv cli 198.18.0.1/20 198.18.0.2/20 || { check "test network" 1; tap_done; exit 1; }

# Eight addresses for eight clients: after one lease is lost, its address is
# the only one left to give.
cat >"$d/pxeboot.conf" <<CONF
plugins = ["http"];
state_dir = "$d/state";
tftp = { root = "$d/root"; listen = "198.18.0.1:69"; };
http = { root = "$d/root"; listen = "198.18.0.1:80"; };
dhcp = {
  mode = "server";
  interfaces = ["vsrv"];
  lease_time = "1h";
  subnets = ( { network = "198.18.0.0/20"; pool_start = "198.18.1.1";
                pool_end = "198.18.1.8"; router = "198.18.0.1"; } );
};
CONF
ok "config is valid" "$PXEBOOTD" -t -P "$PXB_PLUGIN_DIR" -c "$d/pxeboot.conf"

start_srv() {
	start_pxebootd_in "$NS_srv" "$d/log" -c "$d/pxeboot.conf"
	wait_for 10 grep -q "pxebootd .* started" "$d/log"
}
stop_srv() {
	kill "$PXBD_PID" 2>/dev/null
	wait "$PXBD_PID" 2>/dev/null
}
ok "pxebootd starts" start_srv
netns_exec cli timeout 30 python3 "$probe" storm --iface vcli --count 8 --rate 20 \
	--duration 10 --prefix 7 --out "$d/acks" >"$d/storm" 2>&1
diag "$(cat "$d/storm")"
is "the eight clients are ACKed" "$(wc -l <"$d/acks")" 8
stop_srv

# One bit of the first record (its expiry) flipped; its address is the lost one.
j="$d/state/leases.journal"
lost=$(python3 - "$j" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
print(".".join(str(x) for x in b[19:23]))
b[16 + 3 + 7] ^= 0x04
open(p, "wb").write(b)
PY
)
diag "the first record held $lost"
lostmac=$(awk -v a="$lost" '$3 == a { print $2 }' "$d/acks")
# The lost lease's holder is still on the wire and answers ping.
ip -n "$NS_cli" addr add "$lost/20" dev vcli

ok "pxebootd starts on the damaged journal" start_srv
ok "the loss is logged as an error, with the counts" \
	grep -q "leases.journal was damaged: 7 lease(s) restored .* 1 damaged stretch" "$d/log"
kept=$(ls "$d/state" | grep -c '^leases.journal.damaged-')
is "the damaged file is kept aside" "$kept" 1

# A new client: the only free address is the lost lease's; it answers the
# probe, so it is quarantined and nobody is offered it.
netns_exec cli timeout 20 python3 "$probe" offers --iface vcli --mac 02:dd:00:00:00:01 \
	--wait 3 >"$d/offers" 2>&1
diag "$(cat "$d/offers")"
ok "the address of the lost lease is not offered to a new client" \
	sh -c "! grep -q '\"yiaddr\": \"$lost\"' '$d/offers'"
ok "it was probed and found in use" grep -q "$lost answers a ping but has no lease here" "$d/log"

netns_exec cli timeout 120 python3 "$probe" verify --iface vcli --records "$d/acks" \
	>"$d/verify" 2>&1
grep -E '^(kept|LOST)' "$d/verify" | sed 's/^/# /'
is "the seven other clients get their addresses back" "$(grep -c '^kept' "$d/verify")" 7
is "only the client of the damaged record lost its lease" \
	"$(grep '^LOST' "$d/verify" | awk '{ print $2 }')" "$lostmac"
ok "still running" kill -0 "$PXBD_PID"
stop_srv

# A journal cut inside its header.
head -c 10 "$j" >"$j.cut" && mv "$j.cut" "$j"
ok "pxebootd starts with a cut header" start_srv
wait_for 5 grep -q "DHCP is off" "$d/log"
ok "the log says DHCP is off, and what to do" \
	grep -q "leases.journal has a damaged header .*DHCP is off.*rename it to" "$d/log"
rm -f "$d/got"
(cd "$d" && netns_exec cli timeout 10 tftp 198.18.0.1 -m binary -c get hello.txt got) \
	>/dev/null 2>&1
ok "TFTP is served (tftp-hpa)" cmp -s "$d/got" "$d/root/hello.txt"
ok "HTTP is served (curl)" ip netns exec "$NS_cli" sh -c \
	"timeout 10 curl -sf http://198.18.0.1/hello.txt | grep -q 'boot me'"
netns_exec cli timeout 20 python3 "$probe" offers --iface vcli --mac 02:dd:00:00:00:02 \
	--wait 2 >"$d/offers2" 2>&1
ok "DHCP answers nothing" sh -c "! grep -q OFFER '$d/offers2'"
is "the journal is left as it was" "$(wc -c <"$j")" 10
ok "still running" kill -0 "$PXBD_PID"
stop_srv
tap_done
