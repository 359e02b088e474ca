/*
 * tftp_window.c - the send window of a read transfer: block buffers, the
 * mapping of 16-bit ACK numbers onto 64-bit block indexes, sliding, and the
 * adaptive effective window.
 *
 * Block b (counted from 1, 64-bit: it never wraps) lives in slot
 * b % nslots, a buffer of 4 + blksize bytes holding the whole DATA packet.
 * Blocks are read from the source once, in order, and resent from their
 * slot. Blocks [base, base + nslots) have distinct slots, and next never
 * passes base + cwnd <= base + size, so a slot is only reused once its block
 * is acknowledged.
 *
 * Shared (lock-step only, limits->thread_buffer): no slot buffer of its
 * own. The block is read into the thread's buffer each time it is sent, a
 * resend included, so hundreds of lock-step transfers on one thread hold
 * one block buffer between them, as a forking server's children each hold
 * one. A resend is rare and costs one more read; a file that changed under
 * a transfer is read as it is then (or fails as a read error).
 *
 * Read-ahead: with 2 x size slots, the blocks of the next window are read
 * while this one is out (pxb__tftp_window_read_ahead, between the send and
 * the ACK), so an ACK is answered by a send alone. Reading a window of 16
 * blocks takes ~10 us of a ~130 us window round trip on loopback; the
 * client waits for none of it. Blocks [base, loaded) are all in their
 * slots: loaded never passes base + nslots.
 *
 * Decisions:
 * - An ACK numbered n acknowledges the block of [base - 1, hi - 1] whose
 *   low 16 bits are n (RFC 1350 sec 6 block numbers, wrapping past 65535 as
 *   every current client does). Such a range holds at most 65536 blocks, so
 *   the match is unique.
 * - An ACK for base - 1 (a duplicate) or for a block not yet sent is
 *   ignored. Duplicates never cause a resend: the retransmission timer
 *   alone does that, which is what prevents the Sorcerer's Apprentice
 *   syndrome (RFC 1123 sec 4.2.3.1).
 * - An ACK for a block before the last one sent (RFC 7440 sec 4: the
 *   client saw a gap) slides the window past it and sending resumes from
 *   the next block. It is also a loss signal for the adaptive window.
 *   While a window is being resent, hi (not next) marks what was sent, so
 *   the ACK of a whole window that arrives late still counts in full.
 * - Each window holds the negotiated windowsize blocks, always: clients
 *   count blocks and ACK when they have windowsize of them (OVMF's
 *   Mtftp4RrqHandleData does), so a shorter window would stall until the
 *   client's own timeout. The adaptive part is the burst: a window goes out
 *   in bursts of at most cwnd blocks, the session pacing the bursts with a
 *   short timer. On loss cwnd is halved (minimum 1); each window's worth of
 *   blocks acknowledged without loss grows it by one, up to windowsize. A
 *   burst larger than the client's socket buffer is lost whole (CLIENTS.md:
 *   16 x 8 KiB), so sending the same burst again would only fail again.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "internal.h"
#include "tftp_internal.h"

PXB__TLS uint8_t *pxb__tftp_tbuf;
PXB__TLS size_t pxb__tftp_tbuf_len;
static pthread_key_t tbuf_key;
static pthread_once_t tbuf_once = PTHREAD_ONCE_INIT;
static int tbuf_key_ok;

/* A thread's buffer is freed when the thread ends (the key's destructor). */
static void tbuf_free(void *p)
{
	free(p);
}

static void tbuf_key_make(void)
{
	tbuf_key_ok = pthread_key_create(&tbuf_key, tbuf_free) == 0;
}

uint8_t *pxb__tftp_thread_buf_grow(size_t len)
{
	uint8_t *p;

	pthread_once(&tbuf_once, tbuf_key_make);
	if (!tbuf_key_ok)
		return NULL;
	p = realloc(pxb__tftp_tbuf, len);
	if (!p)
		return NULL;
	pxb__tftp_tbuf = p;
	pxb__tftp_tbuf_len = len;
	pthread_setspecific(tbuf_key, p);
	return p;
}

int pxb__tftp_window_init(struct pxb__tftp_window *w, unsigned size, unsigned blksize,
			  int adaptive, int ahead, int shared)
{
	size_t slot_len = 4 + (size_t)blksize;

	memset(w, 0, sizeof(*w));
	if (size < 1 || blksize < 1 || size > PXB_TFTP_MAX_WINDOWSIZE)
		return PXB_ERR_INVAL;
	w->nslots = ahead ? 2 * size : size;
	if ((size_t)w->nslots > SIZE_MAX / slot_len)
		return PXB_ERR_NOMEM;
	w->size = size;
	w->cwnd = size;
	w->adaptive = adaptive;
	w->blksize = blksize;
	w->base = 1;
	w->next = 1;
	w->hi = 1;
	w->loaded = 1;
	w->shared = shared && size == 1 && !ahead;
	w->buf = w->shared ? NULL : malloc(slot_len * w->nslots);
	w->slots = calloc(w->nslots, sizeof(*w->slots));
	if ((!w->buf && !w->shared) || !w->slots) {
		pxb__tftp_window_fini(w);
		return PXB_ERR_NOMEM;
	}
	return 0;
}

