#!/bin/bash
# bench/footprint-rss.sh - the memory half of the router footprint: peak RSS
# (VmHWM, summed over the server's processes) of pxebootd, built against musl,
# beside the servers it stands in for on a router, on the same work:
#
#   idle   pxebootd (TFTP + the http and ipxe plugins) and dnsmasq (TFTP
#          only: --enable-tftp, port=0), 3 s after they answer;
#   storm  N tftp-hpa clients at once (default 500), each reading an 80 KiB
#          file: pxebootd's TFTP, dnsmasq's TFTP;
#   http   64 connections (curl --parallel) each downloading a 200 MiB file:
#          pxebootd's http plugin, lighttpd.
#
# Targets: pxebootd idle <= dnsmasq idle; pxebootd under load (the larger of
# storm and http) <= dnsmasq's storm peak + lighttpd's http peak. Ratios are
# printed, and a dated row for bench/RESULTS.md.
#
# Each server gets limits that let the whole storm in from one source
# address (tftp-hpa cannot pick its own): pxebootd tftp.max_per_client and
# the unacknowledged budgets, dnsmasq --tftp-max; 64 HTTP connections from
# one address: pxebootd http.max_per_client. Each peak is measured from a
# reset (clear_refs 5) just before its phase, except idle, which counts the
# start-up.
#
# Usage: bench/footprint-rss.sh [--quick] [--build DIR] [--out DIR]
#   --quick   100 clients, a 32 MiB file (a sanity run)
#   --build   pxeboot build directory (default $PXB_BUILD or /tmp/build-musl)
#   --out     where the logs and results go (default a new /tmp dir)
# Environment: BENCH_CLIENTS, BENCH_BIG_MIB, BENCH_CONNS; LIGHTTPD (path of
#   lighttpd; default: PATH, else Debian's package unpacked into
#   /tmp/pxb-peers/root by `apt-get download` + `dpkg-deb -x`).
#
# Root is needed (network namespace). Servers listen on 198.18.0.1 in a
# private namespace; only PIDs started here are killed; all is removed at exit.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

BUILD=${PXB_BUILD:-/tmp/build-musl}
OUT=""
CLIENTS=500; BIG_MIB=200; CONNS=64
while [ $# -gt 0 ]; do
	case $1 in
	--quick) CLIENTS=100; BIG_MIB=32 ;;
	--build) BUILD=$2; shift ;;
	--out) OUT=$2; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
CLIENTS=${BENCH_CLIENTS:-$CLIENTS}; BIG_MIB=${BENCH_BIG_MIB:-$BIG_MIB}; CONNS=${BENCH_CONNS:-$CONNS}
# Bounded: the storm's clients, each client's seconds, the download's seconds.
[ "$CLIENTS" -ge 1 ] && [ "$CLIENTS" -le 2000 ] || die "BENCH_CLIENTS must be 1..2000"
[ "$CONNS" -ge 1 ] && [ "$CONNS" -le 256 ] || die "BENCH_CONNS must be 1..256"
CLIENT_TMO=60; HTTP_TMO=300

[ "$(id -u)" = 0 ] || die "run as root (ip netns)"
for c in ip tftp curl dnsmasq ss; do
	command -v "$c" >/dev/null || die "$c is not installed"
done
tftp -V 2>&1 | grep -q tftp-hpa || die "tftp is not tftp-hpa's client"
bench_find_pxebootd "$BUILD"
LIGHTTPD=${LIGHTTPD:-$(command -v lighttpd || echo /tmp/pxb-peers/root/usr/sbin/lighttpd)}
if [ ! -x "$LIGHTTPD" ]; then
	log "lighttpd: fetching Debian's package into /tmp/pxb-peers"
	mkdir -p /tmp/pxb-peers/debs
	(cd /tmp/pxb-peers/debs && apt-get download -qq lighttpd 2>/dev/null) &&
		dpkg-deb -x /tmp/pxb-peers/debs/lighttpd_*.deb /tmp/pxb-peers/root ||
		die "no lighttpd (install Debian's package lighttpd or set LIGHTTPD)"
fi
libc=$(grep -qa ld-musl- "${PXB[-1]}" && echo musl || echo glibc)
[ "$libc" = musl ] || log "note: $BUILD is not a musl build (see .ci/musl.sh)"

