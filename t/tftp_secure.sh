#!/bin/bash
# tftp_secure.sh - tftp.secure (dnsmasq's tftp-secure) against tftp-hpa.
# pxebootd runs as root here, where the rule is dnsmasq's for root: only
# files everyone may read are served. Without tftp.secure a file only its
# owner may read is served; with it that file is refused (error 2, access
# violation) while the other is still served byte-identical.
. "$top_srcdir/t/lib/common.sh"
command -v tftp >/dev/null 2>&1 || tap_skip_all "needs tftp-hpa (tftp)"
[ "$(id -u)" = 0 ] || tap_skip_all "the rule tested is root's (the owner rule: t/vfs_secure_test)"
d=$(scratch_dir)
mkdir -p "$d/root" "$d/out"
head -c 5000 /dev/urandom >"$d/root/public.bin"
head -c 5000 /dev/urandom >"$d/root/private.bin"
chmod 644 "$d/root/public.bin"
chmod 600 "$d/root/private.bin"

get() { # get PORT NAME: fetches NAME into out/NAME, its messages in out/NAME.err
	rm -f "$d/out/$2"
	(cd "$d/out" && timeout 20 tftp 127.0.0.1 "$1" -m binary -c get "$2" "$2") >"$d/out/$2.err" 2>&1
}

for secure in false true; do
	port=$(free_port udp)
	cat >"$d/$secure.conf" <<CONF
tftp = { root = "$d/root"; listen = "127.0.0.1:$port"; secure = $secure; };
http = { root = "$d/root"; listen = "127.0.0.1:$(free_port tcp)"; };
state_dir = "$d/state-$secure";
CONF
	mkdir -p "$d/state-$secure"
	start_pxebootd "$d/log-$secure" -c "$d/$secure.conf"
	if ! wait_for 10 grep -q "tftp: listening" "$d/log-$secure"; then
		check "secure = $secure: pxebootd serves TFTP" 1
		sed 's/^/# /' "$d/log-$secure"
		continue
	fi
	get "$port" public.bin
	ok "secure = $secure: a file all may read is served" cmp -s "$d/root/public.bin" "$d/out/public.bin"
	get "$port" private.bin
	if [ "$secure" = false ]; then
		ok "secure = false: a file only its owner may read is served" \
			cmp -s "$d/root/private.bin" "$d/out/private.bin"
	else
		ok "secure = true: a file only its owner may read is refused" \
			sh -c "! cmp -s '$d/root/private.bin' '$d/out/private.bin' 2>/dev/null"
		ok "secure = true: with error 2 (access violation)" \
			grep -qi "error code 2" "$d/out/private.bin.err"
	fi
	kill "$PXBD_PID" 2>/dev/null
	wait "$PXBD_PID" 2>/dev/null
done
tap_done
