/*
 * report_test.c - the DHCP, TFTP and HTTP reporters (pxeboot/report.h):
 * every verdict of the DHCP engine, every TFTP outcome and every way an
 * HTTP request ends, each checked for the lines it makes (level, rate
 * limit, words), the event it records and the counters it moves. The expected words are written out here, not taken
 * from the reporters' tables, so a wrong row fails.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/report.h>
#include "tap.h"

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const char *MACS = "52:54:00:12:34:56";
#define T0 1700000000000LL

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

struct want_line {
	int level;
	int limited;
	uint32_t key;
	const char *text;
};

static void check_line(const struct pxb_report *r, unsigned i, const struct want_line *w,
		       const char *what)
{
	if (!w->text) {
		is_int((int)r->nlines, (int)i, "%s: %u line(s)", what, i);
		return;
	}
	if (!ok(r->nlines > i, "%s: line %u made", what, i))
		return;
	is_int(r->line[i].level, w->level, "%s: line %u level", what, i);
	is_int(r->line[i].limited, w->limited, "%s: line %u rate-limited", what, i);
	if (w->limited)
		is_int((long long)r->line[i].limit_key, (long long)w->key, "%s: line %u key", what,
		       i);
	is_str(r->line[i].text, w->text, "%s: line %u words", what, i);
}

/* The client's only event, or NULL. */
static const struct pxb_event *only_event(pxb_events *ev, const char *id, const char *what)
{
	static struct pxb_event e[4];
	int n = pxb_events_get(ev, id, e, 4);

	is_int(n, 1, "%s: one event", what);
	return n == 1 ? &e[0] : NULL;
}

/* ---- DHCP --------------------------------------------------------------- */

static const struct dhcp_case {
	enum pxb_dhcp_verdict v;
	struct want_line line[2];
	enum pxb_event_type event;
	const char *metric; /* the refusal's counter, and its label interface (0/1) */
	int per_interface;
} dhcp_cases[] = {
	{PXB_DHCP_V_IGNORE,
	 {{PXB_LOG_DEBUG, 0, 0, "veth0 DISCOVER 52:54:00:12:34:56 arch=efi-x64 user-class=iPXE "
	   "tags=a,b -> ignore (because)"}, {0}},
	 PXB_EV_DHCP_NONE, NULL, 0},
	{PXB_DHCP_V_DROP,
	 {{PXB_LOG_NOTICE, 1, 0, "veth0: malformed packet from 198.18.0.99:68 dropped: because "
	   "(7 so far)"}, {0}},
	 0, "pxeboot_dhcp_malformed_total", 0},
	{PXB_DHCP_V_OFFER,
	 {{PXB_LOG_INFO, 0, 0, "veth0 DISCOVER 52:54:00:12:34:56 arch=efi-x64 user-class=iPXE "
	   "tags=a,b -> offer 198.18.0.10 file=ipxe.efi (because)"}, {0}},
	 PXB_EV_DHCP_OFFER, NULL, 0},
	{PXB_DHCP_V_ACK,
	 {{PXB_LOG_INFO, 0, 0, "veth0 DISCOVER 52:54:00:12:34:56 arch=efi-x64 user-class=iPXE "
	   "tags=a,b -> ack 198.18.0.10 file=ipxe.efi (because)"}, {0}},
	 PXB_EV_DHCP_ACK, NULL, 0},
	{PXB_DHCP_V_NAK,
	 {{PXB_LOG_INFO, 0, 0, "veth0 DISCOVER 52:54:00:12:34:56 arch=efi-x64 user-class=iPXE "
	   "tags=a,b -> nak (because)"}, {0}},
	 PXB_EV_DHCP_NAK, NULL, 0},
	{PXB_DHCP_V_RELEASED,
	 {{PXB_LOG_INFO, 0, 0, "veth0 DISCOVER 52:54:00:12:34:56 arch=efi-x64 user-class=iPXE "
	   "tags=a,b -> released (because)"}, {0}},
	 PXB_EV_DHCP_SEEN, NULL, 0},
	{PXB_DHCP_V_DECLINED,
	 {{PXB_LOG_INFO, 0, 0, "veth0 DISCOVER 52:54:00:12:34:56 arch=efi-x64 user-class=iPXE "
	   "tags=a,b -> declined (because)"}, {0}},
	 PXB_EV_DHCP_SEEN, NULL, 0},
	{PXB_DHCP_V_PROBE,
	 {{PXB_LOG_INFO, 0, 0, "veth0 DISCOVER 52:54:00:12:34:56 arch=efi-x64 user-class=iPXE "
	   "tags=a,b -> probe (because)"}, {0}},
	 PXB_EV_DHCP_SEEN, NULL, 0},
	{PXB_DHCP_V_EXHAUSTED,
	 {{PXB_LOG_WARNING, 1, 3u << 8 | (uint32_t)PXB_DHCP_V_EXHAUSTED << 24,
	   "veth0: pool exhausted: because, DISCOVER unanswered (7 so far)"},
	  {PXB_LOG_DEBUG, 0, 0, "veth0 DISCOVER 52:54:00:12:34:56 arch=efi-x64 user-class=iPXE "
	   "tags=a,b -> exhausted (because)"}},
	 PXB_EV_DHCP_NONE, "pxeboot_dhcp_pool_exhausted_total", 1},
	{PXB_DHCP_V_NOT_RELAY,
	 {{PXB_LOG_WARNING, 1, 3u << 8 | (uint32_t)PXB_DHCP_V_NOT_RELAY << 24,
	   "veth0: request with giaddr 198.18.5.1 from 198.18.0.99:68, which is no relay, "
	   "dropped (7 so far; dhcp.relays)"}, {0}},
	 0, "pxeboot_dhcp_not_relay_total", 1},
	{PXB_DHCP_V_RATE_LIMITED,
	 {{PXB_LOG_WARNING, 1, 3u << 8 | (uint32_t)PXB_DHCP_V_RATE_LIMITED << 24,
	   "veth0: requests over dhcp.rate dropped (7 so far; this one from 198.18.0.99:68)"},
	  {0}},
	 0, "pxeboot_dhcp_rate_limited_total", 1},
};

