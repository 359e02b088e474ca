/*
 * pgsql_sql.c - the SQL of the pgsql lease store: the versioned schema, the
 * statement that commits a batch, and the one that reads what other servers
 * committed.
 *
 * Who gets an address is decided by PostgreSQL alone: pxb_leases has its
 * address as primary key, and a batch is one INSERT ... ON CONFLICT (addr)
 * DO UPDATE ... WHERE (one statement, so one transaction). The update
 * happens only when the row is this client's, has expired, or was released
 * (or the change is a decline by the server that wrote the row: it checked
 * that the DECLINE came from the address's client, RFC 2131 4.3.3, and a
 * decline has no key to compare; another server's row is not touched);
 * otherwise the row is left as it is and the address does not come back in
 * RETURNING: that change is rejected and its ACK is never sent. Two servers
 * binding one address to two clients at once are serialized by the unique
 * index (the second waits for the first's row and then re-checks the WHERE
 * against it, READ COMMITTED): exactly one wins. A bound lease on an
 * address another MAC has reserved (pxb_reservations, pgsql_resv.c) is
 * never inserted.
 *
 * Addresses are bigint (the uint32 of lease.h: 'a.b.c.d'::inet - '0.0.0.0'
 * gives it), client keys and host names bytea (they come from the network:
 * hex, never quoted text), times Unix seconds. chg numbers every write from
 * a sequence so that other servers can read what changed since they last
 * looked; a row that moved away (its client took another address) is
 * deleted in the same statement.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgsql_internal.h"

void pgbuf_add(struct pgbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		if (b->oom)
			return;
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

void pgbuf_hex(struct pgbuf *b, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[2 * 256 + 1];

	if (n > 256)
		n = 256;
	for (size_t i = 0; i < n; i++) {
		tmp[2 * i] = hex[p[i] >> 4];
		tmp[2 * i + 1] = hex[p[i] & 15];
	}
	tmp[2 * n] = '\0';
	pgbuf_add(b, "'\\x%s'::bytea", tmp);
}

/* Each step takes the schema from version i to i + 1. */
static const char *const migrations[PGSQL_SCHEMA_VERSION] = {
	"CREATE SEQUENCE pxb_lease_chg;"
	"CREATE TABLE pxb_leases ("
	" addr bigint PRIMARY KEY CHECK (addr >= 0 AND addr < 4294967296),"
	" ckey bytea NOT NULL,"       /* key type byte, then key bytes; '' when declined */
	" state smallint NOT NULL,"   /* 2 bound, 3 released, 4 declined (lease.h) */
	" expires bigint NOT NULL,"
	" hostname bytea NOT NULL DEFAULT ''::bytea,"
	" server text NOT NULL,"      /* pgsql.server_id of the last writer */
	" chg bigint NOT NULL);"
	"CREATE INDEX pxb_leases_ckey ON pxb_leases (ckey);"
	"CREATE INDEX pxb_leases_chg ON pxb_leases (chg);",
	/* 2: rescue-on-demand arms, one row a MAC; a removed arm stays as a
	 * tombstone so that other servers learn of the removal */
	"CREATE SEQUENCE pxb_arm_chg;"
	"CREATE TABLE pxb_arms ("
	" mac bytea PRIMARY KEY,"
	" entry bytea NOT NULL,"
	" created bigint NOT NULL,"
	" until bigint NOT NULL,"
	" once boolean NOT NULL,"
	" spent boolean NOT NULL,"
	" token bytea NOT NULL,"
	" removed boolean NOT NULL,"
	" server text NOT NULL,"
	" chg bigint NOT NULL);"
	"CREATE INDEX pxb_arms_chg ON pxb_arms (chg);",
	/* 3: the fixed addresses of each server's dhcp.hosts (pgsql_resv.c) */
	"CREATE TABLE pxb_reservations ("
	" addr bigint NOT NULL CHECK (addr >= 0 AND addr < 4294967296),"
	" mac bytea NOT NULL,"
	" server text NOT NULL,"
	" PRIMARY KEY (server, addr));"
	"CREATE INDEX pxb_reservations_addr ON pxb_reservations (addr);",
};

