#!/bin/bash
# explain.sh - pxebootctl explain against conf/examples/remote-rescue.conf: the
# seed's rules (BIOS, ENH for iPXE, NOPXE hosts, EFI64, UEFI HTTP boot) give
# the tags, rule and reply fields of the golden files t/golden/explain-*.txt,
# in server mode and in proxy mode, and (t/golden/explain-options.conf) the
# extra options of a host entry, options by tag and a boot rule, the losers
# too, and (the imported t/golden/import-tagif.conf) tags derived by
# dhcp.tag_if. Usable as a configuration test: a change
# of the rules that changes an answer changes the output.
#   PXB_REGOLD=1 writes the golden files from the current output.
. "$top_srcdir/t/lib/common.sh"
CTL="$top_builddir/daemon/pxebootctl"
[ -x "$CTL" ] || tap_skip_all "pxebootctl is not built"
d=$(scratch_dir)
conf="$top_srcdir/conf/examples/remote-rescue.conf"
sed 's/mode = "server";/mode = "proxy";/' "$conf" >"$d/proxy.conf"

# case NAME CONF ARGS...: compare with t/golden/explain-NAME.txt
case_() {
	local name=$1 cf=$2 gold="$top_srcdir/t/golden/explain-$1.txt"; shift 2
	"$CTL" explain -c "$cf" -P "$PXB_PLUGIN_DIR" "$@" >"$d/$name.raw" 2>"$d/$name.err"
	local rc=$?
	sed -e "s|$top_srcdir/conf/examples/|EXAMPLES/|" -e "s|$top_srcdir/t/golden/|GOLDEN/|" -e "s|$d/|TMP/|" "$d/$name.raw" >"$d/$name.out"
	if [ -n "${PXB_REGOLD:-}" ]; then cp "$d/$name.out" "$gold"; fi
	if [ $rc -eq 0 ] && diff -u "$gold" "$d/$name.out" >"$d/$name.diff" 2>&1; then
		check "explain $name: $*" 0
	else
		check "explain $name: $* (exit $rc)" 1
		sed 's/^/#   /' "$d/$name.err" "$d/$name.diff"
	fi
}

bios="--arch bios --vendor-class PXEClient:Arch:00000:UNDI:002001"
efi="--arch efi-x64 --vendor-class PXEClient:Arch:00007:UNDI:003016"
case_ bios "$conf" --mac 52:54:00:12:34:56 $bios
case_ enh "$conf" --mac 52:54:00:12:34:56 $bios --user-class iPXE
case_ nopxe "$conf" --mac 01:23:45:af:be:cd $bios --user-class iPXE
case_ efi64 "$conf" --mac 52:54:00:00:00:07 $efi
case_ efi64-enh "$conf" --mac 52:54:00:00:00:07 $efi --user-class iPXE
case_ httpclient "$conf" --mac 52:54:00:00:00:10 --arch efi-x64-http \
	--vendor-class HTTPClient:Arch:00016:UNDI:003001
case_ proxy-bios "$d/proxy.conf" --mac 52:54:00:12:34:56 $bios
case_ proxy-efi64 "$d/proxy.conf" --mac 52:54:00:00:00:07 $efi
case_ proxy-nopxe "$d/proxy.conf" --mac 01:23:45:af:be:cd $bios
case_ proxy-not-pxe "$d/proxy.conf" --mac 52:54:00:aa:bb:cc
# Extra options: from the host entry, by tag, from the boot rule; the losers too.
opts="$top_srcdir/t/golden/explain-options.conf"
case_ options-host "$opts" --mac 52:54:00:00:00:21 $bios
case_ options-other "$opts" --mac 52:54:00:00:00:99 $bios
# Derived tags (dhcp.tag_if, the imported tag-if corpus setup): each named with its element.
sed 's/^  mode = .*/&\n  interfaces = ["lo"];/' "$top_srcdir/t/golden/import-tagif.conf" >"$d/tagif.conf"
case_ tag-if "$d/tagif.conf" --mac 52:54:00:12:34:56 $bios

# Errors are reported, not explained.
"$CTL" explain -c "$d/none.conf" --mac 52:54:00:12:34:56 >/dev/null 2>"$d/e1"
check "a missing configuration file is an error" $([ $? -eq 1 ] && grep -q none.conf "$d/e1"; echo $?)
"$CTL" explain -c "$conf" -P "$PXB_PLUGIN_DIR" --mac nonsense >/dev/null 2>"$d/e2"
check "a bad MAC is an error" $([ $? -ne 0 ] && grep -q "not a MAC" "$d/e2"; echo $?)
"$CTL" explain -c "$conf" >/dev/null 2>&1
check "explain without --mac is a usage error" $([ $? -eq 2 ]; echo $?)
tap_done