static void dhcp_tx(struct pxb_dhcp_tx *tx, enum pxb_dhcp_verdict v)
{
	memset(tx, 0, sizeof(*tx));
	tx->verdict = v;
	tx->why = "because";
	tx->req_type = 1;
	tx->client.has_mac = 1;
	memcpy(tx->client.mac, MAC, 6);
	tx->client.arch = 7;
	strcpy(tx->client.user_class, "iPXE");
	tx->client.ntags = 2;
	strcpy(tx->client.tags[0], "a");
	strcpy(tx->client.tags[1], "b");
	if (v == PXB_DHCP_V_OFFER || v == PXB_DHCP_V_ACK) {
		tx->yiaddr = ip("198.18.0.10");
		tx->boot.offer = 1;
		strcpy(tx->boot.file, "ipxe.efi");
	}
}

static void test_dhcp_verdicts(void)
{
	static const char *const refusals[] = {
		"pxeboot_dhcp_malformed_total", "pxeboot_dhcp_not_relay_total",
		"pxeboot_dhcp_rate_limited_total", "pxeboot_dhcp_pool_exhausted_total",
	};
	uint8_t buf[300] = {1, 1, 6, 0, 0xde, 0xad, 0xbe, 0xef};
	struct pxb_dhcp_rx rx = {.ifname = "veth0", .src = ip("198.18.0.99"), .src_port = 68,
				 .dst_port = 67};
	unsigned seen = 0;
	struct in_addr gi = ip("198.18.5.1");

	memcpy(buf + 24, &gi, 4); /* giaddr */
	for (size_t i = 0; i < sizeof(dhcp_cases) / sizeof(dhcp_cases[0]); i++) {
		const struct dhcp_case *c = &dhcp_cases[i];
		const char *vn = pxb_dhcp_verdict_name(c->v);
		pxb_events *ev = pxb_events_new(0, 0);
		pxb_metrics *m = pxb_events_metrics(ev);
		struct pxb_dhcp_tx tx;
		struct pxb_dhcp_report_in in = {.tx = &tx, .rx = &rx, .buf = buf, .len = sizeof(buf),
						.so_far = 7, .scope = 3, .now_ms = T0,
						.log_max = PXB_LOG_DEBUG};
		struct pxb_report r;
		char what[64];

		seen |= 1u << c->v;
		snprintf(what, sizeof(what), "dhcp %s", vn);
		dhcp_tx(&tx, c->v);
		pxb_dhcp_report_declare(m);
		is_int(pxb_dhcp_report(ev, &in, &r), 0, "%s: reported", what);
		for (unsigned l = 0; l < 2; l++) {
			struct want_line w = c->line[l];

			if (c->v == PXB_DHCP_V_DROP) /* per sender */
				w.key = rx.src.s_addr ^ 0xd4c9;
			check_line(&r, l, &w, what);
			if (!w.text)
				break;
		}
		is_int((int)pxb_metrics_get(m, "pxeboot_dhcp_packets_total", "type", "DISCOVER",
					    "verdict", vn, NULL), c->event ? 1 : 0,
		       "%s: packets counted by type and verdict", what);
		for (size_t k = 0; k < sizeof(refusals) / sizeof(refusals[0]); k++) {
			int want = c->metric && strcmp(c->metric, refusals[k]) == 0;
			double got = want && c->per_interface
					     ? pxb_metrics_get(m, refusals[k], "interface", "veth0", NULL)
					     : pxb_metrics_get(m, refusals[k], NULL);
			is_int((int)got, want, "%s: %s %d", what, refusals[k], want);
		}
		if (c->event) {
			const struct pxb_event *e = only_event(ev, MACS, what);
			if (e) {
				is_int(e->type, c->event, "%s: event type", what);
				is_int((long long)e->t_ms, T0, "%s: event time", what);
				is_int((long long)e->xid, 0xdeadbeefLL, "%s: event xid", what);
				ok((e->flags & PXB_EVF_PXE) && (e->flags & PXB_EVF_IPXE),
				   "%s: event says PXE and iPXE", what);
				is_str(e->detail, "because; tags a,b", "%s: event detail", what);
				is_str(e->path, tx.boot.offer ? "ipxe.efi" : "", "%s: event path",
				       what);
				is_str(inet_ntoa(e->addr),
				       tx.yiaddr.s_addr ? "198.18.0.10" : "198.18.0.99",
				       "%s: event address", what);
			}
		} else {
			is_int(pxb_events_get(ev, MACS, NULL, 0), PXB_ERR_NOENT, "%s: no event", what);
		}
		pxb_events_free(ev);
	}
	is_int((int)seen, (1 << PXB_DHCP_V_COUNT) - 1, "every DHCP verdict is checked");
}

