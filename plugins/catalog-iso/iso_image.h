/*
 * iso_image.h - reads the file table of an ISO 9660 image (with Rock Ridge
 * and Joliet names) into a sorted list of extents, so
 * that every file inside can be served straight from the image's bytes
 * (an fd, an offset, a size) without extracting anything.
 *
 * The reader trusts nothing in the image: a volume larger than the file
 * (truncated), directory loops, directories nested too deep, names longer
 * than 255 bytes or holding '/', NUL or control characters, extents past
 * the end of the file and files claiming more than the image holds make the
 * whole image refused, with the reason in words. The work is bounded: each
 * directory is read once (linear time), and more files, levels or bytes of
 * directory records than the limits allow refuse the image too.
 */
#ifndef PXB_ISO_IMAGE_H
#define PXB_ISO_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PXB_ISO_SECTOR 2048u
#define PXB_ISO_NAME_MAX 255u
#define PXB_ISO_PATH_MAX 900u /* leaves room for "/<prefix>/<image>/" in a vfs path */

struct pxb_iso_file {
	char *path;      /* "sysresccd/boot/x86_64/vmlinuz": no leading '/', '/'-separated */
	uint64_t offset; /* byte offset of the data in the image (LSN * 2048) */
	uint64_t size;   /* bytes */
	int64_t mtime;   /* seconds since the epoch (recording time), 0 if unknown */
	int is_dir;
};

struct pxb_iso_limits {
	size_t max_files;   /* files and directories (0: 100000) */
	unsigned max_depth; /* directory levels below the root (0: 32) */
	uint64_t max_dir_bytes; /* directory records and Rock Ridge continuation areas read
				 * (0: 64 MiB) */
};

struct pxb_iso_image {
	int fd;              /* O_RDONLY, close-on-exec; the image's bytes */
	dev_t dev;           /* identity at open time: a changed file is reopened */
	ino_t ino;
	uint64_t size;
	int64_t mtime_sec;
	long mtime_nsec;
	char volume_id[64];
	int rock_ridge;      /* names came from Rock Ridge */
	int joliet;          /* Joliet level (0: none) */
	unsigned merged;     /* multi-extent files served as one contiguous range */
	unsigned skipped;    /* symbolic links, devices, multi-extent files with gaps */
	uint64_t records;    /* directory records decoded (the work done reading it) */
	uint64_t dir_bytes;  /* bytes of directory records and continuation areas read */
	struct pxb_iso_file *files; /* sorted by path (strcmp) */
	size_t nfiles;
};

/*
 * Opens the image at path and reads its file table. Returns 0 and *out, or
 * PXB_ERR_NOENT (no such file), PXB_ERR_IO (unreadable), PXB_ERR_INVAL (not
 * an ISO 9660 image or refused: why holds the reason, without the file
 * name), PXB_ERR_TOOBIG (more files, levels or directory bytes than the
 * limits), PXB_ERR_NOMEM.
 */
int pxb_iso_image_open(const char *path, const struct pxb_iso_limits *lim,
		       struct pxb_iso_image **out, char *why, size_t whylen);

/* As pxb_iso_image_open, on an open descriptor (duplicated; fd stays the caller's). */
int pxb_iso_image_open_fd(int fd, const struct pxb_iso_limits *lim, struct pxb_iso_image **out,
			  char *why, size_t whylen);

void pxb_iso_image_free(struct pxb_iso_image *img);

/* The file or directory at path ("a/b", no leading '/'; "" is not listed), or NULL. */
const struct pxb_iso_file *pxb_iso_image_find(const struct pxb_iso_image *img, const char *path);

/*
 * Calls fn for each direct child of directory dir ("" for the root).
 * Returns the number of children, or -1 when dir is not a directory.
 */
int pxb_iso_image_children(const struct pxb_iso_image *img, const char *dir,
			   void (*fn)(void *arg, const struct pxb_iso_file *f, const char *name),
			   void *arg);

/*
 * Is the file at path still the one img was read from (same device, inode,
 * size and modification time)? 1 yes, 0 changed or gone.
 */
int pxb_iso_image_same(const struct pxb_iso_image *img, const char *path);

#endif
