/*
 * iso_image.c - the file table of an ISO 9660 image (see iso_image.h).
 *
 * libiso9660 (libcdio) reads the directories and decodes Rock Ridge and
 * Joliet names; it gives each file's start sector and size, which is what
 * serving from the image needs. Before and around it, this file checks
 * what the library takes on trust: the volume descriptors are read here
 * first (the volume must fit in the file, and so must every root
 * directory), and every directory and file record it returns is checked
 * against the file's real size before anything is read through it.
 * Directories are walked here, not by the library, so loops (a directory
 * record pointing back at a directory already read) and depth are caught.
 *
 * The library is handed "/proc/self/fd/N", so it reads the very inode the
 * kept descriptor holds even if the path is replaced meanwhile.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cdio/cdio.h>
#include <cdio/ds.h>
#include <cdio/iso9660.h>
#include <cdio/logging.h>

#include <pxeboot/common.h>
#include "iso_image.h"

#define DIR_MAX_BYTES (16u << 20) /* one directory's records: far beyond real images */
#define VD_MAX 64                 /* volume descriptors read before giving up */

struct walk {
	iso9660_t *iso;
	struct pxb_iso_image *img;
	size_t max_files;
	unsigned max_depth;
	uint32_t *seen; /* start sectors of the directories read (loop detection) */
	size_t nseen, capseen;
	size_t cap;
	char *why;
	size_t whylen;
};

