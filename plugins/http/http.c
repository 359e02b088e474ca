/*
 * http.c - the HTTP plugin: its descriptor and settings, starting
 * libmicrohttpd on http.listen, and driving it from the daemon's libevent
 * loop. Requests are answered in http_request.c, listings in
 * http_listing.c.
 *
 * Why MHD runs on the daemon's loop and not in threads of its own: the
 * file namespace, the recent-client table and the providers that generate
 * menus belong to the core, which is single-threaded and takes no locks.
 * Driving MHD from the same loop (its epoll descriptor watched by libevent,
 * MHD_run() when it is readable, a timer from MHD_get_timeout()) keeps every
 * call into the core on the one thread, so nothing needs a lock. Throughput
 * does not suffer: large files go out with sendfile(2) and the loop only
 * hands the kernel more work when a socket has room. When a program embeds
 * the library without a loop (pxb_host_event_base() is NULL) MHD runs one
 * internal polling thread instead; that is logged, because then the
 * plugin's calls into the core come from that thread.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <microhttpd.h>

#include <pxeboot/plugin.h>
#include "http_internal.h"

static const struct pxb_conf_setting http_settings[] = {
	/* root and listen are the core's (lib/conf_schema.c): the namespace is shared. */
	{"listing", PXB_CT_STRINGS, "", 0, 0, NULL, NULL,
	 "path prefixes under which directories are listed (e.g. [\"/boot\"]); elsewhere 403"},
	{"max_connections", PXB_CT_INT, "1000", 1, 1000000, NULL, NULL,
	 "HTTP connections open at once, all clients together, and at most a quarter of the "
	 "descriptor limit; when all are taken, a new one closes the one that has waited longest "
	 "for a whole request"},
	{"max_per_client", PXB_CT_INT, "32", 1, 1000000, NULL, NULL,
	 "HTTP connections open at once from one client address"},
	{"timeout", PXB_CT_INT, "30", 1, 86400, NULL, NULL,
	 "seconds an idle HTTP connection is kept open"},
	{"request_timeout", PXB_CT_INT, "10", 1, 3600, NULL, NULL,
	 "seconds a client has to send a whole request (line, headers, body) from connecting "
	 "or from the end of the previous answer"},
	{"max_body", PXB_CT_INT, "4096", 0, 1048576, NULL, NULL,
	 "bytes of request body read and dropped (no request takes one); a longer body gets 413 "
	 "or its connection is closed"},
	{"max_header_size", PXB_CT_INT, "8192", 1024, 1048576, NULL, NULL,
	 "bytes of request line and headers accepted; larger requests get 431 or 414"},
	{"access_log", PXB_CT_BOOL, "true", 0, 0, NULL, NULL,
	 "log one line per request: http: CLIENT METHOD PATH STATUS BYTES DURATIONms"},
	{"ipv6", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "when http.listen is 0.0.0.0, listen on [::] for IPv4 and IPv6 alike"},
	{"api_prefix", PXB_CT_STRING, "/_pxeboot", 0, 0, NULL, NULL,
	 "path of the JSON API, metrics and status page (clients, timeline/MAC, leases, config, "
	 "metrics, status); never served from the files; \"\" turns the API off"},
	{"api_token", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "bearer token the API's write operations need (Authorization: Bearer TOKEN); "
	 "empty: writes are refused"},
	{"api_auth_reads", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "the API's reads (clients, timelines, leases, metrics, status) need the token too"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

void http_log(struct http *s, int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The host attributes every line to this plugin ("http"). */
	pxb_host_log(s->host, level, "%s", msg);
}

int64_t http_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A burst of this many lines, then one a second. */
#define RATE_BURST 10

int http_log_limited(struct http *s, struct http_rate *r, int level, const char *fmt, ...)
{
	int64_t now = http_mono_ms();
	char msg[1024];
	va_list ap;

	if (r->at == 0) {
		r->at = now;
		r->tokens = RATE_BURST;
	} else if (now - r->at >= 1000) {
		int64_t add = (now - r->at) / 1000;

		r->tokens = add >= RATE_BURST - r->tokens ? RATE_BURST : r->tokens + (int)add;
		r->at += add * 1000;
	}
	if (r->tokens == 0) {
		r->dropped++;
		return 0;
	}
	r->tokens--;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->dropped)
		http_log(s, level, "%s (%u like lines not logged)", msg, r->dropped);
	else
		http_log(s, level, "%s", msg);
	r->dropped = 0;
	return 1;
}

