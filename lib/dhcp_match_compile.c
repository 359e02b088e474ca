/*
 * dhcp_match_compile.c - the tag-matching rule engine's compiler: host
 * entries, conditions and boot rules (the language documented in
 * <pxeboot/dhcp.h>) are compiled once (pxb_match_rules_new) into flat
 * arrays: values parsed, host entries sorted by MAC for a binary search.
 * dhcp_match_eval.c evaluates them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/dhcp.h>
#include "dhcp_match_internal.h"
#include "internal.h"

static const char *const kind_names[] = {
	[PXB_MATCH_USER_CLASS] = "user-class",
	[PXB_MATCH_VENDOR_CLASS] = "vendor-class",
	[PXB_MATCH_VENDOR_PREFIX] = "vendor-prefix",
	[PXB_MATCH_ARCH] = "arch",
	[PXB_MATCH_MAC] = "mac",
	[PXB_MATCH_CIRCUIT_ID] = "circuit-id",
	[PXB_MATCH_REMOTE_ID] = "remote-id",
	[PXB_MATCH_INTERFACE] = "interface",
	[PXB_MATCH_SUBNET] = "subnet",
	[PXB_MATCH_GIADDR] = "giaddr",
	[PXB_MATCH_CLIENT_ADDR] = "client-addr",
	[PXB_MATCH_OPTION] = "option",
	[PXB_MATCH_OPTION_EQUALS] = "option-equals",
	[PXB_MATCH_OPTION_CONTAINS] = "option-contains",
	[PXB_MATCH_OPTION_PREFIX] = "option-prefix",
	[PXB_MATCH_OPTION_ITEM] = "option-item",
	[PXB_MATCH_USER_CLASS_CONTAINS] = "user-class-contains",
};

const char *pxb_match_kind_name(enum pxb_match_kind k)
{
	if ((unsigned)k >= PXB_ARRAY_LEN(kind_names))
		return NULL;
	return kind_names[k];
}

int pxb_match_kind_parse(const char *s)
{
	for (size_t i = 1; s && i < PXB_ARRAY_LEN(kind_names); i++)
		if (kind_names[i] && strcmp(kind_names[i], s) == 0)
			return (int)i;
	return PXB_ERR_INVAL;
}

/* ---- value parsers (config time) --------------------------------------- */

/* Parses "01:0a:ff", "01-0a-ff" or "010aff" into a new buffer. */
static int parse_hex(const char *s, uint8_t **out, size_t *len)
{
	size_t n = 0, cap = strlen(s) / 2 + 1;
	uint8_t *b = malloc(cap);

	if (!b)
		return PXB_ERR_NOMEM;
	while (*s) {
		int h = pxb_hexval(s[0]), l = h < 0 ? -1 : pxb_hexval(s[1]);

		if (h < 0 || l < 0)
			goto fail;
		b[n++] = (uint8_t)(h << 4 | l);
		s += 2;
		if ((*s == ':' || *s == '-') && s[1])
			s++;
	}
	if (n == 0)
		goto fail;
	*out = b;
	*len = n;
	return 0;
fail:
	free(b);
	return PXB_ERR_CONFIG;
}

/*
 * Hex bytes where "*" stands for any byte (dnsmasq's dhcp-match hex value):
 * "3c:*:50" gives 3c 00 50 and wild 0 1 0.
 */
static int parse_hex_wild(const char *s, uint8_t **out, uint8_t **wild, size_t *len)
{
	size_t n = 0, cap = strlen(s) / 2 + 1;
	uint8_t *b = malloc(cap), *w = calloc(cap, 1);

	if (!b || !w) {
		free(b);
		free(w);
		return PXB_ERR_NOMEM;
	}
	while (*s) {
		if (s[0] == '*' && (!s[1] || s[1] == ':')) {
			b[n] = 0;
			w[n++] = 1;
			s++;
		} else {
			int h = pxb_hexval(s[0]), l = h < 0 ? -1 : pxb_hexval(s[1]);

			if (h < 0 || l < 0)
				goto fail;
			b[n++] = (uint8_t)(h << 4 | l);
			s += 2;
		}
		if (*s == ':' && s[1])
			s++;
		else if (*s)
			goto fail;
	}
	if (n == 0)
		goto fail;
	*out = b;
	*wild = w;
	*len = n;
	return 0;
fail:
	free(b);
	free(w);
	return PXB_ERR_CONFIG;
}

