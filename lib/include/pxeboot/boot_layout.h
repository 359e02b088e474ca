/*
 * pxeboot/boot_layout.h - what the distribution layouts catalogs offer look
 * like, known once for every catalog: a directory tree on disk
 * (catalog-dir), the inside of an ISO image (catalog-iso). A catalog lists
 * its files through struct pxb_layout_files; the probes below say whether a
 * kernel is part of a layout and which files go with it (paths relative to
 * the catalog's top, '/'-separated). Ids, labels, kernel arguments and the
 * namespace paths stay the catalog's own.
 */
#ifndef PXEBOOT_BOOT_LAYOUT_H
#define PXEBOOT_BOOT_LAYOUT_H

#include <pxeboot/boot.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The files a catalog holds, as the probes ask after them. */
struct pxb_layout_files {
	/* 1 when path names a regular file (not a directory), else 0. */
	int (*is_file)(void *arg, const char *path);
	void *arg;
};

#define PXB_LAYOUT_PATH 2048

/*
 * An archiso tree (Arch Linux, SystemRescue):
 *   <root>/boot/<arch>/vmlinuz (or vmlinuz-linux)    the kernel
 *   <root>/boot/<arch>/sysresccd.img (archiso.img, initramfs-linux.img)
 *   <root>/boot/{intel,amd}{_,-}ucode.img            microcode, x86 only
 *   <root>/<arch>/airootfs.sfs (or .erofs)           the root file system
 *   <root>/<arch>/airootfs.sha512                    its checksum (optional)
 * The kernel argument archisobasedir= names <root>'s last component and
 * archiso_http_srv= the directory above it.
 */
struct pxb_layout_archiso {
	char root[PXB_LAYOUT_PATH];   /* <root>, never empty */
	char arch[32];                /* <arch> as spelt ("x86_64") */
	unsigned arch_mask;           /* PXB_BOOT_ARCH_* of arch */
	char initrd[PXB_LAYOUT_PATH]; /* the initramfs, "" when there is none */
	int sysresc;                  /* the initramfs is sysresccd.img: SystemRescue */
	char ucode[2][PXB_LAYOUT_PATH]; /* microcode images to load first */
	unsigned nucode;
	int rootfs;                   /* the root file system is there */
	int checksum;                 /* airootfs.sha512 is there */
};

/*
 * Is kernel (a path of fs) the kernel of an archiso tree? Fills a with the
 * tree's files found beside it (a tree found in part has initrd "" or
 * rootfs 0: the caller says why it is not offered). Returns 0, or
 * PXB_ERR_NOENT when kernel is not named and placed as an archiso kernel
 * for a known architecture (or its path is longer than PXB_LAYOUT_PATH).
 */
PXB_API int pxb_layout_archiso(const struct pxb_layout_files *fs, const char *kernel,
			       struct pxb_layout_archiso *a);

/*
 * A Debian/Ubuntu live system (live-boot):
 *   [<root>/]live/vmlinuz<ver>             the kernel ("vmlinuz", "vmlinuz-6.1.0-13-amd64")
 *   [<root>/]live/initrd.img<ver>          its initramfs, same <ver>
 *   [<root>/]live/filesystem.squashfs      the root file system (boot=live fetch=)
 */
struct pxb_layout_live {
	char root[PXB_LAYOUT_PATH];     /* <root>, "" when live/ is at the top */
	char initrd[PXB_LAYOUT_PATH];   /* the initramfs, "" when there is none */
	char squashfs[PXB_LAYOUT_PATH]; /* the root file system's path (present or not) */
	int has_squashfs;
};

/*
 * Is kernel (a path of fs) the kernel of a live system? Fills l. Returns 0,
 * or PXB_ERR_NOENT when kernel is not live/vmlinuz* (or its path is longer
 * than PXB_LAYOUT_PATH).
 */
PXB_API int pxb_layout_live(const struct pxb_layout_files *fs, const char *kernel,
			    struct pxb_layout_live *l);

/*
 * snprintf for paths, labels and arguments built from a catalog's names:
 * returns 0, or PXB_ERR_TOOBIG when the result was cut (buf then holds what
 * fit, terminated; len 0 writes nothing).
 */
PXB_API int pxb_layout_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* PXB_BOOT_ARCH_* of an architecture's name ("x86_64", "amd64", "i686", "arm64"...), 0 unknown. */
PXB_API unsigned pxb_layout_arch(const char *name);

/* Where a catalog's entries go, and how many went. */
struct pxb_layout_sink {
	pxb_boot_model *m;
	const char *source;   /* the entries' source (the catalog's name) */
	int added;            /* entries added */
	int nomem;            /* set when an entry could not be added for want of memory */
};

/*
 * Adds e to s->m with source s->source, counting it in s->added; an id
 * already taken or an invalid entry is skipped, PXB_ERR_NOMEM sets
 * s->nomem. Returns nothing: s says what happened.
 */
PXB_API void pxb_layout_add(struct pxb_layout_sink *s, struct pxb_boot_entry *e);

/*
 * Makes e a Linux entry booting kernel with the one initrd and args (kernel
 * arguments, may be NULL), for 64-bit ARM when arm64 is set, else for BIOS
 * and 64-bit UEFI. No errors.
 */
PXB_API void pxb_layout_linux(struct pxb_boot_entry *e, const char *kernel, const char *initrd,
			      const char *args, int arm64);

/*
 * Adds every entry of from (a catalog's last scan) to m, as a catalog's
 * populate does: an entry whose id m has already (a configured entry) is
 * skipped, that one wins. Returns 0 or PXB_ERR_NOMEM. from may be NULL.
 */
PXB_API int pxb_layout_merge(pxb_boot_model *m, const pxb_boot_model *from);

/* What a catalog said already (its warnings), so that a rescan does not say it again. */
struct pxb_layout_said {
	char **keys;
	unsigned n;
};

/*
 * 1 when key was not said before (it is remembered now; for want of memory
 * it is not, and will be said again), 0 when it was.
 */
PXB_API int pxb_layout_said_first(struct pxb_layout_said *s, const char *key);
/* Forgets everything said (s stays usable, empty). */
PXB_API void pxb_layout_said_free(struct pxb_layout_said *s);

#ifdef __cplusplus
}
#endif
#endif
