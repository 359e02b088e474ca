/*
 * pxelinux.c - the PXELINUX menu plugin: answers pxelinux.cfg/<name>
 * (pxelinux.path, default /pxelinux.cfg) over TFTP and HTTP with the boot
 * menu rendered for the client the name identifies, and "not found" for
 * the names PXELINUX should skip (see pxelinux_render.h for the rules).
 *
 * KERNEL and INITRD are TFTP paths from the root for pxelinux.0; with
 * pxelinux.use_http = true they are http:// URLs, which only lpxelinux.0
 * can fetch (faster for large initrds). pxelinux.ui names a menu module
 * ("menu.c32", it and its libraries must be served too); empty gives the
 * plain "boot:" prompt with the labels listed by SAY lines.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/boot.h>
#include "pxelinux_render.h"

struct pxl_plugin {
	pxb_host *h;
	char path[256];
	char ui[64];
	struct pxb_pxelinux_opts opts;
	struct pxb_boot_cache cache;
};

static const struct pxb_conf_setting settings[] = {
	{"path", PXB_CT_STRING, "/pxelinux.cfg", 0, 0, NULL, pxb_check_abs_path,
	 "directory PXELINUX looks for its configuration in"},
	{"use_http", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "give kernels and initrds as http:// URLs (lpxelinux.0 only; pxelinux.0 needs TFTP)"},
	{"ui", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "menu module for the UI line, e.g. \"menu.c32\" (empty: the plain boot: prompt)"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static const pxb_boot_model *model(struct pxl_plugin *p)
{
	return pxb_boot_cache_get(&p->cache, p->h, NULL);
}

static int render(void *arg, const struct pxb_client *c, char **out, size_t *len)
{
	struct pxl_plugin *p = arg;
	const pxb_boot_model *m = model(p);
	struct pxb_pxelinux_opts o = p->opts;
	struct pxb_install_menu im;

	if (!m)
		return PXB_ERR_CONFIG;
	/* An unattended install of c (pxeboot/install.h): its entry, or the disk. */
	if (pxb_install_menu(p->h, m, c, (int64_t)time(NULL), &im) == 1) {
		o.default_id = im.default_id;
		o.force_timeout = im.timeout;
	}
	return pxb_pxelinux_render_buf(m, c, &o, out, len, pxb_boot_warn_log, p->h);
}

static const char *menu_path(void *arg, const struct pxb_client *c)
{
	struct pxl_plugin *p = arg;

	(void)c;
	return p->path;
}

static const struct pxb_renderer renderer = {
	.size = sizeof(struct pxb_renderer),
	.format = "pxelinux",
	.render = render,
	.menu_path = menu_path,
};

static int cfg_open(void *arg, const char *rel, const struct pxb_client *c, struct pxb_file *f)
{
	struct pxl_plugin *p = arg;
	struct pxb_client known, target;
	const struct pxb_client *k = c;
	int have;

	/* Nothing passed by the protocol: what the DHCP side learned may tell. */
	if (!k && pxb_boot_known_client(p->h, rel, &known) == 0)
		k = &known;
	if (!pxb_pxelinux_lookup(rel, k, &target, &have))
		return PXB_ERR_NOENT;
	return pxb_boot_menu_file(f, render, p, have ? &target : NULL);
}

static const struct pxb_vfs_provider provider = {
	.name = "pxelinux",
	.open = cfg_open,
};

static void apply(struct pxl_plugin *p, const pxb_conf_node *sec)
{
	snprintf(p->path, sizeof(p->path), "%s", pxb_conf_string(sec, "path"));
	snprintf(p->ui, sizeof(p->ui), "%s", pxb_conf_string(sec, "ui"));
	p->opts.use_http = pxb_conf_bool(sec, "use_http");
	p->opts.ui = p->ui;
}

static int init(pxb_host *h, const pxb_conf_node *sec, void **state)
{
	struct pxl_plugin *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return PXB_ERR_NOMEM;
	p->h = h;
	apply(p, sec);
	/* Build once now so configuration mistakes show at start-up. */
	rc = pxb_boot_cache_rebuild(&p->cache, h);
	if (rc < 0)
		goto fail;
	rc = pxb_host_mount(h, p->path, &provider, p, PXB_VFS_ALL);
	if (rc < 0)
		goto fail;
	rc = pxb_host_register(h, PXB_SVC_RENDERER, "pxelinux", &renderer, p);
	if (rc < 0)
		goto fail;
	*state = p;
	return 0;
fail:
	pxb_host_unmount(h, p);
	pxb_boot_cache_free(&p->cache);
	free(p);
	return rc;
}

static int reload(void *state, const pxb_conf_node *sec)
{
	struct pxl_plugin *p = state;
	char old[sizeof(p->path)];
	int rc = pxb_boot_cache_rebuild(&p->cache, p->h);

	if (rc < 0)
		return rc; /* the old model stays */
	memcpy(old, p->path, sizeof(old));
	apply(p, sec);
	if (strcmp(old, p->path) != 0)
		return pxb_host_mount(p->h, p->path, &provider, p, PXB_VFS_ALL);
	return 0;
}

static void fini(void *state)
{
	struct pxl_plugin *p = state;

	if (!p)
		return;
	pxb_boot_cache_free(&p->cache);
	free(p);
}

PXB_PLUGIN(.name = "pxelinux", .version = PXB_VERSION_STRING,
	   .summary = "PXELINUX configuration files rendered per client", .settings = settings,
	   .init = init, .reload = reload, .fini = fini);
