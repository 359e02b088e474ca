/*
 * tftp_window.c - the send window of a read transfer: block buffers, the
 * mapping of 16-bit ACK numbers onto 64-bit block indexes, sliding, and the
 * adaptive effective window.
 *
 * Packets are written into the caller's buffer (struct pxb__tftp_emit),
 * one chunk per call. A copy of each block sent is kept until it is
 * acknowledged: block b (counted from 1, 64-bit: it never wraps) in slot
 * b % nslots, 4 + blksize bytes holding the whole DATA packet. Blocks are
 * read from the source once, in order, and resent from their slot. Blocks
 * [base, base + nslots) have distinct slots, and next never passes base +
 * cwnd <= base + size, so a slot is only reused once its block is
 * acknowledged. The slots' buffer is allocated at the first block and
 * given back when the transfer stalls (pxb__tftp_window_release, after
 * retries): a transfer nobody answers holds no block, and a resend then
 * reads its block again (as it does without copies, or without memory).
 *
 * No copy (lock-step only, limits->thread_buffer): the block is read into
 * the caller's buffer each time it is sent, a resend included, so hundreds
 * of lock-step transfers hold the caller's one buffer between them, as a
 * forking server's children each hold one. A resend is rare and costs one
 * more read; a file that changed under a transfer is read as it is then (or
 * fails as a read error).
 *
 * Chunks: a burst larger than the client's receive buffer loses its tail,
 * and the tail of a window is only recovered by a timeout. Linux's default
 * buffer (208 KiB) holds 166 datagrams of 512 bytes, 92 of 1468, 12 of 8
 * KiB or 3 of 64 KiB (rcv_cost). So a burst goes out in chunks charging at
 * most PXB__TFTP_CHUNK_COST, three quarters of that buffer, the next one
 * PXB__TFTP_CHUNK_GAP_US later: time for the client to read. Windows that
 * fit (OVMF's 4 x 1468, 64 x 512, 64 x 1468, 2 x 65464) leave in one.
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

#include <stdlib.h>

#include "internal.h"
#include "tftp_internal.h"

int pxb__tftp_window_init(struct pxb__tftp_window *w, unsigned size, unsigned blksize,
			  int adaptive, int keep, int ahead)
{
	memset(w, 0, sizeof(*w));
	if (size < 1 || blksize < 1 || size > PXB_TFTP_MAX_WINDOWSIZE)
		return PXB_ERR_INVAL;
	w->nslots = !keep && size == 1 && !ahead ? 0 : ahead ? 2 * size : size;
	if ((size_t)w->nslots > SIZE_MAX / (4 + (size_t)blksize))
		return PXB_ERR_NOMEM;
	w->size = size;
	w->cwnd = size;
	w->adaptive = adaptive;
	w->blksize = blksize;
	w->base = 1;
	w->next = 1;
	w->hi = 1;
	w->loaded = 1;
	if (w->nslots) {
		w->slots = calloc(w->nslots, sizeof(*w->slots));
		if (!w->slots)
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

void pxb__tftp_window_release(struct pxb__tftp_window *w)
{
	free(w->buf);
	w->buf = NULL;
	w->released = 1;
	if (w->slots)
		memset(w->slots, 0, w->nslots * sizeof(*w->slots));
	w->loaded = w->hi;
}

size_t pxb__tftp_window_bytes(const struct pxb__tftp_window *w)
{
	return (w->buf ? w->nslots * (4 + (size_t)w->blksize) : 0) +
	       (w->slots ? w->nslots * sizeof(*w->slots) : 0);
}

/* The slots' buffer, allocated at first use; NULL: no copy is kept. */
static uint8_t *slot_buf(struct pxb__tftp_window *w)
{
	if (!w->buf && w->nslots && !w->released)
		w->buf = malloc(w->nslots * (4 + (size_t)w->blksize));
	return w->buf;
}

