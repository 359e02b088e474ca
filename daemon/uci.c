/*
 * uci.c - OpenWrt's UCI configuration syntax, read as libuci reads it (see
 * uci.h): statements of up to three words, words quoted or not, comments,
 * sections merged when a name comes again with the same type. Every limit
 * is checked before memory is taken; the first error stops the reading and
 * names file:line.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pxeboot/common.h>
#include "uci.h"

struct lexer {
	const char *p, *end, *path;
	unsigned line;
	char *err;
	size_t errlen;
	int rc;
};

__attribute__((format(printf, 4, 5)))
static int fail(struct lexer *x, int rc, unsigned line, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (x->rc)
		return x->rc;
	n = (size_t)snprintf(x->err, x->errlen, "%s:%u: ", x->path, line);
	if (n < x->errlen) {
		va_start(ap, fmt);
		vsnprintf(x->err + n, x->errlen - n, fmt, ap);
		va_end(ap);
	}
	x->rc = rc;
	return rc;
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Appends c to the word in buf (PXB_UCI_MAX_WORD + 1 bytes). */
static int put(struct lexer *x, char *buf, size_t *n, char c, unsigned line)
{
	if (c == '\0')
		return fail(x, PXB_ERR_CONFIG, x->line, "a NUL byte");
	if (*n >= PXB_UCI_MAX_WORD)
		return fail(x, PXB_ERR_TOOBIG, line, "a word longer than %d bytes", PXB_UCI_MAX_WORD);
	buf[(*n)++] = c;
	return 0;
}

/*
 * One word at x->p into buf; returns 1 with a word, 0 at the end of the
 * statement (new line, ";", "#", end of text), or a negative error.
 */
static int word(struct lexer *x, char *buf, size_t *n)
{
	unsigned start;
	int any = 0;

	while (x->p < x->end && blank(*x->p))
		x->p++;
	if (x->p >= x->end || *x->p == '\n' || *x->p == ';' || *x->p == '#')
		return 0;
	start = x->line;
	*n = 0;
	while (x->p < x->end) {
		char c = *x->p;

		if (blank(c) || c == '\n' || c == ';' || c == '#')
			break;
		x->p++;
		any = 1;
		if (c == '\'') {
			unsigned q = x->line;
			for (;;) {
				if (x->p >= x->end)
					return fail(x, PXB_ERR_CONFIG, q, "unterminated '");
				c = *x->p++;
				if (c == '\'')
					break;
				if (c == '\n')
					x->line++;
				if (put(x, buf, n, c, start) < 0)
					return x->rc;
			}
		} else if (c == '"') {
			unsigned q = x->line;
			for (;;) {
				if (x->p >= x->end)
					return fail(x, PXB_ERR_CONFIG, q, "unterminated \"");
				c = *x->p++;
				if (c == '"')
					break;
				if (c == '\\') {
					if (x->p >= x->end)
						return fail(x, PXB_ERR_CONFIG, q, "unterminated \"");
					c = *x->p++;
					if (c == '\n') { /* a continued line */
						x->line++;
						continue;
					}
				} else if (c == '\n') {
					x->line++;
				}
				if (put(x, buf, n, c, start) < 0)
					return x->rc;
			}
		} else if (c == '\\') {
			if (x->p >= x->end)
				break;
			c = *x->p++;
			if (c == '\n') {
				x->line++;
				continue;
			}
			if (put(x, buf, n, c, start) < 0)
				return x->rc;
		} else if (put(x, buf, n, c, start) < 0) {
			return x->rc;
		}
	}
	buf[*n] = '\0';
	return any;
}

/* Names: letters, digits and "_" (and "-" in a type), as uci_validate_name. */
static int valid_name(const char *s, int type)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && !(type && *s == '-'))
			return 0;
	return 1;
}

static char *sdup(struct lexer *x, const char *s)
{
	char *d = strdup(s);

	if (!d)
		fail(x, PXB_ERR_NOMEM, x->line, "out of memory");
	return d;
}

