#!/bin/bash
# deps.sh - installs what building and testing pxeboot needs on Debian 12.
# Real peers and clients come from Debian's packages; nothing else is fetched.
set -eu
pkgs=(
	# build
	build-essential autoconf automake libtool pkg-config clang libclang-rt-14-dev
	libevent-dev libmicrohttpd-dev libconfig-dev libcrypt-dev
	# test clients and tools
	iproute2 curl wget tftp-hpa atftp busybox-static isc-dhcp-client dhcpcd-base
	python3 xz-utils cpio kmod xorriso valgrind
	# firmware and payload for the end-to-end boots
	qemu-system-x86 ipxe-qemu ipxe ovmf pxelinux syslinux-common
	# the peer standing in for a router's DHCP server in proxy tests
	dnsmasq-base
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
