/*
 * tftp_internal.h - what the tftp_*.c files share: the session structure,
 * the window of block buffers, option negotiation and the netascii
 * encoder. Never installed.
 */
#ifndef PXB_TFTP_INTERNAL_H
#define PXB_TFTP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <pxeboot/tftp.h>

/* Writes a 16-bit value in network order. */
static inline void pxb__tftp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ---- options (tftp_options.c) ---- */

/* Parses a decimal option value; 0 or PXB_ERR_INVAL (empty, non-digit, overflow). */
int pxb__tftp_parse_uint(const char *s, size_t len, uint64_t *v);

/* Looks an option name up (case-insensitive); returns its id or -1. */
int pxb__tftp_opt_lookup(const char *name, size_t len);

/* Returns 1 when v is inside the RFC range of option opt. */
int pxb__tftp_opt_in_range(enum pxb_tftp_opt opt, uint64_t v);

/* The outcome of negotiation: the values in force and what goes in the OACK. */
struct pxb__tftp_neg {
	unsigned blksize;
	unsigned windowsize;
	unsigned timeout_s; /* 0: the client sent none */
	unsigned acked;     /* bit per option written in the OACK */
	uint64_t value[PXB_TFTP_OPT_COUNT];
};

/*
 * Decides each option (RFC 2347 sec "Option Acknowledgment") against the
 * limits (already defaulted) and the file.
 */
void pxb__tftp_negotiate(const struct pxb_tftp_limits *lim, const struct pxb_tftp_request *req,
			 uint64_t size, struct pxb__tftp_neg *neg);

/* Writes the OACK for neg into buf; returns its length (buf must hold 256 bytes). */
size_t pxb__tftp_oack_write(const struct pxb__tftp_neg *neg, uint8_t *buf, size_t len);

#define PXB__TFTP_OACK_MAX 256

/* ---- netascii (tftp_netascii.c) ---- */

/*
 * The RFC 1350 / RFC 764 netascii encoder: LF -> CR LF, CR -> CR NUL. It
 * reads the source in order and remembers the raw offset, so a block of
 * encoded bytes is produced without knowing the encoded size beforehand.
 */
struct pxb__tftp_netascii {
	uint64_t raw_off; /* next raw byte to read */
	int pending;      /* second byte of a pair that did not fit, or -1 */
	int eof;
};

/*
 * Fills dst (cap bytes) with encoded bytes; scratch (cap bytes) receives raw
 * bytes. Returns the count written (< cap only at end of file) or
 * PXB_ERR_IO when the source fails.
 */
int64_t pxb__tftp_netascii_fill(struct pxb__tftp_netascii *na, const struct pxb_tftp_source *src,
				uint8_t *dst, size_t cap, uint8_t *scratch);

/* ---- the window of blocks (tftp_window.c) ---- */

struct pxb__tftp_slot {
	uint64_t block; /* 64-bit block index held here, 0 = none */
	size_t len;     /* DATA packet length, header included */
};

struct pxb__tftp_window {
	unsigned size;   /* the negotiated windowsize */
	unsigned nslots; /* size, or 2 x size with read-ahead; 0: no copy kept */
	unsigned cwnd;   /* burst: blocks sent back to back, 1..size */
	unsigned clean;  /* blocks acknowledged since cwnd last changed */
	unsigned burst;  /* blocks of the burst being sent still to go */
	int adaptive;
	unsigned blksize;
	uint64_t base;   /* first block not acknowledged (blocks count from 1) */
	uint64_t next;   /* next block to send; base <= next <= hi */
	uint64_t hi;     /* one past the highest block sent; hi <= base + size */
	uint64_t last;   /* the last block, 0 while unknown (netascii) */
	uint64_t loaded; /* one past the highest block read into a slot */
	uint64_t resent; /* DATA packets sent again */
	uint8_t *buf;    /* nslots slots of 4 + blksize bytes, allocated when first
			  * needed and given back by pxb__tftp_window_release */
	int released;    /* given back: no copy kept until pxb__tftp_window_keep */
	struct pxb__tftp_slot *slots;
};

/*
 * How the source is read; given by the session. Writes block b's bytes at
 * data (cap bytes of room): *len, and *is_last when it is the last.
 */
typedef int (*pxb__tftp_load_fn)(void *ctx, uint64_t block, uint8_t *data, size_t cap,
				 size_t *len, int *is_last);

/*
 * keep: copies of the blocks sent are kept until acknowledged, so a resend
 * reads nothing (0: lock-step only, the block is read again at a resend).
 * ahead: room to read the next window while this one is out (2 x the slots).
 */
int pxb__tftp_window_init(struct pxb__tftp_window *w, unsigned size, unsigned blksize,
			  int adaptive, int keep, int ahead);
void pxb__tftp_window_fini(struct pxb__tftp_window *w);

