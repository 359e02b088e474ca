#!/bin/bash
# iso_serve.sh - pxebootd with the catalog-iso plugin against curl and atftp:
# ISO images made here with xorriso (a SystemRescue-like tree, a Debian
# live tree, memtest86+, an image nothing recognizes) are served file by
# file from the images' bytes. Byte-identical downloads over HTTP and TFTP,
# HEAD sizes, Range reads at extent boundaries (nothing of the next file
# leaks), tsize; the menu's entries; broken images refused with a log line
# naming the file and the problem while the rest is served; SIGHUP picks
# up a new image; an image replaced while a transfer reads it: the
# transfer finishes from the old copy, the next request gets the new one.
# A FIFO in the served tree is refused at once while HTTP and TFTP go on
# serving; dotfiles (in the tree and inside images) are 404.
. "$top_srcdir/t/lib/common.sh"
command -v xorriso >/dev/null || tap_skip_all "xorriso is not installed"
command -v curl >/dev/null || tap_skip_all "curl is not installed"
test -f "$PXB_PLUGIN_DIR/catalog-iso.so" || tap_skip_all "the catalog-iso plugin is not built"

d=$(scratch_dir)
mkdir -p "$d/iso" "$d/root" "$d/out"
echo "plain file" >"$d/root/plain.txt"
mkfifo "$d/root/fifo"
echo "user:secret" >"$d/root/.htpasswd"
mkdir -p "$d/root/.git"
echo "[core]" >"$d/root/.git/config"

# mkiso DIR OUT: a Rock Ridge image of DIR (no Joliet: the tests patch the primary tree).
mkiso() { xorriso -as mkisofs -R -V "$(basename "$2" .iso | tr a-z- A-Z_ | cut -c1-32)" -o "$2" "$1" >/dev/null 2>&1; }

# SystemRescue-like: kernel, microcode, initrd, root image and its checksum,
# odd sizes so extents end inside a sector, an empty and a one-byte file.
r="$d/t-rescue"
mkdir -p "$r/sysresccd/boot/x86_64" "$r/sysresccd/x86_64" "$r/docs/a b"
head -c 3145729 /dev/urandom >"$r/sysresccd/boot/x86_64/vmlinuz"
head -c 1048573 /dev/urandom >"$r/sysresccd/boot/x86_64/sysresccd.img"
head -c 4097 /dev/urandom >"$r/sysresccd/boot/intel_ucode.img"
head -c 5242879 /dev/urandom >"$r/sysresccd/x86_64/airootfs.sfs"
(cd "$r/sysresccd/x86_64" && sha512sum airootfs.sfs >airootfs.sha512)
: >"$r/docs/empty"
printf 'x' >"$r/docs/one"
echo "spaces" >"$r/docs/a b/c d.txt"
mkdir -p "$r/.disk"
echo "hidden inside the image" >"$r/.disk/info"
mkiso "$r" "$d/iso/rescue.iso"

l="$d/t-live"
mkdir -p "$l/live"
head -c 200000 /dev/urandom >"$l/live/vmlinuz-6.1.0-13-amd64"
head -c 300000 /dev/urandom >"$l/live/initrd.img-6.1.0-13-amd64"
head -c 700000 /dev/urandom >"$l/live/filesystem.squashfs"
mkiso "$l" "$d/iso/debian-live.iso"

m="$d/t-memtest"
mkdir -p "$m/EFI/BOOT" "$m/boot"
head -c 150000 /dev/urandom >"$m/EFI/BOOT/BOOTX64.EFI"
head -c 150000 /dev/urandom >"$m/boot/memtest.bin"
mkiso "$m" "$d/iso/memtest86+x64.iso"

o="$d/t-other"
mkdir -p "$o/stuff"
echo "nothing bootable" >"$o/stuff/readme.txt"
mkiso "$o" "$d/iso/other.iso"

