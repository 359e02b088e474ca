/*
 * pxeboot/events.h - seeing every boot: one stream of events per client,
 * the timeline of a client's latest boot with where and why it stalled, and
 * a small metrics registry rendered in Prometheus' text format.
 *
 * Events. The drivers and plugins report what they did for a client (DHCP
 * request answered or not and why, TFTP request / done / failed, menu
 * rendered, HTTP file served, the rescue system's first request for its root
 * image) with pxb_events_add(). The store keeps a bounded ring of events per
 * client and a bounded number of clients (the least recently seen one is
 * forgotten first). Clients are keyed by MAC; an event without a MAC is
 * linked to its client through the address DHCP gave it (or the address its
 * requests came from) or the DHCP transaction id, and is kept under the
 * address alone when neither is known (DHCP served by another machine).
 *
 * Time: every event carries wall-clock milliseconds given by the caller; the
 * library reads no clock. Analyses take "now" the same way.
 *
 * Metrics. A registry of counters and gauges with labels; the events store
 * owns one and counts what its events say (DHCP requests by type and
 * verdict, TFTP transfers, bytes by protocol, HTTP answers by status, boots
 * completed by entry). Drivers add their own (malformed packets, active
 * transfers) and may register a collector called before each rendering
 * (lease gauges). Neither the store nor the registry takes locks: use them
 * from one thread, as pxebootd's loop does.
 */
#ifndef PXEBOOT_EVENTS_H
#define PXEBOOT_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <pxeboot/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pxb_events pxb_events;
typedef struct pxb_metrics pxb_metrics;

/* ------------------------------------------------------------------------ */
/* Events                                                                   */

enum pxb_event_type {
	PXB_EV_DHCP_SEEN = 1, /* a request acted on without a reply (RELEASE, DECLINE) */
	PXB_EV_DHCP_OFFER,    /* OFFER sent: addr, path = boot file */
	PXB_EV_DHCP_ACK,      /* ACK sent: addr, path = boot file */
	PXB_EV_DHCP_NAK,      /* NAK sent: detail = why */
	PXB_EV_DHCP_NONE,     /* nothing sent: detail = why */
	PXB_EV_TFTP_REQUEST,  /* path, detail = options, size */
	PXB_EV_TFTP_REFUSED,  /* path, detail = why (no such file, outside the root) */
	PXB_EV_TFTP_DONE,     /* path, bytes, duration_ms */
	PXB_EV_TFTP_FAILED,   /* path, block of blocks, retries, detail = reason */
	PXB_EV_MENU,          /* path = menu name, detail = format and entries */
	PXB_EV_HTTP,          /* path, status, bytes, duration_ms, detail ("client gone") */
	PXB_EV_ROOT_IMAGE,    /* first request of a root image: path, status */
	PXB_EV_ANSWER,        /* an installer fetched its answer file: path, detail = entry */
	PXB_EV_INSTALLED,     /* an installer called back (${done_url}): detail = entry */
	PXB_EV_COUNT
};

/* Event flags. */
#define PXB_EVF_IPXE 0x1    /* DHCP: the request came from iPXE (user class iPXE) */
#define PXB_EVF_NOBOOT 0x2  /* DHCP: a noboot rule or host held: no boot file, on purpose */
#define PXB_EVF_PROBE 0x4   /* TFTP/HTTP: a name clients probe for and expect to miss */
#define PXB_EVF_PXE 0x8     /* DHCP: from PXE or HTTP-boot firmware (vendor class PXEClient,
			     * HTTPClient; iPXE sends it too): a boot starts at one of these
			     * without PXB_EVF_IPXE, an operating system's own DHCP has none */

#define PXB_EVENT_PATH_MAX 160
#define PXB_EVENT_DETAIL_MAX 128

