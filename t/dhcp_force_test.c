/*
 * dhcp_force_test.c - options the client did not ask for: an engine built
 * from a configuration text (dhcp.hosts.*.options, dhcp.options by tag,
 * dhcp.boot.*.options with force), driven with requests as real clients
 * send them (t/dhcp_pkt.h). Forced options arrive without being in option
 * 55, others only when listed; a host's option wins over a tag's, a tag's
 * over a boot rule's, and among options by tag the dnsmasq order holds.
 * PXELINUX's 208-211 (RFC 5071) go out with the iPXE ROM's real request.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <pxeboot/conf.h>
#include <pxeboot/dhcp_server.h>
#include "tap.h"
#include "dhcp_pkt.h"

#define T0 1700000000

static char report_buf[2048];

static void collect(void *arg, const char *line)
{
	(void)arg;
	snprintf(report_buf + strlen(report_buf), sizeof(report_buf) - strlen(report_buf), "%s\n",
		 line);
}

struct env {
	pxb_conf *c;
	struct pxb_dhcp_setup *su;
	struct pxb_lease_store *leases;
	struct pxb_dhcp_server *srv;
	struct pxb_dhcp_tx tx;
	struct pxb_dhcp_msg rep;
	int rep_ok;
};

/* The engine of configuration text; returns 0 or what failed (report_buf says why). */
static int env_new(struct env *e, const char *text)
{
	struct pxb_lease_config lc = { 0 };
	size_t nh;
	const struct pxb_match_host_config *hs;
	int rc;

	memset(e, 0, sizeof(*e));
	report_buf[0] = '\0';
	e->c = pxb_conf_new();
	if (pxb_conf_load_string(e->c, text, "t.conf", collect, NULL) < 0 ||
	    pxb_conf_validate(e->c, 1, collect, NULL) != 0)
		return PXB_ERR_CONFIG;
	rc = pxb_dhcp_setup_from_conf(e->c, &e->su, collect, NULL);
	if (rc < 0)
		return rc;
	if (pxb_lease_open(&lc, T0, &e->leases, NULL) < 0)
		return PXB_ERR_IO;
	hs = pxb_dhcp_setup_hosts(e->su, &nh);
	return pxb_dhcp_server_new(pxb_dhcp_setup_server(e->su), pxb_dhcp_setup_rules(e->su), hs,
				   nh, e->leases, &e->srv);
}

static void env_free(struct env *e)
{
	pxb_dhcp_server_free(e->srv);
	pxb_lease_close(e->leases);
	pxb_dhcp_setup_free(e->su);
	pxb_conf_free(e->c);
}

static const struct pxb_dhcp_rx rx = {
	.ifname = "lan0", .src_port = 68, .dst_port = 67,
};

static int run(struct env *e, const struct pkt *p)
{
	struct pxb_dhcp_rx r = rx;

	inet_pton(AF_INET, "198.18.0.1", &r.local);
	if (pxb_dhcp_server_input(e->srv, p->b, p->len, &r, T0, &e->tx) < 0)
		return -1;
	e->rep_ok = e->tx.len && pxb_dhcp_parse(&e->rep, e->tx.buf, e->tx.len,
						PXB_DHCP_PARSE_REPLY | PXB_DHCP_PARSE_STRICT) == 0;
	return (int)e->tx.verdict;
}

/* The reply's option code as text, "(none)" when absent. */
static const char *opt_str(struct env *e, uint8_t code)
{
	static char b[300];
	struct pxb_dhcp_view v;

	if (!e->rep_ok || pxb_dhcp_opt(&e->rep, code, &v) < 0)
		return "(none)";
	snprintf(b, sizeof(b), "%.*s", (int)v.len, (const char *)v.data);
	return b;
}

/* busybox udhcpc's DISCOVER: a PRL of 1 3 6 12 15 28 42 (no 224, 225). */
static void req_plain(struct pkt *p, const uint8_t mac[6], const char *uc)
{
	static const uint8_t prl[] = { 1, 3, 6, 12, 15, 28, 42 };

	pkt_start(p, mac, PXB_DHCPDISCOVER);
	pkt_opt(p, 55, prl, sizeof(prl));
	if (uc)
		pkt_str(p, 77, uc);
	pkt_end(p);
}

static const uint8_t mac_host[6] = { 0x02, 0, 0, 0, 0, 0x11 };
static const uint8_t mac_lab[6] = { 0x02, 0, 0, 0, 0, 0x22 };
static const uint8_t mac_other[6] = { 0x02, 0, 0, 0, 0, 0x33 };

