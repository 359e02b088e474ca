/*
 * lease_store.c - what a lease store that commits elsewhere (PostgreSQL)
 * needs of a lease table: its staged changes as records, a way to report
 * them committed, and a way to load leases made by others
 * (pxeboot/lease_store.h).
 */
#include "config.h"

#include <string.h>

#include <pxeboot/lease.h>
#include <pxeboot/lease_store.h>
#include "lease_internal.h"

int pxb_lease_take_changes(struct pxb_lease_store *st,
			   int (*fn)(void *arg, const struct pxb_lease_change *c), void *arg,
			   uint64_t *last)
{
	int err;

	if (!st || !fn || !st->external)
		return PXB_ERR_INVAL;
	err = pxb__lease_staged_each(st, fn, arg);
	if (err < 0)
		return err;
	st->staged.len = 0;
	st->taken_seq = st->staged_seq;
	if (last)
		*last = st->taken_seq;
	return 0;
}

void pxb_lease_set_durable(struct pxb_lease_store *st, uint64_t seq)
{
	if (seq > st->taken_seq)
		seq = st->taken_seq;
	if (seq > st->durable_seq)
		st->durable_seq = seq;
}

int pxb_lease_load(struct pxb_lease_store *st, const struct pxb_lease *l)
{
	struct pxb_lease c;

	if (!st || !l || !pxb__lease_key_valid(&l->key))
		return PXB_ERR_INVAL;
	switch (l->state) {
	case PXB_LEASE_BOUND:
	case PXB_LEASE_RELEASED:
		if (l->key.type == PXB_LEASE_KEY_NONE)
			return PXB_ERR_INVAL;
		break;
	case PXB_LEASE_DECLINED:
		if (l->key.type != PXB_LEASE_KEY_NONE)
			return PXB_ERR_INVAL;
		break;
	default:
		return PXB_ERR_INVAL;
	}
	c = *l;
	c.hostname[sizeof(c.hostname) - 1] = '\0';
	return pxb__lease_put(st, &c) < 0 ? PXB_ERR_NOMEM : 0;
}
