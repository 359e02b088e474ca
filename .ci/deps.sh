#!/bin/bash
# deps.sh - installs what building and testing pxeboot needs on Debian 12.
# Real peers and clients come from Debian's packages; nothing else is fetched.
set -eu
pkgs=(
	# build
	build-essential autoconf automake libtool pkg-config clang libclang-rt-14-dev
	libevent-dev libmicrohttpd-dev libconfig-dev libcrypt-dev libiso9660-dev
	# the pgsql lease store plugin, and the PostgreSQL 15 its tests start (t/dhcp_pgsql.sh)
	libpq-dev postgresql-15
	# perfdhcp (in kea-admin), the load of t/dhcp_pgsql.sh; Kea beside pxebootd in benches
	kea-admin kea-dhcp4-server
	# the musl build (.ci/musl.sh builds its libraries from Debian's sources)
	musl-tools dpkg-dev
	# test clients and tools
	iproute2 curl wget tftp-hpa atftp busybox-static isc-dhcp-client dhcpcd-base
	python3 xz-utils cpio kmod xorriso valgrind
	# systemd-analyze rates the unit's sandbox (t/unit_security.sh)
	systemd
	# firmware and payload for the end-to-end boots
	qemu-system-x86 ipxe-qemu ipxe ovmf pxelinux syslinux-common
	# Debian's own netboot installer, for the unattended install (t/e2e_boot.sh m)
	debian-installer-12-netboot-amd64
	# the peer standing in for a router's DHCP server in proxy tests
	dnsmasq-base
	# a real browser rendering the status page (t/status_page.sh)
	chromium
	# other CPUs (.ci/cross.sh): cross compilers and QEMU's user-mode emulator;
	# the targets' libraries are unpacked into sysroots, not installed
	gcc-mipsel-linux-gnu libc6-dev-mipsel-cross gcc-s390x-linux-gnu libc6-dev-s390x-cross
	qemu-user-static
)
# dpkg knows the cross targets' architectures, for `apt-get download` of their
# packages (.ci/cross.sh); nothing of theirs is installed.
update=0
for a in mipsel s390x; do
	dpkg --print-foreign-architectures | grep -qx "$a" || { dpkg --add-architecture "$a"; update=1; }
done
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ $update -eq 1 ]; then
	apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's signed shim and GRUB for the Secure Boot boots (t/e2e_boot.sh h, i),
# unpacked into the test cache where t/e2e/scenario.sh looks: installing them
# would run their hooks against this machine's own boot loader.
sb=${PXB_CACHE:-/var/cache/pxeboot-test}/secureboot
if [ ! -f "$sb/usr/lib/shim/shimx64.efi.signed" ] ||
	[ ! -f "$sb/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed" ]; then
	mkdir -p "$sb/debs"
	(cd "$sb/debs" && { apt-get download -qq shim-signed grub-efi-amd64-signed 2>/dev/null ||
		{ apt-get update -qq && apt-get download -qq shim-signed grub-efi-amd64-signed; }; })
	for f in "$sb"/debs/*.deb; do dpkg-deb -x "$f" "$sb"; done
fi
# promtool (Debian's prometheus package) checks the metrics text in t/api.sh;
# only the tool is unpacked, so no Prometheus server is installed or started.
pt=${PXB_CACHE:-/var/cache/pxeboot-test}/promtool
if [ ! -x "$pt/usr/bin/promtool" ]; then
	mkdir -p "$pt/debs"
	(cd "$pt/debs" && { apt-get download -qq prometheus 2>/dev/null ||
		{ apt-get update -qq && apt-get download -qq prometheus; }; }) &&
	dpkg-deb --fsys-tarfile "$pt"/debs/prometheus_*.deb | tar -x -C "$pt" ./usr/bin/promtool &&
	rm -rf "$pt/debs"
fi
