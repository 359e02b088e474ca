#!/bin/bash
# install.sh - after `make install`, pkg-config finds libpxeboot, a small
# program builds and runs against the installed copy, and the example plugin
# builds out of tree against the installed headers and loads.
. "$top_srcdir/t/lib/common.sh"
d=$(scratch_dir)
dest="$d/dest"

# Everything but the plugins: installing those relinks them in the build tree,
# under other tests that load them in parallel. The example plugin is built
# here from its installed source instead.
if ! make -C "$top_builddir" install-libLTLIBRARIES install-sbinPROGRAMS \
	install-pkgincludeHEADERS install-pkgconfigDATA install-dist_exampleDATA \
	DESTDIR="$dest" >"$d/install.log" 2>&1; then
	check "make install into a staging directory" 1
	sed 's/^/# /' "$d/install.log" | tail -20
	tap_done; exit 1
fi
check "make install into a staging directory" 0

pc=$(find "$dest" -name libpxeboot.pc | head -1)
ok "libpxeboot.pc installed" test -f "$pc"
export PKG_CONFIG_PATH=$(dirname "$pc")
flags=$(pkg-config --define-prefix --cflags --libs libpxeboot 2>&1)
pkgflags=$flags
# A sanitized build of the library needs its runtime in the programs too.
if [ -n "${PXB_SANITIZED:-}" ]; then flags="$flags -fsanitize=address,undefined"; CC=clang; fi
check "pkg-config --cflags --libs libpxeboot" $?
diag "flags: $pkgflags"
inc=$(find "$dest" -path '*/include/pxeboot' -type d | head -1)
ok "public headers under include/pxeboot" test -f "$inc/pxeboot.h"
ok "private headers are not installed" test ! -e "$inc/internal.h"
libdir=$(dirname "$pc")/..

cat >"$d/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <pxeboot/pxeboot.h>
int main(void)
{
	char out[64];
	if (pxb_vfs_normalize("\\boot//x/../pxelinux.0", strlen("\\boot//x/../pxelinux.0"), out, sizeof(out)) != 0)
		return 1;
	printf("%s %s\n", pxb_version(), out);
	return strcmp(out, "/boot/pxelinux.0") != 0;
}
C
${CC:-cc} -o "$d/prog" "$d/prog.c" $flags >"$d/cc.log" 2>&1
check "a program builds against the installed library" $?
out=$(LD_LIBRARY_PATH="$libdir" "$d/prog" 2>&1)
check "and runs: $out" $?

ex=$(find "$dest" -name example.c | head -1)
ok "the example plugin's source is installed" test -f "$ex"
${CC:-cc} -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror -o "$d/example.so" "$ex" \
	$flags >"$d/cc2.log" 2>&1
check "the example plugin builds out of tree" $?
sed 's/^/# /' "$d/cc2.log" | head
sbin=$(find "$dest" -name pxebootd -type f | head -1)
LD_LIBRARY_PATH="$libdir" "$sbin" -t -P "$d" -o plugins=example -o example.greeting=Hi >"$d/t.log" 2>&1
check "the installed pxebootd loads it" $?
sed 's/^/# /' "$d/t.log" | head
tap_done
