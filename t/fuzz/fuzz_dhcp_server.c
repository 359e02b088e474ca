/*
 * fuzz_dhcp_server.c - libFuzzer target for the DHCP server and proxy
 * engine: arbitrary datagrams fed to a server over an in-memory lease store
 * (small pools, a reserved address, a relayed network) and to a proxy, on
 * ports 67 and 4011. Replayed over t/fuzz/corpus/dhcp_server by
 * `make check` through t/fuzz/replay_main.c.
 *
 * Input: a plain datagram is fed to both engines on both ports. An input
 * whose first octet is 0xff is a script of records, each
 *   ctl (1 octet) | length (2 octets, big endian) | datagram
 * where ctl bit 0 picks the proxy, bit 1 port 4011, bit 2 an interface
 * nothing is configured on, and ctl >> 3 advances the clock (x 37 s), so
 * sequences (DISCOVER, REQUEST, RENEW, DECLINE, ...) and expiry are reached.
 *
 * Checked after every datagram: input() succeeds and says why; a reply is
 * sent only with OFFER/ACK/NAK, fits the buffer, parses back strictly as a
 * reply to that request; the proxy never gives an address; the server gives
 * only pool or fixed addresses; a held ACK becomes durable after a flush;
 * the reserved address is given only to its host's chaddr; the lease
 * table keeps one lease per address and per client.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/dhcp_server.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 1700000000

static struct pxb_match_rules *rules;
static struct pxb_dhcp_subnet_config subnets[2];
static const uint8_t fixed_mac[6] = { 2, 0, 0, 0, 0, 0xbb };
static uint32_t fixed_addr;

static const struct pxb_match_host_config hosts[] = {
	{ "fixed", "02:00:00:00:00:bb", NULL, 0, "198.18.0.105", 0, NULL, 0 },
	{ "pay", "02:00:00:00:00:aa", (const char *const[]){ "NOPXE" }, 1, NULL, 0, NULL, 0 },
};
static const uint16_t efi64[] = { 7, 9 };
static const struct pxb_match_cond_config conds[] = {
	{ .set = "ENH", .kind = PXB_MATCH_USER_CLASS, .value = "iPXE" },
	{ .set = "EFI64", .kind = PXB_MATCH_ARCH, .archs = efi64, .narchs = 2 },
	{ .set = "CIRC", .kind = PXB_MATCH_CIRCUIT_ID, .value = "port" },
};
static const struct pxb_dhcp_opt_config opts[] = { { 43, "06:01:08:ff", 1, 0 } };
static const struct pxb_boot_rule_config brules[] = {
	{ .tags = "NOPXE", .noboot = 1 },
	{ .tags = "ENH", .file = "menu.ipxe", .server_name = "boot", .options = opts,
	  .noptions = 1 },
	{ .tags = "!ENH & EFI64", .file = "snponly.efi" },
	{ .tags = "CIRC", .file = "http://198.18.0.1/relayed.efi" },
};
static const struct pxb_arch_file_config af[] = {
	{ 0, "undionly.kpxe" },
	{ 16, "snponly.efi" },
};

static void setup(void)
{
	struct pxb_match_config mc = {
		.hosts = hosts, .nhosts = 2, .conds = conds, .nconds = 3, .rules = brules,
		.nrules = 4, .arch_files = af, .narch_files = 2,
	};

	if (pxb_match_rules_new(&mc, &rules, NULL, NULL) < 0)
		abort();
	subnets[0].ifname = "lan0";
	inet_pton(AF_INET, "198.18.0.0", &subnets[0].network);
	inet_pton(AF_INET, "255.255.255.0", &subnets[0].netmask);
	inet_pton(AF_INET, "198.18.0.100", &subnets[0].pool_start);
	inet_pton(AF_INET, "198.18.0.107", &subnets[0].pool_end);
	inet_pton(AF_INET, "198.18.0.1", &subnets[0].router);
	subnets[0].domain = "rescue.test";
	subnets[0].lease_time = 300;
	inet_pton(AF_INET, "198.19.5.0", &subnets[1].network);
	inet_pton(AF_INET, "255.255.255.0", &subnets[1].netmask);
	inet_pton(AF_INET, "198.19.5.10", &subnets[1].pool_start);
	inet_pton(AF_INET, "198.19.5.13", &subnets[1].pool_end);
	subnets[1].lease_time = 120;
	fixed_addr = ntohl(inet_addr("198.18.0.105"));
}

static int in_pool(uint32_t a)
{
	for (int i = 0; i < 2; i++)
		if (a >= ntohl(subnets[i].pool_start.s_addr) && a <= ntohl(subnets[i].pool_end.s_addr))
			return 1;
	return a == fixed_addr;
}

struct check {
	const struct pxb_lease_store *st;
};

static int check_lease(const struct pxb_lease *l, void *arg)
{
	const struct check *c = arg;

	if (pxb_lease_by_addr(c->st, l->addr) != l)
		abort(); /* one lease per address */
	if (l->key.len && pxb_lease_by_key(c->st, &l->key) != l)
		abort(); /* one lease per client */
	if (!in_pool(l->addr))
		abort();
	return 0;
}

