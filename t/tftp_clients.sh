#!/bin/bash
# tftp_clients.sh - pxebootd's TFTP against real clients we did not write:
# tftp-hpa, atftp (with windowsize), curl (with blksize) and busybox tftp.
# Byte-identical downloads of 0 B to 40 MiB, traversal attempts refused
# without leaking local paths, a generated file with tsize, error 5 for a
# foreign port while the transfer goes on.
. "$top_srcdir/t/lib/common.sh"
d=$(scratch_dir)
root="$d/root"
mkdir -p "$root/sub" "$d/out"
echo "outside the root" >"$d/secret.txt"
ln -s ../secret.txt "$root/escape.txt"
ln -s /etc/passwd "$root/passwd"

sizes="0 511 512 513 1048577 41943040"
for s in $sizes; do head -c "$s" /dev/urandom >"$root/f$s"; done
cp "$root/f1048577" "$root/sub/nested.bin"

port=$(free_port udp)
cat >"$d/pxeboot.conf" <<CONF
plugins = ["example"];
tftp = { root = "$root"; listen = "127.0.0.1:$port"; max_blksize = 65464; max_windowsize = 64; };
http = { root = "$root"; };
CONF
start_pxebootd "$d/log" -c "$d/pxeboot.conf"
if ! wait_for 10 grep -q "tftp: listening" "$d/log"; then
	check "pxebootd serves TFTP" 1
	sed 's/^/# /' "$d/log"; tap_done; exit 1
fi

have() { command -v "$1" >/dev/null 2>&1; }
same() { cmp -s "$1" "$2"; }

# tftp-hpa: blksize 512 only.
if have tftp; then
	for s in $sizes; do
		rm -f "$d/out/x"
		(cd "$d/out" && timeout 120 tftp 127.0.0.1 "$port" -m binary -c get "f$s" x) >/dev/null 2>&1
		ok "tftp-hpa: f$s byte-identical" same "$root/f$s" "$d/out/x"
	done
	(cd "$d/out" && timeout 20 tftp 127.0.0.1 "$port" -m binary -c get /sub/nested.bin y) >/dev/null 2>&1
	ok "tftp-hpa: leading slash means the root" same "$root/sub/nested.bin" "$d/out/y"
else
	diag "tftp-hpa not installed"
fi

# atftp: blksize and windowsize (RFC 7440).
if have atftp; then
	for opt in "blksize 1468" "blksize 1468;windowsize 16" "blksize 8192;windowsize 8" "blksize 8"; do
		args=()
		IFS=';' read -ra parts <<<"$opt"
		for p in "${parts[@]}"; do args+=(--option "$p"); done
		for s in 0 513 1048577; do
			rm -f "$d/out/x"
			timeout 120 atftp "${args[@]}" -g -r "f$s" -l "$d/out/x" 127.0.0.1 "$port" >/dev/null 2>&1
			ok "atftp ($opt): f$s byte-identical" same "$root/f$s" "$d/out/x"
		done
	done
	rm -f "$d/out/x"
	timeout 120 atftp --option "blksize 1468" --option "windowsize 16" -g -r f41943040 -l "$d/out/x" 127.0.0.1 "$port" >/dev/null 2>&1
	ok "atftp (blksize 1468, windowsize 16): 40 MiB byte-identical" same "$root/f41943040" "$d/out/x"
	out=$(timeout 20 atftp --trace --option "tsize 0" -g -r hello.txt -l "$d/out/h" 127.0.0.1 "$port" 2>&1)
	tsize=$(sed -n 's/^received OACK.*tsize: *\([0-9]*\).*/\1/p' <<<"$out" | head -1)
	check "generated file carries tsize ($tsize bytes)" $([ -n "$tsize" ] && [ "$tsize" = "$(stat -c %s "$d/out/h")" ]; echo $?)
	ok "generated file content" grep -q "^Hello, " "$d/out/h"
else
	diag "atftp not installed"
fi

# curl: tftp:// with --tftp-blksize.
if have curl; then
	for b in 512 1468 8192 65464; do
		for s in 513 1048577; do
			timeout 120 curl -s --tftp-blksize "$b" -o "$d/out/c" "tftp://127.0.0.1:$port/f$s"
			ok "curl (blksize $b): f$s byte-identical" same "$root/f$s" "$d/out/c"
		done
	done
	# curl 7.88 rejects an OACK with tsize=0 ("invalid tsize"), from any
	# server, so the empty file is fetched without asking for tsize there.
fi

# busybox tftp: -b blksize.
bb=$(command -v busybox || true)
if [ -n "$bb" ] && "$bb" tftp 2>&1 | grep -q blksize; then
	for s in 512 1048577; do
		rm -f "$d/out/b"
		timeout 120 "$bb" tftp -b 1432 -g -r "f$s" -l "$d/out/b" 127.0.0.1 "$port" >/dev/null 2>&1
		ok "busybox tftp (blksize 1432): f$s byte-identical" same "$root/f$s" "$d/out/b"
	done
