/*
 * tftp_admit.c - admission of TFTP read requests: token buckets (overall
 * and per source address) and the budget of transfers no client has
 * acknowledged yet. Sans-I/O: the time is an argument, nothing is sent.
 *
 * Why: a read request is one UDP datagram whose source address nobody
 * checked. RFC 1350 sec 4 has the server answer it from a new port and
 * resend until acknowledged; each request so costs a socket, an open file,
 * a session, and the bytes of its resends sent to whoever the address is.
 * Only an ACK from that address proves it asked. So a transfer is
 * "unacknowledged" until then and such transfers have a budget of their
 * own, small beside the server's transfer limit, which established
 * transfers then always find room under.
 *
 * Sources live in a table of cfg.sources places (a power of two), each
 * address in one of PROBE places from its hash. A place is reused for a
 * new address only when it holds no unacknowledged transfer (the oldest
 * such one of the PROBE): forgetting a source forgets its bucket (it
 * starts full again), never a count. Work per request: PROBE places.
 */
#include "config.h"

#include <stdlib.h>

#include <pxeboot/tftp.h>
#include "internal.h"

#define PROBE 8
#define MILLI 1000 /* tokens are counted in thousandths */

struct bucket {
	uint64_t milli; /* tokens x MILLI */
	pxb_ms_t t;     /* last refill */
};

struct source {
	uint32_t addr;
	int used;
	unsigned unacked;
	uint64_t bytes;
	pxb_ms_t seen;
	struct bucket b;
};

struct pxb_tftp_admit {
	struct pxb_tftp_admit_config cfg;
	struct bucket all;
	unsigned unacked;
	unsigned mask; /* places - 1 */
	struct source *src;
};

/* Refills b at rate tokens per second up to one second's worth, then takes
 * one if it can; returns 1 when it took one. rate 0: no limit. */
static int bucket_take(struct bucket *b, unsigned rate, pxb_ms_t now, int take)
{
	uint64_t cap = (uint64_t)rate * MILLI;

	if (!rate)
		return 1;
	if (now - b->t >= 1000) {
		b->milli = cap; /* a second or more since: full */
	} else if (now > b->t) {
		uint64_t add = (uint64_t)(now - b->t) * rate; /* rate/s = rate milli-tokens/ms */
		b->milli = add >= cap - PXB_MIN(b->milli, cap) ? cap : b->milli + add;
	}
	/* a clock that went back refills nothing */
	b->t = now > b->t ? now : b->t;
	if (b->milli < MILLI)
		return 0;
	if (take)
		b->milli -= MILLI;
	return 1;
}

static unsigned hash(uint32_t a)
{
	a ^= a >> 16;
	a *= 0x7feb352dU;
	a ^= a >> 15;
	a *= 0x846ca68bU;
	a ^= a >> 16;
	return a;
}

/* The place of addr, or NULL. */
static struct source *find(const struct pxb_tftp_admit *a, uint32_t addr)
{
	unsigned h = hash(addr);

	for (unsigned i = 0; i < PROBE; i++) {
		struct source *s = &a->src[(h + i) & a->mask];
		if (s->used && s->addr == addr)
			return s;
	}
	return NULL;
}

/* The place of addr, taking a free one (or the oldest without
 * unacknowledged transfers) for a new address; NULL when there is none. */
static struct source *place(struct pxb_tftp_admit *a, uint32_t addr, pxb_ms_t now)
{
	struct source *s = find(a, addr), *pick = NULL;
	unsigned h = hash(addr);

	if (s)
		return s;
	for (unsigned i = 0; i < PROBE; i++) {
		s = &a->src[(h + i) & a->mask];
		if (!s->used) {
			pick = s;
			break;
		}
		if (!s->unacked && (!pick || s->seen < pick->seen))
			pick = s;
	}
	if (!pick)
		return NULL;
	memset(pick, 0, sizeof(*pick));
	pick->used = 1;
	pick->addr = addr;
	pick->b.milli = (uint64_t)a->cfg.rate_per_source * MILLI; /* a new source: full */
	pick->b.t = now;
	return pick;
}

