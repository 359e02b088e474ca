/*
 * dhcp_match_tagif_test.c - derived tags (dhcp.tag_if, dnsmasq's tag-if):
 * tried in order after the host entry and the conditions, an AND of terms
 * with negation, several tags set at once, a later one seeing an earlier
 * one's tags but not the reverse, the boot rule and options chosen by a
 * derived tag, traces, and the configuration's errors (engine and
 * configuration text, with file:line).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <pxeboot/conf.h>
#include <pxeboot/dhcp.h>
#include <pxeboot/dhcp_server.h>
#include "tap.h"
#include "dhcp_pkt.h"

static const uint8_t mac_vm[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t mac_host[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static struct pxb_dhcp_msg m;
static struct pxb_client cl;
static struct pxb_boot_choice ch;
static struct pxb_match_trace tr;

static int eval(const struct pxb_match_rules *r, const struct pkt *p)
{
	memset(&cl, 0, sizeof(cl));
	if (pxb_dhcp_parse(&m, p->b, p->len, 0) < 0)
		return -100;
	pxb_dhcp_fill_client(&m, &cl);
	return pxb_match_eval(r, &m, NULL, &cl, &ch, &tr);
}

static void req_bios_pxe(struct pkt *p, const uint8_t mac[6])
{
	pkt_start(p, mac, 1);
	pkt_str(p, 60, "PXEClient:Arch:00000:UNDI:002001");
	pkt_u16(p, 93, 0);
	pkt_end(p);
}

/*
 * BIOS by arch, ENH by user class iPXE, the host "lab" tagged known;
 *   tag-if=set:ROM,tag:BIOS,tag:!ENH
 *   tag-if=set:LABROM,set:SEEN,tag:ROM,tag:known
 *   tag-if=set:LATE,tag:EARLY   (EARLY is set only below: never holds)
 *   tag-if=set:EARLY            (no condition: always)
 *   tag-if=set:A,set:B,tag:!A   (tested once, then both set)
 */
static const char *const known[] = { "known" };
static const struct pxb_match_host_config hosts[] = {
	{ "lab", "02:00:00:00:00:01", known, 1, NULL, 0, NULL, 0 },
};
static const struct pxb_match_cond_config conds[] = {
	{ .set = "BIOS", .kind = PXB_MATCH_ARCH, .value = "bios" },
	{ .set = "ENH", .kind = PXB_MATCH_USER_CLASS, .value = "iPXE" },
};
static const char *const s_rom[] = { "ROM" }, *const s_lab[] = { "LABROM", "SEEN" },
		  *const s_late[] = { "LATE" }, *const s_early[] = { "EARLY" },
		  *const s_ab[] = { "A", "B" };
static const struct pxb_tag_if_config tag_ifs[] = {
	{ s_rom, 1, "tag:BIOS,tag:!ENH" },
	{ s_lab, 2, "ROM & known" },
	{ s_late, 1, "EARLY" },
	{ s_early, 1, NULL },
	{ s_ab, 2, "!A" },
};
static const struct pxb_boot_rule_config rules[] = {
	{ .tags = "LABROM", .file = "lab.kpxe" },
	{ .tags = "ROM", .file = "undionly.kpxe" },
	{ .tags = "ENH", .file = "menu.ipxe" },
};
static const struct pxb_tag_opt_config topts[] = {
	{ "SEEN", { 224, "seen", 0, 1 } },
};

static void test_engine(void)
{
	struct pxb_match_config cfg = {
		.hosts = hosts, .nhosts = 1, .conds = conds, .nconds = 2, .rules = rules,
		.nrules = 3, .tag_options = topts, .ntag_options = 1, .tag_ifs = tag_ifs,
		.ntag_ifs = 5,
	};
	struct pxb_match_rules *r = NULL;
	struct pkt p;
	int traced = 0;

	ok(pxb_match_rules_new(&cfg, &r, NULL, NULL) == 0 && r, "rules with tag_if build");
	if (!r)
		return;

	req_bios_pxe(&p, mac_vm);
	is_int(eval(r, &p), 0, "BIOS ROM: eval");
	ok(pxb_client_has_tag(&cl, "ROM"), "BIOS ROM: ROM derived from BIOS & !ENH");
	is_str(ch.file, "undionly.kpxe", "BIOS ROM: the rule on the derived tag gives the file");
	ok(!pxb_client_has_tag(&cl, "LABROM") && !pxb_client_has_tag(&cl, "SEEN"),
	   "BIOS ROM, not a host: ROM & known does not hold");
	ok(pxb_client_has_tag(&cl, "EARLY") && !pxb_client_has_tag(&cl, "LATE"),
	   "in order: a tag-if sees only the derived tags above it");
	ok(pxb_client_has_tag(&cl, "A") && pxb_client_has_tag(&cl, "B"),
	   "set:A,set:B,tag:!A: tested once, both set");
	for (unsigned i = 0; i < tr.n; i++)
		if (tr.step[i].kind == PXB_STEP_TAG_IF && tr.step[i].index == 0 &&
		    strcmp(tr.step[i].tag, "ROM") == 0)
			traced = 1;
	ok(traced, "trace: tag_if[0] set ROM");

	req_bios_pxe(&p, mac_host);
	eval(r, &p);
	ok(pxb_client_has_tag(&cl, "LABROM") && pxb_client_has_tag(&cl, "SEEN"),
	   "host: the host's tag counts: both tags set");
	is_str(ch.file, "lab.kpxe", "host: the rule on LABROM wins");
	ok(ch.nclient_opts == 1 && ch.client_opts[0].code == 224,
	   "host: option by derived tag SEEN sent");

	req_ipxe_bios(&p, mac_host);
	eval(r, &p);
	ok(!pxb_client_has_tag(&cl, "ROM") && !pxb_client_has_tag(&cl, "LABROM"),
	   "iPXE: !ENH fails, nothing derived from it");
	is_str(ch.file, "menu.ipxe", "iPXE: the menu");
	pxb_match_rules_free(r);
}

