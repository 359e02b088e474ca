/*
 * keyidx.h - an index from a short key (a MAC, an IPv4 address) to a slot
 * of a caller's table, for the per-packet lookups of the recent-client and
 * event tables (private).
 *
 * Open addressing with linear probing; deletion shifts the following
 * entries back (no tombstones), so lookups stay short however many entries
 * come and go. The index stores slot numbers only: the caller's table holds
 * the keys, read back through key().
 */
#ifndef PXB_KEYIDX_H
#define PXB_KEYIDX_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PXB_KEYIDX_KEYMAX 8

struct pxb_keyidx {
	int32_t *slot;   /* table slot number, -1 empty */
	uint32_t mask;   /* size - 1, size a power of two >= 2 x capacity */
	size_t klen;     /* key length in bytes */
	/* The key of table slot i, or NULL when slot i holds no key. */
	const void *(*key)(const void *table, int32_t i);
	const void *table;
};

static inline int pxb_keyidx_init(struct pxb_keyidx *x, unsigned capacity, size_t klen,
				  const void *(*key)(const void *table, int32_t i),
				  const void *table)
{
	uint32_t size = 16;

	while (size < 2u * capacity)
		size <<= 1;
	x->slot = malloc(size * sizeof(*x->slot));
	if (!x->slot)
		return -1;
	memset(x->slot, 0xff, size * sizeof(*x->slot));
	x->mask = size - 1;
	x->klen = klen;
	x->key = key;
	x->table = table;
	return 0;
}

static inline void pxb_keyidx_free(struct pxb_keyidx *x)
{
	free(x->slot);
	x->slot = NULL;
}

static inline uint32_t pxb_keyidx_hash(const struct pxb_keyidx *x, const void *k)
{
	const uint8_t *p = k;
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < x->klen; i++)
		h = (h ^ p[i]) * 16777619u;
	return h ^ (h >> 15);
}

/* Returns the table slot holding key k, or -1. */
static inline int32_t pxb_keyidx_find(const struct pxb_keyidx *x, const void *k)
{
	for (uint32_t i = pxb_keyidx_hash(x, k) & x->mask;; i = (i + 1) & x->mask) {
		int32_t s = x->slot[i];
		const void *sk;
		if (s < 0)
			return -1;
		sk = x->key(x->table, s);
		if (sk && memcmp(sk, k, x->klen) == 0)
			return s;
	}
}

/* Records that table slot s holds key k (k must not be present already). */
static inline void pxb_keyidx_add(struct pxb_keyidx *x, const void *k, int32_t s)
{
	uint32_t i = pxb_keyidx_hash(x, k) & x->mask;

	while (x->slot[i] >= 0)
		i = (i + 1) & x->mask;
	x->slot[i] = s;
}

/* Forgets table slot s, which holds key k (call before the key changes). */
static inline void pxb_keyidx_del(struct pxb_keyidx *x, const void *k, int32_t s)
{
	uint32_t i = pxb_keyidx_hash(x, k) & x->mask, j;

	while (x->slot[i] != s) {
		if (x->slot[i] < 0)
			return; /* not indexed */
		i = (i + 1) & x->mask;
	}
	/* Backward shift: move later entries of the run into the hole. */
	for (j = (i + 1) & x->mask; x->slot[j] >= 0; j = (j + 1) & x->mask) {
		const void *jk = x->key(x->table, x->slot[j]);
		uint32_t home = jk ? pxb_keyidx_hash(x, jk) & x->mask : j;
		/* Entry j may fill hole i unless its home lies cyclically in (i, j]. */
		if (((j - home) & x->mask) >= ((j - i) & x->mask)) {
			x->slot[i] = x->slot[j];
			i = j;
		}
	}
	x->slot[i] = -1;
}

#endif
