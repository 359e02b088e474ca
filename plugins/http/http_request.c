/*
 * http_request.c - answering one HTTP request from the file namespace:
 * connection records, the request-target, the client a generated file is
 * made for, conditional requests (RFC 7232), one byte range (RFC 7233),
 * the response (sendfile for descriptors, a copy for memory files) and the
 * access log line.
 *
 * Nothing here allocates per request except what MHD allocates for the
 * response: connection records come from a free list and paths live in
 * them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include <pxeboot/events.h>
#include <pxeboot/report.h>
#include <pxeboot/plugin.h>
#include "http_internal.h"

/* ---- connection records ----------------------------------------------- */

static struct in_addr v4_of(const struct sockaddr *sa)
{
	struct in_addr a = {0};

	if (sa->sa_family == AF_INET) {
		a = ((const struct sockaddr_in *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6))
			memcpy(&a, &a6->s6_addr[12], 4);
	}
	return a;
}

static uint16_t port_of(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

/* Fills in who is at the other end and which of our addresses they reached. */
static void conn_identify(struct http_conn *c, struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *ci;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;

		c->peer4 = v4_of(sa);
		if (sa->sa_family == AF_INET6) {
			c->peer6 = ((const struct sockaddr_in6 *)sa)->sin6_addr;
		} else if (sa->sa_family == AF_INET) {
			c->peer6.s6_addr[10] = 0xff; /* v4-mapped, as http_guard.c counts */
			c->peer6.s6_addr[11] = 0xff;
			memcpy(&c->peer6.s6_addr[12], &c->peer4, 4);
		}
		if (c->peer4.s_addr)
			inet_ntop(AF_INET, &c->peer4, c->peer, sizeof(c->peer));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, c->peer,
				  sizeof(c->peer));
	}
	ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci)
		c->fd = ci->connect_fd;
	if (ci && getsockname(ci->connect_fd, (struct sockaddr *)&ss, &sl) == 0) {
		c->local4 = v4_of((struct sockaddr *)&ss);
		c->local_port = port_of((struct sockaddr *)&ss);
	}
}

void http_conn_cb(void *cls, struct MHD_Connection *con, void **socket_context,
		  enum MHD_ConnectionNotificationCode code)
{
	struct http *s = cls;
	struct http_conn *c;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		c = s->free_conns;
		if (c)
			s->free_conns = c->next_free;
		else
			c = malloc(sizeof(*c)); /* grows to the peak of open connections */
		if (!c)
			return; /* requests on it are answered 500 */
		memset(c, 0, offsetof(struct http_conn, path));
		c->path[0] = '\0';
		c->http = s;
		c->con = con;
		c->fd = -1;
		strcpy(c->peer, "-");
		conn_identify(c, con);
		*socket_context = c;
		http_guard_opened(s, c);
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		c = *socket_context;
		if (!c)
			return;
		http_guard_closed(s, c);
		c->next_free = s->free_conns;
		s->free_conns = c;
		*socket_context = NULL;
	}
}

void http_conns_free(struct http *s)
{
	while (s->free_conns) {
		struct http_conn *c = s->free_conns;

		s->free_conns = c->next_free;
		free(c);
	}
}

/* ---- the request line ------------------------------------------------- */

/*
 * Called by MHD with the raw request-target before it decodes anything, so
 * "%2f", "%00" and friends are seen as the client sent them. The record
 * returned becomes the request's context (req_cls).
 */
void *http_uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct http_conn *c = ci ? ci->socket_context : NULL;
	char raw[PXB_VFS_PATH_MAX + 1];

	(void)cls;
	if (!c)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	c->seen = 0;
	c->answered = 0;
	c->api = 0;
	c->root_image = 0;
	c->status = 0;
	c->bytes = 0;
	c->body = 0;
	c->nul = 0;
	strcpy(c->method, "-");
	http_log_path(uri, c->logpath, sizeof(c->logpath));
	c->target_len = strlen(uri);
	c->bad = http_decode_path(uri, raw, sizeof(raw), &c->trailing_slash);
	if (c->bad)
		return c;
	switch (pxb_vfs_normalize(raw, strlen(raw), c->path, sizeof(c->path))) {
	case 0:
		break;
	case PXB_ERR_TOOBIG:
		c->bad = 414;
		break;
	default:
		c->bad = 403; /* ".." above the root */
		break;
	}
	return c;
}

