/*
 * conf_lint.c - what a valid configuration would silently get wrong
 * (pxebootd -t prints it as warnings): a menu default that is not among its
 * menu's items, a boot rule an earlier one always shadows, a boot file
 * neither in the served roots nor provided by a plugin, entry ids that
 * menus or the policy name but no entry defines.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <pxeboot/conf.h>
#include <pxeboot/plugin.h>
#include "conf_internal.h"
#include "internal.h"

#define warn(c, n, ...) pxb__conf_problem(c, n, "", report, arg, &warnings, "warning: " __VA_ARGS__)

/* Menu lines that are no entry id ("-", "# text", "*", "catalog") or built-in entries. */
static int not_an_id(const char *item)
{
	static const char *const builtin[] = { "-", "*", "catalog", "shell", "reboot", "exit",
					       "local" };

	if (!item || item[0] == '#')
		return 1;
	for (size_t i = 0; i < PXB_ARRAY_LEN(builtin); i++)
		if (strcmp(item, builtin[i]) == 0)
			return 1;
	return 0;
}

static int entry_defined(const pxb_conf_node *root, const char *id)
{
	for (unsigned i = 0; i < pxb_conf_count(root, "entries"); i++) {
		const char *e = pxb_conf_string(pxb_conf_elem(root, "entries", i), "id");

		if (e && strcmp(e, id) == 0)
			return 1;
	}
	return not_an_id(id);
}

/* Catalog plugins add entries at run time: ids they may define are not judged. */
static int has_catalogs(const pxb_conf_node *root)
{
	for (unsigned i = 0; i < pxb_conf_count(root, "plugins"); i++)
		if (strncmp(pxb_conf_elem_string(root, "plugins", i), "catalog", 7) == 0)
			return 1;
	return 0;
}

/* One menu: menu (NULL: the top-level one). */
static int lint_menu(const pxb_conf *c, const pxb_conf_node *root, const pxb_conf_node *menu,
		     int catalogs, pxb_conf_report_fn report, void *arg)
{
	const pxb_conf_node *in = menu && pxb_conf_get(menu, "items") ? menu : root;
	const char *ipath = in == root ? "menu.items" : "items";
	const pxb_conf_node *dn = menu ? pxb_conf_get(menu, "default")
				       : pxb_conf_get(root, "menu.default");
	const char *def = menu ? pxb_conf_string(menu, "default")
			       : pxb_conf_string(root, "menu.default");
	int warnings = 0, listed = 0, all = 0;

	for (unsigned i = 0; i < pxb_conf_count(in, ipath); i++) {
		const char *it = pxb_conf_elem_string(in, ipath, i);

		if (def && *def && strcmp(it, def) == 0)
			listed = 1;
		if (strcmp(it, "*") == 0 || strcmp(it, "catalog") == 0)
			all = 1;
		if (!catalogs && !entry_defined(root, it))
			warn(c, pxb_conf_get(in, ipath),
			     "item \"%s\" names no entry (entries.*.id)", it);
	}
	if (!def || !*def)
		return warnings;
	if (!catalogs && !entry_defined(root, def))
		warn(c, dn, "\"%s\" names no entry (entries.*.id)", def);
	else if (!listed && !all)
		warn(c, dn, "\"%s\" is not among this menu's items: the first entry boots instead",
		     def);
	return warnings;
}

/* The terms of a tag expression, as "TAG" or "!TAG", into t (at most max). */
static size_t terms(const char *expr, char t[][PXB_TAG_LEN + 1], size_t max)
{
	size_t n = 0;

	while (expr && *expr && n < max) {
		size_t l = strcspn(expr, "&, \t");

		if (l) {
			const char *s = expr;
			int neg = 0;

			if (*s == '!') {
				neg = 1;
				s++;
			}
			if (strncmp(s, "tag:", 4) == 0)
				s += 4;
			if (*s == '!')
				neg = 1, s++;
			snprintf(t[n++], PXB_TAG_LEN + 1, "%s%.*s", neg ? "!" : "",
				 (int)(l - (size_t)(s - expr)), s);
		}
		expr += l;
		expr += strspn(expr, "&, \t");
	}
	return n;
}

/* Does every term of a appear in b (whenever b holds, a holds)? */
static int subset(char a[][PXB_TAG_LEN + 1], size_t na, char b[][PXB_TAG_LEN + 1], size_t nb)
{
	for (size_t i = 0; i < na; i++) {
		size_t j = 0;

		while (j < nb && strcmp(a[i], b[j]) != 0)
			j++;
		if (j == nb)
			return 0;
	}
	return 1;
}

#define LINT_TERMS 16

