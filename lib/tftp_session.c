/*
 * tftp_session.c - the read-transfer state machine: option acknowledgment,
 * then windows of DATA until the last block is acknowledged; timeouts with
 * exponential backoff; verdicts for the driver.
 *
 *   new --(options accepted)--> OACK_SENT --ACK 0--> DATA --last ACK--> DONE
 *      \--(no option)---------------------------------^
 *   OACK_SENT --ERROR 8--> ABORTED (RFC 2347: the client declines the OACK;
 *                          OVMF does so after a tsize probe, CLIENTS.md)
 *   any --ERROR--> FAILED (peer error; ERROR packets are never answered,
 *                          RFC 1350 sec 7)
 *   any --bad packet--> FAILED, ERROR 4 sent (RFC 1350 sec 7)
 *   any --retries timeouts in a row--> FAILED (timeout)
 *   before any ACK --first_retries timeouts in a row--> FAILED (timeout)
 *
 * Before the client's first ACK its address is unproven (a forged RRQ is
 * one datagram), so the first packet is resent at most first_retries
 * times, and the window's buffers are only allocated at the OACK's ACK 0:
 * an unacknowledged transfer holds the session alone (RFC 1350 sec 2
 * leaves when and how often to resend to the implementation).
 *
 * The retransmission timeout starts at the configured (or the client's)
 * timeout; with limits.min_timeout_ms below it, each exchange answered
 * without a resend (the OACK, a whole window) is a round-trip sample and
 * the timeout becomes srtt + 4 rttvar within [min_timeout_ms, timeout]
 * (RFC 6298 sec 2, Karn's rule of sec 3).
 *
 * The states are a table of {ack handler, expiry handler}. Packets are
 * written into the caller's buffer (struct pxb_tftp_out); the window keeps
 * copies of the blocks sent (tftp_window.c). After the second timeout in a
 * row the transfer has stalled: the copies are given back and nothing is
 * read ahead until the client answers, so a transfer nobody answers holds
 * the session alone (RFC 1350 sec 2 leaves resending to the server).
 */
#include "config.h"

#include <stdlib.h>

#include "internal.h"
#include "rbuf.h"
#include "tftp_internal.h"

enum state {
	ST_OACK_SENT,
	ST_DATA,
	ST_ENDED,
};

struct pxb_tftp_session {
	struct pxb_tftp_limits lim;
	struct pxb_tftp_source src;
	enum pxb_tftp_mode mode;
	struct pxb__tftp_neg neg;
	struct pxb__tftp_window win;
	struct pxb__tftp_netascii na;
	uint8_t *scratch; /* netascii raw bytes, blksize */
	enum state state;
	int lockstep; /* in ST_DATA with windowsize 1, octet mode (lockstep_ack) */

	pxb_ms_t rto_first, rto_max, rto, deadline;
	pxb_ms_t rto_min, rto_base; /* estimate's floor; the timeout after progress */
	pxb_ms_t srtt8, rttvar8;    /* smoothed round trip and variation, x8; srtt8 < 0: none */
	pxb_ms_t sample_t;          /* when the exchange being timed began, or -1 */
	pxb_ms_t noop_r8;           /* a sample x8 known to change nothing, or -1 */
	int acked;      /* the client has acknowledged something */
	int pacing;     /* the deadline is for the next burst, not a timeout */
	unsigned tries; /* timeouts in a row */

	enum pxb_tftp_verdict verdict;
	enum pxb_tftp_reason reason;
	uint16_t error_code;

	struct pxb_tftp_pkt *pkts; /* PXB_MIN(win.size, CHUNK_PKTS) entries */
	struct pxb__tftp_emit em;  /* this call's output, in the caller's buffer */
	unsigned gap_us;           /* before the rest of a burst (win.burst) */
	size_t need;               /* the least output buffer: a DATA packet, an OACK */
	size_t oack_len;
	uint8_t oack[PXB__TFTP_OACK_MAX];

