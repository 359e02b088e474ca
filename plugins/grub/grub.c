/*
 * grub.c - the GRUB plugin: the Secure Boot chain firmware -> shim -> GRUB.
 *
 * - Serves Debian's signed shim and signed network GRUB from where the
 *   packages install them (grub.shim, grub.grub) as <loader_dir>/shimx64.efi
 *   and <loader_dir>/grubx64.efi, over TFTP and HTTP, without copying: each
 *   request opens the configured file and serves its descriptor (the tree's
 *   own vfs refuses symbolic links leaving the root, so a provider it is).
 *   shim loads grubx64.efi from the directory it was loaded from.
 * - Answers grub.paths (default /grub/grub.cfg and /grub/x86_64-efi/grub.cfg,
 *   where Debian's grubnetx64 looks with its prefix /grub) with grub.cfg
 *   rendered from the boot model for the client asking, and, with
 *   grub.per_client, the names GRUB tries first beside them:
 *   grub.cfg-01-<mac> and grub.cfg-<HEX IP> (see grub_render.h).
 * - Registers the "grub" renderer.
 *
 * Files it does not know under those directories fall through to the tree.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/boot.h>
#include "grub_render.h"

#define MAX_PATHS 8
#define SHIM_NAME "shimx64.efi"
#define GRUB_NAME "grubx64.efi"

struct grub_plugin;

/* One mount: a directory of grub.cfg names, or one loader file. */
struct grub_mount {
	struct grub_plugin *p;
	char prefix[256];     /* where it is mounted */
	char disk[4096];      /* loader: the file on disk */
	int loader;
};

struct grub_plugin {
	pxb_host *h;
	char paths[MAX_PATHS][256];
	unsigned npaths;
	struct pxb_grub_opts opts;
	int per_client;
	struct grub_mount mounts[MAX_PATHS + 2];
	unsigned nmounts;
	struct pxb_boot_cache cache;
};

static const struct pxb_conf_setting settings[] = {
	{"paths", PXB_CT_STRINGS, "/grub/grub.cfg,/grub/x86_64-efi/grub.cfg", 0, 0, NULL,
	 pxb_check_abs_path, "names grub.cfg is served under, rendered for the client asking"},
	{"per_client", PXB_CT_BOOL, "true", 0, 0, NULL, NULL,
	 "also answer grub.cfg-01-<mac> and grub.cfg-<HEX IP> beside each of grub.paths"},
	{"serial", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "GRUB menu on the serial port too (serial --unit=0 --speed=115200)"},
	{"shim", PXB_CT_STRING, "/usr/lib/shim/shimx64.efi.signed", 0, 0, NULL, NULL,
	 "signed shim served as <loader_dir>/shimx64.efi (Debian: shim-signed; empty: none)"},
	{"grub", PXB_CT_STRING, "/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed", 0, 0,
	 NULL, NULL,
	 "signed network GRUB served as <loader_dir>/grubx64.efi (grub-efi-amd64-signed; empty: none)"},
	{"loader_dir", PXB_CT_STRING, "/", 0, 0, NULL, pxb_check_abs_path,
	 "directory of the namespace shimx64.efi and grubx64.efi are served in"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static const pxb_boot_model *model(struct grub_plugin *p)
{
	return pxb_boot_cache_get(&p->cache, p->h, NULL);
}

static int render(void *arg, const struct pxb_client *c, char **out, size_t *len)
{
	struct grub_plugin *p = arg;
	const pxb_boot_model *m = model(p);
	struct pxb_grub_opts o = p->opts;
	struct pxb_install_menu im;

	if (!m)
		return PXB_ERR_CONFIG;
	/* An unattended install of c (pxeboot/install.h): its entry, or the disk. */
	if (pxb_install_menu(p->h, m, c, (int64_t)time(NULL), &im) == 1) {
		o.default_id = im.default_id;
		o.force_timeout = im.timeout;
	}
	return pxb_grub_render_buf(m, c, &o, out, len, pxb_boot_warn_log, p->h);
}

static const char *menu_path(void *arg, const struct pxb_client *c)
{
	struct grub_plugin *p = arg;

	(void)c;
	return p->npaths ? p->paths[0] : "/grub/grub.cfg";
}

static const struct pxb_renderer renderer = {
	.size = sizeof(struct pxb_renderer),
	.format = "grub",
	.render = render,
	.menu_path = menu_path,
};

/* Splits an absolute path into its directory ("/" or "/a/b") and base name. */
static const char *split(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n >= len)
		n = len - 1;
	if (n == 0)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)n, path);
	return slash ? slash + 1 : path;
}

