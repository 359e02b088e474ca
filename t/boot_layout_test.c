/*
 * boot_layout_test.c - the layout recognisers (pxeboot/boot_layout.h) over
 * a listing held here: archiso trees (initramfs and root image spellings,
 * microcode, checksum, arm64 without microcode, half trees, names that are
 * not archiso kernels), live-boot trees (at the top and below a root, the
 * initramfs matched by version), paths too long to name anything, and
 * entries added through a sink.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <pxeboot/boot_layout.h>
#include "tap.h"

static const char *const *listing;

static int is_file(void *arg, const char *path)
{
	(void)arg;
	for (const char *const *p = listing; *p; p++)
		if (!strcmp(*p, path))
			return 1;
	return 0;
}

static const struct pxb_layout_files fs = {.is_file = is_file};

static void archiso(void)
{
	static const char *const files[] = {
		"boot/sysresccd/11.00/boot/x86_64/vmlinuz",
		"boot/sysresccd/11.00/boot/x86_64/sysresccd.img",
		"boot/sysresccd/11.00/boot/intel-ucode.img",
		"boot/sysresccd/11.00/boot/amd_ucode.img",
		"boot/sysresccd/11.00/x86_64/airootfs.erofs",
		"boot/sysresccd/11.00/x86_64/airootfs.sha512",
		"arch/boot/aarch64/vmlinuz-linux",
		"arch/boot/aarch64/initramfs-linux.img",
		"arch/boot/intel_ucode.img",
		"half/boot/x86_64/vmlinuz",
		"half/x86_64/airootfs.sfs",
		NULL,
	};
	struct pxb_layout_archiso a;

	listing = files;
	is_int(pxb_layout_archiso(&fs, "boot/sysresccd/11.00/boot/x86_64/vmlinuz", &a), 0,
	       "archiso: SystemRescue kernel recognised");
	is_str(a.root, "boot/sysresccd/11.00", "archiso: root");
	is_str(a.arch, "x86_64", "archiso: arch");
	is_int((int)a.arch_mask, PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI64, "archiso: arch mask");
	is_str(a.initrd, "boot/sysresccd/11.00/boot/x86_64/sysresccd.img", "archiso: initramfs");
	is_int(a.sysresc, 1, "archiso: sysresccd.img says SystemRescue");
	is_int((int)a.nucode, 2, "archiso: two microcode images");
	is_str(a.ucode[0], "boot/sysresccd/11.00/boot/intel-ucode.img", "archiso: intel first");
	is_str(a.ucode[1], "boot/sysresccd/11.00/boot/amd_ucode.img", "archiso: then amd");
	is_int(a.rootfs, 1, "archiso: airootfs.erofs is a root image");
	is_int(a.checksum, 1, "archiso: checksum");

	is_int(pxb_layout_archiso(&fs, "arch/boot/aarch64/vmlinuz-linux", &a), 0,
	       "archiso: Arch Linux arm64 kernel recognised");
	is_int((int)a.arch_mask, PXB_BOOT_ARCH_ARM64, "archiso: arm64");
	is_str(a.initrd, "arch/boot/aarch64/initramfs-linux.img", "archiso: initramfs-linux.img");
	is_int(a.sysresc, 0, "archiso: not SystemRescue");
	is_int((int)a.nucode, 0, "archiso: no x86 microcode on arm64");
	is_int(a.rootfs, 0, "archiso: no root image");

	is_int(pxb_layout_archiso(&fs, "half/boot/x86_64/vmlinuz", &a), 0, "archiso: half tree");
	is_str(a.initrd, "", "archiso: half tree has no initramfs");
	is_int(a.rootfs, 1, "archiso: half tree has its root image");

	is_int(pxb_layout_archiso(&fs, "boot/x86_64/vmlinuz", &a), PXB_ERR_NOENT,
	       "archiso: no root above boot/");
	is_int(pxb_layout_archiso(&fs, "r/boot/sparc/vmlinuz", &a), PXB_ERR_NOENT,
	       "archiso: unknown arch");
	is_int(pxb_layout_archiso(&fs, "r/boot/x86_64/bzImage", &a), PXB_ERR_NOENT,
	       "archiso: other kernel name");
	is_int(pxb_layout_archiso(&fs, "r/kernel/x86_64/vmlinuz", &a), PXB_ERR_NOENT,
	       "archiso: not under boot/");
	is_int(pxb_layout_archiso(&fs, "vmlinuz", &a), PXB_ERR_NOENT, "archiso: bare name");
}

static void live(void)
{
	static const char *const files[] = {
		"live/vmlinuz-6.1.0-13-amd64",
		"live/initrd.img-6.1.0-13-amd64",
		"live/filesystem.squashfs",
		"debian/12/live/vmlinuz",
		"debian/12/live/initrd.img-6.1.0-13-amd64",
		NULL,
	};
	struct pxb_layout_live l;
	char *big = malloc(PXB_LAYOUT_PATH + 32);

	listing = files;
	is_int(pxb_layout_live(&fs, "live/vmlinuz-6.1.0-13-amd64", &l), 0, "live: at the top");
	is_str(l.root, "", "live: no root");
	is_str(l.initrd, "live/initrd.img-6.1.0-13-amd64", "live: initramfs of the same version");
	is_int(l.has_squashfs, 1, "live: squashfs");

	is_int(pxb_layout_live(&fs, "debian/12/live/vmlinuz", &l), 0, "live: below a root");
	is_str(l.root, "debian/12", "live: root");
	is_str(l.initrd, "", "live: no initramfs of that version");
	is_str(l.squashfs, "debian/12/live/filesystem.squashfs", "live: squashfs path");
	is_int(l.has_squashfs, 0, "live: squashfs missing");

	is_int(pxb_layout_live(&fs, "xlive/vmlinuz", &l), PXB_ERR_NOENT, "live: not live/");
	is_int(pxb_layout_live(&fs, "live/bzImage", &l), PXB_ERR_NOENT, "live: not vmlinuz*");
	if (big) {
		memset(big, 'a', PXB_LAYOUT_PATH + 31);
		memcpy(big + PXB_LAYOUT_PATH, "/live/vmlinuz", 14);
		is_int(pxb_layout_live(&fs, big, &l), PXB_ERR_NOENT, "live: too long a path");
	}
	free(big);
}

static void sink(void)
{
	pxb_boot_model *m = pxb_boot_model_new();
	struct pxb_layout_sink s = {.m = m, .source = "test"};
	struct pxb_boot_entry e = {.id = "x", .label = "X", .kind = PXB_BOOT_LINUX,
				   .kernel = "/k", .arch = PXB_BOOT_ARCH_BIOS};

	ok(m != NULL, "sink: model");
	if (!m)
		return;
	pxb_layout_add(&s, &e);
	pxb_layout_add(&s, &e);
	is_int(s.added, 1, "sink: a taken id is not added again");
	is_int(s.nomem, 0, "sink: no memory problem");
	ok(pxb_boot_find_entry(m, "x") && !strcmp(pxb_boot_find_entry(m, "x")->source, "test"),
	   "sink: the entry carries the source");
	pxb_boot_model_free(m);
}

/* A catalog's populate: its scan merged, a configured entry of the same id winning. */
static void merge(void)
{
	pxb_boot_model *found = pxb_boot_model_new(), *m = pxb_boot_model_new();
	struct pxb_boot_entry e = {.id = "x", .label = "found x", .kind = PXB_BOOT_LINUX,
				   .kernel = "/x/vmlinuz", .source = "catalog"};

	ok(found && m, "merge: models");
	if (!found || !m)
		return;
	pxb_boot_add_entry(found, &e);
	e.id = "y";
	e.label = "found y";
	pxb_boot_add_entry(found, &e);
	e.label = "configured y";
	e.source = NULL;
	pxb_boot_add_entry(m, &e);
	is_int(pxb_layout_merge(m, found), 0, "merge: 0");
	is_int((int)pxb_boot_entry_count(m), 2, "merge: x added, y not twice");
	ok(pxb_boot_find_entry(m, "x") != NULL, "merge: x is there");
	is_str(pxb_boot_find_entry(m, "y")->label, "configured y", "merge: the configured y wins");
	is_int(pxb_layout_merge(m, NULL), 0, "merge: nothing scanned yet");
	pxb_boot_model_free(found);
	pxb_boot_model_free(m);
}

/* A catalog's warnings: each said once, again after the list is freed. */
static void said(void)
{
	struct pxb_layout_said s = {0};

	is_int(pxb_layout_said_first(&s, "a: bad"), 1, "said: first time");
	is_int(pxb_layout_said_first(&s, "b: bad"), 1, "said: another key");
	is_int(pxb_layout_said_first(&s, "a: bad"), 0, "said: not twice");
	is_int((int)s.n, 2, "said: two kept");
	pxb_layout_said_free(&s);
	ok(s.n == 0 && s.keys == NULL, "said: freed, empty");
	is_int(pxb_layout_said_first(&s, "a: bad"), 1, "said: again after a free");
	pxb_layout_said_free(&s);
}

int main(void)
{
	plan_lazy();
	archiso();
	live();
	sink();
	merge();
	said();
	return done_testing();
}