struct pxb_event {
	int64_t t_ms;                /* wall-clock milliseconds (Unix epoch) */
	enum pxb_event_type type;
	unsigned flags;              /* PXB_EVF_* */
	int has_mac;
	uint8_t mac[6];
	struct in_addr addr;         /* the client's address, 0: unknown */
	uint32_t xid;                /* DHCP transaction id, 0: none */
	uint8_t dhcp_type;           /* DHCP: option 53 of the request (1 DISCOVER, ...) */
	uint16_t arch;               /* RFC 4578 arch, PXB_ARCH_UNKNOWN if unknown */
	unsigned status;             /* HTTP status */
	uint64_t bytes;              /* bytes sent */
	uint64_t size;               /* file size, 0: unknown */
	uint64_t block, blocks;      /* TFTP failed: first block not acknowledged, of how many */
	unsigned retries;            /* TFTP: timeouts */
	int64_t duration_ms;         /* transfer time, -1: unknown */
	char path[PXB_EVENT_PATH_MAX];    /* file, URL path, or the boot file offered */
	char detail[PXB_EVENT_DETAIL_MAX]; /* words: why, options, reason, tags */
};

/* Clears *e and sets its type and time (arch unknown, duration unknown). */
PXB_API void pxb_event_init(struct pxb_event *e, enum pxb_event_type type, int64_t t_ms);

/* Copies s into e->path / e->detail, cut to fit and with control bytes as '?'. */
PXB_API void pxb_event_set_path(struct pxb_event *e, const char *s);
PXB_API void pxb_event_set_detail(struct pxb_event *e, const char *s);

/* "dhcp-offer", "tftp-done", ...; "unknown" when out of range. */
PXB_API const char *pxb_event_type_name(enum pxb_event_type t);

/*
 * Creates a store keeping up to max_clients clients (0: 256) and the last
 * per_client events of each (0: 64; at most 1024). A client's ring is
 * allocated small when it is first seen and grows with its events. Returns
 * NULL when out of memory.
 */
PXB_API pxb_events *pxb_events_new(unsigned max_clients, unsigned per_client);
PXB_API void pxb_events_free(pxb_events *s);

/*
 * Records one event (copied). The client is found by e->has_mac/mac, else by
 * e->addr, else by e->xid; a DHCP event links the client's address and xid
 * to its MAC for later events. Counts the event in the store's metrics.
 * A second successful ROOT_IMAGE event in one boot is not recorded (and not
 * counted as another boot). Returns 0, PXB_ERR_INVAL (NULL, bad type) or
 * PXB_ERR_NOMEM.
 */
PXB_API int pxb_events_add(pxb_events *s, const struct pxb_event *e);

/* The store's metrics registry (never NULL for a store). */
PXB_API pxb_metrics *pxb_events_metrics(pxb_events *s);

/*
 * Files that belong to a boot entry, so that a boot can be attributed to an
 * entry: renderers note an entry's kernel, initrds and image when they build
 * their model. final = 1 marks a file whose request completes a boot (a
 * memdisk or sanboot image); a root image (see below) is always final.
 * Paths are namespace paths ("/boot/x/vmlinuz"); the newest note for a path
 * wins; the table is bounded (the oldest notes go). Returns 0, PXB_ERR_INVAL,
 * PXB_ERR_NOMEM.
 */
PXB_API int pxb_events_note_entry_file(pxb_events *s, const char *path, const char *entry_id,
				       int final);

/*
 * Is path the root image of a rescue or live system: a name ending in
 * "airootfs.sfs" (archiso, SystemRescue), ".squashfs" (Debian/Ubuntu live)
 * or a final file noted for an entry? s may be NULL (names only).
 * Returns 1 or 0.
 */
PXB_API int pxb_events_is_root_image(const pxb_events *s, const char *path);