/* ---- the client a generated file is made for -------------------------- */

/*
 * From the query (mac=, ip=, arch= as an iPXE script fills them in:
 * "?mac=${net0/mac}&arch=${buildarch}-${platform}") or else from what DHCP
 * recorded for the peer's address. The query is the client's word, as DHCP
 * fields are; it only selects which generated file is made. The address is
 * the peer's whenever a MAC is named: what is not display (an arm's token,
 * the client's events) goes only to a MAC DHCP bound to that address
 * (pxb_policy_client_proven), so ?mac= of another machine from elsewhere
 * gets that machine's menu and nothing of its arm or its timeline.
 */
static void build_client(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			 struct pxb_client *cl)
{
	const char *mac = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "mac");
	const char *ip = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "ip");
	const char *arch = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "arch");
	uint8_t m[6];
	int have_mac = mac && pxb_mac_parse(mac, m) == 0;

	if (!(have_mac && pxb_host_client_by_mac(s->host, m, cl) == 0) &&
	    !(c->peer4.s_addr && pxb_host_client_by_addr(s->host, c->peer4, cl) == 0)) {
		memset(cl, 0, sizeof(*cl));
		cl->arch = PXB_ARCH_UNKNOWN;
	}
	if (have_mac) {
		cl->has_mac = 1;
		memcpy(cl->mac, m, 6);
	}
	if (cl->has_mac)
		cl->addr = c->peer4; /* 0 for an IPv6 peer: nothing proven */
	else if (!(ip && inet_pton(AF_INET, ip, &cl->addr) == 1) && !cl->addr.s_addr)
		cl->addr = c->peer4;
	if (arch)
		http_parse_arch(arch, &cl->arch);
	cl->server_addr = c->local4;
	cl->http_port = c->local_port;
}

/* ---- answering -------------------------------------------------------- */

/*
 * Says what the HTTP reporter makes of c's request (pxeboot/report.h): its
 * access log line and its event.
 */
static void report(struct http_conn *c, enum pxb_http_report_kind kind, int64_t ms)
{
	struct http *s = c->http;
	struct pxb_http_report_in in = {
		.kind = kind, .addr = c->peer4, .peer = c->peer, .method = c->method,
		.path = c->path, .target = c->logpath, .status = c->status, .bytes = c->bytes,
		.duration_ms = ms, .api = c->api, .access_log = s->access_log,
		.now_ms = http_wall_ms(), .log_max = PXB_LOG_DEBUG,
	};
	struct pxb_report r;

	pxb_http_report(pxb_host_events(s->host), &in, &r);
	for (unsigned i = 0; i < r.nlines; i++)
		http_log(s, r.line[i].level, "%s", r.line[i].text);
}

static enum MHD_Result queue(struct http_conn *c, struct MHD_Connection *con, unsigned status,
			     struct MHD_Response *r, uint64_t bytes)
{
	if (c->root_image) {
		/* The rescue system's request for its root image: the boot got this far. */
		c->status = status;
		report(c, PXB_HTTP_R_ROOT_IMAGE, -1);
		c->root_image = 0;
	}
	c->answered = 1;
	c->status = status;
	c->bytes = strcmp(c->method, "HEAD") == 0 ? 0 : bytes;
	return MHD_queue_response(con, status, r);
}

static enum MHD_Result refuse(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			      unsigned status, const char *why)
{
	const size_t n = sizeof(s->canned) / sizeof(s->canned[0]);
	const struct http_canned *k = &s->canned[n - 1]; /* 500 unless found */

	for (size_t i = 0; i < n; i++)
		if (s->canned[i].status == status)
			k = &s->canned[i];
	if (why)
		http_log(s, PXB_LOG_NOTICE, "refused %s %s: %s", c->peer, c->logpath, why);
	return queue(c, con, k->status, k->r, k->len);
}

static enum MHD_Result redirect_slash(struct http_conn *c, struct MHD_Connection *con)
{
	struct http_buf loc = {0};
	static const char body[] = "<html><body><h1>301 Moved Permanently</h1></body></html>\n";
	struct MHD_Response *r;
	enum MHD_Result ret;

