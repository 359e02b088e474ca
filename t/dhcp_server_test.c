/*
 * dhcp_server_test.c - the DHCP server and proxyDHCP engine, driven one
 * datagram at a time through pxb_dhcp_server_input() with requests built as
 * real clients send them (t/dhcp_pkt.h), over an in-memory lease store.
 *
 * Server mode: DISCOVER/OFFER, REQUEST in SELECTING, INIT-REBOOT, RENEWING,
 * RELEASE, DECLINE and its quarantine, INFORM, relayed requests, interfaces
 * and networks we do not serve, pool exhaustion, reservations, many clients
 * never sharing an address, lease time capping, the client's maximum message
 * size, and a table of malformed requests. A hostile LAN: a giaddr from a
 * sender that is no relay, replies never sent to a ciaddr RFC 2131 4.1 does
 * not name, the request rate per interface over a fake clock. Proxy mode:
 * only PXE and HTTP boot firmware is answered, never with an address; port
 * 4011. Last, the same engine built from a configuration file (dhcp_conf.c).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/conf.h>
#include <pxeboot/dhcp_server.h>
#include "tap.h"
#include "dhcp_pkt.h"

#define T0 1700000000 /* "now" for the whole test, Unix seconds */

/* ---- helpers ------------------------------------------------------------- */

static struct in_addr A(const char *s)
{
	struct in_addr a = { 0 };

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a;
}

static uint32_t H(const char *s)
{
	return ntohl(A(s).s_addr);
}

static const char *S(struct in_addr a)
{
	static char b[4][INET_ADDRSTRLEN];
	static int k;

	k = (k + 1) % 4;
	inet_ntop(AF_INET, &a, b[k], sizeof(b[k]));
	return b[k];
}

