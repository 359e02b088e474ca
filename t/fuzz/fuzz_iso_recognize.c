/*
 * fuzz_iso_recognize.c - libFuzzer target for the recognition of
 * distribution layouts inside ISO images (plugins/catalog-iso/
 * iso_recognize.c) on a file table read by the image reader (iso_image.c).
 *
 * The input is an ISO 9660 image (when it has "CD001" at byte 32769: the
 * reader opens it from a file) or a listing of one, a line per path ("dir/"
 * for a directory) with lines "@name FILE.iso", "@volume ID", "@size BYTES",
 * "@prefix /iso". A listing is made into the table the reader would make:
 * paths it accepts, their parent directories, sorted without duplicates.
 *
 * Beyond "no crash, no leak", it checks what recognition promises: at least
 * one entry (a layout's, or the image itself through memdisk or sanboot),
 * as many as it says; every kernel and initrd is <prefix>/<name>/<a file of
 * the image>, an image entry is <prefix>/<name>.iso; arguments hold no
 * control character, no "${" but ${http}, and only words of the form
 * key=value (or "checksum"); and the iPXE script of the entries passes
 * t/renderer_util.h's checker.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../renderer_util.h"
#include "../../plugins/catalog-iso/iso_image.h"
#include "../../plugins/catalog-iso/iso_recognize.h"
#include "../../plugins/ipxe/ipxe_render.h"
#include "fuzz_scratch.h"

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct pxb_iso_file *)a)->path,
		      ((const struct pxb_iso_file *)b)->path);
}

/* Would the reader list this path? (iso_image.h: names 1..255 bytes, no control characters) */
static int path_ok(const char *p)
{
	size_t l = strlen(p), comp = 0;

	if (!l || l > PXB_ISO_PATH_MAX || p[0] == '/' || p[l - 1] == '/')
		return 0;
	for (; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p == '/') {
			if (!comp)
				return 0;
			comp = 0;
		} else if (++comp > PXB_ISO_NAME_MAX) {
			return 0;
		}
	}
	return 1;
}

static void add_file(struct pxb_iso_image *img, size_t *cap, const char *path, int is_dir)
{
	if (img->nfiles == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct pxb_iso_file *v = realloc(img->files, nc * sizeof(*v));
		if (!v)
			abort();
		img->files = v;
		*cap = nc;
	}
	memset(&img->files[img->nfiles], 0, sizeof(*img->files));
	img->files[img->nfiles].path = strdup(path);
	if (!img->files[img->nfiles].path)
		abort();
	img->files[img->nfiles].is_dir = is_dir;
	img->files[img->nfiles].size = is_dir ? 0 : 1;
	img->nfiles++;
}

/* The table of a listing, as the reader would have made it. */
static struct pxb_iso_image *from_listing(char *text, char *name, size_t namelen, char *prefix,
					  size_t prefixlen)
{
	struct pxb_iso_image *img = calloc(1, sizeof(*img));
	char *save = NULL, *line;
	size_t cap = 0, j = 0;

	if (!img)
		abort();
	img->fd = -1;
	img->size = 1 << 20;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line);
		int is_dir = 0;

		if (!strncmp(line, "@name ", 6)) {
			snprintf(name, namelen, "%s", line + 6);
			continue;
		}
		if (!strncmp(line, "@volume ", 8)) {
			snprintf(img->volume_id, sizeof(img->volume_id), "%s", line + 8);
			continue;
		}
		if (!strncmp(line, "@size ", 6)) {
			img->size = strtoull(line + 6, NULL, 10);
			continue;
		}
		if (!strncmp(line, "@prefix ", 8)) {
			snprintf(prefix, prefixlen, "%s", line + 8);
			continue;
		}
		if (l > 1 && line[l - 1] == '/') {
			line[--l] = '\0';
			is_dir = 1;
		}
		if (!path_ok(line))
			continue;
		add_file(img, &cap, line, is_dir);
		for (char *s = strrchr(line, '/'); s; s = strrchr(line, '/')) {
			*s = '\0';
			add_file(img, &cap, line, 1);
		}
	}
	if (img->nfiles)
		qsort(img->files, img->nfiles, sizeof(*img->files), cmp_file);
	/* one entry per path; a directory wins over a file of the same path */
	for (size_t i = 0; i < img->nfiles; i++) {
		if (j && !strcmp(img->files[j - 1].path, img->files[i].path)) {
			img->files[j - 1].is_dir |= img->files[i].is_dir;
			free(img->files[i].path);
			continue;
		}
		img->files[j++] = img->files[i];
	}
	img->nfiles = j;
	return img;
}

