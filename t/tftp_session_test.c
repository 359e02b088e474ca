/*
 * tftp_session_test.c - the TFTP read session (lib/tftp_session.c,
 * lib/tftp_window.c, lib/tftp_netascii.c) driven packet by packet, and
 * whole transfers through a simulated client and a lossy network.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/tftp.h>
#include "tap.h"

/*
 * The engine writes its packets into the caller's buffer: here one for
 * every session, as a driver's thread has one. The calls below pass it.
 */
static uint8_t obuf[PXB_TFTP_OUT_SIZE];

static struct pxb_tftp_out *ob(struct pxb_tftp_out *o)
{
	if (o) {
		o->buf = obuf;
		o->cap = sizeof(obuf);
	}
	return o;
}

#define pxb_tftp_session_new(l, r, src, now, sp, o) (pxb_tftp_session_new)(l, r, src, now, sp, ob(o))
#define pxb_tftp_session_input(s, p, n, now, o) (pxb_tftp_session_input)(s, p, n, now, ob(o))
#define pxb_tftp_session_timeout(s, now, o) (pxb_tftp_session_timeout)(s, now, ob(o))
#define pxb_tftp_session_send_more(s, now, o) (pxb_tftp_session_send_more)(s, now, ob(o))

/* ---- a memory-backed source ---- */

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 9) * 7 + 1);
}

struct memsrc {
	const uint8_t *data; /* NULL: pattern() */
	uint64_t size;
	uint64_t fail_at;    /* reads touching this offset fail; UINT64_MAX: never */
	uint64_t end_at;     /* reads return 0 from here (the file shrank) */
	size_t max_read;     /* short reads: at most this many bytes, 0 = no limit */
	unsigned reads;
	uint64_t bytes;
};

static int64_t mem_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct memsrc *m = ctx;
	uint8_t *p = buf;
	size_t i;

	m->reads++;
	if (m->fail_at >= off && m->fail_at < off + len)
		return -1;
	if (off >= m->end_at || off >= m->size)
		return 0;
	if (len > m->size - off)
		len = (size_t)(m->size - off);
	if (len > m->end_at - off)
		len = (size_t)(m->end_at - off);
	if (m->max_read && len > m->max_read)
		len = m->max_read;
	for (i = 0; i < len; i++)
		p[i] = m->data ? m->data[off + i] : pattern(off + i);
	m->bytes += len;
	return (int64_t)len;
}

static void memsrc_init(struct memsrc *m, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	m->size = size;
	m->fail_at = UINT64_MAX;
	m->end_at = UINT64_MAX;
}

static struct pxb_tftp_source mksrc(struct memsrc *m)
{
	struct pxb_tftp_source s = { m, mem_read, m->size };
	return s;
}

/* ---- packets ---- */

static size_t mkreq(uint8_t *buf, const char *file, const char *mode, ...)
{
	size_t n = 0;
	const char *s;
	va_list ap;

	buf[n++] = 0;
	buf[n++] = PXB_TFTP_OP_RRQ;
	memcpy(buf + n, file, strlen(file) + 1);
	n += strlen(file) + 1;
	memcpy(buf + n, mode, strlen(mode) + 1);
	n += strlen(mode) + 1;
	va_start(ap, mode);
	while ((s = va_arg(ap, const char *)) != NULL) {
		memcpy(buf + n, s, strlen(s) + 1);
		n += strlen(s) + 1;
	}
	va_end(ap);
	return n;
}

static struct pxb_tftp_request parse_req(const char *mode, ...)
{
	struct pxb_tftp_request req;
	uint8_t buf[512];
	size_t n = 0;
	const char *s;
	va_list ap;

	n = mkreq(buf, "boot.img", mode, NULL);
	va_start(ap, mode);
	while ((s = va_arg(ap, const char *)) != NULL) {
		memcpy(buf + n, s, strlen(s) + 1);
		n += strlen(s) + 1;
	}
	va_end(ap);
	if (pxb_tftp_request_parse(buf, n, &req) < 0)
		abort();
	return req;
}

static int feed_ack(struct pxb_tftp_session *s, uint16_t n, pxb_ms_t now,
		    struct pxb_tftp_out *out)
{
	uint8_t p[4] = { 0, PXB_TFTP_OP_ACK, (uint8_t)(n >> 8), (uint8_t)n };
	return pxb_tftp_session_input(s, p, 4, now, out);
}

static int feed_err(struct pxb_tftp_session *s, uint16_t code, pxb_ms_t now,
		    struct pxb_tftp_out *out)
{
	uint8_t p[32];
	int n = pxb_tftp_build_error(p, sizeof(p), code, "client says no");
	return pxb_tftp_session_input(s, p, (size_t)n, now, out);
}

static uint16_t pkt_op(const struct pxb_tftp_pkt *p)
{
	return p->len >= 2 ? (uint16_t)(p->data[0] << 8 | p->data[1]) : 0xffff;
}

static uint16_t pkt_num(const struct pxb_tftp_pkt *p)
{
	return p->len >= 4 ? (uint16_t)(p->data[2] << 8 | p->data[3]) : 0xffff;
}

/* 1 when p is DATA block b (16-bit) carrying file bytes [off, off + len). */
static int is_data(const struct pxb_tftp_pkt *p, uint16_t b, uint64_t off, size_t len)
{
	size_t i;

	if (p->len != 4 + len || pkt_op(p) != PXB_TFTP_OP_DATA || pkt_num(p) != b)
		return 0;
	for (i = 0; i < len; i++)
		if (p->data[4 + i] != pattern(off + i))
			return 0;
	return 1;
}

/* 1 when the packets are DATA blocks first..first+n-1 of blksize. */
static int is_burst(const struct pxb_tftp_out *out, uint64_t first, unsigned n, unsigned blksize)
{
	unsigned i;

	if (out->npkts != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_data(&out->pkts[i], (uint16_t)(first + i), (first + i - 1) * blksize,
			     blksize))
			return 0;
	return 1;
}

static int is_bytes(const struct pxb_tftp_pkt *p, const char *want, size_t len)
{
	return p->len == len && memcmp(p->data, want, len) == 0;
}

/* ---- a simulated client and network ---- */

struct qpkt {
	uint8_t *p;
	size_t len;
};

struct queue {
	struct qpkt *v;
	size_t head, n, cap;
};

static void q_push(struct queue *q, const uint8_t *p, size_t len)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->v = realloc(q->v, q->cap * sizeof(*q->v));
		if (!q->v)
			abort();
	}
	q->v[q->n].p = malloc(len ? len : 1);
	if (!q->v[q->n].p)
		abort();
	memcpy(q->v[q->n].p, p, len);
	q->v[q->n].len = len;
	q->n++;
}

static int q_pop(struct queue *q, struct qpkt *out)
{
	if (q->head == q->n) {
		q->head = q->n = 0;
		return 0;
	}
	*out = q->v[q->head++];
	return 1;
}

static void q_free(struct queue *q)
{
	struct qpkt p;

	while (q_pop(q, &p))
		free(p.p);
	free(q->v);
}

struct sim;
typedef int (*drop_fn)(struct sim *sim, int to_client, const uint8_t *p, size_t len);

struct sim {
	/* set up by the test */
	struct pxb_tftp_limits lim;
	struct pxb_tftp_request req;
	struct memsrc src;
	drop_fn drop;
	int dup_acks, dup_data, reorder;
	unsigned drop_every;     /* with drop_nth_data: drop each n-th DATA sent */
	int abort_on_oack;       /* answer the OACK with ERROR 8 */
	int read_ahead;          /* call pxb_tftp_session_read_ahead() after each output */
	/* network */
	struct pxb_tftp_session *s;
	struct pxb_tftp_out out;
	pxb_ms_t now;
	struct queue toc, tos;
	unsigned long steps;
	/* client */
	unsigned blksize, wsize;
	uint64_t expect, since;
	int gap_acked, dup_acked, done;
	uint8_t *got;
	size_t got_len, got_cap;
	uint64_t tsize;
	int saw_oack, saw_wrap;
	/* counters */
	unsigned long data_sent, data_rx, acks_tx, timeouts, max_burst, ahead;
	unsigned long *sent_per_block;
};

static void client_send_ack(struct sim *sim, uint16_t n)
{
	uint8_t p[4] = { 0, PXB_TFTP_OP_ACK, (uint8_t)(n >> 8), (uint8_t)n };

	sim->acks_tx++;
	if (sim->drop && sim->drop(sim, 0, p, 4))
		return;
	q_push(&sim->tos, p, 4);
	if (sim->dup_acks)
		q_push(&sim->tos, p, 4);
}

static void client_oack(struct sim *sim, const uint8_t *p, size_t len)
{
	size_t off = 2;

	sim->saw_oack = 1;
	while (off < len) {
		const char *name = (const char *)p + off;
		const char *val = name + strlen(name) + 1;

		if (!strcmp(name, "blksize"))
			sim->blksize = (unsigned)atoi(val);
		else if (!strcmp(name, "windowsize"))
			sim->wsize = (unsigned)atoi(val);
		else if (!strcmp(name, "tsize"))
			sim->tsize = strtoull(val, NULL, 10);
		off += strlen(name) + strlen(val) + 2;
	}
	if (sim->abort_on_oack) {
		uint8_t e[64];
		int n = pxb_tftp_build_error(e, sizeof(e), PXB_TFTP_ERR_OPTION,
					     "User aborted the transfer");
		q_push(&sim->tos, e, (size_t)n);
		return;
	}
	client_send_ack(sim, 0);
}

/*
 * An RFC 7440 client: ACKs after wsize new blocks in order, or the short
 * last one; on a gap ACKs the last block in order, once; on an old
 * duplicate re-ACKs (RFC 1350 clients do, which is what would cause the
 * Sorcerer's Apprentice syndrome in a careless server), once per episode
 * in window mode.
 */
