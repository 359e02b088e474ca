/*
 * tftp_admit_test.c - admission of TFTP requests (lib/tftp_admit.c): the
 * token buckets, the budget of unacknowledged transfers in all and per
 * source, the per-source byte budget, and the bounded table of sources.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>

#include <pxeboot/tftp.h>
#include "tap.h"

static uint32_t ip(unsigned a, unsigned b)
{
	return htonl(0xc6120000u | a << 8 | b); /* 198.18.a.b */
}

static pxb_tftp_admit *mk(unsigned rate, unsigned rate_src, unsigned unacked,
			  unsigned unacked_src, uint64_t bytes_src, unsigned sources)
{
	struct pxb_tftp_admit_config c = {rate, rate_src, unacked, unacked_src, bytes_src, sources};
	pxb_tftp_admit *a;

	if (pxb_tftp_admit_new(&c, &a) < 0)
		abort();
	return a;
}

/* Requests from addr at now until one is refused (at most max). */
static unsigned admitted(pxb_tftp_admit *a, uint32_t addr, pxb_ms_t now, unsigned max,
			 enum pxb_tftp_admit_verdict *last)
{
	unsigned n = 0;

	*last = PXB_TFTP_ADMIT_OK;
	while (n < max && (*last = pxb_tftp_admit_request(a, addr, now)) == PXB_TFTP_ADMIT_OK)
		n++;
	return n;
}

static void test_rates(void)
{
	enum pxb_tftp_admit_verdict v;
	pxb_tftp_admit *a = mk(0, 10, 0, 0, 0, 0);
	unsigned n;

	/* Per source: a burst of one second's worth, then rate per second. */
	is_int(admitted(a, ip(0, 1), 1000, 100, &v), 10, "source: burst of 10");
	is_int(v, PXB_TFTP_ADMIT_SOURCE_RATE, "source: then refused for its rate");
	is_int(admitted(a, ip(0, 2), 1000, 100, &v), 10, "another source: its own 10");
	is_int(admitted(a, ip(0, 1), 1099, 100, &v), 0, "source: 99 ms later, none");
	is_int(admitted(a, ip(0, 1), 1100, 100, &v), 1, "source: 100 ms later, one");
	is_int(admitted(a, ip(0, 1), 1600, 100, &v), 5, "source: 500 ms later, five");
	is_int(admitted(a, ip(0, 1), 9000, 100, &v), 10, "source: idle, full again, no more");
	is_int(admitted(a, ip(0, 1), 100, 100, &v), 0, "a clock going back refills nothing");
	pxb_tftp_admit_free(a);

	/* Overall: shared by every source; a source over its own rate takes
	 * nothing from it. */
	a = mk(20, 5, 0, 0, 0, 0);
	n = 0;
	for (unsigned i = 0; i < 8; i++)
		n += admitted(a, ip(1, i), 50, 100, &v);
	is_int(n, 20, "overall: 20 of 8 sources x 5");
	is_int(v, PXB_TFTP_ADMIT_RATE, "overall: then refused for the rate");
	is_int(admitted(a, ip(2, 1), 100, 100, &v), 1, "overall: 50 ms later, one more");
	pxb_tftp_admit_free(a);
	a = mk(10, 2, 0, 0, 0, 0);
	for (unsigned i = 0; i < 20; i++)
		pxb_tftp_admit_request(a, ip(3, 1), 0);
	is_int(admitted(a, ip(3, 2), 0, 100, &v), 2, "overall: untouched by a source over its rate");
	pxb_tftp_admit_free(a);
}

