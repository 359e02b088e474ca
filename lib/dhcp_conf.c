/*
 * dhcp_conf.c - from the dhcp section of the configuration to the structs
 * the matcher and the server engine take. The schema (conf_schema.c) has
 * already checked types and value shapes; this file checks what needs more
 * than one setting (a pool inside its network, a tag expression, a host's
 * fixed address) and reports it as FILE:LINE: SETTING: reason.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/conf.h>
#include <pxeboot/dhcp_server.h>
#include "conf_internal.h"
#include "internal.h"

struct pxb_dhcp_setup {
	struct pxb_dhcp_server_config server;
	struct pxb_dhcp_subnet_config *subnets;
	struct pxb_match_host_config *hosts;
	const char **host_tags;      /* all hosts' tags, hosts point into it */
	struct pxb_match_cond_config *conds;
	struct pxb_boot_rule_config *rules;
	struct pxb_dhcp_opt_config *opts;
	struct pxb_dhcp_opt_config *host_opts; /* all hosts' options, hosts point into it */
	struct pxb_tag_opt_config *tag_opts;
	size_t ntag_opts;
	struct pxb_tag_if_config *tag_ifs;
	const char **tag_if_sets;    /* all tag_if's set tags, tag_ifs point into it */
	size_t ntag_ifs;
	struct pxb_arch_file_config *arch_files;
	struct in_addr *relays;
	size_t nhosts, nconds, nrules, narch;
	struct pxb_match_rules *match;
};

/* A setting found wrong: "file:line: path: why", counted in *errors (conf.c). */
#define problem(c, n, ...) pxb__conf_problem(c, n, "dhcp", __VA_ARGS__)

void pxb_dhcp_setup_free(struct pxb_dhcp_setup *s)
{
	if (!s)
		return;
	pxb_match_rules_free(s->match);
	free(s->subnets);
	free(s->hosts);
	free(s->host_tags);
	free(s->conds);
	free(s->rules);
	free(s->opts);
	free(s->host_opts);
	free(s->tag_opts);
	free(s->tag_ifs);
	free(s->tag_if_sets);
	free(s->arch_files);
	free(s->relays);
	free(s);
}

static struct in_addr addr_of(const pxb_conf_node *n, const char *path)
{
	struct in_addr a = {0};
	const char *v = pxb_conf_string(n, path);

	if (v)
		inet_pton(AF_INET, v, &a);
	return a;
}

static uint32_t secs_of(const char *v, uint32_t def)
{
	int64_t s;

	if (!v || pxb_parse_duration(v, &s) < 0 || s <= 0 || s > UINT32_MAX)
		return def;
	return (uint32_t)s;
}

static int load_subnets(struct pxb_dhcp_setup *s, const pxb_conf *c, const pxb_conf_node *d,
			pxb_conf_report_fn report, void *arg)
{
	unsigned n = pxb_conf_count(d, "subnets"), nif = pxb_conf_count(d, "interfaces");
	uint32_t deflease = secs_of(pxb_conf_string(d, "lease_time"), 3600);
	int errors = 0;

	s->subnets = calloc(n ? n : 1, sizeof(*s->subnets));
	if (!s->subnets)
		return PXB_ERR_NOMEM;
	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *e = pxb_conf_elem(d, "subnets", i);
		struct pxb_dhcp_subnet_config *sn = &s->subnets[i];
		const char *net = pxb_conf_string(e, "network");
		char buf[32];
		const char *slash;
		int bits;

		if (!net) {
			problem(c, e, report, arg, &errors, "network is required");
			continue;
		}
		slash = strchr(net, '/');
		snprintf(buf, sizeof(buf), "%.*s", (int)(slash - net), net);
		inet_pton(AF_INET, buf, &sn->network);
		bits = atoi(slash + 1);
		sn->netmask.s_addr = bits ? htonl(~0u << (32 - bits)) : 0;
		sn->ifname = pxb_conf_string(e, "interface");
		if (!sn->ifname && nif == 1)
			sn->ifname = pxb_conf_elem_string(d, "interfaces", 0);
		sn->pool_start = addr_of(e, "pool_start");
		sn->pool_end = addr_of(e, "pool_end");
		if (!sn->pool_start.s_addr != !sn->pool_end.s_addr)
			problem(c, e, report, arg, &errors, "pool_start and pool_end go together");
		if (sn->pool_start.s_addr &&
		    (((sn->pool_start.s_addr ^ sn->network.s_addr) & sn->netmask.s_addr) ||
		     ((sn->pool_end.s_addr ^ sn->network.s_addr) & sn->netmask.s_addr) ||
		     ntohl(sn->pool_start.s_addr) > ntohl(sn->pool_end.s_addr)))
			problem(c, pxb_conf_get(e, "pool_start"), report, arg, &errors,
				"pool %s..%s is not inside %s", pxb_conf_string(e, "pool_start"),
				pxb_conf_string(e, "pool_end"), net);
		sn->router = addr_of(e, "router");
		sn->ndns = pxb_conf_count(e, "dns");
		if (sn->ndns > PXB_DHCP_MAX_DNS) {
			problem(c, pxb_conf_get(e, "dns"), report, arg, &errors, "at most %d servers",
				PXB_DHCP_MAX_DNS);
			sn->ndns = PXB_DHCP_MAX_DNS;
		}
		for (unsigned k = 0; k < sn->ndns; k++)
			inet_pton(AF_INET, pxb_conf_elem_string(e, "dns", k), &sn->dns[k]);
		sn->domain = pxb_conf_string(e, "domain");
		sn->lease_time = secs_of(pxb_conf_string(e, "lease_time"), deflease);
		sn->server_addr = addr_of(e, "server");
	}
	s->server.subnets = s->subnets;
	s->server.nsubnets = n;
	return errors ? PXB_ERR_CONFIG : 0;
}