static void client_data(struct sim *sim, const uint8_t *p, size_t len)
{
	uint16_t n = (uint16_t)(p[2] << 8 | p[3]);
	uint16_t d = (uint16_t)(n - (uint16_t)sim->expect);

	sim->data_rx++;
	if (!sim->done && d == 0) {
		size_t dl = len - 4;

		if (sim->got_len + dl > sim->got_cap) {
			sim->got_cap = (sim->got_len + dl) * 2;
			sim->got = realloc(sim->got, sim->got_cap);
			if (!sim->got)
				abort();
		}
		if (dl)
			memcpy(sim->got + sim->got_len, p + 4, dl);
		sim->got_len += dl;
		if (sim->expect == 65536 && n == 0)
			sim->saw_wrap = 1;
		sim->expect++;
		sim->since++;
		sim->gap_acked = sim->dup_acked = 0;
		if (dl < sim->blksize) {
			sim->done = 1;
			client_send_ack(sim, n);
		} else if (sim->since >= sim->wsize) {
			sim->since = 0;
			client_send_ack(sim, n);
		}
	} else if (!sim->done && d < 0x8000) {
		if (!sim->gap_acked)
			client_send_ack(sim, (uint16_t)(sim->expect - 1));
		sim->gap_acked = 1;
		sim->since = 0;
	} else if (sim->wsize == 1 || !sim->dup_acked) {
		client_send_ack(sim, sim->wsize == 1 ? n : (uint16_t)(sim->expect - 1));
		sim->dup_acked = 1;
		sim->since = 0;
	}
}

static void client_rx(struct sim *sim, const uint8_t *p, size_t len)
{
	uint16_t op = (uint16_t)(p[0] << 8 | p[1]);

	if (op == PXB_TFTP_OP_OACK)
		client_oack(sim, p, len);
	else if (op == PXB_TFTP_OP_DATA)
		client_data(sim, p, len);
}

static void server_out(struct sim *sim)
{
	unsigned i, ndata = 0;

again:
	for (i = 0; i < sim->out.npkts; i++) {
		unsigned k = sim->reorder ? sim->out.npkts - 1 - i : i;
		const struct pxb_tftp_pkt *p = &sim->out.pkts[k];

		if (pkt_op(p) == PXB_TFTP_OP_DATA) {
			ndata++;
			sim->data_sent++;
			if (sim->sent_per_block)
				sim->sent_per_block[pkt_num(p)]++;
		}
		if (sim->drop && sim->drop(sim, 1, p->data, p->len))
			continue;
		q_push(&sim->toc, p->data, p->len);
		if (sim->dup_data)
			q_push(&sim->toc, p->data, p->len);
	}
	/* The rest of a window, chunk by chunk (the gap is the receiver's). */
	if (sim->out.more && pxb_tftp_session_send_more(sim->s, sim->now, &sim->out) == 0)
		goto again;
	if (ndata > sim->max_burst)
		sim->max_burst = ndata;
	if (sim->read_ahead) {
		int r = pxb_tftp_session_read_ahead(sim->s);

		if (r > 0)
			sim->ahead += (unsigned long)r;
	}
}

static void sim_init(struct sim *sim, uint64_t size)
{
	memset(sim, 0, sizeof(*sim));
	pxb_tftp_limits_default(&sim->lim);
	memsrc_init(&sim->src, size);
	sim->req = parse_req("octet", NULL);
	sim->now = 1000000;
}

/* Runs a whole transfer; returns the final verdict. */
static enum pxb_tftp_verdict sim_run(struct sim *sim)
{
	struct pxb_tftp_source src = mksrc(&sim->src);
	struct qpkt q;

	sim->blksize = PXB_TFTP_DEFAULT_BLKSIZE;
	sim->wsize = 1;
	sim->expect = 1;
	if (pxb_tftp_session_new(&sim->lim, &sim->req, &src, sim->now, &sim->s, &sim->out) < 0)
		return PXB_TFTP_FAILED;
	server_out(sim);
	while (sim->out.verdict == PXB_TFTP_RUNNING && sim->steps++ < 50000000) {
		if (q_pop(&sim->toc, &q)) {
			client_rx(sim, q.p, q.len);
			free(q.p);
		} else if (q_pop(&sim->tos, &q)) {
			pxb_tftp_session_input(sim->s, q.p, q.len, sim->now, &sim->out);
			free(q.p);
			server_out(sim);
		} else {
			pxb_ms_t d = pxb_tftp_session_next_deadline(sim->s);

			if (d == PXB_MS_NEVER)
				break;
			if (d > sim->now)
				sim->now = d;
			if (pxb_tftp_session_timeout(sim->s, sim->now, &sim->out) == 0)
				sim->timeouts++;
			server_out(sim);
		}
	}
	return sim->out.verdict;
}

static int sim_data_ok(const struct sim *sim)
{
	size_t i;

	if (sim->got_len != sim->src.size)
		return 0;
	for (i = 0; i < sim->got_len; i++)
		if (sim->got[i] != pattern(i))
			return 0;
	return 1;
}

static void sim_free(struct sim *sim)
{
	pxb_tftp_session_free(sim->s);
	q_free(&sim->toc);
	q_free(&sim->tos);
	free(sim->got);
	free(sim->sent_per_block);
}

/* ---- whole transfers ---- */

struct xfer_case {
	uint64_t size;
	const char *blksize, *windowsize; /* NULL: not asked */
	unsigned max_blksize;
	unsigned want_blksize;
};

static const struct xfer_case xfer_cases[] = {
	{ 0, NULL, NULL, 0, 512 },
	{ 511, NULL, NULL, 0, 512 },
	{ 512, NULL, NULL, 0, 512 },
	{ 513, NULL, NULL, 0, 512 },
	{ 1048577, NULL, NULL, 0, 512 },
	{ 0, "1432", NULL, 0, 1432 },
	{ 1431, "1432", NULL, 0, 1432 },
	{ 1432, "1432", NULL, 0, 1432 },
	{ 2865, "1432", NULL, 0, 1432 },
	{ 1048577, "1432", NULL, 0, 1432 },
	{ 0, "1468", "4", 0, 1468 },
	{ 511, "1468", "4", 0, 1468 },
	{ 4 * 1468, "1468", "4", 0, 1468 },
	{ 4 * 1468 + 1, "1468", "4", 0, 1468 },
	{ 1048577, "1468", "4", 0, 1468 },
	{ 1048576, "8192", "16", 65464, 8192 },
	{ 1048577, "65464", "3", 65464, 65464 },
	{ 1048577, "65464", NULL, 0, 1468 },
	{ 513, "8", "7", 0, 8 },
	{ 512, "512", "64", 0, 512 },
	{ 1048577, "512", "64", 0, 512 },
};

static void test_transfers(void)
{
	size_t i;

	for (i = 0; i < 2 * sizeof(xfer_cases) / sizeof(xfer_cases[0]); i++) {
		const struct xfer_case *c = &xfer_cases[i / 2];
		int ra = (int)(i % 2);
		uint64_t blocks = c->size / c->want_blksize + 1;
		struct pxb_tftp_info info;
		struct sim sim;
		char opts[64];

		sim_init(&sim, c->size);
		sim.read_ahead = ra;
		snprintf(opts, sizeof(opts), "size %llu blksize %s windowsize %s%s",
			 (unsigned long long)c->size, c->blksize ? c->blksize : "-",
			 c->windowsize ? c->windowsize : "-", ra ? " read-ahead" : "");
		if (c->blksize && c->windowsize)
			sim.req = parse_req("octet", "blksize", c->blksize, "windowsize",
					    c->windowsize, "tsize", "0", NULL);
		else if (c->blksize)
			sim.req = parse_req("octet", "blksize", c->blksize, "tsize", "0", NULL);
		if (c->max_blksize)
			sim.lim.max_blksize = c->max_blksize;
		is_int(sim_run(&sim), PXB_TFTP_DONE, "%s: done", opts);
		ok(sim_data_ok(&sim), "%s: bytes match", opts);
		is_int(sim.data_sent, blocks, "%s: each of %llu blocks sent once", opts,
		       (unsigned long long)blocks);
		is_int(sim.src.bytes, c->size, "%s: each byte read once", opts);
		is_int(sim.blksize, c->want_blksize, "%s: block size in use", opts);
		pxb_tftp_session_info(sim.s, &info);
		ok(info.blocks_acked == blocks && info.retransmits == 0 && info.timeouts == 0,
		   "%s: info counts", opts);
		if (c->blksize)
			is_int(sim.tsize, c->size, "%s: tsize is the real size", opts);
		if (ra) {
			/* Windows of w: every block after the first window is read
			 * ahead; without windows nothing is. */
			unsigned w = c->blksize && c->windowsize ? (unsigned)atoi(c->windowsize) : 1;
			unsigned long want = w > 1 && blocks > w ? (unsigned long)(blocks - w) : 0;

			is_int(sim.ahead, want, "%s: %lu blocks read ahead", opts, want);
		}
		sim_free(&sim);
	}
}

/* ---- option negotiation: the exact OACK ---- */

struct neg_case {
	const char *name;
	const char *opts[9]; /* name, value, ..., NULL */
	const char *mode;
	uint64_t max_window_bytes;
	unsigned max_windowsize;
	const char *oack; /* NULL: no OACK, DATA 1 comes first */
	size_t oack_len;
	unsigned blksize, windowsize, timeout_ms;
};

#define OACK(s) s, sizeof(s) - 1

