/*
 * catalog_iso_test.c - the ISO catalog on images made here with xorriso:
 * the reader (Rock Ridge, Joliet and plain ISO 9660 names; extents that
 * hold the files' bytes; symbolic links left out), refusals with their
 * reasons (truncated, not an image, an extent past the end, a file
 * claiming more than the image, a directory loop, too many files, too
 * deep), the recognizers (SystemRescue, Debian live, Ubuntu casper, Debian
 * installer, memtest86+, the memdisk/sanboot fallback), then the plugin in
 * a host: files opened through the vfs are fd + offset into the image, an
 * open file keeps reading the image it was opened on when the image is
 * replaced, the next open sees the new one, a reload finds new images, a
 * refused image is not read again until its file changes (its opens counted
 * with inotify), and the reader's work grows linearly with the number of
 * directories (3000 and 12000 directories).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "renderer_util.h"
#include "../plugins/catalog-iso/iso_image.h"
#include "../plugins/catalog-iso/iso_recognize.h"

static char top[256];
static int have_xorriso;

static void put(const char *rel, size_t size, unsigned seed)
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
	for (size_t i = 0; i < size; i++)
		fputc((int)((i * 2654435761u + seed) >> 13) & 0xff, f);
	fclose(f);
}

/* Makes top/<out> from top/<dir> with xorriso; opts: "-R", "-J", "plain". */
static int mkiso(const char *dir, const char *out, const char *opts)
{
	char cmd[2048];

	if (!strcmp(opts, "plain") || !strcmp(opts, "joliet"))
		snprintf(cmd, sizeof(cmd), "xorriso -outdev '%s/%s' -padding 0 -rockridge off "
			 "-joliet %s -map '%s/%s' / >/dev/null 2>&1", top, out,
			 strcmp(opts, "plain") ? "on" : "off", top, dir);
	else
		snprintf(cmd, sizeof(cmd), "xorriso -as mkisofs %s -no-pad -V '%s' -o '%s/%s' '%s/%s' "
			 ">/dev/null 2>&1", opts, dir, top, out, top, dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *path_of(const char *rel)
{
	static char p[4][1024];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", top, rel);
	return p[k];
}

/* Do the bytes at the file's extent equal top/<src>? */
static int same_bytes(const struct pxb_iso_image *img, const char *inside, const char *src)
{
	const struct pxb_iso_file *f = pxb_iso_image_find(img, inside);
	char *want = slurp(path_of(src)), *got;
	struct stat st;
	int same;

	if (!f || !want || stat(path_of(src), &st) < 0 || f->size != (uint64_t)st.st_size) {
		free(want);
		return 0;
	}
	got = malloc(f->size + 1);
	same = got && pread(img->fd, got, f->size, (off_t)f->offset) == (ssize_t)f->size &&
	       memcmp(got, want, f->size) == 0;
	free(got);
	free(want);
	return same;
}

static void count_child(void *arg, const struct pxb_iso_file *f, const char *name)
{
	(void)f;
	(void)name;
	(*(int *)arg)++;
}

static void test_reader(void)
{
	struct pxb_iso_image *img;
	char why[512];
	int n = 0;

	put("t1/sysresccd/boot/x86_64/vmlinuz", 100001, 1);
	put("t1/sysresccd/x86_64/airootfs.sfs", 4096, 2);
	put("t1/Mixed Case/A Long File Name.with.dots", 7, 3);
	put("t1/empty", 0, 0);
	if (symlink("empty", path_of("t1/link")) < 0)
		diag("symlink: %s", strerror(errno));
	ok(mkiso("t1", "rr.iso", "-R") == 0 && mkiso("t1", "jo.iso", "joliet") == 0 &&
		   mkiso("t1", "pl.iso", "plain") == 0 && mkiso("t1", "both.iso", "-R -J") == 0,
	   "xorriso made the images");

	is_int(pxb_iso_image_open(path_of("rr.iso"), NULL, &img, why, sizeof(why)), 0, "Rock Ridge image opens");
	if (img) {
		ok(img->rock_ridge && !strcmp(img->volume_id, "t1"), "Rock Ridge names, volume id");
		ok(same_bytes(img, "sysresccd/boot/x86_64/vmlinuz", "t1/sysresccd/boot/x86_64/vmlinuz"),
		   "the kernel's extent holds its bytes");
		ok(same_bytes(img, "Mixed Case/A Long File Name.with.dots",
			      "t1/Mixed Case/A Long File Name.with.dots"), "long mixed-case name with spaces");
		ok(pxb_iso_image_find(img, "empty") && pxb_iso_image_find(img, "empty")->size == 0,
		   "empty file");
		ok(!pxb_iso_image_find(img, "link") && img->skipped == 1, "symbolic link not served");
		ok(pxb_iso_image_find(img, "sysresccd/boot")->is_dir, "directories listed");
		n = 0;
		is_int(pxb_iso_image_children(img, "sysresccd", count_child, &n), 2, "two children");
		is_int(pxb_iso_image_children(img, "empty", count_child, &n), -1, "a file has no children");
		pxb_iso_image_free(img);
	}
	is_int(pxb_iso_image_open(path_of("both.iso"), NULL, &img, why, sizeof(why)), 0, "RR + Joliet image opens");
	if (img) {
		ok(img->rock_ridge && !img->joliet, "Rock Ridge preferred over Joliet");
		pxb_iso_image_free(img);
	}
	is_int(pxb_iso_image_open(path_of("jo.iso"), NULL, &img, why, sizeof(why)), 0, "Joliet image opens");
	if (img) {
		ok(img->joliet && same_bytes(img, "Mixed Case/A Long File Name.with.dots",
					     "t1/Mixed Case/A Long File Name.with.dots"),
		   "Joliet names without the ;1 version");
		pxb_iso_image_free(img);
	}
	is_int(pxb_iso_image_open(path_of("pl.iso"), NULL, &img, why, sizeof(why)), 0, "plain ISO 9660 opens");
	if (img) {
		ok(same_bytes(img, "sysresccd/boot/x86_64/vmlinuz", "t1/sysresccd/boot/x86_64/vmlinuz"),
		   "plain names translated (lower case, no ;1)");
		pxb_iso_image_free(img);
	}
}

/* Sets a directory record's extent or size (both byte orders) in top/<iso>. */
static void patch(const char *iso, const char *name, int size_field, uint32_t value)
{
	char *p = path_of(iso);
	int fd = open(p, O_RDWR);
	struct stat st;
	uint8_t *b;
	size_t nl = strlen(name);

	if (fd < 0 || fstat(fd, &st) < 0 || !(b = malloc((size_t)st.st_size)) ||
	    pread(fd, b, (size_t)st.st_size, 0) != st.st_size) {
		diag("cannot patch %s", p);
		return;
	}
	for (size_t i = 33; i + nl < (size_t)st.st_size; i++)
		if (b[i - 1] == nl && !memcmp(b + i, name, nl)) {
			uint8_t *r = b + i - 33 + (size_field ? 10 : 2);
			for (int k = 0; k < 4; k++) {
				r[k] = (uint8_t)(value >> (8 * k));
				r[7 - k] = (uint8_t)(value >> (8 * k));
			}
			break;
		}
	if (pwrite(fd, b, (size_t)st.st_size, 0) != st.st_size)
		diag("cannot write %s", p);
	free(b);
	close(fd);
}

static void copy(const char *from, const char *to)
{
	char cmd[2200];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", path_of(from), path_of(to));
	if (system(cmd) != 0)
		diag("%s failed", cmd);
}

static void refused(const char *iso, const struct pxb_iso_limits *lim, int want_rc,
		    const char *want, const char *what)
{
	struct pxb_iso_image *img = NULL;
	char why[512];
	int rc = pxb_iso_image_open(path_of(iso), lim, &img, why, sizeof(why));

	if (!ok(rc == want_rc && !img && strstr(why, want), "%s: refused", what))
		diag("rc %d, why: %s", rc, why);
	pxb_iso_image_free(img);
}

static void test_refused(void)
{
	struct pxb_iso_limits lim = {.max_files = 5};
	char cmd[600];
	uint8_t root[4];
	int fd;

	snprintf(cmd, sizeof(cmd), "head -c 40000 '%s' >'%s' && head -c 100000 /dev/urandom >'%s' && : >'%s'",
		 path_of("rr.iso"), path_of("trunc.iso"), path_of("noise.iso"), path_of("empty.iso"));
	ok(system(cmd) == 0, "broken images made");
	refused("trunc.iso", NULL, PXB_ERR_INVAL, "truncated: the volume is", "truncated image");
	refused("noise.iso", NULL, PXB_ERR_INVAL, "not an ISO 9660 image", "random bytes");
	refused("empty.iso", NULL, PXB_ERR_INVAL, "truncated or not an ISO 9660 image", "empty file");
	refused("missing.iso", NULL, PXB_ERR_NOENT, "cannot open", "missing file");
	copy("rr.iso", "past.iso");
	patch("past.iso", "VMLINUZ.;1", 0, 0x100000);
	refused("past.iso", NULL, PXB_ERR_INVAL, "/sysresccd/boot/x86_64/vmlinuz: its extent (100001 "
		"bytes at byte 2147483648) runs past the end of the image", "extent past the end");
	copy("rr.iso", "huge.iso");
	patch("huge.iso", "VMLINUZ.;1", 1, 0xffffffffu);
	refused("huge.iso", NULL, PXB_ERR_INVAL, "claims 4294967295 bytes, more than the whole image",
		"a file claiming 4 GiB in a small image");
	copy("rr.iso", "loop.iso");
	fd = open(path_of("loop.iso"), O_RDONLY);
	if (fd < 0 || pread(fd, root, 4, 16 * 2048 + 156 + 2) != 4)
		diag("cannot read the root extent");
	if (fd >= 0)
		close(fd);
	patch("loop.iso", "X86_64", 0, (uint32_t)root[0] | (uint32_t)root[1] << 8 |
					 (uint32_t)root[2] << 16 | (uint32_t)root[3] << 24);
	refused("loop.iso", NULL, PXB_ERR_INVAL, "directory loop: /sysresccd/x86_64 points at sector",
		"a directory pointing back at the root");
	refused("rr.iso", &lim, PXB_ERR_TOOBIG, "more than 5 files and directories", "too many files");
	lim.max_files = 0;
	lim.max_dir_bytes = 4096;
	refused("rr.iso", &lim, PXB_ERR_TOOBIG, "more than 4096 bytes of directory records",
		"more directory bytes than the limit");
	lim.max_dir_bytes = 0;
	put("deep/a/b/c/d/e/f", 1, 0);
	mkiso("deep", "deep.iso", "-R");
	lim.max_files = 0;
	lim.max_depth = 3;
	refused("deep.iso", &lim, PXB_ERR_TOOBIG, "directories nested deeper than 3 levels (/a/b/c/d)",
		"too deep");
}

/* Makes top/<name>.iso from top/<name> holding n empty directories at its root. */
static int many_dirs(const char *name, unsigned n)
{
	char iso[300];

	if (mkdir(path_of(name), 0755) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		char d[1100];
		snprintf(d, sizeof(d), "%s/d%05u", path_of(name), i);
		if (mkdir(d, 0755) < 0)
			return -1;
	}
	snprintf(iso, sizeof(iso), "%s.iso", name);
	return mkiso(name, iso, "-R");
}

/* Reads top/<name>.iso three times: the best time, the records decoded. */
static double read_timed(const char *name, size_t want, uint64_t *records)
{
	char iso[300], why[512];
	double best = 1e9;

	snprintf(iso, sizeof(iso), "%s.iso", name);
	*records = 0;
	for (int i = 0; i < 3; i++) {
		struct pxb_iso_image *img = NULL;
		struct timespec a, b;
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &a);
		rc = pxb_iso_image_open(path_of(iso), NULL, &img, why, sizeof(why));
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (rc < 0 || img->nfiles != want) {
			diag("%s: rc %d, %zu files: %s", iso, rc, img ? img->nfiles : 0, why);
			pxb_iso_image_free(img);
			return -1;
		}
		*records = img->records;
		pxb_iso_image_free(img);
		if ((double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9 < best)
			best = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
		if (best > 10)
			break; /* no need to wait for more */
	}
	return best;
}

/*
 * Directories are read once each: the work grows linearly with their
 * number. (Resolving each directory's path from the root, as a reader
 * built on path lookups does, grows with its square: 12000 directories at
 * the root took 20 s, 3000 took 2 s.)
 */
static void test_many_dirs(void)
{
	uint64_t r3, r12;
	double t3, t12;

	if (!ok(many_dirs("md3", 3000) == 0 && many_dirs("md12", 12000) == 0,
		"images with 3000 and 12000 directories made"))
		return;
	t3 = read_timed("md3", 3000, &r3);
	t12 = read_timed("md12", 12000, &r12);
	ok(t3 >= 0 && t12 >= 0, "both read, every directory listed");
	ok(t12 >= 0 && t12 < 3.0, "12000 directories read in %.3f s (bound: 3 s)", t12);
	ok(t3 > 0 && t12 >= 0 && t12 < 8 * t3 + 0.05,
	   "4 times the directories, %.1f times the time (%.3f s, %.3f s; quadratic: 16)",
	   t3 > 0 ? t12 / t3 : 0, t3, t12);
	ok(r3 && r12 && r12 <= 5 * r3, "4 times the directories, %.2f times the records decoded "
	   "(%llu, %llu)", r3 ? (double)r12 / (double)r3 : 0, (unsigned long long)r3,
	   (unsigned long long)r12);
}

static void test_names(void)
{
	char n[64];

	ok(pxb_iso_name("systemrescue-11.00-amd64.iso", n, sizeof(n)) == 0 &&
		   !strcmp(n, "systemrescue-11.00-amd64"), "name: .iso dropped");
	ok(pxb_iso_name("My Rescue (2).ISO", n, sizeof(n)) == 0 && !strcmp(n, "My_Rescue__2_"),
	   "name: unsafe characters replaced");
	ok(pxb_iso_name(".iso", n, sizeof(n)) < 0, "name: nothing left");
}

static const struct pxb_boot_entry *get(pxb_boot_model *m, const char *id)
{
	const struct pxb_boot_entry *e = pxb_boot_find_entry(m, id);

	if (!e)
		for (unsigned i = 0; i < pxb_boot_entry_count(m); i++)
			diag("  have %s (%s)", pxb_boot_entry_at(m, i)->id, pxb_boot_entry_at(m, i)->label);
	return e;
}

/* Opens top/<iso>, recognizes it as <name>; returns the model (entries) and fills what. */
static pxb_boot_model *recognize(const char *iso, const char *name, uint64_t memdisk_max,
				 int *recognized, char *what, size_t whatlen)
{
	struct pxb_iso_recog_opts o = {.source = "catalog-iso", .prefix = "/iso",
				       .memdisk_max = memdisk_max};
	struct pxb_iso_image *img;
	pxb_boot_model *m = pxb_boot_model_new();
	char why[512];

	if (pxb_iso_image_open(path_of(iso), NULL, &img, why, sizeof(why)) < 0) {
		diag("%s: %s", iso, why);
		return m;
	}
	pxb_iso_recognize(img, name, &o, m, recognized, what, whatlen);
	pxb_iso_image_free(img);
	return m;
}

static void test_recognize(void)
{
	const struct pxb_boot_entry *e;
	pxb_boot_model *m;
	char what[512];
	int rec;

	put("sr/sysresccd/boot/x86_64/vmlinuz", 1000, 1);
	put("sr/sysresccd/boot/x86_64/sysresccd.img", 1000, 2);
	put("sr/sysresccd/boot/intel_ucode.img", 10, 3);
	put("sr/sysresccd/boot/amd_ucode.img", 10, 4);
	put("sr/sysresccd/x86_64/airootfs.sfs", 1000, 5);
	put("sr/sysresccd/x86_64/airootfs.sha512", 10, 6);
	mkiso("sr", "sr.iso", "-R");
	m = recognize("sr.iso", "systemrescue-11.00-amd64", 1 << 20, &rec, what, sizeof(what));
	e = get(m, "systemrescue-11.00-amd64");
	ok(rec && e && e->kind == PXB_BOOT_LINUX && e->rescue_password &&
		   !strcmp(e->kernel, "/iso/systemrescue-11.00-amd64/sysresccd/boot/x86_64/vmlinuz"),
	   "SystemRescue: kernel inside the image (%s)", what);
	ok(e && e->ninitrds == 3 &&
		   !strcmp(e->initrds[0], "/iso/systemrescue-11.00-amd64/sysresccd/boot/intel_ucode.img") &&
		   !strcmp(e->initrds[2], "/iso/systemrescue-11.00-amd64/sysresccd/boot/x86_64/sysresccd.img"),
	   "SystemRescue: microcode, then sysresccd.img");
	ok(e && !strcmp(e->args, "archisobasedir=sysresccd archiso_http_srv=${http}/iso/"
				 "systemrescue-11.00-amd64/ checksum ip=dhcp"), "SystemRescue: arguments");
	ok(e && e->arch == (PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI64), "SystemRescue: BIOS and UEFI");
	pxb_boot_model_free(m);

	put("dl/live/vmlinuz-6.1.0-13-amd64", 10, 1);
	put("dl/live/initrd.img-6.1.0-13-amd64", 10, 1);
	put("dl/live/vmlinuz-6.1.0-9-amd64", 10, 1);
	put("dl/live/initrd.img-6.1.0-9-amd64", 10, 1);
	put("dl/live/filesystem.squashfs", 10, 1);
	mkiso("dl", "dl.iso", "-R");
	m = recognize("dl.iso", "debian-live-12", 1 << 20, &rec, what, sizeof(what));
	e = get(m, "debian-live-12");
	ok(e && !strcmp(e->kernel, "/iso/debian-live-12/live/vmlinuz-6.1.0-13-amd64") &&
		   !strcmp(e->initrds[0], "/iso/debian-live-12/live/initrd.img-6.1.0-13-amd64") &&
		   !strcmp(e->args, "boot=live fetch=${http}/iso/debian-live-12/live/filesystem.squashfs ip=dhcp") &&
		   strstr(e->label, "Debian live"), "Debian live: newest kernel, fetch= the squashfs");
	pxb_boot_model_free(m);

	/* archisobasedir= takes the base directory as one word: a base that is not is no archiso */
	put("sp/arch linux/boot/x86_64/vmlinuz-linux", 10, 1);
	put("sp/arch linux/boot/x86_64/initramfs-linux.img", 10, 1);
	put("sp/arch linux/x86_64/airootfs.sfs", 10, 1);
	mkiso("sp", "sp.iso", "-R");
	m = recognize("sp.iso", "archlinux", 1 << 20, &rec, what, sizeof(what));
	e = get(m, "archlinux");
	ok(!rec && e && e->kind == PXB_BOOT_MEMDISK, "archiso with a blank in its base: the image whole");
	pxb_boot_model_free(m);

	put("ub/casper/vmlinuz", 10, 1);
	put("ub/casper/initrd", 10, 1);
	mkiso("ub", "ub.iso", "-R");
	m = recognize("ub.iso", "ubuntu-24.04", 1 << 20, &rec, what, sizeof(what));
	e = get(m, "ubuntu-24.04");
	ok(e && !strcmp(e->args, "boot=casper ip=dhcp url=${http}/iso/ubuntu-24.04.iso"),
	   "Ubuntu casper: url= the image");
	pxb_boot_model_free(m);

	/* a directory named as an initrd is no initrd */
	put("cd/casper/vmlinuz", 10, 1);
	put("cd/casper/initrd/README", 10, 1);
	mkiso("cd", "cd.iso", "-R");
	m = recognize("cd.iso", "ubuntu-dir", 1 << 20, &rec, what, sizeof(what));
	e = get(m, "ubuntu-dir");
	ok(!rec && e && e->kind == PXB_BOOT_MEMDISK, "casper/initrd a directory: the image whole");
	pxb_boot_model_free(m);

	put("ni/install.amd/vmlinuz", 10, 1);
	put("ni/install.amd/initrd.gz", 10, 1);
	mkiso("ni", "ni.iso", "-R");
	m = recognize("ni.iso", "debian-12.5.0-amd64-netinst", 1 << 20, &rec, what, sizeof(what));
	e = get(m, "debian-12.5.0-amd64-netinst");
	ok(e && !strcmp(e->initrds[0], "/iso/debian-12.5.0-amd64-netinst/install.amd/initrd.gz") &&
		   strstr(e->label, "Debian installer"), "Debian netinst: install.amd kernel and initrd");
	ok(e && !e->answer, "... without an answer file unless iso.preseed says");
	pxb_boot_model_free(m);
	{
		struct pxb_iso_recog_opts o = {.source = "catalog-iso", .prefix = "/iso",
					       .memdisk_max = 1 << 20, .preseed = "/etc/p.cfg"};
		struct pxb_iso_image *img;
		char why[512];

		m = pxb_boot_model_new();
		if (pxb_iso_image_open(path_of("ni.iso"), NULL, &img, why, sizeof(why)) == 0) {
			pxb_iso_recognize(img, "debian-12.5.0-amd64-netinst", &o, m, &rec, what,
					  sizeof(what));
			pxb_iso_image_free(img);
		}
		e = get(m, "debian-12.5.0-amd64-netinst");
		ok(e && e->answer && !strcmp(e->answer, "/etc/p.cfg") && e->family == PXB_FAMILY_DEBIAN,
		   "iso.preseed: the installer in the image installs unattended (family debian)");
		pxb_boot_model_free(m);
	}

	put("mt/EFI/BOOT/BOOTX64.EFI", 10, 1);
	put("mt/boot/memtest.bin", 10, 1);
	mkiso("mt", "mt.iso", "-R");
	m = recognize("mt.iso", "mt86plus", 1 << 20, &rec, what, sizeof(what));
	e = get(m, "mt86plus");
	ok(e && e->kind == PXB_BOOT_MEMDISK && !strcmp(e->image, "/iso/mt86plus.iso") &&
		   e->arch == PXB_BOOT_ARCH_BIOS, "memtest86+: the image through memdisk");
	e = get(m, "mt86plus-efi");
	ok(e && e->kind == PXB_BOOT_CHAIN && !strcmp(e->kernel, "/iso/mt86plus/EFI/BOOT/BOOTX64.EFI") &&
		   e->arch == PXB_BOOT_ARCH_EFI64, "memtest86+: its EFI binary chained on UEFI");
	pxb_boot_model_free(m);

	m = recognize("rr.iso", "other", 1 << 20, &rec, what, sizeof(what));
	e = get(m, "other");
	ok(!rec && e && e->kind == PXB_BOOT_MEMDISK && strstr(what, "no known layout"),
	   "unrecognized small image: memdisk (%s)", what);
	pxb_boot_model_free(m);
	m = recognize("rr.iso", "other", 1000, &rec, what, sizeof(what));
	e = get(m, "other");
	ok(!rec && e && e->kind == PXB_BOOT_SANBOOT && !strcmp(e->image, "/iso/other.iso") &&
		   strstr(what, "sanboot"), "unrecognized large image: sanboot over HTTP");
	pxb_boot_model_free(m);
}

static int nrefused;

static void hostlog(void *arg, int level, const char *src, const char *msg)
{
	(void)arg;
	(void)level;
	(void)src;
	if (strstr(msg, "image refused"))
		nrefused++;
}

static int read_all(struct pxb_file *f, char **out)
{
	*out = malloc(f->size + 1);
	return *out && pxb_file_read(f, 0, *out, f->size) == (int64_t)f->size ? 0 : -1;
}

/* Opens of the watched file since the last call. */
static int opens(int in)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	int k = 0;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			k += !!(e->mask & IN_OPEN);
			p += sizeof(*e) + e->len;
		}
	return k;
}

