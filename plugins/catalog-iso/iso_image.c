/*
 * iso_image.c - the file table of an ISO 9660 image (see iso_image.h).
 *
 * The volume descriptors (ECMA-119 8) and the directory records (9.1) are
 * read here, with pread on the kept descriptor (so the very inode it holds,
 * even if the path is replaced meanwhile), and decoded with their Rock
 * Ridge (RRIP 1.12) or Joliet names; libiso9660 only translates plain ISO
 * 9660 names. Each directory is read once, from the sector its parent's
 * record names, so the walk is linear in the size of the directories; the
 * bytes read are bounded per image, and so are files, depth, and the Rock
 * Ridge continuation areas followed per name. Everything is checked against
 * the file's real size before anything is read through it; loops (a
 * directory record pointing back at a directory already read) are caught
 * with a set of the directories read.
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

#include <cdio/iso9660.h>

#include <pxeboot/common.h>
#include "iso_image.h"
#include "rbuf.h"

#define DIR_MAX_BYTES (16u << 20) /* one directory's records: far beyond real images */
#define VD_MAX 64                 /* volume descriptors read before giving up */

struct walk {
	struct pxb_iso_image *img;
	size_t max_files;
	unsigned max_depth;
	uint64_t max_bytes;   /* directory records and continuation areas read, at most */
	uint64_t *seen;       /* start sectors + 1 of the directories read (open addressing) */
	size_t nseen, capseen;
	size_t cap;
	uint32_t root_lsn[2], root_size[2]; /* the primary and the Joliet tree */
	int joliet;           /* walking the Joliet tree: names are UCS-2 */
	int joliet_level;     /* of the Joliet descriptor found (0: none) */
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

			if (vd[0] == 1 && !have_pvd) {
				have_pvd = 1;
				w->root_lsn[0] = le32(vd + 156 + 2);
				w->root_size[0] = (uint32_t)rsize;
			}
			/* Joliet: a supplementary descriptor with the escape %/@, %/C or %/E. */
			if (vd[0] == 2 && !w->root_size[1] && vd[88] == 0x25 && vd[89] == 0x2f &&
			    (vd[90] == 0x40 || vd[90] == 0x43 || vd[90] == 0x45)) {
				w->joliet_level = vd[90] == 0x40 ? 1 : vd[90] == 0x43 ? 2 : 3;
				w->root_lsn[1] = le32(vd + 156 + 2);
				w->root_size[1] = (uint32_t)rsize;
			}
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

/*
 * Remembers a directory's start sector; 1 when it was already read (a
 * loop), 0 when new, -1 out of memory. A hash set, so that checking every
 * directory of a large image stays linear.
 */
static int seen_dir(struct walk *w, uint32_t lsn)
{
	uint64_t key = (uint64_t)lsn + 1;
	size_t i;

	if (2 * (w->nseen + 1) > w->capseen) {
		size_t nc = w->capseen ? w->capseen * 2 : 256;
		uint64_t *ns = calloc(nc, sizeof(*ns));
		if (!ns)
			return -1;
		for (size_t k = 0; k < w->capseen; k++) {
			if (!w->seen[k])
				continue;
			for (i = (size_t)(w->seen[k] * 0x9e3779b97f4a7c15ull >> 20) & (nc - 1); ns[i];
			     i = (i + 1) & (nc - 1))
				;
			ns[i] = w->seen[k];
		}
		free(w->seen);
		w->seen = ns;
		w->capseen = nc;
	}
	for (i = (size_t)(key * 0x9e3779b97f4a7c15ull >> 20) & (w->capseen - 1); w->seen[i];
	     i = (i + 1) & (w->capseen - 1))
		if (w->seen[i] == key)
			return 1;
	w->seen[i] = key;
	w->nseen++;
	return 0;
}

/*
 * Reads len bytes at off into a new buffer, counted against the image's
 * budget of directory bytes. The caller has checked that they lie inside
 * the file.
 */
static int read_counted(struct walk *w, uint64_t off, size_t len, uint8_t **out)
{
	uint8_t *b;
	size_t got = 0;

	*out = NULL;
	if (len > w->max_bytes - w->img->dir_bytes)
		return refuse(w, PXB_ERR_TOOBIG, "more than %llu bytes of directory records",
			      (unsigned long long)w->max_bytes);
	w->img->dir_bytes += len;
	b = malloc(len ? len : 1);
	if (!b)
		return PXB_ERR_NOMEM;
	while (got < len) {
		ssize_t n = pread(w->img->fd, b + got, len - got, (off_t)(off + got));
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			free(b);
			return refuse(w, PXB_ERR_IO, "cannot read the directory records at byte %llu: %s",
				      (unsigned long long)(off + got), n < 0 ? strerror(errno) :
				      "short read");
		}
		got += (size_t)n;
	}
	*out = b;
	return 0;
}

