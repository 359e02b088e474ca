#!/bin/bash
# shellcheck disable=SC2012
# Build the end-to-end test payload: a tree laid out like SystemRescueCD,
# made only from Debian 12 packages (apt-get download + dpkg-deb -x).
#
#   t/e2e/build-payload.sh OUTDIR
#
# Produces:
#   OUTDIR/sysresccd/<ver>/VERSION
#   OUTDIR/sysresccd/<ver>/boot/x86_64/vmlinuz        Debian linux-image-*-amd64
#   OUTDIR/sysresccd/<ver>/boot/x86_64/sysresccd.img  gzip'd cpio busybox initramfs
#   OUTDIR/sysresccd/<ver>/x86_64/airootfs.sfs        a few hundred KB of data
#   OUTDIR/sysresccd/<ver>/x86_64/airootfs.sha512     "<hash>  airootfs.sfs"
#   OUTDIR/boot/memdisk                               syslinux-common
#   OUTDIR/boot/memtest86+x64.bin, memtest86+x64.iso  memtest86+ (if available)
#
# Environment:
#   PXB_CACHE        download/extract cache (default /var/cache/pxeboot-test)
#   PXB_PAYLOAD_VER  version directory name (default 6.1.1)
#   PXB_KERNEL_PKG   kernel package to use (default: what linux-image-amd64 depends on)
#   PXB_FORCE=1      rebuild even if OUTDIR looks up to date
#
# The kernel is never installed on this machine; it is only unpacked in the cache.
set -eu

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
OUTDIR=$1

CACHE=${PXB_CACHE:-/var/cache/pxeboot-test}
VER=${PXB_PAYLOAD_VER:-6.1.1}
SELF=$(readlink -f "$0")

log() { echo "build-payload: $*" >&2; }
die() { echo "build-payload: error: $*" >&2; exit 1; }

need_tool() { # need_tool BINARY PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    log "installing $2 (for $1)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >&2 ||
        die "cannot install $2"
}

need_tool dpkg-deb dpkg
need_tool apt-get apt
need_tool gzip gzip
need_tool xz xz-utils
need_tool sha512sum coreutils

# A statically linked busybox for the initramfs (also used for cpio -o).
BUSYBOX=
for b in /bin/busybox /usr/bin/busybox; do
    if [ -x "$b" ] && ! LC_ALL=C ldd "$b" >/dev/null 2>&1; then BUSYBOX=$b; break; fi
done
if [ -z "$BUSYBOX" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >&2 ||
        die "cannot install busybox-static"
    BUSYBOX=/bin/busybox
    LC_ALL=C ldd "$BUSYBOX" >/dev/null 2>&1 && die "$BUSYBOX is not static"
fi

mkdir -p "$CACHE/debs" "$CACHE/x"

# deb_fetch PKG -> prints path of the cached .deb for the candidate version
deb_fetch() {
    local pkg=$1 ver fver f
    ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null |
          awk '/^Version:/ {print $2; exit}')
    [ -n "$ver" ] || { log "package $pkg not known to apt"; return 1; }
    fver=$(printf '%s' "$ver" | sed 's/:/%3a/g')
    f=$(ls "$CACHE/debs/${pkg}_${fver}_"*.deb 2>/dev/null | head -n1 || true)
    if [ -z "$f" ]; then
        log "downloading $pkg $ver"
        (cd "$CACHE/debs" && apt-get download -q "$pkg=$ver" >&2) ||
            { log "apt-get download $pkg failed"; return 1; }
        f=$(ls "$CACHE/debs/${pkg}_${fver}_"*.deb 2>/dev/null | head -n1 || true)
        [ -n "$f" ] || { log "downloaded $pkg but cannot find the .deb"; return 1; }
    fi
    printf '%s\n' "$f"
}

# deb_extract DEB -> prints the directory it is unpacked into (cached)
deb_extract() {
    local deb=$1 d
    d="$CACHE/x/$(basename "$deb" .deb)"
    if [ ! -e "$d/.extracted" ]; then
        rm -rf "$d"; mkdir -p "$d"
        dpkg-deb -x "$deb" "$d"
        : >"$d/.extracted"
    fi
    printf '%s\n' "$d"
}

