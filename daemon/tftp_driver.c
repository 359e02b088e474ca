/*
 * tftp_driver.c - TFTP on the daemon's loop: the listening socket,
 * requests, limits, and what is said about each transfer when it starts and
 * when it ends. The transfers themselves run in tftp_worker.c.
 *
 * The protocol lives in lib/tftp_*.c; the driver only moves datagrams.
 * Every transfer answers from the address its request came to (IP_PKTINFO),
 * which matters on hosts with several addresses: clients drop DATA from an
 * address they did not ask.
 *
 * Each request is first put to the admission policy (pxb_tftp_admit_*, in
 * lib/tftp_admit.c) before a socket or file is opened: rates, and the
 * budget of transfers whose client has not acknowledged anything yet. A
 * request it refuses is dropped without an answer (an answer would go to an
 * address nobody proved; a real client sends its request again), counted in
 * pxeboot_tftp_requests_dropped_total and logged at most once a minute per
 * reason. The worker reports each transfer's first ACK (tftp_worker.c), and
 * the transfer leaves that budget.
 *
 * What is said about each request and transfer (its log line, the client's
 * event, the counters) comes from the library's TFTP reporter
 * (pxb_tftp_report(), lib/report_tftp.c); the driver writes its lines.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <pxeboot/tftp.h>
#include "daemon.h"
#include "services.h"
#include "tftp_driver.h"

#define RX_BURST 64          /* requests read per readiness event */
#define SOCKBUF (4 << 20)    /* generous buffers: a boot storm comes at once */

struct tftp {
	struct pxbd *d;
	int fd;
	struct event *rx;
	struct pxb_tftp_limits limits;
	unsigned max_transfers, max_per_client;
	pxb_tftp_admit *admit;
	uint64_t dropped;
	int gso; /* tftp.udp_segmentation, where the kernel has it */
	unsigned active;
	struct xfer *list;
	struct tftp_worker w;
	struct event *done_ev;
	uint64_t served, failed, refused, malformed;
	uint8_t rxbuf[PXB_TFTP_MAX_BLKSIZE + 4];
	uint8_t obuf[PXB_TFTP_OUT_MIN]; /* where a session's first packet is written */
};

static const char *peer_str(const struct sockaddr_in *sin, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
	snprintf(buf, len, "%s:%u", a, ntohs(sin->sin_port));
	return buf;
}

/*
 * Says what the TFTP reporter makes of in (pxeboot/report.h) about the
 * client at peer: its line, its event, its counters.
 */
static void report(struct tftp *t, struct pxb_tftp_report_in *in, const struct sockaddr_in *peer)
{
	pxb_events *ev = pxb_host_events(t->d->host);
	struct pxb_client c;
	struct pxb_report r;

	in->addr = peer->sin_addr;
	in->port = ntohs(peer->sin_port);
	/* A request not parsed or not let in says nothing of a client: no lookup. */
	if (ev && in->kind != PXB_TFTP_R_DROPPED && in->kind != PXB_TFTP_R_MALFORMED &&
	    pxb_host_client_by_addr(t->d->host, peer->sin_addr, &c) == 0 && c.has_mac)
		in->mac = c.mac;
	in->now_ms = pxbd_wall_ms();
	in->log_max = PXB_LOG_DEBUG;
	pxb_tftp_report(ev, in, &r);
	pxbd_log_report("tftp", &r);
}

static void set_active(struct tftp *t)
{
	pxb_metrics *m;

	if (!pxb_host_events(t->d->host))
		return;
	m = pxb_events_metrics(pxb_host_events(t->d->host));
	pxb_metrics_set(m, "pxeboot_tftp_transfers_active", t->active, NULL);
	pxb_metrics_set(m, "pxeboot_tftp_transfers_unacked", pxb_tftp_admit_unacked(t->admit, 0),
			NULL);
	pxb_metrics_set(m, "pxeboot_tftp_wakeups_moderated_total",
			(double)__atomic_load_n(&t->w.moderated, __ATOMIC_RELAXED), NULL);
}

/* The transfer leaves the unacknowledged budget (its first ACK, or its end). */
static void unacked_release(struct xfer *x)
{
	if (!x->unacked)
		return;
	x->unacked = 0;
	pxb_tftp_admit_release(x->t->admit, x->peer.sin_addr.s_addr, x->charged);
}