static void mac_n(uint8_t mac[6], unsigned n)
{
	mac[0] = 0x02;
	mac[1] = 0x10;
	mac[2] = (uint8_t)(n >> 24);
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

static void pkt_field(struct pkt *p, size_t off, const char *addr)
{
	struct in_addr a = A(addr);

	memcpy(p->b + off, &a, 4);
}

#define pkt_ciaddr(p, a) pkt_field(p, 12, a)
#define pkt_giaddr(p, a) pkt_field(p, 24, a)

static void pkt_addr(struct pkt *p, uint8_t code, const char *addr)
{
	struct in_addr a = A(addr);

	pkt_opt(p, code, &a, 4);
}

static void pkt_u32(struct pkt *p, uint8_t code, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	pkt_opt(p, code, b, 4);
}

static const uint8_t prl_std[] = { 1, 3, 6, 12, 15, 28, 51, 54, 58, 59, 67 };

/* A plain client request (dhclient-like) of type t; the caller adds options and END. */
static void req_plain(struct pkt *p, const uint8_t mac[6], uint8_t t)
{
	pkt_start(p, mac, t);
	pkt_opt(p, 55, prl_std, sizeof(prl_std));
}

static const struct pxb_dhcp_rx rx_lan = {
	.ifname = "lan0", .src_port = 68, .dst_port = 67,
};
static struct pxb_dhcp_rx rx_lan_v, rx_relay_v, rx_tiny_v, rx_big_v;

struct env {
	struct pxb_lease_store *leases;
	struct pxb_match_rules *rules;
	struct pxb_dhcp_server *srv;
	struct pxb_dhcp_tx tx;
	struct pxb_dhcp_msg rep; /* the reply, parsed back */
	int rep_ok;
};

static int run(struct env *e, const struct pkt *p, const struct pxb_dhcp_rx *rx, int64_t now)
{
	memset(&e->tx, 0xa5, sizeof(e->tx)); /* input() must set everything it reports */
	if (pxb_dhcp_server_input(e->srv, p->b, p->len, rx, now, &e->tx) < 0)
		return -1;
	e->rep_ok = 0;
	if (e->tx.len) {
		/* Our replies always parse back strictly, as a client would read them. */
		e->rep_ok = pxb_dhcp_parse(&e->rep, e->tx.buf, e->tx.len,
					   PXB_DHCP_PARSE_REPLY | PXB_DHCP_PARSE_STRICT) == 0;
		if (!e->rep_ok)
			diag("reply does not parse: %s", pxb_dhcp_reason_str(e->rep.reason));
	}
	return (int)e->tx.verdict;
}

static uint32_t rep_u32(struct env *e, uint8_t code)
{
	uint32_t v = 0xdeadbeef;

	if (!e->rep_ok || pxb_dhcp_get_u32(&e->rep, code, &v) < 0)
		return 0xdeadbeef;
	return v;
}

static const char *rep_addr(struct env *e, uint8_t code)
{
	struct in_addr a;

	if (!e->rep_ok || pxb_dhcp_get_addr(&e->rep, code, &a) < 0)
		return "(none)";
	return S(a);
}

static const char *rep_str(struct env *e, uint8_t code)
{
	static char b[512];
	struct pxb_dhcp_view v;

	if (!e->rep_ok || pxb_dhcp_opt(&e->rep, code, &v) < 0)
		return "(none)";
	snprintf(b, sizeof(b), "%.*s", (int)v.len, (const char *)v.data);
	return b;
}

static int rep_has(struct env *e, uint8_t code)
{
	return e->rep_ok && pxb_dhcp_has_opt(&e->rep, code);
}

static const char *rep_file(struct env *e)
{
	static char b[PXB_DHCP_FILE_LEN + 1];

	if (!e->rep_ok || !e->rep.file)
		return "(none)";
	memcpy(b, e->rep.file, PXB_DHCP_FILE_LEN);
	b[PXB_DHCP_FILE_LEN] = '\0';
	return b;
}

static int rep_type(struct env *e)
{
	return e->rep_ok ? pxb_dhcp_msg_type(&e->rep) : -1;
}

static int in_range(struct in_addr a, const char *lo, const char *hi)
{
	return ntohl(a.s_addr) >= H(lo) && ntohl(a.s_addr) <= H(hi);
}

static int why_has(const struct env *e, const char *words)
{
	return e->tx.why && strstr(e->tx.why, words) != NULL;
}

#define why_is(e, words, ...)                                                                \
	do {                                                                                 \
		if (!ok(why_has(e, words), __VA_ARGS__))                                     \
			diag("  why \"%s\", want \"%s\"", (e)->tx.why ? (e)->tx.why : "(null)", \
			     words);                                                         \
	} while (0)

/* ---- configuration of the engine under test -------------------------------- */

static const char *const nopxe_tags[] = { "NOPXE" };
static const struct pxb_match_host_config hosts[] = {
	{ "fixed", "02:00:00:00:00:bb", NULL, 0, "198.18.0.105", 0, NULL, 0 },
	{ "pay", "02:00:00:00:00:aa", nopxe_tags, 1, NULL, 0, NULL, 0 },
};
static const uint16_t efi64[] = { 7, 9 };
static const struct pxb_match_cond_config conds[] = {
	{ .set = "ENH", .kind = PXB_MATCH_USER_CLASS, .value = "iPXE" },
	{ .set = "EFI64", .kind = PXB_MATCH_ARCH, .archs = efi64, .narchs = 2 },
	{ .set = "BIG", .kind = PXB_MATCH_MAC, .value = "02:00:00:00:0f:*" },
};
static char big_hex[2 * 230 + 1];
static const struct pxb_dhcp_opt_config big_opts[] = { { 224, big_hex, 1, 0 } };
static const struct pxb_boot_rule_config brules[] = {
	{ .tags = "NOPXE", .noboot = 1 },
	{ .tags = "BIG", .file = "big.kpxe", .options = big_opts, .noptions = 1 },
	{ .tags = "ENH", .file = "menu.ipxe" },
	{ .tags = "!ENH & EFI64", .file = "snponly.efi" },
};
static const struct pxb_arch_file_config arch_files[] = {
	{ 0, "undionly.kpxe" },
	{ 16, "snponly.efi" },
};

static struct pxb_dhcp_subnet_config subnets[4];

static void setup_subnets(void)
{
	memset(subnets, 0, sizeof(subnets));
	/* 0: the directly attached LAN: 10 addresses, .105 reserved for "fixed". */
	subnets[0].ifname = "lan0";
	subnets[0].network = A("198.18.0.0");
	subnets[0].netmask = A("255.255.255.0");
	subnets[0].pool_start = A("198.18.0.100");
	subnets[0].pool_end = A("198.18.0.109");
	subnets[0].router = A("198.18.0.1");
	subnets[0].dns[0] = A("198.18.0.1");
	subnets[0].dns[1] = A("198.18.0.2");
	subnets[0].ndns = 2;
	subnets[0].domain = "rescue.test";
	subnets[0].lease_time = 3600;
	/* 1: a relayed network (no interface). */
	subnets[1].network = A("198.19.5.0");
	subnets[1].netmask = A("255.255.255.0");
	subnets[1].pool_start = A("198.19.5.10");
	subnets[1].pool_end = A("198.19.5.19");
	subnets[1].router = A("198.19.5.1");
	subnets[1].lease_time = 1800;
	/* 2: a tiny pool, to exhaust; our address configured explicitly. */
	subnets[2].ifname = "tiny0";
	subnets[2].network = A("198.18.7.0");
	subnets[2].netmask = A("255.255.255.0");
	subnets[2].pool_start = A("198.18.7.10");
	subnets[2].pool_end = A("198.18.7.11");
	subnets[2].server_addr = A("198.18.7.1");
	subnets[2].lease_time = 600;
	/* 3: a big pool for the many-clients test. */
	subnets[3].ifname = "big0";
	subnets[3].network = A("198.18.16.0");
	subnets[3].netmask = A("255.255.240.0");
	subnets[3].pool_start = A("198.18.16.10");
	subnets[3].pool_end = A("198.18.31.250");
	subnets[3].lease_time = 7200;

	rx_lan_v = rx_lan;
	rx_lan_v.local = A("198.18.0.1");
	rx_relay_v = (struct pxb_dhcp_rx){ .ifname = "up0", .local = A("198.18.0.1"),
					   .src = A("198.19.5.1"), .src_port = 67,
					   .dst_port = 67 };
	rx_tiny_v = (struct pxb_dhcp_rx){ .ifname = "tiny0", .local = A("198.18.7.1"),
					  .src_port = 68, .dst_port = 67 };
	rx_big_v = (struct pxb_dhcp_rx){ .ifname = "big0", .local = A("198.18.16.1"),
					 .src_port = 68, .dst_port = 67 };
}

static struct pxb_match_rules *make_rules(void)
{
	struct pxb_match_config mc = {
		.hosts = hosts, .nhosts = 2, .conds = conds,
		.nconds = sizeof(conds) / sizeof(conds[0]), .rules = brules,
		.nrules = sizeof(brules) / sizeof(brules[0]), .arch_files = arch_files,
		.narch_files = 2,
	};
	struct pxb_match_rules *r = NULL;

	for (int i = 0; i < 230; i++)
		snprintf(big_hex + 2 * i, 3, "%02x", (unsigned)(i & 0xff));
	if (pxb_match_rules_new(&mc, &r, NULL, NULL) < 0)
		abort();
	return r;
}

static const struct pxb_dhcp_server_config server_cfg = {
	.proxy = 0, .subnets = subnets, .nsubnets = 4, .offer_hold = 60,
	.decline_quarantine = 600, .http_port = 8080,
};

/* An engine over an empty lease store with configuration sc (server_cfg and changes). */
static void env_server_cfg(struct env *e, const struct pxb_dhcp_server_config *sc)
{
	struct pxb_lease_config lc = { .state_dir = NULL };

	memset(e, 0, sizeof(*e));
	if (pxb_lease_open(&lc, T0, &e->leases, NULL) < 0)
		abort();
	e->rules = make_rules();
	if (pxb_dhcp_server_new(sc, e->rules, hosts, 2, e->leases, &e->srv) < 0)
		abort();
}

static void env_server(struct env *e)
{
	env_server_cfg(e, &server_cfg);
}

static void env_free(struct env *e)
{
	pxb_dhcp_server_free(e->srv);
	pxb_match_rules_free(e->rules);
	pxb_lease_close(e->leases);
}

/* DISCOVER then REQUEST (SELECTING) for mac; returns the address ACKed (0 if none). */
static struct in_addr obtain(struct env *e, const uint8_t mac[6], const struct pxb_dhcp_rx *rx,
			     int64_t now)
{
	struct in_addr none = { 0 }, a;
	struct pkt p;

	req_plain(&p, mac, PXB_DHCPDISCOVER);
	pkt_end(&p);
	if (run(e, &p, rx, now) != PXB_DHCP_V_OFFER)
		return none;
	a = e->tx.yiaddr;
	req_plain(&p, mac, PXB_DHCPREQUEST);
	pkt_addr(&p, 50, S(a));
	{
		struct in_addr sid = { 0 };
		pxb_dhcp_server_id(&e->rep, &sid);
		pkt_opt(&p, 54, &sid, 4);
	}
	pkt_end(&p);
	if (run(e, &p, rx, now) != PXB_DHCP_V_ACK)
		return none;
	pxb_lease_flush(e->leases);
	return e->tx.yiaddr;
}

/* ---- server mode ----------------------------------------------------------- */

static const uint8_t mac1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t mac2[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
static const uint8_t mac3[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x58 };
static const uint8_t mac_fixed[6] = { 0x02, 0, 0, 0, 0, 0xbb };
static const uint8_t mac_pay[6] = { 0x02, 0, 0, 0, 0, 0xaa };

static void test_discover_request(void)
{
	struct env e;
	struct pkt p;
	struct in_addr offered;
	struct pxb_dhcp_view v;
	uint64_t seq;

	env_server(&e);
	/* iPXE BIOS ROM: PRL with 67, user class iPXE -> menu.ipxe. */
	req_ipxe_bios(&p, mac1);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_OFFER, "DISCOVER -> OFFER");
	why_is(&e, "offer with boot file", "OFFER: why says a boot file was given");
	is_int(e.tx.req_type, PXB_DHCPDISCOVER, "OFFER: req_type is DISCOVER");
	ok(e.rep_ok, "OFFER parses strictly as a reply");
	is_int(rep_type(&e), PXB_DHCPOFFER, "OFFER: option 53 is OFFER");
	is_int(e.rep.xid, 0x12345678, "OFFER: xid copied");
	ok(memcmp(e.rep.chaddr, mac1, 6) == 0, "OFFER: chaddr copied");
	offered = e.tx.yiaddr;
	ok(in_range(offered, "198.18.0.100", "198.18.0.109"), "OFFER: yiaddr %s in the pool",
	   S(offered));
	ok(offered.s_addr != A("198.18.0.105").s_addr, "OFFER: not the reserved address");
	is_int(e.rep.yiaddr.s_addr, offered.s_addr, "OFFER: yiaddr in the packet = tx.yiaddr");
	is_str(S(e.rep.siaddr), "198.18.0.1", "OFFER: siaddr is us");
	is_str(rep_addr(&e, 1), "255.255.255.0", "OFFER: option 1 subnet mask");
	is_str(rep_addr(&e, 3), "198.18.0.1", "OFFER: option 3 router");
	ok(pxb_dhcp_opt(&e.rep, 6, &v) == 0 && v.len == 8 &&
	   memcmp(v.data, &subnets[0].dns[0], 4) == 0 &&
	   memcmp(v.data + 4, &subnets[0].dns[1], 4) == 0, "OFFER: option 6 two DNS servers");
	is_str(rep_str(&e, 15), "rescue.test", "OFFER: option 15 domain");
	is_int(rep_u32(&e, 51), 3600, "OFFER: option 51 lease time");
	is_str(rep_addr(&e, 54), "198.18.0.1", "OFFER: option 54 server id");
	is_int(rep_u32(&e, 58), 1800, "OFFER: option 58 T1 = lease/2");
	is_int(rep_u32(&e, 59), 3150, "OFFER: option 59 T2 = lease*7/8");
	is_str(rep_file(&e), "menu.ipxe", "OFFER: boot file in the file field");
	is_str(rep_str(&e, 67), "menu.ipxe", "OFFER: boot file in option 67 (PRL has 67)");
	is_str(S(e.tx.dst), "255.255.255.255", "OFFER: broadcast");
	is_int(e.tx.dst_port, 68, "OFFER: to port 68");
	is_int(e.tx.hold_seq, 0, "OFFER: sent at once (no hold)");
	ok(e.tx.len >= PXB_DHCP_BOOTP_MIN && e.tx.len <= 1472 - 28, "OFFER: %zu octets", e.tx.len);
	ok(e.tx.client.has_mac && memcmp(e.tx.client.mac, mac1, 6) == 0, "OFFER: client mac");
	ok(pxb_client_has_tag(&e.tx.client, "ENH"), "OFFER: client tagged ENH");

	/* A retransmitted DISCOVER gets the same address. */
	is_int(run(&e, &p, &rx_lan_v, T0 + 1), PXB_DHCP_V_OFFER, "DISCOVER again -> OFFER");
	is_str(S(e.tx.yiaddr), S(offered), "the same address is offered again");

	/* SELECTING: another server chosen -> silent. iPXE sends 61 in every request. */
	req_plain(&p, mac1, PXB_DHCPREQUEST);
	pkt_client_id(&p, mac1);
	pkt_addr(&p, 50, S(offered));
	pkt_addr(&p, 54, "198.18.0.254");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 1), PXB_DHCP_V_IGNORE,
	       "REQUEST selecting another server -> ignored");
	why_is(&e, "another server", "ignored: why says another server");
	is_int(e.tx.len, 0, "ignored: nothing to send");

	/* SELECTING us but an address we did not offer -> NAK. */
	req_plain(&p, mac1, PXB_DHCPREQUEST);
	pkt_client_id(&p, mac1);
	pkt_addr(&p, 50, "198.18.0.108");
	pkt_addr(&p, 54, "198.18.0.1");
	pkt_end(&p);
	if (offered.s_addr == A("198.18.0.108").s_addr)
		diag("offered .108 itself; NAK case less telling");
	is_int(run(&e, &p, &rx_lan_v, T0 + 1), PXB_DHCP_V_NAK, "REQUEST for a wrong address -> NAK");
	is_int(rep_type(&e), PXB_DHCPNAK, "NAK: option 53 is NAK");
	is_int(e.rep.yiaddr.s_addr, 0, "NAK: no yiaddr");
	is_int(e.rep.ciaddr.s_addr, 0, "NAK: no ciaddr");
	is_str(rep_addr(&e, 54), "198.18.0.1", "NAK: server id");
	ok(!rep_has(&e, 51), "NAK: no lease time");
	is_str(S(e.tx.dst), "255.255.255.255", "NAK: broadcast");

	/* SELECTING us with the offered address -> ACK, held until durable. */
	req_plain(&p, mac1, PXB_DHCPREQUEST);
	pkt_client_id(&p, mac1);
	pkt_addr(&p, 50, S(offered));
	pkt_addr(&p, 54, "198.18.0.1");
	pkt_str(&p, 12, "node-1");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 2), PXB_DHCP_V_ACK, "REQUEST selecting us -> ACK");
	why_is(&e, "selected", "ACK: why says selected");
	is_int(rep_type(&e), PXB_DHCPACK, "ACK: option 53 is ACK");
	is_str(S(e.rep.yiaddr), S(offered), "ACK: yiaddr is the offered address");
	is_int(rep_u32(&e, 51), 3600, "ACK: lease time");
	is_str(rep_addr(&e, 54), "198.18.0.1", "ACK: server id");
	is_str(rep_addr(&e, 1), "255.255.255.0", "ACK: subnet mask");
	is_str(S(e.tx.dst), "255.255.255.255", "ACK: broadcast (client has no address yet)");
	seq = e.tx.hold_seq;
	ok(seq > 0, "ACK: held (hold_seq %llu)", (unsigned long long)seq);
	ok(pxb_lease_durable_seq(e.leases) < seq, "ACK: not durable before the flush");
	is_int(pxb_lease_flush(e.leases), 0, "flush");
	ok(pxb_lease_durable_seq(e.leases) >= seq, "ACK: durable after the flush");
	{
		const struct pxb_lease *l = pxb_lease_by_addr(e.leases, ntohl(offered.s_addr));
		ok(l && l->state == PXB_LEASE_BOUND && l->expires == T0 + 2 + 3600,
		   "the lease is bound until now + lease time");
		ok(l && strcmp(l->hostname, "node-1") == 0, "the lease keeps the hostname");
	}

	/* The same DISCOVER from a bound client offers its own address. */
	req_ipxe_bios(&p, mac1);
	is_int(run(&e, &p, &rx_lan_v, T0 + 3), PXB_DHCP_V_OFFER, "bound client DISCOVERs -> OFFER");
	is_str(S(e.tx.yiaddr), S(offered), "it is offered its own address");
	ok(rep_has(&e, 61), "the client identifier comes back in the reply (RFC 6842)");

	/* Without its client identifier the same machine is another client. */
	req_plain(&p, mac1, PXB_DHCPREQUEST);
	pkt_addr(&p, 50, S(offered));
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 3), PXB_DHCP_V_IGNORE,
	       "INIT-REBOOT by chaddr when the lease is by client id: no record, silent "
	       "(RFC 2131 4.3.2)");

	/* REQUEST in SELECTING without option 50 -> dropped. */
	req_plain(&p, mac1, PXB_DHCPREQUEST);
	pkt_client_id(&p, mac1);
	pkt_addr(&p, 54, "198.18.0.1");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 3), PXB_DHCP_V_DROP,
	       "REQUEST selecting without requested address -> dropped");

	/* A client with no 67 in its PRL finds the file in the BOOTP field. */
	{
		static const uint8_t prl[] = { 1, 3, 6, 12, 15 };
		pkt_start(&p, mac2, PXB_DHCPDISCOVER);
		pkt_str(&p, 60, "PXEClient:Arch:00000:UNDI:002001");
		pkt_u16(&p, 93, 0);
		pkt_opt(&p, 55, prl, sizeof(prl));
		pkt_end(&p);
	}
	is_int(run(&e, &p, &rx_lan_v, T0 + 3), PXB_DHCP_V_OFFER, "BIOS PXE without 67 in PRL -> OFFER");
	is_str(rep_file(&e), "undionly.kpxe", "BIOS PXE: arch default in the file field");
	ok(!rep_has(&e, 12), "option 12 is not sent unasked");

	/* The NOPXE host gets an address, no boot file, even as iPXE. */
	req_ipxe_bios(&p, mac_pay);
	is_int(run(&e, &p, &rx_lan_v, T0 + 3), PXB_DHCP_V_OFFER, "NOPXE host -> OFFER");
	why_is(&e, "without boot file", "NOPXE: offer without boot file");
	ok(!rep_has(&e, 67) && rep_file(&e)[0] == '\0', "NOPXE: no option 67, empty file field");
	env_free(&e);
}

