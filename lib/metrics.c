/*
 * metrics.c - a small registry of counters and gauges with labels, rendered
 * in the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): per family
 * "# HELP name text" (backslash and newline escaped), "# TYPE name kind",
 * then "name{label="value",...} number" lines; label values escape
 * backslash, double quote and newline.
 *
 * Families and series are few (tens), so lookups are linear; a series'
 * labels are kept in their rendered form, which is also its key.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/events.h>
#include "internal.h"

#define MAX_LABELS 4
#define MAX_SERIES 1000
#define LABELS_MAX 512

struct series {
	char *labels; /* "a=\"x\",b=\"y\"" or "" */
	double v;
};

struct family {
	char *name, *help;
	enum pxb_metric_kind kind;
	struct series *s;
	unsigned n, cap;
};

struct collector {
	void (*fn)(void *arg, pxb_metrics *m);
	void *arg;
};

struct pxb_metrics {
	struct family *f;
	unsigned n, cap;
	struct collector *c;
	unsigned nc, capc;
};

pxb_metrics *pxb_metrics_new(void)
{
	return calloc(1, sizeof(struct pxb_metrics));
}

void pxb_metrics_free(pxb_metrics *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < m->n; i++) {
		for (unsigned j = 0; j < m->f[i].n; j++)
			free(m->f[i].s[j].labels);
		free(m->f[i].s);
		free(m->f[i].name);
		free(m->f[i].help);
	}
	free(m->f);
	free(m->c);
	free(m);
}

static int name_ok(const char *s, int colon)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || (colon && *s == ':')))
			return 0;
	return 1;
}

static struct family *find(const pxb_metrics *m, const char *name)
{
	for (unsigned i = 0; i < m->n; i++)
		if (strcmp(m->f[i].name, name) == 0)
			return &m->f[i];
	return NULL;
}

int pxb_metrics_declare(pxb_metrics *m, const char *name, enum pxb_metric_kind kind,
			const char *help)
{
	struct family *f, nf = {0};
	int rc;

	if (!m || !name_ok(name, 1) || (kind != PXB_METRIC_COUNTER && kind != PXB_METRIC_GAUGE))
		return PXB_ERR_INVAL;
	f = find(m, name);
	if (f)
		return f->kind == kind ? 0 : PXB_ERR_INVAL;
	nf.kind = kind;
	nf.name = strdup(name);
	nf.help = strdup(help ? help : "");
	rc = !nf.name || !nf.help ? PXB_ERR_NOMEM
	     : pxb__vec_insert((void **)&m->f, &m->n, &m->cap, UINT_MAX, sizeof(nf), m->n, &nf);
	if (rc < 0) {
		free(nf.name);
		free(nf.help);
		return PXB_ERR_NOMEM;
	}
	return 0;
}

int pxb__metrics_declare_all(pxb_metrics *m, const struct pxb__metric_def *defs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = pxb_metrics_declare(m, defs[i].name, (enum pxb_metric_kind)defs[i].kind,
					     defs[i].help);
		if (rc < 0)
			return rc;
		if (defs[i].zero)
			pxb_metrics_set(m, defs[i].name, 0, NULL);
	}
	return 0;
}

/* Renders the NULL-terminated label pairs of ap into buf. */
static int labels_of(va_list ap, char *buf, size_t len)
{
	size_t o = 0;
	unsigned n = 0;
	const char *k;

	buf[0] = '\0';
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		if (!name_ok(k, 0) || strncmp(k, "__", 2) == 0)
			return PXB_ERR_INVAL;
		if (++n > MAX_LABELS)
			return PXB_ERR_TOOBIG;
		if (!v)
			v = "";
		if (o + strlen(k) + 4 >= len)
			return PXB_ERR_TOOBIG;
		o += (size_t)snprintf(buf + o, len - o, "%s%s=\"", n > 1 ? "," : "", k);
		for (; *v; v++) {
			const char *esc = *v == '\\' ? "\\\\" : *v == '"' ? "\\\"" : *v == '\n' ? "\\n"
											  : NULL;
			if (o + 4 >= len)
				return PXB_ERR_TOOBIG;
			if (esc) {
				memcpy(buf + o, esc, 2);
				o += 2;
			} else {
				buf[o++] = *v;
			}
		}
		buf[o++] = '"';
		buf[o] = '\0';
	}
	return 0;
}

static struct series *series(struct family *f, const char *labels, int create)
{
	struct series s;

