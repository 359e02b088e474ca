#!/bin/bash
# iso.sh - what serving a file from inside an ISO image costs: pxebootd's
# CPU per GiB sent over HTTP for a 200 MiB file inside an ISO (catalog-iso:
# the image's descriptor at the file's offset, sendfile) against the same
# file extracted into http.root. Server CPU is utime + stime from
# /proc/PID/stat around each run; runs alternate between the two and the
# median of each is compared. The ratio should be within 1.1x.
#
#   bash bench/iso.sh [BUILD-DIR]      (default: the source tree's own build)
#
# Environment: ISO_BENCH_MIB (file size, 200), ISO_BENCH_ROUNDS (5),
# ISO_BENCH_GETS (downloads per run, 10), ISO_BENCH_PARALLEL (4),
# ISO_BENCH_RESULTS (file appended to; bench/RESULTS.md; "-" for none).
# Runs on 127.0.0.1 only; stops only the pxebootd it started.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src}
mib=${ISO_BENCH_MIB:-200}
rounds=${ISO_BENCH_ROUNDS:-5}
gets=${ISO_BENCH_GETS:-10}
par=${ISO_BENCH_PARALLEL:-4}
results=${ISO_BENCH_RESULTS:-$src/bench/RESULTS.md}
for t in xorriso curl python3; do
	command -v $t >/dev/null || { echo "iso.sh: $t is needed" >&2; exit 1; }
done
[ -x "$build/daemon/pxebootd" ] || { echo "iso.sh: no $build/daemon/pxebootd (build first)" >&2; exit 1; }

d=$(mktemp -d "${TMPDIR:-/tmp}/pxb-bench-iso.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$d"
}
trap cleanup EXIT
mkdir -p "$d/root" "$d/iso" "$d/tree/payload"
head -c "$((mib << 20))" /dev/urandom >"$d/tree/payload/big.bin"
cp "$d/tree/payload/big.bin" "$d/root/big.bin"
xorriso -as mkisofs -R -o "$d/iso/img.iso" "$d/tree" >/dev/null 2>&1

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$d/conf" <<CONF
plugins = ["http", "catalog-iso"];
allow_root = true;
tftp = { enable = false; };
http = { root = "$d/root"; listen = "127.0.0.1:$port"; };
iso = { dirs = ["$d/iso"]; };
CONF
"$build/daemon/pxebootd" -f -P "$build/plugins/.libs" -c "$d/conf" >"$d/log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "listening on 127.0.0.1:$port" "$d/log" && break; sleep 0.1; done
grep -q "listening on 127.0.0.1:$port" "$d/log" || { cat "$d/log" >&2; exit 1; }
U="http://127.0.0.1:$port"
cmp -s <(curl -sf "$U/iso/img/payload/big.bin") "$d/tree/payload/big.bin" ||
	{ echo "iso.sh: the file inside the image is not served byte-identical" >&2; exit 1; }

hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# run URL: CPU seconds per GiB for gets*par downloads
run() {
	local url=$1 t0 t1 i j
	t0=$(ticks)
	for ((i = 0; i < gets; i++)); do
		for ((j = 0; j < par; j++)); do curl -sf -o /dev/null "$url" & done
		wait
	done
	t1=$(ticks)
	python3 -c "print('%.4f' % (($t1 - $t0) / $hz / ($gets * $par * $mib / 1024)))"
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
plain="" inside=""
for ((r = 0; r < rounds; r++)); do
	plain="$plain $(run "$U/big.bin")"
	inside="$inside $(run "$U/iso/img/payload/big.bin")"
done
mp=$(echo "$plain" | median)
mi=$(echo "$inside" | median)
ratio=$(python3 -c "print('%.2f' % ($mi / $mp if $mp > 0 else 0))")
verdict=$(python3 -c "print('within 1.1x' if $mi <= 1.1 * $mp else 'OVER 1.1x')")
echo "extracted file:   CPU s/GiB per run:$plain  median $mp"
echo "inside the ISO:   CPU s/GiB per run:$inside  median $mi"
echo "ratio (ISO / extracted): $ratio ($verdict)"
if [ "$results" != - ]; then
	entry=$(printf '\n## ISO images: HTTP from inside an ISO vs extracted (%s)\n\n%s\n\n%s\n%s\n%s\n%s\n' \
		"$(date -u +%Y-%m-%d)" \
		"bench/iso.sh: a $mib MiB file, $rounds rounds of $gets x $par parallel curl downloads each, pxebootd CPU (utime+stime) per GiB sent, $(nproc) CPUs, $(uname -r)." \
		"| served from | CPU s/GiB (median) | runs |" "| --- | --- | --- |" \
		"| extracted file in http.root | $mp |$plain |" \
		"| inside the ISO (catalog-iso) | $mi |$inside |")
	printf '%s\n\nRatio ISO / extracted: **%s** (%s).\n' "$entry" "$ratio" "$verdict" >>"$results"
	echo "appended to $results"
fi
