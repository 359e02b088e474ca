#!/bin/bash
# bench/dhcp.sh - pxebootd's DHCP server against kea-dhcp4 and dnsmasq, one
# after the other in the same private network: a server namespace and a
# client namespace joined by a veth pair (198.18.0.1/15 <-> 198.18.0.2/15),
# perfdhcp as the clients (it acts as a relay: giaddr 198.18.0.2), the same
# /16 pool (198.19.0.1-198.19.255.254) and the same PXE boot file in every
# offer. The server is pinned to CPU 0, perfdhcp to CPU 1.
#
#   1. fixed load: 100 DORA/s (every server), then 2000 DORA/s (pxebootd and
#      kea), 3 rounds of every server in turn, each from a fresh state:
#      server CPU microseconds per completed exchange (its cgroup, else
#      /proc; the median of the rounds), peak RSS (VmHWM) after the 100/s
#      run of the first round;
#   2. rate: the highest -r at which fewer than 1% of the exchanges started
#      are not completed (DISCOVER sent vs ACK received), the median of 3
#      runs per step;
#   3. user-space instructions per exchange (valgrind --tool=callgrind: a
#      run with N exchanges minus a run with none);
#   4. proxy: pxebootd dhcp.mode proxy against dnsmasq --dhcp-range=...,proxy
#      with --pxe-service: DISCOVER->OFFER only (perfdhcp -i) from a PXE
#      client (options 60 and 93): CPU microseconds per OFFER.
#
# Durability: pxebootd writes its lease journal and fdatasyncs it before an
# ACK leaves (once per loop iteration for all ACKs read in it); dnsmasq
# rewrites its whole lease file and fsyncs it after a change; kea's memfile
# (persist=true, lfc-interval 0) appends each lease to its CSV file and
# flushes it to the kernel, without fsync. All lease files are on the same
# file system (the output directory). Per-packet logging is off for all
# (pxebootd log_level notice, dnsmasq --quiet-dhcp, kea severity WARN).
#
# Usage: bench/dhcp.sh [--quick] [--build DIR] [--out DIR] [--skip SECTION,...]
#   --quick    short runs, one run per step, fewer steps (a sanity run)
#   --build    pxeboot build directory (default $PXB_BUILD or /tmp/b-perf)
#   --out      where raw results and the report go (default a new /tmp dir)
#   --skip     any of: fixed,rate,callgrind,proxy (a section run alone into
#              an existing --out replaces only its own figures there)
#
# perfdhcp is one socket standing for 65000 clients: the bursts of ACKs a
# server sends after each disk flush would overflow its default receive
# buffer (212 KiB; read-only inside a namespace) and count as drops of the
# server. A small LD_PRELOAD object built here gives perfdhcp's sockets
# 8 MiB buffers (SO_RCVBUFFORCE); the servers are not touched.
#
# Root is needed (network namespaces, cgroups). On exit both namespaces are
# removed and only the PIDs started here are killed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

QUICK=0
BUILD=${PXB_BUILD:-/tmp/b-perf}
OUT=""
SKIP=""
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--build) BUILD=$2; shift ;;
	--out) OUT=$2; shift ;;
	--skip) SKIP=$2; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
skipped() { [[ ",$SKIP," == *",$1,"* ]]; }

if [ "$QUICK" = 1 ]; then
	PERIOD=2; RUNS=1; LOW_S=3; HIGH_S=3; CG_N=200; PROXY_S=3
	STEPS="25 50 100 200 500 1000 2000 5000 10000 15000 20000"
else
	PERIOD=5; RUNS=3; LOW_S=10; HIGH_S=10; CG_N=2000; PROXY_S=10
	STEPS="25 50 75 100 150 200 300 500 1000 2000 3000 4000 5000 6000 7000 8000 9000 10000 12000 14000 16000 18000 20000 25000"
fi
LOW_RATE=100
HIGH_RATE=2000
PROXY_RATE=2000
CLIENTS=65000          # distinct MACs perfdhcp draws from (the pool has 65534 addresses)
SRV_CPU=0
CLI_CPU=1
SERVERS=${DHCP_SERVERS:-"pxebootd kea dnsmasq"}   # a subset: to run one server again
PXE_VC=$(printf 'PXEClient:Arch:00000:UNDI:002001' | od -An -tx1 | tr -d ' \n')

