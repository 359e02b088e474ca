#!/bin/bash
# settings.sh - regenerates the settings reference of pxeboot.conf.5 (between
# the BEGIN/END SETTINGS markers) from `pxebootd -S`, the schema itself, so
# the page names every setting with its type and default. From a build dir:
#   bash $srcdir/man/settings.sh ./daemon/pxebootd plugins/.libs $srcdir/man/pxeboot.conf.5
set -eu
pxebootd=$1 pdir=$2 page=$3
plugins=$(cd "$pdir" && ls *.so | sed 's/\.so$//' | paste -sd, -)
esc() { sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/" <<<"$1"; }
ref=$(mktemp)
trap 'rm -f "$ref"' EXIT
"$pxebootd" -S -P "$pdir" -o plugins="$plugins" | sort -s -t$'\t' -k1,1 |
while IFS=$'\t' read -r name type def doc; do
	[ "$def" = "-" ] && def="(none)"
	printf '.TP\n.B %s\n(%s, default \\fB%s\\fR)\n%s\n' "$(esc "$name")" "$type" "$(esc "$def")" "$(esc "$doc")"
done >"$ref"
awk -v ref="$ref" '
	/^\.\\" BEGIN SETTINGS/ { print; while ((getline l < ref) > 0) print l; skip = 1; next }
	/^\.\\" END SETTINGS/ { skip = 0 }
	!skip { print }' "$page" >"$page.new"
mv "$page.new" "$page"