static void test_dhcp_edges(void)
{
	struct pxb_dhcp_rx rx = {.ifname = "veth0", .src = ip("198.18.0.99"), .src_port = 68,
				 .dst_port = 4011};
	pxb_events *ev = pxb_events_new(0, 0);
	pxb_metrics *m = pxb_events_metrics(ev);
	struct pxb_dhcp_tx tx;
	struct pxb_dhcp_report_in in = {.tx = &tx, .rx = &rx, .so_far = 1, .now_ms = T0,
					.log_max = PXB_LOG_DEBUG};
	struct pxb_report r;
	struct pxb_event e;

	/* After a probe: no datagram, no refusal said again. */
	dhcp_tx(&tx, PXB_DHCP_V_EXHAUSTED);
	pxb_dhcp_report(ev, &in, &r);
	is_int((int)r.nlines, 1, "after a probe: the request's line only");
	is_str(r.line[0].text, "veth0:4011 DISCOVER 52:54:00:12:34:56 arch=efi-x64 user-class=iPXE "
	       "tags=a,b -> exhausted (because)", "after a probe: port 4011 said");
	is_int((int)pxb_metrics_get(m, "pxeboot_dhcp_pool_exhausted_total", "interface", "veth0",
				    NULL), 0, "after a probe: the exhaustion not counted again");
	if (pxb_events_get(ev, MACS, &e, 1) == 1) {
		is_int((long long)e.xid, 0, "after a probe: no xid");
		is_str(e.detail, "because; tags a,b; port 4011", "after a probe: detail says 4011");
	}
	/* Below info: the request's line is not made; the event is recorded. */
	in.log_max = PXB_LOG_NOTICE;
	dhcp_tx(&tx, PXB_DHCP_V_OFFER);
	pxb_dhcp_report(ev, &in, &r);
	is_int((int)r.nlines, 0, "log_max notice: no line for an offer");
	is_int(pxb_events_get(ev, MACS, NULL, 0), 2, "log_max notice: the offer is recorded");
	/* Without an event store: lines only. */
	in.log_max = PXB_LOG_DEBUG;
	is_int(pxb_dhcp_report(NULL, &in, &r), 0, "no store: reported");
	is_int((int)r.nlines, 1, "no store: the line is made");
	tx.verdict = PXB_DHCP_V_COUNT;
	is_int(pxb_dhcp_report(ev, &in, &r), PXB_ERR_INVAL, "a verdict out of range");
	is_int(pxb_dhcp_report(ev, NULL, &r), PXB_ERR_INVAL, "no input");
	is_int(pxb_dhcp_report_declare(NULL), PXB_ERR_INVAL, "declare: no registry");
	pxb_events_free(ev);
}