static void test_init_reboot_renew(void)
{
	struct env e;
	struct pkt p;
	struct in_addr a1, a2;

	env_server(&e);
	a1 = obtain(&e, mac1, &rx_lan_v, T0);
	a2 = obtain(&e, mac2, &rx_lan_v, T0);
	ok(a1.s_addr && a2.s_addr && a1.s_addr != a2.s_addr, "two clients bound: %s, %s", S(a1),
	   S(a2));

	/* INIT-REBOOT: 50, no 54, ciaddr 0. */
	req_plain(&p, mac1, PXB_DHCPREQUEST);
	pkt_addr(&p, 50, S(a1));
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 10), PXB_DHCP_V_ACK, "INIT-REBOOT own address -> ACK");
	why_is(&e, "init-reboot", "ACK: why says init-reboot");
	is_str(S(e.rep.yiaddr), S(a1), "INIT-REBOOT: yiaddr");
	ok(e.tx.hold_seq > 0, "INIT-REBOOT: ACK is held until durable");
	is_str(S(e.tx.dst), "255.255.255.255", "INIT-REBOOT: broadcast");

	req_plain(&p, mac1, PXB_DHCPREQUEST);
	pkt_addr(&p, 50, "198.19.9.9");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 10), PXB_DHCP_V_NAK, "INIT-REBOOT wrong network -> NAK");
	why_is(&e, "wrong network", "NAK: wrong network");
	is_str(rep_str(&e, 56), "wrong network", "NAK: option 56 says why (RFC 2131 table 3)");

	req_plain(&p, mac1, PXB_DHCPREQUEST);
	pkt_addr(&p, 50, S(a2));
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 10), PXB_DHCP_V_NAK,
	       "INIT-REBOOT someone else's address -> NAK");
	{
		const struct pxb_lease *l = pxb_lease_by_addr(e.leases, ntohl(a2.s_addr));
		struct pxb_lease_key k;
		pxb_lease_key_hw(&k, 1, mac2, 6);
		ok(l && l->key.len == k.len && memcmp(l->key.bytes, k.bytes, k.len) == 0,
		   "the other client still holds it");
	}

	/* RENEWING: ciaddr set, no 50, no 54, unicast. */
	req_plain(&p, mac1, PXB_DHCPREQUEST);
	pkt_ciaddr(&p, S(a1));
	p.b[10] = 0; /* no broadcast flag: the client has its address */
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 1800), PXB_DHCP_V_ACK, "RENEW -> ACK");
	why_is(&e, "renew", "ACK: why says renew");
	is_str(S(e.rep.yiaddr), S(a1), "RENEW: yiaddr");
	is_str(S(e.rep.ciaddr), S(a1), "RENEW: ciaddr copied");
	is_str(S(e.tx.dst), S(a1), "RENEW: unicast to ciaddr");
	is_int(e.tx.dst_port, 68, "RENEW: port 68");
	ok(e.tx.hold_seq > 0, "RENEW: held until durable");
	pxb_lease_flush(e.leases);
	{
		const struct pxb_lease *l = pxb_lease_by_addr(e.leases, ntohl(a1.s_addr));
		ok(l && l->expires == T0 + 1800 + 3600, "RENEW: lease extended");
	}

	/* RENEW of an address the client does not hold -> NAK. */
	req_plain(&p, mac3, PXB_DHCPREQUEST);
	pkt_ciaddr(&p, S(a1));
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 1800), PXB_DHCP_V_NAK, "RENEW of another's address -> NAK");
	is_str(S(e.tx.dst), "255.255.255.255", "NAK: broadcast even with ciaddr (RFC 2131 4.1)");

	/* RENEW from an address of another network -> NAK. */
	req_plain(&p, mac1, PXB_DHCPREQUEST);
	pkt_ciaddr(&p, "198.19.200.7");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 1800), PXB_DHCP_V_NAK, "RENEW from another network -> NAK");

	/* REQUEST with neither 50 nor ciaddr nor 54. */
	req_plain(&p, mac1, PXB_DHCPREQUEST);
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 1800), PXB_DHCP_V_DROP, "REQUEST without address -> drop");

	/* RELEASE: the address is free again, for anyone. */
	req_plain(&p, mac1, PXB_DHCPRELEASE);
	pkt_ciaddr(&p, S(a1));
	pkt_addr(&p, 54, "198.18.0.1");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 1900), PXB_DHCP_V_RELEASED, "RELEASE -> released");
	is_int(e.tx.len, 0, "RELEASE: nothing sent");
	is_str(S(e.tx.yiaddr), S(a1), "RELEASE: tx.yiaddr names the address");
	is_int(run(&e, &p, &rx_lan_v, T0 + 1901), PXB_DHCP_V_IGNORE, "RELEASE twice -> ignored");
	req_plain(&p, mac2, PXB_DHCPRELEASE);
	pkt_ciaddr(&p, S(a1));
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 1901), PXB_DHCP_V_IGNORE,
	       "RELEASE of another's address -> ignored");
	req_plain(&p, mac3, PXB_DHCPDISCOVER);
	pkt_addr(&p, 50, S(a1));
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 1902), PXB_DHCP_V_OFFER, "new client asks for it -> OFFER");
	is_str(S(e.tx.yiaddr), S(a1), "the released address is reusable");
	env_free(&e);
}

static void test_decline(void)
{
	struct env e;
	struct pkt p;
	struct in_addr a3, x;

	env_server(&e);
	a3 = obtain(&e, mac3, &rx_lan_v, T0);
	ok(a3.s_addr != 0, "client bound to %s", S(a3));

	/* Someone else cannot make us quarantine an address it was not given. */
	req_plain(&p, mac2, PXB_DHCPDECLINE);
	pkt_addr(&p, 50, S(a3));
	pkt_addr(&p, 54, "198.18.0.1");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 5), PXB_DHCP_V_IGNORE, "DECLINE by a stranger -> ignored");

	req_plain(&p, mac3, PXB_DHCPDECLINE);
	pkt_addr(&p, 50, S(a3));
	pkt_addr(&p, 54, "198.18.0.254");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 5), PXB_DHCP_V_IGNORE, "DECLINE for another server -> ignored");

	req_plain(&p, mac3, PXB_DHCPDECLINE);
	pkt_addr(&p, 50, S(a3));
	pkt_addr(&p, 54, "198.18.0.1");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 5), PXB_DHCP_V_DECLINED, "DECLINE -> declined");
	is_int(e.tx.len, 0, "DECLINE: nothing sent");
	{
		const struct pxb_lease *l = pxb_lease_by_addr(e.leases, ntohl(a3.s_addr));
		ok(l && l->state == PXB_LEASE_DECLINED && l->expires == T0 + 5 + 600,
		   "the address is quarantined for decline_quarantine");
	}
	/* Not offered to anyone during the quarantine, even when asked for. */
	req_plain(&p, mac1, PXB_DHCPDISCOVER);
	pkt_addr(&p, 50, S(a3));
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 10), PXB_DHCP_V_OFFER, "DISCOVER asking for it -> OFFER");
	ok(e.tx.yiaddr.s_addr != a3.s_addr, "not the quarantined address (%s)", S(e.tx.yiaddr));
	req_plain(&p, mac3, PXB_DHCPDISCOVER);
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 10), PXB_DHCP_V_OFFER, "the decliner DISCOVERs -> OFFER");
	x = e.tx.yiaddr;
	ok(x.s_addr != a3.s_addr, "the decliner gets another address (%s)", S(x));
	/* Exhaust the rest of the pool: the quarantined one is never among them. */
	{
		int seen = 0, n = 0;
		for (unsigned i = 0; i < 20; i++) {
			uint8_t m[6];
			mac_n(m, 100 + i);
			req_plain(&p, m, PXB_DHCPDISCOVER);
			pkt_end(&p);
			if (run(&e, &p, &rx_lan_v, T0 + 20) != PXB_DHCP_V_OFFER)
				break;
			n++;
			seen |= e.tx.yiaddr.s_addr == a3.s_addr;
		}
		ok(!seen, "the quarantined address is not offered while the pool drains (%d offers)", n);
	}
	/* After the quarantine (and the offers) expire, it is given again. */
	{
		uint8_t m[6];
		mac_n(m, 99);
		req_plain(&p, m, PXB_DHCPDISCOVER);
	}
	pkt_addr(&p, 50, S(a3));
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 5 + 601), PXB_DHCP_V_OFFER,
	       "after the quarantine -> OFFER");
	is_str(S(e.tx.yiaddr), S(a3), "the address is offered again once the quarantine ended");
	env_free(&e);
}

static void test_inform(void)
{
	struct env e;
	struct pkt p;

	env_server(&e);
	req_plain(&p, mac1, PXB_DHCPINFORM);
	pkt_ciaddr(&p, "198.18.0.50");
	p.b[10] = 0;
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_ACK, "INFORM -> ACK");
	is_int(rep_type(&e), PXB_DHCPACK, "INFORM: option 53 ACK");
	is_int(e.rep.yiaddr.s_addr, 0, "INFORM: no yiaddr");
	ok(!rep_has(&e, 51) && !rep_has(&e, 58) && !rep_has(&e, 59), "INFORM: no lease times");
	is_str(rep_addr(&e, 1), "255.255.255.0", "INFORM: subnet mask");
	is_str(rep_addr(&e, 54), "198.18.0.1", "INFORM: server id");
	is_str(S(e.tx.dst), "198.18.0.50", "INFORM: to ciaddr");
	is_int(e.tx.dst_port, 68, "INFORM: port 68");
	is_int(e.tx.hold_seq, 0, "INFORM: nothing to wait for");
	is_int(pxb_lease_count(e.leases), 0, "INFORM: no lease made");
	env_free(&e);
}

