/*
 * pxebootctl_merge.c - merging what several pxebootd answered about their
 * clients (pxebootctl -s A -s B clients | timeline ID). Servers sharing their
 * leases and arms through PostgreSQL still each see their own packets and
 * files: the clients list is the union by id (MAC, or IPv4 address before a
 * MAC is known) with the latest last-seen, and a timeline is every server's
 * steps in time order, each line naming its server.
 *
 * The answers are untrusted bytes: the JSON reader below takes only what a
 * timeline holds, with bounded depth, lengths and counts.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/common.h>
#include "pxebootctl_merge.h"

#define MAX_ROWS 65536	/* client lines, all servers together */
#define MAX_STEPS 65536 /* timeline steps, all servers together */
#define MAX_DEPTH 16	/* JSON nesting skipped over */

static void list_servers(FILE *out, const struct pxbctl_answer *a, size_t n, uint32_t mask)
{
	const char *sep = "";

	for (size_t i = 0; i < n; i++)
		if (mask & (UINT32_C(1) << i)) {
			fprintf(out, "%s%s", sep, a[i].server);
			sep = ", ";
		}
}

/* ---- clients: "ID ADDR LAST-SEEN STATE LAST-STEP" lines -------------------- */

struct row {
	const char *line;
	size_t len, server;
	char id[64], last[32];
};

/* The n-th space-separated field of line[0..len) into buf; -1 when absent or too long. */
static int field(const char *line, size_t len, int n, char *buf, size_t cap)
{
	size_t i = 0, s;

	for (int k = 0;; k++) {
		while (i < len && line[i] == ' ')
			i++;
		s = i;
		while (i < len && line[i] != ' ')
			i++;
		if (s == i)
			return -1;
		if (k == n) {
			if (i - s >= cap)
				return -1;
			memcpy(buf, line + s, i - s);
			buf[i - s] = '\0';
			return 0;
		}
	}
}

static int by_id(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	int c = strcmp(a->id, b->id);

	if (c)
		return c;
	c = strcmp(b->last, a->last); /* the latest first: ISO 8601 of one width */
	return c ? c : (a->server > b->server) - (a->server < b->server);
}

static int by_last(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	int c = strcmp(b->last, a->last);

	return c ? c : strcmp(a->id, b->id);
}

int pxbctl_merge_clients(const struct pxbctl_answer *a, size_t n, FILE *out)
{
	struct row *r = NULL, *g = NULL;
	uint32_t *seen = NULL;
	size_t nr = 0, cap = 0, ng = 0;
	int rc = PXB_ERR_INVAL;

	if (n > PXBCTL_MAX_SERVERS)
		return PXB_ERR_INVAL;
	for (size_t s = 0; s < n; s++) {
		const char *p = a[s].body, *end = p ? p + a[s].len : NULL;

		while (p && p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			char addr[64];

			if (len) {
				if (nr == cap) {
					struct row *m;
					if (cap >= MAX_ROWS) {
						rc = PXB_ERR_TOOBIG;
						goto out;
					}
					m = realloc(r, (cap = cap ? cap * 2 : 64) * sizeof(*r));
					if (!m) {
						rc = PXB_ERR_NOMEM;
						goto out;
					}
					r = m;
				}
				r[nr] = (struct row){.line = p, .len = len, .server = s};
				if (field(p, len, 0, r[nr].id, sizeof(r[nr].id)) < 0 ||
				    field(p, len, 1, addr, sizeof(addr)) < 0 ||
				    field(p, len, 2, r[nr].last, sizeof(r[nr].last)) < 0)
					goto out;
				nr++;
			}
			p += len + 1;
		}
	}
	/* One group per id: its latest line, and the servers that saw it. */
	g = malloc((nr ? nr : 1) * sizeof(*g));
	seen = calloc(nr ? nr : 1, sizeof(*seen));
	if (!g || !seen) {
		rc = PXB_ERR_NOMEM;
		goto out;
	}
	if (nr)
		qsort(r, nr, sizeof(*r), by_id);
	for (size_t i = 0; i < nr; i++) {
		if (!ng || strcmp(g[ng - 1].id, r[i].id) != 0) {
			g[ng] = r[i];
			g[ng].server = ng; /* now the index into seen[] */
			ng++;
		}
		seen[ng - 1] |= UINT32_C(1) << r[i].server;
	}
	if (ng)
		qsort(g, ng, sizeof(*g), by_last);
	for (size_t i = 0; i < ng; i++) {
		fprintf(out, "%.*s  [seen by ", (int)g[i].len, g[i].line);
		list_servers(out, a, n, seen[g[i].server]);
		fputs("]\n", out);
	}
	rc = (int)ng;
out:
	free(r);
	free(g);
	free(seen);
	return rc;
}

