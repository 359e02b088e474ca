/*
 * catalog_dir_test.c - the directory catalog's recognizers on synthetic
 * trees made here (empty files, a few sized ones): SystemRescue versions
 * side by side, memtest86+ variants, Debian netboot and live, Fedora,
 * FreeDOS/floppy and disk images, iPXE binaries, files ignored, half trees
 * reported; then the plugin with the iPXE renderer: entries in the menu,
 * half trees logged once, a rescan on reload.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "renderer_util.h"
#include "../plugins/catalog-dir/catalog_scan.h"

static char top[256];

/* Creates top/rel (and its directories) of size bytes (sparse). */
static void touch(const char *rel, off_t size)
{
	char path[1024];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	for (char *p = path + strlen(top) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, size) < 0)
		diag("cannot create %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static char reports[4096];
static int nreports;

static void collect(void *arg, const char *path, const char *what)
{
	(void)arg;
	nreports++;
	snprintf(reports + strlen(reports), sizeof(reports) - strlen(reports), "%s: %s\n", path,
		 what);
}

static const struct pxb_boot_entry *get(pxb_boot_model *m, const char *id)
{
	const struct pxb_boot_entry *e = pxb_boot_find_entry(m, id);

	if (!e) {
		diag("no entry %s; entries:", id);
		for (unsigned i = 0; i < pxb_boot_entry_count(m); i++)
			diag("  %s (%s)", pxb_boot_entry_at(m, i)->id, pxb_boot_entry_at(m, i)->label);
	}
	return e;
}

static void make_trees(void)
{
	/* SystemRescue: two x86_64 versions side by side, an i686 one, a half one. */
	touch("boot/sysresccd/6.1.1/boot/x86_64/vmlinuz", 0);
	touch("boot/sysresccd/6.1.1/boot/x86_64/sysresccd.img", 0);
	touch("boot/sysresccd/6.1.1/x86_64/airootfs.sfs", 0);
	touch("boot/sysresccd/6.1.1/x86_64/airootfs.sha512", 0);
	touch("boot/sysresccd/6.1.1/boot/i686/vmlinuz", 0);
	touch("boot/sysresccd/6.1.1/boot/i686/sysresccd.img", 0);
	touch("boot/sysresccd/6.1.1/i686/airootfs.sfs", 0);
	touch("boot/sysresccd/6.1.1/VERSION", 0);
	touch("boot/sysresccd/11.00/boot/x86_64/vmlinuz", 0);
	touch("boot/sysresccd/11.00/boot/x86_64/sysresccd.img", 0);
	touch("boot/sysresccd/11.00/boot/intel_ucode.img", 0);
	touch("boot/sysresccd/11.00/boot/amd_ucode.img", 0);
	touch("boot/sysresccd/11.00/x86_64/airootfs.sfs", 0);
	touch("boot/sysresccd/11.00/x86_64/airootfs.sha512", 0);
	touch("boot/sysresccd/5.0/boot/x86_64/vmlinuz", 0);
	touch("boot/sysresccd/5.0/x86_64/airootfs.sfs", 0);
	/* memtest86+ */
	touch("boot/memtest/memtest86+x64.bin", 150000);
	touch("boot/memtest/memtest86+x64.efi", 150000);
	touch("boot/memtest86.iso", 2000000);
	/* Debian netboot, a half Ubuntu one, Debian live. */
	touch("boot/debian/bookworm/debian-installer/amd64/linux", 0);
	touch("boot/debian/bookworm/debian-installer/amd64/initrd.gz", 0);
	touch("boot/debian/bookworm/debian-installer/amd64/boot-screens/vesamenu.c32", 0);
	touch("boot/ubuntu/debian-installer/amd64/linux", 0);
	touch("boot/debian-live/live/vmlinuz-6.1.0-13-amd64", 0);
	touch("boot/debian-live/live/initrd.img-6.1.0-13-amd64", 0);
	touch("boot/debian-live/live/filesystem.squashfs", 0);
	/* Fedora */
	touch("boot/fedora/39/images/pxeboot/vmlinuz", 0);
	touch("boot/fedora/39/images/pxeboot/initrd.img", 0);
	touch("boot/fedora/39/images/efiboot.img", 10000000);
	touch("boot/fedora/39/.treeinfo", 0);
	/* FreeDOS floppy, a disk image, iPXE binaries */
	touch("boot/freedos/FD13-floppy.img", 1474560);
	touch("boot/images/disk.img", 33554432);
	touch("boot/ipxe/ipxe.efi", 1000);
	touch("boot/ipxe/snponly.efi", 1000);
	touch("boot/ipxe/undionly.kpxe", 1000);
	/* Ignored */
	touch("boot/README.txt", 10);
	touch("boot/random.bin", 10);
	touch("boot/memdisk", 10);
	touch("boot/.hidden/memtest.iso", 10);
}

static void test_scan(void)
{
	char dir[512];
	struct pxb_catalog_scan_opts o = {.source = "catalog-dir",
					  .kickstart = "${http}/ks/fedora.cfg"};
	pxb_boot_model *m = pxb_boot_model_new();
	const struct pxb_boot_entry *e;
	int n;

	snprintf(dir, sizeof(dir), "%s/boot", top);
	n = pxb_catalog_scan(dir, "/boot", &o, m, collect, NULL);
	ok(n > 0, "scan found %d entries", n);

	e = get(m, "sysresccd-11.00");
	ok(e && e->is_default && e->rescue_password, "newest SystemRescue is the default");
	ok(e && e->ninitrds == 3 && !strcmp(e->initrds[0], "/boot/sysresccd/11.00/boot/intel_ucode.img") &&
		   !strcmp(e->initrds[2], "/boot/sysresccd/11.00/boot/x86_64/sysresccd.img"),
	   "microcode first, then sysresccd.img");
	ok(e && !strcmp(e->args, "archisobasedir=11.00 archiso_http_srv=${http}/boot/sysresccd/ "
				 "checksum ip=dhcp"), "archiso arguments");
	ok(e && e->arch == (PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI64), "x86_64: BIOS and UEFI x64");
	ok(pxb_boot_entry_at(m, 0) == e, "newest version listed first");
	e = get(m, "sysresccd-6.1.1");
	ok(e && !e->is_default && !strcmp(e->kernel, "/boot/sysresccd/6.1.1/boot/x86_64/vmlinuz") &&
		   e->ninitrds == 1, "older version: its own entry, not default");
	e = get(m, "sysresccd-6.1.1-i686");
	ok(e && e->arch == (PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI32) &&
		   strstr(e->args, "checksum") == NULL, "i686 variant, no checksum without sha512");
	ok(pxb_boot_find_entry(m, "sysresccd-5.0") == NULL, "half tree not offered");
	ok(strstr(reports, "/boot/sysresccd/5.0/boot/x86_64/vmlinuz: SystemRescue/archiso tree: "
			   "kernel without initrd") != NULL, "half tree reported with its path");
	ok(pxb_boot_find_entry(m, "sysresccd.img") == NULL, "an initrd is not a floppy image");

	e = get(m, "memtest86+x64.bin");
	ok(e && e->kind == PXB_BOOT_LINUX && e->arch == PXB_BOOT_ARCH_BIOS, "memtest .bin: linux, BIOS");
	e = get(m, "memtest86+x64.efi");
	ok(e && e->kind == PXB_BOOT_CHAIN && e->arch == PXB_BOOT_ARCH_EFI64, "memtest .efi: chain, UEFI");
	e = get(m, "memtest86.iso");
	ok(e && e->kind == PXB_BOOT_MEMDISK && !strcmp(e->image, "/boot/memtest86.iso"),
	   "memtest .iso: memdisk");

	e = get(m, "debian-bookworm-installer-amd64");
	ok(e && !strcmp(e->kernel, "/boot/debian/bookworm/debian-installer/amd64/linux") &&
		   !strcmp(e->initrds[0], "/boot/debian/bookworm/debian-installer/amd64/initrd.gz") &&
		   strstr(e->label, "Debian installer"), "Debian netboot");
	ok(e && !e->answer && !e->family, "... without an answer file unless catalog.preseed says");
	ok(strstr(reports, "/boot/ubuntu/debian-installer/amd64/linux: Debian installer: kernel "
			   "without initrd.gz") != NULL, "half Ubuntu netboot reported");
	ok(pxb_boot_find_entry(m, "vesamenu.c32") == NULL, "files inside a recognized tree ignored");

	e = get(m, "debian-live-live");
	ok(e && !strcmp(e->initrds[0], "/boot/debian-live/live/initrd.img-6.1.0-13-amd64") &&
		   !strcmp(e->args, "boot=live fetch=${http}/boot/debian-live/live/filesystem.squashfs ip=dhcp"),
	   "Debian live: vmlinuz-<ver> with initrd.img-<ver>, fetch=");

	e = get(m, "fedora-39");
	ok(e && !strcmp(e->args, "inst.repo=${http}/boot/fedora/39 ip=dhcp inst.ks=${http}/ks/fedora.cfg"),
	   "Fedora: inst.repo= the tree, inst.ks= the kickstart");
	ok(pxb_boot_find_entry(m, "efiboot.img") == NULL, "images inside the Fedora tree ignored");

	e = get(m, "FD13-floppy.img");
	ok(e && e->kind == PXB_BOOT_MEMDISK && !strcmp(e->args, "raw") && strstr(e->label, "FreeDOS"),
	   "FreeDOS floppy through memdisk");
	e = get(m, "disk.img");
	ok(e && !strcmp(e->args, "harddisk raw"), "large .img: a disk image");
	e = get(m, "ipxe.efi");
	ok(e && e->kind == PXB_BOOT_CHAIN && e->arch == PXB_BOOT_ARCH_EFI64, "ipxe.efi: chain, UEFI");
	ok(get(m, "snponly.efi") != NULL, "snponly.efi");
	e = get(m, "undionly.kpxe");
	ok(e && e->arch == PXB_BOOT_ARCH_BIOS, "undionly.kpxe: chain, BIOS");
	ok(!pxb_boot_find_entry(m, "README.txt") && !pxb_boot_find_entry(m, "random.bin") &&
		   !pxb_boot_find_entry(m, "memdisk") && !pxb_boot_find_entry(m, "memtest.iso"),
	   "unrecognized and hidden files ignored");
	for (unsigned i = 0; i < pxb_boot_entry_count(m); i++)
		if (strcmp(pxb_boot_entry_at(m, i)->source, "catalog-dir"))
			break;
	is_int(n, (int)pxb_boot_entry_count(m), "every entry counted");
	is_int(pxb_catalog_scan("/nonexistent/dir", "/x", &o, m, collect, NULL), PXB_ERR_NOENT,
	       "missing directory: NOENT");
	pxb_boot_model_free(m);
}

static int nlog_half;
static char lastlog[1024];

static void hostlog(void *arg, int level, const char *src, const char *msg)
{
	(void)arg;
	(void)level;
	(void)src;
	if (strstr(msg, "sysresccd/5.0"))
		nlog_half++;
	snprintf(lastlog, sizeof(lastlog), "%s", msg);
}

static void test_plugin(void)
{
	char err[512], conftext[2048];
	pxb_conf *conf = pxb_conf_new();
	pxb_vfs *v = pxb_vfs_new();
	pxb_host *h = pxb_host_new(v, hostlog, NULL);
	struct pxb_client c = test_client(0);
	struct pxb_file f;
	char *buf;
	int rc;

	load_plugin(h, conf, "catalog-dir");
	load_plugin(h, conf, "ipxe");
	snprintf(conftext, sizeof(conftext),
		 "http = { root = \"%s\"; };\n"
		 "catalog = { dirs = [\"/boot\"]; trees = ({ path = \"%s/extra\"; "
		 "prefix = \"/extra\"; }); };\n"
		 "menu = { title = \"Found\"; items = [\"catalog\", \"-\", \"reboot\"]; };\n"
		 "entries = ({ id = \"memtest86.iso\"; label = \"Configured wins\"; kind = \"memdisk\";"
		 " image = \"/boot/memtest86.iso\"; hidden = true; });\n", top, top);
	touch("extra/memtest64.bin", 1000);
	start_plugins(h, conf, conftext);
	rc = pxb_vfs_open(v, "/menu.ipxe", PXB_VFS_HTTP, &c, &f);
	ok(rc == 0, "menu served");
	if (rc == 0) {
		char chk[256];
		buf = calloc(1, f.size + 1);
		pxb_file_read(&f, 0, buf, f.size);
		ok(strstr(buf, "choose --default sysresccd-11.00 ") != NULL,
		   "catalog entries in the menu, newest SystemRescue default");
		ok(strstr(buf, "item memtest86.iso") == NULL,
		   "a configured entry with the same id overrides the catalog's");
		ok(strstr(buf, "item memtest86+x64.efi") == NULL, "BIOS client: no UEFI entries");
		ok(strstr(buf, "kernel http://198.18.0.1/extra/memtest64.bin") != NULL,
		   "entries from catalog.trees use the prefix");
		ok(ipxe_check(buf, chk, sizeof(chk)) == 0, "script well formed (%s)", chk);
		free(buf);
		pxb_file_close(&f);
	}
	is_int(nlog_half, 1, "half tree logged");
	rc = pxb_vfs_open(v, "/extra/memtest64.bin", PXB_VFS_TFTP, &c, &f);
	ok(rc == 0, "catalog.trees served at their prefix");
	if (rc == 0)
		pxb_file_close(&f);

	touch("boot/sysresccd/12.00/boot/x86_64/vmlinuz", 0);
	touch("boot/sysresccd/12.00/boot/x86_64/sysresccd.img", 0);
	touch("boot/sysresccd/12.00/x86_64/airootfs.sfs", 0);
	rc = pxb_host_reload_all(h, conf, err, sizeof(err));
	ok(rc == 0, "reload rescans");
	is_int(nlog_half, 1, "half tree logged once, not at every rescan");
	rc = pxb_vfs_open(v, "/menu.ipxe", PXB_VFS_HTTP, &c, &f);
	if (rc == 0) {
		buf = calloc(1, f.size + 1);
		pxb_file_read(&f, 0, buf, f.size);
		ok(strstr(buf, "choose --default sysresccd-12.00 ") != NULL,
		   "a version added before the reload is the new default");
		free(buf);
		pxb_file_close(&f);
	}
	pxb_host_free(h);
	pxb_vfs_free(v);
	pxb_conf_free(conf);
}

/* Installers found, with answer templates: unattended entries of their family. */
static void test_answers(void)
{
	char dir[512];
	struct pxb_catalog_scan_opts o = {.source = "catalog-dir", .kickstart = "${http}/ks.cfg",
					  .preseed = "/etc/pxeboot/preseed.cfg",
					  .ks_answer = "/etc/pxeboot/ks.cfg"};
	pxb_boot_model *m = pxb_boot_model_new();
	const struct pxb_boot_entry *e;

	snprintf(dir, sizeof(dir), "%s/boot", top);
	pxb_catalog_scan(dir, "/boot", &o, m, collect, NULL);
	e = get(m, "debian-bookworm-installer-amd64");
	ok(e && e->answer && !strcmp(e->answer, "/etc/pxeboot/preseed.cfg") &&
		   e->family == PXB_FAMILY_DEBIAN,
	   "catalog.preseed: the Debian installer found installs unattended (family debian)");
	e = NULL;
	for (unsigned i = 0; i < pxb_boot_entry_count(m); i++)
		if (strstr(pxb_boot_entry_at(m, i)->label, "Fedora/RHEL"))
			e = pxb_boot_entry_at(m, i);
	ok(e && e->answer && e->family == PXB_FAMILY_KICKSTART && !strstr(e->args, "inst.ks="),
	   "catalog.kickstart_answer: Fedora/RHEL gets its per-host kickstart (family kickstart)");
	pxb_boot_model_free(m);
}

int main(void)
{
	char cmd[600];

	plan_lazy();
	snprintf(top, sizeof(top), "%s/pxb-catalog-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(top)) {
		ok(0, "temporary directory");
		return done_testing();
	}
	make_trees();
	test_scan();
	test_answers();
	test_plugin();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		diag("could not remove %s", top);
	return done_testing();
}