static const struct neg_case neg_cases[] = {
	{ "no option", { NULL }, "octet", 0, 0, NULL, 0, 512, 1, 1000 },
	{ "blksize", { "blksize", "1024", NULL }, "octet", 0, 0, OACK("\0\6blksize\0" "1024\0"),
	  1024, 1, 1000 },
	{ "blksize capped", { "blksize", "9000", NULL }, "octet", 0, 0,
	  OACK("\0\6blksize\0" "1468\0"), 1468, 1, 1000 },
	{ "blksize too small", { "blksize", "7", NULL }, "octet", 0, 0, NULL, 0, 512, 1, 1000 },
	{ "blksize too big", { "blksize", "65465", NULL }, "octet", 0, 0, NULL, 0, 512, 1, 1000 },
	{ "tsize", { "tsize", "0", NULL }, "octet", 0, 0, OACK("\0\6tsize\0" "3000\0"), 512, 1,
	  1000 },
	{ "tsize nonzero in RRQ", { "tsize", "77", NULL }, "octet", 0, 0,
	  OACK("\0\6tsize\0" "3000\0"), 512, 1, 1000 },
	{ "tsize in netascii", { "tsize", "0", NULL }, "netascii", 0, 0, NULL, 0, 512, 1, 1000 },
	{ "timeout", { "timeout", "3", NULL }, "octet", 0, 0, OACK("\0\6timeout\0" "3\0"), 512, 1,
	  3000 },
	{ "timeout 0", { "timeout", "0", NULL }, "octet", 0, 0, NULL, 0, 512, 1, 1000 },
	{ "timeout 256", { "timeout", "256", NULL }, "octet", 0, 0, NULL, 0, 512, 1, 1000 },
	{ "windowsize", { "windowsize", "4", NULL }, "octet", 0, 0,
	  OACK("\0\6windowsize\0" "4\0"), 512, 4, 1000 },
	{ "windowsize capped", { "windowsize", "1000", NULL }, "octet", 0, 0,
	  OACK("\0\6windowsize\0" "64\0"), 512, 64, 1000 },
	{ "windowsize capped by config", { "windowsize", "16", NULL }, "octet", 0, 2,
	  OACK("\0\6windowsize\0" "2\0"), 512, 2, 1000 },
	{ "windowsize 0", { "windowsize", "0", NULL }, "octet", 0, 0, NULL, 0, 512, 1, 1000 },
	{ "windowsize 65536", { "windowsize", "65536", NULL }, "octet", 0, 0, NULL, 0, 512, 1,
	  1000 },
	{ "window bytes cap", { "blksize", "1468", "windowsize", "64", NULL }, "octet", 8192, 0,
	  OACK("\0\6blksize\0" "1468\0windowsize\0" "5\0"), 1468, 5, 1000 },
	{ "window bytes cap floor 1", { "blksize", "1468", "windowsize", "64", NULL }, "octet",
	  100, 0, OACK("\0\6blksize\0" "1468\0windowsize\0" "1\0"), 1468, 1, 1000 },
	{ "unknown only", { "multicast", "", "rollover", "0", NULL }, "octet", 0, 0, NULL, 0, 512,
	  1, 1000 },
	{ "unknown and known", { "foo", "bar", "blksize", "1024", NULL }, "octet", 0, 0,
	  OACK("\0\6blksize\0" "1024\0"), 1024, 1, 1000 },
	{ "upper case name", { "BLKSIZE", "1024", NULL }, "octet", 0, 0,
	  OACK("\0\6blksize\0" "1024\0"), 1024, 1, 1000 },
	{ "all, in table order", { "windowsize", "4", "timeout", "2", "tsize", "0", "blksize",
	  "1432", NULL }, "octet", 0, 0,
	  OACK("\0\6blksize\0" "1432\0tsize\0" "3000\0timeout\0" "2\0windowsize\0" "4\0"), 1432, 4,
	  2000 },
};

static void test_negotiation(void)
{
	size_t i;

	for (i = 0; i < sizeof(neg_cases) / sizeof(neg_cases[0]); i++) {
		const struct neg_case *c = &neg_cases[i];
		struct pxb_tftp_limits lim;
		struct pxb_tftp_request req;
		struct pxb_tftp_session *s;
		struct pxb_tftp_out out;
		struct pxb_tftp_info info;
		struct memsrc m;
		struct pxb_tftp_source src;
		uint8_t buf[512];
		size_t n, k;

		memsrc_init(&m, 3000);
		src = mksrc(&m);
		pxb_tftp_limits_default(&lim);
		if (c->max_window_bytes)
			lim.max_window_bytes = c->max_window_bytes;
		if (c->max_windowsize)
			lim.max_windowsize = c->max_windowsize;
		n = mkreq(buf, "f", c->mode, NULL);
		for (k = 0; c->opts[k]; k++) {
			memcpy(buf + n, c->opts[k], strlen(c->opts[k]) + 1);
			n += strlen(c->opts[k]) + 1;
		}
		is_int(pxb_tftp_request_parse(buf, n, &req), 0, "neg %s: parse", c->name);
		is_int(pxb_tftp_session_new(&lim, &req, &src, 0, &s, &out), 0, "neg %s: new",
		       c->name);
		if (c->oack) {
			ok(out.npkts == 1 && is_bytes(&out.pkts[0], c->oack, c->oack_len),
			   "neg %s: OACK bytes", c->name);
		} else {
			ok(out.npkts == 1 && pkt_op(&out.pkts[0]) == PXB_TFTP_OP_DATA &&
				   pkt_num(&out.pkts[0]) == 1 && out.pkts[0].len == 4 + 512,
			   "neg %s: no OACK, DATA 1 of 512 bytes", c->name);
		}
		pxb_tftp_session_info(s, &info);
		ok(info.blksize == c->blksize && info.windowsize == c->windowsize &&
			   info.timeout_ms == c->timeout_ms && info.oack == (c->oack != NULL),
		   "neg %s: in force blksize %u windowsize %u timeout %u", c->name, info.blksize,
		   info.windowsize, info.timeout_ms);
		is_int(pxb_tftp_session_next_deadline(s), c->timeout_ms, "neg %s: first deadline",
		       c->name);
		pxb_tftp_session_free(s);
	}
}

/* ---- step by step ---- */

struct fixture {
	struct memsrc m;
	struct pxb_tftp_source src;
	struct pxb_tftp_limits lim;
	struct pxb_tftp_request req;
	struct pxb_tftp_session *s;
	struct pxb_tftp_out out;
};

/* A session past its OACK (if any): the first window is in f->out. */
/* limits.first_retries of the sessions fx_start() makes (0: the default). */
static unsigned fx_first_retries;

static void fx_start(struct fixture *f, uint64_t size, const char *blksize, const char *wsize,
		     int adaptive)
{
	memsrc_init(&f->m, size);
	f->src = mksrc(&f->m);
	pxb_tftp_limits_default(&f->lim);
	if (fx_first_retries)
		f->lim.first_retries = fx_first_retries;
	f->lim.adaptive_window = adaptive ? 1 : -1;
	if (wsize)
		f->req = parse_req("octet", "blksize", blksize, "windowsize", wsize, NULL);
	else if (blksize)
		f->req = parse_req("octet", "blksize", blksize, NULL);
	else
		f->req = parse_req("octet", NULL);
	if (pxb_tftp_session_new(&f->lim, &f->req, &f->src, 0, &f->s, &f->out) < 0)
		abort();
	if (blksize && feed_ack(f->s, 0, 0, &f->out) < 0)
		abort();
}

static void test_oack_flow(void)
{
	struct fixture f;

	/* ERROR 8 after the OACK: OVMF's size probe, not a failure. */
	memsrc_init(&f.m, 100000);
	f.src = mksrc(&f.m);
	f.req = parse_req("octet", "tsize", "0", "blksize", "1468", "windowsize", "4", NULL);
	is_int(pxb_tftp_session_new(NULL, &f.req, &f.src, 0, &f.s, &f.out), 0,
	       "probe: new with default limits");
	ok(f.out.npkts == 1 &&
		   is_bytes(&f.out.pkts[0], "\0\6blksize\0" "1468\0tsize\0" "100000\0windowsize\0" "4\0",
			    41),
	   "probe: OACK with the real size");
	is_int(f.m.reads, 0, "probe: nothing read before ACK 0");
	is_int(feed_err(f.s, PXB_TFTP_ERR_OPTION, 10, &f.out), 0, "probe: ERROR 8 accepted");
	ok(f.out.verdict == PXB_TFTP_ABORTED && f.out.npkts == 0 &&
		   f.out.reason == PXB_TFTP_REASON_NONE && f.out.error_code == 8,
	   "probe: aborted by client, nothing sent");
	is_int(pxb_tftp_session_next_deadline(f.s), PXB_MS_NEVER, "probe: no deadline");
	is_int(feed_ack(f.s, 0, 20, &f.out), PXB_ERR_AGAIN, "probe: ACK after the end ignored");
	ok(f.out.verdict == PXB_TFTP_ABORTED && f.out.npkts == 0, "probe: verdict kept");
	pxb_tftp_session_free(f.s);

	/* Another error code after the OACK is a failure. */
	f.req = parse_req("octet", "tsize", "0", NULL);
	pxb_tftp_session_new(NULL, &f.req, &f.src, 0, &f.s, &f.out);
	is_int(feed_err(f.s, PXB_TFTP_ERR_NOT_FOUND, 10, &f.out), 0, "OACK, ERROR 1: accepted");
	ok(f.out.verdict == PXB_TFTP_FAILED && f.out.reason == PXB_TFTP_REASON_PEER_ERROR &&
		   f.out.error_code == 1 && f.out.npkts == 0,
	   "OACK, ERROR 1: failed, peer error 1, nothing sent");
	pxb_tftp_session_free(f.s);

	/* ERROR 8 during the data is a failure too. */
	fx_start(&f, 100000, "1024", NULL, 1);
	is_int(feed_err(f.s, PXB_TFTP_ERR_OPTION, 10, &f.out), 0, "data, ERROR 8: accepted");
	ok(f.out.verdict == PXB_TFTP_FAILED && f.out.reason == PXB_TFTP_REASON_PEER_ERROR &&
		   f.out.error_code == 8 && f.out.block == 1,
	   "data, ERROR 8: failed at block 1");
	pxb_tftp_session_free(f.s);

	/* A short ERROR (no code) still ends the transfer. */
	fx_start(&f, 100000, NULL, NULL, 1);
	is_int(pxb_tftp_session_input(f.s, (const uint8_t *)"\0\5", 2, 10, &f.out), 0,
	       "ERROR without code accepted");
	ok(f.out.verdict == PXB_TFTP_FAILED && f.out.reason == PXB_TFTP_REASON_PEER_ERROR &&
		   f.out.error_code == 0 && f.out.npkts == 0,
	   "ERROR without code: failed, code 0, not answered");
	pxb_tftp_session_free(f.s);

	/* OACK state: a non-zero ACK is ignored, the OACK resent on timeout. */
	f.req = parse_req("octet", "blksize", "1024", NULL);
	pxb_tftp_session_new(NULL, &f.req, &f.src, 0, &f.s, &f.out);
	is_int(feed_ack(f.s, 1, 5, &f.out), PXB_ERR_AGAIN, "OACK: ACK 1 ignored");
	is_int(f.out.npkts, 0, "OACK: nothing sent for ACK 1");
	is_int(pxb_tftp_session_timeout(f.s, 999, &f.out), PXB_ERR_AGAIN, "OACK: not yet due");
	is_int(pxb_tftp_session_timeout(f.s, 1000, &f.out), 0, "OACK: timeout due");
	ok(f.out.npkts == 1 && is_bytes(&f.out.pkts[0], "\0\6blksize\0" "1024\0", 15),
	   "OACK: resent on timeout");
	is_int(pxb_tftp_session_next_deadline(f.s), 3000, "OACK: backoff 2 s");
	is_int(feed_ack(f.s, 0, 1500, &f.out), 0, "OACK: ACK 0 starts the data");
	ok(f.out.npkts == 1 && is_data(&f.out.pkts[0], 1, 0, 1024), "OACK: DATA 1 of 1024");
	is_int(pxb_tftp_session_next_deadline(f.s), 2500, "OACK: backoff reset by ACK 0");
	is_int(feed_ack(f.s, 0, 1600, &f.out), PXB_ERR_AGAIN, "duplicate ACK 0 ignored");
	is_int(f.out.npkts, 0, "duplicate ACK 0: nothing sent");
	pxb_tftp_session_free(f.s);
}

