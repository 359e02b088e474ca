#!/bin/bash
# musl.sh - builds pxeboot against musl libc (Debian's musl-tools, musl-gcc) and
# runs its tests. The libraries pxeboot needs are not packaged for musl: their
# Debian source packages (libevent, libconfig, libmicrohttpd without HTTPS as
# OpenWRT's libmicrohttpd-no-ssl, libcdio, and libxcrypt since Debian's musl
# has no crypt()) are fetched with `apt-get source` through a private sources
# list and apt state (the system's own is not touched), and built once into a
# prefix this script owns; a later run finds the prefix built and skips that.
#
#   .ci/musl.sh [BUILD-DIR]          deps, configure, make, make check
#   .ci/musl.sh --deps-only          only the prefix
# Environment: PXB_MUSL_PREFIX (default $PXB_CACHE/musl, PXB_CACHE being
# /var/cache/pxeboot-test), TESTS (passed to make check), PXB_MUSL_NOCHECK=1
# (build only). Other variables (PXB_SKIP_E2E, PXB_E2E) reach the tests.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
prefix=${PXB_MUSL_PREFIX:-${PXB_CACHE:-/var/cache/pxeboot-test}/musl}
jobs=$(nproc)
deps_only=
[ "${1:-}" = --deps-only ] && { deps_only=1; shift; }
build=${1:-/tmp/build-musl}

log() { echo "musl.sh: $*" >&2; }
die() { log "$*"; exit 1; }
command -v musl-gcc >/dev/null || die "musl-gcc not found: install the Debian package musl-tools"
command -v dpkg-source >/dev/null || die "dpkg-source not found: install the Debian package dpkg-dev"

# The source packages, in build order (libiso9660 is part of libcdio).
pkgs=(libxcrypt libevent libconfig libmicrohttpd libcdio)
# What a built prefix was built from: a change here (or in musl) rebuilds it.
musl_ver=$(dpkg-query -W -f='${Version}' musl-dev 2>/dev/null || echo unknown)
stamp_want="musl $musl_ver; $(sha256sum "$0" | cut -c1-16)"

# One-line deb-src entries for the Debian archives the system's own deb
# entries name (sources.list, *.list, deb822 *.sources), on stdout.
deb_src_entries() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush() {
			if (deb && uris != "" && enabled != "no")
				for (i = split(uris, u, " "); i > 0; i--)
					for (j = split(suites, s, " "); j > 0; j--)
						printf "deb-src %s%s %s %s\n", (key != "" ? "[signed-by=" key "] " : ""), u[i], s[j], comps
			deb = 0; uris = suites = comps = key = ""; enabled = ""
		}
		/^[[:space:]]*$/ { flush(); next }
		/^#/ { next }
		{ k = tolower($1); sub(/:$/, "", k); $1 = ""; sub(/^ /, ""); v = $0 }
		k == "types" { deb = (" " v " ") ~ / deb / }
		k == "uris" { uris = v }
		k == "suites" { suites = v }
		k == "components" { comps = v }
		k == "signed-by" { key = v }
		k == "enabled" { enabled = tolower(v) }
		END { flush() }' "$f"
	done
}

# Fetches and unpacks the source packages into $prefix/src with apt state of its own.
fetch_sources() {
	local a=$prefix/apt
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$prefix/src"
	# Only Debian's own archives: third-party repositories rarely carry sources.
	deb_src_entries | grep -E 'debian\.org|/debian(-security)?/? ' | sort -u >"$a/sources.list"
	[ -s "$a/sources.list" ] || die "no Debian archive in /etc/apt/sources.list(.d)"
	apt_opts=(-o Dir::Etc::sourcelist="$a/sources.list" -o Dir::Etc::sourceparts=-
		-o Dir::State::Lists="$a/lists" -o Dir::Cache="$a/cache"
		-o APT::Sandbox::User=root)
	apt-get "${apt_opts[@]}" -qq update || die "apt-get update (deb-src) failed"
	# Unpacked here rather than by apt-get, so a mirror missing a Debian
	# tarball still yields the upstream source (without Debian's patches).
	(cd "$prefix/src" && apt-get "${apt_opts[@]}" -qq source --download-only "${pkgs[@]}" \
		>fetch.log 2>&1) || { sed 's/^/  /' "$prefix/src/fetch.log" >&2; log "some files missing"; }
	local p dsc orig
	for p in "${pkgs[@]}"; do
		dsc=$(ls "$prefix/src/${p}_"*.dsc 2>/dev/null | head -1)
		[ -n "$dsc" ] || die "apt-get source $p fetched nothing"
		if ! (cd "$prefix/src" && dpkg-source -x "$dsc" >>unpack.log 2>&1); then
			orig=$(ls "$prefix/src/${p}_"*.orig.tar.* 2>/dev/null | head -1)
			[ -n "$orig" ] || die "no source of $p could be unpacked"
			log "note: $p unpacked from $(basename "$orig"), without Debian's patches"
			tar -xf "$orig" -C "$prefix/src" || die "cannot unpack $orig"
		fi
	done
}