static int parse_value(const char *s, int hex, uint8_t **out, size_t *len)
{
	if (!s)
		return PXB_ERR_CONFIG;
	if (hex)
		return parse_hex(s, out, len);
	*len = strlen(s);
	*out = malloc(*len + 1);
	if (!*out)
		return PXB_ERR_NOMEM;
	memcpy(*out, s, *len + 1);
	return 0;
}

static int parse_cidr(const char *s, uint32_t *net, uint32_t *mask)
{
	char buf[32];
	const char *slash;
	struct in_addr a;
	unsigned long plen = 32;
	char *end;

	if (!s || !(slash = strchr(s, '/'))) {
		if (!s || strlen(s) >= sizeof(buf))
			return PXB_ERR_CONFIG;
		slash = s + strlen(s);
	} else {
		if (!slash[1])
			return PXB_ERR_CONFIG;
		plen = strtoul(slash + 1, &end, 10);
		if (*end || plen > 32 || !isdigit((unsigned char)slash[1]))
			return PXB_ERR_CONFIG;
	}
	if ((size_t)(slash - s) >= sizeof(buf))
		return PXB_ERR_CONFIG;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return PXB_ERR_CONFIG;
	*mask = plen ? ~0u << (32 - plen) : 0;
	*net = ntohl(a.s_addr) & *mask;
	return 0;
}

/* "01:23:45:*:*:*": each octet two hex digits or '*'. */
static int parse_mac_pattern(const char *s, uint8_t mac[6], uint8_t mask[6])
{
	if (!s)
		return PXB_ERR_CONFIG;
	for (int i = 0; i < 6; i++) {
		if (s[0] == '*') {
			mac[i] = mask[i] = 0;
			s++;
		} else {
			int h = pxb_hexval(s[0]), l = h < 0 ? -1 : pxb_hexval(s[1]);

			if (h < 0 || l < 0)
				return PXB_ERR_CONFIG;
			mac[i] = (uint8_t)(h << 4 | l);
			mask[i] = 0xff;
			s += 2;
		}
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return PXB_ERR_CONFIG;
			s++;
		}
	}
	return *s ? PXB_ERR_CONFIG : 0;
}

/* "7,9" or "efi-x64, efi-bc". */
static int parse_arch_list(const char *s, uint16_t **out, size_t *n)
{
	size_t cap = 1, k = 0;
	uint16_t *a;

	if (!s)
		return PXB_ERR_CONFIG;
	for (const char *p = s; *p; p++)
		cap += *p == ',';
	a = calloc(cap, sizeof(*a));
	if (!a)
		return PXB_ERR_NOMEM;
	while (*s) {
		char word[32];
		size_t l;
		int v;

		while (*s == ' ' || *s == '\t')
			s++;
		l = strcspn(s, ", \t");
		if (l == 0 || l >= sizeof(word))
			goto fail;
		memcpy(word, s, l);
		word[l] = '\0';
		v = pxb_arch_parse(word);
		if (v < 0)
			goto fail;
		a[k++] = (uint16_t)v;
		s += l;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == ',') {
			s++;
			if (!*s)
				goto fail;
		} else if (*s) {
			goto fail;
		}
	}
	if (k == 0)
		goto fail;
	*out = a;
	*n = k;
	return 0;
fail:
	free(a);
	return PXB_ERR_CONFIG;
}

static int valid_tag(const char *t, size_t n)
{
	if (n == 0 || n >= PXB_TAG_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && t[i] != '_' && t[i] != '-' && t[i] != '.')
			return 0;
	return 1;
}