/* ---- TFTP --------------------------------------------------------------- */

static const struct tftp_case {
	const char *what;
	enum pxb_tftp_report_kind kind;
	int err;
	enum pxb_tftp_verdict verdict;
	int unacked;
	const char *name;
	struct want_line line[2];
	enum pxb_event_type event;
	unsigned flags;
	const char *detail;
	uint64_t bytes;
	const char *metric, *label, *value; /* a counter moved by 1 */
} tftp_cases[] = {
	{"dropped", PXB_TFTP_R_DROPPED, 0, 0, 0, "boot/ipxe.efi",
	 {{PXB_LOG_WARNING, 1, 0xad3170u + PXB_TFTP_ADMIT_SOURCE_RATE,
	   "198.18.0.20:2000: request dropped, over the limit of source rate (more drops are "
	   "only counted, pxeboot_tftp_requests_dropped_total)"}, {0}},
	 0, 0, NULL, 0, "pxeboot_tftp_requests_dropped_total", "reason", "source_rate"},
	{"malformed", PXB_TFTP_R_MALFORMED, 0, 0, 0, NULL,
	 {{PXB_LOG_NOTICE, 1, 0, "198.18.0.20:2000: malformed request dropped"}, {0}},
	 0, 0, NULL, 0, "pxeboot_tftp_malformed_total", NULL, NULL},
	{"refused", PXB_TFTP_R_REFUSED, PXB_ERR_PROTO, 0, 0, "up\nload",
	 {{PXB_LOG_NOTICE, 0, 0, "198.18.0.20:2000 WRQ up\\x0aload refused: read-only server"},
	  {0}},
	 0, 0, NULL, 0, NULL, NULL, NULL},
	{"busy", PXB_TFTP_R_BUSY, 0, 0, 0, "boot/ipxe.efi",
	 {{PXB_LOG_WARNING, 1, 0, "198.18.0.20:2000 RRQ boot/ipxe.efi refused: too many "
	   "transfers"}, {0}},
	 PXB_EV_TFTP_REFUSED, 0, "too many transfers", 0,
	 "pxeboot_tftp_transfers_total", "result", "refused"},
	{"denied", PXB_TFTP_R_NOT_OPENED, PXB_ERR_ACCESS, 0, 0, "boot/ipxe.efi",
	 {{PXB_LOG_WARNING, 0, 0, "198.18.0.20:2000 RRQ boot/ipxe.efi blksize=1468 tsize=0: "
	   "refused, outside the root or not a file"}, {0}},
	 PXB_EV_TFTP_REFUSED, 0, "refused, outside the root or not a file", 0,
	 "pxeboot_tftp_transfers_total", "result", "refused"},
	{"denied probe", PXB_TFTP_R_NOT_OPENED, PXB_ERR_ACCESS, 0, 0, "autoexec.ipxe",
	 {{PXB_LOG_WARNING, 0, 0, "198.18.0.20:2000 RRQ autoexec.ipxe blksize=1468 tsize=0: "
	   "refused, outside the root or not a file"}, {0}},
	 PXB_EV_TFTP_REFUSED, PXB_EVF_PROBE, "refused, outside the root or not a file", 0,
	 "pxeboot_tftp_transfers_total", "result", "refused"},
	{"missing", PXB_TFTP_R_NOT_OPENED, PXB_ERR_NOENT, 0, 0, "boot/ipxe.efi",
	 {{PXB_LOG_INFO, 0, 0, NULL}, {0}}, /* words: pxb_strerror(), below */
	 PXB_EV_TFTP_REFUSED, 0, NULL, 0, "pxeboot_tftp_transfers_total", "result", "refused"},
	{"missing probe", PXB_TFTP_R_NOT_OPENED, PXB_ERR_NOENT, 0, 0, "grub/grub.cfg-01-52",
	 {{PXB_LOG_DEBUG, 0, 0, NULL}, {0}},
	 PXB_EV_TFTP_REFUSED, PXB_EVF_PROBE, NULL, 0,
	 "pxeboot_tftp_transfers_total", "result", "refused"},
	{"started", PXB_TFTP_R_STARTED, 0, 0, 0, "boot/ipxe.efi",
	 {{PXB_LOG_INFO, 0, 0, "198.18.0.20:2000 RRQ boot/ipxe.efi blksize=1468 tsize=0 "
	   "size=5000"}, {0}},
	 PXB_EV_TFTP_REQUEST, 0, "blksize=1468 tsize=0", 0, NULL, NULL, NULL},
	{"done", PXB_TFTP_R_ENDED, 0, PXB_TFTP_DONE, 0, "boot/ipxe.efi",
	 {{PXB_LOG_INFO, 0, 0, "198.18.0.20:2000 done boot/ipxe.efi 5000 bytes in 1.500 s "
	   "blksize=1468 windowsize=4 retransmits=2"},
	  {PXB_LOG_DEBUG, 0, 0, "198.18.0.20:2000 boot/ipxe.efi: 9 segmented writes"}},
	 PXB_EV_TFTP_DONE, 0, "", 5000, "pxeboot_tftp_transfers_total", "result", "done"},
	{"size probe", PXB_TFTP_R_ENDED, 0, PXB_TFTP_ABORTED, 0, "boot/ipxe.efi",
	 {{PXB_LOG_DEBUG, 0, 0, "198.18.0.20:2000 boot/ipxe.efi: client ended after the option "
	   "ack"}, {0}},
	 PXB_EV_TFTP_DONE, PXB_EVF_PROBE, "size probe: the client ended after the option ack", 0,
	 "pxeboot_tftp_transfers_total", "result", "done"},
	{"failed", PXB_TFTP_R_ENDED, 0, PXB_TFTP_FAILED, 0, "boot/ipxe.efi",
	 {{PXB_LOG_WARNING, 0, 0, "198.18.0.20:2000 failed boot/ipxe.efi at block 3 of 4 after "
	   "1 timeouts: timeout"}, {0}},
	 PXB_EV_TFTP_FAILED, 0, "timeout", 2 * 1468, "pxeboot_tftp_transfers_total", "result",
	 "failed"},
	{"failed unacked", PXB_TFTP_R_ENDED, 0, PXB_TFTP_FAILED, 1, "boot/ipxe.efi",
	 {{PXB_LOG_WARNING, 1, 0xad3180u, "198.18.0.20:2000 failed boot/ipxe.efi at block 3 of "
	   "4 after 1 timeouts: timeout (never acknowledged; more such are only counted for a "
	   "minute)"}, {0}},
	 PXB_EV_TFTP_FAILED, 0, "timeout", 2 * 1468, "pxeboot_tftp_transfers_total", "result",
	 "failed"},
};

