/*
 * dhcp_driver.c - DHCP on the event loop: one socket per configured
 * interface on port 67 (and 4011 in proxy mode), the lease store, and the
 * rule that an ACK leaves only once its lease is on disk.
 *
 * Durability without losing the rate: replies that bind a lease wait in a
 * queue; an event of the lowest priority runs once per loop iteration,
 * after every socket has been read, and asks the lease store
 * (dhcp.lease_store, pxeboot/lease_store.h) to commit the batch: the
 * journal with one write and one fdatasync, PostgreSQL with one
 * transaction. When the store reports the batch settled (at once, or later
 * for a database), what was committed is sent; an ACK whose lease the store
 * rejected (another server gave the address first, the database was
 * unreachable) is dropped and counted, and the client asks again.
 *
 * Sockets are bound to their interface (SO_BINDTODEVICE), so DHCP is never
 * answered on an interface the configuration does not name.
 *
 * While the loop waits in fdatasync nothing is read; requests arriving then
 * wait in the socket's receive buffer, so that buffer is made large enough
 * for a burst (RCVBUF_BYTES) instead of the kernel's default of ~200 KiB,
 * which holds only about a hundred datagrams: a storm of booting machines
 * would otherwise see requests dropped during every disk flush.
 *
 * The flush event runs only when no socket is readable, so under a steady
 * flood it would wait, and the held replies pile up, until the buffer
 * drains; a batch is therefore also flushed as soon as HOLD_MAX replies
 * wait, which bounds both their memory and how long an ACK waits.
 *
 * Probes (RFC 2131 4.4.1, dhcp.probe): when the engine answers PROBE, an ICMP
 * echo request goes to the address (a raw socket opened before privileges
 * are dropped, else an unprivileged ICMP datagram socket) and a timer of
 * dhcp.probe_timeout_ms starts; an echo reply from the address, or the
 * timer, is reported to the engine, whose answer (an OFFER, another probe)
 * is sent on the socket the DISCOVER came in on (dhcp_probe_icmp.c).
 *
 * A lease journal whose header is damaged (or that is not one) leaves DHCP
 * off, with an error saying what to do; TFTP and HTTP go on.
 *
 * What is said about each answer (its log line, the client's event, the
 * counters) comes from the library's DHCP reporter (pxb_dhcp_report(),
 * lib/report_dhcp.c); what the engine refuses (malformed, a giaddr from no
 * relay, over the interface's rate) and an exhausted pool are logged there
 * at most once a minute per kind and interface, so a flood from the LAN
 * cannot flood the log.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pxeboot/dhcp_server.h>
#include "daemon.h"
#include "dhcp_driver.h"
#include "services.h"

#define RCVBUF_BYTES (4 << 20)
#define HOLD_MAX 256 /* ACKs waiting for one flush at most */
#define HOLD_LIMIT 16384 /* ACKs waiting for a slow store at most; more are dropped */

struct held {
	int fd;
	uint64_t seq;
	struct in_addr dst;
	uint16_t port;
	size_t len;
	uint8_t buf[PXB_DHCP_TX_MAX];
};

static void report_log(void *arg, const char *line)
{
	(void)arg;
	pxbd_log(PXB_LOG_ERR, "dhcp", "%s", line);
}

static void send_now(int fd, const uint8_t *buf, size_t len, struct in_addr dst, uint16_t port)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = dst, .sin_port = htons(port)};

	if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		pxbd_log(PXB_LOG_WARNING, "dhcp", "send to %s:%u: %s", inet_ntoa(dst), port,
			 strerror(errno));
}

static void flush_cb(evutil_socket_t fd, short what, void *arg);

/* Counts ACKs not sent because their lease was not committed. */
static void withhold(struct dhcp *dh, unsigned n)
{
	pxb_events *ev = pxb_host_events(dh->d->host);

	dh->withheld += n;
	if (ev)
		pxb_metrics_add(pxb_events_metrics(ev), "pxeboot_dhcp_acks_withheld_total", n, NULL);
}

