/*
 * dhcp_match_test.c - the tag-matching rule engine: the seed's dnsmasq
 * rules (ENH by user class iPXE, NOPXE hosts, EFI64 by arch), "no boot
 * offer" winning over "iPXE gets the menu", every condition kind, arch
 * defaults with UEFI HTTP boot, traces and configuration errors.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <pxeboot/dhcp.h>
#include "tap.h"
#include "dhcp_pkt.h"

static const uint8_t mac_vm[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t mac_pay[6] = { 0x01, 0x23, 0x45, 0xaf, 0xbe, 0xcd };
static const uint8_t mac_other[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static struct pxb_dhcp_msg m;
static struct pxb_client cl;
static struct pxb_boot_choice ch;
static struct pxb_match_trace tr;

/* The seed: dhcp-userclass=set:ENH,iPXE; EFI64 for arch 7/9; NOPXE hosts. */
static const char *const nopxe[] = { "NOPXE" };
static const struct pxb_match_host_config seed_hosts[] = {
	{ "paymentprocessor", "01:23:45:af:be:cd", nopxe, 1, "192.168.23.10", 0, NULL, 0 },
};
static const uint16_t efi64_archs[] = { 7, 9 };
static const struct pxb_match_cond_config seed_conds[] = {
	{ .set = "ENH", .kind = PXB_MATCH_USER_CLASS, .value = "iPXE" },
	{ .set = "EFI64", .kind = PXB_MATCH_ARCH, .archs = efi64_archs, .narchs = 2 },
};
static const struct pxb_boot_rule_config seed_rules[] = {
	{ .name = "bios", .tags = "tag:!ENH,tag:!NOPXE,tag:!EFI64", .file = "undionly.kpxe" },
	{ .name = "efi", .tags = "!ENH & !NOPXE & EFI64", .file = "snponly.efi" },
	{ .name = "menu", .tags = "ENH", .file = "menu.ipxe" },
	/* Last on purpose: no-boot rules win wherever they are. */
	{ .name = "nopxe", .tags = "NOPXE", .noboot = 1 },
};

static struct pxb_match_rules *seed(void)
{
	struct pxb_match_config cfg = {
		.hosts = seed_hosts, .nhosts = 1,
		.conds = seed_conds, .nconds = 2,
		.rules = seed_rules, .nrules = 4,
	};
	struct pxb_match_rules *r = NULL;

	if (pxb_match_rules_new(&cfg, &r, NULL, NULL) < 0)
		return NULL;
	return r;
}

static int eval(const struct pxb_match_rules *r, const struct pkt *p,
		const struct pxb_match_ctx *ctx)
{
	memset(&cl, 0, sizeof(cl));
	if (pxb_dhcp_parse(&m, p->b, p->len, 0) < 0)
		return -100;
	pxb_dhcp_fill_client(&m, &cl);
	return pxb_match_eval(r, &m, ctx, &cl, &ch, &tr);
}

/* A BIOS PXE ROM that is not iPXE (arch 0, no user class). */
static void req_bios_pxe(struct pkt *p, const uint8_t mac[6])
{
	pkt_start(p, mac, 1);
	pkt_str(p, 60, "PXEClient:Arch:00000:UNDI:002001");
	pkt_u16(p, 93, 0);
	pkt_end(p);
}

