/*
 * http_guard.c - what keeps the HTTP server reachable when clients on the
 * LAN are hostile: the plugin accepts connections itself and hands them to
 * libmicrohttpd (MHD_add_connection), so that it can
 *
 * - limit connections per client address (http.max_per_client) and in all
 *   (http.max_connections, and never more than a quarter of the descriptor
 *   limit: a connection may hold a file as well as its socket, and TFTP,
 *   DHCP and the leases need descriptors too);
 * - make room when full: a new connection closes the connection that has
 *   waited longest without sending a whole request, so a trickle of slow
 *   connections cannot keep a real client out (only connections that are
 *   being answered are never closed for room);
 * - give each request a deadline (http.request_timeout) for its line,
 *   headers and body as a whole, counted from the connection (or from the
 *   end of the previous answer on a kept-alive one). MHD's own timeout
 *   (http.timeout) is an idle timeout, which a client sending one header
 *   line every few seconds never reaches. The deadline is kept here, not
 *   in MHD: each connection waiting for a request is on a list in the order
 *   its wait began, so one timer for the oldest is enough, and a sweep
 *   shuts the late ones down (shutdown(2); MHD then sees the connection end
 *   and closes it the usual way, so its accounting and ours stay right);
 * - stop accepting for a while when descriptors run out (EMFILE, ENFILE,
 *   ENOBUFS, ENOMEM) instead of retrying at once: libmicrohttpd 0.9.x, left
 *   to accept by itself, retries in a busy loop and logs each failure when
 *   it has no connection open.
 *
 * All of this runs on the daemon's loop. Without a loop (MHD runs its own
 * thread) MHD accepts itself with its own limits, and only the body limit
 * and the checks of http_request.c apply.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <microhttpd.h>

#include "http_internal.h"

/* Connections accepted per wake-up: the loop's other work does not wait on a flood. */
#define ACCEPT_BATCH 32
/* Pause of accept after running out of descriptors: doubles from the first to the last. */
#define BACKOFF_FIRST_MS 50
#define BACKOFF_MAX_MS 1000
/* The sweep runs at most this often, however many deadlines fall due. */
#define SWEEP_MIN_MS 100

static void wait_unlink(struct http *s, struct http_conn *c)
{
	if (!c->waiting)
		return;
	if (c->wait_prev)
		c->wait_prev->wait_next = c->wait_next;
	else
		s->wait_head = c->wait_next;
	if (c->wait_next)
		c->wait_next->wait_prev = c->wait_prev;
	else
		s->wait_tail = c->wait_prev;
	c->wait_prev = c->wait_next = NULL;
	c->waiting = 0;
}

static void arm_sweep(struct http *s)
{
	int64_t ms;
	struct timeval tv;

	if (!s->ev_sweep || !s->wait_head || evtimer_pending(s->ev_sweep, NULL))
		return;
	ms = s->wait_head->wait_since + s->request_ms - http_mono_ms();
	if (ms < SWEEP_MIN_MS)
		ms = SWEEP_MIN_MS;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(s->ev_sweep, &tv);
}

/* The wait for a request begins now: to the tail, the list stays oldest first. */
static void wait_start(struct http *s, struct http_conn *c)
{
	wait_unlink(s, c);
	c->wait_since = http_mono_ms();
	c->wait_prev = s->wait_tail;
	c->wait_next = NULL;
	if (s->wait_tail)
		s->wait_tail->wait_next = c;
	else
		s->wait_head = c;
	s->wait_tail = c;
	c->waiting = 1;
	arm_sweep(s);
}

/* Ends a connection: MHD sees it end at its next run and closes it. */
static void shut(struct http *s, struct http_conn *c)
{
	wait_unlink(s, c);
	if (c->closing)
		return;
	c->closing = 1;
	s->nopen--;
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

void http_guard_opened(struct http *s, struct http_conn *c)
{
	c->all_prev = NULL;
	c->all_next = s->all_head;
	if (s->all_head)
		s->all_head->all_prev = c;
	s->all_head = c;
	s->nopen++;
	wait_start(s, c);
}

void http_guard_closed(struct http *s, struct http_conn *c)
{
	wait_unlink(s, c);
	if (c->all_prev)
		c->all_prev->all_next = c->all_next;
	else
		s->all_head = c->all_next;
	if (c->all_next)
		c->all_next->all_prev = c->all_prev;
	c->all_prev = c->all_next = NULL;
	if (!c->closing)
		s->nopen--;
}

void http_guard_request_in(struct http *s, struct http_conn *c)
{
	wait_unlink(s, c);
}

void http_guard_request_done(struct http *s, struct http_conn *c)
{
	if (!c->closing)
		wait_start(s, c);
}

/* Logs what was closed or refused since the last line (at most one a second). */
static void report(struct http *s)
{
	if (!s->n_expired && !s->n_evicted && !s->n_refused)
		return;
	if (http_log_limited(s, &s->rate_guard, PXB_LOG_NOTICE,
			     "closed %u connections without a whole request after "
			     "http.request_timeout (%lld s) and %u to make room; refused %u over "
			     "http.max_per_client or http.max_connections",
			     s->n_expired, (long long)(s->request_ms / 1000), s->n_evicted,
			     s->n_refused)) {
		s->n_expired = 0;
		s->n_evicted = 0;
		s->n_refused = 0;
	}
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct http *s = arg;
	int64_t now = http_mono_ms();

	(void)fd;
	(void)what;
	while (s->wait_head && s->wait_head->wait_since + s->request_ms <= now) {
		shut(s, s->wait_head);
		s->n_expired++;
	}
	report(s);
	arm_sweep(s);
	http_drive(s);
}

/* http.max_connections, or a quarter of the descriptor limit if that is less. */
static unsigned cap(struct http *s)
{
	struct rlimit rl;
	unsigned m = s->max_conns;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 4 < m) {
		m = rl.rlim_cur / 4 ? (unsigned)(rl.rlim_cur / 4) : 1;
		if (m != s->fd_capped) {
			s->fd_capped = m;
			http_log(s, PXB_LOG_WARNING,
				 "at most %u connections (a quarter of the descriptor limit %llu), "
				 "not http.max_connections %u", m, (unsigned long long)rl.rlim_cur,
				 s->max_conns);
		}
	}
	return m;
}