/*
 * MHD's own complaints (malformed requests, send failures, bind errors),
 * rate-limited: a peer can make MHD say something for every connection.
 */
static void mhd_logger(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	struct http *s = cls;
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	http_log_limited(s, &s->rate_mhd, PXB_LOG_NOTICE, "libmicrohttpd: %s", msg);
}

static void listing_free(struct http *s)
{
	for (unsigned i = 0; i < s->nlisting; i++)
		free(s->listing[i]);
	free(s->listing);
	s->listing = NULL;
	s->nlisting = 0;
}

/*
 * Judges what read_dynamic and init refuse in the section (http.listen is
 * the core schema's): listing prefixes and api_prefix must be paths. Each
 * problem goes to report; returns how many.
 */
static int http_check(const pxb_conf_node *sec, pxb_conf_report_fn report, void *arg)
{
	const char *p = pxb_conf_string(sec, "api_prefix");
	char norm[PXB_VFS_PATH_MAX + 1];
	int n = 0;

	for (unsigned i = 0; i < pxb_conf_count(sec, "listing"); i++) {
		const char *v = pxb_conf_elem_string(sec, "listing", i);

		if (!v || pxb_vfs_normalize(v, strlen(v), norm, sizeof(norm)) < 0) {
			pxb_conf_problem(report, arg, pxb_conf_elem(sec, "listing", i), "",
					 "\"%s\" is not a path", v ? v : "");
			n++;
		}
	}
	if (p && p[0] && (pxb_vfs_normalize(p, strlen(p), norm, sizeof(norm)) < 0 ||
			  strcmp(norm, "/") == 0)) {
		pxb_conf_problem(report, arg, sec, "api_prefix", "\"%s\" is not a path below /",
				 p);
		n++;
	}
	return n;
}

static void log_problem(void *arg, const char *line)
{
	http_log(arg, PXB_LOG_ERR, "%s", line);
}

/* Reads the settings reload may change: listing prefixes and access_log. */
static int read_dynamic(struct http *s, const pxb_conf_node *root)
{
	const pxb_conf_node *sec = pxb_conf_section(pxb_host_conf(s->host), "http");
	unsigned n = pxb_conf_count(root, "http.listing");
	char **l;

	if (!sec)
		return PXB_ERR_NOMEM;
	if (http_check(sec, log_problem, s) > 0)
		return PXB_ERR_CONFIG;
	l = calloc(n ? n : 1, sizeof(*l));
	if (!l)
		return PXB_ERR_NOMEM;
	for (unsigned i = 0; i < n; i++) {
		const char *v = pxb_conf_elem_string(root, "http.listing", i);
		char norm[PXB_VFS_PATH_MAX + 1];

		if (!v || pxb_vfs_normalize(v, strlen(v), norm, sizeof(norm)) < 0)
			goto fail; /* http_check said why */
		l[i] = strdup(norm);
		if (!l[i])
			goto fail;
	}
	{
		const char *p = pxb_conf_string(root, "http.api_prefix");
		char norm[PXB_VFS_PATH_MAX + 1] = "";
		char *np, *nt;

		if (p && p[0] && pxb_vfs_normalize(p, strlen(p), norm, sizeof(norm)) < 0)
			goto fail; /* http_check said why */
		np = strdup(norm);
		nt = strdup(pxb_conf_string(root, "http.api_token"));
		if (!np || !nt) {
			free(np);
			free(nt);
			goto fail;
		}
		free(s->api_prefix);
		free(s->api_token);
		s->api_prefix = np;
		s->api_token = nt;
		s->api_auth_reads = pxb_conf_bool(root, "http.api_auth_reads");
	}
	listing_free(s);
	s->listing = l;
	s->nlisting = n;
	s->access_log = pxb_conf_bool(root, "http.access_log");
	return 0;
fail:
	for (unsigned i = 0; i < n; i++)
		free(l[i]);
	free(l);
	return PXB_ERR_CONFIG;
}