static void test_seed(void)
{
	struct pxb_match_rules *r = seed();
	struct pkt p;

	ok(r != NULL, "seed rules build");
	if (!r)
		return;

	req_bios_pxe(&p, mac_vm);
	is_int(eval(r, &p, NULL), 0, "BIOS PXE: eval");
	ok(ch.offer, "BIOS PXE: offer");
	is_str(ch.file, "undionly.kpxe", "BIOS PXE: undionly.kpxe");
	is_int(cl.ntags, 0, "BIOS PXE: no tags");
	ok(tr.n == 1 && tr.step[0].kind == PXB_STEP_RULE && tr.step[0].index == 0,
	   "BIOS PXE: trace says rule 0");

	req_ovmf_pxe(&p, mac_vm, 1);
	eval(r, &p, NULL);
	is_str(ch.file, "snponly.efi", "OVMF PXE: snponly.efi");
	ok(pxb_client_has_tag(&cl, "EFI64") && !pxb_client_has_tag(&cl, "ENH"), "OVMF PXE: EFI64");
	ok(!ch.http, "OVMF PXE: not HTTP");

	req_ipxe_bios(&p, mac_vm);
	eval(r, &p, NULL);
	is_str(ch.file, "menu.ipxe", "iPXE BIOS: menu");
	ok(pxb_client_has_tag(&cl, "ENH"), "iPXE BIOS: ENH");
	ok(tr.n == 2 && tr.step[0].kind == PXB_STEP_COND && tr.step[0].index == 0 &&
	   strcmp(tr.step[0].tag, "ENH") == 0 && tr.step[1].kind == PXB_STEP_RULE &&
	   tr.step[1].index == 2, "iPXE BIOS: trace cond 0 ENH, rule 2");

	req_snponly(&p, mac_vm);
	eval(r, &p, NULL);
	is_str(ch.file, "menu.ipxe", "snponly.efi: menu");
	ok(pxb_client_has_tag(&cl, "ENH") && pxb_client_has_tag(&cl, "EFI64"), "snponly: ENH EFI64");

	/* The NOPXE host, as firmware and as iPXE: never a boot offer. */
	req_bios_pxe(&p, mac_pay);
	is_int(eval(r, &p, NULL), 0, "NOPXE BIOS: eval");
	ok(!ch.offer && ch.file[0] == 0, "NOPXE BIOS: no boot offer");
	is_str(ch.host, "paymentprocessor", "NOPXE: host name");
	ok(ch.has_fixed_addr, "NOPXE: fixed address");
	is_str(inet_ntoa(ch.fixed_addr), "192.168.23.10", "NOPXE: fixed address value");

	req_ipxe_bios(&p, mac_pay);
	eval(r, &p, NULL);
	ok(pxb_client_has_tag(&cl, "ENH") && pxb_client_has_tag(&cl, "NOPXE"),
	   "NOPXE iPXE: ENH and NOPXE");
	ok(!ch.offer && ch.file[0] == 0, "NOPXE iPXE: no boot offer beats the menu");
	ok(tr.n == 3 && tr.step[0].kind == PXB_STEP_HOST && strcmp(tr.step[0].tag, "NOPXE") == 0 &&
	   tr.step[1].kind == PXB_STEP_COND && tr.step[2].kind == PXB_STEP_NOBOOT_RULE &&
	   tr.step[2].index == 3, "NOPXE iPXE: trace host, cond, noboot rule 3");

	/* Unknown arch, no iPXE, no tags: first rule. UEFI HTTP falls to "bios" too. */
	req_udhcpc(&p, mac_other);
	eval(r, &p, NULL);
	is_str(ch.file, "undionly.kpxe", "udhcpc: matches the untagged rule");
	pxb_match_rules_free(r);
}

static void test_host_noboot(void)
{
	const struct pxb_match_host_config hosts[] = {
		{ "nvr", "01:23:45:af:be:cd", NULL, 0, NULL, 1, NULL, 0 },
		{ "lab", "02:00:00:00:00:01", NULL, 0, NULL, 0, NULL, 0 },
	};
	const struct pxb_boot_rule_config rules[] = { { .file = "menu.ipxe" } };
	struct pxb_match_config cfg = { .hosts = hosts, .nhosts = 2, .conds = seed_conds,
					.nconds = 2, .rules = rules, .nrules = 1 };
	struct pxb_match_rules *r = NULL;
	struct pkt p;

	is_int(pxb_match_rules_new(&cfg, &r, NULL, NULL), 0, "host noboot rules build");
	req_ipxe_bios(&p, mac_pay);
	eval(r, &p, NULL);
	ok(!ch.offer, "host noboot: no offer despite a catch-all rule");
	ok(tr.n >= 1 && tr.step[tr.n - 1].kind == PXB_STEP_NOBOOT_HOST && tr.step[tr.n - 1].index == 0,
	   "host noboot: trace");
	ok(!ch.has_fixed_addr, "host without address");
	req_ipxe_bios(&p, mac_other);
	eval(r, &p, NULL);
	ok(ch.offer && strcmp(ch.host, "lab") == 0, "other host offered, host name lab");
	ok(tr.step[0].kind == PXB_STEP_HOST && tr.step[0].index == 1 && tr.step[0].tag[0] == 0,
	   "tagless host traced with config index 1");
	pxb_match_rules_free(r);
}

