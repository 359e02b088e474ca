/*
 * pxeboot/lease.h - the durable DHCP lease store: an in-memory table of
 * leases indexed by address and by client, an address allocator over pools,
 * and a journal on disk that survives kill -9 at any moment.
 *
 * The store reads no clock and logs nothing: callers pass "now" as wall-clock
 * seconds (Unix time, like time(2)) because leases must outlive a restart,
 * and problems come back as PXB_ERR_* codes and counters.
 *
 * Durability is split in two steps so that a busy server pays one fsync per
 * loop iteration, not one per packet:
 *
 *   pxb_lease_stage_bind(st, &key, addr, expires, host, now, &seq);  // memory
 *   ... more packets, more staged operations ...
 *   pxb_lease_flush(st);            // one write() + one fdatasync() for all
 *   if (pxb_lease_durable_seq(st) >= seq) send the DHCPACK held back for seq
 *
 * Invariants kept by every function: one lease per address, one lease per
 * client key, and a lease that is live (bound, offered or quarantined, and not
 * expired) is never handed to another client. A bound lease is on disk before
 * its sequence number is reported durable, so after a crash and a restart
 * (pxb_lease_open) every acknowledged lease is back.
 *
 * Files in the state directory: leases.journal (the journal) and, briefly
 * during compaction, leases.journal.tmp; leases.journal.damaged-<time> are
 * damaged journals kept aside, and a file an administrator renames to
 * leases.journal.damaged is salvaged when there is no leases.journal. The
 * format is described in lib/lease_journal.c.
 *
 * Addresses are IPv4 addresses as uint32_t in host byte order
 * (ntohl(in_addr.s_addr)).
 *
 * A store is not thread-safe; one process at a time may open a state
 * directory (it is flock'ed while the store is open).
 */
#ifndef PXEBOOT_LEASE_H
#define PXEBOOT_LEASE_H

#include <stddef.h>
#include <stdint.h>
#include <pxeboot/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pxb_lease_store;

/* What a lease record says about its address. */
enum pxb_lease_state {
	PXB_LEASE_OFFERED = 1,  /* DHCPOFFER sent; kept in memory only, never journaled */
	PXB_LEASE_BOUND = 2,    /* DHCPACK sent (or about to be); held until expires */
	PXB_LEASE_RELEASED = 3, /* given back (DHCPRELEASE); free, remembered for reuse */
	PXB_LEASE_DECLINED = 4, /* quarantined after DHCPDECLINE until expires */
};

/* How a client is identified (RFC 2131 sec 4.2: client-id if sent, else chaddr). */
enum pxb_lease_key_type {
	PXB_LEASE_KEY_NONE = 0,      /* no client: a quarantined address */
	PXB_LEASE_KEY_CLIENT_ID = 1, /* the bytes of option 61 (RFC 2132 sec 9.14) */
	PXB_LEASE_KEY_HW = 2,        /* htype byte followed by chaddr[0..hlen) */
};

#define PXB_LEASE_KEY_MAX 64      /* longest client key, bytes */
#define PXB_LEASE_HOSTNAME_MAX 63 /* longest hostname kept, bytes */

struct pxb_lease_key {
	uint8_t type; /* enum pxb_lease_key_type */
	uint8_t len;  /* bytes used in bytes[] */
	uint8_t bytes[PXB_LEASE_KEY_MAX];
};

/* A lease as the store holds it. Pointers returned by lookups are valid until
 * the next call that changes the store. */
struct pxb_lease {
	struct pxb_lease_key key; /* type PXB_LEASE_KEY_NONE when DECLINED */
	uint32_t addr;            /* host byte order */
	uint8_t state;            /* enum pxb_lease_state */
	int64_t expires;          /* Unix time, seconds */
	char hostname[PXB_LEASE_HOSTNAME_MAX + 1]; /* "" if none */
};

