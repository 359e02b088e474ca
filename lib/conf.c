/*
 * conf.c - loading, validating and reading the configuration (settings from
 * text, the command line's and the defaults', are conf_text.c).
 *
 * libconfig parses the syntax and remembers the line of every setting; this
 * file holds the one place where settings are checked against the schema.
 * A node handed out (pxb_conf_node) is a libconfig setting; the pxb_conf it
 * belongs to is found from the config_t it points to, which is the first
 * member of struct pxb_conf.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libconfig.h>

#include <pxeboot/conf.h>
#include "internal.h"
#include "conf_schema.h"
#include "conf_internal.h"

/* Room for the tables features register (pxb__conf_register_schema). */
#define PXB_CONF_FEATURES 8

/* Written only by the library's constructors, before anything reads them. */
static struct pxb__schema_table features[PXB_CONF_FEATURES];
static unsigned nfeatures, features_lost;

#define NODE(s) ((const pxb_conf_node *)(s))
#define SET(n) ((config_setting_t *)(n))

/* The configuration of a node: the defaults tree's root names it (pxb_conf_new). */
static struct pxb_conf *conf_of(const pxb_conf_node *n)
{
	config_t *cfg = SET(n)->config;
	void *owner = config_setting_get_hook(config_root_setting(cfg));

	return owner ? owner : (struct pxb_conf *)(void *)cfg;
}

void pxb__conf_reportf(pxb_conf_report_fn report, void *arg, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (report)
		report(arg, line);
}

void pxb__conf_problem(const struct pxb_conf *c, const pxb_conf_node *n, const char *dflt,
		       pxb_conf_report_fn report, void *arg, int *errors, const char *fmt, ...)
{
	char path[256], msg[512], line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s", dflt);
	if (n)
		pxb_conf_path(n, path, sizeof(path));
	if (n && pxb_conf_line(n) > 0)
		snprintf(line, sizeof(line), "%s:%d: %s: %s", pxb_conf_source(c), pxb_conf_line(n),
			 path, msg);
	else
		snprintf(line, sizeof(line), "%s: %s: %s", pxb_conf_source(c), path, msg);
	if (report)
		report(arg, line);
	(*errors)++;
}

void pxb_conf_problem(pxb_conf_report_fn report, void *arg, const pxb_conf_node *node,
		      const char *path, const char *fmt, ...)
{
	const pxb_conf_node *set = node && path && *path ? pxb_conf_get(node, path) : node;
	char where[256], msg[512], line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (set)
		pxb_conf_path(set, where, sizeof(where));
	else if (node)
		snprintf(where + strlen(pxb_conf_path(node, where, sizeof(where))),
			 sizeof(where) - strlen(where), "%s%s", where[0] ? "." : "", path);
	else
		snprintf(where, sizeof(where), "%s", path ? path : "");
	if (!node)
		snprintf(line, sizeof(line), "%s: %s", where, msg);
	else if (set && pxb_conf_line(set) > 0)
		snprintf(line, sizeof(line), "%s:%d: %s: %s", pxb_conf_source(conf_of(node)),
			 pxb_conf_line(set), where, msg);
	else
		snprintf(line, sizeof(line), "%s: %s: %s", pxb_conf_source(conf_of(node)), where,
			 msg);
	if (report)
		report(arg, line);
}

void pxb__conf_register_schema(const char *prefix, const struct pxb_conf_setting *table)
{
	if (nfeatures == PXB_CONF_FEATURES) {
		features_lost = 1;
		return;
	}
	features[nfeatures].prefix = prefix;
	features[nfeatures].table = table;
	nfeatures++;
}

/* The core's tables, then the features'. 0 or PXB_ERR_NOMEM. */
static int add_known_schema(pxb_conf *c)
{
	if (features_lost)
		return PXB_ERR_NOMEM;
	for (const struct pxb__schema_table *t = pxb__core_schema; t->table; t++)
		if (pxb_conf_add_schema(c, t->prefix, t->table) < 0)
			return PXB_ERR_NOMEM;
	for (unsigned i = 0; i < nfeatures; i++)
		if (pxb_conf_add_schema(c, features[i].prefix, features[i].table) < 0)
			return PXB_ERR_NOMEM;
	return 0;
}

pxb_conf *pxb_conf_new(void)
{
	struct pxb_conf *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	config_init(&c->cfg);
	config_init(&c->defaults);
	config_setting_set_hook(config_root_setting(&c->defaults), c);
	c->source = strdup("<built-in>");
	if (!c->source || add_known_schema(c) < 0) {
		pxb_conf_free(c);
		return NULL;
	}
	return c;
}

