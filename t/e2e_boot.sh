#!/bin/bash
# e2e_boot.sh - the remote-rescue setup boots real firmware in QEMU through
# pxebootd: one TAP line per scenario, with the seconds it took.
#   a BIOS (SeaBIOS + iPXE ROM)        e memtest (memdisk + ISO fetched whole)
#   b UEFI (OVMF's own PXE)            f proxyDHCP beside dnsmasq (BIOS, UEFI)
#   c PXELINUX                         g UEFI HTTP Boot
#   d NOPXE host: address, no boot offer  h Secure Boot: shim -> GRUB -> signed kernel
#   k timelines of a boot and of a boot   i Secure Boot refuses an unsigned loader
#     broken on purpose (pxebootctl)      j rescue from inside one ISO
#   j BIOS boots rescue from inside one ISO image (catalog-iso)
#   l rescue on demand: a host of policy armed boots only while armed
#   m a host's forced option 224 read by an iPXE script (${224:string})
#   n unattended install: Debian's own installer fetches its per-host preseed
#     and calls back (pxebootctl install; stops before the mirror it needs)
#   o PXELINUX follows a host's forced options 209 (config file) and 210 (path
#     prefix, RFC 5071) to a static config, not to pxelinux.cfg/
# PXB_E2E=a,b,... picks scenarios; PXB_SKIP_E2E=1 skips them all.
set -u
. "$top_srcdir/t/lib/common.sh"
[ -n "${PXB_SKIP_E2E:-}" ] && tap_skip_all "PXB_SKIP_E2E is set"
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root (network namespaces, tap devices)"
command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86 is not installed"
export PXB_NET_NOTRAP=1
. "$top_srcdir/t/e2e/net.sh"
. "$top_srcdir/t/e2e/qemu.sh"
. "$top_srcdir/t/e2e/scenario.sh"
at_exit pxb_net_cleanup

d=$(scratch_dir)
root="$d/root"
mkdir -p "$root" "$d/state"
if ! pxb_e2e_tree "$root" >"$d/tree.log" 2>&1; then
	sed 's/^/# /' "$d/tree.log" | tail -20
	tap_skip_all "the boot tree could not be built (Debian packages unreachable?)"
fi
accel=$(pxb_qemu_accel "$root/boot/sysresccd/6.1.1/boot/x86_64/vmlinuz" 2>"$d/accel.log")
[ -n "$accel" ] || tap_skip_all "QEMU can run neither with KVM nor with TCG: $(cat "$d/accel.log")"
diag "QEMU accelerator: $accel ($(tail -1 "$d/accel.log"))"
export PXB_ACCEL=$accel
want=${PXB_E2E:-a,b,c,d,e,f,g,h,i,j,k,l,m,n,o}
t_boot=${PXB_E2E_TIMEOUT:-180}

pxb_net_setup >/dev/null 2>&1 || tap_skip_all "cannot create the test network"

run_pxebootd() { # run_pxebootd MODE [extra config]; E2E_PLUGINS='"a", "b"' adds plugins
	[ -n "${PXBD_PID:-}" ] && { kill "$PXBD_PID" 2>/dev/null; wait "$PXBD_PID" 2>/dev/null; }
	pxb_e2e_conf "$root" "$d/state" "$1" >"$d/pxeboot.conf"
	[ -n "${E2E_PLUGINS:-}" ] && sed -i "s/^\(plugins = \[.*\)\];/\1, $E2E_PLUGINS];/" "$d/pxeboot.conf"
	[ $# -gt 1 ] && printf '%s\n' "$2" >>"$d/pxeboot.conf"
	: >"$d/pxebootd.log"
	pxb_e2e_start "$d/pxeboot.conf" "$d/pxebootd.log"
}

# scenario NAME DESCRIPTION CHECK-COMMAND...: one TAP line with seconds.
scenario() {
	local name=$1 desc=$2 start=$SECONDS rc; shift 2
	case ",$want," in *",$name,"*) ;; *) return 0;; esac
	"$@" >"$d/$name.out" 2>&1
	rc=$?
	_tap_n=$((_tap_n + 1))
	if [ $rc -eq 0 ]; then
		echo "ok $_tap_n - $name. $desc ($((SECONDS - start)) s, $accel)"
	else
		_tap_failed=$((_tap_failed + 1))
		echo "not ok $_tap_n - $name. $desc ($((SECONDS - start)) s, $accel)"
		sed 's/^/#   /' "$d/$name.out" | tail -15
		echo "#   server log:"; grep -v ' debug ' "$d/pxebootd.log" | sed 's/^/#   /' | tail -25
		echo "#   serial:"; tr -d '\r' <"$d/$name.serial" 2>/dev/null | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | grep -a . | sed 's/^/#   /' | tail -15
	fi
}