	uint64_t packets_sent, oack_resent;
	unsigned timeouts;
};

/* Packets one call hands out at most: a segmented write's (daemon/tftp_worker.c). */
#define CHUNK_PKTS 64u

struct state_ops {
	int (*ack)(struct pxb_tftp_session *s, uint16_t block, pxb_ms_t now);
	void (*expire)(struct pxb_tftp_session *s, pxb_ms_t now);
};

/* ---- reading blocks ---- */

/* A read that returned r of want bytes: reads on until the block is whole. */
static __attribute__((noinline)) int load_rest(struct pxb_tftp_session *s, uint64_t off,
					       uint8_t *data, size_t want, int64_t r)
{
	size_t got;

	if (r <= 0 || (uint64_t)r > want)
		return PXB_ERR_IO;
	got = (size_t)r;
	while (got < want) {
		r = s->src.read(s->src.ctx, off + got, data + got, want - got);

		if (r <= 0 || (uint64_t)r > want - got)
			return PXB_ERR_IO; /* failed, or the file shrank */
		got += (size_t)r;
	}
	return 0;
}

/*
 * Reads block b (blocks of cap bytes) into data; returns its length or
 * PXB_ERR_IO. RFC 1350 sec 6: a block shorter than blksize ends the
 * transfer; a size that is a multiple of blksize ends with an empty block.
 */
static inline int64_t read_block(struct pxb_tftp_session *s, uint64_t b, uint8_t *data,
				 size_t cap)
{
	uint64_t off = (b - 1) * cap;
	size_t want;
	int64_t r;

	if (off > s->src.size)
		return PXB_ERR_IO;
	want = (size_t)PXB_MIN((uint64_t)cap, s->src.size - off);
	if (!want)
		return 0;
	/* One read nearly always does it. */
	r = s->src.read(s->src.ctx, off, data, want);
	if (r != (int64_t)want && load_rest(s, off, data, want, r) < 0)
		return PXB_ERR_IO;
	return (int64_t)want;
}

/* Writes block b's DATA packet at p (octet mode); returns its length or
 * PXB_ERR_IO. Inline: the lock-step path's every block. */
static inline int64_t octet_pkt(struct pxb_tftp_session *s, uint64_t b, uint8_t *p)
{
	int64_t n = read_block(s, b, p + 4, s->neg.blksize);

	pxb__tftp_put16(p, PXB_TFTP_OP_DATA);
	pxb__tftp_put16(p + 2, (uint16_t)b);
	return n < 0 ? n : 4 + n;
}

static int load_octet(void *ctx, uint64_t b, uint8_t *data, size_t cap, size_t *len,
		      int *is_last)
{
	int64_t n = read_block(ctx, b, data, cap);

	if (n < 0)
		return (int)n;
	*len = (size_t)n;
	*is_last = (size_t)n < cap;
	return 0;
}

static int load_netascii(void *ctx, uint64_t b, uint8_t *data, size_t cap, size_t *len,
			 int *is_last)
{
	struct pxb_tftp_session *s = ctx;
	int64_t n = pxb__tftp_netascii_fill(&s->na, &s->src, data, cap, s->scratch);

	if (n < 0)
		return (int)n;
	*len = (size_t)n;
	*is_last = (size_t)n < cap;
	return 0;
}

/* Allocates the window (and netascii's scratch) for the negotiated sizes. */
static int win_open(struct pxb_tftp_session *s)
{
	/* Read-ahead for windows in octet mode: netascii reads its source as a
	 * stream, and a lock-step transfer has no window to read ahead of. */
	int octet = s->mode == PXB_TFTP_MODE_OCTET;
	int err = pxb__tftp_window_init(&s->win, s->neg.windowsize, s->neg.blksize,
					s->lim.adaptive_window > 0, !(s->lim.thread_buffer && octet),
					s->neg.windowsize > 1 && octet);

	if (err < 0)
		return err;
	if (s->mode == PXB_TFTP_MODE_NETASCII) {
		s->scratch = malloc(s->neg.blksize);
		if (!s->scratch)
			return PXB_ERR_NOMEM;
	} else {
		/* Known now: size / blksize full blocks, then a short (maybe empty) one. */
		s->win.last = s->src.size / s->neg.blksize + 1;
	}
	return 0;
}

