/*
 * pxeboot/report.h - what a server says about each answer. A reporter turns
 * one protocol's outcome (the DHCP engine's verdict, a TFTP request's or
 * transfer's end) into the three things said about it: the log line (level
 * and text), the client's event (pxeboot/events.h) and the metric
 * increments. Each protocol's reporter works from one table, a row per
 * outcome (lib/report_dhcp.c, lib/report_tftp.c, lib/report_http.c), so
 * the three never drift apart and a new outcome is a new row.
 *
 * Reporters read no clock and write no log: the caller passes the time,
 * and writes the lines it gets back to its own log, honouring each line's
 * rate limit (at most one line a minute per key, as pxebootd does).
 */
#ifndef PXEBOOT_REPORT_H
#define PXEBOOT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <pxeboot/common.h>
#include <pxeboot/dhcp_server.h>
#include <pxeboot/events.h>
#include <pxeboot/tftp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PXB_REPORT_LINE_MAX 2048 /* a line's text, NUL included (longer is cut) */
#define PXB_REPORT_LINES 2

struct pxb_report_line {
	int level;            /* PXB_LOG_* */
	int limited;          /* 1: log it at most once a minute per limit_key */
	uint32_t limit_key;
	char text[PXB_REPORT_LINE_MAX];
};

/* The lines to log, in order (none when every line is above the caller's level). */
struct pxb_report {
	unsigned nlines;
	struct pxb_report_line line[PXB_REPORT_LINES];
};

/* ---- DHCP --------------------------------------------------------------- */

struct pxb_dhcp_report_in {
	const struct pxb_dhcp_tx *tx;  /* the engine's answer */
	const struct pxb_dhcp_rx *rx;  /* where the request came from */
	const uint8_t *buf;            /* the request as read; NULL when the answer comes from
					* elsewhere (a probe's end): refusals are reported only
					* for a datagram read */
	size_t len;
	uint64_t so_far;               /* requests with this verdict so far (DROP: malformed
					* ones), said in a refusal's line */
	uint32_t scope;                /* the socket: refusal lines are limited per scope */
	int64_t now_ms;                /* wall clock, for the event */
	int log_max;                   /* lines above this PXB_LOG_* level are not made */
};

/*
 * Reports one DHCP answer: a refused or unanswered request (malformed,
 * from no relay, over the rate, pool exhausted) is counted in its metric
 * and gets a rate-limited line; an answered or ignored one is counted in
 * pxeboot_dhcp_packets_total by type and verdict, recorded as the client's
 * event and gets the request's line. ev may be NULL (lines only).
 * Returns 0, or PXB_ERR_INVAL (in, in->tx, in->rx or out NULL, a verdict
 * out of range); a full event store or registry is not an error.
 */
PXB_API int pxb_dhcp_report(pxb_events *ev, const struct pxb_dhcp_report_in *in,
			    struct pxb_report *out);

/* Declares the DHCP reporter's metrics in m. Returns 0, PXB_ERR_INVAL (m NULL),
 * PXB_ERR_NOMEM. */
PXB_API int pxb_dhcp_report_declare(pxb_metrics *m);

/* ---- TFTP --------------------------------------------------------------- */

enum pxb_tftp_report_kind {
	PXB_TFTP_R_DROPPED = 0, /* admission refused it: admit says why */
	PXB_TFTP_R_MALFORMED,   /* not a request */
	PXB_TFTP_R_REFUSED,     /* a request refused before any file (a WRQ, ...): err */
	PXB_TFTP_R_BUSY,        /* too many transfers */
	PXB_TFTP_R_NOT_OPENED,  /* the file could not be opened: err */
	PXB_TFTP_R_STARTED,     /* the file opened, the transfer begins */
	PXB_TFTP_R_ENDED,       /* the transfer ended: verdict, info */
};
#define PXB_TFTP_R_COUNT (PXB_TFTP_R_ENDED + 1)

