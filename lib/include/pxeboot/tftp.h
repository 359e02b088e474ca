/*
 * pxeboot/tftp.h - the TFTP server engine: read-request parsing, option
 * negotiation and a sans-I/O read-transfer session.
 *
 * The engine never opens a socket or a file, never reads the clock and never
 * logs. A driver (pxebootd) does, per transfer:
 *
 *   struct pxb_tftp_request req;
 *   if ((err = pxb_tftp_request_parse(pkt, len, &req)) < 0)
 *           -> answer pxb_tftp_build_error_for(buf, sizeof(buf), err), done
 *   open the file -> struct pxb_tftp_source src (or answer error 1/2)
 *   out.buf = buf; out.cap = sizeof(buf);   (its own memory, reused by every call)
 *   pxb_tftp_session_new(&limits, &req, &src, now, &s, &out)
 *   loop: send out.pkts[0..npkts) from a socket of its own (a new TID);
 *         while out.more: out.gap_us later, pxb_tftp_session_send_more()
 *         and send those (the rest of a window, paced for the receiver);
 *         datagrams from the client's (addr, port) -> pxb_tftp_session_input();
 *         from any other port -> pxb_tftp_build_error(.., PXB_TFTP_ERR_UNKNOWN_TID, ..)
 *         and the transfer goes on (RFC 1350 sec 4);
 *         at pxb_tftp_session_next_deadline() -> pxb_tftp_session_timeout();
 *         until out.verdict != PXB_TFTP_RUNNING; then pxb_tftp_session_free().
 *
 * Protocol: RFC 1350 (read requests only; this is a read-only server), RFC 2347
 * (option extension), RFC 2348 (blksize), RFC 2349 (timeout, tsize), RFC 7440
 * (windowsize). Decisions are documented where they are made, in lib/tftp_*.c.
 *
 * Errors: functions return 0 (or a length) on success and a negative PXB_ERR_*
 * code from <pxeboot/common.h> on failure.
 */
#ifndef PXEBOOT_TFTP_H
#define PXEBOOT_TFTP_H

#include <stddef.h>
#include <stdint.h>
#include <pxeboot/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opcodes (RFC 1350 sec 5, RFC 2347). */
enum pxb_tftp_opcode {
	PXB_TFTP_OP_RRQ = 1,
	PXB_TFTP_OP_WRQ = 2,
	PXB_TFTP_OP_DATA = 3,
	PXB_TFTP_OP_ACK = 4,
	PXB_TFTP_OP_ERROR = 5,
	PXB_TFTP_OP_OACK = 6,
};

/* Error codes carried in ERROR packets (RFC 1350 appendix, RFC 2347). */
enum pxb_tftp_errcode {
	PXB_TFTP_ERR_UNDEF = 0,        /* not defined, see message */
	PXB_TFTP_ERR_NOT_FOUND = 1,    /* file not found */
	PXB_TFTP_ERR_ACCESS = 2,       /* access violation */
	PXB_TFTP_ERR_DISK_FULL = 3,    /* disk full or allocation exceeded */
	PXB_TFTP_ERR_ILLEGAL_OP = 4,   /* illegal TFTP operation */
	PXB_TFTP_ERR_UNKNOWN_TID = 5,  /* unknown transfer ID */
	PXB_TFTP_ERR_FILE_EXISTS = 6,  /* file already exists */
	PXB_TFTP_ERR_NO_USER = 7,      /* no such user */
	PXB_TFTP_ERR_OPTION = 8,       /* option negotiation refused (RFC 2347) */
};

#define PXB_TFTP_PORT 69
#define PXB_TFTP_DEFAULT_BLKSIZE 512     /* RFC 1350 */
#define PXB_TFTP_MIN_BLKSIZE 8           /* RFC 2348 */
#define PXB_TFTP_MAX_BLKSIZE 65464       /* RFC 2348 */
#define PXB_TFTP_MAX_WINDOWSIZE 65535    /* RFC 7440 */
#define PXB_TFTP_FILENAME_MAX 1024       /* longest file name accepted, bytes */

/* Transfer modes (RFC 1350 sec 1); "mail" is obsolete and refused. */
enum pxb_tftp_mode {
	PXB_TFTP_MODE_OCTET = 0,
	PXB_TFTP_MODE_NETASCII = 1,
};