static void xfer_free(struct xfer *x)
{
	struct tftp *t = x->t;

	if (x->prev)
		x->prev->next = x->next;
	else
		t->list = x->next;
	if (x->next)
		x->next->prev = x->prev;
	unacked_release(x);
	pxb_tftp_session_free(x->s);
	pxb_file_close(&x->file);
	if (x->fd >= 0)
		close(x->fd);
	t->active--;
	set_active(t);
	free(x);
}

/* Says how a transfer ended (log line, event, counters) and frees it. */
static void xfer_end(struct xfer *x)
{
	struct pxb_tftp_info info;
	struct pxb_tftp_report_in in = {
		.kind = PXB_TFTP_R_ENDED, .name = x->name, .verdict = x->verdict,
		.reason = x->reason, .info = &info, .block = x->block,
		.duration_ms = pxbd_now() - x->started, .nomem = x->nomem, .unacked = x->unacked,
		.seg_writes = x->gso_writes, .seg_err = x->gso_err,
	};

	pxb_tftp_session_info(x->s, &info);
	if (x->verdict == PXB_TFTP_DONE)
		x->t->served++;
	else if (x->verdict != PXB_TFTP_ABORTED)
		x->t->failed++;
	report(x->t, &in, &x->peer);
	xfer_free(x);
}

/* The worker has handed transfers back. */
static void done_rx(evutil_socket_t fd, short what, void *arg)
{
	struct tftp *t = arg;
	struct xfer *acked, *x = tftp_worker_take(&t->w, &acked);

	(void)fd;
	(void)what;
	/* First: a transfer acknowledged and then ended is on both lists. */
	for (; acked; acked = acked->anext)
		unacked_release(acked);
	set_active(t);
	while (x) {
		struct xfer *nx = x->qnext;

		xfer_end(x);
		x = nx;
	}
}

/* A pread interrupted by a signal (the worker blocks them all, so rarely). */
static __attribute__((noinline)) int64_t file_read_again(const struct pxb_file *f, uint64_t off,
							 void *buf, size_t len)
{
	ssize_t n;

	do
		n = tftp_sys_pread(f->fd, buf, len, f->fd_offset + off);
	while (n < 0 && errno == EINTR);
	return n < 0 ? PXB_ERR_IO : (int64_t)n;
}

static int64_t file_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct pxb_file *f = ctx;
	ssize_t n;

	/* pxb_file_read() for a file on disk, inline: one call per block (in
	 * the worker thread). */
	/* The session reads within the size it was given, the file's. */
	if (f->fd < 0)
		return pxb_file_read(f, off, buf, len);
	n = tftp_sys_pread(f->fd, buf, len, f->fd_offset + off);
	if (n >= 0)
		return (int64_t)n;
	return errno == EINTR ? file_read_again(f, off, buf, len) : PXB_ERR_IO;
}

/* A socket bound to the local address the request arrived on, port 0. */
static int transfer_socket(struct in_addr local)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = local};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int sz = SOCKBUF;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void refuse(int fd, const struct sockaddr_in *to, int err)
{
	uint8_t e[128];
	int n = pxb_tftp_build_error_for(e, sizeof(e), err);

	if (n > 0)
		sendto(fd, e, (size_t)n, 0, (const struct sockaddr *)to, sizeof(*to));
}

/*
 * Puts a request from `from` to the admission policy; returns 1 when it
 * goes on (an unacknowledged transfer counted for its source: release it
 * with unacked_release or pxb_tftp_admit_release), 0 when it is dropped.
 */
static int admit(struct tftp *t, const struct sockaddr_in *from)
{
	pxb_ms_t now = pxbd_now();
	enum pxb_tftp_admit_verdict v = pxb_tftp_admit_request(t->admit, from->sin_addr.s_addr, now);
	struct pxb_tftp_report_in in = {.kind = PXB_TFTP_R_DROPPED, .admit = v};

	if (v == PXB_TFTP_ADMIT_OK)
		return 1;
	t->dropped++;
	/* One line a minute per reason, whatever the sources: a flood from
	 * many addresses must not become a flood of log lines. */
	report(t, &in, from);
	return 0;
}