	for (unsigned i = 0; i < f->n; i++)
		if (strcmp(f->s[i].labels, labels) == 0)
			return &f->s[i];
	if (!create || f->n >= MAX_SERIES)
		return NULL;
	s.labels = strdup(labels);
	s.v = 0;
	if (!s.labels ||
	    pxb__vec_insert((void **)&f->s, &f->n, &f->cap, MAX_SERIES, sizeof(s), f->n, &s) < 0) {
		free(s.labels);
		return NULL;
	}
	return &f->s[f->n - 1];
}

static int update(pxb_metrics *m, const char *name, double v, int set, va_list ap)
{
	char labels[LABELS_MAX];
	struct family *f;
	struct series *s;
	int rc;

	if (!m || !name)
		return PXB_ERR_INVAL;
	f = find(m, name);
	if (!f) {
		size_t l = strlen(name);
		int counter = l > 6 && strcmp(name + l - 6, "_total") == 0;
		rc = pxb_metrics_declare(m, name, counter ? PXB_METRIC_COUNTER : PXB_METRIC_GAUGE,
					 NULL);
		if (rc < 0)
			return rc;
		f = find(m, name);
	}
	rc = labels_of(ap, labels, sizeof(labels));
	if (rc < 0)
		return rc;
	s = series(f, labels, 1);
	if (!s)
		return f->n >= MAX_SERIES ? PXB_ERR_TOOBIG : PXB_ERR_NOMEM;
	s->v = set ? v : s->v + v;
	return 0;
}

int pxb_metrics_add(pxb_metrics *m, const char *name, double delta, ...)
{
	va_list ap;
	int rc;

	va_start(ap, delta);
	rc = update(m, name, delta, 0, ap);
	va_end(ap);
	return rc;
}

int pxb_metrics_set(pxb_metrics *m, const char *name, double value, ...)
{
	va_list ap;
	int rc;

	va_start(ap, value);
	rc = update(m, name, value, 1, ap);
	va_end(ap);
	return rc;
}

double pxb_metrics_get(const pxb_metrics *m, const char *name, ...)
{
	char labels[LABELS_MAX];
	struct family *f;
	struct series *s;
	va_list ap;
	int rc;

	if (!m || !name || !(f = find(m, name)))
		return 0;
	va_start(ap, name);
	rc = labels_of(ap, labels, sizeof(labels));
	va_end(ap);
	if (rc < 0)
		return 0;
	s = series(f, labels, 0);
	return s ? s->v : 0;
}

int pxb_metrics_on_collect(pxb_metrics *m, void (*fn)(void *arg, pxb_metrics *m), void *arg)
{
	const struct collector c = {fn, arg};

	if (!m)
		return PXB_ERR_INVAL;
	if (!fn) {
		unsigned j = 0;
		for (unsigned i = 0; i < m->nc; i++)
			if (m->c[i].arg != arg)
				m->c[j++] = m->c[i];
		m->nc = j;
		return 0;
	}
	return pxb__vec_insert((void **)&m->c, &m->nc, &m->capc, UINT_MAX, sizeof(c), m->nc, &c);
}

static void put_value(FILE *out, double v)
{
	if (isnan(v))
		fputs("NaN", out);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", out);
	else if (v > -1e15 && v < 1e15 && v == (double)(long long)v)
		fprintf(out, "%.0f", v);
	else
		fprintf(out, "%.17g", v);
}

char *pxb_metrics_render(pxb_metrics *m, size_t *len)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *out;

	if (!m)
		return NULL;
	for (unsigned i = 0; i < m->nc; i++)
		m->c[i].fn(m->c[i].arg, m);
	out = open_memstream(&buf, &sz);
	if (!out)
		return NULL;
	for (unsigned i = 0; i < m->n; i++) {
		const struct family *f = &m->f[i];

		if (f->help[0]) {
			fprintf(out, "# HELP %s ", f->name);
			for (const char *h = f->help; *h; h++) {
				if (*h == '\\')
					fputs("\\\\", out);
				else if (*h == '\n')
					fputs("\\n", out);
				else
					fputc(*h, out);
			}
			fputc('\n', out);
		}
		fprintf(out, "# TYPE %s %s\n", f->name,
			f->kind == PXB_METRIC_COUNTER ? "counter" : "gauge");
		for (unsigned j = 0; j < f->n; j++) {
			fputs(f->name, out);
			if (f->s[j].labels[0])
				fprintf(out, "{%s}", f->s[j].labels);
			fputc(' ', out);
			put_value(out, f->s[j].v);
			fputc('\n', out);
		}
	}
	if (fclose(out) != 0) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = sz;
	return buf;
}
