# pgsql.sh - a PostgreSQL 15 of the test's own: initdb and pg_ctl (Debian's
# postgresql-15 binaries) as the user nobody in a scratch directory,
# listening on a unix socket there only, stopped at exit.
#
#   . t/lib/pgsql.sh
#   pg_require                # SKIPs the test without PostgreSQL 15 or runuser
#   pg_setup "$dir"           # initdb + start; sets PGD (socket dir) and PG_URL
#   pg_stop; pg_start         # a clean restart
#   psqlq "SELECT ..."        # one query, unaligned, tuples only
#   pg_udhcpc_net "$dir"      # the above for udhcpc clients of pxebootd in namespaces:
#                             # SKIPs what is missing, sets bb (busybox), PGD, PG_URL,
#                             # makes namespace lan with bridge br0

PGBIN=/usr/lib/postgresql/15/bin

pg_require() {
	[ -x "$PGBIN/initdb" ] || tap_skip_all "needs PostgreSQL 15 (postgresql-15)"
	command -v runuser >/dev/null || tap_skip_all "needs runuser"
	command -v psql >/dev/null || tap_skip_all "needs psql"
}

_pgrun() { (cd / && timeout 60 runuser -u nobody -- "$@"); }

# fsync off: the restarts the tests make are clean (pg_ctl -m fast), not crashes
pg_start() {
	_pgrun "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/log" -w -t 20 \
		-o "-c listen_addresses='' -k $PGD -c fsync=off -c max_connections=30" start >/dev/null
}
pg_stop() { _pgrun "$PGBIN/pg_ctl" -D "$PGD/data" -m fast -w -t 20 stop >/dev/null 2>&1; }

pg_setup() {
	chmod 755 "$1"
	PGD=$1/pg
	mkdir -p "$PGD" && chown nobody: "$PGD"
	_pgrun "$PGBIN/initdb" -D "$PGD/data" -A trust -U pxb >"$1/initdb.log" 2>&1 ||
		{ cat "$1/initdb.log"; tap_skip_all "initdb failed"; }
	at_exit pg_stop
	pg_start || { cat "$PGD/log"; tap_skip_all "PostgreSQL did not start"; }
	# trust authentication: the password is never asked for, only kept out of logs
	PG_URL="postgresql://pxb:s3cr3t@/postgres?host=$PGD"
}

psqlq() { timeout 20 psql -h "$PGD" -U pxb -d postgres -XAtq -c "$1"; }

pg_udhcpc_net() {
	pg_require
	[ -e "$PXB_PLUGIN_DIR/pgsql.so" ] || tap_skip_all "pgsql plugin not built (libpq-dev)"
	bb=$(command -v busybox) || tap_skip_all "needs busybox (udhcpc)"
	netns_require
	pg_setup "$1"
	netns_make lan
	netns_bridge lan br0 ""
}
