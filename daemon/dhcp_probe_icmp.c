/*
 * dhcp_probe_icmp.c - the DHCP driver's probes (RFC 2131 4.4.1, dhcp.probe):
 * an ICMP echo request to an address the engine would offer, on a raw
 * socket opened before privileges are dropped, else an unprivileged ICMP
 * datagram socket; an echo reply from the address, or the timer of
 * dhcp.probe_timeout_ms, is reported to the engine, whose answer goes out
 * through dhcp_driver.c on the socket the DISCOVER came in on.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <pxeboot/dhcp_server.h>
#include "daemon.h"
#include "dhcp_driver.h"

/* The engine's answer once a probe is over: answered or timed out. */
static void probe_over(struct probe *p, int answered)
{
	struct dhcp *dh = p->dh;
	struct in_addr a = p->addr;
	struct dsock *s = NULL;
	struct pxb_dhcp_tx *tx = &dh->tx;

	evtimer_del(p->timer);
	p->addr.s_addr = 0;
	for (unsigned i = 0; i < dh->nsocks; i++)
		if (dh->socks[i].fd == p->fd)
			s = &dh->socks[i];
	if (answered)
		pxbd_log(PXB_LOG_WARNING, "dhcp", "%s answers a ping but has no lease here: "
			 "quarantined, not offered", inet_ntoa(a));
	pxb_dhcp_server_probe_done(dh->srv, a, answered, (int64_t)time(NULL), tx);
	if (s && tx->verdict != PXB_DHCP_V_IGNORE) {
		struct pxb_dhcp_rx rx = {.ifname = s->ifname, .dst_port = s->port};
		pxbd_dhcp_handle_tx(s, tx, NULL, 0, &rx);
	}
}

static void probe_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	probe_over(arg, 0);
}

static uint16_t icmp_sum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Sends an ICMP echo request to addr and starts its timer (RFC 2131 4.4.1). */
void pxbd_dhcp_start_probe(struct dsock *s, struct in_addr addr)
{
	struct dhcp *dh = s->dh;
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = addr};
	struct timeval tv = {dh->probe_ms / 1000, (dh->probe_ms % 1000) * 1000};
	struct probe *p = NULL;
	uint8_t echo[16] = {ICMP_ECHO, 0};
	uint16_t sum;

	for (unsigned i = 0; i < PROBES_MAX && !p; i++)
		if (!dh->probes[i].addr.s_addr)
			p = &dh->probes[i];
	if (!p) {
		/* the engine holds as many: a slot frees as soon as a timer fires */
		pxbd_log(PXB_LOG_WARNING, "dhcp", "too many probes in flight: %s not probed",
			 inet_ntoa(addr));
		return;
	}
	p->addr = addr;
	p->fd = s->fd;
	p->seq = ++dh->ping_seq;
	echo[4] = (uint8_t)(dh->ping_id >> 8);
	echo[5] = (uint8_t)dh->ping_id;
	echo[6] = (uint8_t)(p->seq >> 8);
	echo[7] = (uint8_t)p->seq;
	memcpy(echo + 8, "pxeboot", 8);
	sum = icmp_sum(echo, sizeof(echo));
	echo[2] = (uint8_t)(sum >> 8);
	echo[3] = (uint8_t)sum;
	if ((dh->icmp_fd < 0 ||
	     sendto(dh->icmp_fd, echo, sizeof(echo), 0, (struct sockaddr *)&to, sizeof(to)) < 0) &&
	    !dh->probe_warned++)
		pxbd_log(PXB_LOG_ERR, "dhcp", "cannot probe %s before offering it (%s): addresses "
			 "are offered after dhcp.probe_timeout_ms unchecked", inet_ntoa(addr),
			 dh->icmp_fd < 0 ? "no ICMP socket" : strerror(errno));
	evtimer_add(p->timer, &tv);
}

/* Echo replies: a probed address answered. */
static void icmp_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dhcp *dh = arg;
	uint8_t buf[512];

	(void)what;
	for (int burst = 0; burst < 64; burst++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom((int)fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		size_t off = 0;

		if (n < 0)
			return;
		if (dh->icmp_raw) {
			if (n < 20)
				continue;
			off = (size_t)(buf[0] & 0x0f) * 4;
		}
		if ((size_t)n < off + 8 || buf[off] != ICMP_ECHOREPLY)
			continue;
		/* a datagram socket's kernel sets the identifier; a raw one carries ours */
		if (dh->icmp_raw && (buf[off + 4] << 8 | buf[off + 5]) != dh->ping_id)
			continue;
		for (unsigned i = 0; i < PROBES_MAX; i++) {
			struct probe *p = &dh->probes[i];
			if (p->addr.s_addr && p->addr.s_addr == from.sin_addr.s_addr) {
				probe_over(p, 1);
				break;
			}
		}
	}
}

/* The probe socket, opened while privileges allow a raw one. */
int pxbd_dhcp_open_icmp(struct dhcp *dh)
{
	for (unsigned i = 0; i < PROBES_MAX; i++) {
		dh->probes[i].dh = dh;
		dh->probes[i].timer = evtimer_new(dh->d->base, probe_timeout_cb, &dh->probes[i]);
		if (!dh->probes[i].timer)
			return -1;
	}
	dh->icmp_raw = 1;
	dh->icmp_fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (dh->icmp_fd < 0) {
		dh->icmp_raw = 0;
		dh->icmp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	}
	if (dh->icmp_fd < 0) {
		pxbd_log(PXB_LOG_WARNING, "dhcp", "no ICMP socket for dhcp.probe: %s",
			 strerror(errno));
		return 0;
	}
	dh->ping_id = (uint16_t)getpid();
	dh->icmp_ev = event_new(dh->d->base, dh->icmp_fd, EV_READ | EV_PERSIST, icmp_cb, dh);
	if (!dh->icmp_ev || event_add(dh->icmp_ev, NULL) < 0)
		return -1;
	return 0;
}

/* Frees the probes' timers and closes the probe socket. */
void pxbd_dhcp_probe_close(struct dhcp *dh)
{
	for (unsigned i = 0; i < PROBES_MAX; i++)
		if (dh->probes[i].timer)
			event_free(dh->probes[i].timer);
	if (dh->icmp_ev)
		event_free(dh->icmp_ev);
	if (dh->icmp_fd >= 0)
		close(dh->icmp_fd);
}