/* The options the engine understands (RFC 2348, 2349, 7440). */
enum pxb_tftp_opt {
	PXB_TFTP_OPT_BLKSIZE = 0,
	PXB_TFTP_OPT_TSIZE = 1,
	PXB_TFTP_OPT_TIMEOUT = 2,
	PXB_TFTP_OPT_WINDOWSIZE = 3,
	PXB_TFTP_OPT_COUNT
};

/*
 * A parsed RRQ or WRQ. The file name is copied (NUL-terminated, as sent:
 * no path normalisation here, that is the VFS's job). opt_mask has bit
 * (1u << PXB_TFTP_OPT_x) set for each known option present with a value in
 * its RFC range; opt_value[] holds that value. Unknown options, values out
 * of range and repeated options are counted in opts_ignored and otherwise
 * ignored (RFC 2347: the server omits options it does not accept).
 */
struct pxb_tftp_request {
	enum pxb_tftp_opcode opcode; /* PXB_TFTP_OP_RRQ or PXB_TFTP_OP_WRQ */
	enum pxb_tftp_mode mode;
	size_t filename_len;
	char filename[PXB_TFTP_FILENAME_MAX + 1];
	unsigned opt_mask;
	uint64_t opt_value[PXB_TFTP_OPT_COUNT];
	unsigned opts_ignored;
};

/*
 * Parses a request datagram (RFC 1350 sec 5 + RFC 2347 options). Mode and
 * option names are matched case-insensitively.
 *   buf, len: the datagram as received on port 69.
 *   req:      filled on success (and on PXB_ERR_UNSUPP/ACCESS, so the
 *             caller can log the file name).
 * Returns 0; PXB_ERR_INVAL for NULL arguments; PXB_ERR_PROTO when the
 * datagram is not a well-formed request (short, another opcode, a missing
 * NUL, no mode, an empty file name); PXB_ERR_TOOBIG when the file name is
 * longer than PXB_TFTP_FILENAME_MAX; PXB_ERR_UNSUPP for an unknown or
 * "mail" mode; PXB_ERR_ACCESS for a well-formed WRQ (read-only server).
 */
PXB_API int pxb_tftp_request_parse(const uint8_t *buf, size_t len,
				   struct pxb_tftp_request *req);

/*
 * Returns the option's name as written on the wire ("blksize", ...), or
 * NULL for a value outside enum pxb_tftp_opt.
 */
PXB_API const char *pxb_tftp_opt_name(enum pxb_tftp_opt opt);

/*
 * Writes an ERROR packet (RFC 1350 sec 5): opcode 5, code, msg, NUL. A
 * message too long for buf is cut. Messages must never carry local paths.
 *   buf, len: where to write; at least 5 bytes.
 *   msg:      NULL for the standard text of the code.
 * Returns the packet length; PXB_ERR_INVAL for a NULL buf; PXB_ERR_TOOBIG
 * when len < 5.
 */
PXB_API int pxb_tftp_build_error(uint8_t *buf, size_t len, uint16_t code, const char *msg);

/*
 * Writes the ERROR packet that answers a request which failed with the
 * PXB_ERR_* code err (from pxb_tftp_request_parse(), from opening the file,
 * or from pxb_tftp_session_new()): NOENT -> 1 "file not found", ACCESS -> 2
 * "access violation" (a WRQ: "read-only server" would not be more helpful,
 * so the code says it), PROTO -> 4 "malformed request", UNSUPP -> 4
 * "transfer mode not supported", TOOBIG -> 4 "file name too long", NOMEM/BUSY
 * -> 0 "server busy", anything else -> 0 "internal error". The texts are
 * fixed: no path or system detail reaches the client.
 * Returns as pxb_tftp_build_error().
 */
PXB_API int pxb_tftp_build_error_for(uint8_t *buf, size_t len, int err);

/*
 * Where the file's bytes come from: the caller opens the file (or renders a
 * generated one) and the engine only calls read().
 *   read: copies up to len bytes from offset off into buf; returns the count
 *         (0 at end of file) or a negative value on error. Short counts are
 *         retried until the block is full or 0 is returned.
 *   size: the file's size in bytes (for tsize, RFC 2349, and the block count).
 * The engine reads each block once, in order, when it first sends it, and
 * again at a resend only with limits->thread_buffer (lock-step) or once the
 * transfer has stalled (pxb_tftp_session_timeout). read() is called from
 * the thread that calls the session.
 */