# Broken images, each refused on its own.
head -c 200000 "$d/iso/rescue.iso" >"$d/iso/truncated.iso"
head -c 100000 /dev/urandom >"$d/iso/noise.iso"
# patch IMAGE NAME FIELD VALUE: sets a directory record's extent or size (both byte orders).
patch_rec() {
	python3 - "$@" <<'PY'
import struct, sys
path, name, field, value = sys.argv[1], sys.argv[2].encode(), sys.argv[3], int(sys.argv[4], 0)
b = bytearray(open(path, "rb").read())
i = b.find(bytes([len(name)]) + name)
assert i > 32, "record not found"
rec = i - 32
if field == "root":  # the extent of the root directory, from the primary volume descriptor
    value = struct.unpack_from("<I", b, 16 * 2048 + 156 + 2)[0]
    field = "extent"
off = rec + (2 if field == "extent" else 10)
struct.pack_into("<I", b, off, value)
struct.pack_into(">I", b, off + 4, value)
open(path, "wb").write(b)
PY
}
cp "$d/iso/rescue.iso" "$d/iso/past-end.iso"
patch_rec "$d/iso/past-end.iso" "AIROOTFS.SFS;1" extent 0x100000
cp "$d/iso/rescue.iso" "$d/iso/huge.iso"
patch_rec "$d/iso/huge.iso" "AIROOTFS.SFS;1" size 0xfffff000
cp "$d/iso/rescue.iso" "$d/iso/loop.iso"
patch_rec "$d/iso/loop.iso" "X86_64" root 0

hport=$(free_port tcp)
tport=$(free_port udp)
cat >"$d/pxeboot.conf" <<CONF
plugins = ["http", "ipxe", "catalog-iso"];
tftp = { root = "$d/root"; listen = "127.0.0.1:$tport"; };
http = { root = "$d/root"; listen = "127.0.0.1:$hport"; listing = ["/iso"]; };
menu = { title = "ISO"; items = ["catalog"]; };
iso = { dirs = ["$d/iso"]; memdisk_max_mib = 1; };
CONF
start_pxebootd "$d/log" -d -c "$d/pxeboot.conf"
if ! wait_for 10 grep -q "listening on 127.0.0.1:$hport" "$d/log"; then
	check "pxebootd starts with catalog-iso" 1
	sed 's/^/# /' "$d/log"; tap_done; exit 1
fi
U="http://127.0.0.1:$hport"
T="tftp://127.0.0.1:$tport"

hdr() { # hdr NAME URL [CURL-ARGS]
	local n=$1 u=$2; shift 2
	timeout 30 curl -s -o /dev/null -D - "$@" "$u" | tr -d '\r' |
		awk -v n="$n" 'BEGIN{IGNORECASE=1} index(tolower($0), tolower(n) ": ") == 1 {sub(/^[^:]*: /, ""); print; exit}'
}
status() { timeout 30 curl -s -o /dev/null -w '%{http_code}' "$@"; }
hex() { od -An -tx1 | tr -d ' \n'; }

# ---- every file of the rescue image, byte-identical over HTTP and TFTP ----
files="sysresccd/boot/x86_64/vmlinuz sysresccd/boot/x86_64/sysresccd.img sysresccd/boot/intel_ucode.img
sysresccd/x86_64/airootfs.sfs sysresccd/x86_64/airootfs.sha512 docs/one"
for f in $files; do
	timeout 60 curl -sf "$U/iso/rescue/$f" | cmp -s - "$r/$f"
	check "HTTP: /iso/rescue/$f byte-identical" $?
	rm -f "$d/out/x"
	timeout 60 curl -sf -o "$d/out/x" "$T/iso/rescue/$f" && cmp -s "$d/out/x" "$r/$f"
	check "TFTP (curl): /iso/rescue/$f byte-identical" $?
done
timeout 30 curl -sf "$U/iso/rescue/docs/a%20b/c%20d.txt" | cmp -s - "$r/docs/a b/c d.txt"
check "HTTP: a name with spaces inside the image" $?
is "HTTP: empty file inside the image" "$(timeout 10 curl -sf "$U/iso/rescue/docs/empty" | wc -c)" 0
timeout 60 curl -sf "$U/iso/rescue.iso" | cmp -s - "$d/iso/rescue.iso"
check "HTTP: the image itself at /iso/rescue.iso" $?
if command -v atftp >/dev/null; then
	out=$(timeout 30 atftp --trace --option "tsize 0" --option "blksize 1468" -g \
		-r /iso/rescue/sysresccd/x86_64/airootfs.sfs -l "$d/out/a" 127.0.0.1 "$tport" 2>&1)
	tsize=$(sed -n 's/^received OACK.*tsize: *\([0-9]*\).*/\1/p' <<<"$out" | head -1)
	is "TFTP: tsize is the size of the file inside the image" "$tsize" "$(stat -c %s "$r/sysresccd/x86_64/airootfs.sfs")"
	cmp -s "$d/out/a" "$r/sysresccd/x86_64/airootfs.sfs"
	check "TFTP (atftp, blksize 1468): byte-identical" $?