static void test_conditions(void)
{
	static const struct pxb_match_cond_config conds[] = {
		{ .set = "QEMU", .kind = PXB_MATCH_MAC, .value = "52:54:00:*:*:*" },
		{ .set = "ONE", .kind = PXB_MATCH_MAC, .value = "52:54:00:12:34:56" },
		{ .set = "NOTME", .kind = PXB_MATCH_MAC, .value = "52:54:01:*:*:*" },
		{ .set = "CIRC", .kind = PXB_MATCH_CIRCUIT_ID, .value = "eth0" },
		{ .set = "REMOTE", .kind = PXB_MATCH_REMOTE_ID, .value = "aa:bb:cc:dd:ee:ff", .hex = 1 },
		{ .set = "REMOTE2", .kind = PXB_MATCH_REMOTE_ID, .value = "aabbcc", .hex = 1 },
		{ .set = "LAN", .kind = PXB_MATCH_INTERFACE, .value = "br-*" },
		{ .set = "NET4", .kind = PXB_MATCH_SUBNET, .value = "198.18.4.0/24" },
		{ .set = "NET0", .kind = PXB_MATCH_SUBNET, .value = "198.18.0.0/24" },
		{ .set = "RELAYED", .kind = PXB_MATCH_GIADDR, .value = "198.18.0.0/15" },
		{ .set = "CADDR", .kind = PXB_MATCH_CLIENT_ADDR, .value = "198.18.9.0/24" },
		{ .set = "HAS175", .kind = PXB_MATCH_OPTION, .option = 175 },
		{ .set = "OVMF", .kind = PXB_MATCH_OPTION_EQUALS, .option = 60,
		  .value = "PXEClient:Arch:00007:UNDI:003000" },
		{ .set = "NII30", .kind = PXB_MATCH_OPTION_EQUALS, .option = 94, .value = "01:03:00",
		  .hex = 1 },
		{ .set = "HTTP", .kind = PXB_MATCH_VENDOR_PREFIX, .value = "HTTPClient" },
		{ .set = "VCX", .kind = PXB_MATCH_VENDOR_CLASS, .value = "PXEClient" },
		{ .set = "ARM", .kind = PXB_MATCH_ARCH, .value = "efi-arm64, efi-arm64-http" },
		{ .set = "X64", .kind = PXB_MATCH_ARCH, .value = "7,efi-x64-http" },
		{ .set = "UNDI3", .kind = PXB_MATCH_OPTION_CONTAINS, .option = 60, .value = "UNDI:003" },
		{ .set = "ARCH7", .kind = PXB_MATCH_OPTION_CONTAINS, .option = 60,
		  .value = "3a:30:30:30:30:37", .hex = 1 },
		{ .set = "NOTIN", .kind = PXB_MATCH_OPTION_CONTAINS, .option = 60,
		  .value = "PXEClient:Arch:00007:UNDI:003000:" },
		{ .set = "EMPTY", .kind = PXB_MATCH_OPTION_CONTAINS, .option = 77, .value = "" },
	};
	struct pxb_match_config cfg = { .conds = conds, .nconds = sizeof(conds) / sizeof(conds[0]) };
	struct pxb_match_rules *r = NULL;
	struct pxb_match_ctx ctx = { .ifname = "br-lan" };
	static const uint8_t relay[] = { 1, 4, 'e', 't', 'h', '0', 2, 6, 0xaa, 0xbb, 0xcc,
					 0xdd, 0xee, 0xff };
	struct pkt p;

	is_int(pxb_match_rules_new(&cfg, &r, NULL, NULL), 0, "condition rules build");
	inet_pton(AF_INET, "198.18.0.1", &ctx.recv_addr);

	/* OVMF PXE on br-lan, not relayed. */
	req_ovmf_pxe(&p, mac_vm, 1);
	eval(r, &p, &ctx);
	ok(pxb_client_has_tag(&cl, "QEMU") && pxb_client_has_tag(&cl, "ONE"), "MAC wildcard, exact");
	ok(!pxb_client_has_tag(&cl, "NOTME"), "MAC wildcard mismatch");
	ok(pxb_client_has_tag(&cl, "LAN"), "interface br-*");
	ok(pxb_client_has_tag(&cl, "NET0") && !pxb_client_has_tag(&cl, "NET4"),
	   "subnet by receiving address");
	ok(!pxb_client_has_tag(&cl, "RELAYED"), "giaddr: not relayed");
	ok(pxb_client_has_tag(&cl, "OVMF") && pxb_client_has_tag(&cl, "NII30"),
	   "option equals, text and hex");
	ok(!pxb_client_has_tag(&cl, "HAS175") && !pxb_client_has_tag(&cl, "HTTP"),
	   "no 175, not HTTPClient");
	ok(!pxb_client_has_tag(&cl, "VCX"), "vendor class exact does not match a longer one");
	ok(pxb_client_has_tag(&cl, "UNDI3") && pxb_client_has_tag(&cl, "ARCH7"),
	   "option contains, text and hex, inside the option");
	ok(!pxb_client_has_tag(&cl, "NOTIN"), "option contains: a value longer than the option");
	ok(!pxb_client_has_tag(&cl, "EMPTY"), "option contains: an absent option holds nothing");
	ok(pxb_client_has_tag(&cl, "X64") && !pxb_client_has_tag(&cl, "ARM"), "arch by name list");
	ok(!pxb_client_has_tag(&cl, "CIRC") && !pxb_client_has_tag(&cl, "CADDR"), "no relay info");
	is_int(ch.offer, 0, "no rules: no offer");
	ok(tr.step[tr.n - 1].kind == PXB_STEP_NONE, "trace ends with none");

	/* Relayed iPXE with circuit and remote id, ciaddr set. */
	req_ipxe_bios(&p, mac_other);
	p.len--; /* drop END */
	pkt_opt(&p, 82, relay, sizeof(relay));
	pkt_end(&p);
	inet_pton(AF_INET, "198.18.4.1", p.b + 24);
	inet_pton(AF_INET, "198.18.9.7", p.b + 12);
	ctx.ifname = "eth1";
	eval(r, &p, &ctx);
	ok(pxb_client_has_tag(&cl, "CIRC") && pxb_client_has_tag(&cl, "REMOTE"),
	   "circuit id, remote id");
	ok(!pxb_client_has_tag(&cl, "REMOTE2"), "remote id prefix is not equal");
	ok(!pxb_client_has_tag(&cl, "UNDI3") && !pxb_client_has_tag(&cl, "ARCH7") &&
	   pxb_client_has_tag(&cl, "EMPTY"),
	   "option contains: not in UNDI:002001; an empty value in option 77 holds");
	ok(pxb_client_has_tag(&cl, "NET4") && !pxb_client_has_tag(&cl, "NET0"), "subnet by giaddr");
	ok(pxb_client_has_tag(&cl, "RELAYED"), "giaddr in 198.18.0.0/15");
	ok(pxb_client_has_tag(&cl, "CADDR"), "ciaddr in subnet");
	ok(pxb_client_has_tag(&cl, "HAS175"), "option 175 present");
	ok(!pxb_client_has_tag(&cl, "LAN") && !pxb_client_has_tag(&cl, "QEMU"),
	   "other interface, other MAC");

	/* Requested address for client-addr; HTTP vendor prefix; arch list. */
	pkt_start(&p, mac_other, 3);
	pkt_opt(&p, 50, "\xc6\x12\x09\x63", 4);
	pkt_str(&p, 60, "HTTPClient:Arch:00019:UNDI:003000");
	pkt_u16(&p, 93, 19);
	pkt_end(&p);
	eval(r, &p, NULL);
	ok(pxb_client_has_tag(&cl, "CADDR"), "option 50 in subnet");
	ok(pxb_client_has_tag(&cl, "HTTP") && pxb_client_has_tag(&cl, "ARM"), "HTTP arm64");
	ok(!pxb_client_has_tag(&cl, "LAN") && !pxb_client_has_tag(&cl, "NET0"), "no ctx: no iface");
	pxb_match_rules_free(r);
}