[ "$(id -u)" = 0 ] || die "run as root (ip netns, cgroups)"
for c in ip perfdhcp kea-dhcp4 dnsmasq valgrind taskset ss python3; do
	command -v "$c" >/dev/null || die "$c not found"
done
# PXB_ENV goes before a valgrind prefix, so that valgrind runs pxebootd itself.
if [ -x "$BUILD/daemon/.libs/pxebootd" ]; then
	PXB_ENV=(env "LD_LIBRARY_PATH=$BUILD/lib/.libs")
	PXB_BIN=$BUILD/daemon/.libs/pxebootd
elif [ -x "$BUILD/daemon/pxebootd" ]; then
	PXB_ENV=()
	PXB_BIN=$BUILD/daemon/pxebootd
else
	die "no pxebootd in $BUILD (build first, or pass --build)"
fi

[ -n "$OUT" ] || OUT=$(mktemp -d "/tmp/pxb-bench-dhcp.XXXXXX")
mkdir -p "$OUT"
W="$OUT/work"
mkdir -p "$W"
CNS="$NS-cli"
trap 'bench_cleanup; ip netns del "$CNS" 2>/dev/null' EXIT
trap 'exit 130' INT TERM

cat >"$W/rcvbuf.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/socket.h>
int socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);
	int fd, sz = 8 << 20;

	if (!real)
		real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	fd = real(domain, type, protocol);
	if (fd >= 0 && (domain == AF_INET || domain == AF_PACKET)) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	}
	return fd;
}
C
cc -shared -fPIC -O2 -o "$W/rcvbuf.so" "$W/rcvbuf.c" -ldl || die "cannot build the perfdhcp buffer shim"
PERF_ENV=(env "LD_PRELOAD=$W/rcvbuf.so")

netns_up
ip netns add "$CNS" || die "cannot create namespace $CNS"
ip -n "$CNS" link set lo up
ip link add vsrv netns "$NS" type veth peer name vcli netns "$CNS" || die "veth"
ip -n "$NS" addr add 198.18.0.1/15 dev vsrv
ip -n "$CNS" addr add 198.18.0.2/15 dev vcli
ip -n "$NS" link set vsrv up
ip -n "$CNS" link set vcli up
cg_init

{
	echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "kernel: $(uname -sr)"
	echo "cpu: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
	echo "file system of the lease files: $(df -T "$W" | awk 'NR == 2 {print $2}')"
	echo "pxebootd: $("${PXB_ENV[@]}" "$PXB_BIN" -V 2>&1 | head -1) ($(git -C "$here/.." rev-parse --short HEAD 2>/dev/null))"
	echo "kea-dhcp4: $(kea-dhcp4 -v)"
	echo "dnsmasq: $(dnsmasq --version | head -1)"
	echo "perfdhcp: $(perfdhcp -v 2>&1 | head -1)"
	echo "valgrind: $(valgrind --version)"
	echo "measurement: cgroups=$CG_OK quick=$QUICK period=${PERIOD}s runs=$RUNS"
} >"$OUT/machine.txt"

# ---- server configurations ----
# conf_of SERVER MODE(server|proxy) STATE_DIR
write_conf() {
	local s=$1 mode=$2 st=$3
	mkdir -p "$st"
	case $s/$mode in
	pxebootd/server) cat >"$st/pxeboot.conf" <<CONF
state_dir = "$st";
allow_root = true;
log_level = "notice";
tftp = { enable = false; };
dhcp = {
  mode = "server";
  interfaces = ["vsrv"];
  relays = ["198.18.0.2"]; # perfdhcp, relaying whatever its source port
  lease_time = "1h";
  subnets = ( { network = "198.18.0.0/15"; pool_start = "198.19.0.1";
                pool_end = "198.19.255.254"; router = "198.18.0.1"; } );
  boot = ( { file = "undionly.kpxe"; } );
};
CONF
	;;
	pxebootd/proxy) cat >"$st/pxeboot.conf" <<CONF
