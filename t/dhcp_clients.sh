#!/bin/bash
# dhcp_clients.sh - pxebootd's DHCP server against real clients (dhclient,
# udhcpc, dhcpcd) in private network namespaces: obtain, renew, release;
# a NOPXE host gets an address and no boot file; user class iPXE gets the
# menu; client arch 7 gets the EFI loader; leases survive a restart.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
netns_require
d=$(scratch_dir)
mkdir -p "$d/root" "$d/state"

netns_make srv
netns_make cli
netns_link srv cli 198.18.0.1/24 198.18.0.2/24 || { check "test network" 1; tap_done; exit 1; }
# The client side starts without an address, as a booting machine does.
netns_exec cli ip addr flush dev vcli

cat >"$d/pxeboot.conf" <<CONF
state_dir = "$d/state";
tftp = { root = "$d/root"; listen = "198.18.0.1:69"; };
http = { root = "$d/root"; listen = "198.18.0.1:80"; };
dhcp = {
  mode = "server";
  interfaces = ["vsrv"];
  lease_time = "10m";
  subnets = ( { network = "198.18.0.0/24"; pool_start = "198.18.0.100";
                pool_end = "198.18.0.150"; router = "198.18.0.1";
                dns = ["198.18.0.1"]; domain = "rescue.test"; } );
  hosts = ( { name = "paymentprocessor"; mac = "02:00:00:00:00:aa"; tags = ["NOPXE"]; },
            { name = "fixed"; mac = "02:00:00:00:00:bb"; address = "198.18.0.10"; },
            { name = "forced"; mac = "02:00:00:00:00:cc";
              options = ( { code = 224; value = "hello"; force = true; },
                          { code = 225; value = "unasked"; } ); } );
  tags = ( { set = "ENH"; match = "user-class"; value = "iPXE"; },
           { set = "EFI64"; match = "arch"; value = "7,9"; } );
  boot = ( { tags = "NOPXE"; noboot = true; },
           { tags = "ENH"; file = "menu.ipxe"; },
           { tags = "!ENH & EFI64"; file = "snponly.efi"; },
           { tags = "!ENH & !NOPXE"; file = "undionly.kpxe"; } );
};
CONF
ok "config is valid" "$PXEBOOTD" -t -c "$d/pxeboot.conf"

start_srv() {
	start_pxebootd_in "$NS_srv" "$d/log" -d -c "$d/pxeboot.conf"
	wait_for 10 grep -q "dhcp: serving in server mode" "$d/log"
}
ok "pxebootd starts in server mode" start_srv

# A udhcpc script that records what the server said.
cat >"$d/udhcpc.sh" <<'SH'
#!/bin/sh
[ "$1" = bound ] || [ "$1" = renew ] || exit 0
{ echo "ip=$ip"; echo "boot_file=$boot_file"; echo "siaddr=$siaddr"; echo "router=$router";
  echo "dns=$dns"; echo "domain=$domain"; echo "lease=$lease";
  echo "opt224=$opt224"; echo "opt225=$opt225"; } >"$OUT"
SH
chmod +x "$d/udhcpc.sh"
bb=$(command -v busybox)

udhcpc_run() { # udhcpc_run MAC OUT EXTRA-ARGS...
	local mac=$1 out=$2; shift 2
	netns_exec cli ip link set vcli address "$mac"
	rm -f "$out"
	OUT=$out netns_exec cli timeout 20 "$bb" udhcpc -i vcli -n -q -f -t 4 -T 2 \
		-s "$d/udhcpc.sh" "$@" >"$out.log" 2>&1
}

udhcpc_run 02:00:00:00:00:01 "$d/u1"
ok "udhcpc obtains an address from the pool" grep -q '^ip=198.18.0.1[0-4][0-9]$' "$d/u1"
ok "router, DNS and domain are given" sh -c "grep -q '^router=198.18.0.1' '$d/u1' && grep -q '^dns=198.18.0.1' '$d/u1' && grep -q '^domain=rescue.test' '$d/u1'"
ok "plain client gets undionly.kpxe" grep -q '^boot_file=undionly.kpxe$' "$d/u1"
ok "next server is ours" grep -q '^siaddr=198.18.0.1$' "$d/u1"
ok "lease time is 10 minutes" grep -q '^lease=600$' "$d/u1"
first=$(sed -n 's/^ip=//p' "$d/u1")