static void test_tftp_outcomes(void)
{
	struct pxb_tftp_request req = {.opcode = PXB_TFTP_OP_RRQ};
	struct pxb_tftp_info info = {.blksize = 1468, .windowsize = 4, .size = 5000,
				     .blocks_acked = 2, .retransmits = 2, .timeouts = 1};
	struct in_addr a = ip("198.18.0.20");
	unsigned kinds = 0;

	req.opt_mask = 1u << PXB_TFTP_OPT_BLKSIZE | 1u << PXB_TFTP_OPT_TSIZE;
	req.opt_value[PXB_TFTP_OPT_BLKSIZE] = 1468;
	for (size_t i = 0; i < sizeof(tftp_cases) / sizeof(tftp_cases[0]); i++) {
		const struct tftp_case *c = &tftp_cases[i];
		pxb_events *ev = pxb_events_new(0, 0);
		pxb_metrics *m = pxb_events_metrics(ev);
		struct pxb_tftp_request rq = req;
		struct pxb_tftp_report_in in = {
			.kind = c->kind, .addr = a, .port = 2000, .mac = MAC, .name = c->name,
			.err = c->err, .admit = PXB_TFTP_ADMIT_SOURCE_RATE, .req = &rq, .size = 5000,
			.verdict = c->verdict, .reason = PXB_TFTP_REASON_TIMEOUT, .info = &info,
			.block = 3, .duration_ms = 1500, .unacked = c->unacked, .seg_writes = 9,
			.now_ms = T0, .log_max = PXB_LOG_DEBUG,
		};
		struct want_line w = c->line[0];
		char words[256], what[64];
		struct pxb_report r;

		kinds |= 1u << c->kind;
		snprintf(what, sizeof(what), "tftp %s", c->what);
		if (c->kind == PXB_TFTP_R_REFUSED)
			rq.opcode = PXB_TFTP_OP_WRQ;
		if (w.limited && !w.key)
			w.key = a.s_addr ^ (c->kind == PXB_TFTP_R_MALFORMED ? 0x7f7f : 0xb5b5);
		if (!w.text) {
			snprintf(words, sizeof(words), "198.18.0.20:2000 RRQ %s blksize=1468 tsize=0: %s",
				 c->name, pxb_strerror(c->err));
			w.text = words;
		}
		pxb_tftp_report_declare(m);
		is_int(pxb_tftp_report(ev, &in, &r), 0, "%s: reported", what);
		check_line(&r, 0, &w, what);
		check_line(&r, 1, &c->line[1], what);
		if (c->metric && c->label)
			is_int((int)pxb_metrics_get(m, c->metric, c->label, c->value, NULL), 1,
			       "%s: %s{%s=%s} 1", what, c->metric, c->label, c->value);
		else if (c->metric)
			is_int((int)pxb_metrics_get(m, c->metric, NULL), 1, "%s: %s 1", what,
			       c->metric);
		if (c->event) {
			const struct pxb_event *e = only_event(ev, MACS, what);
			if (e) {
				is_int(e->type, c->event, "%s: event type", what);
				is_int((int)e->flags, (int)c->flags, "%s: event flags", what);
				is_str(e->path, c->name, "%s: event path", what);
				is_str(e->detail, c->detail ? c->detail : pxb_strerror(c->err),
				       "%s: event detail", what);
				is_int((long long)e->bytes, (long long)c->bytes, "%s: event bytes",
				       what);
				is_int((long long)e->t_ms, T0, "%s: event time", what);
				is_int((long long)e->size,
				       c->kind == PXB_TFTP_R_STARTED || c->kind == PXB_TFTP_R_ENDED
					       ? 5000 : 0, "%s: event size", what);
				is_int((long long)e->duration_ms,
				       c->kind == PXB_TFTP_R_ENDED ? 1500 : -1, "%s: event time taken",
				       what);
				is_int((long long)e->block, c->verdict == PXB_TFTP_FAILED ? 3 : 0,
				       "%s: event block", what);
			}
		} else {
			is_int(pxb_events_get(ev, MACS, NULL, 0), PXB_ERR_NOENT, "%s: no event", what);
			is_int(pxb_events_get(ev, "198.18.0.20", NULL, 0), PXB_ERR_NOENT,
			       "%s: no event by address", what);
		}
		pxb_events_free(ev);
	}
	is_int((int)kinds, (1 << PXB_TFTP_R_COUNT) - 1, "every TFTP outcome is checked");
}

