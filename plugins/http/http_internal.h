/*
 * http_internal.h - what the files of the HTTP plugin share: the plugin
 * state, the per-connection record, and the pure helpers of http_util.c
 * (request-target decoding, Range, HTTP dates, entity tags, HTML escaping)
 * that the unit test t/http_util_test.c exercises without a server.
 */
#ifndef PXB_HTTP_INTERNAL_H
#define PXB_HTTP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <microhttpd.h>
#include <pxeboot/plugin.h>

struct event;
struct event_base;

/* Longest request path kept for the access log (escaped, truncated). */
#define HTTP_LOGPATH_MAX 256

/*
 * One record per TCP connection, taken from a free list when MHD accepts it
 * and given back when it closes, so serving a request allocates nothing of
 * ours. HTTP/1.1 answers one request at a time per connection; the request
 * fields below are reset by the URI callback at the start of each request.
 */
struct http_conn {
	struct http_conn *next_free;
	struct http *http;
	/* http_guard.c: every open connection, and those still owing a request */
	struct http_conn *all_prev, *all_next;
	struct http_conn *wait_prev, *wait_next;
	struct MHD_Connection *con;
	int fd;                       /* the socket, -1: unknown */
	struct in6_addr peer6;        /* client address (IPv4 as v4-mapped), for the limits */
	int64_t wait_since;           /* monotonic ms the wait for a request began */
	int waiting;                  /* on the wait list: no whole request yet */
	int closing;                  /* shut down by us; MHD has not closed it yet */
	uint64_t body;                /* request body bytes read (and dropped) */
	int nul;                      /* the request line held a NUL byte */
	char peer[INET6_ADDRSTRLEN];  /* client address as text, for logs */
	struct in_addr peer4;         /* client IPv4 (also from v4-mapped), 0: none */
	struct in_addr local4;        /* our address as the client reached it */
	uint16_t local_port;
	/* the current request */
	struct timespec start;
	int bad;                      /* HTTP status refusing the request-target, 0: fine */
	int trailing_slash;           /* the path ended in '/' */
	size_t target_len;            /* length of the raw request-target */
	int seen;                     /* the access handler was called once */
	int answered;
	int api;                      /* a request for the API (not a file, no event) */
	int root_image;               /* a GET of a root image: its answer is an event */
	unsigned status;              /* what we queued, 0: nothing (MHD answered) */
	uint64_t bytes;               /* body bytes of what we queued */
	char method[8];
	char path[PXB_VFS_PATH_MAX + 1];   /* decoded, normalized */
	char logpath[HTTP_LOGPATH_MAX];    /* as requested, escaped for one log line */
};

struct http {
	pxb_host *host;
	pxb_vfs *vfs;
	struct MHD_Daemon *d;
	struct event_base *base;      /* NULL: MHD runs its own polling thread */
	struct event *ev_io, *ev_timer;
	int in_init;
	/* settings that reload may change */
	char **listing;               /* normalized path prefixes with listings */
	unsigned nlisting;
	int access_log;
	char *api_prefix;             /* normalized, "" when the API is off */
	char *api_token;              /* "" when writes are refused */
	int api_auth_reads;           /* reads need the token too */
	/* connection records not in use */
	struct http_conn *free_conns;
	size_t max_header;            /* http.max_header_size */
	/* http_guard.c: our own accept, the limits and the request deadline */
	int listen_fd;                /* -1: MHD listens itself (no event loop) */
	struct event *ev_listen, *ev_backoff, *ev_sweep;
	struct http_conn *all_head;
	struct http_conn *wait_head, *wait_tail;   /* oldest first */
	unsigned nopen;               /* open connections not closing */
	unsigned max_conns;           /* http.max_connections */
	unsigned max_per_client;      /* http.max_per_client */
	unsigned fd_capped;           /* the descriptor-limited cap last logged, 0: none */
	int64_t request_ms;           /* http.request_timeout */
	uint64_t max_body;            /* http.max_body */
	int backoff_ms;               /* accept paused after running out of descriptors */
	struct http_rate {            /* log lines: a burst, then one a second */
		int64_t at;
		int tokens;
		unsigned dropped;
	} rate_mhd, rate_guard;
	unsigned n_expired, n_evicted, n_refused, n_accept_fail;  /* not yet logged */
	/* shared, never changing answers: 400, 403, 404, 405, 413, 414, 431, 500 (last) */
	struct http_canned {
		unsigned status;
		struct MHD_Response *r;
		uint64_t len;
	} canned[8];
};

