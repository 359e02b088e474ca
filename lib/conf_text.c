/*
 * conf_text.c - settings from text: the settings given on the command line
 * (-o setting=value), checked against the type the schema gives them before
 * they replace whatever the file said, and the schema's defaults, text the
 * getters in conf.c turn into values.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libconfig.h>

#include <pxeboot/conf.h>
#include "internal.h"
#include "conf_schema.h"
#include "conf_internal.h"

/* Finds or creates the group chain for "a.b" below the root. */
config_setting_t *pxb__conf_ensure_groups(config_t *cfg, const char *path, const char **leaf)
{
	config_setting_t *cur = config_root_setting(cfg);
	char name[128];
	const char *p = path, *dot;

	while ((dot = strchr(p, '.')) != NULL) {
		size_t l = (size_t)(dot - p);
		config_setting_t *next;
		if (l == 0 || l >= sizeof(name))
			return NULL;
		memcpy(name, p, l);
		name[l] = '\0';
		next = config_setting_get_member(cur, name);
		if (!next)
			next = config_setting_add(cur, name, CONFIG_TYPE_GROUP);
		if (!next || config_setting_type(next) != CONFIG_TYPE_GROUP)
			return NULL;
		cur = next;
		p = dot + 1;
	}
	*leaf = p;
	return cur;
}

int pxb__conf_parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

int pxb__conf_parse_int(const char *v, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 0);
	return (errno || end == v || *end) ? -1 : 0;
}

/* Sets setting s (already of the right type) from text; arrays split on ','. */
int pxb__conf_set_from_text(config_setting_t *s, enum pxb_conf_type type, const char *val)
{
	long long n;
	int b;

	switch (type) {
	case PXB_CT_BOOL:
		if (pxb__conf_parse_bool(val, &b) < 0)
			return -1;
		return config_setting_set_bool(s, b) == CONFIG_TRUE ? 0 : -1;
	case PXB_CT_INT:
		if (pxb__conf_parse_int(val, &n) < 0)
			return -1;
		return config_setting_set_int64(s, n) == CONFIG_TRUE ? 0 : -1;
	case PXB_CT_STRING:
		return config_setting_set_string(s, val) == CONFIG_TRUE ? 0 : -1;
	case PXB_CT_STRINGS:
	case PXB_CT_INTS: {
		char *copy = strdup(val), *save = NULL, *tok;
		int rc = 0;
		if (!copy)
			return -1;
		for (tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
			if (type == PXB_CT_INTS) {
				rc = pxb__conf_parse_int(tok, &n) < 0 ||
				     !config_setting_set_int64_elem(s, -1, n) ? -1 : 0;
			} else {
				rc = config_setting_set_string_elem(s, -1, tok) ? 0 : -1;
			}
		}
		free(copy);
		return rc;
	}
	case PXB_CT_GROUP:
	case PXB_CT_LIST:
		return -1;
	}
	return -1;
}

/* Would set_from_text accept val? Checked before the old value is removed. */
static int text_ok(enum pxb_conf_type type, const char *val)
{
	long long n;
	int b;

	switch (type) {
	case PXB_CT_BOOL:
		return pxb__conf_parse_bool(val, &b);
	case PXB_CT_INT:
		return pxb__conf_parse_int(val, &n);
	case PXB_CT_INTS: {
		char *copy = strdup(val), *save = NULL, *tok;
		int rc = copy ? 0 : -1;
		for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && rc == 0;
		     tok = strtok_r(NULL, ",", &save))
			rc = pxb__conf_parse_int(tok, &n);
		free(copy);
		return rc;
	}
	default:
		return 0;
	}
}

static int ctype_of(enum pxb_conf_type t)
{
	switch (t) {
	case PXB_CT_BOOL: return CONFIG_TYPE_BOOL;
	case PXB_CT_INT: return CONFIG_TYPE_INT64;
	case PXB_CT_STRING: return CONFIG_TYPE_STRING;
	case PXB_CT_STRINGS:
	case PXB_CT_INTS: return CONFIG_TYPE_ARRAY;
	case PXB_CT_GROUP: return CONFIG_TYPE_GROUP;
	case PXB_CT_LIST: return CONFIG_TYPE_LIST;
	}
	return CONFIG_TYPE_NONE;
}

int pxb_conf_override(pxb_conf *c, const char *assignment, pxb_conf_report_fn report, void *arg)
{
	const char *eq = strchr(assignment, '=');
	char path[256];
	const char *leaf;
	const struct pxb_conf_setting *e;
	config_setting_t *parent, *s;
	size_t l;

	if (!eq || eq == assignment) {
		pxb__conf_reportf(report, arg, "command line: -o %s: expected setting=value",
				  assignment);
		return PXB_ERR_INVAL;
	}
	l = (size_t)(eq - assignment);
	if (l >= sizeof(path)) {
		pxb__conf_reportf(report, arg, "command line: -o: setting name too long");
		return PXB_ERR_TOOBIG;
	}
	memcpy(path, assignment, l);
	path[l] = '\0';
	e = pxb__conf_schema_find(c, path);
	if (!e) {
		pxb__conf_reportf(report, arg, "command line: %s: unknown setting", path);
		return PXB_ERR_NOENT;
	}
	if (e->type == PXB_CT_GROUP || e->type == PXB_CT_LIST) {
		pxb__conf_reportf(report, arg, "command line: %s: %s cannot be set with -o", path,
			pxb__conf_type_name(e->type));
		return PXB_ERR_INVAL;
	}
	if (text_ok(e->type, eq + 1) < 0) {
		pxb__conf_reportf(report, arg, "command line: %s: \"%s\" is not %s", path, eq + 1,
			pxb__conf_type_name(e->type));
		return PXB_ERR_INVAL;
	}
	parent = pxb__conf_ensure_groups(&c->cfg, path, &leaf);
	if (!parent) {
		pxb__conf_reportf(report, arg, "command line: %s: cannot create setting", path);
		return PXB_ERR_INVAL;
	}
	/* Replace whatever the file said, whatever its type was. */
	if (config_setting_get_member(parent, leaf))
		config_setting_remove(parent, leaf);
	s = config_setting_add(parent, leaf, ctype_of(e->type));
	if (!s || pxb__conf_set_from_text(s, e->type, eq + 1) < 0) {
		if (s)
			config_setting_remove(parent, leaf);
		pxb__conf_reportf(report, arg, "command line: %s: \"%s\" is not %s", path, eq + 1,
			pxb__conf_type_name(e->type));
		return PXB_ERR_INVAL;
	}
	return 0;
}