boot_bios() { # boot_bios NAME MAC
	pxb_qemu_run_bios "$1" "$PXB_TAP" "$2" "$d/$1.serial" "$t_boot" >"$d/$1.qemu" 2>&1
	pxb_wait_marker "$d/$1.serial" 1
}

boot_uefi() {
	pxb_qemu_run_uefi "$1" "$PXB_TAP" "$2" "$d/$1.serial" "$t_boot" >"$d/$1.qemu" 2>&1
	pxb_wait_marker "$d/$1.serial" 1
}

# a: BIOS iPXE gets the menu, the rescue entry boots.
sc_a() {
	boot_bios a 52:54:00:00:0a:01 || return 1
	grep -q "RRQ menu.ipxe" "$d/pxebootd.log" &&
	grep -q "GET /boot/sysresccd/6.1.1/x86_64/airootfs.sfs 200" "$d/pxebootd.log"
}

# b: OVMF's own PXE: arch 7 gets snponly.efi over TFTP, then iPXE the menu.
sc_b() {
	boot_uefi b 52:54:00:00:0b:01 || return 1
	grep -q "arch=efi-x64 .*file=snponly.efi" "$d/pxebootd.log" &&
	grep -q "done snponly.efi" "$d/pxebootd.log" && grep -q "RRQ menu.ipxe" "$d/pxebootd.log"
}

# c: PXELINUX: pxelinux.0, its config from the renderer, rescue over TFTP.
sc_c() {
	boot_bios c 52:54:00:00:0c:01 || return 1
	grep -q "done pxelinux.0" "$d/pxebootd.log" &&
	grep -q "done pxelinux.cfg/01-52-54-00-00-0c-01" "$d/pxebootd.log"
}

# d: a NOPXE host gets an address and no boot offer.
sc_d() {
	PXB_QEMU_BG=1 pxb_qemu_run_bios d "$PXB_TAP" 52:54:00:00:0e:01 "$d/d.serial" 60 >"$d/d.qemu" 2>&1
	pxb_wait_log "$d/pxebootd.log" 60 "52:54:00:00:0e:01 .*tags=.*NOPXE.* -> ack 198.18" >/dev/null
	local rc=$?
	sleep 5
	pxb_qemu_stop "$PXB_QEMU_PID"
	[ $rc -eq 0 ] || return 1
	! grep -q "52:54:00:00:0e:01 .*file=" "$d/pxebootd.log" &&
	! grep -q "^info tftp: 198.18.0.[0-9]*:[0-9]* RRQ" <(grep -A0 "0e:01" "$d/pxebootd.log")
}