void pgsql_migrate_sql(struct pgbuf *b)
{
	/*
	 * One query, so one implicit transaction, sent without waiting: the
	 * advisory lock lets one server migrate at a time (it ends with the
	 * transaction), the DO block applies the missing steps or refuses a
	 * newer schema. statement_timeout bounds a database that is slow.
	 */
	b->len = 0;
	pgbuf_add(b, "SET statement_timeout = 10000; SET client_min_messages = warning; "
		  "SELECT pg_advisory_xact_lock(7078706); "
		  "CREATE TABLE IF NOT EXISTS pxb_schema (version integer NOT NULL); "
		  "DO $pxb$ DECLARE v integer; BEGIN "
		  "SELECT coalesce(max(version), 0) INTO v FROM pxb_schema; "
		  "IF v > %d THEN RAISE EXCEPTION 'the database has schema version %%, newer than "
		  "this pxebootd''s %d', v; END IF; ", PGSQL_SCHEMA_VERSION, PGSQL_SCHEMA_VERSION);
	for (int v = 0; v < PGSQL_SCHEMA_VERSION; v++)
		pgbuf_add(b, "IF v < %d THEN EXECUTE $m$%s$m$; INSERT INTO pxb_schema VALUES (%d); "
			  "END IF; ", v + 1, migrations[v], v + 1);
	pgbuf_add(b, "END $pxb$");
}

static void add_key(struct pgbuf *b, const struct pxb_lease_key *k)
{
	uint8_t raw[PXB_LEASE_KEY_MAX + 1];

	if (k->type == PXB_LEASE_KEY_NONE) {
		pgbuf_add(b, "''::bytea");
		return;
	}
	raw[0] = k->type;
	memcpy(raw + 1, k->bytes, k->len);
	pgbuf_hex(b, raw, (size_t)k->len + 1);
}

void pgsql_commit_sql(struct pgbuf *b, const struct pxb_lease_change *ch, size_t n, int64_t now,
		      const char *me)
{
	size_t nput = 0, ndel = 0;

	b->len = 0;
	pgbuf_add(b, "WITH ");
	for (size_t i = 0; i < n; i++) {
		const struct pxb_lease *l = &ch[i].lease;
		if (ch[i].op != PXB_LEASE_CHANGE_PUT)
			continue;
		pgbuf_add(b, "%s(%" PRIu32 "::bigint,", nput++ ? "," : "v(addr,ckey,state,expires,"
			  "hostname) AS (VALUES ", l->addr);
		add_key(b, &l->key);
		pgbuf_add(b, ",%u::smallint,%" PRId64 "::bigint,", l->state, l->expires);
		pgbuf_hex(b, (const uint8_t *)l->hostname, strlen(l->hostname));
		pgbuf_add(b, ")");
	}
	if (nput)
		pgbuf_add(b, "), ins AS (INSERT INTO pxb_leases AS l "
			  "(addr,ckey,state,expires,hostname,server,chg) "
			  "SELECT addr,ckey,state,expires,hostname,'%s',nextval('pxb_lease_chg') "
			  "FROM v WHERE v.state<>2 OR NOT EXISTS (SELECT 1 FROM pxb_reservations r "
			  "WHERE r.addr=v.addr AND length(v.ckey)=8 AND get_byte(v.ckey,1)=1 "
			  "AND substr(v.ckey,3)<>r.mac) "
			  "ON CONFLICT (addr) DO UPDATE SET ckey=excluded.ckey,"
			  "state=excluded.state,expires=excluded.expires,"
			  "hostname=excluded.hostname,server=excluded.server,chg=excluded.chg "
			  "WHERE l.ckey=excluded.ckey OR l.expires<=%" PRId64 " OR l.state=3 "
			  "OR (excluded.state=4 AND l.server=excluded.server) "
			  "RETURNING l.addr,l.ckey,l.state), "
			  /* a client bound at a new address gives up its old one; an
			   * offer moves nothing (the client may still hold its lease) */
			  "moved AS (DELETE FROM pxb_leases d USING ins WHERE d.ckey=ins.ckey "
			  "AND ins.state=2 AND length(ins.ckey)>0 "
			  "AND d.addr NOT IN (SELECT addr FROM ins)), ",
			  me, now);
	/* a removed lease stays as a tombstone (released, or a decline that
	 * ended) with a new chg, so that the other servers' syncs see it go */
	pgbuf_add(b, "gone AS (UPDATE pxb_leases SET state=CASE WHEN state=4 THEN 4 ELSE 3 END,"
		  "expires=LEAST(expires,%" PRId64 "),server='%s',chg=nextval('pxb_lease_chg') "
		  "WHERE addr IN (-1", now, me);
	for (size_t i = 0; i < n; i++)
		if (ch[i].op == PXB_LEASE_CHANGE_DEL) {
			pgbuf_add(b, ",%" PRIu32, ch[i].lease.addr);
			ndel++;
		}
	pgbuf_add(b, ")) SELECT %s", nput ? "addr FROM ins" : "-1::bigint WHERE false");
	(void)ndel;
}

