/*
 * boot_menu_plugin.c - the glue of a menu renderer plugin (pxeboot/boot_menu_plugin.h):
 * its model cache, its mounts, its renderer registration and its menus
 * rendered into buffers, once for every renderer.
 */
#include "config.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/boot.h>
#include <pxeboot/install.h>
#include <pxeboot/boot_menu_plugin.h>

/* One prefix served; its address owns the mount in the host's namespace. */
struct mount {
	pxb_menu_plugin *mp;
	void *arg; /* handed to desc->open */
	char prefix[256];
};

struct pxb_menu_plugin {
	const struct pxb_menu_plugin_desc *d;
	pxb_host *h;
	struct pxb_boot_cache cache;
	struct pxb_renderer renderer;
	struct pxb_vfs_provider provider;
	struct mount mounts[PXB_MENU_PLUGIN_MAX_MOUNTS];
	unsigned nmounts;
	unsigned mounted; /* mounts[0..mounted) are in the namespace */
	int add_rc;       /* the first error of add_mount during an apply */
	struct pxb_install_menu install;
	max_align_t state[]; /* desc->state_size bytes */
};

void *pxb_menu_plugin_state(pxb_menu_plugin *mp)
{
	return mp->state;
}

pxb_host *pxb_menu_plugin_host(pxb_menu_plugin *mp)
{
	return mp->h;
}

int pxb_menu_plugin_add_mount(pxb_menu_plugin *mp, const char *prefix, void *mount_arg)
{
	struct mount *mt;
	int rc = 0;

	if (!prefix || !*prefix)
		rc = PXB_ERR_INVAL;
	else if (mp->nmounts >= PXB_MENU_PLUGIN_MAX_MOUNTS ||
		 strlen(prefix) >= sizeof(mt->prefix))
		rc = PXB_ERR_TOOBIG;
	if (rc < 0) {
		if (!mp->add_rc)
			mp->add_rc = rc;
		return rc;
	}
	mt = &mp->mounts[mp->nmounts++];
	mt->mp = mp;
	mt->arg = mount_arg;
	snprintf(mt->prefix, sizeof(mt->prefix), "%s", prefix);
	return 0;
}

const char *pxb_menu_plugin_mount_prefix(pxb_menu_plugin *mp, unsigned i)
{
	return i < mp->nmounts ? mp->mounts[i].prefix : NULL;
}

const pxb_boot_model *pxb_menu_plugin_model(pxb_menu_plugin *mp)
{
	int rebuilt;
	const pxb_boot_model *m = pxb_boot_cache_get(&mp->cache, mp->h, &rebuilt);

	if (rebuilt && mp->d->rebuilt)
		mp->d->rebuilt(mp, m);
	return m; /* on failure the previous model stays */
}

int pxb_menu_plugin_render(pxb_menu_plugin *mp, const struct pxb_client *client, int served,
			   char **out, size_t *len)
{
	const pxb_boot_model *m = pxb_menu_plugin_model(mp);
	alignas(max_align_t) unsigned char opts[PXB_MENU_PLUGIN_MAX_OPTS];
	struct pxb_client copy, *c = NULL;
	int rc;

	if (!m)
		return PXB_ERR_CONFIG;
	if (client) {
		copy = *client;
		c = &copy;
	}
	memset(opts, 0, sizeof(opts));
	if (mp->d->options) {
		rc = mp->d->options(mp, m, c, served, opts);
		if (rc < 0)
			return rc;
	}
	return pxb_boot_render_mem(mp->d->write, m, c, opts, out, len, pxb_boot_warn_log, mp->h);
}

/* The registered renderer's render: the menu as a DHCP boot rule's client sees it. */
static int renderer_render(void *arg, const struct pxb_client *c, char **out, size_t *len)
{
	return pxb_menu_plugin_render(arg, c, 0, out, len);
}

/* The menu as served by a file of the namespace. */
static int served_render(void *arg, const struct pxb_client *c, char **out, size_t *len)
{
	return pxb_menu_plugin_render(arg, c, 1, out, len);
}

int pxb_menu_plugin_serve(pxb_menu_plugin *mp, struct pxb_file *f, const struct pxb_client *c)
{
	return pxb_boot_menu_file(f, served_render, mp, c);
}

static const char *renderer_menu_path(void *arg, const struct pxb_client *c)
{
	pxb_menu_plugin *mp = arg;

	if (mp->d->menu_path)
		return mp->d->menu_path(mp);
	(void)c;
	return mp->nmounts ? mp->mounts[0].prefix : "";
}

static int mount_open(void *arg, const char *rel, const struct pxb_client *c, struct pxb_file *f)
{
	struct mount *mt = arg;

	if (mt->mp->d->open)
		return mt->mp->d->open(mt->mp, mt->arg, rel, c, f);
	if (*rel)
		return PXB_ERR_NOENT; /* only the mount point itself */
	return pxb_menu_plugin_serve(mt->mp, f, c);
}

