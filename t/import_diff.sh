#!/bin/bash
# import_diff.sh - pxebootctl import dnsmasq proved by differential testing:
# each corpus configuration that sets up DHCP (t/import/{seed,ipxe,
# netbootxyz,sysrescue,openwrt,tagif,pxemenu,match}.conf) is imported; the real dnsmasq with the
# corpus file and pxebootd with the imported one run side by side, each in
# its own namespace on a veth pair whose client end has the same address
# (so addresses in replies can be compared as they are). The same client
# profiles (t/import_diff.py: BIOS PXE ROM, UEFI PXE x64, iPXE, UEFI HTTP
# Boot, a dhclient-like client, a host of the configuration's dhcp-host)
# DISCOVER, and REQUEST what they are offered in server mode; the replies
# are compared field by field, the address aside: message type, siaddr,
# sname, file, options 43, 60, 66, 67 and every option the configuration
# sets. A difference passes only when listed below as deliberate (reason
# given, as in pxebootctl(8)); one needing settings pxebootd lacks is TODO
# (dhcp.options: the imported file runs without them while pxebootd -t
# calls them unknown).
#
# The one substitution in the corpus files: tftp-root= (and pxeboot's
# tftp.root) point to an empty scratch directory. Both servers get the
# interface on the command line / dhcp.interfaces; dnsmasq runs with
# --port=0 (no DNS), its lease and PID files in the scratch directory.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
netns_require
[ -x /usr/sbin/dnsmasq ] || tap_skip_all "needs dnsmasq (/usr/sbin/dnsmasq)"
command -v python3 >/dev/null || tap_skip_all "needs python3"
d=$(scratch_dir)
CTL="$top_builddir/daemon/pxebootctl"
py="$top_srcdir/t/import_diff.py"
mkdir -p "$d/root"

declare -A ARGS SRV
# Differences that are meant: CONFIG PROFILE FIELD|reason (FIELD: a glob).
deliberate() {
	case "$1 $2 $3" in
	"pxemenu efi64 ack.bootfile"|"pxemenu ipxe-efi ack.bootfile")
		echo "two services for x64 UEFI (the import lists it): dnsmasq sends UEFI no menu" \
			"and no file on port 4011, pxebootd the first service's file"; return;;
	esac
	# pxemenu is a proxy pxe-service setup as sysrescue is: the same differences.
	case "${1/#pxemenu/sysrescue} $2 $3" in
	"sysrescue "*" offer.opt43") echo "pxe-service menu not shown: pxebootd's option 43 says" \
		"'boot the file at once' (discovery control 8), dnsmasq's carries the menu";;
	"sysrescue "*" ack.opt43") echo "pxe-service menu not shown: no boot item was chosen," \
		"so none is echoed (sub-option 71); pxebootd repeats discovery control 8";;
	"sysrescue efi-9 offer"|"sysrescue efi-9 ack") [ "$4" = '"OFFER"' ] || [ "$4" = '"ACK"' ] &&
		echo "no pxe-service for the architecture: dnsmasq still answers in proxy mode" \
		"(its prompt, no boot file: checked above), pxebootd stays silent";;
	"sysrescue "*" ack.server") echo "dnsmasq names itself in option 66 of its port 4011 ACK;" \
		"pxebootd's siaddr (compared above, the same) already does";;
	"sysrescue "*" offer.bootfile"|"sysrescue "*" offer.siaddr")
		echo "pxe-service menu not shown: pxebootd gives the first service's file in the" \
		"proxy OFFER, dnsmasq only on port 4011";;
	"seed http "*".bootfile"|"seed http "*".opt60"|"ipxe http "*".bootfile"|"ipxe http "*".opt60")
		echo "UEFI HTTP Boot gets the file as a URL and option 60 HTTPClient back (it" \
		"cannot use a TFTP name); dnsmasq sends the TFTP name as it is";;
	"openwrt host offer.opt60"|"openwrt host ack.opt60") return 1;;
	"openwrt "*" offer"|"openwrt "*" ack") [ "$2" != host ] && [ "$4" = '"none"' ] &&
		echo "dhcp-ignore=tag:!known: pxebootd withholds the boot offer, not the address" \
		"(dnsmasq ignores the client)";;
	*) return 1;;
	esac
}
# Differences waiting for settings pxebootd lacks here: CONFIG PROFILE FIELD|reason.
todo() {
	case "$1 $3" in
	"openwrt "*"opt20"[89]|"openwrt "*"opt21"[01]|"openwrt "*"opt43")
		[ -n "$no_options" ] && echo "needs dhcp.options by tag with force";;
	"openwrt "*"opt60") echo "dnsmasq echoes the client's option 60 with a vendor: option 43;" \
		"needs dhcp.options";;
	*) return 1;;
	esac
}