udhcpc_run 02:00:00:00:00:01 "$d/u1b"
check "the same client gets the same address again" $([ "$(sed -n 's/^ip=//p' "$d/u1b")" = "$first" ]; echo $?)

# User class "iPXE" as iPXE sends it (plain string, option 77).
udhcpc_run 02:00:00:00:00:02 "$d/u2" -x 0x4d:69505845
ok "user class iPXE gets the menu" grep -q '^boot_file=menu.ipxe$' "$d/u2"

# Client architecture 7 (EFI x64, option 93) with a PXE vendor class.
udhcpc_run 02:00:00:00:00:03 "$d/u3" -x 0x5d:0007 -V PXEClient:Arch:00007:UNDI:003000
ok "client arch 7 gets the EFI loader" grep -q '^boot_file=snponly.efi$' "$d/u3"

# The NOPXE host (payment processor), even when it runs iPXE.
udhcpc_run 02:00:00:00:00:aa "$d/u4" -x 0x4d:69505845
ok "NOPXE host gets an address" grep -q '^ip=198.18.0.1[0-4][0-9]$' "$d/u4"
ok "NOPXE host gets no boot file" grep -q '^boot_file=$' "$d/u4"

udhcpc_run 02:00:00:00:00:bb "$d/u5"
ok "host with a fixed address gets it" grep -q '^ip=198.18.0.10$' "$d/u5"

# A host's forced option reaches udhcpc, whose option 55 does not list it
# (busybox exports options it does not know as optNNN, in hex).
udhcpc_run 02:00:00:00:00:cc "$d/u6"
ok "forced option 224 arrives unasked" grep -q '^opt224=68656c6c6f$' "$d/u6"
ok "an unforced option the client did not ask for stays out" grep -q '^opt225=$' "$d/u6"

# udhcpc renews (RENEWING: unicast with ciaddr) on SIGUSR1 and releases on exit.
cat >"$d/udhcpc-cfg.sh" <<SH
#!/bin/sh
case "\$1" in bound|renew) ip addr replace "\$ip/24" dev "\$interface"; echo "\$1 \$ip" >>"$d/ur.log";; esac
SH
chmod +x "$d/udhcpc-cfg.sh"
netns_exec cli ip link set vcli address 02:00:00:00:00:07
# No timeout(1) in between: signals must reach udhcpc itself (cleanup kills it).
ip netns exec "$NS_cli" "$bb" udhcpc -i vcli -f -R -t 4 -T 2 -s "$d/udhcpc-cfg.sh" >"$d/ur.out" 2>&1 &
upid=$!
track_pid "$upid"
ok "udhcpc (running) is bound" wait_for 15 grep -q '^bound 198.18.0.1' "$d/ur.log"
kill -USR1 "$upid"
ok "udhcpc renews its lease (unicast REQUEST, ACK)" wait_for 10 grep -q '^renew 198.18.0.1' "$d/ur.log"
ok "the server saw a renewal" grep -q "REQUEST 02:00:00:00:00:07 .*-> ack .*(renew or rebind)" "$d/log"
kill -TERM "$upid"
ok "udhcpc releases it on exit (-R)" wait_for 10 grep -q "RELEASE 02:00:00:00:00:07 .*-> released" "$d/log"
netns_exec cli ip addr flush dev vcli

# dhclient: obtain, renew, release (its script only records, never configures the host).
if command -v dhclient >/dev/null; then
	# dhclient gives its script a clean environment: the log path is written in.
	cat >"$d/dhclient.sh" <<SH