/*
 * Writes block b's DATA packet at p (room for 4 + blksize bytes); returns
 * its length or a negative PXB_ERR_* from load(). Inline: the lock-step
 * path writes each block with it.
 */
static inline int64_t pxb__tftp_data_pkt(struct pxb__tftp_window *w, uint64_t b, uint8_t *p,
					 pxb__tftp_load_fn load, void *ctx)
{
	size_t len = 0;
	int is_last = 0, err;

	pxb__tftp_put16(p, PXB_TFTP_OP_DATA);
	pxb__tftp_put16(p + 2, (uint16_t)b);
	err = load(ctx, b, p + 4, w->blksize, &len, &is_last);
	if (err < 0)
		return err;
	if (is_last)
		w->last = b;
	return 4 + (int64_t)len;
}

/* Gives the block copies back (a stalled transfer); they are read again. */
void pxb__tftp_window_release(struct pxb__tftp_window *w);

/* The transfer moves again: copies are kept from now on (when the window keeps any). */
static inline void pxb__tftp_window_keep(struct pxb__tftp_window *w)
{
	w->released = 0;
}

/* Returns the bytes the window holds (its buffers). */
size_t pxb__tftp_window_bytes(const struct pxb__tftp_window *w);

/* Returns 1 once every block has been acknowledged. */
static inline int pxb__tftp_window_done(const struct pxb__tftp_window *w)
{
	return w->last && w->base > w->last;
}

/* Returns one past the last block the window may send now. */
static inline uint64_t pxb__tftp_window_end(const struct pxb__tftp_window *w)
{
	uint64_t end = w->base + w->size;

	return w->last && w->last < end ? w->last + 1 : end;
}

/* Returns 1 when the whole window (or the rest of the file) has been sent. */
static inline int pxb__tftp_window_all_sent(const struct pxb__tftp_window *w)
{
	return w->next >= pxb__tftp_window_end(w);
}

/*
 * The packets one call hands out: written into the caller's buffer (buf,
 * cap bytes, used so far) and listed in pkts (room for maxpkts, n used).
 */
struct pxb__tftp_emit {
	uint8_t *buf;
	size_t cap, used;
	struct pxb_tftp_pkt *pkts;
	unsigned n, maxpkts;
	size_t cost; /* what the packets cost the receiver (pxb__tftp_rcv_cost) */
};

/* Appends a packet of len bytes (copied from p when p is not NULL) and
 * returns where it lies in the caller's buffer, or NULL without room. */
uint8_t *pxb__tftp_emit(struct pxb__tftp_emit *e, const uint8_t *p, size_t len);

/*
 * Starts a burst of cwnd blocks from w->next; pxb__tftp_window_fill sends
 * it, one chunk per call.
 */
static inline void pxb__tftp_window_burst(struct pxb__tftp_window *w)
{
	w->burst = w->cwnd;
}

/* Chunks: what one call hands out of a burst (tftp_window.c). */
#define PXB__TFTP_CHUNK_COST (160u << 10)
#define PXB__TFTP_CHUNK_GAP_US 100u

/*
 * Writes the next chunk of the burst into e: blocks from w->next, not past
 * the window's end, while what they cost the receiver stays within
 * PXB__TFTP_CHUNK_COST and e has room. Returns 0 when the burst is all
 * out; 1 when more of it is to go, after *gap_us microseconds (the
 * receiver's time to read a chunk; 0 when e was full); a negative
 * PXB_ERR_* from load().
 */
int pxb__tftp_window_fill(struct pxb__tftp_window *w, pxb__tftp_load_fn load, void *ctx,
			  struct pxb__tftp_emit *e, unsigned *gap_us);

/* What an ACK did to the window. */
enum pxb__tftp_ack {
	PXB__TFTP_ACK_IGNORED = 0, /* duplicate, stale or ahead of what was sent */
	PXB__TFTP_ACK_FULL,        /* everything sent is acknowledged */
	PXB__TFTP_ACK_PARTIAL,     /* a block inside what was sent: resume after it */
};

/*
 * Reads blocks after the highest one read into free slots, up to the end
 * of the next window (never past the last block). Returns the count read
 * or a negative PXB_ERR_* from load() (nothing is lost: the block is read
 * again when it is sent).
 */
int pxb__tftp_window_read_ahead(struct pxb__tftp_window *w, pxb__tftp_load_fn load, void *ctx);

/* Applies the 16-bit ACK number n to the window (RFC 1350, RFC 7440 sec 4). */
enum pxb__tftp_ack pxb__tftp_window_ack(struct pxb__tftp_window *w, uint16_t n);

/* A loss was seen (a timeout): halve the burst and send again from base. */
void pxb__tftp_window_loss(struct pxb__tftp_window *w);

#endif