/* ---- output ---- */

/* Starts a call's output in the caller's buffer; PXB_ERR_INVAL when it is
 * missing or too small for this session. */
static inline int out_begin(struct pxb_tftp_session *s, const struct pxb_tftp_out *out)
{
	if (!out->buf || out->cap < s->need)
		return PXB_ERR_INVAL;
	s->em.buf = out->buf;
	s->em.cap = out->cap;
	s->em.used = 0;
	s->em.n = 0;
	s->em.cost = 0;
	return 0;
}

/* Enters st; the lock-step path is open in ST_DATA when windowsize is 1. */
static void set_state(struct pxb_tftp_session *s, enum state st)
{
	s->state = st;
	s->lockstep = st == ST_DATA && s->win.size == 1 && s->mode == PXB_TFTP_MODE_OCTET &&
		      !s->win.nslots;
}

static void end(struct pxb_tftp_session *s, enum pxb_tftp_verdict v, enum pxb_tftp_reason r,
		uint16_t code)
{
	set_state(s, ST_ENDED);
	s->verdict = v;
	s->reason = r;
	s->error_code = code;
	s->deadline = PXB_MS_NEVER;
	s->win.burst = 0;
}

/* Ends the transfer with an ERROR packet of ours (replacing anything queued). */
static void fail_send(struct pxb_tftp_session *s, enum pxb_tftp_reason r, uint16_t code,
		      const char *msg)
{
	int n;

	s->em.n = 0;
	s->em.used = 0;
	n = pxb_tftp_build_error(s->em.buf, 64, code, msg);
	pxb__tftp_emit(&s->em, NULL, (size_t)n);
	end(s, PXB_TFTP_FAILED, r, code);
}

/* The retransmission timeout runs from now, for what was just sent. */
static inline void arm_rto(struct pxb_tftp_session *s, pxb_ms_t now)
{
	s->pacing = 0;
	s->deadline = now + s->rto;
}

/*
 * Sends the next chunk of the burst; once the burst is all out, the
 * deadline is the next burst's (pacing) or, once the whole window is out,
 * the retransmission timeout.
 */
static void send_chunk(struct pxb_tftp_session *s, pxb_ms_t now)
{
	pxb__tftp_load_fn load = s->mode == PXB_TFTP_MODE_OCTET ? load_octet : load_netascii;
	int r = pxb__tftp_window_fill(&s->win, load, s, &s->em, &s->gap_us);

	if (r < 0) {
		fail_send(s, PXB_TFTP_REASON_READ, PXB_TFTP_ERR_UNDEF, "read error");
		return;
	}
	if (r == 0 && !pxb__tftp_window_all_sent(&s->win)) {
		s->pacing = 1;
		s->deadline = now + s->lim.pace_ms;
	}
}

/* Sends the next burst of the window (its first chunk). */
static void send_burst(struct pxb_tftp_session *s, pxb_ms_t now)
{
	/* A new window, nothing outstanding: its round trip can be timed. */
	if (s->win.next == s->win.base && s->win.hi == s->win.base)
		s->sample_t = now;
	pxb__tftp_window_burst(&s->win);
	arm_rto(s, now); /* while chunks go; the next burst's when it is all out */
	send_chunk(s, now);
}