void pgsql_sync_sql(struct pgbuf *b, int64_t after_chg, const char *me)
{
	b->len = 0;
	pgbuf_add(b, "SELECT addr,ckey,state,expires,hostname,chg FROM pxb_leases WHERE chg>%"
		  PRId64 "%s%s%s ORDER BY chg LIMIT 20000", after_chg, me ? " AND server<>'" : "",
		  me ? me : "", me ? "'" : "");
}

int64_t pgsql_load_rows(struct pxb_lease_store *t, const PGresult *r, int64_t after_chg,
			size_t *n)
{
	int64_t top = after_chg;

	*n = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		struct pxb_lease l;
		size_t kl = 0, hl = 0;
		unsigned char *k = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 1), &kl);
		unsigned char *h = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 4), &hl);
		int64_t chg = strtoll(PQgetvalue(r, i, 5), NULL, 10);

		memset(&l, 0, sizeof(l));
		l.addr = (uint32_t)strtoull(PQgetvalue(r, i, 0), NULL, 10);
		l.state = (uint8_t)atoi(PQgetvalue(r, i, 2));
		l.expires = strtoll(PQgetvalue(r, i, 3), NULL, 10);
		/* rows are as hostile as packets: sizes checked, pxb_lease_load validates */
		if (k && kl >= 1 && kl <= PXB_LEASE_KEY_MAX + 1) {
			l.key.type = k[0];
			l.key.len = (uint8_t)(kl - 1);
			memcpy(l.key.bytes, k + 1, kl - 1);
		}
		if (h && hl <= PXB_LEASE_HOSTNAME_MAX)
			memcpy(l.hostname, h, hl);
		PQfreemem(k);
		PQfreemem(h);
		if (pxb_lease_load(t, &l) == 0)
			(*n)++;
		if (chg > top)
			top = chg;
	}
	return top;
}

void pgsql_arms_sql(struct pgbuf *b, const struct pxb_arm *a, const uint8_t *removed, size_t n,
		    const char *me)
{
	b->len = 0;
	pgbuf_add(b, "INSERT INTO pxb_arms AS x (mac,entry,created,until,once,spent,token,removed,"
		  "server,chg) VALUES ");
	for (size_t i = 0; i < n; i++) {
		pgbuf_add(b, "%s(", i ? "," : "");
		pgbuf_hex(b, a[i].mac, 6);
		pgbuf_add(b, ",");
		pgbuf_hex(b, (const uint8_t *)a[i].entry, strnlen(a[i].entry, sizeof(a[i].entry)));
		pgbuf_add(b, ",%" PRId64 ",%" PRId64 ",%s,%s,", a[i].created, a[i].until,
			  a[i].once ? "true" : "false", a[i].spent ? "true" : "false");
		pgbuf_hex(b, (const uint8_t *)a[i].token, strnlen(a[i].token, sizeof(a[i].token)));
		pgbuf_add(b, ",%s,'%s',nextval('pxb_arm_chg'))", removed[i] ? "true" : "false", me);
	}
	pgbuf_add(b, " ON CONFLICT (mac) DO UPDATE SET entry=excluded.entry,"
		  "created=excluded.created,until=excluded.until,once=excluded.once,"
		  "spent=excluded.spent,token=excluded.token,removed=excluded.removed,"
		  "server=excluded.server,chg=excluded.chg");
	/* a removal of an arm made again since (another token) changes nothing */
	pgbuf_add(b, " WHERE NOT excluded.removed OR x.token=excluded.token");
}