# ---------------------------------------------------------------- kernel
KPKG=${PXB_KERNEL_PKG:-}
if [ -z "$KPKG" ]; then
    KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
           awk '$1 == "Depends:" && $2 ~ /^linux-image-/ {print $2; exit}')
    [ -n "$KPKG" ] || die "cannot resolve linux-image-amd64's kernel package (apt-get update?)"
fi
KDEB=$(deb_fetch "$KPKG") || die "no kernel package"
KDIR=$(deb_extract "$KDEB")
KVMLINUZ=$(ls "$KDIR"/boot/vmlinuz-* | head -n1)
KVER=${KVMLINUZ##*/vmlinuz-}
MODDIR="$KDIR/lib/modules/$KVER"
[ -d "$MODDIR" ] || die "no modules in $KDEB"

# ------------------------------------------------------------ up to date?
TOP="$OUTDIR/sysresccd/$VER"
STAMP="$OUTDIR/.build-payload.stamp"
WANT_STAMP="$(basename "$KDEB") ver=$VER script=$(sha256sum "$SELF" | cut -c1-16)"
if [ "${PXB_FORCE:-0}" != 1 ] && [ -f "$STAMP" ] &&
   [ "$(cat "$STAMP")" = "$WANT_STAMP" ] &&
   [ -s "$TOP/boot/x86_64/vmlinuz" ] && [ -s "$TOP/boot/x86_64/sysresccd.img" ] &&
   [ -s "$TOP/x86_64/airootfs.sfs" ] && [ -s "$TOP/x86_64/airootfs.sha512" ] &&
   [ -s "$TOP/VERSION" ]; then
    log "up to date: $OUTDIR ($KVER)"
    exit 0
fi

mkdir -p "$TOP/boot/x86_64" "$TOP/x86_64" "$OUTDIR/boot"
cp -f "$KVMLINUZ" "$TOP/boot/x86_64/vmlinuz"
printf '%s\n' "$VER" >"$TOP/VERSION"

# ------------------------------------------------------------- initramfs
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pxb-payload.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/root"
mkdir -p "$ROOT"/{bin,sbin,dev,proc,sys,run,tmp,etc,mnt,lib/modules,usr/share/udhcpc}
cp "$BUSYBOX" "$ROOT/bin/busybox"
chmod 755 "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
if [ "$(id -u)" = 0 ]; then
    mknod -m 600 "$ROOT/dev/console" c 5 1
    mknod -m 666 "$ROOT/dev/null" c 1 3
fi

# find_ko NAME -> path of the module file (.ko, .ko.xz, .ko.zst) or nothing
find_ko() {
    find "$MODDIR/kernel" \( -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" \
        -o -name "$(printf '%s' "$1" | tr _ -).ko" -o -name "$(printf '%s' "$1" | tr _ -).ko.xz" \) \
        -print -quit
}
# add_ko NAME: decompress NAME and its dependencies (depth first) into the
# initramfs, appending to $WORK/modorder so each module follows its deps.
add_ko() {
    local name=$1 src dst dep
    grep -qx "$name" "$WORK/modorder" 2>/dev/null && return 0
    src=$(find_ko "$name")
    if [ -z "$src" ]; then
        log "module $name not found (built in?), skipping"
        return 0
    fi
    dst="$ROOT/lib/modules/$name.ko"
    case $src in
        *.xz) xz -dc "$src" >"$dst" ;;
        *.zst) need_tool zstd zstd; zstd -qdc "$src" >"$dst" ;;
        *) cp "$src" "$dst" ;;
    esac
    # depends= in the .modinfo section (what modinfo -F depends prints)
    for dep in $(tr '\0' '\n' <"$dst" | sed -n 's/^depends=//p' | head -n1 | tr ',' ' '); do
        add_ko "$dep"
    done
    echo "$name" >>"$WORK/modorder"
}
: >"$WORK/modorder"
# virtio_ring before virtio before virtio_pci, as the kernel needs; deps come
# from each module's own depends= line.
for m in virtio_ring virtio virtio_pci virtio_net e1000 efivarfs; do
    add_ko "$m"