state_dir = "$st";
allow_root = true;
log_level = "notice";
tftp = { enable = false; };
dhcp = {
  mode = "proxy";
  interfaces = ["vsrv"];
  relays = ["198.18.0.2"];
  boot = ( { file = "undionly.kpxe"; } );
};
CONF
	;;
	kea/server) cat >"$st/kea.json" <<CONF
{ "Dhcp4": {
  "interfaces-config": { "interfaces": ["vsrv"], "dhcp-socket-type": "udp" },
  "lease-database": { "type": "memfile", "persist": true, "name": "$st/leases4.csv",
                      "lfc-interval": 0 },
  "valid-lifetime": 3600,
  "subnet4": [ { "id": 1, "subnet": "198.18.0.0/15",
      "pools": [ { "pool": "198.19.0.1 - 198.19.255.254" } ],
      "next-server": "198.18.0.1", "boot-file-name": "undionly.kpxe",
      "option-data": [ { "name": "routers", "data": "198.18.0.1" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "severity": "WARN",
                 "output_options": [ { "output": "$st/kea.log" } ] } ]
} }
CONF
	;;
	esac
}

# srv_cmd SERVER MODE STATE_DIR [PREFIX...]: the server's command line.
srv_cmd() {
	local s=$1 mode=$2 st=$3; shift 3
	case $s/$mode in
	pxebootd/*) echo "${PXB_ENV[*]} $* $PXB_BIN -f -c $st/pxeboot.conf" ;;
	kea/server) echo "env KEA_PIDFILE_DIR=$st KEA_LOCKFILE_DIR=$st $* kea-dhcp4 -c $st/kea.json" ;;
	dnsmasq/server) echo "$* dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=vsrv" \
		"--bind-interfaces --no-ping --dhcp-leasefile=$st/dnsmasq.leases" \
		"--dhcp-range=198.19.0.1,198.19.255.254,255.254.0.0,1h --dhcp-lease-max=70000" \
		"--dhcp-boot=undionly.kpxe,,198.18.0.1 --dhcp-option=3,198.18.0.1 --quiet-dhcp" \
		"--user=root --pid-file=$st/dnsmasq.pid --log-facility=$st/dnsmasq.log" ;;
	dnsmasq/proxy) echo "$* dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=vsrv" \
		"--bind-interfaces --dhcp-range=198.18.0.0,proxy,255.254.0.0" \
		"--pxe-service=x86PC,Boot,undionly --dhcp-boot=undionly.kpxe,,198.18.0.1 --quiet-dhcp" \
		"--user=root --pid-file=$st/dnsmasq.pid --log-facility=$st/dnsmasq.log" ;;
	esac
}

# Starts SERVER (MODE) with a fresh state directory; $2 = tag for the names.
start_one() {
	local s=$1 mode=$2 tag=$3 pre=${4:-} st="$W/$1-$3" i
	rm -rf "$st"
	write_conf "$s" "$mode" "$st"
	# shellcheck disable=SC2046
	srv_start "$s" "$st/stderr" taskset -c "$SRV_CPU" $(srv_cmd "$s" "$mode" "$st" $pre)
	for i in $(seq 1200); do
		nsx ss -Huln 2>/dev/null | awk '{print $4}' | grep -q ':67$' && break
		srv_alive "$s" || { cat "$st/stderr" >&2; die "$s ($mode) exited"; }
		sleep 0.1
	done
	nsx ss -Huln 2>/dev/null | awk '{print $4}' | grep -q ':67$' ||
		{ cat "$st/stderr" >&2; die "$s ($mode) did not bind port 67"; }
	sleep 0.5
}

# perf_run RATE SECONDS [perfdhcp args]: prints "sent acks" (DISCOVERs sent,
# final replies received: ACKs, or OFFERs with -i).
perf_run() {
	local rate=$1 secs=$2; shift 2
	timeout $((secs + 30)) ip netns exec "$CNS" "${PERF_ENV[@]}" taskset -c "$CLI_CPU" perfdhcp -4 -l vcli \
		-r "$rate" -R "$CLIENTS" -p "$secs" -W 1000000 "$@" 198.18.0.1 2>&1 |
		tee -a "$W/perfdhcp.out" |
		awk '/^sent packets:/ {s[++ns] = $3} /^received packets:/ {r[++nr] = $3}
		     END {printf "%d %d\n", s[1], nr ? r[nr] : 0}'
}

# measured SERVER RATE SECONDS TAG [perfdhcp args]: one run with CPU time;
# appends "server tag rate sent done cpu_ns" to fixed.tsv; prints it.
measured() {
	local s=$1 rate=$2 secs=$3 tag=$4 c0 c1 res; shift 4
	c0=$(srv_cpu_ns "$s")
	res=$(perf_run "$rate" "$secs" "$@")
	sleep 0.3
	c1=$(srv_cpu_ns "$s")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$tag" "$rate" ${res} "$((c1 - c0))" | tee -a "$OUT/fixed.tsv"
}

drop_pct() { awk -v s="$1" -v d="$2" 'BEGIN {printf "%.3f\n", s ? 100 * (s - d) / s : 100}'; }

# ---- 1 and 2: fixed load, then rate steps, server by server ----
# A section run again (the others skipped) into the same --out replaces only its own figures.
skipped fixed || : >"$OUT/fixed.tsv"
skipped rate || : >"$OUT/rate.tsv"
skipped fixed || sed -i '/\tlow\t/d' "$OUT/rss.tsv" 2>/dev/null
skipped rate || sed -i '/\tfinal\t/d' "$OUT/rss.tsv" 2>/dev/null
touch "$OUT/rss.tsv"
# Fixed load: rounds of every server in turn (A B C A B C), each from a
# fresh state, so that a machine whose speed drifts affects all alike.
if ! skipped fixed; then
	for k in $(seq "$RUNS"); do
		for s in $SERVERS; do
			start_one "$s" server "fixed$k"
			log "$s: $LOW_RATE DORA/s for ${LOW_S}s (round $k)"
			measured "$s" "$LOW_RATE" "$LOW_S" low >&2
			[ "$k" = 1 ] && printf '%s\tlow\t%s\n' "$s" "$(srv_hwm "$s")" >>"$OUT/rss.tsv"
			if [ "$s" != dnsmasq ]; then
				log "$s: $HIGH_RATE DORA/s for ${HIGH_S}s (round $k)"
				measured "$s" "$HIGH_RATE" "$HIGH_S" high >&2
			fi
			srv_stop "$s"
		done
	done
fi
for s in $SERVERS; do
	skipped rate && break
	log "$s: starting (server mode)"
	start_one "$s" server main
	# A probe, one run per step, finds where drops begin; then the steps
	# from two below that are run RUNS times (median).
	est=""
	prev2=""; prev1=""
	for r in $STEPS; do
		read -r sent done < <(perf_run "$r" "$PERIOD")
		d=$(drop_pct "$sent" "$done")
		log "$s: probe -r $r: sent $sent done $done drops $d%"
		if awk -v d="$d" 'BEGIN {exit !(d >= 1)}'; then est=$r; break; fi
		prev2=$prev1; prev1=$r
	done
	start=${prev2:-${prev1:-${est:-}}}
	[ -n "$start" ] || start=$(awk '{print $1}' <<<"$STEPS")
	fails=0
	for r in $STEPS; do
		[ "$r" -lt "$start" ] && continue
		ds=""
		for k in $(seq "$RUNS"); do
			c0=$(srv_cpu_ns "$s")
			read -r sent done < <(perf_run "$r" "$PERIOD")
			c1=$(srv_cpu_ns "$s")
			d=$(drop_pct "$sent" "$done")
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$r" "$k" "$sent" "$done" "$d" \
				"$((c1 - c0))" >>"$OUT/rate.tsv"
			ds="$ds$d"$'\n'
		done
		m=$(printf '%s' "$ds" | median)
		log "$s: -r $r: median drops $m%"
		if awk -v d="$m" 'BEGIN {exit !(d >= 1)}'; then
			fails=$((fails + 1))
			[ "$fails" -ge 2 ] && break
		else
			fails=0
		fi
	done
	printf '%s\tfinal\t%s\n' "$s" "$(srv_hwm "$s")" >>"$OUT/rss.tsv"
	srv_stop "$s"
done

# ---- 3. instructions per exchange (callgrind) ----
cg_run() { # cg_run SERVER N: total Ir of a run with N exchanges (at 50/s)
	local s=$1 n=$2 d="$W/cg-$1-$2" f
	rm -rf "$d"; mkdir -p "$d"
	start_one "$s" server "cg$n" "valgrind --tool=callgrind --callgrind-out-file=$d/cg.%p"
	if [ "$n" -gt 0 ]; then
		timeout $((n / 50 + 120)) ip netns exec "$CNS" "${PERF_ENV[@]}" taskset -c "$CLI_CPU" perfdhcp -4 -l vcli \
			-r 50 -R "$CLIENTS" -n "$n" -W 3000000 198.18.0.1 >"$d/perfdhcp.out" 2>&1
	fi
	srv_stop "$s"
	for f in $(seq 50); do ls "$d"/cg.* >/dev/null 2>&1 && break; sleep 0.2; done
	done_n=$(awk '/^received packets:/ {r = $3} END {print r + 0}' "$d/perfdhcp.out" 2>/dev/null || echo 0)
	for f in "$d"/cg.*; do awk '/^(summary|totals):/ {t = $2} END {print t + 0}' "$f"; done |
		awk -v n="${done_n:-0}" '{s += $1} END {printf "%.0f %d\n", s, n}'
}
if ! skipped callgrind; then
	: >"$OUT/callgrind.tsv"
	for s in $SERVERS; do
		log "$s: callgrind, $CG_N exchanges at 50/s (slow)"
		read -r base _ < <(cg_run "$s" 0)
		read -r full n < <(cg_run "$s" "$CG_N")
		printf '%s\t%s\t%s\t%s\n' "$s" "$base" "$full" "$n" | tee -a "$OUT/callgrind.tsv" >&2
	done
fi

# ---- 4. proxy mode ----
if ! skipped proxy; then
	: >"$OUT/proxy.tsv"
	for s in pxebootd dnsmasq; do
		log "$s: proxy mode, $PROXY_RATE DISCOVER/s for ${PROXY_S}s"
		start_one "$s" proxy proxy
		perf_run 200 1 -i -o "60,$PXE_VC" -o 93,0000 >/dev/null # warm-up
		for k in $(seq "$RUNS"); do
			c0=$(srv_cpu_ns "$s")
			read -r sent done < <(perf_run "$PROXY_RATE" "$PROXY_S" -i -o "60,$PXE_VC" -o 93,0000)
			sleep 0.3
			c1=$(srv_cpu_ns "$s")
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$PROXY_RATE" "$sent" "$done" "$((c1 - c0))" \
				"$(srv_hwm "$s")" | tee -a "$OUT/proxy.tsv" >&2
		done
		srv_stop "$s"
	done
fi

# ---- report ----
python3 - "$OUT" "$QUICK" <<'PY' | tee "$OUT/report.md"
import statistics as st, sys, os
out, quick = sys.argv[1], sys.argv[2] == "1"
def rows(name):
    p = os.path.join(out, name)
    return [l.rstrip("\n").split("\t") for l in open(p)] if os.path.exists(p) else []
servers = ["pxebootd", "kea", "dnsmasq"]
fixed = {}
for s, tag, rate, sent, done, ns in rows("fixed.tsv"):
    fixed.setdefault((s, tag), []).append((int(rate), int(sent), int(done), int(ns)))
rss = {(s, t): int(v or 0) for s, t, v in rows("rss.tsv")}
rate = {}
for s, r, k, sent, done, d, ns in rows("rate.tsv"):
    rate.setdefault(s, {}).setdefault(int(r), []).append((float(d), int(done), int(ns)))
# The sustained rate is what was achieved (exchanges completed per second,
# median of a step's runs) at the best step whose median drop is under 1%:
# on a loaded machine perfdhcp itself may send less than -r asks.
best = {}
secs = 2 if quick else 5
for s, steps in rate.items():
    ok = [(st.median(x[1] for x in v) / secs, r) for r, v in steps.items()
          if st.median(x[0] for x in v) < 1.0]
    if ok:
        done, r = max(ok)
        v = steps[r]
        best[s] = (r, done, st.median(x[0] for x in v),
                   st.median(x[2] / max(x[1], 1) for x in v) / 1000)
cg = {s: (int(f) - int(b), int(n)) for s, b, f, n in rows("callgrind.tsv")}
proxy = {}
for s, r, sent, done, ns, h in rows("proxy.tsv"):
    proxy.setdefault(s, []).append((int(r), int(sent), int(done), int(ns), int(h or 0)))
def pus(s):
    v = [x[3] / 1000 / x[2] for x in proxy.get(s, []) if x[2]]
    return st.median(v) if v else None
def us(k):
    """Median over the runs of server CPU microseconds per completed exchange."""
    v = [x[3] / 1000 / x[2] for x in fixed.get(k, []) if x[2]]
    return st.median(v) if v else None
def f(x, fmt="%.1f"):
    return "-" if x is None else fmt % x
print("### DHCP server mode (%s)\n" % ("quick" if quick else "full"))
print("| server | -r step | sustained DORA/s (done/s, <1% drops) | CPU us/exch @100/s | CPU us/exch @2000/s | CPU us/exch at the sustained rate | instr/exch | VmHWM after 100/s (KiB) | VmHWM at the end (KiB) |")
print("|---|---|---|---|---|---|---|---|---|")
for s in servers:
    b = best.get(s)
    c = cg.get(s)
    print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        s, f(b and b[0], "%d"), f(b and b[1], "%.0f"), f(us((s, "low"))), f(us((s, "high"))),
        f(b and b[3]), f(c and c[1] and c[0] / c[1], "%.0f"),
        f(rss.get((s, "low")) and rss[(s, "low")] / 1024, "%.0f"),
        f(rss.get((s, "final")) and rss[(s, "final")] / 1024, "%.0f")))
print()
if proxy:
    print("### DHCP proxy mode: DISCOVER -> OFFER (PXE client)\n")
    print("| server | DISCOVER/s | DISCOVER sent | OFFER received | CPU us/OFFER (median) | VmHWM (KiB) |")
    print("|---|---|---|---|---|---|")
    for s in ["pxebootd", "dnsmasq"]:
        if s in proxy:
            v = proxy[s]
            print("| %s | %d | %d | %d | %s | %d |" % (s, v[0][0], sum(x[1] for x in v), sum(x[2] for x in v),
                                                  f(pus(s)), max(x[4] for x in v) // 1024))
    print()
def ratio(a, b, fmt="%.2fx"):
    return "-" if a is None or b in (None, 0) else fmt % (a / b)
P = "pxebootd"
print("Ratios (pxebootd / peer) and targets:\n")
rp, rk, rd = (best.get(x, (None, None))[1] for x in servers)
def met(cond):
    return "-" if cond is None else ("met" if cond else "MISSED")
def cmp(a, b, op, k):
    if a is None or b in (None, 0): return None
    return op(a / b, k)
import operator as o
lines = [
    ("sustained rate vs kea", ratio(rp, rk), ">= 1.0x", met(cmp(rp, rk, o.ge, 1.0))),
    ("sustained rate vs dnsmasq", ratio(rp, rd), ">= 20x", met(cmp(rp, rd, o.ge, 20.0))),
    ("CPU/exchange vs kea @2000/s", ratio(us((P, "high")), us(("kea", "high"))), "<= 0.5x",
     met(cmp(us((P, "high")), us(("kea", "high")), o.le, 0.5))),
    ("CPU/exchange vs kea @100/s", ratio(us((P, "low")), us(("kea", "low"))), "(info)", ""),
    ("CPU/exchange vs dnsmasq @100/s", ratio(us((P, "low")), us(("dnsmasq", "low"))), "(info)", ""),
    ("instructions/exchange vs kea", ratio(cg.get(P, (0, 0))[0] / max(cg.get(P, (0, 1))[1], 1) if P in cg else None,
                                          cg["kea"][0] / max(cg["kea"][1], 1) if "kea" in cg else None), "(info)", ""),
    ("instructions/exchange vs dnsmasq", ratio(cg.get(P, (0, 0))[0] / max(cg.get(P, (0, 1))[1], 1) if P in cg else None,
                                          cg["dnsmasq"][0] / max(cg["dnsmasq"][1], 1) if "dnsmasq" in cg else None), "(info)", ""),
    ("VmHWM after 100/s vs dnsmasq", ratio(rss.get((P, "low")), rss.get(("dnsmasq", "low"))), "<= 1.0x",
     met(cmp(rss.get((P, "low")), rss.get(("dnsmasq", "low")), o.le, 1.0))),
]
if proxy and P in proxy and "dnsmasq" in proxy:
    a, b = pus(P), pus("dnsmasq")
    lines.append(("proxy CPU/OFFER vs dnsmasq", ratio(a, b), "<= 1.0x", met(a / b <= 1.0)))
print("| comparison | ratio | target | |")
print("|---|---|---|---|")
for l in lines:
    print("| %s | %s | %s | %s |" % l)
PY
log "raw results in $OUT"
