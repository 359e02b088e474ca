/*
 * lease_table.c - the lease table: leases indexed by address and by client
 * key (two chained hash tables over the same records), and the operations
 * the DHCP server performs on it (offer, bind, release, decline, remove).
 *
 * Every change goes through pxb__lease_put()/pxb__lease_del(), which keep one
 * lease per address and one per key: putting a lease evicts whatever lease
 * held its address or its key. The journal replays its records through the
 * same function, so a replay rebuilds exactly the table the records describe.
 *
 * Offers change only the table. An offer may evict a lease that is no longer
 * live, or the offered client's own lease; after a restart the journal then
 * shows more leases held than the table did, never fewer, so no address
 * can reach two clients (see lib/lease_journal.c for the file side).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <pxeboot/lease.h>
#include "lease_internal.h"
#include "internal.h"

#define INITIAL_BUCKETS 1024

/* SipHash-1-3 with a random key: client keys come from the network, so the
 * key table must not degrade into one long chain for a chosen set of MACs. */
static inline uint64_t rotl64(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND                                                                             \
	do {                                                                                 \
		v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32);                \
		v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2;                                     \
		v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0;                                     \
		v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32);                \
	} while (0)

static uint64_t siphash13(uint64_t k0, uint64_t k1, const uint8_t *p, size_t len)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t i, tail = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8); /* byte order does not matter for a hash */
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; j < tail; j++)
		b |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static uint64_t key_hash(const struct pxb_lease_store *st, const struct pxb_lease_key *k)
{
	uint8_t tmp[2 + PXB_LEASE_KEY_MAX];

	tmp[0] = k->type;
	tmp[1] = k->len;
	memcpy(tmp + 2, k->bytes, k->len);
	return siphash13(st->hash_k0, st->hash_k1, tmp, 2u + k->len);
}

/* Addresses are chosen by the server, not by clients: a mixing multiply will do. */
static size_t addr_bucket(const struct pxb_lease_store *st, uint32_t addr)
{
	uint64_t h = ((uint64_t)addr ^ st->hash_k0) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & (st->nbuckets - 1);
}