/* ---- timelines: the JSON of GET timeline/ID --------------------------------- */

struct jp {
	const char *p, *end;
};

static int peek(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
	return j->p < j->end ? (unsigned char)*j->p : -1;
}

static int eat(struct jp *j, char c)
{
	if (peek(j) != c)
		return -1;
	j->p++;
	return 0;
}

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		*v = *v * 16 + (unsigned)(c >= '0' && c <= '9' ? c - '0'
					  : c >= 'a' && c <= 'f' ? c - 'a' + 10
					  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99);
		if (*v > 0xffff)
			return -1;
	}
	return 0;
}

/* A string into buf (cut at cap - 1 bytes, control characters as '?'). */
static int jstr(struct jp *j, char *buf, size_t cap)
{
	size_t o = 0;

	if (eat(j, '"') < 0)
		return -1;
	while (j->p < j->end && *j->p != '"') {
		char tmp[4];
		size_t k = 1;
		unsigned u;

		tmp[0] = *j->p++;
		if (tmp[0] == '\\') {
			if (j->p >= j->end)
				return -1;
			switch (*j->p++) {
			case '"': tmp[0] = '"'; break;
			case '\\': tmp[0] = '\\'; break;
			case '/': tmp[0] = '/'; break;
			case 'u':
				if (j->end - j->p < 4 || hex4(j->p, &u) < 0)
					return -1;
				j->p += 4;
				if (u < 0x20)
					tmp[0] = '?';
				else if (u < 0x80)
					tmp[0] = (char)u;
				else if (u < 0x800) {
					tmp[0] = (char)(0xc0 | (u >> 6));
					tmp[1] = (char)(0x80 | (u & 0x3f));
					k = 2;
				} else {
					tmp[0] = (char)(0xe0 | (u >> 12));
					tmp[1] = (char)(0x80 | ((u >> 6) & 0x3f));
					tmp[2] = (char)(0x80 | (u & 0x3f));
					k = 3;
				}
				break;
			case 'b': case 'f': case 'n': case 'r': case 't': tmp[0] = '?'; break;
			default: return -1;
			}
		} else if ((unsigned char)tmp[0] < 0x20) {
			tmp[0] = '?';
		}
		if (o + k < cap) {
			memcpy(buf + o, tmp, k);
			o += k;
		}
	}
	if (j->p >= j->end)
		return -1;
	j->p++;
	if (cap)
		buf[o] = '\0';
	return 0;
}

static int jnum(struct jp *j, int64_t *v)
{
	char buf[24];
	size_t n = 0;

	peek(j);
	while (j->p < j->end && *j->p && strchr("-+0123456789.eE", *j->p)) {
		if (n + 1 >= sizeof(buf))
			return -1;
		buf[n++] = *j->p++;
	}
	buf[n] = '\0';
	if (!n)
		return -1;
	*v = strtoll(buf, NULL, 10);
	return 0;
}