struct pxb_tftp_report_in {
	enum pxb_tftp_report_kind kind;
	struct in_addr addr;           /* the client */
	uint16_t port;                 /* its port (host order) */
	const uint8_t *mac;            /* the client's MAC if known, else NULL */
	const char *name;              /* the file asked for (NULL: none) */
	int err;                       /* REFUSED, NOT_OPENED: a PXB_ERR_* */
	enum pxb_tftp_admit_verdict admit; /* DROPPED */
	const struct pxb_tftp_request *req; /* REFUSED: its opcode; NOT_OPENED, STARTED:
					     * its options are said (NULL: none) */
	uint64_t size;                 /* STARTED: the file's size */
	enum pxb_tftp_verdict verdict; /* ENDED */
	enum pxb_tftp_reason reason;   /* ENDED, failed */
	const struct pxb_tftp_info *info; /* ENDED */
	uint64_t block;                /* ENDED, failed: the block it failed at */
	int64_t duration_ms;           /* ENDED */
	int nomem;                     /* ENDED, failed: out of memory */
	int unacked;                   /* ENDED, failed: never acknowledged */
	unsigned seg_writes;           /* ENDED, done: segmented writes (UDP_SEGMENT) made */
	int seg_err;                   /* ENDED, done: the errno that refused them, or 0 */
	int64_t now_ms;                /* wall clock, for the event */
	int log_max;                   /* lines above this PXB_LOG_* level are not made */
};

/*
 * Reports one TFTP request or transfer end: its line, its event (a request,
 * a refusal, a transfer done or failed) and its metric (requests dropped,
 * malformed). ev may be NULL (lines only). Returns 0, or PXB_ERR_INVAL (in
 * or out NULL, a kind out of range, ENDED without info, DROPPED without a
 * reason); a full event store or registry is not an error.
 */
PXB_API int pxb_tftp_report(pxb_events *ev, const struct pxb_tftp_report_in *in,
			    struct pxb_report *out);

/* Declares the TFTP reporter's metrics in m (gauges at 0). Returns 0,
 * PXB_ERR_INVAL (m NULL), PXB_ERR_NOMEM. */
PXB_API int pxb_tftp_report_declare(pxb_metrics *m);

/* ---- HTTP --------------------------------------------------------------- */

enum pxb_http_report_kind {
	PXB_HTTP_R_ROOT_IMAGE = 0, /* answered the rescue system's request for its root image */
	PXB_HTTP_R_COMPLETED,      /* a request ended: answered in full */
	PXB_HTTP_R_TIMEOUT,        /* ... the connection timed out */
	PXB_HTTP_R_SHUTDOWN,       /* ... the server shut down */
	PXB_HTTP_R_CLIENT_GONE,    /* ... the client went away (or could not be read) */
	PXB_HTTP_R_ERROR,          /* ... another error */
};
#define PXB_HTTP_R_COUNT (PXB_HTTP_R_ERROR + 1)

struct pxb_http_report_in {
	enum pxb_http_report_kind kind;
	struct in_addr addr;       /* the client's IPv4 address, 0: none (no event) */
	const char *peer;          /* the client as the access log names it */
	const char *method;
	const char *path;          /* the normalised path, "" when there is none */
	const char *target;        /* the request target as logged (the event's path without path) */
	unsigned status;           /* 0: no answer of ours (the server refused the request) */
	uint64_t bytes;            /* body bytes sent */
	int64_t duration_ms;
	int api;                   /* an API request: no event */
	int access_log;            /* http.access_log: the request's line is made */
	int64_t now_ms;            /* wall clock, for the event */
	int log_max;               /* lines above this PXB_LOG_* level are not made */
};

/*
 * Reports an HTTP request's end (its access log line and its event, which
 * counts pxeboot_http_responses_total and the bytes served) or the root
 * image answered (an event). ev may be NULL (lines only). Returns 0, or
 * PXB_ERR_INVAL (in or out NULL, a kind out of range); a full event store
 * is not an error.
 */
PXB_API int pxb_http_report(pxb_events *ev, const struct pxb_http_report_in *in,
			    struct pxb_report *out);

#ifdef __cplusplus
}
#endif
#endif
