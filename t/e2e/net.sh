# shellcheck shell=bash
# shellcheck disable=SC2034,SC2015,SC2119,SC2120  # variables are for the caller; optional args
# Test network for the pxeboot end-to-end tests.  Source this file:
#
#   . t/e2e/net.sh
#   pxb_net_setup            # namespace + bridge + one tap, cleanup trap set
#   pxb_net_spawn LOG cmd... # run a server inside the namespace, tracked
#   PXB_QEMU_BG=1 pxb_qemu_run_bios vm1 "$PXB_TAP" 52:54:00:12:34:56 ...
#
# Everything lives in one network namespace (name derived from $$), so
# nothing is visible on the host's own interfaces:
#   bridge $PXB_BRIDGE  STP off, forward delay 0, address $PXB_SERVER_IP/24
#   tap    $PXB_TAP     enslaved to the bridge, for QEMU (which must run in
#                       the namespace: ip netns exec $PXB_NETNS qemu...;
#                       qemu.sh does that when PXB_NETNS is set)
# Only addresses in 198.18.0.0/15 are used.
#
# Functions:
#   pxb_net_setup            create namespace, bridge, tap; trap cleanup on
#                            EXIT INT TERM.  Sets PXB_NETNS PXB_BRIDGE PXB_TAP
#                            PXB_SERVER_IP PXB_NET_PREFIX PXB_NET_CIDR.
#   pxb_net_add_tap [NAME]   add another tap on the bridge; prints its name
#   pxb_net_exec CMD...      run CMD in the namespace (foreground)
#   pxb_net_spawn LOG CMD... start CMD in the namespace in the background,
#                            output to LOG; PXB_LAST_PID = its PID (the
#                            command itself, not a subshell); killed at cleanup
#   pxb_net_track_pid PID    kill PID at cleanup
#   pxb_net_track_path PATH  rm -rf PATH at cleanup
#   pxb_net_wait_port PROTO PORT TIMEOUT
#                            wait until something listens on PROTO (tcp|udp)
#                            PORT in the namespace; 0 = yes, 1 = timed out
#   pxb_net_cleanup          kill tracked PIDs (TERM, then KILL after 5 s),
#                            delete the namespace and what is in it, remove
#                            tracked paths.  Idempotent.
#
# Environment:
#   PXB_NET_PREFIX   first three octets of the /24 (default 198.18.0); must
#                    be inside 198.18.0.0/15.  The server is PREFIX.1.
#   PXB_NET_NOTRAP=1 do not install the trap (caller calls pxb_net_cleanup)

_pxb_net_note() { echo "pxb-net: $*" >&2; }

_PXB_NET_PIDS=()
_PXB_NET_PATHS=()
_PXB_NET_SEQ=0
_PXB_NET_TAPS=0

pxb_net_track_pid() { _PXB_NET_PIDS+=("$1"); }
pxb_net_track_path() { _PXB_NET_PATHS+=("$1"); }

pxb_net_cleanup() {
    local pid i
    for pid in "${_PXB_NET_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${_PXB_NET_PIDS[@]}"; do
        for ((i = 0; i < 25; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    _PXB_NET_PIDS=()
    if [ -n "${PXB_NETNS:-}" ] && [ -e "/run/netns/$PXB_NETNS" ]; then
        # Anything still running in the namespace was started by us.
        for pid in $(ip netns pids "$PXB_NETNS" 2>/dev/null); do
            kill -9 "$pid" 2>/dev/null || true
        done
        ip netns delete "$PXB_NETNS" 2>/dev/null || true
        _pxb_net_note "removed namespace $PXB_NETNS"
    fi
    PXB_NETNS=
    for i in "${_PXB_NET_PATHS[@]}"; do
        rm -rf -- "$i"
    done
    _PXB_NET_PATHS=()
    return 0
}

pxb_net_setup() {
    local prefix=${PXB_NET_PREFIX:-198.18.0}
    case $prefix in
        198.18.[0-9]|198.18.[0-9][0-9]|198.18.[0-9][0-9][0-9]|198.19.[0-9]|198.19.[0-9][0-9]|198.19.[0-9][0-9][0-9]) ;;
        *) _pxb_net_note "PXB_NET_PREFIX=$prefix is not inside 198.18.0.0/15"; return 1 ;;
    esac
    _PXB_NET_SEQ=$((_PXB_NET_SEQ + 1))
    PXB_NETNS="pxb-$$-$_PXB_NET_SEQ"
    PXB_BRIDGE=pxbbr0
    PXB_NET_PREFIX=$prefix
    PXB_SERVER_IP=$prefix.1
    PXB_NET_CIDR=$prefix.0/24
    if [ "${PXB_NET_NOTRAP:-0}" != 1 ]; then
        trap 'pxb_net_cleanup' EXIT
        trap 'pxb_net_cleanup; trap - EXIT; exit 130' INT
        trap 'pxb_net_cleanup; trap - EXIT; exit 143' TERM
    fi
    ip netns add "$PXB_NETNS" || { PXB_NETNS=; return 1; }
    ip -n "$PXB_NETNS" link set lo up &&
    ip -n "$PXB_NETNS" link add "$PXB_BRIDGE" type bridge stp_state 0 forward_delay 0 &&
    ip -n "$PXB_NETNS" addr add "$PXB_SERVER_IP/24" dev "$PXB_BRIDGE" &&
    ip -n "$PXB_NETNS" link set "$PXB_BRIDGE" up || { pxb_net_cleanup; return 1; }
    PXB_TAP=$(pxb_net_add_tap) || { pxb_net_cleanup; return 1; }
    _pxb_net_note "namespace $PXB_NETNS: bridge $PXB_BRIDGE $PXB_SERVER_IP/24, tap $PXB_TAP"
    return 0
}

pxb_net_add_tap() {
    local tap=${1:-}
    if [ -z "$tap" ]; then
        tap=pxbtap$_PXB_NET_TAPS
        while ip -n "$PXB_NETNS" link show "$tap" >/dev/null 2>&1; do
            _PXB_NET_TAPS=$((_PXB_NET_TAPS + 1)); tap=pxbtap$_PXB_NET_TAPS
        done
    fi
    ip -n "$PXB_NETNS" tuntap add dev "$tap" mode tap &&
    ip -n "$PXB_NETNS" link set "$tap" master "$PXB_BRIDGE" &&
    ip -n "$PXB_NETNS" link set "$tap" up || return 1
    echo "$tap"
}

pxb_net_exec() {
    ip netns exec "$PXB_NETNS" "$@"
}

pxb_net_spawn() {
    local log=$1
    shift
    # A bare "ip netns exec" in the background: ip execs the command, so $!
    # is the daemon's own PID.
    ip netns exec "$PXB_NETNS" "$@" </dev/null >"$log" 2>&1 &
    PXB_LAST_PID=$!
    pxb_net_track_pid "$PXB_LAST_PID"
    return 0
}

pxb_net_wait_port() {
    local proto=$1 port=$2 t=$3 end flag
    case $proto in tcp) flag=-ltnH ;; udp) flag=-lunH ;; *) return 2 ;; esac
    end=$((SECONDS + t))
    while :; do
        if ip netns exec "$PXB_NETNS" ss "$flag" "sport = :$port" 2>/dev/null | grep -q .; then
            return 0
        fi
        [ $SECONDS -lt $end ] || return 1
        sleep 0.2
    done
}