static inline void finish_out(struct pxb_tftp_session *s, struct pxb_tftp_out *out)
{
	out->pkts = s->pkts;
	out->npkts = s->em.n;
	out->verdict = s->verdict;
	out->reason = s->reason;
	out->error_code = s->error_code;
	out->block = s->win.base;
	out->deadline = s->deadline; /* PXB_MS_NEVER once ended (end()) */
	out->more = s->win.burst > 0; /* 0 outside a window's burst (end()) */
	out->gap_us = s->gap_us;
	s->packets_sent += s->em.n;
}

/* RFC 6298 sec 2: folds one round trip into the estimate. */
static void rtt_sample(struct pxb_tftp_session *s, pxb_ms_t now)
{
	pxb_ms_t r8, est;

	if (s->sample_t < 0 || s->rto_min >= s->rto_first)
		return;
	r8 = (now - s->sample_t) * 8;
	s->sample_t = -1;
	if (r8 < 0)
		return;
	if (s->srtt8 >= 0) {
		/* A sample that would change nothing (the steady state of a
		 * lock-step transfer): both updates below round to zero. */
		pxb_ms_t d = s->srtt8 > r8 ? s->srtt8 - r8 : r8 - s->srtt8;
		if (d < 8 && d - s->rttvar8 < 4 && s->rttvar8 - d < 4) {
			s->noop_r8 = r8; /* and so will the same sample next time */
			return;
		}
	}
	s->noop_r8 = -1;
	if (s->srtt8 < 0) {
		s->srtt8 = r8;
		s->rttvar8 = r8 / 2;
	} else {
		pxb_ms_t d = s->srtt8 > r8 ? s->srtt8 - r8 : r8 - s->srtt8;
		s->rttvar8 += (d - s->rttvar8) / 4;
		s->srtt8 += (r8 - s->srtt8) / 8;
	}
	est = (s->srtt8 + PXB_MAX(8, 4 * s->rttvar8) + 7) / 8;
	s->rto_base = PXB_MIN(PXB_MAX(est, s->rto_min), s->rto_first);
}

/* A step forward: the backoff and the retry count start again, and a
 * window that gave its copies back (a stall) keeps them again. */
static inline void progress(struct pxb_tftp_session *s)
{
	s->tries = 0;
	s->rto = s->rto_base;
	pxb__tftp_window_keep(&s->win);
}

/*
 * The client acknowledged what was sent (full: all of it, a round trip to
 * time; else a part, which times nothing). The steady state's sample, the
 * same as the last one, has nothing to fold: it is told apart here, inline,
 * as it is the lock-step path's every block.
 */
static inline void acked(struct pxb_tftp_session *s, int full, pxb_ms_t now)
{
	s->acked = 1;
	if (!full)
		s->sample_t = -1;
	else if (s->sample_t >= 0 && (now - s->sample_t) * 8 == s->noop_r8)
		s->sample_t = -1;
	else
		rtt_sample(s, now);
	progress(s);
}

/* ---- states ---- */

/* RFC 2347: ACK 0 accepts the OACK and starts the data. */
static int oack_ack(struct pxb_tftp_session *s, uint16_t block, pxb_ms_t now)
{
	if (block != 0)
		return PXB_ERR_AGAIN;
	if (win_open(s) < 0) {
		s->acked = 1;
		fail_send(s, PXB_TFTP_REASON_NOMEM, PXB_TFTP_ERR_UNDEF, "out of memory");
		return 0;
	}
	acked(s, 1, now);
	set_state(s, ST_DATA);
	send_burst(s, now);
	return 0;
}

static void oack_expire(struct pxb_tftp_session *s, pxb_ms_t now)
{
	pxb__tftp_emit(&s->em, s->oack, s->oack_len);
	s->sample_t = -1; /* Karn: an answer to a resend times nothing */
	s->oack_resent++;
	arm_rto(s, now);
}