static void test_first_match_and_options(void)
{
	static const struct pxb_dhcp_opt_config opts[] = {
		{ 209, "pxelinux.cfg/default", 0, 0 },
		{ 43, "06:01:08:ff", 1, 0 },
	};
	static const struct pxb_boot_rule_config rules[] = {
		{ .name = "efi", .tags = "EFI64", .file = "grubx64.efi", .server_name = "boot1",
		  .next_server = "198.18.0.5", .options = opts, .noptions = 2 },
		{ .name = "any", .file = "pxelinux.0" },
		{ .name = "never", .tags = "EFI64", .file = "shadowed.efi" },
	};
	struct pxb_match_config cfg = { .conds = seed_conds, .nconds = 2, .rules = rules,
					.nrules = 3 };
	struct pxb_match_rules *r = NULL;
	struct pkt p;

	is_int(pxb_match_rules_new(&cfg, &r, NULL, NULL), 0, "first-match rules build");
	req_ovmf_pxe(&p, mac_vm, 1);
	eval(r, &p, NULL);
	is_str(ch.file, "grubx64.efi", "first matching rule wins");
	is_str(ch.server_name, "boot1", "server name");
	ok(ch.has_next_server, "next server set");
	is_str(inet_ntoa(ch.next_server), "198.18.0.5", "next server value");
	is_int(ch.nopts, 2, "two extra options");
	ok(ch.opts[0].code == 209 && ch.opts[0].len == 20, "209 text");
	ok(ch.opts[1].code == 43 && ch.opts[1].len == 4 && ch.opts[1].data[2] == 8, "43 hex");
	req_bios_pxe(&p, mac_vm);
	eval(r, &p, NULL);
	is_str(ch.file, "pxelinux.0", "empty expression matches all");
	ok(!ch.has_next_server && ch.nopts == 0, "no next server, no options");

	/* Tags the caller set before evaluation are seen by boot rules. */
	memset(&cl, 0, sizeof(cl));
	pxb_client_add_tag(&cl, "EFI64");
	pxb_dhcp_parse(&m, p.b, p.len, 0);
	pxb_match_eval(r, &m, NULL, &cl, &ch, NULL);
	is_str(ch.file, "grubx64.efi", "pre-set tag honoured, NULL trace fine");
	pxb_match_rules_free(r);
}

