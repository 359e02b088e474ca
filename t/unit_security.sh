#!/bin/bash
# unit_security.sh - the systemd unit runs pxebootd as a user of its own with
# only the capabilities binding needs, and systemd-analyze's offline rating
# of its sandbox is 2.0 or lower (0 is best, 10 unprotected).
. "$top_srcdir/t/lib/common.sh"
unit=$top_srcdir/conf/pxebootd.service

ok "the unit runs as user pxeboot" grep -qx 'User=pxeboot' "$unit"
ok "the sysusers.d file makes that user" grep -q '^u pxeboot ' "$top_srcdir/conf/pxeboot.sysusers"
ok "state_dir is the service's alone" grep -qx 'StateDirectoryMode=0700' "$unit"
ok "no capability beyond binding" \
	grep -qx 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_NET_RAW' "$unit"
ok "open files limit set" grep -q '^LimitNOFILE=[0-9]' "$unit"

if ! command -v systemd-analyze >/dev/null 2>&1; then
	diag "SKIP: systemd-analyze is not installed (Debian: systemd)"
	tap_done; exit
fi
out=$(systemd-analyze security --offline=yes "$unit" 2>&1)
level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for pxebootd.service: \([0-9.]*\).*/\1/p')
if [ -z "$level" ]; then
	diag "SKIP: systemd-analyze cannot rate a unit file offline here"
	printf '%s\n' "$out" | tail -3 | sed 's/^/# /'
	tap_done; exit
fi
diag "exposure level $level"
check "systemd-analyze security rates the unit $level (at most 2.0)" \
	"$(awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'; echo $?)"
tap_done