static int refuse(struct walk *w, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int refuse(struct walk *w, int rc, const char *fmt, ...)
{
	va_list ap;

	if (w->why && w->whylen) {
		va_start(ap, fmt);
		vsnprintf(w->why, w->whylen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* A name as it may be shown in a log line: printable, at most 80 bytes. */
static const char *shown(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	for (; *s && n + 4 < len && n < 80; s++)
		buf[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	if (*s && n + 4 < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static void silent_log(cdio_log_level_t level, const char *message)
{
	(void)level;
	(void)message;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Reads the volume descriptors (ECMA-119 section 8): at least a primary
 * one, the volume no larger than the file, each root directory (primary
 * and Joliet) inside the file.
 */
static int check_descriptors(struct walk *w)
{
	uint8_t vd[PXB_ISO_SECTOR];
	int have_pvd = 0;

	if (w->img->size < 17ull * PXB_ISO_SECTOR)
		return refuse(w, PXB_ERR_INVAL, "truncated or not an ISO 9660 image: %llu bytes, "
			      "less than the 16 system sectors and a volume descriptor",
			      (unsigned long long)w->img->size);
	for (unsigned i = 0; i < VD_MAX; i++) {
		uint64_t at = (16ull + i) * PXB_ISO_SECTOR;
		ssize_t n;

		if (at + PXB_ISO_SECTOR > w->img->size)
			return refuse(w, PXB_ERR_INVAL, "truncated: the volume descriptors run past "
				      "the end of the file");
		n = pread(w->img->fd, vd, sizeof(vd), (off_t)at);
		if (n != (ssize_t)sizeof(vd))
			return refuse(w, PXB_ERR_IO, "cannot read volume descriptor %u: %s", i,
				      n < 0 ? strerror(errno) : "short read");
		if (memcmp(vd + 1, "CD001", 5) != 0)
			return refuse(w, PXB_ERR_INVAL, "not an ISO 9660 image (no CD001 volume "
				      "descriptor at sector %u)", 16 + i);
		if (vd[0] == 255)
			break;
		if (vd[0] == 1 || vd[0] == 2) {
			uint64_t space = (uint64_t)le32(vd + 80) * PXB_ISO_SECTOR;
			uint64_t root = (uint64_t)le32(vd + 156 + 2) * PXB_ISO_SECTOR;
			uint64_t rsize = le32(vd + 156 + 10);

			if (vd[0] == 1)
				have_pvd = 1;
			if (space > w->img->size)
				return refuse(w, PXB_ERR_INVAL, "truncated: the volume is %llu bytes, "
					      "the file only %llu", (unsigned long long)space,
					      (unsigned long long)w->img->size);
			if (rsize > DIR_MAX_BYTES || root + rsize > w->img->size)
				return refuse(w, PXB_ERR_INVAL, "corrupted: the root directory (%llu "
					      "bytes at byte %llu) lies outside the image",
					      (unsigned long long)rsize, (unsigned long long)root);
			if (vd[0] == 1) {
				size_t l = 32;
				while (l > 0 && (vd[40 + l - 1] == ' ' || vd[40 + l - 1] == 0))
					l--;
				memcpy(w->img->volume_id, vd + 40, l);
				w->img->volume_id[l] = '\0';
				for (size_t k = 0; k < l; k++)
					if (w->img->volume_id[k] < 0x20 || w->img->volume_id[k] > 0x7e)
						w->img->volume_id[k] = '?';
			}
		}
	}
	if (!have_pvd)
		return refuse(w, PXB_ERR_INVAL, "not an ISO 9660 image (no primary volume descriptor)");
	return 0;
}

static int add(struct walk *w, const char *path, uint64_t off, uint64_t size, int64_t mtime,
	       int is_dir)
{
	struct pxb_iso_image *img = w->img;

	if (img->nfiles >= w->max_files)
		return refuse(w, PXB_ERR_TOOBIG, "more than %zu files and directories", w->max_files);
	if (img->nfiles == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 64;
		struct pxb_iso_file *nf = realloc(img->files, nc * sizeof(*nf));
		if (!nf)
			return PXB_ERR_NOMEM;
		img->files = nf;
		w->cap = nc;
	}
	img->files[img->nfiles].path = strdup(path);
	if (!img->files[img->nfiles].path)
		return PXB_ERR_NOMEM;
	img->files[img->nfiles].offset = off;
	img->files[img->nfiles].size = size;
	img->files[img->nfiles].mtime = mtime;
	img->files[img->nfiles].is_dir = is_dir;
	img->nfiles++;
	return 0;
}

static int seen_dir(struct walk *w, uint32_t lsn)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i] == lsn)
			return 1;
	if (w->nseen == w->capseen) {
		size_t nc = w->capseen ? w->capseen * 2 : 64;
		uint32_t *ns = realloc(w->seen, nc * sizeof(*ns));
		if (!ns)
			return -1;
		w->seen = ns;
		w->capseen = nc;
	}
	w->seen[w->nseen++] = lsn;
	return 0;
}

/* Checks a name from the image: 1..255 bytes, no '/', no control characters, not . or .. */
static const char *bad_name(const char *name)
{
	size_t l = strlen(name);

	if (l == 0)
		return "an empty file name";
	if (l > PXB_ISO_NAME_MAX)
		return "a file name longer than 255 bytes";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "a file named . or ..";
	for (const char *p = name; *p; p++) {
		if (*p == '/')
			return "a file name holding '/'";
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "a file name holding control characters";
	}
	return NULL;
}

struct rec {
	iso9660_stat_t *st;
	char name[PXB_ISO_NAME_MAX + 1];
};

static int walk_dir(struct walk *w, const char *raw, const char *path, unsigned depth);

/* One directory entry (or a run of records of one multi-extent file). */
static int take(struct walk *w, const char *raw, const char *dir, struct rec *r, size_t nrun,
		unsigned depth)
{
	iso9660_stat_t *st = r[0].st;
	char p[PXB_ISO_PATH_MAX + 2], rawp[PXB_ISO_PATH_MAX + PXB_ISO_NAME_MAX + 2], sh[96];
	uint64_t off = (uint64_t)st->lsn * PXB_ISO_SECTOR, size = st->size;
	int64_t mtime = (int64_t)timegm(&st->tm);
	int is_dir = st->type == _STAT_DIR, rc;

	if (mtime < 0)
		mtime = 0;
	if ((size_t)snprintf(p, sizeof(p), "%s%s%s", dir, *dir ? "/" : "", r[0].name) > PXB_ISO_PATH_MAX)
		return refuse(w, PXB_ERR_INVAL, "a path longer than %u bytes (/%s)", PXB_ISO_PATH_MAX,
			      shown(p, sh, sizeof(sh)));
	if (st->rr.b3_rock == yep && (st->rr.psz_symlink || (st->rr.st_mode &&
	    !S_ISREG(st->rr.st_mode) && !S_ISDIR(st->rr.st_mode)))) {
		w->img->skipped++; /* symbolic links and devices are not served */
		return 0;
	}
	if (nrun > 1) {
		/* A multi-extent file (ECMA-119 9.1.6, bit 7): served when its extents follow each other. */
		for (size_t i = 1; i < nrun; i++) {
			iso9660_stat_t *a = r[i - 1].st, *b = r[i].st;
			if (is_dir || b->type == _STAT_DIR || a->size % PXB_ISO_SECTOR ||
			    (uint64_t)b->lsn != (uint64_t)a->lsn + a->size / PXB_ISO_SECTOR) {
				w->img->skipped++;
				return 0;
			}
			size += b->size;
		}
		w->img->merged++;
	}
	if (size > w->img->size)
		return refuse(w, PXB_ERR_INVAL, "/%s claims %llu bytes, more than the whole image "
			      "(%llu bytes)", shown(p, sh, sizeof(sh)), (unsigned long long)size,
			      (unsigned long long)w->img->size);
	if (off > w->img->size || size > w->img->size - off)
		return refuse(w, PXB_ERR_INVAL, "/%s: its extent (%llu bytes at byte %llu) runs past "
			      "the end of the image (%llu bytes)", shown(p, sh, sizeof(sh)),
			      (unsigned long long)size, (unsigned long long)off,
			      (unsigned long long)w->img->size);
	rc = add(w, p, off, is_dir ? 0 : size, mtime, is_dir);
	if (rc < 0 || !is_dir)
		return rc;
	if (size > DIR_MAX_BYTES)
		return refuse(w, PXB_ERR_INVAL, "directory /%s claims %llu bytes of records",
			      shown(p, sh, sizeof(sh)), (unsigned long long)size);
	if (depth + 1 > w->max_depth)
		return refuse(w, PXB_ERR_TOOBIG, "directories nested deeper than %u levels (/%s)",
			      w->max_depth, shown(p, sh, sizeof(sh)));
	rc = seen_dir(w, st->lsn);
	if (rc < 0)
		return PXB_ERR_NOMEM;
	if (rc > 0)
		return refuse(w, PXB_ERR_INVAL, "directory loop: /%s points at sector %u, a "
			      "directory already read", shown(p, sh, sizeof(sh)), (unsigned)st->lsn);
	snprintf(rawp, sizeof(rawp), "%s/%s", strcmp(raw, "/") ? raw : "", st->filename);
	return walk_dir(w, rawp, p, depth + 1);
}

static int walk_dir(struct walk *w, const char *raw, const char *path, unsigned depth)
{
	CdioList_t *l = iso9660_ifs_readdir(w->iso, raw);
	CdioListNode_t *node;
	struct rec *r = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	char sh[96];

	if (!l)
		return refuse(w, PXB_ERR_INVAL, "corrupted: cannot read directory /%s",
			      shown(path, sh, sizeof(sh)));
	_CDIO_LIST_FOREACH(node, l) {
		iso9660_stat_t *st = _cdio_list_node_data(node);
		const char *why;

		if (!st || !strcmp(st->filename, ".") || !strcmp(st->filename, ".."))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct rec *nr = realloc(r, nc * sizeof(*nr));
			if (!nr) {
				rc = PXB_ERR_NOMEM;
				goto out;
			}
			r = nr;
			cap = nc;
		}
		r[n].st = st;
		if (strlen(st->filename) > PXB_ISO_NAME_MAX) {
			rc = refuse(w, PXB_ERR_INVAL, "a file name longer than 255 bytes in /%s (%s)",
				    shown(path, sh, sizeof(sh)), "name cut");
			goto out;
		}
		if (st->rr.b3_rock == yep || w->img->joliet) {
			snprintf(r[n].name, sizeof(r[n].name), "%s", st->filename);
			/* Joliet names may keep the ";1" version suffix. */
			if (st->rr.b3_rock != yep) {
				char *semi = strrchr(r[n].name, ';');
				if (semi && semi[1] >= '0' && semi[1] <= '9')
					*semi = '\0';
			}
		} else {
			iso9660_name_translate_ext(st->filename, r[n].name, 0);
		}
		if (st->rr.b3_rock == yep)
			w->img->rock_ridge = 1;
		if ((why = bad_name(r[n].name)) != NULL) {
			char sh2[96];
			rc = refuse(w, PXB_ERR_INVAL, "%s in /%s (%s)", why, shown(path, sh, sizeof(sh)),
				    shown(r[n].name, sh2, sizeof(sh2)));
			goto out;
		}
		n++;
	}
	for (size_t i = 0; i < n && rc == 0;) {
		size_t j = i + 1;
		while (j < n && !strcmp(r[j].st->filename, r[i].st->filename))
			j++;
		rc = take(w, raw, path, r + i, j - i, depth);
		i = j;
	}
out:
	free(r);
	iso9660_filelist_free(l);
	return rc;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct pxb_iso_file *)a)->path, ((const struct pxb_iso_file *)b)->path);
}

void pxb_iso_image_free(struct pxb_iso_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->nfiles; i++)
		free(img->files[i].path);
	free(img->files);
	if (img->fd >= 0)
		close(img->fd);
	free(img);
}

