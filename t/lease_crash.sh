#!/bin/sh
# lease_crash.sh - kill -9 a process binding leases at random moments, then
# reload its journal: every lease it reported durable must be back (same
# address, same client, bound, no shorter), the indexes must agree.
# A crash must never be taken for damage (a torn tail is not a loss).
# Uses the crash-writer/crash-check modes of t/lease_test.
bin=${top_builddir:-.}/t/lease_test
rounds=${LEASE_CRASH_ROUNDS:-15}
dir=$(mktemp -d "${TMPDIR:-/tmp}/lease_crash.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT

# made here: a writer killed before it made the directory has reported nothing
mkdir -p "$dir/state"
echo "1..$rounds"
seed=$$
fail=0
for r in $(seq 1 "$rounds"); do
	"$bin" crash-writer "$dir/state" "$r" >"$dir/round" 2>>"$dir/err" &
	pid=$!
	delay=$(awk -v s="$seed$r" 'BEGIN { srand(s); printf "%.3f", 0.05 + rand() * 0.6 }')
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# A kill can cut the writer's last write(2) short (at a page boundary):
	# a last line without its newline was never reported whole, and the next
	# round's output must not continue it.
	if [ -n "$(tail -c 1 "$dir/round")" ]; then
		sed '$d' "$dir/round" >>"$dir/log"
	else
		cat "$dir/round" >>"$dir/log"
	fi
	if out=$("$bin" crash-check "$dir/state" "$dir/log"); then
		echo "ok $r - killed after ${delay}s; reported leases all restored"
	else
		echo "not ok $r - killed after ${delay}s; leases lost"
		fail=1
	fi
	printf '%s\n' "$out" | grep '^#'
done
if [ -s "$dir/err" ]; then
	sed 's/^/# writer: /' "$dir/err" | head -5
fi
exit $fail
