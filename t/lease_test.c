/*
 * lease_test.c - unit tests of the lease store (lib/dhcp_lease*.c): the
 * table and its invariants, the allocator, persistence, torn and corrupt
 * journals, compaction.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <pxeboot/dhcp_server.h>
#include <pxeboot/lease.h>
#include "dhcp_pkt.h"
#include "tap.h"

#define NOW 1700000000LL
#define A(d) (0x0a000000u | (uint32_t)(d)) /* 10.0.x.y */

static char tmpdir[256];

static struct pxb_lease_key mkkey(unsigned n)
{
	struct pxb_lease_key k;
	uint8_t mac[6] = { 0x52, 0x54, 0, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };

	pxb_lease_key_hw(&k, 1, mac, 6);
	return k;
}

static struct pxb_lease_store *open_mem(void)
{
	struct pxb_lease_config cfg = { 0 };
	struct pxb_lease_store *st = NULL;

	if (pxb_lease_open(&cfg, NOW, &st, NULL) < 0)
		abort();
	return st;
}

static int open_dir(const char *dir, int64_t now, struct pxb_lease_store **st,
		    struct pxb_lease_load_stats *stats)
{
	struct pxb_lease_config cfg = { 0 };

	cfg.state_dir = dir;
	cfg.no_sync = 1; /* kill -9 safety does not need it; tests run faster */
	return pxb_lease_open(&cfg, now, st, stats);
}

static void subdir(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
	mkdir(out, 0700);
}

static void journal_path(char *out, size_t n, const char *dir)
{
	snprintf(out, n, "%s/leases.journal", dir);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	*len = fread(p, 1, (size_t)n, f);
	fclose(f);
	return p;
}

static void spit(const char *path, const uint8_t *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		abort();
	if (len)
		fwrite(p, 1, len, f);
	fclose(f);
}

static off_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) < 0 ? -1 : sb.st_size;
}

/* A copy of a table, sorted by address, to compare states. */
struct snap {
	size_t n;
	struct pxb_lease l[256];
};

static int snap_add(const struct pxb_lease *l, void *arg)
{
	struct snap *s = arg;

	if (s->n < 256)
		s->l[s->n++] = *l;
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	const struct pxb_lease *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void snapshot(const struct pxb_lease_store *st, struct snap *s)
{
	s->n = 0;
	pxb_lease_foreach(st, snap_add, s);
	qsort(s->l, s->n, sizeof(s->l[0]), cmp_addr);
}

static int lease_eq(const struct pxb_lease *a, const struct pxb_lease *b)
{
	return a->addr == b->addr && a->state == b->state && a->expires == b->expires &&
	       a->key.type == b->key.type && a->key.len == b->key.len &&
	       memcmp(a->key.bytes, b->key.bytes, a->key.len) == 0 &&
	       strcmp(a->hostname, b->hostname) == 0;
}

static int snap_eq(const struct snap *a, const struct snap *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!lease_eq(&a->l[i], &b->l[i]))
			return 0;
	return 1;
}

/* Checks the two indexes agree: each lease is found by its key, and back. */
struct consist {
	const struct pxb_lease_store *st;
	int bad;
};

static int check_one(const struct pxb_lease *l, void *arg)
{
	struct consist *c = arg;

	if (pxb_lease_by_addr(c->st, l->addr) != l)
		c->bad++;
	if (l->key.type != PXB_LEASE_KEY_NONE && pxb_lease_by_key(c->st, &l->key) != l)
		c->bad++;
	return 0;
}

static int consistent(const struct pxb_lease_store *st)
{
	struct consist c = { st, 0 };

	pxb_lease_foreach(st, check_one, &c);
	return c.bad == 0;
}

static void test_keys(void)
{
	struct pxb_lease_key k;
	uint8_t id[65] = { 1, 2, 3 };

	is_int(pxb_lease_key_client_id(&k, id, 3), 0, "client-id key");
	is_int(k.type, PXB_LEASE_KEY_CLIENT_ID, "client-id key type");
	is_int(pxb_lease_key_client_id(&k, id, 65), PXB_ERR_TOOBIG, "client-id of 65 bytes refused");
	is_int(pxb_lease_key_client_id(&k, id, 0), PXB_ERR_INVAL, "empty client-id refused");
	is_int(pxb_lease_key_hw(&k, 1, id, 6), 0, "hw key");
	is_int(k.len, 7, "hw key is htype + chaddr");
	is_int(pxb_lease_key_hw(&k, 1, id, 64), PXB_ERR_TOOBIG, "hw key too long refused");
}

