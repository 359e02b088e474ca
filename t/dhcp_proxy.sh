#!/bin/bash
# dhcp_proxy.sh - pxebootd in proxy mode beside another DHCP server (Debian's
# dnsmasq playing the router), all on one bridge in private namespaces:
# udhcpc with a PXE vendor class gets its address from dnsmasq; a PXE
# DISCOVER collects two OFFERs (dnsmasq's with an address, ours with yiaddr
# 0, option 60 PXEClient, option 43 and the boot file); a REQUEST to our port
# 4011 is ACKed; UEFI HTTP boot gets a URL; a plain DISCOVER gets nothing from
# us. Then dhcp.mode = "off": no DHCP socket at all, TFTP still serves.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
netns_require
[ -x /usr/sbin/dnsmasq ] || tap_skip_all "needs dnsmasq (/usr/sbin/dnsmasq)"
command -v python3 >/dev/null || tap_skip_all "needs python3"
bb=$(command -v busybox) || tap_skip_all "needs busybox (udhcpc, tftp)"
d=$(scratch_dir)
mkdir -p "$d/root" "$d/state"
probe="$top_srcdir/t/dhcp_probe.py"
echo "boot loader" >"$d/root/snponly.efi"
echo "bios loader" >"$d/root/undionly.kpxe"

# One bridge (in namespace "lan"), three ports: router, boot server, client.
netns_make lan
netns_make router
netns_make boot
netns_make cli
netns_bridge lan br0 "" || { check "test network" 1; tap_done; exit 1; }
port() { netns_port lan br0 "$@"; } # port NAME [ADDR]: a port on br0
port router 198.18.0.1/24 && port boot 198.18.0.2/24 && port cli "" ||
	{ check "test network" 1; tap_done; exit 1; }

# The router's DHCP server: addresses, no boot information.
ip netns exec "$NS_router" /usr/sbin/dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
	--interface=vrouter --bind-interfaces --dhcp-range=198.18.0.100,198.18.0.150,10m \
	--no-ping --dhcp-leasefile="$d/dnsmasq.leases" --pid-file= --user=root --group=root \
	--log-dhcp >"$d/dnsmasq.log" 2>&1 &
DNSMASQ_PID=$!
track_pid "$DNSMASQ_PID"
ok "dnsmasq (the router's DHCP server) runs" wait_for 5 grep -q "DHCP, IP range" "$d/dnsmasq.log"

conf() { # conf MODE
	cat >"$d/pxeboot.conf" <<CONF
state_dir = "$d/state";
tftp = { root = "$d/root"; listen = "198.18.0.2:69"; };
http = { root = "$d/root"; listen = "198.18.0.2:8080"; };
dhcp = {
  mode = "$1";
  interfaces = ["vboot"];
  hosts = ( { name = "pay"; mac = "02:00:00:00:00:aa"; noboot = true; } );
  arch_files = ( { arch = "bios"; file = "undionly.kpxe"; },
                 { arch = "efi-x64"; file = "snponly.efi"; },
                 { arch = "efi-x64-http"; file = "snponly.efi"; } );
};
CONF
}
start_srv() { # start_srv MODE-WORDS
	start_pxebootd_in "$NS_boot" "$d/log" -d -c "$d/pxeboot.conf"
	wait_for 10 grep -q "$1" "$d/log"
}
stop_srv() {
	kill -TERM "$PXBD_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$PXBD_PID" 2>/dev/null || break; sleep 0.1; done
	wait "$PXBD_PID" 2>/dev/null
}

conf proxy
ok "proxy config is valid" "$PXEBOOTD" -t -c "$d/pxeboot.conf"
ok "pxebootd starts in proxy mode" start_srv "dhcp: serving in proxy mode"
ok "proxy mode listens on 67 and 4011" sh -c "ip netns exec '$NS_boot' ss -uln | grep -q ':67 ' && ip netns exec '$NS_boot' ss -uln | grep -q ':4011 '"

