#!/bin/bash
# ctl_multi.sh - pxebootctl with several -s against two running pxebootd:
# "clients" is the union by client with the servers that saw each, "timeline"
# every server's steps in time order naming their server; one -s prints what
# the server sent; a server that does not answer is named on stderr while
# the others are shown (exit 3); a command that changes state is refused.
. "$top_srcdir/t/lib/common.sh"
command -v curl >/dev/null || tap_skip_all "curl is not installed"
curl -V | grep -qw tftp || tap_skip_all "curl has no TFTP"
[ -f "$PXB_PLUGIN_DIR/http.so" ] || tap_skip_all "the http plugin is not built"
CTL="$top_builddir/daemon/pxebootctl"
d=$(scratch_dir)
root="$d/root"
mkdir -p "$root/boot/x"
head -c 20000 /dev/urandom >"$root/undionly.kpxe"
echo kernel >"$root/boot/x/vmlinuz"

conf() { # conf HTTP-PORT TFTP-PORT (state_dir from $sd)
	cat <<CONF
plugins = ["http", "ipxe"];
state_dir = "$sd";
tftp = { root = "$root"; listen = "127.0.0.1:$2"; };
http = { root = "$root"; listen = "127.0.0.1:$1"; api_token = "tok"; };
entries = ( { id = "rescue"; kind = "linux"; kernel = "/boot/x/vmlinuz"; } );
CONF
}
sd="$d/state-a"
start_on_free_ports "$d/log-a" "$d/conf-a" conf
check "pxebootd A started" $?
HA=$HP TA=$TP PA=$PXBD_PID
sd="$d/state-b"
start_on_free_ports "$d/log-b" "$d/conf-b" conf
check "pxebootd B started" $?
HB=$HP PB=$PXBD_PID
A="http://127.0.0.1:$HA/_pxeboot" B="http://127.0.0.1:$HB/_pxeboot"
NA="127.0.0.1:$HA" NB="127.0.0.1:$HB"

# 127.0.0.1: its loader from A, its menu from B, its kernel from A again;
# 127.0.0.2 is seen by A only.
timeout 20 curl -s -o /dev/null "tftp://127.0.0.1:$TA/undionly.kpxe"
sleep 0.3
timeout 20 curl -s -o /dev/null "http://127.0.0.1:$HB/menu.ipxe"
sleep 0.3
timeout 20 curl -s -o /dev/null "http://127.0.0.1:$HA/boot/x/vmlinuz"
timeout 20 curl -s -o /dev/null --interface 127.0.0.2 "http://127.0.0.1:$HA/boot/x/vmlinuz"

# One -s: what the server sent, as before.
curl -s "$A/clients?format=text" >"$d/a.txt"
"$CTL" -s "$A" clients >"$d/one.txt"
check "one -s: the server's own text" $(cmp -s "$d/a.txt" "$d/one.txt"; echo $?)

"$CTL" -s "$A" -s "$B" clients >"$d/cl.txt" 2>"$d/cl.err"
rc=$?
sed 's/^/#   /' "$d/cl.txt" "$d/cl.err"
check "clients from two servers: exit 0" $([ $rc -eq 0 ] && [ ! -s "$d/cl.err" ]; echo $?)
check "clients: one line per client" $([ "$(wc -l <"$d/cl.txt")" -eq 2 ]; echo $?)
check "clients: 127.0.0.1 seen by both" \
	$(grep -q "^127\.0\.0\.1 .*  \[seen by $NA, $NB\]$" "$d/cl.txt"; echo $?)
check "clients: 127.0.0.2 seen by A only" \
	$(grep -q "^127\.0\.0\.2 .*  \[seen by $NA\]$" "$d/cl.txt"; echo $?)
# The latest last-seen of 127.0.0.1 is A's (its kernel came last).
last_a=$(grep '^127\.0\.0\.1 ' "$d/a.txt" | awk '{print $3}')
check "clients: the latest last-seen" $(grep '^127\.0\.0\.1 ' "$d/cl.txt" | grep -qF " $last_a "; echo $?)

