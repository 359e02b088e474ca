#!/bin/sh
# state_xabi.sh - the lease journal and arms.json are byte-exact and
# endian-independent: a USB stick moved between routers of different CPUs
# keeps its leases and arms.
#  - this build writes the journal t/golden/state_xabi/leases.journal holds,
#    byte for byte, and restores the golden journal and arms.json as
#    t/golden/state_xabi/dump.txt says;
#  - with PXB_XABI_BUILD naming a build for another CPU (made by
#    `.ci/cross.sh --check s390x DIR`, whose DIR/xrun runs its programs under
#    QEMU), that build writes the same bytes, each build restores what the
#    other wrote (arms with their random tokens included), and each appends
#    to the other's files.
# Uses t/state_xabi (write, append, dump).
. "${top_srcdir:-$(dirname "$0")/..}/t/lib/common.sh"
golden=$top_srcdir/t/golden/state_xabi
here() { "$top_builddir/t/state_xabi" "$@"; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/state_xabi.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT

mkdir "$dir/a" "$dir/g"
ok "this build writes its state" here write "$dir/a"
ok "its journal is the golden journal, byte for byte" \
	cmp "$dir/a/leases.journal" "$golden/leases.journal"
cp "$golden/leases.journal" "$golden/arms.json" "$dir/g/"
here dump "$dir/g" >"$dir/g.dump" 2>"$dir/err"
check "the golden journal and arms.json restore as dump.txt says" \
	"$(cmp -s "$dir/g.dump" "$golden/dump.txt"; echo $?)"
grep -q '^leases 8$' "$dir/g.dump" && grep -q '^arms 3$' "$dir/g.dump"
check "... 8 leases and 3 arms" $?

if [ -z "${PXB_XABI_BUILD:-}" ]; then
	diag "no build for another CPU (PXB_XABI_BUILD): the golden files only"
	tap_done
	exit
fi
xb=$PXB_XABI_BUILD
there() { "$xb/libtool" --mode=execute "$xb/xrun" "$xb/t/state_xabi" "$@"; }
diag "the other build: $xb ($(sed -n 's/^host_alias=//p' "$xb/config.log" | tr -d "'"))"
mkdir "$dir/b"
ok "the other CPU writes its state" there write "$dir/b"
ok "its journal is the golden journal, byte for byte" \
	cmp "$dir/b/leases.journal" "$golden/leases.journal"
there dump "$dir/g" >"$dir/g.there" 2>>"$dir/err"
check "the other CPU restores the golden files as dump.txt says" \
	"$(cmp -s "$dir/g.there" "$golden/dump.txt"; echo $?)"
here dump "$dir/a" >"$dir/a.here" && there dump "$dir/a" >"$dir/a.there" 2>>"$dir/err"
check "what this build wrote, the other restores: leases and arms (tokens too)" \
	"$(cmp -s "$dir/a.here" "$dir/a.there"; echo $?)"
there dump "$dir/b" >"$dir/b.there" && here dump "$dir/b" >"$dir/b.here" 2>>"$dir/err"
check "what the other wrote, this build restores" "$(cmp -s "$dir/b.here" "$dir/b.there"; echo $?)"
there append "$dir/a" >/dev/null 2>>"$dir/err" && here dump "$dir/a" >"$dir/a2.here"
grep -q '^lease 198\.18\.0\.99 state 2 ' "$dir/a2.here" &&
	grep -q "^arm 525400aabbcc entry 'appended'" "$dir/a2.here" &&
	grep -q '^leases 9$' "$dir/a2.here" && grep -q '^arms 4$' "$dir/a2.here"
check "the other CPU appends to this build's files, this build reads it all back" $?
here append "$dir/b" >/dev/null 2>>"$dir/err" && there dump "$dir/b" >"$dir/b2.there"
grep -q '^lease 198\.18\.0\.99 state 2 ' "$dir/b2.there" && grep -q '^leases 9$' "$dir/b2.there"
check "and the reverse" $?
[ ! -s "$dir/err" ] || sed 's/^/# /' "$dir/err"
tap_done
