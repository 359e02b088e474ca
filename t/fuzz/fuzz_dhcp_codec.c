/*
 * fuzz_dhcp_codec.c - libFuzzer target for the DHCP codec and the rule
 * engine: parse the input as a request (and as a reply, and strictly),
 * read every typed option, fill a client, evaluate a rule set, then build
 * a reply to it and check that our own reply parses back strictly with
 * the boot file intact. Replayed over t/fuzz/corpus/dhcp_codec by
 * `make check` through t/fuzz/replay_main.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <pxeboot/dhcp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pxb_match_rules *rules;
static volatile unsigned sink;

static const char *const nopxe[] = { "NOPXE" };
static const struct pxb_match_host_config hosts[] = {
	{ "pay", "01:23:45:af:be:cd", nopxe, 1, "198.18.0.10", 0, NULL, 0 },
};
static const uint16_t efi64[] = { 7, 9 };
static const struct pxb_match_cond_config conds[] = {
	{ .set = "ENH", .kind = PXB_MATCH_USER_CLASS, .value = "iPXE" },
	{ .set = "EFI64", .kind = PXB_MATCH_ARCH, .archs = efi64, .narchs = 2 },
	{ .set = "QEMU", .kind = PXB_MATCH_MAC, .value = "52:54:00:*:*:*" },
	{ .set = "CIRC", .kind = PXB_MATCH_CIRCUIT_ID, .value = "eth0" },
	{ .set = "NET", .kind = PXB_MATCH_SUBNET, .value = "198.18.0.0/15" },
	{ .set = "CA", .kind = PXB_MATCH_CLIENT_ADDR, .value = "198.18.0.0/15" },
	{ .set = "HTTP", .kind = PXB_MATCH_VENDOR_PREFIX, .value = "HTTPClient" },
	{ .set = "O175", .kind = PXB_MATCH_OPTION, .option = 175 },
	{ .set = "NII", .kind = PXB_MATCH_OPTION_EQUALS, .option = 94, .value = "010300", .hex = 1 },
	{ .set = "PFX", .kind = PXB_MATCH_OPTION_PREFIX, .option = 60, .value = "50:58:*:45" },
	{ .set = "IT7", .kind = PXB_MATCH_OPTION_ITEM, .option = 93, .value = "00:07" },
	{ .set = "UCC", .kind = PXB_MATCH_USER_CLASS_CONTAINS, .value = "PX" },
};
static const struct pxb_dhcp_opt_config opts[] = { { 43, "06:01:08:ff", 1, 0 } };
static const struct pxb_boot_rule_config brules[] = {
	{ .tags = "NOPXE", .noboot = 1 },
	{ .tags = "ENH", .file = "menu.ipxe", .server_name = "boot", .options = opts,
	  .noptions = 1 },
	{ .tags = "!ENH & EFI64", .file = "snponly.efi" },
};
static const struct pxb_arch_file_config af[] = {
	{ 0, "undionly.kpxe" },
	{ 16, "snponly.efi" },
};

static void setup(void)
{
	struct pxb_match_config cfg = {
		.hosts = hosts, .nhosts = 1, .conds = conds,
		.nconds = sizeof(conds) / sizeof(conds[0]), .rules = brules, .nrules = 3,
		.arch_files = af, .narch_files = 2,
	};

	if (pxb_match_rules_new(&cfg, &rules, NULL, NULL) < 0)
		abort();
}

static void read_all(const struct pxb_dhcp_msg *m)
{
	struct pxb_dhcp_view v;
	struct pxb_dhcp_pxe_class pc;
	struct pxb_dhcp_user_class uc;
	struct in_addr a;
	uint8_t uuid[16], t, ma, mi;
	uint16_t archs[4], u16;
	uint32_t u32;
	const uint8_t *prl;
	size_t n;

	/* Touch the first and last octet of every option: ASan checks the view. */
	for (unsigned c = 0; c < 256; c++)
		if (pxb_dhcp_opt(m, (uint8_t)c, &v) == 0 && v.len)
			sink += v.data[0] + v.data[v.len - 1];
	(void)pxb_dhcp_msg_type(m);
	(void)pxb_dhcp_requested_ip(m, &a);
	(void)pxb_dhcp_server_id(m, &a);
	(void)pxb_dhcp_lease_time(m, &u32);
	(void)pxb_dhcp_get_u16(m, PXB_OPT_MAX_SIZE, &u16);
	(void)pxb_dhcp_max_reply_len(m);
	(void)pxb_dhcp_prl(m, &prl, &n);
	(void)pxb_dhcp_pxe_class(m, &pc);
	(void)pxb_dhcp_client_arch(m, archs, 4);
	(void)pxb_dhcp_client_nii(m, &t, &ma, &mi);
	(void)pxb_dhcp_uuid(m, uuid);
	(void)pxb_dhcp_user_class(m, &uc);
	(void)pxb_dhcp_is_ipxe(m);
	for (unsigned s = 0; s < 256; s += 17)
		(void)pxb_dhcp_ipxe_subopt(m, (uint8_t)s, &v);
	(void)pxb_dhcp_relay_subopt(m, PXB_RELAY_CIRCUIT_ID, &v);
	(void)pxb_dhcp_relay_subopt(m, PXB_RELAY_REMOTE_ID, &v);
	(void)pxb_dhcp_client_id(m, &v);
	(void)pxb_dhcp_hostname(m, &v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pxb_dhcp_msg m, back;
	static struct pxb_dhcp_reply r;
	static uint8_t out[1500];
	struct pxb_match_ctx ctx = { .ifname = "br-lan" };
	struct pxb_boot_choice ch;
	struct pxb_match_trace tr;
	struct pxb_client cl;
	struct pxb_dhcp_view v;
	struct in_addr us;
	int len;

	if (!rules)
		setup();
	inet_pton(AF_INET, "198.18.0.1", &us);
	ctx.recv_addr = us;

	if (pxb_dhcp_parse(&m, data, size, PXB_DHCP_PARSE_REPLY) == 0)
		read_all(&m);
	(void)pxb_dhcp_parse(&m, data, size, PXB_DHCP_PARSE_STRICT);
	if (pxb_dhcp_parse(&m, data, size, 0) < 0) {
		if (m.reason == PXB_DHCP_OK || m.reason >= PXB_DHCP_R_COUNT)
			abort();
		return 0;
	}
	read_all(&m);

	memset(&cl, 0, sizeof(cl));
	if (pxb_dhcp_fill_client(&m, &cl) < 0)
		abort();
	cl.server_addr = us;
	cl.http_port = 80;
	(void)pxb_match_eval(rules, &m, &ctx, &cl, &ch, &tr);

	if (pxb_dhcp_reply_init(&r, &m, PXB_DHCPOFFER) < 0)
		abort();
	inet_pton(AF_INET, "198.18.0.20", &r.yiaddr);
	(void)pxb_dhcp_reply_set_addr(&r, PXB_OPT_SERVER_ID, us);
	(void)pxb_dhcp_reply_set_u32(&r, PXB_OPT_LEASE_TIME, 3600);
	if (pxb_dhcp_client_id(&m, &v) == 0)
		(void)pxb_dhcp_reply_set(&r, PXB_OPT_CLIENT_ID, v.data, v.len);
	if (pxb_dhcp_opt(&m, PXB_OPT_RELAY_AGENT, &v) == 0)
		(void)pxb_dhcp_reply_set(&r, PXB_OPT_RELAY_AGENT, v.data, v.len);
	(void)pxb_dhcp_reply_apply_boot(&r, &m, &ch, us);
	len = pxb_dhcp_build(&r, &m, out, sizeof(out));
	if (len < 0)
		return 0; /* echoed options may not fit the client's limit */
	if ((size_t)len > pxb_dhcp_max_reply_len(&m) && len > PXB_DHCP_BOOTP_MIN)
		abort();
	/* Our own reply must always parse, strictly, with the boot file intact. */
	if (pxb_dhcp_parse(&back, out, (size_t)len, PXB_DHCP_PARSE_REPLY | PXB_DHCP_PARSE_STRICT) < 0)
		abort();
	if (pxb_dhcp_msg_type(&back) != PXB_DHCPOFFER || back.xid != m.xid)
		abort();
	if (ch.offer && ch.file[0] &&
	    (pxb_dhcp_opt(&back, PXB_OPT_BOOTFILE, &v) < 0 || v.len != strlen(ch.file) ||
	     memcmp(v.data, ch.file, v.len) != 0))
		abort();
	return 0;
}