static int data_ack(struct pxb_tftp_session *s, uint16_t block, pxb_ms_t now)
{
	enum pxb__tftp_ack a = pxb__tftp_window_ack(&s->win, block);

	if (a == PXB__TFTP_ACK_IGNORED)
		return PXB_ERR_AGAIN;
	acked(s, a == PXB__TFTP_ACK_FULL, now);
	if (pxb__tftp_window_done(&s->win)) {
		end(s, PXB_TFTP_DONE, PXB_TFTP_REASON_NONE, 0);
		return 0;
	}
	send_burst(s, now);
	return 0;
}

/*
 * Lock-step (windowsize 1, RFC 1350 sec 2) in its steady state: the ACK of
 * the one block outstanding, which is not the last, in octet mode, no copy
 * kept (s->lockstep). It takes the steps data_ack() and send_burst() take
 * for it -- acked(), the slide by one, the next block written into the
 * caller's buffer, arm_rto(), finish_out() -- without the general window's
 * bookkeeping (ACK matching, bursts, chunks, slots), since this is the path
 * of every block of most boot loaders' transfers. The last block is known
 * from the size in octet mode, so it is not looked for here.
 * Returns 0 when the ACK was something else (nothing changed): the caller
 * takes the general path.
 */
static inline int lockstep_ack(struct pxb_tftp_session *s, uint16_t n, pxb_ms_t now,
			       struct pxb_tftp_out *out)
{
	struct pxb__tftp_window *w = &s->win;
	uint64_t b = w->base;
	int64_t len;

	if (n != (uint16_t)b || w->hi != b + 1 || b == w->last || !out->buf ||
	    out->cap < s->need)
		return 0;
	acked(s, 1, now);
	w->base = w->next = ++b;
	len = octet_pkt(s, b, out->buf);
	if (len < 0) {
		out_begin(s, out);
		fail_send(s, PXB_TFTP_REASON_READ, PXB_TFTP_ERR_UNDEF, "read error");
	} else {
		s->pkts[0].data = out->buf;
		s->pkts[0].len = (size_t)len;
		s->em.n = 1;
		w->hi = w->next = b + 1;
		s->sample_t = now;
		arm_rto(s, now);
	}
	finish_out(s, out);
	return 1;
}

/* Resend the unacknowledged window, in halved bursts when adaptive. */
static void data_expire(struct pxb_tftp_session *s, pxb_ms_t now)
{
	/* Stalled: a window's copies go back, a resend reads its blocks again
	 * (a lock-step copy is one block, and drivers keep none: thread_buffer). */
	if (s->tries >= 2 && s->win.size > 1 && s->mode == PXB_TFTP_MODE_OCTET)
		pxb__tftp_window_release(&s->win);
	pxb__tftp_window_loss(&s->win);
	s->sample_t = -1;
	send_burst(s, now);
}

static const struct state_ops states[] = {
	[ST_OACK_SENT] = { oack_ack, oack_expire },
	[ST_DATA] = { data_ack, data_expire },
};

/* ---- public ---- */

PXB_API void pxb_tftp_limits_default(struct pxb_tftp_limits *lim)
{
	if (!lim)
		return;
	memset(lim, 0, sizeof(*lim));
	lim->max_blksize = 1468;
	lim->max_windowsize = 64;
	lim->max_window_bytes = 4u << 20;
	lim->retries = 5;
	lim->timeout_ms = 1000;
	lim->max_timeout_ms = 8000;
	lim->adaptive_window = 1;
	lim->pace_ms = 2;
	lim->first_retries = 2;
	lim->max_client_timeout_ms = 10000;
}

