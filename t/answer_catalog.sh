#!/bin/bash
# answer_catalog.sh - the installers the catalogs find, installing unattended
# through pxebootd in private network namespaces: an Ubuntu live-server ISO
# and a live-server tree (casper/ beside its image) get an install entry of
# family autoinstall, a Fedora netinst ISO one of family kickstart. The host
# (address from pxebootd's DHCP, udhcpc) gets a menu whose install entries
# carry "autoinstall ds=nocloud-net;s=URL/" and "inst.ks=URL"; the URL the
# kernel is given serves cloud-init NoCloud's user-data (the template
# rendered for this host) and meta-data to that host only, the kickstart
# too; pxebootctl's install API defaults its next menu to the catalog's
# install entry, and the kernel and initrd it names are served.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/netns.sh"
[ -x "$PXEBOOTD" ] || tap_skip_all "pxebootd is not built"
for p in http ipxe catalog-iso catalog-dir; do
	[ -f "$PXB_PLUGIN_DIR/$p.so" ] || tap_skip_all "the $p plugin is not built"
done
command -v curl >/dev/null || tap_skip_all "curl is not installed"
command -v xorriso >/dev/null || tap_skip_all "xorriso is not installed"
bb=$(command -v busybox) || tap_skip_all "needs busybox (udhcpc)"
netns_require

d=$(scratch_dir)
mkdir -p "$d/root/boot" "$d/iso" "$d/state"
mkiso() { xorriso -as mkisofs -R -V "$3" -o "$2" "$1" >/dev/null 2>&1; }

# An Ubuntu live server: casper's kernel and initrd, subiquity's layers.
u="$d/t-server"
mkdir -p "$u/casper"
echo "casper kernel" >"$u/casper/vmlinuz"
echo "casper initrd" >"$u/casper/initrd"
echo "layer" >"$u/casper/ubuntu-server-minimal.squashfs"
echo "sources" >"$u/casper/install-sources.yaml"
mkiso "$u" "$d/iso/ubuntu-24.04-live-server-amd64.iso" "Ubuntu-Server 24.04 LTS amd64"
# The same extracted in a tree, beside its image.
mkdir -p "$d/root/boot/noble"
cp -r "$u/casper" "$d/root/boot/noble/"
cp "$d/iso/ubuntu-24.04-live-server-amd64.iso" "$d/root/boot/noble/"
# A Fedora netinst: images/pxeboot/ and the stage 2.
f="$d/t-fedora"
mkdir -p "$f/images/pxeboot"
echo "anaconda kernel" >"$f/images/pxeboot/vmlinuz"
echo "anaconda initrd" >"$f/images/pxeboot/initrd.img"
echo "stage2" >"$f/images/install.img"
mkiso "$f" "$d/iso/Fedora-Server-netinst-x86_64-40.iso" "Fedora-S-dvd-x86_64-40"

cat >"$d/user-data" <<'EOF2'
#cloud-config
autoinstall:
  version: 1
  identity: {hostname: ${hostname}, username: admin, password: "${root_hash}"}
  late-commands:
    - curl -s ${done_url}
EOF2
printf 'network --hostname=${hostname}\nrootpw --iscrypted ${root_hash}\n' >"$d/ks.cfg"

MAC=52:54:00:00:0d:01
MACD=52-54-00-00-0d-01
FOREIGN=198.18.0.99
SECRET='$6$saltsalt$autoinstallhash'
netns_make srv
netns_make cli
netns_link srv cli 198.18.0.1/24 198.18.0.2/24 || { check "test network" 1; tap_done; exit 1; }
netns_exec cli ip addr flush dev vcli
netns_exec cli ip link set vcli address "$MAC"

cat >"$d/pxeboot.conf" <<EOF2
plugins = ["http", "ipxe", "catalog-iso", "catalog-dir"];
state_dir = "$d/state";
tftp = { enable = false; root = "$d/root"; };
http = { root = "$d/root"; listen = "198.18.0.1:80"; api_token = "test-token"; };
dhcp = { mode = "server"; interfaces = ["vsrv"]; lease_time = "10m";
  subnets = ( { network = "198.18.0.0/24"; pool_start = "198.18.0.100";
                pool_end = "198.18.0.150"; } );
  hosts = ( { name = "labpc"; mac = "$MAC";
              vars = { hostname = "web-21"; root_hash = "$SECRET"; }; } ); };
menu = { timeout = 0; items = ["*", "-", "local", "exit"]; };
install = { timeout = 2; };
iso = { dirs = ["$d/iso"]; autoinstall = "$d/user-data"; kickstart_answer = "$d/ks.cfg"; };
catalog = { dirs = ["/boot"]; autoinstall = "$d/user-data"; };
EOF2

B="http://198.18.0.1"
UID_ISO=ubuntu-24.04-live-server-amd64-autoinstall
auth=(-H "Authorization: Bearer test-token")
from() { local ip=$1; shift; netns_exec cli timeout 10 curl -s --interface "$ip" "$@"; }
code_from() { local ip=$1; shift; from "$ip" -o /dev/null -w "%{http_code}" "$@"; }

ok "pxebootd -t accepts the catalogs' answer templates" \
	"$PXEBOOTD" -t -P "$PXB_PLUGIN_DIR" -c "$d/pxeboot.conf" -o allow_root=true