	http_buf_url(&loc, c->path);
	http_buf_str(&loc, "/");
	r = loc.failed ? NULL
		       : MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body,
							 MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(loc.p);
		return refuse(c->http, c, con, 500, "out of memory");
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, loc.p);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
	free(loc.p);
	ret = queue(c, con, MHD_HTTP_MOVED_PERMANENTLY, r, sizeof(body) - 1);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result directory(struct http *s, struct http_conn *c, struct MHD_Connection *con)
{
	struct MHD_Response *r;
	uint64_t bytes = 0;
	enum MHD_Result ret;

	if (!c->trailing_slash && strcmp(c->path, "/") != 0)
		return redirect_slash(c, con);
	r = http_listing(s, c->path, &bytes);
	if (!r)
		return refuse(s, c, con, 500, "cannot list the directory");
	ret = queue(c, con, MHD_HTTP_OK, r, bytes);
	MHD_destroy_response(r);
	return ret;
}

/* RFC 7232 6: If-None-Match first, If-Modified-Since only without it. */
static int not_modified(struct MHD_Connection *con, const struct pxb_file *f, const char *etag)
{
	const char *inm = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *ims;
	int64_t t;

	if (inm)
		return http_etag_match(inm, etag);
	ims = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	return ims && f->mtime > 0 && http_date_parse(ims, &t) == 0 && f->mtime <= t;
}

/* RFC 7233 3.2: a Range applies only if If-Range still names this representation. */
static int if_range_holds(struct MHD_Connection *con, const struct pxb_file *f,
			  const char *etag)
{
	const char *ir = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_IF_RANGE);
	int64_t t;

	if (!ir)
		return 1;
	if (ir[0] == '"' || (ir[0] == 'W' && ir[1] == '/'))
		return etag[0] && strcmp(ir, etag) == 0; /* strong comparison */
	return http_date_parse(ir, &t) == 0 && f->mtime > 0 && t == f->mtime;
}

static void add_validators(struct MHD_Response *r, const struct pxb_file *f, const char *etag,
			   const char *lastmod)
{
	if (f->generated) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
		return;
	}
	if (etag[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	if (lastmod[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, lastmod);
}

static enum MHD_Result send_file(struct http *s, struct http_conn *c, struct MHD_Connection *con,
				 struct pxb_file *f)
{
	char etag[48] = "", lastmod[40] = "", crange[80];
	const char *rv;
	uint64_t start = 0, len = f->size;
	unsigned status = MHD_HTTP_OK;
	struct MHD_Response *r = NULL;
	enum MHD_Result ret;

	if (!f->generated) {
		http_etag(f->size, f->mtime, etag, sizeof(etag));
		if (f->mtime > 0)
			http_date_format(f->mtime, lastmod, sizeof(lastmod));
		if (not_modified(con, f, etag)) {
			r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
			if (!r)
				goto nomem;
			add_validators(r, f, etag, lastmod);
			pxb_file_close(f);
			ret = queue(c, con, MHD_HTTP_NOT_MODIFIED, r, 0);
			MHD_destroy_response(r);
			return ret;
		}
	}
	rv = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
	if (rv && if_range_holds(con, f, etag)) {
		switch (http_parse_range(rv, f->size, &start, &len)) {
		case HTTP_RANGE_NONE:
			start = 0;
			len = f->size;
			break;
		case HTTP_RANGE_OK:
			status = MHD_HTTP_PARTIAL_CONTENT;
			snprintf(crange, sizeof(crange), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
				 start, start + len - 1, f->size);
			break;
		case HTTP_RANGE_UNSAT:
			pxb_file_close(f);
			r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
			if (!r)
				goto nomem;
			snprintf(crange, sizeof(crange), "bytes */%" PRIu64, f->size);
			MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, crange);
			ret = queue(c, con, MHD_HTTP_RANGE_NOT_SATISFIABLE, r, 0);
			MHD_destroy_response(r);
			return ret;
		}
	}
	if (len == 0) {
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else if (f->fd >= 0) {
		/* The response owns the descriptor; MHD sends it with sendfile(2). */
		uint64_t at = f->fd_offset + start;
		int fd = pxb_file_take_fd(f);

		if (fd >= 0) {
			r = MHD_create_response_from_fd_at_offset64(len, fd, at);
			if (!r)
				close(fd);
		}
	} else {
		r = MHD_create_response_from_buffer((size_t)len, (void *)(f->data + start),
						    MHD_RESPMEM_MUST_COPY);
	}
	if (!r)
		goto nomem;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				f->content_type ? f->content_type : pxb_mime_type(c->path));
	MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	if (status == MHD_HTTP_PARTIAL_CONTENT)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, crange);
	add_validators(r, f, etag, lastmod);
	pxb_file_close(f);
	ret = queue(c, con, status, r, len);
	MHD_destroy_response(r);
	return ret;
nomem:
	pxb_file_close(f);
	return refuse(s, c, con, 500, "out of memory or descriptors");
}