static void test_lifecycle(void)
{
	struct pxb_lease_store *st = open_mem();
	struct pxb_lease_key a = mkkey(1), b = mkkey(2);
	const struct pxb_lease *l;
	uint32_t addr, addr2;
	uint64_t seq = 0;
	int pool;

	pool = pxb_lease_pool_add(st, A(10), A(19));
	is_int(pool, 0, "pool added");
	is_int(pxb_lease_pool_add(st, A(15), A(25)), PXB_ERR_EXIST, "overlapping pool refused");
	is_int(pxb_lease_pool_add(st, A(5), A(4)), PXB_ERR_INVAL, "inverted pool refused");
	is_int(pxb_lease_alloc(st, pool, NOW, &addr), 0, "alloc");
	is_int(addr, A(10), "first address of the pool");
	is_int(pxb_lease_offer(st, &a, addr, NOW + 30, NOW), 0, "offer");
	l = pxb_lease_by_key(st, &a);
	ok(l && l->addr == addr && l->state == PXB_LEASE_OFFERED, "offered lease found by key");
	is_int(pxb_lease_staged_seq(st), 0, "an offer stages nothing");
	is_int(pxb_lease_offer(st, &b, addr, NOW + 30, NOW), PXB_ERR_EXIST,
	       "offered address not offered to another client");
	is_int(pxb_lease_alloc(st, pool, NOW, &addr2), 0, "alloc for b");
	ok(addr2 != addr, "alloc skips the offered address");

	is_int(pxb_lease_stage_bind(st, &a, addr, NOW + 3600, "pc-a", NOW, &seq), 0, "bind");
	is_int(seq, 1, "bind staged as seq 1");
	is_int(pxb_lease_durable_seq(st), 0, "not durable before flush");
	is_int(pxb_lease_flush(st), 0, "flush (memory only)");
	is_int(pxb_lease_durable_seq(st), 1, "durable after flush");
	l = pxb_lease_by_addr(st, addr);
	ok(l && l->state == PXB_LEASE_BOUND && l->expires == NOW + 3600, "bound lease by address");
	is_str(l ? l->hostname : NULL, "pc-a", "hostname kept");
	is_int(pxb_lease_stage_bind(st, &b, addr, NOW + 3600, NULL, NOW, NULL), PXB_ERR_EXIST,
	       "bound address refused to another client");
	ok(!pxb_lease_available(st, addr, &b, NOW), "not available to b");
	ok(pxb_lease_available(st, addr, &a, NOW), "available to its holder");

	/* renew */
	is_int(pxb_lease_stage_bind(st, &a, addr, NOW + 7200, "pc-a", NOW + 1000, &seq), 0, "renew");
	l = pxb_lease_by_key(st, &a);
	ok(l && l->expires == NOW + 7200, "renew extends");
	is_int(pxb_lease_count(st), 1, "one lease after renew");
	is_int(pxb_lease_offer(st, &a, addr, NOW + 30, NOW + 1000), 0, "re-offer own lease");
	l = pxb_lease_by_key(st, &a);
	ok(l && l->state == PXB_LEASE_BOUND && l->expires == NOW + 7200,
	   "offer keeps a live bound lease");

	/* release */
	is_int(pxb_lease_stage_release(st, &b, addr, NULL), PXB_ERR_NOENT, "release by other refused");
	is_int(pxb_lease_stage_release(st, &a, addr + 1, NULL), PXB_ERR_NOENT,
	       "release of another address refused");
	is_int(pxb_lease_stage_release(st, &a, addr, NULL), 0, "release");
	l = pxb_lease_by_key(st, &a);
	ok(l && l->state == PXB_LEASE_RELEASED, "released lease remembered");
	ok(pxb_lease_available(st, addr, &b, NOW + 1000), "released address available");
	is_int(pxb_lease_stage_bind(st, &b, addr, NOW + 3600, NULL, NOW + 1000, NULL), 0,
	       "released address bound to b");
	ok(pxb_lease_by_key(st, &a) == NULL, "a's old lease gone");

	/* decline */
	is_int(pxb_lease_stage_decline(st, addr, NOW + 2000, NULL), 0, "decline");
	l = pxb_lease_by_addr(st, addr);
	ok(l && l->state == PXB_LEASE_DECLINED && l->key.type == PXB_LEASE_KEY_NONE,
	   "declined address quarantined");
	ok(pxb_lease_by_key(st, &b) == NULL, "b lost the declined address");
	ok(!pxb_lease_available(st, addr, &b, NOW + 1999), "quarantined address unavailable");
	is_int(pxb_lease_offer(st, &a, addr, NOW + 30, NOW + 1500), PXB_ERR_EXIST,
	       "quarantined address not offered");
	ok(pxb_lease_available(st, addr, &b, NOW + 2000), "available after the quarantine");

	/* expiry and reuse through the heap */
	pxb_lease_close(st);
	st = open_mem();
	pool = pxb_lease_pool_add(st, A(10), A(11));
	pxb_lease_stage_bind(st, &a, A(10), NOW + 100, NULL, NOW, NULL);
	pxb_lease_stage_bind(st, &b, A(11), NOW + 50, NULL, NOW, NULL);
	is_int(pxb_lease_alloc(st, pool, NOW + 10, &addr), PXB_ERR_BUSY, "full pool");
	is_int(pxb_lease_alloc(st, pool, NOW + 50, &addr), 0, "expired lease reusable");
	is_int(addr, A(11), "the lease that expired first");
	{
		struct pxb_lease_key c = mkkey(3);

		is_int(pxb_lease_stage_bind(st, &c, addr, NOW + 500, NULL, NOW + 50, NULL), 0,
		       "expired address bound to c");
	}
	ok(pxb_lease_by_key(st, &b) == NULL, "b's expired lease evicted");
	is_int(pxb_lease_alloc(st, pool, NOW + 99, &addr), PXB_ERR_BUSY, "full again");
	is_int(pxb_lease_stage_release(st, &a, A(10), NULL), 0, "a releases");
	is_int(pxb_lease_alloc(st, pool, NOW + 99, &addr), 0, "released address reusable");
	is_int(addr, A(10), "the released one");
	is_int(pxb_lease_stage_remove(st, A(10), NULL), 0, "remove");
	is_int(pxb_lease_stage_remove(st, A(10), NULL), PXB_ERR_NOENT, "remove twice");
	ok(consistent(st), "indexes consistent");
	pxb_lease_close(st);
}

/* Random operations; no bind may ever take an address live for another client. */
struct model {
	unsigned client[64]; /* who was last given the address */
	int64_t until[64];   /* until when */
	int addr_of[128];    /* a client's address, -1 if none */
	unsigned violations;
};

/* Records that c now holds addr (bind, or offer when offered is set). */
static void model_take(struct model *m, unsigned c, uint32_t addr, int64_t until, int64_t now,
		       int offered)
{
	int old = m->addr_of[c];
	unsigned i = addr & 63;

	if (old >= 0 && (unsigned)old != i && m->client[old] == c)
		m->until[old] = 0; /* one lease per client: the old one ends */
	if (m->client[i] != c && m->until[i] > now)
		m->violations++;
	if (offered && m->client[i] == c && m->until[i] > until)
		until = m->until[i]; /* an offer keeps a live lease */
	m->client[i] = c;
	m->until[i] = until;
	m->addr_of[c] = (int)i;
}

static void test_no_double(void)
{
	struct pxb_lease_store *st = open_mem();
	struct model m;
	unsigned i, binds = 0, refused = 0, offers = 0;
	int64_t now = NOW;
	uint32_t s = 12345;
	int pool = pxb_lease_pool_add(st, A(0), A(63));

	memset(&m, 0, sizeof(m));
	for (i = 0; i < 128; i++)
		m.addr_of[i] = -1;
	for (i = 0; i < 200000; i++) {
		unsigned c, op;
		uint32_t addr;
		struct pxb_lease_key k;
		const struct pxb_lease *own;
		int err;
		int64_t until;

		s = s * 1103515245 + 12345;
		c = (s >> 8) % 100 + 1;
		op = (s >> 20) % 8;
		k = mkkey(c);
		now += (s >> 28) % 3;
		own = pxb_lease_by_key(st, &k);
		until = now + 20 + (s % 40);
		if (op < 4) {
			if (own && pxb_lease_available(st, own->addr, &k, now))
				addr = own->addr;
			else if (pxb_lease_alloc(st, pool, now, &addr) < 0)
				continue;
			err = pxb_lease_stage_bind(st, &k, addr, until, NULL, now, NULL);
			if (err == 0) {
				binds++;
				model_take(&m, c, addr, until, now, 0);
			}
		} else if (op == 4) {
			addr = A((s >> 3) % 64);
			err = pxb_lease_stage_bind(st, &k, addr, until, NULL, now, NULL);
			if (err == PXB_ERR_EXIST)
				refused++;
			else if (err == 0)
				model_take(&m, c, addr, until, now, 0);
		} else if (op == 5) {
			if (own && own->state == PXB_LEASE_BOUND) {
				addr = own->addr;
				if (pxb_lease_stage_release(st, &k, addr, NULL) == 0)
					m.until[addr & 63] = 0;
			}
		} else if (op == 6) {
			if (pxb_lease_alloc(st, pool, now, &addr) == 0 &&
			    pxb_lease_offer(st, &k, addr, now + 5, now) == 0) {
				offers++;
				model_take(&m, c, addr, now + 5, now, 1);
			}
		} else if (own && own->state == PXB_LEASE_BOUND && (s & 0x700) == 0) {
			addr = own->addr;
			pxb_lease_stage_decline(st, addr, now + 10, NULL);
			m.client[addr & 63] = 1000;
			m.until[addr & 63] = now + 10;
			m.addr_of[c] = -1;
		}
		if (i % 4096 == 0)
			pxb_lease_flush(st);
	}
	diag("%u binds, %u offers, %u refused", binds, offers, refused);
	ok(binds > 1000 && refused > 100 && offers > 100, "random run exercised every operation");
	is_int(m.violations, 0, "no address given to two live clients");
	ok(consistent(st), "indexes consistent after the random run");
	pxb_lease_close(st);
}