# e: memtest: memdisk and the memtest86+ ISO are fetched whole.
sc_e() {
	local iso
	iso=$(cd "$root/boot" && ls memtest86+*.iso 2>/dev/null | head -1)
	[ -n "$iso" ] || { echo "no memtest86+ ISO in the tree"; return 1; }
	PXB_QEMU_BG=1 pxb_qemu_run_bios e "$PXB_TAP" 52:54:00:00:0d:01 "$d/e.serial" 120 >"$d/e.qemu" 2>&1
	local rc=1
	# The name has a '+': escaped for the extended regular expression.
	if pxb_wait_log "$d/pxebootd.log" 120 "GET /boot/${iso//+/\\+} 200 $(stat -c %s "$root/boot/$iso") " >/dev/null; then
		grep -q "GET /boot/memdisk 200 $(stat -c %s "$root/boot/memdisk") " "$d/pxebootd.log" && rc=0
	fi
	pxb_qemu_stop "$PXB_QEMU_PID"
	return $rc
}

# f: proxyDHCP beside dnsmasq standing in for the router. The UEFI client must
# boot through OVMF's PXE (snponly.efi over TFTP): OVMF falls back to HTTP Boot
# when PXE fails, which would reach the rescue system through ipxe.efi as well.
sc_f() {
	local lease="$d/dnsmasq.leases"
	: >"$lease"
	pxb_net_spawn "$d/dnsmasq.log" dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
		--interface="$PXB_BRIDGE" --bind-interfaces --except-interface=lo \
		--dhcp-range=198.18.0.160,198.18.0.190,10m --no-ping --dhcp-leasefile="$lease" \
		--dhcp-option=3,198.18.0.254 --log-dhcp
	local dpid=$PXB_LAST_PID
	sleep 1
	boot_bios f-bios 52:54:00:00:0f:01 && grep -q "ip=198.18.0.1[6-9][0-9]" "$d/f-bios.serial" &&
	boot_uefi f-uefi 52:54:00:00:0f:02 && grep -q "ip=198.18.0.1[6-9][0-9]" "$d/f-uefi.serial" &&
	grep -q "done snponly.efi" "$d/pxebootd.log"
	local rc=$?
	kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null
	return $rc
}

# g: UEFI HTTP Boot: HTTPClient gets a URL and option 60 echoed, loads ipxe.efi.
sc_g() {
	PXB_UEFI_HTTP=1 boot_uefi g 52:54:00:00:01:01 || return 1
	grep -q "GET /ipxe.efi 200" "$d/pxebootd.log" && grep -q "RRQ menu.ipxe\|GET /menu.ipxe" "$d/pxebootd.log"
}

# h: Secure Boot (OVMF, Microsoft's keys): shim -> GRUB -> Debian's signed kernel, all TFTP.
sc_h() {
	[ -n "${PXB_SHIM:-}" ] || { echo "no signed shim and GRUB: $(cat "$d/secureboot.log")"; return 1; }
	PXB_QEMU_SECBOOT=1 boot_uefi h 52:54:00:00:5b:01 || return 1
	grep -aq "PXEBOOT-SECUREBOOT=on" "$d/h.serial" && grep -q "done shimx64.efi" "$d/pxebootd.log" &&
	grep -q "done grubx64.efi" "$d/pxebootd.log" &&
	grep -Eq "done /?grub/(x86_64-efi/)?grub.cfg" "$d/pxebootd.log" &&
	grep -q "done /boot/sysresccd/.*/vmlinuz" "$d/pxebootd.log"
}

# i: the same firmware offered an unsigned loader (snponly.efi) fetches it and refuses it.
sc_i() {
	PXB_QEMU_SECBOOT=1 PXB_QEMU_BG=1 pxb_qemu_run_uefi i "$PXB_TAP" 52:54:00:00:5c:01 "$d/i.serial" 120 >"$d/i.qemu" 2>&1
	pxb_wait_log "$d/pxebootd.log" 120 "done snponly.efi" >/dev/null
	local rc=$?
	# OVMF: "failed to load Boot0001 "UEFI PXEv4 (...)" ...: Access Denied". iPXE, had it
	# run, would ask for an address within seconds, then for its menu.
	[ $rc -eq 0 ] && { pxb_wait_log "$d/i.serial" 30 "failed to load Boot[0-9]+ .UEFI PXEv4.*(Access Denied|Security Violation)" >/dev/null || rc=1; }
	sleep 5
	pxb_qemu_stop "$PXB_QEMU_PID"
	[ $rc -eq 0 ] || return 1
	! grep -q "52:54:00:00:5c:01 .*user-class=iPXE" "$d/pxebootd.log" &&
	! grep -Eq "RRQ menu.ipxe|GET /menu.ipxe" "$d/pxebootd.log"
}