/*
 * Runs of MHD per wake-up while it still has work ready. MHD sends at most
 * 128 KiB of a file per run (MHD_SENFILE_CHUNK_ in 0.9.x, unless it has a
 * thread per connection); going back to the loop between runs costs a
 * loop turn and a timer per 128 KiB. Eight runs (1 MiB per busy
 * connection) keep a big download from waiting on the loop, and DHCP and
 * TFTP requests from waiting on a big download.
 */
#define RUNS_PER_WAKE 8

/* Runs MHD and arms the timer for when it must run again. */
void http_drive(struct http *s)
{
	MHD_UNSIGNED_LONG_LONG ms;
	int ready = 0;

	/*
	 * A zero timeout means MHD has connections ready it did not finish
	 * (its epoll is edge-triggered): run again, here or on the next turn.
	 */
	for (int i = 0; i < RUNS_PER_WAKE; i++) {
		MHD_run(s->d);
		ready = MHD_get_timeout(s->d, &ms) == MHD_YES;
		if (!ready || ms != 0)
			break;
	}
	if (ready) {
		struct timeval tv = {.tv_sec = (time_t)(ms / 1000),
				     .tv_usec = (suseconds_t)((ms % 1000) * 1000)};
		evtimer_add(s->ev_timer, &tv);
	} else {
		evtimer_del(s->ev_timer);
	}
}

static void on_io(evutil_socket_t fd, short what, void *arg)
{
	http_drive(arg);
}

/* The few answers that never change are made once and shared (MHD counts references). */
static int make_canned(struct http *s)
{
	static const struct {
		unsigned status;
		const char *body;
	} canned[] = {
		{400, "<html><body><h1>400 Bad Request</h1></body></html>\n"},
		{403, "<html><body><h1>403 Forbidden</h1></body></html>\n"},
		{404, "<html><body><h1>404 Not Found</h1></body></html>\n"},
		{405, "<html><body><h1>405 Method Not Allowed</h1></body></html>\n"},
		{413, "<html><body><h1>413 Content Too Large</h1></body></html>\n"},
		{414, "<html><body><h1>414 URI Too Long</h1></body></html>\n"},
		{431, "<html><body><h1>431 Request Header Fields Too Large</h1></body></html>\n"},
		{500, "<html><body><h1>500 Internal Server Error</h1></body></html>\n"},
	};

	_Static_assert(sizeof(canned) / sizeof(canned[0]) ==
			       sizeof(s->canned) / sizeof(s->canned[0]), "one entry per answer");
	for (size_t i = 0; i < sizeof(canned) / sizeof(canned[0]); i++) {
		size_t len = strlen(canned[i].body);
		struct MHD_Response *r = MHD_create_response_from_buffer(
			len, (void *)canned[i].body, MHD_RESPMEM_PERSISTENT);

		if (!r)
			return PXB_ERR_NOMEM;
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
		if (canned[i].status == 405)
			MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		s->canned[i].status = canned[i].status;
		s->canned[i].r = r;
		s->canned[i].len = len;
	}
	return 0;
}

static void destroy_canned(struct http *s)
{
	for (size_t i = 0; i < sizeof(s->canned) / sizeof(s->canned[0]); i++)
		if (s->canned[i].r) {
			MHD_destroy_response(s->canned[i].r);
			s->canned[i].r = NULL;
		}
}

