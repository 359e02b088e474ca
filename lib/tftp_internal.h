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
	unsigned nslots; /* size, or 2 x size with read-ahead */
	unsigned cwnd;   /* burst: blocks sent back to back, 1..size */
	unsigned clean;  /* blocks acknowledged since cwnd last changed */
	int adaptive;
	unsigned blksize;
	uint64_t base;   /* first block not acknowledged (blocks count from 1) */
	uint64_t next;   /* next block to send; base <= next <= hi */
	uint64_t hi;     /* one past the highest block sent; hi <= base + size */
	uint64_t last;   /* the last block, 0 while unknown (netascii) */
	uint64_t loaded; /* one past the highest block read; blocks are read in order */
	uint64_t resent; /* DATA packets sent again from their slot */
	uint8_t *buf;    /* nslots slots of 4 + blksize bytes; NULL: shared */
	int shared;      /* lock-step on the thread's buffer (pxb__tftp_thread_buf) */
	struct pxb__tftp_slot *slots;
};

/* ahead: room to read the next window while this one is out (2 x the slots).
 * shared: with size 1, no buffer of its own: the block is read into the
 * thread's buffer at every send (limits->thread_buffer). */
int pxb__tftp_window_init(struct pxb__tftp_window *w, unsigned size, unsigned blksize,
			  int adaptive, int ahead, int shared);

/* The calling thread's block buffer, at least len bytes (NULL: no memory). */
uint8_t *pxb__tftp_thread_buf_grow(size_t len);
/* initial-exec: read at a fixed offset from the thread pointer, where the
 * default model for a shared library calls __tls_get_addr at each use (in
 * the lock-step path, each block). 16 bytes fit the static TLS that glibc
 * keeps for libraries loaded later by dlopen. */
#define PXB__TLS __thread __attribute__((tls_model("initial-exec")))
extern PXB__TLS uint8_t *pxb__tftp_tbuf;
extern PXB__TLS size_t pxb__tftp_tbuf_len;
static inline uint8_t *pxb__tftp_thread_buf(size_t len)
{
	return pxb__tftp_tbuf_len >= len ? pxb__tftp_tbuf : pxb__tftp_thread_buf_grow(len);
}
void pxb__tftp_window_fini(struct pxb__tftp_window *w);

/* Returns the DATA packet of block b (must be loaded). */
static inline const uint8_t *pxb__tftp_window_pkt(const struct pxb__tftp_window *w, uint64_t b)
{
	return w->buf + (size_t)(b % w->nslots) * (4 + (size_t)w->blksize);
}

/* Returns 1 once every block has been acknowledged. */
static inline int pxb__tftp_window_done(const struct pxb__tftp_window *w)
{
	return w->last && w->base > w->last;
}

/* Returns 1 when the whole window (or the rest of the file) has been sent. */
static inline int pxb__tftp_window_all_sent(const struct pxb__tftp_window *w)
{
	return w->next >= w->base + w->size || (w->last && w->next > w->last);
}

/* How the source is read into slots; defined by the session. */
typedef int (*pxb__tftp_load_fn)(void *ctx, uint64_t block, uint8_t *data, size_t cap,
				 size_t *len, int *is_last);

/*
 * Appends to pkts (room for w->size entries, *n used) one burst: at most
 * cwnd blocks from w->next, not past the window's end, loading blocks not
 * yet read with load(). Returns the count added or a negative PXB_ERR_*
 * from load().
 */
int pxb__tftp_window_fill(struct pxb__tftp_window *w, pxb__tftp_load_fn load, void *ctx,
			  struct pxb_tftp_pkt *pkts, unsigned *n);

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