static void test_relay(void)
{
	struct env e;
	struct pkt p;
	struct in_addr a;
	struct pxb_dhcp_view v, c;
	static const uint8_t agent[] = { 1, 4, 'p', 'o', 'r', 't', 2, 3, 's', 'w', '1' };

	env_server(&e);
	req_plain(&p, mac1, PXB_DHCPDISCOVER);
	pkt_giaddr(&p, "198.19.5.1");
	p.b[3] = 1; /* hops */
	pkt_opt(&p, 82, agent, sizeof(agent));
	pkt_end(&p);
	is_int(run(&e, &p, &rx_relay_v, T0), PXB_DHCP_V_OFFER, "relayed DISCOVER -> OFFER");
	a = e.tx.yiaddr;
	ok(in_range(a, "198.19.5.10", "198.19.5.19"), "relayed: address from giaddr's network (%s)",
	   S(a));
	is_str(S(e.tx.dst), "198.19.5.1", "relayed: reply to giaddr");
	is_int(e.tx.dst_port, 67, "relayed: to port 67");
	is_str(S(e.rep.giaddr), "198.19.5.1", "relayed: giaddr copied");
	is_str(rep_addr(&e, 3), "198.19.5.1", "relayed: that network's router");
	is_int(rep_u32(&e, 51), 1800, "relayed: that network's lease time");
	ok(pxb_dhcp_opt(&e.rep, 82, &v) == 0 && v.len == sizeof(agent) &&
	   memcmp(v.data, agent, sizeof(agent)) == 0,
	   "relayed: option 82 echoed (RFC 3046 2.2)");
	ok(pxb_dhcp_relay_subopt(&e.rep, 1, &c) == 0 && c.len == 4, "relayed: circuit id readable");

	req_plain(&p, mac1, PXB_DHCPREQUEST);
	pkt_giaddr(&p, "198.19.5.1");
	pkt_addr(&p, 50, S(a));
	pkt_addr(&p, 54, "198.18.0.1");
	pkt_opt(&p, 82, agent, sizeof(agent));
	pkt_end(&p);
	is_int(run(&e, &p, &rx_relay_v, T0), PXB_DHCP_V_ACK, "relayed REQUEST -> ACK");
	is_str(S(e.tx.dst), "198.19.5.1", "relayed ACK: to giaddr");
	is_int(e.tx.dst_port, 67, "relayed ACK: to port 67");
	ok(rep_has(&e, 82), "relayed ACK: option 82 echoed");

	/* A client we know nothing of, through the relay: silent (RFC 2131 4.3.2). */
	req_plain(&p, mac2, PXB_DHCPREQUEST);
	pkt_giaddr(&p, "198.19.5.1");
	p.b[10] = 0;
	pkt_addr(&p, 50, S(a));
	pkt_end(&p);
	is_int(run(&e, &p, &rx_relay_v, T0), PXB_DHCP_V_IGNORE,
	       "relayed INIT-REBOOT from a client with no record -> silent");

	/* A known client asking for another's address: NAK to the relay, broadcast bit set. */
	req_plain(&p, mac2, PXB_DHCPDISCOVER);
	pkt_giaddr(&p, "198.19.5.1");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_relay_v, T0), PXB_DHCP_V_OFFER, "relayed DISCOVER of a second client");
	req_plain(&p, mac2, PXB_DHCPREQUEST);
	pkt_giaddr(&p, "198.19.5.1");
	p.b[10] = 0;
	pkt_addr(&p, 50, S(a));
	pkt_end(&p);
	is_int(run(&e, &p, &rx_relay_v, T0), PXB_DHCP_V_NAK, "relayed INIT-REBOOT for another's -> NAK");
	is_str(S(e.tx.dst), "198.19.5.1", "relayed NAK: to giaddr");
	is_int(e.rep.flags & 0x8000, 0x8000, "relayed NAK: broadcast bit set (RFC 2131 4.3.2)");

	/* A relay on a network we do not serve. */
	{
		struct pxb_dhcp_rx rx = rx_relay_v;
		rx.src = A("198.19.200.1");
		req_plain(&p, mac2, PXB_DHCPDISCOVER);
		pkt_giaddr(&p, "198.19.200.1");
		pkt_end(&p);
		is_int(run(&e, &p, &rx, T0), PXB_DHCP_V_IGNORE,
		       "relay from an unknown network -> ignored");
		why_is(&e, "not on a configured network", "ignored: not on a configured network");
	}

	/* Direct request on an interface we do not serve. */
	{
		struct pxb_dhcp_rx rx = rx_lan_v;
		rx.ifname = "eth9";
		rx.local = A("198.18.99.1");
		req_plain(&p, mac2, PXB_DHCPDISCOVER);
		pkt_end(&p);
		is_int(run(&e, &p, &rx, T0), PXB_DHCP_V_IGNORE, "unknown interface -> ignored");
		why_is(&e, "not on a configured network", "ignored: not on a configured network");
	}
	/* Server mode does not answer on 4011. */
	{
		struct pxb_dhcp_rx rx = rx_lan_v;
		rx.dst_port = 4011;
		req_ovmf_pxe(&p, mac2, PXB_DHCPREQUEST);
		is_int(run(&e, &p, &rx, T0), PXB_DHCP_V_IGNORE, "server mode: port 4011 -> ignored");
	}
	env_free(&e);
}

/* ---- a hostile LAN ----------------------------------------------------------- */

/* A DISCOVER through relay giaddr 198.19.5.1, arriving from src:sport. */
static int relayed_from(struct env *e, const uint8_t mac[6], const char *src, uint16_t sport)
{
	struct pxb_dhcp_rx rx = rx_relay_v;
	struct pkt p;

	rx.src = A(src);
	rx.src_port = sport;
	req_plain(&p, mac, PXB_DHCPDISCOVER);
	pkt_giaddr(&p, "198.19.5.1");
	pkt_end(&p);
	return run(e, &p, &rx, T0);
}

static void test_not_relay(void)
{
	struct pxb_dhcp_server_config sc = server_cfg;
	struct in_addr relays[1];
	struct env e;
	struct pkt p;

	env_server(&e);
	/* A client on lan0 writes the giaddr of the relayed network. */
	{
		struct pxb_dhcp_rx rx = rx_lan_v;
		rx.src = A("198.18.0.50");
		req_plain(&p, mac1, PXB_DHCPDISCOVER);
		pkt_giaddr(&p, "198.19.5.1");
		pkt_end(&p);
		is_int(run(&e, &p, &rx, T0), PXB_DHCP_V_NOT_RELAY,
		       "direct client with a giaddr -> not-relay");
		is_str(pxb_dhcp_verdict_name(e.tx.verdict), "not-relay", "verdict named not-relay");
		is_int(e.tx.len, 0, "direct client with a giaddr: nothing sent");
		is_int(e.tx.req_type, PXB_DHCPDISCOVER, "not-relay: the request type is known");
		is_int(pxb_lease_count(e.leases), 0,
		       "direct client with a giaddr: no address held");
	}
	is_int(relayed_from(&e, mac1, "198.19.5.1", 68), PXB_DHCP_V_NOT_RELAY,
	       "giaddr's own address but port 68 -> not-relay");
	is_int(relayed_from(&e, mac1, "198.18.0.2", 67), PXB_DHCP_V_NOT_RELAY,
	       "port 67 but not from giaddr -> not-relay");
	is_int(relayed_from(&e, mac1, "198.19.5.1", 67), PXB_DHCP_V_OFFER,
	       "from port 67 of giaddr -> OFFER");
	is_str(S(e.tx.dst), "198.19.5.1", "relay: reply to giaddr");
	/* A REQUEST with a giaddr: the same rule. */
	{
		struct pxb_dhcp_rx rx = rx_lan_v;
		rx.src = A("198.18.0.50");
		req_plain(&p, mac1, PXB_DHCPREQUEST);
		pkt_giaddr(&p, "198.19.5.1");
		pkt_addr(&p, 50, S(e.tx.yiaddr));
		pkt_addr(&p, 54, "198.18.0.1");
		pkt_end(&p);
		is_int(run(&e, &p, &rx, T0), PXB_DHCP_V_NOT_RELAY,
		       "direct REQUEST with a giaddr -> not-relay");
	}
	env_free(&e);

	/* A configured relay, sending from another of its addresses (and any port). */
	relays[0] = A("198.18.0.2");
	sc.relays = relays;
	sc.nrelays = 1;
	env_server_cfg(&e, &sc);
	relays[0] = A("0.0.0.0"); /* the engine keeps its own copy */
	is_int(relayed_from(&e, mac2, "198.18.0.2", 67), PXB_DHCP_V_OFFER,
	       "configured relay from another address -> OFFER");
	ok(in_range(e.tx.yiaddr, "198.19.5.10", "198.19.5.19"),
	   "configured relay: address from giaddr's network (%s)", S(e.tx.yiaddr));
	is_str(S(e.tx.dst), "198.19.5.1", "configured relay: reply to giaddr");
	is_int(e.tx.dst_port, 67, "configured relay: port 67");
	is_int(relayed_from(&e, mac3, "198.18.0.2", 1067), PXB_DHCP_V_OFFER,
	       "configured relay from another port -> OFFER");
	is_int(relayed_from(&e, mac3, "198.18.0.3", 67), PXB_DHCP_V_NOT_RELAY,
	       "an address not in the list -> not-relay");
	env_free(&e);
}

static void test_ciaddr(void)
{
	struct env e;
	struct pkt p;
	struct in_addr a1;

	env_server(&e);
	/* DISCOVER naming a third host in ciaddr: the OFFER is not sent there. */
	req_plain(&p, mac1, PXB_DHCPDISCOVER);
	pkt_ciaddr(&p, "198.19.77.7");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_OFFER,
	       "DISCOVER with a foreign ciaddr -> OFFER");
	is_str(S(e.tx.dst), "255.255.255.255", "foreign ciaddr: OFFER broadcast, not to ciaddr");
	is_int(e.tx.dst_port, 68, "foreign ciaddr: port 68");
	req_plain(&p, mac1, PXB_DHCPDISCOVER);
	pkt_ciaddr(&p, "198.18.0.7");
	p.b[10] = 0; /* broadcast bit clear */
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_OFFER,
	       "DISCOVER with a ciaddr on the LAN -> OFFER");
	is_str(S(e.tx.dst), "255.255.255.255",
	       "OFFER never to ciaddr, even on the LAN (RFC 2131 4.3.1)");

	/* RENEWING (ciaddr, no 50, no 54): unicast to ciaddr. */
	a1 = obtain(&e, mac2, &rx_lan_v, T0);
	req_plain(&p, mac2, PXB_DHCPREQUEST);
	pkt_ciaddr(&p, S(a1));
	p.b[10] = 0;
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 100), PXB_DHCP_V_ACK, "RENEWING -> ACK");
	is_str(S(e.tx.dst), S(a1), "RENEWING: ACK to ciaddr");
	is_int(e.tx.dst_port, 68, "RENEWING: port 68");
	/* ciaddr with option 50 is no RENEWING (RFC 2131 table 4): not to ciaddr. */
	req_plain(&p, mac2, PXB_DHCPREQUEST);
	pkt_ciaddr(&p, S(a1));
	pkt_addr(&p, 50, S(a1));
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 100), PXB_DHCP_V_ACK, "ciaddr and option 50 -> ACK");
	is_str(S(e.tx.dst), "255.255.255.255", "ciaddr and option 50: broadcast");
	/* A RENEWING REQUEST with a foreign ciaddr: NAK, broadcast. */
	req_plain(&p, mac2, PXB_DHCPREQUEST);
	pkt_ciaddr(&p, "198.19.77.7");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 100), PXB_DHCP_V_NAK,
	       "RENEWING from a foreign ciaddr -> NAK");
	is_str(S(e.tx.dst), "255.255.255.255", "its NAK: broadcast");

	/* INFORM: to ciaddr on this network; a foreign one gets nothing. */
	req_plain(&p, mac3, PXB_DHCPINFORM);
	pkt_ciaddr(&p, "198.19.77.7");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_IGNORE,
	       "INFORM from a foreign ciaddr -> ignored");
	is_int(e.tx.len, 0, "INFORM from a foreign ciaddr: nothing sent");
	env_free(&e);

	/* Proxy mode: an OFFER never goes to ciaddr either. */
	{
		struct pxb_dhcp_server_config pc = { .proxy = 1 };
		memset(&e, 0, sizeof(e));
		e.rules = make_rules();
		if (pxb_dhcp_server_new(&pc, e.rules, hosts, 2, NULL, &e.srv) < 0)
			abort();
		req_ovmf_pxe(&p, mac1, PXB_DHCPDISCOVER);
		pkt_ciaddr(&p, "198.19.77.7");
		is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_OFFER,
		       "proxy: DISCOVER with ciaddr -> OFFER");
		is_str(S(e.tx.dst), "255.255.255.255", "proxy: OFFER broadcast, not to ciaddr");
		pxb_dhcp_server_free(e.srv);
		pxb_match_rules_free(e.rules);
	}
}