struct rec {
	uint32_t lsn;
	uint32_t size;
	uint8_t flags;        /* ECMA-119 9.1.6: 0x02 directory, 0x80 more extents follow */
	int64_t mtime;
	int rock;             /* Rock Ridge entries seen (RRIP 1.12) */
	int symlink;          /* SL */
	uint32_t mode;        /* PX (0: none) */
	size_t nmlen;         /* bytes of Rock Ridge name (NM) in name */
	int nm_long;          /* NM longer than 255 bytes */
	char name[PXB_ISO_NAME_MAX + 1]; /* the name served */
};

#define CE_MAX 8 /* continuation areas followed per record */

/*
 * The System Use entries of one record (SUSP 1.12 section 4; RRIP 1.12
 * sections 4.1.1 PX, 4.1.3 SL, 4.1.4 NM), continuation areas (CE) included.
 */
static int parse_susp(struct walk *w, const uint8_t *su, size_t len, struct rec *r)
{
	uint8_t *ce = NULL;
	int rc = 0;

	for (unsigned hops = 0;; hops++) {
		uint64_t ce_off = 0;
		uint32_t ce_len = 0;
		struct pxb_rbuf rb;

		pxb_rbuf_init(&rb, su, len);
		for (;;) {
			const uint8_t *e, *body; /* body: e + 4, the entry's data */
			size_t el;

			/* A header (signature, length, version), then the rest of the entry;
			 * padding or a broken entry ends the area. */
			if (pxb_rbuf_view(&rb, &e, 4) < 0 || e[2] < 4 ||
			    pxb_rbuf_view(&rb, &body, e[2] - 4u) < 0)
				break;
			el = e[2];
			if (!memcmp(e, "ST", 2))
				break;
			if (!memcmp(e, "NM", 2) && el >= 5) {
				r->rock = 1;
				if (!(e[4] & 0x06)) { /* not CURRENT or PARENT */
					size_t n = el - 5;
					if (r->nmlen + n > PXB_ISO_NAME_MAX)
						r->nm_long = 1;
					else
						memcpy(r->name + r->nmlen, e + 5, n);
					r->nmlen += n;
				}
			} else if (!memcmp(e, "PX", 2) && el >= 12) {
				r->rock = 1;
				r->mode = le32(e + 4);
			} else if (!memcmp(e, "SL", 2)) {
				r->rock = 1;
				r->symlink = 1;
			} else if (!memcmp(e, "RR", 2) || !memcmp(e, "TF", 2) || !memcmp(e, "PN", 2)) {
				r->rock = 1;
			} else if (!memcmp(e, "CE", 2) && el >= 28) {
				ce_off = (uint64_t)le32(e + 4) * PXB_ISO_SECTOR + le32(e + 12);
				ce_len = le32(e + 20);
			}
		}
		free(ce);
		ce = NULL;
		if (!ce_len)
			break;
		if (hops >= CE_MAX)
			return refuse(w, PXB_ERR_INVAL, "corrupted: more than %u Rock Ridge continuation "
				      "areas for one name", CE_MAX);
		if (ce_len > PXB_ISO_SECTOR || ce_off > w->img->size || ce_len > w->img->size - ce_off)
			return refuse(w, PXB_ERR_INVAL, "corrupted: a Rock Ridge continuation area (%u "
				      "bytes at byte %llu) lies outside the image", (unsigned)ce_len,
				      (unsigned long long)ce_off);
		rc = read_counted(w, ce_off, ce_len, &ce);
		if (rc < 0)
			return rc;
		su = ce;
		len = ce_len;
	}
	if (r->nmlen)
		r->name[r->nm_long ? 0 : r->nmlen] = '\0';
	return rc;
}

