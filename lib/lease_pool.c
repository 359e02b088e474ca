/*
 * lease_pool.c - address pools and the allocator of the lease store.
 *
 * Per pool: a bitmap with one bit per address, set while a lease exists on
 * the address or the address is reserved, and a min-heap of the pool's
 * leases ordered by the time their address becomes free (released leases
 * first, then by expiry). Allocation takes an address never leased if there
 * is one (a word scan from a moving cursor, skipping full words: 1024 words
 * for 65536 addresses at worst), else the top of the heap if it is free by
 * now. Both are cheap enough to run for every DHCPDISCOVER.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <pxeboot/lease.h>
#include "lease_internal.h"

#define POOL_MAX_SIZE (1u << 24)

static inline int bit_get(const uint64_t *bm, uint32_t i)
{
	return (bm[i / 64] >> (i % 64)) & 1;
}

static inline void bit_set(uint64_t *bm, uint32_t i)
{
	bm[i / 64] |= (uint64_t)1 << (i % 64);
}

static inline void bit_clear(uint64_t *bm, uint32_t i)
{
	bm[i / 64] &= ~((uint64_t)1 << (i % 64));
}

int pxb__lease_pool_find(const struct pxb_lease_store *st, uint32_t addr)
{
	size_t i;

	for (i = 0; i < st->npools; i++)
		if (addr >= st->pools[i].start && addr <= st->pools[i].end)
			return (int)i;
	return -1;
}

/* Heap order: the lease whose address frees first on top. */
static int heap_less(const void *a, const void *b)
{
	const struct pxb__lease_rec *ra = a, *rb = b;

	return pxb__lease_free_time(&ra->pub) < pxb__lease_free_time(&rb->pub);
}

static void heap_place(void *e, unsigned i)
{
	((struct pxb__lease_rec *)e)->heap_idx = i;
}

static void heap_push(struct pxb__lease_pool *p, struct pxb__lease_rec *r)
{
	/* the heap has room for every address of the pool, and one lease per address */
	pxb_idxheap_push(&p->heap, r, heap_less, heap_place);
}

static void heap_remove(struct pxb__lease_pool *p, struct pxb__lease_rec *r)
{
	pxb_idxheap_remove(&p->heap, r->heap_idx, heap_less, heap_place);
	r->heap_idx = PXB__LEASE_NO_HEAP;
}

void pxb__lease_pool_link(struct pxb_lease_store *st, struct pxb__lease_rec *r)
{
	int idx = pxb__lease_pool_find(st, r->pub.addr);
	struct pxb__lease_pool *p;
	uint32_t i;

	r->pool = idx;
	if (idx < 0)
		return;
	p = &st->pools[idx];
	i = r->pub.addr - p->start;
	if (bit_get(p->resv, i))
		return; /* reserved: already busy, never in the heap */
	bit_set(p->busy, i);
	p->nfree--;
	heap_push(p, r);
}

void pxb__lease_pool_unlink(struct pxb_lease_store *st, struct pxb__lease_rec *r)
{
	struct pxb__lease_pool *p;
	uint32_t i;

	if (r->pool < 0)
		return;
	p = &st->pools[r->pool];
	i = r->pub.addr - p->start;
	if (r->heap_idx != PXB__LEASE_NO_HEAP)
		heap_remove(p, r);
	if (!bit_get(p->resv, i)) {
		bit_clear(p->busy, i);
		p->nfree++;
	}
	r->pool = -1;
}

void pxb__lease_pool_update(struct pxb_lease_store *st, struct pxb__lease_rec *r)
{
	struct pxb__lease_pool *p;

	if (r->pool < 0 || r->heap_idx == PXB__LEASE_NO_HEAP)
		return;
	p = &st->pools[r->pool];
	pxb_idxheap_update(&p->heap, r->heap_idx, heap_less, heap_place);
}

static void pool_free(struct pxb__lease_pool *p)
{
	free(p->busy);
	free(p->resv);
	free(p->heap.v);
}

void pxb__lease_pools_free(struct pxb_lease_store *st)
{
	size_t i;

	for (i = 0; i < st->npools; i++)
		pool_free(&st->pools[i]);
	free(st->pools);
	st->pools = NULL;
	st->npools = 0;
}