/* Requests that pass the rate limit of interface ifname among n sent at now. */
static int passed(struct env *e, const char *ifname, int n, int64_t now)
{
	struct pxb_dhcp_rx rx = rx_lan_v;
	struct pkt p;
	int k = 0;

	rx.ifname = ifname;
	for (int i = 0; i < n; i++) {
		uint8_t m[6];
		mac_n(m, 5000 + (unsigned)i);
		req_plain(&p, m, PXB_DHCPDISCOVER);
		pkt_end(&p);
		k += run(e, &p, &rx, now) != PXB_DHCP_V_RATE_LIMITED;
	}
	return k;
}

static void test_rate(void)
{
	struct pxb_dhcp_server_config sc = server_cfg;
	struct env e;
	struct pkt p;
	char name[32];
	int k = 0;

	sc.rate = 5;
	sc.rate_burst = 8;
	env_server_cfg(&e, &sc);
	is_int(passed(&e, "lan0", 20, T0), 8, "rate: a burst of 8 at once");
	req_plain(&p, mac1, PXB_DHCPDISCOVER);
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_RATE_LIMITED,
	       "rate: the next -> rate-limited");
	is_str(pxb_dhcp_verdict_name(e.tx.verdict), "rate-limited", "verdict named rate-limited");
	is_int(e.tx.len, 0, "rate-limited: nothing sent");
	is_int(e.tx.req_type, 0, "rate-limited: dropped unread");
	is_int(passed(&e, "tiny0", 3, T0), 3, "rate: another interface has its own bucket");
	is_int(passed(&e, "lan0", 20, T0 + 1), 5, "rate: 5 more a second later");
	is_int(passed(&e, "lan0", 20, T0 + 1), 0, "rate: none more within that second");
	is_int(passed(&e, "lan0", 20, T0 + 3), 8, "rate: two seconds refill up to the burst only");
	is_int(passed(&e, "lan0", 20, T0 - 50), 0, "rate: a clock going back refills nothing");
	is_int(passed(&e, "lan0", 20, T0 + 1000), 8, "rate: a long pause refills the burst");
	/*
	 * Interface names beyond the table share one bucket: bounded memory.
	 * lan0 and tiny0 hold 2 of the 32; x0..x29 take the rest, x30..x39
	 * share the last bucket's burst of 8.
	 */
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "x%d", i);
		k += passed(&e, name, 1, T0 + 2000);
	}
	is_int(k, 30 + 8, "rate: 32 interfaces with buckets, the rest share one");
	env_free(&e);

	/* No rate (0): no limit. */
	env_server(&e);
	is_int(passed(&e, "lan0", 500, T0), 500, "rate 0: every request is read");
	env_free(&e);
}

static void test_exhaustion_reservation(void)
{
	struct env e;
	struct pkt p;
	struct in_addr got[16];
	int n = 0, dup = 0, reserved = 0;

	env_server(&e);
	/* tiny0: two addresses. */
	for (unsigned i = 0; i < 2; i++) {
		uint8_t m[6];
		mac_n(m, 1 + i);
		req_plain(&p, m, PXB_DHCPDISCOVER);
		pkt_end(&p);
		is_int(run(&e, &p, &rx_tiny_v, T0), PXB_DHCP_V_OFFER, "tiny pool: client %u -> OFFER", i);
		is_str(rep_addr(&e, 54), "198.18.7.1", "tiny pool: server id is the configured one");
		is_str(S(e.rep.siaddr), "198.18.7.1", "tiny pool: siaddr is the configured one");
	}
	{
		uint8_t m[6];
		mac_n(m, 3);
		req_plain(&p, m, PXB_DHCPDISCOVER);
		pkt_end(&p);
	}
	is_int(run(&e, &p, &rx_tiny_v, T0 + 1), PXB_DHCP_V_EXHAUSTED,
	       "tiny pool: third client -> exhausted");
	is_str(pxb_dhcp_verdict_name(e.tx.verdict), "exhausted",
	       "tiny pool: verdict named exhausted");
	is_int(e.tx.len, 0, "tiny pool: nothing sent");
	why_is(&e, "no free address in the pool 198.18.7.10-198.18.7.11",
	       "exhausted with a reason naming the pool");
	is_int(run(&e, &p, &rx_tiny_v, T0 + 61), PXB_DHCP_V_OFFER,
	       "tiny pool: once the offers expire (offer_hold) -> OFFER");

	/* lan0: 10 addresses, .105 reserved for the host "fixed". */
	req_plain(&p, mac_fixed, PXB_DHCPDISCOVER);
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_OFFER, "reserved host -> OFFER");
	is_str(S(e.tx.yiaddr), "198.18.0.105", "reserved host gets its address");
	/* Someone else asking for it by name is not given it. */
	req_plain(&p, mac1, PXB_DHCPDISCOVER);
	pkt_addr(&p, 50, "198.18.0.105");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_OFFER, "stranger asking for the reserved address -> OFFER");
	ok(e.tx.yiaddr.s_addr != A("198.18.0.105").s_addr,
	   "stranger is not offered the reserved address (got %s)", S(e.tx.yiaddr));
	/* ... even once the host's offer has expired, nor before the host ever asked. */
	req_plain(&p, mac2, PXB_DHCPDISCOVER);
	pkt_addr(&p, 50, "198.18.0.105");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 100), PXB_DHCP_V_OFFER,
	       "another stranger asks after the host's offer expired");
	ok(e.tx.yiaddr.s_addr != A("198.18.0.105").s_addr,
	   "still not the reserved address (got %s)", S(e.tx.yiaddr));
	{
		struct env e2;
		env_server(&e2);
		req_plain(&p, mac3, PXB_DHCPDISCOVER);
		pkt_addr(&p, 50, "198.18.0.105");
		pkt_end(&p);
		is_int(run(&e2, &p, &rx_lan_v, T0), PXB_DHCP_V_OFFER,
		       "stranger asks for the reserved address before the host came");
		ok(e2.tx.yiaddr.s_addr != A("198.18.0.105").s_addr,
		   "not offered the reserved address (got %s)", S(e2.tx.yiaddr));
		env_free(&e2);
	}
	req_plain(&p, mac1, PXB_DHCPREQUEST);
	pkt_addr(&p, 50, "198.18.0.105");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 100), PXB_DHCP_V_NAK,
	       "stranger INIT-REBOOTing into the reserved address -> NAK");
	/* Drain the pool with strangers. */
	for (unsigned i = 0; i < 16; i++) {
		uint8_t m[6];
		mac_n(m, 1000 + i);
		req_plain(&p, m, PXB_DHCPDISCOVER);
		pkt_end(&p);
		if (run(&e, &p, &rx_lan_v, T0 + 200) != PXB_DHCP_V_OFFER)
			break;
		for (int k = 0; k < n; k++)
			dup |= got[k].s_addr == e.tx.yiaddr.s_addr;
		reserved |= e.tx.yiaddr.s_addr == A("198.18.0.105").s_addr;
		got[n++] = e.tx.yiaddr;
	}
	is_int(n, 9, "strangers get the 9 unreserved addresses");
	is_int(e.tx.verdict, PXB_DHCP_V_EXHAUSTED, "the tenth stranger: verdict exhausted");
	ok(!reserved, "none of them gets the reserved address");
	ok(!dup, "no address offered twice");
	why_is(&e, "no free address", "the tenth stranger: pool exhausted");
	req_plain(&p, mac_fixed, PXB_DHCPDISCOVER);
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0 + 200), PXB_DHCP_V_OFFER, "reserved host, pool drained -> OFFER");
	is_str(S(e.tx.yiaddr), "198.18.0.105", "it still gets its own address");
	env_free(&e);
}

/* Many clients, each DISCOVER twice, REQUEST, RENEW: never an address twice. */
static void test_many_clients(void)
{
	enum { N = 3000 };
	struct env e;
	struct pkt p;
	static struct in_addr have[N];
	static uint8_t used[1 << 16];
	int bad_offer = 0, bad_ack = 0, again = 0, dup = 0, outside = 0, renew = 0;

	env_server(&e);
	memset(used, 0, sizeof(used));
	for (unsigned i = 0; i < N; i++) {
		uint8_t m[6];
		struct in_addr a;

		mac_n(m, 50000 + i);
		req_plain(&p, m, PXB_DHCPDISCOVER);
		if (i % 3 == 0)
			pkt_client_id(&p, m);
		pkt_end(&p);
		/* Interleave: every client's first DISCOVER comes with another's REQUEST. */
		if (run(&e, &p, &rx_big_v, T0 + i / 100) != PXB_DHCP_V_OFFER) {
			bad_offer++;
			continue;
		}
		a = e.tx.yiaddr;
		if (run(&e, &p, &rx_big_v, T0 + i / 100) != PXB_DHCP_V_OFFER ||
		    e.tx.yiaddr.s_addr != a.s_addr)
			again++;
		req_plain(&p, m, PXB_DHCPREQUEST);
		if (i % 3 == 0)
			pkt_client_id(&p, m);
		pkt_addr(&p, 50, S(a));
		pkt_addr(&p, 54, "198.18.16.1");
		pkt_end(&p);
		if (run(&e, &p, &rx_big_v, T0 + i / 100) != PXB_DHCP_V_ACK ||
		    e.tx.yiaddr.s_addr != a.s_addr) {
			bad_ack++;
			continue;
		}
		if (i % 64 == 0)
			pxb_lease_flush(e.leases);
		have[i] = a;
		if (!in_range(a, "198.18.16.10", "198.18.31.250"))
			outside++;
		else if (used[ntohl(a.s_addr) & 0xffff]++)
			dup++;
	}
	pxb_lease_flush(e.leases);
	is_int(bad_offer, 0, "%d clients: every DISCOVER -> OFFER", N);
	is_int(again, 0, "a repeated DISCOVER gets the same offer");
	is_int(bad_ack, 0, "every REQUEST -> ACK of the offered address");
	is_int(outside, 0, "every address in the pool");
	is_int(dup, 0, "no address went to two clients");
	for (unsigned i = 0; i < N; i++) {
		uint8_t m[6];
		mac_n(m, 50000 + i);
		req_plain(&p, m, PXB_DHCPREQUEST);
		if (i % 3 == 0)
			pkt_client_id(&p, m);
		pkt_ciaddr(&p, S(have[i]));
		pkt_end(&p);
		if (run(&e, &p, &rx_big_v, T0 + 3600) != PXB_DHCP_V_ACK ||
		    e.tx.yiaddr.s_addr != have[i].s_addr)
			renew++;
	}
	is_int(renew, 0, "every client renews its own address");
	is_int(pxb_lease_count(e.leases), N, "one lease per client");
	env_free(&e);
}