static int add_section(struct lexer *x, struct pxb_uci *u, const char *type, const char *name,
		       unsigned line, struct pxb_uci_section **cur)
{
	struct pxb_uci_section *s, *ns;
	unsigned index = 0;

	for (unsigned i = 0; name && i < u->nsec; i++) {
		s = &u->sec[i];
		if (s->name && strcmp(s->name, name) == 0) {
			if (strcmp(s->type, type) != 0)
				return fail(x, PXB_ERR_CONFIG, line,
					    "section '%s' again, of type %s (first of type %s, line %u)",
					    name, type, s->type, s->line);
			*cur = s; /* merged, as libuci does */
			return 0;
		}
	}
	if (u->nsec >= PXB_UCI_MAX_SECTIONS)
		return fail(x, PXB_ERR_TOOBIG, line, "more than %d sections", PXB_UCI_MAX_SECTIONS);
	for (unsigned i = 0; i < u->nsec; i++)
		index += strcmp(u->sec[i].type, type) == 0;
	ns = realloc(u->sec, (u->nsec + 1) * sizeof(*ns));
	if (!ns)
		return fail(x, PXB_ERR_NOMEM, line, "out of memory");
	u->sec = ns;
	s = &u->sec[u->nsec];
	memset(s, 0, sizeof(*s));
	s->line = line;
	s->index = index;
	s->type = sdup(x, type);
	s->name = name ? sdup(x, name) : NULL;
	u->nsec++;
	if (!s->type || (name && !s->name))
		return x->rc;
	*cur = s;
	return 0;
}

static void free_values(struct pxb_uci_option *o)
{
	for (unsigned i = 0; i < o->nval; i++)
		free(o->val[i]);
	free(o->val);
	o->val = NULL;
	o->nval = 0;
}

static int add_value(struct lexer *x, struct pxb_uci_section *s, const char *name,
		     const char *value, int list, unsigned line)
{
	struct pxb_uci_option *o = NULL;
	char **nv;

	for (unsigned i = 0; i < s->nopt; i++)
		if (strcmp(s->opt[i].name, name) == 0)
			o = &s->opt[i];
	if (!o) {
		struct pxb_uci_option *no;

		if (s->nopt >= PXB_UCI_MAX_OPTIONS)
			return fail(x, PXB_ERR_TOOBIG, line, "more than %d options in a section",
				    PXB_UCI_MAX_OPTIONS);
		no = realloc(s->opt, (s->nopt + 1) * sizeof(*no));
		if (!no)
			return fail(x, PXB_ERR_NOMEM, line, "out of memory");
		s->opt = no;
		o = &s->opt[s->nopt++];
		memset(o, 0, sizeof(*o));
		if (!(o->name = sdup(x, name)))
			return x->rc;
	}
	if (!list)
		free_values(o); /* an option replaces what came before */
	if (o->nval >= PXB_UCI_MAX_VALUES)
		return fail(x, PXB_ERR_TOOBIG, line, "more than %d values in list %s",
			    PXB_UCI_MAX_VALUES, name);
	nv = realloc(o->val, (o->nval + 1) * sizeof(*nv));
	if (!nv)
		return fail(x, PXB_ERR_NOMEM, line, "out of memory");
	o->val = nv;
	if (!(o->val[o->nval] = sdup(x, value)))
		return x->rc;
	o->nval++;
	o->list = list || (o->list && o->nval > 1); /* list after option: a list of both */
	o->line = line;
	return 0;
}

static int statement(struct lexer *x, struct pxb_uci *u, struct pxb_uci_section **cur,
		     char w[3][PXB_UCI_MAX_WORD + 1])
{
	size_t n;
	unsigned line;
	int nw = 0, r;

	while (x->p < x->end && (blank(*x->p) || *x->p == '\n' || *x->p == ';'))
		if (*x->p++ == '\n')
			x->line++;
	if (x->p >= x->end)
		return 0;
	line = x->line;
	for (;;) {
		r = word(x, nw < 3 ? w[nw] : w[2], &n);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		if (++nw > 3)
			return fail(x, PXB_ERR_CONFIG, line, "too many words in a statement");
	}
	if (x->p < x->end && *x->p == '#')
		while (x->p < x->end && *x->p != '\n')
			x->p++;
	if (nw == 0)
		return 1;
	if (strcmp(w[0], "package") == 0) {
		if (nw != 2 || !valid_name(w[1], 1))
			return fail(x, PXB_ERR_CONFIG, line, "package takes one name");
		return 1;
	}
	if (strcmp(w[0], "config") == 0) {
		if (nw < 2 || !valid_name(w[1], 1))
			return fail(x, PXB_ERR_CONFIG, line, "config needs a type (letters, digits, _ -)");
		if (nw == 3 && w[2][0] && !valid_name(w[2], 0))
			return fail(x, PXB_ERR_CONFIG, line,
				    "section name '%.64s': letters, digits and _ only", w[2]);
		r = add_section(x, u, w[1], nw == 3 && w[2][0] ? w[2] : NULL, line, cur);
		return r < 0 ? r : 1;
	}
	if (strcmp(w[0], "option") == 0 || strcmp(w[0], "list") == 0) {
		if (!*cur)
			return fail(x, PXB_ERR_CONFIG, line, "%s before any config section", w[0]);
		if (nw != 3)
			return fail(x, PXB_ERR_CONFIG, line, "%s takes a name and a value", w[0]);
		if (!valid_name(w[1], 0))
			return fail(x, PXB_ERR_CONFIG, line,
				    "option name '%.64s': letters, digits and _ only", w[1]);
		r = add_value(x, *cur, w[1], w[2], w[0][0] == 'l', line);
		return r < 0 ? r : 1;
	}
	return fail(x, PXB_ERR_CONFIG, line, "'%.32s': not package, config, option or list", w[0]);
}