static void test_persistence(void)
{
	char dir[512], path[600];
	struct pxb_lease_store *st;
	struct pxb_lease_load_stats ls;
	struct pxb_lease_key k;
	struct snap before, after;
	const struct pxb_lease *l;
	uint64_t seq;
	unsigned i;

	subdir(dir, sizeof(dir), "persist");
	is_int(open_dir(dir, NOW, &st, &ls), 0, "open a new journal");
	is_int(ls.records, 0, "empty");
	journal_path(path, sizeof(path), dir);
	is_int(file_size(path), 16, "a new journal holds its header");
	for (i = 0; i < 20; i++) {
		k = mkkey(i);
		pxb_lease_stage_bind(st, &k, A(100 + i), NOW + 1000 + i, i % 2 ? "h" : NULL, NOW,
				     &seq);
	}
	k = mkkey(3);
	pxb_lease_stage_release(st, &k, A(103), NULL);
	pxb_lease_stage_decline(st, A(105), NOW + 500, NULL);
	pxb_lease_stage_remove(st, A(107), NULL);
	k = mkkey(8);
	pxb_lease_stage_bind(st, &k, A(200), NOW + 10, NULL, NOW, NULL); /* moves, expires soon */
	k = mkkey(50);
	pxb_lease_offer(st, &k, A(201), NOW + 30, NOW);
	is_int(pxb_lease_durable_seq(st), 0, "nothing durable yet");
	is_int(pxb_lease_flush(st), 0, "flush");
	is_int(pxb_lease_durable_seq(st), 24, "all 24 staged operations durable");
	snapshot(st, &before);
	/* staged but never flushed: lost, as in a crash */
	k = mkkey(60);
	pxb_lease_stage_bind(st, &k, A(202), NOW + 1000, NULL, NOW, NULL);
	pxb_lease_close(st);

	is_int(open_dir(dir, NOW, &st, &ls), 0, "reopen");
	{
		struct pxb_lease_store *st2;

		is_int(open_dir(dir, NOW, &st2, NULL), PXB_ERR_BUSY, "a second opener is refused");
	}
	is_int(ls.records, 24, "24 records replayed");
	is_int(ls.torn_bytes, 0, "no torn tail");
	snapshot(st, &after);
	/* the offer was not journaled */
	ok(after.n + 1 == before.n, "everything but the offer restored (%zu of %zu)", after.n,
	   before.n);
	k = mkkey(50);
	ok(pxb_lease_by_key(st, &k) == NULL, "offer not restored");
	k = mkkey(60);
	ok(pxb_lease_by_key(st, &k) == NULL, "unflushed bind not restored");
	l = pxb_lease_by_addr(st, A(103));
	ok(l && l->state == PXB_LEASE_RELEASED, "release restored");
	l = pxb_lease_by_addr(st, A(105));
	ok(l && l->state == PXB_LEASE_DECLINED && l->expires == NOW + 500, "decline restored");
	ok(pxb_lease_by_addr(st, A(107)) == NULL, "remove restored");
	ok(pxb_lease_by_addr(st, A(108)) == NULL && pxb_lease_by_addr(st, A(200)), "move restored");
	l = pxb_lease_by_addr(st, A(101));
	ok(l && strcmp(l->hostname, "h") == 0 && l->expires == NOW + 1001, "fields restored");
	ok(consistent(st), "indexes consistent after load");
	pxb_lease_close(st);

	is_int(open_dir(dir, NOW + 600, &st, &ls), 0, "reopen later");
	is_int(ls.dropped_expired, 2, "expired lease and quarantine dropped at load");
	is_int(ls.leases, before.n - 1 - 2, "the others kept");
	pxb_lease_close(st);

	/* not a journal: refused, untouched */
	spit(path, (const uint8_t *)"hello world, not a journal", 26);
	is_int(open_dir(dir, NOW, &st, &ls), PXB_ERR_PROTO, "foreign file refused");
	is_int(file_size(path), 26, "foreign file left alone");
	spit(path, (const uint8_t *)"", 0);
	is_int(open_dir(dir, NOW, &st, &ls), 0, "empty file taken as an empty journal");
	pxb_lease_close(st);
	is_int(file_size(path), 16, "and given a header");
}

/* Builds a journal one operation per flush; boundary[i] = size after op i. */
#define NOPS 12
static size_t boundary[NOPS + 1];
static struct snap states[NOPS + 1];

static void build_journal(const char *dir)
{
	struct pxb_lease_store *st;
	struct pxb_lease_stats s;
	struct pxb_lease_key k;
	int i;

	open_dir(dir, NOW, &st, NULL);
	boundary[0] = 16;
	snapshot(st, &states[0]);
	for (i = 1; i <= NOPS; i++) {
		k = mkkey((unsigned)i % 5);
		switch (i % 4) {
		case 0:
			pxb_lease_stage_release(st, &k, pxb_lease_by_key(st, &k) ?
						pxb_lease_by_key(st, &k)->addr : 0, NULL);
			pxb_lease_stage_decline(st, A(900 + i), NOW + 9999, NULL);
			break;
		case 3:
			if (pxb_lease_stage_remove(st, A(i - 1), NULL) < 0)
				pxb_lease_stage_decline(st, A(800 + i), NOW + 9999, NULL);
			break;
		default:
			pxb_lease_stage_bind(st, &k, A(i), NOW + 5000 + i, i % 2 ? "host" : NULL,
					     NOW, NULL);
		}
		pxb_lease_flush(st);
		pxb_lease_get_stats(st, &s);
		boundary[i] = s.journal_bytes;
		snapshot(st, &states[i]);
	}
	pxb_lease_close(st);
}

static int state_for(size_t len)
{
	int i;

	for (i = NOPS; i > 0; i--)
		if (len >= boundary[i])
			return i;
	return 0;
}