static void free_image(struct pxb_iso_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->nfiles; i++)
		free(img->files[i].path);
	free(img->files);
	free(img);
}

static struct pxb_iso_image *from_bytes(const uint8_t *data, size_t size)
{
	struct pxb_iso_limits lim = {.max_files = 2000, .max_depth = 16};
	struct pxb_iso_image *img = NULL;
	char why[512];
	FILE *f;
	const char *tmp = fuzz_scratch_make("fuzz_iso_recognize", NULL);

	f = fopen(tmp, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (pxb_iso_image_open(tmp, &lim, &img, why, sizeof(why)) < 0)
		return NULL;
	return img;
}

/* Is p <pre>/<name>/<a file of img>? */
static int inside(const struct pxb_iso_image *img, const char *pre, const char *p)
{
	const struct pxb_iso_file *f;
	size_t l = strlen(pre);

	if (strncmp(p, pre, l))
		return 0;
	f = pxb_iso_image_find(img, p + l);
	return f && !f->is_dir;
}

static void check_args(const char *a)
{
	const char *p = a;

	for (const char *c = a; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f ||
		    (c[0] == '$' && c[1] == '{' && strncmp(c, "${http}", 7)))
			abort();
	while (*p) {
		size_t n = strcspn(p, " ");
		const char *eq = memchr(p, '=', n);

		if (!n || (!(eq && eq > p) && !(n == 8 && !strncmp(p, "checksum", 8))))
			abort(); /* a stray word: a name cut in two */
		p += n;
		if (*p)
			p++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name_in[300] = "rescue.iso", prefix[64] = "/iso", name[256], what[600], pre[600];
	char err[256], *text = NULL, *script;
	size_t slen;
	struct pxb_iso_recog_opts o = {.source = "catalog-iso", .memdisk_max = 128u << 20,
				       .autoinstall = "/u", .ks_answer = "/k"};
	struct pxb_iso_image *img;
	struct pxb_client c = test_client(7);
	pxb_boot_model *m;
	int listing = !(size >= 32774 && !memcmp(data + 32769, "CD001", 5)), rec = -1, rc;
	unsigned n;

	if (listing) {
		if (size > 65536)
			return 0;
		text = malloc(size + 1);
		if (!text)
			abort();
		memcpy(text, data, size);
		text[size] = '\0';
		img = from_listing(text, name_in, sizeof(name_in), prefix, sizeof(prefix));
		free(text);
	} else {
		img = from_bytes(data, size);
		if (!img)
			return 0;
	}
	if (pxb_iso_name(name_in, name, sizeof(name)) < 0 || prefix[0] != '/') {
		listing ? free_image(img) : pxb_iso_image_free(img);
		return 0;
	}
	o.prefix = prefix;
	m = pxb_boot_model_new();
	if (!m)
		abort();
	what[0] = '\0';
	rc = pxb_iso_recognize(img, name, &o, m, &rec, what, sizeof(what));
	n = pxb_boot_entry_count(m);
	if (rc < 0 || (unsigned)rc != n || n == 0 || (rec != 0 && rec != 1) || !what[0])
		abort();
	snprintf(pre, sizeof(pre), "%s/%s/", prefix, name);
	for (unsigned i = 0; i < n; i++) {
		const struct pxb_boot_entry *e = pxb_boot_entry_at(m, i);
		if (e->kernel && !inside(img, pre, e->kernel))
			abort();
		for (unsigned k = 0; k < e->ninitrds; k++)
			if (!inside(img, pre, e->initrds[k]))
				abort();
		if (e->image && (strncmp(e->image, pre, strlen(pre) - 1) ||
				 strcmp(e->image + strlen(pre) - 1, ".iso")))
			abort();
		if (e->args)
			check_args(e->args);
		if (!rec && e->kind != PXB_BOOT_MEMDISK && e->kind != PXB_BOOT_SANBOOT)
			abort();
	}
	if (pxb_ipxe_render_buf(m, &c, &script, &slen, NULL, NULL) == 0) {
		if (ipxe_check(script, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n%s", err, script);
			abort();
		}
		free(script);
	}
	pxb_boot_model_free(m);
	listing ? free_image(img) : pxb_iso_image_free(img);
	return 0;
}