void pxb__tftp_window_fini(struct pxb__tftp_window *w)
{
	free(w->buf);
	free(w->slots);
	w->buf = NULL;
	w->slots = NULL;
}

/* Reads block b (== w->loaded) into its slot. */
static int load_slot(struct pxb__tftp_window *w, uint64_t b, pxb__tftp_load_fn load, void *ctx)
{
	size_t i = w->nslots == 1 ? 0 : (size_t)(b % w->nslots);
	struct pxb__tftp_slot *sl = &w->slots[i];
	uint8_t *p = w->shared ? pxb__tftp_thread_buf(4 + (size_t)w->blksize)
			       : w->buf + i * (4 + (size_t)w->blksize);
	size_t len = 0;
	int is_last = 0, err;

	if (!p)
		return PXB_ERR_NOMEM;

	pxb__tftp_put16(p, PXB_TFTP_OP_DATA);
	pxb__tftp_put16(p + 2, (uint16_t)b);
	err = load(ctx, b, p + 4, w->blksize, &len, &is_last);
	if (err < 0)
		return err;
	sl->block = b;
	sl->len = 4 + len;
	w->loaded = b + 1;
	if (is_last)
		w->last = b;
	return 0;
}

int pxb__tftp_window_read_ahead(struct pxb__tftp_window *w, pxb__tftp_load_fn load, void *ctx)
{
	uint64_t end = w->base + w->nslots;
	int n = 0;

	if (w->nslots == w->size)
		return 0; /* no room beyond the window */
	if (w->last && w->last < end)
		end = w->last + 1;
	while (w->loaded < end) {
		int err = load_slot(w, w->loaded, load, ctx);

		if (err < 0)
			return err;
		n++;
		if (w->last && w->last < end)
			end = w->last + 1;
	}
	return n;
}

int pxb__tftp_window_fill(struct pxb__tftp_window *w, pxb__tftp_load_fn load, void *ctx,
			  struct pxb_tftp_pkt *pkts, unsigned *n)
{
	size_t slot_len = 4 + (size_t)w->blksize;
	/* Blocks [next, end) may go: the window's end, or past the last block. */
	uint64_t end = w->base + w->size;
	unsigned added = 0;

	if (w->last && w->last < end)
		end = w->last + 1;
	while (added < w->cwnd && w->next < end) {
		uint64_t b = w->next;
		size_t i = w->nslots == 1 ? 0 : (size_t)(b % w->nslots);
		struct pxb__tftp_slot *sl = &w->slots[i];
		uint8_t *p;

		if (sl->block != b || w->shared) {
			/* Not read yet: blocks are read in order, so b == loaded
			 * (shared: b is loaded or the one before, for a resend). */
			int err = load_slot(w, b, load, ctx);

			if (err < 0)
				return err;
			if (w->last == b)
				end = b + 1;
		}
		p = w->shared ? pxb__tftp_tbuf : w->buf + i * slot_len;
		if (b < w->hi)
			w->resent++;
		pkts[*n].data = p;
		pkts[*n].len = sl->len;
		(*n)++;
		w->next = b + 1;
		if (w->next > w->hi)
			w->hi = w->next;
		added++;
	}
	return (int)added;
}

static void shrink(struct pxb__tftp_window *w)
{
	if (w->adaptive && w->cwnd > 1)
		w->cwnd /= 2;
	w->clean = 0;
}

enum pxb__tftp_ack pxb__tftp_window_ack(struct pxb__tftp_window *w, uint16_t n)
{
	uint64_t prev = w->base - 1;
	uint16_t d = (uint16_t)(n - (uint16_t)prev);
	uint64_t b = prev + d;

	if (d == 0 || b >= w->hi)
		return PXB__TFTP_ACK_IGNORED;
	w->base = b + 1;
	if (w->next < w->base)
		w->next = w->base;
	if (b + 1 == w->hi) {
		w->clean += d;
		if (w->adaptive && w->cwnd < w->size && w->clean >= w->size) {
			w->cwnd++;
			w->clean = 0;
		}
		return PXB__TFTP_ACK_FULL;
	}
	shrink(w);
	w->next = w->base;
	return PXB__TFTP_ACK_PARTIAL;
}

void pxb__tftp_window_loss(struct pxb__tftp_window *w)
{
	shrink(w);
	w->next = w->base;
}
