#!/bin/bash
# cross.sh - builds pxeboot for another CPU with Debian 12's cross compilers and,
# where QEMU's user-mode emulator runs that CPU, runs the unit tests and the
# fuzz-corpus replays under it.
#
#   .ci/cross.sh ARCH [BUILD-DIR] [-- CONFIGURE-ARGS...]   configure and build
#   .ci/cross.sh --check ARCH [BUILD-DIR]                   build, then run the C tests
#   .ci/cross.sh --sysroot ARCH                             only prepare the sysroot
#   .ci/cross.sh --env ARCH                                 print the variables used
#
# ARCH is a Debian architecture: arm64, armhf, mipsel, s390x (big-endian), amd64
# (aarch64, arm and mips are taken for the first three). BUILD-DIR defaults to
# /tmp/pxeboot-cross-ARCH. CFLAGS, CPPFLAGS and LDFLAGS from the environment
# are added to the ones the sysroot needs.
#
# Debian 12's libevent-dev and libcdio-dev are not "Multi-Arch: same": they cannot
# be installed beside the machine's own. So the target's packages are fetched with
# `apt-get download` and unpacked with `dpkg-deb -x` into a sysroot of their own,
# $PXB_CROSS_CACHE/ARCH/root (default /var/cache/pxeboot-cross), which this
# script owns; nothing is installed for the target. The compiler finds them
# through -isystem/-L/-rpath-link and pkg-config through PKG_CONFIG_LIBDIR and
# PKG_CONFIG_SYSROOT_DIR. Under the emulator the target's loader, libc and
# libraries come from the same sysroot (BUILD-DIR/xrun PROGRAM runs one).
#
# As root, missing host packages (the cross compiler, qemu-user-static) are
# installed and the target architecture added to dpkg (its package lists are
# what `apt-get download` reads); nothing else of the host changes.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
mode=build
case ${1:-} in
--check|--sysroot|--env) mode=${1#--}; shift ;;
esac
[ $# -ge 1 ] || { sed -n '5,9p' "$0" | sed 's/^# //' >&2; exit 2; }
arch=$1; shift
case $arch in
arm64|aarch64) arch=arm64 triplet=aarch64-linux-gnu qemu=aarch64 ;;
armhf|arm) arch=armhf triplet=arm-linux-gnueabihf qemu=arm ;;
mipsel|mips) arch=mipsel triplet=mipsel-linux-gnu qemu=mipsel ;;
s390x) triplet=s390x-linux-gnu qemu=s390x ;;
amd64|x86_64) arch=amd64 triplet=x86_64-linux-gnu qemu= ;;
*) echo "cross.sh: unknown architecture '$arch' (arm64, armhf, mipsel, s390x, amd64)" >&2; exit 2 ;;
esac
build=/tmp/pxeboot-cross-$arch
if [ $# -ge 1 ] && [ "$1" != -- ]; then build=$1; shift; fi
[ "${1:-}" != -- ] || shift
cache=${PXB_CROSS_CACHE:-/var/cache/pxeboot-cross}/$arch
root=$cache/root
jobs=$(nproc)

# The target's libraries: the -dev packages of the dependencies, the shared
# libraries they and libmicrohttpd's GnuTLS need at link and run time, libc
# (GnuTLS's -dev packages for the pkg-config files libmicrohttpd.pc requires).
pkgs=(libc6 libgcc-s1 libatomic1 libcrypt1 libcrypt-dev
	libevent-dev libevent-2.1-7 libevent-core-2.1-7 libevent-extra-2.1-7
	libevent-pthreads-2.1-7 libevent-openssl-2.1-7 libssl3
	libmicrohttpd-dev libmicrohttpd12 libgnutls30 libnettle8 libhogweed6 libgmp10
	libidn2-0 libunistring2 libp11-kit0 libtasn1-6 libffi8
	libgnutls28-dev nettle-dev libtasn1-6-dev libidn2-dev libp11-kit-dev libgmp-dev
	libconfig-dev libconfig9 libiso9660-dev libiso9660-11 libcdio-dev libcdio19)

host_pkgs() { # the packages of this machine the build needs
	local p=(pkg-config)
	[ "$arch" = amd64 ] || p+=("gcc-$triplet" "libc6-dev-$arch-cross")
	[ "$mode" != check ] || [ -z "$qemu" ] || p+=(qemu-user-static)
	echo "${p[@]}"
}

install_host() {
	local missing=() p
	for p in $(host_pkgs); do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || { echo "cross.sh: install ${missing[*]}" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		-o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
}

sysroot() {
	local stamp=$root/.pxeboot-sysroot want
	want="2 ${pkgs[*]}"
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
	if [ "$arch" != amd64 ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		[ "$(id -u)" -eq 0 ] || { echo "cross.sh: run dpkg --add-architecture $arch" >&2; exit 1; }
		dpkg --add-architecture "$arch"
		apt-get update -qq -o DPkg::Lock::Timeout=300
	fi
	rm -rf "$root" "$cache/debs"
	mkdir -p "$cache/debs" "$root"
	(cd "$cache/debs" && { apt-get download -qq "${pkgs[@]/%/:$arch}" 2>/dev/null ||
		{ apt-get update -qq -o DPkg::Lock::Timeout=300 &&
			apt-get download -qq "${pkgs[@]/%/:$arch}"; }; })
	local f
	for f in "$cache"/debs/*.deb; do dpkg-deb -x "$f" "$root"; done
	# Links such as libcrypt.so -> /lib/ARCH/libcrypt.so.1 point into the
	# sysroot, and static libraries go: a link that cannot find the shared
	# library fails instead of copying libcrypt.a into libpxeboot.
	find "$root" -type l -lname '/*' | while read -r f; do
		ln -sfn "$root$(readlink "$f")" "$f"
	done
	find "$root" -name '*.a' -delete
	echo "$want" >"$stamp"
}

# The variables configure, make and the emulator run with.
setenv() {
	local lib=$root/usr/lib/$triplet
	export PKG_CONFIG=pkg-config
	export PKG_CONFIG_LIBDIR=$lib/pkgconfig:$root/usr/share/pkgconfig
	export PKG_CONFIG_SYSROOT_DIR=$root
	unset PKG_CONFIG_PATH
	cc=$triplet-gcc
	[ "$arch" != amd64 ] || cc=${CC:-gcc}
	cppflags="-isystem $root/usr/include/$triplet -isystem $root/usr/include ${CPPFLAGS:-}"
	ldflags="-L$lib -L$root/lib/$triplet -Wl,-rpath-link,$lib:$root/lib/$triplet ${LDFLAGS:-}"
}

if [ "$mode" = env ]; then
	setenv
	printf 'export %s=%q\n' PKG_CONFIG "$PKG_CONFIG" PKG_CONFIG_LIBDIR "$PKG_CONFIG_LIBDIR" \
		PKG_CONFIG_SYSROOT_DIR "$PKG_CONFIG_SYSROOT_DIR" QEMU_LD_PREFIX "$QEMU_LD_PREFIX"
	printf '# configure --host=%s CC=%s CPPFLAGS=%q LDFLAGS=%q\n' \
		"$triplet" "$cc" "$cppflags" "$ldflags"
	exit 0
fi

install_host
sysroot
[ "$mode" != sysroot ] || exit 0
setenv

mkdir -p "$build"
cd "$build"
hostarg=--host=$triplet
[ "$arch" != amd64 ] || hostarg=
if [ ! -f Makefile ]; then
	[ -x "$src/configure" ] || (cd "$src" && autoreconf -fi)
	"$src/configure" $hostarg CC="$cc" CPPFLAGS="$cppflags" LDFLAGS="$ldflags" "$@" \
		>configure.out 2>&1 || { tail -30 configure.out; exit 1; }
fi
make -j"$jobs" >make.out 2>&1 || { grep -E 'error|Error' make.out | head -30; exit 1; }
[ "$mode" = check ] || exit 0

# The C tests: every t/*_test.c unit test and every replayed fuzz corpus, run
# under the emulator (libtool's execute mode finds the real program behind its
# wrapper script and sets the library path).
make -j"$jobs" check TESTS= >check-build.out 2>&1 || { tail -30 check-build.out; exit 1; }
tests=${PXB_CROSS_TESTS:-$(cd "$src" && ls t/*_test.c t/fuzz/fuzz_*.c | sed -e 's/\.c$//' -e 's,/fuzz_,/replay_,')}
run=()
for t in $tests; do [ -x "$t" ] && run+=("$t"); done
[ ${#run[@]} -gt 0 ] || { echo "cross.sh: no test program built" >&2; exit 1; }
# The emulator starts the target's dynamic loader from the sysroot itself:
# QEMU_LD_PREFIX would also show the sysroot in place of "/" to open("/"),
# which the plugin loader's walk from the root directory does.
emu=
if [ -n "$qemu" ]; then
	ldso=$(readelf -l "$build/t/.libs/conf_test" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	cat >xrun <<EOT
#!/bin/sh
# Runs a $arch program under QEMU with the libraries of $root (.ci/cross.sh).
exec qemu-$qemu-static "$root$ldso" \\
	--library-path "\${LD_LIBRARY_PATH:+\$LD_LIBRARY_PATH:}$root/lib/$triplet:$root/usr/lib/$triplet" "\$@"
EOT
	chmod +x xrun
	emu=$build/xrun
fi
rc=0
make -j"$jobs" check TESTS="${run[*]}" LOG_COMPILER="$build/libtool --mode=execute $emu" \
	>check.out 2>&1 || rc=$?
grep -E '^(# (PASS|FAIL|ERROR|SKIP):|FAIL|ERROR)' check.out || true
exit $rc