static int read_table(struct pxb_iso_image *img, const struct pxb_iso_limits *lim, char *why,
		      size_t whylen)
{
	struct walk w = {.img = img, .why = why, .whylen = whylen};
	char procpath[64];
	int rc;

	w.max_files = lim && lim->max_files ? lim->max_files : 100000;
	w.max_depth = lim && lim->max_depth ? lim->max_depth : 32;
	rc = check_descriptors(&w);
	if (rc < 0)
		return rc;
	cdio_log_set_handler(silent_log);
	snprintf(procpath, sizeof(procpath), "/proc/self/fd/%d", img->fd);
	/*
	 * Rock Ridge names first (full POSIX names); Joliet's (64 UCS-2
	 * characters) only when the primary tree has no Rock Ridge entries.
	 */
	for (int pass = 0; pass < 2; pass++) {
		iso_extension_mask_t mask = pass ? ISO_EXTENSION_ALL
						 : ISO_EXTENSION_ALL & ~ISO_EXTENSION_JOLIET_LEVEL1 &
						       ~ISO_EXTENSION_JOLIET_LEVEL2 &
						       ~ISO_EXTENSION_JOLIET_LEVEL3;
		w.iso = iso9660_open_ext(procpath, mask);
		if (!w.iso)
			return refuse(&w, PXB_ERR_INVAL, "corrupted: libiso9660 cannot read its "
				      "volume descriptors");
		img->joliet = pass ? iso9660_ifs_get_joliet_level(w.iso) : 0;
		if (pass == 1 && !img->joliet) {
			iso9660_close(w.iso);
			break; /* no Joliet either: the first pass's table stands */
		}
		if (pass == 1) {
			for (size_t i = 0; i < img->nfiles; i++)
				free(img->files[i].path);
			img->nfiles = 0;
			img->skipped = img->merged = 0;
			w.nseen = 0;
		}
		{
			iso9660_stat_t *root = iso9660_ifs_stat(w.iso, "/");
			rc = root ? (seen_dir(&w, root->lsn) < 0 ? PXB_ERR_NOMEM : 0)
				  : refuse(&w, PXB_ERR_INVAL, "corrupted: no root directory");
			iso9660_stat_free(root);
		}
		if (rc == 0)
			rc = walk_dir(&w, "/", "", 0);
		iso9660_close(w.iso);
		if (rc < 0 || img->rock_ridge)
			break;
	}
	free(w.seen);
	if (rc < 0)
		return rc;
	if (img->nfiles > 1)
		qsort(img->files, img->nfiles, sizeof(*img->files), cmp_file);
	/* Two records translating to one name: the first is kept. */
	for (size_t i = 1; i < img->nfiles;) {
		if (!strcmp(img->files[i].path, img->files[i - 1].path)) {
			free(img->files[i].path);
			memmove(img->files + i, img->files + i + 1,
				(img->nfiles - i - 1) * sizeof(*img->files));
			img->nfiles--;
			img->skipped++;
		} else {
			i++;
		}
	}
	return 0;
}