struct pxb_tftp_source {
	void *ctx;
	int64_t (*read)(void *ctx, uint64_t off, void *buf, size_t len);
	uint64_t size;
};

/*
 * Server limits; a zero field takes the default given in brackets.
 *   max_blksize:      cap on a negotiated blksize [1468: an Ethernet frame]
 *   max_windowsize:   cap on a negotiated windowsize [64]
 *   max_window_bytes: windowsize is lowered so that windowsize * blksize
 *                     stays within this (the session buffers one window,
 *                     two with windowsize > 1 in octet mode: see
 *                     pxb_tftp_session_read_ahead) [4 MiB]
 *   retries:          timeouts in a row before giving up [5]
 *   timeout_ms:       first retransmission timeout when the client sends no
 *                     timeout option [1000]
 *   max_timeout_ms:   cap of the exponential backoff [8000; never below the
 *                     first timeout]
 *   adaptive_window:  0 = default (on), 1 = on, -1 = off. A window always
 *                     holds the negotiated windowsize blocks (clients count
 *                     them before they ACK), but is sent in bursts of cwnd
 *                     blocks, pace_ms apart. A timeout or a partial-window
 *                     ACK halves cwnd (minimum 1); each window acknowledged
 *                     without loss grows it by one, up to windowsize. Off:
 *                     every window goes out in one burst.
 *   pace_ms:          gap between the bursts of one window [2]
 *   min_timeout_ms:   floor of a retransmission timeout estimated from the
 *                     round trips measured during the transfer (RFC 6298:
 *                     srtt + 4 rttvar, Karn's rule), used when the client
 *                     sends no timeout option; never above timeout_ms
 *                     [0: timeout_ms, that is no estimate]. A lost window
 *                     tail is only recovered by a timeout, so on a fast
 *                     network a short one keeps a loss from stalling.
 *   thread_buffer:    nonzero: a lock-step session (windowsize 1, octet
 *                     mode) keeps no copy of its block; the block is read,
 *                     at every send and resend, into the caller's output
 *                     buffer (struct pxb_tftp_out), which a thread can share
 *                     between all its sessions. A boot storm of n lock-step
 *                     transfers holds n x blksize bytes less. [0: off]
 *   first_retries:    timeouts in a row before giving up while the client
 *                     has acknowledged nothing yet, so the first packet (an
 *                     OACK or DATA 1) goes out at most 1 + first_retries
 *                     times to an address that may never have asked (a
 *                     forged source): what one request can reflect is
 *                     bounded. Never above retries. [2]
 *   max_client_timeout_ms: largest timeout option (RFC 2349) accepted; a
 *                     client asking more gets the server's timeout and the
 *                     option is left out of the OACK, so a transfer nobody
 *                     acknowledges ends within a few of these. [10000]
 */
struct pxb_tftp_limits {
	unsigned max_blksize;
	unsigned max_windowsize;
	uint64_t max_window_bytes;
	unsigned retries;
	pxb_ms_t timeout_ms;
	pxb_ms_t max_timeout_ms;
	int adaptive_window;
	pxb_ms_t pace_ms;
	pxb_ms_t min_timeout_ms;
	int thread_buffer;
	unsigned first_retries;
	pxb_ms_t max_client_timeout_ms;
};

/* Fills *limits with the defaults listed above. */
PXB_API void pxb_tftp_limits_default(struct pxb_tftp_limits *limits);

/* Where a session stands after each call. */
enum pxb_tftp_verdict {
	PXB_TFTP_RUNNING = 0, /* keep feeding packets and timeouts */
	PXB_TFTP_DONE,        /* the last block was acknowledged */
	PXB_TFTP_ABORTED,     /* the client declined the OACK with ERROR 8: not a
			       * failure (OVMF's size probe, CLIENTS.md) */
	PXB_TFTP_FAILED,      /* see the reason */
};

/* Why a session failed (for logs; out.error_code and out.block say more). */
enum pxb_tftp_reason {
	PXB_TFTP_REASON_NONE = 0,
	PXB_TFTP_REASON_TIMEOUT,    /* no answer after limits->retries timeouts */
	PXB_TFTP_REASON_PEER_ERROR, /* the client sent ERROR (error_code = its code) */
	PXB_TFTP_REASON_ILLEGAL_OP, /* the client sent a bad packet; ERROR 4 is in out */
	PXB_TFTP_REASON_READ,       /* source->read failed or the file ended early;
				     * ERROR 0 is in out */
	PXB_TFTP_REASON_NOMEM,      /* no memory for the window at the client's
				     * ACK 0; ERROR 0 is in out */
};