# j: BIOS boots the rescue entry whose kernel, initrd and root image all come
# from inside one ISO image (catalog-iso); the rescue system checks sha512.
sc_j() {
	local p=/iso/rescue/sysresccd fw mac
	for fw in bios uefi; do
		[ $fw = bios ] && mac=52:54:00:00:1a:01 || mac=52:54:00:00:1a:02
		boot_$fw j-$fw $mac || { echo "$fw: no rescue marker"; return 1; }
		grep -q "checksum=ok" "$d/j-$fw.serial" || { echo "$fw: checksum not verified"; return 1; }
	done
	grep -q "GET $p/boot/x86_64/vmlinuz 200" "$d/pxebootd.log" &&
	grep -q "GET $p/boot/x86_64/sysresccd.img 200" "$d/pxebootd.log" &&
	grep -q "GET $p/x86_64/airootfs.sfs 200" "$d/pxebootd.log" &&
	grep -q "GET $p/x86_64/airootfs.sha512 200" "$d/pxebootd.log" &&
	[ "$(grep -c "GET $p/boot/x86_64/vmlinuz 200" "$d/pxebootd.log")" -ge 2 ]
}

# k: pxebootctl shows the timeline of a boot, every stage in order; with the
# root image hidden, the timeline of the next boot says where it stopped.
sc_k() {
	local sfs="$root/boot/sysresccd/6.1.1/x86_64/airootfs.sfs" rc=1
	local ctl=("$top_builddir/daemon/pxebootctl" -s "http://$PXB_SERVER_IP/_pxeboot")
	boot_bios k 52:54:00:00:1b:01 || return 1
	sleep 1
	pxb_net_exec "${ctl[@]}" timeline 52:54:00:00:1b:01 >"$d/k.timeline" 2>&1
	cat "$d/k.timeline"
	grep -q "^state: booted" "$d/k.timeline" || return 1
	# the first line of each stage, in the order a boot walks them (QEMU's ROM is
	# iPXE already: no boot loader is fetched)
	awk '/^\+/ { for (s in want) if (!(s in at) && index($0, " " want[s] " ")) at[s] = NR }
	     BEGIN { want[1] = "dhcp"; want[2] = "menu"; want[3] = "kernel"; want[4] = "root image" }
	     END { for (i = 1; i <= 4; i++) if (!(i in at) || (i > 1 && at[i] <= at[i - 1])) exit 1 }' \
		"$d/k.timeline" || { echo "stages out of order or missing"; return 1; }
	mv "$sfs" "$sfs.hidden"
	PXB_QEMU_BG=1 pxb_qemu_run_bios k2 "$PXB_TAP" 52:54:00:00:1b:02 "$d/k2.serial" 120 >"$d/k2.qemu" 2>&1
	pxb_wait_log "$d/pxebootd.log" 120 "GET /boot/sysresccd/6.1.1/x86_64/airootfs.sfs 404" >/dev/null &&
		rc=0
	sleep 1
	pxb_net_exec "${ctl[@]}" timeline 52:54:00:00:1b:02 >"$d/k2.timeline" 2>&1
	pxb_qemu_stop "$PXB_QEMU_PID"
	mv "$sfs.hidden" "$sfs"
	cat "$d/k2.timeline"
	[ $rc -eq 0 ] && grep -q "^state: failed" "$d/k2.timeline" &&
	grep -q "^stopped: HTTP 404 for /boot/sysresccd/6.1.1/x86_64/airootfs.sfs: the root image is missing" \
		"$d/k2.timeline"
}