static void test_torn(void)
{
	char dir[512], cut[512], path[600], cpath[600];
	struct pxb_lease_store *st;
	struct pxb_lease_load_stats ls;
	struct snap got;
	uint8_t *data;
	size_t len, i;
	unsigned crashes = 0, wrong = 0, badsize = 0, badtorn = 0;

	subdir(dir, sizeof(dir), "torn");
	subdir(cut, sizeof(cut), "torn-cut");
	build_journal(dir);
	journal_path(path, sizeof(path), dir);
	journal_path(cpath, sizeof(cpath), cut);
	data = slurp(path, &len);
	is_int(len, boundary[NOPS], "journal size as the stats said");
	for (i = 0; i <= len; i++) {
		int err, want;

		spit(cpath, data, i);
		err = open_dir(cut, NOW, &st, &ls);
		if (i > 0 && i < 16) {
			if (err != PXB_ERR_PROTO)
				crashes++;
			continue;
		}
		if (err < 0) {
			crashes++;
			continue;
		}
		want = i == 0 ? 0 : state_for(i);
		snapshot(st, &got);
		if (!snap_eq(&got, &states[want]))
			wrong++;
		if (i > 0 && ls.torn_bytes != i - boundary[want])
			badtorn++;
		pxb_lease_close(st);
		if ((size_t)file_size(cpath) != (i == 0 ? 16 : boundary[want]))
			badsize++;
	}
	is_int(crashes, 0, "every truncation of %zu bytes opens", len);
	is_int(wrong, 0, "every truncation loads exactly the records before the cut");
	is_int(badtorn, 0, "torn byte count reported");
	is_int(badsize, 0, "the torn tail is cut off the file");

	/* a cut journal goes on working: append after the cut, reload */
	spit(cpath, data, boundary[5] + 3);
	open_dir(cut, NOW, &st, NULL);
	{
		struct pxb_lease_key k = mkkey(77);

		pxb_lease_stage_bind(st, &k, A(777), NOW + 100, NULL, NOW, NULL);
		pxb_lease_flush(st);
	}
	pxb_lease_close(st);
	is_int(open_dir(cut, NOW, &st, &ls), 0, "reopen after append past a cut");
	ok(ls.torn_bytes == 0 && pxb_lease_by_addr(st, A(777)) != NULL,
	   "appended record follows the cut cleanly");
	pxb_lease_close(st);

	/*
	 * every single corrupted byte: that record is lost, every other loads;
	 * the oracle is the clean journal with that record cut out
	 */
	wrong = crashes = 0;
	{
		unsigned badreport = 0, badcopy = 0;
		uint8_t *minus = malloc(len);
		struct snap want;

		for (i = 16; i < len; i++) {
			size_t rs = 16, re;
			int last;

			while (rs + 7 + ((size_t)data[rs] << 8 | data[rs + 1]) <= i)
				rs += 7 + ((size_t)data[rs] << 8 | data[rs + 1]);
			re = rs + 7 + ((size_t)data[rs] << 8 | data[rs + 1]);
			last = re == len;
			memcpy(minus, data, rs);
			memcpy(minus + rs, data + re, len - re);
			spit(cpath, minus, len - (re - rs));
			if (open_dir(cut, NOW, &st, NULL) < 0) {
				crashes++;
				continue;
			}
			snapshot(st, &want);
			pxb_lease_close(st);

			data[i] ^= 0x5a;
			spit(cpath, data, len);
			if (open_dir(cut, NOW, &st, &ls) < 0) {
				data[i] ^= 0x5a;
				crashes++;
				continue;
			}
			snapshot(st, &got);
			pxb_lease_close(st);
			if (!snap_eq(&got, &want))
				wrong++;
			/* a last record whose length now runs past the end looks torn */
			if (ls.torn_bytes ? !last || ls.damaged_regions || ls.kept_aside[0]
					  : ls.damaged_regions != 1 || ls.damaged_bytes != re - rs ||
					    !ls.loss || !ls.kept_aside[0])
				badreport++;
			if (ls.kept_aside[0]) {
				char kp[700];
				uint8_t *kept;
				size_t klen = 0;

				snprintf(kp, sizeof(kp), "%s/%s", cut, ls.kept_aside);
				kept = slurp(kp, &klen);
				if (!kept || klen != len || memcmp(kept, data, len) != 0)
					badcopy++;
				free(kept);
				unlink(kp);
			}
			data[i] ^= 0x5a;
		}
		free(minus);
		is_int(crashes, 0, "every corrupted byte: the journal opens");
		is_int(wrong, 0, "every corrupted byte: only that record is lost, the others load");
		is_int(badreport, 0, "every corrupted byte: reported as damage (torn only at the end)");
		is_int(badcopy, 0, "every corrupted byte: the damaged file is kept aside as it was");
	}
	wrong = 0;
	for (i = 0; i < 16; i++) {
		data[i] ^= 1;
		spit(cpath, data, len);
		data[i] ^= 1;
		if (open_dir(cut, NOW, &st, &ls) != PXB_ERR_PROTO)
			wrong++;
		if ((size_t)file_size(cpath) != len)
			wrong++;
	}
	is_int(wrong, 0, "a corrupted header is refused, the file left alone");
	free(data);
}

static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	int k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

static void test_unknown_record(void)
{
	char dir[512], path[600];
	struct pxb_lease_store *st;
	struct pxb_lease_load_stats ls;
	uint8_t *data, *out, rec[3 + 5 + 4] = { 0, 5, 99, 'f', 'u', 't', 'u', 'r' };
	size_t len;
	uint32_t crc = crc32_bitwise(rec, 8);

	rec[8] = (uint8_t)(crc >> 24);
	rec[9] = (uint8_t)(crc >> 16);
	rec[10] = (uint8_t)(crc >> 8);
	rec[11] = (uint8_t)crc;
	subdir(dir, sizeof(dir), "torn");
	journal_path(path, sizeof(path), dir);
	data = slurp(path, &len);
	out = malloc(len + sizeof(rec));
	memcpy(out, data, boundary[2]);
	memcpy(out + boundary[2], rec, sizeof(rec));
	memcpy(out + boundary[2] + sizeof(rec), data + boundary[2], len - boundary[2]);
	spit(path, out, len + sizeof(rec));
	is_int(open_dir(dir, NOW, &st, &ls), 0, "journal with an unknown record opens");
	is_int(ls.skipped, 1, "unknown record skipped");
	{
		struct snap got;

		snapshot(st, &got);
		ok(snap_eq(&got, &states[NOPS]), "records after it still load");
	}
	pxb_lease_close(st);
	free(data);
	free(out);
}

/* Writes N acknowledged binds to a fresh journal in dir; returns the record offsets. */
#define NDMG 47
static void damage_journal(const char *dir, size_t off[NDMG + 1])
{
	struct pxb_lease_store *st;
	struct pxb_lease_stats s;
	struct pxb_lease_key k;
	unsigned i;

	open_dir(dir, NOW, &st, NULL);
	off[0] = 16;
	for (i = 0; i < NDMG; i++) {
		k = mkkey(1000 + i);
		pxb_lease_stage_bind(st, &k, A(300 + i), NOW + 3600, "pc", NOW, NULL);
		pxb_lease_flush(st);
		pxb_lease_get_stats(st, &s);
		off[i + 1] = s.journal_bytes;
	}
	pxb_lease_close(st);
}

