/*
 * policy_rules.c - who may boot (always / never / armed): the policy read
 * from the policy section and dhcp.hosts.*.policy, the rules and host
 * entries a client is judged by, and the schema of those settings
 * (registered with the configuration when the library loads). See
 * pxeboot/policy.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/boot.h>
#include <pxeboot/dhcp.h>
#include <pxeboot/policy.h>
#include "conf_schema.h"
#include "conf_internal.h"
#include "internal.h"
#include "policy_internal.h"

const char *pxb_policy_kind_name(enum pxb_policy_kind k)
{
	switch (k) {
	case PXB_POLICY_ALWAYS: return "always";
	case PXB_POLICY_NEVER: return "never";
	case PXB_POLICY_ARMED: return "armed";
	}
	return NULL;
}

int pxb_policy_kind_parse(const char *s)
{
	if (!s)
		return PXB_ERR_INVAL;
	if (strcmp(s, "always") == 0)
		return PXB_POLICY_ALWAYS;
	if (strcmp(s, "never") == 0)
		return PXB_POLICY_NEVER;
	if (strcmp(s, "armed") == 0)
		return PXB_POLICY_ARMED;
	return PXB_ERR_INVAL;
}

#define TERMS_MAX 16

struct prule {
	unsigned nterms;
	struct {
		char tag[PXB_TAG_LEN];
		int neg;
	} term[TERMS_MAX];
	enum pxb_policy_kind kind;
};

struct phost {
	char *name;
	uint8_t mac[6];
	int has_policy;
	enum pxb_policy_kind kind;
};

struct pxb_policy {
	enum pxb_policy_kind def;
	struct prule *rules;
	unsigned nrules;
	struct phost *hosts;
	unsigned nhosts;
	char **protect;
	unsigned nprotect;
	int64_t arm_for, arm_max;
};

/* A setting found wrong: "file:line: path: why", counted in *errors (conf.c). */
#define problem(c, n, ...) pxb__conf_problem(c, n, "policy", __VA_ARGS__)

/* A tag expression (the boot rules' language, pxeboot/dhcp.h) into r. 0 or -1. */
static int parse_terms(const char *s, struct prule *r)
{
	if (pxb_match_expr_check(s) < 0)
		return -1;
	r->nterms = 0;
	for (;;) {
		int neg;
		size_t l;
		const char *tag = pxb__tag_term(&s, &neg, &l);

		if (!tag)
			return 0;
		if (r->nterms == TERMS_MAX || l >= PXB_TAG_LEN)
			return -1;
		memcpy(r->term[r->nterms].tag, tag, l);
		r->term[r->nterms].tag[l] = '\0';
		r->term[r->nterms].neg = neg;
		r->nterms++;
	}
}

void pxb_policy_free(pxb_policy *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->nhosts; i++)
		free(p->hosts[i].name);
	for (unsigned i = 0; i < p->nprotect; i++)
		free(p->protect[i]);
	free(p->hosts);
	free(p->protect);
	free(p->rules);
	free(p);
}

static int64_t duration(const pxb_conf_node *root, const char *path, int64_t def)
{
	int64_t v;
	const char *s = pxb_conf_string(root, path);

	return s && pxb_parse_duration(s, &v) == 0 ? v : def;
}