OUT=${OUT:-$(mktemp -d /tmp/pxb-footprint-rss.XXXXXX)}
W="$OUT/work"
mkdir -p "$W/root" "$W/state"
chmod 755 "$OUT" "$W" "$W/root"
trap 'bench_cleanup; rm -rf "$W/root"' EXIT
trap 'exit 130' INT TERM
ulimit -n 8192

A=198.18.0.1
netns_up "$A/32"
head -c 81920 /dev/urandom >"$W/root/boot.bin"
head -c "$((BIG_MIB << 20))" /dev/urandom >"$W/root/big.bin"
chmod 644 "$W/root"/*
cat "$W/root"/* >/dev/null # in the page cache, read by us, not by a server

cat >"$W/pxeboot.conf" <<CONF
plugins = ["http", "ipxe"];
allow_root = true;
state_dir = "$W/state";
dhcp = { mode = "off"; };
tftp = { root = "$W/root"; listen = "$A:69"; max_per_client = 1000; rate_per_source = 0;
         max_unacked = 0; max_unacked_per_source = 0; max_unacked_bytes_per_source = 0; };
http = { root = "$W/root"; listen = "$A:8080"; access_log = false;
         max_per_client = 1024; max_connections = 1024; };
CONF
mkdir -p "$W/lighttpd"
bench_lighttpd_conf "$W/root" "$A" 8081 "$W/lighttpd" >"$W/lighttpd.conf"

# Peak RSS in KiB: the sum of VmHWM over the server's processes.
rss_peak() {
	local p t=0 k
	for p in $(srv_pids "$1"); do
		k=$(awk '/^VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null)
		t=$((t + ${k:-0}))
	done
	echo "$t"
}

start() { # start NAME READY-CHECK
	local name=$1 check=$2 i
	case $name in
	pxebootd) srv_start pxebootd "$W/pxebootd.log" "${PXB[@]}" -f -P "$BUILD/plugins/.libs" \
		-c "$W/pxeboot.conf" ;;
	dnsmasq) srv_start dnsmasq "$W/dnsmasq.log" dnsmasq --keep-in-foreground --port=0 \
		--conf-file=/dev/null --listen-address="$A" --bind-interfaces --enable-tftp \
		--tftp-root="$W/root" --tftp-max=$((CLIENTS + 100)) --user=root --group=root \
		--pid-file="$W/dnsmasq.pid" --log-facility=- ;;
	lighttpd) srv_start lighttpd "$W/lighttpd.log" "$LIGHTTPD" -D -f "$W/lighttpd.conf" ;;
	esac
	for i in $(seq 100); do
		$check && break
		srv_alive "$name" || die "$name exited: $(tail -3 "$W/$name.log")"
		sleep 0.1
	done
	$check || die "$name did not answer in 10 s: $(tail -3 "$W/$name.log")"
}
tftp_ok() { nsx timeout 5 tftp -m octet "$A" -c get boot.bin /dev/null 2>/dev/null; }
http_ok_pxb() { nsx curl -sf -o /dev/null --max-time 5 "http://$A:8080/boot.bin"; }
http_ok_lighttpd() { nsx curl -sf -o /dev/null --max-time 5 "http://$A:8081/boot.bin"; }

elapsed() { awk -v t0="$1" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.1f", t1 - t0 }'; }

# The storm: CLIENTS tftp-hpa clients at once, each bounded in time; prints
# "ok failed seconds".
storm() {
	local i t0 ok
	rm -rf "$W/storm"; mkdir -p "$W/storm"
	t0=$(date +%s.%N)
	for i in $(seq "$CLIENTS"); do
		nsx timeout "$CLIENT_TMO" tftp -m octet "$A" -c get boot.bin "$W/storm/$i" \
			>/dev/null 2>&1 &
	done
	wait
	ok=$(find "$W/storm" -type f -size 81920c | wc -l)
	echo "$ok $((CLIENTS - ok)) $(elapsed "$t0")"
	rm -rf "$W/storm"
}

# The download: CONNS connections each reading big.bin once; prints "ok seconds".
download() {
	local port=$1 i t0 urls=() n
	for i in $(seq "$CONNS"); do urls+=(-o /dev/null "http://$A:$port/big.bin?c=$i"); done
	t0=$(date +%s.%N)
	n=$(nsx curl -s --parallel --parallel-immediate --parallel-max "$CONNS" --max-time "$HTTP_TMO" \
		-w '%{http_code} %{size_download}\n' "${urls[@]}" 2>/dev/null |
		awk -v s=$((BIG_MIB << 20)) '$1 == 200 && $2 == s' | wc -l)
	echo "$n $(elapsed "$t0")"
}

declare -A R=()
run_storm() { # run_storm SERVER
	local res
	srv_mem_reset "$1"
	res=$(storm)
	R[$1.storm]=$(rss_peak "$1")
	log "$1 storm: ${R[$1.storm]} KiB peak; ok failed seconds: $res"
	echo "$1 storm $CLIENTS clients: ok failed seconds = $res" >>"$OUT/work.txt"
}
run_http() { # run_http SERVER PORT
	local res
	srv_mem_reset "$1"
	res=$(download "$2")
	R[$1.http]=$(rss_peak "$1")
	log "$1 http: ${R[$1.http]} KiB peak; ok seconds: $res"
	echo "$1 http $CONNS x $BIG_MIB MiB: ok seconds = $res" >>"$OUT/work.txt"
}
: >"$OUT/work.txt"

log "pxebootd ($libc): $BUILD"
start pxebootd "tftp_ok"
sleep 3
R[pxebootd.idle]=$(rss_peak pxebootd)
run_storm pxebootd
run_http pxebootd 8080
srv_stop pxebootd

log "dnsmasq: $(dnsmasq --version | head -1)"
start dnsmasq "tftp_ok"
sleep 3
R[dnsmasq.idle]=$(rss_peak dnsmasq)
run_storm dnsmasq
srv_stop dnsmasq

log "lighttpd: $("$LIGHTTPD" -v 2>&1 | head -1)"
start lighttpd "http_ok_lighttpd"
sleep 3
R[lighttpd.idle]=$(rss_peak lighttpd)
run_http lighttpd 8081
srv_stop lighttpd

max() { [ "$1" -ge "$2" ] && echo "$1" || echo "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
verdict() { awk -v r="$1" 'BEGIN { print (r != "-" && r <= 1.0) ? "met" : "NOT met" }'; }
pl=$(max "${R[pxebootd.storm]}" "${R[pxebootd.http]}")
peers=$((R[dnsmasq.storm] + R[lighttpd.http]))
ri=$(ratio "${R[pxebootd.idle]}" "${R[dnsmasq.idle]}")
rs=$(ratio "${R[pxebootd.storm]}" "${R[dnsmasq.storm]}")
rh=$(ratio "${R[pxebootd.http]}" "${R[lighttpd.http]}")
rl=$(ratio "$pl" "$peers")
{
	echo "peak RSS (VmHWM, KiB); storm: $CLIENTS tftp-hpa clients x 80 KiB; http: $CONNS x $BIG_MIB MiB"
	echo
	echo "| server | idle | TFTP storm | HTTP download |"
	echo "| --- | --- | --- | --- |"
	echo "| pxebootd ($libc) | ${R[pxebootd.idle]} | ${R[pxebootd.storm]} | ${R[pxebootd.http]} |"
	echo "| dnsmasq $(dnsmasq --version | awk 'NR == 1 {print $3}') | ${R[dnsmasq.idle]} | ${R[dnsmasq.storm]} | - |"
	echo "| lighttpd $("$LIGHTTPD" -v 2>&1 | sed -n '1s|^lighttpd/\([^ ]*\).*|\1|p') | ${R[lighttpd.idle]} | - | ${R[lighttpd.http]} |"
	echo
	echo "idle: pxebootd / dnsmasq = $ri (target <= 1.00: $(verdict "$ri"))"
	echo "storm: pxebootd / dnsmasq = $rs; http: pxebootd / lighttpd = $rh"
	echo "under load: pxebootd's larger peak / (dnsmasq storm + lighttpd http) = $pl / $peers = $rl" \
		"(target <= 1.00: $(verdict "$rl"))"
	echo
	echo "RESULTS.md row:"
	echo "| $(date -u +%Y-%m-%d) | pxebootd $libc | ${R[pxebootd.idle]} | ${R[dnsmasq.idle]} | $ri |" \
		"${R[pxebootd.storm]} | ${R[dnsmasq.storm]} | ${R[pxebootd.http]} | ${R[lighttpd.http]} | $rl |"
	echo
	cat "$OUT/work.txt"
} | tee "$OUT/report.md"
