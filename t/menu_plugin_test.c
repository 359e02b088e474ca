/*
 * menu_plugin_test.c - the renderer plugins' glue (pxeboot/boot_menu_plugin.h)
 * driven with a renderer of its own: the model built at init and kept,
 * built again when a catalog's generation changes and on reloads (the old
 * one kept when that fails), the mounts made, moved, dropped and removed at
 * the end, the renderer registered, served and asked menus told apart, and
 * init failing without leaving anything behind; the renderers' line for an
 * entry left out of a menu.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/boot_menu_plugin.h>
#include "tap.h"

/* ---- a catalog whose generation and entries the test sets --------------- */

static uint64_t cat_gen;
static unsigned cat_builds; /* models built (populate calls) */
static int cat_fail;        /* populate fails */

static int cat_populate(void *arg, pxb_boot_model *m)
{
	struct pxb_boot_entry e = {0};
	char id[32];

	(void)arg;
	cat_builds++;
	if (cat_fail)
		return PXB_ERR_NOMEM; /* the one error that fails a model's build */
	snprintf(id, sizeof(id), "gen%llu", (unsigned long long)cat_gen);
	e.id = id;
	e.kind = PXB_BOOT_LINUX;
	e.kernel = "/vmlinuz";
	e.source = "test";
	return pxb_boot_add_entry(m, &e);
}

static uint64_t cat_generation(void *arg)
{
	(void)arg;
	return cat_gen;
}

static const struct pxb_catalog catalog = {
	.size = sizeof(struct pxb_catalog),
	.populate = cat_populate,
	.generation = cat_generation,
};

/* ---- the renderer ------------------------------------------------------- */

struct state {
	unsigned applies, rebuilts;
};

struct opts {
	int served;
	const char *mac;
};

/* What apply declares: prefixes, and an error to return. */
static const char *prefixes[PXB_MENU_PLUGIN_MAX_MOUNTS + 2];
static unsigned nprefixes;

static int apply(pxb_menu_plugin *mp, const pxb_conf_node *sec)
{
	struct state *s = pxb_menu_plugin_state(mp);
	int rc = 0;

	(void)sec;
	s->applies++;
	for (unsigned i = 0; i < nprefixes && rc == 0; i++)
		rc = pxb_menu_plugin_add_mount(mp, prefixes[i], NULL);
	return rc;
}

static int options(pxb_menu_plugin *mp, const pxb_boot_model *m, struct pxb_client *c,
		   int served, void *opts)
{
	struct opts *o = opts;

	(void)mp;
	(void)m;
	o->served = served;
	o->mac = c && c->has_mac ? "mac" : "nobody";
	return 0;
}

/* The menu: "served=N who entries=<ids>". */
static int write(const pxb_boot_model *m, const struct pxb_client *c, const void *opts,
		 FILE *out, pxb_boot_warn_fn warn, void *warn_arg)
{
	const struct opts *o = opts;

	(void)c;
	(void)warn;
	(void)warn_arg;
	fprintf(out, "served=%d %s entries=", o->served, o->mac);
	for (unsigned i = 0; i < pxb_boot_entry_count(m); i++)
		fprintf(out, "%s%s", i ? "," : "", pxb_boot_entry_at(m, i)->id);
	return 0;
}

static void rebuilt(pxb_menu_plugin *mp, const pxb_boot_model *m)
{
	struct state *s = pxb_menu_plugin_state(mp);

	(void)m;
	s->rebuilts++;
}

static const struct pxb_menu_plugin_desc desc = {
	.format = "test",
	.state_size = sizeof(struct state),
	.apply = apply,
	.write = write,
	.opts_size = sizeof(struct opts),
	.options = options,
	.rebuilt = rebuilt,
};

/* ---- helpers ------------------------------------------------------------ */

