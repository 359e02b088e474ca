/*
 * report_dhcp.c - what is said about each DHCP answer (pxeboot/report.h):
 * one row per verdict of the engine gives the request's line, the event
 * recorded for the client and, for a request refused or unanswered, the
 * counter and the rate-limited line that say so.
 *
 * Refusals (malformed, a giaddr from no relay, over dhcp.rate, an exhausted
 * pool) are logged at most once a minute per kind and socket (malformed:
 * per sender), however many arrive and whatever addresses they claim: a
 * flood from the LAN must not become a flood of log lines.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <pxeboot/dhcp.h>
#include "internal.h"
#include "report_internal.h"

/* The request's line: its values are %I..%W of values() below. */
#define REQUEST_LINE "%I%P %T %M arch=%A user-class=%U tags=%G -> %V%Y%F (%W)"

static const struct row {
	enum pxb_event_type event; /* 0: no answer at all (no event, no packet count) */
	int level;                 /* the request's line */
	const char *refusal;       /* a refusal's line, NULL: none */
	int refusal_level;
	const char *metric;        /* the refusal's counter */
	int per_interface;         /* the counter's label "interface" */
	int per_sender;            /* the line is limited per sender, not per socket */
} rows[PXB_DHCP_V_COUNT] = {
	[PXB_DHCP_V_IGNORE] = {PXB_EV_DHCP_NONE, PXB_LOG_DEBUG, NULL, 0, NULL, 0, 0},
	[PXB_DHCP_V_DROP] = {0, 0, "%I: malformed packet from %S dropped: %W (%N so far)",
			     PXB_LOG_NOTICE, "pxeboot_dhcp_malformed_total", 0, 1},
	[PXB_DHCP_V_OFFER] = {PXB_EV_DHCP_OFFER, PXB_LOG_INFO, NULL, 0, NULL, 0, 0},
	[PXB_DHCP_V_ACK] = {PXB_EV_DHCP_ACK, PXB_LOG_INFO, NULL, 0, NULL, 0, 0},
	[PXB_DHCP_V_NAK] = {PXB_EV_DHCP_NAK, PXB_LOG_INFO, NULL, 0, NULL, 0, 0},
	[PXB_DHCP_V_RELEASED] = {PXB_EV_DHCP_SEEN, PXB_LOG_INFO, NULL, 0, NULL, 0, 0},
	[PXB_DHCP_V_DECLINED] = {PXB_EV_DHCP_SEEN, PXB_LOG_INFO, NULL, 0, NULL, 0, 0},
	[PXB_DHCP_V_PROBE] = {PXB_EV_DHCP_SEEN, PXB_LOG_INFO, NULL, 0, NULL, 0, 0},
	[PXB_DHCP_V_EXHAUSTED] = {PXB_EV_DHCP_NONE, PXB_LOG_DEBUG,
				  "%I: pool exhausted: %W, DISCOVER unanswered (%N so far)",
				  PXB_LOG_WARNING, "pxeboot_dhcp_pool_exhausted_total", 1, 0},
	[PXB_DHCP_V_NOT_RELAY] = {0, 0, "%I: request with giaddr %R from %S, which is no relay, "
				  "dropped (%N so far; dhcp.relays)",
				  PXB_LOG_WARNING, "pxeboot_dhcp_not_relay_total", 1, 0},
	[PXB_DHCP_V_RATE_LIMITED] = {0, 0, "%I: requests over dhcp.rate dropped (%N so far; "
				     "this one from %S)",
				     PXB_LOG_WARNING, "pxeboot_dhcp_rate_limited_total", 1, 0},
};

static const struct pxb__metric_def metrics[] = {
	{"pxeboot_dhcp_packets_total", PXB_METRIC_COUNTER,
	 "DHCP requests by message type and verdict", 0},
	{"pxeboot_dhcp_malformed_total", PXB_METRIC_COUNTER, "malformed DHCP datagrams dropped", 0},
	{"pxeboot_dhcp_not_relay_total", PXB_METRIC_COUNTER,
	 "requests with a giaddr from a sender that is no relay, dropped", 0},
	{"pxeboot_dhcp_rate_limited_total", PXB_METRIC_COUNTER,
	 "DHCP datagrams over dhcp.rate of their interface, dropped", 0},
	{"pxeboot_dhcp_pool_exhausted_total", PXB_METRIC_COUNTER,
	 "DISCOVERs unanswered: no free address in the pool", 0},
	{"pxeboot_dhcp_acks_withheld_total", PXB_METRIC_COUNTER,
	 "ACKs not sent: the lease store did not commit their lease", 0},
};

int pxb_dhcp_report_declare(pxb_metrics *m)
{
	if (!m)
		return PXB_ERR_INVAL;
	return pxb__metrics_declare_all(m, metrics, sizeof(metrics) / sizeof(metrics[0]));
}

static const char *type_name(int t)
{
	static const char *names[] = {"?", "DISCOVER", "OFFER", "REQUEST", "DECLINE",
				      "ACK", "NAK", "RELEASE", "INFORM"};

	return t > 0 && t <= 8 ? names[t] : "BOOTP";
}

/* The client's tags, comma-separated, as many as fit in len bytes. */
static void tags_of(const struct pxb_client *c, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < c->ntags && o + PXB_TAG_LEN + 2 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "", c->tags[i]);
}

