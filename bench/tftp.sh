#!/bin/bash
# bench/tftp.sh - pxebootd's TFTP server against tftpd-hpa, atftpd and
# dnsmasq, side by side in one run, in a private network namespace:
#
#   1. one client (atftp), one big file: MiB/s per blksize x windowsize,
#      the median of several runs, and what each server negotiated;
#   2. a boot storm: N clients at once (bench/tftp_storm.py, iPXE's options)
#      each reading an 80 KiB file: wall time, failures, server CPU seconds,
#      server peak memory;
#   3. user-space instructions per MiB served (valgrind --tool=callgrind);
#   4. iperf3 UDP with 1468-byte datagrams as a ceiling.
#
# Usage: bench/tftp.sh [--quick] [--build DIR] [--out DIR] [--skip SECTION,...]
#   --quick    small files, one run per cell, fewer cells (a sanity run)
#   --build    pxeboot build directory (default $PXB_BUILD or /tmp/b-bench)
#   --out      where raw results and the report go (default a new /tmp dir)
#   --skip     any of: throughput,storm,callgrind,iperf
# Environment: TFTPD_HPA (path of tftpd-hpa's in.tftpd; default: found below);
#   BENCH_BLKS, BENCH_WSS (0 = no windowsize), BENCH_RUNS, BENCH_BIG_MIB,
#   BENCH_STORM_NS, BENCH_SERVERS replace the matrix's lists (e.g.
#   BENCH_BLKS="8192", BENCH_SERVERS="pxebootd tftpd-hpa")
#
# Root is needed (network namespace, cgroups). Servers listen on
# 198.18.0.1-4:69 on the namespace's lo; storm clients use 198.18.4.0/22.
# On exit everything is torn down and only the PIDs started here are killed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

QUICK=0
BUILD=${PXB_BUILD:-/tmp/b-bench}
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
	BIG_MIB=8; RUNS=1; BLKS="1468 8192"; WSS="0 16"; RUN_TMO=30
	STORM_NS="50 200"; STORM_RUNS=1; CG_MIB=2; IPERF_S=2
else
	BIG_MIB=64; RUNS=3; BLKS="512 1468 8192 65464"; WSS="0 16 64"; RUN_TMO=40
	STORM_NS="50 200 500"; STORM_RUNS=3; CG_MIB=16; IPERF_S=5
fi
# Any of these can be set in the environment to run part of the matrix.
BIG_MIB=${BENCH_BIG_MIB:-$BIG_MIB}; RUNS=${BENCH_RUNS:-$RUNS}; BLKS=${BENCH_BLKS:-$BLKS}
WSS=${BENCH_WSS:-$WSS}; STORM_NS=${BENCH_STORM_NS:-$STORM_NS}
STORM_SIZE=81920

[ "$(id -u)" = 0 ] || die "run as root (ip netns, cgroups)"
for c in ip atftp python3 iperf3 valgrind dnsmasq atftpd ss; do
	command -v "$c" >/dev/null || die "$c not found"
done

bench_find_pxebootd "$BUILD"
bench_find_hpa
SERVERS="pxebootd tftpd-hpa atftpd dnsmasq"
[ -n "$HPA" ] || { log "tftpd-hpa not found (set TFTPD_HPA): left out"; SERVERS="pxebootd atftpd dnsmasq"; }
SERVERS=${BENCH_SERVERS:-$SERVERS}
declare -A ADDR=([pxebootd]=198.18.0.1 [tftpd-hpa]=198.18.0.2 [atftpd]=198.18.0.3 [dnsmasq]=198.18.0.4)

[ -n "$OUT" ] || OUT=$(mktemp -d "/tmp/pxb-bench.XXXXXX")
mkdir -p "$OUT"
W="$OUT/work"
SHM="/dev/shm/$BENCH_ID"
trap 'bench_cleanup; rm -rf "$SHM" "$W/root"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$W/root" "$SHM"
chmod 755 "$OUT" "$W" "$W/root"