/* One datagram to send: len bytes at data, in the caller's output buffer. */
struct pxb_tftp_pkt {
	const uint8_t *data;
	size_t len;
};

/*
 * Where a call writes, and what it produced. The caller sets buf and cap
 * before each call (as ngtcp2's writes take a destination): the engine
 * writes the packets there, so one buffer can serve every session of a
 * thread. cap must hold a DATA packet of the session's blksize and an OACK:
 * PXB_TFTP_OUT_MIN serves any session; a call never writes more than
 * PXB_TFTP_OUT_SIZE, and with less room it writes less (more, gap_us 0).
 * pkts[0..npkts) are to be sent in order to the client; they point into buf
 * and stay valid until buf is written again (the pkts array itself until
 * the next call on the session, or its free).
 * more: a window goes on: call pxb_tftp_session_send_more() gap_us
 * microseconds after sending these (the time a client needs to take in a
 * chunk of a window, lib/tftp_window.c); any other call on the session
 * drops what was to go.
 * error_code: the code of an ERROR sent (ILLEGAL_OP, READ) or received
 * (PEER_ERROR, ABORTED). block: the 64-bit index of the first block not yet
 * acknowledged (block numbers on the wire wrap at 65535, this does not).
 */
#define PXB_TFTP_OUT_MIN (4 + PXB_TFTP_MAX_BLKSIZE)
#define PXB_TFTP_OUT_SIZE (160u << 10)

struct pxb_tftp_out {
	uint8_t *buf; /* in: the caller's */
	size_t cap;   /* in */
	const struct pxb_tftp_pkt *pkts;
	unsigned npkts;
	enum pxb_tftp_verdict verdict;
	enum pxb_tftp_reason reason;
	uint16_t error_code;
	uint64_t block;
	pxb_ms_t deadline; /* what pxb_tftp_session_next_deadline() now returns */
	int more;
	unsigned gap_us;
};

struct pxb_tftp_session;

/*
 * Starts serving a read request: negotiates the options, and puts the
 * first packets (an OACK, or the first window of DATA when no option was
 * accepted) into *out.
 *   limits: server limits, NULL for the defaults (copied).
 *   req:    a request from pxb_tftp_request_parse() (not kept).
 *   src:    the file (copied; src->ctx must outlive the session).
 *   now:    the current time.
 *   sp:     receives the session.
 *   out:    buf and cap set; receives the first packets; its verdict may
 *           already be FAILED (REASON_READ) when the first block cannot be
 *           read: send the packet, free.
 * Returns 0; PXB_ERR_INVAL for NULL arguments, a source without read() or
 * an output buffer too small for the negotiated blksize; PXB_ERR_ACCESS for
 * a WRQ; PXB_ERR_NOMEM.
 */
PXB_API int pxb_tftp_session_new(const struct pxb_tftp_limits *limits,
				 const struct pxb_tftp_request *req,
				 const struct pxb_tftp_source *src, pxb_ms_t now,
				 struct pxb_tftp_session **sp, struct pxb_tftp_out *out);

/* Frees a session (NULL is fine). */
PXB_API void pxb_tftp_session_free(struct pxb_tftp_session *s);

/*
 * Feeds one datagram that came from the client's transfer ID.
 * Returns 0 when the packet was acted on (*out says what to send and the
 * verdict); PXB_ERR_AGAIN when it was ignored (a duplicate or stale ACK, a
 * packet after the end): nothing to send, verdict unchanged; PXB_ERR_PROTO
 * when it was malformed or illegal here: out holds ERROR 4 and the verdict
 * FAILED (REASON_ILLEGAL_OP); PXB_ERR_INVAL for NULL arguments or an
 * output buffer too small (nothing done).
 */
PXB_API int pxb_tftp_session_input(struct pxb_tftp_session *s, const uint8_t *pkt, size_t len,
				   pxb_ms_t now, struct pxb_tftp_out *out);