#!/bin/sh
echo "\$reason ip=\$new_ip_address file=\$new_filename" >>"$d/dh.log"
case \$reason in BOUND|RENEW|REBIND|REBOOT) ip addr replace "\$new_ip_address/24" dev "\$interface";; esac
SH
	chmod +x "$d/dhclient.sh"
	netns_exec cli ip link set vcli address 02:00:00:00:00:04
	LOG_OUT=$d/dh.log netns_exec cli timeout 30 dhclient -4 -1 -v -sf "$d/dhclient.sh" \
		-lf "$d/dh.leases" -pf "$d/dh.pid" vcli >"$d/dh.out" 2>&1
	ok "dhclient obtains a lease" grep -q 'BOUND ip=198.18.0.1[0-4][0-9]' "$d/dh.log"
	LOG_OUT=$d/dh.log netns_exec cli timeout 30 dhclient -4 -1 -v -sf "$d/dhclient.sh" \
		-lf "$d/dh.leases" -pf "$d/dh.pid" vcli >>"$d/dh.out" 2>&1
	ok "dhclient renews (reboot state) its lease" grep -Eq '(RENEW|REBOOT|BOUND) ip=198.18.0.1[0-4][0-9]' "$d/dh.log"
	LOG_OUT=$d/dh.log netns_exec cli timeout 30 dhclient -4 -r -v -sf "$d/dhclient.sh" \
		-lf "$d/dh.leases" -pf "$d/dh.pid" vcli >>"$d/dh.out" 2>&1
	ok "dhclient releases it" wait_for 5 grep -q "RELEASE.*-> released" "$d/log"
	netns_exec cli ip addr flush dev vcli
else
	diag "dhclient not installed"
fi

# dhcpcd: obtain and release, with no hooks touching the system.
if command -v dhcpcd >/dev/null; then
	netns_exec cli ip link set vcli address 02:00:00:00:00:05
	cat >"$d/dhcpcd.sh" <<SH
#!/bin/sh
echo "\$reason ip=\$new_ip_address" >>"$d/dc.log"
SH
	chmod +x "$d/dhcpcd.sh"
	printf 'nohook resolv.conf, ntp.conf, hostname\nnoipv6rs\nipv4only\n' >"$d/dhcpcd.conf"
	LOG_OUT=$d/dc.log netns_exec cli timeout 30 dhcpcd -f "$d/dhcpcd.conf" -c "$d/dhcpcd.sh" \
		-4 -1 -w -t 20 --noarp --nobackground vcli >"$d/dc.out" 2>&1 &
	dpid=$!
	track_pid "$dpid"
	ok "dhcpcd obtains a lease" wait_for 25 grep -q 'BOUND ip=198.18.0.1[0-4][0-9]' "$d/dc.log"
	kill "$dpid" 2>/dev/null
	netns_exec cli ip addr flush dev vcli
else
	diag "dhcpcd not installed"
fi

# Restart: the lease of client 01 is restored and kept for it.
kill -TERM "$PXBD_PID"
wait_for 10 grep -q "stopped" "$d/log"
wait "$PXBD_PID" 2>/dev/null
ok "pxebootd restarts" start_srv
ok "leases restored from the journal" grep -Eq "[1-9][0-9]* lease\(s\) restored" "$d/log"
grep -Eq "[1-9][0-9]* lease\(s\) restored" "$d/log" || grep -E "restored|journal|stopped|offers" "$d/log" "$d/log.old" | sed 's/^/# /' 
udhcpc_run 02:00:00:00:00:01 "$d/u6"
check "after a restart the client keeps its address" $([ "$(sed -n 's/^ip=//p' "$d/u6")" = "$first" ]; echo $?)

# Malformed packets are dropped and counted; the server keeps answering.
netns_exec cli ip addr add 198.18.0.2/24 dev vcli
netns_exec cli python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
for pkt in [b"", b"\x01" * 10, b"\x01\x01\x06\x00" + b"\x00" * 232 + b"\x63\x82\x53\x63\x35\xff",
            b"\x01\x01\x06\x11" + b"\x00" * 232 + b"\x63\x82\x53\x63\x35\x01\x01\xff"]:
    s.sendto(pkt, ("198.18.0.1", 67))
PY
ok "malformed packets are counted and logged" wait_for 5 grep -q "malformed packet .* dropped" "$d/log"
netns_exec cli ip addr flush dev vcli
udhcpc_run 02:00:00:00:00:06 "$d/u7"
ok "still serving after malformed packets" grep -q '^ip=198.18.0.1' "$d/u7"
ok "no leaks or crashes: still running" kill -0 "$PXBD_PID"
tap_done