/* A boot rule no client reaches: an earlier (non-noboot) rule holds whenever it does. */
static int lint_rules(const pxb_conf *c, const pxb_conf_node *d, pxb_conf_report_fn report,
		      void *arg)
{
	char a[LINT_TERMS][PXB_TAG_LEN + 1], b[LINT_TERMS][PXB_TAG_LEN + 1];
	unsigned n = pxb_conf_count(d, "boot");
	int warnings = 0;

	for (unsigned j = 1; j < n; j++) {
		const pxb_conf_node *rj = pxb_conf_elem(d, "boot", j);
		size_t nb = terms(pxb_conf_string(rj, "tags"), b, LINT_TERMS);

		if (pxb_conf_bool(rj, "noboot") || nb == LINT_TERMS)
			continue;
		for (unsigned i = 0; i < j; i++) {
			const pxb_conf_node *ri = pxb_conf_elem(d, "boot", i);
			size_t na = terms(pxb_conf_string(ri, "tags"), a, LINT_TERMS);

			if (pxb_conf_bool(ri, "noboot") || !subset(a, na, b, nb))
				continue;
			warn(c, rj, "no client reaches this rule: dhcp.boot[%u] (line %d) holds "
			     "whenever it does", i, pxb_conf_line(ri));
			break;
		}
	}
	return warnings;
}

/* Is file provided by a loaded plugin: under a path one of its settings names? */
static int plugin_provides(const pxb_conf *c, pxb_host *h, const char *file)
{
	const pxb_conf_node *root = pxb_conf_root(c);
	char path[300];

	for (unsigned i = 0; h && i < pxb_host_plugin_count(h); i++) {
		const struct pxb_plugin *p = pxb_host_plugin(h, i);
		const char *sec = p->section ? p->section : p->name;

		for (const struct pxb_conf_setting *s = p->settings; s && s->path; s++) {
			const char *v;
			size_t l;

			if (s->type != PXB_CT_STRING)
				continue;
			snprintf(path, sizeof(path), "%s.%s", sec, s->path);
			v = pxb_conf_string(root, path);
			if (!v || v[0] != '/' || !v[1])
				continue;
			l = strlen(v);
			if (strncmp(file, v + 1, l - 1) == 0 &&
			    (file[l - 1] == '\0' || file[l - 1] == '/' || v[l - 1] == '/'))
				return 1;
		}
	}
	return 0;
}

static int in_root(const char *root, const char *file)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, file);
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int lint_file(const pxb_conf *c, pxb_host *h, const pxb_conf_node *n,
		     pxb_conf_report_fn report, void *arg)
{
	const pxb_conf_node *root = pxb_conf_root(c);
	const char *file = pxb_conf_string(n, "file");
	const char *troot = pxb_conf_string(root, "tftp.root");
	const char *hroot = pxb_conf_string(root, "http.root");
	int warnings = 0;

	if (!file || strstr(file, "://"))
		return 0;
	while (*file == '/')
		file++;
	if (!*file || in_root(troot, file) || in_root(hroot, file) || plugin_provides(c, h, file))
		return 0;
	warn(c, pxb_conf_get(n, "file"), "\"%s\" is in neither tftp.root (%s) nor http.root (%s), "
	     "and no plugin provides it", file, troot, hroot);
	return warnings;
}

int pxb_conf_lint(const pxb_conf *c, pxb_host *h, pxb_conf_report_fn report, void *arg)
{
	const pxb_conf_node *root, *d;
	int warnings = 0, catalogs;

	if (!c)
		return PXB_ERR_INVAL;
	root = pxb_conf_root(c);
	d = pxb_conf_section(c, "dhcp");
	catalogs = has_catalogs(root);
	warnings += lint_menu(c, root, NULL, catalogs, report, arg);
	for (unsigned i = 0; i < pxb_conf_count(root, "menus"); i++)
		warnings += lint_menu(c, root, pxb_conf_elem(root, "menus", i), catalogs, report,
				      arg);
	for (unsigned i = 0; !catalogs && i < pxb_conf_count(root, "policy.protect"); i++) {
		const char *id = pxb_conf_elem_string(root, "policy.protect", i);

		if (strcmp(id, "*") != 0 && !entry_defined(root, id))
			warn(c, pxb_conf_get(root, "policy.protect"),
			     "\"%s\" names no entry (entries.*.id)", id);
	}
	if (!d || strcmp(pxb_conf_string(root, "dhcp.mode"), "off") == 0)
		return warnings;
	warnings += lint_rules(c, d, report, arg);
	for (unsigned i = 0; i < pxb_conf_count(d, "boot"); i++)
		warnings += lint_file(c, h, pxb_conf_elem(d, "boot", i), report, arg);
	for (unsigned i = 0; i < pxb_conf_count(d, "arch_files"); i++)
		warnings += lint_file(c, h, pxb_conf_elem(d, "arch_files", i), report, arg);
	return warnings;
}