/* How many of the NDMG leases of damage_journal() the store holds, bound to their client. */
static unsigned damage_count(const struct pxb_lease_store *st, unsigned *missing)
{
	unsigned i, n = 0;

	*missing = NDMG;
	for (i = 0; i < NDMG; i++) {
		struct pxb_lease_key k = mkkey(1000 + i);
		const struct pxb_lease *l = pxb_lease_by_key(st, &k);

		if (l && l->addr == A(300 + i) && l->state == PXB_LEASE_BOUND)
			n++;
		else
			*missing = i;
	}
	return n;
}

static void test_damage(void)
{
	char dir[512], path[600], kp[700];
	struct pxb_lease_store *st;
	struct pxb_lease_load_stats ls;
	struct pxb_lease_stats s;
	size_t off[NDMG + 1], len, klen;
	uint8_t *data, *kept;
	unsigned missing;

	subdir(dir, sizeof(dir), "damage");
	journal_path(path, sizeof(path), dir);
	damage_journal(dir, off);
	data = slurp(path, &len);

	/* one bit flipped in the first record: the 46 after it come back */
	data[off[0] + 9] ^= 0x10;
	spit(path, data, len);
	is_int(open_dir(dir, NOW + 5, &st, &ls), 0, "bit flipped in the first record: opens");
	is_int(damage_count(st, &missing), NDMG - 1, "%d of %d leases restored", NDMG - 1, NDMG);
	is_int(missing, 0, "the lease of the damaged record is the one lost");
	is_int(ls.damaged_regions, 1, "one damaged stretch reported");
	is_int(ls.damaged_bytes, off[1] - off[0], "its bytes counted");
	is_int(ls.torn_bytes, 0, "nothing reported torn");
	ok(ls.loss == 1 && pxb_lease_loss_time(st) == NOW + 5, "the loss is recorded");
	ok(strncmp(ls.kept_aside, "leases.journal.damaged-", 23) == 0, "kept aside as %s",
	   ls.kept_aside);
	snprintf(kp, sizeof(kp), "%s/%s", dir, ls.kept_aside);
	kept = slurp(kp, &klen);
	ok(kept && klen == len && memcmp(kept, data, len) == 0,
	   "the kept file is the damaged journal, byte for byte");
	free(kept);
	pxb_lease_get_stats(st, &s);
	ok(s.compactions == 1 && (size_t)file_size(path) < len, "the journal was rewritten");
	pxb_lease_close(st);
	is_int(open_dir(dir, NOW + 6, &st, &ls), 0, "reopen the rewritten journal");
	ok(ls.damaged_regions == 0 && ls.torn_bytes == 0 && !ls.loss && !ls.kept_aside[0],
	   "it is clean");
	is_int(damage_count(st, &missing), NDMG - 1, "the same leases");
	is_int(pxb_lease_loss_time(st), NOW + 5, "the time of the loss survives a restart");
	pxb_lease_close(st);
	unlink(kp);
	data[off[0] + 9] ^= 0x10;

	/* one in the middle: every other lease comes back */
	data[off[23] + 5] ^= 0x01;
	spit(path, data, len);
	is_int(open_dir(dir, NOW, &st, &ls), 0, "bit flipped in record 24: opens");
	is_int(damage_count(st, &missing), NDMG - 1, "all %d others restored", NDMG - 1);
	is_int(missing, 23, "only record 24's lease lost");
	ok(ls.damaged_regions == 1 && ls.kept_aside[0], "damage reported, file kept aside");
	pxb_lease_close(st);
	snprintf(kp, sizeof(kp), "%s/%s", dir, ls.kept_aside);
	unlink(kp);
	data[off[23] + 5] ^= 0x01;

	/* two damaged records and a torn tail */
	data[off[3] + 2] ^= 0x80;
	data[off[40] + 12] ^= 0x04;
	spit(path, data, len - 5);
	is_int(open_dir(dir, NOW, &st, &ls), 0, "two damaged records and a torn tail: opens");
	is_int(damage_count(st, &missing), NDMG - 3, "the %d others restored", NDMG - 3);
	ok(ls.damaged_regions == 2 && ls.torn_bytes == len - 5 - off[NDMG - 1],
	   "two damaged stretches and the torn tail reported");
	pxb_lease_close(st);
	snprintf(kp, sizeof(kp), "%s/%s", dir, ls.kept_aside);
	unlink(kp);
	data[off[3] + 2] ^= 0x80;
	data[off[40] + 12] ^= 0x04;

	/* a genuinely torn tail: cut, nothing kept, no loss */
	spit(path, data, off[NDMG - 1] + 9);
	is_int(open_dir(dir, NOW, &st, &ls), 0, "torn tail: opens");
	is_int(damage_count(st, &missing), NDMG - 1, "the complete records restored");
	ok(ls.torn_bytes == 9 && !ls.damaged_regions && !ls.loss && !ls.kept_aside[0] &&
	   pxb_lease_loss_time(st) == 0, "reported torn, not damaged");
	pxb_lease_close(st);
	is_int(file_size(path), off[NDMG - 1], "the torn tail is cut off");
	/* zeros where an append did not reach the disk: torn too */
	{
		uint8_t *z = calloc(1, len + 4096);

		memcpy(z, data, len);
		spit(path, z, len + 4096);
		free(z);
	}
	is_int(open_dir(dir, NOW, &st, &ls), 0, "zeros after the last record: opens");
	ok(ls.torn_bytes == 4096 && !ls.loss && damage_count(st, &missing) == NDMG,
	   "zeros are a torn tail");
	pxb_lease_close(st);
	/* the last record complete but failing its CRC: damage, not a torn tail */
	data[len - 2] ^= 0x08;
	spit(path, data, len);
	is_int(open_dir(dir, NOW, &st, &ls), 0, "damaged last record: opens");
	ok(ls.loss && ls.damaged_regions == 1 && ls.torn_bytes == 0 && ls.kept_aside[0],
	   "a damaged last record is a loss");
	pxb_lease_close(st);
	snprintf(kp, sizeof(kp), "%s/%s", dir, ls.kept_aside);
	unlink(kp);
	data[len - 2] ^= 0x08;

	/* short header: a clear error, the file left alone */
	spit(path, data, 10);
	is_int(open_dir(dir, NOW, &st, &ls), PXB_ERR_PROTO, "short header: PXB_ERR_PROTO");
	is_int(file_size(path), 10, "short header: file left alone");
	/* another version: refused as such */
	{
		uint8_t h[16];
		uint32_t crc;

		memcpy(h, data, 16);
		h[11] = 2;
		crc = crc32_bitwise(h, 12);
		h[12] = (uint8_t)(crc >> 24);
		h[13] = (uint8_t)(crc >> 16);
		h[14] = (uint8_t)(crc >> 8);
		h[15] = (uint8_t)crc;
		spit(path, h, 16);
		is_int(open_dir(dir, NOW, &st, &ls), PXB_ERR_UNSUPP,
		       "journal of another version: PXB_ERR_UNSUPP");
	}

	/* damaged header, renamed leases.journal.damaged: salvaged */
	data[3] ^= 0x20;
	spit(path, data, len);
	is_int(open_dir(dir, NOW, &st, &ls), PXB_ERR_PROTO, "damaged header refused");
	snprintf(kp, sizeof(kp), "%s/leases.journal.damaged", dir);
	is_int(rename(path, kp), 0, "renamed leases.journal.damaged");
	is_int(open_dir(dir, NOW + 7, &st, &ls), 0, "a new journal salvages it");
	is_int(damage_count(st, &missing), NDMG, "all %d leases salvaged", NDMG);
	ok(ls.loss && pxb_lease_loss_time(st) == NOW + 7 && file_size(kp) < 0 &&
	   strcmp(ls.kept_aside, "leases.journal.damaged-1700000007") == 0,
	   "a loss recorded, the file renamed %s", ls.kept_aside);
	pxb_lease_close(st);
	is_int(open_dir(dir, NOW + 8, &st, &ls), 0, "reopen");
	ok(!ls.loss && damage_count(st, &missing) == NDMG && pxb_lease_loss_time(st) == NOW + 7,
	   "the salvaged journal is clean and remembers the loss");
	pxb_lease_close(st);
	free(data);
}