/* Reads block b into its slot (the buffer is there). */
static int load_slot(struct pxb__tftp_window *w, uint64_t b, pxb__tftp_load_fn load, void *ctx)
{
	size_t i = (size_t)(b % w->nslots);
	int64_t n = pxb__tftp_data_pkt(w, b, w->buf + i * (4 + (size_t)w->blksize), load, ctx);

	if (n < 0)
		return (int)n;
	w->slots[i].block = b;
	w->slots[i].len = (size_t)n;
	if (b + 1 > w->loaded)
		w->loaded = b + 1;
	return 0;
}

int pxb__tftp_window_read_ahead(struct pxb__tftp_window *w, pxb__tftp_load_fn load, void *ctx)
{
	uint64_t end = w->base + w->nslots;
	int n = 0;

	if (w->nslots <= w->size || !slot_buf(w))
		return 0; /* no room beyond the window */
	if (w->loaded < w->hi)
		w->loaded = w->hi;
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

uint8_t *pxb__tftp_emit(struct pxb__tftp_emit *e, const uint8_t *p, size_t len)
{
	uint8_t *at;

	if (e->n >= e->maxpkts || len > e->cap - e->used)
		return NULL;
	at = e->buf + e->used;
	if (p)
		memcpy(at, p, len);
	e->used += len;
	e->pkts[e->n].data = at;
	e->pkts[e->n].len = len;
	e->n++;
	return at;
}

/*
 * What a datagram of len bytes costs a receiver, roughly. Up to a page, the
 * buffer space the kernel charges: the data with its headroom and shared
 * info in a power-of-two allocation, plus the sk_buff (measured on
 * loopback, a socket left unread: 1283 bytes for 516, 2315 for 1472).
 * Mid-sized ones add a share for the client's work per datagram (measured:
 * 8 bursts of 8 KiB are lost under load, 2 of 64 KiB are not).
 */
static size_t rcv_cost(size_t len)
{
	if (len + 448 <= 4096) {
		size_t b = 1024;

		while (b < len + 448)
			b <<= 1;
		return b + 272;
	}
	if (len < (32u << 10))
		return 2 * len + 4096;
	return len + (8u << 10);
}

int pxb__tftp_window_fill(struct pxb__tftp_window *w, pxb__tftp_load_fn load, void *ctx,
			  struct pxb__tftp_emit *e, unsigned *gap_us)
{
	size_t slot_len = 4 + (size_t)w->blksize;
	/* Blocks [next, end) may go: the window's end, or past the last block. */
	uint64_t end = pxb__tftp_window_end(w);

	while (w->burst && w->next < end) {
		uint64_t b = w->next;
		size_t i = w->nslots ? (size_t)(b % w->nslots) : 0;
		/* A block not read yet counts as a full one. */
		size_t cost = rcv_cost(w->nslots && w->buf && w->slots[i].block == b
					       ? w->slots[i].len : slot_len);

		if (e->n && e->cost + cost > PXB__TFTP_CHUNK_COST) {
			*gap_us = PXB__TFTP_CHUNK_GAP_US;
			return 1;
		}
		if (e->n >= e->maxpkts || slot_len > e->cap - e->used) {
			*gap_us = 0;
			return 1;
		}
		if (w->nslots && (w->buf || slot_buf(w))) {
			if (w->slots[i].block != b) {
				/* Not read yet (blocks are read in order, so b ==
				 * loaded), or given back since. */
				int err = load_slot(w, b, load, ctx);

				if (err < 0)
					return err;
				if (w->last == b)
					end = b + 1;
			}
			pxb__tftp_emit(e, w->buf + i * slot_len, w->slots[i].len);
		} else {
			/* No copy kept: read into the caller's buffer. */
			uint8_t *p = pxb__tftp_emit(e, NULL, slot_len);
			int64_t n;

			n = pxb__tftp_data_pkt(w, b, p, load, ctx);
			if (n < 0) {
				e->n--;
				e->used -= slot_len;
				return (int)n;
			}
			e->used -= slot_len - (size_t)n;
			e->pkts[e->n - 1].len = (size_t)n;
			if (w->last == b)
				end = b + 1;
		}
		e->cost += rcv_cost(e->pkts[e->n - 1].len);
		if (b < w->hi)
			w->resent++;
		w->next = b + 1;
		if (w->next > w->hi)
			w->hi = w->next;
		w->burst--;
	}
	w->burst = 0;
	return 0;
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
