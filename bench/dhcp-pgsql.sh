#!/bin/bash
# dhcp-pgsql.sh - DHCP with leases in PostgreSQL: DORA/s and server CPU per
# exchange for 1, 2 and 3 pxebootd (dhcp.lease_store = "pgsql") on one
# PostgreSQL 15, beside kea-dhcp4 with its PostgreSQL lease backend
# (kea-admin db-init pgsql) on the same database server, in one run.
#
# Each server has a namespace of its own with a veth to a client namespace
# where perfdhcp relays (giaddr) 4-way exchanges at a fixed rate from
# distinct MACs; n pxebootd get one perfdhcp each at 1/n of the rate.
# PostgreSQL runs as nobody on a unix socket in the work directory, in a
# cgroup of its own (its backends are forked into it), so "CPU per
# exchange" is the servers' plus PostgreSQL's, from cgroup cpuacct.usage.
# Rates: RATES (total DORA/s), each for SECS seconds; a rate counts as held
# when fewer than 1 % of exchanges were lost. Appends a dated table to
# bench/RESULTS.md when --record is given.
#
#   bench/dhcp-pgsql.sh [--build DIR] [--record] [--rates "1000 2000"] [--secs 5]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

BUILD=${PXB_BUILD:-/tmp/build-pgsql}
RATES="500 1000 2000 4000"
SECS=5
RECORD=0
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift ;;
	--rates) RATES=$2; shift ;;
	--secs) SECS=$2; shift ;;
	--record) RECORD=1 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || die "run as root (ip netns, cgroups)"
PGBIN=/usr/lib/postgresql/15/bin
for c in ip perfdhcp kea-dhcp4 kea-admin psql runuser "$PGBIN/pg_ctl"; do
	command -v "$c" >/dev/null || die "$c not found"
done
PXB_BIN=$BUILD/daemon/pxebootd
[ -x "$PXB_BIN" ] || die "no pxebootd in $BUILD"
[ -e "$BUILD/plugins/.libs/pgsql.so" ] || die "no pgsql plugin in $BUILD (libpq-dev)"