/* A Joliet name (UCS-2, big-endian) as UTF-8; control characters kept for bad_name to see. */
static void joliet_name(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i + 1 < len; i += 2) {
		uint32_t c = (uint32_t)p[i] << 8 | p[i + 1];

		if (c >= 0xd800 && c <= 0xdbff && i + 3 < len) {
			uint32_t lo = (uint32_t)p[i + 2] << 8 | p[i + 3];
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
		}
		if (c >= 0xd800 && c <= 0xdfff)
			c = 0xfffd; /* a lone surrogate */
		if (c == 0)
			c = 1; /* NUL would cut the name: refused as a control character */
		if (o + 5 > outlen) {
			o = outlen; /* too long: marked below */
			break;
		}
		if (c < 0x80) {
			out[o++] = (char)c;
		} else if (c < 0x800) {
			out[o++] = (char)(0xc0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			out[o++] = (char)(0xe0 | c >> 12);
			out[o++] = (char)(0x80 | (c >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | c >> 18);
			out[o++] = (char)(0x80 | (c >> 12 & 0x3f));
			out[o++] = (char)(0x80 | (c >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	if (o >= outlen) {
		memset(out, 'x', outlen - 1); /* longer than 255 bytes: refused by bad_name */
		o = outlen - 1;
	}
	out[o] = '\0';
}

/* The recording date (ECMA-119 9.1.5) in seconds since the epoch, 0 if unset. */
static int64_t record_time(const uint8_t *d)
{
	struct tm tm = {.tm_year = d[0], .tm_mon = d[1] - 1, .tm_mday = d[2], .tm_hour = d[3],
			.tm_min = d[4], .tm_sec = d[5]};
	int64_t t;

	if (!d[1] || !d[2])
		return 0;
	t = (int64_t)timegm(&tm) - (int64_t)(int8_t)d[6] * 15 * 60;
	return t < 0 ? 0 : t;
}

/*
 * Decodes the directory record at b (len bytes, checked by the caller) into
 * r. Returns 0, 1 for the . and .. records, or a refusal.
 */
static int decode(struct walk *w, const uint8_t *b, size_t len, const char *dir, struct rec *r)
{
	size_t nl = b[32], suo = 33 + nl + !(nl & 1);
	const char *why;
	char sh[96], sh2[96];
	int rc;

	if (nl == 1 && (b[33] == 0 || b[33] == 1))
		return 1;
	memset(r, 0, sizeof(*r));
	r->lsn = le32(b + 2);
	r->size = le32(b + 10);
	r->flags = b[25];
	r->mtime = record_time(b + 18);
	if (!w->joliet && suo < len) {
		rc = parse_susp(w, b + suo, len - suo, r);
		if (rc < 0)
			return rc;
	}
	if (r->nm_long)
		return refuse(w, PXB_ERR_INVAL, "a file name longer than 255 bytes in /%s (%s)",
			      shown(dir, sh, sizeof(sh)), "name cut");
	if (r->nmlen) {
		/* the Rock Ridge name, already in r->name */
	} else if (w->joliet) {
		char *semi;
		joliet_name(b + 33, nl, r->name, sizeof(r->name));
		/* Joliet names may keep the ";1" version suffix. */
		semi = strrchr(r->name, ';');
		if (semi && semi[1] >= '0' && semi[1] <= '9')
			*semi = '\0';
	} else {
		char raw[PXB_ISO_NAME_MAX + 1];
		memcpy(raw, b + 33, nl);
		raw[nl] = '\0';
		if (memchr(raw, '\0', nl))
			return refuse(w, PXB_ERR_INVAL, "a file name holding control characters in /%s",
				      shown(dir, sh, sizeof(sh)));
		iso9660_name_translate_ext(raw, r->name, 0);
	}
	if (r->rock)
		w->img->rock_ridge = 1;
	if ((why = bad_name(r->name)) != NULL)
		return refuse(w, PXB_ERR_INVAL, "%s in /%s (%s)", why, shown(dir, sh, sizeof(sh)),
			      shown(r->name, sh2, sizeof(sh2)));
	return 0;
}

static int walk_dir(struct walk *w, uint32_t lsn, uint32_t size, const char *path,
		    unsigned depth);

/* One directory entry (or a run of records of one multi-extent file). */
static int take(struct walk *w, const char *dir, struct rec *r, size_t nrun, unsigned depth)
{
	char p[PXB_ISO_PATH_MAX + 2], sh[96];
	uint64_t off = (uint64_t)r[0].lsn * PXB_ISO_SECTOR, size = r[0].size;
	int is_dir = !!(r[0].flags & 0x02), rc;

	if ((size_t)snprintf(p, sizeof(p), "%s%s%s", dir, *dir ? "/" : "", r[0].name) > PXB_ISO_PATH_MAX)
		return refuse(w, PXB_ERR_INVAL, "a path longer than %u bytes (/%s)", PXB_ISO_PATH_MAX,
			      shown(p, sh, sizeof(sh)));
	if (r[0].rock && (r[0].symlink || (r[0].mode && !S_ISREG(r[0].mode) &&
					   !S_ISDIR(r[0].mode)))) {
		w->img->skipped++; /* symbolic links and devices are not served */
		return 0;
	}
	if (nrun > 1) {
		/* A multi-extent file (ECMA-119 9.1.6, bit 7): served when its extents follow each other. */
		for (size_t i = 1; i < nrun; i++) {
			const struct rec *a = &r[i - 1], *b = &r[i];
			if (is_dir || (b->flags & 0x02) || a->size % PXB_ISO_SECTOR ||
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
	rc = add(w, p, off, is_dir ? 0 : size, r[0].mtime, is_dir);
	if (rc < 0 || !is_dir)
		return rc;
	if (size > DIR_MAX_BYTES)
		return refuse(w, PXB_ERR_INVAL, "directory /%s claims %llu bytes of records",
			      shown(p, sh, sizeof(sh)), (unsigned long long)size);
	if (depth + 1 > w->max_depth)
		return refuse(w, PXB_ERR_TOOBIG, "directories nested deeper than %u levels (/%s)",
			      w->max_depth, shown(p, sh, sizeof(sh)));
	rc = seen_dir(w, r[0].lsn);
	if (rc < 0)
		return PXB_ERR_NOMEM;
	if (rc > 0)
		return refuse(w, PXB_ERR_INVAL, "directory loop: /%s points at sector %u, a "
			      "directory already read", shown(p, sh, sizeof(sh)), (unsigned)r[0].lsn);
	return walk_dir(w, r[0].lsn, (uint32_t)size, p, depth + 1);
}

/*
 * Reads one directory's records straight from its extent (ECMA-119 9.1):
 * each directory is read once, from the sector its parent's record names,
 * so the whole walk is linear in the size of the directories.
 */
static int walk_dir(struct walk *w, uint32_t lsn, uint32_t size, const char *path,
		    unsigned depth)
{
	uint64_t at = (uint64_t)lsn * PXB_ISO_SECTOR;
	uint8_t *b = NULL;
	struct rec *r = NULL;
	size_t n = 0, cap = 0;
	char sh[96];
	int rc;

	if (at > w->img->size || size > w->img->size - at)
		return refuse(w, PXB_ERR_INVAL, "corrupted: cannot read directory /%s",
			      shown(path, sh, sizeof(sh)));
	rc = read_counted(w, at, size, &b);
	for (size_t off = 0; rc == 0 && off < size;) {
		size_t len = b[off];

		if (len == 0) { /* records never cross a sector: the rest of this one is padding */
			off = (off / PXB_ISO_SECTOR + 1) * PXB_ISO_SECTOR;
			continue;
		}
		w->img->records++;
		if (len < 34 || off + len > size || off % PXB_ISO_SECTOR + len > PXB_ISO_SECTOR ||
		    33u + b[off + 32] > len) {
			rc = refuse(w, PXB_ERR_INVAL, "corrupted: a broken directory record in /%s",
				    shown(path, sh, sizeof(sh)));
			break;
		}
		if (n >= w->max_files) {
			rc = refuse(w, PXB_ERR_TOOBIG, "more than %zu files and directories",
				    w->max_files);
			break;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct rec *nr = realloc(r, nc * sizeof(*nr));
			if (!nr) {
				rc = PXB_ERR_NOMEM;
				break;
			}
			r = nr;
			cap = nc;
		}
		rc = decode(w, b + off, len, path, &r[n]);
		if (rc == 0)
			n++;
		else if (rc == 1)
			rc = 0;
		off += len;
	}
	free(b);
	for (size_t i = 0; i < n && rc == 0;) {
		size_t j = i + 1;
		while (j < n && (r[j - 1].flags & 0x80) && !strcmp(r[j].name, r[i].name))
			j++;
		rc = take(w, path, r + i, j - i, depth);
		i = j;
	}
	free(r);
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
	int rc;

	w.max_files = lim && lim->max_files ? lim->max_files : 100000;
	w.max_depth = lim && lim->max_depth ? lim->max_depth : 32;
	w.max_bytes = lim && lim->max_dir_bytes ? lim->max_dir_bytes : 64ull << 20;
	rc = check_descriptors(&w);
	if (rc < 0)
		return rc;
	/*
	 * Rock Ridge names first (full POSIX names); Joliet's (64 UCS-2
	 * characters) only when the primary tree has no Rock Ridge entries.
	 */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if (!w.root_size[1])
				break; /* no Joliet either: the first pass's table stands */
			for (size_t i = 0; i < img->nfiles; i++)
				free(img->files[i].path);
			img->nfiles = 0;
			img->skipped = img->merged = 0;
			memset(w.seen, 0, w.capseen * sizeof(*w.seen));
			w.nseen = 0;
			w.joliet = 1;
			img->joliet = w.joliet_level;
		}
		rc = seen_dir(&w, w.root_lsn[pass]) < 0 ? PXB_ERR_NOMEM : 0;
		if (rc == 0)
			rc = walk_dir(&w, w.root_lsn[pass], w.root_size[pass], "", 0);
		if (rc < 0 || img->rock_ridge)
			break;
	}
	free(w.seen);
	if (rc < 0)
		return rc;
	if (img->nfiles > 1)
		qsort(img->files, img->nfiles, sizeof(*img->files), cmp_file);
	/* Two records translating to one name: the first is kept. */
	if (img->nfiles > 1) {
		size_t j = 1;
		for (size_t i = 1; i < img->nfiles; i++) {
			if (!strcmp(img->files[i].path, img->files[j - 1].path)) {
				free(img->files[i].path);
				img->skipped++;
			} else {
				img->files[j++] = img->files[i];
			}
		}
		img->nfiles = j;
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
	size_t dl = strlen(dir), lo = 0, hi = img->nfiles;
	int n = 0;

	if (dl) {
		const struct pxb_iso_file *d = pxb_iso_image_find(img, dir);
		if (!d || !d->is_dir)
			return -1;
		/* Below it, everything shares the prefix "dir/": a contiguous run in the
		 * sorted table, which starts after dir itself. */
		lo = (size_t)(d - img->files) + 1;
	}
	for (size_t i = lo; i < hi; i++) {
		const char *p = img->files[i].path, *rest;

		if (dl) {
			int c = strncmp(p, dir, dl);
			if (c > 0 || (c == 0 && (unsigned char)p[dl] > '/'))
				break; /* past the run */
			if (c || p[dl] != '/')
				continue;
		}
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