static void test_arch_defaults(void)
{
	static const struct pxb_arch_file_config af[] = {
		{ PXB_ARCH_BIOS, "undionly.kpxe" },
		{ PXB_ARCH_EFI_X64, "snponly.efi" },
		{ PXB_ARCH_EFI_BC, "snponly.efi" },
		{ PXB_ARCH_EFI_X64_HTTP, "boot/snponly.efi" },
		{ PXB_ARCH_EFI_ARM64_HTTP, "http://198.18.0.9/arm64.efi" },
	};
	static const struct pxb_boot_rule_config rules[] = {
		{ .name = "menu", .tags = "ENH", .file = "menu.ipxe" },
	};
	struct pxb_match_config cfg = { .conds = seed_conds, .nconds = 2, .rules = rules,
					.nrules = 1, .arch_files = af, .narch_files = 5 };
	struct pxb_match_rules *r = NULL;
	struct pkt p;

	is_int(pxb_match_rules_new(&cfg, &r, NULL, NULL), 0, "arch default rules build");
	req_bios_pxe(&p, mac_vm);
	eval(r, &p, NULL);
	is_str(ch.file, "undionly.kpxe", "arch 0 default");
	ok(tr.step[tr.n - 1].kind == PXB_STEP_ARCH_DEFAULT && tr.step[tr.n - 1].index == 0,
	   "trace arch default 0");
	req_ovmf_pxe(&p, mac_vm, 1);
	eval(r, &p, NULL);
	is_str(ch.file, "snponly.efi", "arch 7 default");
	req_ipxe_bios(&p, mac_vm);
	eval(r, &p, NULL);
	is_str(ch.file, "menu.ipxe", "a rule beats the arch default");

	/* UEFI HTTP boot: relative file becomes a URL on us. */
	req_ovmf_http(&p, mac_vm);
	memset(&cl, 0, sizeof(cl));
	pxb_dhcp_parse(&m, p.b, p.len, 0);
	pxb_dhcp_fill_client(&m, &cl);
	inet_pton(AF_INET, "198.18.0.1", &cl.server_addr);
	cl.http_port = 8080;
	pxb_match_eval(r, &m, NULL, &cl, &ch, &tr);
	ok(ch.offer && ch.http, "HTTP boot: offer, http");
	is_str(ch.file, "http://198.18.0.1:8080/boot/snponly.efi", "HTTP boot: URL");
	/* Without our address the file stays as configured. */
	cl.http_port = 0;
	pxb_match_eval(r, &m, NULL, &cl, &ch, &tr);
	is_str(ch.file, "boot/snponly.efi", "HTTP boot without port: file as is");

	pkt_start(&p, mac_vm, 1);
	pkt_str(&p, 60, "HTTPClient:Arch:00019:UNDI:003000");
	pkt_u16(&p, 93, 19);
	pkt_end(&p);
	eval(r, &p, NULL);
	ok(ch.http, "arm64 HTTP: http");
	is_str(ch.file, "http://198.18.0.9/arm64.efi", "arm64 HTTP: absolute URL kept");

	/* The reply for an HTTP client echoes 60 HTTPClient and carries the URL. */
	{
		static struct pxb_dhcp_reply rep;
		static struct pxb_dhcp_msg back;
		struct pxb_dhcp_view v;
		struct in_addr us;
		uint8_t out[1500];
		int len;

		inet_pton(AF_INET, "198.18.0.1", &us);
		pxb_dhcp_reply_init(&rep, &m, PXB_DHCPOFFER);
		pxb_dhcp_reply_set_addr(&rep, PXB_OPT_SERVER_ID, us);
		is_int(pxb_dhcp_reply_apply_boot(&rep, &m, &ch, us), 0, "apply HTTP choice");
		len = pxb_dhcp_build(&rep, &m, out, sizeof(out));
		pxb_dhcp_parse(&back, out, (size_t)len, PXB_DHCP_PARSE_REPLY);
		ok(pxb_dhcp_vendor_class(&back, &v) == 0 && v.len == 10 &&
		   memcmp(v.data, "HTTPClient", 10) == 0, "reply echoes 60 HTTPClient");
		ok(pxb_dhcp_opt(&back, 67, &v) == 0 && v.len == strlen(ch.file), "URL in 67");
	}

	/* Arch with no default and no rule: nothing. */
	pkt_start(&p, mac_vm, 1);
	pkt_u16(&p, 93, 11);
	pkt_end(&p);
	eval(r, &p, NULL);
	ok(!ch.offer && tr.step[tr.n - 1].kind == PXB_STEP_NONE, "arch 11 without default: none");
	pxb_match_rules_free(r);
}