static unsigned per_client(struct tftp *t, struct in_addr a)
{
	unsigned n = 0;

	for (struct xfer *x = t->list; x; x = x->next)
		n += x->peer.sin_addr.s_addr == a.s_addr;
	return n;
}

static void handle_request(struct tftp *t, const uint8_t *buf, size_t len,
			   const struct sockaddr_in *from, struct in_addr local)
{
	struct pxb_tftp_request req;
	struct pxb_client client;
	struct pxb_tftp_source src;
	struct pxb_tftp_out out;
	struct pxb_tftp_report_in in = {.name = req.filename, .req = &req};
	struct xfer *x;
	char p[64];
	int rc, fd;

	if (!admit(t, from))
		return;
	peer_str(from, p, sizeof(p));
	rc = pxb_tftp_request_parse(buf, len, &req);
	fd = transfer_socket(local);
	if (fd < 0) {
		pxbd_log(PXB_LOG_ERR, "tftp", "%s: cannot open a transfer socket: %s", p,
			 strerror(errno));
		pxb_tftp_admit_release(t->admit, from->sin_addr.s_addr, 0);
		return;
	}
	if (rc < 0) {
		pxb_tftp_admit_release(t->admit, from->sin_addr.s_addr, 0);
		t->malformed += rc == PXB_ERR_PROTO;
		in.kind = rc == PXB_ERR_PROTO ? PXB_TFTP_R_MALFORMED : PXB_TFTP_R_REFUSED;
		in.err = rc;
		report(t, &in, from);
		refuse(fd, from, rc);
		close(fd);
		return;
	}
	if (t->active >= t->max_transfers || per_client(t, from->sin_addr) >= t->max_per_client) {
		pxb_tftp_admit_release(t->admit, from->sin_addr.s_addr, 0);
		t->refused++;
		in.kind = PXB_TFTP_R_BUSY;
		report(t, &in, from);
		refuse(fd, from, PXB_ERR_BUSY);
		close(fd);
		return;
	}
	x = calloc(1, sizeof(*x) + req.filename_len + 1);
	if (!x) {
		pxb_tftp_admit_release(t->admit, from->sin_addr.s_addr, 0);
		refuse(fd, from, PXB_ERR_NOMEM);
		close(fd);
		return;
	}
	x->t = t;
	x->unacked = x->preack = 1; /* released by xfer_free from here on */
	x->fd = fd;
	x->peer = *from;
	x->gso = t->gso;
	x->file.fd = -1;
	x->started = pxbd_now();
	memcpy(x->name, req.filename, req.filename_len + 1);
	if (pxb_host_client_by_addr(t->d->host, from->sin_addr, &client) < 0) {
		memset(&client, 0, sizeof(client));
		client.arch = PXB_ARCH_UNKNOWN;
		client.addr = from->sin_addr;
	}
	client.server_addr = local;
	rc = pxb_vfs_open(t->d->vfs, req.filename, PXB_VFS_TFTP, &client, &x->file);
	if (rc < 0) {
		in.kind = PXB_TFTP_R_NOT_OPENED;
		in.err = rc;
		report(t, &in, from);
		refuse(fd, from, rc);
		x->file.release = NULL;
		close(fd);
		pxb_tftp_admit_release(t->admit, from->sin_addr.s_addr, 0);
		free(x);
		return;
	}
	in.kind = PXB_TFTP_R_STARTED;
	in.size = x->file.size;
	report(t, &in, from);
	src.ctx = &x->file;
	src.read = file_read;
	src.size = x->file.size;
	out.buf = t->obuf;
	out.cap = sizeof(t->obuf);
	rc = pxb_tftp_session_new(&t->limits, &req, &src, x->started, &x->s, &out);
	/* Linked before anything can fail, so xfer_free's bookkeeping holds. */
	x->next = t->list;
	if (t->list)
		t->list->prev = x;
	t->list = x;
	t->active++;
	set_active(t);
	if (rc < 0) {
		refuse(fd, from, rc);
		xfer_free(x);
		return;
	}
	/* What the first packet and its resends may send before an ACK counts
	 * against the source's budget until then. */
	x->charged = pxb_tftp_session_unacked_bytes(x->s);
	pxb_tftp_admit_charge(t->admit, from->sin_addr.s_addr, x->charged);
	/* The first packet (an OACK, DATA 1, or an ERROR) goes from here. */
	for (unsigned i = 0; i < out.npkts; i++)
		sendto(fd, out.pkts[i].data, out.pkts[i].len, 0, (const struct sockaddr *)from,
		       sizeof(*from));
	if (out.verdict != PXB_TFTP_RUNNING) {
		x->verdict = out.verdict;
		x->reason = out.reason;
		x->block = out.block;
		xfer_end(x);
		return;
	}
	x->armed = out.deadline;
	tftp_worker_submit(&t->w, x);
}