int pxb_uci_parse(const char *path, const char *text, size_t len, struct pxb_uci **out, char *err,
		  size_t errlen)
{
	struct lexer x = {.p = text, .end = text + len, .path = path, .line = 1, .err = err,
			  .errlen = errlen};
	struct pxb_uci_section *cur = NULL;
	struct pxb_uci *u;
	char (*w)[PXB_UCI_MAX_WORD + 1];
	int r;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (len > PXB_UCI_MAX_BYTES)
		return fail(&x, PXB_ERR_TOOBIG, 1, "larger than %u bytes", PXB_UCI_MAX_BYTES);
	u = calloc(1, sizeof(*u));
	w = malloc(3 * sizeof(*w));
	if (!u || !w || !(u->path = strdup(path))) {
		free(w);
		pxb_uci_free(u);
		return fail(&x, PXB_ERR_NOMEM, 1, "out of memory");
	}
	while ((r = statement(&x, u, &cur, w)) > 0)
		;
	free(w);
	if (r < 0) {
		pxb_uci_free(u);
		return r;
	}
	*out = u;
	return 0;
}

int pxb_uci_load(const char *path, struct pxb_uci **out, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t r;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return PXB_ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return PXB_ERR_IO;
	}
	if (st.st_size > (off_t)PXB_UCI_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %u bytes", path, PXB_UCI_MAX_BYTES);
		close(fd);
		return PXB_ERR_TOOBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return PXB_ERR_NOMEM;
	}
	while (len <= (size_t)st.st_size && (r = read(fd, buf + len, (size_t)st.st_size + 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return PXB_ERR_IO;
		}
		len += (size_t)r;
	}
	close(fd);
	rc = pxb_uci_parse(path, buf, len, out, err, errlen);
	free(buf);
	return rc;
}

void pxb_uci_free(struct pxb_uci *u)
{
	if (!u)
		return;
	for (unsigned i = 0; i < u->nsec; i++) {
		struct pxb_uci_section *s = &u->sec[i];
		for (unsigned j = 0; j < s->nopt; j++) {
			free_values(&s->opt[j]);
			free(s->opt[j].name);
		}
		free(s->opt);
		free(s->type);
		free(s->name);
	}
	free(u->sec);
	free(u->path);
	free(u);
}

const struct pxb_uci_option *pxb_uci_opt(const struct pxb_uci_section *s, const char *name)
{
	for (unsigned i = 0; s && i < s->nopt; i++)
		if (strcmp(s->opt[i].name, name) == 0)
			return &s->opt[i];
	return NULL;
}

const char *pxb_uci_get(const struct pxb_uci_section *s, const char *name)
{
	const struct pxb_uci_option *o = pxb_uci_opt(s, name);

	return o && o->nval ? o->val[o->nval - 1] : NULL;
}

int pxb_uci_bool(const char *v)
{
	static const char *const yes[] = {"1", "yes", "on", "true", "enabled"};
	static const char *const no[] = {"0", "no", "off", "false", "disabled"};

	for (size_t i = 0; v && i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(v, yes[i]) == 0)
			return 1;
		if (strcmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

const char *pxb_uci_section_id(const struct pxb_uci_section *s, char *buf, size_t len)
{
	if (s->name)
		snprintf(buf, len, "'%s'", s->name);
	else
		snprintf(buf, len, "@%s[%u]", s->type, s->index);
	return buf;
}