int pxb_menu_plugin_install(pxb_menu_plugin *mp, const pxb_boot_model *m,
			    const struct pxb_client *c, int64_t now, const char **default_id,
			    unsigned *timeout)
{
	if (pxb_install_menu(mp->h, m, c, now, &mp->install) != 1)
		return 0;
	*default_id = mp->install.default_id;
	*timeout = mp->install.timeout;
	return 1;
}

static void unmount_from(pxb_menu_plugin *mp, unsigned from)
{
	for (unsigned i = from; i < mp->mounted; i++)
		pxb_host_unmount(mp->h, &mp->mounts[i]);
	if (mp->mounted > from)
		mp->mounted = from;
}

/* Mounts every declared prefix, in place of what each slot had mounted. */
static int mount_all(pxb_menu_plugin *mp)
{
	unmount_from(mp, mp->nmounts);
	for (unsigned i = 0; i < mp->nmounts; i++) {
		int rc = pxb_host_mount(mp->h, mp->mounts[i].prefix, &mp->provider,
					&mp->mounts[i], PXB_VFS_ALL);
		if (rc < 0) {
			/* pxb_host_mount left slot i without a mount; later ones keep theirs */
			for (unsigned k = i; k < mp->mounted; k++)
				pxb_host_unmount(mp->h, &mp->mounts[k]);
			mp->mounted = i;
			return rc;
		}
	}
	mp->mounted = mp->nmounts;
	return 0;
}

/* Runs desc->apply with an empty list of mounts. */
static int apply(pxb_menu_plugin *mp, const pxb_conf_node *sec)
{
	int rc;

	mp->nmounts = 0;
	mp->add_rc = 0;
	rc = mp->d->apply(mp, sec);
	return rc < 0 ? rc : mp->add_rc;
}

int pxb_menu_plugin_init(const struct pxb_menu_plugin_desc *d, pxb_host *h,
			 const pxb_conf_node *sec, void **state)
{
	pxb_menu_plugin *mp;
	int rc;

	if (!d || !d->format || !d->apply || !d->write || d->opts_size > PXB_MENU_PLUGIN_MAX_OPTS)
		return PXB_ERR_INVAL;
	mp = calloc(1, sizeof(*mp) + d->state_size);
	if (!mp)
		return PXB_ERR_NOMEM;
	mp->d = d;
	mp->h = h;
	mp->renderer.size = sizeof(mp->renderer);
	mp->renderer.format = d->format;
	mp->renderer.render = renderer_render;
	mp->renderer.menu_path = renderer_menu_path;
	mp->provider.name = d->format;
	mp->provider.open = mount_open;
	rc = apply(mp, sec);
	if (rc < 0)
		goto fail;
	/* Build once now so configuration mistakes show at start-up. */
	rc = pxb_boot_cache_rebuild(&mp->cache, h);
	if (rc < 0)
		goto fail;
	if (d->rebuilt)
		d->rebuilt(mp, mp->cache.model);
	rc = mount_all(mp);
	if (rc < 0)
		goto fail;
	rc = pxb_host_register(h, PXB_SVC_RENDERER, d->format, &mp->renderer, mp);
	if (rc < 0)
		goto fail;
	*state = mp;
	return 0;
fail:
	pxb_menu_plugin_fini(mp);
	return rc;
}

/* Do the declared prefixes differ from the ones mounted (old, n)? */
static int moved(const pxb_menu_plugin *mp, char (*old)[256], unsigned n)
{
	if (n != mp->nmounts)
		return 1;
	for (unsigned i = 0; i < n; i++)
		if (strcmp(old[i], mp->mounts[i].prefix) != 0)
			return 1;
	return 0;
}

int pxb_menu_plugin_reload(void *state, const pxb_conf_node *sec)
{
	pxb_menu_plugin *mp = state;
	char old[PXB_MENU_PLUGIN_MAX_MOUNTS][256];
	unsigned n = mp->nmounts;
	int rc = pxb_boot_cache_rebuild(&mp->cache, mp->h);

	if (rc < 0)
		return rc; /* the old model, settings and mounts stay */
	if (mp->d->rebuilt)
		mp->d->rebuilt(mp, mp->cache.model);
	for (unsigned i = 0; i < n; i++)
		memcpy(old[i], mp->mounts[i].prefix, sizeof(old[i]));
	rc = apply(mp, sec);
	if (rc < 0)
		return rc;
	if (moved(mp, old, n) || mp->mounted != mp->nmounts)
		return mount_all(mp);
	return 0;
}

void pxb_menu_plugin_fini(void *state)
{
	pxb_menu_plugin *mp = state;

	if (!mp)
		return;
	/* The mounts are keyed by &mp->mounts[i], not by the state the host
	 * removes mounts by: they go here, before the memory they point at. */
	unmount_from(mp, 0);
	pxb_boot_cache_free(&mp->cache);
	free(mp);
}

void pxb_boot_warn_left_out(pxb_boot_warn_fn warn, void *warn_arg, const char *format,
			    const char *id, const char *why)
{
	char msg[512];

	if (!warn)
		return;
	snprintf(msg, sizeof(msg), "%s menu: entry \"%s\" left out: %s", format, id, why);
	warn(warn_arg, msg);
}