static void test_tftp_edges(void)
{
	struct pxb_tftp_info info = {.blksize = 512, .size = 100};
	struct pxb_tftp_report_in in = {.kind = PXB_TFTP_R_ENDED, .addr = ip("198.18.0.20"),
					.port = 69, .name = "f", .verdict = PXB_TFTP_DONE,
					.info = &info, .seg_err = 22, .log_max = PXB_LOG_INFO};
	struct pxb_report r;

	is_int(pxb_tftp_report(NULL, &in, &r), 0, "tftp, no store: reported");
	is_int((int)r.nlines, 1, "tftp, log_max info: the debug line is not made");
	in.log_max = PXB_LOG_DEBUG;
	pxb_tftp_report(NULL, &in, &r);
	is_int((int)r.nlines, 2, "tftp: a refused segmentation is said");
	if (r.nlines == 2)
		ok(strstr(r.line[1].text, "f: 0 segmented writes, then refused: ") != NULL,
		   "tftp: ... with the error (%s)", r.line[1].text);
	in.info = NULL;
	is_int(pxb_tftp_report(NULL, &in, &r), PXB_ERR_INVAL, "tftp: an end without info");
	in.kind = PXB_TFTP_R_DROPPED;
	in.admit = PXB_TFTP_ADMIT_OK;
	is_int(pxb_tftp_report(NULL, &in, &r), PXB_ERR_INVAL, "tftp: a drop without a reason");
	in.kind = PXB_TFTP_R_COUNT;
	is_int(pxb_tftp_report(NULL, &in, &r), PXB_ERR_INVAL, "tftp: a kind out of range");
	is_int(pxb_tftp_report_declare(NULL), PXB_ERR_INVAL, "tftp declare: no registry");
}