PXB_API int pxb_tftp_admit_new(const struct pxb_tftp_admit_config *cfg, pxb_tftp_admit **ap)
{
	struct pxb_tftp_admit *a;
	unsigned want = cfg && cfg->sources ? cfg->sources : 4096, n = PROBE;

	if (!ap)
		return PXB_ERR_INVAL;
	*ap = NULL;
	want = PXB_MIN(want, 1u << 24);
	while (n < want)
		n <<= 1;
	a = calloc(1, sizeof(*a));
	if (!a)
		return PXB_ERR_NOMEM;
	a->src = calloc(n, sizeof(*a->src));
	if (!a->src) {
		free(a);
		return PXB_ERR_NOMEM;
	}
	a->mask = n - 1;
	if (cfg)
		a->cfg = *cfg;
	a->cfg.sources = n;
	a->all.milli = (uint64_t)a->cfg.rate * MILLI;
	a->all.t = 0;
	*ap = a;
	return 0;
}

PXB_API void pxb_tftp_admit_free(pxb_tftp_admit *a)
{
	if (!a)
		return;
	free(a->src);
	free(a);
}

PXB_API int pxb_tftp_admit_configure(pxb_tftp_admit *a, const struct pxb_tftp_admit_config *cfg)
{
	unsigned n;

	if (!a || !cfg)
		return PXB_ERR_INVAL;
	n = a->cfg.sources;
	a->cfg = *cfg;
	a->cfg.sources = n;
	return 0;
}

PXB_API enum pxb_tftp_admit_verdict pxb_tftp_admit_request(pxb_tftp_admit *a, uint32_t addr,
							    pxb_ms_t now)
{
	const struct pxb_tftp_admit_config *c;
	struct source *s;

	if (!a)
		return PXB_TFTP_ADMIT_RATE;
	c = &a->cfg;
	s = place(a, addr, now);
	if (!s)
		return PXB_TFTP_ADMIT_UNACKED; /* every place near it is held */
	s->seen = now;
	if (!bucket_take(&s->b, c->rate_per_source, now, 1))
		return PXB_TFTP_ADMIT_SOURCE_RATE;
	if (c->max_unacked_bytes_per_source && s->bytes >= c->max_unacked_bytes_per_source)
		return PXB_TFTP_ADMIT_SOURCE_BYTES;
	if (c->max_unacked_per_source && s->unacked >= c->max_unacked_per_source)
		return PXB_TFTP_ADMIT_SOURCE_UNACKED;
	if (c->max_unacked) {
		if (a->unacked >= c->max_unacked)
			return PXB_TFTP_ADMIT_UNACKED;
		/* Past half the budget, one place per source: the rest stays
		 * open to sources that hold none (a real client during a flood
		 * from fewer addresses than that). */
		if (s->unacked && a->unacked >= (c->max_unacked + 1) / 2)
			return PXB_TFTP_ADMIT_SOURCE_UNACKED;
	}
	if (!bucket_take(&a->all, c->rate, now, 1))
		return PXB_TFTP_ADMIT_RATE;
	s->unacked++;
	a->unacked++;
	return PXB_TFTP_ADMIT_OK;
}

PXB_API void pxb_tftp_admit_charge(pxb_tftp_admit *a, uint32_t addr, uint64_t bytes)
{
	struct source *s = a ? find(a, addr) : NULL;

	if (s)
		s->bytes += bytes;
}

PXB_API void pxb_tftp_admit_release(pxb_tftp_admit *a, uint32_t addr, uint64_t bytes)
{
	struct source *s = a ? find(a, addr) : NULL;

	/* A source holding transfers is never forgotten (place()). */
	if (!s || !s->unacked)
		return;
	s->unacked--;
	s->bytes -= PXB_MIN(bytes, s->bytes);
	if (!s->unacked)
		s->bytes = 0;
	a->unacked--;
}

PXB_API unsigned pxb_tftp_admit_unacked(const pxb_tftp_admit *a, uint32_t addr)
{
	const struct source *s;

	if (!a)
		return 0;
	if (!addr)
		return a->unacked;
	s = find(a, addr);
	return s ? s->unacked : 0;
}

PXB_API const char *pxb_tftp_admit_name(enum pxb_tftp_admit_verdict v)
{
	switch (v) {
	case PXB_TFTP_ADMIT_OK:
		return "ok";
	case PXB_TFTP_ADMIT_RATE:
		return "rate";
	case PXB_TFTP_ADMIT_SOURCE_RATE:
		return "source rate";
	case PXB_TFTP_ADMIT_UNACKED:
		return "unacknowledged transfers";
	case PXB_TFTP_ADMIT_SOURCE_UNACKED:
		return "source's unacknowledged transfers";
	case PXB_TFTP_ADMIT_SOURCE_BYTES:
		return "source's unacknowledged bytes";
	}
	return "unknown";
}
