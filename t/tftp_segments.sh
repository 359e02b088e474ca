#!/bin/bash
# tftp_segments.sh - windows sent as UDP segmentation offload writes
# (tftp.udp_segmentation), across a veth pair with Ethernet's 1500-byte MTU
# in private namespaces, to atftp: byte-identical files at blksize 512 and
# 1468 with windows of 16 and 64, a size that ends in an empty block, the
# kernel refusing segments larger than the MTU (blksize 8192: the transfer
# goes on a datagram at a time, and says so at debug level), and the same
# transfers with the setting off after a reload.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
netns_require
command -v atftp >/dev/null || tap_skip_all "needs atftp"
d=$(scratch_dir)
root="$d/root"
mkdir -p "$root" "$d/out"

netns_make srv
netns_make cli
netns_link srv cli 198.18.0.1/24 198.18.0.2/24 || { check "test network" 1; tap_done; exit 1; }

# name size: one file per case, so each transfer's log lines are its own.
mk() { head -c "$2" /dev/urandom >"$root/$1"; }
mk w16.bin 1048577
mk w64.bin 8388608
mk small.bin 513
mk even.bin $((1468 * 16))
mk big.bin 1048577
mk off16.bin 1048577
mk off64.bin 8388608

cat >"$d/pxeboot.conf" <<CONF
log_level = "debug";
allow_root = true;
tftp = { root = "$root"; listen = "198.18.0.1:69"; max_blksize = 65464; max_windowsize = 64;
	max_window_bytes = 1048576; };
http = { root = "$root"; };
CONF
ip netns exec "$NS_srv" "$PXEBOOTD" -f -P "$PXB_PLUGIN_DIR" -c "$d/pxeboot.conf" >"$d/log" 2>&1 &
PXBD_PID=$!
track_pid "$PXBD_PID"
if ! wait_for 10 grep -q "tftp: listening" "$d/log"; then
	check "pxebootd serves TFTP in the namespace" 1
	sed 's/^/# /' "$d/log"; tap_done; exit 1
fi

# get FILE BLKSIZE WINDOWSIZE: atftp in the client namespace; 0 when identical.
get() {
	rm -f "$d/out/x"
	timeout 60 ip netns exec "$NS_cli" atftp --option "blksize $2" --option "windowsize $3" \
		-g -r "$1" -l "$d/out/x" 198.18.0.1 69 >/dev/null 2>&1
	cmp -s "$root/$1" "$d/out/x"
}
# writes FILE: the count of segmented writes the log gives for FILE, or "none".
writes() {
	wait_for 5 grep -q " done $1 " "$d/log"
	sed -n "s/.* $1: \([0-9]*\) segmented writes.*/\1/p" "$d/log" | tail -1 | grep . || echo none
}

ok "blksize 1468, windowsize 16: 1 MiB + 1 byte-identical" get w16.bin 1468 16
n=$(writes w16.bin)
# 715 blocks in windows of 16: at least 44 full windows, one write each.
check "blksize 1468, windowsize 16: a write per window ($n)" \
	$([ "$n" != none ] && [ "$n" -ge 44 ] && [ "$n" -le 46 ]; echo $?)
ok "blksize 1468, windowsize 64: 8 MiB byte-identical" get w64.bin 1468 64
n=$(writes w64.bin)
# 64 x 1472 bytes is more than one write carries (65507): two per window.
check "blksize 1468, windowsize 64: two writes per window ($n)" \
	$([ "$n" != none ] && [ "$n" -ge 178 ] && [ "$n" -le 182 ]; echo $?)
ok "blksize 512, windowsize 64: a full block and a short one" get small.bin 512 64
is "blksize 512: both blocks in one write" "$(writes small.bin)" 1
ok "a size that is a multiple of blksize ends with an empty block" get even.bin 1468 16
is "the 16 full blocks in one write, the empty one alone" "$(writes even.bin)" 1
ok "blksize 8192, windowsize 8 (segments above the MTU): byte-identical" get big.bin 8192 8
# Linux 6 says EMSGSIZE, earlier ones EINVAL.
ok "the kernel's refusal is logged and the transfer went on" \
	wait_for 5 grep -q "big.bin: 0 segmented writes, then refused: " "$d/log"
ok "no transfer failed" sh -c "! grep -q ' failed ' '$d/log'"

sed -i 's/max_window_bytes = 1048576;/max_window_bytes = 1048576; udp_segmentation = false;/' \
	"$d/pxeboot.conf"
kill -HUP "$PXBD_PID"
ok "reloaded with udp_segmentation = false" wait_for 10 grep -q "configuration reloaded" "$d/log"
ok "off: blksize 1468, windowsize 16 byte-identical" get off16.bin 1468 16
ok "off: blksize 1468, windowsize 64 byte-identical" get off64.bin 1468 64
is "off: no segmented writes" "$(writes off16.bin)$(writes off64.bin)" nonenone

kill -TERM "$PXBD_PID"
ok "clean stop" wait_for 10 grep -q "stopped" "$d/log"
tap_done
