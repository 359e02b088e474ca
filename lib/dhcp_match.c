/*
 * dhcp_match.c - the tag-matching rule engine: host entries and conditions
 * give a request tags, boot rules over tag expressions give it a boot file.
 * The rule language is documented in <pxeboot/dhcp.h>. Rules are compiled
 * once (pxb_match_rules_new) into flat arrays: values parsed, host entries
 * sorted by MAC for a binary search; evaluation allocates nothing.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/dhcp.h>
#include "internal.h"

struct term {
	char tag[PXB_TAG_LEN];
	uint8_t neg;
};

struct expr {
	struct term *terms;
	size_t n;
};

struct cond {
	enum pxb_match_kind kind;
	char tag[PXB_TAG_LEN];
	uint8_t option;
	char *str;          /* interface pattern */
	uint8_t *bytes;     /* text or hex value */
	size_t len;
	uint8_t mac[6], mask[6];
	uint32_t net, netmask; /* host order */
	uint16_t *archs;
	size_t narchs;
};

struct host {
	size_t index;       /* in the config, for traces */
	char *name;
	uint8_t mac[6];
	char (*tags)[PXB_TAG_LEN];
	size_t ntags;
	int has_addr;
	struct in_addr addr;
	int noboot;
};

struct rule {
	struct expr expr;
	int noboot;
	char *file;
	char *sname;
	int has_next;
	struct in_addr next;
	struct {
		uint8_t code;
		uint8_t *data;
		size_t len;
	} *opts;
	size_t nopts;
};

struct archfile {
	uint16_t arch;
	char *file;
};