fi

# ---- HEAD and Range at the extent's boundaries ----
sfs="$r/sysresccd/x86_64/airootfs.sfs"
size=$(stat -c %s "$sfs")
is "HEAD: Content-Length of a file inside the image" \
	"$(hdr Content-Length "$U/iso/rescue/sysresccd/x86_64/airootfs.sfs" -I)" "$size"
is "HEAD: Content-Length of the kernel" \
	"$(hdr Content-Length "$U/iso/rescue/sysresccd/boot/x86_64/vmlinuz" -I)" 3145729
rng() { # rng NAME RANGE START LEN
	is "Range $1: bytes" "$(timeout 30 curl -s -r "$2" "$U/iso/rescue/sysresccd/x86_64/airootfs.sfs" | hex)" \
		"$(tail -c +$(($3 + 1)) "$sfs" | head -c "$4" | hex)"
}
rng "first byte" 0-0 0 1
rng "last byte" "$((size - 1))-$((size - 1))" $((size - 1)) 1
rng "across the sector boundary" 2047-2048 2047 2
rng "last sector" "$((size - 2048))-" $((size - 2048)) 2048
rng "past the end clamped (nothing of the next file)" "$((size - 3))-$((size + 5000))" $((size - 3)) 3
is "Range: Content-Range" "$(hdr Content-Range "$U/iso/rescue/sysresccd/x86_64/airootfs.sfs" -r "$((size - 3))-")" \
	"bytes $((size - 3))-$((size - 1))/$size"
is "Range past the end: 416" "$(status -r "$size-" "$U/iso/rescue/sysresccd/x86_64/airootfs.sfs")" 416
is "a directory inside the image: redirected to its listing" "$(status "$U/iso/rescue/sysresccd/boot")" 301
is "a missing file inside the image: 404" "$(status "$U/iso/rescue/nope")" 404
is "an unknown image: 404" "$(status "$U/iso/nope/x")" 404
timeout 10 curl -sf "$U/iso/rescue/sysresccd/x86_64/" | grep -q airootfs.sha512
check "listing a directory inside the image" $?

# ---- entries in the menu ----
menu=$(timeout 10 curl -sf "$U/menu.ipxe")
grep -q "kernel $U/iso/rescue/sysresccd/boot/x86_64/vmlinuz .*archisobasedir=sysresccd archiso_http_srv=$U/iso/rescue/ checksum ip=dhcp" <<<"$menu"
check "SystemRescue entry: kernel inside the image, archiso_http_srv at the image" $?
grep -q "initrd .*$U/iso/rescue/sysresccd/boot/intel_ucode.img" <<<"$menu" &&
	grep -q "initrd .*$U/iso/rescue/sysresccd/boot/x86_64/sysresccd.img" <<<"$menu"
check "SystemRescue entry: microcode and initrd from the image" $?
grep -q "boot=live fetch=$U/iso/debian-live/live/filesystem.squashfs" <<<"$menu"
check "Debian live entry: fetch= the squashfs inside the image" $?
grep -q "memdisk" <<<"$menu" && grep -q "$U/iso/memtest86+x64.iso" <<<"$menu"
check "memtest86+ image through memdisk" $?
grep -q "$U/iso/other.iso" <<<"$menu"
check "an unrecognized image is offered whole" $?