/* Records the answer as the client's event (pxeboot/events.h). */
static void note_event(pxb_events *ev, enum pxb_event_type type,
		       const struct pxb_dhcp_report_in *in)
{
	const struct pxb_dhcp_tx *tx = in->tx;
	const struct pxb_client *c = &tx->client;
	struct pxb_event e;
	char tags[PXB_EVENT_DETAIL_MAX], detail[PXB_EVENT_DETAIL_MAX + 256];

	pxb_event_init(&e, type, in->now_ms);
	e.has_mac = c->has_mac;
	memcpy(e.mac, c->mac, 6);
	/* The address given, else the one the client says it has, else where it
	 * sent from (not through a relay, which sends from port 67). */
	e.addr = tx->yiaddr.s_addr ? tx->yiaddr : c->addr;
	if (!e.addr.s_addr && in->rx->src_port == PXB_DHCP_CLIENT_PORT)
		e.addr = in->rx->src;
	if (in->buf && in->len >= 8)
		e.xid = (uint32_t)in->buf[4] << 24 | (uint32_t)in->buf[5] << 16 |
			(uint32_t)in->buf[6] << 8 | in->buf[7];
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
	tags_of(c, tags, sizeof(tags));
	snprintf(detail, sizeof(detail), "%s%s%s%s%s", tx->why ? tx->why : "",
		 tags[0] && tx->why ? "; " : "", tags[0] ? "tags " : "", tags,
		 in->rx->dst_port == PXB_DHCP_PXE_PORT ? "; port 4011" : "");
	pxb_event_set_detail(&e, detail);
	pxb_events_add(ev, &e);
}

int pxb_dhcp_report(pxb_events *ev, const struct pxb_dhcp_report_in *in, struct pxb_report *out)
{
	const struct pxb_dhcp_tx *tx;
	const struct pxb_client *c;
	const struct row *r;
	pxb_metrics *m;
	const char *val[PXB__REPORT_VALS] = {0}, *arch;
	char mac[18] = "?", tags[256], ya[INET_ADDRSTRLEN + 1] = "", src[INET_ADDRSTRLEN + 8];
	char gi[INET_ADDRSTRLEN] = "", file[sizeof(tx->boot.file) + 8];
	pxb__report_nums num;
	int refusal;

	if (!out)
		return PXB_ERR_INVAL;
	out->nlines = 0;
	if (!in || !in->tx || !in->rx || (unsigned)in->tx->verdict >= PXB_DHCP_V_COUNT)
		return PXB_ERR_INVAL;
	tx = in->tx;
	c = &tx->client;
	r = &rows[tx->verdict];
	m = ev ? pxb_events_metrics(ev) : NULL;
	/* A refusal is said of a datagram read; an answer that comes later
	 * (after a probe) has only its request's line. */
	refusal = r->refusal && in->buf;
	if (!refusal && !r->event)
		return 0;
	val['I' - 'A'] = in->rx->ifname ? in->rx->ifname : "";
	val['W' - 'A'] = tx->why ? tx->why : "";
	if (refusal) {
		uint32_t key = in->scope << 8 | (uint32_t)tx->verdict << 24;

		if (m && r->per_interface)
			pxb_metrics_add(m, r->metric, 1, "interface", val['I' - 'A'], NULL);
		else if (m)
			pxb_metrics_add(m, r->metric, 1, NULL);
		inet_ntop(AF_INET, &in->rx->src, src, sizeof(src));
		snprintf(src + strlen(src), sizeof(src) - strlen(src), ":%u", in->rx->src_port);
		if (in->len >= 28)
			inet_ntop(AF_INET, in->buf + 24, gi, sizeof(gi)); /* giaddr */
		pxb__report_num(val, num, 'N', in->so_far);
		val['S' - 'A'] = src;
		val['R' - 'A'] = gi;
		pxb__report_say(out, r->refusal_level, in->log_max, 1,
				r->per_sender ? in->rx->src.s_addr ^ 0xd4c9 : key, r->refusal, val);
	}
	if (!r->event)
		return 0;
	if (m)
		pxb_metrics_add(m, "pxeboot_dhcp_packets_total", 1, "type", type_name(tx->req_type),
				"verdict", pxb_dhcp_verdict_name(tx->verdict), NULL);
	if (ev)
		note_event(ev, r->event, in);
	/* The line is made only when it is logged: this runs for every request. */
	if (r->level > in->log_max)
		return 0;
	arch = c->arch == PXB_ARCH_UNKNOWN ? "-" : pxb_arch_name(c->arch);
	if (c->has_mac)
		pxb_mac_format(c->mac, mac, ':');
	tags_of(c, tags, sizeof(tags));
	if (tx->yiaddr.s_addr) {
		ya[0] = ' ';
		inet_ntop(AF_INET, &tx->yiaddr, ya + 1, sizeof(ya) - 1);
	}
	snprintf(file, sizeof(file), "%s%s", tx->boot.offer && tx->boot.file[0] ? " file=" : "",
		 tx->boot.offer ? tx->boot.file : "");
	val['P' - 'A'] = in->rx->dst_port == PXB_DHCP_PXE_PORT ? ":4011" : "";
	val['T' - 'A'] = type_name(tx->req_type);
	val['M' - 'A'] = mac;
	val['A' - 'A'] = arch ? arch : "?";
	val['U' - 'A'] = c->user_class[0] ? c->user_class : "-";
	val['G' - 'A'] = tags[0] ? tags : "-";
	val['V' - 'A'] = pxb_dhcp_verdict_name(tx->verdict);
	val['Y' - 'A'] = ya;
	val['F' - 'A'] = file;
	pxb__report_say(out, r->level, in->log_max, 0, 0, REQUEST_LINE, val);
	return 0;
}