/* A DHCP engine over st: subnet 10.0.0.0/16 on lan0, pool 10.0.1.44-10.0.1.143. */
static struct pxb_dhcp_server *probe_engine(struct pxb_lease_store *st, int mode)
{
	static struct pxb_dhcp_subnet_config sn;
	struct pxb_dhcp_server_config cfg = { 0 };
	struct pxb_dhcp_server *srv = NULL;

	memset(&sn, 0, sizeof(sn));
	sn.ifname = "lan0";
	sn.network.s_addr = htonl(A(0));
	sn.netmask.s_addr = htonl(0xffff0000u);
	sn.pool_start.s_addr = htonl(A(300));
	sn.pool_end.s_addr = htonl(A(399));
	sn.lease_time = 3600;
	cfg.subnets = &sn;
	cfg.nsubnets = 1;
	cfg.probe = mode;
	pxb_lease_pool_clear(st);
	if (pxb_dhcp_server_new(&cfg, NULL, NULL, 0, st, &srv) < 0)
		abort();
	return srv;
}

static int discover(struct pxb_dhcp_server *srv, unsigned n, int64_t now, struct pxb_dhcp_tx *tx)
{
	static const struct pxb_dhcp_rx rx = { .ifname = "lan0", .src_port = 68, .dst_port = 67,
					       .local = { 0x0100000a } };
	struct pkt p;
	uint8_t mac[6] = { 0x52, 0x54, 0, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };

	pkt_start(&p, mac, 1);
	pkt_end(&p);
	memset(tx, 0xa5, sizeof(*tx));
	pxb_dhcp_server_input(srv, p.b, p.len, &rx, now, tx);
	return (int)tx->verdict;
}

static void test_probe(void)
{
	char dir[512], path[600], kp[700];
	struct pxb_lease_store *st;
	struct pxb_lease_load_stats ls;
	struct pxb_dhcp_server *srv;
	struct pxb_dhcp_tx tx;
	struct in_addr p1, p2;
	const struct pxb_lease *l;
	size_t off[NDMG + 1], len;
	uint8_t *data;

	subdir(dir, sizeof(dir), "probe");
	journal_path(path, sizeof(path), dir);
	damage_journal(dir, off);
	data = slurp(path, &len);
	data[off[0] + 4] ^= 0x02; /* the record of 10.0.1.44, client 1000 */
	spit(path, data, len);
	free(data);
	is_int(open_dir(dir, NOW, &st, &ls), 0, "a journal that lost a lease");
	snprintf(kp, sizeof(kp), "%s/%s", dir, ls.kept_aside);
	unlink(kp);
	srv = probe_engine(st, PXB_DHCP_PROBE_AFTER_LOSS);

	is_int(discover(srv, 1001, NOW, &tx), PXB_DHCP_V_OFFER, "a restored client: offered at once");
	ok(ntohl(tx.yiaddr.s_addr) == A(301), "its own address");
	is_int(discover(srv, 5000, NOW, &tx), PXB_DHCP_V_PROBE,
	       "after the loss, a new client: a probe first");
	is_int(tx.len, 0, "nothing sent yet");
	p1 = tx.probe_addr;
	ok(ntohl(p1.s_addr) == A(300), "the address of the lost lease is the one probed");
	is_int(discover(srv, 5000, NOW, &tx), PXB_DHCP_V_IGNORE, "retransmitted DISCOVER: waits");
	is_int(discover(srv, 5001, NOW, &tx), PXB_DHCP_V_PROBE, "another client: another address");
	ok(tx.probe_addr.s_addr != p1.s_addr, "not the one being probed");
	p2 = tx.probe_addr;
	/* the lost lease's holder answers the ping */
	is_int(pxb_dhcp_server_probe_done(srv, p1, 1, NOW, &tx), 0, "probe answered");
	is_int(tx.verdict, PXB_DHCP_V_PROBE, "the answered address is not offered: another probed");
	ok(tx.probe_addr.s_addr != p1.s_addr && tx.probe_addr.s_addr != p2.s_addr,
	   "a third address");
	l = pxb_lease_by_addr(st, A(300));
	ok(l && l->state == PXB_LEASE_DECLINED && l->expires > NOW, "the answered address is quarantined");
	p1 = tx.probe_addr;
	is_int(pxb_dhcp_server_probe_done(srv, p1, 0, NOW, &tx), 0, "probe silent");
	is_int(tx.verdict, PXB_DHCP_V_OFFER, "then offered");
	ok(tx.yiaddr.s_addr == p1.s_addr && tx.len > 0, "the probed address, in a reply");
	is_int(discover(srv, 5000, NOW + 1, &tx), PXB_DHCP_V_OFFER, "its retransmission: offered again");
	ok(tx.yiaddr.s_addr == p1.s_addr, "the same address, without a new probe");
	is_int(pxb_dhcp_server_probe_done(srv, p1, 0, NOW, &tx), 0, "a report of nothing probed");
	is_int(tx.verdict, PXB_DHCP_V_IGNORE, "is ignored");
	is_int(pxb_dhcp_server_probe_done(srv, p2, 0, NOW + 2, &tx), 0, "second client's probe silent");
	ok(tx.verdict == PXB_DHCP_V_OFFER && tx.yiaddr.s_addr == p2.s_addr, "second client offered");
	is_int(discover(srv, 5002, NOW + 3601, &tx), PXB_DHCP_V_OFFER,
	       "a lease time after the loss: offered without a probe");
	pxb_dhcp_server_free(srv);
	srv = probe_engine(st, PXB_DHCP_PROBE_NEVER);
	is_int(discover(srv, 5003, NOW, &tx), PXB_DHCP_V_OFFER, "probe = never: offered at once");
	pxb_dhcp_server_free(srv);
	pxb_lease_close(st);

	st = open_mem();
	srv = probe_engine(st, PXB_DHCP_PROBE_AFTER_LOSS);
	is_int(discover(srv, 5004, NOW, &tx), PXB_DHCP_V_OFFER, "no loss: offered at once");
	pxb_dhcp_server_free(srv);
	srv = probe_engine(st, PXB_DHCP_PROBE_ALWAYS);
	is_int(discover(srv, 5005, NOW, &tx), PXB_DHCP_V_PROBE, "probe = always: a probe first");
	pxb_dhcp_server_free(srv);
	pxb_lease_close(st);
}