/*
 * What is wrong with hex octets s as the matcher reads them ("01:0a:ff",
 * "01-0a-ff", "010aff"), written into why; returns 0 when nothing is.
 */
static int hex_problem(const char *s, char *why, size_t size)
{
	const char *p = s;

	if (!*p) {
		snprintf(why, size, "is empty");
		return -1;
	}
	while (*p) {
		const char *bad = pxb_hexval(p[0]) < 0 ? p : pxb_hexval(p[1]) < 0 ? p + 1 : NULL;

		if (bad && !*bad) {
			snprintf(why, size, "ends in half an octet (two hex digits each)");
			return -1;
		}
		if (bad) {
			snprintf(why, size, "has '%c' at character %zu, not a hex digit",
				 *bad >= 0x20 && *bad < 0x7f ? *bad : '?', (size_t)(bad - s) + 1);
			return -1;
		}
		p += 2;
		if ((*p == ':' || *p == '-') && p[1])
			p++;
	}
	return 0;
}

/* One element of an options list: { code; value; hex; force; }. */
static void load_opt(const pxb_conf *c, const pxb_conf_node *oe, struct pxb_dhcp_opt_config *oc,
		     pxb_conf_report_fn report, void *arg, int *errors)
{
	oc->code = (uint8_t)pxb_conf_int(oe, "code");
	oc->value = pxb_conf_string(oe, "value");
	oc->hex = pxb_conf_bool(oe, "hex");
	oc->force = pxb_conf_bool(oe, "force");
	if (!oc->code || !oc->value) {
		problem(c, oe, report, arg, errors, "code and value are required");
	} else if (oc->code == PXB_OPT_OVERLOAD) {
		problem(c, pxb_conf_get(oe, "code"), report, arg, errors,
			"option 52 (overload) is the server's own (RFC 2131 4.1)");
	} else if (oc->hex) {
		char why[80];

		if (hex_problem(oc->value, why, sizeof(why)) < 0)
			problem(c, pxb_conf_get(oe, "value"), report, arg, errors,
				"hex value \"%s\" %s (write octets as 01:0a:ff, 01-0a-ff or "
				"010aff)", oc->value, why);
	}
}

/* A tag expression setting: reported when it is not one. */
static void check_expr(const pxb_conf *c, const pxb_conf_node *e, const char *expr,
		       pxb_conf_report_fn report, void *arg, int *errors)
{
	if (expr && pxb_match_expr_check(expr) < 0)
		problem(c, pxb_conf_get(e, "tags"), report, arg, errors,
			"\"%s\" is not a tag expression (TAG, !TAG joined by &)", expr);
}