W=$(mktemp -d /tmp/pxb-bench-pgsql.XXXXXX)
chmod 755 "$W"
PGD=$W/pg
mkdir -p "$PGD" && chown nobody: "$PGD"
pgrun() { (cd / && runuser -u nobody -- "$@"); }
NSL=""
cleanup() {
	bench_cleanup
	pgrun "$PGBIN/pg_ctl" -D "$PGD/data" -m fast -w stop >/dev/null 2>&1
	for n in $NSL; do ip netns del "$n" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cg_init

pgrun "$PGBIN/initdb" -D "$PGD/data" -A trust -U pxb >"$W/initdb.log" 2>&1 || die "initdb"
pgrun "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/log" -w \
	-o "-c listen_addresses='' -k $PGD -c max_connections=50 -c shared_buffers=128MB" start \
	>/dev/null || die "PostgreSQL did not start"
if [ "$CG_OK" = 1 ]; then
	mkdir -p "$CG_CPU/$BENCH_ID/pg"
	head -1 "$PGD/data/postmaster.pid" >"$CG_CPU/$BENCH_ID/pg/cgroup.procs"
fi
pg_cpu() { [ "$CG_OK" = 1 ] && cat "$CG_CPU/$BENCH_ID/pg/cpuacct.usage" || echo 0; }
psql -h "$PGD" -U pxb -d postgres -XAtqc "CREATE DATABASE kea" >/dev/null
kea-admin db-init pgsql -u pxb -n kea -h "$PGD" >"$W/kea-admin.log" 2>&1 ||
	die "kea-admin db-init pgsql failed: $(tail -3 "$W/kea-admin.log")"

# pair I: server namespace $BENCH_ID-sI (vsI 198.18.I.1) <-> client $BENCH_ID-cI (vcI 198.18.I.2)
pair() {
	local i=$1 s="$BENCH_ID-s$1" c="$BENCH_ID-c$1"
	ip netns add "$s" && ip netns add "$c" || die "namespaces"
	NSL="$NSL $s $c"
	ip -n "$s" link set lo up; ip -n "$c" link set lo up
	ip link add "vs$i" netns "$s" type veth peer name "vc$i" netns "$c"
	ip -n "$s" addr add "198.18.$i.1/24" dev "vs$i"; ip -n "$c" addr add "198.18.$i.2/24" dev "vc$i"
	ip -n "$s" link set "vs$i" up; ip -n "$c" link set "vc$i" up
}
pair 0; pair 1; pair 2

pxb_conf() { # I DB
	cat <<CONF
state_dir = "$W/st-pxb$1";
allow_root = true;
log_level = "notice";
tftp = { enable = false; };
plugins = ["pgsql"];
pgsql = { url = "postgresql:///$2?host=$PGD&user=pxb"; server_id = "bench$1"; };
dhcp = {
  mode = "server"; lease_store = "pgsql"; interfaces = ["vs$1"]; rate = 0;
  relays = ["198.18.0.2", "198.18.1.2", "198.18.2.2"]; lease_time = "1h";
  subnets = ( { network = "198.18.0.0/15"; pool_start = "198.19.0.1";
                pool_end = "198.19.255.254"; router = "198.18.0.1"; } );
};
CONF
}
kea_conf() {
	cat <<CONF
{ "Dhcp4": {
  "interfaces-config": { "interfaces": ["vs0"], "dhcp-socket-type": "udp" },
  "lease-database": { "type": "postgresql", "name": "kea", "user": "pxb", "host": "$PGD" },
  "valid-lifetime": 3600,
  "subnet4": [ { "id": 1, "subnet": "198.18.0.0/15",
      "pools": [ { "pool": "198.19.0.1 - 198.19.255.254" } ],
      "option-data": [ { "name": "routers", "data": "198.18.0.1" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "severity": "WARN",
                 "output_options": [ { "output": "$W/kea.log" } ] } ]
} }
CONF
}

start_srv() { # NAME I CMD...
	local name=$1 i=$2 t; shift 2
	NS="$BENCH_ID-s$i" srv_start "$name" "$W/$name.log" "$@"
	for t in $(seq 100); do
		ip netns exec "$BENCH_ID-s$i" ss -Huln | grep -q ':67 ' && return 0
		sleep 0.1
	done
	die "$name did not bind port 67: $(tail -3 "$W/$name.log")"
}
wipe() { psql -h "$PGD" -U pxb -d "$1" -XAtqc "$2" >/dev/null 2>&1; }

# run RATE: perfdhcp on the clients of the running servers; prints "acks sent"
perf() { # I RATE MACBASE
	timeout $((SECS + 20)) ip netns exec "$BENCH_ID-c$1" perfdhcp -4 -l "vc$1" -r "$2" \
		-R 60000 -p "$SECS" -b "mac=$3" "198.18.$1.1" 2>&1 | tee -a "$W/perfdhcp.out" |
		awk '/^sent packets:/ {s[++ns] = $3} /^received packets:/ {r[++nr] = $3}
		     END {printf "%d %d\n", s[1], nr ? r[nr] : 0}'
}

echo "config	rate	DORA/s	lost %	server us/exch	pg us/exch	total us/exch" | tee "$W/report.tsv"
measure() { # CONFIG RATE NSERVERS NAMES...
	local cfg=$1 rate=$2 n=$3; shift 3
	local names=("$@") c0=0 p0 c1=0 p1 i sent=0 acks=0 r pids=()
	for nm in "${names[@]}"; do c0=$((c0 + $(srv_cpu_ns "$nm"))); done
	p0=$(pg_cpu)
	for ((i = 0; i < n; i++)); do
		perf "$i" $((rate / n)) "00:0c:0$i:00:00:00" >"$W/perf$i" &
		pids+=($!)
	done
	wait "${pids[@]}" # not the servers, also children of this shell
	sleep 0.5
	for nm in "${names[@]}"; do c1=$((c1 + $(srv_cpu_ns "$nm"))); done
	p1=$(pg_cpu)
	for ((i = 0; i < n; i++)); do read -r s a <"$W/perf$i"; sent=$((sent + s)); acks=$((acks + a)); done
	r=$(awk -v c="$cfg" -v rate="$rate" -v s="$sent" -v a="$acks" -v t="$SECS" \
		-v sc=$((c1 - c0)) -v pc=$((p1 - p0)) 'BEGIN {
		lost = s ? 100 * (s - a) / s : 100; x = a ? a : 1
		printf "%s\t%d\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\n", c, rate, a / t, lost,
			sc / x / 1000, pc / x / 1000, (sc + pc) / x / 1000 }')
	echo "$r" | tee -a "$W/report.tsv"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
for cfg in "pxebootd x1" "pxebootd x2" "pxebootd x3" "kea-dhcp4"; do
	case $cfg in
	"pxebootd x1")
		pxb_conf 0 postgres >"$W/pxb0.conf"
		start_srv pxb0 0 "$PXB_BIN" -f -P "$BUILD/plugins/.libs" -c "$W/pxb0.conf"
		names=(pxb0); n=1 ;;
	"pxebootd x2")
		pxb_conf 0 postgres >"$W/pxb0.conf"; pxb_conf 1 postgres >"$W/pxb1.conf"
		start_srv pxb0 0 "$PXB_BIN" -f -P "$BUILD/plugins/.libs" -c "$W/pxb0.conf"
		start_srv pxb1 1 "$PXB_BIN" -f -P "$BUILD/plugins/.libs" -c "$W/pxb1.conf"
		names=(pxb0 pxb1); n=2 ;;
	"pxebootd x3")
		for i in 0 1 2; do
			pxb_conf $i postgres >"$W/pxb$i.conf"
			start_srv pxb$i $i "$PXB_BIN" -f -P "$BUILD/plugins/.libs" -c "$W/pxb$i.conf"
		done
		names=(pxb0 pxb1 pxb2); n=3 ;;
	kea-dhcp4)
		kea_conf >"$W/kea.json"
		start_srv kea 0 env KEA_PIDFILE_DIR="$W" KEA_LOCKFILE_DIR="$W" kea-dhcp4 -c "$W/kea.json"
		names=(kea); n=1 ;;
	esac
	sleep 1
	for rate in $RATES; do
		wipe postgres "TRUNCATE pxb_leases"; wipe kea "TRUNCATE lease4"
		measure "$cfg" "$rate" "$n" "${names[@]}"
	done
	for nm in "${names[@]}"; do srv_stop "$nm"; done
done

if [ "$RECORD" = 1 ]; then
	{
		echo
		echo "## DHCP with leases in PostgreSQL: pxebootd x1, x2, x3 and kea-dhcp4 ($(date -u +%Y-%m-%d))"
		echo
		echo "bench/dhcp-pgsql.sh: perfdhcp (relay, distinct MACs) at fixed total rates for ${SECS} s"
		echo "each, PostgreSQL 15 on a unix socket (fsync on), $(nproc) CPUs shared by everything,"
		echo "$(uname -sr), $(kea-dhcp4 -V | head -1 | sed 's/^/kea /'). CPU per exchange from cgroup"
		echo "cpuacct (cgroups=$CG_OK); \"pg\" is PostgreSQL's share. The machine is shared: load"
		echo "average $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
		echo
		echo "| config | rate offered | DORA/s | lost % | server us/exch | pg us/exch | total us/exch |"
		echo "| --- | --- | --- | --- | --- | --- | --- |"
		tail -n +2 "$W/report.tsv" | sed 's/\t/ | /g; s/^/| /; s/$/ |/'
	} >>"$here/RESULTS.md"
fi
log "work directory: $W"