static void test_lockstep(void)
{
	struct fixture f;
	struct pxb_tftp_info info;

	/* 1300 bytes at 512: blocks 1, 2 and a short 3. */
	fx_start(&f, 1300, NULL, NULL, 1);
	ok(is_burst(&f.out, 1, 1, 512), "lockstep: DATA 1");
	is_int(pxb_tftp_session_next_deadline(f.s), 1000, "lockstep: deadline");
	is_int(feed_ack(f.s, 1, 100, &f.out), 0, "lockstep: ACK 1");
	ok(is_burst(&f.out, 2, 1, 512), "lockstep: DATA 2");
	is_int(pxb_tftp_session_next_deadline(f.s), 1100, "lockstep: deadline moved");
	/* Sorcerer's Apprentice: the duplicate ACK 1 must not resend DATA 2. */
	is_int(feed_ack(f.s, 1, 150, &f.out), PXB_ERR_AGAIN, "lockstep: duplicate ACK 1 ignored");
	is_int(f.out.npkts, 0, "lockstep: duplicate ACK sends nothing");
	is_int(pxb_tftp_session_next_deadline(f.s), 1100, "lockstep: deadline kept");
	is_int(feed_ack(f.s, 3, 160, &f.out), PXB_ERR_AGAIN, "lockstep: ACK of unsent block");
	is_int(feed_ack(f.s, 2, 200, &f.out), 0, "lockstep: ACK 2");
	ok(f.out.npkts == 1 && is_data(&f.out.pkts[0], 3, 1024, 276), "lockstep: short DATA 3");
	is_int(feed_ack(f.s, 3, 300, &f.out), 0, "lockstep: ACK 3");
	ok(f.out.verdict == PXB_TFTP_DONE && f.out.npkts == 0 && f.out.block == 4,
	   "lockstep: done");
	is_int(pxb_tftp_session_next_deadline(f.s), PXB_MS_NEVER, "lockstep: no deadline");
	is_int(pxb_tftp_session_timeout(f.s, 99999, &f.out), PXB_ERR_AGAIN,
	       "lockstep: timeout after done");
	is_int(feed_ack(f.s, 3, 400, &f.out), PXB_ERR_AGAIN, "lockstep: final ACK again");
	pxb_tftp_session_info(f.s, &info);
	ok(info.verdict == PXB_TFTP_DONE && info.packets_sent == 3 && info.blocks_acked == 3 &&
		   info.size == 1300 && info.oack == 0,
	   "lockstep: info");
	pxb_tftp_session_free(f.s);

	/* A file of a multiple of blksize ends with an empty block. */
	fx_start(&f, 1024, NULL, NULL, 1);
	feed_ack(f.s, 1, 10, &f.out);
	feed_ack(f.s, 2, 20, &f.out);
	ok(f.out.npkts == 1 && is_bytes(&f.out.pkts[0], "\0\3\0\3", 4), "empty DATA 3");
	feed_ack(f.s, 3, 30, &f.out);
	is_int(f.out.verdict, PXB_TFTP_DONE, "multiple of blksize: done");
	pxb_tftp_session_free(f.s);

	/* An empty file: one empty block. */
	fx_start(&f, 0, NULL, NULL, 1);
	ok(f.out.npkts == 1 && is_bytes(&f.out.pkts[0], "\0\3\0\1", 4), "empty file: empty DATA 1");
	feed_ack(f.s, 1, 10, &f.out);
	is_int(f.out.verdict, PXB_TFTP_DONE, "empty file: done");
	pxb_tftp_session_free(f.s);
}

static void test_window(void)
{
	struct fixture f;
	struct pxb_tftp_info info;

	/* Window of 4, not adaptive: a partial ACK resumes after it (RFC 7440 sec 4). */
	fx_start(&f, 20 * 512, "512", "4", 0);
	ok(is_burst(&f.out, 1, 4, 512), "window: DATA 1-4 at once");
	is_int(pxb_tftp_session_next_deadline(f.s), 1000, "window: deadline");
	is_int(feed_ack(f.s, 4, 10, &f.out), 0, "window: ACK 4");
	ok(is_burst(&f.out, 5, 4, 512), "window: DATA 5-8");
	is_int(feed_ack(f.s, 6, 20, &f.out), 0, "window: partial ACK 6");
	ok(is_burst(&f.out, 7, 4, 512), "window: resumes with DATA 7-10");
	is_int(f.m.reads, 10, "window: blocks 7, 8 resent from the buffer, not read again");
	is_int(feed_ack(f.s, 6, 30, &f.out), PXB_ERR_AGAIN, "window: duplicate partial ACK");
	is_int(f.out.npkts, 0, "window: duplicate partial ACK sends nothing");
	is_int(feed_ack(f.s, 5, 35, &f.out), PXB_ERR_AGAIN, "window: stale ACK 5 ignored");
	is_int(feed_ack(f.s, 11, 36, &f.out), PXB_ERR_AGAIN, "window: ACK ahead ignored");
	is_int(feed_ack(f.s, 10, 40, &f.out), 0, "window: ACK 10");
	ok(is_burst(&f.out, 11, 4, 512), "window: DATA 11-14");
	/* A timeout resends the whole unacknowledged window. */
	is_int(pxb_tftp_session_timeout(f.s, 1040, &f.out), 0, "window: timeout");
	ok(is_burst(&f.out, 11, 4, 512), "window: DATA 11-14 resent");
	is_int(pxb_tftp_session_next_deadline(f.s), 3040, "window: backoff 2 s");
	pxb_tftp_session_info(f.s, &info);
	ok(info.retransmits == 6 && info.timeouts == 1 && info.cwnd == 4,
	   "window: 6 resent, 1 timeout, not adaptive");
	pxb_tftp_session_free(f.s);

	/* Adaptive: bursts halve on loss, are paced, and grow back. */
	fx_start(&f, 200 * 512, "512", "8", 1);
	ok(is_burst(&f.out, 1, 8, 512), "adaptive: DATA 1-8 in one burst");
	is_int(pxb_tftp_session_timeout(f.s, 1000, &f.out), 0, "adaptive: timeout");
	ok(is_burst(&f.out, 1, 4, 512), "adaptive: halved burst DATA 1-4");
	is_int(pxb_tftp_session_next_deadline(f.s), 1002, "adaptive: next burst paced 2 ms");
	is_int(pxb_tftp_session_timeout(f.s, 1001, &f.out), PXB_ERR_AGAIN, "adaptive: not yet");
	is_int(pxb_tftp_session_timeout(f.s, 1002, &f.out), 0, "adaptive: pacing timer");
	ok(is_burst(&f.out, 5, 4, 512), "adaptive: DATA 5-8 completes the window");
	is_int(pxb_tftp_session_next_deadline(f.s), 3002, "adaptive: then the 2 s timeout");
	is_int(feed_ack(f.s, 8, 1010, &f.out), 0, "adaptive: ACK 8, a clean window");
	ok(is_burst(&f.out, 9, 5, 512), "adaptive: burst grown by one, DATA 9-13");
	is_int(pxb_tftp_session_next_deadline(f.s), 1012, "adaptive: paced, backoff reset");
	pxb_tftp_session_timeout(f.s, 1012, &f.out);
	ok(is_burst(&f.out, 14, 3, 512), "adaptive: DATA 14-16 ends the window");
	is_int(pxb_tftp_session_next_deadline(f.s), 2012, "adaptive: timeout 1 s again");
	/* A partial ACK is a loss: 5 -> 2. */
	is_int(feed_ack(f.s, 14, 1020, &f.out), 0, "adaptive: partial ACK 14");
	ok(is_burst(&f.out, 15, 2, 512), "adaptive: DATA 15-16 (burst of 2)");
	pxb_tftp_session_info(f.s, &info);
	is_int(info.cwnd, 2, "adaptive: burst 2");
	{
		uint64_t b = 15, t = 1020;
		unsigned w;

		/* Each clean window grows the burst by one, back up to 8. */
		for (w = 0; w < 6; w++) {
			uint64_t end = b + 8;

			while (b < end) {
				b += f.out.npkts;
				if (b < end) {
					t = pxb_tftp_session_next_deadline(f.s);
					pxb_tftp_session_timeout(f.s, t, &f.out);
				}
			}
			feed_ack(f.s, (uint16_t)(b - 1), ++t, &f.out);
		}
		pxb_tftp_session_info(f.s, &info);
		is_int(info.cwnd, 8, "adaptive: burst back to 8 after clean windows");
		ok(is_burst(&f.out, b, 8, 512), "adaptive: a full window in one burst again");
	}
	pxb_tftp_session_free(f.s);
}

