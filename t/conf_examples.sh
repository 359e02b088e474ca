#!/bin/bash
# conf_examples.sh - every shipped configuration passes `pxebootd -t`.
. "$top_srcdir/t/lib/common.sh"
for f in "$top_srcdir"/conf/*.conf "$top_srcdir"/conf/examples/*.conf; do
	[ -f "$f" ] || continue
	out=$("$PXEBOOTD" -t -P "$PXB_PLUGIN_DIR" -c "$f" 2>&1)
	check "pxebootd -t $(basename "$f")" $?
	[ -n "$out" ] && echo "$out" | sed 's/^/# /'
done
ok "systemd unit starts pxebootd -f -c /etc/pxeboot/pxeboot.conf" \
	grep -qx 'ExecStart=/usr/sbin/pxebootd -f -c /etc/pxeboot/pxeboot.conf' "$top_srcdir/conf/pxebootd.service"
tap_done