static int key_equal(const struct pxb_lease_key *a, const struct pxb_lease_key *b)
{
	return a->type == b->type && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

int pxb__lease_key_valid(const struct pxb_lease_key *key)
{
	if (!key)
		return 0;
	if (key->type == PXB_LEASE_KEY_NONE)
		return key->len == 0;
	if (key->type != PXB_LEASE_KEY_CLIENT_ID && key->type != PXB_LEASE_KEY_HW)
		return 0;
	return key->len >= 1 && key->len <= PXB_LEASE_KEY_MAX;
}

int64_t pxb__lease_free_time(const struct pxb_lease *l)
{
	return l->state == PXB_LEASE_RELEASED ? INT64_MIN : l->expires;
}

int pxb_lease_is_live(const struct pxb_lease *l, int64_t now)
{
	return l && pxb__lease_free_time(l) > now;
}

struct pxb__lease_rec *pxb__lease_find_addr(const struct pxb_lease_store *st, uint32_t addr)
{
	struct pxb__lease_rec *r = st->by_addr[addr_bucket(st, addr)];

	while (r && r->pub.addr != addr)
		r = r->next_addr;
	return r;
}

static struct pxb__lease_rec *find_key(const struct pxb_lease_store *st,
				       const struct pxb_lease_key *k, uint64_t h)
{
	struct pxb__lease_rec *r = st->by_key[h & (st->nbuckets - 1)];

	while (r && !(r->key_hash == h && key_equal(&r->pub.key, k)))
		r = r->next_key;
	return r;
}

static void link_rec(struct pxb_lease_store *st, struct pxb__lease_rec *r)
{
	size_t b = addr_bucket(st, r->pub.addr);

	r->next_addr = st->by_addr[b];
	st->by_addr[b] = r;
	if (r->pub.key.type != PXB_LEASE_KEY_NONE) {
		b = r->key_hash & (st->nbuckets - 1);
		r->next_key = st->by_key[b];
		st->by_key[b] = r;
	}
}

/* Doubles both tables; on allocation failure keeps the old ones (longer chains). */
static void grow(struct pxb_lease_store *st)
{
	size_t n = st->nbuckets * 2, i;
	struct pxb__lease_rec **na = calloc(n, sizeof(*na)), **nk = calloc(n, sizeof(*nk));
	struct pxb__lease_rec **oa = st->by_addr, *r, *next;

	if (!na || !nk) {
		free(na);
		free(nk);
		return;
	}
	free(st->by_key);
	st->by_addr = na;
	st->by_key = nk;
	st->nbuckets = n;
	for (i = 0; i < n / 2; i++) {
		for (r = oa[i]; r; r = next) {
			next = r->next_addr;
			link_rec(st, r);
		}
	}
	free(oa);
}

static int journaled(const struct pxb_lease *l)
{
	return l->state != PXB_LEASE_OFFERED;
}

static void account(struct pxb_lease_store *st, const struct pxb_lease *l, int add)
{
	if (!journaled(l))
		return;
	if (add)
		st->live_bytes += pxb__lease_rec_size(l);
	else
		st->live_bytes -= pxb__lease_rec_size(l);
}

void pxb__lease_del(struct pxb_lease_store *st, struct pxb__lease_rec *r)
{
	struct pxb__lease_rec **pp;

	for (pp = &st->by_addr[addr_bucket(st, r->pub.addr)]; *pp != r; pp = &(*pp)->next_addr)
		;
	*pp = r->next_addr;
	if (r->pub.key.type != PXB_LEASE_KEY_NONE) {
		for (pp = &st->by_key[r->key_hash & (st->nbuckets - 1)]; *pp != r;
		     pp = &(*pp)->next_key)
			;
		*pp = r->next_key;
	}
	pxb__lease_pool_unlink(st, r);
	account(st, &r->pub, 0);
	st->count--;
	free(r);
}

/* Copies a lease, zeroing key bytes past len and terminating the hostname. */
static void copy_lease(struct pxb_lease *dst, const struct pxb_lease *src)
{
	*dst = *src;
	memset(dst->key.bytes + dst->key.len, 0, PXB_LEASE_KEY_MAX - dst->key.len);
	dst->hostname[PXB_LEASE_HOSTNAME_MAX] = '\0';
}

/*
 * Stores l, evicting the lease that held its address and the one that held
 * its key. Fails (PXB_ERR_NOMEM) only before changing anything.
 */
int pxb__lease_put(struct pxb_lease_store *st, const struct pxb_lease *l)
{
	struct pxb__lease_rec *a = pxb__lease_find_addr(st, l->addr), *k = NULL, *r;
	uint64_t h = 0;

	if (l->key.type != PXB_LEASE_KEY_NONE) {
		h = key_hash(st, &l->key);
		k = find_key(st, &l->key, h);
	}
	if (a && a == k) {
		/* same client, same address: update in place */
		account(st, &a->pub, 0);
		copy_lease(&a->pub, l);
		account(st, &a->pub, 1);
		pxb__lease_pool_update(st, a);
		return 0;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return PXB_ERR_NOMEM;
	if (k)
		pxb__lease_del(st, k);
	if (a)
		pxb__lease_del(st, a);
	if (st->count >= st->nbuckets)
		grow(st);
	copy_lease(&r->pub, l);
	r->key_hash = h;
	r->pool = -1;
	r->heap_idx = PXB__LEASE_NO_HEAP;
	link_rec(st, r);
	st->count++;
	account(st, &r->pub, 1);
	pxb__lease_pool_link(st, r);
	return 0;
}

int pxb_lease_open(const struct pxb_lease_config *cfg, int64_t now,
		   struct pxb_lease_store **out, struct pxb_lease_load_stats *stats)
{
	struct pxb_lease_store *st;
	struct pxb_lease_load_stats dummy;
	int err = PXB_ERR_NOMEM;

	if (!cfg || !out)
		return PXB_ERR_INVAL;
	*out = NULL;
	memset(stats ? stats : &dummy, 0, sizeof(dummy));
	st = calloc(1, sizeof(*st));
	if (!st)
		return PXB_ERR_NOMEM;
	st->fd = -1;
	st->lock_fd = -1;
	st->compact_ratio = cfg->compact_ratio ? cfg->compact_ratio : 4;
	st->compact_min = cfg->compact_min_bytes ? cfg->compact_min_bytes : (size_t)1 << 20;
	st->no_sync = cfg->no_sync;
	st->external = cfg->external_commit && !cfg->state_dir;
	st->alloc_spread = cfg->alloc_spread;
	st->nbuckets = INITIAL_BUCKETS;
	st->by_addr = calloc(st->nbuckets, sizeof(*st->by_addr));
	st->by_key = calloc(st->nbuckets, sizeof(*st->by_key));
	if (!st->by_addr || !st->by_key)
		goto fail;
	if (getrandom(&st->hash_k0, sizeof(st->hash_k0), GRND_NONBLOCK) != sizeof(st->hash_k0) ||
	    getrandom(&st->hash_k1, sizeof(st->hash_k1), GRND_NONBLOCK) != sizeof(st->hash_k1)) {
		/* no entropy yet (early boot): fall back to the store's address */
		st->hash_k0 = (uint64_t)(uintptr_t)st * 0x9e3779b97f4a7c15ULL;
		st->hash_k1 = ~st->hash_k0;
	}
	if (cfg->state_dir) {
		size_t n = strlen(cfg->state_dir) + sizeof("/leases.journal.tmp");

		st->dir = strdup(cfg->state_dir);
		st->path = malloc(n);
		st->tmp_path = malloc(n);
		if (!st->dir || !st->path || !st->tmp_path)
			goto fail;
		snprintf(st->path, n, "%s/leases.journal", cfg->state_dir);
		snprintf(st->tmp_path, n, "%s/leases.journal.tmp", cfg->state_dir);
		err = pxb__lease_journal_open(st, now, stats ? stats : &dummy);
		if (err < 0)
			goto fail;
	}
	(stats ? stats : &dummy)->leases = st->count;
	*out = st;
	return 0;
fail:
	pxb_lease_close(st);
	return err;
}

void pxb_lease_close(struct pxb_lease_store *st)
{
	size_t i;
	struct pxb__lease_rec *r, *next;

	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd);
	if (st->lock_fd >= 0)
		close(st->lock_fd); /* releases the lock */
	pxb__lease_pools_free(st);
	if (st->by_addr) {
		for (i = 0; i < st->nbuckets; i++) {
			for (r = st->by_addr[i]; r; r = next) {
				next = r->next_addr;
				free(r);
			}
		}
	}
	free(st->by_addr);
	free(st->by_key);
	free(st->staged.p);
	free(st->dir);
	free(st->path);
	free(st->tmp_path);
	free(st);
}

int pxb_lease_key_client_id(struct pxb_lease_key *key, const uint8_t *id, size_t len)
{
	if (!key || !id || len == 0)
		return PXB_ERR_INVAL;
	if (len > PXB_LEASE_KEY_MAX)
		return PXB_ERR_TOOBIG;
	memset(key, 0, sizeof(*key));
	key->type = PXB_LEASE_KEY_CLIENT_ID;
	key->len = (uint8_t)len;
	memcpy(key->bytes, id, len);
	return 0;
}

int pxb_lease_key_hw(struct pxb_lease_key *key, uint8_t htype, const uint8_t *chaddr, size_t hlen)
{
	if (!key || !chaddr || hlen == 0)
		return PXB_ERR_INVAL;
	if (hlen + 1 > PXB_LEASE_KEY_MAX)
		return PXB_ERR_TOOBIG;
	memset(key, 0, sizeof(*key));
	key->type = PXB_LEASE_KEY_HW;
	key->len = (uint8_t)(hlen + 1);
	key->bytes[0] = htype;
	memcpy(key->bytes + 1, chaddr, hlen);
	return 0;
}

int pxb_lease_key_mac(const struct pxb_lease_key *key, uint8_t mac[6])
{
	if (!key || (key->type != PXB_LEASE_KEY_HW && key->type != PXB_LEASE_KEY_CLIENT_ID) ||
	    key->len != 7 || key->bytes[0] != 1)
		return 0;
	memcpy(mac, key->bytes + 1, 6);
	return 1;
}

const struct pxb_lease *pxb_lease_by_addr(const struct pxb_lease_store *st, uint32_t addr)
{
	struct pxb__lease_rec *r = pxb__lease_find_addr(st, addr);

	return r ? &r->pub : NULL;
}

const struct pxb_lease *pxb_lease_by_key(const struct pxb_lease_store *st,
					 const struct pxb_lease_key *key)
{
	struct pxb__lease_rec *r;

	if (!pxb__lease_key_valid(key) || key->type == PXB_LEASE_KEY_NONE)
		return NULL;
	r = find_key(st, key, key_hash(st, key));
	return r ? &r->pub : NULL;
}

int pxb_lease_available(const struct pxb_lease_store *st, uint32_t addr,
			const struct pxb_lease_key *key, int64_t now)
{
	const struct pxb_lease *l = pxb_lease_by_addr(st, addr);

	if (!l || !pxb_lease_is_live(l, now))
		return 1;
	return key && l->key.type != PXB_LEASE_KEY_NONE && key_equal(&l->key, key);
}

static int client_key_ok(const struct pxb_lease_key *key)
{
	return pxb__lease_key_valid(key) && key->type != PXB_LEASE_KEY_NONE;
}

/*
 * key takes addr now (an offer, a bind): *l is its lease in state until
 * expires. 0, PXB_ERR_INVAL (no client key), PXB_ERR_IO (the store failed)
 * or PXB_ERR_EXIST (addr is another's).
 */
static int take(struct pxb_lease_store *st, const struct pxb_lease_key *key, uint32_t addr,
		int64_t now, enum pxb_lease_state state, int64_t expires, struct pxb_lease *l)
{
	if (!client_key_ok(key))
		return PXB_ERR_INVAL;
	if (st->failed)
		return PXB_ERR_IO;
	if (!pxb_lease_available(st, addr, key, now))
		return PXB_ERR_EXIST;
	memset(l, 0, sizeof(*l));
	l->key = *key;
	l->addr = addr;
	l->state = (uint8_t)state;
	l->expires = expires;
	return 0;
}

int pxb_lease_offer(struct pxb_lease_store *st, const struct pxb_lease_key *key, uint32_t addr,
		    int64_t expires, int64_t now)
{
	const struct pxb_lease *cur;
	struct pxb_lease l;
	int rc;

	rc = take(st, key, addr, now, PXB_LEASE_OFFERED, expires, &l);
	if (rc < 0)
		return rc;
	cur = pxb_lease_by_addr(st, addr);
	if (cur && cur->state == PXB_LEASE_BOUND && pxb_lease_is_live(cur, now))
		return 0; /* its own live lease: keep it as it is */
	if (cur)
		memcpy(l.hostname, cur->hostname, sizeof(l.hostname));
	return pxb__lease_put(st, &l);
}

/*
 * Stages l in the journal, then puts it in the table: staging reserves its
 * room first, so the table never changes alone. *seq (may be NULL) gets the
 * staged record's sequence. 0 or the first error.
 */
static int stage_put(struct pxb_lease_store *st, const struct pxb_lease *l, uint64_t *seq)
{
	int err = pxb__lease_stage_put(st, l);

	if (err < 0)
		return err;
	err = pxb__lease_put(st, l);
	if (err < 0)
		return err;
	if (seq)
		*seq = st->staged_seq;
	return 0;
}

int pxb_lease_stage_bind(struct pxb_lease_store *st, const struct pxb_lease_key *key,
			 uint32_t addr, int64_t expires, const char *hostname, int64_t now,
			 uint64_t *seq)
{
	struct pxb_lease l;
	int rc;

	rc = take(st, key, addr, now, PXB_LEASE_BOUND, expires, &l);
	if (rc < 0)
		return rc;
	if (hostname)
		pxb_strlcpy(l.hostname, hostname, sizeof(l.hostname));
	/* a failed put leaves the journal a bind the table lacks: harmless (more held) */
	return stage_put(st, &l, seq);
}

int pxb_lease_stage_release(struct pxb_lease_store *st, const struct pxb_lease_key *key,
			    uint32_t addr, uint64_t *seq)
{
	const struct pxb_lease *cur;
	struct pxb_lease l;

	if (!client_key_ok(key))
		return PXB_ERR_NOENT;
	if (st->failed)
		return PXB_ERR_IO;
	cur = pxb_lease_by_key(st, key);
	if (!cur || cur->addr != addr || cur->state != PXB_LEASE_BOUND)
		return PXB_ERR_NOENT;
	l = *cur;
	l.state = PXB_LEASE_RELEASED;
	return stage_put(st, &l, seq); /* in place: the put cannot fail */
}

int pxb_lease_stage_decline(struct pxb_lease_store *st, uint32_t addr, int64_t until,
			    uint64_t *seq)
{
	struct pxb_lease l;

	if (st->failed)
		return PXB_ERR_IO;
	memset(&l, 0, sizeof(l));
	l.addr = addr;
	l.state = PXB_LEASE_DECLINED;
	l.expires = until;
	return stage_put(st, &l, seq);
}

int pxb_lease_stage_remove(struct pxb_lease_store *st, uint32_t addr, uint64_t *seq)
{
	struct pxb__lease_rec *r;
	int err;

	if (st->failed)
		return PXB_ERR_IO;
	r = pxb__lease_find_addr(st, addr);
	if (!r)
		return PXB_ERR_NOENT;
	err = pxb__lease_stage_del(st, addr);
	if (err < 0)
		return err;
	pxb__lease_del(st, r);
	if (seq)
		*seq = st->staged_seq;
	return 0;
}

int pxb_lease_flush(struct pxb_lease_store *st)
{
	return pxb__lease_journal_flush(st);
}

uint64_t pxb_lease_staged_seq(const struct pxb_lease_store *st)
{
	return st->staged_seq;
}

uint64_t pxb_lease_durable_seq(const struct pxb_lease_store *st)
{
	return st->durable_seq;
}

int64_t pxb_lease_loss_time(const struct pxb_lease_store *st)
{
	return st->loss_time;
}

size_t pxb_lease_count(const struct pxb_lease_store *st)
{
	return st->count;
}

int pxb_lease_foreach(const struct pxb_lease_store *st,
		      int (*fn)(const struct pxb_lease *l, void *arg), void *arg)
{
	size_t i;
	struct pxb__lease_rec *r;
	int ret;

	for (i = 0; i < st->nbuckets; i++) {
		for (r = st->by_addr[i]; r; r = r->next_addr) {
			ret = fn(&r->pub, arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

void pxb_lease_get_stats(const struct pxb_lease_store *st, struct pxb_lease_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->journal_bytes = st->file_size;
	out->live_bytes = st->live_bytes;
	out->flushes = st->flushes;
	out->compactions = st->compactions;
	out->staged_bytes = st->staged.len;
	out->failed = st->failed;
}