static struct in6_addr addr6(const struct sockaddr_storage *ss)
{
	struct in6_addr a;

	memset(&a, 0, sizeof(a));
	if (ss->ss_family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)ss)->sin6_addr;
	} else if (ss->ss_family == AF_INET) {
		a.s6_addr[10] = 0xff;
		a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &((const struct sockaddr_in *)ss)->sin_addr, 4);
	}
	return a;
}

/* May a connection from ss come in? Makes room if all are taken. 1 or 0. */
static int admit(struct http *s, const struct sockaddr_storage *ss)
{
	struct in6_addr a = addr6(ss);
	unsigned same = 0;

	/* At most max_conns records to look at; no table to keep in step. */
	for (struct http_conn *c = s->all_head; c; c = c->all_next)
		if (!c->closing && memcmp(&c->peer6, &a, sizeof(a)) == 0)
			same++;
	if (same >= s->max_per_client) {
		s->n_refused++;
		return 0;
	}
	if (s->nopen >= cap(s)) {
		if (!s->wait_head) {
			s->n_refused++; /* every connection is being answered */
			return 0;
		}
		shut(s, s->wait_head);
		s->n_evicted++;
	}
	return 1;
}

static void on_accept(evutil_socket_t fd, short what, void *arg);

static void on_backoff(evutil_socket_t fd, short what, void *arg)
{
	struct http *s = arg;

	(void)fd;
	(void)what;
	event_add(s->ev_listen, NULL);
	on_accept(s->listen_fd, EV_READ, s);
}

/* accept(2) failed for want of resources: stop watching the socket for a while. */
static void pause_accept(struct http *s, int err)
{
	struct timeval tv;

	s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : BACKOFF_FIRST_MS;
	if (s->backoff_ms > BACKOFF_MAX_MS)
		s->backoff_ms = BACKOFF_MAX_MS;
	s->n_accept_fail++;
	if (http_log_limited(s, &s->rate_guard, PXB_LOG_WARNING,
			     "cannot accept connections (%s, %u times): trying again in %d ms",
			     strerror(err), s->n_accept_fail, s->backoff_ms))
		s->n_accept_fail = 0;
	event_del(s->ev_listen);
	tv.tv_sec = s->backoff_ms / 1000;
	tv.tv_usec = (suseconds_t)(s->backoff_ms % 1000) * 1000;
	evtimer_add(s->ev_backoff, &tv);
}

static void on_accept(evutil_socket_t fd, short what, void *arg)
{
	struct http *s = arg;

	(void)what;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int cfd = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO ||
			    errno == EPERM)
				continue; /* that client is gone, or a firewall said no */
			/* EMFILE, ENFILE, ENOBUFS, ENOMEM or worse: retrying at once would spin. */
			pause_accept(s, errno);
			break;
		}
		s->backoff_ms = 0;
		if (!admit(s, &ss)) {
			close(cfd);
			continue;
		}
		/* MHD closes the socket itself if it cannot take it. */
		if (MHD_add_connection(s->d, cfd, (struct sockaddr *)&ss, sl) != MHD_YES)
			http_log_limited(s, &s->rate_guard, PXB_LOG_WARNING,
					 "libmicrohttpd did not take a connection: %s",
					 strerror(errno));
	}
	report(s);
	http_drive(s);
}

int http_guard_listen(struct http *s, const struct sockaddr *sa, socklen_t sl)
{
	int one = 1, fd;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return PXB_ERR_IO;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6) {
		/* [::] takes IPv4 too (v4-mapped); a named IPv6 address only itself. */
		int only = !IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof(only));
	}
	if (bind(fd, sa, sl) < 0 || listen(fd, SOMAXCONN) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return PXB_ERR_IO;
	}
	s->listen_fd = fd;
	s->ev_listen = event_new(s->base, fd, EV_READ | EV_PERSIST, on_accept, s);
	s->ev_backoff = evtimer_new(s->base, on_backoff, s);
	s->ev_sweep = evtimer_new(s->base, on_sweep, s);
	if (!s->ev_listen || !s->ev_backoff || !s->ev_sweep || event_add(s->ev_listen, NULL) < 0)
		return PXB_ERR_NOMEM;
	return 0;
}

void http_guard_stop(struct http *s)
{
	if (s->ev_listen)
		event_free(s->ev_listen);
	if (s->ev_backoff)
		event_free(s->ev_backoff);
	if (s->ev_sweep)
		event_free(s->ev_sweep);
	s->ev_listen = s->ev_backoff = s->ev_sweep = NULL;
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	s->listen_fd = -1;
}
