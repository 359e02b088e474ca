/*
 * lease_internal.h - the lease store's private structures, shared by
 * lease_table.c (table and operations), lease_pool.c (allocator) and
 * lease_journal.c (file format, load, flush, compaction).
 */
#ifndef PXB_DHCP_LEASE_INTERNAL_H
#define PXB_DHCP_LEASE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <pxeboot/lease.h>
#include <pxeboot/idxheap.h>

#define PXB__LEASE_NO_HEAP UINT32_MAX

/* One lease; the public view comes first so a pointer converts both ways. */
struct pxb__lease_rec {
	struct pxb_lease pub;
	struct pxb__lease_rec *next_addr; /* chain in the address table */
	struct pxb__lease_rec *next_key;  /* chain in the key table (not for KEY_NONE) */
	uint64_t key_hash;
	int32_t pool;                     /* pool index, -1 when outside every pool */
	uint32_t heap_idx;                /* slot in the pool's heap, or PXB__LEASE_NO_HEAP */
};

/*
 * An address pool. busy has one bit per address: set while a lease exists on
 * it or it is reserved. The heap orders the pool's leases (reserved addresses
 * excepted) by the time they become free, so the allocator finds a reusable
 * lease in O(1) and keeps it up to date in O(log n).
 */
struct pxb__lease_pool {
	uint32_t start, end;
	uint32_t size;  /* end - start + 1 */
	uint32_t nfree; /* addresses whose busy bit is clear */
	uint32_t cursor; /* next word of busy to look at */
	uint64_t *busy;
	uint64_t *resv;
	struct pxb_idxheap heap; /* of struct pxb__lease_rec (pxeboot/idxheap.h) */
};

struct pxb__lease_buf {
	uint8_t *p;
	size_t len, cap;
};

struct pxb_lease_store {
	/* settings */
	char *dir;          /* NULL: memory only */
	char *path;         /* <dir>/leases.journal */
	char *tmp_path;     /* <dir>/leases.journal.tmp */
	unsigned compact_ratio;
	size_t compact_min;
	int no_sync;

	/* journal */
	int fd;                    /* -1 when memory only */
	int lock_fd;               /* the state directory, flock'ed; -1 if none */
	uint64_t file_size;        /* bytes of complete records in the file */
	struct pxb__lease_buf staged; /* records not yet written */
	uint64_t staged_seq, durable_seq;
	int external;              /* changes are committed by a lease-store backend */
	uint32_t alloc_spread;     /* pxb_lease_config.alloc_spread */
	uint64_t taken_seq;        /* external: last change handed to the backend */
	uint64_t live_bytes;       /* encoded size of every journaled lease */
	uint64_t flushes, compactions;
	int failed;
	int64_t loss_time;         /* last time leases were lost (LOSS record), 0: never */

	/* table */
	struct pxb__lease_rec **by_addr, **by_key;
	size_t nbuckets; /* power of two, for both tables */
	size_t count;
	uint64_t hash_k0, hash_k1;

	/* pools */
	struct pxb__lease_pool *pools;
	size_t npools;
};

/* lease_table.c: table operations shared with the loader. */
int pxb__lease_put(struct pxb_lease_store *st, const struct pxb_lease *l);
void pxb__lease_del(struct pxb_lease_store *st, struct pxb__lease_rec *r);
struct pxb__lease_rec *pxb__lease_find_addr(const struct pxb_lease_store *st, uint32_t addr);
int pxb__lease_key_valid(const struct pxb_lease_key *key);
/* The time from which a lease's address may be reused. */
int64_t pxb__lease_free_time(const struct pxb_lease *l);

/* lease_pool.c */
int pxb__lease_pool_find(const struct pxb_lease_store *st, uint32_t addr);
void pxb__lease_pool_link(struct pxb_lease_store *st, struct pxb__lease_rec *r);
void pxb__lease_pool_unlink(struct pxb_lease_store *st, struct pxb__lease_rec *r);
void pxb__lease_pool_update(struct pxb_lease_store *st, struct pxb__lease_rec *r);
void pxb__lease_pools_free(struct pxb_lease_store *st);

/* lease_journal.c */
size_t pxb__lease_rec_size(const struct pxb_lease *l);
int pxb__lease_stage_put(struct pxb_lease_store *st, const struct pxb_lease *l);
int pxb__lease_stage_del(struct pxb_lease_store *st, uint32_t addr);
int pxb__lease_journal_open(struct pxb_lease_store *st, int64_t now,
			    struct pxb_lease_load_stats *stats);
int pxb__lease_journal_flush(struct pxb_lease_store *st);
struct pxb_lease_change;
/* Decodes the staged records, numbered from taken_seq + 1, into fn; stops at fn's error. */
int pxb__lease_staged_each(const struct pxb_lease_store *st,
			   int (*fn)(void *arg, const struct pxb_lease_change *c), void *arg);

/* lease_crc.c: CRC-32 (IEEE 802.3, as zlib's crc32()). */
uint32_t pxb__crc32(uint32_t crc, const uint8_t *p, size_t len);

#endif
