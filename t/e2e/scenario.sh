# shellcheck shell=bash
# scenario.sh - the remote-rescue setup on pxebootd, booted by real firmware
# in QEMU. Source after net.sh and qemu.sh:
#
#   pxb_e2e_tree ROOT          the served tree: iPXE, PXELINUX, memdisk,
#                              memtest86+, and the SystemRescue-like payload
#   pxb_e2e_conf ROOT STATE MODE >FILE   the remote-rescue configuration for
#                              the test network (MODE: server | proxy)
#   pxb_e2e_start CONF LOG     pxebootd in the test namespace (PXBD_PID)
#   pxb_e2e_secureboot         sets PXB_SHIM, PXB_GRUB: Debian's signed shim and
#                              GRUB, installed or unpacked into the cache
#
# Everything is made from Debian's packages (see build-payload.sh).

PXB_E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

pxb_e2e_tree() {
	local root=$1 payload=${PXB_PAYLOAD:-${PXB_CACHE:-/var/cache/pxeboot-test}/payload}
	bash "$PXB_E2E_DIR/build-payload.sh" "$payload" >&2 || return 1
	mkdir -p "$root/boot"
	# Copied, not linked: the server never follows a link out of its root.
	cp -r "$payload/sysresccd" "$root/boot/" || return 1
	cp /usr/lib/ipxe/undionly.kpxe /usr/lib/ipxe/snponly.efi /usr/lib/ipxe/ipxe.efi "$root/" || return 1
	cp /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 "$root/" || return 1
	cp /usr/lib/syslinux/memdisk "$root/boot/memdisk" || return 1
	if [ -f /usr/lib/memtest86+/memtest86+x64.iso ]; then
		cp /usr/lib/memtest86+/memtest86+x64.iso "$root/boot/"
	elif [ -f "$payload/boot/memtest86+x64.iso" ]; then
		cp "$payload/boot/memtest86+x64.iso" "$root/boot/"
	fi
	return 0
}

pxb_e2e_secureboot() {
	local c=${PXB_CACHE:-/var/cache/pxeboot-test}/secureboot pkg
	PXB_SHIM=/usr/lib/shim/shimx64.efi.signed
	PXB_GRUB=/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed
	[ -f "$PXB_SHIM" ] && [ -f "$PXB_GRUB" ] && return 0
	# Not installed: unpacked from the packages (installing them would run
	# their hooks against this machine's own boot loader).
	PXB_SHIM=$c$PXB_SHIM PXB_GRUB=$c$PXB_GRUB
	[ -f "$PXB_SHIM" ] && [ -f "$PXB_GRUB" ] && return 0
	mkdir -p "$c/debs" || return 1
	for pkg in shim-signed grub-efi-amd64-signed; do
		(cd "$c/debs" && apt-get download -q "$pkg" >&2 2>/dev/null) || return 1
	done
	for pkg in "$c"/debs/*.deb; do dpkg-deb -x "$pkg" "$c" || return 1; done
	[ -f "$PXB_SHIM" ] && [ -f "$PXB_GRUB" ]
}

pxb_e2e_conf() {
	local root=$1 state=$2 mode=${3:-server} p=${PXB_NET_PREFIX:-198.18.0}
	cat <<CONF
# The remote-rescue setup (conf/examples/remote-rescue.conf) on the test network.
plugins = ["http", "ipxe", "pxelinux", "catalog-dir", "grub"];
state_dir = "$state";
allow_root = true;  # the tests run as root and have no user to change to
tftp = { root = "$root"; listen = "$p.1:69"; };
http = { root = "$root"; listen = "$p.1:80"; listing = ["/boot"]; };
dhcp = {
  mode = "$mode";
  interfaces = ["${PXB_BRIDGE:-pxbbr0}"];
  lease_time = "10m";
  subnets = ( { network = "$p.0/24"; pool_start = "$p.100"; pool_end = "$p.150"; } );
  hosts = ( { name = "paymentprocessor"; mac = "52:54:00:00:0e:01"; tags = ["NOPXE"]; } );
  tags = (
    { set = "PXE"; match = "vendor-prefix"; value = "PXEClient"; },
    { set = "ENH"; match = "user-class"; value = "iPXE"; },
    { set = "EFI64"; match = "arch"; value = "efi-x64,efi-bc"; },
    { set = "HTTPBOOT"; match = "vendor-prefix"; value = "HTTPClient"; },
    { set = "PXELINUX"; match = "mac"; value = "52:54:00:00:0c:*"; },
    { set = "SECUREBOOT"; match = "mac"; value = "52:54:00:00:5b:*"; },
    { set = "LAB"; match = "mac"; value = "52:54:00:00:1c:*"; }
  );
  boot = (
    { tags = "NOPXE"; noboot = true; },
    { tags = "PXELINUX & PXE & !EFI64"; file = "pxelinux.0"; },
    { tags = "SECUREBOOT & EFI64"; file = "shimx64.efi"; },
    { tags = "ENH"; file = "menu.ipxe"; },
    { tags = "HTTPBOOT"; file = "ipxe.efi"; },
    { tags = "PXE & EFI64"; file = "snponly.efi"; },
    { tags = "PXE & !EFI64"; file = "undionly.kpxe"; }
  );
};
menu = { title = "Remote Rescue"; timeout = ${PXB_MENU_TIMEOUT:-2}; items = ["catalog", "-", "shell", "reboot", "exit"]; };
catalog = { dirs = ["/boot"]; };
grub = { shim = "${PXB_SHIM:-/usr/lib/shim/shimx64.efi.signed}";
         grub = "${PXB_GRUB:-/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed}"; };
rescue = { password = "rescue-$$"; };
CONF
}

pxb_e2e_start() {
	local conf=$1 log=$2 builddir=${top_builddir:-$PXB_E2E_DIR/../..}
	pxb_net_spawn "$log" "$builddir/daemon/pxebootd" -f -d -P "$builddir/plugins/.libs" -c "$conf"
	PXBD_PID=$PXB_LAST_PID
	local i
	for i in $(seq 100); do
		grep -q "pxebootd .* started" "$log" 2>/dev/null && return 0
		kill -0 "$PXBD_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