done
cp "$WORK/modorder" "$ROOT/lib/modules/order"
log "initramfs modules: $(tr '\n' ' ' <"$WORK/modorder")"

cat >"$ROOT/usr/share/udhcpc/default.script" <<'EOF'
#!/bin/sh
# udhcpc event script: configure the interface, remember the address.
case "$1" in
deconfig)
    ip -4 addr flush dev "$interface" 2>/dev/null
    ip link set "$interface" up
    ;;
bound|renew)
    ip -4 addr flush dev "$interface" 2>/dev/null
    ip addr add "$ip/${mask:-24}" dev "$interface"
    for r in $router; do ip route add default via "$r" dev "$interface" 2>/dev/null; break; done
    : >/etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >>/etc/resolv.conf; done
    echo "$ip" >/run/pxb-ip
    ;;
esac
exit 0
EOF
chmod 755 "$ROOT/usr/share/udhcpc/default.script"

cat >"$ROOT/init" <<'EOF'
#!/bin/sh
# pxeboot e2e test initramfs: get an address, fetch the archiso root image over
# HTTP as SystemRescueCD would, verify it, print one marker line, power off.
export PATH=/bin:/sbin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp

info() { echo "pxb-init: $*"; }

# Print a marker line once on the console and once on ttyS0 (unless the
# console already is ttyS0), with kernel messages quietened so that they
# cannot interleave with it.
say() {
    echo 1 >/proc/sys/kernel/printk 2>/dev/null
    echo "$*" >/dev/console
    case " $(cat /sys/class/tty/console/active 2>/dev/null) " in
        *" ttyS0 "*) ;;
        *) [ -c /dev/ttyS0 ] && echo "$*" >/dev/ttyS0 2>/dev/null ;;
    esac
}
finish() {
    sync
    poweroff -f
    sleep 5
    echo o >/proc/sysrq-trigger 2>/dev/null
    while :; do sleep 60; done
}

secureboot() {
    local f v
    if [ -d /sys/firmware/efi ]; then
        insmod /lib/modules/efivarfs.ko 2>/dev/null
        mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
        for f in /sys/firmware/efi/efivars/SecureBoot-*; do
            [ -e "$f" ] || continue
            # 4 bytes of attributes, then one byte of value
            v=$(dd if="$f" bs=1 skip=4 count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
            case $v in 1) echo on; return ;; 0) echo off; return ;; esac
        done
        if dmesg | grep -q "Secure boot enabled"; then echo on; return; fi
        if dmesg | grep -q "Secure boot disabled"; then echo off; return; fi
        echo unknown
    else
        if dmesg | grep -q "Secure boot enabled"; then echo on; else echo off; fi
    fi
}

# Parse the kernel command line.
srv= basedir= checksum= probe=
for arg in $(cat /proc/cmdline); do
    case $arg in
        archiso_http_srv=*) srv=${arg#*=} ;;
        archisobasedir=*) basedir=${arg#*=} ;;
        checksum|checksum=y|checksum=1) checksum=1 ;;
        pxb_probe) probe=1 ;;
    esac
done

if [ -n "$probe" ]; then
    say "PXEBOOT-PROBE-OK"
    finish
fi

sb=$(secureboot)
say "PXEBOOT-SECUREBOOT=$sb"

fail() { say "PXEBOOT-RESCUE-FAIL reason=$*"; finish; }

for m in $(cat /lib/modules/order); do
    [ "$m" = efivarfs ] && continue
    insmod "/lib/modules/$m.ko" 2>/dev/null || info "insmod $m failed"
done

[ -n "$srv" ] || fail "no archiso_http_srv on the kernel command line"

