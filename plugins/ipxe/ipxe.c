/*
 * ipxe.c - the iPXE menu plugin: serves the boot menu as an iPXE script at
 * ipxe.menu_path (default /menu.ipxe) over TFTP and HTTP, rendered for the
 * client asking, and registers itself as the "ipxe" renderer so the DHCP
 * side can hand that name to iPXE clients.
 *
 * The boot model is built from the configuration and the catalogs when
 * first needed, kept, and built again after a reload (SIGHUP) or when a
 * catalog's generation changes (a rescan found other files).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/boot.h>
#include "ipxe_render.h"

struct ipxe_plugin {
	pxb_host *h;
	char path[256];
	pxb_boot_model *model;
	uint64_t gen;
	int stale;
};

static const struct pxb_conf_setting settings[] = {
	{"menu_path", PXB_CT_STRING, "/menu.ipxe", 0, 0, NULL, pxb_check_abs_path,
	 "name the iPXE menu script is served under (TFTP and HTTP)"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static void warn(void *arg, const char *msg)
{
	pxb_host_log(arg, PXB_LOG_WARNING, "%s", msg);
}

/* The current model, built again when stale. NULL when none could be built. */
static const pxb_boot_model *model(struct ipxe_plugin *p)
{
	uint64_t gen = pxb_boot_catalogs_generation(p->h);
	pxb_boot_model *m;

	if (p->model && !p->stale && gen == p->gen)
		return p->model;
	if (pxb_boot_model_build(p->h, &m) == 0) {
		pxb_boot_model_free(p->model);
		p->model = m;
		p->gen = gen;
		p->stale = 0;
	}
	return p->model; /* on failure the previous model stays */
}

static int render(void *arg, const struct pxb_client *c, char **out, size_t *len)
{
	struct ipxe_plugin *p = arg;
	const pxb_boot_model *m = model(p);

	if (!m)
		return PXB_ERR_CONFIG;
	return pxb_ipxe_render_buf(m, c, out, len, warn, p->h);
}

static const char *menu_path(void *arg, const struct pxb_client *c)
{
	struct ipxe_plugin *p = arg;

	(void)c;
	return p->path;
}

static const struct pxb_renderer renderer = {
	.size = sizeof(struct pxb_renderer),
	.format = "ipxe",
	.render = render,
	.menu_path = menu_path,
};

static void release(struct pxb_file *f)
{
	free(f->priv);
	f->priv = NULL;
	f->data = NULL;
}

static int menu_open(void *arg, const char *rel, const struct pxb_client *c, struct pxb_file *f)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (*rel)
		return PXB_ERR_NOENT; /* only the mount point itself */
	rc = render(arg, c, &buf, &len);
	if (rc < 0)
		return rc == PXB_ERR_NOMEM ? rc : PXB_ERR_IO;
	pxb_file_from_buffer(f, buf, len, 0);
	f->priv = buf;
	f->release = release;
	f->generated = 1;
	f->content_type = "text/plain; charset=utf-8";
	return 0;
}

static const struct pxb_vfs_provider provider = {
	.name = "ipxe",
	.open = menu_open,
};

static const char *setting(struct ipxe_plugin *p, const pxb_conf_node *sec, const char *k)
{
	char full[64];

	if (sec)
		return pxb_conf_string(sec, k);
	snprintf(full, sizeof(full), "ipxe.%s", k);
	return pxb_conf_string(pxb_conf_root(pxb_host_conf(p->h)), full);
}

static int mount(struct ipxe_plugin *p)
{
	pxb_vfs *v = pxb_host_vfs(p->h);

	return v ? pxb_vfs_mount_provider(v, p->path, &provider, p, PXB_VFS_ALL) : 0;
}

static int init(pxb_host *h, const pxb_conf_node *sec, void **state)
{
	struct ipxe_plugin *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return PXB_ERR_NOMEM;
	p->h = h;
	snprintf(p->path, sizeof(p->path), "%s", setting(p, sec, "menu_path"));
	/* Build once now so configuration mistakes show at start-up. */
	rc = pxb_boot_model_build(h, &p->model);
	if (rc < 0)
		goto fail;
	p->gen = pxb_boot_catalogs_generation(h);
	rc = mount(p);
	if (rc < 0)
		goto fail;
	rc = pxb_host_register(h, PXB_SVC_RENDERER, "ipxe", &renderer, p);
	if (rc < 0)
		goto fail;
	*state = p;
	return 0;
fail:
	if (pxb_host_vfs(h))
		pxb_vfs_unmount_arg(pxb_host_vfs(h), p);
	pxb_boot_model_free(p->model);
	free(p);
	return rc;
}

static int reload(void *state, const pxb_conf_node *sec)
{
	struct ipxe_plugin *p = state;
	pxb_boot_model *m;
	const char *path = setting(p, sec, "menu_path");
	int rc = pxb_boot_model_build(p->h, &m);

	if (rc < 0)
		return rc; /* the old model and path stay */
	pxb_boot_model_free(p->model);
	p->model = m;
	p->gen = pxb_boot_catalogs_generation(p->h);
	p->stale = 0;
	if (strcmp(path, p->path) != 0) {
		snprintf(p->path, sizeof(p->path), "%s", path);
		if (pxb_host_vfs(p->h))
			pxb_vfs_unmount_arg(pxb_host_vfs(p->h), p);
		return mount(p);
	}
	return 0;
}

static void fini(void *state)
{
	struct ipxe_plugin *p = state;

	if (!p)
		return;
	pxb_boot_model_free(p->model);
	free(p);
}

PXB_PLUGIN(.name = "ipxe", .version = PXB_VERSION_STRING,
	   .summary = "iPXE boot menu scripts rendered per client", .settings = settings,
	   .init = init, .reload = reload, .fini = fini);