log "files: ${BIG_MIB} MiB, ${CG_MIB} MiB, 80 KiB, 1 B in $W/root"
head -c "$((BIG_MIB << 20))" /dev/urandom >"$W/root/big.bin"
head -c "$((CG_MIB << 20))" /dev/urandom >"$W/root/cg.bin"
head -c "$STORM_SIZE" /dev/urandom >"$W/root/storm.bin"
printf x >"$W/root/tiny.bin"
chmod 644 "$W/root"/*
cat "$W/root"/* >/dev/null # in the page cache, charged to us, not to a server

cat >"$W/pxeboot.conf" <<CONF
allow_root = true;
tftp = { root = "$W/root"; listen = "${ADDR[pxebootd]}:69"; max_blksize = 65464; max_windowsize = 64; };
http = { root = "$W/root"; };
CONF

# The command line of each server; $1 = a prefix (valgrind) or nothing.
# Limits that would refuse a 500-client storm are raised for every peer
# (dnsmasq --tftp-max default 50, atftpd --maxthread default 100); pxebootd's
# defaults (2000 transfers, 16 per client) already allow it.
srv_cmd() {
	local name=$1; shift
	case $name in
	pxebootd) echo "$* ${PXB[*]} -f -c $W/pxeboot.conf" ;;
	tftpd-hpa) echo "$* $HPA -L -a ${ADDR[$name]}:69 -s -u root $W/root" ;;
	atftpd) echo "$* atftpd --daemon --no-fork --port 69 --bind-address ${ADDR[$name]}" \
		"--logfile - --user root.root --maxthread 1000 $W/root" ;;
	dnsmasq) echo "$* dnsmasq --no-daemon --conf-file=/dev/null --port=0 --enable-tftp" \
		"--tftp-root=$W/root --listen-address=${ADDR[$name]} --bind-interfaces" \
		"--tftp-max=1000 --user=root --log-facility=-" ;;
	esac
}

start_servers() {
	local s
	for s in $SERVERS; do
		# shellcheck disable=SC2046
		srv_start "$s" "$W/$s.log" $(srv_cmd "$s")
	done
	for s in $SERVERS; do
		wait_udp "${ADDR[$s]}:69" 20 || { cat "$W/$s.log" >&2; die "$s did not start"; }
	done
}

describe_machine() {
	{
		echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
		echo "kernel: $(uname -sr)"
		echo "cpu: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
		echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
		echo "pxebootd: $("${PXB[@]}" -V 2>&1 | head -1) ($(git -C "$here/.." rev-parse --short HEAD 2>/dev/null))"
		echo "tftpd-hpa: ${HPA:+$("$HPA" -V 2>&1 | head -1)}"
		echo "atftpd: $(atftpd -V 2>&1 | head -1)"
		echo "dnsmasq: $(dnsmasq --version | head -1)"
		echo "atftp: $(atftp -V 2>&1 | head -1)"
		echo "iperf3: $(iperf3 -v | head -1)"
		echo "valgrind: $(valgrind --version)"
		echo "python: $(python3 -V 2>&1)"
		echo "measurement: cgroups=$CG_OK quick=$QUICK"
	} >"$OUT/machine.txt"
}

netns_up 198.18.0.1/32 198.18.0.2/32 198.18.0.3/32 198.18.0.4/32 198.18.4.0/22
cg_init
describe_machine

# ---- 4. iperf3 ceiling ----
if ! skipped iperf; then
	log "iperf3 UDP, 1468-byte datagrams, ${IPERF_S} s x 3"
	: >"$OUT/iperf.tsv"
	for r in 1 2 3; do
		nsx iperf3 -s -B 198.18.0.1 -p 5201 -1 >/dev/null 2>&1 &
		BENCH_PIDS+=($!)
		wait_udp 198.18.0.1:5201 5 || nsx ss -Htln | grep -q 5201 || sleep 1
		nsx iperf3 -u -c 198.18.0.1 -p 5201 -l 1468 -b 0 -t "$IPERF_S" -J >"$W/iperf.json" 2>/dev/null
		python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["end"]
r = e.get("sum_received") or e["sum"]
s = e.get("sum_sent") or e["sum"]
print("%.3f\t%.3f\t%.2f" % (r["bytes"] / r["seconds"] / 1048576, s["bytes"] / s["seconds"] / 1048576,
                            e["sum"].get("lost_percent", 0)))' "$W/iperf.json" >>"$OUT/iperf.tsv"
		wait "${BENCH_PIDS[-1]}" 2>/dev/null
	done
fi

start_servers
log "servers: $(for s in $SERVERS; do printf '%s=%s ' "$s" "${SRV_PID[$s]}"; done)"

# ---- 1. one client, one big file ----
# atftp_get SERVER BLKSIZE WINDOWSIZE FILE OUTFILE [atftp args]
atftp_args() {
	local a=(--option "blksize $1")
	[ "$2" != 0 ] && a+=(--option "windowsize $2")
	printf '%s\n' "${a[@]}"
}
if ! skipped throughput; then
	: >"$OUT/throughput.tsv"
	: >"$OUT/negotiated.tsv"
	for b in $BLKS; do
		for ws in $WSS; do
			mapfile -t opts < <(atftp_args "$b" "$ws")
			for s in $SERVERS; do
				# What was negotiated, from the OACK (tsize asked only here).
				neg=$(nsx atftp --trace "${opts[@]}" --option "tsize 0" -g -r storm.bin \
					-l "$SHM/probe" "${ADDR[$s]}" 69 2>&1 |
					sed -n 's/^received OACK <\(.*\)>.*/\1/p' | head -1 |
					tr -d ' ' | sed 's/,$//; s/tsize:[0-9]*,\{0,1\}//')
				printf '%s\t%s\t%s\t%s\n' "$s" "$b" "$ws" "${neg:-none}" >>"$OUT/negotiated.tsv"
			done
			declare -A gaveup=()
			for r in $(seq "$RUNS"); do
				for s in $SERVERS; do
					# One run that timed out is enough to know the cell.
					[ -n "${gaveup[$s]:-}" ] && continue
					rm -f "$SHM/out"
					t0=$(date +%s%N)
					timeout "$RUN_TMO" ip netns exec "$NS" atftp "${opts[@]}" -g -r big.bin \
						-l "$SHM/out" "${ADDR[$s]}" 69 >/dev/null 2>&1
					rc=$?
					t1=$(date +%s%N)
					got=$(stat -c %s "$SHM/out" 2>/dev/null || echo 0)
					ok=1
					[ "$rc" = 0 ] && cmp -s "$SHM/out" "$W/root/big.bin" || ok=0
					printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$b" "$ws" "$r" "$got" \
						"$(( (t1 - t0) / 1000 ))" "$ok" >>"$OUT/throughput.tsv"
					log "throughput $s blksize=$b windowsize=$ws run $r:" \
						"$(awk -v g="$got" -v u="$(( (t1 - t0) / 1000 ))" 'BEGIN {printf "%.1f MiB/s", g / 1048576 / (u / 1e6)}')" \
						"$([ "$ok" = 1 ] || echo "(incomplete, rc=$rc)")"
					# A server left retransmitting an abandoned transfer would
					# steal CPU from the next one: let it give up.
					[ "$ok" = 1 ] || { gaveup[$s]=1; sleep 3; }
				done
			done
			unset gaveup
		done
	done
