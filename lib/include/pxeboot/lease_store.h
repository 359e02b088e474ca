/*
 * pxeboot/lease_store.h - lease stores: where the DHCP server's leases are
 * made durable, and possibly shared with other servers.
 *
 * The DHCP engine works on a lease table (pxeboot/lease.h) in memory and
 * stages every change it makes (bind, release, decline, remove) with a
 * sequence number; the reply that depends on a change is held back until
 * the store says the change is committed. A lease store is the thing that
 * commits: it opens (or builds) the table, and once per loop turn the
 * daemon asks it to commit what was staged since (a batch). It answers,
 * now or later, through a "settled" callback: every change up to a
 * sequence number is decided, and these were rejected (the address went to
 * another client first, or the store was unreachable). A held ACK is sent
 * only when its change is settled and not rejected.
 *
 * Two stores exist: "journal" (built into pxebootd: the file
 * <state_dir>/leases.journal, lib/lease_journal.c, which commits at
 * once with one write and one fdatasync) and "pgsql" (a plugin: leases in
 * PostgreSQL, shared by several servers). A plugin provides one with
 * pxb_host_register(h, PXB_SVC_LEASE_STORE, name, &backend, arg); the
 * daemon uses the store named by dhcp.lease_store.
 *
 * A store that commits elsewhere opens its table with external_commit set
 * (struct pxb_lease_config) and no state_dir, takes the staged changes with
 * pxb_lease_take_changes(), reports commits with pxb_lease_set_durable(),
 * and loads what other servers did with pxb_lease_load().
 */
#ifndef PXEBOOT_LEASE_STORE_H
#define PXEBOOT_LEASE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <pxeboot/common.h>
#include <pxeboot/conf.h>
#include <pxeboot/lease.h>

#ifdef __cplusplus
extern "C" {
#endif

enum pxb_lease_change_op {
	PXB_LEASE_CHANGE_PUT = 1, /* the lease on lease.addr is now lease (bound, released, declined) */
	PXB_LEASE_CHANGE_DEL = 2, /* the lease on lease.addr is gone (only lease.addr is set) */
};

/* One staged change of a table. */
struct pxb_lease_change {
	uint64_t seq;            /* as returned by pxb_lease_stage_*() */
	uint8_t op;              /* enum pxb_lease_change_op */
	struct pxb_lease lease;
};

/*
 * What a store reports when commits end: every change with a number <=
 * settled is decided; those listed in rejected[] (in increasing order) were
 * not committed, every other one was. May be called from within commit()
 * (a synchronous store) or later from the event loop.
 */
typedef void (*pxb_lease_settled_fn)(void *arg, uint64_t settled, const uint64_t *rejected,
				     size_t nrejected);

/* A lease store, as registered with PXB_SVC_LEASE_STORE (pxeboot/plugin.h). */
struct pxb_lease_backend {
	const char *name; /* "journal", "pgsql" */
	/*
	 * Opens the store and its table (loaded with the leases it holds).
	 *   arg: as registered; conf: the whole configuration; now: Unix time;
	 *   settled, settled_arg: to call as commits end; table: receives the
	 *   table the engine works on (the store owns it); be: the store's state.
	 * Returns 0; 1 when the store refuses to serve (it logged why: DHCP is
	 * left off, the rest of the daemon goes on); or a PXB_ERR_* code.
	 */
	int (*open)(void *arg, const pxb_conf *conf, int64_t now, pxb_lease_settled_fn settled,
		    void *settled_arg, struct pxb_lease_store **table, void **be);
	/*
	 * Commits the changes staged in the table since the last call, or
	 * starts to (an asynchronous store may wait until its previous batch
	 * is done). Called once per loop turn while changes wait, and at
	 * shutdown. Returns 0 or a PXB_ERR_* code (the store logged it).
	 */
	int (*commit)(void *be);
	/* Closes the store and frees its table. Accepts NULL. */
	void (*close)(void *be);
	void *reserved[4];
};

/*
 * Hands every staged change of an external_commit table to fn in order and,
 * when all were accepted, forgets them (they are then the caller's to
 * commit); *last receives the number of the last one (unchanged if none).
 * Returns 0; PXB_ERR_INVAL (not an external_commit table), or fn's negative
 * return, in which case nothing is taken (the same changes come again).
 */
PXB_API int pxb_lease_take_changes(struct pxb_lease_store *st,
				   int (*fn)(void *arg, const struct pxb_lease_change *c),
				   void *arg, uint64_t *last);

/* Reports that every taken change up to seq is decided (pxb_lease_durable_seq()). */
PXB_API void pxb_lease_set_durable(struct pxb_lease_store *st, uint64_t seq);

/*
 * Puts a lease the store holds (loaded at open, or made by another server)
 * into the table without staging it, evicting the leases on its address and
 * of its key (an offer included).
 * Returns 0; PXB_ERR_INVAL (a state other than bound, released or declined,
 * a declined lease with a key or another without one, a bad key),
 * PXB_ERR_NOMEM.
 */
PXB_API int pxb_lease_load(struct pxb_lease_store *st, const struct pxb_lease *l);

#ifdef __cplusplus
}
#endif
#endif