#define NET                                                                            \
	"dhcp = { mode = \"server\"; interfaces = [\"lan0\"];\n"                       \
	"  subnets = ( { network = \"198.18.0.0/24\"; pool_start = \"198.18.0.100\";\n" \
	"                pool_end = \"198.18.0.150\"; } );\n"

static void test_force_and_precedence(void)
{
	static const char conf[] = NET
		"  hosts = ( { mac = \"02:00:00:00:00:11\"; tags = [\"LAB\"];\n"
		"      options = ( { code = 224; value = \"host\"; force = true; } ); },\n"
		"    { mac = \"02:00:00:00:00:22\"; tags = [\"LAB\"]; } );\n"
		"  options = (\n"
		"    { code = 224; value = \"untagged\"; force = true; },\n"
		"    { tags = \"LAB\"; code = 224; value = \"lab-early\"; force = true; },\n"
		"    { tags = \"LAB\"; code = 224; value = \"lab-late\"; force = true; },\n"
		"    { tags = \"LAB\"; code = 225; value = \"asked-only\"; },\n"
		"    { code = 226; value = \"everyone\"; force = true; } );\n"
		"  boot = ( { file = \"x.kpxe\";\n"
		"      options = ( { code = 224; value = \"rule\"; force = true; },\n"
		"                  { code = 227; value = \"rule-only\"; force = true; } ); } );\n"
		"};\n";
	struct env e;
	struct pkt p;

	if (!ok(env_new(&e, conf) == 0, "force: the configuration builds")) {
		diag("%s", report_buf);
		env_free(&e);
		return;
	}
	req_plain(&p, mac_host, NULL);
	is_int(run(&e, &p), PXB_DHCP_V_OFFER, "host: OFFER");
	is_str(opt_str(&e, 224), "host", "host: its own option wins over tags and the rule");
	is_str(opt_str(&e, 225), "(none)", "host: unforced 225 not sent, not in option 55");
	is_str(opt_str(&e, 226), "everyone", "host: forced untagged option arrives without 55");
	is_str(opt_str(&e, 227), "rule-only", "host: the rule's forced option too");

	req_plain(&p, mac_lab, NULL);
	is_int(run(&e, &p), PXB_DHCP_V_OFFER, "tag: OFFER");
	is_str(opt_str(&e, 224), "lab-late", "tag: tagged wins over untagged, the later wins");

	req_plain(&p, mac_other, NULL);
	is_int(run(&e, &p), PXB_DHCP_V_OFFER, "untagged: OFFER");
	is_str(opt_str(&e, 224), "untagged", "untagged: an option by tag wins over the rule's");

	/* The same client listing 225 in option 55 gets it. */
	{
		static const uint8_t prl[] = { 1, 3, 225 };

		pkt_start(&p, mac_lab, PXB_DHCPDISCOVER);
		pkt_opt(&p, 55, prl, sizeof(prl));
		pkt_end(&p);
	}
	is_int(run(&e, &p), PXB_DHCP_V_OFFER, "asked: OFFER");
	is_str(opt_str(&e, 225), "asked-only", "asked: unforced 225 sent when listed in 55");
	env_free(&e);
}

static void test_no_boot_offer(void)
{
	static const char conf[] = NET
		"  tags = ( { set = \"ENH\"; match = \"user-class\"; value = \"iPXE\"; } );\n"
		"  options = ( { tags = \"ENH\"; code = 224; value = \"http://198.18.0.1/s\";\n"
		"                force = true; } );\n"
		"  boot = ( { tags = \"!ENH\"; file = \"undionly.kpxe\";\n"
		"      options = ( { code = 228; value = \"unforced\"; } ); } );\n"
		"};\n";
	struct env e;
	struct pkt p;

	if (!ok(env_new(&e, conf) == 0, "no boot: the configuration builds")) {
		diag("%s", report_buf);
		env_free(&e);
		return;
	}
	/* iPXE sends user class iPXE: no rule holds, its tag's option still goes. */
	req_plain(&p, mac_other, "iPXE");
	is_int(run(&e, &p), PXB_DHCP_V_OFFER, "no boot: OFFER");
	is_str(opt_str(&e, 67), "(none)", "no boot: no boot file");
	is_str(opt_str(&e, 224), "http://198.18.0.1/s", "no boot: the tag's forced 224 arrives");
	req_plain(&p, mac_other, NULL);
	is_int(run(&e, &p), PXB_DHCP_V_OFFER, "plain: OFFER");
	is_str(opt_str(&e, 228), "(none)", "plain: an unforced rule option stays out of the reply");
	env_free(&e);
}