static void test_timeouts(void)
{
	static const pxb_ms_t want[] = { 1000, 3000, 7000, 15000, 23000, 31000 };
	struct fixture f;
	unsigned i;

	/* The backoff, with the resends of a first packet as many as the rest. */
	fx_first_retries = 5;
	fx_start(&f, 5000, NULL, NULL, 1);
	for (i = 0; i < 5; i++) {
		is_int(pxb_tftp_session_next_deadline(f.s), want[i], "backoff: deadline %u", i);
		is_int(pxb_tftp_session_timeout(f.s, want[i] - 1, &f.out), PXB_ERR_AGAIN,
		       "backoff: early call %u does nothing", i);
		is_int(pxb_tftp_session_timeout(f.s, want[i], &f.out), 0, "backoff: timeout %u", i);
		ok(is_burst(&f.out, 1, 1, 512), "backoff: DATA 1 resent %u", i);
	}
	is_int(pxb_tftp_session_next_deadline(f.s), want[5], "backoff: capped at 8 s");
	is_int(pxb_tftp_session_timeout(f.s, want[5], &f.out), 0, "give up: timeout 6");
	ok(f.out.verdict == PXB_TFTP_FAILED && f.out.reason == PXB_TFTP_REASON_TIMEOUT &&
		   f.out.npkts == 0 && f.out.block == 1,
	   "give up: failed, timeout, at block 1, nothing sent");
	is_int(pxb_tftp_session_next_deadline(f.s), PXB_MS_NEVER, "give up: no deadline");
	pxb_tftp_session_free(f.s);

	/* Progress resets the count: 5 timeouts, an ACK, 5 more is fine. */
	fx_start(&f, 5000, NULL, NULL, 1);
	for (i = 0; i < 5; i++)
		pxb_tftp_session_timeout(f.s, pxb_tftp_session_next_deadline(f.s), &f.out);
	feed_ack(f.s, 1, 40000, &f.out);
	is_int(pxb_tftp_session_next_deadline(f.s), 41000, "progress: timeout back to 1 s");
	for (i = 0; i < 5; i++)
		pxb_tftp_session_timeout(f.s, pxb_tftp_session_next_deadline(f.s), &f.out);
	is_int(f.out.verdict, PXB_TFTP_RUNNING, "progress: retries counted from the last ACK");
	pxb_tftp_session_free(f.s);
	fx_first_retries = 0;

	/* The client's timeout option; retries from the limits. */
	memsrc_init(&f.m, 5000);
	f.src = mksrc(&f.m);
	pxb_tftp_limits_default(&f.lim);
	f.lim.retries = 2;
	f.req = parse_req("octet", "timeout", "10", NULL);
	pxb_tftp_session_new(&f.lim, &f.req, &f.src, 0, &f.s, &f.out);
	is_int(pxb_tftp_session_next_deadline(f.s), 10000, "timeout option: 10 s");
	pxb_tftp_session_timeout(f.s, 10000, &f.out);
	is_int(pxb_tftp_session_next_deadline(f.s), 20000,
	       "timeout option: above the backoff cap, no backoff");
	pxb_tftp_session_timeout(f.s, 20000, &f.out);
	is_int(pxb_tftp_session_next_deadline(f.s), 30000, "timeout option: still 10 s");
	pxb_tftp_session_timeout(f.s, 30000, &f.out);
	ok(f.out.verdict == PXB_TFTP_FAILED && f.out.reason == PXB_TFTP_REASON_TIMEOUT,
	   "retries 2: gives up at the third timeout");
	pxb_tftp_session_free(f.s);
}

/* Sends count of the packets timeouts produce until the session ends. */
static unsigned run_out(struct pxb_tftp_session *s, struct pxb_tftp_out *out, pxb_ms_t *end)
{
	unsigned sent = 0;

	for (int i = 0; i < 100 && pxb_tftp_session_next_deadline(s) != PXB_MS_NEVER; i++) {
		*end = pxb_tftp_session_next_deadline(s);
		if (pxb_tftp_session_timeout(s, *end, out) == 0)
			sent += out->npkts;
	}
	return sent;
}

/*
 * Before any ACK the peer's address is unproven: the first packet is sent
 * again at most first_retries (2) times, and a client's timeout option is
 * capped, so a forged request costs a bounded number of packets and time.
 */
static void test_unacked(void)
{
	struct fixture f;
	pxb_ms_t end = 0;
	unsigned n;

	/* No option: DATA 1, then 2 resends, then given up (retries is 5). */
	fx_start(&f, 5000, NULL, NULL, 1);
	ok(f.out.npkts == 1 && pkt_op(&f.out.pkts[0]) == PXB_TFTP_OP_DATA, "unacked: DATA 1");
	is_int(pxb_tftp_session_acked(f.s), 0, "unacked: not acked yet");
	is_int(pxb_tftp_session_unacked_bytes(f.s), 3 * 516, "unacked: 3 x 516 bytes at most");
	n = run_out(f.s, &f.out, &end);
	is_int(n, 2, "unacked: DATA 1 resent twice, no more");
	ok(f.out.verdict == PXB_TFTP_FAILED && f.out.reason == PXB_TFTP_REASON_TIMEOUT,
	   "unacked: then failed, timeout");
	is_int(end, 7000, "unacked: over at 1 + 2 + 4 s");
	pxb_tftp_session_free(f.s);

	/* With options: the OACK, resent twice. */
	memsrc_init(&f.m, 100000);
	f.src = mksrc(&f.m);
	pxb_tftp_limits_default(&f.lim);
	f.lim.retries = 6;
	f.req = parse_req("octet", "blksize", "1468", "windowsize", "64", NULL);
	pxb_tftp_session_new(&f.lim, &f.req, &f.src, 0, &f.s, &f.out);
	ok(f.out.npkts == 1 && pkt_op(&f.out.pkts[0]) == PXB_TFTP_OP_OACK, "unacked: OACK");
	is_int(pxb_tftp_session_unacked_bytes(f.s), 3 * f.out.pkts[0].len,
	       "unacked: 3 x the OACK's bytes at most");
	n = run_out(f.s, &f.out, &end);
	is_int(n, 2, "unacked: OACK resent twice, no more");
	is_int(f.m.reads, 0, "unacked: nothing read before ACK 0");
	pxb_tftp_session_free(f.s);

	/* Once acknowledged, the usual retries apply. */
	fx_start(&f, 5000, NULL, NULL, 1);
	feed_ack(f.s, 1, 10, &f.out);
	is_int(pxb_tftp_session_acked(f.s), 1, "acked: after ACK 1");
	n = run_out(f.s, &f.out, &end);
	is_int(n, 5, "acked: DATA 2 resent retries (5) times");
	pxb_tftp_session_free(f.s);
	fx_start(&f, 5000, "1468", NULL, 1);
	is_int(pxb_tftp_session_acked(f.s), 1, "acked: after the OACK's ACK 0");
	pxb_tftp_session_free(f.s);

	/* A timeout above max_client_timeout_ms (10 s by default) is left out of
	 * the OACK and the server's is used; one within it is kept. */
	memsrc_init(&f.m, 5000);
	f.src = mksrc(&f.m);
	f.req = parse_req("octet", "timeout", "255", "tsize", "0", NULL);
	pxb_tftp_session_new(NULL, &f.req, &f.src, 0, &f.s, &f.out);
	ok(f.out.npkts == 1 && is_bytes(&f.out.pkts[0], "\0\6tsize\0" "5000\0", 13),
	   "timeout 255: not in the OACK");
	is_int(pxb_tftp_session_next_deadline(f.s), 1000, "timeout 255: the server's 1 s");
	n = run_out(f.s, &f.out, &end);
	is_int(end, 7000, "timeout 255: an unacknowledged transfer is over at 7 s");
	pxb_tftp_session_free(f.s);
	pxb_tftp_limits_default(&f.lim);
	f.lim.max_client_timeout_ms = 3000;
	f.req = parse_req("octet", "timeout", "4", NULL);
	pxb_tftp_session_new(&f.lim, &f.req, &f.src, 0, &f.s, &f.out);
	is_int(pxb_tftp_session_next_deadline(f.s), 1000, "timeout 4 over a 3 s cap: 1 s");
	pxb_tftp_session_free(f.s);
	f.req = parse_req("octet", "timeout", "3", NULL);
	pxb_tftp_session_new(&f.lim, &f.req, &f.src, 0, &f.s, &f.out);
	is_int(pxb_tftp_session_next_deadline(f.s), 3000, "timeout 3 within a 3 s cap: kept");
	pxb_tftp_session_free(f.s);
}

