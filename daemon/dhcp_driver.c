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
 * What the engine refuses (malformed, a giaddr from no relay, over the
 * interface's rate) and an exhausted pool are counted in metrics and
 * logged at most once a minute per kind and interface (refused()), so a
 * flood from the LAN cannot flood the log.
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

static const char *type_name(int t)
{
	static const char *names[] = {"?", "DISCOVER", "OFFER", "REQUEST", "DECLINE",
				      "ACK", "NAK", "RELEASE", "INFORM"};

	return t > 0 && t <= 8 ? names[t] : "BOOTP";
}

static void send_now(int fd, const uint8_t *buf, size_t len, struct in_addr dst, uint16_t port)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = dst, .sin_port = htons(port)};

	if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		pxbd_log(PXB_LOG_WARNING, "dhcp", "send to %s:%u: %s", inet_ntoa(dst), port,
			 strerror(errno));
}

static void log_tx(struct dsock *s, const struct pxb_dhcp_tx *tx)
{
	char mac[18] = "?", tags[256] = "", ya[INET_ADDRSTRLEN] = "";
	const struct pxb_client *c = &tx->client;
	const char *arch;
	size_t o = 0;

	/* The line is made only when it is logged: this runs for every request. */
	if (!s->dh->log_info)
		return;
	arch = c->arch == PXB_ARCH_UNKNOWN ? "-" : pxb_arch_name(c->arch);
	if (c->has_mac)
		pxb_mac_format(c->mac, mac, ':');
	for (unsigned i = 0; i < c->ntags && o + PXB_TAG_LEN + 2 < sizeof(tags); i++)
		o += (size_t)snprintf(tags + o, sizeof(tags) - o, "%s%s", i ? "," : "", c->tags[i]);
	if (tx->yiaddr.s_addr)
		inet_ntop(AF_INET, &tx->yiaddr, ya, sizeof(ya));
	pxbd_log(tx->verdict == PXB_DHCP_V_IGNORE || tx->verdict == PXB_DHCP_V_EXHAUSTED
			 ? PXB_LOG_DEBUG : PXB_LOG_INFO, "dhcp",
		 "%s%s %s %s arch=%s user-class=%s tags=%s -> %s%s%s%s%s (%s)", s->ifname,
		 s->port == PXB_DHCP_PXE_PORT ? ":4011" : "", type_name(tx->req_type), mac,
		 arch ? arch : "?",
		 c->user_class[0] ? c->user_class : "-", tags[0] ? tags : "-",
		 pxb_dhcp_verdict_name(tx->verdict), ya[0] ? " " : "", ya,
		 tx->boot.offer && tx->boot.file[0] ? " file=" : "",
		 tx->boot.offer ? tx->boot.file : "", tx->why ? tx->why : "");
}