/* Asks for files inside the refused image; returns how often it was opened meanwhile. */
static int ask_bad(pxb_vfs *v, struct pxb_client *c, int in, int times)
{
	struct pxb_file f;
	int k = 0;

	for (int i = 0; i < times; i++) {
		if (pxb_vfs_open(v, "/iso/bad/boot/x", i % 2 ? PXB_VFS_TFTP : PXB_VFS_HTTP, c, &f) == 0)
			pxb_file_close(&f);
		k += opens(in); /* read at once: inotify merges identical events not yet read */
		pxb_vfs_is_dir(v, "/iso/bad/boot", PXB_VFS_HTTP);
		k += opens(in);
	}
	return k;
}

/* A refused image is read once, then not again until its file changes. */
static void test_refusal_kept(pxb_host *h, pxb_vfs *v, pxb_conf *conf)
{
	struct pxb_client c = test_client(0);
	char err[512];
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), fd;

	if (!ok(in >= 0 && inotify_add_watch(in, path_of("images/bad.iso"), IN_OPEN) >= 0,
		"watching the refused image's opens"))
		return;
	is_int(ask_bad(v, &c, in, 10), 0, "requests naming a refused image do not read it again");
	is_int(pxb_host_reload_all(h, conf, err, sizeof(err)), 0, "reload");
	is_int(opens(in), 0, "nor does a reload while it is unchanged");
	fd = open(path_of("images/bad.iso"), O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, "x", 1) != 1)
		diag("cannot append to bad.iso");
	if (fd >= 0)
		close(fd);
	opens(in); /* the append's own open */
	is_int(ask_bad(v, &c, in, 10), 1, "a changed file is read again, once");
	close(in);
}

