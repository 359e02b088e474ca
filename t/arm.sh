#!/bin/bash
# arm.sh - rescue on demand through pxebootd on 127.0.0.1 with the http and
# ipxe plugins: a protected entry's files are 403 without a token, 200 with
# the token of a live arm and 403 again after expiry or disarm; a menu asked
# with ?mac= from an address DHCP did not give that MAC carries no token (the
# armed menu itself is in t/arm_hostile.sh, where DHCP gives the address);
# a one-shot arm is spent by its first protected file, not by a menu; the
# arms are listed only with the bearer token; arms survive a restart;
# pxebootctl arm/arms/disarm.
set -u
. "$top_srcdir/t/lib/common.sh"
[ -x "$PXEBOOTD" ] || tap_skip_all "pxebootd is not built"
[ -f "$PXB_PLUGIN_DIR/http.so" ] || tap_skip_all "the http plugin is not built"
command -v curl >/dev/null || tap_skip_all "curl is not installed"
CTL="$top_builddir/daemon/pxebootctl"

d=$(scratch_dir)
mkdir -p "$d/root/boot/rescue" "$d/root/boot/other" "$d/state"
echo "the kernel" >"$d/root/boot/rescue/vmlinuz"
echo "the initrd" >"$d/root/boot/rescue/initrd.img"
echo "a root image" >"$d/root/boot/rescue/root.sfs"
echo "another kernel" >"$d/root/boot/other/vmlinuz"
port=$(free_port tcp)
B="http://127.0.0.1:$port"
API="$B/_pxeboot"
MAC=52:54:00:00:0a:01
cat >"$d/pxeboot.conf" <<EOF
plugins = ["http", "ipxe"];
state_dir = "$d/state";
tftp = { enable = false; root = "$d/root"; };
http = { root = "$d/root"; listen = "127.0.0.1:$port"; api_token = "test-token"; };
dhcp = { hosts = ( { name = "labpc"; mac = "$MAC"; policy = "armed"; } ); };
policy = { protect = ["rescue"]; arm_max = "2h"; };
menu = { timeout = 0; };
entries = (
  { id = "rescue"; kind = "linux"; kernel = "/boot/rescue/vmlinuz";
    initrd = ["/boot/rescue/initrd.img"]; args = "root=\${http}/boot/rescue/root.sfs?token=\${token}"; },
  { id = "other"; kind = "linux"; kernel = "/boot/other/vmlinuz"; }
);
EOF

