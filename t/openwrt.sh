#!/bin/bash
# openwrt.sh - the OpenWrt package (conf/openwrt/): its init script is sh,
# its start_service, run with procd's and rc.common's functions stubbed,
# makes /var/etc/pxeboot.conf (keeping the last good one on an error),
# its default /etc/config/pxeboot with the seed's /etc/config/dhcp becomes a
# pxeboot.conf that pxebootd -t accepts, and pxebootctl's "uci" and "import
# uci" write what the golden files (t/golden/uci-*) hold.
. "$top_srcdir/t/lib/common.sh"
CTL="$top_builddir/daemon/pxebootctl"
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
cd "$top_srcdir" || exit 1

ok "the init script is valid sh" sh -n conf/openwrt/pxeboot.init
ok "the init script runs under procd, respawned" \
	sh -c 'grep -qx "USE_PROCD=1" conf/openwrt/pxeboot.init && grep -q "procd_set_param respawn" conf/openwrt/pxeboot.init'
ok "a change to /etc/config/pxeboot or /etc/config/dhcp reloads it, by SIGHUP" \
	sh -c 'grep -q "procd_add_reload_trigger \"pxeboot\" \"dhcp\"" conf/openwrt/pxeboot.init && grep -q "reload_signal HUP" conf/openwrt/pxeboot.init'
ok "the feed Makefile builds with autoreconf and splits the plugins" \
	sh -c 'grep -qx "PKG_FIXUP:=autoreconf" conf/openwrt/Makefile && grep -q "+libevent2 +libconfig" conf/openwrt/Makefile && grep -q "BuildPackage,pxeboot-catalog-iso" conf/openwrt/Makefile'

# start_service of the init script, without procd: rc.common's config_* and
# procd's procd_* are stubs that record what they are given; the script's
# paths (/usr/sbin, /etc/config, /var/etc, /tmp) point into $d.
mkdir -p "$d/init/bin" "$d/init/config" "$d/init/var"
ln -s "$CTL" "$d/init/bin/pxebootctl"
cp conf/openwrt/pxeboot.config "$d/init/config/pxeboot"
cp t/openwrt/dhcp "$d/init/config/dhcp"
sed -e "s|/tmp/pxeboot|$d/init/pxeboot|g" -e "s|/usr/sbin/|$d/init/bin/|g" \
	-e "s|/etc/config/|$d/init/config/|g" -e "s|/var/etc|$d/init/var|g" \
	conf/openwrt/pxeboot.init >"$d/init/rc"
init_start() { # init_start: runs start_service in sh; its status, procd's calls in $d/init/procd
	sh -c 'D=$1; . "$D/rc"
		config_load() { :; }
		config_get_bool() { eval "$1=\${CFG_$3:-$4}"; }
		config_get() { [ "$3" = state_dir ] && eval "$1=\$D/state" || eval "$1=$4"; }
		procd_open_instance() { echo open; }
		procd_set_param() { echo "$*"; }
		procd_close_instance() { echo close; }
		logger() { echo "logger $*" >&2; }
		start_service' sh "$d/init" >"$d/init/procd" 2>"$d/init/stderr"
}
init_start
check "the init script's start_service runs (procd stubbed)" $?
cp "$d/init/var/pxeboot.conf" "$d/init/good"
ok "  its /var/etc/pxeboot.conf is the translation of the default files" \
	diff -u <(tail -n +2 t/golden/uci-pxeboot.conf) <(tail -n +2 "$d/init/var/pxeboot.conf")
ok "  procd runs pxebootd -f on it, reloads it by SIGHUP, respawns it" sh -c "
	grep -qx 'command $d/init/bin/pxebootd -f -c $d/init/var/pxeboot.conf' '$d/init/procd' &&
	grep -qx 'reload_signal HUP' '$d/init/procd' && grep -qx 'respawn' '$d/init/procd' &&
	test \"\$(head -1 '$d/init/procd')\" = open && test \"\$(tail -1 '$d/init/procd')\" = close"
printf "\toption bogus '1'\n" >>"$d/init/config/pxeboot"
init_start
ok "  a broken /etc/config/pxeboot: the last good file stays, pxebootd starts on it" \
	sh -c "test $? = 0 && cmp -s '$d/init/good' '$d/init/var/pxeboot.conf' && grep -q '^command ' '$d/init/procd'"