fi

# ---- 2. boot storm ----
if ! skipped storm; then
	: >"$OUT/storm.tsv"
	for n in $STORM_NS; do
		for r in $(seq "$STORM_RUNS"); do
			for s in $SERVERS; do
				sleep 1
				srv_mem_reset "$s"
				c0=$(srv_cpu_ns "$s")
				line=$(timeout 180 ip netns exec "$NS" python3 "$here/tftp_storm.py" "${ADDR[$s]}" \
					--file storm.bin --size "$STORM_SIZE" --clients "$n")
				sleep 0.5 # the server's last ACKs and cleanup count too
				c1=$(srv_cpu_ns "$s")
				peak=$(srv_mem_peak "$s")
				hwm=$(srv_hwm "$s")
				eval "$(tr ' ' '\n' <<<"$line" | grep -E '^(ok|failed|wall|retransmits)=')"
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$n" "$r" "${ok:-0}" \
					"${failed:-$n}" "${wall:-0}" "$(( (c1 - c0) / 1000 ))" "$peak" \
					"${retransmits:-0}/${hwm:-0}" >>"$OUT/storm.tsv"
				log "storm $s $n clients run $r: $line cpu=$(( (c1 - c0) / 1000000 )) ms peak=$((peak / 1024)) KiB"
				unset ok failed wall retransmits
			done
		done
	done
