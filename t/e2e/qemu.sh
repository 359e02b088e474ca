# shellcheck shell=bash
# shellcheck disable=SC2054,SC2119,SC2120  # commas are QEMU option syntax; optional args
# QEMU helpers for the pxeboot end-to-end tests.  Source this file:
#
#   . t/e2e/qemu.sh
#
# Functions:
#   pxb_qemu_accel [VMLINUZ [INITRD]]
#       Prints "kvm" or "tcg" on stdout (and a note saying which and why on
#       stderr).  kvm is used only if it really boots: the payload kernel with
#       its initramfs (cmdline "pxb_probe") must print PXEBOOT-PROBE-OK and
#       iPXE (ipxe.lkrn) must reach "No more network devices", each within a
#       few seconds.  The answer is cached in $PXB_CACHE/qemu-accel.
#   pxb_qemu_run_bios NAME TAPDEV MAC SERIALLOG TIMEOUT [QEMU-ARGS...]
#       SeaBIOS + the NIC's iPXE ROM from ipxe-qemu, network boot only.
#   pxb_qemu_run_uefi NAME TAPDEV MAC SERIALLOG TIMEOUT [QEMU-ARGS...]
#       OVMF (OVMF_CODE_4M.fd + a private copy of OVMF_VARS_4M.fd), NIC
#       without option ROM so OVMF's own PXE / HTTP Boot is used, IPv6 PXE off.
#   Both run QEMU headless (-display none), serial console to SERIALLOG,
#   -m 512 -smp 1 -no-reboot, bounded by timeout(1) after TIMEOUT seconds.
#   TAPDEV "" or "none" means no NIC.  If $PXB_NETNS is set (see net.sh),
#   QEMU runs inside that namespace (ip netns exec), where the tap lives.
#   Foreground by default: returns QEMU's status (124 = timed out).
#   With PXB_QEMU_BG=1 it starts QEMU in the background, sets PXB_QEMU_PID
#   (the timeout(1) process, which forwards signals to QEMU) and returns 0.
#   pxb_qemu_stop [PID]
#       Stops a background QEMU (default $PXB_QEMU_PID), bounded.
#   pxb_wait_log LOG TIMEOUT REGEX
#       Polls LOG until a line matches REGEX (grep -E); prints that line.
#       0 = found, 2 = timed out, 3 = QEMU ($PXB_QEMU_PID) exited first.
#   pxb_wait_marker LOG TIMEOUT
#       Waits for PXEBOOT-RESCUE-OK / PXEBOOT-RESCUE-FAIL, prints the line.
#       0 = OK, 1 = FAIL, 2 = timed out, 3 = QEMU exited without a marker.
#
# Environment:
#   PXB_CACHE          cache dir (default /var/cache/pxeboot-test)
#   PXB_ACCEL          force kvm or tcg (skips the probe)
#   PXB_PAYLOAD        payload OUTDIR from build-payload.sh (kernel for the probe)
#   PXB_PAYLOAD_VER    payload version (default 6.1.1)
#   PXB_NETNS          network namespace to run QEMU in (set by net.sh)
#   PXB_QEMU           qemu binary (default qemu-system-x86_64)
#   PXB_QEMU_NIC       virtio (default) or e1000, or a QEMU device model name
#   PXB_QEMU_ROM       BIOS: option ROM file for the NIC (default: QEMU's own
#                      default, which is ipxe-qemu's ROM from /usr/lib/ipxe/qemu)
#   PXB_QEMU_MEM       memory in MiB (default 512)
#   PXB_QEMU_CONSOLE=1 also copy the serial console to the terminal (stdout)
#   PXB_QEMU_BG=1      start in the background (see above)
#   PXB_QEMU_WORKDIR   where per-VM files go (default: the SERIALLOG's directory)
#   PXB_QEMU_EXTRA     extra QEMU arguments (word-split)
#   PXB_OVMF_CODE, PXB_OVMF_VARS   UEFI firmware and variable store template
#   PXB_QEMU_SECBOOT=1 UEFI: Secure Boot firmware (OVMF_CODE_4M.secboot.fd +
#                      OVMF_VARS_4M.ms.fd with Microsoft keys, q35 + SMM)
#   PXB_UEFI_HTTP=1    UEFI: IPv4PXESupport=n, so only UEFI HTTP Boot is tried

: "${PXB_CACHE:=/var/cache/pxeboot-test}"
: "${PXB_QEMU:=qemu-system-x86_64}"

_pxb_qemu_note() { echo "pxb-qemu: $*" >&2; }