# udhcpc as an ordinary client: its address comes from dnsmasq, and a proxy
# never answers it. (A non-PXE client that sends a PXE vendor class takes
# whichever OFFER comes first, ours half the time; that race is the
# client's, and real firmware handles proxy offers: see the QEMU scenario f
# and the OFFER collection below.)
cat >"$d/udhcpc.sh" <<SH
#!/bin/sh
case "\$1" in bound|renew)
  ip addr replace "\$ip/24" dev "\$interface"
  { echo "ip=\$ip"; echo "serverid=\$serverid"; echo "boot_file=\$boot_file"; } >"$d/u.out";;
esac
SH
chmod +x "$d/udhcpc.sh"
netns_exec cli ip link set vcli address 02:00:00:00:00:01
netns_exec cli timeout 30 "$bb" udhcpc -i vcli -n -q -f -t 5 -T 2 -s "$d/udhcpc.sh" >>"$d/u.log" 2>&1
sed 's/^/# udhcpc: /' "$d/u.log" 2>/dev/null | tail -8
ok "udhcpc gets an address from dnsmasq" grep -q '^ip=198.18.0.1[0-5][0-9]$' "$d/u.out"
ok "udhcpc's lease is dnsmasq's" grep -q '^serverid=198.18.0.1$' "$d/u.out"
cip=$(sed -n 's/^ip=//p' "$d/u.out")
ok "the proxy saw udhcpc and stayed silent (not a PXE client)" \
	wait_for 5 grep -q "DISCOVER 02:00:00:00:00:01 .*-> ignore.*not a PXE client" "$d/log"
ok "no reply of ours to udhcpc" sh -c "! grep -q '02:00:00:00:00:01 .*-> \(offer\|ack\)' '$d/log'"
case "$cip" in 198.18.0.1[0-5][0-9]) ;; *)
	cip=198.18.0.250
	netns_exec cli ip addr flush dev vcli
	netns_exec cli ip addr add 198.18.0.250/24 dev vcli
	diag "no lease from dnsmasq: the client goes on with 198.18.0.250";;
esac

# A PXE DISCOVER (EFI x64) collects every OFFER.
netns_exec cli timeout 20 python3 "$probe" offers --iface vcli --mac 02:00:00:00:00:02 \
	--vendor PXEClient:Arch:00007:UNDI:003000 --arch 7 --wait 3 >"$d/offers" 2>&1
sed 's/^/# /' "$d/offers"
pyq() { python3 - "$d/offers" "$@" <<'PY'
import json, sys
offers = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
ours = [o for o in offers if o["server_id"] == "198.18.0.2"]
theirs = [o for o in offers if o["server_id"] == "198.18.0.1"]
what = sys.argv[2]
if what == "theirs":
    ok = len(theirs) >= 1 and all(o["type"] == "OFFER" and o["yiaddr"].startswith("198.18.0.1") for o in theirs)
elif what == "ours":
    ok = len(ours) == 1 and ours[0]["type"] == "OFFER"
elif what == "noaddr":
    ok = all(o["yiaddr"] == "0.0.0.0" for o in ours) and len(ours) > 0
elif what == "pxeclient":
    ok = all(o["opt60"] == "PXEClient" for o in ours) and len(ours) > 0
elif what == "opt43":
    ok = all(o.get("opt43", {}).get("6") == "08" for o in ours) and len(ours) > 0
elif what == "file":
    ok = all(o["file"] == sys.argv[3] and o["opt67"] == sys.argv[3] for o in ours) and len(ours) > 0
elif what == "siaddr":
    ok = all(o["siaddr"] == "198.18.0.2" for o in ours) and len(ours) > 0
elif what == "http":
    ok = len(ours) == 1 and ours[0]["opt60"] == "HTTPClient" and ours[0]["opt67"] == sys.argv[3] and ours[0]["yiaddr"] == "0.0.0.0"
elif what == "none-ours":
    ok = len(ours) == 0 and len(theirs) >= 1
sys.exit(0 if ok else 1)
PY
}
ok "PXE DISCOVER: dnsmasq offers an address" pyq theirs
ok "PXE DISCOVER: pxebootd offers once" pyq ours
ok "our OFFER has yiaddr 0" pyq noaddr
ok "our OFFER has option 60 PXEClient" pyq pxeclient
ok "our OFFER has option 43 with discovery control 8" pyq opt43
ok "our OFFER has the boot file (file field and option 67)" pyq file snponly.efi
ok "our OFFER names us as next server" pyq siaddr

