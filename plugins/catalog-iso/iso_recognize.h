/*
 * iso_recognize.h - turns what is inside an ISO image into boot entries
 * whose kernels, initrds and root images are files inside the image, served
 * under <prefix>/<name>/ (and the image itself as <prefix>/<name>.iso).
 */
#ifndef PXB_ISO_RECOGNIZE_H
#define PXB_ISO_RECOGNIZE_H

#include <pxeboot/boot.h>
#include "iso_image.h"

struct pxb_iso_recog_opts {
	const char *source;   /* entries' source ("catalog-iso") */
	const char *prefix;   /* "/iso" */
	uint64_t memdisk_max; /* generic fallback: memdisk up to this size, sanboot above */
	const char *preseed;  /* answer template of Debian/Ubuntu installers (family debian) */
	const char *autoinstall; /* answer template (user-data) of Ubuntu's subiquity images
				  * (family autoinstall) */
	const char *ks_answer;   /* answer template of Fedora/RHEL installers (family kickstart) */
};

/*
 * Adds the entries for image img served as <prefix>/<name>/ to m:
 *   SystemRescue / archiso  <base>/boot/<arch>/vmlinuz + sysresccd.img (archiso.img,
 *                           initramfs-linux.img) + <base>/<arch>/airootfs.sfs:
 *                           archisobasedir=<base> archiso_http_srv=${http}<prefix>/<name>/
 *                           [checksum] ip=dhcp
 *   Debian/Ubuntu live      live/vmlinuz* + initrd.img* + filesystem.squashfs:
 *                           boot=live fetch=${http}<prefix>/<name>/live/filesystem.squashfs
 *   Ubuntu casper           casper/vmlinuz + casper/initrd*: boot=casper url=<the image>;
 *                           the live server (casper/ubuntu-server*, volume ID "Server")
 *                           labelled as its installer; with autoinstall, subiquity images
 *                           (the server, casper/install-sources.yaml) also get
 *                           <name>-autoinstall (family autoinstall)
 *   Debian installer        install.amd/vmlinuz + initrd.gz (install.386, install.a64),
 *                           or linux + initrd.gz at the top (mini.iso)
 *   Fedora/RHEL installer   images/pxeboot/vmlinuz + initrd.img + images/install.img:
 *                           inst.repo=${http}<prefix>/<name> (repodata/ at the top) or
 *                           inst.stage2= (without), ip=dhcp; with ks_answer, family kickstart
 *   memtest86+              the image through memdisk (BIOS), its EFI binary chained (UEFI)
 *   anything else           the image through memdisk when at most memdisk_max bytes,
 *                           otherwise iPXE's sanboot over HTTP
 * what receives a few words for the log: what was recognized, or for the
 * fallback why nothing was. Returns the number of entries added or
 * PXB_ERR_NOMEM.
 */
int pxb_iso_recognize(const struct pxb_iso_image *img, const char *name,
		      const struct pxb_iso_recog_opts *o, pxb_boot_model *m, int *recognized,
		      char *what, size_t whatlen);

/*
 * The namespace name of an image file ("SystemRescue 11.iso" ->
 * "SystemRescue_11"): the file name without ".iso", characters a URL or a
 * kernel argument cannot carry as they are replaced by '_'. Returns 0, or
 * -1 when nothing usable is left.
 */
int pxb_iso_name(const char *file, char *out, size_t len);

#endif