struct pxb_lease_config {
	/* Directory for leases.journal (created if missing, the directory must
	 * exist). NULL keeps everything in memory: flushes succeed at once. */
	const char *state_dir;
	/* Compact when the journal exceeds compact_ratio times the size of the
	 * live leases (0: 4) and compact_min_bytes (0: 1 MiB). */
	unsigned compact_ratio;
	size_t compact_min_bytes;
	/* 1: skip fdatasync()/fsync(). Only for tests and benchmarks: a power
	 * cut can then lose acknowledged leases (kill -9 still cannot). */
	int no_sync;
	/* 1 (with state_dir NULL): flushes make nothing durable; a lease-store
	 * backend takes the staged changes and reports which were committed
	 * (pxeboot/lease_store.h). */
	int external_commit;
	/* Where in each pool pxb_lease_alloc() starts looking, as a fraction
	 * alloc_spread / 2^32 of the pool (0: its start). Servers that share
	 * their leases (a lease store) give different values, so that they do
	 * not all offer the same free addresses first. */
	uint32_t alloc_spread;
};

/* What pxb_lease_open() found in the journal. */
struct pxb_lease_load_stats {
	uint64_t records;         /* valid records replayed */
	uint64_t skipped;         /* valid records of unknown type or content, skipped */
	uint64_t dropped_expired; /* leases dropped because they had expired */
	uint64_t torn_bytes;      /* bytes after the last valid record, cut off */
	uint64_t leases;          /* leases in the table after loading */
	/* Damage (see pxb_lease_open()): */
	uint64_t damaged_bytes;   /* bytes skipped because they held no valid record */
	uint64_t damaged_regions; /* damaged stretches skipped (each a record or more lost) */
	int loss;                 /* 1: leases were lost; a LOSS was recorded (pxb_lease_loss_time()) */
	char kept_aside[64];      /* name in state_dir of the damaged file kept, "" if none */
};

/*
 * Opens the store: loads <state_dir>/leases.journal (creating it when absent),
 * replays its records in order, drops leases expired at "now", and removes a
 * leftover leases.journal.tmp. A torn tail (an incomplete last record, left
 * by a crash during an append) is cut off. A damaged record (complete but
 * failing its CRC) is skipped and the records after it replayed; the file is
 * then first copied to leases.journal.damaged-<now>, then rewritten with
 * what was restored and a LOSS record (stats->loss, damaged_bytes,
 * damaged_regions, kept_aside). When there is no journal but a
 * leases.journal.damaged, its records are salvaged the same way and it is
 * renamed leases.journal.damaged-<now>.
 *   cfg: settings (copied); now: Unix time; out: the new store;
 *   stats: filled with what loading found (may be NULL).
 * Returns 0; PXB_ERR_INVAL (bad argument), PXB_ERR_NOMEM, PXB_ERR_NOENT (no
 * such directory), PXB_ERR_ACCESS (permission denied), PXB_ERR_BUSY (another
 * process has the directory open), PXB_ERR_IO (a system call failed),
 * PXB_ERR_TOOBIG (the journal does not fit in memory), PXB_ERR_PROTO (the
 * header is damaged or short, or the file is not a lease journal: it is left
 * untouched), PXB_ERR_UNSUPP (a journal of another version: left untouched).
 */
PXB_API int pxb_lease_open(const struct pxb_lease_config *cfg, int64_t now,
			   struct pxb_lease_store **out, struct pxb_lease_load_stats *stats);

/*
 * Frees the store and closes its file. Staged operations that were not
 * flushed are dropped (as a crash would); call pxb_lease_flush() first.
 * Accepts NULL.
 */
PXB_API void pxb_lease_close(struct pxb_lease_store *st);

/*
 * Builds a key from the client identifier option (RFC 2132 sec 9.14).
 * Returns 0; PXB_ERR_INVAL when len is 0; PXB_ERR_TOOBIG when len exceeds
 * PXB_LEASE_KEY_MAX.
 */
PXB_API int pxb_lease_key_client_id(struct pxb_lease_key *key, const uint8_t *id, size_t len);

/*
 * Builds a key from the hardware type and address (chaddr, hlen bytes).
 * Returns 0; PXB_ERR_INVAL when hlen is 0; PXB_ERR_TOOBIG when hlen + 1
 * exceeds PXB_LEASE_KEY_MAX.
 */
PXB_API int pxb_lease_key_hw(struct pxb_lease_key *key, uint8_t htype, const uint8_t *chaddr,
			     size_t hlen);