/* What the store knows of one client. */
struct pxb_events_client {
	int has_mac;
	uint8_t mac[6];
	struct in_addr addr;         /* last known address, 0: none */
	uint16_t arch;               /* last known, PXB_ARCH_UNKNOWN */
	int64_t first_ms, last_ms;   /* first and last event kept */
	unsigned nevents;            /* events kept (at most per_client) */
	uint64_t total;              /* events ever recorded for it */
	char entry[64];              /* the boot entry it fetched last, "" if none */
	char id[20];                 /* "aa:bb:cc:dd:ee:ff", or the address when no MAC */
};

/*
 * Fills out[0..max) with the clients, most recently seen first.
 * Returns how many there are in all (may exceed max).
 */
PXB_API unsigned pxb_events_clients(const pxb_events *s, struct pxb_events_client *out,
				    unsigned max);

/*
 * Finds a client by id: a MAC ("aa:bb:cc:dd:ee:ff", '-' also accepted) or an
 * IPv4 address (the client seen last with it). Returns 0, PXB_ERR_NOENT,
 * PXB_ERR_INVAL (neither a MAC nor an address).
 */
PXB_API int pxb_events_find(const pxb_events *s, const char *id, struct pxb_events_client *out);

/*
 * Copies the events kept for client id, oldest first, into out[0..max).
 * Returns how many were kept (may exceed max), or PXB_ERR_NOENT/INVAL.
 */
PXB_API int pxb_events_get(const pxb_events *s, const char *id, struct pxb_event *out,
			   unsigned max);

/* Forgets a client and its events. Returns 0, PXB_ERR_NOENT, PXB_ERR_INVAL. */
PXB_API int pxb_events_forget(pxb_events *s, const char *id);

/* ------------------------------------------------------------------------ */
/* Timelines                                                                */

enum pxb_timeline_state {
	PXB_TL_EMPTY = 0,     /* no events */
	PXB_TL_IN_PROGRESS,   /* the client is still moving (last event recent) */
	PXB_TL_BOOTED,        /* the rescue system asked for its root image (or final file) */
	PXB_TL_NO_BOOT,       /* no boot file offered, on purpose (noboot) */
	PXB_TL_STALLED,       /* nothing happened for idle_ms after a step that needs an answer */
	PXB_TL_FAILED,        /* the last step failed (404, TFTP timeout, nothing offered) */
};

/* "empty", "in progress", "booted", "no boot", "stalled", "failed". */
PXB_API const char *pxb_timeline_state_name(enum pxb_timeline_state s);

#define PXB_TIMELINE_TEXT_MAX 320
/* How long an installer may work after fetching its answer file before the boot is stalled. */
#define PXB_TIMELINE_INSTALL_MS (30 * 60 * 1000)

struct pxb_timeline_step {
	int64_t t_ms;                /* when */
	int64_t offset_ms;           /* since the first step of the boot */
	int64_t duration_ms;         /* until the next step (the last: its own duration, or -1) */
	enum pxb_event_type type;
	const char *stage;           /* "dhcp", "boot loader", "menu", "kernel", "root image", "file" */
	char text[PXB_TIMELINE_TEXT_MAX]; /* one line: what happened */
};

struct pxb_timeline {
	enum pxb_timeline_state state;
	const char *stage;           /* the last stage reached ("" when empty) */
	char cause[PXB_TIMELINE_TEXT_MAX]; /* where it stopped and the likely cause, or "" */
	char entry[64];              /* entry booted or being fetched, "" if unknown */
	unsigned earlier;            /* events before this boot that are not shown */
	unsigned nsteps;
	struct pxb_timeline_step *steps;
};