static void test_unacked(void)
{
	enum pxb_tftp_admit_verdict v;
	pxb_tftp_admit *a = mk(0, 0, 10, 4, 0, 0);
	unsigned n = 0;

	/* Per source: 4; released at the ACK, one more. */
	is_int(admitted(a, ip(0, 1), 0, 100, &v), 4, "per source: 4 unacked");
	is_int(v, PXB_TFTP_ADMIT_SOURCE_UNACKED, "per source: then refused");
	pxb_tftp_admit_release(a, ip(0, 1), 0);
	is_int(pxb_tftp_admit_unacked(a, ip(0, 1)), 3, "per source: 3 after an ACK");
	is_int(admitted(a, ip(0, 1), 0, 100, &v), 1, "per source: one more after an ACK");
	/* Past half (5 of 10): one per source; new sources still get in. */
	is_int(pxb_tftp_admit_unacked(a, 0), 4, "in all: 4");
	is_int(admitted(a, ip(0, 2), 0, 100, &v), 1, "past half: a second source, one");
	is_int(v, PXB_TFTP_ADMIT_SOURCE_UNACKED, "past half: then its share is one");
	for (unsigned i = 3; i < 20; i++)
		n += admitted(a, ip(0, i), 0, 100, &v);
	is_int(n, 5, "past half: new sources fill the rest, one each");
	is_int(v, PXB_TFTP_ADMIT_UNACKED, "full: refused");
	is_int(pxb_tftp_admit_unacked(a, 0), 10, "in all: 10");
	pxb_tftp_admit_release(a, ip(0, 3), 0);
	is_int(admitted(a, ip(0, 99), 0, 100, &v), 1, "a place released: taken");
	pxb_tftp_admit_release(a, ip(9, 9), 0);
	is_int(pxb_tftp_admit_unacked(a, 0), 10, "a release for an unknown source: ignored");
	pxb_tftp_admit_free(a);

	/* Bytes: refused at or over the budget until released. */
	a = mk(0, 0, 0, 0, 4000, 0);
	is_int(admitted(a, ip(0, 1), 0, 1, &v), 1, "bytes: first");
	pxb_tftp_admit_charge(a, ip(0, 1), 1548);
	is_int(admitted(a, ip(0, 1), 0, 1, &v), 1, "bytes: second");
	pxb_tftp_admit_charge(a, ip(0, 1), 1548);
	is_int(admitted(a, ip(0, 1), 0, 1, &v), 1, "bytes: third (3096 < 4000)");
	pxb_tftp_admit_charge(a, ip(0, 1), 1548);
	is_int(admitted(a, ip(0, 1), 0, 1, &v), 0, "bytes: 4644 outstanding, refused");
	is_int(v, PXB_TFTP_ADMIT_SOURCE_BYTES, "bytes: for its bytes");
	is_int(admitted(a, ip(0, 2), 0, 1, &v), 1, "bytes: another source is not");
	pxb_tftp_admit_release(a, ip(0, 1), 1548);
	is_int(admitted(a, ip(0, 1), 0, 1, &v), 1, "bytes: one acknowledged, admitted");
	pxb_tftp_admit_free(a);
}

static void test_table(void)
{
	enum pxb_tftp_admit_verdict v;
	pxb_tftp_admit *a = mk(0, 1, 0, 0, 0, 8);
	unsigned n = 0, held = 0;

	/* 8 places: sources without transfers are forgotten for new ones. */
	for (unsigned i = 0; i < 1000; i++) {
		if (pxb_tftp_admit_request(a, ip(i >> 8, i & 255), (pxb_ms_t)i) !=
		    PXB_TFTP_ADMIT_OK)
			continue;
		n++;
		if (i % 2)
			pxb_tftp_admit_release(a, ip(i >> 8, i & 255), 0);
		else
			held++;
		if (held == 4) { /* four held at once, then let go */
			for (unsigned j = i - 6; j <= i; j += 2)
				pxb_tftp_admit_release(a, ip(j >> 8, j & 255), 0);
			held = 0;
		}
	}
	is_int(n, 1000, "table: 1000 sources through 8 places");
	is_int(pxb_tftp_admit_unacked(a, 0), 0, "table: every release found its source");
	held = 0;
	/* A place holding a transfer is never taken: past 8 held, refused. */
	for (unsigned i = 0; i < 20; i++)
		held += admitted(a, ip(5, i), 2000, 1, &v);
	is_int(held, 8, "table: 8 sources held");
	is_int(v, PXB_TFTP_ADMIT_UNACKED, "table: a ninth finds no place");
	is_int(pxb_tftp_admit_unacked(a, 0), 8, "table: counts kept");
	pxb_tftp_admit_free(a);
	is_str(pxb_tftp_admit_name(PXB_TFTP_ADMIT_SOURCE_BYTES), "source's unacknowledged bytes",
	       "name");
	is_int(pxb_tftp_admit_request(NULL, 1, 0), PXB_TFTP_ADMIT_RATE, "NULL: refused");
	is_int(pxb_tftp_admit_new(NULL, NULL), PXB_ERR_INVAL, "new: NULL");
}

int main(void)
{
	plan_lazy();
	test_rates();
	test_unacked();
	test_table();
	return done_testing();
}
