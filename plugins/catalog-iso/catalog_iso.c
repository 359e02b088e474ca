/*
 * catalog_iso.c - the ISO catalog plugin: boots straight from ISO images
 * (registered as the "iso" catalog).
 *
 *   iso = {
 *     dirs = ["/srv/iso"];   # scanned for *.iso (not recursively)
 *     prefix = "/iso";       # served at /iso/<name>/... and /iso/<name>.iso
 *   };
 *
 * Every file inside an image is served, over TFTP and HTTP, from the
 * image's own bytes: the provider hands out a duplicate of the image's
 * descriptor with the file's offset and size, so HTTP sends it with
 * sendfile and Range, HEAD and Content-Length work as for any file. Nothing
 * is extracted. The images are read at start and on reload (SIGHUP); an
 * image whose file changed (device, inode, size or mtime) is read again
 * when a file inside it is next opened.
 *
 * What a transfer sees when an image is replaced: a transfer that already
 * opened its file keeps reading the image it started on (its descriptor
 * holds the old inode, so replacing the file with rename(2) or removing it
 * never mixes old and new bytes); opens after the change see the new image.
 * An image rewritten in place (same inode) is not protected, as with any
 * file served from disk: replace images by renaming a finished copy.
 *
 * Images that cannot be used (truncated, corrupted, loops, overlong names,
 * extents past the end of the file, more files, levels or directory bytes
 * than the limits) are refused with a log line naming the file and the
 * problem; everything else goes on being served. A refusal is remembered
 * with the file's identity (device, inode, size, mtime): requests naming a
 * refused image do not read it again until the file changes.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/boot.h>
#include "iso_image.h"
#include "iso_recognize.h"

/* A file's identity: a refused image is not read again until it changes. */
struct ident {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct slot {
	char *name; /* in the namespace: <prefix>/<name>/ and <prefix>/<name>.iso */
	char *path; /* on disk */
	struct pxb_iso_image *img;
	int refused;           /* img is NULL: the file as it was (ref) could not be used */
	struct ident ref;
};

struct catiso {
	pxb_host *h;
	pthread_mutex_t mu; /* the provider may be called from libmicrohttpd's own thread */
	char prefix[256];
	struct pxb_iso_limits lim;
	uint64_t memdisk_max;
	char preseed[1024];
	char autoinstall[1024], ks_answer[1024];
	struct slot *s;
	size_t n;
	pxb_boot_model *found;
	uint64_t gen;
	struct pxb_layout_said said; /* lines logged, not repeated at a rescan */
};

static const struct pxb_conf_setting settings[] = {
	{"dirs", PXB_CT_STRINGS, NULL, 0, 0, NULL, pxb_check_abs_path,
	 "directories (absolute paths) scanned for *.iso images, not recursively"},
	{"prefix", PXB_CT_STRING, "/iso", 0, 0, NULL, pxb_check_abs_path,
	 "where each image's files are served (<prefix>/<name>/...) and the image itself "
	 "(<prefix>/<name>.iso)"},
	{"max_images", PXB_CT_INT, "64", 1, 4096, NULL, NULL,
	 "images read at most; the others are logged and ignored"},
	{"max_files", PXB_CT_INT, "100000", 1, 10000000, NULL, NULL,
	 "files and directories in one image; an image with more is refused"},
	{"max_depth", PXB_CT_INT, "32", 1, 128, NULL, NULL,
	 "directory levels in one image; an image nested deeper is refused"},
	{"max_table_mib", PXB_CT_INT, "64", 1, 4096, NULL, NULL,
	 "MiB of directory records read from one image (its file table); an image with more "
	 "is refused"},
	{"preseed", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "answer template (a file) of the Debian/Ubuntu installers in images: unattended "
	 "installs (empty: none)"},
	{"autoinstall", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "answer template (user-data) of Ubuntu's live-server installers in images: an "
	 "unattended install entry each (empty: none)"},
	{"kickstart_answer", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "answer template (a kickstart) of the Fedora/RHEL installers in images (empty: none)"},
	{"memdisk_max_mib", PXB_CT_INT, "128", 0, 4096, NULL, NULL,
	 "unrecognized images up to this size boot through memdisk, larger ones through "
	 "iPXE sanboot over HTTP"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

/* Logs a line once per key (a rescan does not repeat it). */
static void log_once(struct catiso *c, int level, const char *key, const char *line)
{
	if (pxb_layout_said_first(&c->said, key))
		pxb_host_log(c->h, level, "%s", line);
}

static void report_image(struct catiso *c, int level, const char *path, const char *what)
{
	char key[4600], line[4600];
	struct stat st;

	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof(st));
	snprintf(key, sizeof(key), "%s %lld %lld %s", path, (long long)st.st_size,
		 (long long)st.st_mtime, what);
	snprintf(line, sizeof(line), "catalog-iso: %s: %s", path, what);
	log_once(c, level, key, line);
}

static void slots_free(struct slot *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].path);
		pxb_iso_image_free(s[i].img);
	}
	free(s);
}

