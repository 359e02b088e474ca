#!/bin/bash
# daemon_privileges.sh - what pxebootd refuses before it serves: more open
# files than RLIMIT_NOFILE allows (also under -t), serving as root without
# allow_root, a state_dir another user owns (fixed when root), plugins from
# an untrusted directory, file or link (also under -t); and the systemd
# way: started as an unprivileged user with the binding capabilities
# lent, it binds a privileged port and then holds no capability at all.
. "$top_srcdir/t/lib/common.sh"
[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root (privilege drop, chown)"
d=$(scratch_dir)
chmod 755 "$d"
mkdir -p "$d/root"
: >"$d/empty.conf"
chmod 644 "$d/empty.conf"

# Open files.
(ulimit -n 1024; "$PXEBOOTD" -t -c "$d/empty.conf" -o tftp.max_transfers=5000 >"$d/out" 2>&1)
check "-t: limits beyond RLIMIT_NOFILE are refused" "$([ $? -eq 1 ]; echo $?)"
ok "the error says what needs how many" \
	grep -q "need [0-9]* open files (.*tftp.max_transfers 5000.*), but at most 1024 may be open" "$d/out"
(ulimit -n 1024; "$PXEBOOTD" -t -c "$d/empty.conf" -o tftp.max_transfers=300 >"$d/out" 2>&1)
check "-t: limits that fit pass" $?
(ulimit -Sn 256; ulimit -Hn 4096; "$PXEBOOTD" -t -d -c "$d/empty.conf" -o tftp.max_transfers=1500 >"$d/out" 2>&1)
check "the soft limit is raised to the hard one" $?
ok "... and that is logged at debug" grep -q "open files limit raised to 4096" "$d/out"

# Root.
cat >"$d/run.conf" <<CONF
state_dir = "$d/state";
tftp = { root = "$d/root"; listen = "127.0.0.1:$(free_port udp)"; };
CONF
chmod 644 "$d/run.conf"
timeout 10 "$PXEBOOTD" -f -c "$d/run.conf" >"$d/out" 2>&1
check "without user or allow_root, root is refused" "$([ $? -eq 1 ]; echo $?)"
ok "... with a clear error" grep -q "refusing to serve as root: set user" "$d/out"

# state_dir: group/other-writable and another's: root gives it to the user, mode 0700.
mkdir -p "$d/state"
chmod 777 "$d/state"
chown 12345 "$d/state"
start_pxebootd "$d/log" -c "$d/run.conf" -o user=nobody -o group=nogroup
wait_for 10 grep -q "pxebootd .* started" "$d/log"
check "starts as nobody" $?
is "state_dir mode" "$(stat -c %a "$d/state")" 700
is "state_dir owner" "$(stat -c %U "$d/state")" nobody
ok "the fix is logged" grep -q "state_dir $d/state belonged to uid 12345: given to uid" "$d/log"
ok "... both of them" grep -q "state_dir $d/state was mode 0777: made 0700" "$d/log"
ok "nobody is warned about" grep -q "user nobody is shared with other services" "$d/log"
kill "$PXBD_PID"; wait "$PXBD_PID" 2>/dev/null

# Not root: a state_dir it does not own is refused, not fixed.
chown root "$d/state"
timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$PXEBOOTD" -f -P "$PXB_PLUGIN_DIR" -c "$d/run.conf" >"$d/out" 2>&1
check "as another user, a state_dir it does not own is refused" "$([ $? -eq 1 ]; echo $?)"
ok "... with a clear error" grep -q "state_dir $d/state belongs to uid 0, not to uid 65534" "$d/out"

# The unit's way, in a network namespace of its own: unprivileged, with
# CAP_NET_BIND_SERVICE and CAP_NET_RAW lent, binds port 69 and gives them up.
chown 65534 "$d/state"
if command -v unshare >/dev/null && command -v setpriv >/dev/null &&
	unshare -n true 2>/dev/null; then
	unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=+net_bind_service,+net_raw --ambient-caps=+net_bind_service,+net_raw \
		"$PXEBOOTD" -f -P "$PXB_PLUGIN_DIR" -c "$d/run.conf" -o tftp.listen=127.0.0.1:69 \
		>"$d/log2" 2>&1 &
	pid=$!
	track_pid "$pid"
	wait_for 10 grep -q "pxebootd .* started" "$d/log2"
	check "unprivileged with lent capabilities: starts" $?
	ok "... binds privileged port 69" grep -q "listening on 127.0.0.1:69" "$d/log2"
	is "... and then holds no capability" \
		"$(sed -n 's/^CapEff:[[:space:]]*//p; s/^CapAmb:[[:space:]]*//p' /proc/$pid/status | sort -u)" \
		0000000000000000
	kill "$pid"
else
	diag "SKIP: no unshare -n / setpriv here"
fi

# Plugins: a copy of the example plugin in directories and files it must not trust.
p="$d/plugins"
mkdir -p "$p/ok" "$p/gw" "$p/link" "$p/other"
for x in ok gw other; do cp "$PXB_PLUGIN_DIR/example.so" "$p/$x/"; done
ln -s "$p/ok/example.so" "$p/link/example.so"
ln -s "$p/ok" "$p/dirlink"
chmod 755 "$p" "$p"/*
chmod 775 "$p/gw"
chown 12345 "$p/other/example.so"
try() { "$PXEBOOTD" -t -c "$d/empty.conf" -P "$1" -o plugins=example >"$d/out" 2>&1; }
try "$p/ok"
check "-t: a trusted plugin loads" $?
# refused WHAT DIR WHY: -t refuses the plugin in DIR and its error says WHY.
refused() {
	try "$2"
	check "-t: $1 is refused" "$([ $? -eq 1 ]; echo $?)"
	ok "... and says why" grep -qF "$3" "$d/out"
}
refused "a group-writable directory" "$p/gw" "directory $p/gw is writable by its group (mode 0775)"
refused "a symbolic link to a plugin" "$p/link" "$p/link/example.so is a symbolic link"
refused "a plugin directory that is a link" "$p/dirlink" "$p/dirlink is a symbolic link"
refused "a plugin another user owns" "$p/other" "file example.so belongs to uid 12345"
tap_done
