/*
 * catalog_install_test.c - the installers both catalogs offer as install
 * entries, on ISO images made here with xorriso and on synthetic trees:
 * Ubuntu's live server (casper with subiquity's layers, or its
 * install-sources.yaml) as its installer plus an unattended entry of family
 * autoinstall when an autoinstall template is set, a desktop casper left a
 * live system, Fedora/RHEL images (inst.repo= or inst.stage2= the files
 * served from the image, family kickstart with kickstart_answer), a live
 * Fedora image not taken for an installer; each entry's label, family and
 * its whole kernel command line as rendered for one client, the installer's
 * answer URL in it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pxeboot/install.h>
#include "renderer_util.h"
#include "../plugins/catalog-iso/iso_image.h"
#include "../plugins/catalog-iso/iso_recognize.h"
#include "../plugins/catalog-dir/catalog_scan.h"

static char top[256];

static void put(const char *rel)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	for (char *p = path + strlen(top) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	f = fopen(path, "wb");
	if (!f) {
		diag("cannot create %s: %s", path, strerror(errno));
		return;
	}
	fputs("x\n", f);
	fclose(f);
}

/* top/<out> made of top/<dir> by xorriso, Rock Ridge names, volume ID vol. */
static int mkiso(const char *dir, const char *out, const char *vol)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "xorriso -as mkisofs -R -no-pad -V '%s' -o '%s/%s' '%s/%s' "
		 ">/dev/null 2>&1", vol, top, out, top, dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const struct pxb_boot_entry *get(pxb_boot_model *m, const char *id)
{
	const struct pxb_boot_entry *e = pxb_boot_find_entry(m, id);

	if (!e)
		for (unsigned i = 0; i < pxb_boot_entry_count(m); i++)
			diag("  have %s (%s)", pxb_boot_entry_at(m, i)->id,
			     pxb_boot_entry_at(m, i)->label);
	return e;
}

/* The command line of e as rendered for 52:54:00:00:0c:01 reaching 198.18.0.1. */
static const char *cmdline(pxb_boot_model *m, const struct pxb_boot_entry *e)
{
	static char args[2048];
	struct pxb_client cl = {0};
	struct pxb_boot_ctx ctx;

	args[0] = '\0';
	if (!e)
		return args;
	cl.has_mac = 1;
	memcpy(cl.mac, (uint8_t[]){0x52, 0x54, 0, 0, 0x0c, 0x01}, 6);
	pxb_boot_set_server(m, "198.18.0.1", 80);
	pxb_boot_ctx_init(&ctx, m, &cl, NULL);
	if (pxb_boot_entry_args(&ctx, e, args, sizeof(args)) < 0)
		snprintf(args, sizeof(args), "(too long)");
	return args;
}

static pxb_boot_model *iso(const char *file, const char *name, const char *autoinstall,
			   const char *ks, int *rec)
{
	struct pxb_iso_recog_opts o = {.source = "catalog-iso", .prefix = "/iso",
				       .memdisk_max = 1 << 20, .autoinstall = autoinstall,
				       .ks_answer = ks};
	struct pxb_iso_image *img;
	pxb_boot_model *m = pxb_boot_model_new();
	char path[600], why[512], what[512];

	snprintf(path, sizeof(path), "%s/%s", top, file);
	*rec = 0;
	if (pxb_iso_image_open(path, NULL, &img, why, sizeof(why)) < 0) {
		diag("%s: %s", file, why);
		return m;
	}
	pxb_iso_recognize(img, name, &o, m, rec, what, sizeof(what));
	diag("%s: %s", file, what);
	pxb_iso_image_free(img);
	return m;
}

static char reports[4096];

static void collect(void *arg, const char *path, const char *what)
{
	(void)arg;
	snprintf(reports + strlen(reports), sizeof(reports) - strlen(reports), "%s: %s\n", path,
		 what);
}

static pxb_boot_model *tree(const char *dir, const char *autoinstall)
{
	struct pxb_catalog_scan_opts o = {.source = "catalog-dir", .autoinstall = autoinstall};
	pxb_boot_model *m = pxb_boot_model_new();
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", top, dir);
	reports[0] = '\0';
	pxb_catalog_scan(path, "/boot", &o, m, collect, NULL);
	return m;
}

