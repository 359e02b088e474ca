#!/bin/bash
# import_diff.sh - pxebootctl import dnsmasq proved by differential testing:
# each corpus configuration that sets up DHCP (t/import/{seed,ipxe,
# netbootxyz,sysrescue,openwrt}.conf) is imported; the real dnsmasq with the
# corpus file and pxebootd with the imported one run side by side, each in
# its own namespace on a veth pair whose client end has the same address
# (so addresses in replies can be compared as they are). The same client
# profiles (t/import_diff.py: BIOS PXE ROM, UEFI PXE x64, iPXE, UEFI HTTP
# Boot, a dhclient-like client, a host of the configuration's dhcp-host)
# DISCOVER, and REQUEST what they are offered in server mode; the replies
# are compared field by field, the address aside: message type, siaddr,
# sname, file, options 43, 60, 66, 67 and every option the configuration
# sets. A difference passes only when listed below as deliberate (reason
# given, as in pxebootctl(8)); one needing settings pxebootd lacks is TODO.
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

# dnsmasq's side and ours, each with its own client namespace.
netns_make dq; netns_make cdq; netns_make pb; netns_make cpb
netns_link dq cdq 198.18.0.1/24 198.18.0.250/24 && netns_link pb cpb 198.18.0.1/24 198.18.0.250/24 ||
	{ check "test networks" 1; tap_done; exit 1; }

# Differences that are meant: CONFIG PROFILE FIELD|reason (FIELD: a glob).
deliberate() {
	case "$1 $2 $3" in
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
		echo "needs dhcp.options by tag with force";;
	"openwrt "*"opt60") echo "dnsmasq echoes the client's option 60 with a vendor: option 43;" \
		"needs dhcp.options";;
	*) return 1;;
	esac
}

run_pair() { # run_pair NAME: import, start both, ask both, compare
	local n=$1 c="$top_srcdir/t/import/$1.conf" codes host="" req=""
	"$CTL" import dnsmasq "$c" >"$d/$n.pxb" 2>"$d/$n.err"
	[ $? -le 1 ] || { check "$n: imported" 1; return; }
	# The tftp-root substitution, the interface; dhcp.options is not yet a setting here.
	sed "s|^tftp-root=.*|tftp-root=$d/root|" "$c" >"$d/$n.dq"
	awk -v root="$d/root" '
		/^  options = \(/ { skip = 1; next } skip && /^  \);/ { skip = 0; next } skip { next }
		/^  root = / { print "  root = \"" root "\";"; next }
		{ print } /^  mode = / { print "  interfaces = [\"vpb\"];" }' "$d/$n.pxb" >"$d/$n.conf"
	echo "state_dir = \"$d/st-$n\";" >>"$d/$n.conf"
	mkdir -p "$d/st-$n"
	codes=$(sed -n 's/^dhcp-option[-a-z]*=\(tag:[^,]*,\)*\([0-9]*\),.*/\2/p' "$c" | tr '\n' ,)
	grep -q '^dhcp-option[-a-z]*=\(tag:[^,]*,\)*option:router' "$c" && codes="${codes}3,"
	grep -q '^dhcp-option[-a-z]*=\(tag:[^,]*,\)*option:dns-server' "$c" && codes="${codes}6,"
	host=$(sed -n 's/^dhcp-host=\([0-9a-f:]*\),.*/\1/p' "$c" | head -1)
	req=--request; grep -q "^dhcp-range=.*proxy" "$c" && req=--pxebs

	ip netns exec "$NS_dq" /usr/sbin/dnsmasq --no-daemon --conf-file="$d/$n.dq" --port=0 \
		--interface=vdq --bind-interfaces --no-ping --user=root --group=root \
		--pid-file="$d/dq.pid" --dhcp-leasefile="$d/$n.leases" --log-dhcp >"$d/$n.dqlog" 2>&1 &
	local dqpid=$!
	track_pid "$dqpid"
	start_pxebootd_in "$NS_pb" "$d/$n.pblog" -d -c "$d/$n.conf"
	local pbpid=$PXBD_PID
	ok "$n: dnsmasq serves" wait_for 5 grep -q "DHCP, \(IP range\|proxy on subnet\)" "$d/$n.dqlog"
	ok "$n: pxebootd serves the imported configuration" \
		wait_for 5 grep -q "dhcp: serving in" "$d/$n.pblog"
	netns_exec cdq timeout 10 python3 "$py" ask --iface vcdq --out "$d/$n.A" \
		--codes "$codes" ${host:+--host-mac "$host"} $req --wait 1.5 &
	local a=$!
	netns_exec cpb timeout 10 python3 "$py" ask --iface vcpb --out "$d/$n.B" \
		--codes "$codes" ${host:+--host-mac "$host"} $req --wait 1.5
	wait "$a"
	kill "$dqpid" "$pbpid" 2>/dev/null
	wait "$dqpid" "$pbpid" 2>/dev/null

	pairs="$pairs $n $d/$n.A $d/$n.B"
}

pairs=""
for n in seed ipxe netbootxyz sysrescue openwrt; do
	run_pair "$n"
done
# dhcp-ignore: an address, never a boot file.
ok "openwrt: clients not known get no boot file from pxebootd" \
	sh -c "! grep -v '\"profile\": \"host\"' '$d/openwrt.B' | grep -q '\"bootfile\": \"[^\"]'"
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