# _pxb_qemu_probe_one ACCEL LOG TIMEOUT REGEX QEMU-ARGS...: boot something
# small and watch LOG for REGEX; 0 if seen within TIMEOUT seconds.
_pxb_qemu_probe_one() {
    local accel=$1 log=$2 t=$3 re=$4 pid i rc=1
    shift 4
    rm -f "$log"
    timeout -k 2 "$t" "$PXB_QEMU" -accel "$accel" -m 256 -smp 1 -display none \
        -monitor none -nic none -no-reboot -serial "file:$log" "$@" \
        </dev/null >/dev/null 2>&1 &
    pid=$!
    for ((i = 0; i < t * 5; i++)); do
        if [ -f "$log" ] && grep -aqE "$re" "$log"; then rc=0; break; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    [ $rc = 0 ] || { [ -f "$log" ] && grep -aqE "$re" "$log" && rc=0; }
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return $rc
}

pxb_qemu_accel() {
    local kernel=${1:-} initrd=${2:-} key cache tmp why=
    if [ -n "${PXB_ACCEL:-}" ]; then
        _pxb_qemu_note "accel: $PXB_ACCEL (from PXB_ACCEL)"
        echo "$PXB_ACCEL"
        return 0
    fi
    key="$(uname -r) $("$PXB_QEMU" --version | head -n1)"
    cache="$PXB_CACHE/qemu-accel"
    if [ -f "$cache" ] && [ "$(sed -n 1p "$cache")" = "$key" ]; then
        _pxb_qemu_note "accel: $(sed -n 2p "$cache") (cached in $cache)"
        sed -n 2p "$cache"
        return 0
    fi
    if [ -z "$kernel" ] && [ -n "${PXB_PAYLOAD:-}" ]; then
        kernel="$PXB_PAYLOAD/sysresccd/${PXB_PAYLOAD_VER:-6.1.1}/boot/x86_64/vmlinuz"
        initrd="$PXB_PAYLOAD/sysresccd/${PXB_PAYLOAD_VER:-6.1.1}/boot/x86_64/sysresccd.img"
    fi
    local accel=tcg
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/pxb-accel.XXXXXX")
    printf '\xf8\x03' >"$tmp/sercon"
    if [ ! -w /dev/kvm ]; then
        why="no usable /dev/kvm"
    elif [ -n "$kernel" ] && [ -f "$kernel" ] && [ -n "$initrd" ] && [ -f "$initrd" ] &&
         ! _pxb_qemu_probe_one kvm "$tmp/kernel.log" 20 'PXEBOOT-PROBE-OK' \
             -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 panic=-1 pxb_probe"; then
        why="kvm did not boot the payload kernel within 20 s"
    elif [ -n "$kernel" ] && [ -f "$kernel" ] && [ -z "$initrd" ] &&
         ! _pxb_qemu_probe_one kvm "$tmp/kernel.log" 20 'Linux version' \
             -kernel "$kernel" -append "console=ttyS0 panic=-1"; then
        why="kvm did not boot the kernel within 20 s"
    elif ! _pxb_qemu_probe_one kvm "$tmp/ipxe.log" 20 'No more network devices' \
             -fw_cfg name=etc/sercon-port,file="$tmp/sercon" -kernel /usr/lib/ipxe/ipxe.lkrn; then
        why="kvm did not run iPXE within 20 s"
    else
        accel=kvm why="kvm boots the kernel and iPXE"
    fi
    rm -rf "$tmp"
    _pxb_qemu_note "accel: $accel ($why)"
    { mkdir -p "$PXB_CACHE" && printf '%s\n%s\n' "$key" "$accel" >"$cache"; } 2>/dev/null || true
    echo "$accel"
}

# Common part: _pxb_qemu_run NAME LOG TIMEOUT QEMU-ARGS...
_pxb_qemu_run() {
    local name=$1 log=$2 t=$3 accel
    shift 3
    if [ -n "${_PXB_QEMU_ACCEL:-}" ]; then accel=$_PXB_QEMU_ACCEL
    else accel=$(pxb_qemu_accel) || return 1; _PXB_QEMU_ACCEL=$accel; fi
    local -a cmd=()
    [ -n "${PXB_NETNS:-}" ] && cmd=(ip netns exec "$PXB_NETNS")
    cmd+=("$PXB_QEMU" -name "$name" -accel "$accel" -m "${PXB_QEMU_MEM:-512}" -smp 1
          -display none -monitor none -no-reboot)
    if [ "${PXB_QEMU_CONSOLE:-0}" = 1 ]; then
        cmd+=(-chardev "stdio,id=ser0,signal=off,logfile=$log" -serial chardev:ser0)
    else
        cmd+=(-serial "file:$log")
    fi
    # shellcheck disable=SC2206
    cmd+=("$@" ${PXB_QEMU_EXTRA:-})
    : >"$log"
    _pxb_qemu_note "$name: ${cmd[*]}"
    if [ "${PXB_QEMU_BG:-0}" = 1 ]; then
        timeout -k 5 "$t" "${cmd[@]}" </dev/null &
        PXB_QEMU_PID=$!
        return 0
    fi
    timeout -k 5 "$t" "${cmd[@]}" </dev/null
}