/*
 * The Ethernet MAC a key names: a hardware key of type 1 (Ethernet) or a
 * client identifier of type 1 followed by six bytes (RFC 2132 sec 9.14, the
 * form firmware and most clients send). Returns 1 and mac[], or 0 for any
 * other key (mac[] untouched).
 */
PXB_API int pxb_lease_key_mac(const struct pxb_lease_key *key, uint8_t mac[6]);

/* Returns the lease on addr, or NULL. */
PXB_API const struct pxb_lease *pxb_lease_by_addr(const struct pxb_lease_store *st,
						  uint32_t addr);

/* Returns the lease of the client key, or NULL. */
PXB_API const struct pxb_lease *pxb_lease_by_key(const struct pxb_lease_store *st,
						 const struct pxb_lease_key *key);

/* Returns 1 when the lease is live at now (bound, offered or declined and not
 * expired), else 0. A live lease keeps its address from everyone else. */
PXB_API int pxb_lease_is_live(const struct pxb_lease *l, int64_t now);

/*
 * Tells whether addr may be given to key at now: no lease on it, a lease of
 * that same key, or a lease that is no longer live. Reservations are not
 * considered (the server decides who a reserved address is for).
 * Returns 1 (yes) or 0 (no).
 */
PXB_API int pxb_lease_available(const struct pxb_lease_store *st, uint32_t addr,
				const struct pxb_lease_key *key, int64_t now);

/*
 * Registers an address pool [start, end] for pxb_lease_alloc(). Leases
 * already in the range are indexed (one pass over the table).
 * Returns the pool id (>= 0); PXB_ERR_INVAL (start > end), PXB_ERR_TOOBIG
 * (more than 2^24 addresses), PXB_ERR_EXIST (overlaps a pool), PXB_ERR_NOMEM.
 */
PXB_API int pxb_lease_pool_add(struct pxb_lease_store *st, uint32_t start, uint32_t end);

/* Forgets every pool and reservation (on reconfiguration); leases stay. */
PXB_API void pxb_lease_pool_clear(struct pxb_lease_store *st);

/*
 * Marks addr as statically reserved: pxb_lease_alloc() never returns it.
 * Call after pxb_lease_pool_add(); an address outside every pool needs no
 * reservation and is accepted as is.
 * Returns 0.
 */
PXB_API int pxb_lease_reserve(struct pxb_lease_store *st, uint32_t addr);

/*
 * Finds a free address in a pool for a new client, quickly (a bitmap of
 * addresses never leased first, then the lease that became free longest ago).
 * Never returns a reserved address or one whose lease is live. Changes
 * nothing: the caller then calls pxb_lease_offer() or pxb_lease_stage_bind().
 * Callers should first offer a client its own lease (pxb_lease_by_key()).
 *   pool: id from pxb_lease_pool_add(); now: Unix time; addr: the result.
 * Returns 0; PXB_ERR_INVAL (no such pool), PXB_ERR_BUSY (pool exhausted).
 */
PXB_API int pxb_lease_alloc(struct pxb_lease_store *st, int pool, int64_t now, uint32_t *addr);

/*
 * Records an offer of addr to key until expires, in memory only (an offer is
 * no promise; it is not journaled). If the client already holds addr as a
 * live bound lease, that lease is kept unchanged. A lease the client held on
 * another address is dropped (a client sending DHCPDISCOVER has none).
 * Returns 0; PXB_ERR_INVAL (bad key), PXB_ERR_EXIST (addr is live for another
 * client or quarantined), PXB_ERR_NOMEM, PXB_ERR_IO (the store failed before).
 */
PXB_API int pxb_lease_offer(struct pxb_lease_store *st, const struct pxb_lease_key *key,
			    uint32_t addr, int64_t expires, int64_t now);

/*
 * Binds (or renews) addr to key until expires and stages the journal record.
 * The table changes at once; the lease is durable once pxb_lease_durable_seq()
 * reaches *seq. Send the DHCPACK only then.
 *   hostname: kept if not NULL (cut to PXB_LEASE_HOSTNAME_MAX bytes);
 *   seq: receives the sequence number of the staged record (may be NULL).
 * Returns 0; PXB_ERR_INVAL (bad key), PXB_ERR_EXIST (addr is live for another
 * client or quarantined), PXB_ERR_NOMEM, PXB_ERR_IO (the store failed before).
 */