pxbconf() { # pxbconf STRIP: the imported file for our namespace (without dhcp.options)
	awk -v root="$d/root" -v strip="$1" -v n="$n" '
		strip && /^  options = \(/ { skip = 1; next }
		skip && /^  \);/ { skip = 0; next } skip { next }
		/^  root = / { print "  root = \"" root "\";"; next }
		{ print } /^  mode = / { print "  interfaces = [\"vp" n "\"];" }' "$d/$n.pxb" >"$d/$n.conf"
	echo "state_dir = \"$d/st-$n\";" >>"$d/$n.conf"
}
start_pair() { # start_pair NAME: import; both servers in namespaces of their own
	local n=$1 c="$top_srcdir/t/import/$1.conf" codes host req
	"$CTL" import dnsmasq "$c" >"$d/$n.pxb" 2>"$d/$n.err"
	[ $? -le 1 ] || { check "$n: imported" 1; return; }
	# The tftp-root substitution, the interface.
	sed "s|^tftp-root=.*|tftp-root=$d/root|" "$c" >"$d/$n.dq"
	mkdir -p "$d/st-$n"
	pxbconf ""
	# A pxebootd without dhcp.options (options by tag) runs without them: TODO.
	if grep -q "^  options = (" "$d/$n.conf" && "$PXEBOOTD" -t -o allow_root=true \
		-c "$d/$n.conf" 2>&1 | grep -q "options.*unknown"; then
		pxbconf 1; no_options=1
	fi
	codes=$(sed -n 's/^dhcp-option[-a-z]*=\(tag:[^,]*,\)*\([0-9]*\),.*/\2/p' "$c" | tr '\n' ,)
	grep -q '^dhcp-option[-a-z]*=\(tag:[^,]*,\)*option:router' "$c" && codes="${codes}3,"
	grep -q '^dhcp-option[-a-z]*=\(tag:[^,]*,\)*option:dns-server' "$c" && codes="${codes}6,"
	host=$(sed -n 's/^dhcp-host=\([0-9a-f:]*\),.*/\1/p' "$c" | head -1)
	req=--request; grep -q "^dhcp-range=.*proxy" "$c" && req=--pxebs
	ARGS[$n]="--codes=$codes ${host:+--host-mac $host} $req --wait 1.5"

	# dnsmasq's side and ours, each with its own client namespace.
	netns_make "q$n" && netns_make "cq$n" && netns_make "p$n" && netns_make "cp$n" &&
	netns_link "q$n" "cq$n" 198.18.0.1/24 198.18.0.250/24 &&
	netns_link "p$n" "cp$n" 198.18.0.1/24 198.18.0.250/24 || { check "$n: test networks" 1; return; }
	local qns pns; eval "qns=\$NS_q$n pns=\$NS_p$n"
	ip netns exec "$qns" /usr/sbin/dnsmasq --no-daemon --conf-file="$d/$n.dq" --port=0 \
		--interface="vq$n" --bind-interfaces --no-ping --user=root --group=root \
		--pid-file="$d/$n.pid" --dhcp-leasefile="$d/$n.leases" --log-dhcp >"$d/$n.dqlog" 2>&1 &
	SRV[$n]=$!
	track_pid "$!"
	start_pxebootd_in "$pns" "$d/$n.pblog" -d -c "$d/$n.conf"
	SRV[$n]="${SRV[$n]} $PXBD_PID"
}

pairs="" no_options=""
names="seed ipxe netbootxyz sysrescue openwrt tagif pxemenu match"
for n in $names; do
	start_pair "$n"
done
for n in $names; do
	ok "$n: dnsmasq serves" wait_for 5 grep -q "DHCP, \(IP range\|proxy on subnet\)" "$d/$n.dqlog"
	ok "$n: pxebootd serves the imported configuration" \
		wait_for 5 grep -q "dhcp: serving in" "$d/$n.pblog"
done
# The same clients to both servers of a pair at once, one pair after the other
# (python's start-up is what costs on a loaded machine).
for n in $names; do
	netns_exec "cq$n" timeout --foreground 20 python3 "$py" ask --iface "vcq$n" \
		--out "$d/$n.A" ${ARGS[$n]} &
	a=$!
	netns_exec "cp$n" timeout --foreground 20 python3 "$py" ask --iface "vcp$n" \
		--out "$d/$n.B" ${ARGS[$n]}
	wait "$a"
	pairs="$pairs $n $d/$n.A $d/$n.B"
done
for n in $names; do
	kill ${SRV[$n]} 2>/dev/null
done
# dhcp-ignore: an address, never a boot file.
ok "openwrt: clients not known get no boot file from pxebootd" \
	sh -c "test -s '$d/openwrt.B' && ! grep -v '\"profile\": \"host\"' '$d/openwrt.B' | grep -q '\"bootfile\": \"[^\"]'"
# No service for arch 9: dnsmasq's proxy replies carry no boot file either.
ok "sysrescue: dnsmasq gives arch 9 no boot file" \
	sh -c "grep '\"profile\": \"efi-9\"' '$d/sysrescue.A' | grep -q '\"bootfile\": \"\", .*\"bootfile\": \"\",'"
python3 "$py" compare $pairs >"$d/cmp" || check "replies compared" 1
while read -r kind n prof field va vb; do
	if [ "$kind" = same ]; then
		check "$n $prof $field: $va on both" 0
	elif why=$(deliberate "$n" "$prof" "$field" "$va"); then
		check "$n $prof $field: dnsmasq $va, pxebootd $vb (deliberate: $why)" 0
	elif why=$(todo "$n" "$prof" "$field"); then
		_tap_n=$((_tap_n + 1))
		echo "not ok $_tap_n - $n $prof $field: dnsmasq $va, pxebootd $vb # TODO $why"
	else
		check "$n $prof $field: dnsmasq $va, pxebootd $vb" 1
	fi
done <"$d/cmp"
tap_done