# l: rescue on demand. A LAB host (policy armed) gets an address and no boot
# offer until it is armed; armed once for the rescue entry it boots rescue,
# with the arm's token in its menu's URLs; its kernel fetched with the token
# spends the arm, and the same host's next boot gets no boot offer again.
sc_l() {
	local mac=52:54:00:00:1c:01 api="http://$PXB_SERVER_IP/_pxeboot" from rc=1
	local log="$d/pxebootd.log" kernel=/boot/sysresccd/6.1.1/boot/x86_64/vmlinuz
	# 1: not armed
	PXB_QEMU_BG=1 pxb_qemu_run_bios l1 "$PXB_TAP" $mac "$d/l1.serial" 60 >"$d/l1.qemu" 2>&1
	pxb_wait_log "$log" 60 "$mac .*tags=.*LAB.* -> (offer|ack) .*not armed" >/dev/null && rc=0
	sleep 5
	pxb_qemu_stop "$PXB_QEMU_PID"
	[ $rc -eq 0 ] || { echo "no 'not armed' offer"; return 1; }
	! grep -q "$mac .*file=" "$log" || { echo "a boot file was offered unarmed"; return 1; }
	pxb_net_exec curl -s -o /dev/null -w "%{http_code}\n" "http://$PXB_SERVER_IP$kernel" |
		grep -q 403 || { echo "the protected kernel was served without a token"; return 1; }
	# 2: armed once, for the rescue entry
	if "$top_builddir/daemon/pxebootctl" -h 2>&1 | grep -q " arm "; then
		pxb_net_exec "$top_builddir/daemon/pxebootctl" -s "$api" -t e2e-token \
			arm $mac --entry sysresccd-6.1.1 --for 10m --once || return 1
	else
		pxb_net_exec curl -sf -X POST -H "Authorization: Bearer e2e-token" \
			"$api/arms/$mac?entry=sysresccd-6.1.1&for=10m&once=1" || return 1
	fi
	echo
	boot_bios l $mac || return 1
	# the menu carries the token; the kernel fetched with it spends the arm
	grep -q "armed menu for $mac, entry sysresccd-6.1.1" "$log" &&
	grep -q "one-shot arm of $mac spent by $kernel" "$log" &&
	grep -q "GET $kernel 200" "$log" || { echo "no armed menu or kernel"; return 1; }
	# 3: spent: the next boot gets no boot offer
	from=$(($(wc -l <"$log") + 1))
	PXB_QEMU_BG=1 pxb_qemu_run_bios l3 "$PXB_TAP" $mac "$d/l3.serial" 60 >"$d/l3.qemu" 2>&1
	rc=1
	for _ in $(seq 60); do
		tail -n +$from "$log" | grep -Eq "DISCOVER $mac .* -> offer .*not armed" && { rc=0; break; }
		sleep 1
	done
	sleep 5
	pxb_qemu_stop "$PXB_QEMU_PID"
	pxb_net_exec curl -s -o /dev/null -X DELETE -H "Authorization: Bearer e2e-token" "$api/arms/$mac"
	[ $rc -eq 0 ] || { echo "the spent arm's host was not refused"; return 1; }
	! tail -n +$from "$log" | grep -q "$mac .*file="
}

# m: an option iPXE does not ask for (224 is not in its option 55): a host's
# forced one, read by an iPXE script as ${224:string} and sent back in a URL.
sc_m() {
	local rc=1
	printf '#!ipxe\nchain http://${next-server}/forced/${224:string} || shell\n' \
		>"$root/force.ipxe"
	PXB_QEMU_BG=1 pxb_qemu_run_bios m "$PXB_TAP" 52:54:00:00:1d:01 "$d/m.serial" 120 \
		>"$d/m.qemu" 2>&1
	pxb_wait_log "$d/pxebootd.log" 120 "GET /forced/PXB-FORCE-OK " >/dev/null && rc=0
	pxb_qemu_stop "$PXB_QEMU_PID"
	return $rc
}