static void test_plugin(void)
{
	char err[512], conftext[2048], *buf, *want;
	pxb_conf *conf = pxb_conf_new();
	pxb_vfs *v = pxb_vfs_new();
	pxb_host *h = pxb_host_new(v, hostlog, NULL);
	struct pxb_client c = test_client(0);
	struct pxb_file f, old;
	uint64_t gen;
	int rc;

	mkdir(path_of("images"), 0755);
	copy("sr.iso", "images/rescue.iso");
	copy("trunc.iso", "images/bad.iso");
	load_plugin(h, conf, "catalog-iso");
	load_plugin(h, conf, "ipxe");
	snprintf(conftext, sizeof(conftext),
		 "iso = { dirs = [\"%s\"]; };\nmenu = { items = [\"catalog\"]; };\n",
		 path_of("images"));
	start_plugins(h, conf, conftext);
	is_int(nrefused, 1, "the truncated image is refused, once");
	gen = pxb_boot_catalogs_generation(h);

	rc = pxb_vfs_open(v, "/iso/rescue/sysresccd/boot/x86_64/vmlinuz", PXB_VFS_TFTP, &c, &f);
	ok(rc == 0 && f.fd >= 0 && f.fd_offset > 0 && f.fd_offset % 2048 == 0 && f.size == 1000,
	   "a file inside the image: the image's fd at the file's extent");
	want = slurp(path_of("sr/sysresccd/boot/x86_64/vmlinuz"));
	ok(rc == 0 && read_all(&f, &buf) == 0 && !memcmp(buf, want, 1000), "its bytes");
	if (rc == 0) {
		free(buf);
		pxb_file_close(&f);
	}
	free(want);
	rc = pxb_vfs_open(v, "/iso/rescue.iso", PXB_VFS_HTTP, &c, &f);
	ok(rc == 0 && f.fd_offset == 0 && f.size == (uint64_t)(lseek(f.fd, 0, SEEK_END)),
	   "the image itself");
	if (rc == 0)
		pxb_file_close(&f);
	is_int(pxb_vfs_open(v, "/iso/rescue/sysresccd", PXB_VFS_HTTP, &c, &f), PXB_ERR_ACCESS,
	       "a directory inside is not opened");
	is_int(pxb_vfs_open(v, "/iso/bad/x", PXB_VFS_HTTP, &c, &f), PXB_ERR_NOENT,
	       "a refused image serves nothing");
	ok(pxb_vfs_is_dir(v, "/iso/rescue/sysresccd/boot", PXB_VFS_HTTP), "directories list");

	rc = pxb_vfs_open(v, "/menu.ipxe", PXB_VFS_HTTP, &c, &f);
	if (rc == 0 && read_all(&f, &buf) == 0) {
		buf[f.size] = '\0';
		ok(strstr(buf, "http://198.18.0.1/iso/rescue/sysresccd/boot/x86_64/vmlinuz") != NULL,
		   "the menu boots the kernel from inside the image");
		free(buf);
	} else {
		ok(0, "menu served");
	}
	if (rc == 0)
		pxb_file_close(&f);

	/* Replaced while open: the open file reads the old image, the next open the new one. */
	rc = pxb_vfs_open(v, "/iso/rescue/sysresccd/x86_64/airootfs.sfs", PXB_VFS_HTTP, &c, &old);
	put("sr/sysresccd/x86_64/airootfs.sfs", 3000, 77);
	mkiso("sr", "new.iso", "-R");
	ok(rename(path_of("new.iso"), path_of("images/rescue.iso")) == 0, "image replaced by rename");
	want = slurp(path_of("sr/sysresccd/x86_64/airootfs.sfs"));
	rc = pxb_vfs_open(v, "/iso/rescue/sysresccd/x86_64/airootfs.sfs", PXB_VFS_HTTP, &c, &f);
	ok(rc == 0 && f.size == 3000 && read_all(&f, &buf) == 0 && !memcmp(buf, want, 3000),
	   "the next open reads the new image");
	if (rc == 0) {
		free(buf);
		pxb_file_close(&f);
	}
	free(want);
	ok(old.size == 1000 && read_all(&old, &buf) == 0, "the file opened before still reads");
	if (old.size == 1000) {
		char *w = malloc(1000);
		int fd = open(path_of("sr.iso"), O_RDONLY);
		/* sr.iso is the original image: the old bytes. */
		struct pxb_iso_image *img;
		char why[200];
		if (pxb_iso_image_open(path_of("sr.iso"), NULL, &img, why, sizeof(why)) == 0) {
			const struct pxb_iso_file *e = pxb_iso_image_find(img, "sysresccd/x86_64/airootfs.sfs");
			ok(e && pread(img->fd, w, 1000, (off_t)e->offset) == 1000 && !memcmp(w, buf, 1000),
			   "... from the old image, byte-identical");
			pxb_iso_image_free(img);
		}
		if (fd >= 0)
			close(fd);
		free(w);
		free(buf);
	}
	pxb_file_close(&old);
	ok(pxb_boot_catalogs_generation(h) != gen, "a changed image bumps the catalog generation");

	copy("dl.iso", "images/live.iso");
	rc = pxb_host_reload_all(h, conf, err, sizeof(err));
	ok(rc == 0 && pxb_vfs_open(v, "/iso/live/live/filesystem.squashfs", PXB_VFS_TFTP, &c, &f) == 0,
	   "reload finds a new image");
	if (rc == 0)
		pxb_file_close(&f);
	is_int(nrefused, 1, "reload does not log the refused image again");
	test_refusal_kept(h, v, conf);
	pxb_host_free(h);
	pxb_vfs_free(v);
	pxb_conf_free(conf);
}

int main(void)
{
	char cmd[600];

	plan_lazy();
	have_xorriso = system("command -v xorriso >/dev/null 2>&1") == 0;
	if (!have_xorriso) {
		printf("1..0 # SKIP xorriso is not installed\n");
		return 0;
	}
	snprintf(top, sizeof(top), "%s/pxb-iso-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(top)) {
		ok(0, "temporary directory");
		return done_testing();
	}
	test_reader();
	test_refused();
	test_many_dirs();
	test_names();
	test_recognize();
	test_plugin();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		diag("could not remove %s", top);
	return done_testing();
}
