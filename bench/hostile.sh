#!/bin/bash
# bench/hostile.sh - TFTP servers on a LAN nobody audits, side by side in one
# run: pxebootd, dnsmasq, and atftpd and tftpd-hpa where they are found, each
# alone in turn on 198.18.0.1:69 in a private network namespace, each with
# its defaults. For each server:
#
#  1. reflection: one read request without options (28 bytes) from an
#     address that never acknowledges; the datagrams and bytes that come
#     back within 20 s, and the amplification (bytes back / 28);
#  2. a forged-source flood: 3000 read requests asking timeout=255 from 125
#     addresses (198.19.0.1-125) over 5 s, none ever acknowledged (their
#     sockets stay open, so no ICMP "port unreachable" ends a transfer); a real
#     client (tftp-hpa) fetches a 300 KB file once 2500 are out: did it get
#     the file and how long it took; the most UDP sockets the server held
#     during the flood, and how long after the flood's sources closed theirs
#     (30 s after the last request) they were given back (60 s watched).
#
# Usage: bench/hostile.sh [--build DIR] [--out DIR]
#   --build DIR   pxeboot's build tree (default: ./ or $PXB_BUILD)
#   --out DIR     where logs and the report go (default: a new /tmp dir)
# Needs root. Peers: `apt-get install dnsmasq-base atftpd tftp-hpa`;
# tftpd-hpa and atftpd as in bench/README.md (TFTPD_HPA=..., ATFTPD_BIN=...).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
BUILD=${PXB_BUILD:-.}
OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift ;;
	--out) OUT=$2; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || die "run as root (ip netns)"
for c in ip python3 dnsmasq tftp ss; do
	command -v "$c" >/dev/null || die "$c not found"
done
bench_find_pxebootd "$BUILD"
bench_find_hpa
ATFTPD=""
for c in "${ATFTPD_BIN:-}" "$(command -v atftpd)" /tmp/pxb-peers/root/usr/sbin/atftpd; do
	[ -n "$c" ] && [ -x "$c" ] && { ATFTPD=$c; break; }
done
SERVERS="pxebootd dnsmasq"
[ -n "$ATFTPD" ] && SERVERS="$SERVERS atftpd"
[ -n "$HPA" ] && SERVERS="$SERVERS tftpd-hpa"
FLOOD="$here/../t/tftp_flood.py"
[ -f "$FLOOD" ] || die "t/tftp_flood.py not found beside bench/"

