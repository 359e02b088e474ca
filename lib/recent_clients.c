/*
 * recent_clients.c - the clients DHCP saw lately (MAC, address, arch, tags),
 * kept on the host so that TFTP, HTTP and the renderers know who asks by
 * address or MAC: a small ring, newest wins, enough for a room booting,
 * indexed both ways (keyidx.h) so that no packet scans it. See
 * pxb_host_note_client in pxeboot/plugin.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/lease.h>
#include <pxeboot/plugin.h>
#include "host_internal.h"
#include "keyidx.h"

#define RECENT_CLIENTS 1024

struct recent_table {
	struct pxb_client *recent;
	unsigned nrecent, recent_next;
	struct pxb_keyidx by_mac, by_addr; /* into recent[]: no scan per packet */
};

static const char table_key = 'r'; /* its address names the table on the host */

static const void *recent_mac(const void *table, int32_t i)
{
	const struct pxb_client *c = (const struct pxb_client *)table + i;

	return c->has_mac ? c->mac : NULL;
}

static const void *recent_addr(const void *table, int32_t i)
{
	const struct pxb_client *c = (const struct pxb_client *)table + i;

	return c->addr.s_addr ? &c->addr : NULL;
}

static void table_free(void *p)
{
	struct recent_table *t = p;

	if (!t)
		return;
	free(t->recent);
	pxb_keyidx_free(&t->by_mac);
	pxb_keyidx_free(&t->by_addr);
	free(t);
}

/* Made on the first client noted; NULL (tried again on the next) without memory. */
static void *table_new(void)
{
	struct recent_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->recent = calloc(RECENT_CLIENTS, sizeof(*t->recent));
	if (!t->recent || pxb_keyidx_init(&t->by_mac, RECENT_CLIENTS, 6, recent_mac,
					  t->recent) < 0 ||
	    pxb_keyidx_init(&t->by_addr, RECENT_CLIENTS, 4, recent_addr, t->recent) < 0) {
		table_free(t);
		return NULL;
	}
	return t;
}

/* Makes slot i the one found for its address (an address moves between clients). */
static void index_addr(struct recent_table *t, int32_t i)
{
	int32_t other;

	if (!t->recent[i].addr.s_addr)
		return;
	other = pxb_keyidx_find(&t->by_addr, &t->recent[i].addr);
	if (other == i)
		return;
	if (other >= 0)
		pxb_keyidx_del(&t->by_addr, &t->recent[other].addr, other);
	pxb_keyidx_add(&t->by_addr, &t->recent[i].addr, i);
}

void pxb_host_note_client(pxb_host *h, const struct pxb_client *c)
{
	struct recent_table *t = pxb__host_state(h, &table_key, table_new, table_free);
	struct pxb_client *r;
	int32_t i = -1;

	if (!t)
		return;
	/* Same MAC: update in place so a renewing client keeps one slot. */
	if (c->has_mac)
		i = pxb_keyidx_find(&t->by_mac, c->mac);
	if (i < 0) {
		i = (int32_t)t->recent_next;
		t->recent_next = (t->recent_next + 1) % RECENT_CLIENTS;
		if (t->nrecent < RECENT_CLIENTS)
			t->nrecent++;
		else if (t->recent[i].has_mac)
			pxb_keyidx_del(&t->by_mac, t->recent[i].mac, i);
		r = &t->recent[i];
		if (r->addr.s_addr)
			pxb_keyidx_del(&t->by_addr, &r->addr, i);
		*r = *c;
		if (r->has_mac)
			pxb_keyidx_add(&t->by_mac, r->mac, i);
	} else {
		r = &t->recent[i];
		if (r->addr.s_addr != c->addr.s_addr && r->addr.s_addr)
			pxb_keyidx_del(&t->by_addr, &r->addr, i);
		*r = *c;
	}
	r->token = NULL;
	index_addr(t, i);
}

/*
 * An address DHCP has not been seen answering lately, but that a bound lease
 * of the host's store holds: given before a restart, or by another server
 * sharing the store (a SQL lease store). Its MAC is all that is known.
 */
static int client_of_lease(pxb_host *h, struct in_addr addr, struct pxb_client *out)
{
	struct pxb_lease_store *st = pxb_host_leases(h);
	const struct pxb_lease *l = st ? pxb_lease_by_addr(st, ntohl(addr.s_addr)) : NULL;
	uint8_t mac[6];

	if (!l || l->state != PXB_LEASE_BOUND || !pxb_lease_key_mac(&l->key, mac))
		return PXB_ERR_NOENT;
	memset(out, 0, sizeof(*out));
	out->has_mac = 1;
	memcpy(out->mac, mac, 6);
	out->addr = addr;
	out->arch = PXB_ARCH_UNKNOWN;
	return 0;
}

int pxb_host_client_by_addr(pxb_host *h, struct in_addr addr, struct pxb_client *out)
{
	struct recent_table *t = pxb__host_state(h, &table_key, NULL, NULL);
	int32_t i;

	if (!addr.s_addr)
		return PXB_ERR_NOENT;
	i = t ? pxb_keyidx_find(&t->by_addr, &addr) : -1;
	if (i < 0)
		return client_of_lease(h, addr, out);
	*out = t->recent[i];
	return 0;
}

int pxb_host_client_by_mac(pxb_host *h, const uint8_t mac[6], struct pxb_client *out)
{
	struct recent_table *t = pxb__host_state(h, &table_key, NULL, NULL);
	int32_t i;

	if (!t)
		return PXB_ERR_NOENT;
	i = pxb_keyidx_find(&t->by_mac, mac);
	if (i < 0)
		return PXB_ERR_NOENT;
	*out = t->recent[i];
	return 0;
}