const char *pxb__tag_term(const char **s, int *neg, size_t *len)
{
	const char *p = *s;

	*neg = 0;
	while (*p == ' ' || *p == '\t' || *p == '&' || *p == ',')
		p++;
	if (!*p) {
		*s = p;
		return NULL;
	}
	if (strncmp(p, "tag:", 4) == 0)
		p += 4;
	if (*p == '!') {
		*neg = 1;
		p++;
	}
	*len = strcspn(p, " \t&,");
	*s = p + *len;
	return p;
}

/*
 * Parses a tag expression into e (e may be NULL to only check it).
 * Terms: [tag:][!]TAG separated by '&', ',' or blanks.
 */
static int parse_expr(const char *s, struct expr *e)
{
	size_t n = 0, cap = 0;
	struct term *t = NULL;
	int rc = PXB_ERR_CONFIG;

	if (!s)
		s = "";
	for (const char *p = s; *p; p++)
		cap++;
	if (e && cap) {
		t = calloc(cap, sizeof(*t));
		if (!t)
			return PXB_ERR_NOMEM;
	}
	for (;;) {
		int neg;
		size_t l;
		const char *tag = pxb__tag_term(&s, &neg, &l);

		if (!tag)
			break;
		if (!valid_tag(tag, l))
			goto fail;
		if (t) {
			memcpy(t[n].tag, tag, l);
			t[n].tag[l] = '\0';
			t[n].neg = (uint8_t)neg;
		}
		n++;
	}
	if (e) {
		e->terms = t;
		e->n = n;
	}
	return 0;
fail:
	free(t);
	return rc;
}

int pxb_match_expr_check(const char *expr)
{
	return parse_expr(expr, NULL);
}

static char *dupstr(const char *s, size_t max, int *rc)
{
	char *d;

	if (!s)
		return NULL;
	if (strlen(s) >= max) {
		*rc = PXB_ERR_CONFIG;
		return NULL;
	}
	d = strdup(s);
	if (!d)
		*rc = PXB_ERR_NOMEM;
	return d;
}

/* ---- building ------------------------------------------------------------ */

static int build_cond(struct cond *c, const struct pxb_match_cond_config *cc)
{
	size_t tl = cc->set ? strlen(cc->set) : 0;

	if (!valid_tag(cc->set ? cc->set : "", tl))
		return PXB_ERR_CONFIG;
	memcpy(c->tag, cc->set, tl + 1);
	c->kind = cc->kind;
	c->option = cc->option;
	switch (cc->kind) {
	case PXB_MATCH_USER_CLASS:
	case PXB_MATCH_USER_CLASS_CONTAINS:
	case PXB_MATCH_VENDOR_CLASS:
	case PXB_MATCH_VENDOR_PREFIX:
		return parse_value(cc->value, 0, &c->bytes, &c->len);
	case PXB_MATCH_CIRCUIT_ID:
	case PXB_MATCH_REMOTE_ID:
		return parse_value(cc->value, cc->hex, &c->bytes, &c->len);
	case PXB_MATCH_OPTION_EQUALS:
	case PXB_MATCH_OPTION_CONTAINS:
		if (cc->option == PXB_OPT_PAD || cc->option == PXB_OPT_END)
			return PXB_ERR_CONFIG;
		return parse_value(cc->value, cc->hex, &c->bytes, &c->len);
	case PXB_MATCH_OPTION_PREFIX:
		if (cc->option == PXB_OPT_PAD || cc->option == PXB_OPT_END || !cc->value)
			return PXB_ERR_CONFIG;
		return parse_hex_wild(cc->value, &c->bytes, &c->wild, &c->len);
	case PXB_MATCH_OPTION_ITEM:
		if (cc->option == PXB_OPT_PAD || cc->option == PXB_OPT_END || !cc->value)
			return PXB_ERR_CONFIG;
		return parse_hex(cc->value, &c->bytes, &c->len);
	case PXB_MATCH_OPTION:
		if (cc->option == PXB_OPT_PAD || cc->option == PXB_OPT_END)
			return PXB_ERR_CONFIG;
		return 0;
	case PXB_MATCH_ARCH:
		if (cc->archs) {
			if (cc->narchs == 0)
				return PXB_ERR_CONFIG;
			c->archs = calloc(cc->narchs, sizeof(*c->archs));
			if (!c->archs)
				return PXB_ERR_NOMEM;
			memcpy(c->archs, cc->archs, cc->narchs * sizeof(*c->archs));
			c->narchs = cc->narchs;
			return 0;
		}
		return parse_arch_list(cc->value, &c->archs, &c->narchs);
	case PXB_MATCH_MAC:
		return parse_mac_pattern(cc->value, c->mac, c->mask);
	case PXB_MATCH_INTERFACE:
		if (!cc->value || !*cc->value)
			return PXB_ERR_CONFIG;
		c->str = strdup(cc->value);
		return c->str ? 0 : PXB_ERR_NOMEM;
	case PXB_MATCH_SUBNET:
	case PXB_MATCH_GIADDR:
	case PXB_MATCH_CLIENT_ADDR:
		return parse_cidr(cc->value, &c->net, &c->netmask);
	}
	return PXB_ERR_CONFIG;
}

