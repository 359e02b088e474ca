/*
 * dhcp_match_dnsmasq_test.c - the match kinds that carry dnsmasq's
 * dhcp-match and dhcp-userclass semantics (match_bytes() in dnsmasq's
 * dhcp-common.c): option-prefix (hex, '*' any octet, the start of the
 * option), option-item (the option read as items of the value's size), and
 * user-class-contains (text inside one option 77 instance); their
 * configuration errors and the configuration text.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <pxeboot/conf.h>
#include <pxeboot/dhcp.h>
#include "tap.h"
#include "dhcp_pkt.h"

static const uint8_t mac_vm[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static struct pxb_dhcp_msg m;
static struct pxb_client cl;
static struct pxb_boot_choice ch;
static struct pxb_match_trace tr;

static void eval(const struct pxb_match_rules *r, const struct pkt *p)
{
	memset(&cl, 0, sizeof(cl));
	if (pxb_dhcp_parse(&m, p->b, p->len, 0) < 0)
		return;
	pxb_dhcp_fill_client(&m, &cl);
	pxb_match_eval(r, &m, NULL, &cl, &ch, &tr);
}

static const uint8_t arch_list[] = { 0x00, 0x00, 0x00, 0x07 }; /* archs 0 and 7 */
static const uint8_t uc3004[] = { 4, 'i', 'P', 'X', 'E', 3, 'l', 'a', 'b' };

static void req(struct pkt *p, const char *vc, const uint8_t *archs, size_t na, const uint8_t *uc,
		size_t nuc)
{
	pkt_start(p, mac_vm, 1);
	pkt_str(p, 60, vc);
	pkt_opt(p, 93, archs, na);
	if (uc)
		pkt_opt(p, 77, uc, nuc);
	pkt_end(p);
}

static const struct pxb_match_cond_config conds[] = {
	/* "PXEClient:Arch:" then any five octets, then ":UNDI" */
	{ .set = "PFX", .kind = PXB_MATCH_OPTION_PREFIX, .option = 60,
	  .value = "50:58:45:43:6c:69:65:6e:74:3a:41:72:63:68:3a:*:*:*:*:*:3a:55:4e:44:49" },
	{ .set = "PFXSHORT", .kind = PXB_MATCH_OPTION_PREFIX, .option = 60, .value = "50" },
	{ .set = "PFXMID", .kind = PXB_MATCH_OPTION_PREFIX, .option = 60, .value = "41:72:63:68" },
	{ .set = "ITEM7", .kind = PXB_MATCH_OPTION_ITEM, .option = 93, .value = "00:07" },
	{ .set = "ITEM0", .kind = PXB_MATCH_OPTION_ITEM, .option = 93, .value = "00:00" },
	/* 00 07 straddles items only when read at odd offsets: never. */
	{ .set = "ODD", .kind = PXB_MATCH_OPTION_ITEM, .option = 93, .value = "00:00:07" },
	{ .set = "BYTE7", .kind = PXB_MATCH_OPTION_ITEM, .option = 93, .value = "07" },
	{ .set = "UCIN", .kind = PXB_MATCH_USER_CLASS_CONTAINS, .value = "PX" },
	{ .set = "UCEQ", .kind = PXB_MATCH_USER_CLASS, .value = "PX" },
	{ .set = "UCLAB", .kind = PXB_MATCH_USER_CLASS_CONTAINS, .value = "la" },
	{ .set = "UCSPAN", .kind = PXB_MATCH_USER_CLASS_CONTAINS, .value = "XE\003l" },
};