/* Copies limits, replacing zeros by defaults and clamping to the RFC ranges. */
static void limits_fix(struct pxb_tftp_limits *lim, const struct pxb_tftp_limits *in)
{
	struct pxb_tftp_limits d;

	pxb_tftp_limits_default(&d);
	*lim = in ? *in : d;
	if (!lim->max_blksize)
		lim->max_blksize = d.max_blksize;
	lim->max_blksize = PXB_MAX(lim->max_blksize, PXB_TFTP_MIN_BLKSIZE);
	lim->max_blksize = PXB_MIN(lim->max_blksize, PXB_TFTP_MAX_BLKSIZE);
	if (!lim->max_windowsize)
		lim->max_windowsize = d.max_windowsize;
	lim->max_windowsize = PXB_MIN(lim->max_windowsize, PXB_TFTP_MAX_WINDOWSIZE);
	if (!lim->max_window_bytes)
		lim->max_window_bytes = d.max_window_bytes;
	if (!lim->retries)
		lim->retries = d.retries;
	if (lim->timeout_ms <= 0)
		lim->timeout_ms = d.timeout_ms;
	if (lim->max_timeout_ms <= 0)
		lim->max_timeout_ms = d.max_timeout_ms;
	if (!lim->adaptive_window)
		lim->adaptive_window = d.adaptive_window;
	if (lim->pace_ms <= 0)
		lim->pace_ms = d.pace_ms;
	if (lim->min_timeout_ms <= 0 || lim->min_timeout_ms > lim->timeout_ms)
		lim->min_timeout_ms = lim->timeout_ms;
	if (!lim->first_retries)
		lim->first_retries = d.first_retries;
	lim->first_retries = PXB_MIN(lim->first_retries, lim->retries);
	if (lim->max_client_timeout_ms <= 0)
		lim->max_client_timeout_ms = d.max_client_timeout_ms;
}

PXB_API int pxb_tftp_session_new(const struct pxb_tftp_limits *limits,
				 const struct pxb_tftp_request *req,
				 const struct pxb_tftp_source *src, pxb_ms_t now,
				 struct pxb_tftp_session **sp, struct pxb_tftp_out *out)
{
	struct pxb_tftp_session *s;
	int err;

	if (!req || !src || !src->read || !sp || !out || !out->buf)
		return PXB_ERR_INVAL;
	*sp = NULL;
	if (req->opcode == PXB_TFTP_OP_WRQ)
		return PXB_ERR_ACCESS;
	if (req->opcode != PXB_TFTP_OP_RRQ)
		return PXB_ERR_INVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return PXB_ERR_NOMEM;
	limits_fix(&s->lim, limits);
	s->src = *src;
	s->mode = req->mode;
	s->na.pending = -1;
	pxb__tftp_negotiate(&s->lim, req, src->size, &s->neg);
	s->need = PXB_MAX(4 + (size_t)s->neg.blksize, (size_t)PXB__TFTP_OACK_MAX);
	err = PXB_ERR_INVAL;
	if (out_begin(s, out) < 0)
		goto fail;
	err = PXB_ERR_NOMEM;
	s->em.maxpkts = PXB_MIN(s->neg.windowsize, CHUNK_PKTS);
	s->em.pkts = s->pkts = calloc(s->em.maxpkts, sizeof(*s->pkts));
	if (!s->pkts)
		goto fail;
	/* With an OACK, the window waits for its ACK 0 (oack_ack). */
	s->win.base = 1;
	if (!s->neg.acked && (err = win_open(s)) < 0)
		goto fail;
	/* RFC 2349: the client's timeout, in seconds, replaces ours. */
	s->rto_first = s->neg.timeout_s ? (pxb_ms_t)s->neg.timeout_s * 1000 : s->lim.timeout_ms;
	s->rto_max = PXB_MAX(s->lim.max_timeout_ms, s->rto_first);
	s->rto = s->rto_first;
	s->rto_base = s->rto_first;
	/* RFC 2349: a timeout the client asked for is kept as it is. */
	s->rto_min = s->neg.timeout_s ? s->rto_first : s->lim.min_timeout_ms;
	s->srtt8 = -1;
	s->sample_t = -1;
	s->noop_r8 = -1;
	s->verdict = PXB_TFTP_RUNNING;