static enum MHD_Result add_header_bytes(void *cls, enum MHD_ValueKind kind, const char *key,
					const char *value)
{
	/* "Name: value\r\n" */
	*(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

/* Bytes of the request line and headers as sent (close enough: spaces folded). */
static size_t header_bytes(struct MHD_Connection *con, const struct http_conn *c)
{
	size_t n = c->target_len + strlen(c->method) + 11; /* "M T HTTP/1.1\r\n" */

	MHD_get_connection_values(con, MHD_HEADER_KIND, add_header_bytes, &n);
	return n;
}

/*
 * libmicrohttpd 0.9.x takes the request line apart in place and hands out C
 * strings, so a NUL byte of the client's in the method or target silently
 * cuts it short: "GET /a\0b HTTP/1.1" would ask for "/a". RFC 9112 3 has no
 * NUL in a request line; such a request is refused (400). The strings lie in
 * the line in order: the method, a NUL where the space was, maybe more
 * spaces, the target (its length as the URI callback saw it before
 * anything was decoded), a NUL where the space was, the version. A NUL of
 * the client's shows as a gap between them. 1 if there is one.
 */
static int line_has_nul(const struct http_conn *c, const char *url, const char *method,
			const char *version)
{
	uintptr_t m = (uintptr_t)method, u = (uintptr_t)url, v = (uintptr_t)version;
	size_t ml = strlen(method);

	if (!version[0])
		return 0; /* no version: the target was not cut out of the line */
	if (u < m + ml + 1 || v != u + c->target_len + 1)
		return 1;
	for (const char *p = method + ml + 1; p < url; p++)
		if (*p != ' ')
			return 1;
	return 0;
}

/* Is the Content-Length value v more than max? */
static int body_too_long(const char *v, uint64_t max)
{
	uint64_t n = 0;

	for (; *v >= '0' && *v <= '9'; v++) {
		if (n > (UINT64_MAX - 9) / 10)
			return 1;
		n = n * 10 + (uint64_t)(*v - '0');
	}
	return n > max;
}

enum MHD_Result http_access_cb(void *cls, struct MHD_Connection *con, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **req_cls)
{
	struct http *s = cls;
	struct http_conn *c = *req_cls;
	struct pxb_client client;
	struct pxb_file f;
	int rc, api;

	/* url: MHD's decoded copy, only its place is used; the raw target came to http_uri_cb */
	if (!c) {
		*upload_data_size = 0;
		return MHD_queue_response(con, MHD_HTTP_INTERNAL_SERVER_ERROR,
					  s->canned[sizeof(s->canned) / sizeof(s->canned[0]) - 1].r);
	}
	/*
	 * The first call comes with the headers only. MHD (0.9.x) closes the
	 * connection after a response queued then, since the request might
	 * still carry a body; answering on the next call keeps it alive. A
	 * body (we want none) is read and dropped.
	 */
	if (!c->seen) {
		const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);

		c->seen = 1;
		snprintf(c->method, sizeof(c->method), "%s", method);
		c->nul = line_has_nul(c, url, method, version);
		/* Refused before it is read; MHD closes the connection after the answer. */
		if (cl && body_too_long(cl, s->max_body))
			return refuse(s, c, con, 413, "body larger than http.max_body");
		return MHD_YES;
	}
	if (*upload_data_size) {
		/*
		 * A chunked body has no length to refuse up front: it is counted,
		 * and past http.max_body the connection is closed (MHD takes no
		 * answer in the middle of a body).
		 */
		c->body += *upload_data_size;
		*upload_data_size = 0;
		if (c->body > s->max_body && !c->answered) {
			http_log_limited(s, &s->rate_guard, PXB_LOG_NOTICE,
					 "closed %s %s: body larger than http.max_body", c->peer,
					 c->logpath);
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (c->answered)
		return MHD_YES;
	http_guard_request_in(s, c); /* line, headers and body are in */
	if (c->nul)
		return refuse(s, c, con, 400, "NUL byte in the request line");
	/* The API's namespace is its own: nothing under it reaches the files. */
	api = !c->bad && http_api_match(s, c->path);
	if (!api && strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return refuse(s, c, con, 405, NULL);
	if (header_bytes(con, c) > s->max_header)
		return refuse(s, c, con, 431, "headers larger than http.max_header_size");
	if (c->bad)
		return refuse(s, c, con, (unsigned)c->bad,
			      c->bad == 403 ? "climbs above the root"
			      : c->bad == 414 ? "path too long"
					      : "malformed path (bad escape, %00, %2f or control byte)");
	if (api)
		return http_api(s, c, con, method);
	/* Answer files: their own check (only their machine), never the directory's. */
	if (http_answer_match(c->path))
		return http_answer(s, c, con);
	/* Rescue on demand: protected entries' files need an arm's token (http_arms.c). */
	{
		const char *why = http_arms_check(s, c, con, NULL);
		if (why)
			return refuse(s, c, con, 403, why);
	}
	c->root_image = strcmp(method, MHD_HTTP_METHOD_GET) == 0 &&
			pxb_events_is_root_image(pxb_host_events(s->host), c->path);
	build_client(s, c, con, &client);
	rc = pxb_vfs_open(s->vfs, c->path, PXB_VFS_HTTP, &client, &f);
	if (rc == 0) {
		const char *why;

		/* "/file/" names a directory that is not there. */
		if (c->trailing_slash && strcmp(c->path, "/") != 0) {
			pxb_file_close(&f);
			return refuse(s, c, con, 404, NULL);
		}
		/* Another path to a protected file's bytes (a symlink, an ISO image). */
		why = http_arms_check(s, c, con, &f);
		if (why) {
			pxb_file_close(&f);
			return refuse(s, c, con, 403, why);
		}
		return send_file(s, c, con, &f);
	}
	if ((rc == PXB_ERR_ACCESS || rc == PXB_ERR_NOENT) && http_listing_enabled(s, c->path) &&
	    pxb_vfs_is_dir(s->vfs, c->path, PXB_VFS_HTTP))
		return directory(s, c, con);
	switch (rc) {
	case PXB_ERR_NOENT:
		return refuse(s, c, con, 404, NULL);
	case PXB_ERR_ACCESS:
		/* a directory without listing, or a symlink leaving its root */
		return refuse(s, c, con, 403, "not a file, or outside the root");
	case PXB_ERR_TOOBIG:
		return refuse(s, c, con, 414, "path too long");
	default:
		http_log(s, PXB_LOG_WARNING, "%s: %s", c->path, pxb_strerror(rc));
		return refuse(s, c, con, 500, NULL);
	}
}

/* ---- the access log --------------------------------------------------- */

void http_completed_cb(void *cls, struct MHD_Connection *con, void **req_cls,
		       enum MHD_RequestTerminationCode toe)
{
	struct http *s = cls;
	struct http_conn *c = *req_cls;
	struct timespec now;
	enum pxb_http_report_kind kind;

	if (!c)
		return;
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		http_guard_request_done(s, c); /* kept alive: the next request's deadline */
	clock_gettime(CLOCK_MONOTONIC, &now);
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK: kind = PXB_HTTP_R_COMPLETED; break;
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: kind = PXB_HTTP_R_TIMEOUT; break;
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: kind = PXB_HTTP_R_SHUTDOWN; break;
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
	case MHD_REQUEST_TERMINATED_READ_ERROR: kind = PXB_HTTP_R_CLIENT_GONE; break;
	default: kind = PXB_HTTP_R_ERROR; break;
	}
	/* The access log line (http.access_log) and the event: the reporter's. */
	report(c, kind, (int64_t)(now.tv_sec - c->start.tv_sec) * 1000 +
			(now.tv_nsec - c->start.tv_nsec) / 1000000);
	*req_cls = NULL;
}
