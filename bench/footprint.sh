#!/bin/bash
# footprint.sh - how big pxeboot is on a router's CPU: the stripped text+data
# (size(1) of the target's binutils) of pxebootd + libpxeboot + the http and
# ipxe plugins, beside Debian's dnsmasq binary (dnsmasq-base) for the same ABI,
# and the ratio of the two.
#
#   bench/footprint.sh [ARCH...]     default: mipsel arm64
#
# Each ARCH is built twice with .ci/cross.sh (sysroot and cross compiler as
# there), in /tmp/pxeboot-footprint-ARCH-{default,small}:
#   default  configure's defaults (-O2 -g, stripped here);
#   small    a router build: CFLAGS="-Os -ffunction-sections -fdata-sections"
#            LDFLAGS="-Wl,--gc-sections -Wl,-O1 -Wl,--as-needed".
# dnsmasq-base:ARCH is fetched with `apt-get download` into
# $PXB_CROSS_CACHE/ARCH (the cache .ci/cross.sh owns) and unpacked there.
# Shared libraries both link (libc; pxeboot's libevent, libmicrohttpd,
# libconfig, libcdio) are not counted: on a router they are packages of
# their own, and dnsmasq's build in Debian links libnettle, libgmp, libidn2,
# libdbus, libnetfilter-conntrack beside libc.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
cache=${PXB_CROSS_CACHE:-/var/cache/pxeboot-cross}
[ $# -gt 0 ] || set -- mipsel arm64
small_cflags="-Os -ffunction-sections -fdata-sections"
small_ldflags="-Wl,--gc-sections -Wl,-O1 -Wl,--as-needed"

triplet_of() {
	case $1 in
	arm64) echo aarch64-linux-gnu ;; armhf) echo arm-linux-gnueabihf ;;
	mipsel) echo mipsel-linux-gnu ;; s390x) echo s390x-linux-gnu ;;
	*) echo "footprint.sh: unknown architecture $1" >&2; exit 2 ;;
	esac
}

# text+data of each file named, stripped first (a copy): "NAME BYTES" lines.
measure() { # TRIPLET FILE...
	local t=$1 f tmp
	shift
	tmp=$(mktemp)
	for f in "$@"; do
		"$t-strip" -o "$tmp" "$f"
		"$t-size" "$tmp" | awk -v n="$(basename "$f")" 'NR == 2 { print n, $1 + $2 }'
	done
	rm -f "$tmp"
}

dnsmasq_of() { # ARCH: path of Debian's dnsmasq binary for ARCH
	local d=$cache/$1/dnsmasq
	if [ ! -x "$d/usr/sbin/dnsmasq" ]; then
		mkdir -p "$d/debs"
		(cd "$d/debs" && apt-get download -qq "dnsmasq-base:$1")
		dpkg-deb -x "$d"/debs/dnsmasq-base_*.deb "$d"
	fi
	echo "$d/usr/sbin/dnsmasq"
}

printf '%-7s %-8s %10s %10s %10s %10s %10s %10s %7s\n' arch build pxebootd libpxeboot \
	http.so ipxe.so total dnsmasq ratio
for arch in "$@"; do
	t=$(triplet_of "$arch")
	dm=$(dnsmasq_of "$arch")
	dn=$(measure "$t" "$dm" | awk '{ print $2 }')
	for variant in default small; do
		b=/tmp/pxeboot-footprint-$arch-$variant
		cf=${CFLAGS:-} lf=${LDFLAGS:-}
		[ "$variant" = default ] || cf=$small_cflags lf=$small_ldflags
		CFLAGS=$cf LDFLAGS=$lf bash "$src/.ci/cross.sh" "$arch" "$b" >/dev/null ||
			{ echo "footprint.sh: $arch $variant build failed ($b)" >&2; exit 1; }
		read -r d l h i < <(measure "$t" "$b/daemon/.libs/pxebootd" \
			"$(readlink -f "$b/lib/.libs/libpxeboot.so")" "$b/plugins/.libs/http.so" \
			"$b/plugins/.libs/ipxe.so" | awk '{ printf "%s ", $2 } END { print "" }')
		tot=$((d + l + h + i))
		printf '%-7s %-8s %10d %10d %10d %10d %10d %10d %7s\n' "$arch" "$variant" \
			"$d" "$l" "$h" "$i" "$tot" "$dn" "$(awk -v a="$tot" -v b="$dn" \
			'BEGIN { printf "%.2f", a / b }')"
	done
done
echo "(bytes of text+data, stripped; ratio: pxeboot's total / dnsmasq)"
