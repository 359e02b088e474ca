/*
 * pgsql_resv.c - host reservations shared through PostgreSQL: the fixed
 * addresses of this server's dhcp.hosts are written to pxb_reservations
 * (one row per address and server) when the store opens, and those of the
 * other servers are read at each sync and kept out of this server's pools
 * (pxb_lease_reserve), so that no server offers another's reserved address.
 *
 * The database has the last word, as for leases: pgsql_commit_sql() refuses
 * a bound lease on an address another MAC has reserved, whichever server
 * tries (a client that asks for the address by name included). A lease key
 * names its MAC when it is the hardware address or a client identifier of
 * type 1 followed by six bytes (RFC 2132 sec 9.14), the usual form; any
 * other client identifier cannot be told apart and is let through.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pgsql_internal.h"

int pgsql_resv_read(struct pgsql_resv *r, const pxb_conf *conf)
{
	const pxb_conf_node *root = conf ? pxb_conf_root(conf) : NULL;
	unsigned n = root ? pxb_conf_count(root, "dhcp.hosts") : 0;

	r->n = 0;
	free(r->addr);
	free(r->mac);
	r->addr = calloc(n ? n : 1, sizeof(*r->addr));
	r->mac = calloc(n ? n : 1, sizeof(*r->mac));
	if (!r->addr || !r->mac)
		return PXB_ERR_NOMEM;
	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *e = pxb_conf_elem(root, "dhcp.hosts", i);
		const char *mac = pxb_conf_string(e, "mac"), *addr = pxb_conf_string(e, "address");
		struct in_addr a;

		/* the configuration was validated: what does not parse has no fixed address */
		if (!mac || !addr || !*addr || inet_pton(AF_INET, addr, &a) != 1 ||
		    pxb_mac_parse(mac, r->mac[r->n]) < 0)
			continue;
		r->addr[r->n++] = ntohl(a.s_addr);
	}
	return 0;
}

void pgsql_resv_free(struct pgsql_resv *r)
{
	free(r->addr);
	free(r->mac);
	memset(r, 0, sizeof(*r));
}

void pgsql_resv_sql(struct pgbuf *b, const struct pgsql_resv *r, const char *me)
{
	b->len = 0;
	pgbuf_add(b, "DELETE FROM pxb_reservations WHERE server='%s'", me);
	if (!r->n)
		return;
	pgbuf_add(b, "; INSERT INTO pxb_reservations (addr,mac,server) VALUES ");
	for (size_t i = 0; i < r->n; i++) {
		pgbuf_add(b, "%s(%" PRIu32 ",", i ? "," : "", r->addr[i]);
		pgbuf_hex(b, r->mac[i], 6);
		pgbuf_add(b, ",'%s')", me);
	}
	pgbuf_add(b, " ON CONFLICT DO NOTHING");
}

void pgsql_resv_sync_sql(struct pgbuf *b, const char *me)
{
	pgbuf_add(b, "; SELECT addr FROM pxb_reservations WHERE server<>'%s' LIMIT 65536", me);
}

void pgsql_resv_apply(struct pxb_lease_store *t, const PGresult *r)
{
	for (int i = 0; t && i < PQntuples(r) && PQnfields(r) == 1; i++) {
		unsigned long long a = strtoull(PQgetvalue(r, i, 0), NULL, 10);

		if (a <= UINT32_MAX)
			pxb_lease_reserve(t, (uint32_t)a); /* outside every pool: nothing */
	}
}