# n: pxebootctl install; Debian's netboot installer (auto=true priority=critical)
# gets its address, fetches its preseed (the host's name rendered into it)
# and runs its early_command, which fetches a file named for that host and
# calls ${done_url}. A complete install needs a Debian mirror this network
# does not reach: the scenario stops there.
sc_n() {
	local mac=52:54:00:00:1e:01 api="http://$PXB_SERVER_IP/_pxeboot" log="$d/pxebootd.log" rc tl
	# d-i reaches its preseed in well under a minute with KVM; emulated, in minutes.
	local t=${PXB_E2E_N_TIMEOUT:-$([ "$accel" = kvm ] && echo 170 || echo 480)}
	pxb_net_exec "$top_builddir/daemon/pxebootctl" -s "$api" -t e2e-token \
		install debian-host --entry debian-install --for 30m || return 1
	PXB_QEMU_MEM=1024 PXB_QEMU_BG=1 pxb_qemu_run_bios n "$PXB_TAP" $mac "$d/n.serial" "$t" \
		>"$d/n.qemu" 2>&1
	pxb_wait_log "$log" "$t" "install of $mac \(entry debian-install\) finished" >/dev/null
	rc=$?
	pxb_qemu_stop "$PXB_QEMU_PID"
	grep -q "install menu for $mac: debian-install" "$log" || { echo "no install menu"; return 1; }
	if [ $rc -ne 0 ]; then
		echo "the installer did not call back (wait: $rc); its screen said:"
		tr -d '\r' <"$d/n.serial" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]/ /g' |
			grep -aoE "[A-Za-z][A-Za-z0-9 ,.:/()'-]{12,}" | tail -12
		return 1
	fi
	grep -q "GET /answer/debian-install/52-54-00-00-1e-01 200" "$log" ||
		{ echo "the preseed was not fetched"; return 1; }
	grep -q "GET /hello-from-e2e-web17 404" "$log" ||
		{ echo "the early_command did not see the host's name"; return 1; }
	tl=$(pxb_net_exec curl -s "$api/timeline/$mac?format=text")
	echo "$tl"
	echo "$tl" | grep -q "answer file fetched: /answer/debian-install/" &&
		echo "$tl" | grep -q "installer finished (entry debian-install)" || return 1
	echo "a complete install needs a Debian mirror this network does not reach: stopped here"
}

# o: PXELINUX options (RFC 5071) a host has forced: 210 path prefix /boot/ and
# 209 config file configs/lab.cfg. The iPXE ROM's option 55 lists neither, and
# pxelinux.0 reads the ROM's cached reply: it fetches /boot/configs/lab.cfg, a
# static file (not the pxelinux plugin's), and never searches pxelinux.cfg/.
# The file's paths are relative: they reach the rescue kernel through 210 only.
sc_o() {
	local log="$d/pxebootd.log" k=/boot/sysresccd/6.1.1/boot/x86_64
	boot_bios o 52:54:00:00:0c:0f || return 1
	grep -Eq "RRQ /?boot/configs/lab.cfg" "$log" || { echo "no RRQ of lab.cfg"; return 1; }
	grep -Eq "done /?boot/configs/lab.cfg" "$log" || { echo "lab.cfg not sent"; return 1; }
	! grep -E "RRQ [^ ]*pxelinux\.cfg/" "$log" || { echo "pxelinux.cfg/ searched"; return 1; }
	grep -q "done /boot/ldlinux.c32" "$log" && grep -Eq "done /?$k/vmlinuz" "$log" &&
	grep -Eq "done /?$k/sysresccd.img" "$log" ||
		{ echo "no kernel and initrd as lab.cfg names them (under 210)"; return 1; }
}

