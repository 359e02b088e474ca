/*
 * lease_store_test.c - unit tests of what a lease store that commits
 * elsewhere needs of a lease table (lib/lease_store.c,
 * pxeboot/lease_store.h): staged changes handed over in order with their
 * numbers, nothing durable until the store says so, leases of other
 * servers loaded without being staged, hostile rows refused.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <pxeboot/lease.h>
#include <pxeboot/lease_store.h>
#include "tap.h"

#define NOW 1700000000LL
#define A(d) (0x0a000000u | (uint32_t)(d))

static struct pxb_lease_key mkkey(unsigned n)
{
	struct pxb_lease_key k;
	uint8_t mac[6] = {0x52, 0x54, 0, 0, (uint8_t)(n >> 8), (uint8_t)n};

	pxb_lease_key_hw(&k, 1, mac, 6);
	return k;
}

struct got {
	struct pxb_lease_change c[16];
	size_t n;
	int fail;
};

static int take(void *arg, const struct pxb_lease_change *c)
{
	struct got *g = arg;

	if (g->fail)
		return PXB_ERR_NOMEM;
	if (g->n < 16)
		g->c[g->n++] = *c;
	return 0;
}

int main(void)
{
	struct pxb_lease_config ext = {.external_commit = 1}, mem = {0};
	struct pxb_lease_store *st, *plain;
	struct pxb_lease_key k1 = mkkey(1), k2 = mkkey(2);
	struct got g = {.n = 0};
	uint64_t s1 = 0, s2 = 0, s3 = 0, last = 0;

	plan_lazy();
	ok(pxb_lease_open(&ext, NOW, &st, NULL) == 0, "an external_commit table opens");
	ok(pxb_lease_stage_bind(st, &k1, A(1), NOW + 3600, "one", NOW, &s1) == 0 &&
	   pxb_lease_stage_bind(st, &k2, A(2), NOW + 3600, NULL, NOW, &s2) == 0 &&
	   pxb_lease_stage_release(st, &k1, A(1), &s3) == 0, "three changes staged");
	ok(pxb_lease_flush(st) == 0, "a flush succeeds");
	is_int((long long)pxb_lease_durable_seq(st), 0, "but makes nothing durable: the store will");

	g.fail = 1;
	is_int(pxb_lease_take_changes(st, take, &g, &last), PXB_ERR_NOMEM,
	       "a refusing taker gets its error");
	g.fail = 0;
	is_int(pxb_lease_take_changes(st, take, &g, &last), 0, "and then takes them all again");
	is_int((long long)g.n, 3, "three changes, in order");
	ok(g.c[0].seq == s1 && g.c[1].seq == s2 && g.c[2].seq == s3 && last == s3,
	   "numbered as staging said");
	ok(g.c[0].op == PXB_LEASE_CHANGE_PUT && g.c[0].lease.state == PXB_LEASE_BOUND &&
	   g.c[0].lease.addr == A(1) && strcmp(g.c[0].lease.hostname, "one") == 0 &&
	   g.c[0].lease.key.len == k1.len && memcmp(g.c[0].lease.key.bytes, k1.bytes, k1.len) == 0,
	   "a bind comes as its lease");
	ok(g.c[2].lease.state == PXB_LEASE_RELEASED, "a release as a released lease");
	g.n = 0;
	is_int(pxb_lease_take_changes(st, take, &g, &last), 0, "a second take");
	is_int((long long)g.n, 0, "finds nothing new");

	pxb_lease_set_durable(st, s2);
	is_int((long long)pxb_lease_durable_seq(st), (long long)s2, "durable as far as the store said");
	pxb_lease_set_durable(st, s3 + 10);
	is_int((long long)pxb_lease_durable_seq(st), (long long)s3,
	       "never past what was taken");

	/* another server's lease on an address this table offered */
	ok(pxb_lease_offer(st, &k1, A(5), NOW + 60, NOW) == 0, "an offer of .5 to client 1");
	{
		struct pxb_lease other = {.key = k2, .addr = A(5), .state = PXB_LEASE_BOUND,
					  .expires = NOW + 3600};
		uint64_t before = pxb_lease_staged_seq(st);
		is_int(pxb_lease_load(st, &other), 0, "client 2's lease on .5 loaded");
		ok(pxb_lease_staged_seq(st) == before, "loading stages nothing");
		ok(!pxb_lease_available(st, A(5), &k1, NOW), ".5 is no longer client 1's to take");
		ok(pxb_lease_by_key(st, &k2) && pxb_lease_by_key(st, &k2)->addr == A(5),
		   "client 2 holds .5 (its old .2 evicted)");
	}
	{
		struct pxb_lease bad = {.addr = A(9), .state = PXB_LEASE_OFFERED, .key = k1};
		is_int(pxb_lease_load(st, &bad), PXB_ERR_INVAL, "an offer is refused");
		bad.state = PXB_LEASE_DECLINED;
		is_int(pxb_lease_load(st, &bad), PXB_ERR_INVAL, "a declined lease with a key too");
		bad.state = PXB_LEASE_BOUND;
		bad.key.len = 0;
		is_int(pxb_lease_load(st, &bad), PXB_ERR_INVAL, "a bound one with a bad key too");
	}

	ok(pxb_lease_open(&mem, NOW, &plain, NULL) == 0, "a plain memory table");
	is_int(pxb_lease_take_changes(plain, take, &g, NULL), PXB_ERR_INVAL,
	       "gives no changes: it commits them itself");
	ok(pxb_lease_stage_bind(plain, &k1, A(1), NOW + 3600, NULL, NOW, &s1) == 0 &&
	   pxb_lease_flush(plain) == 0 && pxb_lease_durable_seq(plain) == s1,
	   "and makes them durable at the flush");
	pxb_lease_close(plain);

	/* servers sharing leases start allocating at different places */
	{
		struct pxb_lease_config half = {.external_commit = 1, .alloc_spread = 0x80000000u};
		struct pxb_lease_store *h;
		uint32_t a0 = 0, a1 = 0;
		int pool;

		ok(pxb_lease_open(&half, NOW, &h, NULL) == 0, "a table with alloc_spread 1/2");
		pool = pxb_lease_pool_add(h, A(0), A(1023));
		ok(pool >= 0 && pxb_lease_alloc(h, pool, NOW, &a0) == 0 && a0 == A(512),
		   "allocates from the middle of its pool first");
		pxb_lease_close(h);
		ok(pxb_lease_open(&ext, NOW, &h, NULL) == 0 &&
		   pxb_lease_alloc(h, pxb_lease_pool_add(h, A(0), A(1023)), NOW, &a1) == 0 &&
		   a1 == A(0), "without it, from the start");
		pxb_lease_close(h);
	}
	pxb_lease_close(st);
	return done_testing();
}