void pxb_conf_free(pxb_conf *c)
{
	if (!c)
		return;
	config_destroy(&c->cfg);
	config_destroy(&c->defaults);
	free(c->source);
	free(c->tables);
	free(c);
}

int pxb_conf_add_schema(pxb_conf *c, const char *prefix, const struct pxb_conf_setting *table)
{
	struct pxb__schema_table *t = realloc(c->tables, (c->ntables + 1) * sizeof(*t));

	if (!t)
		return PXB_ERR_NOMEM;
	c->tables = t;
	t[c->ntables].prefix = prefix ? prefix : "";
	t[c->ntables].table = table;
	c->ntables++;
	return 0;
}

void pxb_conf_each_schema(const pxb_conf *c, pxb_conf_schema_fn fn, void *arg)
{
	for (unsigned i = 0; i < c->ntables; i++)
		for (const struct pxb_conf_setting *s = c->tables[i].table; s->path; s++)
			fn(arg, c->tables[i].prefix, s);
}

const char *pxb_conf_source(const pxb_conf *c)
{
	return c->source;
}

const pxb_conf_node *pxb_conf_root(const pxb_conf *c)
{
	return NODE(config_root_setting(&c->cfg));
}

static int set_source(struct pxb_conf *c, const char *name)
{
	char *s = strdup(name);

	if (!s)
		return PXB_ERR_NOMEM;
	free(c->source);
	c->source = s;
	return 0;
}

static int after_read(struct pxb_conf *c, int ok, pxb_conf_report_fn report, void *arg)
{
	if (ok == CONFIG_TRUE)
		return 0;
	if (config_error_type(&c->cfg) == CONFIG_ERR_FILE_IO) {
		pxb__conf_reportf(report, arg, "%s: cannot read: %s", c->source, strerror(errno));
		return PXB_ERR_IO;
	}
	pxb__conf_reportf(report, arg, "%s:%d: syntax error: %s",
		config_error_file(&c->cfg) ? config_error_file(&c->cfg) : c->source,
		config_error_line(&c->cfg), config_error_text(&c->cfg));
	return PXB_ERR_CONFIG;
}

int pxb_conf_load_file(pxb_conf *c, const char *path, pxb_conf_report_fn report, void *arg)
{
	FILE *f;
	int ok;

	if (set_source(c, path) < 0)
		return PXB_ERR_NOMEM;
	f = fopen(path, "r");
	if (!f) {
		pxb__conf_reportf(report, arg, "%s: cannot open: %s", path, strerror(errno));
		return PXB_ERR_IO;
	}
	/* config_read keeps line numbers; the file name comes from c->source. */
	ok = config_read(&c->cfg, f);
	fclose(f);
	return after_read(c, ok, report, arg);
}

int pxb_conf_load_string(pxb_conf *c, const char *text, const char *name,
			 pxb_conf_report_fn report, void *arg)
{
	if (set_source(c, name ? name : "<string>") < 0)
		return PXB_ERR_NOMEM;
	return after_read(c, config_read_string(&c->cfg, text), report, arg);
}

/* ---- schema lookup ---------------------------------------------------- */

/*
 * Builds the schema path of a setting: names joined by dots, elements of
 * lists written "*". Returns 0 or -1 when it does not fit.
 */
