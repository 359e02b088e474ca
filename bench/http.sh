#!/bin/bash
# bench/http.sh - pxebootd's HTTP plugin (libmicrohttpd, sendfile) against
# nginx and lighttpd, side by side in one run on the same files, in a
# private network namespace (each server on its own port of 127.0.0.1
# there). Every server is pinned to CPU 0, wrk to CPU 1; the cells are run
# server after server (A B C A B C ...) and the median of the runs is kept.
#
#   large: a 200 MiB file, 1, 8 and 64 connections: MiB/s and server CPU
#          seconds per GiB served (its cgroup, else /proc);
#   small: an 80 KiB file, 1 and 64 connections: requests/s and the p99
#          latency (wrk --latency);
#   peak RSS: the sum of VmHWM over the server's processes (nginx: master
#          and its one worker) at the end.
#
# All keep connections alive without a request limit, log no requests and
# send files with sendfile(2): nginx (one worker, sendfile on, tcp_nopush
# on, access_log off, keepalive_requests 1000000), lighttpd (no modules, its
# default sendfile backend, max-keep-alive-requests 1000000), pxebootd
# (plugins = ["http"], http.access_log = false, and http.max_per_client
# raised from its default of 32: wrk's 64 connections all come from
# 127.0.0.1; 1024 connections in all, as nginx's worker_connections and
# lighttpd's server.max-connections; allow_root, as the bench runs as root). Their own configuration
# files, pid files and logs are written under the output directory.
#
# Usage: bench/http.sh [--quick] [--build DIR] [--out DIR]
#   --quick    a 32 MiB large file, 3-second runs, one run per cell
#   --build    pxeboot build directory (default $PXB_BUILD or /tmp/b-perf)
#   --out      where raw results and the report go (default a new /tmp dir)
#
# Root is needed (network namespace, cgroups). On exit the namespace is
# removed and only the PIDs started here are killed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

QUICK=0
BUILD=${PXB_BUILD:-/tmp/b-perf}
OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--build) BUILD=$2; shift ;;
	--out) OUT=$2; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
	shift
done

if [ "$QUICK" = 1 ]; then
	BIG_MIB=32; DUR=3; RUNS=1
else
	BIG_MIB=200; DUR=6; RUNS=3
fi
SMALL=81920
SRV_CPU=0
CLI_CPU=1
SERVERS="pxebootd nginx lighttpd"
declare -A PORT=([pxebootd]=8081 [nginx]=8082 [lighttpd]=8083)

[ "$(id -u)" = 0 ] || die "run as root (ip netns, cgroups)"
for c in ip wrk nginx lighttpd taskset ss python3; do
	command -v "$c" >/dev/null || die "$c not found"
done
bench_find_pxebootd "$BUILD"
[ -f "$BUILD/plugins/.libs/http.so" ] || die "no $BUILD/plugins/.libs/http.so"

[ -n "$OUT" ] || OUT=$(mktemp -d "/tmp/pxb-bench-http.XXXXXX")
mkdir -p "$OUT"
W="$OUT/work"
mkdir -p "$W/root" "$W/nginx" "$W/lighttpd"
chmod 755 "$OUT" "$W" "$W/root"
trap 'bench_cleanup; rm -rf "$W/root"' EXIT
trap 'exit 130' INT TERM