# _pxb_qemu_nic_model -> QEMU device model for $PXB_QEMU_NIC
_pxb_qemu_nic_model() {
    case ${PXB_QEMU_NIC:-virtio} in
        virtio|virtio-net|virtio-net-pci) echo virtio-net-pci ;;
        e1000) echo e1000 ;;
        *) echo "$PXB_QEMU_NIC" ;;
    esac
}

pxb_qemu_run_bios() {
    [ $# -ge 5 ] || { echo "usage: pxb_qemu_run_bios NAME TAPDEV MAC SERIALLOG TIMEOUT [ARGS...]" >&2; return 2; }
    local name=$1 tap=$2 mac=$3 log=$4 t=$5 model rom wd
    shift 5
    wd=${PXB_QEMU_WORKDIR:-$(dirname "$log")}
    mkdir -p "$wd"
    printf '\xf8\x03' >"$wd/$name.sercon"   # COM1 0x3f8, little endian
    local -a a=(-fw_cfg "name=etc/sercon-port,file=$wd/$name.sercon"
                -boot order=n,strict=on,reboot-timeout=1000)
    if [ -n "$tap" ] && [ "$tap" != none ]; then
        model=$(_pxb_qemu_nic_model)
        # QEMU's default ROM for the model is ipxe-qemu's (efi-virtio.rom,
        # efi-e1000.rom in /usr/lib/ipxe/qemu).  Do not name it: QEMU patches
        # the PCI IDs only into default ROMs, and ipxe-qemu's virtio ROM says
        # 1af4:1041 while the (transitional) device is 1af4:1000, so with an
        # explicit romfile= SeaBIOS silently skips it.
        rom=
        [ -n "${PXB_QEMU_ROM:-}" ] && rom=",romfile=$PXB_QEMU_ROM"
        a+=(-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no"
            -device "$model,netdev=n0,mac=$mac$rom,bootindex=1")
    else
        a+=(-nic none)
    fi
    _pxb_qemu_run "$name" "$log" "$t" "${a[@]}" "$@" 2> >(grep --line-buffered -v 'should be prefixed with "opt/"' >&2)
}

pxb_qemu_run_uefi() {
    [ $# -ge 5 ] || { echo "usage: pxb_qemu_run_uefi NAME TAPDEV MAC SERIALLOG TIMEOUT [ARGS...]" >&2; return 2; }
    local name=$1 tap=$2 mac=$3 log=$4 t=$5 model wd code vars machine=q35
    shift 5
    wd=${PXB_QEMU_WORKDIR:-$(dirname "$log")}
    mkdir -p "$wd"
    local -a a=()
    if [ "${PXB_QEMU_SECBOOT:-0}" = 1 ]; then
        code=${PXB_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.secboot.fd}
        vars=${PXB_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.ms.fd}
        machine=q35,smm=on
        a+=(-global driver=cfi.pflash01,property=secure,value=on)
    else
        code=${PXB_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
        vars=${PXB_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
    fi
    cp -f "$vars" "$wd/$name.OVMF_VARS.fd"
    a+=(-machine "$machine"
        -drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
        -drive "if=pflash,format=raw,unit=1,file=$wd/$name.OVMF_VARS.fd"
        -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n)
    [ "${PXB_UEFI_HTTP:-0}" = 1 ] && a+=(-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n)
    if [ -n "$tap" ] && [ "$tap" != none ]; then
        model=$(_pxb_qemu_nic_model)
        a+=(-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no"
            -device "$model,netdev=n0,mac=$mac,romfile=,bootindex=1")
    else
        a+=(-nic none)
    fi
    _pxb_qemu_run "$name" "$log" "$t" "${a[@]}" "$@"
}

pxb_qemu_stop() {
    local pid=${1:-${PXB_QEMU_PID:-}} i
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 0
}

pxb_wait_log() {
    local log=$1 t=$2 re=$3 end line
    end=$((SECONDS + t))
    while :; do
        if [ -f "$log" ]; then
            line=$(grep -aoE "$re.*" "$log" | head -n1 | tr -d '\r' || true)
            if [ -n "$line" ]; then printf '%s\n' "$line"; return 0; fi
        fi
        if [ -n "${PXB_QEMU_PID:-}" ] && ! kill -0 "$PXB_QEMU_PID" 2>/dev/null; then
            line=$(grep -aoE "$re.*" "$log" 2>/dev/null | head -n1 | tr -d '\r' || true)
            if [ -n "$line" ]; then printf '%s\n' "$line"; return 0; fi
            return 3
        fi
        [ $SECONDS -lt $end ] || return 2
        sleep 0.5
    done
}

pxb_wait_marker() {
    local line rc
    line=$(pxb_wait_log "$1" "$2" 'PXEBOOT-RESCUE-(OK|FAIL)') && rc=0 || rc=$?
    [ $rc = 0 ] || return $rc
    printf '%s\n' "$line"
    case $line in PXEBOOT-RESCUE-OK*) return 0 ;; *) return 1 ;; esac
}
