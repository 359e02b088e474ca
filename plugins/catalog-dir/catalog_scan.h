/*
 * catalog_scan.h - recognizes bootable layouts in a directory tree and turns
 * them into boot entries. Kept apart from the plugin glue so tests can run
 * it on synthetic trees.
 */
#ifndef PXB_CATALOG_SCAN_H
#define PXB_CATALOG_SCAN_H

#include <pxeboot/boot.h>

struct pxb_catalog_scan_opts {
	const char *source;    /* entries' source name ("catalog-dir") */
	const char *kickstart; /* inst.ks= for Fedora/RHEL trees, NULL/"": none */
	const char *preseed;   /* answer template of Debian/Ubuntu installers found (family debian) */
	const char *ks_answer; /* answer template of Fedora/RHEL installers found (family kickstart) */
	const char *autoinstall; /* answer template (user-data) of Ubuntu live-server installers
				  * found (family autoinstall) */
	unsigned max_depth;    /* directory levels walked below dir (0: 8) */
};

/* Receives "path: what" for a tree recognized in part (a kernel without initrd). */
typedef void (*pxb_catalog_report_fn)(void *arg, const char *path, const char *what);

/*
 * Walks dir (on disk), whose files are served at prefix ("/boot"), and adds
 * an entry to m for each layout recognized:
 *   SystemRescue / archiso  <ver>/boot/<arch>/vmlinuz + sysresccd.img (or
 *                           archiso.img) + <ver>/<arch>/airootfs.sfs (or .erofs);
 *                           one entry per version and arch, the newest is the
 *                           default (the layouts are pxeboot/boot_layout.h's)
 *   memtest86+              memtest*.bin (linux, BIOS), *.efi (chain), *.iso (memdisk)
 *   Debian/Ubuntu netboot   debian-installer/<arch>/linux + initrd.gz
 *   Debian/Ubuntu live      live/vmlinuz* + initrd.img* + filesystem.squashfs
 *   Fedora/RHEL             images/pxeboot/vmlinuz + initrd.img (inst.repo=)
 *   Ubuntu live server      casper/vmlinuz + casper/initrd + casper/ubuntu-server*
 *                           (or casper/install-sources.yaml), beside the image it came
 *                           from (*.iso, url=); with autoinstall, <root>-autoinstall too
 *   floppy and ISO images   *.img, *.ima, *.iso through memdisk (FreeDOS...)
 *   iPXE binaries           ipxe*.efi, snp*.efi (UEFI), *.kpxe, *.pxe (BIOS)
 * Other files are ignored; trees recognized in part are reported.
 * Returns the number of entries added, or PXB_ERR_NOENT (no such
 * directory), PXB_ERR_NOMEM.
 */
int pxb_catalog_scan(const char *dir, const char *prefix, const struct pxb_catalog_scan_opts *o,
		     pxb_boot_model *m, pxb_catalog_report_fn report, void *arg);

#endif