# srcdir PKG: the unpacked source tree of PKG.
srcdir() {
	local d
	for d in "$prefix/src/$1"-[0-9]*; do
		[ -d "$d" ] && { echo "$d"; return; }
	done
	die "no unpacked source of $1 in $prefix/src"
}

# [sub=DIR] build_one PKG CONFIGURE-ARGS...: an autotools build in the source
# tree (libconfig 1.5 does not build out of it) into $prefix, of only DIR
# when sub is set.
build_one() {
	local p=$1 s; shift
	s=$(srcdir "$p")
	log "building $p ($(basename "$s"))"
	# Debian's patches to configure.ac, Makefile.am or m4 files need the build
	# system made again, as Debian's own build does (dh_autoreconf).
	if [ ! -x "$s/configure" ] || { [ -d "$s/debian/patches" ] &&
		grep -qsE '^\+\+\+ [^ ]*(configure\.(ac|in)|Makefile\.am|\.m4)' "$s"/debian/patches/*; }; then
		(cd "$s" && autoreconf -fi >autoreconf.log 2>&1) ||
			{ tail -n 20 "$s/autoreconf.log" >&2; die "autoreconf of $p failed"; }
	fi
	# dash runs configure about twice as fast as bash.
	(cd "$s" && CONFIG_SHELL=/bin/sh /bin/sh ./configure --prefix="$prefix" --disable-static --disable-dependency-tracking \
		CC=musl-gcc CFLAGS="-O2 -g0" CPPFLAGS="-I$prefix/include" LDFLAGS="-L$prefix/lib" \
		PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" "$@" >configure.log 2>&1 &&
		make -C "${sub:-.}" -j"$jobs" >make.log 2>&1 &&
		make -C "${sub:-.}" install >install.log 2>&1) ||
		{ tail -n 30 "$s"/*.log >&2; die "building $p failed (logs in $s)"; }
}

build_deps() {
	rm -rf "$prefix/include" "$prefix/lib" "$prefix/src" "$prefix/stamp"
	mkdir -p "$prefix/include"
	# musl-gcc sees only musl's headers; the kernel's (uapi) headers, as
	# Alpine's linux-headers package gives them, come from the system.
	local h
	for h in linux asm-generic mtd; do
		[ -d "/usr/include/$h" ] && ln -s "/usr/include/$h" "$prefix/include/$h"
	done
	ln -s "/usr/include/$(gcc -print-multiarch)/asm" "$prefix/include/asm"
	fetch_sources
	# Side by side: each build is mostly a serial configure.
	local pids=() pid rc=0
	build_one libxcrypt --disable-obsolete-api --enable-hashes=strong,glibc \
		--disable-failure-tokens --disable-werror --disable-xcrypt-compat-files & pids+=($!)
	build_one libevent --disable-openssl --disable-samples --disable-libevent-regress \
		--disable-debug-mode --disable-doxygen-html & pids+=($!)
	sub=lib build_one libconfig --disable-cxx --disable-examples & pids+=($!)
	build_one libmicrohttpd --disable-https --without-gnutls --disable-curl --disable-doc \
		--disable-examples --disable-tools & pids+=($!)
	build_one libcdio --disable-cxx --disable-cpp-progs --disable-example-progs \
		--without-cd-drive --without-cd-info --without-cd-read --without-cdda-player \
		--without-iso-info --without-iso-read --disable-cddb --disable-vcd-info & pids+=($!)
	for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
	[ $rc -eq 0 ] || die "the dependencies did not build"
	rm -rf "$prefix/src" "$prefix/share"
	echo "$stamp_want" >"$prefix/stamp"
}

mkdir -p "$prefix"
if [ "$(cat "$prefix/stamp" 2>/dev/null)" = "$stamp_want" ]; then
	log "dependencies already built in $prefix"
else
	build_deps
fi
[ -n "$deps_only" ] && exit 0

mkdir -p "$build"
cd "$build"
log "configuring pxeboot in $build"
"$src/configure" CC=musl-gcc CPPFLAGS="-I$prefix/include" \
	LDFLAGS="-L$prefix/lib -Wl,-rpath,$prefix/lib" \
	PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" >configure.out 2>&1 ||
	{ tail -n 30 configure.out config.log >&2; die "configure failed"; }
make -j"$jobs" >make.out 2>&1 || { tail -40 make.out >&2; die "make failed"; }
[ -n "${PXB_MUSL_NOCHECK:-}" ] && exit 0
log "make check in $build"
rc=0
make -j"$jobs" check ${TESTS:+TESTS="$TESTS"} >check.out 2>&1 || rc=$?
grep -E '^(# (PASS|FAIL|SKIP|ERROR):|FAIL:|ERROR:)' check.out >&2 || true
exit $rc