fi

for s in $SERVERS; do srv_stop "$s"; done

# ---- 3. instructions per MiB (callgrind) ----
# Two runs per server: one serving a 1-byte file, one serving CG_MIB MiB at
# blksize 1468 (no windowsize: every server does lock-step the same way).
# (Ir of the big run - Ir of the small run) / CG_MIB leaves out start-up,
# configuration and shutdown.
cg_run() {
	local s=$1 file=$2 tag=$3 d="$W/cg-$1-$3" i
	rm -rf "$d" "$W/root$d"; mkdir -p "$d"
	# tftpd-hpa's children chroot to the root (-s): their profiles land in
	# the same path under it.
	mkdir -p "$W/root$d"
	# shellcheck disable=SC2046
	srv_start "$s" "$W/$s-cg.log" $(srv_cmd "$s" valgrind --tool=callgrind --trace-children=yes \
		--callgrind-out-file="$d/cg.%p")
	wait_udp "${ADDR[$s]}:69" 120 || { cat "$W/$s-cg.log" >&2; die "$s under valgrind did not start"; }
	sleep 1
	timeout 900 ip netns exec "$NS" atftp --option "blksize 1468" --tftp-timeout 20 -g -r "$file" \
		-l "$SHM/cg" "${ADDR[$s]}" 69 >/dev/null 2>&1 ||
		log "callgrind $s: transfer of $file failed"
	cmp -s "$SHM/cg" "$W/root/$file" || log "callgrind $s: $file differs"
	sleep 2 # forked children finish and write their profiles
	srv_stop "$s"
	for i in $(seq 50); do
		ls "$d"/cg.* >/dev/null 2>&1 && break
		sleep 0.2
	done
	mv "$W/root$d"/cg.* "$d"/ 2>/dev/null
	rm -rf "$W/root/$(cut -d/ -f2 <<<"$d")"
	for i in "$d"/cg.*; do awk '/^(summary|totals):/ {t = $2} END {print t + 0}' "$i"; done |
		awk '{s += $1} END {printf "%.0f\n", s}'
}
if ! skipped callgrind; then
	: >"$OUT/callgrind.tsv"
	for s in $SERVERS; do
		log "callgrind $s (slow)"
		base=$(cg_run "$s" tiny.bin base)
		full=$(cg_run "$s" cg.bin full)
		printf '%s\t%s\t%s\t%s\n' "$s" "$base" "$full" "$CG_MIB" >>"$OUT/callgrind.tsv"
		log "callgrind $s: base $base Ir, ${CG_MIB} MiB $full Ir"
		f=$(ls -S "$W/cg-$s-full"/cg.* | head -1)
		callgrind_annotate --inclusive=no "$f" 2>/dev/null | head -60 >"$OUT/callgrind-$s.txt"
	done
fi

python3 "$here/tftp_report.py" "$OUT" | tee "$OUT/report.md"
log "raw results and report in $OUT"
