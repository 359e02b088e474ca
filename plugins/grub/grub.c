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
#include <pxeboot/boot_menu_plugin.h>
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

static int options(pxb_menu_plugin *mp, const pxb_boot_model *m, struct pxb_client *c,
		   int served, void *opts)
{
	struct pxb_grub_opts *o = opts;

	(void)served;
	*o = ((struct grub_plugin *)pxb_menu_plugin_state(mp))->opts;
	/* An unattended install of c (pxeboot/install.h): its entry, or the disk. */
	pxb_menu_plugin_install(mp, m, c, (int64_t)time(NULL), &o->default_id, &o->force_timeout);
	return 0;
}

static const char *menu_path(pxb_menu_plugin *mp)
{
	struct grub_plugin *p = pxb_menu_plugin_state(mp);

	return p->npaths ? p->paths[0] : "/grub/grub.cfg";
}

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

static int cfg_open(pxb_menu_plugin *mp, struct grub_mount *mt, const char *rel,
		    const struct pxb_client *c, struct pxb_file *f)
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
	return pxb_menu_plugin_serve(mp, f, have ? &target : NULL);
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

static int mount_open(pxb_menu_plugin *mp, void *arg, const char *rel,
		      const struct pxb_client *c, struct pxb_file *f)
{
	struct grub_mount *mt = arg;

	return mt->loader ? loader_open(mt, rel, f) : cfg_open(mp, mt, rel, c, f);
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

static int apply(pxb_menu_plugin *mp, const pxb_conf_node *sec)
{
	struct grub_plugin *p = pxb_menu_plugin_state(mp);
	char dir[256];
	unsigned cnt = pxb_conf_count(sec, "paths");
	const char *ldir;
	int rc = 0;

	p->npaths = 0;
	for (unsigned i = 0; i < cnt && p->npaths < MAX_PATHS; i++) {
		const char *s = pxb_conf_elem_string(sec, "paths", i);
		if (s && *s)
			snprintf(p->paths[p->npaths++], sizeof(p->paths[0]), "%s", s);
	}
	p->per_client = pxb_conf_bool(sec, "per_client");
	p->opts.serial = pxb_conf_bool(sec, "serial");

	p->h = pxb_menu_plugin_host(mp);
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
	for (unsigned i = 0; i < p->nmounts && rc == 0; i++)
		rc = pxb_menu_plugin_add_mount(mp, p->mounts[i].prefix, &p->mounts[i]);
	return rc;
}

static const struct pxb_menu_plugin_desc desc = {
	.format = "grub",
	.state_size = sizeof(struct grub_plugin),
	.apply = apply,
	.write = pxb_grub_write,
	.opts_size = sizeof(struct pxb_grub_opts),
	.options = options,
	.open = mount_open,
	.menu_path = menu_path,
};

static int init(pxb_host *h, const pxb_conf_node *sec, void **state)
{
	return pxb_menu_plugin_init(&desc, h, sec, state);
}

PXB_PLUGIN(.name = "grub", .version = PXB_VERSION_STRING,
	   .summary = "Secure Boot chain: signed shim and GRUB, grub.cfg rendered per client",
	   .settings = settings, .init = init, .reload = pxb_menu_plugin_reload,
	   .fini = pxb_menu_plugin_fini);