/*
 * Handles the passing of time: when now has reached the deadline, sends
 * the next burst of a paced window, or resends the unacknowledged window
 * (with exponential backoff and, if adaptive, halved bursts), or gives up
 * after limits->retries timeouts in a row (verdict FAILED, REASON_TIMEOUT,
 * nothing to send). From the second timeout in a row on, a window
 * (windowsize > 1, octet mode) has stalled: it gives back its copies of the
 * blocks sent (read again for a resend); and from the first on nothing is
 * read ahead until the client answers. So a transfer nobody answers holds
 * no block buffer.
 * Returns 0 when it did something; PXB_ERR_AGAIN when the deadline has not
 * come (or the session has ended); PXB_ERR_INVAL for NULL arguments or an
 * output buffer too small (nothing done).
 */
PXB_API int pxb_tftp_session_timeout(struct pxb_tftp_session *s, pxb_ms_t now,
				     struct pxb_tftp_out *out);

/*
 * Writes the next chunk of a window the last call left with out->more set
 * (its out->gap_us have passed), into out as the other calls do; more and
 * gap_us say again whether another chunk follows.
 * Returns 0 when it wrote something; PXB_ERR_AGAIN when nothing was to go
 * (another call came between, or the session has ended); PXB_ERR_INVAL for
 * NULL arguments or an output buffer too small (nothing done).
 */
PXB_API int pxb_tftp_session_send_more(struct pxb_tftp_session *s, pxb_ms_t now,
				       struct pxb_tftp_out *out);

/*
 * Reads the blocks of the next window (windowsize > 1, octet mode) while
 * the one just sent is out, so that its ACK is answered without reading:
 * call it after sending what input() or timeout() gave, before waiting.
 * Nothing is read ahead while the client is silent (after a timeout).
 * Each block is still read once; a read that fails here is tried again
 * when the block is sent, and the transfer fails there. Returns the count
 * of blocks read (0: nothing to read ahead); PXB_ERR_INVAL for NULL.
 */
PXB_API int pxb_tftp_session_read_ahead(struct pxb_tftp_session *s);

/*
 * Returns 1 once the client has acknowledged something (the OACK's ACK 0
 * or a DATA block), 0 before that and for NULL. Until then the peer's
 * address may be forged: a driver counts such transfers apart
 * (pxb_tftp_admit_*).
 */
PXB_API int pxb_tftp_session_acked(const struct pxb_tftp_session *s);

/*
 * Returns the most bytes the session sends before the client's first ACK:
 * its first packet times 1 + limits->first_retries (0 for NULL). The
 * charge of the transfer against pxb_tftp_admit's per-source budget.
 */
PXB_API uint64_t pxb_tftp_session_unacked_bytes(const struct pxb_tftp_session *s);

/* Returns when pxb_tftp_session_timeout() is next due; PXB_MS_NEVER once ended. */
PXB_API pxb_ms_t pxb_tftp_session_next_deadline(const struct pxb_tftp_session *s);

/* What was negotiated and what happened, for logs and benchmarks. */
struct pxb_tftp_info {
	enum pxb_tftp_verdict verdict;
	unsigned blksize;
	unsigned windowsize;     /* negotiated */
	unsigned cwnd;           /* current burst size (adaptive window) */
	unsigned timeout_ms;     /* first retransmission timeout in use */
	int oack;                /* 1 when an OACK was sent */
	unsigned opt_acked;      /* bit (1u << PXB_TFTP_OPT_x) per option in the OACK */
	uint64_t size;           /* file size */
	uint64_t blocks_acked;   /* blocks the client has acknowledged */
	uint64_t packets_sent;   /* every datagram handed out, resends included */
	uint64_t retransmits;    /* DATA/OACK packets sent again */
	unsigned timeouts;       /* timeouts over the whole transfer */
};

/* Fills *info; returns 0 or PXB_ERR_INVAL for NULL arguments. */
PXB_API int pxb_tftp_session_info(const struct pxb_tftp_session *s, struct pxb_tftp_info *info);

/* Returns a static name for a verdict ("running", "done", ...). */
PXB_API const char *pxb_tftp_verdict_name(enum pxb_tftp_verdict v);

/* Returns a static name for a failure reason ("timeout", ...). */
PXB_API const char *pxb_tftp_reason_name(enum pxb_tftp_reason r);