[ -n "$OUT" ] || OUT=$(mktemp -d "/tmp/pxb-hostile.XXXXXX")
W="$OUT/work"
trap 'bench_cleanup; rm -rf "$W/root"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$W/root" "$W/out"
chmod 755 "$OUT" "$W" "$W/root"
head -c 100000 /dev/urandom >"$W/root/undionly-flood.kpxe"
head -c 300000 /dev/urandom >"$W/root/real.bin"
chmod 644 "$W/root"/*
SRV=198.18.0.1

cat >"$W/pxeboot.conf" <<CONF
allow_root = true;
tftp = { root = "$W/root"; listen = "$SRV:69"; };
CONF

srv_cmd() {
	case $1 in
	pxebootd) echo "${PXB[*]} -f -c $W/pxeboot.conf" ;;
	dnsmasq) echo "dnsmasq --no-daemon --conf-file=/dev/null --port=0 --enable-tftp" \
		"--tftp-root=$W/root --listen-address=$SRV --bind-interfaces --user=root" \
		"--log-facility=-" ;;
	atftpd) echo "$ATFTPD --daemon --no-fork --port 69 --bind-address $SRV" \
		"--logfile - --user root.root $W/root" ;;
	tftpd-hpa) echo "$HPA -L -a $SRV:69 -s -u root $W/root" ;;
	esac
}

# The server's processes and all they forked (tftpd-hpa forks one a
# transfer), from one process listing.
tree() {
	ps -eo pid=,ppid= | awk -v roots="$*" '
		{ kids[$2] = kids[$2] " " $1 }
		END {
			n = split(roots, todo, " ")
			for (i = 1; i <= n; i++) {
				p = todo[i]; print p
				m = split(kids[p], k, " ")
				for (j = 1; j <= m; j++) todo[++n] = k[j]
			}
		}'
}

# UDP sockets held by the server's processes.
sockets() {
	local n=0 p
	# shellcheck disable=SC2046
	for p in $(tree $(srv_pids "$1") | sort -u); do
		n=$((n + $(find "/proc/$p/fd" -lname 'socket:*' 2>/dev/null | wc -l)))
	done
	echo "$n"
}

netns_up "$SRV/32"
cg_init
{
	for i in $(seq 1 125); do echo "addr add 198.19.0.$i/32 dev lo"; done
	echo "addr add 198.19.1.1/32 dev lo"
} >"$W/addrs"
nsx ip -batch "$W/addrs" || die "flood addresses"
flood() { timeout 60 ip netns exec "$NS" python3 "$FLOOD" "$@"; }

report="$OUT/report.txt"
{
	echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "kernel: $(uname -sr)"
	echo "cpu: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
	echo "pxebootd: $("${PXB[@]}" -V 2>&1 | head -1)"
	echo "dnsmasq: $(dnsmasq --version | head -1)"
	[ -n "$ATFTPD" ] && echo "atftpd: $("$ATFTPD" --version 2>&1 | head -1)"
	[ -n "$HPA" ] && echo "tftpd-hpa: $("$HPA" -V 2>&1 | head -1)"
	echo
	printf '%-10s %8s %9s %6s | %-9s %8s %8s %10s\n' server "reflect" "bytes" "x28" \
		"client" "ms" "sockets" "freed(s)"
} >"$report"

for s in $SERVERS; do
	log "$s"
	rm -f "$W/mark" "$W/out/real"
	# shellcheck disable=SC2046
	srv_start "$s" "$W/$s.log" $(srv_cmd "$s")
	wait_udp "$SRV:69" 20 || { cat "$W/$s.log" >&2; die "$s did not start"; }
	base=$(sockets "$s")

	r=$(flood silent "$SRV" 69 undionly-flood.kpxe 20 198.19.1.1)
	pk=$(echo "$r" | sed -n 's/^packets //p')
	by=$(echo "$r" | sed -n 's/^bytes //p')

	flood floodhold "$SRV" 69 undionly-flood.kpxe 3000 5 2500 "$W/mark" \
		$(seq -f '198.19.0.%g' 1 125) >"$W/$s.flood" &
	fpid=$!
	BENCH_PIDS+=("$fpid")
	most=0
	for _ in $(seq 1 100); do
		[ -e "$W/mark" ] && break
		n=$(sockets "$s"); [ "$n" -gt "$most" ] && most=$n
		sleep 0.2
	done
	rm -f "$W/client_end"
	t0=$(date +%s%N)
	(printf 'binary\nrexmt 1\ntimeout 15\nget real.bin %s\nquit\n' "$W/out/real" |
		timeout 20 ip netns exec "$NS" tftp "$SRV" >"$W/$s.client" 2>&1
	 date +%s%N >"$W/client_end") &
	cpid=$!
	while kill -0 "$cpid" 2>/dev/null || kill -0 "$fpid" 2>/dev/null; do
		n=$(sockets "$s"); [ "$n" -gt "$most" ] && most=$n
		sleep 0.2
	done
	wait "$cpid"
	wait "$fpid"
	if cmp -s "$W/root/real.bin" "$W/out/real"; then
		got=yes; ms=$((($(cat "$W/client_end") - t0) / 1000000))
	else
		got=no; ms=-
	fi
	# How long after the flood the server's sockets are back where they were.
	freed=">60"
	for i in $(seq 0 60); do
		[ "$(sockets "$s")" -le "$base" ] && { freed=$i; break; }
		sleep 1
	done
	srv_stop "$s"
	printf '%-10s %8s %9s %6s | %-9s %8s %8s %10s\n' "$s" "${pk:-?}" "${by:-?}" \
		"$(awk -v b="${by:-0}" 'BEGIN {printf "%.0f", b / 28}')" \
		"$got" "$ms" "$((most - base))" "$freed" >>"$report"
done
{
	echo
	echo "reflect/bytes: datagrams/bytes sent back in 20 s to one 28-byte request never"
	echo "acknowledged; x28: bytes back per byte asked. client: tftp-hpa got its 300 KB file"
	echo "during the flood (ms: from 2500 requests out to done; it gives up at 20 s)."
	echo "sockets: most UDP sockets held above idle during the flood (the server's processes"
	echo "and what they forked); freed(s): seconds until they were given back once the"
	echo "flood's sources closed theirs, 30 s after the last request."
} >>"$report"
cat "$report"