static void test_lease_time_and_size(void)
{
	static const struct {
		uint32_t ask;   /* 0: no option 51 */
		uint32_t want;
		const char *name;
	} lt[] = {
		{ 0, 3600, "no option 51: the subnet's lease time" },
		{ 120, 120, "a shorter time is granted" },
		{ 99999, 3600, "a longer time is capped" },
		{ 10, 3600, "under a minute: the subnet's lease time" },
		{ 0xffffffffu, 3600, "infinity is capped" },
	};
	struct env e;
	struct pkt p;

	env_server(&e);
	for (size_t i = 0; i < sizeof(lt) / sizeof(lt[0]); i++) {
		uint8_t m[6];
		struct in_addr a;
		mac_n(m, 200 + (unsigned)i);
		req_plain(&p, m, PXB_DHCPDISCOVER);
		if (lt[i].ask)
			pkt_u32(&p, 51, lt[i].ask);
		pkt_end(&p);
		run(&e, &p, &rx_lan_v, T0);
		is_int(rep_u32(&e, 51), lt[i].want, "OFFER: %s", lt[i].name);
		a = e.tx.yiaddr;
		req_plain(&p, m, PXB_DHCPREQUEST);
		pkt_addr(&p, 50, S(a));
		pkt_addr(&p, 54, "198.18.0.1");
		if (lt[i].ask)
			pkt_u32(&p, 51, lt[i].ask);
		pkt_end(&p);
		is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_ACK, "ACK (%s)", lt[i].name);
		is_int(rep_u32(&e, 51), lt[i].want, "ACK: %s", lt[i].name);
		is_int(rep_u32(&e, 58), lt[i].want / 2, "ACK: T1 follows");
		{
			const struct pxb_lease *l = pxb_lease_by_addr(e.leases, ntohl(a.s_addr));
			ok(l && l->expires == T0 + lt[i].want, "the lease runs out as granted");
		}
	}

	/* Option 57: a reply with a 230-octet option (rule BIG) to a 576 client. */
	{
		static const uint16_t sizes[] = { 0, 300, 576, 1000, 1472, 65280 };
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			uint8_t m[6] = { 0x02, 0, 0, 0, 0x0f, (uint8_t)i };
			size_t lim = sizes[i] < 576 ? 548 : sizes[i] - 28u;
			int v;
			struct pxb_dhcp_view o;

			if (lim > 1472 - 28)
				lim = 1472 - 28;
			pkt_start(&p, m, PXB_DHCPDISCOVER);
			if (sizes[i])
				pkt_u16(&p, 57, sizes[i]);
			pkt_end(&p);
			v = run(&e, &p, &rx_big_v, T0);
			if (v == PXB_DHCP_V_OFFER) {
				ok(e.tx.len <= lim, "57 = %u: reply of %zu octets within %zu",
				   sizes[i], e.tx.len, lim);
				ok(pxb_dhcp_opt(&e.rep, 224, &o) == 0 && o.len == 230,
				   "57 = %u: the long option is intact", sizes[i]);
				is_str(rep_file(&e), "big.kpxe", "57 = %u: the boot file is there",
				       sizes[i]);
			} else {
				is_int(v, PXB_DHCP_V_IGNORE, "57 = %u: does not fit -> ignored",
				       sizes[i]);
				why_is(&e, "maximum message size", "57 = %u: why says so", sizes[i]);
				ok(sizes[i] < 1000, "57 = %u: only a small limit may refuse",
				   sizes[i]);
			}
		}
	}
	env_free(&e);
}

/* ---- malformed requests (table) ------------------------------------------- */

enum mut {
	M_NONE, M_TRUNC, M_HOPS17, M_HOPS16, M_HLEN17, M_HLEN7, M_COOKIE, M_OP2, M_OVERRUN,
	M_OPTLEN, M_TYPE2, M_NOTYPE, M_TYPE_OFFER, M_TYPE_99, M_SHORT100, M_EMPTY,
	M_OVERLOAD_BAD, M_RELEASE_NOCI,
};

static const struct {
	enum mut mut;
	enum pxb_dhcp_verdict want;
	const char *why; /* NULL: pxb_dhcp_reason_str(reason) */
	enum pxb_dhcp_reason reason;
	const char *name;
} malformed[] = {
	{ M_EMPTY, PXB_DHCP_V_DROP, NULL, PXB_DHCP_R_TRUNCATED, "empty datagram" },
	{ M_SHORT100, PXB_DHCP_V_DROP, NULL, PXB_DHCP_R_TRUNCATED, "100 octets" },
	{ M_TRUNC, PXB_DHCP_V_DROP, NULL, PXB_DHCP_R_TRUNCATED, "cut before the cookie" },
	{ M_HOPS17, PXB_DHCP_V_DROP, NULL, PXB_DHCP_R_HOPS, "hops 17" },
	{ M_HLEN17, PXB_DHCP_V_DROP, NULL, PXB_DHCP_R_BAD_HLEN, "hlen 17" },
	{ M_HLEN7, PXB_DHCP_V_DROP, NULL, PXB_DHCP_R_HTYPE_HLEN, "Ethernet with hlen 7" },
	{ M_COOKIE, PXB_DHCP_V_DROP, NULL, PXB_DHCP_R_BAD_COOKIE, "no magic cookie" },
	{ M_OP2, PXB_DHCP_V_DROP, NULL, PXB_DHCP_R_BAD_OP, "a BOOTREPLY" },
	{ M_OVERRUN, PXB_DHCP_V_DROP, NULL, PXB_DHCP_R_OPT_OVERRUN, "option runs past the end" },
	{ M_OPTLEN, PXB_DHCP_V_DROP, NULL, PXB_DHCP_R_OPT_TRUNCATED, "option without length" },
	{ M_TYPE2, PXB_DHCP_V_DROP, NULL, PXB_DHCP_R_BAD_MSG_TYPE, "option 53 of 2 octets" },
	{ M_OVERLOAD_BAD, PXB_DHCP_V_DROP, NULL, PXB_DHCP_R_BAD_OVERLOAD, "option 52 = 7" },
	{ M_NOTYPE, PXB_DHCP_V_IGNORE, "BOOTP", 0, "no option 53 (plain BOOTP)" },
	{ M_TYPE_OFFER, PXB_DHCP_V_IGNORE, "not a client message", 0, "a client sending OFFER" },
	{ M_TYPE_99, PXB_DHCP_V_IGNORE, "not a client message", 0, "message type 99" },
	{ M_RELEASE_NOCI, PXB_DHCP_V_DROP, "RELEASE without", 0, "RELEASE without ciaddr" },
	{ M_HOPS16, PXB_DHCP_V_OFFER, "offer", 0, "hops 16 is still fine" },
};

static void build_malformed(struct pkt *p, enum mut mu)
{
	uint8_t m[6];

	mac_n(m, 7000 + (unsigned)mu);
	switch (mu) {
	case M_NOTYPE:
		pkt_header(p, m, 0x1);
		pkt_opt(p, 55, prl_std, sizeof(prl_std));
		pkt_end(p);
		return;
	case M_TYPE2:
		pkt_header(p, m, 0x1);
		pkt_u16(p, 53, 0x0101);
		pkt_end(p);
		return;
	case M_TYPE_OFFER:
		req_plain(p, m, PXB_DHCPOFFER);
		pkt_end(p);
		return;
	case M_TYPE_99:
		req_plain(p, m, 99);
		pkt_end(p);
		return;
	case M_RELEASE_NOCI:
		req_plain(p, m, PXB_DHCPRELEASE);
		pkt_end(p);
		return;
	default:
		break;
	}
	req_plain(p, m, PXB_DHCPDISCOVER);
	switch (mu) {
	case M_OVERRUN:
		p->b[p->len++] = 60;
		p->b[p->len++] = 40;
		pkt_raw(p, "PXEClient", 9);
		return; /* length says 40, 9 follow */
	case M_OPTLEN:
		p->b[p->len++] = 60;
		return;
	case M_OVERLOAD_BAD:
		pkt_u8(p, 52, 7);
		break;
	default:
		break;
	}
	pkt_end(p);
	switch (mu) {
	case M_EMPTY: p->len = 0; break;
	case M_SHORT100: p->len = 100; break;
	case M_TRUNC: p->len = 238; break;
	case M_HOPS17: p->b[3] = 17; break;
	case M_HOPS16: p->b[3] = 16; break;
	case M_HLEN17: p->b[2] = 17; break;
	case M_HLEN7: p->b[2] = 7; break;
	case M_COOKIE: p->b[239] ^= 0xff; break;
	case M_OP2: p->b[0] = 2; break;
	default: break;
	}
}

static void test_malformed(void)
{
	struct env e;
	struct pkt p;

	env_server(&e);
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		const char *why = malformed[i].why ? malformed[i].why
						   : pxb_dhcp_reason_str(malformed[i].reason);
		build_malformed(&p, malformed[i].mut);
		is_int(run(&e, &p, &rx_lan_v, T0), malformed[i].want, "%s -> %s", malformed[i].name,
		       pxb_dhcp_verdict_name(malformed[i].want));
		why_is(&e, why, "%s: why \"%s\"", malformed[i].name, why);
		if (malformed[i].want != PXB_DHCP_V_OFFER)
			is_int(e.tx.len, 0, "%s: nothing sent", malformed[i].name);
	}
	is_int(pxb_dhcp_server_input(e.srv, NULL, 0, &rx_lan_v, T0, &e.tx), PXB_ERR_INVAL,
	       "NULL buffer -> PXB_ERR_INVAL");
	/* Nothing of the above left a lease behind but the one offer. */
	is_int(pxb_lease_count(e.leases), 1, "only the well-formed DISCOVER made an offer");
	env_free(&e);

	{
		struct pxb_dhcp_server *s = NULL;
		struct pxb_dhcp_server_config sc = { .proxy = 0, .subnets = subnets, .nsubnets = 1 };
		struct pxb_dhcp_subnet_config bad = subnets[0];
		struct pxb_lease_store *ls = NULL;
		struct pxb_lease_config lc = { 0 };

		pxb_lease_open(&lc, T0, &ls, NULL);
		is_int(pxb_dhcp_server_new(&sc, NULL, NULL, 0, NULL, &s), PXB_ERR_INVAL,
		       "server mode without a lease store -> PXB_ERR_INVAL");
		sc.nsubnets = 0;
		is_int(pxb_dhcp_server_new(&sc, NULL, NULL, 0, ls, &s), PXB_ERR_INVAL,
		       "server mode without subnets -> PXB_ERR_INVAL");
		bad.pool_end = A("198.18.1.5");
		sc.subnets = &bad;
		sc.nsubnets = 1;
		is_int(pxb_dhcp_server_new(&sc, NULL, NULL, 0, ls, &s), PXB_ERR_INVAL,
		       "pool outside its subnet -> PXB_ERR_INVAL");
		pxb_lease_close(ls);
	}
}