ok "  and the error goes to the log" grep -q "logger -t pxeboot -f $d/init/pxeboot.uci.err" "$d/init/stderr"
rm -f "$d/init/var/pxeboot.conf"
init_start
ok "  with no good file yet: nothing starts, exit 1" \
	sh -c "test $? = 1 && ! test -s '$d/init/procd' && ! test -e '$d/init/var/pxeboot.conf'"
ok "  no temporary file left" sh -c "! ls '$d/init/var' | grep -q ."
CFG_enabled=0 init_start
ok "enabled '0': start_service starts nothing" sh -c "test $? = 0 && ! test -s '$d/init/procd'"

"$CTL" uci conf/openwrt/pxeboot.config t/openwrt/dhcp >"$d/pxeboot.conf" 2>"$d/err"
check "pxebootctl uci: the default /etc/config/pxeboot translates" $?
ok "  as the golden file" diff -u t/golden/uci-pxeboot.conf "$d/pxeboot.conf"
ok "  and pxebootd -t accepts it" "$PXEBOOTD" -t -P "$PXB_PLUGIN_DIR" -c "$d/pxeboot.conf"
ok "  the NOPXE hosts of /etc/config/dhcp are never offered a boot" \
	test "$(grep -c 'tags = \["NOPXE"\]; noboot = true' "$d/pxeboot.conf")" = 3
ok "  DHCP stays with dnsmasq (proxy), HTTP clear of uhttpd's 80" \
	sh -c "grep -q 'mode = \"proxy\"' '$d/pxeboot.conf' && grep -q 'listen = \"0.0.0.0:8080\"' '$d/pxeboot.conf'"

# The no-boot tag is a setting: another tag, and the NOPXE hosts boot.
sed "s/list noboot_tag 'NOPXE'/list noboot_tag 'NVR'/" conf/openwrt/pxeboot.config >"$d/other"
"$CTL" uci "$d/other" t/openwrt/dhcp >"$d/other.conf"
ok "dhcp.noboot_tag chooses which tag means no boot" \
	sh -c "! grep -q noboot '$d/other.conf' && grep -q 'tags = \[\"NOPXE\"\]' '$d/other.conf'"

"$CTL" uci t/openwrt/pxeboot-hostile t/openwrt/dhcp >"$d/hostile.conf" 2>"$d/hostile.err"
check "values with quotes and new lines translate" $?
ok "  as the golden file (escaped, never settings of their own)" \
	diff -u t/golden/uci-hostile.conf "$d/hostile.conf"
"$PXEBOOTD" -t -P "$PXB_PLUGIN_DIR" -c "$d/hostile.conf" >"$d/hostile.t" 2>&1
ok "  pxebootd -t reads each as one string: log_level is then no level" \
	sh -c "test $? = 1 && grep -q 'log_level' '$d/hostile.t'"
printf 'config tftp\n\toption enabled 1\n\toption bogus 1\nconfig nonsuch\n' >"$d/bad"
"$CTL" uci "$d/bad" t/openwrt/dhcp >"$d/bad.conf" 2>"$d/bad.err"
ok "an unknown option or section: exit 1, nothing written" \
	sh -c "test $? = 1 && test ! -s '$d/bad.conf'"
ok "  each named with file:line" sh -c "grep -qx '$d/bad:3: option bogus: not an option of config tftp' '$d/bad.err' && grep -q '^$d/bad:4: config nonsuch' '$d/bad.err'"
printf "config pxeboot\n\toption root 'x\n" >"$d/broken"
"$CTL" uci "$d/broken" >/dev/null 2>"$d/broken.err"
ok "a syntax error: exit 2, file:line" sh -c "test $? = 2 && grep -qx \"pxebootctl: $d/broken:2: unterminated '\" '$d/broken.err'"

"$CTL" import uci t/openwrt/dhcp >"$d/import.conf" 2>"$d/import.err"
check "pxebootctl import uci: the seed's /etc/config/dhcp is translated whole (exit 0)" $?
ok "  as the golden file" diff -u t/golden/uci-import.conf "$d/import.conf"
ok "  nothing left out" diff -u t/golden/uci-import.err "$d/import.err"
"$CTL" import uci t/openwrt/dhcp-nopool >"$d/nopool.conf" 2>"$d/nopool.err"
ok "what cannot be translated: exit 1" test $? = 1
ok "  each as file:line: option: why" diff -u t/golden/uci-import-nopool.err "$d/nopool.err"
ok "  the rest as the golden file" diff -u t/golden/uci-import-nopool.conf "$d/nopool.conf"
ok "  which pxebootd -t accepts" "$PXEBOOTD" -t -P "$PXB_PLUGIN_DIR" -c "$d/nopool.conf"
tap_done