static void test_compaction(void)
{
	char dir[512], path[600], tmp[700];
	struct pxb_lease_config cfg = { 0 };
	struct pxb_lease_store *st;
	struct pxb_lease_load_stats ls;
	struct pxb_lease_stats s;
	struct pxb_lease_key k;
	struct snap before, after;
	unsigned i, round;
	uint64_t max_journal = 0;

	subdir(dir, sizeof(dir), "compact");
	cfg.state_dir = dir;
	cfg.compact_ratio = 2;
	cfg.compact_min_bytes = 4096;
	is_int(pxb_lease_open(&cfg, NOW, &st, NULL), 0, "open with small compaction limits");
	for (round = 0; round < 50; round++) {
		for (i = 0; i < 40; i++) {
			k = mkkey(i);
			pxb_lease_stage_bind(st, &k, A(i), NOW + 1000 + round, "renewing", NOW, NULL);
		}
		pxb_lease_stage_decline(st, A(100 + round), NOW + 1000, NULL);
		is_int(pxb_lease_flush(st), 0, "flush %u", round) ;
		pxb_lease_get_stats(st, &s);
		if (s.journal_bytes > max_journal)
			max_journal = s.journal_bytes;
	}
	pxb_lease_get_stats(st, &s);
	diag("%llu compactions, journal %llu bytes at most, live %llu",
	     (unsigned long long)s.compactions, (unsigned long long)max_journal,
	     (unsigned long long)s.live_bytes);
	ok(s.compactions >= 2, "compacted");
	ok(max_journal < 4096 + 2 * (s.live_bytes + 16) + 41 * 100, "journal size stays bounded");
	snapshot(st, &before);
	pxb_lease_close(st);
	journal_path(path, sizeof(path), dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	spit(tmp, (const uint8_t *)"half-written snapshot", 21);
	is_int(pxb_lease_open(&cfg, NOW, &st, &ls), 0, "reopen after compactions");
	is_int(ls.torn_bytes, 0, "compacted journal is clean");
	ok(file_size(tmp) < 0, "leftover leases.journal.tmp removed");
	snapshot(st, &after);
	ok(before.n > 40 && before.n < 256, "snapshot holds %zu leases", before.n);
	ok(snap_eq(&before, &after), "compacted journal reloads the same leases");
	pxb_lease_close(st);
}

static void test_reservation(void)
{
	struct pxb_lease_store *st = open_mem();
	struct pxb_lease_key k;
	uint32_t addr;
	unsigned i, got_reserved = 0, n = 0;
	int pool = pxb_lease_pool_add(st, A(20), A(27));

	k = mkkey(99);
	pxb_lease_stage_bind(st, &k, A(25), NOW + 100, NULL, NOW, NULL);
	is_int(pxb_lease_reserve(st, A(21)), 0, "reserve a free address");
	is_int(pxb_lease_reserve(st, A(25)), 0, "reserve a bound address");
	is_int(pxb_lease_reserve(st, A(99)), 0, "reserve outside the pools is accepted");
	for (i = 0; i < 10; i++) {
		if (pxb_lease_alloc(st, pool, NOW, &addr) < 0)
			break;
		if (addr == A(21) || addr == A(25))
			got_reserved++;
		k = mkkey(i);
		if (pxb_lease_stage_bind(st, &k, addr, NOW + 10, NULL, NOW, NULL) == 0)
			n++;
	}
	is_int(got_reserved, 0, "allocator skips reservations");
	is_int(n, 6, "the 6 other addresses allocated");
	k = mkkey(99);
	pxb_lease_stage_release(st, &k, A(25), NULL);
	is_int(pxb_lease_alloc(st, pool, NOW + 100, &addr), 0, "expired leases reusable");
	ok(addr != A(25) && addr != A(21), "never a reserved address, even released");
	pxb_lease_pool_clear(st);
	is_int(pxb_lease_alloc(st, pool, NOW, &addr), PXB_ERR_INVAL, "pools cleared");
	pool = pxb_lease_pool_add(st, A(20), A(27));
	is_int(pxb_lease_alloc(st, pool, NOW + 100, &addr), 0, "pool re-added over leases");
	ok(addr == A(21) || addr == A(25), "without reservations, the free ones come first");
	pxb_lease_close(st);
}

static double secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_big_pool(void)
{
	char dir[512];
	struct pxb_lease_store *st;
	struct pxb_lease_load_stats ls;
	struct pxb_lease_key k;
	uint32_t addr;
	unsigned i, bad = 0;
	double t0, t1;
	int pool;

	subdir(dir, sizeof(dir), "big");
	open_dir(dir, NOW, &st, NULL);
	pool = pxb_lease_pool_add(st, 0x0a100000u, 0x0a10ffffu);
	t0 = secs();
	for (i = 0; i < 65536; i++) {
		k = mkkey(i);
		if (pxb_lease_alloc(st, pool, NOW, &addr) < 0 ||
		    pxb_lease_offer(st, &k, addr, NOW + 30, NOW) < 0 ||
		    pxb_lease_stage_bind(st, &k, addr, NOW + 600 + (i % 1000), NULL, NOW, NULL) < 0)
			bad++;
		if (i % 1000 == 999)
			pxb_lease_flush(st);
	}
	pxb_lease_flush(st);
	t1 = secs();
	diag("65536 DORA-style allocations in %.3f s", t1 - t0);
	is_int(bad, 0, "65536 addresses allocated, offered, bound");
	ok(t1 - t0 < 5.0, "fast enough (%.3f s)", t1 - t0);
	is_int(pxb_lease_alloc(st, pool, NOW, &addr), PXB_ERR_BUSY, "pool exhausted");
	/* everything expires in turn: the heap hands out the earliest */
	t0 = secs();
	for (i = 0; i < 65536; i++) {
		k = mkkey(100000 + i);
		if (pxb_lease_alloc(st, pool, NOW + 2000, &addr) < 0 ||
		    pxb_lease_stage_bind(st, &k, addr, NOW + 5000, NULL, NOW + 2000, NULL) < 0)
			bad++;
	}
	pxb_lease_flush(st);
	t1 = secs();
	diag("65536 reallocations of expired leases in %.3f s", t1 - t0);
	is_int(bad, 0, "every expired lease reallocated");
	ok(t1 - t0 < 5.0, "fast enough (%.3f s)", t1 - t0);
	is_int(pxb_lease_count(st), 65536, "one lease per address");
	pxb_lease_close(st);
	t0 = secs();
	is_int(open_dir(dir, NOW + 2000, &st, &ls), 0, "reload the big journal");
	t1 = secs();
	diag("loaded %llu records in %.3f s", (unsigned long long)ls.records, t1 - t0);
	is_int(ls.leases, 65536, "65536 leases back");
	ok(consistent(st), "indexes consistent");
	pxb_lease_close(st);
}

/*
 * Crash test helpers, run by t/lease_crash.sh.
 * crash-writer DIR ROUND: binds new leases and renews old ones in a loop, one
 * flush per batch, and prints "addr key expires" for each lease once
 * durable, until killed.
 */
#define CRASH_POOL_START 0x0a010000u
#define CRASH_POOL_END 0x0a01ffffu
#define CRASH_MAX_LEASES 20000

static int crash_writer(const char *dir, unsigned round)
{
	struct pxb_lease_config cfg = { 0 };
	struct pxb_lease_store *st;
	struct pxb_lease_key k;
	struct pxb_lease_load_stats ls;
	unsigned counter = 0, i, n;
	int64_t now = NOW + round, tick = 0;
	uint32_t s = round * 2654435761u, addr;
	struct {
		struct pxb_lease_key k;
		uint32_t addr;
		int64_t expires;
	} batch[64];
	int pool, err;

	mkdir(dir, 0700);
	cfg.state_dir = dir;
	cfg.compact_ratio = 2;
	cfg.compact_min_bytes = 64 * 1024;
	err = pxb_lease_open(&cfg, now, &st, &ls);
	if (err < 0) {
		fprintf(stderr, "open: %s\n", pxb_strerror(err));
		return 1;
	}
	pool = pxb_lease_pool_add(st, CRASH_POOL_START, CRASH_POOL_END);
	for (;;) {
		n = 0;
		tick++; /* renewals only lengthen leases, so the log's last word wins */
		for (i = 0; i < 40; i++) {
			s = s * 1103515245 + 12345;
			if (i < 4 && pxb_lease_count(st) < CRASH_MAX_LEASES) {
				uint8_t id[8] = { 'c', (uint8_t)round, (uint8_t)(counter >> 16),
						  (uint8_t)(counter >> 8), (uint8_t)counter };

				counter++;
				pxb_lease_key_client_id(&k, id, sizeof(id));
				if (pxb_lease_alloc(st, pool, now, &addr) < 0)
					continue;
			} else {
				/* renew the lease on a random address, if any */
				const struct pxb_lease *l = pxb_lease_by_addr(
					st, CRASH_POOL_START + (s >> 8) % 65536);

				if (!l || l->state != PXB_LEASE_BOUND)
					continue;
				k = l->key;
				addr = l->addr;
			}
			batch[n].k = k;
			batch[n].addr = addr;
			batch[n].expires = NOW + 1000000 + (int64_t)round * 1000000 + tick;
			if (pxb_lease_stage_bind(st, &k, addr, batch[n].expires, NULL, now,
						 NULL) == 0)
				n++;
		}
		if (pxb_lease_flush(st) < 0) {
			fprintf(stderr, "flush failed\n");
			return 1;
		}
		for (i = 0; i < n; i++) {
			unsigned j;

			printf("%08x ", batch[i].addr);
			for (j = 0; j < batch[i].k.len; j++)
				printf("%02x", batch[i].k.bytes[j]);
			printf(" %lld\n", (long long)batch[i].expires);
		}
		fflush(stdout);
	}
}

/* crash-check DIR LOG: every lease LOG reports is in the store, as recent. */
static int crash_check(const char *dir, const char *log)
{
	struct pxb_lease_config cfg = { 0 };
	struct pxb_lease_store *st;
	struct pxb_lease_load_stats ls;
	char line[256], hex[160];
	unsigned addr, lines = 0, missing = 0, j;
	long long expires;
	FILE *f = fopen(log, "r");
	int err;

	cfg.state_dir = dir;
	err = pxb_lease_open(&cfg, NOW, &st, &ls);
	if (err < 0) {
		printf("# open: %s\n", pxb_strerror(err));
		return 1;
	}
	while (f && fgets(line, sizeof(line), f)) {
		const struct pxb_lease *l;
		struct pxb_lease_key k;
		uint8_t id[64];

		if (!strchr(line, '\n') || sscanf(line, "%x %159s %lld", &addr, hex, &expires) != 3)
			continue; /* a line cut by the kill */
		for (j = 0; j < 64 && hex[2 * j]; j++)
			sscanf(hex + 2 * j, "%2hhx", &id[j]);
		pxb_lease_key_client_id(&k, id, j);
		lines++;
		l = pxb_lease_by_key(st, &k);
		if (!l || l->addr != addr || l->state != PXB_LEASE_BOUND || l->expires < expires) {
			if (missing++ < 5)
				printf("# lost: %s", line);
		}
	}
	if (f)
		fclose(f);
	printf("# %u reported leases checked, %llu in the store, %llu torn bytes cut\n", lines,
	       (unsigned long long)ls.leases, (unsigned long long)ls.torn_bytes);
	if (!consistent(st)) {
		printf("# indexes inconsistent\n");
		missing++;
	}
	if (ls.loss || ls.damaged_regions) {
		/* kill -9 leaves a torn tail at most, never damage */
		printf("# a crash was taken for damage: %llu bytes skipped\n",
		       (unsigned long long)ls.damaged_bytes);
		missing++;
	}
	pxb_lease_close(st);
	return missing ? 1 : 0;
}

static int rm_tree(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

int main(int argc, char **argv)
{
	const char *base = getenv("TMPDIR");

	if (argc == 4 && strcmp(argv[1], "crash-writer") == 0)
		return crash_writer(argv[2], (unsigned)atoi(argv[3]));
	if (argc == 4 && strcmp(argv[1], "crash-check") == 0)
		return crash_check(argv[2], argv[3]);

	snprintf(tmpdir, sizeof(tmpdir), "%s/lease_test.XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	plan_lazy();
	test_keys();
	test_lifecycle();
	test_no_double();
	test_persistence();
	test_torn();
	test_unknown_record();
	test_damage();
	test_probe();
	test_compaction();
	test_reservation();
	test_big_pool();
	rm_tree();
	return done_testing();
}