static void listen_rx(evutil_socket_t fd, short what, void *arg)
{
	struct tftp *t = arg;

	(void)what;
	for (int i = 0; i < RX_BURST; i++) {
		struct sockaddr_in from;
		struct in_addr local;
		ssize_t n = pxbd_udp_recv((int)fd, t->rxbuf, sizeof(t->rxbuf), &from, &local);

		if (n < 0)
			return;
		if (from.sin_family != AF_INET || from.sin_port == 0)
			continue;
		handle_request(t, t->rxbuf, (size_t)n, &from, local);
	}
}

/* Whether the kernel takes UDP_SEGMENT (Linux 4.18): one that does not
 * would send a segmented write whole, as one large datagram. */
static int gso_supported(void)
{
	static int known = -1;

	if (known < 0) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), zero = 0;

		known = fd >= 0 && setsockopt(fd, SOL_UDP, UDP_SEGMENT, &zero, sizeof(zero)) == 0;
		if (fd >= 0)
			close(fd);
	}
	return known;
}

/* Returns 0, or -1 when the admission state cannot be made (no memory). */
static int apply_limits(struct tftp *t, const pxb_conf *conf)
{
	const pxb_conf_node *r = pxb_conf_root(conf);
	struct pxb_tftp_admit_config ac = {0};

	pxb_tftp_limits_default(&t->limits);
	t->limits.max_blksize = (unsigned)pxb_conf_int(r, "tftp.max_blksize");
	t->limits.max_windowsize = (unsigned)pxb_conf_int(r, "tftp.max_windowsize");
	t->limits.retries = (unsigned)pxb_conf_int(r, "tftp.retries");
	t->limits.timeout_ms = pxb_conf_int(r, "tftp.timeout") * 1000;
	/* RFC 7440 sec 3 lets the server grant a smaller window: by default one
	 * that a default receive buffer takes in two chunks (lib/tftp_window.c). */
	t->limits.max_window_bytes = (unsigned)pxb_conf_int(r, "tftp.max_window_bytes");
	/* Lock-step blocks go out as soon as they are made (tftp_worker.c), so
	 * a storm of lock-step transfers shares the worker's output buffer and
	 * keeps no copy of its block. */
	t->limits.thread_buffer = 1;
	/* The first timeout is the configured one; once round trips have been
	 * measured it follows them (RFC 6298), down to this floor, so a lost
	 * window tail costs a few round trips instead of a second. */
	t->limits.min_timeout_ms = pxb_conf_int(r, "tftp.min_timeout_ms");
	t->max_transfers = (unsigned)pxb_conf_int(r, "tftp.max_transfers");
	t->max_per_client = (unsigned)pxb_conf_int(r, "tftp.max_per_client");
	/* Before the client's first ACK (lib/tftp_admit.c, tftp_session.c). */
	t->limits.max_client_timeout_ms = pxb_conf_int(r, "tftp.max_client_timeout") * 1000;
	ac.rate = (unsigned)pxb_conf_int(r, "tftp.rate");
	ac.rate_per_source = (unsigned)pxb_conf_int(r, "tftp.rate_per_source");
	ac.max_unacked = (unsigned)pxb_conf_int(r, "tftp.max_unacked");
	ac.max_unacked_per_source = (unsigned)pxb_conf_int(r, "tftp.max_unacked_per_source");
	ac.max_unacked_bytes_per_source =
		(uint64_t)pxb_conf_int(r, "tftp.max_unacked_bytes_per_source");
	if (t->admit)
		pxb_tftp_admit_configure(t->admit, &ac);
	else if (pxb_tftp_admit_new(&ac, &t->admit) < 0)
		return -1;
	t->gso = pxb_conf_bool(r, "tftp.udp_segmentation") && gso_supported();
	__atomic_store_n(&t->w.coalesce_us, (unsigned)pxb_conf_int(r, "tftp.coalesce_us"),
			 __ATOMIC_RELAXED);
	return 0;
}