# ---- a FIFO in the tree: refused at once, nothing else waits on it ----
timeout 10 curl -s -o /dev/null "$U/fifo" &
fpid=$!
timeout 10 curl -s -o /dev/null "$T/fifo" &
ftpid=$!
sleep 0.3
timeout 5 curl -sf -m 5 "$U/plain.txt" | grep -q "plain file"
check "HTTP: a file is served while a FIFO is asked for" $?
timeout 5 curl -sf -m 5 "$T/plain.txt" | grep -q "plain file"
check "TFTP: a file is served while a FIFO is asked for" $?
is "HTTP: the FIFO itself is refused at once" "$(status -m 5 "$U/fifo")" 403
timeout 5 curl -sf -m 5 -o /dev/null "$T/fifo"
is "TFTP: the FIFO itself is refused at once (access violation)" $? 69
timeout 1 sh -c "exec 3>'$d/root/fifo'" 2>/dev/null # a writer, should a reader still wait
wait "$fpid" "$ftpid"

# ---- dotfiles: not served ----
is "HTTP: /.htpasswd is 404" "$(status "$U/.htpasswd")" 404
is "HTTP: /.git/config is 404" "$(status "$U/.git/config")" 404
is "HTTP: a dotfile inside an image is 404" "$(status "$U/iso/rescue/.disk/info")" 404
timeout 5 curl -sf -m 5 -o "$d/out/dot" "$T/.htpasswd"
is "TFTP: /.htpasswd is refused (file not found)" $? 68
ok "the dotfile's bytes never left" sh -c "! grep -rqs secret '$d/out'"

# ---- broken images: refused, named, the rest served ----
grep -q "truncated.iso: image refused: truncated" "$d/log"
check "truncated image refused with its reason" $?
grep -q "noise.iso: image refused: .*not an ISO 9660 image" "$d/log"
check "random bytes refused: not an ISO 9660 image" $?
grep -q "past-end.iso: image refused: /sysresccd/x86_64/airootfs.sfs: its extent .* runs past the end" "$d/log"
check "extent past the end of the file refused" $?
grep -q "huge.iso: image refused: /sysresccd/x86_64/airootfs.sfs claims 4294963200 bytes, more than the whole image" "$d/log"
check "a file claiming more than the image refused" $?
grep -q "loop.iso: image refused: directory loop" "$d/log"
check "a directory loop refused" $?
is "a refused image is not served" "$(status "$U/iso/truncated/sysresccd/x86_64/airootfs.sfs")" 404
is "unrecognized image listed once with the reason" "$(grep -c "other.iso: no known layout" "$d/log")" 1

# ---- SIGHUP: a new image; the log does not repeat ----
cp "$d/iso/debian-live.iso" "$d/iso/later.iso"
kill -HUP "$PXBD_PID"
wait_for 10 curl -sf -o /dev/null "$U/iso/later/live/filesystem.squashfs"
check "SIGHUP: a new image is served" $?
timeout 10 curl -sf "$U/menu.ipxe" | grep -q "iso/later/live/vmlinuz"
check "SIGHUP: its entry is in the menu" $?
sleep 0.5
is "SIGHUP: the unrecognized image is not logged again" "$(grep -c "other.iso: no known layout" "$d/log")" 1
is "SIGHUP: a refused image is not logged again" "$(grep -c "truncated.iso: image refused" "$d/log")" 1

# ---- replaced while a transfer reads it ----
r2="$d/t-rescue2"
cp -r "$r" "$r2"
head -c 5242879 /dev/urandom >"$r2/sysresccd/x86_64/airootfs.sfs"
mkiso "$r2" "$d/new.iso"
timeout 60 curl -sf --limit-rate 1500k -o "$d/out/slow" "$U/iso/rescue/sysresccd/x86_64/airootfs.sfs" &
cpid=$!
sleep 1
mv -f "$d/new.iso" "$d/iso/rescue.iso"
timeout 30 curl -sf "$U/iso/rescue/sysresccd/x86_64/airootfs.sfs" | cmp -s - "$r2/sysresccd/x86_64/airootfs.sfs"
check "after the replacement, a new request gets the new image (no SIGHUP)" $?
wait "$cpid"
check "the transfer under way finished" $?
cmp -s "$d/out/slow" "$sfs"
check "the transfer under way finished from the old copy, byte-identical" $?
grep -q "rescue.iso changed, reading it again" "$d/log"
check "the change is logged" $?

kill -TERM "$PXBD_PID"
timeout 10 tail --pid="$PXBD_PID" -f /dev/null
check "pxebootd stops cleanly" $?
tap_done
