#!/bin/bash
# import_dnsmasq.sh - pxebootctl import dnsmasq on the corpus t/import/*.conf
# (documented dnsmasq PXE setups and hostile lines): the pxeboot.conf, the
# list of what is not translated and the exit status are compared with
# t/golden/import-NAME.{conf,err,rc}. Then conf-file= and conf-dir= are
# followed, an include loop stops at the depth limit (exit 2, nothing
# written), an over-long line is reported with its file:line, and the
# imported seed configuration passes pxebootd -t.
. "$top_srcdir/t/lib/common.sh"
d=$(scratch_dir)
CTL="$top_builddir/daemon/pxebootctl"
for f in "$top_srcdir"/t/import/*.conf; do
	n=$(basename "$f" .conf) g="$top_srcdir/t/golden/import-$n"
	(cd "$top_srcdir/t/import" && "$CTL" import dnsmasq "$n.conf" >"$d/$n.conf" 2>"$d/$n.err"
	 echo $? >"$d/$n.rc")
	if [ -n "$PXB_REGOLD" ]; then cp "$d/$n.conf" "$g.conf"; cp "$d/$n.err" "$g.err"; cp "$d/$n.rc" "$g.rc"; fi
	ok "$n: pxeboot.conf as golden" diff -u "$g.conf" "$d/$n.conf"
	ok "$n: untranslated list as golden" diff -u "$g.err" "$d/$n.err"
	ok "$n: exit status as golden" diff -u "$g.rc" "$d/$n.rc"
done

# conf-file= and conf-dir= (with its filters) are followed.
mkdir -p "$d/dir"
printf 'conf-dir=%s/dir,*.conf\n' "$d" >"$d/main.conf"
printf 'dhcp-boot=a.efi\n' >"$d/dir/10-a.conf"
printf 'dhcp-boot=never\n' >"$d/dir/20-b.bak"
printf 'conf-file=%s/inc.conf\n' "$d" >"$d/dir/30-c.conf"
printf 'dhcp-boot=tag:x,b.efi\n' >"$d/inc.conf"
"$CTL" import dnsmasq "$d/main.conf" >"$d/inc.out" 2>"$d/inc.err"
check "includes: complete translation (exit 0)" $?
ok "includes: conf-dir's files read" grep -q '"a.efi"' "$d/inc.out"
ok "includes: filtered file left" sh -c "! grep -q never '$d/inc.out'"
ok "includes: conf-file followed" grep -q 'tags = "x"; file = "b.efi"' "$d/inc.out"

# An include loop: stopped at the depth limit, exit 2, nothing written.
printf 'conf-file=%s/loop.conf\n' "$d" >"$d/loop.conf"
"$CTL" import dnsmasq "$d/loop.conf" >"$d/loop.out" 2>"$d/loop.err"
ok "include loop: exit 2" test $? -eq 2
ok "include loop: nothing written" test ! -s "$d/loop.out"
ok "include loop: depth named" grep -q "included more than 8 deep" "$d/loop.err"

# A line over the limit is reported with file:line and skipped.
{ echo "enable-tftp"; printf 'dhcp-boot=%05000d\n' 0; echo "dhcp-boot=ok.efi"; } >"$d/long.conf"
"$CTL" import dnsmasq "$d/long.conf" >"$d/long.out" 2>"$d/long.err"
ok "long line: exit 1" test $? -eq 1
ok "long line: reported at its line" grep -q "long.conf:2: -: line longer than 4096" "$d/long.err"
ok "long line: the next line still read" grep -q '"ok.efi"' "$d/long.out"

# The imported seed configuration is one pxebootd accepts.
sed "s|/tftp|$d|; s|^  mode = .*|&\n  interfaces = [\"lo\"];|" "$top_srcdir/t/golden/import-seed.conf" >"$d/seed-ok.conf"
echo "state_dir = \"$d\";" >>"$d/seed-ok.conf"
ok "imported seed configuration passes pxebootd -t" "$PXEBOOTD" -t -c "$d/seed-ok.conf"
tap_done