PXB_SHIM= PXB_GRUB=
case ",$want," in *,h,*|*,i,*) pxb_e2e_secureboot >"$d/secureboot.log" 2>&1 || PXB_SHIM= ;; esac
export PXB_SHIM PXB_GRUB
run_pxebootd server 'menus = ( { match_macs = ["52:54:00:00:0d:*"]; default = "memtest86+x64.iso"; } );' ||
	{ check "pxebootd starts" 1; cat "$d/pxebootd.log" | sed 's/^/# /'; tap_done; exit 1; }
scenario a "BIOS: iPXE menu, rescue boots, marker seen" sc_a
scenario b "UEFI: OVMF PXE, snponly.efi, iPXE menu, rescue boots" sc_b
scenario c "PXELINUX: pxelinux.0, rendered config, rescue boots" sc_c
scenario d "NOPXE: address, no boot offer" sc_d
scenario e "memtest: memdisk and the ISO fetched whole" sc_e
case ",$want," in *,f,*)
	run_pxebootd proxy '' || { check "pxebootd starts in proxy mode" 1; };;
esac
scenario f "proxyDHCP beside dnsmasq: BIOS and UEFI boot rescue" sc_f
case ",$want," in *,g,*) run_pxebootd server '' ;; esac
scenario g "UEFI HTTP Boot: URL, option 60 echoed, ipxe.efi, rescue boots" sc_g
case ",$want," in *,h,*|*,i,*) run_pxebootd server '' ;; esac
scenario h "Secure Boot: shim, GRUB, signed kernel over TFTP, rescue boots" sc_h
scenario i "Secure Boot: an unsigned loader is fetched and refused" sc_i
case ",$want," in *,j,*)
	mkdir -p "$d/iso"
	xorriso -as mkisofs -R -V RESCUE -o "$d/iso/rescue.iso" -graft-points \
		"sysresccd=$root/boot/sysresccd/6.1.1" >"$d/xorriso.log" 2>&1 &&
	E2E_PLUGINS='"catalog-iso"' run_pxebootd server \
		"iso = { dirs = [\"$d/iso\"]; };
menus = ( { match_macs = [\"52:54:00:00:1a:*\"]; default = \"rescue\"; } );" ||
		{ sed 's/^/# /' "$d/xorriso.log" "$d/pxebootd.log" | tail -20; } ;;
esac
scenario j "ISO: BIOS and UEFI boot rescue with kernel, initrd and root image inside one ISO" sc_j
case ",$want," in *,k,*) run_pxebootd server '' ;; esac
scenario k "timelines: a boot's steps in order, and where a broken boot stopped" sc_k
case ",$want," in *,l,*)
	kill "$PXBD_PID" 2>/dev/null; wait "$PXBD_PID" 2>/dev/null
	pxb_e2e_conf "$root" "$d/state" server |
		sed 's|listing = \["/boot"\]; };|listing = ["/boot"]; api_token = "e2e-token"; };|' >"$d/pxeboot.conf"
	echo 'policy = { rules = ( { tags = "LAB"; policy = "armed"; } ); protect = ["sysresccd-6.1.1"]; };' \
		>>"$d/pxeboot.conf"
	: >"$d/pxebootd.log"
	pxb_e2e_start "$d/pxeboot.conf" "$d/pxebootd.log" ;;
esac
scenario l "rescue on demand: unarmed no boot offer, armed once boots rescue, then spent" sc_l
case ",$want," in *,m,*)
	kill "$PXBD_PID" 2>/dev/null; wait "$PXBD_PID" 2>/dev/null
	pxb_e2e_conf "$root" "$d/state" server | sed \
		-e 's|^  hosts = ( |  hosts = ( { mac = "52:54:00:00:1d:01"; tags = ["FORCE"]; options = ( { code = 224; value = "PXB-FORCE-OK"; force = true; } ); }, |' \
		-e 's|^  boot = ($|  boot = ( { tags = "FORCE"; file = "force.ipxe"; },|' >"$d/pxeboot.conf"
	: >"$d/pxebootd.log"
	pxb_e2e_start "$d/pxeboot.conf" "$d/pxebootd.log" ;;