void pxb_lease_pool_clear(struct pxb_lease_store *st)
{
	size_t i;
	struct pxb__lease_rec *r;

	for (i = 0; i < st->nbuckets; i++) {
		for (r = st->by_addr[i]; r; r = r->next_addr) {
			r->pool = -1;
			r->heap_idx = PXB__LEASE_NO_HEAP;
		}
	}
	pxb__lease_pools_free(st);
}

int pxb_lease_pool_add(struct pxb_lease_store *st, uint32_t start, uint32_t end)
{
	struct pxb__lease_pool *pools, *p;
	struct pxb__lease_rec *r;
	size_t i, words;
	uint32_t size;

	if (start > end)
		return PXB_ERR_INVAL;
	if (end - start >= POOL_MAX_SIZE)
		return PXB_ERR_TOOBIG;
	for (i = 0; i < st->npools; i++)
		if (start <= st->pools[i].end && end >= st->pools[i].start)
			return PXB_ERR_EXIST;
	pools = realloc(st->pools, (st->npools + 1) * sizeof(*pools));
	if (!pools)
		return PXB_ERR_NOMEM;
	st->pools = pools;
	p = &pools[st->npools];
	memset(p, 0, sizeof(*p));
	size = end - start + 1;
	words = (size + 63) / 64;
	p->cursor = (uint32_t)(((uint64_t)st->alloc_spread * words) >> 32);
	p->busy = calloc(words, sizeof(uint64_t));
	p->resv = calloc(words, sizeof(uint64_t));
	p->heap.v = calloc(size, sizeof(*p->heap.v));
	if (!p->busy || !p->resv || !p->heap.v) {
		pool_free(p);
		return PXB_ERR_NOMEM;
	}
	p->start = start;
	p->end = end;
	p->size = size;
	p->nfree = size;
	/* bits past the end look busy so the word scan never picks them */
	if (size % 64)
		p->busy[words - 1] = ~(uint64_t)0 << (size % 64);
	st->npools++;
	for (i = 0; i < st->nbuckets; i++)
		for (r = st->by_addr[i]; r; r = r->next_addr)
			if (r->pool < 0 && r->pub.addr >= start && r->pub.addr <= end)
				pxb__lease_pool_link(st, r);
	return (int)(st->npools - 1);
}

int pxb_lease_reserve(struct pxb_lease_store *st, uint32_t addr)
{
	int idx = pxb__lease_pool_find(st, addr);
	struct pxb__lease_pool *p;
	struct pxb__lease_rec *r;
	uint32_t i;

	if (idx < 0)
		return 0;
	p = &st->pools[idx];
	i = addr - p->start;
	if (bit_get(p->resv, i))
		return 0;
	bit_set(p->resv, i);
	r = pxb__lease_find_addr(st, addr);
	if (r && r->heap_idx != PXB__LEASE_NO_HEAP)
		heap_remove(p, r); /* busy already set by the lease */
	else if (!r) {
		bit_set(p->busy, i);
		p->nfree--;
	}
	return 0;
}

int pxb_lease_alloc(struct pxb_lease_store *st, int pool, int64_t now, uint32_t *addr)
{
	struct pxb__lease_pool *p;
	size_t words, n, w;

	if (pool < 0 || (size_t)pool >= st->npools || !addr)
		return PXB_ERR_INVAL;
	p = &st->pools[pool];
	if (p->nfree > 0) {
		words = (p->size + 63) / 64;
		for (n = 0, w = p->cursor; n < words; n++, w = w + 1 == words ? 0 : w + 1) {
			if (p->busy[w] != ~(uint64_t)0) {
				p->cursor = (uint32_t)w;
				*addr = p->start + (uint32_t)(w * 64) +
					(uint32_t)__builtin_ctzll(~p->busy[w]);
				return 0;
			}
		}
	}
	if (p->heap.n > 0 &&
	    pxb__lease_free_time(&((struct pxb__lease_rec *)p->heap.v[0])->pub) <= now) {
		*addr = ((struct pxb__lease_rec *)p->heap.v[0])->pub.addr;
		return 0;
	}
	return PXB_ERR_BUSY;
}