static int jskip(struct jp *j, int depth)
{
	int c = peek(j), first = 1;
	int64_t v;

	if (depth > MAX_DEPTH)
		return -1;
	if (c == '"')
		return jstr(j, NULL, 0);
	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		j->p++;
		while (peek(j) != close) {
			if ((!first && eat(j, ',') < 0) ||
			    (c == '{' && (jstr(j, NULL, 0) < 0 || eat(j, ':') < 0)) ||
			    jskip(j, depth + 1) < 0)
				return -1;
			first = 0;
		}
		j->p++;
		return 0;
	}
	for (const char *const *w = (const char *const[]){"null", "true", "false", NULL}; *w; w++)
		if ((size_t)(j->end - j->p) >= strlen(*w) && !memcmp(j->p, *w, strlen(*w))) {
			j->p += strlen(*w);
			return 0;
		}
	return jnum(j, &v);
}

/* The next key of an object (1), or its end (0); -1 when malformed. */
static int jkey(struct jp *j, int *first, char *key, size_t cap)
{
	if (peek(j) == '}') {
		j->p++;
		return 0;
	}
	if ((!*first && eat(j, ',') < 0) || jstr(j, key, cap) < 0 || eat(j, ':') < 0)
		return -1;
	*first = 0;
	return 1;
}

/* The next element of an array (1), or its end (0). */
static int jelem(struct jp *j, int *first)
{
	if (peek(j) == ']') {
		j->p++;
		return 0;
	}
	if (!*first && eat(j, ',') < 0)
		return -1;
	*first = 0;
	return 1;
}

/* A string value, or anything else (null) as "". */
static int jstr_or(struct jp *j, char *buf, size_t cap)
{
	if (peek(j) == '"')
		return jstr(j, buf, cap);
	buf[0] = '\0';
	return jskip(j, 0);
}

struct step {
	int64_t t, dur;
	size_t server, seq;
	char stage[32], text[512];
};

struct client {
	char id[64], addr[64], state[32], stage[32], entry[64], cause[256];
	int64_t earlier;
};

struct steps {
	struct step *v;
	size_t n, cap;
};

static int parse_client(struct jp *j, struct client *c)
{
	char key[32];
	int first = 1, k;

	if (eat(j, '{') < 0)
		return -1;
	while ((k = jkey(j, &first, key, sizeof(key))) == 1) {
		char *dst = !strcmp(key, "id") ? c->id : !strcmp(key, "addr") ? c->addr
			  : !strcmp(key, "state") ? c->state : !strcmp(key, "stage") ? c->stage
			  : !strcmp(key, "entry") ? c->entry : !strcmp(key, "cause") ? c->cause : NULL;
		size_t cap = !dst ? 0 : dst == c->cause ? sizeof(c->cause) : dst == c->entry ||
			     dst == c->id || dst == c->addr ? 64 : 32;

		if ((dst ? jstr_or(j, dst, cap) : jskip(j, 0)) < 0)
			return -1;
	}
	return k;
}

static int parse_step(struct jp *j, struct step *s)
{
	char key[32];
	int first = 1, k;

	s->dur = -1;
	if (eat(j, '{') < 0)
		return -1;
	while ((k = jkey(j, &first, key, sizeof(key))) == 1) {
		int r = !strcmp(key, "t_ms") ? jnum(j, &s->t)
		      : !strcmp(key, "duration_ms") ? jnum(j, &s->dur)
		      : !strcmp(key, "stage") ? jstr_or(j, s->stage, sizeof(s->stage))
		      : !strcmp(key, "text") ? jstr_or(j, s->text, sizeof(s->text)) : jskip(j, 0);
		if (r < 0)
			return -1;
	}
	return k;
}

/* One server's timeline: its client into *c, its steps appended to *st. */
static int parse_timeline(const struct pxbctl_answer *a, size_t server, struct client *c,
			  struct steps *st)
{
	struct jp j = {a->body, a->body + a->len};
	char key[32];
	int first = 1, k;