static int schema_path(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *chain[32];
	unsigned n = 0;
	size_t off = 0;

	for (; s && s->parent; s = s->parent) {
		if (n == PXB_ARRAY_LEN(chain))
			return -1;
		chain[n++] = s;
	}
	buf[0] = '\0';
	while (n--) {
		const config_setting_t *e = chain[n];
		const char *name = e->name ? e->name : "*";
		int w = snprintf(buf + off, len - off, "%s%s", off ? "." : "", name);
		if (w < 0 || (size_t)w >= len - off)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

char *pxb_conf_path(const pxb_conf_node *node, char *buf, size_t len)
{
	const config_setting_t *chain[32];
	const config_setting_t *s = SET(node);
	unsigned n = 0;
	size_t off = 0;

	buf[0] = '\0';
	for (; s && s->parent && n < PXB_ARRAY_LEN(chain); s = s->parent)
		chain[n++] = s;
	while (n--) {
		const config_setting_t *e = chain[n];
		int w;
		if (e->name)
			w = snprintf(buf + off, len - off, "%s%s", off ? "." : "", e->name);
		else
			w = snprintf(buf + off, len - off, "[%d]", config_setting_index(e));
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	return buf;
}

/* Finds the schema entry for a full schema path ("tftp.root"). */
const struct pxb_conf_setting *pxb__conf_schema_find(const struct pxb_conf *c, const char *path)
{
	for (unsigned i = 0; i < c->ntables; i++) {
		const char *pre = c->tables[i].prefix;
		size_t pl = strlen(pre);
		const char *rest = path;

		if (pl) {
			if (strncmp(path, pre, pl) != 0 || path[pl] != '.')
				continue;
			rest = path + pl + 1;
		}
		for (const struct pxb_conf_setting *s = c->tables[i].table; s->path; s++)
			if (strcmp(s->path, rest) == 0)
				return s;
	}
	return NULL;
}

int pxb_conf_has_setting(const pxb_conf *c, const char *path)
{
	return pxb__conf_schema_find(c, path) != NULL;
}

/* Is path a group some schema entry lives under ("dhcp", "dhcp.hosts.*")? */
static int schema_is_group(const struct pxb_conf *c, const char *path)
{
	size_t l = strlen(path);
	char full[256];

	for (unsigned i = 0; i < c->ntables; i++) {
		const char *pre = c->tables[i].prefix;
		for (const struct pxb_conf_setting *s = c->tables[i].table; s->path; s++) {
			if (*pre)
				snprintf(full, sizeof(full), "%s.%s", pre, s->path);
			else
				snprintf(full, sizeof(full), "%s", s->path);
			if (strncmp(full, path, l) == 0 && full[l] == '.')
				return 1;
		}
		if (*pre && strcmp(pre, path) == 0)
			return 1;
	}
	return 0;
}

/* The schema entry describing node + path (for defaults). */
static const struct pxb_conf_setting *schema_for(const pxb_conf_node *node, const char *path)
{
	char base[256], full[512];

	if (schema_path(SET(node), base, sizeof(base)) < 0)
		return NULL;
	if (base[0])
		snprintf(full, sizeof(full), "%s.%s", base, path);
	else
		snprintf(full, sizeof(full), "%s", path);
	return pxb__conf_schema_find(conf_of(node), full);
}

/* ---- value checks ----------------------------------------------------- */

static int check_choices(const char *choices, const char *v)
{
	size_t vl = strlen(v);

	for (const char *p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		if (l == vl && strncmp(p, v, l) == 0)
			return 0;
		if (!bar)
			break;
		p = bar + 1;
	}
	return -1;
}

const char *pxb__conf_type_name(enum pxb_conf_type t)
{
	switch (t) {
	case PXB_CT_BOOL: return "a boolean (true or false)";
	case PXB_CT_INT: return "an integer";
	case PXB_CT_STRING: return "a string";
	case PXB_CT_STRINGS: return "an array of strings";
	case PXB_CT_INTS: return "an array of integers";
	case PXB_CT_GROUP: return "a group { ... }";
	case PXB_CT_LIST: return "a list of groups ( { ... } )";
	}
	return "?";
}

static int type_ok(enum pxb_conf_type want, const config_setting_t *s)
{
	int t = config_setting_type(s);

	switch (want) {
	case PXB_CT_BOOL: return t == CONFIG_TYPE_BOOL;
	case PXB_CT_INT: return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
	case PXB_CT_STRING: return t == CONFIG_TYPE_STRING;
	case PXB_CT_STRINGS:
	case PXB_CT_INTS:
		/* libconfig parses [] as an empty array; a single value is not an array. */
		return t == CONFIG_TYPE_ARRAY || (t == CONFIG_TYPE_LIST && config_setting_length(s) == 0);
	case PXB_CT_GROUP: return t == CONFIG_TYPE_GROUP;
	case PXB_CT_LIST: return t == CONFIG_TYPE_LIST;
	}
	return 0;
}

struct vctx {
	struct pxb_conf *c;
	int final;
	int errors;
	pxb_conf_report_fn report;
	void *arg;
};

static void verr(struct vctx *v, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void verr(struct vctx *v, const config_setting_t *s, const char *fmt, ...)
{
	char path[256], msg[768];
	va_list ap;
	int line = config_setting_source_line(s);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pxb_conf_path(NODE(s), path, sizeof(path));
	if (line > 0)
		pxb__conf_reportf(v->report, v->arg, "%s:%d: %s: %s", v->c->source, line, path,
				  msg);
	else
		pxb__conf_reportf(v->report, v->arg, "command line: %s: %s", path, msg);
	v->errors++;
}

static void check_string(struct vctx *v, const config_setting_t *s,
			 const struct pxb_conf_setting *e, const char *val)
{
	char msg[256];

	if (e->choices && check_choices(e->choices, val) < 0) {
		verr(v, s, "\"%s\" is not one of %s", val, e->choices);
		return;
	}
	if (e->check && e->check(val, msg, sizeof(msg)) < 0)
		verr(v, s, "\"%s\" %s", val, msg);
}

static void check_int(struct vctx *v, const config_setting_t *s,
		      const struct pxb_conf_setting *e, long long val)
{
	if (e->min < e->max && (val < e->min || val > e->max))
		verr(v, s, "%lld is out of range %" PRId64 "..%" PRId64, val, e->min, e->max);
}

static void validate_setting(struct vctx *v, const config_setting_t *s);

/*
 * A member of a group whose names are the user's ("dhcp.hosts.*.vars.*"):
 * the schema entry with the last name written "*".
 */
static const struct pxb_conf_setting *any_name(const struct pxb_conf *c, const char *path)
{
	const char *dot = strrchr(path, '.');
	char any[256];

	if (!dot || (size_t)(dot - path) + 3 > sizeof(any))
		return NULL;
	snprintf(any, sizeof(any), "%.*s.*", (int)(dot - path), path);
	return pxb__conf_schema_find(c, any);
}

static void validate_children(struct vctx *v, const config_setting_t *s)
{
	int n = config_setting_length(s);

	for (int i = 0; i < n; i++)
		validate_setting(v, config_setting_get_elem(s, (unsigned)i));
}

static void validate_setting(struct vctx *v, const config_setting_t *s)
{
	char path[256];
	const struct pxb_conf_setting *e;

	if (schema_path(s, path, sizeof(path)) < 0) {
		verr(v, s, "nested too deeply");
		return;
	}
	e = pxb__conf_schema_find(v->c, path);
	if (!e)
		e = any_name(v->c, path);
	if (!e) {
		if (config_setting_type(s) == CONFIG_TYPE_GROUP && schema_is_group(v->c, path)) {
			validate_children(v, s);
			return;
		}
		if (v->final)
			verr(v, s, "unknown setting");
		return;
	}
	if (!type_ok(e->type, s)) {
		verr(v, s, "must be %s", pxb__conf_type_name(e->type));
		return;
	}
	switch (e->type) {
	case PXB_CT_STRING:
		check_string(v, s, e, config_setting_get_string(s));
		break;
	case PXB_CT_INT:
		check_int(v, s, e, config_setting_get_int64(s));
		break;
	case PXB_CT_STRINGS:
	case PXB_CT_INTS:
		for (int i = 0; i < config_setting_length(s); i++) {
			const config_setting_t *el = config_setting_get_elem(s, (unsigned)i);
			int t = config_setting_type(el);
			if (e->type == PXB_CT_STRINGS) {
				if (t != CONFIG_TYPE_STRING)
					verr(v, s, "element %d must be a string", i);
				else
					check_string(v, s, e, config_setting_get_string(el));
			} else {
				if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
					verr(v, s, "element %d must be an integer", i);
				else
					check_int(v, s, e, config_setting_get_int64(el));
			}
		}
		break;
	case PXB_CT_GROUP:
		validate_children(v, s);
		break;
	case PXB_CT_LIST:
		for (int i = 0; i < config_setting_length(s); i++) {
			const config_setting_t *el = config_setting_get_elem(s, (unsigned)i);
			if (config_setting_type(el) != CONFIG_TYPE_GROUP)
				verr(v, el, "must be a group { ... }");
			else
				validate_children(v, el);
		}
		break;
	case PXB_CT_BOOL:
		break;
	}
}

int pxb_conf_validate(pxb_conf *c, int final, pxb_conf_report_fn report, void *arg)
{
	struct vctx v = {c, final, 0, report, arg};

	validate_children(&v, config_root_setting(&c->cfg));
	return v.errors;
}

/* ---- getters ---------------------------------------------------------- */

const pxb_conf_node *pxb_conf_get(const pxb_conf_node *node, const char *path)
{
	if (!node)
		return NULL;
	return NODE(config_setting_lookup(SET(node), path));
}

/*
 * A section the file lacks is an empty group of the same path in the
 * defaults tree: its getters find no value and answer the schema default,
 * as they do below a section that is present.
 */
const pxb_conf_node *pxb_conf_section(const pxb_conf *cc, const char *path)
{
	struct pxb_conf *c = (struct pxb_conf *)cc;
	const pxb_conf_node *n;
	config_setting_t *g, *sub;
	const char *leaf;

	if (!*path || *path == '.' || strstr(path, "..") || path[strlen(path) - 1] == '.')
		return NULL; /* dotted names, none of them empty */
	n = pxb_conf_get(pxb_conf_root(c), path);
	if (n)
		return n;
	g = pxb__conf_ensure_groups(&c->defaults, path, &leaf);
	if (!g || strlen(leaf) >= 128)
		return NULL;
	sub = config_setting_get_member(g, leaf);
	if (!sub)
		sub = config_setting_add(g, leaf, CONFIG_TYPE_GROUP);
	return sub && config_setting_is_group(sub) ? NODE(sub) : NULL;
}

const char *pxb_conf_string(const pxb_conf_node *node, const char *path)
{
	const config_setting_t *s = SET(pxb_conf_get(node, path));
	const struct pxb_conf_setting *e;

	if (s && config_setting_type(s) == CONFIG_TYPE_STRING)
		return config_setting_get_string(s);
	e = schema_for(node, path);
	return e ? e->def : NULL;
}

int64_t pxb_conf_int(const pxb_conf_node *node, const char *path)
{
	const config_setting_t *s = SET(pxb_conf_get(node, path));
	const struct pxb_conf_setting *e;
	long long n;

	if (s && (config_setting_type(s) == CONFIG_TYPE_INT ||
		  config_setting_type(s) == CONFIG_TYPE_INT64))
		return config_setting_get_int64(s);
	e = schema_for(node, path);
	if (e && e->def && pxb__conf_parse_int(e->def, &n) == 0)
		return n;
	return 0;
}

int pxb_conf_bool(const pxb_conf_node *node, const char *path)
{
	const config_setting_t *s = SET(pxb_conf_get(node, path));
	const struct pxb_conf_setting *e;
	int b;

	if (s && config_setting_type(s) == CONFIG_TYPE_BOOL)
		return config_setting_get_bool(s);
	e = schema_for(node, path);
	if (e && e->def && pxb__conf_parse_bool(e->def, &b) == 0)
		return b;
	return 0;
}

/*
 * Arrays left unset fall back to their comma-separated default, kept in a
 * separate per-configuration tree so element pointers stay valid.
 */
static const config_setting_t *array_of(const pxb_conf_node *node, const char *path)
{
	const config_setting_t *s = SET(pxb_conf_get(node, path));
	const struct pxb_conf_setting *e;
	struct pxb_conf *c;
	config_setting_t *d, *root;
	char name[300], schema[256];

	if (s)
		return s;
	e = schema_for(node, path);
	if (!e || !e->def || !*e->def || (e->type != PXB_CT_STRINGS && e->type != PXB_CT_INTS))
		return NULL;
	c = conf_of(node);
	if (schema_path(SET(node), schema, sizeof(schema)) < 0)
		return NULL;
	/* A valid libconfig name: a letter first, then letters, digits, '_'. */
	snprintf(name, sizeof(name), "d_%s_%s", schema, path);
	for (char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			*p = '_';
	root = config_root_setting(&c->defaults);
	d = config_setting_get_member(root, name);
	if (d)
		return d;
	d = config_setting_add(root, name, CONFIG_TYPE_ARRAY);
	if (!d || pxb__conf_set_from_text(d, e->type, e->def) < 0)
		return NULL;
	return d;
}

unsigned pxb_conf_count(const pxb_conf_node *node, const char *path)
{
	const config_setting_t *s = array_of(node, path);

	if (!s)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_ARRAY:
	case CONFIG_TYPE_LIST:
	case CONFIG_TYPE_GROUP:
		return (unsigned)config_setting_length(s);
	default:
		return 0;
	}
}

const pxb_conf_node *pxb_conf_elem(const pxb_conf_node *node, const char *path, unsigned i)
{
	const config_setting_t *s = array_of(node, path);

	return s ? NODE(config_setting_get_elem(s, i)) : NULL;
}

const char *pxb_conf_elem_string(const pxb_conf_node *node, const char *path, unsigned i)
{
	const config_setting_t *s = SET(pxb_conf_elem(node, path, i));

	return s && config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s)
								  : NULL;
}

int64_t pxb_conf_elem_int(const pxb_conf_node *node, const char *path, unsigned i)
{
	const config_setting_t *s = SET(pxb_conf_elem(node, path, i));

	return s ? config_setting_get_int64(s) : 0;
}

int pxb_conf_line(const pxb_conf_node *node)
{
	return node ? config_setting_source_line(SET(node)) : 0;
}