static int build_opt(struct opt *o, const struct pxb_dhcp_opt_config *oc)
{
	if (oc->code == PXB_OPT_PAD || oc->code == PXB_OPT_END || oc->code == PXB_OPT_OVERLOAD ||
	    !oc->value)
		return PXB_ERR_CONFIG;
	o->code = oc->code;
	o->force = oc->force != 0;
	return parse_value(oc->value, oc->hex, &o->data, &o->len);
}

/* A host's or a rule's options: at most PXB_BOOT_MAX_OPTS. */
static int build_opts(struct opt **out, size_t *nout, const struct pxb_dhcp_opt_config *oc,
		      size_t n)
{
	int rc;

	if (!n)
		return 0;
	if (!oc || n > PXB_BOOT_MAX_OPTS)
		return PXB_ERR_CONFIG;
	*out = calloc(n, sizeof(**out));
	if (!*out)
		return PXB_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		(*nout)++;
		rc = build_opt(&(*out)[i], &oc[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static void free_opts(struct opt *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(o[i].data);
	free(o);
}

static int build_host(struct host *h, const struct pxb_match_host_config *hc, size_t index)
{
	int rc = 0;

	h->index = index;
	if (!hc->mac || pxb_mac_parse(hc->mac, h->mac) < 0)
		return PXB_ERR_CONFIG;
	h->name = dupstr(hc->name, 256, &rc);
	if (rc)
		return rc;
	if (hc->ntags) {
		if (!hc->tags)
			return PXB_ERR_CONFIG;
		h->tags = calloc(hc->ntags, sizeof(*h->tags));
		if (!h->tags)
			return PXB_ERR_NOMEM;
		for (size_t i = 0; i < hc->ntags; i++) {
			size_t l = hc->tags[i] ? strlen(hc->tags[i]) : 0;

			if (!valid_tag(hc->tags[i] ? hc->tags[i] : "", l))
				return PXB_ERR_CONFIG;
			memcpy(h->tags[i], hc->tags[i], l + 1);
		}
		h->ntags = hc->ntags;
	}
	if (hc->addr) {
		if (inet_pton(AF_INET, hc->addr, &h->addr) != 1)
			return PXB_ERR_CONFIG;
		h->has_addr = 1;
	}
	h->noboot = hc->noboot;
	return build_opts(&h->opts, &h->nopts, hc->options, hc->noptions);
}

static int build_rule(struct rule *r, const struct pxb_boot_rule_config *rc_)
{
	int rc = parse_expr(rc_->tags, &r->expr);

	if (rc)
		return rc;
	r->noboot = rc_->noboot;
	r->file = dupstr(rc_->file, sizeof(((struct pxb_boot_choice *)0)->file), &rc);
	if (rc)
		return rc;
	r->sname = dupstr(rc_->server_name, sizeof(((struct pxb_boot_choice *)0)->server_name),
			  &rc);
	if (rc)
		return rc;
	if (rc_->next_server) {
		if (inet_pton(AF_INET, rc_->next_server, &r->next) != 1)
			return PXB_ERR_CONFIG;
		r->has_next = 1;
	}
	return build_opts(&r->opts, &r->nopts, rc_->options, rc_->noptions);
}

static int build_tagopt(struct tagopt *t, const struct pxb_tag_opt_config *tc)
{
	int rc = parse_expr(tc->tags, &t->expr);

	if (rc)
		return rc;
	return build_opt(&t->o, &tc->opt);
}

static int build_tagif(struct tagif *t, const struct pxb_tag_if_config *tc)
{
	int rc = parse_expr(tc->tags, &t->expr);

	if (rc)
		return rc;
	if (!tc->nset || !tc->set)
		return PXB_ERR_CONFIG;
	t->set.terms = calloc(tc->nset, sizeof(*t->set.terms));
	if (!t->set.terms)
		return PXB_ERR_NOMEM;
	for (size_t i = 0; i < tc->nset; i++) {
		size_t l = tc->set[i] ? strlen(tc->set[i]) : 0;

		if (!valid_tag(tc->set[i] ? tc->set[i] : "", l))
			return PXB_ERR_CONFIG;
		memcpy(t->set.terms[i].tag, tc->set[i], l + 1);
		t->set.n++;
	}
	return 0;
}

/*
 * The most options one client can get from hosts and tags: the codes the
 * options by tag name plus the most one host has. It bounds the choice.
 */
static size_t client_opts_bound(const struct pxb_match_config *cfg)
{
	uint8_t seen[256] = {0};
	size_t n = 0, most = 0;

	for (size_t i = 0; i < cfg->ntag_options; i++)
		if (!seen[cfg->tag_options[i].opt.code]++)
			n++;
	for (size_t i = 0; i < cfg->nhosts; i++)
		most = PXB_MAX(most, cfg->hosts[i].noptions);
	return n + most;
}

static int host_cmp(const void *a, const void *b)
{
	return memcmp(((const struct host *)a)->mac, ((const struct host *)b)->mac, 6);
}

void pxb_match_rules_free(struct pxb_match_rules *mr)
{
	if (!mr)
		return;
	for (size_t i = 0; i < mr->nhosts; i++) {
		free(mr->hosts[i].name);
		free(mr->hosts[i].tags);
		free_opts(mr->hosts[i].opts, mr->hosts[i].nopts);
	}
	for (size_t i = 0; i < mr->nconds; i++) {
		free(mr->conds[i].str);
		free(mr->conds[i].bytes);
		free(mr->conds[i].wild);
		free(mr->conds[i].archs);
	}
	for (size_t i = 0; i < mr->nrules; i++) {
		free(mr->rules[i].expr.terms);
		free(mr->rules[i].file);
		free(mr->rules[i].sname);
		free_opts(mr->rules[i].opts, mr->rules[i].nopts);
	}
	for (size_t i = 0; i < mr->ntagopts; i++) {
		free(mr->tagopts[i].expr.terms);
		free(mr->tagopts[i].o.data);
	}
	free(mr->tagopts);
	for (size_t i = 0; i < mr->ntagifs; i++) {
		free(mr->tagifs[i].expr.terms);
		free(mr->tagifs[i].set.terms);
	}
	free(mr->tagifs);
	for (size_t i = 0; i < mr->narchfiles; i++)
		free(mr->archfiles[i].file);
	free(mr->hosts);
	free(mr->conds);
	free(mr->rules);
	free(mr->archfiles);
	free(mr);
}

int pxb_match_rules_new(const struct pxb_match_config *cfg, struct pxb_match_rules **out,
			const char **err_what, size_t *err_index)
{
	struct pxb_match_rules *mr;
	const char *what = NULL;
	size_t i = 0;
	int rc;

	if (!cfg || !out)
		return PXB_ERR_INVAL;
	*out = NULL;
	mr = calloc(1, sizeof(*mr));
	if (!mr)
		return PXB_ERR_NOMEM;
	/* calloc(0) may return NULL: allocate at least one of each. */
	mr->hosts = calloc(cfg->nhosts + 1, sizeof(*mr->hosts));
	mr->conds = calloc(cfg->nconds + 1, sizeof(*mr->conds));
	mr->rules = calloc(cfg->nrules + 1, sizeof(*mr->rules));
	mr->archfiles = calloc(cfg->narch_files + 1, sizeof(*mr->archfiles));
	mr->tagopts = calloc(cfg->ntag_options + 1, sizeof(*mr->tagopts));
	mr->tagifs = calloc(cfg->ntag_ifs + 1, sizeof(*mr->tagifs));
	rc = PXB_ERR_NOMEM;
	if (!mr->hosts || !mr->conds || !mr->rules || !mr->archfiles || !mr->tagopts ||
	    !mr->tagifs)
		goto fail;
	rc = PXB_ERR_CONFIG;
	if ((cfg->nhosts && !cfg->hosts) || (cfg->nconds && !cfg->conds) ||
	    (cfg->nrules && !cfg->rules) || (cfg->narch_files && !cfg->arch_files) ||
	    (cfg->ntag_options && !cfg->tag_options) || (cfg->ntag_ifs && !cfg->tag_ifs))
		goto fail;

	what = "host";
	for (i = 0; i < cfg->nhosts; i++) {
		mr->nhosts++;
		rc = build_host(&mr->hosts[i], &cfg->hosts[i], i);
		if (rc)
			goto fail;
	}
	qsort(mr->hosts, mr->nhosts, sizeof(*mr->hosts), host_cmp);
	for (i = 1; i < mr->nhosts; i++) {
		if (host_cmp(&mr->hosts[i - 1], &mr->hosts[i]) == 0) {
			i = mr->hosts[i].index;
			rc = PXB_ERR_CONFIG;
			goto fail;
		}
	}
	what = "condition";
	for (i = 0; i < cfg->nconds; i++) {
		mr->nconds++;
		rc = build_cond(&mr->conds[i], &cfg->conds[i]);
		if (rc)
			goto fail;
	}
	what = "tag-if";
	for (i = 0; i < cfg->ntag_ifs; i++) {
		mr->ntagifs++;
		rc = build_tagif(&mr->tagifs[i], &cfg->tag_ifs[i]);
		if (rc)
			goto fail;
	}
	what = "rule";
	for (i = 0; i < cfg->nrules; i++) {
		mr->nrules++;
		rc = build_rule(&mr->rules[i], &cfg->rules[i]);
		if (rc)
			goto fail;
	}
	what = "arch-file";
	for (i = 0; i < cfg->narch_files; i++) {
		const struct pxb_arch_file_config *af = &cfg->arch_files[i];

		mr->narchfiles++;
		rc = PXB_ERR_CONFIG;
		if (!af->file || !*af->file || af->arch == PXB_ARCH_UNKNOWN)
			goto fail;
		mr->archfiles[i].arch = af->arch;
		mr->archfiles[i].file = dupstr(af->file, sizeof(((struct pxb_boot_choice *)0)->file),
					       &rc);
		if (!mr->archfiles[i].file)
			goto fail;
	}
	what = "tag-option";
	for (i = 0; i < cfg->ntag_options; i++) {
		mr->ntagopts++;
		rc = build_tagopt(&mr->tagopts[i], &cfg->tag_options[i]);
		if (rc)
			goto fail;
	}
	rc = PXB_ERR_CONFIG;
	if (client_opts_bound(cfg) > PXB_CLIENT_MAX_OPTS)
		goto fail;
	*out = mr;
	return 0;
fail:
	if (err_what)
		*err_what = what;
	if (err_index)
		*err_index = i;
	pxb_match_rules_free(mr);
	return rc;
}