	if (s->neg.acked) {
		/* RFC 2347: an OACK, and data only after the client's ACK 0. */
		s->oack_len = pxb__tftp_oack_write(&s->neg, s->oack, sizeof(s->oack));
		set_state(s, ST_OACK_SENT);
		pxb__tftp_emit(&s->em, s->oack, s->oack_len);
		s->sample_t = now;
		s->deadline = now + s->rto;
	} else {
		/* RFC 2347: no option accepted, the transfer goes on as RFC 1350. */
		set_state(s, ST_DATA);
		send_burst(s, now);
	}
	finish_out(s, out);
	*sp = s;
	return 0;
fail:
	pxb_tftp_session_free(s);
	return err;
}

PXB_API void pxb_tftp_session_free(struct pxb_tftp_session *s)
{
	if (!s)
		return;
	pxb__tftp_window_fini(&s->win);
	free(s->pkts);
	free(s->scratch);
	free(s);
}

/* Every packet but a lock-step ACK in its steady state. Out of line so
 * that the lock-step path saves no registers for it. */
static __attribute__((noinline)) int input(struct pxb_tftp_session *s, const uint8_t *pkt,
					   size_t len, pxb_ms_t now, struct pxb_tftp_out *out)
{
	struct pxb_rbuf r;
	uint16_t op, num;
	int ret;

	if (out_begin(s, out) < 0)
		return PXB_ERR_INVAL;
	if (len >= 4 && s->state == ST_DATA && pkt[0] == 0 && pkt[1] == PXB_TFTP_OP_ACK) {
		/* The common case: an ACK during the data. */
		ret = data_ack(s, (uint16_t)(pkt[2] << 8 | pkt[3]), now);
		finish_out(s, out);
		return ret;
	}
	if (s->state == ST_ENDED) {
		finish_out(s, out);
		return PXB_ERR_AGAIN;
	}
	pxb_rbuf_init(&r, pkt, len);
	if (pxb_rbuf_be16(&r, &op) < 0) {
		fail_send(s, PXB_TFTP_REASON_ILLEGAL_OP, PXB_TFTP_ERR_ILLEGAL_OP, "malformed packet");
		ret = PXB_ERR_PROTO;
	} else if (op == PXB_TFTP_OP_ERROR) {
		/* Never answered (RFC 1350 sec 7). A code missing from a short
		 * packet reads as 0. */
		if (pxb_rbuf_be16(&r, &num) < 0)
			num = PXB_TFTP_ERR_UNDEF;
		if (s->state == ST_OACK_SENT && num == PXB_TFTP_ERR_OPTION)
			end(s, PXB_TFTP_ABORTED, PXB_TFTP_REASON_NONE, num);
		else
			end(s, PXB_TFTP_FAILED, PXB_TFTP_REASON_PEER_ERROR, num);
		ret = 0;
	} else if (op != PXB_TFTP_OP_ACK) {
		/* RRQ, WRQ, DATA or OACK on a read transfer, or no opcode at all. */
		fail_send(s, PXB_TFTP_REASON_ILLEGAL_OP, PXB_TFTP_ERR_ILLEGAL_OP,
			  "unexpected packet");
		ret = PXB_ERR_PROTO;
	} else if (pxb_rbuf_be16(&r, &num) < 0) {
		fail_send(s, PXB_TFTP_REASON_ILLEGAL_OP, PXB_TFTP_ERR_ILLEGAL_OP, "malformed ACK");
		ret = PXB_ERR_PROTO;
	} else {
		/* Bytes after the block number are ignored. */
		ret = states[s->state].ack(s, num, now);
	}
	finish_out(s, out);
	return ret;
}

