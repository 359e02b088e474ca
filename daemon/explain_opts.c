/*
 * explain_opts.c - the extra options in "pxebootctl explain" (see
 * explain_opts.h), from the rule engine's trace (pxb_match_eval): a
 * host's options win over the options by tag, and those over the boot
 * rule's; an option not forced goes out only when the client lists it in
 * option 55 (RFC 2132 9.8), PXELINUX's 209-211 always (RFC 5071 4.5).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "explain_opts.h"

#define VALUE_SHOWN 64 /* characters of a value printed */

static int is_opt_step(enum pxb_match_step_kind k)
{
	return k == PXB_STEP_OPT_HOST || k == PXB_STEP_OPT_TAG || k == PXB_STEP_OPT_RULE;
}

/* The configuration's element for step i: the option's own group. */
static const pxb_conf_node *opt_node(const pxb_conf_node *r, const struct pxb_match_trace *t,
				     unsigned i)
{
	const pxb_conf_node *e;
	unsigned k = (unsigned)t->step[i].index, sub = (unsigned)t->step[i].sub;

	switch (t->step[i].kind) {
	case PXB_STEP_OPT_HOST:
		e = pxb_conf_elem(r, "dhcp.hosts", k);
		return e ? pxb_conf_elem(e, "options", sub) : NULL;
	case PXB_STEP_OPT_TAG:
		return pxb_conf_elem(r, "dhcp.options", k);
	case PXB_STEP_OPT_RULE:
		e = pxb_conf_elem(r, "dhcp.boot", k);
		return e ? pxb_conf_elem(e, "options", sub) : NULL;
	default:
		return NULL;
	}
}

static const char *str_or(const pxb_conf_node *n, const char *key, const char *dflt)
{
	const char *s = n ? pxb_conf_string(n, key) : NULL;

	return s && s[0] ? s : dflt;
}

/* Where step i comes from: "host entry dhcp.hosts[0] (pc1) options[1]". */
static void print_source(const pxb_conf_node *r, const struct pxb_match_trace *t, unsigned i)
{
	int k = t->step[i].index, sub = t->step[i].sub;

	switch (t->step[i].kind) {
	case PXB_STEP_OPT_HOST:
		printf("host entry dhcp.hosts[%d] (%s) options[%d]", k,
		       str_or(pxb_conf_elem(r, "dhcp.hosts", (unsigned)k), "name", "no name"), sub);
		break;
	case PXB_STEP_OPT_TAG: {
		const char *tags = str_or(pxb_conf_elem(r, "dhcp.options", (unsigned)k), "tags", "");

		if (tags[0])
			printf("dhcp.options[%d] (tags \"%s\")", k, tags);
		else
			printf("dhcp.options[%d] (every client)", k);
		break;
	}
	default:
		printf("boot rule dhcp.boot[%d] (%s) options[%d]", k,
		       str_or(pxb_conf_elem(r, "dhcp.boot", (unsigned)k), "name", "no name"), sub);
		break;
	}
}

/* A configured value as written: text in quotes, hex octets as they are. */
static void print_value(const pxb_conf_node *o)
{
	const char *v = str_or(o, "value", "");
	size_t n = strlen(v), shown = n < VALUE_SHOWN ? n : VALUE_SHOWN;
	int hex = o && pxb_conf_bool(o, "hex") > 0;

	printf(hex ? "hex " : "\"");
	for (size_t i = 0; i < shown; i++)
		putchar(v[i] >= 0x20 && v[i] < 0x7f ? v[i] : '?');
	printf("%s%s", n > shown ? "..." : "", hex ? "" : "\"");
}

/* The step before i that gave the same code and won, or -1. */
static int winner(const struct pxb_match_trace *t, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (is_opt_step(t->step[j].kind) && !t->step[j].lost &&
		    t->step[j].code == t->step[i].code)
			return (int)j;
	return -1;
}

static int pxelinux(uint8_t code)
{
	return code >= 209 && code <= 211;
}

void pxbctl_explain_options(const pxb_conf_node *r, const struct pxb_match_trace *t)
{
	int any = 0;

	for (unsigned i = 0; i < t->n; i++) {
		int w;

		if (!is_opt_step(t->step[i].kind))
			continue;
		if (!any++)
			printf("options:\n");
		printf("  option %-3u ", t->step[i].code);
		print_value(opt_node(r, t, i));
		printf(", %s, from ", t->step[i].force ? "forced"
				      : pxelinux(t->step[i].code) ? "forced (PXELINUX, RFC 5071)"
								  : "if asked in option 55");
		print_source(r, t, i);
		w = t->step[i].lost ? winner(t, i) : -1;
		if (w >= 0) {
			printf("; not sent: lost to ");
			print_source(r, t, (unsigned)w);
		} else if (t->step[i].lost) {
			printf("; not sent: lost to an option of higher precedence");
		}
		putchar('\n');
	}
}

static int shown(uint8_t code)
{
	return code == PXB_OPT_VENDOR || code == PXB_OPT_SERVER_ID ||
	       code == PXB_OPT_VENDOR_CLASS || code == PXB_OPT_TFTP_SERVER ||
	       code == PXB_OPT_BOOTFILE;
}

void pxbctl_explain_reply_options(const struct pxb_match_trace *t, const struct pxb_dhcp_msg *m)
{
	for (unsigned i = 0; i < t->n; i++) {
		struct pxb_dhcp_view v;

		/* 43, 54, 60, 66 and 67 are printed with the reply already */
		if (!is_opt_step(t->step[i].kind) || t->step[i].lost || shown(t->step[i].code) ||
		    pxb_dhcp_opt(m, t->step[i].code, &v) < 0)
			continue;
		printf("  option %-3u %-16s ", t->step[i].code, "extra");
		for (size_t j = 0; j < v.len; j++)
			printf("%s%02x", j ? ":" : "", v.data[j]);
		putchar('\n');
	}
}