/* ---- HTTP --------------------------------------------------------------- */

static const struct http_case {
	enum pxb_http_report_kind kind;
	const char *method;
	const char *line; /* NULL: none */
	enum pxb_event_type event;
	const char *detail;
} http_cases[] = {
	{PXB_HTTP_R_ROOT_IMAGE, "GET", NULL, PXB_EV_ROOT_IMAGE, ""},
	{PXB_HTTP_R_COMPLETED, "GET", "198.18.0.30 GET /boot/vmlinuz 200 4096 12ms", PXB_EV_HTTP,
	 ""},
	{PXB_HTTP_R_TIMEOUT, "GET", "198.18.0.30 GET /boot/vmlinuz 200 4096 12ms (timeout)",
	 PXB_EV_HTTP, "timeout"},
	{PXB_HTTP_R_SHUTDOWN, "HEAD", "198.18.0.30 HEAD /boot/vmlinuz 200 4096 12ms (shutdown)",
	 PXB_EV_HTTP, "HEAD,shutdown"},
	{PXB_HTTP_R_CLIENT_GONE, "GET",
	 "198.18.0.30 GET /boot/vmlinuz 200 4096 12ms (client gone)", PXB_EV_HTTP, "client gone"},
	{PXB_HTTP_R_ERROR, "POST", "198.18.0.30 POST /boot/vmlinuz 200 4096 12ms (error)",
	 PXB_EV_HTTP, "POST,error"},
};

