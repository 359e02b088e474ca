#!/bin/bash
# pgsql_noblock.sh - a database that is away or slow never stalls the
# daemon: pxebootd with the pgsql lease store, http and TFTP, against
# PostgreSQL frozen (SIGSTOP) at start-up, then slow to answer the schema
# check of a reconnection (another session holds the migration lock), then
# stopped. Through all of it the metrics endpoint (curl) and TFTP (tftp-hpa)
# must answer within 1 s each, and the store must come back by itself.
set -u
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/pgsql.sh"
[ -x "$PXEBOOTD" ] || tap_skip_all "pxebootd is not built"
[ -f "$PXB_PLUGIN_DIR/http.so" ] || tap_skip_all "the http plugin is not built"
[ -e "$PXB_PLUGIN_DIR/pgsql.so" ] || tap_skip_all "pgsql plugin not built (libpq-dev)"
command -v curl >/dev/null || tap_skip_all "curl is not installed"
command -v tftp >/dev/null || tap_skip_all "tftp-hpa is not installed"
pg_require

d=$(scratch_dir)
pg_setup "$d"
mkdir -p "$d/root" "$d/out" "$d/state"
head -c 3000 /dev/urandom >"$d/root/f"
pm=$(head -1 "$PGD/data/postmaster.pid")
thaw() { kill -CONT "$pm" 2>/dev/null; }
at_exit thaw

conf() { # HTTP-PORT TFTP-PORT
	cat <<CONF
plugins = ["http", "pgsql"];
state_dir = "$d/state";
tftp = { root = "$d/root"; listen = "127.0.0.1:$2"; };
http = { root = "$d/root"; listen = "127.0.0.1:$1"; };
pgsql = { url = "$PG_URL"; server_id = "a"; retry_ms = 200; sync_ms = 100; };
dhcp = { lease_store = "pgsql"; };
CONF
}

# probe SECONDS: HTTP metrics and a TFTP read, again and again for SECONDS;
# prints the number of probes and of those that took over 1 s or failed
probe() {
	local end=$(($(date +%s) + $1)) n=0 slow=0
	while [ "$(date +%s)" -lt "$end" ]; do
		n=$((n + 1))
		curl -s -m 1 -o /dev/null "http://127.0.0.1:$HP/_pxeboot/metrics" || slow=$((slow + 1))
		rm -f "$d/out/f"
		(cd "$d/out" && timeout 1 tftp 127.0.0.1 "$TP" -m binary -c get f) >/dev/null 2>&1
		cmp -s "$d/root/f" "$d/out/f" || slow=$((slow + 1))
		sleep 0.2
	done
	echo "$n $slow"
}
metric_up() { curl -s -m 1 "http://127.0.0.1:$HP/_pxeboot/metrics" | grep -q "^pxeboot_pgsql_up $1"; }

# 1: PostgreSQL frozen: the connection is made but never answered
# (probed from the moment HTTP and TFTP listen: the start-up must not wait)
kill -STOP "$pm"
HP=$(free_port tcp) TP=$(free_port udp)
conf "$HP" "$TP" >"$d/conf"
t0=$(date +%s%N)
start_pxebootd "$d/log" -c "$d/conf"
wait_for 15 grep -q "pxebootd .* started" "$d/log"
ms=$((($(date +%s%N) - t0) / 1000000))
ok "with PostgreSQL frozen, pxebootd is started in $ms ms (the connection does not wait)" \
	test "$ms" -lt 4000
read -r n slow < <(probe 4)
is "with PostgreSQL frozen from the start, every probe answered within 1 s ($n probes)" "$slow" 0
thaw
ok "connected once PostgreSQL is thawed" wait_for 20 grep -q "connected as a" "$d/log"
ok "pxeboot_pgsql_up is 1" wait_for 5 metric_up 1

# 2: a reconnection whose schema check waits for a lock another session holds
timeout 30 psql -h "$PGD" -U pxb -d postgres -XAtq \
	-c "BEGIN; SELECT pg_advisory_xact_lock(7078706); SELECT pg_sleep(8); COMMIT" \
	>/dev/null 2>&1 &
track_pid $!
sleep 0.5
psqlq "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pxebootd'" >/dev/null
ok "the daemon sees its connection go" wait_for 5 metric_up 0
read -r n slow < <(probe 4)
is "while the schema check waits, every probe answered within 1 s ($n probes)" "$slow" 0
ok "reconnected once the lock is released" \
	wait_for 20 sh -c "[ \$(grep -c 'connected as a' '$d/log') -ge 2 ]"
ok "pxeboot_pgsql_up is 1 again" wait_for 5 metric_up 1

# 3: PostgreSQL stopped
pg_stop
ok "the daemon sees the database go" wait_for 5 metric_up 0
read -r n slow < <(probe 3)
is "with PostgreSQL stopped, every probe answered within 1 s ($n probes)" "$slow" 0
pg_start
ok "reconnected once PostgreSQL is back" wait_for 20 metric_up 1
[ "$_tap_failed" -ne 0 ] && sed 's|^|# log: |' "$d/log" | tail -30
tap_done