static void test_tags_full(void)
{
	static const struct pxb_match_cond_config conds[] = {
		{ .set = "LAST", .kind = PXB_MATCH_OPTION, .option = 53 },
	};
	struct pxb_match_config cfg = { .conds = conds, .nconds = 1 };
	struct pxb_match_rules *r = NULL;
	struct pkt p;
	char t[16];

	pxb_match_rules_new(&cfg, &r, NULL, NULL);
	pkt_start(&p, mac_vm, 1);
	pkt_end(&p);
	memset(&cl, 0, sizeof(cl));
	for (int i = 0; i < PXB_MAX_TAGS; i++) {
		snprintf(t, sizeof(t), "T%d", i);
		pxb_client_add_tag(&cl, t);
	}
	pxb_dhcp_parse(&m, p.b, p.len, 0);
	is_int(pxb_match_eval(r, &m, NULL, &cl, &ch, &tr), PXB_ERR_TOOBIG, "tag list full: TOOBIG");
	is_int(tr.step[0].kind, PXB_STEP_COND, "still traced");
	is_int(pxb_match_eval(NULL, &m, NULL, &cl, &ch, &tr), PXB_ERR_INVAL, "NULL rules");
	pxb_match_rules_free(r);
	pxb_match_rules_free(NULL);
}