PXB_API int pxb_lease_stage_bind(struct pxb_lease_store *st, const struct pxb_lease_key *key,
				 uint32_t addr, int64_t expires, const char *hostname,
				 int64_t now, uint64_t *seq);

/*
 * Marks the lease of key on addr as released (DHCPRELEASE, RFC 2131 sec
 * 4.3.4) and stages the record. The address is free at once; the lease is
 * kept so the client can get the same address back.
 * Returns 0; PXB_ERR_NOENT (key holds no bound lease on addr), PXB_ERR_NOMEM,
 * PXB_ERR_IO.
 */
PXB_API int pxb_lease_stage_release(struct pxb_lease_store *st, const struct pxb_lease_key *key,
				    uint32_t addr, uint64_t *seq);

/*
 * Quarantines addr until "until" (DHCPDECLINE, RFC 2131 sec 4.3.3: the
 * address is in use by someone else) and stages the record. Whatever lease
 * was on addr is dropped; nobody is given addr before "until".
 * Returns 0; PXB_ERR_NOMEM, PXB_ERR_IO.
 */
PXB_API int pxb_lease_stage_decline(struct pxb_lease_store *st, uint32_t addr, int64_t until,
				    uint64_t *seq);

/*
 * Deletes the lease on addr (administrative) and stages the record.
 * Returns 0; PXB_ERR_NOENT (no lease), PXB_ERR_NOMEM, PXB_ERR_IO.
 */
PXB_API int pxb_lease_stage_remove(struct pxb_lease_store *st, uint32_t addr, uint64_t *seq);

/*
 * Makes every staged operation durable: one write() of all staged records and
 * one fdatasync() (or, when the journal has grown past the compaction
 * threshold, a snapshot written to leases.journal.tmp, fsync'd, renamed over
 * leases.journal, and the directory fsync'd). Call once per loop iteration,
 * then send the replies whose sequence number is now durable. Does nothing
 * when nothing is staged.
 * Returns 0; PXB_ERR_IO. After a failed write the records stay staged and a
 * later flush retries; after a failed fsync the store is marked failed (the
 * kernel may have dropped the data) and every later call that changes it
 * returns PXB_ERR_IO: the daemon should restart.
 */
PXB_API int pxb_lease_flush(struct pxb_lease_store *st);

/* Returns the sequence number of the last staged operation (0: none yet). */
PXB_API uint64_t pxb_lease_staged_seq(const struct pxb_lease_store *st);

/* Returns the highest sequence number that is durable; every staged
 * operation with a number <= it is on disk. */
PXB_API uint64_t pxb_lease_durable_seq(const struct pxb_lease_store *st);

/* Returns the number of leases in the table (any state). */
PXB_API size_t pxb_lease_count(const struct pxb_lease_store *st);

/*
 * Calls fn for every lease (in no particular order) until fn returns non-zero.
 * fn must not change the store. Returns what the last call of fn returned,
 * or 0.
 */
PXB_API int pxb_lease_foreach(const struct pxb_lease_store *st,
			      int (*fn)(const struct pxb_lease *l, void *arg), void *arg);

/*
 * Returns the last time (Unix seconds) leases were lost to a damaged
 * journal, remembered across restarts, or 0 if never. Until every lease
 * given before it has expired, an address may be held by a client the store
 * does not know: probe it before giving it (RFC 2131 sec 4.4.1).
 */
PXB_API int64_t pxb_lease_loss_time(const struct pxb_lease_store *st);

/* Counters for monitoring. */
struct pxb_lease_stats {
	uint64_t journal_bytes; /* size of leases.journal */
	uint64_t live_bytes;    /* size a snapshot of the journaled leases would take */
	uint64_t flushes;       /* successful flushes that wrote something */
	uint64_t compactions;   /* snapshots written */
	uint64_t staged_bytes;  /* records waiting for the next flush */
	int failed;             /* 1 after a failed fsync */
};

/* Fills *out with the store's counters. */
PXB_API void pxb_lease_get_stats(const struct pxb_lease_store *st, struct pxb_lease_stats *out);

#ifdef __cplusplus
}
#endif
#endif