PXB_API int pxb_tftp_session_input(struct pxb_tftp_session *s, const uint8_t *pkt, size_t len,
				   pxb_ms_t now, struct pxb_tftp_out *out)
{
	if (!s || (!pkt && len) || !out)
		return PXB_ERR_INVAL;
	if (s->lockstep && len >= 4 && pkt[0] == 0 && pkt[1] == PXB_TFTP_OP_ACK &&
	    lockstep_ack(s, (uint16_t)(pkt[2] << 8 | pkt[3]), now, out))
		return 0;
	return input(s, pkt, len, now, out);
}

PXB_API int pxb_tftp_session_timeout(struct pxb_tftp_session *s, pxb_ms_t now,
				     struct pxb_tftp_out *out)
{
	if (!s || !out || out_begin(s, out) < 0)
		return PXB_ERR_INVAL;
	if (s->state == ST_ENDED || now < s->deadline) {
		finish_out(s, out);
		return PXB_ERR_AGAIN;
	}
	if (s->pacing) {
		send_burst(s, now);
		finish_out(s, out);
		return 0;
	}
	s->timeouts++;
	if (++s->tries > (s->acked ? s->lim.retries : s->lim.first_retries)) {
		end(s, PXB_TFTP_FAILED, PXB_TFTP_REASON_TIMEOUT, 0);
	} else {
		/* RFC 1123 sec 4.2.3.2 asks for an adaptive timeout: back off
		 * exponentially, capped, until the peer answers again. */
		s->rto = PXB_MIN(s->rto * 2, s->rto_max);
		states[s->state].expire(s, now);
	}
	finish_out(s, out);
	return 0;
}

PXB_API int pxb_tftp_session_send_more(struct pxb_tftp_session *s, pxb_ms_t now,
				       struct pxb_tftp_out *out)
{
	if (!s || !out || out_begin(s, out) < 0)
		return PXB_ERR_INVAL;
	if (s->state != ST_DATA || !s->win.burst) {
		finish_out(s, out);
		return PXB_ERR_AGAIN;
	}
	send_chunk(s, now);
	finish_out(s, out);
	return 0;
}

PXB_API int pxb_tftp_session_read_ahead(struct pxb_tftp_session *s)
{
	int n;

	if (!s)
		return PXB_ERR_INVAL;
	/* Nothing while the client is silent: a stall holds no more. */
	if (s->state != ST_DATA || s->tries)
		return 0;
	n = pxb__tftp_window_read_ahead(&s->win, load_octet, s);
	/* A block that cannot be read now is read again when it is sent, and
	 * the transfer fails there, with its ERROR packet. */
	return n < 0 ? 0 : n;
}

PXB_API int pxb_tftp_session_acked(const struct pxb_tftp_session *s)
{
	return s && s->acked;
}

PXB_API uint64_t pxb_tftp_session_unacked_bytes(const struct pxb_tftp_session *s)
{
	size_t first;

	if (!s)
		return 0;
	first = s->oack_len ? s->oack_len : 4 + (size_t)s->neg.blksize;
	return (uint64_t)first * (1 + s->lim.first_retries);
}

PXB_API pxb_ms_t pxb_tftp_session_next_deadline(const struct pxb_tftp_session *s)
{
	if (!s || s->state == ST_ENDED)
		return PXB_MS_NEVER;
	return s->deadline;
}

PXB_API int pxb_tftp_session_info(const struct pxb_tftp_session *s, struct pxb_tftp_info *info)
{
	if (!s || !info)
		return PXB_ERR_INVAL;
	memset(info, 0, sizeof(*info));
	info->verdict = s->verdict;
	info->blksize = s->neg.blksize;
	info->windowsize = s->neg.windowsize;
	info->cwnd = s->win.cwnd;
	info->timeout_ms = (unsigned)s->rto_first;
	info->oack = s->oack_len > 0;
	info->opt_acked = s->neg.acked;
	info->size = s->src.size;
	info->blocks_acked = s->win.base - 1;
	info->packets_sent = s->packets_sent;
	info->retransmits = s->win.resent + s->oack_resent;
	info->timeouts = s->timeouts;
	return 0;
}