log "files: ${BIG_MIB} MiB and 80 KiB in $W/root"
head -c "$((BIG_MIB << 20))" /dev/urandom >"$W/root/big.bin"
head -c "$SMALL" /dev/urandom >"$W/root/small.bin"
chmod 644 "$W/root"/*
cat "$W/root"/* >/dev/null # in the page cache, charged to us, not to a server

cat >"$W/pxeboot.conf" <<CONF
plugins = ["http"];
allow_root = true;
http = { root = "$W/root"; listen = "127.0.0.1:${PORT[pxebootd]}"; access_log = false;
         max_per_client = 1024; max_connections = 1024; };
tftp = { enable = false; };
CONF
cat >"$W/nginx/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log warn;
events { worker_connections 1024; use epoll; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  client_body_temp_path $W/nginx/body;
  proxy_temp_path $W/nginx/proxy;
  fastcgi_temp_path $W/nginx/fastcgi;
  uwsgi_temp_path $W/nginx/uwsgi;
  scgi_temp_path $W/nginx/scgi;
  server {
    listen 127.0.0.1:${PORT[nginx]};
    root $W/root;
  }
}
CONF
bench_lighttpd_conf "$W/root" 127.0.0.1 "${PORT[lighttpd]}" "$W/lighttpd" >"$W/lighttpd/lighttpd.conf"

srv_cmd() {
	case $1 in
	pxebootd) echo "${PXB[*]} -f -P $BUILD/plugins/.libs -c $W/pxeboot.conf" ;;
	nginx) echo "nginx -p $W/nginx -c $W/nginx/nginx.conf" ;;
	lighttpd) echo "lighttpd -D -f $W/lighttpd/lighttpd.conf" ;;
	esac
}

# wrk reports in a form easy to read: bytes, requests, duration, errors, p99.
cat >"$W/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT bytes=%d requests=%d duration_us=%d errors=%d p50_us=%d p99_us=%d\n",
    summary.bytes, summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
LUA


netns_up
cg_init
{
	echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "kernel: $(uname -sr)"
	echo "cpu: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
	echo "pxebootd: $("${PXB[@]}" -V 2>&1 | head -1) ($(git -C "$here/.." rev-parse --short HEAD 2>/dev/null)), libmicrohttpd $(pkg-config --modversion libmicrohttpd 2>/dev/null)"
	echo "nginx: $(nginx -v 2>&1)"
	echo "lighttpd: $(lighttpd -v 2>&1 | head -1)"
	echo "wrk: $(wrk -v 2>&1 | head -1)"
	echo "measurement: cgroups=$CG_OK quick=$QUICK duration=${DUR}s runs=$RUNS"
} >"$OUT/machine.txt"
for s in $SERVERS; do
	# shellcheck disable=SC2046
	srv_start "$s" "$W/$s.log" taskset -c "$SRV_CPU" $(srv_cmd "$s")
done
for s in $SERVERS; do
	for i in $(seq 100); do
		nsx ss -Htln 2>/dev/null | awk '{print $4}' | grep -qx "127.0.0.1:${PORT[$s]}" && break
		sleep 0.1
	done
	nsx curl -sf -o /dev/null "http://127.0.0.1:${PORT[$s]}/small.bin" 2>/dev/null ||
		nsx wrk -t1 -c1 -d1 "http://127.0.0.1:${PORT[$s]}/small.bin" >/dev/null 2>&1 ||
		{ cat "$W/$s.log" >&2; die "$s does not serve"; }
done
# nginx's worker may have been forked before its master was moved to the
# cgroup: put the master's children there too.
if [ "$CG_OK" = 1 ]; then
	for p in $(pgrep -P "${SRV_PID[nginx]}"); do
		echo "$p" >"$CG_CPU/$BENCH_ID/nginx/cgroup.procs"
		echo "$p" >"$CG_MEM/$BENCH_ID/nginx/cgroup.procs"
	done
fi
log "servers: $(for s in $SERVERS; do printf '%s=%s ' "$s" "${SRV_PID[$s]}"; done)"

# One wrk run: cell FILE CONNS SERVER RUN -> a line of http.tsv.
cell() {
	local file=$1 c=$2 s=$3 r=$4 c0 c1 res
	c0=$(srv_cpu_ns "$s")
	res=$(nsx taskset -c "$CLI_CPU" wrk -t1 -c"$c" -d"${DUR}s" --timeout 10s --latency \
		-s "$W/report.lua" "http://127.0.0.1:${PORT[$s]}/$file" 2>&1 | tee -a "$W/wrk.out" |
		sed -n 's/^RESULT //p')
	c1=$(srv_cpu_ns "$s")
	[ -n "$res" ] || res="bytes=0 requests=0 duration_us=1 errors=1 p50_us=0 p99_us=0"
	printf '%s\t%s\t%s\t%s\t%s\tcpu_ns=%s\n' "$s" "$file" "$c" "$r" "$(tr ' ' '\t' <<<"$res")" \
		"$((c1 - c0))" >>"$OUT/http.tsv"
	log "$s $file c=$c run $r: $res cpu=$(((c1 - c0) / 1000000))ms"
}

: >"$OUT/http.tsv"
# Warm-up: each server once on each file.
for s in $SERVERS; do
	nsx taskset -c "$CLI_CPU" wrk -t1 -c8 -d1s "http://127.0.0.1:${PORT[$s]}/small.bin" >/dev/null 2>&1
	nsx taskset -c "$CLI_CPU" wrk -t1 -c1 -d1s "http://127.0.0.1:${PORT[$s]}/big.bin" >/dev/null 2>&1
done
for r in $(seq "$RUNS"); do
	for c in 1 8 64; do
		for s in $SERVERS; do cell big.bin "$c" "$s" "$r"; done
	done
	for c in 1 64; do
		for s in $SERVERS; do cell small.bin "$c" "$s" "$r"; done
	done
done

: >"$OUT/rss.tsv"
for s in $SERVERS; do
	t=0
	for p in $(srv_pids "$s"); do
		v=$(awk '/^VmHWM/ {print $2 * 1024}' "/proc/$p/status" 2>/dev/null)
		t=$((t + ${v:-0}))
	done
	printf '%s\t%s\n' "$s" "$t" >>"$OUT/rss.tsv"
done
for s in $SERVERS; do srv_stop "$s"; done

python3 - "$OUT" "$QUICK" "$BIG_MIB" <<'PY' | tee "$OUT/report.md"
import statistics as st, sys, os
out, quick, big = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3])
servers = ["pxebootd", "nginx", "lighttpd"]
cells = {}
for line in open(os.path.join(out, "http.tsv")):
    f = line.rstrip("\n").split("\t")
    s, file, c, r = f[0], f[1], int(f[2]), int(f[3])
    kv = {k: int(v) for k, v in (x.split("=") for x in f[4:])}
    cells.setdefault((s, file, c), []).append(kv)
rss = {s: int(v) for s, v in (l.split() for l in open(os.path.join(out, "rss.tsv")))}
def med(s, file, c, fn):
    v = [fn(x) for x in cells.get((s, file, c), []) if x["requests"] > 0]
    return st.median(v) if v else None
mibs = lambda x: x["bytes"] / 1048576 / (x["duration_us"] / 1e6)
cpu_gib = lambda x: (x["cpu_ns"] / 1e9) / (x["bytes"] / 2**30) if x["bytes"] else float("nan")
rps = lambda x: x["requests"] / (x["duration_us"] / 1e6)
p99 = lambda x: x["p99_us"] / 1000
errs = lambda x: x["errors"]
def f(x, fmt="%.1f"):
    return "-" if x is None else fmt % x
print("### HTTP, %d MiB file (%s)\n" % (big, "quick" if quick else "full"))
print("| server | conns | MiB/s | CPU s/GiB | errors |")
print("|---|---|---|---|---|")
for c in (1, 8, 64):
    for s in servers:
        print("| %s | %d | %s | %s | %s |" % (s, c, f(med(s, "big.bin", c, mibs), "%.0f"),
              f(med(s, "big.bin", c, cpu_gib), "%.3f"), f(med(s, "big.bin", c, errs), "%d")))
print("\n### HTTP, 80 KiB file\n")
print("| server | conns | requests/s | p99 ms | CPU us/request | errors |")
print("|---|---|---|---|---|---|")
for c in (1, 64):
    for s in servers:
        print("| %s | %d | %s | %s | %s | %s |" % (s, c, f(med(s, "small.bin", c, rps), "%.0f"),
              f(med(s, "small.bin", c, p99), "%.2f"),
              f(med(s, "small.bin", c, lambda x: x["cpu_ns"] / 1000 / x["requests"])),
              f(med(s, "small.bin", c, errs), "%d")))
print("\n| server | peak RSS (KiB, sum of VmHWM) |\n|---|---|")
for s in servers:
    print("| %s | %d |" % (s, rss.get(s, 0) // 1024))
P = "pxebootd"
def r(a, b):
    return None if a is None or not b else a / b
def met(x, op, k):
    return "-" if x is None else ("met" if op(x, k) else "MISSED")
import operator as o
print("\nRatios (pxebootd / peer) and targets:\n")
print("| comparison | ratio | target | |")
print("|---|---|---|---|")
for c in (1, 8, 64):
    x = r(med(P, "big.bin", c, cpu_gib), med("nginx", "big.bin", c, cpu_gib))
    print("| large c=%d CPU/GiB vs nginx | %s | <= 1.0x | %s |" % (c, f(x, "%.2fx"), met(x, o.le, 1.0)))
    best = max((med(s, "big.bin", c, mibs) or 0) for s in ("nginx", "lighttpd"))
    x = r(med(P, "big.bin", c, mibs), best)
    print("| large c=%d MiB/s vs best peer | %s | >= 0.9x | %s |" % (c, f(x, "%.2fx"), met(x, o.ge, 0.9)))
for c in (1, 64):
    x = r(med(P, "small.bin", c, rps), med("lighttpd", "small.bin", c, rps))
    print("| small c=%d req/s vs lighttpd | %s | >= 1.0x | %s |" % (c, f(x, "%.2fx"), met(x, o.ge, 1.0)))
    x = r(med(P, "small.bin", c, p99), med("lighttpd", "small.bin", c, p99))
    print("| small c=%d p99 vs lighttpd | %s | <= 1.0x | %s |" % (c, f(x, "%.2fx"), met(x, o.le, 1.0)))
    x = r(med(P, "small.bin", c, rps), med("nginx", "small.bin", c, rps))
    print("| small c=%d req/s vs nginx | %s | (info) | |" % (c, f(x, "%.2fx")))
x = r(rss.get(P), rss.get("lighttpd"))
print("| peak RSS vs lighttpd | %s | <= 1.0x | %s |" % (f(x, "%.2fx"), met(x, o.le, 1.0)))
x = r(rss.get(P), rss.get("nginx"))
print("| peak RSS vs nginx | %s | (info) | |" % f(x, "%.2fx"))
PY
log "raw results in $OUT"
