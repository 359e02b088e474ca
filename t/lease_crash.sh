#!/bin/sh
# lease_crash.sh - kill -9 a process binding leases at random moments, then
# reload its journal: every lease it reported durable must be back (same
# address, same client, bound, no shorter), the indexes must agree.
# Uses the crash-writer/crash-check modes of t/lease_test.
bin=${top_builddir:-.}/t/lease_test
rounds=${LEASE_CRASH_ROUNDS:-15}
dir=$(mktemp -d "${TMPDIR:-/tmp}/lease_crash.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT

echo "1..$rounds"
seed=$$
fail=0
for r in $(seq 1 "$rounds"); do
	"$bin" crash-writer "$dir/state" "$r" >>"$dir/log" 2>>"$dir/err" &
	pid=$!
	delay=$(awk -v s="$seed$r" 'BEGIN { srand(s); printf "%.3f", 0.05 + rand() * 0.6 }')
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
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