/* dhcp.options: options by tag. */
static int load_tag_opts(struct pxb_dhcp_setup *s, const pxb_conf *c, const pxb_conf_node *d,
			 pxb_conf_report_fn report, void *arg)
{
	unsigned n = pxb_conf_count(d, "options");
	int errors = 0;

	s->tag_opts = calloc(n ? n : 1, sizeof(*s->tag_opts));
	if (!s->tag_opts)
		return PXB_ERR_NOMEM;
	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *e = pxb_conf_elem(d, "options", i);
		struct pxb_tag_opt_config *t = &s->tag_opts[i];

		t->tags = pxb_conf_string(e, "tags");
		check_expr(c, e, t->tags, report, arg, &errors);
		load_opt(c, e, &t->opt, report, arg, &errors);
	}
	s->ntag_opts = n;
	return errors ? PXB_ERR_CONFIG : 0;
}

/* dhcp.tag_if: derived tags. */
static int load_tag_ifs(struct pxb_dhcp_setup *s, const pxb_conf *c, const pxb_conf_node *d,
			pxb_conf_report_fn report, void *arg)
{
	unsigned n = pxb_conf_count(d, "tag_if"), nset = 0, k = 0;
	int errors = 0;

	for (unsigned i = 0; i < n; i++)
		nset += pxb_conf_count(pxb_conf_elem(d, "tag_if", i), "set");
	s->tag_ifs = calloc(n ? n : 1, sizeof(*s->tag_ifs));
	s->tag_if_sets = calloc(nset ? nset : 1, sizeof(char *));
	if (!s->tag_ifs || !s->tag_if_sets)
		return PXB_ERR_NOMEM;
	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *e = pxb_conf_elem(d, "tag_if", i);
		struct pxb_tag_if_config *t = &s->tag_ifs[i];

		t->tags = pxb_conf_string(e, "tags");
		check_expr(c, e, t->tags, report, arg, &errors);
		t->set = s->tag_if_sets + k;
		t->nset = pxb_conf_count(e, "set");
		if (!t->nset)
			problem(c, e, report, arg, &errors, "set (the tags added) is required");
		for (unsigned j = 0; j < t->nset; j++) {
			const char *tag = pxb_conf_elem_string(e, "set", j);

			if (!tag || !*tag || pxb_match_expr_check(tag) < 0 || strpbrk(tag, " \t&,!:"))
				problem(c, pxb_conf_get(e, "set"), report, arg, &errors,
					"\"%s\" is not a tag (letters, digits, '_', '-', '.')",
					tag ? tag : "");
			s->tag_if_sets[k++] = tag;
		}
	}
	s->ntag_ifs = n;
	return errors ? PXB_ERR_CONFIG : 0;
}

static int load_hosts(struct pxb_dhcp_setup *s, const pxb_conf *c, const pxb_conf_node *d,
		      pxb_conf_report_fn report, void *arg)
{
	unsigned n = pxb_conf_count(d, "hosts"), ntags = 0, k = 0, nopts = 0, ko = 0;
	int errors = 0;

	for (unsigned i = 0; i < n; i++) {
		ntags += pxb_conf_count(pxb_conf_elem(d, "hosts", i), "tags");
		nopts += pxb_conf_count(pxb_conf_elem(d, "hosts", i), "options");
	}
	s->hosts = calloc(n ? n : 1, sizeof(*s->hosts));
	s->host_tags = calloc(ntags ? ntags : 1, sizeof(char *));
	s->host_opts = calloc(nopts ? nopts : 1, sizeof(*s->host_opts));
	if (!s->hosts || !s->host_tags || !s->host_opts)
		return PXB_ERR_NOMEM;
	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *e = pxb_conf_elem(d, "hosts", i);
		struct pxb_match_host_config *h = &s->hosts[i];
		uint8_t mac[6];

		h->name = pxb_conf_string(e, "name");
		h->mac = pxb_conf_string(e, "mac");
		if (!h->mac || pxb_mac_parse(h->mac, mac) < 0)
			problem(c, h->mac ? pxb_conf_get(e, "mac") : e, report, arg, &errors,
				"a host needs an exact mac (no '*')");
		h->addr = pxb_conf_string(e, "address");
		h->noboot = pxb_conf_bool(e, "noboot");
		h->tags = s->host_tags + k;
		h->ntags = pxb_conf_count(e, "tags");
		for (unsigned t = 0; t < h->ntags; t++)
			s->host_tags[k++] = pxb_conf_elem_string(e, "tags", t);
		h->options = s->host_opts + ko;
		h->noptions = pxb_conf_count(e, "options");
		if (h->noptions > PXB_BOOT_MAX_OPTS)
			problem(c, pxb_conf_get(e, "options"), report, arg, &errors,
				"at most %d options", PXB_BOOT_MAX_OPTS);
		for (unsigned o = 0; o < h->noptions; o++)
			load_opt(c, pxb_conf_elem(e, "options", o), &s->host_opts[ko++], report,
				 arg, &errors);
	}
	s->nhosts = n;
	return errors ? PXB_ERR_CONFIG : 0;
}