start() {
	: >"$d/pxebootd.log"
	start_pxebootd "$d/pxebootd.log" -c "$d/pxeboot.conf"
	wait_for 10 grep -q "pxebootd .* started" "$d/pxebootd.log"
}
stop() {
	kill "$PXBD_PID" 2>/dev/null
	wait "$PXBD_PID" 2>/dev/null
}
code() { curl -s -o /dev/null -w "%{http_code}" "$@"; }
is_code() { [ "$(code "${@:2}")" = "$1" ]; }
auth=(-H "Authorization: Bearer test-token")
token_of() { sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' "$1"; }

ok "pxebootd starts with a policy" start
ok "a protected entry's kernel: 403 without a token" is_code 403 "$B/boot/rescue/vmlinuz"
ok "a file under its directory: 403" is_code 403 "$B/boot/rescue/root.sfs"
ok "an unprotected entry: 200" is_code 200 "$B/boot/other/vmlinuz"
ok "the refusal is logged with its reason" grep -q "refused 127.0.0.1 /boot/rescue/vmlinuz: protected entry: no token" "$d/pxebootd.log"

ok "arming needs the bearer token (401)" is_code 401 -X POST "$API/arms/labpc"
ok "arming an unknown name: 404" is_code 404 -X POST "${auth[@]}" "$API/arms/nobody"
ok "arming for longer than policy.arm_max: 400" is_code 400 -X POST "${auth[@]}" "$API/arms/labpc?for=3h"
ok "arming for an unknown entry: 400" is_code 400 -X POST "${auth[@]}" "$API/arms/labpc?entry=nothing"
st=$(curl -s -o "$d/arm.json" -w "%{http_code}" -X POST "${auth[@]}" "$API/arms/labpc?entry=rescue&for=30m")
ok "arm labpc (by host name) for the rescue entry: 201" test "$st" = 201
tok=$(token_of "$d/arm.json")
ok "the arm has a 128-bit token" test ${#tok} -eq 32
ok "GET arms without the bearer token: 401, no MAC named" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$API/arms')\" = 401 ] && ! curl -s '$API/arms' | grep -q '$MAC'"
ok "GET arms with the bearer token shows the token" sh -c "curl -s -H 'Authorization: Bearer test-token' '$API/arms' | grep -q '$tok'"
ok "arms.json is private to the daemon" test "$(stat -c %a "$d/state/arms.json")" = 600

curl -s "$B/menu.ipxe?mac=$MAC" >"$d/menu.ipxe"
ok "?mac= of the armed machine from an address DHCP did not give it: a menu" grep -q "^#!ipxe" "$d/menu.ipxe"
ok "... without the token" sh -c "! grep -q 'token=[0-9a-f]' '$d/menu.ipxe'"
ok "... and without the arm's 10 s wait" sh -c "! grep -q 'set pxb-timeout 10000' '$d/menu.ipxe'"
curl -s "$B/menu.ipxe?mac=52:54:00:00:0b:01" >"$d/menu-other.ipxe"
ok "another machine's menu has no token" sh -c "! grep -q 'token=[0-9a-f]' '$d/menu-other.ipxe'"

ok "kernel with the token: 200" is_code 200 "$B/boot/rescue/vmlinuz?token=$tok"
ok "initrd with the token: 200" is_code 200 "$B/boot/rescue/initrd.img?token=$tok"
ok "root image under the entry's dir with the token: 200" is_code 200 "$B/boot/rescue/root.sfs?token=$tok"
ok "HEAD with the token: 200" is_code 200 -I "$B/boot/rescue/vmlinuz?token=$tok"
ok "a wrong token: 403" is_code 403 "$B/boot/rescue/vmlinuz?token=00000000000000000000000000000000"

# Arms survive a restart.
stop
ok "pxebootd starts again" start
ok "the arm is still listed" sh -c "curl -s -H 'Authorization: Bearer test-token' '$API/arms/$MAC' | grep -q '\"armed\":true'"
ok "its token still fetches the kernel" is_code 200 "$B/boot/rescue/vmlinuz?token=$tok"

ok "disarm: 200" is_code 200 -X DELETE "${auth[@]}" "$API/arms/labpc"
ok "after disarm the token is refused (403)" is_code 403 "$B/boot/rescue/vmlinuz?token=$tok"
ok "disarm again: 404" is_code 404 -X DELETE "${auth[@]}" "$API/arms/labpc"

# Expiry.
curl -s -X POST "${auth[@]}" "$API/arms/$MAC?for=2s" >"$d/arm2.json"
tok2=$(token_of "$d/arm2.json")
ok "a 2-second arm: 200 at once" is_code 200 "$B/boot/rescue/vmlinuz?token=$tok2"
sleep 3
ok "after expiry: 403" is_code 403 "$B/boot/rescue/vmlinuz?token=$tok2"
ok "an expired arm is not listed" sh -c "! curl -s -H 'Authorization: Bearer test-token' '$API/arms' | grep -q '$MAC'"

# One-shot: spent by the first protected file fetched with its token, not
# by a menu; the boot it began can still fetch its files.
curl -s -X POST "${auth[@]}" "$API/arms/$MAC?for=10m&once=1" >"$d/arm3.json"
tok3=$(token_of "$d/arm3.json")
ok "a one-shot arm" grep -q '"once":true' "$d/arm3.json"
curl -s "$B/menu.ipxe?mac=$MAC" >/dev/null
ok "a menu does not spend it" sh -c "curl -s -H 'Authorization: Bearer test-token' '$API/arms/$MAC' | grep -q '\"spent\":false'"
ok "the kernel with its token: 200" is_code 200 "$B/boot/rescue/vmlinuz?token=$tok3"
ok "the kernel spent it" sh -c "curl -s -H 'Authorization: Bearer test-token' '$API/arms/$MAC' | grep -q '\"spent\":true'"
ok "the log says so" grep -q "one-shot arm of $MAC spent by /boot/rescue/vmlinuz" "$d/pxebootd.log"
ok "the boot it began still fetches the initrd" is_code 200 "$B/boot/rescue/initrd.img?token=$tok3"
curl -s "$B/menu.ipxe?mac=$MAC" >"$d/menu4.ipxe"
ok "the next menu has no token" sh -c "! grep -q 'token=[0-9a-f]' '$d/menu4.ipxe'"
curl -s -X DELETE "${auth[@]}" "$API/arms/$MAC" >/dev/null

# pxebootctl
if [ -x "$CTL" ] && "$CTL" -h 2>&1 | grep -q " arm "; then
	export PXEBOOTCTL_URL="$API" PXEBOOTCTL_TOKEN=test-token
	ok "pxebootctl arm labpc --entry rescue --for 5m --once" \
		"$CTL" arm labpc --entry rescue --for 5m --once
	"$CTL" arms >"$d/arms.txt" 2>&1
	ok "pxebootctl arms lists it" grep -q "$MAC.*rescue.*once" "$d/arms.txt"
	ok "pxebootctl disarm labpc" "$CTL" disarm labpc
	ok "pxebootctl arm without the token fails" sh -c "! PXEBOOTCTL_TOKEN= '$CTL' arm labpc"
	"$CTL" arms >"$d/arms.txt" 2>&1
	ok "pxebootctl arms: none left" sh -c "! grep -q '$MAC' '$d/arms.txt'"
else
	diag "pxebootctl has no arm command: skipped"
fi
stop
ok "pxebootd stopped cleanly" grep -q "stopped" "$d/pxebootd.log"
tap_done
