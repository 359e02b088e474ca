# bench/lib.sh - helpers for the benchmark scripts: a private network
# namespace, one cgroup per server (CPU time and peak memory), starting and
# stopping servers by the PIDs we started, medians. Sourced, not run.
#
# Needs root (ip netns, cgroups). Everything made here is named
# pxb-bench-<pid of the script> and removed by bench_cleanup.

BENCH_ID="pxb-bench-$$"
NS="$BENCH_ID"
CG_CPU=/sys/fs/cgroup/cpuacct
CG_MEM=/sys/fs/cgroup/memory
CG_OK=0
declare -A SRV_PID=()   # server name -> PID we started
BENCH_PIDS=()           # every other PID we started in the background

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

netns_up() {
	ip netns add "$NS" || die "cannot create network namespace $NS (root needed)"
	ip -n "$NS" link set lo up
	local a
	for a in "$@"; do ip -n "$NS" addr add "$a" dev lo; done
}

# Runs a command inside the namespace (foreground).
nsx() { ip netns exec "$NS" "$@"; }

cg_init() {
	if mkdir -p "$CG_CPU/$BENCH_ID" "$CG_MEM/$BENCH_ID" 2>/dev/null &&
	   [ -w "$CG_CPU/$BENCH_ID" ] && [ -w "$CG_MEM/$BENCH_ID" ]; then
		CG_OK=1
	else
		CG_OK=0
		log "cgroups not writable: CPU from /proc/PID/stat (self + reaped children), memory from VmHWM"
	fi
}

# Starts a server in the namespace: srv_start NAME LOG CMD [ARG...].
# `ip netns exec` execs the command, so $! is the server's own PID. The
# process is moved to its cgroup from out here before any request reaches it
# (inside the namespace /sys is remounted and the cgroup tree is not there).
srv_start() {
	local name=$1 logf=$2; shift 2
	# The log goes through a pipe to a writer out of the server's cgroup, so
	# the log file's page cache is not counted as the server's memory.
	ip netns exec "$NS" "$@" > >(cat >"$logf") 2>&1 &
	SRV_PID[$name]=$!
	if [ "$CG_OK" = 1 ]; then
		mkdir -p "$CG_CPU/$BENCH_ID/$name" "$CG_MEM/$BENCH_ID/$name"
		echo "${SRV_PID[$name]}" >"$CG_CPU/$BENCH_ID/$name/cgroup.procs"
		echo "${SRV_PID[$name]}" >"$CG_MEM/$BENCH_ID/$name/cgroup.procs"
	fi
}

# The server's process and what it forked (from its cgroup, else its own PID).
srv_pids() {
	local name=$1
	if [ "$CG_OK" = 1 ] && [ -f "$CG_CPU/$BENCH_ID/$name/cgroup.procs" ]; then
		cat "$CG_CPU/$BENCH_ID/$name/cgroup.procs"
	elif [ -n "${SRV_PID[$name]:-}" ]; then
		echo "${SRV_PID[$name]}"
	fi
}

srv_alive() { [ -n "${SRV_PID[$1]:-}" ] && kill -0 "${SRV_PID[$1]}" 2>/dev/null; }

# Stops a server: SIGTERM, then SIGKILL after 10 s (valgrind needs time to dump).
srv_stop() {
	local name=$1 p i
	[ -n "${SRV_PID[$name]:-}" ] || return 0
	for p in $(srv_pids "$name"); do kill -TERM "$p" 2>/dev/null; done
	for i in $(seq 100); do
		kill -0 "${SRV_PID[$name]}" 2>/dev/null || break
		sleep 0.1
	done
	for p in $(srv_pids "$name"); do kill -KILL "$p" 2>/dev/null; done
	wait "${SRV_PID[$name]}" 2>/dev/null
	unset "SRV_PID[$name]"
	if [ "$CG_OK" = 1 ]; then
		rmdir "$CG_CPU/$BENCH_ID/$name" "$CG_MEM/$BENCH_ID/$name" 2>/dev/null
	fi
	return 0
}

# CPU nanoseconds used so far by the server (and its reaped children).
srv_cpu_ns() {
	local name=$1
	if [ "$CG_OK" = 1 ]; then
		cat "$CG_CPU/$BENCH_ID/$name/cpuacct.usage"
	else
		local hz; hz=$(getconf CLK_TCK)
		awk -v hz="$hz" '{sub(/.*\) /, ""); t = $12 + $13 + $14 + $15} END {printf "%.0f\n", t * 1e9 / hz}' \
			"/proc/${SRV_PID[$name]}/stat"
	fi
}

