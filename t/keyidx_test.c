/*
 * keyidx_test.c - the key index against a plain scan, through random adds,
 * deletions and key changes; and the host's recent-client table built on it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <pxeboot/plugin.h>
#include "keyidx.h"
#include "tap.h"

#define N 300

struct ent {
	int used;
	uint8_t k[6];
};

static struct ent tab[N];

static const void *key_of(const void *table, int32_t i)
{
	const struct ent *e = (const struct ent *)table + i;

	return e->used ? e->k : NULL;
}

static int32_t scan(const uint8_t k[6])
{
	for (int32_t i = 0; i < N; i++)
		if (tab[i].used && !memcmp(tab[i].k, k, 6))
			return i;
	return -1;
}

int main(void)
{
	struct pxb_keyidx x;
	unsigned seed = 12345, mismatches = 0;
	uint8_t k[6] = {0};

	plan_lazy();
	ok(pxb_keyidx_init(&x, N, 6, key_of, tab) == 0, "index created");
	for (int step = 0; step < 200000; step++) {
		int32_t i = (int32_t)(rand_r(&seed) % N);
		/* Few distinct keys, so collisions and reuse are frequent. */
		k[5] = (uint8_t)(rand_r(&seed) % 600);
		k[4] = (uint8_t)(k[5] & 3);
		if (tab[i].used) {
			pxb_keyidx_del(&x, tab[i].k, i);
			tab[i].used = 0;
		} else if (scan(k) < 0) {
			memcpy(tab[i].k, k, 6);
			tab[i].used = 1;
			pxb_keyidx_add(&x, k, i);
		}
		k[5] = (uint8_t)(rand_r(&seed) % 600);
		k[4] = (uint8_t)(k[5] & 3);
		if (pxb_keyidx_find(&x, k) != scan(k))
			mismatches++;
	}
	is_int(mismatches, 0, "200000 random operations: the index agrees with a scan");
	pxb_keyidx_free(&x);

	{
		pxb_host *h = pxb_host_new(NULL, NULL, NULL);
		struct pxb_client c, out;
		unsigned bad = 0;

		for (unsigned n = 0; n < 5000; n++) {
			memset(&c, 0, sizeof(c));
			c.has_mac = 1;
			c.mac[4] = (uint8_t)(n >> 8);
			c.mac[5] = (uint8_t)n;
			c.addr.s_addr = htonl(0xc6120000u + n % 2000); /* addresses move around */
			pxb_host_note_client(h, &c);
			if (pxb_host_client_by_mac(h, c.mac, &out) < 0 || out.addr.s_addr != c.addr.s_addr)
				bad++;
			if (pxb_host_client_by_addr(h, c.addr, &out) < 0 || memcmp(out.mac, c.mac, 6))
				bad++;
		}
		is_int(bad, 0, "recent clients: the newest holder of an address is found, by MAC too");
		memset(&c, 0, sizeof(c));
		c.has_mac = 1;
		c.mac[5] = 1; /* noted first, long evicted */
		ok(pxb_host_client_by_mac(h, c.mac, &out) == PXB_ERR_NOENT, "evicted client gone");
		pxb_host_free(h);
	}
	return done_testing();
}
