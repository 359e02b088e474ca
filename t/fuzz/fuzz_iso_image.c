/*
 * fuzz_iso_image.c - libFuzzer target for the ISO image reader
 * (plugins/catalog-iso/iso_image.c): the input becomes a file, the reader
 * opens it, and every file it lists is looked up and read back from its
 * extent.
 *
 * Beyond "no crash, no leak", it checks what the reader promises for an
 * image it accepts: the table is sorted without duplicates, every path is
 * a relative path of names of 1..255 bytes without control characters,
 * every extent lies inside the file, every file is found by its path and
 * the bytes at its extent can be read to the end.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pxeboot/common.h>
#include "../../plugins/catalog-iso/iso_image.h"

static char path[128];

static void cleanup(void)
{
	unlink(path);
}

static void count(void *arg, const struct pxb_iso_file *f, const char *name)
{
	(void)f;
	if (!*name || strchr(name, '/'))
		abort();
	(*(int *)arg)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pxb_iso_limits lim = {.max_files = 2000, .max_depth = 16};
	struct pxb_iso_image *img = NULL;
	char why[512], buf[4096];
	FILE *f;
	int rc, n = 0;

	if (!path[0]) {
		const char *base = getenv("TMPDIR");
		int fd;
		snprintf(path, sizeof(path), "%s/fuzz_iso.XXXXXX", base ? base : "/tmp");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(cleanup);
	}
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	rc = pxb_iso_image_open(path, &lim, &img, why, sizeof(why));
	if (rc < 0) {
		if (img || !why[0])
			abort(); /* a refusal always says why */
		return 0;
	}
	for (size_t i = 0; i < img->nfiles; i++) {
		const struct pxb_iso_file *e = &img->files[i];
		size_t l = strlen(e->path);
		uint64_t left = e->size, off = e->offset;

		if (!l || l > PXB_ISO_PATH_MAX || e->path[0] == '/' || e->path[l - 1] == '/' ||
		    strstr(e->path, "//"))
			abort();
		for (const char *p = e->path; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
		if (i > 0 && strcmp(img->files[i - 1].path, e->path) >= 0)
			abort();
		if (e->offset > img->size || e->size > img->size - e->offset)
			abort();
		if (pxb_iso_image_find(img, e->path) != e)
			abort();
		if (e->is_dir && pxb_iso_image_children(img, e->path, count, &n) < 0)
			abort();
		while (left > 0) {
			size_t want = left < sizeof(buf) ? (size_t)left : sizeof(buf);
			if (pread(img->fd, buf, want, (off_t)off) != (ssize_t)want)
				abort(); /* inside the file: always readable */
			left -= want;
			off += want;
		}
	}
	if (pxb_iso_image_children(img, "", count, &n) < 0)
		abort();
	pxb_iso_image_free(img);
	return 0;
}