static int tftp_start(struct pxbd *d)
{
	const pxb_conf_node *r = pxb_conf_root(d->conf);
	struct pxb_listen l;
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct tftp *t;
	int one = 1, sz = SOCKBUF;

	if (!pxb_conf_bool(r, "tftp.enable"))
		return 0;
	if (pxb_parse_listen(pxb_conf_string(r, "tftp.listen"), PXB_TFTP_PORT, &l) < 0 ||
	    l.family != AF_INET) {
		pxbd_log(PXB_LOG_ERR, "tftp", "tftp.listen: only IPv4 addresses are served");
		return -1;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	t->d = d;
	t->fd = -1;
	t->w.ep = t->w.wake_fd = t->w.done_fd = t->w.pace_fd = -1;
	if (pxb_host_events(d->host))
		pxb_tftp_report_declare(pxb_events_metrics(pxb_host_events(d->host)));
	if (apply_limits(t, d->conf) < 0)
		goto fail;
	inet_pton(AF_INET, l.host, &sin.sin_addr);
	sin.sin_port = htons(l.port);
	t->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		goto fail;
	setsockopt(t->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	setsockopt(t->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(t->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(t->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		goto fail;
	t->rx = event_new(d->base, t->fd, EV_READ | EV_PERSIST, listen_rx, t);
	if (!t->rx || event_add(t->rx, NULL) < 0)
		goto fail;
	if (tftp_worker_start(&t->w) < 0)
		goto fail;
	t->done_ev = event_new(d->base, t->w.done_fd, EV_READ | EV_PERSIST, done_rx, t);
	if (!t->done_ev || event_add(t->done_ev, NULL) < 0)
		goto fail;
	d->tftp = t;
	pxbd_log(PXB_LOG_INFO, "tftp", "listening on %s:%u", l.host, l.port);
	return 0;
fail:
	pxbd_log(PXB_LOG_ERR, "tftp", "cannot listen on %s:%u: %s", l.host, l.port,
		 strerror(errno));
	if (t->done_ev)
		event_free(t->done_ev);
	tftp_worker_stop(&t->w);
	if (t->rx)
		event_free(t->rx);
	if (t->fd >= 0)
		close(t->fd);
	pxb_tftp_admit_free(t->admit);
	free(t);
	return -1;
}

static int tftp_reload(struct pxbd *d)
{
	struct tftp *t = d->tftp;

	if (t)
		apply_limits(t, d->conf); /* new transfers use them; tftp.listen needs a restart */
	return 0;
}

static void tftp_stop(struct pxbd *d)
{
	struct tftp *t = d->tftp;

	if (!t)
		return;
	if (t->active)
		pxbd_log(PXB_LOG_NOTICE, "tftp", "closing %u open transfer(s)", t->active);
	/* The worker first: then every transfer is the loop's again. */
	tftp_worker_stop(&t->w);
	while (t->list)
		xfer_free(t->list);
	pxbd_log(PXB_LOG_INFO, "tftp",
		 "served %llu, failed %llu, refused %llu, dropped %llu, malformed %llu, "
		 "moderated wake-ups %llu",
		 (unsigned long long)t->served, (unsigned long long)t->failed,
		 (unsigned long long)t->refused, (unsigned long long)t->dropped,
		 (unsigned long long)t->malformed, (unsigned long long)t->w.moderated);
	pxb_tftp_admit_free(t->admit);
	event_free(t->done_ev);
	event_free(t->rx);
	close(t->fd);
	free(t);
	d->tftp = NULL;
}

const struct pxbd_service pxbd_tftp_service = {
	.name = "tftp",
	.start = tftp_start,
	.reload = tftp_reload,
	.stop = tftp_stop,
};