/* The text of path as served over TFTP to c, or the error as "ERR <n>". */
static const char *served(pxb_vfs *v, const char *path, const struct pxb_client *c)
{
	static char text[256];
	struct pxb_file f;
	int rc = pxb_vfs_open(v, path, PXB_VFS_TFTP, c, &f);
	int64_t n;

	if (rc < 0) {
		snprintf(text, sizeof(text), "ERR %d", rc);
		return text;
	}
	n = pxb_file_read(&f, 0, text, sizeof(text) - 1);
	text[n > 0 ? n : 0] = '\0';
	pxb_file_close(&f);
	return text;
}

/* The menu asked through the registered renderer. */
static const char *asked(pxb_host *h, const struct pxb_client *c, const char **path)
{
	static char text[256];
	void *arg;
	const struct pxb_renderer *r = pxb_host_find(h, PXB_SVC_RENDERER, "test", &arg);
	char *buf = NULL;
	size_t len = 0;

	if (!r)
		return "not registered";
	if (path)
		*path = r->menu_path(arg, c);
	if (r->render(arg, c, &buf, &len) < 0)
		return "render failed";
	snprintf(text, sizeof(text), "%s", buf);
	free(buf);
	return text;
}

static pxb_host *new_host(pxb_vfs **v)
{
	char err[128];
	pxb_host *h;

	*v = pxb_vfs_new();
	h = pxb_host_new(*v, NULL, NULL);
	pxb_host_init_all(h, NULL, err, sizeof(err)); /* no plugins: no configuration */
	pxb_host_register(h, PXB_SVC_CATALOG, "test", &catalog, NULL);
	return h;
}

/* ---- tests -------------------------------------------------------------- */

static void test_cache_and_mounts(void)
{
	pxb_vfs *v;
	pxb_host *h = new_host(&v);
	struct pxb_client c = {0};
	void *state = NULL;
	struct state *s;
	const char *path = NULL;

	cat_gen = 1;
	cat_builds = 0;
	cat_fail = 0;
	prefixes[0] = "/a.menu";
	prefixes[1] = "/b.menu";
	nprefixes = 2;
	c.has_mac = 1;
	is_int(pxb_menu_plugin_init(&desc, h, NULL, &state), 0, "init");
	if (!state)
		return;
	s = pxb_menu_plugin_state(state);
	is_int(cat_builds, 1, "the model is built at init");
	is_int(s->rebuilts, 1, "... and announced");
	is_str(served(v, "/a.menu", &c), "served=1 mac entries=gen1", "first mount serves the menu");
	is_str(served(v, "/b.menu", NULL), "served=1 nobody entries=gen1", "so does the second");
	is_str(served(v, "/a.menu/x", &c), "ERR -3", "nothing below a mount without open");
	is_str(asked(h, &c, &path), "served=0 mac entries=gen1", "registered renderer renders");
	is_str(path, "/a.menu", "its menu path is the first mount");
	is_int(cat_builds, 1, "the model is kept between requests");

	cat_gen = 2;
	is_str(served(v, "/a.menu", &c), "served=1 mac entries=gen2",
	       "a catalog's new generation rebuilds the model");
	is_int(cat_builds, 2, "once");
	is_int(s->rebuilts, 2, "... and announces it");
	served(v, "/b.menu", &c);
	is_int(cat_builds, 2, "then it is kept again");

	/* A reload rebuilds whatever the generation; unchanged prefixes stay. */
	cat_gen = 3;
	is_int(pxb_menu_plugin_reload(state, NULL), 0, "reload");
	is_int(cat_builds, 3, "reload builds the model");
	is_int(s->applies, 2, "and applies the settings");
	is_str(served(v, "/b.menu", NULL), "served=1 nobody entries=gen3", "the new model is served");

	/* A reload whose model cannot be built keeps everything. */
	cat_fail = 1;
	cat_gen = 4;
	prefixes[0] = "/moved.menu";
	ok(pxb_menu_plugin_reload(state, NULL) < 0, "a reload whose model fails fails");
	is_int(s->applies, 2, "... without applying the settings");
	cat_fail = 0;
	cat_gen = 3; /* the catalog is back as it was: no rebuild on the next request */
	is_str(served(v, "/a.menu", NULL), "served=1 nobody entries=gen3",
	       "the old model and mount stay");
	is_str(served(v, "/moved.menu", NULL), "ERR -3", "the new prefix is not mounted");

	/* Moved and dropped mounts. */
	nprefixes = 1;
	is_int(pxb_menu_plugin_reload(state, NULL), 0, "reload moving a mount, dropping another");
	is_str(served(v, "/moved.menu", NULL), "served=1 nobody entries=gen3", "served at its new place");
	is_str(served(v, "/a.menu", NULL), "ERR -3", "not at the old one");
	is_str(served(v, "/b.menu", NULL), "ERR -3", "the dropped mount is gone");
	asked(h, NULL, &path);
	is_str(path, "/moved.menu", "the menu path follows");

	pxb_menu_plugin_fini(state);
	is_str(served(v, "/moved.menu", NULL), "ERR -3", "fini removes the mounts");
	pxb_host_free(h);
	pxb_vfs_free(v);
}

