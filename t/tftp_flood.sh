#!/bin/bash
# tftp_flood.sh - pxebootd's TFTP on a LAN it does not trust, in private
# namespaces: 3000 read requests asking timeout=255 from 125 addresses
# (forged sources, as far as the server can tell: none ever acknowledges)
# hold no more sockets than the budget of unacknowledged transfers, are
# over within seconds, and a real client (tftp-hpa) fetches its file during
# the flood; one request never acknowledged gets at most 3 packets back (the
# first and 2 resends); a source with too many bytes outstanding gets no
# new transfer (tftp.max_unacked_bytes_per_source).
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
netns_require
command -v tftp >/dev/null || tap_skip_all "needs tftp-hpa"
command -v ss >/dev/null || tap_skip_all "needs ss (iproute2)"
d=$(scratch_dir)
root="$d/root"
mkdir -p "$root" "$d/out"
head -c 100000 /dev/urandom >"$root/flood.bin"
head -c 300000 /dev/urandom >"$root/real.bin"

netns_make srv
netns_make cli
netns_link srv cli 198.18.0.1/15 198.18.0.2/15 || { check "test network" 1; tap_done; exit 1; }
# The flood's sources (198.19.0.1-125) and two probes', on the client's side.
flood_addrs=""
for i in $(seq 1 125); do
	echo "addr add 198.19.0.$i/15 dev vcli"
	flood_addrs="$flood_addrs 198.19.0.$i"
done >"$d/addrs"
printf 'addr add 198.19.1.1/15 dev vcli\naddr add 198.19.1.2/15 dev vcli\n' >>"$d/addrs"
ip -n "$NS_cli" -batch "$d/addrs" || { check "flood addresses" 1; tap_done; exit 1; }

# Defaults but two: room for 1000 transfers, which a flood of 3000 would
# take at once if nothing bounded it, and a small byte budget per source,
# so that 3 transfers without options (3 x 516 bytes each at most before
# an ACK) fill it.
cat >"$d/pxeboot.conf" <<CONF
plugins = ["http"];
tftp = { root = "$root"; listen = "198.18.0.1:69"; max_transfers = 1000;
	max_unacked_bytes_per_source = 4096; };
http = { root = "$root"; listen = "198.18.0.1:8080"; };
CONF
start_pxebootd_in "$NS_srv" "$d/log" -c "$d/pxeboot.conf"
if ! wait_for 10 grep -q "tftp: listening" "$d/log"; then
	check "pxebootd serves TFTP in the namespace" 1
	sed 's/^/# /' "$d/log"; tap_done; exit 1
fi
flood() { timeout 40 ip netns exec "$NS_cli" python3 "$top_srcdir/t/tftp_flood.py" "$@"; }
# UDP sockets of the server's namespace: the listening one and one per transfer.
sockets() { ip netns exec "$NS_srv" ss -u -a -n -H | wc -l; }

# One request never acknowledged: before this was bounded, 5 packets came
# in 16 s (at 0, 1, 3, 7 and 15 s) and more after.
flood silent 198.18.0.1 69 flood.bin 16 198.19.1.1 >"$d/silent" &
silent_pid=$!
# 10 at once from one source: 3 fit its 4096 bytes, the others are dropped.
is "byte budget: 3 of 10 requests from one source answered" \
	"$(flood burst 198.18.0.1 69 flood.bin 10 1 198.19.1.2)" "answered 3"

# 3000 over 5 s; the real client starts once 2500 are out, when the
# transfers of an unbounded server have long filled tftp.max_transfers.
flood flood 198.18.0.1 69 flood.bin 3000 5 2500 "$d/mark" $flood_addrs >"$d/flood" &
flood_pid=$!
most=0
for _ in $(seq 1 100); do
	[ -e "$d/mark" ] && break
	kill -0 "$flood_pid" 2>/dev/null || break
	n=$(sockets)
	[ "$n" -gt "$most" ] && most=$n
	sleep 0.2
done
start=$(date +%s%N)
(printf 'binary\nrexmt 1\ntimeout 15\nget real.bin %s\nquit\n' "$d/out/real" |
	timeout 20 ip netns exec "$NS_cli" tftp 198.18.0.1 >"$d/tftp.out" 2>&1
	date +%s%N >"$d/client_end") &
client_pid=$!
# The most sockets the server holds while the flood goes on.
for _ in $(seq 1 20); do
	n=$(sockets)
	[ "$n" -gt "$most" ] && most=$n
	kill -0 "$flood_pid" 2>/dev/null || break
	sleep 0.2
done
wait "$client_pid"
ms=$((($(cat "$d/client_end") - start) / 1000000))
ok "a real client (tftp-hpa) fetches its file during the flood" cmp -s "$root/real.bin" "$d/out/real"
check "... within 10 s ($ms ms)" $([ "$ms" -le 10000 ]; echo $?)
sed 's/tftp> //g; /^$/d; s/^/# tftp-hpa: /' "$d/tftp.out"
grep "198.18.0.2:" "$d/log" | sed 's/^/# /'
wait "$flood_pid"
ok "the flood was sent ($(cat "$d/flood"))" grep -q "^sent 3000 in" "$d/flood"
# tftp.max_unacked is 512, and past half of it a source holds one at most.
check "sockets held during the flood within the unacknowledged budget ($most)" \
	$([ "$most" -ge 100 ] && [ "$most" -le 520 ]; echo $?)
# timeout=255 is not granted (tftp.max_client_timeout): 1 + 2 + 4 s at most.
ok "the flood's transfers are over within 10 s of its end" \
	wait_for 10 sh -c "[ \$(ip netns exec '$NS_srv' ss -u -a -n -H | wc -l) -le 2 ]"
diag "sockets left: $(sockets)"
ok "dropped requests are logged" grep -q "request dropped, over the limit" "$d/log"
check "... rate-limited: a few lines, not one per request ($(grep -c 'request dropped' "$d/log"))" \
	$([ "$(grep -c 'request dropped' "$d/log")" -le 6 ]; echo $?)
n=$(grep -c " failed flood.bin " "$d/log")
check "transfers never acknowledged: one line for all ($n)" $([ "$n" -eq 1 ]; echo $?)

# Metrics: drops by reason, and no unacknowledged transfer left.
metrics() {
	ip netns exec "$NS_cli" curl -s -m 5 "http://198.18.0.1:8080/_pxeboot/metrics" |
		sed -n "s/^$1 //p"
}
n=$(metrics 'pxeboot_tftp_requests_dropped_total{reason="source_unacked"}')
check "metrics: requests dropped for a source's share of the budget (${n:-none})" \
	$([ -n "$n" ] && [ "${n%.*}" -ge 1000 ]; echo $?)
n=$(metrics 'pxeboot_tftp_requests_dropped_total{reason="source_bytes"}')
check "metrics: requests dropped for a source's bytes (${n:-none})" \
	$([ -n "$n" ] && [ "${n%.*}" -ge 7 ]; echo $?)
is "metrics: no unacknowledged transfer left" "$(metrics pxeboot_tftp_transfers_unacked)" 0

wait "$silent_pid"
n=$(sed -n 's/^packets //p' "$d/silent")
check "one request never acknowledged: 1 to 3 packets back (${n:-none})" \
	$([ -n "$n" ] && [ "$n" -ge 1 ] && [ "$n" -le 3 ]; echo $?)

kill -TERM "$PXBD_PID"
ok "clean stop" wait_for 10 grep -q "stopped" "$d/log"
grep "served .* dropped" "$d/log" | sed 's/^/# /'
tap_done