static int load_conds(struct pxb_dhcp_setup *s, const pxb_conf *c, const pxb_conf_node *d,
		      pxb_conf_report_fn report, void *arg)
{
	unsigned n = pxb_conf_count(d, "tags");
	int errors = 0;

	s->conds = calloc(n ? n : 1, sizeof(*s->conds));
	if (!s->conds)
		return PXB_ERR_NOMEM;
	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *e = pxb_conf_elem(d, "tags", i);
		struct pxb_match_cond_config *cd = &s->conds[i];
		const char *match = pxb_conf_string(e, "match");
		int kind;

		cd->set = pxb_conf_string(e, "set");
		if (!cd->set || !match) {
			problem(c, e, report, arg, &errors, "set and match are required");
			continue;
		}
		kind = pxb_match_kind_parse(match);
		cd->kind = kind > 0 ? (enum pxb_match_kind)kind : PXB_MATCH_USER_CLASS;
		cd->value = pxb_conf_string(e, "value");
		cd->hex = pxb_conf_bool(e, "hex");
		cd->option = (uint8_t)pxb_conf_int(e, "option");
		if ((cd->kind == PXB_MATCH_OPTION || cd->kind == PXB_MATCH_OPTION_EQUALS ||
		     cd->kind == PXB_MATCH_OPTION_CONTAINS || cd->kind == PXB_MATCH_OPTION_PREFIX ||
		     cd->kind == PXB_MATCH_OPTION_ITEM) &&
		    !cd->option)
			problem(c, e, report, arg, &errors, "match \"%s\" needs option", match);
		else if (cd->kind != PXB_MATCH_OPTION && !cd->value)
			problem(c, e, report, arg, &errors, "match \"%s\" needs value", match);
	}
	s->nconds = n;
	return errors ? PXB_ERR_CONFIG : 0;
}

static int load_rules(struct pxb_dhcp_setup *s, const pxb_conf *c, const pxb_conf_node *d,
		      pxb_conf_report_fn report, void *arg)
{
	unsigned n = pxb_conf_count(d, "boot"), nopts = 0, k = 0;
	int errors = 0;

	for (unsigned i = 0; i < n; i++)
		nopts += pxb_conf_count(pxb_conf_elem(d, "boot", i), "options");
	s->rules = calloc(n ? n : 1, sizeof(*s->rules));
	s->opts = calloc(nopts ? nopts : 1, sizeof(*s->opts));
	if (!s->rules || !s->opts)
		return PXB_ERR_NOMEM;
	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *e = pxb_conf_elem(d, "boot", i);
		struct pxb_boot_rule_config *r = &s->rules[i];

		r->name = pxb_conf_string(e, "name");
		r->tags = pxb_conf_string(e, "tags");
		check_expr(c, e, r->tags, report, arg, &errors);
		r->noboot = pxb_conf_bool(e, "noboot");
		r->file = pxb_conf_string(e, "file");
		if (!r->noboot && !r->file)
			problem(c, e, report, arg, &errors, "a boot rule needs file (or noboot = true)");
		r->server_name = pxb_conf_string(e, "server_name");
		r->next_server = pxb_conf_string(e, "next_server");
		r->options = s->opts + k;
		r->noptions = pxb_conf_count(e, "options");
		if (r->noptions > PXB_BOOT_MAX_OPTS)
			problem(c, pxb_conf_get(e, "options"), report, arg, &errors,
				"at most %d options", PXB_BOOT_MAX_OPTS);
		for (unsigned o = 0; o < r->noptions; o++)
			load_opt(c, pxb_conf_elem(e, "options", o), &s->opts[k++], report, arg,
				 &errors);
	}
	s->nrules = n;
	n = pxb_conf_count(d, "arch_files");
	s->arch_files = calloc(n ? n : 1, sizeof(*s->arch_files));
	if (!s->arch_files)
		return PXB_ERR_NOMEM;
	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *e = pxb_conf_elem(d, "arch_files", i);
		const char *an = pxb_conf_string(e, "arch");
		int a = an ? pxb_arch_parse(an) : PXB_ERR_INVAL;

		s->arch_files[i].file = pxb_conf_string(e, "file");
		if (a < 0 || !s->arch_files[i].file) {
			problem(c, an ? pxb_conf_get(e, "arch") : e, report, arg, &errors,
				"needs arch (bios, efi-x64, ... or a number) and file");
			continue;
		}
		s->arch_files[i].arch = (uint16_t)a;
	}
	s->narch = n;
	return errors ? PXB_ERR_CONFIG : 0;
}