/* ---- proxy mode ----------------------------------------------------------- */

static void env_proxy(struct env *e, int with_subnet)
{
	struct pxb_dhcp_server_config sc = { .proxy = 1, .http_port = 8080 };

	memset(e, 0, sizeof(*e));
	if (with_subnet) {
		sc.subnets = subnets;
		sc.nsubnets = 1;
	}
	e->rules = make_rules();
	if (pxb_dhcp_server_new(&sc, e->rules, hosts, 2, NULL, &e->srv) < 0)
		abort();
}

static int vendor_sub(struct env *e, uint8_t code, struct pxb_dhcp_view *out)
{
	struct pxb_dhcp_view v;

	if (!e->rep_ok || pxb_dhcp_opt(&e->rep, 43, &v) < 0)
		return -1;
	return pxb_dhcp_subopt(v.data, v.len, code, out);
}

static void test_proxy(void)
{
	struct env e;
	struct pkt p;
	struct pxb_dhcp_view v;
	int yi = 0;

	env_proxy(&e, 1);
	/* A plain DHCP client is the real server's business. */
	req_udhcpc(&p, mac1);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_IGNORE, "proxy: non-PXE DISCOVER -> ignored");
	why_is(&e, "not a PXE client", "proxy: why says not a PXE client");

	/* OVMF UEFI PXE. */
	req_ovmf_pxe(&p, mac1, PXB_DHCPDISCOVER);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_OFFER, "proxy: PXEClient DISCOVER -> OFFER");
	yi |= e.rep.yiaddr.s_addr != 0;
	is_int(e.rep.yiaddr.s_addr, 0, "proxy OFFER: yiaddr 0");
	is_int(e.tx.yiaddr.s_addr, 0, "proxy OFFER: tx.yiaddr 0");
	is_str(rep_str(&e, 60), "PXEClient", "proxy OFFER: option 60 PXEClient");
	ok(vendor_sub(&e, 6, &v) == 0 && v.len == 1 && v.data[0] == 8,
	   "proxy OFFER: option 43 sub-option 6 = 8");
	is_str(rep_file(&e), "snponly.efi", "proxy OFFER: boot file in the file field");
	is_str(rep_str(&e, 67), "snponly.efi", "proxy OFFER: boot file in option 67");
	is_str(rep_addr(&e, 54), "198.18.0.1", "proxy OFFER: server id is us");
	is_str(S(e.rep.siaddr), "198.18.0.1", "proxy OFFER: siaddr is us");
	ok(!rep_has(&e, 51) && !rep_has(&e, 1) && !rep_has(&e, 3),
	   "proxy OFFER: no lease time, no network options");
	ok(pxb_dhcp_opt(&e.rep, 97, &v) == 0 && v.len == 17 && v.data[0] == 0 &&
	   memcmp(v.data + 1, test_uuid, 16) == 0, "proxy OFFER: UUID (97) echoed");
	is_str(S(e.tx.dst), "255.255.255.255", "proxy OFFER: broadcast");
	is_int(e.tx.dst_port, 68, "proxy OFFER: port 68");
	is_int(e.tx.hold_seq, 0, "proxy OFFER: not held");

	/* iPXE BIOS ROM: the menu. */
	req_ipxe_bios(&p, mac2);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_OFFER, "proxy: iPXE DISCOVER -> OFFER");
	yi |= e.rep.yiaddr.s_addr != 0;
	is_str(rep_str(&e, 67), "menu.ipxe", "proxy OFFER to iPXE: menu.ipxe");

	/* UEFI HTTP boot. */
	req_ovmf_http(&p, mac3);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_OFFER, "proxy: HTTPClient DISCOVER -> OFFER");
	yi |= e.rep.yiaddr.s_addr != 0;
	is_str(rep_str(&e, 60), "HTTPClient", "proxy HTTP OFFER: option 60 HTTPClient");
	is_str(rep_str(&e, 67), "http://198.18.0.1:8080/snponly.efi",
	       "proxy HTTP OFFER: the boot file is a URL");
	ok(!rep_has(&e, 43) || vendor_sub(&e, 6, &v) < 0,
	   "proxy HTTP OFFER: no PXE discovery control");

	/* REQUEST to port 4011 from the client's new address: ACK back to it. */
	{
		struct pxb_dhcp_rx rx = rx_lan_v;
		rx.dst_port = 4011;
		rx.src = A("198.18.0.123");
		rx.src_port = 4011;
		req_ovmf_pxe(&p, mac1, PXB_DHCPREQUEST);
		pkt_ciaddr(&p, "198.18.0.123");
		is_int(run(&e, &p, &rx, T0), PXB_DHCP_V_ACK, "proxy: REQUEST on 4011 -> ACK");
		yi |= e.rep.yiaddr.s_addr != 0;
		is_int(rep_type(&e), PXB_DHCPACK, "4011 ACK: option 53 ACK");
		is_str(S(e.tx.dst), "198.18.0.123", "4011 ACK: to the source address");
		is_int(e.tx.dst_port, 4011, "4011 ACK: to the source port");
		is_int(e.rep.yiaddr.s_addr, 0, "4011 ACK: yiaddr 0");
		is_str(rep_str(&e, 67), "snponly.efi", "4011 ACK: boot file");
		is_str(rep_str(&e, 60), "PXEClient", "4011 ACK: option 60 PXEClient");
		ok(vendor_sub(&e, 71, &v) < 0, "4011 ACK: no boot item when none was sent");

		/* With a boot item (iPXE's PXEBS): echoed. */
		{
			static const uint8_t o43[] = { 71, 4, 0x80, 0x00, 0x00, 0x00, 255 };
			pkt_start(&p, mac2, PXB_DHCPREQUEST);
			pkt_ciaddr(&p, "198.18.0.124");
			pkt_str(&p, 60, "PXEClient:Arch:00000:UNDI:002001");
			pkt_u16(&p, 93, 0);
			pkt_opt(&p, 43, o43, sizeof(o43));
			pkt_end(&p);
		}
		rx.src = A("198.18.0.124");
		rx.src_port = 68;
		is_int(run(&e, &p, &rx, T0), PXB_DHCP_V_ACK, "proxy: PXEBS REQUEST on 4011 -> ACK");
		yi |= e.rep.yiaddr.s_addr != 0;
		ok(vendor_sub(&e, 71, &v) == 0 && v.len == 4 && v.data[0] == 0x80 && v.data[1] == 0,
		   "4011 ACK: sub-option 71 echoed");
		is_str(S(e.tx.dst), "198.18.0.124", "4011 ACK: to the source address");
		is_int(e.tx.dst_port, 68, "4011 ACK: to the source port (68)");

		/* DISCOVER on 4011 is not a thing. */
		req_ovmf_pxe(&p, mac1, PXB_DHCPDISCOVER);
		is_int(run(&e, &p, &rx, T0), PXB_DHCP_V_IGNORE, "proxy: DISCOVER on 4011 -> ignored");
		/* A non-PXE REQUEST on 4011. */
		req_plain(&p, mac1, PXB_DHCPREQUEST);
		pkt_ciaddr(&p, "198.18.0.123");
		pkt_end(&p);
		is_int(run(&e, &p, &rx, T0), PXB_DHCP_V_IGNORE, "proxy: non-PXE REQUEST on 4011 -> ignored");
	}

	/* REQUEST on 67: for the real server unless it names us. */
	req_ovmf_pxe(&p, mac1, PXB_DHCPREQUEST);
	p.len--; /* reopen before END */
	pkt_addr(&p, 50, "198.18.0.123");
	pkt_addr(&p, 54, "198.18.0.254");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_IGNORE,
	       "proxy: REQUEST on 67 naming another server -> ignored");
	req_ovmf_pxe(&p, mac1, PXB_DHCPREQUEST);
	p.len--;
	pkt_addr(&p, 50, "198.18.0.123");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_IGNORE,
	       "proxy: REQUEST on 67 without server id -> ignored");
	/* A client that took our OFFER for a lease (busybox udhcpc -V PXEClient). */
	req_ovmf_pxe(&p, mac1, PXB_DHCPREQUEST);
	p.len--;
	pkt_addr(&p, 50, "0.0.0.0");
	pkt_addr(&p, 54, "198.18.0.1");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_IGNORE,
	       "proxy: REQUEST on 67 naming us for address 0.0.0.0 -> ignored");
	why_is(&e, "proxy has none", "proxy: why says a proxy has no address to give");
	req_ovmf_pxe(&p, mac1, PXB_DHCPREQUEST);
	p.len--;
	pkt_addr(&p, 54, "198.18.0.1");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_ACK, "proxy: REQUEST on 67 naming us -> ACK");
	yi |= e.rep.yiaddr.s_addr != 0;
	is_int(e.rep.yiaddr.s_addr, 0, "proxy ACK on 67: yiaddr 0");

	/* Other messages are the real server's. */
	{
		static const uint8_t types[] = { PXB_DHCPRELEASE, PXB_DHCPDECLINE, PXB_DHCPINFORM };
		int any = 0;
		for (size_t i = 0; i < sizeof(types); i++) {
			req_ovmf_pxe(&p, mac1, types[i]);
			any |= run(&e, &p, &rx_lan_v, T0) != PXB_DHCP_V_IGNORE;
		}
		ok(!any, "proxy: RELEASE, DECLINE, INFORM on 67 -> ignored");
	}

	/* The NOPXE host gets nothing at all from a proxy. */
	req_ipxe_bios(&p, mac_pay);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_IGNORE, "proxy: NOPXE host -> ignored");
	why_is(&e, "no boot offer", "proxy: why says no boot offer");

	/* A PXE client without any boot file (unknown arch, no rule). */
	pkt_start(&p, mac1, PXB_DHCPDISCOVER);
	pkt_str(&p, 60, "PXEClient:Arch:00011:UNDI:003000");
	pkt_u16(&p, 93, 11);
	pkt_end(&p);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_IGNORE, "proxy: no boot file for arch 11 -> ignored");

	/* Not our interface. */
	{
		struct pxb_dhcp_rx rx = rx_lan_v;
		rx.ifname = "eth9";
		rx.local = A("198.18.99.1");
		req_ovmf_pxe(&p, mac1, PXB_DHCPDISCOVER);
		is_int(run(&e, &p, &rx, T0), PXB_DHCP_V_IGNORE, "proxy: unknown interface -> ignored");
	}
	/* Malformed. */
	req_ovmf_pxe(&p, mac1, PXB_DHCPDISCOVER);
	p.b[3] = 17;
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_DROP, "proxy: hops 17 -> drop");
	ok(!yi, "proxy: never a yiaddr");
	env_free(&e);

	/* Without subnets, proxy answers on any interface. */
	env_proxy(&e, 0);
	{
		struct pxb_dhcp_rx rx = rx_lan_v;
		rx.ifname = "eth9";
		rx.local = A("198.18.99.1");
		req_ovmf_pxe(&p, mac1, PXB_DHCPDISCOVER);
		is_int(run(&e, &p, &rx, T0), PXB_DHCP_V_OFFER, "proxy without subnets: any interface");
		is_str(rep_addr(&e, 54), "198.18.99.1", "proxy: server id is where it arrived");
	}
	env_free(&e);
}