fi

# Escapes: every attempt is refused, and the error text has no local path.
for name in ../secret.txt ../../etc/passwd '..\\secret.txt' escape.txt passwd /etc/passwd sub/../../secret.txt; do
	rm -f "$d/out/e"
	err=$(timeout 20 curl -s -o "$d/out/e" "tftp://127.0.0.1:$port/$name" 2>&1; echo "rc=$?")
	check "refused: $name" $([ ! -s "$d/out/e" ] && ! grep -q "outside the root" "$d/out/e" 2>/dev/null; echo $?)
done
ok "refusals are logged" grep -q "refused" "$d/log"
ok "error texts never contain the root's path" sh -c "! python3 '$top_srcdir/t/tftp_probe.py' errors 127.0.0.1 $port | grep -qF '$d'"

# Foreign TID: a third port gets error 5 and the real transfer completes.
out=$(python3 "$top_srcdir/t/tftp_probe.py" foreign 127.0.0.1 "$port" f1048577 2>&1)
check "foreign port gets error 5, transfer goes on ($out)" $([ "$out" = "error5 ok $(stat -c %s "$root/f1048577")" ]; echo $?)

# A malformed request is dropped and counted; the server keeps serving.
python3 "$top_srcdir/t/tftp_probe.py" garbage 127.0.0.1 "$port" >/dev/null 2>&1
timeout 20 curl -s -o "$d/out/c" "tftp://127.0.0.1:$port/f513"
ok "still serving after malformed requests" same "$root/f513" "$d/out/c"
ok "write requests are refused" sh -c "python3 '$top_srcdir/t/tftp_probe.py' wrq 127.0.0.1 $port | grep -q '^error 2'"

# A room booting at once: 64 transfers side by side (four source addresses,
# as tftp.max_per_client is 16), so the TFTP thread's wake-ups are
# moderated (tftp.coalesce_us, from 32 transfers); every file arrives whole.
if have curl; then
	rm -f "$d/out"/p.*
	pids=()
	for i in 1 2 3 4; do
		args=()
		for j in $(seq 1 16); do args+=(-o "$d/out/p.$i.$j" "tftp://127.0.0.1:$port/f1048577"); done
		timeout 120 curl -s --parallel --parallel-max 16 --interface "127.0.1.$i" "${args[@]}" >/dev/null 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	bad=0
	for i in 1 2 3 4; do for j in $(seq 1 16); do same "$root/f1048577" "$d/out/p.$i.$j" || bad=$((bad + 1)); done; done
	is "64 transfers at once (curl --parallel): none differs" "$bad" 0
	rm -f "$d/out"/p.*
	moderated=1
fi

# Window limits: windowsize x blksize is kept under tftp.max_window_bytes,
# which a reload changes.
out=$(python3 "$top_srcdir/t/tftp_probe.py" oack 127.0.0.1 "$port" f1048577 blksize=1468 windowsize=16)
is "windowsize 16 at blksize 1468 granted as asked" "$out" "blksize=1468 windowsize=16"
sed -i 's/max_windowsize = 64;/max_windowsize = 64; max_window_bytes = 2936; retries = 1;/' "$d/pxeboot.conf"
kill -HUP "$PXBD_PID"
ok "reloaded" wait_for 10 grep -q "configuration reloaded" "$d/log"
out=$(python3 "$top_srcdir/t/tftp_probe.py" oack 127.0.0.1 "$port" f1048577 blksize=1468 windowsize=16)
is "after a reload with max_window_bytes = 2936: windowsize 2" "$out" "blksize=1468 windowsize=2"

# A client that stops answering (timeout 1 s asked, retries = 1 since the
# reload): the OACK once more after a second, then the transfer is given up
# and logged, while another transfer runs beside it.
python3 "$top_srcdir/t/tftp_probe.py" stall 127.0.0.1 "$port" f1048577 5 timeout=1 >"$d/stall" &
stall_pid=$!
timeout 60 atftp --option "blksize 1468" -g -r f1048577 -l "$d/out/beside" 127.0.0.1 "$port" >/dev/null 2>&1
ok "a transfer beside the stalled one completes" same "$root/f1048577" "$d/out/beside"
wait "$stall_pid"
is "the silent client gets the OACK twice (sent, resent once)" "$(cat "$d/stall")" "oack 2"
ok "the stalled transfer is logged as failed after 2 timeouts" wait_for 10 \
	grep -qE "failed f1048577 at block 1 of [0-9]+ after 2 timeouts: timeout" "$d/log"

kill -TERM "$PXBD_PID"
ok "clean stop" wait_for 10 grep -q "stopped" "$d/log"
if [ -n "${moderated:-}" ]; then
	ok "wake-ups were moderated while 64 transfers ran" \
		grep -qE "moderated wake-ups [1-9][0-9]*$" "$d/log"
fi
tap_done
