#!/bin/bash
# demo.sh - watch a machine PXE-boot into a rescue system from pxebootd.
#
# Installs what is needed (Debian packages), builds pxeboot, builds a small
# SystemRescue-like payload from Debian's kernel and busybox, starts
# pxebootd with the remote-rescue setup in a private network namespace
# (198.18.0.0/24, nothing touches this machine's interfaces) and boots a
# BIOS virtual machine (QEMU, SeaBIOS + iPXE) with its serial console on
# this terminal. Run as root. `--no-build` uses an existing build.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${PXB_BUILD:-$src/build}
[ "$(id -u)" -eq 0 ] || { echo "demo.sh: run as root (network namespaces, tap devices)" >&2; exit 1; }

if [ "${1:-}" != --no-build ]; then
	echo "== installing build and boot dependencies (Debian packages)"
	bash "$src/.ci/deps.sh"
	echo "== building pxeboot in $build"
	(cd "$src" && [ -x configure ] || autoreconf -fi >/dev/null)
	mkdir -p "$build"
	(cd "$build" && { [ -f Makefile ] || "$src/configure" -q; } && make -j"$(nproc)" >/dev/null)
fi
top_builddir=$build
export top_builddir

. "$src/t/e2e/net.sh"
. "$src/t/e2e/qemu.sh"
. "$src/t/e2e/scenario.sh"

work=$(mktemp -d /tmp/pxeboot-demo.XXXXXX)
pxb_net_track_path "$work"
echo "== building the rescue payload and the served tree (cached after the first run)"
pxb_e2e_tree "$work/root"
pxb_net_setup
mkdir -p "$work/state"
PXB_MENU_TIMEOUT=5 pxb_e2e_conf "$work/root" "$work/state" server >"$work/pxeboot.conf"
echo "== pxebootd -c $work/pxeboot.conf (log: $work/pxebootd.log)"
pxb_e2e_start "$work/pxeboot.conf" "$work/pxebootd.log" || { cat "$work/pxebootd.log"; exit 1; }
accel=$(pxb_qemu_accel "$work/root/boot/sysresccd/6.1.1/boot/x86_64/vmlinuz")
echo "== booting a BIOS virtual machine ($accel; under TCG this takes about 30 s)"
echo "   the menu picks 'SystemRescue' after 5 s; the rescue system fetches its"
echo "   root image over HTTP, checks its sha512 and powers off"
echo
PXB_ACCEL=$accel PXB_QEMU_CONSOLE=1 pxb_qemu_run_bios demo "$PXB_TAP" 52:54:00:de:00:01 \
	"$work/serial.log" 240 || true
echo
if line=$(pxb_wait_marker "$work/serial.log" 1); then
	echo "== the machine booted the rescue system from pxebootd: $line"
	rc=0
else
	echo "== the boot did not reach the rescue system (${line:-no marker}); see $work" >&2
	rc=1
fi
echo "== what pxebootd saw:"
grep -E "dhcp: .* -> (offer|ack)|tftp: .* done|http: .* GET" "$work/pxebootd.log" | sed 's/^/   /'
exit $rc