/* ---- from a configuration file -------------------------------------------- */

static char report_buf[2048];

static void collect(void *arg, const char *line)
{
	(void)arg;
	snprintf(report_buf + strlen(report_buf), sizeof(report_buf) - strlen(report_buf), "%s\n",
		 line);
}

static int setup_text(const char *text, struct pxb_dhcp_setup **out, pxb_conf **cp)
{
	pxb_conf *c = pxb_conf_new();
	int rc;

	report_buf[0] = '\0';
	*cp = c;
	if (pxb_conf_load_string(c, text, "t.conf", collect, NULL) < 0 ||
	    pxb_conf_validate(c, 1, collect, NULL) != 0)
		return PXB_ERR_CONFIG;
	rc = pxb_dhcp_setup_from_conf(c, out, collect, NULL);
	return rc;
}

static void test_conf(void)
{
	static const char good[] =
		"dhcp = {\n"
		"  mode = \"server\";\n"
		"  interfaces = [\"lan0\"];\n"
		"  lease_time = \"10m\";\n"
		"  decline_quarantine = \"2m\";\n"
		"  subnets = ( { network = \"198.18.0.0/24\"; pool_start = \"198.18.0.100\";\n"
		"                pool_end = \"198.18.0.150\"; router = \"198.18.0.1\";\n"
		"                dns = [\"198.18.0.1\"]; domain = \"rescue.test\"; },\n"
		"              { network = \"198.19.5.0/24\"; pool_start = \"198.19.5.10\";\n"
		"                pool_end = \"198.19.5.20\"; lease_time = \"30m\";\n"
		"                server = \"198.18.0.1\"; } );\n"
		"  hosts = ( { name = \"fixed\"; mac = \"02:00:00:00:00:bb\";\n"
		"              address = \"198.18.0.120\"; } );\n"
		"  tags = ( { set = \"ENH\"; match = \"user-class\"; value = \"iPXE\"; } );\n"
		"  boot = ( { tags = \"ENH\"; file = \"menu.ipxe\"; } );\n"
		"  arch_files = ( { arch = \"bios\"; file = \"undionly.kpxe\"; },\n"
		"                 { arch = \"efi-x64\"; file = \"snponly.efi\"; } );\n"
		"};\n"
		"http = { listen = \"198.18.0.1:8080\"; };\n";
	static const char bad_pool[] =
		"dhcp = { mode = \"server\"; interfaces = [\"lan0\"];\n"
		"  subnets = ( { network = \"198.18.0.0/24\"; pool_start = \"198.18.1.1\";\n"
		"                pool_end = \"198.18.1.9\"; } ); };\n";
	static const char half_pool[] =
		"dhcp = { mode = \"server\"; interfaces = [\"lan0\"];\n"
		"  subnets = ( { network = \"198.18.0.0/24\"; pool_start = \"198.18.0.10\"; } ); };\n";
	static const char bad_expr[] =
		"dhcp = { mode = \"proxy\"; interfaces = [\"lan0\"];\n"
		"  boot = ( { tags = \"A | B\"; file = \"x\"; } ); };\n";
	static const char hostile[] =
		"dhcp = { mode = \"server\"; interfaces = [\"lan0\"];\n"
		"  rate = 50; rate_burst = 120;\n"
		"  relays = [\"198.18.0.2\", \"198.18.0.3\"];\n"
		"  subnets = ( { network = \"198.18.0.0/24\"; pool_start = \"198.18.0.10\";\n"
		"                pool_end = \"198.18.0.20\"; } ); };\n";
	static const char bad_relay[] =
		"dhcp = { mode = \"server\"; interfaces = [\"lan0\"];\n"
		"  relays = [\"198.18.0.256\"];\n"
		"  subnets = ( { network = \"198.18.0.0/24\"; } ); };\n";
	static const char proxy_conf[] =
		"dhcp = { mode = \"proxy\"; interfaces = [\"lan0\"];\n"
		"  arch_files = ( { arch = \"efi-x64\"; file = \"snponly.efi\"; } ); };\n";
	struct pxb_dhcp_setup *su = NULL;
	const struct pxb_dhcp_server_config *sc;
	const struct pxb_match_host_config *hs;
	struct pxb_lease_config lc = { 0 };
	struct env e;
	struct pkt p;
	pxb_conf *c;
	size_t nh;

	is_int(setup_text(good, &su, &c), 0, "conf: a good dhcp section builds");
	if (!su) {
		diag("%s", report_buf);
		pxb_conf_free(c);
		return;
	}
	sc = pxb_dhcp_setup_server(su);
	hs = pxb_dhcp_setup_hosts(su, &nh);
	is_int(sc->proxy, 0, "conf: server mode");
	is_int(sc->nsubnets, 2, "conf: two subnets");
	is_str(sc->subnets[0].ifname, "lan0", "conf: the only interface is the first subnet's");
	is_int(sc->subnets[0].lease_time, 600, "conf: dhcp.lease_time 10m");
	is_int(sc->subnets[1].lease_time, 1800, "conf: the subnet's own lease time");
	is_int(sc->decline_quarantine, 120, "conf: decline_quarantine 2m");
	is_int(sc->http_port, 8080, "conf: http port from http.listen");
	is_str(S(sc->subnets[0].netmask), "255.255.255.0", "conf: netmask from /24");
	is_int(nh, 1, "conf: one host");
	is_int(sc->rate, 40000, "conf: dhcp.rate defaults to 40000");
	is_int(sc->rate_burst, 0, "conf: dhcp.rate_burst defaults to 0 (dhcp.rate)");
	is_int(sc->nrelays, 0, "conf: no relays configured by default");

	memset(&e, 0, sizeof(e));
	pxb_lease_open(&lc, T0, &e.leases, NULL);
	is_int(pxb_dhcp_server_new(sc, pxb_dhcp_setup_rules(su), hs, nh, e.leases, &e.srv), 0,
	       "conf: the engine starts");
	req_ipxe_bios(&p, mac1);
	is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_OFFER, "conf: DISCOVER -> OFFER");
	ok(in_range(e.tx.yiaddr, "198.18.0.100", "198.18.0.150"), "conf: address from the pool");
	is_int(rep_u32(&e, 51), 600, "conf: lease time 600");
	is_str(rep_str(&e, 15), "rescue.test", "conf: domain");
	is_str(rep_str(&e, 67), "menu.ipxe", "conf: iPXE gets the menu");
	req_ovmf_pxe(&p, mac2, PXB_DHCPDISCOVER);
	run(&e, &p, &rx_lan_v, T0);
	is_str(rep_str(&e, 67), "snponly.efi", "conf: EFI x64 gets its arch file");
	req_plain(&p, mac_fixed, PXB_DHCPDISCOVER);
	pkt_end(&p);
	run(&e, &p, &rx_lan_v, T0);
	is_str(S(e.tx.yiaddr), "198.18.0.120", "conf: the host gets its fixed address");
	req_plain(&p, mac3, PXB_DHCPDISCOVER);
	pkt_giaddr(&p, "198.19.5.1");
	pkt_end(&p);
	is_int(run(&e, &p, &rx_relay_v, T0), PXB_DHCP_V_OFFER, "conf: relayed DISCOVER -> OFFER");
	ok(in_range(e.tx.yiaddr, "198.19.5.10", "198.19.5.20"), "conf: relayed network's pool");
	is_int(rep_u32(&e, 51), 1800, "conf: relayed network's lease time");
	pxb_dhcp_server_free(e.srv);
	pxb_lease_close(e.leases);
	pxb_dhcp_setup_free(su);
	pxb_conf_free(c);

	su = NULL;
	is_int(setup_text(bad_pool, &su, &c), PXB_ERR_CONFIG, "conf: pool outside the network refused");
	ok(strstr(report_buf, "t.conf:") && strstr(report_buf, "not inside"),
	   "conf: the report names the file and says why");
	pxb_dhcp_setup_free(su);
	pxb_conf_free(c);

	su = NULL;
	is_int(setup_text(half_pool, &su, &c), PXB_ERR_CONFIG, "conf: pool_start without pool_end refused");
	ok(strstr(report_buf, "go together") != NULL, "conf: the report says they go together");
	pxb_dhcp_setup_free(su);
	pxb_conf_free(c);

	su = NULL;
	is_int(setup_text(bad_expr, &su, &c), PXB_ERR_CONFIG, "conf: bad tag expression refused");
	ok(strstr(report_buf, "tag expression") != NULL, "conf: the report names the expression");
	pxb_dhcp_setup_free(su);
	pxb_conf_free(c);

	su = NULL;
	is_int(setup_text(hostile, &su, &c), 0, "conf: rate, rate_burst and relays build");
	if (su) {
		sc = pxb_dhcp_setup_server(su);
		is_int(sc->rate, 50, "conf: dhcp.rate");
		is_int(sc->rate_burst, 120, "conf: dhcp.rate_burst");
		is_int(sc->nrelays, 2, "conf: two relays");
		ok(sc->nrelays == 2 && sc->relays[1].s_addr == A("198.18.0.3").s_addr,
		   "conf: the relays' addresses");
	}
	pxb_dhcp_setup_free(su);
	pxb_conf_free(c);
	su = NULL;
	ok(setup_text(bad_relay, &su, &c) < 0 && strstr(report_buf, "relays"),
	   "conf: a relay that is no IPv4 address is refused");
	pxb_dhcp_setup_free(su);
	pxb_conf_free(c);

	su = NULL;
	is_int(setup_text(proxy_conf, &su, &c), 0, "conf: proxy without subnets builds");
	if (su) {
		sc = pxb_dhcp_setup_server(su);
		is_int(sc->proxy, 1, "conf: proxy mode");
		memset(&e, 0, sizeof(e));
		hs = pxb_dhcp_setup_hosts(su, &nh);
		is_int(pxb_dhcp_server_new(sc, pxb_dhcp_setup_rules(su), hs, nh, NULL, &e.srv), 0,
		       "conf: proxy engine starts without a lease store");
		req_ovmf_pxe(&p, mac1, PXB_DHCPDISCOVER);
		is_int(run(&e, &p, &rx_lan_v, T0), PXB_DHCP_V_OFFER, "conf: proxy OFFER");
		is_int(e.rep.yiaddr.s_addr, 0, "conf: proxy OFFER has no yiaddr");
		pxb_dhcp_server_free(e.srv);
	}
	pxb_dhcp_setup_free(su);
	pxb_conf_free(c);
}

int main(void)
{
	plan_lazy();
	setup_subnets();
	test_discover_request();
	test_init_reboot_renew();
	test_decline();
	test_inform();
	test_relay();
	test_not_relay();
	test_ciaddr();
	test_rate();
	test_exhaustion_reservation();
	test_many_clients();
	test_lease_time_and_size();
	test_malformed();
	test_proxy();
	test_conf();
	return done_testing();
}
