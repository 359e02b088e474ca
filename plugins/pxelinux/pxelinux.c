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

#include <stdio.h>
#include <time.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/boot.h>
#include <pxeboot/boot_menu_plugin.h>
#include "pxelinux_render.h"

struct pxl_plugin {
	char path[256];
	char ui[64];
	struct pxb_pxelinux_opts opts;
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

static int options(pxb_menu_plugin *mp, const pxb_boot_model *m, struct pxb_client *c,
		   int served, void *opts)
{
	struct pxb_pxelinux_opts *o = opts;

	(void)served;
	*o = ((struct pxl_plugin *)pxb_menu_plugin_state(mp))->opts;
	/* An unattended install of c (pxeboot/install.h): its entry, or the disk. */
	pxb_menu_plugin_install(mp, m, c, (int64_t)time(NULL), &o->default_id, &o->force_timeout);
	return 0;
}

static int cfg_open(pxb_menu_plugin *mp, void *mount_arg, const char *rel,
		    const struct pxb_client *c, struct pxb_file *f)
{
	struct pxb_client known, target;
	const struct pxb_client *k = c;
	int have;

	(void)mount_arg;
	/* Nothing passed by the protocol: what the DHCP side learned may tell. */
	if (!k && pxb_boot_known_client(pxb_menu_plugin_host(mp), rel, &known) == 0)
		k = &known;
	if (!pxb_pxelinux_lookup(rel, k, &target, &have))
		return PXB_ERR_NOENT;
	return pxb_menu_plugin_serve(mp, f, have ? &target : NULL);
}

static int apply(pxb_menu_plugin *mp, const pxb_conf_node *sec)
{
	struct pxl_plugin *p = pxb_menu_plugin_state(mp);

	snprintf(p->path, sizeof(p->path), "%s", pxb_conf_string(sec, "path"));
	snprintf(p->ui, sizeof(p->ui), "%s", pxb_conf_string(sec, "ui"));
	p->opts.use_http = pxb_conf_bool(sec, "use_http");
	p->opts.ui = p->ui;
	return pxb_menu_plugin_add_mount(mp, p->path, NULL);
}

static const struct pxb_menu_plugin_desc desc = {
	.format = "pxelinux",
	.state_size = sizeof(struct pxl_plugin),
	.apply = apply,
	.write = pxb_pxelinux_write,
	.opts_size = sizeof(struct pxb_pxelinux_opts),
	.options = options,
	.open = cfg_open,
};

static int init(pxb_host *h, const pxb_conf_node *sec, void **state)
{
	return pxb_menu_plugin_init(&desc, h, sec, state);
}

PXB_PLUGIN(.name = "pxelinux", .version = PXB_VERSION_STRING,
	   .summary = "PXELINUX configuration files rendered per client", .settings = settings,
	   .init = init, .reload = pxb_menu_plugin_reload, .fini = pxb_menu_plugin_fini);