"$CTL" -s "$A" -s "$B" timeline 127.0.0.1 >"$d/tl.txt" 2>"$d/tl.err"
rc=$?
sed 's/^/#   /' "$d/tl.txt" "$d/tl.err"
check "timeline from two servers: exit 0" $rc
la=$(grep -n "^+.* $NA  *[a-z ]* TFTP sent undionly.kpxe" "$d/tl.txt" | head -1 | cut -d: -f1)
lb=$(grep -n "^+.* $NB  *[a-z ]* HTTP /menu.ipxe 200" "$d/tl.txt" | head -1 | cut -d: -f1)
lk=$(grep -n "^+.* $NA  *[a-z ]* HTTP /boot/x/vmlinuz 200" "$d/tl.txt" | head -1 | cut -d: -f1)
check "timeline: A's loader, B's menu, A's kernel, in time order ($la $lb $lk)" \
	$([ -n "$la" ] && [ -n "$lb" ] && [ -n "$lk" ] && [ "$la" -lt "$lb" ] && [ "$lb" -lt "$lk" ]; echo $?)
check "timeline: each server's state" \
	$(grep -q "^$NA: state " "$d/tl.txt" && grep -q "^$NB: state " "$d/tl.txt"; echo $?)
"$CTL" -s "$A" -s "$B" timeline 127.0.0.2 >"$d/tl2.txt" 2>&1
check "timeline of a client only A saw" \
	$([ $? -eq 0 ] && grep -q "^$NB: no timeline of this client" "$d/tl2.txt"; echo $?)
"$CTL" -s "$A" -s "$B" timeline 52:54:00:00:00:09 >/dev/null 2>&1
check "timeline of a client nobody saw: exit 1" $([ $? -eq 1 ]; echo $?)

# A server that does not answer.
dead=$(free_port tcp)
"$CTL" -s "$A" -s "http://127.0.0.1:$dead/_pxeboot" -s "$B" clients >"$d/p.txt" 2>"$d/p.err"
rc=$?
sed 's/^/#   /' "$d/p.err"
check "a dead server: exit 3, named on stderr, the others shown" \
	$([ $rc -eq 3 ] && grep -q "127.0.0.1:$dead" "$d/p.err" && cmp -s "$d/cl.txt" "$d/p.txt"; echo $?)
"$CTL" -s "$A" -s "http://127.0.0.1:$dead/_pxeboot" -s "$B" timeline 127.0.0.1 >"$d/p2.txt" 2>/dev/null
check "a dead server: the timeline still merged, exit 3" \
	$([ $? -eq 3 ] && grep -q " $NB .* HTTP /menu.ipxe 200" "$d/p2.txt"; echo $?)
"$CTL" -s "http://127.0.0.1:$dead/_pxeboot" -s "http://127.0.0.1:$dead/x" clients >/dev/null 2>&1
check "no server answers: exit 2" $([ $? -eq 2 ]; echo $?)

# Changes are refused with several servers; reading arms is per server.
"$CTL" -s "$A" -s "$B" -t tok arm 52:54:00:00:00:01 --for 5m >/dev/null 2>"$d/arm.err"
check "arm with two -s: refused (exit 2, says why)" \
	$([ $? -eq 2 ] && grep -q "name one server" "$d/arm.err"; echo $?)
"$CTL" -s "$A" -s "$B" -t tok arms >"$d/arms.txt" 2>&1
check "arms with two -s: nothing was armed, both shown" \
	$([ $? -eq 0 ] && grep -qx "== $NA ==" "$d/arms.txt" && grep -qx "== $NB ==" "$d/arms.txt" &&
	  ! grep -q 52:54:00:00:00:01 "$d/arms.txt"; echo $?)
kill -TERM "$PA" "$PB"
tap_done