/*
 * Admission of read requests (lib/tftp_admit.c): what a server on a LAN
 * it does not trust decides before it opens anything for a request. The
 * source address of a request is not proven until the client acknowledges
 * the first packet (the transfer's own port answered), so transfers are
 * counted in two classes: unacknowledged ones, bounded by a small budget,
 * in all and per source, and established ones (the driver's own limits).
 * Requests are rate limited by token buckets, overall and per source; the
 * clock is an argument.
 *
 *   rate:             requests admitted per second, all sources; the bucket
 *                     holds one second's worth, the burst [0: no limit]
 *   rate_per_source:  the same per source address [0: no limit]
 *   max_unacked:      transfers without a client ACK yet, in all; from half
 *                     of it on, a source that already holds one gets no
 *                     other, so that a few sources cannot take every place
 *                     [0: no limit]
 *   max_unacked_per_source: the same per source address [0: no limit]
 *   max_unacked_bytes_per_source: bytes that transfers of one source may
 *                     still send without an ACK (pxb_tftp_session_
 *                     unacked_bytes()); a source at or over it gets no new
 *                     transfer until one is acknowledged or ends [0: no limit]
 *   sources:          source addresses tracked at once [4096]; a source not
 *                     tracked that finds no place (every candidate place
 *                     holds unacknowledged transfers) is refused.
 */
struct pxb_tftp_admit_config {
	unsigned rate;
	unsigned rate_per_source;
	unsigned max_unacked;
	unsigned max_unacked_per_source;
	uint64_t max_unacked_bytes_per_source;
	unsigned sources;
};

/* What pxb_tftp_admit_request() decided. */
enum pxb_tftp_admit_verdict {
	PXB_TFTP_ADMIT_OK = 0,
	PXB_TFTP_ADMIT_RATE,           /* over tftp.rate */
	PXB_TFTP_ADMIT_SOURCE_RATE,    /* over the source's rate */
	PXB_TFTP_ADMIT_UNACKED,        /* every unacknowledged place taken */
	PXB_TFTP_ADMIT_SOURCE_UNACKED, /* the source holds its share of them */
	PXB_TFTP_ADMIT_SOURCE_BYTES,   /* the source's unacknowledged bytes */
};

typedef struct pxb_tftp_admit pxb_tftp_admit;

/*
 * Creates the admission state (memory: about 32 bytes per tracked source).
 * Returns 0; PXB_ERR_INVAL for a NULL ap; PXB_ERR_NOMEM.
 */
PXB_API int pxb_tftp_admit_new(const struct pxb_tftp_admit_config *cfg, pxb_tftp_admit **ap);

/* Frees it (NULL is fine). */
PXB_API void pxb_tftp_admit_free(pxb_tftp_admit *a);

/*
 * Takes new limits (a reload), keeping the counts and buckets; cfg->sources
 * is not changed. Returns 0; PXB_ERR_INVAL for NULL arguments.
 */
PXB_API int pxb_tftp_admit_configure(pxb_tftp_admit *a, const struct pxb_tftp_admit_config *cfg);

/*
 * Decides on a request from addr (an IPv4 address as it is in memory,
 * s_addr) at now. Per-source checks come first, so a source over its
 * limits takes nothing from the others' buckets. OK counts one
 * unacknowledged transfer for addr: the caller then calls
 * pxb_tftp_admit_release() exactly once (at the client's first ACK, or
 * when the transfer ends or is not started after all).
 * Returns the verdict (PXB_TFTP_ADMIT_RATE for a NULL a).
 */
PXB_API enum pxb_tftp_admit_verdict pxb_tftp_admit_request(pxb_tftp_admit *a, uint32_t addr,
							    pxb_ms_t now);

/* Adds bytes (pxb_tftp_session_unacked_bytes()) to an admitted transfer's
 * source. */
PXB_API void pxb_tftp_admit_charge(pxb_tftp_admit *a, uint32_t addr, uint64_t bytes);

/* The transfer admitted for addr and charged bytes is acknowledged or over. */
PXB_API void pxb_tftp_admit_release(pxb_tftp_admit *a, uint32_t addr, uint64_t bytes);

/* Unacknowledged transfers now, in all (addr 0) or of the source addr. */
PXB_API unsigned pxb_tftp_admit_unacked(const pxb_tftp_admit *a, uint32_t addr);

/* Returns a static name for a verdict ("ok", "rate", ...). */
PXB_API const char *pxb_tftp_admit_name(enum pxb_tftp_admit_verdict v);

#ifdef __cplusplus
}
#endif
#endif
