#!/bin/bash
# log_hostile.sh - what a peer sends cannot forge or flood pxebootd's log:
# a DHCP user class and host name with a newline and an ESC sequence are
# logged escaped on one line, and a flood of TFTP requests for missing
# files (one log line each) writes at most log_burst + log_rate x seconds
# lines and a "suppressed" summary. The server runs in a namespace of its
# own, the clients in another (198.18.0.0/15).
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
netns_require
command -v python3 >/dev/null || tap_skip_all "needs python3"
d=$(scratch_dir)
mkdir -p "$d/root" "$d/state"

netns_make srv
netns_make cli
netns_link srv cli 198.18.0.1/24 198.18.0.2/24 || { check "test network" 1; tap_done; exit 1; }

cat >"$d/pxeboot.conf" <<CONF
state_dir = "$d/state";
log_rate = 10;
log_burst = 50;
tftp = { root = "$d/root"; listen = "198.18.0.1:69"; };
http = { root = "$d/root"; listen = "198.18.0.1:80"; };
dhcp = {
  mode = "server";
  interfaces = ["vsrv"];
  subnets = ( { network = "198.18.0.0/24"; pool_start = "198.18.0.100";
                pool_end = "198.18.0.200"; } );
  arch_files = ( { arch = "bios"; file = "undionly.kpxe"; } );
};
CONF
start_pxebootd_in "$NS_srv" "$d/log" -c "$d/pxeboot.conf"
if ! wait_for 10 grep -q "pxebootd .* started" "$d/log"; then
	check "pxebootd starts" 1; sed 's/^/# /' "$d/log"; tap_done; exit 1
fi
check "pxebootd starts" 0

# One DISCOVER whose user class (77) and host name (12) hold a newline, an
# ESC sequence, DEL and a byte that is not UTF-8.
netns_exec cli python3 - <<'PY'
import socket, struct
uc = b"iPXE\n\x1b[31mINJECTED error pxebootd: forged\x7f\xff"
hn = b"host\r\nname\x1b]0;title\x07"
opts = bytes([53, 1, 1]) + bytes([77, len(uc)]) + uc + bytes([12, len(hn)]) + hn + b"\xff"
pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x1234abcd, 0, 0x8000,
                  bytes(4), bytes(4), bytes(4), bytes(4), bytes.fromhex("02aabbccdd01") + bytes(10),
                  bytes(64), bytes(128)) + b"\x63\x82\x53\x63" + opts
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"vcli")
s.bind(("0.0.0.0", 68))
s.sendto(pkt, ("255.255.255.255", 67))
PY
wait_for 5 grep -q "02:aa:bb:cc:dd:01" "$d/log"
check "the DISCOVER is logged" $?
ok "the user class is escaped in the line" \
	grep -qF 'user-class=iPXE\x0a\x1b[31mINJECTED error pxebootd: forged\x7f\xff' "$d/log"
is "on one line" "$(grep -c 'INJECTED' "$d/log")" 1
ok "no line starts with the forged text" sh -c "! grep -q '^.\\?\\[31mINJECTED' '$d/log'"
ok "no control byte reaches the log" sh -c "! LC_ALL=C grep -q \"\$(printf '[\\001-\\010\\013-\\037\\177]')\" '$d/log'"

# A flood: 1000 requests for missing files, each a log line of its own.
before=$(grep -c 'tftp: .* RRQ flood' "$d/log")
t0=$(date +%s)
netns_exec cli python3 - <<'PY'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.0.2", 0))
for i in range(1000):
    s.sendto(b"\x00\x01flood%04d\x00octet\x00" % i, ("198.18.0.1", 69))
    if i % 100 == 99:
        time.sleep(0.05)
PY
wait_for 15 grep -q "suppressed" "$d/log"
check "a summary says lines were suppressed" $?
secs=$(( $(date +%s) - t0 + 1 ))
n=$(( $(grep -c 'tftp: .* RRQ flood' "$d/log") - before ))
diag "$n of 1000 request lines logged in about $secs s"
check "the flood's lines are bounded (log_burst 50 + log_rate 10/s x $secs s)" \
	"$([ "$n" -le $((50 + 10 * secs)) ] && [ "$n" -ge 50 ]; echo $?)"
ok "the summary counts the rest" grep -q "warning log: [0-9]* info line(s) of tftp suppressed" "$d/log"
ok "pxebootd still running" kill -0 "$PXBD_PID"
tap_done