esac
scenario m "forced option: iPXE reads a host's 224 it did not ask for" sc_m
case ",$want," in *,n,*)
	di=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64
	mkdir -p "$root/d-i" && cp "$di/linux" "$di/initrd.gz" "$root/d-i/" 2>"$d/n.cp" ||
		{ check "n. the installer (debian-installer-12-netboot-amd64) is installed" 1; want=none; }
	cat >"$d/preseed.cfg" <<'EOF'
d-i debian-installer/locale string en_US.UTF-8
d-i keyboard-configuration/xkb-keymap select us
d-i netcfg/choose_interface select auto
d-i netcfg/get_hostname string ${hostname}
d-i netcfg/get_domain string example.test
d-i preseed/early_command string wget -q -O /dev/null ${http}/hello-from-${hostname}; wget -q -O /dev/null ${done_url}
EOF
	kill "$PXBD_PID" 2>/dev/null; wait "$PXBD_PID" 2>/dev/null
	pxb_e2e_conf "$root" "$d/state" server |
		sed -e 's|listing = \["/boot"\]; };|listing = ["/boot"]; api_token = "e2e-token"; };|' \
		    -e "s|pool_end = \"\\([0-9.]*\\)\"; }|pool_end = \"\\1\"; router = \"$PXB_SERVER_IP\"; dns = [\"$PXB_SERVER_IP\"]; }|" \
		    -e 's|hosts = ( {|hosts = ( { name = "debian-host"; mac = "52:54:00:00:1e:01"; vars = { hostname = "e2e-web17"; }; }, {|' \
		>"$d/pxeboot.conf"
	cat >>"$d/pxeboot.conf" <<EOF
entries = ( { id = "debian-install"; kernel = "/d-i/linux"; initrd = ["/d-i/initrd.gz"];
  args = "console=ttyS0,115200n8 hw-detect/load_firmware=false"; answer = "$d/preseed.cfg"; family = "debian"; } );
menus = ( { match_macs = ["52:54:00:00:1e:*"]; items = ["debian-install", "exit"]; } );
EOF
	: >"$d/pxebootd.log"
	pxb_e2e_start "$d/pxeboot.conf" "$d/pxebootd.log" ;;
esac
scenario n "unattended install: d-i fetches its per-host preseed and calls back" sc_n
case ",$want," in *,o,*)
	# With a prefix PXELINUX 6 looks for ldlinux.c32 under it only (/boot//ldlinux.c32 last)
	mkdir -p "$root/boot/configs" && cp "$root/ldlinux.c32" "$root/boot/"
	cat >"$root/boot/configs/lab.cfg" <<EOF
# static, reached through options 209 and 210 only
DEFAULT lab
PROMPT 0
TIMEOUT 1
LABEL lab
  KERNEL sysresccd/6.1.1/boot/x86_64/vmlinuz
  INITRD sysresccd/6.1.1/boot/x86_64/sysresccd.img
  APPEND archisobasedir=6.1.1 archiso_http_srv=http://$PXB_SERVER_IP/boot/sysresccd/ ip=dhcp
EOF
	o209='{ code = 209; value = "configs/lab.cfg"; force = true; }'
	o210='{ code = 210; value = "/boot/"; force = true; }'
	host="{ mac = \"52:54:00:00:0c:0f\"; options = ( $o209, $o210 ); }"
	kill "$PXBD_PID" 2>/dev/null; wait "$PXBD_PID" 2>/dev/null
	pxb_e2e_conf "$root" "$d/state" server | sed -e "s|^  hosts = ( |  hosts = ( $host, |" \
		>"$d/pxeboot.conf"
	: >"$d/pxebootd.log"
	pxb_e2e_start "$d/pxeboot.conf" "$d/pxebootd.log" ;;
esac
scenario o "PXELINUX: forced 209/210 lead it to a static config under the prefix, rescue boots" sc_o
tap_done