static void test_bad_packets(void)
{
	static const struct {
		const char *name, *bytes;
		size_t len;
	} bad[] = {
		{ "empty", "", 0 },
		{ "one byte", "\0", 1 },
		{ "ACK without block", "\0\4", 2 },
		{ "ACK with 1 byte block", "\0\4\0", 3 },
		{ "DATA", "\0\3\0\1abc", 7 },
		{ "RRQ", "\0\1f\0octet\0", 10 },
		{ "WRQ", "\0\2f\0octet\0", 10 },
		{ "OACK", "\0\6blksize\0" "512\0", 14 },
		{ "opcode 0", "\0\0\0\1", 4 },
		{ "opcode 7", "\0\7\0\1", 4 },
		{ "opcode 1025", "\4\1\0\1", 4 },
	};
	struct fixture f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r;

		fx_start(&f, 5000, NULL, NULL, 1);
		r = pxb_tftp_session_input(f.s, (const uint8_t *)bad[i].bytes, bad[i].len, 10,
					   &f.out);
		is_int(r, PXB_ERR_PROTO, "bad %s: PXB_ERR_PROTO", bad[i].name);
		ok(f.out.verdict == PXB_TFTP_FAILED &&
			   f.out.reason == PXB_TFTP_REASON_ILLEGAL_OP && f.out.error_code == 4 &&
			   f.out.npkts == 1 && f.out.pkts[0].len > 5 &&
			   memcmp(f.out.pkts[0].data, "\0\5\0\4", 4) == 0 &&
			   f.out.pkts[0].data[f.out.pkts[0].len - 1] == 0,
		   "bad %s: ERROR 4 sent, failed", bad[i].name);
		is_int(pxb_tftp_session_next_deadline(f.s), PXB_MS_NEVER, "bad %s: ended",
		       bad[i].name);
		pxb_tftp_session_free(f.s);
	}

	/* An ACK with trailing bytes is still an ACK. */
	fx_start(&f, 5000, NULL, NULL, 1);
	is_int(pxb_tftp_session_input(f.s, (const uint8_t *)"\0\4\0\1xyz", 7, 10, &f.out), 0,
	       "ACK with trailing bytes accepted");
	ok(is_burst(&f.out, 2, 1, 512), "ACK with trailing bytes: DATA 2");
	pxb_tftp_session_free(f.s);
}

static void test_error_paths(void)
{
	struct fixture f;
	struct pxb_tftp_session *s = NULL;
	struct pxb_tftp_out out;
	struct pxb_tftp_request wrq;
	uint8_t buf[64];
	size_t n;

	/* Read failure in the middle. */
	memsrc_init(&f.m, 5000);
	f.m.fail_at = 1600;
	f.src = mksrc(&f.m);
	f.req = parse_req("octet", NULL);
	is_int(pxb_tftp_session_new(NULL, &f.req, &f.src, 0, &f.s, &f.out), 0, "read error: new");
	feed_ack(f.s, 1, 10, &f.out);
	feed_ack(f.s, 2, 20, &f.out);
	is_int(feed_ack(f.s, 3, 30, &f.out), 0, "read error: ACK 3 accepted");
	ok(f.out.verdict == PXB_TFTP_FAILED && f.out.reason == PXB_TFTP_REASON_READ &&
		   f.out.npkts == 1 && is_bytes(&f.out.pkts[0], "\0\5\0\0read error\0", 15) &&
		   f.out.block == 4,
	   "read error: ERROR 0 \"read error\", failed at block 4");
	pxb_tftp_session_free(f.s);

	/* Failure of the very first block. */
	memsrc_init(&f.m, 5000);
	f.m.fail_at = 0;
	f.src = mksrc(&f.m);
	is_int(pxb_tftp_session_new(NULL, &f.req, &f.src, 0, &f.s, &f.out), 0,
	       "read error at once: new succeeds");
	ok(f.out.verdict == PXB_TFTP_FAILED && f.out.reason == PXB_TFTP_REASON_READ &&
		   f.out.npkts == 1 && pkt_op(&f.out.pkts[0]) == PXB_TFTP_OP_ERROR,
	   "read error at once: ERROR to send, failed");
	pxb_tftp_session_free(f.s);

	/* The file shrank: fewer bytes than its size. */
	memsrc_init(&f.m, 5000);
	f.m.end_at = 700;
	f.src = mksrc(&f.m);
	pxb_tftp_session_new(NULL, &f.req, &f.src, 0, &f.s, &f.out);
	feed_ack(f.s, 1, 10, &f.out);
	ok(f.out.verdict == PXB_TFTP_FAILED && f.out.reason == PXB_TFTP_REASON_READ,
	   "short file: read error");
	pxb_tftp_session_free(f.s);

	/* Short reads are completed. */
	memsrc_init(&f.m, 3000);
	f.m.max_read = 100;
	f.src = mksrc(&f.m);
	pxb_tftp_session_new(NULL, &f.req, &f.src, 0, &f.s, &f.out);
	ok(is_burst(&f.out, 1, 1, 512), "short reads: full block");
	pxb_tftp_session_free(f.s);

	/* Refusals and bad arguments. */
	n = (size_t)snprintf((char *)buf, sizeof(buf), "%c%c%s%c%s%c", 0, 2, "x", 0, "octet", 0);
	is_int(pxb_tftp_request_parse(buf, n, &wrq), PXB_ERR_ACCESS, "WRQ: parse refuses");
	is_int(pxb_tftp_session_new(NULL, &wrq, &f.src, 0, &s, &out), PXB_ERR_ACCESS,
	       "WRQ: session refused");
	ok(s == NULL, "WRQ: no session");
	is_int(pxb_tftp_session_new(NULL, NULL, &f.src, 0, &s, &out), PXB_ERR_INVAL, "NULL request");
	is_int(pxb_tftp_session_new(NULL, &f.req, NULL, 0, &s, &out), PXB_ERR_INVAL, "NULL source");
	f.src.read = NULL;
	is_int(pxb_tftp_session_new(NULL, &f.req, &f.src, 0, &s, &out), PXB_ERR_INVAL,
	       "source without read");
	f.src = mksrc(&f.m);
	is_int(pxb_tftp_session_new(NULL, &f.req, &f.src, 0, NULL, &out), PXB_ERR_INVAL,
	       "NULL session pointer");
	is_int(pxb_tftp_session_new(NULL, &f.req, &f.src, 0, &s, NULL), PXB_ERR_INVAL, "NULL out");
	is_int(pxb_tftp_session_input(NULL, buf, 4, 0, &out), PXB_ERR_INVAL, "input NULL session");
	is_int(pxb_tftp_session_timeout(NULL, 0, &out), PXB_ERR_INVAL, "timeout NULL session");
	is_int(pxb_tftp_session_next_deadline(NULL), PXB_MS_NEVER, "deadline NULL session");
	is_int(pxb_tftp_session_info(NULL, NULL), PXB_ERR_INVAL, "info NULL");
	pxb_tftp_session_free(NULL);
	ok(1, "free NULL");
}

/* Reading the next window while one is out (pxb_tftp_session_read_ahead). */
static void test_read_ahead(void)
{
	struct fixture f;

	/* 20 blocks in windows of 4, not adaptive. */
	fx_start(&f, 20 * 512, "512", "4", 0);
	ok(is_burst(&f.out, 1, 4, 512), "read-ahead: DATA 1-4");
	is_int(pxb_tftp_session_read_ahead(f.s), 4, "read-ahead: blocks 5-8 read");
	is_int(pxb_tftp_session_read_ahead(f.s), 0, "read-ahead: no room for more");
	is_int(f.m.reads, 8, "read-ahead: 8 reads");
	feed_ack(f.s, 4, 10, &f.out);
	ok(is_burst(&f.out, 5, 4, 512), "read-ahead: DATA 5-8 from the slots");
	is_int(f.m.reads, 8, "read-ahead: nothing read on the ACK");
	/* A partial ACK: 7 and 8 again from their slots, 9 and 10 read ahead. */
	is_int(pxb_tftp_session_read_ahead(f.s), 4, "read-ahead: blocks 9-12 read");
	feed_ack(f.s, 6, 20, &f.out);
	ok(is_burst(&f.out, 7, 4, 512), "read-ahead: partial ACK 6 resumes with DATA 7-10");
	is_int(pxb_tftp_session_read_ahead(f.s), 2, "read-ahead: blocks 13-14 (room after 6)");
	/* A timeout resends 7-10 from the slots, not from what was read ahead. */
	is_int(pxb_tftp_session_timeout(f.s, 1020, &f.out), 0, "read-ahead: timeout");
	ok(is_burst(&f.out, 7, 4, 512), "read-ahead: DATA 7-10 resent");
	is_int(f.m.reads, 14, "read-ahead: each block read once");
	feed_ack(f.s, 10, 1030, &f.out);
	ok(is_burst(&f.out, 11, 4, 512), "read-ahead: DATA 11-14");
	pxb_tftp_session_read_ahead(f.s);
	feed_ack(f.s, 14, 1040, &f.out);
	ok(is_burst(&f.out, 15, 4, 512), "read-ahead: DATA 15-18");
	is_int(pxb_tftp_session_read_ahead(f.s), 3, "read-ahead: 19, 20 and the empty 21, no further");
	feed_ack(f.s, 18, 1050, &f.out);
	ok(f.out.npkts == 3 && is_burst(&(struct pxb_tftp_out){.pkts = f.out.pkts, .npkts = 2},
					 19, 2, 512) &&
		   is_bytes(&f.out.pkts[2], "\0\3\0\25", 4),
	   "read-ahead: DATA 19, 20 and the empty 21");
	is_int(pxb_tftp_session_read_ahead(f.s), 0, "read-ahead: nothing past the last block");
	feed_ack(f.s, 21, 1060, &f.out);
	is_int(f.out.verdict, PXB_TFTP_DONE, "read-ahead: done");
	is_int(f.m.reads, 20, "read-ahead: 20 reads for 20 blocks (the empty one reads nothing)");
	is_int(pxb_tftp_session_read_ahead(f.s), 0, "read-ahead: nothing once ended");
	pxb_tftp_session_free(f.s);

	/* A block that cannot be read ahead fails the transfer when it is sent. */
	fx_start(&f, 20 * 512, "512", "4", 0);
	f.m.fail_at = 5 * 512 + 7; /* block 6 */
	is_int(pxb_tftp_session_read_ahead(f.s), 0, "read error ahead: 0, nothing said yet");
	is_int(f.out.verdict, PXB_TFTP_RUNNING, "read error ahead: still running");
	feed_ack(f.s, 4, 10, &f.out);
	ok(f.out.verdict == PXB_TFTP_FAILED && f.out.reason == PXB_TFTP_REASON_READ &&
		   f.out.npkts == 1 && pkt_op(&f.out.pkts[0]) == PXB_TFTP_OP_ERROR,
	   "read error ahead: the window's ERROR when the block is due");
	pxb_tftp_session_free(f.s);

	/* Nothing to read ahead in lock-step, before the OACK's ACK, or in netascii. */
	fx_start(&f, 5000, NULL, NULL, 0);
	is_int(pxb_tftp_session_read_ahead(f.s), 0, "read-ahead: none in lock-step");
	pxb_tftp_session_free(f.s);
	memsrc_init(&f.m, 5000);
	f.src = mksrc(&f.m);
	f.req = parse_req("octet", "blksize", "512", "windowsize", "4", NULL);
	pxb_tftp_session_new(NULL, &f.req, &f.src, 0, &f.s, &f.out);
	is_int(pxb_tftp_session_read_ahead(f.s), 0, "read-ahead: none before ACK 0");
	is_int(f.m.reads, 0, "read-ahead: nothing read before ACK 0");
	pxb_tftp_session_free(f.s);
	f.req = parse_req("netascii", "blksize", "512", "windowsize", "4", NULL);
	pxb_tftp_session_new(NULL, &f.req, &f.src, 0, &f.s, &f.out);
	feed_ack(f.s, 0, 0, &f.out);
	is_int(pxb_tftp_session_read_ahead(f.s), 0, "read-ahead: none in netascii");
	pxb_tftp_session_free(f.s);
	is_int(pxb_tftp_session_read_ahead(NULL), PXB_ERR_INVAL, "read-ahead: NULL session");
}

