/*
 * pgsql_internal.h - what the pgsql plugin's files share: the store's state
 * (pgsql.c: connection, events, commits) and the SQL it sends
 * (pgsql_sql.c: schema, batches, sync).
 */
#ifndef PXB_PGSQL_INTERNAL_H
#define PXB_PGSQL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <libpq-fe.h>
#include <pxeboot/pxeboot.h>

/* A growable text buffer for one statement. */
struct pgbuf {
	char *p;
	size_t len, cap;
	int oom;
};

void pgbuf_add(struct pgbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pgbuf_hex(struct pgbuf *b, const uint8_t *p, size_t n); /* '\x..'::bytea */

/* The schema version this build creates; older schemas are migrated up. */
#define PGSQL_SCHEMA_VERSION 3

/* The statement creating or migrating the schema (sent on each new
 * connection; it fails when the database's schema is newer). */
void pgsql_migrate_sql(struct pgbuf *b);

/* The statement committing changes ch[0..n) (sorted by address, one per
 * address) at now for server me. It returns the addresses committed. */
void pgsql_commit_sql(struct pgbuf *b, const struct pxb_lease_change *ch, size_t n, int64_t now,
		      const char *me);

/* The statement reading leases changed after chg (made by other servers when me). */
void pgsql_sync_sql(struct pgbuf *b, int64_t after_chg, const char *me);

/*
 * Loads the rows of a sync (or the first load) into the table; returns the
 * highest chg seen (or after_chg) and counts the rows loaded in *n.
 */
int64_t pgsql_load_rows(struct pxb_lease_store *t, const PGresult *r, int64_t after_chg,
			size_t *n);

/* The statement storing arms made, spent or removed here (removed[i]). */
void pgsql_arms_sql(struct pgbuf *b, const struct pxb_arm *a, const uint8_t *removed, size_t n,
		    const char *me);

/* The statement reading arms other servers changed after chg. */
void pgsql_arms_sync_sql(struct pgbuf *b, int64_t after_chg, const char *me);

/* Applies the rows of an arms sync to arms; returns the highest chg seen. */
int64_t pgsql_apply_arms(pxb_arms *arms, const PGresult *r, int64_t after_chg);

/* This server's reserved addresses (dhcp.hosts' fixed addresses), pgsql_resv.c. */
struct pgsql_resv {
	uint32_t *addr;
	uint8_t (*mac)[6];
	size_t n;
};

/* Reads the fixed addresses of conf's dhcp.hosts into r (replacing what it
 * held). Returns 0 or PXB_ERR_NOMEM. */
int pgsql_resv_read(struct pgsql_resv *r, const pxb_conf *conf);
void pgsql_resv_free(struct pgsql_resv *r);

/* The statement replacing this server's rows of pxb_reservations with r. */
void pgsql_resv_sql(struct pgbuf *b, const struct pgsql_resv *r, const char *me);

/* Appends to a sync the statement reading the other servers' reservations. */
void pgsql_resv_sync_sql(struct pgbuf *b, const char *me);

/* Keeps the addresses of its rows out of t's pools. */
void pgsql_resv_apply(struct pxb_lease_store *t, const PGresult *r);

/* A connection string for logs: the URL's parts without the password. */
void pgsql_redact(const char *url, char *out, size_t outlen);

/* Room for pgsql.url and server_id (with the NUL), and what server_id may hold. */
#define PGSQL_URL_MAX 1024
#define PGSQL_ID_MAX 64
#define PGSQL_ID_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"

/*
 * The plugin's check (struct pxb_plugin): a server_id that is not a name
 * (PGSQL_ID_CHARS, shorter than PGSQL_ID_MAX), a url too long or that libpq
 * cannot parse (one with '=' or a postgres[ql]:// scheme; a bare word is a
 * database name). Connects to nothing. Returns how many problems went to
 * report.
 */
int pgsql_check(const pxb_conf_node *sec, pxb_conf_report_fn report, void *arg);

#endif