/*
 * The name pxb_grub_lookup understands for rel under the mount, given
 * configured bases: "grub.cfg" for a configured base, "grub.cfg-<suffix>"
 * for "<base>-<suffix>", NULL for anything else.
 */
static int cfg_name(const struct grub_mount *mt, const char *rel, char *out, size_t len)
{
	const struct grub_plugin *p = mt->p;
	char dir[256];

	if (!*rel || strchr(rel, '/'))
		return 0;
	for (unsigned i = 0; i < p->npaths; i++) {
		const char *base = split(p->paths[i], dir, sizeof(dir));
		size_t bl = strlen(base);
		if (strcmp(dir, mt->prefix) != 0)
			continue;
		if (strcmp(rel, base) == 0) {
			snprintf(out, len, "grub.cfg");
			return 1;
		}
		if (strncmp(rel, base, bl) == 0 && rel[bl] == '-') {
			snprintf(out, len, "grub.cfg%s", rel + bl);
			return 1;
		}
	}
	return 0;
}

static int cfg_open(struct grub_mount *mt, const char *rel, const struct pxb_client *c,
		    struct pxb_file *f)
{
	struct grub_plugin *p = mt->p;
	struct pxb_client known, target;
	const struct pxb_client *k = c;
	char name[300];
	const char *dash;
	int have;

	if (!cfg_name(mt, rel, name, sizeof(name)))
		return PXB_ERR_NOENT;
	/*
	 * Nothing passed by the protocol: what the DHCP side learned may tell,
	 * for a per-client name, "grub.cfg-" and the MAC or address.
	 */
	dash = strchr(name, '-');
	if (!k && dash && pxb_boot_known_client(p->h, dash + 1, &known) == 0)
		k = &known;
	if (!pxb_grub_lookup(name, p->per_client, k, &target, &have))
		return PXB_ERR_NOENT;
	return pxb_boot_menu_file(f, render, p, have ? &target : NULL);
}