int pxb_policy_from_conf(const pxb_conf *c, pxb_policy **out, pxb_conf_report_fn report,
			 void *arg)
{
	const pxb_conf_node *root = pxb_conf_root(c);
	pxb_policy *p = calloc(1, sizeof(*p));
	unsigned n;
	int errors = 0, k;

	if (!p)
		return PXB_ERR_NOMEM;
	k = pxb_policy_kind_parse(pxb_conf_string(root, "policy.default"));
	p->def = k < 0 ? PXB_POLICY_ALWAYS : (enum pxb_policy_kind)k;
	p->arm_for = duration(root, "policy.arm_for", 1800);
	p->arm_max = duration(root, "policy.arm_max", 86400);
	if (p->arm_for <= 0 || p->arm_max <= 0 || p->arm_for > p->arm_max)
		problem(c, pxb_conf_get(root, "policy.arm_for"), report, arg, &errors,
			"arm_for must be positive and no longer than arm_max");

	n = pxb_conf_count(root, "policy.rules");
	p->rules = calloc(n ? n : 1, sizeof(*p->rules));
	if (!p->rules)
		goto nomem;
	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *e = pxb_conf_elem(root, "policy.rules", i);
		const char *tags = pxb_conf_string(e, "tags");
		int kind = pxb_policy_kind_parse(pxb_conf_string(e, "policy"));

		if (kind < 0) {
			problem(c, e, report, arg, &errors, "policy (always, never or armed) is required");
			continue;
		}
		if (parse_terms(tags ? tags : "", &p->rules[p->nrules]) < 0) {
			problem(c, pxb_conf_get(e, "tags"), report, arg, &errors,
				"not a tag expression of at most %d terms (TAG, !TAG joined by &)",
				TERMS_MAX);
			continue;
		}
		p->rules[p->nrules++].kind = (enum pxb_policy_kind)kind;
	}

	n = pxb_conf_count(root, "dhcp.hosts");
	p->hosts = calloc(n ? n : 1, sizeof(*p->hosts));
	if (!p->hosts)
		goto nomem;
	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *e = pxb_conf_elem(root, "dhcp.hosts", i);
		const char *mac = pxb_conf_string(e, "mac"), *name = pxb_conf_string(e, "name");
		const char *pol = pxb_conf_string(e, "policy");
		struct phost *h = &p->hosts[p->nhosts];

		if (!mac || pxb_mac_parse(mac, h->mac) < 0)
			continue; /* dhcp_conf.c reports it */
		if (pol) {
			k = pxb_policy_kind_parse(pol);
			if (k < 0) {
				problem(c, pxb_conf_get(e, "policy"), report, arg, &errors,
					"always, never or armed");
				continue;
			}
			h->has_policy = 1;
			h->kind = (enum pxb_policy_kind)k;
		}
		if (name && !(h->name = strdup(name)))
			goto nomem;
		p->nhosts++;
	}

	n = pxb_conf_count(root, "policy.protect");
	p->protect = calloc(n ? n : 1, sizeof(*p->protect));
	if (!p->protect)
		goto nomem;
	for (unsigned i = 0; i < n; i++) {
		const char *id = pxb_conf_elem_string(root, "policy.protect", i);

		if (!id || (strcmp(id, "*") != 0 && !pxb_boot_id_valid(id))) {
			problem(c, pxb_conf_get(root, "policy.protect"), report, arg, &errors,
				"\"%s\" is not an entry id (or \"*\")", id ? id : "");
			continue;
		}
		if (!(p->protect[p->nprotect] = strdup(id)))
			goto nomem;
		p->nprotect++;
	}
	if (errors) {
		pxb_policy_free(p);
		return PXB_ERR_CONFIG;
	}
	*out = p;
	return 0;
nomem:
	pxb_policy_free(p);
	return PXB_ERR_NOMEM;
}

static const struct phost *host_of(const pxb_policy *p, const uint8_t mac[6])
{
	for (unsigned i = 0; i < p->nhosts; i++)
		if (memcmp(p->hosts[i].mac, mac, 6) == 0)
			return &p->hosts[i];
	return NULL;
}

enum pxb_policy_kind pxb_policy_for_client(const pxb_policy *p, const struct pxb_client *c,
					   const char **source)
{
	const struct phost *h;

	if (source)
		*source = "default";
	if (!p)
		return PXB_POLICY_ALWAYS;
	if (c && c->has_mac && (h = host_of(p, c->mac)) != NULL && h->has_policy) {
		if (source)
			*source = "host";
		return h->kind;
	}
	for (unsigned i = 0; c && i < p->nrules; i++) {
		const struct prule *r = &p->rules[i];
		unsigned t = 0;

		for (; t < r->nterms; t++)
			if (pxb_client_has_tag(c, r->term[t].tag) == r->term[t].neg)
				break;
		if (t == r->nterms) {
			if (source)
				*source = "rule";
			return r->kind;
		}
	}
	return p->def;
}

