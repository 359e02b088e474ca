/*
 * dhcp_match_eval.c - the tag-matching rule engine's evaluator: host entries
 * and conditions give a request tags, boot rules over tag expressions give
 * it a boot file. Works on the rules dhcp_match_compile.c compiled and
 * allocates nothing.
 */
#include "config.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include <pxeboot/dhcp.h>
#include "dhcp_match_internal.h"
#include "internal.h"

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

/* Whether b occurs anywhere in v (dnsmasq's match_bytes() for a text value). */
static int view_has(const struct pxb_dhcp_view *v, const uint8_t *b, size_t n)
{
	for (size_t i = 0; n <= v->len && i <= v->len - n; i++)
		if (n == 0 || memcmp(v->data + i, b, n) == 0)
			return 1;
	return 0;
}

/*
 * dnsmasq's match_bytes() for a hex value: the start of v is b, a wild byte
 * matching anything.
 */
static int view_prefix(const struct pxb_dhcp_view *v, const uint8_t *b, const uint8_t *w,
		       size_t n)
{
	if (v->len < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!w[i] && v->data[i] != b[i])
			return 0;
	return 1;
}

/*
 * dnsmasq's match_bytes() for a number: v read as items of n bytes, one of
 * them is b (a trailing partial item is not read).
 */
static int view_item(const struct pxb_dhcp_view *v, const uint8_t *b, size_t n)
{
	for (size_t i = 0; n && i + n <= v->len; i += n)
		if (memcmp(v->data + i, b, n) == 0)
			return 1;
	return 0;
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
	case PXB_MATCH_USER_CLASS:
	case PXB_MATCH_USER_CLASS_CONTAINS: {
		struct pxb_dhcp_user_class uc;

		if (pxb_dhcp_user_class(m, &uc) < 0)
			return 0;
		for (unsigned i = 0; i < uc.n; i++)
			if (c->kind == PXB_MATCH_USER_CLASS ? view_eq(&uc.cls[i], c->bytes, c->len)
							    : view_has(&uc.cls[i], c->bytes, c->len))
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
	case PXB_MATCH_OPTION_CONTAINS:
		return pxb_dhcp_opt(m, c->option, &v) == 0 && view_has(&v, c->bytes, c->len);
	case PXB_MATCH_OPTION_PREFIX:
		return pxb_dhcp_opt(m, c->option, &v) == 0 &&
		       view_prefix(&v, c->bytes, c->wild, c->len);
	case PXB_MATCH_OPTION_ITEM:
		return pxb_dhcp_opt(m, c->option, &v) == 0 && view_item(&v, c->bytes, c->len);
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

/* Records option o, the sub'th of entry index; lost: an earlier one has its code. */
static void trace_opt(struct pxb_match_trace *t, enum pxb_match_step_kind k, size_t index,
		      size_t sub, const struct opt *o, int lost)
{
	unsigned n = t ? t->n : 0;

	trace_step(t, k, index, NULL);
	if (!t || t->n == n)
		return;
	t->step[t->n - 1].sub = (int)sub;
	t->step[t->n - 1].code = o->code;
	t->step[t->n - 1].force = o->force;
	t->step[t->n - 1].lost = (uint8_t)(lost != 0);
}

static int has_client_opt(const struct pxb_boot_choice *out, uint8_t code)
{
	for (unsigned i = 0; i < out->nclient_opts; i++)
		if (out->client_opts[i].code == code)
			return 1;
	return 0;
}

/* Adds o to the client's options unless an option of its code is there already. */
static void add_client_opt(struct pxb_boot_choice *out, const struct opt *o,
			   struct pxb_match_trace *t, enum pxb_match_step_kind k, size_t index,
			   size_t sub)
{
	int lost = has_client_opt(out, o->code);

	trace_opt(t, k, index, sub, o, lost);
	if (lost)
		return;
	if (out->nclient_opts >= PXB_CLIENT_MAX_OPTS) /* bounded at compile time */
		return;
	out->client_opts[out->nclient_opts].code = o->code;
	out->client_opts[out->nclient_opts].force = o->force;
	out->client_opts[out->nclient_opts].data = o->data;
	out->client_opts[out->nclient_opts].len = o->len;
	out->nclient_opts++;
}

/*
 * The host's options, then the options by tag: those with tags before
 * those without, the later in the list first (dnsmasq's option_filter():
 * a tagged option overrides an untagged one, and of two that hold the one
 * later in the configuration wins). The first of a code stays.
 */
static void client_opts(const struct pxb_match_rules *mr, const struct host *h,
			const struct pxb_client *cl, struct pxb_boot_choice *out,
			struct pxb_match_trace *t)
{
	for (size_t i = 0; h && i < h->nopts; i++)
		add_client_opt(out, &h->opts[i], t, PXB_STEP_OPT_HOST, h->index, i);
	for (int tagged = 1; tagged >= 0; tagged--)
		for (size_t i = mr->ntagopts; i-- > 0;) {
			const struct tagopt *tg = &mr->tagopts[i];

			if ((tg->expr.n > 0) == tagged && expr_holds(&tg->expr, cl))
				add_client_opt(out, &tg->o, t, PXB_STEP_OPT_TAG, i, 0);
		}
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
	/* 2b. derived tags (dnsmasq's tag-if, run_tag_if()), in order, after the others */
	for (size_t i = 0; i < mr->ntagifs; i++) {
		const struct tagif *ti = &mr->tagifs[i];

		if (!expr_holds(&ti->expr, cl))
			continue;
		for (size_t j = 0; j < ti->set.n; j++) {
			if (pxb_client_add_tag(cl, ti->set.terms[j].tag) < 0)
				rc = PXB_ERR_TOOBIG;
			trace_step(trace, PXB_STEP_TAG_IF, i, ti->set.terms[j].tag);
		}
	}
	client_opts(mr, h, cl, out, trace);
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
			out->opts[j].force = r->opts[j].force;
			out->opts[j].data = r->opts[j].data;
			out->opts[j].len = r->opts[j].len;
		}
		out->nopts = (unsigned)r->nopts;
		trace_step(trace, PXB_STEP_RULE, i, NULL);
		for (size_t j = 0; j < r->nopts; j++)
			trace_opt(trace, PXB_STEP_OPT_RULE, i, j, &r->opts[j],
				  has_client_opt(out, r->opts[j].code));
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