static void feed(struct pxb_dhcp_server *srv, struct pxb_lease_store *st, int proxy,
		 unsigned ctl, const uint8_t *buf, size_t len, int64_t now)
{
	static struct pxb_dhcp_tx tx;
	static struct pxb_dhcp_msg req, rep;
	struct pxb_dhcp_rx rx = { .src_port = 68 };
	int req_ok;

	rx.dst_port = ctl & 2 ? PXB_DHCP_PXE_PORT : PXB_DHCP_SERVER_PORT;
	rx.ifname = ctl & 4 ? "wan0" : "lan0";
	inet_pton(AF_INET, ctl & 4 ? "198.20.0.1" : "198.18.0.1", &rx.local);
	inet_pton(AF_INET, "198.18.0.77", &rx.src);
	if (ctl & 2)
		rx.src_port = 4011;
	if (pxb_dhcp_server_input(srv, buf, len, &rx, now, &tx) != 0)
		abort();
	if (!tx.why || tx.verdict >= PXB_DHCP_V_COUNT)
		abort();
	req_ok = pxb_dhcp_parse(&req, buf, len, 0) == 0;
	if (tx.verdict == PXB_DHCP_V_DROP && req_ok && tx.req_type == 0)
		abort(); /* a parse failure is the only drop before the type is known */
	if (!tx.len) {
		if (tx.verdict == PXB_DHCP_V_OFFER || tx.verdict == PXB_DHCP_V_ACK ||
		    tx.verdict == PXB_DHCP_V_NAK)
			abort();
		return;
	}
	if (tx.len > sizeof(tx.buf) || !req_ok ||
	    (tx.verdict != PXB_DHCP_V_OFFER && tx.verdict != PXB_DHCP_V_ACK &&
	     tx.verdict != PXB_DHCP_V_NAK))
		abort();
	if (tx.len > pxb_dhcp_max_reply_len(&req) && tx.len > PXB_DHCP_BOOTP_MIN)
		abort();
	if (pxb_dhcp_parse(&rep, tx.buf, tx.len, PXB_DHCP_PARSE_REPLY | PXB_DHCP_PARSE_STRICT) < 0)
		abort();
	if (rep.xid != req.xid || memcmp(rep.chaddr, req.chaddr, 16) != 0)
		abort();
	if (pxb_dhcp_msg_type(&rep) !=
	    (tx.verdict == PXB_DHCP_V_OFFER ? PXB_DHCPOFFER
	     : tx.verdict == PXB_DHCP_V_ACK ? PXB_DHCPACK : PXB_DHCPNAK))
		abort();
	if (tx.verdict == PXB_DHCP_V_NAK && rep.yiaddr.s_addr)
		abort();
	if (proxy) {
		if (rep.yiaddr.s_addr || tx.yiaddr.s_addr || tx.hold_seq)
			abort();
		return;
	}
	if (rep.yiaddr.s_addr != tx.yiaddr.s_addr && tx.verdict != PXB_DHCP_V_NAK)
		abort();
	if (rep.yiaddr.s_addr && !in_pool(ntohl(rep.yiaddr.s_addr)))
		abort();
	/* The reserved address goes to the host with that chaddr only. */
	if (ntohl(rep.yiaddr.s_addr) == fixed_addr && memcmp(req.chaddr, fixed_mac, 6) != 0)
		abort();
	if (tx.hold_seq) {
		if (tx.verdict != PXB_DHCP_V_ACK || pxb_lease_flush(st) < 0 ||
		    pxb_lease_durable_seq(st) < tx.hold_seq)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pxb_lease_config lc = { .state_dir = NULL };
	struct pxb_dhcp_server_config sc = {
		.proxy = 0, .subnets = subnets, .nsubnets = 2, .offer_hold = 30,
		.decline_quarantine = 90, .http_port = 8080,
	};
	struct pxb_dhcp_server_config pc = {
		.proxy = 1, .subnets = subnets, .nsubnets = 1, .http_port = 8080,
	};
	struct pxb_dhcp_server *srv = NULL, *prx = NULL;
	struct pxb_lease_store *st = NULL;
	struct check ck;
	int64_t now = T0;

	if (!rules)
		setup();
	if (pxb_lease_open(&lc, now, &st, NULL) < 0 ||
	    pxb_dhcp_server_new(&sc, rules, hosts, 2, st, &srv) < 0 ||
	    pxb_dhcp_server_new(&pc, rules, hosts, 2, NULL, &prx) < 0)
		abort();
	if (size > 0 && data[0] == 0xff) {
		size_t i = 1;
		while (i + 3 <= size) {
			unsigned ctl = data[i];
			size_t n = (size_t)data[i + 1] << 8 | data[i + 2];
			i += 3;
			if (n > size - i)
				n = size - i;
			now += (int64_t)(ctl >> 3) * 37;
			feed(ctl & 1 ? prx : srv, st, ctl & 1, ctl, data + i, n, now);
			i += n;
		}
	} else {
		for (unsigned ctl = 0; ctl < 4; ctl++)
			feed(ctl & 1 ? prx : srv, st, ctl & 1, ctl, data, size, now);
	}
	pxb_lease_flush(st);
	ck.st = st;
	pxb_lease_foreach(st, check_lease, &ck);
	pxb_dhcp_server_free(prx);
	pxb_dhcp_server_free(srv);
	pxb_lease_close(st);
	return 0;
}