static void test_engine(void)
{
	struct pxb_match_config cfg = { .conds = conds, .nconds = sizeof(conds) / sizeof(*conds) };
	struct pxb_match_rules *r = NULL;
	struct pkt p;

	is_int(pxb_match_rules_new(&cfg, &r, NULL, NULL), 0, "rules build");

	req(&p, "PXEClient:Arch:00007:UNDI:003000", arch_list, sizeof(arch_list), uc3004,
	    sizeof(uc3004));
	eval(r, &p);
	ok(pxb_client_has_tag(&cl, "PFX"), "hex prefix with wildcards");
	ok(pxb_client_has_tag(&cl, "PFXSHORT"), "one-octet prefix");
	ok(!pxb_client_has_tag(&cl, "PFXMID"), "a prefix is anchored at the start");
	ok(pxb_client_has_tag(&cl, "ITEM7") && pxb_client_has_tag(&cl, "ITEM0"),
	   "each 2-octet item of option 93 is compared");
	ok(!pxb_client_has_tag(&cl, "ODD"), "items are read at multiples of their size");
	ok(pxb_client_has_tag(&cl, "BYTE7"), "a 1-octet item 07 is in 00 00 00 07");
	ok(pxb_client_has_tag(&cl, "UCIN") && !pxb_client_has_tag(&cl, "UCEQ"),
	   "user-class-contains: inside an instance; user-class: whole instances");
	ok(pxb_client_has_tag(&cl, "UCLAB"), "user-class-contains: the second instance");
	ok(!pxb_client_has_tag(&cl, "UCSPAN"), "user-class-contains: not across instances");

	req(&p, "PXEClient:Arch:0000", arch_list, 2, (const uint8_t *)"iPXE", 4);
	eval(r, &p);
	ok(!pxb_client_has_tag(&cl, "PFX"), "an option shorter than the prefix");
	ok(!pxb_client_has_tag(&cl, "ITEM7") && pxb_client_has_tag(&cl, "ITEM0"), "one item");
	ok(pxb_client_has_tag(&cl, "UCIN"), "user-class-contains: a plain option 77");

	req(&p, "PXEClient", arch_list + 1, 3, NULL, 0);
	eval(r, &p);
	ok(!pxb_client_has_tag(&cl, "ITEM7") && pxb_client_has_tag(&cl, "ITEM0"),
	   "a trailing partial item is not read");
	ok(!pxb_client_has_tag(&cl, "UCIN"), "no option 77");
	pxb_match_rules_free(r);
}

static void test_errors(void)
{
	static const struct {
		enum pxb_match_kind kind;
		uint8_t option;
		const char *value;
	} bad[] = {
		{ PXB_MATCH_OPTION_PREFIX, 60, "5*" },
		{ PXB_MATCH_OPTION_PREFIX, 60, "**" },
		{ PXB_MATCH_OPTION_PREFIX, 60, "" },
		{ PXB_MATCH_OPTION_PREFIX, 60, "zz" },
		{ PXB_MATCH_OPTION_PREFIX, 60, "50 58" },
		{ PXB_MATCH_OPTION_PREFIX, 0, "50" },
		{ PXB_MATCH_OPTION_PREFIX, 60, NULL },
		{ PXB_MATCH_OPTION_ITEM, 93, "" },
		{ PXB_MATCH_OPTION_ITEM, 93, "*" },
		{ PXB_MATCH_OPTION_ITEM, 255, "07" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct pxb_match_cond_config c = { .set = "T", .kind = bad[i].kind,
						   .option = bad[i].option, .value = bad[i].value };
		struct pxb_match_config cfg = { .conds = &c, .nconds = 1 };
		struct pxb_match_rules *r = NULL;

		is_int(pxb_match_rules_new(&cfg, &r, NULL, NULL), PXB_ERR_CONFIG,
		       "refused: %s option %u \"%s\"", pxb_match_kind_name(bad[i].kind),
		       bad[i].option, bad[i].value ? bad[i].value : "(null)");
	}
	for (int k = PXB_MATCH_OPTION_PREFIX; k <= PXB_MATCH_USER_CLASS_CONTAINS; k++)
		is_int(pxb_match_kind_parse(pxb_match_kind_name((enum pxb_match_kind)k)), k,
		       "kind %s round trip", pxb_match_kind_name((enum pxb_match_kind)k));
}

int main(void)
{
	plan_lazy();
	test_engine();
	test_errors();
	return done_testing();
}