static int ident_of(const char *path, struct ident *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (stat(path, &st) < 0)
		return -1;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime = st.st_mtim;
	return 0;
}

/* Is the file at path still the one that was refused (same device, inode, size and mtime)? */
static int still_refused(const struct slot *s)
{
	struct ident now;

	return s->refused && ident_of(s->path, &now) == 0 && now.dev == s->ref.dev &&
	       now.ino == s->ref.ino && now.size == s->ref.size &&
	       now.mtime.tv_sec == s->ref.mtime.tv_sec && now.mtime.tv_nsec == s->ref.mtime.tv_nsec;
}

/*
 * Reads the image of slot s, logging a refusal; s->img NULL when refused.
 * A refusal is remembered with the file's identity, taken before reading,
 * so that the same file is not read again (see still_refused).
 */
static void read_image(struct catiso *c, struct slot *s)
{
	const char *path = s->path;
	struct pxb_iso_image *img = NULL;
	char why[1024], what[1200];
	int rc, have_id = ident_of(path, &s->ref) == 0;

	pxb_host_log(c->h, PXB_LOG_DEBUG, "catalog-iso: %s: reading the image", path);
	rc = pxb_iso_image_open(path, &c->lim, &img, why, sizeof(why));
	s->img = img;
	s->refused = rc < 0 && have_id && rc != PXB_ERR_NOMEM;
	if (rc == 0) {
		if (img->skipped)
			pxb_host_log(c->h, PXB_LOG_DEBUG, "catalog-iso: %s: %u entries not served "
				     "(links, devices, split files)", path, img->skipped);
		return;
	}
	snprintf(what, sizeof(what), "image refused: %s", rc == PXB_ERR_NOMEM ? "out of memory" : why);
	report_image(c, PXB_LOG_ERR, path, what);
}