static void http_fini(void *state)
{
	struct http *s = state;

	if (!s)
		return;
	if (s->ev_io)
		event_free(s->ev_io);
	if (s->ev_timer)
		event_free(s->ev_timer);
	if (s->d)
		MHD_stop_daemon(s->d); /* closes connections: their records return */
	http_guard_stop(s);
	destroy_canned(s);
	http_conns_free(s);
	listing_free(s);
	free(s->api_prefix);
	free(s->api_token);
	free(s);
}

/*
 * sendfile(2) raises SIGPIPE when the peer has gone; MHD only uses it when
 * told that SIGPIPE cannot kill us. A server ignores SIGPIPE anyway: if the
 * host left the default action, set SIG_IGN (and say so).
 */
static void ensure_sigpipe_ignored(struct http *s)
{
	struct sigaction sa;

	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL &&
	    !(sa.sa_flags & SA_SIGINFO)) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_IGN;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGPIPE, &sa, NULL) == 0)
			http_log(s, PXB_LOG_INFO, "SIGPIPE is now ignored (needed for sendfile)");
	}
}

static int http_init(pxb_host *h, const pxb_conf_node *section, void **state)
{
	struct http *s = calloc(1, sizeof(*s));
	const pxb_conf_node *root = pxb_conf_root(pxb_host_conf(h));
	const char *listen = pxb_conf_string(root, "http.listen");
	struct pxb_listen l;
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ERROR_LOG;
	int64_t hdr = pxb_conf_int(root, "http.max_header_size");
	const union MHD_DaemonInfo *di;
	int rc = PXB_ERR_CONFIG;

	if (!s)
		return PXB_ERR_NOMEM;
	s->host = h;
	s->vfs = pxb_host_vfs(h);
	s->base = pxb_host_event_base(h);
	s->in_init = 1;
	s->listen_fd = -1;
	s->max_header = (size_t)hdr;
	s->max_conns = (unsigned)pxb_conf_int(root, "http.max_connections");
	s->max_per_client = (unsigned)pxb_conf_int(root, "http.max_per_client");
	s->request_ms = pxb_conf_int(root, "http.request_timeout") * 1000;
	s->max_body = (uint64_t)pxb_conf_int(root, "http.max_body");
	if (read_dynamic(s, root) < 0)
		goto fail;
	if (!listen || pxb_parse_listen(listen, 80, &l) < 0) {
		http_log(s, PXB_LOG_ERR, "http.listen: \"%s\" is not ADDR[:PORT]",
			 listen ? listen : "");
		goto fail;
	}
	memset(&ss, 0, sizeof(ss));
	if (l.family == AF_INET6 ||
	    (pxb_conf_bool(root, "http.ipv6") && strcmp(l.host, "0.0.0.0") == 0)) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(l.port);
		if (l.family == AF_INET6)
			inet_pton(AF_INET6, l.host, &a6->sin6_addr);
		else
			a6->sin6_addr = in6addr_any;
		/* [::] takes IPv4 too (v4-mapped) when ipv6 is asked for. */
		flags |= l.family == AF_INET6 && !IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr)
				 ? MHD_USE_IPv6
				 : MHD_USE_DUAL_STACK;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;

		if (pxb_conf_bool(root, "http.ipv6"))
			http_log(s, PXB_LOG_WARNING,
				 "http.ipv6 is ignored: http.listen names the IPv4 address %s",
				 l.host);
		a4->sin_family = AF_INET;
		a4->sin_port = htons(l.port);
		inet_pton(AF_INET, l.host, &a4->sin_addr);
	}
	if (make_canned(s) < 0) {
		rc = PXB_ERR_NOMEM;
		goto fail;
	}
	if (!s->base) {
		flags |= MHD_USE_INTERNAL_POLLING_THREAD;
		http_log(s, PXB_LOG_WARNING,
			 "the host has no event loop: libmicrohttpd runs its own polling thread");
	} else {
		/* We accept, MHD serves (http_guard.c says why). */
		if (http_guard_listen(s, (struct sockaddr *)&ss,
				      ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							       : sizeof(struct sockaddr_in)) < 0) {
			http_log(s, PXB_LOG_ERR, "cannot listen on %s: %s", listen,
				 strerror(errno));
			rc = PXB_ERR_IO;
			goto fail;
		}
		flags |= MHD_USE_NO_LISTEN_SOCKET;
	}
	ensure_sigpipe_ignored(s);
	s->d = MHD_start_daemon(
		flags, l.port, NULL, NULL, http_access_cb, s,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, s, /* first, to catch what follows */
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
		/*
		 * With our own accept the limits are ours; MHD's must not refuse
		 * while connections we shut down are still on its books.
		 */
		MHD_OPTION_CONNECTION_LIMIT, s->base ? 2 * s->max_conns + 64 : s->max_conns,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->base ? 0 : s->max_per_client,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)pxb_conf_int(root, "http.timeout"),
		/*
		 * The request line and headers live in the connection's memory
		 * pool beside the response headers; leave room for those. The
		 * exact limit is checked per request (http_request.c).
		 */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)hdr + 4096,
		MHD_OPTION_URI_LOG_CALLBACK, http_uri_cb, s,
		MHD_OPTION_NOTIFY_CONNECTION, http_conn_cb, s,
		MHD_OPTION_NOTIFY_COMPLETED, http_completed_cb, s,
		MHD_OPTION_SIGPIPE_HANDLED_BY_APP, (int)1,
		MHD_OPTION_END);
	if (!s->d) {
		http_log(s, PXB_LOG_ERR, "cannot listen on %s: %s", listen, strerror(errno));
		rc = PXB_ERR_IO;
		goto fail;
	}
	if (s->base) {
		di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_EPOLL_FD);
		if (!di) {
			http_log(s, PXB_LOG_ERR, "libmicrohttpd gave no epoll descriptor");
			rc = PXB_ERR_UNSUPP;
			goto fail;
		}
		s->ev_io = event_new(s->base, di->epoll_fd, EV_READ | EV_PERSIST, on_io, s);
		s->ev_timer = evtimer_new(s->base, on_io, s);
		if (!s->ev_io || !s->ev_timer || event_add(s->ev_io, NULL) < 0) {
			rc = PXB_ERR_NOMEM;
			goto fail;
		}
		http_drive(s);
	}
	di = s->listen_fd < 0 ? MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
	if (s->listen_fd >= 0) {
		struct sockaddr_storage bound;
		socklen_t bl = sizeof(bound);

		if (getsockname(s->listen_fd, (struct sockaddr *)&bound, &bl) == 0)
			l.port = ntohs(bound.ss_family == AF_INET6
					       ? ((struct sockaddr_in6 *)&bound)->sin6_port
					       : ((struct sockaddr_in *)&bound)->sin_port);
	}
	http_log(s, PXB_LOG_INFO, "listening on %s%s%s:%u%s", ss.ss_family == AF_INET6 ? "[" : "",
		 ss.ss_family == AF_INET6 && l.family == AF_INET ? "::" : l.host,
		 ss.ss_family == AF_INET6 ? "]" : "", di ? di->port : l.port,
		 flags & MHD_USE_INTERNAL_POLLING_THREAD ? " (own thread)" : "");
	s->in_init = 0;
	*state = s;
	return 0;
fail:
	http_fini(s);
	return rc;
}

static int http_reload(void *state, const pxb_conf_node *section)
{
	struct http *s = state;
	int rc;

	/* listen and the connection limits need a restart; listing and logging do not. */
	rc = read_dynamic(s, pxb_conf_root(pxb_host_conf(s->host)));
	return rc;
}

PXB_PLUGIN(.name = "http", .version = PXB_VERSION_STRING,
	   .summary = "HTTP server for the file namespace (libmicrohttpd, sendfile, Range)",
	   .settings = http_settings, .init = http_init, .reload = http_reload,
	   .fini = http_fini, .check = http_check);