# Wait (bounded) for a network interface to appear.
i=0
while ! ip link show eth0 >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -le 50 ] || fail "no network interface eth0"
    sleep 0.2
done
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -s /usr/share/udhcpc/default.script -n -q -f -t 5 -T 2 -V pxeboot-e2e >/tmp/udhcpc.log 2>&1 ||
    { cat /tmp/udhcpc.log; fail "no DHCP lease on eth0"; }
ip=$(cat /run/pxb-ip 2>/dev/null)
[ -n "$ip" ] || fail "DHCP gave no address"
info "eth0 $ip"

base="${srv}${basedir}/x86_64"
cd /run
fetch() { # fetch URL FILE: bounded; show wget's complaint on failure
    # Not "wget -T": Debian's busybox-static 1.35 wget segfaults with -T.
    timeout 20 wget -q -O "$2" "$1" 2>/tmp/wget.log && return 0
    cat /tmp/wget.log; ip -o -4 addr show; ip route show
    return 1
}
fetch "$base/airootfs.sfs" airootfs.sfs || fail "cannot fetch $base/airootfs.sfs"
[ -s airootfs.sfs ] || fail "empty airootfs.sfs"
cs=skipped
if [ -n "$checksum" ]; then
    fetch "$base/airootfs.sha512" airootfs.sha512 ||
        fail "cannot fetch $base/airootfs.sha512"
    sha512sum -c -s airootfs.sha512 || fail "sha512 mismatch for airootfs.sfs"
    cs=ok
fi
say "PXEBOOT-RESCUE-OK ip=$ip checksum=$cs"
finish
EOF
chmod 755 "$ROOT/init"

IMG_TMP="$WORK/sysresccd.img"
(cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort |
    "$BUSYBOX" cpio -o -H newc -R 0:0 2>/dev/null) | gzip -n -9 >"$IMG_TMP"
mv -f "$IMG_TMP" "$TOP/boot/x86_64/sysresccd.img"

# --------------------------------------------------------------- airootfs
SFS="$TOP/x86_64/airootfs.sfs"
if [ ! -s "$SFS" ]; then
    if command -v mksquashfs >/dev/null 2>&1; then
        mkdir -p "$WORK/sfs"
        head -c 300000 /dev/urandom >"$WORK/sfs/random.bin"
        cp "$ROOT/init" "$WORK/sfs/"
        mksquashfs "$WORK/sfs" "$SFS.tmp" -noappend -quiet >/dev/null
        mv -f "$SFS.tmp" "$SFS"
    else
        head -c 393216 /dev/urandom >"$SFS.tmp"
        mv -f "$SFS.tmp" "$SFS"
    fi
fi
(cd "$TOP/x86_64" && sha512sum airootfs.sfs >airootfs.sha512.tmp &&
    mv -f airootfs.sha512.tmp airootfs.sha512)

# ------------------------------------------------------- memdisk, memtest
if SDEB=$(deb_fetch syslinux-common); then
    SDIR=$(deb_extract "$SDEB")
    cp -f "$SDIR/usr/lib/syslinux/memdisk" "$OUTDIR/boot/memdisk"
else
    log "no syslinux-common: no memdisk"
fi
if MDEB=$(deb_fetch memtest86+); then
    MDIR=$(deb_extract "$MDEB")
    for f in "$MDIR"/boot/memtest86+x64.bin "$MDIR"/boot/memtest86+x64.efi \
             "$MDIR"/usr/lib/memtest86+/memtest86+x64.iso; do
        [ -f "$f" ] && cp -f "$f" "$OUTDIR/boot/"
    done
    [ -f "$OUTDIR/boot/memtest86+x64.iso" ] ||
        log "memtest86+ has no ISO: only memtest86+x64.bin (bzImage) is provided"
else
    log "no memtest86+ package: no memtest"
fi

printf '%s\n' "$WANT_STAMP" >"$STAMP"
log "built $OUTDIR (kernel $KVER, version $VER)"
find "$OUTDIR" -type f ! -name '.*' -printf '%10s  %P\n' | sort -k2 >&2