/* Builds the entries of every readable image into a new model. */
static int build_entries(struct catiso *c)
{
	pxb_boot_model *m = pxb_boot_model_new();
	struct pxb_iso_recog_opts o = {.source = "catalog-iso", .prefix = c->prefix,
				       .memdisk_max = c->memdisk_max, .preseed = c->preseed,
				       .autoinstall = c->autoinstall, .ks_answer = c->ks_answer};

	if (!m)
		return PXB_ERR_NOMEM;
	for (size_t i = 0; i < c->n; i++) {
		char what[512], line[1024];
		int recognized, rc;

		if (!c->s[i].img)
			continue;
		rc = pxb_iso_recognize(c->s[i].img, c->s[i].name, &o, m, &recognized, what,
				       sizeof(what));
		if (rc == PXB_ERR_NOMEM) {
			pxb_boot_model_free(m);
			return rc;
		}
		if (!recognized) {
			report_image(c, PXB_LOG_NOTICE, c->s[i].path, what);
		} else {
			snprintf(line, sizeof(line), "served at %s/%s/: %s", c->prefix, c->s[i].name,
				 what);
			report_image(c, PXB_LOG_INFO, c->s[i].path, line);
		}
	}
	pxb_boot_model_free(c->found);
	c->found = m;
	c->gen++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_iso(const char *n)
{
	size_t l = strlen(n);

	return n[0] != '.' && l > 4 && !strcasecmp(n + l - 4, ".iso");
}

/* Scans the configured directories; images unchanged since the last scan are kept as read. */
static int scan(struct catiso *c, const pxb_conf_node *sec)
{
	unsigned ndirs, max_images;
	struct slot *ns = NULL;
	size_t nn = 0, capn = 0;
	int rc = 0;

	snprintf(c->prefix, sizeof(c->prefix), "%s", pxb_conf_string(sec, "prefix") ?: "/iso");
	for (size_t l = strlen(c->prefix); l > 1 && c->prefix[l - 1] == '/'; l--)
		c->prefix[l - 1] = '\0';
	if (!strcmp(c->prefix, "/"))
		c->prefix[0] = '\0';
	c->lim.max_files = (size_t)pxb_conf_int(sec, "max_files");
	c->lim.max_depth = (unsigned)pxb_conf_int(sec, "max_depth");
	c->lim.max_dir_bytes = (uint64_t)pxb_conf_int(sec, "max_table_mib") << 20;
	c->memdisk_max = (uint64_t)pxb_conf_int(sec, "memdisk_max_mib") << 20;
	snprintf(c->preseed, sizeof(c->preseed), "%s", pxb_conf_string(sec, "preseed") ?: "");
	snprintf(c->autoinstall, sizeof(c->autoinstall), "%s",
		 pxb_conf_string(sec, "autoinstall") ?: "");
	snprintf(c->ks_answer, sizeof(c->ks_answer), "%s",
		 pxb_conf_string(sec, "kickstart_answer") ?: "");
	max_images = (unsigned)pxb_conf_int(sec, "max_images");
	ndirs = pxb_conf_count(sec, "dirs");
	for (unsigned d = 0; d < ndirs; d++) {
		const char *dir = pxb_conf_elem_string(sec, "dirs", d);
		DIR *dh = dir ? opendir(dir) : NULL;
		struct dirent *de;
		char **names = NULL;
		size_t nnames = 0;

		if (!dh) {
			char line[4200];
			snprintf(line, sizeof(line), "catalog-iso: %s: cannot read the directory", dir);
			log_once(c, PXB_LOG_WARNING, line, line);
			continue;
		}
		while ((de = readdir(dh)) != NULL) {
			char **nx;
			if (!is_iso(de->d_name))
				continue;
			nx = realloc(names, (nnames + 1) * sizeof(*nx));
			if (!nx || !(nx[nnames] = strdup(de->d_name))) {
				if (nx)
					names = nx;
				rc = PXB_ERR_NOMEM;
				break;
			}
			names = nx;
			nnames++;
		}
		closedir(dh);
		if (nnames > 1)
			qsort(names, nnames, sizeof(*names), cmp_str);
		for (size_t i = 0; i < nnames && rc == 0; i++) {
			char path[4200], name[256];
			struct stat st;
			struct slot *old = NULL;
			size_t j;

			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
				continue;
			if (pxb_iso_name(names[i], name, sizeof(name)) < 0) {
				report_image(c, PXB_LOG_WARNING, path, "image ignored: no usable name");
				continue;
			}
			for (j = 0; j < nn && strcmp(ns[j].name, name); j++)
				;
			if (j < nn) {
				char what[600];
				snprintf(what, sizeof(what), "image ignored: %s is already served as "
					 "%s/%s/ (from %s)", names[i], c->prefix, name, ns[j].path);
				report_image(c, PXB_LOG_WARNING, path, what);
				continue;
			}
			if (nn >= max_images) {
				report_image(c, PXB_LOG_WARNING, path, "image ignored: more than "
					     "iso.max_images images");
				continue;
			}
			if (nn == capn) {
				size_t ncap = capn ? capn * 2 : 16;
				struct slot *nx = realloc(ns, ncap * sizeof(*nx));
				if (!nx) {
					rc = PXB_ERR_NOMEM;
					break;
				}
				ns = nx;
				capn = ncap;
			}
			memset(&ns[nn], 0, sizeof(ns[nn]));
			ns[nn].name = strdup(name);
			ns[nn].path = strdup(path);
			if (!ns[nn].name || !ns[nn].path) {
				free(ns[nn].name);
				free(ns[nn].path);
				rc = PXB_ERR_NOMEM;
				break;
			}
			for (j = 0; j < c->n; j++)
				if (!strcmp(c->s[j].path, path) &&
				    (c->s[j].img ? pxb_iso_image_same(c->s[j].img, path)
						 : still_refused(&c->s[j])))
					old = &c->s[j];
			if (old) {
				/* unchanged: kept as read, or as refused */
				ns[nn].img = old->img;
				ns[nn].refused = old->refused;
				ns[nn].ref = old->ref;
				old->img = NULL;
			} else {
				read_image(c, &ns[nn]);
			}
			nn++;
		}
		for (size_t i = 0; i < nnames; i++)
			free(names[i]);
		free(names);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		slots_free(ns, nn);
		return rc;
	}
	slots_free(c->s, c->n);
	c->s = ns;
	c->n = nn;
	rc = build_entries(c);
	if (rc == 0) {
		size_t ok = 0;
		for (size_t i = 0; i < c->n; i++)
			ok += c->s[i].img != NULL;
		pxb_host_log(c->h, PXB_LOG_INFO, "catalog-iso: %zu images served at %s/, %zu refused, "
			     "%u entries", ok, c->prefix[0] ? c->prefix : "", c->n - ok,
			     pxb_boot_entry_count(c->found));
	}
	return rc;
}

/* ---- the file provider ---------------------------------------------------- */

static void release_dup(struct pxb_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* The slot named by the first component of rel; *rest gets what follows ("" or "a/b"). */
static struct slot *slot_of(struct catiso *c, const char *rel, const char **rest, int *whole)
{
	size_t l = strcspn(rel, "/");

	*whole = 0;
	*rest = rel[l] == '/' ? rel + l + 1 : rel + l;
	for (size_t i = 0; i < c->n; i++) {
		size_t nl = strlen(c->s[i].name);
		if (l == nl && !strncmp(rel, c->s[i].name, nl))
			return &c->s[i];
		if (!rel[l] && l == nl + 4 && !strncmp(rel, c->s[i].name, nl) &&
		    !strcmp(rel + nl, ".iso")) {
			*whole = 1;
			return &c->s[i];
		}
	}
	return NULL;
}

/*
 * Reads an image again when its file changed since it was read (or
 * refused); 0 if usable. An image refused and unchanged is not read again:
 * requests naming it cost a stat(2), not a parse.
 */
static int fresh(struct catiso *c, struct slot *s)
{
	if (s->img && pxb_iso_image_same(s->img, s->path))
		return 0;
	if (!s->img && still_refused(s))
		return PXB_ERR_NOENT;
	if (s->img)
		pxb_host_log(c->h, PXB_LOG_INFO, "catalog-iso: %s changed, reading it again", s->path);
	pxb_iso_image_free(s->img);
	s->img = NULL;
	read_image(c, s);
	if (build_entries(c) < 0)
		pxb_host_log(c->h, PXB_LOG_ERR, "catalog-iso: out of memory rebuilding entries");
	return s->img ? 0 : PXB_ERR_NOENT;
}

static int prov_open(void *arg, const char *rel, const struct pxb_client *client,
		     struct pxb_file *f)
{
	struct catiso *c = arg;
	const struct pxb_iso_file *e;
	const char *rest;
	struct slot *s;
	int whole, rc = PXB_ERR_NOENT;
	uint64_t off, size;
	int64_t mtime;

	(void)client;
	pthread_mutex_lock(&c->mu);
	s = slot_of(c, rel, &rest, &whole);
	if (!s || fresh(c, s) < 0)
		goto out;
	if (whole) {
		off = 0;
		size = s->img->size;
		mtime = s->img->mtime_sec;
	} else if (!*rest) {
		rc = PXB_ERR_ACCESS; /* the image's top directory */
		goto out;
	} else {
		e = pxb_iso_image_find(s->img, rest);
		if (!e)
			goto out;
		if (e->is_dir) {
			rc = PXB_ERR_ACCESS;
			goto out;
		}
		off = e->offset;
		size = e->size;
		mtime = e->mtime;
	}
	f->fd = fcntl(s->img->fd, F_DUPFD_CLOEXEC, 0);
	if (f->fd < 0) {
		rc = PXB_ERR_IO;
		goto out;
	}
	f->fd_offset = off;
	f->size = size;
	f->mtime = mtime;
	f->release = release_dup;
	rc = 0;
out:
	pthread_mutex_unlock(&c->mu);
	return rc;
}

struct lister {
	void (*fn)(void *fnarg, const struct pxb_dirent *e);
	void *fnarg;
};

static void list_one(void *arg, const struct pxb_iso_file *f, const char *name)
{
	struct lister *l = arg;
	struct pxb_dirent d = {.is_dir = f->is_dir, .size = f->size, .mtime = f->mtime};

	snprintf(d.name, sizeof(d.name), "%s", name);
	l->fn(l->fnarg, &d);
}

static int prov_list(void *arg, const char *rel,
		     void (*fn)(void *fnarg, const struct pxb_dirent *e), void *fnarg)
{
	struct catiso *c = arg;
	struct lister l = {fn, fnarg};
	const char *rest;
	struct slot *s;
	int whole, rc = PXB_ERR_NOENT;

	pthread_mutex_lock(&c->mu);
	if (!*rel) {
		for (size_t i = 0; i < c->n; i++) {
			struct pxb_dirent d = {.is_dir = 1};
			if (!c->s[i].img)
				continue;
			snprintf(d.name, sizeof(d.name), "%s", c->s[i].name);
			d.mtime = c->s[i].img->mtime_sec;
			fn(fnarg, &d);
			snprintf(d.name, sizeof(d.name), "%s.iso", c->s[i].name);
			d.is_dir = 0;
			d.size = c->s[i].img->size;
			fn(fnarg, &d);
		}
		rc = 0;
		goto out;
	}
	s = slot_of(c, rel, &rest, &whole);
	if (!s || whole || fresh(c, s) < 0)
		goto out;
	rc = pxb_iso_image_children(s->img, rest, list_one, &l) < 0 ? PXB_ERR_ACCESS : 0;
out:
	pthread_mutex_unlock(&c->mu);
	return rc;
}

static int prov_exists(void *arg, const char *rel)
{
	struct catiso *c = arg;
	const char *rest;
	struct slot *s;
	int whole, r = 0;

	pthread_mutex_lock(&c->mu);
	s = slot_of(c, rel, &rest, &whole);
	if (s && fresh(c, s) == 0)
		r = whole || !*rest || pxb_iso_image_find(s->img, rest) != NULL;
	pthread_mutex_unlock(&c->mu);
	return r;
}

static const struct pxb_vfs_provider provider = {
	.name = "catalog-iso",
	.open = prov_open,
	.list = prov_list,
	.exists = prov_exists,
};

/* ---- the catalog ------------------------------------------------------------ */

static int populate(void *arg, pxb_boot_model *m)
{
	struct catiso *c = arg;
	int rc;

	pthread_mutex_lock(&c->mu);
	rc = pxb_layout_merge(m, c->found);
	pthread_mutex_unlock(&c->mu);
	return rc;
}

static uint64_t generation(void *arg)
{
	struct catiso *c = arg;
	uint64_t g;

	pthread_mutex_lock(&c->mu);
	g = c->gen;
	pthread_mutex_unlock(&c->mu);
	return g;
}

static const struct pxb_catalog catalog = {
	.size = sizeof(struct pxb_catalog),
	.populate = populate,
	.generation = generation,
};

static int mount(struct catiso *c)
{
	pxb_vfs *v = pxb_host_vfs(c->h);
	int rc;

	if (!v)
		return 0;
	pxb_vfs_unmount_arg(v, c);
	rc = pxb_vfs_mount_provider(v, c->prefix[0] ? c->prefix : "/", &provider, c, PXB_VFS_ALL);
	if (rc < 0)
		pxb_host_log(c->h, PXB_LOG_ERR, "catalog-iso: cannot serve images at %s: %s",
			     c->prefix, pxb_strerror(rc));
	return rc;
}

static void fini(void *state)
{
	struct catiso *c = state;

	if (!c)
		return;
	if (pxb_host_vfs(c->h))
		pxb_vfs_unmount_arg(pxb_host_vfs(c->h), c);
	slots_free(c->s, c->n);
	pxb_boot_model_free(c->found);
	pxb_layout_said_free(&c->said);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static int init(pxb_host *h, const pxb_conf_node *sec, void **state)
{
	struct catiso *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return PXB_ERR_NOMEM;
	c->h = h;
	pthread_mutex_init(&c->mu, NULL);
	rc = scan(c, sec);
	if (rc == 0)
		rc = mount(c);
	if (rc == 0)
		rc = pxb_host_register(h, PXB_SVC_CATALOG, "iso", &catalog, c);
	if (rc < 0) {
		fini(c);
		return rc;
	}
	*state = c;
	return 0;
}

static int reload(void *state, const pxb_conf_node *sec)
{
	struct catiso *c = state;
	int rc;

	pthread_mutex_lock(&c->mu);
	rc = scan(c, sec);
	pthread_mutex_unlock(&c->mu);
	if (rc == 0)
		rc = mount(c);
	return rc;
}

PXB_PLUGIN(.name = "catalog-iso", .section = "iso", .version = PXB_VERSION_STRING,
	   .summary = "boots straight from ISO images: their files served from the images' "
		      "bytes, entries for SystemRescue, Debian/Ubuntu live and installers, "
		      "memtest86+ and any other image",
	   .settings = settings, .init = init, .reload = reload, .fini = fini);