#define S "http://198.18.0.1/answer/"
#define MAC "52-54-00-00-0c-01"

static void test_iso_ubuntu(void)
{
	const struct pxb_boot_entry *e;
	pxb_boot_model *m;
	int rec;

	put("ls/casper/vmlinuz");
	put("ls/casper/initrd");
	put("ls/casper/ubuntu-server-minimal.squashfs");
	put("ls/casper/ubuntu-server-minimal.ubuntu-server.squashfs");
	put("ls/casper/install-sources.yaml");
	mkiso("ls", "ls.iso", "Ubuntu-Server 24.04 LTS amd64");
	m = iso("ls.iso", "ubuntu-24.04-live-server-amd64", "/etc/pxeboot/user-data", NULL, &rec);
	e = get(m, "ubuntu-24.04-live-server-amd64");
	ok(rec && e && !e->answer && !strcmp(e->label, "Ubuntu Server installer (Ubuntu-Server "
						      "24.04 LTS amd64)"),
	   "live server ISO: its installer, not a live system (%s)", e ? e->label : "-");
	is_str(cmdline(m, e), "boot=casper ip=dhcp url=http://198.18.0.1/iso/"
			      "ubuntu-24.04-live-server-amd64.iso", "... url= the image");
	e = get(m, "ubuntu-24.04-live-server-amd64-autoinstall");
	ok(e && e->family == PXB_FAMILY_AUTOINSTALL && e->answer &&
		   !strcmp(e->answer, "/etc/pxeboot/user-data") &&
		   !strcmp(e->kernel, "/iso/ubuntu-24.04-live-server-amd64/casper/vmlinuz") &&
		   e->ninitrds == 1 &&
		   !strcmp(e->initrds[0], "/iso/ubuntu-24.04-live-server-amd64/casper/initrd") &&
		   !strcmp(e->label,
			   "Ubuntu Server unattended install (Ubuntu-Server 24.04 LTS amd64)"),
	   "iso.autoinstall: an unattended install entry, family autoinstall");
	is_str(cmdline(m, e), "boot=casper ip=dhcp url=http://198.18.0.1/iso/"
			      "ubuntu-24.04-live-server-amd64.iso autoinstall ds=nocloud-net;s="
			      S "ubuntu-24.04-live-server-amd64-autoinstall/" MAC "/",
	       "... the image, then autoinstall ds=nocloud-net;s=<its answer URL>/");
	pxb_boot_model_free(m);

	m = iso("ls.iso", "ubuntu-24.04-live-server-amd64", "", NULL, &rec);
	ok(pxb_boot_entry_count(m) == 1 && !get(m, "ubuntu-24.04-live-server-amd64-autoinstall"),
	   "without iso.autoinstall: the installer only");
	pxb_boot_model_free(m);

	/* 20.04: no ubuntu-server layers, the volume ID says it */
	put("l20/casper/vmlinuz");
	put("l20/casper/initrd");
	put("l20/casper/filesystem.squashfs");
	mkiso("l20", "l20.iso", "Ubuntu-Server 20.04.6 LTS amd64");
	m = iso("l20.iso", "focal", "/u", NULL, &rec);
	e = get(m, "focal");
	ok(e && strstr(e->label, "Server installer") && (e = get(m, "focal-autoinstall")) &&
		   e->family == PXB_FAMILY_AUTOINSTALL,
	   "20.04 live server (volume ID): installer and unattended entry");
	pxb_boot_model_free(m);

	/* a desktop: live first; its subiquity (install-sources.yaml) installs unattended too */
	put("dk/casper/vmlinuz");
	put("dk/casper/initrd");
	put("dk/casper/minimal.squashfs");
	put("dk/casper/install-sources.yaml");
	mkiso("dk", "dk.iso", "Ubuntu 24.04 LTS amd64");
	m = iso("dk.iso", "ubuntu-24.04-desktop", "/u", NULL, &rec);
	e = get(m, "ubuntu-24.04-desktop");
	ok(e && !strcmp(e->label, "Ubuntu live (Ubuntu 24.04 LTS amd64)") && !e->family,
	   "a desktop with subiquity stays a live system");
	e = get(m, "ubuntu-24.04-desktop-autoinstall");
	ok(e && e->family == PXB_FAMILY_AUTOINSTALL &&
		   !strcmp(e->label, "Ubuntu unattended install (Ubuntu 24.04 LTS amd64)"),
	   "... with an unattended install entry beside it");
	pxb_boot_model_free(m);

	/* an older desktop (casper without subiquity): live only, whatever iso.autoinstall says */
	put("od/casper/vmlinuz");
	put("od/casper/initrd.lz");
	put("od/casper/filesystem.squashfs");
	mkiso("od", "od.iso", "Ubuntu 18.04 LTS amd64");
	m = iso("od.iso", "bionic", "/u", NULL, &rec);
	ok(get(m, "bionic") && pxb_boot_entry_count(m) == 1 &&
		   !strcmp(get(m, "bionic")->label, "Ubuntu live (Ubuntu 18.04 LTS amd64)"),
	   "casper without subiquity: the live entry only");
	pxb_boot_model_free(m);
}

