/*
 * state_xabi.c - writes and reads back the daemon's durable state (the lease
 * journal and arms.json) so that t/state_xabi.sh can move it between two
 * builds for different CPUs (x86-64 and big-endian s390x under QEMU) and
 * check that nothing is lost or misread: the formats are byte-exact and
 * endian-independent.
 *
 *   state_xabi write DIR    writes a fixed set of leases and arms into DIR
 *   state_xabi append DIR   adds one lease and one arm to what DIR holds
 *   state_xabi dump DIR     prints what DIR holds
 *
 * Every mode ends by opening DIR afresh and printing its leases (by address)
 * and arms (by MAC) one per line, in a form that is the same on every CPU.
 * The clock is fixed (NOW), so two CPUs performing the same operations must
 * write byte-identical journals. Exit status 0, or 1 with a message on stderr.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/lease.h>
#include <pxeboot/policy.h>

#define NOW 1700000000LL

static int fail(const char *what, int rc)
{
	fprintf(stderr, "state_xabi: %s: %s\n", what, pxb_strerror(rc));
	return 1;
}

static void put_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

struct dump {
	struct pxb_lease v[64];
	unsigned n;
};

static int collect(const struct pxb_lease *l, void *arg)
{
	struct dump *d = arg;

	if (d->n < sizeof(d->v) / sizeof(d->v[0]))
		d->v[d->n++] = *l;
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	uint32_t x = ((const struct pxb_lease *)a)->addr, y = ((const struct pxb_lease *)b)->addr;

	return x < y ? -1 : x > y;
}

static int open_leases(const char *dir, struct pxb_lease_store **st)
{
	struct pxb_lease_config cfg = { .state_dir = dir, .no_sync = 1 };
	struct pxb_lease_load_stats ls;
	int rc = pxb_lease_open(&cfg, NOW, st, &ls);

	if (rc < 0)
		return rc;
	if (ls.loss || ls.damaged_bytes || ls.torn_bytes || ls.skipped) {
		fprintf(stderr, "state_xabi: %s: journal read as damaged (%" PRIu64 " bytes, %"
			PRIu64 " torn, %" PRIu64 " skipped)\n", dir, ls.damaged_bytes,
			ls.torn_bytes, ls.skipped);
		pxb_lease_close(*st);
		return PXB_ERR_PROTO;
	}
	return 0;
}

static int dump(const char *dir)
{
	struct pxb_lease_store *st;
	struct dump d = { .n = 0 };
	pxb_arms *arms;
	int damaged = 0, rc;

	rc = open_leases(dir, &st);
	if (rc < 0)
		return fail("opening the leases", rc);
	pxb_lease_foreach(st, collect, &d);
	pxb_lease_close(st);
	qsort(d.v, d.n, sizeof(d.v[0]), by_addr);
	printf("leases %u\n", d.n);
	for (unsigned i = 0; i < d.n; i++) {
		const struct pxb_lease *l = &d.v[i];

		printf("lease %u.%u.%u.%u state %u expires %" PRId64 " key %u:", l->addr >> 24,
		       (l->addr >> 16) & 255, (l->addr >> 8) & 255, l->addr & 255, l->state,
		       l->expires, l->key.type);
		put_hex(l->key.bytes, l->key.len);
		printf(" host ");
		put_hex((const uint8_t *)l->hostname, strlen(l->hostname));
		printf("\n");
	}
	rc = pxb_arms_open(dir, NOW, &arms, &damaged);
	if (rc < 0)
		return fail("opening arms.json", rc);
	if (damaged) {
		pxb_arms_free(arms);
		fprintf(stderr, "state_xabi: %s: arms.json read as damaged\n", dir);
		return 1;
	}
	printf("arms %u\n", pxb_arms_count(arms));
	for (unsigned i = 0; i < pxb_arms_count(arms); i++) {
		const struct pxb_arm *a = pxb_arms_at(arms, i);

		printf("arm ");
		put_hex(a->mac, 6);
		printf(" entry '%s' created %" PRId64 " until %" PRId64 " once %d spent %d token %s\n",
		       a->entry, a->created, a->until, a->once, a->spent, a->token);
	}
	pxb_arms_free(arms);
	return 0;
}

/* Addresses with the top bit set and expiry times past 2038 and 2^32 s catch
 * sign and width mistakes; key and hostname bytes above 0x7f catch char
 * signedness (unsigned on ARM and s390x, signed on x86 and MIPS). */