int pxb_iso_image_open_fd(int fd, const struct pxb_iso_limits *lim, struct pxb_iso_image **out,
			  char *why, size_t whylen)
{
	struct pxb_iso_image *img;
	struct stat st;
	int rc;

	if (why && whylen)
		why[0] = '\0';
	*out = NULL;
	if (fstat(fd, &st) < 0) {
		if (why)
			snprintf(why, whylen, "cannot stat: %s", strerror(errno));
		return PXB_ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		if (why)
			snprintf(why, whylen, "not a regular file");
		return PXB_ERR_INVAL;
	}
	img = calloc(1, sizeof(*img));
	if (!img)
		return PXB_ERR_NOMEM;
	img->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (img->fd < 0) {
		free(img);
		if (why)
			snprintf(why, whylen, "cannot duplicate the descriptor: %s", strerror(errno));
		return PXB_ERR_IO;
	}
	img->dev = st.st_dev;
	img->ino = st.st_ino;
	img->size = (uint64_t)st.st_size;
	img->mtime_sec = st.st_mtim.tv_sec;
	img->mtime_nsec = st.st_mtim.tv_nsec;
	rc = read_table(img, lim, why, whylen);
	if (rc < 0) {
		if (rc == PXB_ERR_NOMEM && why && whylen)
			snprintf(why, whylen, "out of memory");
		pxb_iso_image_free(img);
		return rc;
	}
	*out = img;
	return 0;
}