# The firmware then asks the boot server on port 4011.
netns_exec cli timeout 20 python3 "$probe" pxebs --server 198.18.0.2 --ciaddr "$cip" \
	--mac 02:00:00:00:00:02 >"$d/pxebs" 2>&1
sed 's/^/# /' "$d/pxebs"
ok "REQUEST to port 4011 is ACKed" grep -q '"type": "ACK"' "$d/pxebs"
ok "4011 ACK has the boot file" grep -q '"opt67": "snponly.efi"' "$d/pxebs"
ok "4011 ACK has no address" grep -q '"yiaddr": "0.0.0.0"' "$d/pxebs"
netns_exec cli timeout 20 python3 "$probe" pxebs --server 198.18.0.2 --ciaddr "$cip" \
	--sport 4011 --mac 02:00:00:00:00:03 --vendor PXEClient:Arch:00000:UNDI:002001 --arch 0 \
	--item 32768 >"$d/pxebs2" 2>&1
sed 's/^/# /' "$d/pxebs2"
ok "PXEBS REQUEST from port 4011: the ACK comes back to that port" grep -q '"type": "ACK"' "$d/pxebs2"
ok "PXEBS ACK echoes boot item 71" grep -q '"71": "80000000"' "$d/pxebs2"

# UEFI HTTP boot.
netns_exec cli timeout 20 python3 "$probe" offers --iface vcli --mac 02:00:00:00:00:04 \
	--vendor HTTPClient:Arch:00016:UNDI:003000 --arch 16 --wait 3 >"$d/offers" 2>&1
sed 's/^/# /' "$d/offers"
ok "HTTP boot DISCOVER: our OFFER echoes HTTPClient with a URL" pyq http "http://198.18.0.2:8080/snponly.efi"

# Not a PXE client: nothing from us.
netns_exec cli timeout 20 python3 "$probe" offers --iface vcli --mac 02:00:00:00:00:05 \
	--wait 3 >"$d/offers" 2>&1
sed 's/^/# /' "$d/offers"
ok "plain DISCOVER: dnsmasq answers, pxebootd does not" pyq none-ours
ok "pxebootd says why" grep -q "DISCOVER 02:00:00:00:00:05 .*-> ignore .*not a PXE client" "$d/log"

# A host that must never network-boot: nothing from us either.
netns_exec cli timeout 20 python3 "$probe" offers --iface vcli --mac 02:00:00:00:00:aa \
	--vendor PXEClient:Arch:00007:UNDI:003000 --arch 7 --wait 3 >"$d/offers" 2>&1
ok "noboot host: dnsmasq answers, pxebootd does not" pyq none-ours
ok "dnsmasq never saw a REQUEST meant for us" sh -c "! grep -q 'DHCPREQUEST.*198.18.0.2' '$d/dnsmasq.log'"
ok "pxebootd still running" kill -0 "$PXBD_PID"
stop_srv

# dhcp.mode = "off": no DHCP socket, TFTP still serves.
conf off
ok "pxebootd starts with dhcp.mode off" start_srv "pxebootd .* started"

ok "no socket on 67 or 4011" sh -c "! ip netns exec '$NS_boot' ss -uln | grep -Eq ':(67|4011) '"
ok "the TFTP socket is there" sh -c "ip netns exec '$NS_boot' ss -uln | grep -q '198.18.0.2:69 '"
rm -f "$d/got"
netns_exec cli timeout 10 "$bb" tftp -g -r snponly.efi -l "$d/got" 198.18.0.2 >/dev/null 2>&1
ok "TFTP still serves" cmp -s "$d/got" "$d/root/snponly.efi"
netns_exec cli timeout 20 python3 "$probe" offers --iface vcli --mac 02:00:00:00:00:06 \
	--vendor PXEClient:Arch:00007:UNDI:003000 --arch 7 --wait 3 >"$d/offers" 2>&1
ok "a PXE DISCOVER gets dnsmasq's offer only" pyq none-ours
ok "pxebootd still running" kill -0 "$PXBD_PID"
tap_done