/*
 * The timeline of the latest boot in ev[0..n) (one client's events, oldest
 * first). A boot starts at the last DHCP request from PXE firmware (flag
 * PXB_EVF_PXE without PXB_EVF_IPXE) that follows a file transfer, or at the
 * first event. now_ms is the current
 * wall-clock time; a boot whose last step needs an answer that has not come
 * for idle_ms (0: 20000) is STALLED, with the cause in words, e.g.
 * "offer sent, no REQUEST in 20 s: the firmware ignored an offer without a
 * boot file", "TFTP stalled at block 812 of 1040 after 5 retries",
 * "fetched its answer file, no callback within 30 minutes" (an install
 * waits PXB_TIMELINE_INSTALL_MS, not idle_ms),
 * "HTTP 404 for /boot/x/airootfs.sfs: the root image is missing".
 * Returns 0 and *out (free with pxb_timeline_free), PXB_ERR_INVAL, PXB_ERR_NOMEM.
 */
PXB_API int pxb_timeline_build(const struct pxb_event *ev, unsigned n, int64_t now_ms,
			       int64_t idle_ms, struct pxb_timeline **out);

/* The same for a client of the store (id as for pxb_events_find). Also PXB_ERR_NOENT. */
PXB_API int pxb_events_timeline(const pxb_events *s, const char *id, int64_t now_ms,
				int64_t idle_ms, struct pxb_timeline **out);

PXB_API void pxb_timeline_free(struct pxb_timeline *t);

/*
 * The timeline as text, one step a line ("+1.234s  dhcp  DISCOVER ... (0.012 s)")
 * then "state: ...", "stopped at: ..." lines. Returns a malloc'd string, or NULL
 * when t is NULL or out of memory.
 */
PXB_API char *pxb_timeline_text(const struct pxb_timeline *t);

/* ------------------------------------------------------------------------ */
/* Metrics                                                                  */

enum pxb_metric_kind {
	PXB_METRIC_COUNTER = 1,
	PXB_METRIC_GAUGE,
};

/* Creates an empty registry. NULL when out of memory. */
PXB_API pxb_metrics *pxb_metrics_new(void);
PXB_API void pxb_metrics_free(pxb_metrics *m);

/*
 * Declares a metric family. name: [a-zA-Z_:][a-zA-Z0-9_:]*, help: one line.
 * Declaring again with the same kind is fine. Returns 0, PXB_ERR_INVAL (bad
 * name, or another kind), PXB_ERR_NOMEM.
 */
PXB_API int pxb_metrics_declare(pxb_metrics *m, const char *name, enum pxb_metric_kind kind,
				const char *help);

/*
 * Adds delta to (counter) or sets (gauge) the series of name with the labels
 * given as NULL-terminated name/value pairs:
 *   pxb_metrics_add(m, "pxeboot_bytes_served_total", n, "protocol", "http", NULL);
 * An undeclared name is declared on the way (a counter when it ends in
 * "_total", else a gauge). Label values are escaped as the text format asks.
 * Returns 0, PXB_ERR_INVAL (bad label name), PXB_ERR_TOOBIG (more than 4
 * labels or 1000 series in a family), PXB_ERR_NOMEM.
 */
PXB_API int pxb_metrics_add(pxb_metrics *m, const char *name, double delta, ...)
	__attribute__((sentinel));
PXB_API int pxb_metrics_set(pxb_metrics *m, const char *name, double value, ...)
	__attribute__((sentinel));

/* The value of a series (labels as above), 0 when there is none. */
PXB_API double pxb_metrics_get(const pxb_metrics *m, const char *name, ...)
	__attribute__((sentinel));

/*
 * Registers fn to be called with arg before every rendering (to set gauges
 * that are cheaper to compute on demand); fn NULL removes arg's collectors.
 * Returns 0 or PXB_ERR_NOMEM.
 */
PXB_API int pxb_metrics_on_collect(pxb_metrics *m, void (*fn)(void *arg, pxb_metrics *m),
				   void *arg);

/*
 * Runs the collectors and renders every family in the Prometheus text
 * exposition format 0.0.4 (# HELP, # TYPE, one line per series, families in
 * the order declared). Returns a malloc'd string (length in *len if not
 * NULL) or NULL when out of memory.
 */
PXB_API char *pxb_metrics_render(pxb_metrics *m, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