struct pxb_match_rules {
	struct host *hosts;
	size_t nhosts;
	struct cond *conds;
	size_t nconds;
	struct rule *rules;
	size_t nrules;
	struct archfile *archfiles;
	size_t narchfiles;
};

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

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses "01:0a:ff", "01-0a-ff" or "010aff" into a new buffer. */
static int parse_hex(const char *s, uint8_t **out, size_t *len)
{
	size_t n = 0, cap = strlen(s) / 2 + 1;
	uint8_t *b = malloc(cap);

	if (!b)
		return PXB_ERR_NOMEM;
	while (*s) {
		int h = hexval(s[0]), l = h < 0 ? -1 : hexval(s[1]);

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
			int h = hexval(s[0]), l = h < 0 ? -1 : hexval(s[1]);

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
		int neg = 0;
		size_t l;

		while (*s == ' ' || *s == '\t' || *s == '&' || *s == ',')
			s++;
		if (!*s)
			break;
		if (strncmp(s, "tag:", 4) == 0)
			s += 4;
		if (*s == '!') {
			neg = 1;
			s++;
		}
		l = strcspn(s, " \t&,");
		if (!valid_tag(s, l))
			goto fail;
		if (t) {
			memcpy(t[n].tag, s, l);
			t[n].tag[l] = '\0';
			t[n].neg = (uint8_t)neg;
		}
		n++;
		s += l;
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
	case PXB_MATCH_VENDOR_CLASS:
	case PXB_MATCH_VENDOR_PREFIX:
		return parse_value(cc->value, 0, &c->bytes, &c->len);
	case PXB_MATCH_CIRCUIT_ID:
	case PXB_MATCH_REMOTE_ID:
		return parse_value(cc->value, cc->hex, &c->bytes, &c->len);
	case PXB_MATCH_OPTION_EQUALS:
		if (cc->option == PXB_OPT_PAD || cc->option == PXB_OPT_END)
			return PXB_ERR_CONFIG;
		return parse_value(cc->value, cc->hex, &c->bytes, &c->len);
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
	return 0;
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
	if (rc_->noptions) {
		if (!rc_->options || rc_->noptions > PXB_BOOT_MAX_OPTS)
			return PXB_ERR_CONFIG;
		r->opts = calloc(rc_->noptions, sizeof(*r->opts));
		if (!r->opts)
			return PXB_ERR_NOMEM;
		r->nopts = rc_->noptions;
		for (size_t i = 0; i < rc_->noptions; i++) {
			const struct pxb_dhcp_opt_config *o = &rc_->options[i];

			if (o->code == PXB_OPT_PAD || o->code == PXB_OPT_END ||
			    o->code == PXB_OPT_OVERLOAD)
				return PXB_ERR_CONFIG;
			r->opts[i].code = o->code;
			rc = parse_value(o->value, o->hex, &r->opts[i].data, &r->opts[i].len);
			if (rc)
				return rc;
		}
	}
	return 0;
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
	}
	for (size_t i = 0; i < mr->nconds; i++) {
		free(mr->conds[i].str);
		free(mr->conds[i].bytes);
		free(mr->conds[i].archs);
	}
	for (size_t i = 0; i < mr->nrules; i++) {
		free(mr->rules[i].expr.terms);
		free(mr->rules[i].file);
		free(mr->rules[i].sname);
		for (size_t j = 0; j < mr->rules[i].nopts; j++)
			free(mr->rules[i].opts[j].data);
		free(mr->rules[i].opts);
	}
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
	rc = PXB_ERR_NOMEM;
	if (!mr->hosts || !mr->conds || !mr->rules || !mr->archfiles)
		goto fail;
	rc = PXB_ERR_CONFIG;
	if ((cfg->nhosts && !cfg->hosts) || (cfg->nconds && !cfg->conds) ||
	    (cfg->nrules && !cfg->rules) || (cfg->narch_files && !cfg->arch_files))
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

/* ---- evaluation ---------------------------------------------------------- */

/* What the conditions look at, read once per request. */
struct facts {
	const struct pxb_dhcp_msg *m;
	const struct pxb_match_ctx *ctx;
	int has_mac;
	uint16_t archs[8];
	int narchs;
	struct pxb_dhcp_view vc;
	int has_vc;
	struct pxb_dhcp_pxe_class pxe;
	int has_pxe;
};

static int view_eq(const struct pxb_dhcp_view *v, const uint8_t *b, size_t n)
{
	return v->len == n && (n == 0 || memcmp(v->data, b, n) == 0);
}

static int in_net(struct in_addr a, const struct cond *c)
{
	return (ntohl(a.s_addr) & c->netmask) == c->net;
}

static int cond_holds(const struct cond *c, const struct facts *f)
{
	const struct pxb_dhcp_msg *m = f->m;
	struct pxb_dhcp_view v;
	struct in_addr a;

	switch (c->kind) {
	case PXB_MATCH_USER_CLASS: {
		struct pxb_dhcp_user_class uc;

		if (pxb_dhcp_user_class(m, &uc) < 0)
			return 0;
		for (unsigned i = 0; i < uc.n; i++)
			if (view_eq(&uc.cls[i], c->bytes, c->len))
				return 1;
		return 0;
	}
	case PXB_MATCH_VENDOR_CLASS:
		return f->has_vc && view_eq(&f->vc, c->bytes, c->len);
	case PXB_MATCH_VENDOR_PREFIX:
		return f->has_vc && f->vc.len >= c->len && memcmp(f->vc.data, c->bytes, c->len) == 0;
	case PXB_MATCH_ARCH:
		for (int i = 0; i < f->narchs; i++)
			for (size_t j = 0; j < c->narchs; j++)
				if (f->archs[i] == c->archs[j])
					return 1;
		return 0;
	case PXB_MATCH_MAC:
		if (!f->has_mac)
			return 0;
		for (int i = 0; i < 6; i++)
			if ((m->chaddr[i] & c->mask[i]) != c->mac[i])
				return 0;
		return 1;
	case PXB_MATCH_CIRCUIT_ID:
	case PXB_MATCH_REMOTE_ID:
		if (pxb_dhcp_relay_subopt(m, c->kind == PXB_MATCH_CIRCUIT_ID ? PXB_RELAY_CIRCUIT_ID
									      : PXB_RELAY_REMOTE_ID,
					  &v) < 0)
			return 0;
		return view_eq(&v, c->bytes, c->len);
	case PXB_MATCH_INTERFACE:
		return f->ctx && f->ctx->ifname && fnmatch(c->str, f->ctx->ifname, 0) == 0;
	case PXB_MATCH_SUBNET:
		if (m->giaddr.s_addr)
			return in_net(m->giaddr, c);
		return f->ctx && f->ctx->recv_addr.s_addr && in_net(f->ctx->recv_addr, c);
	case PXB_MATCH_GIADDR:
		return m->giaddr.s_addr && in_net(m->giaddr, c);
	case PXB_MATCH_CLIENT_ADDR:
		if (m->ciaddr.s_addr)
			return in_net(m->ciaddr, c);
		return pxb_dhcp_requested_ip(m, &a) == 0 && in_net(a, c);
	case PXB_MATCH_OPTION:
		return pxb_dhcp_has_opt(m, c->option);
	case PXB_MATCH_OPTION_EQUALS:
		return pxb_dhcp_opt(m, c->option, &v) == 0 && view_eq(&v, c->bytes, c->len);
	}
	return 0;
}

static int expr_holds(const struct expr *e, const struct pxb_client *cl)
{
	for (size_t i = 0; i < e->n; i++)
		if (pxb_client_has_tag(cl, e->terms[i].tag) == e->terms[i].neg)
			return 0;
	return 1;
}

static void trace_step(struct pxb_match_trace *t, enum pxb_match_step_kind k, size_t index,
		       const char *tag)
{
	if (!t)
		return;
	if (t->n >= PXB_MATCH_TRACE_MAX) {
		t->dropped++;
		return;
	}
	t->step[t->n].kind = k;
	t->step[t->n].index = (int)index;
	pxb_strlcpy(t->step[t->n].tag, tag ? tag : "", PXB_TAG_LEN);
	t->n++;
}

static const struct host *find_host(const struct pxb_match_rules *mr, const uint8_t mac[6])
{
	size_t lo = 0, hi = mr->nhosts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(mac, mr->hosts[mid].mac, 6);

		if (c == 0)
			return &mr->hosts[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Sets the boot file; a relative file for an HTTP client becomes a URL on us. */
static void set_file(struct pxb_boot_choice *out, const char *file, const struct pxb_client *cl)
{
	char a[INET_ADDRSTRLEN];

	if (out->http && !strstr(file, "://") && cl->http_port && cl->server_addr.s_addr &&
	    inet_ntop(AF_INET, &cl->server_addr, a, sizeof(a))) {
		int n = snprintf(out->file, sizeof(out->file), "http://%s:%u/%s", a,
				 (unsigned)cl->http_port, file[0] == '/' ? file + 1 : file);

		if (n > 0 && (size_t)n < sizeof(out->file))
			return;
	}
	pxb_strlcpy(out->file, file, sizeof(out->file));
}

int pxb_match_eval(const struct pxb_match_rules *mr, const struct pxb_dhcp_msg *m,
		   const struct pxb_match_ctx *ctx, struct pxb_client *cl,
		   struct pxb_boot_choice *out, struct pxb_match_trace *trace)
{
	struct facts f;
	const struct host *h = NULL;
	int rc = 0, n;

	if (!mr || !m || !cl || !out)
		return PXB_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if (trace) {
		trace->n = 0;
		trace->dropped = 0;
	}
	memset(&f, 0, sizeof(f));
	f.m = m;
	f.ctx = ctx;
	f.has_mac = m->htype == 1 && m->hlen == 6;
	f.has_vc = pxb_dhcp_vendor_class(m, &f.vc) == 0;
	f.has_pxe = pxb_dhcp_pxe_class(m, &f.pxe) == 0;
	n = pxb_dhcp_client_arch(m, f.archs, PXB_ARRAY_LEN(f.archs));
	if (n > 0) {
		f.narchs = PXB_MIN(n, (int)PXB_ARRAY_LEN(f.archs));
	} else if (f.has_pxe && f.pxe.has_arch) {
		f.archs[0] = f.pxe.arch;
		f.narchs = 1;
	}
	out->http = (f.has_pxe && f.pxe.kind == PXB_PXE_HTTP) ||
		    (f.narchs > 0 && pxb_arch_is_http(f.archs[0]));

	/* 1. host entry */
	if (f.has_mac && (h = find_host(mr, m->chaddr)) != NULL) {
		out->host = h->name;
		out->has_fixed_addr = h->has_addr;
		out->fixed_addr = h->addr;
		if (h->ntags == 0)
			trace_step(trace, PXB_STEP_HOST, h->index, NULL);
		for (size_t i = 0; i < h->ntags; i++) {
			if (pxb_client_add_tag(cl, h->tags[i]) < 0)
				rc = PXB_ERR_TOOBIG;
			trace_step(trace, PXB_STEP_HOST, h->index, h->tags[i]);
		}
	}
	/* 2. conditions, in order */
	for (size_t i = 0; i < mr->nconds; i++) {
		if (!cond_holds(&mr->conds[i], &f))
			continue;
		if (pxb_client_add_tag(cl, mr->conds[i].tag) < 0)
			rc = PXB_ERR_TOOBIG;
		trace_step(trace, PXB_STEP_COND, i, mr->conds[i].tag);
	}
	/* 3. "no boot offer" wins over anything that would offer one */
	if (h && h->noboot) {
		trace_step(trace, PXB_STEP_NOBOOT_HOST, h->index, NULL);
		return rc;
	}
	for (size_t i = 0; i < mr->nrules; i++) {
		if (mr->rules[i].noboot && expr_holds(&mr->rules[i].expr, cl)) {
			trace_step(trace, PXB_STEP_NOBOOT_RULE, i, NULL);
			return rc;
		}
	}
	/* 4. first boot rule that holds */
	for (size_t i = 0; i < mr->nrules; i++) {
		const struct rule *r = &mr->rules[i];

		if (r->noboot || !expr_holds(&r->expr, cl))
			continue;
		out->offer = 1;
		if (r->file)
			set_file(out, r->file, cl);
		if (r->sname)
			pxb_strlcpy(out->server_name, r->sname, sizeof(out->server_name));
		out->has_next_server = r->has_next;
		out->next_server = r->next;
		for (size_t j = 0; j < r->nopts; j++) {
			out->opts[j].code = r->opts[j].code;
			out->opts[j].data = r->opts[j].data;
			out->opts[j].len = r->opts[j].len;
		}
		out->nopts = (unsigned)r->nopts;
		trace_step(trace, PXB_STEP_RULE, i, NULL);
		return rc;
	}
	/* 5. the default for the client's architecture */
	for (size_t i = 0; f.narchs > 0 && i < mr->narchfiles; i++) {
		if (mr->archfiles[i].arch != f.archs[0])
			continue;
		out->offer = 1;
		set_file(out, mr->archfiles[i].file, cl);
		trace_step(trace, PXB_STEP_ARCH_DEFAULT, i, NULL);
		return rc;
	}
	trace_step(trace, PXB_STEP_NONE, 0, NULL);
	return rc;
}