int pxb_dhcp_setup_from_conf(const pxb_conf *c, struct pxb_dhcp_setup **out,
			     pxb_conf_report_fn report, void *arg)
{
	const pxb_conf_node *d = pxb_conf_section(c, "dhcp"); /* defaults when the file has none */
	struct pxb_dhcp_setup *s = calloc(1, sizeof(*s));
	struct pxb_match_config mc;
	struct pxb_listen hl;
	const char *what = NULL;
	size_t idx = 0;
	int rc = 0, r;

	if (!s || !d) {
		free(s);
		return PXB_ERR_NOMEM;
	}
	s->server.proxy = strcmp(pxb_conf_string(d, "mode"), "proxy") == 0;
	s->server.decline_quarantine = secs_of(pxb_conf_string(d, "decline_quarantine"), 600);
	{
		const char *pr = pxb_conf_string(d, "probe");
		s->server.probe = strcmp(pr, "always") == 0  ? PXB_DHCP_PROBE_ALWAYS :
				  strcmp(pr, "never") == 0   ? PXB_DHCP_PROBE_NEVER :
							       PXB_DHCP_PROBE_AFTER_LOSS;
	}
	s->server.http_port = 80;
	if (pxb_parse_listen(pxb_conf_string(pxb_conf_root(c), "http.listen"), 80, &hl) == 0)
		s->server.http_port = hl.port;
	/* The defenses against a hostile LAN (dhcp_server.c): rate per interface, relays. */
	s->server.rate = (uint32_t)pxb_conf_int(d, "rate");
	s->server.rate_burst = (uint32_t)pxb_conf_int(d, "rate_burst");
	s->server.nrelays = pxb_conf_count(d, "relays");
	s->relays = calloc(s->server.nrelays ? s->server.nrelays : 1, sizeof(*s->relays));
	if (!s->relays) {
		rc = PXB_ERR_NOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < s->server.nrelays; i++)
		inet_pton(AF_INET, pxb_conf_elem_string(d, "relays", i), &s->relays[i]);
	s->server.relays = s->relays;
	if ((r = load_subnets(s, c, d, report, arg)) < 0)
		rc = r;
	if ((r = load_hosts(s, c, d, report, arg)) < 0)
		rc = r;
	if ((r = load_conds(s, c, d, report, arg)) < 0)
		rc = r;
	if ((r = load_rules(s, c, d, report, arg)) < 0)
		rc = r;
	if ((r = load_tag_opts(s, c, d, report, arg)) < 0)
		rc = r;
	if ((r = load_tag_ifs(s, c, d, report, arg)) < 0)
		rc = r;
	if (rc < 0)
		goto fail;
	memset(&mc, 0, sizeof(mc));
	mc.hosts = s->hosts;
	mc.nhosts = s->nhosts;
	mc.conds = s->conds;
	mc.nconds = s->nconds;
	mc.rules = s->rules;
	mc.nrules = s->nrules;
	mc.arch_files = s->arch_files;
	mc.narch_files = s->narch;
	mc.tag_options = s->tag_opts;
	mc.ntag_options = s->ntag_opts;
	mc.tag_ifs = s->tag_ifs;
	mc.ntag_ifs = s->ntag_ifs;
	rc = pxb_match_rules_new(&mc, &s->match, &what, &idx);
	if (rc == PXB_ERR_CONFIG) {
		char line[512];
		snprintf(line, sizeof(line), "%s: dhcp: %s %zu is not valid", pxb_conf_source(c),
			 what ? what : "rule", idx);
		if (report)
			report(arg, line);
	}
	if (rc < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	pxb_dhcp_setup_free(s);
	return rc;
}

const struct pxb_dhcp_server_config *pxb_dhcp_setup_server(const struct pxb_dhcp_setup *s)
{
	return &s->server;
}

const struct pxb_match_rules *pxb_dhcp_setup_rules(const struct pxb_dhcp_setup *s)
{
	return s->match;
}

const struct pxb_match_host_config *pxb_dhcp_setup_hosts(const struct pxb_dhcp_setup *s,
							  size_t *n)
{
	*n = s->nhosts;
	return s->hosts;
}