	if (eat(&j, '{') < 0)
		return PXB_ERR_INVAL;
	while ((k = jkey(&j, &first, key, sizeof(key))) == 1) {
		if (!strcmp(key, "client")) {
			if (parse_client(&j, c) < 0)
				return PXB_ERR_INVAL;
		} else if (!strcmp(key, "earlier")) {
			if (jnum(&j, &c->earlier) < 0)
				return PXB_ERR_INVAL;
		} else if (!strcmp(key, "steps")) {
			int f = 1, e;

			if (eat(&j, '[') < 0)
				return PXB_ERR_INVAL;
			while ((e = jelem(&j, &f)) == 1) {
				if (st->n == st->cap) {
					struct step *m;
					if (st->cap >= MAX_STEPS)
						return PXB_ERR_TOOBIG;
					m = realloc(st->v, (st->cap = st->cap ? st->cap * 2 : 64) *
							   sizeof(*m));
					if (!m)
						return PXB_ERR_NOMEM;
					st->v = m;
				}
				memset(&st->v[st->n], 0, sizeof(st->v[0]));
				if (parse_step(&j, &st->v[st->n]) < 0)
					return PXB_ERR_INVAL;
				st->v[st->n].server = server;
				st->v[st->n].seq = st->n;
				st->n++;
			}
			if (e < 0)
				return PXB_ERR_INVAL;
		} else if (jskip(&j, 0) < 0) {
			return PXB_ERR_INVAL;
		}
	}
	return k < 0 || !c->id[0] ? PXB_ERR_INVAL : 0;
}

static int by_time(const void *x, const void *y)
{
	const struct step *a = x, *b = y;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

static void secs(char *buf, size_t len, int64_t ms)
{
	snprintf(buf, len, "%" PRId64 ".%03d s", ms / 1000, (int)(ms % 1000));
}

int pxbctl_merge_timeline(const struct pxbctl_answer *a, size_t n, FILE *out)
{
	struct client c[PXBCTL_MAX_SERVERS];
	struct steps st = {0};
	int rc = 0, width = 6, first = -1;

	if (n > PXBCTL_MAX_SERVERS)
		return PXB_ERR_INVAL;
	memset(c, 0, sizeof(c));
	for (size_t s = 0; s < n && rc >= 0; s++) {
		if (a[s].body && (rc = parse_timeline(&a[s], s, &c[s], &st)) >= 0 && first < 0)
			first = (int)s;
		if ((int)strlen(a[s].server) > width)
			width = (int)strlen(a[s].server);
	}
	if (rc < 0 || first < 0) {
		free(st.v);
		return rc < 0 ? rc : PXB_ERR_INVAL;
	}
	if (st.n)
		qsort(st.v, st.n, sizeof(*st.v), by_time);
	fprintf(out, "client %s", c[first].id);
	if (c[first].addr[0])
		fprintf(out, " (%s)", c[first].addr);
	fputc('\n', out);
	for (size_t s = 0; s < n; s++)
		if (a[s].body && c[s].earlier > 0)
			fprintf(out, "(%" PRId64 " earlier event%s on %s not shown)\n", c[s].earlier,
				c[s].earlier == 1 ? "" : "s", a[s].server);
	for (size_t i = 0; i < st.n; i++) {
		const struct step *p = &st.v[i];
		char off[32], dur[32] = "";

		secs(off, sizeof(off), p->t - st.v[0].t);
		if (p->dur >= 0)
			secs(dur, sizeof(dur), p->dur);
		fprintf(out, "+%-10s %-*s %-11s %s%s%s%s\n", off, width, a[p->server].server,
			p->stage, p->text, dur[0] ? " [" : "", dur, dur[0] ? "]" : "");
	}
	for (size_t s = 0; s < n; s++) {
		if (!a[s].body) {
			fprintf(out, "%s: no timeline of this client\n", a[s].server);
			continue;
		}
		fprintf(out, "%s: state %s", a[s].server, c[s].state[0] ? c[s].state : "-");
		if (c[s].stage[0])
			fprintf(out, ", reached %s", c[s].stage);
		if (c[s].entry[0])
			fprintf(out, ", entry %s", c[s].entry);
		if (c[s].cause[0])
			fprintf(out, ": %s", c[s].cause);
		fputc('\n', out);
	}
	free(st.v);
	return (int)st.n;
}
