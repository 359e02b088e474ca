/*
 * import_dnsmasq.c - reading dnsmasq configuration files for "pxebootctl
 * import dnsmasq": files into bounded lines, lines into option and value
 * (dnsmasq's own rules: '#' starts a comment at the start of a line or
 * after a blank, "..." hides commas and '#'), conf-file= and conf-dir=
 * followed with a depth limit, and the helpers the option handlers share.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "import_dnsmasq.h"

__attribute__((format(printf, 2, 0)))
static void vreport(struct impd *d, const char *fmt, va_list ap)
{
	if (d->file)
		fprintf(d->err, "%s:%u: %s: ", d->file, d->line, d->opt ? d->opt : "-");
	vfprintf(d->err, fmt, ap);
	fputc('\n', d->err);
}

void impd_warn(struct impd *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(d, fmt, ap);
	va_end(ap);
	d->incomplete = 1;
}

void impd_fail(struct impd *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(d, fmt, ap);
	va_end(ap);
	d->failed = 1;
}

void *impd_grow(struct impd *d, void *arr, size_t *n, size_t size)
{
	char *p;

	if (*n >= IMPD_MAX_ITEMS) {
		impd_fail(d, "more than %d items of one kind", IMPD_MAX_ITEMS);
		return NULL;
	}
	p = realloc(arr, (*n + 1) * size);
	if (!p) {
		impd_fail(d, "out of memory");
		return NULL;
	}
	memset(p + *n * size, 0, size);
	(*n)++;
	return p;
}

int impd_push(struct impd *d, struct impd_list *l, char *s)
{
	size_t n = l->n;
	char **v;

	if (!s)
		return -1;
	v = impd_grow(d, l->v, &n, sizeof(*v));
	if (!v) {
		free(s);
		return -1;
	}
	v[l->n] = s;
	l->v = v;
	l->n = n;
	return 0;
}

char *impd_strdup(struct impd *d, const char *s)
{
	char *c = strdup(s ? s : "");

	if (!c)
		impd_fail(d, "out of memory");
	return c;
}

char *impd_printf(struct impd *d, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		s = NULL;
		impd_fail(d, "out of memory");
	}
	va_end(ap);
	return s;
}

int impd_split(char *s, char **argv, int max)
{
	int n = 0, q = 0;
	char *w = s, *start = s;

	/* In place: quotes are dropped, commas inside them kept. */
	for (char *r = s;; r++) {
		if (*r == '"') {
			q = !q;
			continue;
		}
		if (*r == '\0' || (*r == ',' && !q)) {
			char *b = start, *e = w;
			int end = *r == '\0';

			*w = '\0';
			while (*b == ' ' || *b == '\t')
				b++;
			while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
			if (n == max)
				return -1;
			argv[n++] = b;
			if (end)
				break;
			start = ++w;
			continue;
		}
		*w++ = *r;
	}
	return q ? -1 : n;
}