/* ---- netascii ---- */

static void test_netascii(void)
{
	/* Raw text and its encoding; blksize 8 puts pairs across block edges. */
	static const char raw[] = "ab\ncd\r\nefg\n\n\r123456\nx";
	static const char enc[] = "ab\r\ncd\r\0\r\nefg\r\n\r\n\r\0" "123456\r\nx";
	struct pxb_tftp_request req = parse_req("netascii", "blksize", "8", NULL);
	struct pxb_tftp_session *s;
	struct pxb_tftp_out out;
	struct memsrc m;
	struct pxb_tftp_source src;
	uint8_t got[128];
	size_t got_len = 0, enc_len = sizeof(enc) - 1;
	uint16_t b = 1;
	unsigned blks = 0;

	memsrc_init(&m, sizeof(raw) - 1);
	m.data = (const uint8_t *)raw;
	src = mksrc(&m);
	is_int(pxb_tftp_session_new(NULL, &req, &src, 0, &s, &out), 0, "netascii: new");
	ok(out.npkts == 1 && is_bytes(&out.pkts[0], "\0\6blksize\0" "8\0", 12),
	   "netascii: OACK without tsize");
	feed_ack(s, 0, 1, &out);
	while (out.verdict == PXB_TFTP_RUNNING && out.npkts == 1 && blks < 20) {
		const struct pxb_tftp_pkt *p = &out.pkts[0];

		if (pkt_op(p) != PXB_TFTP_OP_DATA || pkt_num(p) != b || p->len > 12 ||
		    got_len + p->len - 4 > sizeof(got))
			break;
		memcpy(got + got_len, p->data + 4, p->len - 4);
		got_len += p->len - 4;
		blks++;
		feed_ack(s, b++, 2 + blks, &out);
	}
	is_int(out.verdict, PXB_TFTP_DONE, "netascii: done");
	ok(got_len == enc_len && memcmp(got, enc, enc_len) == 0,
	   "netascii: LF -> CR LF, CR -> CR NUL, across blocks");
	is_int(blks, enc_len / 8 + 1, "netascii: block count");
	pxb_tftp_session_free(s);

	/* Encoded size a multiple of blksize: a final empty block. */
	memsrc_init(&m, 7);
	m.data = (const uint8_t *)"abcdef\n";
	src = mksrc(&m);
	pxb_tftp_session_new(NULL, &req, &src, 0, &s, &out);
	feed_ack(s, 0, 1, &out);
	ok(out.npkts == 1 && is_bytes(&out.pkts[0], "\0\3\0\1abcdef\r\n", 12),
	   "netascii: exactly one full block");
	feed_ack(s, 1, 2, &out);
	ok(out.npkts == 1 && is_bytes(&out.pkts[0], "\0\3\0\2", 4), "netascii: then empty block");
	feed_ack(s, 2, 3, &out);
	is_int(out.verdict, PXB_TFTP_DONE, "netascii: done after the empty block");
	pxb_tftp_session_free(s);
}

/* ---- lossy networks ---- */

static int drop_nth_data(struct sim *sim, int to_client, const uint8_t *p, size_t len)
{
	static unsigned long n;

	if (!to_client || p[1] != PXB_TFTP_OP_DATA)
		return 0;
	return ++n % sim->drop_every == 0;
}

static int drop_nth_ack(struct sim *sim, int to_client, const uint8_t *p, size_t len)
{
	static unsigned long n;

	if (to_client || p[1] != PXB_TFTP_OP_ACK)
		return 0;
	return ++n % sim->drop_every == 0;
}

/* A socket buffer of 6 packets: bursts beyond it are lost. */
static int drop_burst_tail(struct sim *sim, int to_client, const uint8_t *p, size_t len)
{
	return to_client && p[1] == PXB_TFTP_OP_DATA && sim->toc.n - sim->toc.head >= 6;
}

/* The last block's DATA is lost twice, then its ACK once. */
static int drop_last(struct sim *sim, int to_client, const uint8_t *p, size_t len)
{
	static int data_drops, ack_drops;

	if (to_client && p[1] == PXB_TFTP_OP_DATA && len < 4 + 512 && data_drops < 2)
		return ++data_drops, 1;
	if (!to_client && p[1] == PXB_TFTP_OP_ACK && p[3] == 3 && ack_drops < 1)
		return ++ack_drops, 1;
	return 0;
}

struct net_case {
	const char *name;
	uint64_t size;
	const char *blksize, *wsize;
	drop_fn drop;
	unsigned every;
	int dup_acks, dup_data, reorder;
};

static const struct net_case net_cases[] = {
	{ "lockstep, every 7th DATA lost", 300000, NULL, NULL, drop_nth_data, 7, 0, 0, 0 },
	{ "lockstep, every 5th ACK lost", 300000, NULL, NULL, drop_nth_ack, 5, 0, 0, 0 },
	{ "window 8, every 7th DATA lost", 300000, "512", "8", drop_nth_data, 7, 0, 0, 0 },
	{ "window 8, every 3rd ACK lost", 300000, "512", "8", drop_nth_ack, 3, 0, 0, 0 },
	{ "window 16, socket buffer of 6", 1048577, "1468", "16", drop_burst_tail, 0, 0, 0, 0 },
	{ "lockstep, duplicated ACKs", 300000, NULL, NULL, NULL, 0, 1, 0, 0 },
	{ "window 8, duplicated ACKs", 300000, "512", "8", NULL, 0, 1, 0, 0 },
	{ "lockstep, duplicated DATA", 300000, NULL, NULL, NULL, 0, 0, 1, 0 },
	{ "window 8, duplicated DATA", 300000, "512", "8", NULL, 0, 0, 1, 0 },
	{ "window 8, reordered", 300000, "512", "8", NULL, 0, 0, 0, 1 },
	{ "window 4, reordered and duplicated", 300000, "1024", "4", NULL, 0, 1, 1, 1 },
	{ "lockstep, last block and ACK lost", 1300, NULL, NULL, drop_last, 0, 0, 0, 0 },
};

static void test_lossy(void)
{
	size_t i;

	for (i = 0; i < 3 * sizeof(net_cases) / sizeof(net_cases[0]); i++) {
		const struct net_case *c = &net_cases[i / 3];
		int shared = i % 3 == 2 && !(c->wsize && atoi(c->wsize) > 1);
		unsigned blksize = c->blksize ? (unsigned)atoi(c->blksize) : 512;
		uint64_t blocks = c->size / blksize + 1;
		struct pxb_tftp_info info;
		struct sim sim;
		char name[96];

		snprintf(name, sizeof(name), "%s%s", c->name,
			 i % 3 == 1 ? ", read-ahead" : i % 3 == 2 ? ", thread buffer" : "");
		sim_init(&sim, c->size);
		sim.read_ahead = i % 3 == 1;
		sim.lim.thread_buffer = i % 3 == 2;
		if (c->wsize)
			sim.req = parse_req("octet", "blksize", c->blksize, "windowsize", c->wsize,
					    NULL);
		sim.drop = c->drop;
		sim.drop_every = c->every;
		sim.dup_acks = c->dup_acks;
		sim.dup_data = c->dup_data;
		sim.reorder = c->reorder;
		is_int(sim_run(&sim), PXB_TFTP_DONE, "%s: done", name);
		ok(sim_data_ok(&sim), "%s: bytes match", name);
		pxb_tftp_session_info(sim.s, &info);
		if (shared && sim.data_sent > blocks)
			/* No copy of the block kept: a resend reads it again. */
			ok(sim.src.bytes > c->size, "%s: resent blocks read again (%llu bytes read)",
			   name, (unsigned long long)sim.src.bytes);
		else
			is_int(sim.src.bytes, c->size, "%s: each byte read once", name);
		if (c->dup_acks && !c->reorder && !c->dup_data)
			is_int(sim.data_sent, blocks,
			       "%s: no block sent twice (no Sorcerer's Apprentice)", name);
		else
			ok(sim.data_sent >= blocks, "%s: %lu DATA for %llu blocks, %u timeouts",
			   name, sim.data_sent, (unsigned long long)blocks, info.timeouts);
		if (c->drop == drop_burst_tail)
			ok(info.cwnd < 16 && sim.max_burst == 16 && info.timeouts < 10,
			   "%s: burst adapts (%u timeouts, burst now %u)", name, info.timeouts,
			   info.cwnd);
		sim_free(&sim);
	}
}