static void test_init_errors(void)
{
	static char names[PXB_MENU_PLUGIN_MAX_MOUNTS + 1][16];
	struct pxb_menu_plugin_desc bad = desc;
	pxb_vfs *v;
	pxb_host *h = new_host(&v);
	void *state = NULL;

	cat_gen = 1;
	cat_fail = 0;
	for (unsigned i = 0; i <= PXB_MENU_PLUGIN_MAX_MOUNTS; i++) {
		snprintf(names[i], sizeof(names[i]), "/m%u", i);
		prefixes[i] = names[i];
	}
	nprefixes = PXB_MENU_PLUGIN_MAX_MOUNTS + 1;
	is_int(pxb_menu_plugin_init(&desc, h, NULL, &state), PXB_ERR_TOOBIG, "too many mounts");
	nprefixes = 1;
	cat_fail = 1;
	is_int(pxb_menu_plugin_init(&desc, h, NULL, &state), PXB_ERR_NOMEM, "no model: no plugin");
	cat_fail = 0;
	is_str(served(v, "/m0", NULL), "ERR -3", "nothing left mounted");
	is_str(asked(h, NULL, NULL), "not registered", "nor registered");
	/* Registering fails once the mount is made: the mount goes again. */
	is_int(pxb_host_register(h, PXB_SVC_RENDERER, "test", &catalog, NULL), 0,
	       "another renderer takes the name");
	is_int(pxb_menu_plugin_init(&desc, h, NULL, &state), PXB_ERR_EXIST, "the name is taken");
	is_str(served(v, "/m0", NULL), "ERR -3", "the mount made before is removed");
	bad.opts_size = PXB_MENU_PLUGIN_MAX_OPTS + 1;
	is_int(pxb_menu_plugin_init(&bad, h, NULL, &state), PXB_ERR_INVAL, "options too large");
	bad = desc;
	bad.write = NULL;
	is_int(pxb_menu_plugin_init(&bad, h, NULL, &state), PXB_ERR_INVAL, "no writer");
	prefixes[0] = "";
	is_int(pxb_menu_plugin_init(&desc, h, NULL, &state), PXB_ERR_INVAL, "an empty prefix");
	ok(state == NULL, "no state handed out on errors");
	pxb_host_free(h);
	pxb_vfs_free(v);
}

static char warned[256];

static void keep_warning(void *arg, const char *msg)
{
	(void)arg;
	snprintf(warned, sizeof(warned), "%s", msg);
}

static void test_left_out(void)
{
	pxb_boot_warn_left_out(keep_warning, NULL, "iPXE", "rescue", "no URL");
	is_str(warned, "iPXE menu: entry \"rescue\" left out: no URL", "a left-out entry's line");
	warned[0] = '\0';
	pxb_boot_warn_left_out(NULL, NULL, "iPXE", "rescue", "ignored");
	is_str(warned, "", "no warn function: nothing said");
}

int main(void)
{
	plan_lazy();
	test_cache_and_mounts();
	test_init_errors();
	test_left_out();
	return done_testing();
}