static void hold(struct dhcp *dh, int fd, const struct pxb_dhcp_tx *tx)
{
	struct held *h;

	if (dh->nheld >= HOLD_MAX)
		flush_cb(-1, 0, dh); /* a full batch: commit it now */
	if (dh->nheld >= HOLD_LIMIT) {
		/* the store is slow or away: the client retries (RFC 2131 4.1) */
		withhold(dh, 1);
		return;
	}
	if (dh->nheld == dh->capheld) {
		unsigned cap = dh->capheld ? dh->capheld * 2 : 64;
		struct held *n = realloc(dh->held, cap * sizeof(*n));
		if (!n) {
			pxbd_log(PXB_LOG_ERR, "dhcp", "out of memory: reply dropped");
			return;
		}
		dh->held = n;
		dh->capheld = cap;
	}
	h = &dh->held[dh->nheld++];
	h->fd = fd;
	h->seq = tx->hold_seq;
	h->dst = tx->dst;
	h->port = tx->dst_port;
	h->len = tx->len;
	memcpy(h->buf, tx->buf, tx->len);
	event_active(dh->flush_ev, 0, 0);
}

/* Runs once per loop iteration after all reads: the store commits the batch. */
static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dhcp *dh = arg;

	(void)fd;
	(void)what;
	if (dh->leases && dh->store)
		dh->store->commit(dh->store_be);
}

static int is_rejected(uint64_t seq, const uint64_t *rejected, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rejected[mid] == seq)
			return 1;
		if (rejected[mid] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The store decided every change up to settled: send what was committed. */
static void settled_cb(void *arg, uint64_t settled, const uint64_t *rejected, size_t nrejected)
{
	struct dhcp *dh = arg;
	unsigned j = 0, dropped = 0;

	for (unsigned i = 0; i < dh->nheld; i++) {
		struct held *h = &dh->held[i];
		if (h->seq > settled)
			dh->held[j++] = *h;
		else if (is_rejected(h->seq, rejected, nrejected))
			dropped++;
		else
			send_now(h->fd, h->buf, h->len, h->dst, h->port);
	}
	dh->nheld = j;
	if (dropped)
		withhold(dh, dropped);
}

/* Logs, records and sends (or holds) what the engine said about one request
 * (buf NULL: an answer after a probe, no datagram read). */
void pxbd_dhcp_handle_tx(struct dsock *s, struct pxb_dhcp_tx *tx, const uint8_t *buf, size_t len,
		      const struct pxb_dhcp_rx *rx)
{
	struct dhcp *dh = s->dh;
	unsigned v = (unsigned)tx->verdict;
	struct pxb_dhcp_report_in in = {
		.tx = tx, .rx = rx, .buf = buf, .len = len,
		.so_far = v == PXB_DHCP_V_DROP ? dh->malformed
			  : v < PXB_DHCP_V_COUNT ? dh->counts[v] : 0,
		.scope = (uint32_t)(s - dh->socks), .now_ms = pxbd_wall_ms(),
		/* The request's line is made only when it is logged. */
		.log_max = dh->log_info ? PXB_LOG_DEBUG : PXB_LOG_NOTICE,
	};
	struct pxb_report r;

	pxb_dhcp_report(pxb_host_events(dh->d->host), &in, &r);
	pxbd_log_report("dhcp", &r);
	if (tx->verdict == PXB_DHCP_V_ACK && tx->yiaddr.s_addr) {
		struct pxb_client c = tx->client;
		c.addr = tx->yiaddr;
		pxb_host_note_client(dh->d->host, &c);
	} else if (tx->client.has_mac && (tx->verdict == PXB_DHCP_V_OFFER ||
					  tx->verdict == PXB_DHCP_V_ACK)) {
		/*
		 * No lease (a proxy): the client's address is the one its
		 * request came from, not ciaddr, its word (the HTTP side
		 * believes a MAC only from the address noted here).
		 */
		struct pxb_client c = tx->client;
		if (c.addr.s_addr != rx->src.s_addr)
			c.addr.s_addr = 0;
		pxb_host_note_client(dh->d->host, &c);
	}
	if (tx->verdict == PXB_DHCP_V_PROBE)
		pxbd_dhcp_start_probe(s, tx->probe_addr);
	if (!tx->len)
		return;
	if (tx->hold_seq)
		hold(dh, s->fd, tx);
	else
		send_now(s->fd, tx->buf, tx->len, tx->dst, tx->dst_port);
}

static void rx_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dsock *s = arg;
	struct dhcp *dh = s->dh;

	(void)what;
	for (int burst = 0; burst < 64; burst++) {
		struct sockaddr_in from;
		struct pxb_dhcp_rx rx = {.ifname = s->ifname, .dst_port = s->port};
		struct pxb_dhcp_tx *tx = &dh->tx;
		ssize_t n = pxbd_udp_recv((int)fd, dh->rxbuf, sizeof(dh->rxbuf), &from, &rx.local);

		if (n < 0)
			return;
		rx.src = from.sin_addr;
		rx.src_port = ntohs(from.sin_port);
		pxb_dhcp_server_input(dh->srv, dh->rxbuf, (size_t)n, &rx, (int64_t)time(NULL), tx);
		if ((unsigned)tx->verdict < PXB_DHCP_V_COUNT)
			dh->counts[tx->verdict]++;
		dh->malformed += tx->verdict == PXB_DHCP_V_DROP;
		pxbd_dhcp_handle_tx(s, tx, dh->rxbuf, (size_t)n, &rx);
	}
}