static void test_config_errors(void)
{
	static const struct {
		const char *name;
		struct pxb_match_cond_config c;
	} bad_conds[] = {
		{ "tag with space", { .set = "A B", .kind = PXB_MATCH_OPTION, .option = 1 } },
		{ "no tag", { .set = NULL, .kind = PXB_MATCH_OPTION, .option = 1 } },
		{ "long tag", { .set = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", .kind = PXB_MATCH_OPTION,
				.option = 1 } },
		{ "mac 5 octets", { .set = "A", .kind = PXB_MATCH_MAC, .value = "01:02:03:04:05" } },
		{ "mac junk", { .set = "A", .kind = PXB_MATCH_MAC, .value = "01:02:03:04:05:0g" } },
		{ "mac trailing", { .set = "A", .kind = PXB_MATCH_MAC, .value = "01:02:03:04:05:06:" } },
		{ "cidr /33", { .set = "A", .kind = PXB_MATCH_SUBNET, .value = "10.0.0.0/33" } },
		{ "cidr junk", { .set = "A", .kind = PXB_MATCH_GIADDR, .value = "10.0.0/8" } },
		{ "cidr empty len", { .set = "A", .kind = PXB_MATCH_SUBNET, .value = "10.0.0.0/" } },
		{ "arch name", { .set = "A", .kind = PXB_MATCH_ARCH, .value = "efi-x65" } },
		{ "arch empty item", { .set = "A", .kind = PXB_MATCH_ARCH, .value = "7,,9" } },
		{ "arch trailing comma", { .set = "A", .kind = PXB_MATCH_ARCH, .value = "7," } },
		{ "hex odd", { .set = "A", .kind = PXB_MATCH_REMOTE_ID, .value = "abc", .hex = 1 } },
		{ "hex empty", { .set = "A", .kind = PXB_MATCH_OPTION_EQUALS, .option = 60,
				 .value = "", .hex = 1 } },
		{ "option 0", { .set = "A", .kind = PXB_MATCH_OPTION, .option = 0 } },
		{ "no value", { .set = "A", .kind = PXB_MATCH_USER_CLASS } },
		{ "no iface", { .set = "A", .kind = PXB_MATCH_INTERFACE, .value = "" } },
		{ "bad kind", { .set = "A", .kind = (enum pxb_match_kind)99, .value = "x" } },
	};
	struct pxb_match_rules *r = NULL;
	const char *what = NULL;
	size_t idx = 99;

	for (size_t i = 0; i < sizeof(bad_conds) / sizeof(bad_conds[0]); i++) {
		struct pxb_match_cond_config cs[2] = {
			{ .set = "OK", .kind = PXB_MATCH_OPTION, .option = 1 }, bad_conds[i].c };
		struct pxb_match_config cfg = { .conds = cs, .nconds = 2 };

		what = NULL;
		idx = 99;
		ok(pxb_match_rules_new(&cfg, &r, &what, &idx) == PXB_ERR_CONFIG && r == NULL &&
		   what && strcmp(what, "condition") == 0 && idx == 1,
		   "config error: %s", bad_conds[i].name);
	}

	{
		const struct pxb_match_host_config hosts[] = {
			{ "paymentprocessor", "01:23:45:af:be:cd", nopxe, 1, "192.168.23.10", 0, NULL, 0 },
			{ "nvr", "01:23:45:AF:BE:CD", nopxe, 1, "192.168.20.11", 0, NULL, 0 },
		};
		struct pxb_match_config cfg = { .hosts = hosts, .nhosts = 2 };

		/* The seed's second host repeats the first one's MAC. */
		ok(pxb_match_rules_new(&cfg, &r, &what, &idx) == PXB_ERR_CONFIG &&
		   strcmp(what, "host") == 0, "duplicate host MAC refused");
	}
	{
		const struct pxb_match_host_config hosts[] = {
			{ "x", "01:23:45:af:be:cd", NULL, 0, "192.168.23.300", 0, NULL, 0 },
		};
		struct pxb_match_config cfg = { .hosts = hosts, .nhosts = 1 };

		is_int(pxb_match_rules_new(&cfg, &r, &what, &idx), PXB_ERR_CONFIG, "bad host address");
	}
	{
		const struct pxb_boot_rule_config rules[] = {
			{ .tags = "ENH" }, { .tags = "ENH & !" },
		};
		struct pxb_match_config cfg = { .rules = rules, .nrules = 2 };

		ok(pxb_match_rules_new(&cfg, &r, &what, &idx) == PXB_ERR_CONFIG &&
		   strcmp(what, "rule") == 0 && idx == 1, "bad tag expression: rule 1");
	}
	{
		const struct pxb_boot_rule_config rules[] = { { .next_server = "boot" } };
		struct pxb_match_config cfg = { .rules = rules, .nrules = 1 };

		is_int(pxb_match_rules_new(&cfg, &r, &what, &idx), PXB_ERR_CONFIG, "bad next server");
	}
	{
		const struct pxb_arch_file_config af[] = { { 7, "" } };
		struct pxb_match_config cfg = { .arch_files = af, .narch_files = 1 };

		ok(pxb_match_rules_new(&cfg, &r, &what, &idx) == PXB_ERR_CONFIG &&
		   strcmp(what, "arch-file") == 0, "empty arch file");
	}
	{
		struct pxb_match_config cfg = { 0 };

		is_int(pxb_match_rules_new(&cfg, &r, NULL, NULL), 0, "empty config builds");
		pxb_match_rules_free(r);
		is_int(pxb_match_rules_new(NULL, &r, NULL, NULL), PXB_ERR_INVAL, "NULL config");
	}

	is_int(pxb_match_expr_check("tag:!ENH,tag:!NOPXE"), 0, "dnsmasq form");
	is_int(pxb_match_expr_check("ENH & !NOPXE"), 0, "& form");
	is_int(pxb_match_expr_check(""), 0, "empty expression");
	is_int(pxb_match_expr_check(NULL), 0, "NULL expression");
	is_int(pxb_match_expr_check("ENH | X"), PXB_ERR_CONFIG, "no OR operator");
	is_int(pxb_match_expr_check("!!ENH"), PXB_ERR_CONFIG, "double negation refused");

	{
		int fine = 1;

		for (int k = PXB_MATCH_USER_CLASS; k <= PXB_MATCH_OPTION_CONTAINS; k++)
			if (pxb_match_kind_parse(pxb_match_kind_name((enum pxb_match_kind)k)) != k)
				fine = 0;
		ok(fine, "kind names round trip");
		is_int(pxb_match_kind_parse("colour"), PXB_ERR_INVAL, "unknown kind name");
		ok(pxb_match_kind_name((enum pxb_match_kind)0) == NULL, "kind 0 has no name");
	}
}

int main(void)
{
	plan_lazy();
	test_seed();
	test_host_noboot();
	test_conditions();
	test_first_match_and_options();
	test_arch_defaults();
	test_tags_full();
	test_config_errors();
	return done_testing();
}