# Forgets the memory peaks so far: the cgroup's, and each process's VmHWM
# (clear_refs 5), so an earlier big window does not count in a storm.
srv_mem_reset() {
	local p
	[ "$CG_OK" = 1 ] && echo 0 >"$CG_MEM/$BENCH_ID/$1/memory.max_usage_in_bytes"
	for p in $(srv_pids "$1"); do echo 5 >"/proc/$p/clear_refs" 2>/dev/null; done
	return 0
}

# Peak memory in bytes: the cgroup's peak (process tree, anonymous + kernel
# memory charged to it, page cache of files read first by it), or else the
# server process's VmHWM.
srv_mem_peak() {
	local name=$1
	if [ "$CG_OK" = 1 ]; then
		cat "$CG_MEM/$BENCH_ID/$name/memory.max_usage_in_bytes"
	else
		awk '/^VmHWM/ {print $2 * 1024}' "/proc/${SRV_PID[$name]}/status"
	fi
}

# VmHWM of the server's main process, bytes.
srv_hwm() { awk '/^VmHWM/ {print $2 * 1024}' "/proc/${SRV_PID[$1]}/status" 2>/dev/null; }

bench_cleanup() {
	local n p
	for n in "${!SRV_PID[@]}"; do srv_stop "$n"; done
	for p in "${BENCH_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	if [ "$CG_OK" = 1 ]; then
		# Anything still in our cgroups was started here (a server and
		# what it forked, e.g. one left by an interrupted subshell).
		for p in $(cat "$CG_CPU/$BENCH_ID"/*/cgroup.procs 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		sleep 0.2
		for n in "$CG_CPU/$BENCH_ID" "$CG_MEM/$BENCH_ID"; do
			[ -d "$n" ] || continue
			find "$n" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
			rmdir "$n" 2>/dev/null
		done
	fi
	return 0
}

# Median of the numbers on stdin (one a line); "-" when there are none.
median() {
	sort -g | awk '{v[NR] = $1} END {
		if (!NR) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Waits until a UDP port is bound in the namespace: wait_udp ADDR:PORT SECONDS.
wait_udp() {
	local i
	for i in $(seq $(($2 * 10))); do
		nsx ss -Huln 2>/dev/null | awk '{print $4}' | grep -qx "$1" && return 0
		sleep 0.1
	done
	return 1
}

# PXB: the command of pxebootd in build tree $1 (the real binary behind
# libtool's wrapper, with its library), or the script dies.
bench_find_pxebootd() {
	if [ -x "$1/daemon/.libs/pxebootd" ]; then
		PXB=(env "LD_LIBRARY_PATH=$1/lib/.libs" "$1/daemon/.libs/pxebootd")
	elif [ -x "$1/daemon/pxebootd" ]; then
		PXB=("$1/daemon/pxebootd")
	else
		die "no pxebootd in $1 (build first, or pass --build)"
	fi
}

# HPA: tftpd-hpa's in.tftpd, or "". Debian's atftpd also installs
# /usr/sbin/in.tftpd (a link to itself), so what answers -V decides;
# `apt-get download tftpd-hpa` and `dpkg-deb -x` give a private copy.
bench_find_hpa() {
	local c
	HPA=""
	for c in "${TFTPD_HPA:-}" /usr/sbin/in.tftpd /tmp/pxb-peers/root/usr/sbin/in.tftpd; do
		[ -n "$c" ] && [ -x "$c" ] && "$c" -V 2>&1 | grep -q tftp-hpa && { HPA=$c; return; }
	done
}

# lighttpd's configuration for the benches, on stdout: no modules, its default
# sendfile backend, keep-alive without a request limit, 1024 connections.
# bench_lighttpd_conf ROOT ADDR PORT DIR (pid file and error log go in DIR).
bench_lighttpd_conf() {
	cat <<CONF
server.document-root = "$1"
server.bind = "$2"
server.port = $3
server.pid-file = "$4/lighttpd.pid"
server.errorlog = "$4/error.log"
server.max-keep-alive-requests = 1000000
server.max-connections = 1024
mimetype.assign = ( ".bin" => "application/octet-stream" )
CONF
}