static void free_list(struct impd_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

void impd_free(struct impd *d)
{
	free_list(&d->interfaces);
	free_list(&d->subnets);
	free_list(&d->hosts);
	free_list(&d->conds);
	free_list(&d->tag_ifs);
	free_list(&d->menu_warns);
	free_list(&d->dns);
	for (size_t i = 0; i < d->nboot; i++) {
		free(d->boot[i].tags);
		free(d->boot[i].file);
		free(d->boot[i].sname);
		free(d->boot[i].server);
		free(d->boot[i].menu);
	}
	free(d->boot);
	for (size_t i = 0; i < d->nopts; i++) {
		free(d->opts[i].tags);
		free(d->opts[i].value);
	}
	free(d->opts);
	for (size_t i = 0; i < d->nvendors; i++) {
		free(d->vendors[i].vendor);
		free(d->vendors[i].tags);
	}
	free(d->vendors);
	free(d->router);
	free(d->domain);
	free(d->tftp_root);
	for (size_t i = 0; i < d->nfiles; i++)
		free(d->files[i]);
}

static void parse_buf(struct impd *d, const char *name, const char *buf, size_t len);

/* Reads one file whole (bounded) and parses it. */
static void read_file(struct impd *d, const char *path)
{
	const char *file = d->file;
	unsigned line = d->line;
	FILE *f;
	char *buf;
	size_t n;

	if (d->depth >= IMPD_MAX_DEPTH) {
		impd_fail(d, "%s: included more than %d deep", path, IMPD_MAX_DEPTH);
		return;
	}
	if (d->nfiles >= IMPD_MAX_FILES) {
		impd_fail(d, "%s: more than %d files", path, IMPD_MAX_FILES);
		return;
	}
	f = fopen(path, "r");
	if (!f) {
		impd_fail(d, "%s: %s", path, strerror(errno));
		return;
	}
	buf = malloc(IMPD_MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		impd_fail(d, "out of memory");
		return;
	}
	n = fread(buf, 1, IMPD_MAX_FILE + 1, f);
	if (ferror(f))
		impd_fail(d, "%s: read error", path);
	else if (n > IMPD_MAX_FILE)
		impd_fail(d, "%s: larger than %u bytes", path, IMPD_MAX_FILE);
	fclose(f);
	if (!d->failed) {
		d->depth++;
		parse_buf(d, path, buf, n);
		d->depth--;
	}
	free(buf);
	d->file = file;
	d->line = line;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* conf-dir=DIR[,.ext,...|,*.ext,...]: dnsmasq's filters and order (sorted names). */
static void read_dir(struct impd *d, char *value)
{
	char *argv[IMPD_MAX_ARGS], *names[IMPD_MAX_FILES];
	size_t nn = 0;
	int argc = impd_split(value, argv, IMPD_MAX_ARGS), want = 0;
	struct dirent *e;
	DIR *dir;

	if (argc < 1 || !*argv[0]) {
		impd_warn(d, "no directory");
		return;
	}
	for (int i = 1; i < argc; i++)
		want |= argv[i][0] == '*';
	dir = opendir(argv[0]);
	if (!dir) {
		impd_fail(d, "%s: %s", argv[0], strerror(errno));
		return;
	}
	while ((e = readdir(dir)) && !d->failed) {
		const char *s = e->d_name;
		size_t l = strlen(s);
		int keep = !want;

		if (l == 0 || s[0] == '.' || s[l - 1] == '~' || (s[0] == '#' && s[l - 1] == '#'))
			continue;
		for (int i = 1; i < argc; i++) {
			if (argv[i][0] == '*' && ends_with(s, argv[i] + 1))
				keep = 1;
			else if (argv[i][0] != '*' && ends_with(s, argv[i]))
				keep = 0;
		}
		if (!keep)
			continue;
		if (nn >= IMPD_MAX_FILES) {
			impd_fail(d, "%s: more than %d files", argv[0], IMPD_MAX_FILES);
			break;
		}
		names[nn] = impd_printf(d, "%s/%s", argv[0], s);
		if (names[nn])
			nn++;
	}
	closedir(dir);
	if (nn)
		qsort(names, nn, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < nn; i++) {
		struct stat st;

		if (!d->failed && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			read_file(d, names[i]);
		free(names[i]);
	}
}

/* One logical line: comments stripped, then "name[=value]". */
static void parse_line(struct impd *d, char *s)
{
	char *name, *value = NULL, *w;
	int q = 0;

	for (w = s; *w; w++) {
		if (*w == '"')
			q = !q;
		else if (*w == '#' && !q && (w == s || w[-1] == ' ' || w[-1] == '\t')) {
			*w = '\0';
			break;
		}
	}
	while (*s == ' ' || *s == '\t')
		s++;
	for (w = s + strlen(s); w > s && (w[-1] == ' ' || w[-1] == '\t' || w[-1] == '\r'); )
		*--w = '\0';
	if (!*s)
		return;
	name = s;
	w = strchr(s, '=');
	if (w) {
		*w = '\0';
		value = w + 1;
		while (*value == ' ' || *value == '\t')
			value++;
	}
	for (w = name + strlen(name); w > name && (w[-1] == ' ' || w[-1] == '\t'); )
		*--w = '\0';
	if (strncmp(name, "--", 2) == 0)
		name += 2;
	d->opt = name;
	if (strcmp(name, "conf-file") == 0 || strcmp(name, "conf-dir") == 0) {
		if (!d->allow_include)
			impd_warn(d, "not followed here");
		else if (!value || !*value)
			impd_warn(d, "no file named");
		else if (name[5] == 'f')
			read_file(d, value);
		else
			read_dir(d, value);
	} else {
		impd_option(d, name, value);
	}
	d->opt = NULL;
}

static void parse_buf(struct impd *d, const char *name, const char *buf, size_t len)
{
	char line[IMPD_MAX_LINE + 1];
	size_t i = 0;

	d->files[d->nfiles] = impd_strdup(d, name);
	if (!d->files[d->nfiles])
		return;
	d->file = d->files[d->nfiles++];
	d->line = 0;
	while (i < len && !d->failed) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (buf + i)) : len - i;

		d->line++;
		if (l > IMPD_MAX_LINE) {
			d->opt = NULL;
			impd_warn(d, "line longer than %d bytes, ignored", IMPD_MAX_LINE);
		} else if (memchr(buf + i, '\0', l)) {
			d->opt = NULL;
			impd_warn(d, "NUL byte in line, ignored");
		} else {
			memcpy(line, buf + i, l);
			line[l] = '\0';
			parse_line(d, line);
		}
		i += l + 1;
	}
}

static int finish(struct impd *d, FILE *out)
{
	int rc;

	d->file = NULL;
	if (d->failed) {
		rc = IMPD_FAILED;
	} else {
		impd_emit(d, out);
		rc = d->incomplete ? IMPD_INCOMPLETE : IMPD_COMPLETE;
	}
	impd_free(d);
	return rc;
}

int impd_import_files(const char *const *files, size_t n, FILE *out, FILE *err)
{
	struct impd d = {.err = err, .allow_include = 1};

	for (size_t i = 0; i < n && !d.failed; i++)
		read_file(&d, files[i]);
	return finish(&d, out);
}

int impd_import_buf(const char *name, const char *buf, size_t len, int include, FILE *out,
		    FILE *err)
{
	struct impd d = {.err = err, .allow_include = include};

	if (len > IMPD_MAX_FILE) {
		fprintf(err, "%s: larger than %u bytes\n", name, IMPD_MAX_FILE);
		return IMPD_FAILED;
	}
	parse_buf(&d, name, buf, len);
	return finish(&d, out);
}