static void test_pxelinux(void)
{
	static const char conf[] = NET
		"  boot = ( { file = \"pxelinux.0\";\n"
		"      options = ( { code = 209; value = \"pxelinux.cfg/lab\"; },\n"
		"                  { code = 210; value = \"/boot/\"; } ); } );\n"
		"};\n";
	static const char proxy[] =
		"dhcp = { mode = \"proxy\"; interfaces = [\"lan0\"];\n"
		"  options = ( { code = 211; hex = true; value = \"00:00:00:1e\"; } );\n"
		"  boot = ( { file = \"pxelinux.0\"; } ); };\n";
	static const uint8_t magic[4] = { 0xf1, 0x00, 0x74, 0x7e };
	struct pxb_dhcp_view v;
	struct env e;
	struct pkt p;

	if (!ok(env_new(&e, conf) == 0, "pxelinux: the configuration builds")) {
		diag("%s", report_buf);
		env_free(&e);
		return;
	}
	/* PXELINUX takes the ROM's DHCP reply: the iPXE ROM's PRL has none of 208-211. */
	req_ipxe_bios(&p, mac_other);
	is_int(run(&e, &p), PXB_DHCP_V_OFFER, "pxelinux: OFFER");
	is_str(opt_str(&e, 209), "pxelinux.cfg/lab",
	       "pxelinux: 209 sent though not asked (RFC 5071 4.5)");
	is_str(opt_str(&e, 210), "/boot/", "pxelinux: 210 sent though not asked");
	ok(e.rep_ok && pxb_dhcp_opt(&e.rep, 208, &v) == 0 && v.len == 4 &&
		   memcmp(v.data, magic, 4) == 0,
	   "pxelinux: 208 carries F1:00:74:7E with them (RFC 5071 3)");
	env_free(&e);

	if (!ok(env_new(&e, proxy) == 0, "pxelinux proxy: the configuration builds")) {
		diag("%s", report_buf);
		env_free(&e);
		return;
	}
	req_ipxe_bios(&p, mac_other);
	is_int(run(&e, &p), PXB_DHCP_V_OFFER, "pxelinux proxy: OFFER");
	ok(e.rep_ok && pxb_dhcp_opt(&e.rep, 211, &v) == 0 && v.len == 4 && v.data[3] == 30,
	   "pxelinux proxy: 211 by tag sent though not asked");
	ok(e.rep_ok && pxb_dhcp_has_opt(&e.rep, 208), "pxelinux proxy: 208 with it");
	env_free(&e);

	/* No PXELINUX option: no magic. */
	if (env_new(&e, NET "  boot = ( { file = \"x\"; } ); };\n") == 0) {
		req_ipxe_bios(&p, mac_other);
		run(&e, &p);
		ok(e.rep_ok && !pxb_dhcp_has_opt(&e.rep, 208), "no 209-211: no 208 either");
	}
	env_free(&e);
}

static void test_bad(void)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ NET "  options = ( { tags = \"A | B\"; code = 224; value = \"x\"; } ); };\n",
		  "dhcp.options[0].tags" },
		{ NET "  options = ( { code = 224; } ); };\n", "code and value are required" },
		{ NET "  hosts = ( { mac = \"02:00:00:00:00:01\";\n"
		      "    options = ( { code = 224; hex = true; value = \"zz\"; } ); } ); };\n",
		  "t.conf:5: dhcp.hosts[0].options[0].value: hex value \"zz\" has 'z' at "
		  "character 1, not a hex digit" },
		{ NET "  options = ( { tags = \"A\"; code = 224; hex = true;\n"
		      "    value = \"01:0\"; } ); };\n",
		  "t.conf:5: dhcp.options[0].value: hex value \"01:0\" ends in half an octet" },
		{ NET "  options = ( { code = 224; hex = true; value = \"01:xa\"; } ); };\n",
		  "t.conf:4: dhcp.options[0].value: hex value \"01:xa\" has 'x' at character 4" },
		{ NET "  boot = ( { file = \"x\";\n"
		      "    options = ( { code = 224; hex = true; value = \"\"; } ); } ); };\n",
		  "t.conf:5: dhcp.boot[0].options[0].value: hex value \"\" is empty" },
		{ NET "  options = ( { code = 52; value = \"x\"; } ); };\n",
		  "t.conf:4: dhcp.options[0].code: option 52 (overload) is the server's own" },
	};
	struct env e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(env_new(&e, bad[i].text) < 0 && strstr(report_buf, bad[i].why),
		   "bad %zu: refused, saying %s", i, bad[i].why);
		if (!strstr(report_buf, bad[i].why))
			diag("%s", report_buf);
		env_free(&e);
	}
}

int main(void)
{
	plan_lazy();
	test_force_and_precedence();
	test_no_boot_offer();
	test_pxelinux();
	test_bad();
	return done_testing();
}