/*
 * limits->thread_buffer: lock-step sessions keep no copy of their block, so
 * those of one thread share the caller's one output buffer; a resend reads
 * its block again; windows and netascii keep copies of their blocks.
 */
static void *thread_transfer(void *arg)
{
	struct sim *sim = arg;

	sim_run(sim);
	return NULL;
}

static void test_thread_buffer(void)
{
	struct fixture a, b, w;
	const uint8_t *pa;
	unsigned reads;
	pthread_t th;
	struct sim sim;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memsrc_init(&a.m, 5000);
	memsrc_init(&b.m, 9000);
	a.src = mksrc(&a.m);
	b.src = mksrc(&b.m);
	pxb_tftp_limits_default(&a.lim);
	a.lim.thread_buffer = 1;
	a.req = b.req = parse_req("octet", NULL);
	is_int(pxb_tftp_session_new(&a.lim, &a.req, &a.src, 0, &a.s, &a.out), 0, "shared: A");
	ok(a.out.npkts == 1 && is_data(&a.out.pkts[0], 1, 0, 512), "shared: A's DATA 1");
	pa = a.out.pkts[0].data;
	is_int(pxb_tftp_session_new(&a.lim, &b.req, &b.src, 0, &b.s, &b.out), 0, "shared: B");
	ok(b.out.npkts == 1 && b.out.pkts[0].data == pa, "shared: B's DATA 1 in the same buffer");
	is_int(feed_ack(a.s, 1, 10, &a.out), 0, "shared: A's ACK 1");
	ok(a.out.npkts == 1 && a.out.pkts[0].data == pa && is_data(&a.out.pkts[0], 2, 512, 512),
	   "shared: A's DATA 2 (fast path) over B's block");
	is_int(feed_ack(b.s, 1, 20, &b.out), 0, "shared: B's ACK 1");
	ok(is_data(&b.out.pkts[0], 2, 512, 512), "shared: B's DATA 2");
	reads = a.m.reads;
	is_int(pxb_tftp_session_timeout(a.s, 1010, &a.out), 0, "shared: A times out");
	ok(a.out.npkts == 1 && is_data(&a.out.pkts[0], 2, 512, 512),
	   "shared: A's resend is its own block 2, not B's");
	is_int(a.m.reads, reads + 1, "shared: the resend read the block again");
	a.m.fail_at = 600;
	is_int(pxb_tftp_session_timeout(a.s, 3010, &a.out), 0, "shared: A times out again");
	ok(a.out.verdict == PXB_TFTP_FAILED && a.out.reason == PXB_TFTP_REASON_READ &&
		   a.out.npkts == 1 && pkt_op(&a.out.pkts[0]) == PXB_TFTP_OP_ERROR,
	   "shared: a resend that cannot read fails with ERROR 0");
	pxb_tftp_session_free(a.s);
	for (unsigned n = 2; n <= 18; n++)
		feed_ack(b.s, (uint16_t)n, 20 + n, &b.out);
	is_int(b.out.verdict, PXB_TFTP_DONE, "shared: B goes on to the end");
	pxb_tftp_session_free(b.s);

	/* A window keeps copies of its blocks, so does netascii. */
	memsrc_init(&w.m, 100000);
	w.src = mksrc(&w.m);
	w.lim = a.lim;
	w.req = parse_req("octet", "windowsize", "4", NULL);
	pxb_tftp_session_new(&w.lim, &w.req, &w.src, 0, &w.s, &w.out);
	feed_ack(w.s, 0, 0, &w.out);
	reads = w.m.reads;
	pxb_tftp_session_timeout(w.s, 1000, &w.out);
	ok(w.out.npkts > 0 && w.m.reads == reads, "shared: a window keeps copies of its blocks");
	pxb_tftp_session_free(w.s);
	w.req = parse_req("netascii", NULL);
	pxb_tftp_session_new(&w.lim, &w.req, &w.src, 0, &w.s, &w.out);
	reads = w.m.reads;
	pxb_tftp_session_timeout(w.s, 1000, &w.out);
	ok(w.out.npkts == 1 && w.m.reads == reads, "shared: netascii keeps a copy of its block");
	pxb_tftp_session_free(w.s);

	/* Another thread has a buffer of its own (freed when it ends). */
	sim_init(&sim, 300000);
	sim.lim.thread_buffer = 1;
	sim.drop = drop_nth_data;
	sim.drop_every = 5;
	ok(pthread_create(&th, NULL, thread_transfer, &sim) == 0 && pthread_join(th, NULL) == 0,
	   "shared: a transfer on another thread");
	ok(sim.out.verdict == PXB_TFTP_DONE && sim_data_ok(&sim),
	   "shared: another thread's transfer is whole");
	sim_free(&sim);
}

/* Block numbers past 65535 wrap to 0; the 64-bit index goes on. */
static void test_rollover(void)
{
	static const struct {
		const char *blksize, *wsize;
		int dup_acks;
		drop_fn drop;
	} cases[] = {
		{ "8", NULL, 0, NULL },
		{ "8", "16", 0, NULL },
		{ "8", "7", 1, drop_nth_data },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t size = 65535ull * 8 * 2 + 77; /* two wraps */
		struct pxb_tftp_info info;
		struct sim sim;

		sim_init(&sim, size);
		if (cases[i].wsize)
			sim.req = parse_req("octet", "blksize", cases[i].blksize, "windowsize",
					    cases[i].wsize, NULL);
		else
			sim.req = parse_req("octet", "blksize", cases[i].blksize, NULL);
		sim.dup_acks = cases[i].dup_acks;
		sim.drop = cases[i].drop;
		sim.drop_every = 101;
		sim.read_ahead = cases[i].wsize != NULL;
		sim.sent_per_block = calloc(65536, sizeof(*sim.sent_per_block));
		is_int(sim_run(&sim), PXB_TFTP_DONE, "rollover blksize %s window %s: done",
		       cases[i].blksize, cases[i].wsize ? cases[i].wsize : "1");
		ok(sim_data_ok(&sim), "rollover %zu: bytes match", i);
		ok(sim.saw_wrap, "rollover %zu: block 65536 sent as 0", i);
		pxb_tftp_session_info(sim.s, &info);
		is_int(info.blocks_acked, size / 8 + 1, "rollover %zu: 64-bit block count", i);
		if (!cases[i].drop)
			ok(sim.sent_per_block[0] == 2 && sim.sent_per_block[1] == 3,
			   "rollover %zu: wire numbers 0 and 1 used by each wrap", i);
		sim_free(&sim);
	}
}

/* RFC 6298 with limits.min_timeout_ms: the timeout follows measured round
 * trips once it has them, resends are not timed (Karn), the client's own
 * timeout option and the default limits keep the fixed timeout. */
static void test_rtt_estimate(void)
{
	struct fixture f;

	memsrc_init(&f.m, 100 * 512);
	f.src = mksrc(&f.m);
	pxb_tftp_limits_default(&f.lim);
	f.lim.adaptive_window = -1;
	f.lim.min_timeout_ms = 20;
	f.req = parse_req("octet", "blksize", "512", "windowsize", "4", NULL);
	is_int(pxb_tftp_session_new(&f.lim, &f.req, &f.src, 0, &f.s, &f.out), 0, "rtt: new");
	is_int(pxb_tftp_session_next_deadline(f.s), 1000, "rtt: OACK waits the full timeout");
	is_int(feed_ack(f.s, 0, 2, &f.out), 0, "rtt: ACK 0 after 2 ms");
	ok(is_burst(&f.out, 1, 4, 512), "rtt: DATA 1-4");
	is_int(pxb_tftp_session_next_deadline(f.s), 22, "rtt: timeout now the 20 ms floor");
	is_int(pxb_tftp_session_timeout(f.s, 22, &f.out), 0, "rtt: timeout");
	ok(is_burst(&f.out, 1, 4, 512), "rtt: DATA 1-4 resent");
	is_int(pxb_tftp_session_next_deadline(f.s), 62, "rtt: backoff doubles it");
	is_int(feed_ack(f.s, 4, 300, &f.out), 0, "rtt: ACK 4 of the resent window");
	ok(is_burst(&f.out, 5, 4, 512), "rtt: DATA 5-8");
	is_int(pxb_tftp_session_next_deadline(f.s), 320, "rtt: resend not timed, floor again");
	is_int(feed_ack(f.s, 8, 400, &f.out), 0, "rtt: ACK 8 after 100 ms");
	/* srtt 2 -> 14.25 ms, rttvar 1 -> 25.25 ms: 14.25 + 101 = 116 ms, rounded up. */
	is_int(pxb_tftp_session_next_deadline(f.s), 400 + 116, "rtt: srtt + 4 rttvar");
	pxb_tftp_session_free(f.s);

	/* The client's timeout option stays as it is (RFC 2349). */
	f.req = parse_req("octet", "blksize", "512", "timeout", "3", NULL);
	pxb_tftp_session_new(&f.lim, &f.req, &f.src, 0, &f.s, &f.out);
	is_int(feed_ack(f.s, 0, 2, &f.out), 0, "rtt: client timeout, ACK 0");
	is_int(pxb_tftp_session_next_deadline(f.s), 3002, "rtt: client timeout kept");
	pxb_tftp_session_free(f.s);

	/* Default limits: no estimate, the fixed timeout. */
	fx_start(&f, 100 * 512, "512", "4", 0);
	is_int(pxb_tftp_session_next_deadline(f.s), 1000, "rtt: default limits, 1 s");
	pxb_tftp_session_free(f.s);
}

int main(void)
{
	plan_lazy();
	test_transfers();
	test_negotiation();
	test_oack_flow();
	test_lockstep();
	test_window();
	test_timeouts();
	test_unacked();
	test_bad_packets();
	test_error_paths();
	test_read_ahead();
	test_netascii();
	test_lossy();
	test_rollover();
	test_thread_buffer();
	test_rtt_estimate();
	return done_testing();
}
