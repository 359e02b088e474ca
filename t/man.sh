#!/bin/bash
# man.sh - the manual pages render without warnings, and pxeboot.conf(5)
# documents every setting the core and the shipped plugins know.
. "$top_srcdir/t/lib/common.sh"
d=$(scratch_dir)
for m in pxebootd.8 pxeboot.conf.5 libpxeboot.3 pxeboot-plugins.7 pxebootctl.8; do
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$top_srcdir/man/$m" 2>&1 >/dev/null)
	check "man -l $m renders without warnings${out:+: $out}" $([ -z "$out" ]; echo $?)
done
# Every shipped plugin loaded, so their settings are listed too.
plugins=$(cd "$PXB_PLUGIN_DIR" && ls *.so 2>/dev/null | sed 's/\.so$//' | paste -sd, -)
"$PXEBOOTD" -S -P "$PXB_PLUGIN_DIR" ${plugins:+-o plugins=$plugins} >"$d/settings" 2>"$d/err"
check "pxebootd -S lists the settings" $?
sed 's/^/# /' "$d/err"
missing=""
while IFS=$'\t' read -r name type def doc; do
	grep -qF -- "$name" "$top_srcdir/man/pxeboot.conf.5" || missing="$missing $name"
done <"$d/settings"
check "pxeboot.conf(5) documents every setting${missing:+ (missing:$missing)}" $([ -z "$missing" ]; echo $?)
tap_done