/* Logs with the "http: " prefix the host does not add outside init. */
void http_log(struct http *s, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Rate-limited logging: logs (with how many lines were dropped since the
 * last one) unless the burst of 10 lines is spent; a token comes back each
 * second. Returns 1 if the line was logged.
 */
int http_log_limited(struct http *s, struct http_rate *r, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Monotonic milliseconds. */
int64_t http_mono_ms(void);
/* Runs MHD and arms its timer (http.c). */
void http_drive(struct http *s);

/* http_guard.c: accepting, connection limits, the request deadline. */
int http_guard_listen(struct http *s, const struct sockaddr *sa, socklen_t sl);
void http_guard_stop(struct http *s);
void http_guard_opened(struct http *s, struct http_conn *c);
void http_guard_closed(struct http *s, struct http_conn *c);
/* The request is whole (line, headers, body): its deadline no longer applies. */
void http_guard_request_in(struct http *s, struct http_conn *c);
/* The answer is sent and the connection stays open: the wait for the next request begins. */
void http_guard_request_done(struct http *s, struct http_conn *c);

/* http_request.c: MHD callbacks. */
void *http_uri_cb(void *cls, const char *uri, struct MHD_Connection *con);
void http_conn_cb(void *cls, struct MHD_Connection *con, void **socket_context,
		  enum MHD_ConnectionNotificationCode code);
void http_completed_cb(void *cls, struct MHD_Connection *con, void **req_cls,
		       enum MHD_RequestTerminationCode toe);
enum MHD_Result http_access_cb(void *cls, struct MHD_Connection *con, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **req_cls);
void http_conns_free(struct http *s);

struct http_buf;

/* http_api.c: the JSON API, metrics and status page under http.api_prefix. */
int http_api_match(const struct http *s, const char *path);
enum MHD_Result http_api(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			 const char *method);
/* Wall-clock milliseconds, for events. */
int64_t http_wall_ms(void);
/* Does the request carry "Authorization: Bearer" with http.api_token? 1 or 0. */
int http_api_authorized(const struct http *s, struct MHD_Connection *con);
/* Does the query ask for ?format=text? 1 or 0. */
int http_api_text(struct MHD_Connection *con);
/*
 * Queues b (taken over, freed) as the answer with status and Content-Type
 * ctype, not to be cached; 500 with no body when b failed to grow. 401 adds
 * the Bearer challenge, 405 "Allow: allow" (when not NULL). Records the
 * answer in c. Returns MHD's result (MHD_NO when no response can be made).
 */
enum MHD_Result http_api_respond(struct http_conn *c, struct MHD_Connection *con, unsigned status,
				 const char *ctype, const char *allow, struct http_buf *b);
/* Answers {"error": msg} with status, as http_api_respond. */
enum MHD_Result http_api_error(struct http_conn *c, struct MHD_Connection *con, unsigned status,
			       const char *allow, const char *msg);

/* http_api_store.c: what the endpoints over the library's stores (arms, installs) share. */
struct http_api_store {
	const char *allow;   /* the methods taken, for 405's Allow */
	const char *removed; /* what a DELETE did: "disarmed", "forgotten" */
	const char *log;     /* the start of its log line, before the MAC */
	const char *none;    /* 404's words: no record for the MAC */
	const char *nowrite; /* 500's words: the store could not be written */
};
/* Sorts method into *get (GET or HEAD), *post and *del: 0, or -1 for another method. */
int http_api_methods(const char *method, int *get, int *post, int *del);
/* Is entry one of the boot model's? 0, else the status to answer (400, 500) and *why. */
unsigned http_api_entry_unknown(struct http *s, const char *entry, const char **why);
/*
 * The answer to a DELETE of mac's record, given the store's rc: 404 (st->none)
 * for PXB_ERR_NOENT, 500 (st->nowrite) for another error, else logged and 200
 * with "MAC removed" (?format=text) or {"removed":"MAC"}. MHD's result.
 */
enum MHD_Result http_api_removed(struct http *s, struct http_conn *c, struct MHD_Connection *con,
				 const struct http_api_store *st, int rc, const uint8_t mac[6]);
/* t (seconds since the epoch) as "YYYY-MM-DDTHH:MM:SSZ" into buf. */
void http_api_utc(int64_t t, char *buf, size_t len);

/* http_arms.c: PREFIX/arms (sub: what follows "/arms"), and the token check of files. */
enum MHD_Result http_arms(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			  const char *method, const char *sub);
/*
 * NULL: the file may be served; else why it is refused (403). f NULL: the
 * check of the request's name; else of the bytes of the file opened for it.
 */
const char *http_arms_check(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			    const struct pxb_file *f);

/* http_answer.c: /answer/ENTRY/MAC[/done|/user-data|/meta-data], answer files per client. */
int http_answer_match(const char *path);
enum MHD_Result http_answer(struct http *s, struct http_conn *c, struct MHD_Connection *con);

/* http_installs.c: PREFIX/installs (sub: what follows "/installs"). */
enum MHD_Result http_installs(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			      const char *method, const char *sub);

/* http_listing.c: an HTML index of path (which ends in '/'), or NULL. */
struct MHD_Response *http_listing(struct http *s, const char *path, uint64_t *bytes);
/* Is listing enabled for this normalized path? */
int http_listing_enabled(const struct http *s, const char *path);

/* ---- http_util.c: no I/O, no MHD ---- */

/*
 * Decodes the path of a raw request-target ("/a%20b?x=1", or absolute-form
 * "http://host/a") into out: %XX decoded, query and fragment dropped.
 * Returns 0, or the HTTP status that refuses it: 400 for a malformed
 * escape, an encoded NUL or '/' ("%00", "%2f": a name never holds them, so
 * the request cannot be meant for our namespace), a control character or a
 * target that is not a path; 414 when longer than outlen - 1.
 * *trailing_slash tells whether the path ended in '/'.
 */
int http_decode_path(const char *raw, char *out, size_t outlen, int *trailing_slash);

/*
 * Copies the path part of raw into out (size outlen) for a log line: bytes
 * outside printable ASCII, spaces and '"' become %XX; cut with "..." if long.
 */
void http_log_path(const char *raw, char *out, size_t outlen);

enum http_range {
	HTTP_RANGE_NONE,  /* no usable Range: send the whole representation (200) */
	HTTP_RANGE_OK,    /* one satisfiable range: *start, *len (206) */
	HTTP_RANGE_UNSAT, /* unsatisfiable (416) */
};

/*
 * Interprets a Range header value for a representation of size bytes
 * (RFC 7233 section 2.1): one "bytes=a-b", "bytes=a-" or "bytes=-n".
 * Several ranges, other units or a malformed value are ignored (NONE), as
 * section 3.1 allows.
 */
enum http_range http_parse_range(const char *v, uint64_t size, uint64_t *start, uint64_t *len);

/* Formats t as an IMF-fixdate (RFC 7231 7.1.1.1) into buf (30 bytes or more). */
void http_date_format(int64_t t, char *buf, size_t len);

/*
 * Parses an HTTP-date in any of the three forms RFC 7231 7.1.1.1 requires a
 * recipient to accept. Returns 0 and sets *t, or -1.
 */
int http_date_parse(const char *s, int64_t *t);

/* Writes the strong entity tag "SIZE-MTIME" (hex, quoted) into buf (40 bytes). */
void http_etag(uint64_t size, int64_t mtime, char *buf, size_t len);

/*
 * Does an If-None-Match value (a list of entity tags or "*") match etag?
 * Weak comparison (RFC 7232 2.3.2), as 3.2 asks for GET and HEAD. 1 or 0.
 */
int http_etag_match(const char *list, const char *etag);

/* Parses arch=... from a query: a number, or iPXE "${buildarch}-${platform}". */
int http_parse_arch(const char *v, uint16_t *arch);

/* A growing buffer for generated pages. */
struct http_buf {
	char *p;
	size_t len, cap;
	int failed;
};
void http_buf_add(struct http_buf *b, const char *s, size_t n);
void http_buf_str(struct http_buf *b, const char *s);
void http_buf_printf(struct http_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends s with & < > " ' escaped for HTML text and attributes. */
void http_buf_html(struct http_buf *b, const char *s);
/* Appends s percent-encoded for a URL path (unreserved characters and '/' kept). */
void http_buf_url(struct http_buf *b, const char *s);
/*
 * Appends s as a JSON string, quotes included: '"' and '\' escaped, control
 * bytes and bytes above 0x7e as \u00XX (so the result is ASCII and valid
 * JSON whatever bytes a client put in a name).
 */
void http_buf_json(struct http_buf *b, const char *s);

#endif