/* Counts the request and records it in the client's event stream (pxeboot/events.h). */
static void note_event(struct dsock *s, const struct pxb_dhcp_tx *tx, const uint8_t *buf,
		       size_t len, const struct pxb_dhcp_rx *rx)
{
	pxb_events *ev = pxb_host_events(s->dh->d->host);
	const struct pxb_client *c = &tx->client;
	struct pxb_event e;
	enum pxb_event_type type;
	char tags[PXB_EVENT_DETAIL_MAX] = "", detail[PXB_EVENT_DETAIL_MAX + 256];
	size_t o = 0;

	if (!ev)
		return;
	pxb_metrics_add(pxb_events_metrics(ev), "pxeboot_dhcp_packets_total", 1, "type",
			type_name(tx->req_type), "verdict", pxb_dhcp_verdict_name(tx->verdict), NULL);
	switch (tx->verdict) {
	case PXB_DHCP_V_OFFER: type = PXB_EV_DHCP_OFFER; break;
	case PXB_DHCP_V_ACK: type = PXB_EV_DHCP_ACK; break;
	case PXB_DHCP_V_NAK: type = PXB_EV_DHCP_NAK; break;
	case PXB_DHCP_V_IGNORE: type = PXB_EV_DHCP_NONE; break;
	case PXB_DHCP_V_EXHAUSTED: type = PXB_EV_DHCP_NONE; break;
	default: type = PXB_EV_DHCP_SEEN; break;
	}
	pxb_event_init(&e, type, pxbd_wall_ms());
	e.has_mac = c->has_mac;
	memcpy(e.mac, c->mac, 6);
	/* The address given, else the one the client says it has, else where it
	 * sent from (not through a relay, which sends from port 67). */
	e.addr = tx->yiaddr.s_addr ? tx->yiaddr : c->addr;
	if (!e.addr.s_addr && rx->src_port == PXB_DHCP_CLIENT_PORT)
		e.addr = rx->src;
	if (len >= 8)
		e.xid = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 | (uint32_t)buf[6] << 8 | buf[7];
	e.dhcp_type = (uint8_t)tx->req_type;
	e.arch = c->arch;
	/* Firmware and iPXE say their architecture; an operating system's DHCP does not. */
	if (c->arch != PXB_ARCH_UNKNOWN)
		e.flags |= PXB_EVF_PXE;
	if (strcmp(c->user_class, "iPXE") == 0)
		e.flags |= PXB_EVF_IPXE;
	if ((type == PXB_EV_DHCP_OFFER || type == PXB_EV_DHCP_ACK) && (e.flags & PXB_EVF_PXE) &&
	    !tx->boot.offer)
		e.flags |= PXB_EVF_NOBOOT;
	if (tx->boot.offer)
		pxb_event_set_path(&e, tx->boot.file);
	for (unsigned i = 0; i < c->ntags && o + PXB_TAG_LEN + 2 < sizeof(tags); i++)
		o += (size_t)snprintf(tags + o, sizeof(tags) - o, "%s%s", i ? "," : "", c->tags[i]);
	snprintf(detail, sizeof(detail), "%s%s%s%s%s", tx->why ? tx->why : "",
		 tags[0] && tx->why ? "; " : "", tags[0] ? "tags " : "", tags,
		 s->port == PXB_DHCP_PXE_PORT ? "; port 4011" : "");
	pxb_event_set_detail(&e, detail);
	pxb_events_add(ev, &e);
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

/* Logs, records and sends (or holds) what the engine said about one request. */
void pxbd_dhcp_handle_tx(struct dsock *s, struct pxb_dhcp_tx *tx, const uint8_t *buf, size_t len,
		      const struct pxb_dhcp_rx *rx)
{
	struct dhcp *dh = s->dh;

	log_tx(s, tx);
	note_event(s, tx, buf, len, rx);
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

/*
 * A datagram refused (malformed, giaddr from no relay, over the rate), or a
 * DISCOVER the pool had no address for: counted, and logged at most once a
 * minute per kind and interface (malformed: per sender, as before), however
 * many arrive and whatever source addresses they claim.
 */
static void refused(struct dsock *s, const struct pxb_dhcp_tx *tx, const uint8_t *buf,
		    struct in_addr from, uint16_t port)
{
	struct dhcp *dh = s->dh;
	pxb_events *ev = pxb_host_events(dh->d->host);
	pxb_metrics *m = ev ? pxb_events_metrics(ev) : NULL;
	uint32_t key = (uint32_t)(s - dh->socks) << 8 | (uint32_t)tx->verdict << 24;
	unsigned long long n = dh->counts[tx->verdict];
	char src[INET_ADDRSTRLEN], gi[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &from, src, sizeof(src));
	switch (tx->verdict) {
	case PXB_DHCP_V_DROP:
		dh->malformed++;
		if (m)
			pxb_metrics_add(m, "pxeboot_dhcp_malformed_total", 1, NULL);
		if (pxbd_log_ratelimit(from.s_addr ^ 0xd4c9, pxbd_now()))
			pxbd_log(PXB_LOG_NOTICE, "dhcp", "%s: malformed packet from %s:%u "
				 "dropped: %s (%llu so far)", s->ifname, src, port, tx->why,
				 (unsigned long long)dh->malformed);
		return;
	case PXB_DHCP_V_NOT_RELAY:
		if (m)
			pxb_metrics_add(m, "pxeboot_dhcp_not_relay_total", 1, "interface",
					s->ifname, NULL);
		inet_ntop(AF_INET, buf + 24, gi, sizeof(gi)); /* parsed: 236 octets at least */
		if (pxbd_log_ratelimit(key, pxbd_now()))
			pxbd_log(PXB_LOG_WARNING, "dhcp", "%s: request with giaddr %s from %s:%u, "
				 "which is no relay, dropped (%llu so far; dhcp.relays)", s->ifname,
				 gi, src, port, n);
		return;
	case PXB_DHCP_V_RATE_LIMITED:
		if (m)
			pxb_metrics_add(m, "pxeboot_dhcp_rate_limited_total", 1, "interface",
					s->ifname, NULL);
		if (pxbd_log_ratelimit(key, pxbd_now()))
			pxbd_log(PXB_LOG_WARNING, "dhcp", "%s: requests over dhcp.rate dropped "
				 "(%llu so far; this one from %s:%u)", s->ifname, n, src, port);
		return;
	case PXB_DHCP_V_EXHAUSTED:
		if (m)
			pxb_metrics_add(m, "pxeboot_dhcp_pool_exhausted_total", 1, "interface",
					s->ifname, NULL);
		if (pxbd_log_ratelimit(key, pxbd_now()))
			pxbd_log(PXB_LOG_WARNING, "dhcp", "%s: pool exhausted: %s, DISCOVER "
				 "unanswered (%llu so far)", s->ifname, tx->why, n);
		return;
	default:
		return;
	}
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
		if (tx->verdict == PXB_DHCP_V_DROP || tx->verdict == PXB_DHCP_V_NOT_RELAY ||
		    tx->verdict == PXB_DHCP_V_RATE_LIMITED) {
			refused(s, tx, dh->rxbuf, from.sin_addr, rx.src_port);
			continue;
		}
		if (tx->verdict == PXB_DHCP_V_EXHAUSTED)
			refused(s, tx, dh->rxbuf, from.sin_addr, rx.src_port);
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
	if (pxb_host_events(d->host)) {
		pxb_metrics *m = pxb_events_metrics(pxb_host_events(d->host));
		pxb_metrics_declare(m, "pxeboot_dhcp_packets_total", PXB_METRIC_COUNTER,
				    "DHCP requests by message type and verdict");
		pxb_metrics_declare(m, "pxeboot_dhcp_malformed_total", PXB_METRIC_COUNTER,
				    "malformed DHCP datagrams dropped");
		pxb_metrics_declare(m, "pxeboot_dhcp_not_relay_total", PXB_METRIC_COUNTER,
				    "requests with a giaddr from a sender that is no relay, "
				    "dropped");
		pxb_metrics_declare(m, "pxeboot_dhcp_rate_limited_total", PXB_METRIC_COUNTER,
				    "DHCP datagrams over dhcp.rate of their interface, dropped");
		pxb_metrics_declare(m, "pxeboot_dhcp_pool_exhausted_total", PXB_METRIC_COUNTER,
				    "DISCOVERs unanswered: no free address in the pool");
		pxb_metrics_declare(m, "pxeboot_dhcp_acks_withheld_total", PXB_METRIC_COUNTER,
				    "ACKs not sent: the lease store did not commit their lease");
	}
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