const char *pxb_policy_gate(const pxb_policy *p, const pxb_arms *arms,
			    const struct pxb_client *c, int64_t now)
{
	switch (pxb_policy_for_client(p, c, NULL)) {
	case PXB_POLICY_ALWAYS:
		return NULL;
	case PXB_POLICY_NEVER:
		return "policy never";
	case PXB_POLICY_ARMED:
		if (c && c->has_mac && pxb_arms_lookup(arms, c->mac, now, NULL) == 0)
			return NULL;
		return "not armed";
	}
	return NULL;
}

int pxb_policy_protects(const pxb_policy *p, const char *id)
{
	for (unsigned i = 0; p && id && i < p->nprotect; i++)
		if (strcmp(p->protect[i], "*") == 0 || strcmp(p->protect[i], id) == 0)
			return 1;
	return 0;
}

int pxb_policy_uses_arms(const pxb_policy *p)
{
	if (!p)
		return 0;
	if (p->def == PXB_POLICY_ARMED)
		return 1;
	for (unsigned i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == PXB_POLICY_ARMED)
			return 1;
	for (unsigned i = 0; i < p->nhosts; i++)
		if (p->hosts[i].has_policy && p->hosts[i].kind == PXB_POLICY_ARMED)
			return 1;
	return 0;
}

int64_t pxb_policy_arm_for(const pxb_policy *p)
{
	return p ? p->arm_for : 1800;
}

int64_t pxb_policy_arm_max(const pxb_policy *p)
{
	return p ? p->arm_max : 86400;
}

int pxb_policy_resolve(const pxb_policy *p, const char *s, uint8_t mac[6])
{
	if (!s)
		return PXB_ERR_NOENT;
	if (pxb_mac_parse(s, mac) == 0)
		return 0;
	for (unsigned i = 0; p && i < p->nhosts; i++)
		if (p->hosts[i].name && strcmp(p->hosts[i].name, s) == 0) {
			memcpy(mac, p->hosts[i].mac, 6);
			return 0;
		}
	return PXB_ERR_NOENT;
}
unsigned pxb__policy_nprotect(const pxb_policy *p)
{
	return p ? p->nprotect : 0;
}

/* ---- settings ---- */

static int check_expr(const char *v, char *msg, size_t len)
{
	if (pxb_match_expr_check(v) == 0)
		return 0;
	snprintf(msg, len, "not a tag expression (TAG and !TAG joined by &)");
	return PXB_ERR_CONFIG;
}

static const struct pxb_conf_setting policy_schema[] = {
	{"default", PXB_CT_STRING, "always", 0, 0, "always|never|armed", NULL,
	 "boot policy of clients no host entry or rule names: always (the menu), never (no boot "
	 "offer), armed (no boot offer unless armed with pxebootctl arm)"},
	{"rules", PXB_CT_LIST, NULL, 0, 0, NULL, NULL,
	 "policies by tag, tried in order after the host's own (dhcp.hosts.*.policy)"},
	{"rules.*.tags", PXB_CT_STRING, "", 0, 0, NULL, check_expr,
	 "tag expression the client's DHCP tags must hold (empty: every client)"},
	{"rules.*.policy", PXB_CT_STRING, NULL, 0, 0, "always|never|armed", NULL,
	 "the policy of clients this rule holds for (required)"},
	{"protect", PXB_CT_STRINGS, "", 0, 0, NULL, NULL,
	 "entries (ids; \"*\": all) whose files (kernel, initrds, image, anything under the entry's "
	 "dir) HTTP serves only with the token of a live arm"},
	{"arm_for", PXB_CT_STRING, "30m", 0, 0, NULL, pxb_check_duration,
	 "how long an arm lasts when pxebootctl arm is given no --for"},
	{"arm_max", PXB_CT_STRING, "1d", 0, 0, NULL, pxb_check_duration,
	 "the longest arm accepted"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static const struct pxb_conf_setting policy_host_schema[] = {
	{"hosts.*.policy", PXB_CT_STRING, NULL, 0, 0, "always|never|armed", NULL,
	 "this host's boot policy (overrides policy.rules and policy.default)"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

const struct pxb_conf_setting *pxb_policy_schema(void)
{
	return policy_schema;
}

/* Added to every configuration the library makes (conf.c). */
__attribute__((constructor)) static void register_schema(void)
{
	pxb__conf_register_schema("policy", policy_schema);
	pxb__conf_register_schema("dhcp", policy_host_schema);
}