void pgsql_arms_sync_sql(struct pgbuf *b, int64_t after_chg, const char *me)
{
	pgbuf_add(b, "; SELECT mac,entry,created,until,once,spent,token,removed,chg FROM pxb_arms "
		  "WHERE chg>%" PRId64 " AND server<>'%s' ORDER BY chg LIMIT 5000", after_chg, me);
}

static size_t unhex_into(const PGresult *r, int row, int col, void *out, size_t cap)
{
	size_t n = 0;
	unsigned char *v = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);

	if (!v || n > cap)
		n = (size_t)-1;
	else
		memcpy(out, v, n);
	PQfreemem(v);
	return n;
}

int64_t pgsql_apply_arms(pxb_arms *arms, const PGresult *r, int64_t after_chg)
{
	int64_t top = after_chg;

	for (int i = 0; i < PQntuples(r) && PQnfields(r) == 9; i++) {
		struct pxb_arm a;
		int64_t chg = strtoll(PQgetvalue(r, i, 8), NULL, 10);

		if (chg > top)
			top = chg;
		memset(&a, 0, sizeof(a));
		/* rows are hostile too: sizes here, names and tokens in pxb_arms_apply */
		if (unhex_into(r, i, 0, a.mac, 6) != 6 ||
		    unhex_into(r, i, 1, a.entry, sizeof(a.entry) - 1) == (size_t)-1 ||
		    unhex_into(r, i, 6, a.token, sizeof(a.token) - 1) == (size_t)-1)
			continue;
		a.created = strtoll(PQgetvalue(r, i, 2), NULL, 10);
		a.until = strtoll(PQgetvalue(r, i, 3), NULL, 10);
		a.once = PQgetvalue(r, i, 4)[0] == 't';
		a.spent = PQgetvalue(r, i, 5)[0] == 't';
		if (arms)
			pxb_arms_apply(arms, &a, PQgetvalue(r, i, 7)[0] == 't');
	}
	return top;
}

void pgsql_redact(const char *url, char *out, size_t outlen)
{
	PQconninfoOption *o = PQconninfoParse(url, NULL);
	size_t off = 0;

	out[0] = '\0';
	if (!o) {
		snprintf(out, outlen, "(unparsable pgsql.url)");
		return;
	}
	for (PQconninfoOption *p = o; p->keyword; p++) {
		if (!p->val || !*p->val || strcmp(p->keyword, "password") == 0)
			continue;
		if (strcmp(p->keyword, "host") && strcmp(p->keyword, "port") &&
		    strcmp(p->keyword, "dbname") && strcmp(p->keyword, "user"))
			continue;
		int n = snprintf(out + off, outlen - off, "%s%s=%s", off ? " " : "", p->keyword,
				 p->val);
		if (n < 0 || (size_t)n >= outlen - off)
			break;
		off += (size_t)n;
	}
	PQconninfoFree(o);
}

/* The plugin's check: what init refuses in the section (pgsql_internal.h). */
int pgsql_check(const pxb_conf_node *sec, pxb_conf_report_fn report, void *arg)
{
	const char *id = pxb_conf_string(sec, "server_id"), *url = pxb_conf_string(sec, "url");
	char *why = NULL;
	int n = 0;

	if (strlen(id) >= PGSQL_ID_MAX || strspn(id, PGSQL_ID_CHARS) != strlen(id)) {
		pxb_conf_problem(report, arg, sec, "server_id", "\"%s\": letters, digits, . - _ "
				 "only, at most %d", id, PGSQL_ID_MAX - 1);
		n++;
	}
	if (strlen(url) >= PGSQL_URL_MAX) {
		pxb_conf_problem(report, arg, sec, "url", "longer than %d bytes",
				 PGSQL_URL_MAX - 1);
		n++;
	} else if (strchr(url, '=') || !strncmp(url, "postgresql://", 13) ||
		   !strncmp(url, "postgres://", 11)) {
		PQconninfoOption *o = PQconninfoParse(url, &why);

		if (!o) {
			/* libpq's message names the part it refused; the url may hold a password */
			size_t l = why ? strlen(why) : 0;

			while (l && why[l - 1] == '\n')
				l--;
			pxb_conf_problem(report, arg, sec, "url", "not a connection string or URI: "
					 "%.*s", (int)l, why ? why : "out of memory");
			n++;
		}
		PQconninfoFree(o);
		PQfreemem(why);
	}
	return n;
}
