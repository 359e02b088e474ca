#!/bin/bash
# http_fds.sh - out of descriptors: with its descriptor limit lowered under
# what it has open (prlimit), the server neither spins on accept(2) nor
# floods its log while clients knock; once descriptors are back it serves
# again.
. "$top_srcdir/t/http_lib.sh"

command -v prlimit >/dev/null || tap_skip_all "prlimit is not installed"
[ "$HTTP_SERVER" = host ] || tap_skip_all "the test host's descriptors only"
d=$(scratch_dir)
mkdir -p "$d/root"
echo "hello" >"$d/root/f.txt"

http_start "$d/root" '' || { echo "not ok - server failed"; exit 1; }
ok "serving" sh -c "timeout 10 curl -sf '$HTTP_URL/f.txt' >/dev/null"
sleep 0.5

# The lowest descriptor number free in the server: the next one it would get.
free_fd=0
while [ -e "/proc/$HTTP_PID/fd/$free_fd" ]; do free_fd=$((free_fd + 1)); done
hard=$(prlimit --pid "$HTTP_PID" --nofile --noheadings --raw --output HARD)
soft=$(prlimit --pid "$HTTP_PID" --nofile --noheadings --raw --output SOFT)
cpu() { awk '{print $14 + $15}' "/proc/$HTTP_PID/stat"; }
lines0=$(wc -l <"$HTTP_LOG")
cpu0=$(cpu)
prlimit --pid "$HTTP_PID" --nofile="$free_fd:$hard"
# Clients knock for 3 s; none can be served.
knock=""
for i in 1 2 3; do
	timeout 5 curl -s -m 1 -o /dev/null "$HTTP_URL/f.txt" &
	knock="$knock $!"
done
sleep 3
# shellcheck disable=SC2086
wait $knock
cpu1=$(cpu)
lines1=$(wc -l <"$HTTP_LOG")
ticks=$((cpu1 - cpu0))
hz=$(getconf CLK_TCK)
check "no busy loop while out of descriptors ($ticks ticks of CPU in 3 s, HZ $hz)" \
	$([ "$ticks" -lt $((hz / 2)) ]; echo $?)
check "few log lines while out of descriptors ($((lines1 - lines0)))" \
	$([ $((lines1 - lines0)) -le 20 ]; echo $?)
# EMFILE in glibc's words, or in musl's.
ok "says it cannot accept" grep -qE \
	"cannot accept connections \((Too many open files|No file descriptors available)" "$HTTP_LOG"
prlimit --pid "$HTTP_PID" --nofile="$soft:$hard"
ok "serving again once descriptors are back" \
	wait_for 10 sh -c "timeout 5 curl -sf -m 3 '$HTTP_URL/f.txt' >/dev/null"
ok "stops cleanly on SIGTERM" http_stop
tap_done