static void test_iso_fedora(void)
{
	const struct pxb_boot_entry *e;
	pxb_boot_model *m;
	int rec;

	put("fn/images/pxeboot/vmlinuz");
	put("fn/images/pxeboot/initrd.img");
	put("fn/images/install.img");
	put("fn/.treeinfo");
	put("fn/EFI/BOOT/BOOTX64.EFI");
	mkiso("fn", "fn.iso", "Fedora-S-dvd-x86_64-40");
	m = iso("fn.iso", "Fedora-Server-netinst-x86_64-40", NULL, "/etc/pxeboot/ks.cfg", &rec);
	e = get(m, "Fedora-Server-netinst-x86_64-40");
	ok(rec && e && e->kind == PXB_BOOT_LINUX &&
		   !strcmp(e->kernel,
			   "/iso/Fedora-Server-netinst-x86_64-40/images/pxeboot/vmlinuz") &&
		   !strcmp(e->initrds[0],
			   "/iso/Fedora-Server-netinst-x86_64-40/images/pxeboot/initrd.img") &&
		   !strcmp(e->label, "Fedora/RHEL installer (Fedora-S-dvd-x86_64-40)") &&
		   e->arch == (PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI64),
	   "Fedora netinst ISO: the installer's kernel and initrd inside the image");
	ok(e && e->family == PXB_FAMILY_KICKSTART && e->answer &&
		   !strcmp(e->answer, "/etc/pxeboot/ks.cfg"),
	   "iso.kickstart_answer: family kickstart");
	is_str(cmdline(m, e), "inst.stage2=http://198.18.0.1/iso/Fedora-Server-netinst-x86_64-40 "
			      "ip=dhcp inst.ks=" S "Fedora-Server-netinst-x86_64-40/" MAC,
	       "... inst.stage2= the files of the image, inst.ks= its answer URL");
	pxb_boot_model_free(m);

	put("fd/images/pxeboot/vmlinuz");
	put("fd/images/pxeboot/initrd.img");
	put("fd/images/install.img");
	put("fd/repodata/repomd.xml");
	put("fd/Packages/b/bash-5.2.rpm");
	mkiso("fd", "fd.iso", "Fedora-S-dvd-aarch64-40");
	m = iso("fd.iso", "fedora-dvd", NULL, NULL, &rec);
	e = get(m, "fedora-dvd");
	ok(e && !e->answer && !e->family && e->arch == PXB_BOOT_ARCH_ARM64,
	   "a DVD without kickstart_answer: an interactive installer (aarch64 by volume ID)");
	is_str(cmdline(m, e), "inst.repo=http://198.18.0.1/iso/fedora-dvd ip=dhcp",
	       "... inst.repo= the image, a package repository");
	pxb_boot_model_free(m);

	/* Fedora live: images/pxeboot/ but no installer */
	put("fl/images/pxeboot/vmlinuz");
	put("fl/images/pxeboot/initrd.img");
	put("fl/LiveOS/squashfs.img");
	mkiso("fl", "fl.iso", "Fedora-WS-Live-40");
	m = iso("fl.iso", "fedora-live", NULL, "/ks", &rec);
	e = get(m, "fedora-live");
	ok(!rec && e && e->kind == PXB_BOOT_MEMDISK, "a Fedora live image is no installer");
	pxb_boot_model_free(m);
}