static void test_engine_errors(void)
{
	static const char *const bad_tag[] = { "A B" }, *const empty[] = { "" };
	static const struct {
		const char *name;
		struct pxb_tag_if_config t;
	} bad[] = {
		{ "tag with space", { bad_tag, 1, "X" } },
		{ "empty tag", { empty, 1, "X" } },
		{ "no tag to set", { NULL, 0, "X" } },
		{ "bad expression", { s_rom, 1, "X | Y" } },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pxb_tag_if_config ti[2] = { { s_rom, 1, "BIOS" }, bad[i].t };
		struct pxb_match_config cfg = { .tag_ifs = ti, .ntag_ifs = 2 };
		struct pxb_match_rules *r = NULL;
		const char *what = NULL;
		size_t idx = 99;

		ok(pxb_match_rules_new(&cfg, &r, &what, &idx) == PXB_ERR_CONFIG && !r && what &&
		   strcmp(what, "tag-if") == 0 && idx == 1, "engine refuses: %s", bad[i].name);
	}
}

static char report_buf[2048];

static void collect(void *arg, const char *line)
{
	(void)arg;
	snprintf(report_buf + strlen(report_buf), sizeof(report_buf) - strlen(report_buf), "%s\n",
		 line);
}

/* A configuration text's rules; NULL when refused (report_buf says why). */
static struct pxb_dhcp_setup *setup(pxb_conf **c, const char *text)
{
	struct pxb_dhcp_setup *su = NULL;

	report_buf[0] = '\0';
	*c = pxb_conf_new();
	if (pxb_conf_load_string(*c, text, "t.conf", collect, NULL) < 0 ||
	    pxb_conf_validate(*c, 1, collect, NULL) != 0 ||
	    pxb_dhcp_setup_from_conf(*c, &su, collect, NULL) < 0)
		return NULL;
	return su;
}

#define NET "dhcp = { mode = \"proxy\"; interfaces = [\"lan0\"];\n"

static void test_conf(void)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ NET "  tag_if = ( { tags = \"A\"; } ); };\n", "t.conf:2: dhcp.tag_if[0]: set" },
		{ NET "  tag_if = ( { set = [\"A\"];\n    tags = \"A | B\"; } ); };\n",
		  "t.conf:3: dhcp.tag_if[0].tags: \"A | B\" is not a tag expression" },
		{ NET "  tag_if = ( { set = [\"ok\", \"!neg\"]; } ); };\n",
		  "t.conf:2: dhcp.tag_if[0].set: \"!neg\" is not a tag" },
	};
	pxb_conf *c;
	struct pxb_dhcp_setup *su;
	struct pkt p;

	su = setup(&c, NET "  tags = ( { set = \"BIOS\"; match = \"arch\"; value = \"bios\"; } );\n"
			   "  tag_if = ( { set = [\"ROM\", \"X\"]; tags = \"BIOS & !ENH\"; } );\n"
			   "  boot = ( { tags = \"ROM & X\"; file = \"undionly.kpxe\"; } ); };\n");
	ok(su != NULL, "dhcp.tag_if loads");
	if (!su)
		diag("%s", report_buf);
	if (su) {
		req_bios_pxe(&p, mac_vm);
		eval(pxb_dhcp_setup_rules(su), &p);
		is_str(ch.file, "undionly.kpxe", "dhcp.tag_if: the derived tags choose the file");
	}
	pxb_dhcp_setup_free(su);
	pxb_conf_free(c);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		su = setup(&c, bad[i].text);
		ok(!su && strstr(report_buf, bad[i].why), "refused, saying %s", bad[i].why);
		if (su || !strstr(report_buf, bad[i].why))
			diag("%s", report_buf);
		pxb_dhcp_setup_free(su);
		pxb_conf_free(c);
	}
}

int main(void)
{
	plan_lazy();
	test_engine();
	test_engine_errors();
	test_conf();
	return done_testing();
}