start_pxebootd_in "$NS_srv" "$d/log" -d -c "$d/pxeboot.conf"
if ! wait_for 10 grep -q "dhcp: serving in server mode" "$d/log" ||
   ! wait_for 10 grep -q "listening on 198.18.0.1:80" "$d/log"; then
	check "pxebootd starts in the namespace" 1; sed 's/^/# /' "$d/log"; tap_done; exit 1
fi

cat >"$d/udhcpc.sh" <<'SH'
#!/bin/sh
case "$1" in bound|renew) ip addr replace "$ip/24" dev "$interface"; echo "ip=$ip" >"$OUT";; esac
SH
chmod +x "$d/udhcpc.sh"
OUT="$d/u.out" netns_exec cli timeout 20 "$bb" udhcpc -i vcli -n -q -f -t 4 -T 2 \
	-s "$d/udhcpc.sh" >"$d/u.log" 2>&1
cip=$(sed -n 's/^ip=//p' "$d/u.out" 2>/dev/null)
ok "the host gets an address by DHCP" sh -c "echo '$cip' | grep -q '^198.18.0.1[0-5][0-9]$'"
netns_exec cli ip addr add "$FOREIGN/24" dev vcli
wait_for 5 sh -c "[ \"\$(ip netns exec '$NS_cli' ip -4 addr show dev vcli | grep -c inet)\" -ge 2 ]"

from "$cip" "$B/menu.ipxe" >"$d/menu.ipxe"
ok "the menu offers the live-server ISO's installer" \
	grep -q "Ubuntu Server installer (Ubuntu-Server 24.04 LTS amd64)" "$d/menu.ipxe"
ok "... and its unattended install" \
	grep -q "item $UID_ISO Ubuntu Server unattended install" "$d/menu.ipxe"
S_ISO="$B/answer/$UID_ISO/$MACD/"
ok "... booting the image with autoinstall ds=nocloud-net;s=<the host's answer URL>/" \
	grep -qF "boot=casper ip=dhcp url=$B/iso/ubuntu-24.04-live-server-amd64.iso autoinstall ds=nocloud-net;s=$S_ISO" "$d/menu.ipxe"
s_tree=$(grep -o "url=$B/boot/noble/ubuntu-24.04-live-server-amd64.iso autoinstall ds=nocloud-net;s=[^ ]*" "$d/menu.ipxe" | sed 's/.*;s=//')
is "the tree's unattended install: its own answer URL" "$s_tree" "$B/answer/noble-autoinstall/$MACD/"
ok "the Fedora ISO's installer: inst.stage2= the image's files, inst.ks= the host's answer URL" \
	grep -qF "inst.stage2=$B/iso/Fedora-Server-netinst-x86_64-40 ip=dhcp inst.ks=$B/answer/Fedora-Server-netinst-x86_64-40/$MACD" "$d/menu.ipxe"

# What cloud-init's NoCloud fetches: ${s}user-data and ${s}meta-data.
s_iso=$(grep -o "ds=nocloud-net;s=$B/answer/$UID_ISO/[^ ]*" "$d/menu.ipxe" | head -1 | sed 's/.*;s=//')
from "$cip" "${s_iso}user-data" >"$d/user-data.out"
ok "user-data at the URL the kernel got: the template rendered for this host" \
	grep -q "^  identity: {hostname: web-21, username: admin, password: \"\\\$6\\\$saltsalt\\\$autoinstallhash\"}$" "$d/user-data.out"
ok "... its callback URL" grep -qF -- "- curl -s $B/answer/$UID_ISO/$MACD/done" "$d/user-data.out"
is "meta-data at the same URL" "$(from "$cip" "${s_iso}meta-data")" "instance-id: pxeboot-525400000d01"
from "$cip" "${s_tree}user-data" >"$d/user-data-tree.out"
ok "the tree's user-data too" grep -q "hostname: web-21," "$d/user-data-tree.out"
is "user-data from another address: 403" "$(code_from "$FOREIGN" "${s_iso}user-data")" 403
is "meta-data from another address: 403" "$(code_from "$FOREIGN" "${s_iso}meta-data")" 403
from "$cip" "$B/answer/Fedora-Server-netinst-x86_64-40/$MACD" >"$d/ks.out"
ok "the kickstart rendered for this host" grep -q "^network --hostname=web-21$" "$d/ks.out"
ok "the log never holds the answers' secrets" sh -c "! grep -qF 'autoinstallhash' '$d/log'"

# The install API makes the catalog's entry the host's next boot.
is "install labpc --entry $UID_ISO: 201" \
	"$(code_from "$cip" -X POST "${auth[@]}" "$B/_pxeboot/installs/labpc?entry=$UID_ISO&for=1h")" 201
from "$cip" "$B/menu.ipxe" >"$d/menu2.ipxe"
ok "the next menu defaults to the unattended install" grep -q "choose --default $UID_ISO" "$d/menu2.ipxe"
is "the casper kernel it boots is served from the image" \
	"$(from "$cip" "$B/iso/ubuntu-24.04-live-server-amd64/casper/vmlinuz")" "casper kernel"
is "the image url= names is served" \
	"$(code_from "$cip" "$B/iso/ubuntu-24.04-live-server-amd64.iso")" 200
is "the callback in user-data records the install: 200" "$(code_from "$cip" "$B/answer/$UID_ISO/$MACD/done")" 200
ok "the log says the install finished" grep -q "install of $MAC (entry $UID_ISO) finished" "$d/log"
kill "$PXBD_PID" 2>/dev/null
wait "$PXBD_PID" 2>/dev/null
tap_done