int pxb_iso_image_open(const char *path, const struct pxb_iso_limits *lim,
		       struct pxb_iso_image **out, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), rc;

	*out = NULL;
	if (fd < 0) {
		if (why)
			snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return errno == ENOENT ? PXB_ERR_NOENT : PXB_ERR_IO;
	}
	rc = pxb_iso_image_open_fd(fd, lim, out, why, whylen);
	close(fd);
	return rc;
}

const struct pxb_iso_file *pxb_iso_image_find(const struct pxb_iso_image *img, const char *path)
{
	struct pxb_iso_file key = {.path = (char *)path};

	if (!img || !img->nfiles)
		return NULL;
	return bsearch(&key, img->files, img->nfiles, sizeof(*img->files), cmp_file);
}

int pxb_iso_image_children(const struct pxb_iso_image *img, const char *dir,
			   void (*fn)(void *arg, const struct pxb_iso_file *f, const char *name),
			   void *arg)
{
	size_t dl = strlen(dir);
	int n = 0;

	if (dl) {
		const struct pxb_iso_file *d = pxb_iso_image_find(img, dir);
		if (!d || !d->is_dir)
			return -1;
	}
	/* Children share the prefix "dir/": a contiguous run in the sorted table. */
	for (size_t i = 0; i < img->nfiles; i++) {
		const char *p = img->files[i].path, *rest;

		if (dl && (strncmp(p, dir, dl) || p[dl] != '/'))
			continue;
		rest = dl ? p + dl + 1 : p;
		if (strchr(rest, '/'))
			continue;
		fn(arg, &img->files[i], rest);
		n++;
	}
	return n;
}

int pxb_iso_image_same(const struct pxb_iso_image *img, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0;
	return st.st_dev == img->dev && st.st_ino == img->ino &&
	       (uint64_t)st.st_size == img->size && st.st_mtim.tv_sec == img->mtime_sec &&
	       st.st_mtim.tv_nsec == img->mtime_nsec;
}
