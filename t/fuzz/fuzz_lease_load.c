/*
 * fuzz_lease_load.c - libFuzzer target for the lease journal loader
 * (lib/lease_journal.c): the input becomes leases.journal in a scratch
 * directory and the store is opened on it.
 *
 * Beyond "no crash, no leak", it checks what the loader promises: the two
 * indexes agree, and a journal that opened goes on working: a bind appended
 * after the load (past a cut-off torn tail) reloads cleanly with nothing
 * torn and the bound lease present.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pxeboot/lease.h>

static char dir[64];
static char path[128];

static int check_one(const struct pxb_lease *l, void *arg)
{
	const struct pxb_lease_store *st = arg;

	if (pxb_lease_by_addr(st, l->addr) != l)
		abort();
	if (l->key.type != PXB_LEASE_KEY_NONE && pxb_lease_by_key(st, &l->key) != l)
		abort();
	if (l->state < PXB_LEASE_BOUND || l->state > PXB_LEASE_DECLINED)
		abort(); /* offers are never loaded */
	return 0;
}

static void cleanup(void)
{
	char tmp[160];

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	unlink(path);
	rmdir(dir);
}

static void scratch_dir(void)
{
	const char *base = getenv("TMPDIR");

	if (dir[0])
		return;
	atexit(cleanup);
	snprintf(dir, sizeof(dir), "%s/fuzz_lease.XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/leases.journal", dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pxb_lease_config cfg = { 0 };
	struct pxb_lease_load_stats ls;
	struct pxb_lease_store *st;
	struct pxb_lease_key k;
	const uint8_t mac[6] = { 0xfe, 0xed, 0, 0, 0, 1 };
	const uint32_t addr = 0xc0a80001u;
	const int64_t now = 1700000000;
	FILE *f;

	scratch_dir();
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	cfg.state_dir = dir;
	cfg.no_sync = 1;
	if (pxb_lease_open(&cfg, now, &st, &ls) < 0)
		return 0;
	if (ls.kept_aside[0]) {
		/* a damaged journal was copied aside: no need to keep it */
		char kept[200];

		snprintf(kept, sizeof(kept), "%s/%s", dir, ls.kept_aside);
		if (unlink(kept) < 0 || !ls.loss || pxb_lease_loss_time(st) != now)
			abort();
	}
	if (ls.leases != pxb_lease_count(st))
		abort();
	pxb_lease_foreach(st, check_one, st);
	pxb_lease_key_hw(&k, 1, mac, sizeof(mac));
	if (pxb_lease_available(st, addr, &k, now)) {
		if (pxb_lease_stage_bind(st, &k, addr, now + 3600, "fuzz", now, NULL) < 0 ||
		    pxb_lease_flush(st) < 0)
			abort();
	} else {
		k.len = 0; /* the address is taken: nothing to append */
	}
	pxb_lease_close(st);

	if (pxb_lease_open(&cfg, now, &st, &ls) < 0 || ls.torn_bytes != 0)
		abort();
	if (k.len && pxb_lease_by_key(st, &k) == NULL)
		abort();
	pxb_lease_foreach(st, check_one, st);
	pxb_lease_close(st);
	unlink(path);
	return 0;
}