static void test_tree_ubuntu(void)
{
	const struct pxb_boot_entry *e;
	pxb_boot_model *m;

	put("t1/ubuntu/24.04/casper/vmlinuz");
	put("t1/ubuntu/24.04/casper/initrd");
	put("t1/ubuntu/24.04/casper/ubuntu-server-minimal.squashfs");
	put("t1/ubuntu/24.04/ubuntu-24.04-live-server-amd64.iso");
	put("t1/ubuntu/24.04/ubuntu-24.04.1-live-server-amd64.iso");
	m = tree("t1", "/etc/pxeboot/user-data");
	e = get(m, "ubuntu-24.04");
	ok(e && !e->answer && !strcmp(e->kernel, "/boot/ubuntu/24.04/casper/vmlinuz") &&
		   !strcmp(e->initrds[0], "/boot/ubuntu/24.04/casper/initrd") &&
		   !strcmp(e->label,
			   "Ubuntu Server installer (ubuntu-24.04.1-live-server-amd64.iso)"),
	   "live-server tree: its installer (%s)", e ? e->label : "-");
	is_str(cmdline(m, e), "boot=casper ip=dhcp url=http://198.18.0.1/boot/ubuntu/24.04/"
			      "ubuntu-24.04.1-live-server-amd64.iso",
	       "... url= the newest image beside casper/");
	e = get(m, "ubuntu-24.04-autoinstall");
	ok(e && e->family == PXB_FAMILY_AUTOINSTALL &&
		   !strcmp(e->answer, "/etc/pxeboot/user-data") &&
		   !strcmp(e->label, "Ubuntu Server unattended install "
				     "(ubuntu-24.04.1-live-server-amd64.iso)"),
	   "catalog.autoinstall: an unattended install entry");
	is_str(cmdline(m, e), "boot=casper ip=dhcp url=http://198.18.0.1/boot/ubuntu/24.04/"
			      "ubuntu-24.04.1-live-server-amd64.iso autoinstall ds=nocloud-net;s="
			      S "ubuntu-24.04-autoinstall/" MAC "/",
	       "... autoinstall ds=nocloud-net;s=<its answer URL>/");
	ok(!get(m, "ubuntu-24.04.1-live-server-amd64.iso") && pxb_boot_entry_count(m) == 3,
	   "the image url= names is not offered through memdisk; the older one is (%u entries)",
	   pxb_boot_entry_count(m));
	pxb_boot_model_free(m);

	m = tree("t1", NULL);
	ok(get(m, "ubuntu-24.04") && !pxb_boot_find_entry(m, "ubuntu-24.04-autoinstall"),
	   "without catalog.autoinstall: the installer only");
	pxb_boot_model_free(m);

	put("t2/casper/vmlinuz");
	put("t2/casper/initrd");
	put("t2/casper/install-sources.yaml");
	m = tree("t2", "/u");
	ok(pxb_boot_entry_count(m) == 0 && strstr(reports, "t2/casper/vmlinuz: Ubuntu live-server "
						      "tree: no image (*.iso) beside casper/"),
	   "a tree without its image: reported, not offered");
	pxb_boot_model_free(m);

	put("t3/casper/vmlinuz");
	put("t3/casper/ubuntu-server-minimal.squashfs");
	put("t3/server.iso");
	m = tree("t3", "/u");
	ok(strstr(reports, "kernel without casper/initrd") &&
		   !pxb_boot_find_entry(m, "ubuntu-server"),
	   "a kernel without initrd: reported, not offered");
	pxb_boot_model_free(m);
}

int main(void)
{
	char cmd[600];

	plan_lazy();
	if (system("command -v xorriso >/dev/null 2>&1") != 0) {
		printf("1..0 # SKIP xorriso is not installed\n");
		return 0;
	}
	snprintf(top, sizeof(top), "%s/pxb-inst-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(top)) {
		ok(0, "temporary directory");
		return done_testing();
	}
	test_iso_ubuntu();
	test_iso_fedora();
	test_tree_ubuntu();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		diag("could not remove %s", top);
	return done_testing();
}
