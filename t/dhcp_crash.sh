#!/bin/bash
# dhcp_crash.sh - kill -9 pxebootd in the middle of a DHCP storm, restart it,
# and check with every client that saw an ACK: its lease is still its own
# (INIT-REBOOT is ACKed with the same address, DISCOVER offers it), no address
# was ACKed to two clients, and fresh clients are never offered a held one.
# Clients are t/dhcp_probe.py in a second namespace; every ACK they receive
# is recorded as it arrives. DHCP_CRASH_ROUNDS (default 2) storms, each with
# its own clients, accumulate in one state directory.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
netns_require
command -v python3 >/dev/null || tap_skip_all "needs python3"
d=$(scratch_dir)
mkdir -p "$d/root" "$d/state"
probe="$top_srcdir/t/dhcp_probe.py"
rounds=${DHCP_CRASH_ROUNDS:-2}

netns_make srv
netns_make cli
netns_link srv cli 198.18.0.1/20 198.18.0.2/20 || { check "test network" 1; tap_done; exit 1; }

cat >"$d/pxeboot.conf" <<CONF
state_dir = "$d/state";
tftp = { root = "$d/root"; listen = "198.18.0.1:69"; };
http = { root = "$d/root"; listen = "198.18.0.1:80"; };
dhcp = {
  mode = "server";
  interfaces = ["vsrv"];
  lease_time = "1h";
  subnets = ( { network = "198.18.0.0/20"; pool_start = "198.18.1.0";
                pool_end = "198.18.15.250"; router = "198.18.0.1"; } );
  arch_files = ( { arch = "bios"; file = "undionly.kpxe"; } );
};
CONF
ok "config is valid" "$PXEBOOTD" -t -c "$d/pxeboot.conf"

start_srv() {
	start_pxebootd_in "$NS_srv" "$d/log" -c "$d/pxeboot.conf"
	wait_for 10 grep -q "dhcp: serving in server mode" "$d/log"
}
ok "pxebootd starts in server mode" start_srv

: >"$d/acks"
for r in $(seq 1 "$rounds"); do
	# 600 clients at 300/s for up to 8 s; the kill comes 0.5-1.7 s in.
	netns_exec cli timeout 30 python3 "$probe" storm --iface vcli --count 600 --rate 300 \
		--duration 8 --prefix "$r" --out "$d/acks" >"$d/storm.$r" 2>&1 &
	spid=$!
	track_pid "$spid"
	delay=$(awk -v s="$$$r" 'BEGIN { srand(s); printf "%.2f", 0.5 + rand() * 1.2 }')
	sleep "$delay"
	before=$(wc -l <"$d/acks")
	kill -9 "$PXBD_PID"
	wait "$PXBD_PID" 2>/dev/null
	diag "round $r: killed after ${delay}s with $before ACKs recorded so far"
	ok "round $r: pxebootd restarts after kill -9" start_srv
	ok "round $r: the journal is read back" grep -Eq "[0-9]+ lease\(s\) restored" "$d/log"
	restored=$(sed -n 's/.* \([0-9][0-9]*\) lease(s) restored.*/\1/p' "$d/log" | head -1)
	check "round $r: at least the $before leases ACKed before the kill are restored ($restored)" \
		$([ "${restored:-0}" -ge "$before" ]; echo $?)
	wait "$spid"
	diag "$(cat "$d/storm.$r")"
done

total=$(cut -d' ' -f2 "$d/acks" | sort -u | wc -l)
check "clients were ACKed ($total)" $([ "$total" -gt 100 ]; echo $?)
dups=$(awk '{ if ($3 in who && who[$3] != $2) print $3; who[$3] = $2 }' "$d/acks" | wc -l)
check "no address was ACKed to two clients" "$dups"

# One more kill -9, with nothing in flight, to read the journal once more.
kill -9 "$PXBD_PID"
wait "$PXBD_PID" 2>/dev/null
ok "pxebootd restarts once more" start_srv
netns_exec cli timeout 300 python3 "$probe" verify --iface vcli --records "$d/acks" \
	--fresh 150 >"$d/verify" 2>&1
vrc=$?
lost=$(grep -c '^LOST' "$d/verify")
check "every ACKed client still holds its address after the crashes ($total clients, $lost lost)" "$vrc"
grep -E '^(LOST|two-clients|not-one-address|fresh)' "$d/verify" | head -10 | sed 's/^/# /'
tail -1 "$d/verify"
ok "no client was told a held address by another ACK" sh -c "! grep -q '^two-clients' '$d/verify'"
ok "fresh clients are never offered a held address" sh -c "! grep -q '^fresh client' '$d/verify'"
ok "still running" kill -0 "$PXBD_PID"
tap_done