/*
 * bcast: bound to 255.255.255.255, the socket hears only broadcasts to it
 * (dhcp.broadcast_only): a socket on 0.0.0.0 bound to the interface would
 * share unicast to port 67 with the DHCP server of the same host, and the
 * kernel gives each datagram to one of them (to the socket bound last), so
 * a proxy would swallow the renewals of RFC 2131 4.4.5.
 */
static int open_sock(struct dhcp *dh, const char *ifname, uint16_t port, int bcast)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = bcast ? htonl(INADDR_BROADCAST) : htonl(INADDR_ANY)};
	struct dsock *s = &dh->socks[dh->nsocks];
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	/* Room for the requests that arrive during an fdatasync (see the top). */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){RCVBUF_BYTES}, sizeof(int)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){RCVBUF_BYTES}, sizeof(int));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		goto fail;
	s->dh = dh;
	s->fd = fd;
	s->port = port;
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	s->ev = event_new(dh->d->base, fd, EV_READ | EV_PERSIST, rx_cb, s);
	if (!s->ev || event_add(s->ev, NULL) < 0)
		goto fail;
	dh->nsocks++;
	pxbd_log(PXB_LOG_INFO, "dhcp", "listening on %s port %u%s", ifname, port,
		 bcast ? " (broadcasts only)" : "");
	return 0;