static void test_http_kinds(void)
{
	unsigned kinds = 0;

	for (size_t i = 0; i < sizeof(http_cases) / sizeof(http_cases[0]); i++) {
		const struct http_case *c = &http_cases[i];
		pxb_events *ev = pxb_events_new(0, 0);
		pxb_metrics *m = pxb_events_metrics(ev);
		struct pxb_http_report_in in = {
			.kind = c->kind, .addr = ip("198.18.0.30"), .peer = "198.18.0.30",
			.method = c->method, .path = "boot/vmlinuz", .target = "/boot/vmlinuz",
			.status = 200, .bytes = 4096, .duration_ms = 12, .access_log = 1,
			.now_ms = T0, .log_max = PXB_LOG_DEBUG,
		};
		struct want_line w = {PXB_LOG_INFO, 0, 0, c->line};
		struct pxb_event e;
		char what[64];
		struct pxb_report r;

		kinds |= 1u << c->kind;
		snprintf(what, sizeof(what), "http %zu", i);
		is_int(pxb_http_report(ev, &in, &r), 0, "%s: reported", what);
		check_line(&r, 0, &w, what);
		if (c->line)
			check_line(&r, 1, &(struct want_line){0}, what);
		if (pxb_events_get(ev, "198.18.0.30", &e, 1) == 1) {
			is_int(e.type, c->event, "%s: event type", what);
			is_str(e.detail, c->detail, "%s: event detail", what);
			is_str(e.path, "boot/vmlinuz", "%s: event path", what);
			is_int((long long)e.bytes, c->line ? 4096 : 0, "%s: event bytes", what);
			is_int((long long)e.duration_ms, c->line ? 12 : -1, "%s: event time taken",
			       what);
			is_int((int)e.status, 200, "%s: event status", what);
		} else {
			ok(0, "%s: an event", what);
		}
		is_int((int)pxb_metrics_get(m, "pxeboot_http_responses_total", "code", "200", NULL),
		       c->line ? 1 : 0, "%s: response counted by status", what);
		/* An API request, or one the server refused itself: the line only. */
		pxb_events_forget(ev, "198.18.0.30");
		in.api = 1;
		pxb_http_report(ev, &in, &r);
		is_int(pxb_events_get(ev, "198.18.0.30", NULL, 0),
		       c->kind == PXB_HTTP_R_ROOT_IMAGE ? 1 : PXB_ERR_NOENT, "%s: api", what);
		in.api = 0;
		in.status = 0;
		in.access_log = 0;
		pxb_events_forget(ev, "198.18.0.30");
		pxb_http_report(ev, &in, &r);
		is_int((int)r.nlines, 0, "%s: http.access_log off: no line", what);
		pxb_events_free(ev);
	}
	is_int((int)kinds, (1 << PXB_HTTP_R_COUNT) - 1, "every HTTP end is checked");
}

static void test_http_edges(void)
{
	struct pxb_http_report_in in = {.kind = PXB_HTTP_R_COMPLETED, .peer = "::1",
					.method = "GET", .path = "", .target = "/%zz",
					.duration_ms = 3, .access_log = 1, .log_max = PXB_LOG_INFO};
	struct pxb_report r;

	is_int(pxb_http_report(NULL, &in, &r), 0, "http, no store: reported");
	is_int((int)r.nlines, 1, "http: refused by the server: a line");
	is_str(r.nlines ? r.line[0].text : NULL, "::1 GET /%zz - 0 3ms", "http: status \"-\"");
	in.kind = PXB_HTTP_R_COUNT;
	is_int(pxb_http_report(NULL, &in, &r), PXB_ERR_INVAL, "http: a kind out of range");
}

/* The reporters' families are declared in order, gauges at 0 (what pxebootd renders). */
static void test_declare(void)
{
	pxb_metrics *m = pxb_metrics_new();
	char *txt;

	is_int(pxb_tftp_report_declare(m), 0, "tftp families declared");
	is_int(pxb_dhcp_report_declare(m), 0, "dhcp families declared");
	txt = pxb_metrics_render(m, NULL);
	ok(txt && strstr(txt, "# TYPE pxeboot_tftp_transfers_active gauge\n"
			      "pxeboot_tftp_transfers_active 0\n"
			      "# HELP pxeboot_tftp_malformed_total"),
	   "tftp gauges at 0, in order");
	ok(txt && strstr(txt, "# TYPE pxeboot_tftp_requests_dropped_total counter\n"
			      "# HELP pxeboot_dhcp_packets_total DHCP requests by message type "
			      "and verdict\n"),
	   "dhcp families after tftp's, with their help");
	ok(txt && strstr(txt, "pxeboot_dhcp_acks_withheld_total counter\n"),
	   "the last dhcp family");
	free(txt);
	pxb_metrics_free(m);
}

int main(void)
{
	plan_lazy();
	test_dhcp_verdicts();
	test_dhcp_edges();
	test_tftp_outcomes();
	test_tftp_edges();
	test_http_kinds();
	test_http_edges();
	test_declare();
	return done_testing();
}
