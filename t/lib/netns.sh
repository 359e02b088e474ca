# netns.sh - private test networks: network namespaces joined by veth pairs
# or a bridge, addresses in 198.18.0.0/15 only, everything removed at exit.
# Needs root (ip netns). Nothing here touches the machine's own interfaces.
#
#   . t/lib/netns.sh
#   netns_require             # SKIPs the test when namespaces are unavailable
#   netns_make srv            # -> $NS_srv (a namespace name unique to this run)
#   netns_link srv cli 198.18.0.1/24 198.18.0.2/24   # veth pair srv<->cli
#   netns_bridge lan br0 ""; netns_port lan br0 cli 198.18.0.2/24   # a port on a bridge
#   netns_exec srv CMD...

_netns_list=""
NETNS_TAG="pxb$$"

netns_require() {
	[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root for network namespaces"
	command -v ip >/dev/null || tap_skip_all "needs iproute2"
	ip netns add "${NETNS_TAG}probe" 2>/dev/null || tap_skip_all "cannot create network namespaces"
	ip netns del "${NETNS_TAG}probe"
}

_netns_cleanup() {
	local ns pid
	for ns in $_netns_list; do
		# Processes still inside are ours (the test started them there).
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	_netns_list=""
}

# netns_make NAME: creates namespace "$NETNS_TAG-NAME", exports NS_NAME.
netns_make() {
	local ns="${NETNS_TAG}-$1"
	ip netns add "$ns" || return 1
	_netns_list="$_netns_list $ns"
	[ -n "${_netns_trap_set:-}" ] || { at_exit _netns_cleanup; _netns_trap_set=1; }
	ip -n "$ns" link set lo up
	eval "NS_$1=$ns"
}

netns_exec() {
	local ns; eval "ns=\$NS_$1"; shift
	ip netns exec "$ns" "$@"
}

# netns_link A B ADDR_A ADDR_B: veth pair, interfaces named vA (in A) and vB (in B).
netns_link() {
	local a b; eval "a=\$NS_$1"; eval "b=\$NS_$2"
	case "$3$4" in *198.1[89].*) ;; *) echo "netns_link: addresses must be in 198.18.0.0/15" >&2; return 1;; esac
	ip link add "v$1" netns "$a" type veth peer name "v$2" netns "$b" || return 1
	ip -n "$a" addr add "$3" dev "v$1"
	ip -n "$b" addr add "$4" dev "v$2"
	ip -n "$a" link set "v$1" up
	ip -n "$b" link set "v$2" up
}

# netns_bridge NS BR ADDR: a bridge inside NS (STP off, no forward delay).
netns_bridge() {
	local ns; eval "ns=\$NS_$1"
	ip -n "$ns" link add "$2" type bridge stp_state 0 forward_delay 0 || return 1
	[ -n "$3" ] && ip -n "$ns" addr add "$3" dev "$2"
	ip -n "$ns" link set "$2" up
}

# netns_port BRNS BR NAME [ADDR]: veth vNAME in namespace NAME (with ADDR, if
# given), its peer pNAME a port of bridge BR in namespace BRNS.
netns_port() {
	local br ns; eval "br=\$NS_$1"; eval "ns=\$NS_$3"
	case "$4" in ""|198.1[89].*) ;; *) echo "netns_port: addresses must be in 198.18.0.0/15" >&2; return 1;; esac
	ip link add "v$3" netns "$ns" type veth peer name "p$3" netns "$br" || return 1
	ip -n "$br" link set "p$3" master "$2" up
	[ -n "$4" ] && ip -n "$ns" addr add "$4" dev "v$3"
	ip -n "$ns" link set "v$3" up
}