static int write_leases(const char *dir, int append)
{
	static const uint8_t cid[] = { 0x01, 0x00, 0xff, 0x80, 0x7f, 0x52, 0x54 };
	struct pxb_lease_store *st;
	struct pxb_lease_key k;
	uint64_t seq;
	int rc;

	rc = open_leases(dir, &st);
	if (rc < 0)
		return fail("opening the leases", rc);
	if (append) {
		uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };

		pxb_lease_key_hw(&k, 1, mac, 6);
		rc = pxb_lease_stage_bind(st, &k, 0xc6120063u, NOW + 600, "appended", NOW, &seq);
		goto flush;
	}
	for (unsigned i = 0; i < 6 && rc >= 0; i++) {
		uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x80, 0xfe, (uint8_t)(0x10 + i) };
		char host[16];

		snprintf(host, sizeof(host), "node-%u\xc3\xa9", i);
		pxb_lease_key_hw(&k, 1, mac, 6);
		rc = pxb_lease_stage_bind(st, &k, 0xc6120010u + i, NOW + 3600 * (int64_t)(i + 1),
					  i == 2 ? NULL : host, NOW, &seq);
	}
	pxb_lease_key_client_id(&k, cid, sizeof(cid));
	if (rc >= 0)
		rc = pxb_lease_stage_bind(st, &k, 0xc6130102u, 4102444800LL, "far", NOW, &seq);
	if (rc >= 0)
		rc = pxb_lease_key_client_id(&k, cid, sizeof(cid) - 1);
	if (rc >= 0)
		rc = pxb_lease_stage_bind(st, &k, 0xc6130103u, 253402300799LL, "farther", NOW, &seq);
	pxb_lease_key_hw(&k, 1, (const uint8_t[]){ 0x52, 0x54, 0x00, 0x80, 0xfe, 0x11 }, 6);
	if (rc >= 0)
		rc = pxb_lease_stage_release(st, &k, 0xc6120011u, &seq);
	if (rc >= 0)
		rc = pxb_lease_stage_decline(st, 0xc6120040u, NOW + 86400, &seq);
	if (rc >= 0)
		rc = pxb_lease_stage_remove(st, 0xc6120013u, &seq);
flush:
	if (rc >= 0)
		rc = pxb_lease_flush(st);
	pxb_lease_close(st);
	return rc < 0 ? fail("writing the leases", rc) : 0;
}

static int write_arms(const char *dir, int append)
{
	pxb_arms *arms;
	int rc = pxb_arms_open(dir, NOW, &arms, NULL);

	if (rc < 0)
		return fail("opening arms.json", rc);
	if (append) {
		rc = pxb_arms_arm(arms, (const uint8_t[]){ 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc },
				  "appended", NOW + 60, 0, NOW, NULL);
	} else {
		for (unsigned i = 0; i < 3 && rc >= 0; i++) {
			uint8_t mac[6] = { 0xfe, 0x80, 0x00, 0x00, 0x0a, (uint8_t)(0xf0 + i) };

			rc = pxb_arms_arm(arms, mac, i ? "rescue" : NULL,
					  i == 2 ? 4102444800LL : NOW + 1800, i == 1, NOW, NULL);
		}
		if (rc >= 0)
			rc = pxb_arms_spend(arms, (const uint8_t[]){ 0xfe, 0x80, 0, 0, 0x0a, 0xf1 },
					    NOW);
	}
	pxb_arms_free(arms);
	return rc < 0 ? fail("writing arms.json", rc) : 0;
}

int main(int argc, char **argv)
{
	int append;

	if (argc != 3 || (strcmp(argv[1], "write") && strcmp(argv[1], "append") &&
			  strcmp(argv[1], "dump"))) {
		fprintf(stderr, "usage: state_xabi write|append|dump DIR\n");
		return 2;
	}
	append = !strcmp(argv[1], "append");
	if (strcmp(argv[1], "dump") &&
	    (write_leases(argv[2], append) || write_arms(argv[2], append)))
		return 1;
	return dump(argv[2]);
}