static void release_fd(struct pxb_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* A loader: the configured file itself, opened for this request. */
static int loader_open(struct grub_mount *mt, const char *rel, struct pxb_file *f)
{
	struct stat st;
	int fd;

	if (*rel)
		return PXB_ERR_NOENT; /* only the name itself */
	fd = open(mt->disk, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		pxb_host_log(mt->p->h, PXB_LOG_WARNING, "%s: %s: %s", mt->prefix, mt->disk,
			     strerror(errno));
		return errno == ENOENT ? PXB_ERR_NOENT : PXB_ERR_IO;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return PXB_ERR_ACCESS;
	}
	f->fd = fd;
	f->fd_offset = 0;
	f->size = (uint64_t)st.st_size;
	f->mtime = st.st_mtime;
	f->release = release_fd;
	f->content_type = "application/efi";
	return 0;
}

static int mount_open(void *arg, const char *rel, const struct pxb_client *c,
		      struct pxb_file *f)
{
	struct grub_mount *mt = arg;

	return mt->loader ? loader_open(mt, rel, f) : cfg_open(mt, rel, c, f);
}

static const struct pxb_vfs_provider provider = {
	.name = "grub",
	.open = mount_open,
};

static void unmount_all(struct grub_plugin *p)
{
	for (unsigned i = 0; i < p->nmounts; i++)
		pxb_host_unmount(p->h, &p->mounts[i]);
	p->nmounts = 0;
}

static void add_loader(struct grub_plugin *p, const char *dir, const char *name,
		       const char *disk, const char *what)
{
	struct grub_mount *mt = &p->mounts[p->nmounts];

	if (!disk || !*disk)
		return;
	memset(mt, 0, sizeof(*mt));
	mt->p = p;
	mt->loader = 1;
	snprintf(mt->prefix, sizeof(mt->prefix), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
		 name);
	snprintf(mt->disk, sizeof(mt->disk), "%s", disk);
	if (access(disk, R_OK) != 0)
		pxb_host_log(p->h, PXB_LOG_WARNING,
			     "grub.%s: %s: %s; %s will not be found (Debian: apt-get install %s)",
			     what, disk, strerror(errno), mt->prefix,
			     !strcmp(what, "shim") ? "shim-signed" : "grub-efi-amd64-signed");
	p->nmounts++;
}

static void apply(struct grub_plugin *p, const pxb_conf_node *sec)
{
	char dir[256];
	unsigned cnt = pxb_conf_count(sec, "paths");
	const char *ldir;

	p->npaths = 0;
	for (unsigned i = 0; i < cnt && p->npaths < MAX_PATHS; i++) {
		const char *s = pxb_conf_elem_string(sec, "paths", i);
		if (s && *s)
			snprintf(p->paths[p->npaths++], sizeof(p->paths[0]), "%s", s);
	}
	p->per_client = pxb_conf_bool(sec, "per_client");
	p->opts.serial = pxb_conf_bool(sec, "serial");

	p->nmounts = 0;
	/* One mount per distinct directory of the configured names. */
	for (unsigned i = 0; i < p->npaths; i++) {
		int dup = 0;
		split(p->paths[i], dir, sizeof(dir));
		for (unsigned k = 0; k < p->nmounts; k++)
			dup |= !strcmp(p->mounts[k].prefix, dir);
		if (dup)
			continue;
		memset(&p->mounts[p->nmounts], 0, sizeof(p->mounts[0]));
		p->mounts[p->nmounts].p = p;
		snprintf(p->mounts[p->nmounts].prefix, sizeof(p->mounts[0].prefix), "%s", dir);
		p->nmounts++;
	}
	ldir = pxb_conf_string(sec, "loader_dir");
	if (!ldir || !*ldir)
		ldir = "/";
	add_loader(p, ldir, SHIM_NAME, pxb_conf_string(sec, "shim"), "shim");
	add_loader(p, ldir, GRUB_NAME, pxb_conf_string(sec, "grub"), "grub");
}

static int mount(struct grub_plugin *p)
{
	for (unsigned i = 0; i < p->nmounts; i++) {
		int rc = pxb_host_mount(p->h, p->mounts[i].prefix, &provider, &p->mounts[i],
					PXB_VFS_ALL);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int init(pxb_host *h, const pxb_conf_node *sec, void **state)
{
	struct grub_plugin *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return PXB_ERR_NOMEM;
	p->h = h;
	apply(p, sec);
	/* Build once now so configuration mistakes show at start-up. */
	rc = pxb_boot_cache_rebuild(&p->cache, h);
	if (rc < 0)
		goto fail;
	rc = mount(p);
	if (rc < 0)
		goto fail;
	rc = pxb_host_register(h, PXB_SVC_RENDERER, "grub", &renderer, p);
	if (rc < 0)
		goto fail;
	*state = p;
	return 0;
fail:
	unmount_all(p);
	pxb_boot_cache_free(&p->cache);
	free(p);
	return rc;
}

static int reload(void *state, const pxb_conf_node *sec)
{
	struct grub_plugin *p = state;
	int rc = pxb_boot_cache_rebuild(&p->cache, p->h);

	if (rc < 0)
		return rc; /* the old model stays */
	unmount_all(p);
	apply(p, sec);
	return mount(p);
}

static void fini(void *state)
{
	struct grub_plugin *p = state;

	if (!p)
		return;
	/* Its mounts are keyed by &p->mounts[i], not by the state the host
	 * removes mounts by: they go here, before the memory they point at. */
	unmount_all(p);
	pxb_boot_cache_free(&p->cache);
	free(p);
}

PXB_PLUGIN(.name = "grub", .version = PXB_VERSION_STRING,
	   .summary = "Secure Boot chain: signed shim and GRUB, grub.cfg rendered per client",
	   .settings = settings, .init = init, .reload = reload, .fini = fini);