fail:
	pxbd_log(PXB_LOG_ERR, "dhcp", "dhcp.interfaces: cannot serve %s port %u: %s", ifname,
		 port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Builds setup + engine from d->conf; on success replaces the old ones. */
static int build_engine(struct dhcp *dh)
{
	struct pxb_dhcp_setup *setup;
	struct pxb_dhcp_server *srv;
	const struct pxb_match_host_config *hosts;
	size_t nhosts;
	int rc;

	if (pxb_dhcp_setup_from_conf(dh->d->conf, &setup, report_log, NULL) < 0)
		return -1;
	{
		const char *lv = pxb_conf_string(pxb_conf_root(dh->d->conf), "log_level");
		dh->log_info = dh->d->debug || !lv || strcmp(lv, "info") == 0 ||
			       strcmp(lv, "debug") == 0;
	}
	hosts = pxb_dhcp_setup_hosts(setup, &nhosts);
	if (dh->leases)
		pxb_lease_pool_clear(dh->leases);
	rc = pxb_dhcp_server_new(pxb_dhcp_setup_server(setup), pxb_dhcp_setup_rules(setup), hosts,
				 nhosts, dh->leases, &srv);
	if (rc < 0) {
		pxbd_log(PXB_LOG_ERR, "dhcp", "cannot start the DHCP engine: %s%s", pxb_strerror(rc),
			 rc == PXB_ERR_INVAL ? " (server mode needs dhcp.subnets with pools)" : "");
		pxb_dhcp_setup_free(setup);
		return -1;
	}
	/* Rescue on demand: the policy may take a boot offer back ("not armed"). */
	pxb_dhcp_server_set_gate(srv, pxbd_policy_gate, dh->d->host);
	pxb_dhcp_server_free(dh->srv);
	pxb_dhcp_setup_free(dh->setup);
	dh->srv = srv;
	dh->setup = setup;
	return 0;
}

/* Opens the lease store dhcp.lease_store names: 0, 1 (it refused: DHCP off), -1. */
static int open_leases(struct dhcp *dh)
{
	const char *name = pxb_conf_string(pxb_conf_root(dh->d->conf), "dhcp.lease_store");
	void *arg = NULL;
	int rc;

	dh->store = strcmp(name, "journal") == 0 ? &pxbd_lease_journal
		    : pxb_host_find(dh->d->host, PXB_SVC_LEASE_STORE, name, &arg);
	if (!dh->store) {
		pxbd_log(PXB_LOG_ERR, "dhcp", "dhcp.lease_store: no lease store \"%s\" (is its "
			 "plugin in plugins?)", name);
		return -1;
	}
	rc = dh->store->open(arg, dh->d->conf, (int64_t)time(NULL), settled_cb, dh, &dh->leases,
			     &dh->store_be);
	if (rc == 1) {
		dh->store = NULL;
		return 1;
	}
	if (rc < 0) {
		pxbd_log(PXB_LOG_ERR, "dhcp", "lease store %s: %s", name, pxb_strerror(rc));
		dh->store = NULL;
		dh->leases = NULL;
		return -1;
	}
	return 0;
}

struct lease_count {
	int64_t now;
	unsigned bound, offered, declined;
};

static int count_lease(const struct pxb_lease *l, void *arg)
{
	struct lease_count *n = arg;

	if (!pxb_lease_is_live(l, n->now))
		return 0;
	n->bound += l->state == PXB_LEASE_BOUND;
	n->offered += l->state == PXB_LEASE_OFFERED;
	n->declined += l->state == PXB_LEASE_DECLINED;
	return 0;
}

/* Lease gauges, computed when the metrics are read. */
static void collect_leases(void *arg, pxb_metrics *m)
{
	struct dhcp *dh = arg;
	const struct pxb_dhcp_server_config *cfg = pxb_dhcp_setup_server(dh->setup);
	struct lease_count n = {.now = (int64_t)time(NULL)};
	uint64_t pool = 0, used;

	for (size_t i = 0; cfg && i < cfg->nsubnets; i++) {
		uint32_t a = ntohl(cfg->subnets[i].pool_start.s_addr);
		uint32_t b = ntohl(cfg->subnets[i].pool_end.s_addr);
		if (a && b >= a)
			pool += (uint64_t)b - a + 1;
	}
	pxb_lease_foreach(dh->leases, count_lease, &n);
	used = (uint64_t)n.bound + n.offered + n.declined;
	pxb_metrics_set(m, "pxeboot_dhcp_leases", n.bound, "state", "bound", NULL);
	pxb_metrics_set(m, "pxeboot_dhcp_leases", n.offered, "state", "offered", NULL);
	pxb_metrics_set(m, "pxeboot_dhcp_leases", n.declined, "state", "declined", NULL);
	pxb_metrics_set(m, "pxeboot_dhcp_leases", (double)(pool > used ? pool - used : 0), "state",
			"free", NULL);
}

static void dhcp_stop(struct pxbd *d);

static int dhcp_start(struct pxbd *d)
{
	const pxb_conf_node *r = pxb_conf_root(d->conf);
	const char *mode = pxb_conf_string(r, "dhcp.mode");
	struct dhcp *dh;
	int proxy = strcmp(mode, "proxy") == 0;

	if (strcmp(mode, "off") == 0)
		return 0;
	dh = calloc(1, sizeof(*dh));
	if (!dh)
		return -1;
	dh->d = d;
	if (pxb_host_events(d->host))
		pxb_dhcp_report_declare(pxb_events_metrics(pxb_host_events(d->host)));
	d->dhcp = dh;
	dh->icmp_fd = -1;
	dh->probe_ms = (unsigned)pxb_conf_int(r, "dhcp.probe_timeout_ms");
	dh->flush_ev = event_new(d->base, -1, 0, flush_cb, dh);
	if (!dh->flush_ev || event_priority_set(dh->flush_ev, PXBD_PRIO_LAST) < 0)
		goto fail;
	if (!proxy) {
		int rc = open_leases(dh);
		if (rc < 0)
			goto fail;
		if (rc > 0) {
			dhcp_stop(d); /* the rest of the daemon goes on */
			return 0;
		}
		if (strcmp(pxb_conf_string(r, "dhcp.probe"), "never") != 0 &&
		    pxbd_dhcp_open_icmp(dh) < 0)
			goto fail;
	}
	if (build_engine(dh) < 0)
		goto fail;
	for (unsigned i = 0; i < pxb_conf_count(r, "dhcp.interfaces"); i++) {
		const char *ifn = pxb_conf_elem_string(r, "dhcp.interfaces", i);
		if (dh->nsocks + 2 > MAX_IFS * 2) {
			pxbd_log(PXB_LOG_ERR, "dhcp", "dhcp.interfaces: at most %d", MAX_IFS);
			goto fail;
		}
		if (open_sock(dh, ifn, PXB_DHCP_SERVER_PORT,
			      proxy && pxb_conf_bool(r, "dhcp.broadcast_only")) < 0 ||
		    (proxy && open_sock(dh, ifn, PXB_DHCP_PXE_PORT, 0) < 0))
			goto fail;
	}
	if (dh->leases && pxb_host_events(d->host)) {
		pxb_metrics *m = pxb_events_metrics(pxb_host_events(d->host));
		pxb_metrics_declare(m, "pxeboot_dhcp_leases", PXB_METRIC_GAUGE,
				    "addresses of the pools by lease state (free: in no lease)");
		pxb_metrics_on_collect(m, collect_leases, dh);
	}
	pxb_host_set_leases(d->host, dh->leases);
	pxbd_log(PXB_LOG_NOTICE, "dhcp", "serving in %s mode", mode);
	return 0;
fail:
	dhcp_stop(d);
	return -1;
}

static int dhcp_reload(struct pxbd *d)
{
	struct dhcp *dh = d->dhcp;

	if (!dh) {
		if (strcmp(pxb_conf_string(pxb_conf_root(d->conf), "dhcp.mode"), "off") != 0)
			pxbd_log(PXB_LOG_WARNING, "dhcp", "dhcp.mode changed: restart pxebootd");
		return 0;
	}
	/* Rules, hosts and pools follow the file; interfaces and mode need a restart. */
	return build_engine(dh) < 0 ? -1 : 0;
}

static void dhcp_stop(struct pxbd *d)
{
	struct dhcp *dh = d->dhcp;

	if (!dh)
		return;
	pxb_host_set_leases(d->host, NULL);
	if (pxb_host_events(d->host))
		pxb_metrics_on_collect(pxb_events_metrics(pxb_host_events(d->host)), NULL, dh);
	if (dh->flush_ev) {
		flush_cb(-1, 0, dh); /* what is staged goes to disk; durable ACKs go out */
		event_free(dh->flush_ev);
	}
	for (unsigned i = 0; i < dh->nsocks; i++) {
		event_free(dh->socks[i].ev);
		close(dh->socks[i].fd);
	}
	pxbd_dhcp_probe_close(dh);
	if (dh->nsocks)
		pxbd_log(PXB_LOG_INFO, "dhcp", "offers %llu, acks %llu, naks %llu, malformed %llu, "
			 "pool exhausted %llu, not from a relay %llu, over the rate %llu",
			 (unsigned long long)dh->counts[PXB_DHCP_V_OFFER],
			 (unsigned long long)dh->counts[PXB_DHCP_V_ACK],
			 (unsigned long long)dh->counts[PXB_DHCP_V_NAK],
			 (unsigned long long)dh->malformed,
			 (unsigned long long)dh->counts[PXB_DHCP_V_EXHAUSTED],
			 (unsigned long long)dh->counts[PXB_DHCP_V_NOT_RELAY],
			 (unsigned long long)dh->counts[PXB_DHCP_V_RATE_LIMITED]);
	pxb_dhcp_server_free(dh->srv);
	pxb_dhcp_setup_free(dh->setup);
	if (dh->store)
		dh->store->close(dh->store_be);
	free(dh->held);
	free(dh);
	d->dhcp = NULL;
}

const struct pxbd_service pxbd_dhcp_service = {
	.name = "dhcp",
	.start = dhcp_start,
	.reload = dhcp_reload,
	.stop = dhcp_stop,
};
