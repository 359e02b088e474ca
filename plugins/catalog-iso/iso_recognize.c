/*
 * iso_recognize.c - boot entries for what is inside an ISO image (see
 * iso_recognize.h). Kernels, initrds and root images are paths inside the
 * image under <prefix>/<name>/, so they are fetched over HTTP (or TFTP)
 * straight from the image's bytes; nothing is extracted.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iso_recognize.h"

struct ctx {
	const struct pxb_iso_image *img;
	const char *name;
	const struct pxb_iso_recog_opts *o;
	pxb_boot_model *m;
	int added, nomem;
};

static int fmt(char *buf, size_t len, const char *f, ...) __attribute__((format(printf, 3, 4)));

static int fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '+' || c == '-';
}

/* Can s go on a kernel command line as it is (name characters only)? */
static int word_ok(const char *s)
{
	for (; *s; s++)
		if (!name_char_ok(*s))
			return 0;
	return 1;
}

int pxb_iso_name(const char *file, char *out, size_t len)
{
	size_t l = strlen(file), n = 0;

	if (l > 4 && !strcasecmp(file + l - 4, ".iso"))
		l -= 4;
	if (len == 0)
		return -1;
	for (size_t i = 0; i < l && n + 1 < len; i++)
		out[n++] = name_char_ok(file[i]) ? file[i] : '_';
	out[n] = '\0';
	if (n == 0 || out[0] == '.' || n < l)
		return -1;
	return 0;
}

/* The file (never a directory) at path. */
static const struct pxb_iso_file *find(struct ctx *c, const char *path)
{
	const struct pxb_iso_file *f = pxb_iso_image_find(c->img, path);

	return f && !f->is_dir ? f : NULL;
}

/* A file whose path matches case-insensitively (ISO level-1 names, EFI/BOOT spelled any way). */
static const struct pxb_iso_file *find_ci(struct ctx *c, const char *path)
{
	const struct pxb_iso_file *f = find(c, path);

	for (size_t i = 0; !f && i < c->img->nfiles; i++)
		if (!strcasecmp(c->img->files[i].path, path) && !c->img->files[i].is_dir)
			f = &c->img->files[i];
	return f && !f->is_dir ? f : NULL;
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

/* Namespace path of a file inside the image. */
static void ns(struct ctx *c, const char *rel, char *out, size_t len)
{
	fmt(out, len, "%s/%s/%s", c->o->prefix, c->name, rel);
}

static void make_id(struct ctx *c, const char *suffix, char *id, size_t len)
{
	char text[96];

	fmt(text, sizeof(text), "%s%s", c->name, suffix);
	pxb_boot_unique_id(c->m, text, id, len);
}

static void add(struct ctx *c, struct pxb_boot_entry *e)
{
	int rc;

	e->source = c->o->source ? c->o->source : "catalog-iso";
	rc = pxb_boot_add_entry(c->m, e);
	if (rc == 0)
		c->added++;
	else if (rc == PXB_ERR_NOMEM)
		c->nomem = 1;
}

static const char *label_name(struct ctx *c)
{
	return c->img->volume_id[0] ? c->img->volume_id : c->name;
}

static unsigned arch_of(const char *a)
{
	if (!strcmp(a, "x86_64") || !strcmp(a, "amd64") || !strcmp(a, "x64"))
		return PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI64;
	if (!strcmp(a, "i686") || !strcmp(a, "i386") || !strcmp(a, "i586"))
		return PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI32;
	if (!strcmp(a, "aarch64") || !strcmp(a, "arm64"))
		return PXB_BOOT_ARCH_ARM64;
	return 0;
}

/* ---- SystemRescue / archiso: <base>/boot/<arch>/vmlinuz ---------------- */

static int recognize_archiso(struct ctx *c)
{
	static const char *const initrds[] = {"sysresccd.img", "archiso.img", "initramfs-linux.img"};
	static const char *const ucode[] = {"intel_ucode.img", "intel-ucode.img", "amd_ucode.img",
					    "amd-ucode.img"};
	int found = 0;

	for (size_t i = 0; i < c->img->nfiles; i++) {
		const struct pxb_iso_file *f = &c->img->files[i];
		char base[256], arch[64], kname[64], rel[1024], kernel[1100], ird[3][1100];
		char args[1400], id[64], label[256], suffix[80];
		struct pxb_boot_entry e = {0};
		const char *initrd = NULL;
		int sysresc = 0, checksum;

		if (f->is_dir || sscanf(f->path, "%255[^/]/boot/%63[^/]/%63[^/]", base, arch, kname) != 3 ||
		    !word_ok(base) || /* archisobasedir=<base>: one word, nothing to expand */
		    fmt(rel, sizeof(rel), "%s/boot/%s/%s", base, arch, kname) < 0 ||
		    strcmp(rel, f->path) || (strcmp(kname, "vmlinuz") && strcmp(kname, "vmlinuz-linux")) ||
		    !arch_of(arch))
			continue;
		for (unsigned k = 0; k < 3 && !initrd; k++) {
			fmt(rel, sizeof(rel), "%s/boot/%s/%s", base, arch, initrds[k]);
			if (find(c, rel)) {
				initrd = initrds[k];
				sysresc = k == 0;
			}
		}
		fmt(rel, sizeof(rel), "%s/%s/airootfs.sfs", base, arch);
		if (!initrd || (!find(c, rel) && (fmt(rel, sizeof(rel), "%s/%s/airootfs.erofs", base,
						      arch), !find(c, rel))))
			continue;
		fmt(rel, sizeof(rel), "%s/%s/airootfs.sha512", base, arch);
		checksum = find(c, rel) != NULL;
		for (unsigned u = 0; u < 4 && arch_of(arch) != PXB_BOOT_ARCH_ARM64; u++) {
			fmt(rel, sizeof(rel), "%s/boot/%s", base, ucode[u]);
			if (find(c, rel) && e.ninitrds < 2) {
				ns(c, rel, ird[e.ninitrds], sizeof(ird[0]));
				e.initrds[e.ninitrds] = ird[e.ninitrds];
				e.ninitrds++;
			}
		}
		fmt(rel, sizeof(rel), "%s/boot/%s/%s", base, arch, initrd);
		ns(c, rel, ird[e.ninitrds], sizeof(ird[0]));
		e.initrds[e.ninitrds] = ird[e.ninitrds];
		e.ninitrds++;
		ns(c, f->path, kernel, sizeof(kernel));
		e.kernel = kernel;
		fmt(args, sizeof(args), "archisobasedir=%s archiso_http_srv=${http}%s/%s/%s ip=dhcp",
		    base, c->o->prefix, c->name, checksum ? " checksum" : "");
		e.args = args;
		fmt(suffix, sizeof(suffix), "%s%s", strcmp(arch, "x86_64") ? "-" : "",
		    strcmp(arch, "x86_64") ? arch : "");
		make_id(c, suffix, id, sizeof(id));
		e.id = id;
		fmt(label, sizeof(label), "%s (%s%s%s)", sysresc ? "SystemRescue" : "Arch Linux",
		    label_name(c), strcmp(arch, "x86_64") ? ", " : "", strcmp(arch, "x86_64") ? arch : "");
		e.label = label;
		e.kind = PXB_BOOT_LINUX;
		e.arch = arch_of(arch);
		e.rescue_password = sysresc;
		add(c, &e);
		found = 1;
	}
	return found;
}

/* ---- Debian/Ubuntu live: live/vmlinuz* + live/initrd.img* + filesystem.squashfs */

static int recognize_live(struct ctx *c)
{
	const struct pxb_iso_file *best = NULL, *best_initrd = NULL;
	char rel[1024], kernel[1100], initrd[1100], sq[1100], args[1400], id[64], label[256];
	struct pxb_boot_entry e = {0};

	if (!find(c, "live/filesystem.squashfs"))
		return 0;
	for (size_t i = 0; i < c->img->nfiles; i++) {
		const struct pxb_iso_file *f = &c->img->files[i], *ird;

		if (f->is_dir || strncmp(f->path, "live/vmlinuz", 12) || strchr(f->path + 5, '/'))
			continue;
		/* vmlinuz-<ver> goes with initrd.img-<ver>; the newest version wins. */
		if (fmt(rel, sizeof(rel), "live/initrd.img%s", f->path + 12) < 0 ||
		    !(ird = find(c, rel)))
			continue;
		if (!best || strverscmp(f->path, best->path) > 0) {
			best = f;
			best_initrd = ird;
		}
	}
	if (!best)
		return 0;
	ns(c, best->path, kernel, sizeof(kernel));
	ns(c, best_initrd->path, initrd, sizeof(initrd));
	ns(c, "live/filesystem.squashfs", sq, sizeof(sq));
	fmt(args, sizeof(args), "boot=live fetch=${http}%s ip=dhcp", sq);
	e.kernel = kernel;
	e.initrds[0] = initrd;
	e.ninitrds = 1;
	e.args = args;
	e.kind = PXB_BOOT_LINUX;
	e.arch = contains_ci(c->name, "arm64") || contains_ci(c->name, "aarch64")
			 ? PXB_BOOT_ARCH_ARM64
			 : PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI64;
	make_id(c, "", id, sizeof(id));
	e.id = id;
	fmt(label, sizeof(label), "%s live (%s)",
	    contains_ci(c->name, "ubuntu") ? "Ubuntu" : contains_ci(c->name, "debian") ? "Debian"
										      : "Linux",
	    label_name(c));
	e.label = label;
	add(c, &e);
	return 1;
}

/* ---- Ubuntu casper: the live system fetches the whole image (url=) --------- */

static int recognize_casper(struct ctx *c)
{
	static const char *const initrds[] = {"casper/initrd", "casper/initrd.lz", "casper/initrd.gz",
					      "casper/initrd.img"};
	const char *ird = NULL;
	char kernel[1100], initrd[1100], args[1400], id[64], label[256];
	struct pxb_boot_entry e = {0};

	if (!find(c, "casper/vmlinuz"))
		return 0;
	for (unsigned i = 0; i < 4 && !ird; i++)
		if (find(c, initrds[i]))
			ird = initrds[i];
	if (!ird)
		return 0;
	ns(c, "casper/vmlinuz", kernel, sizeof(kernel));
	ns(c, ird, initrd, sizeof(initrd));
	fmt(args, sizeof(args), "boot=casper ip=dhcp url=${http}%s/%s.iso", c->o->prefix, c->name);
	e.kernel = kernel;
	e.initrds[0] = initrd;
	e.ninitrds = 1;
	e.args = args;
	e.kind = PXB_BOOT_LINUX;
	e.arch = PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI64;
	make_id(c, "", id, sizeof(id));
	e.id = id;
	fmt(label, sizeof(label), "Ubuntu live (%s)", label_name(c));
	e.label = label;
	add(c, &e);
	return 1;
}

/* ---- Debian installer: install.<arch>/vmlinuz + initrd.gz; mini.iso ------ */

static int recognize_installer(struct ctx *c)
{
	static const struct {
		const char *dir, *suffix;
		unsigned arch;
	} dirs[] = {
		{"install.amd", "", PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI64},
		{"install.386", "-i386", PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI32},
		{"install.a64", "-arm64", PXB_BOOT_ARCH_ARM64},
		{"", "", PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI64}, /* mini.iso: linux + initrd.gz */
	};
	int found = 0;

	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char k[64], r[64], kernel[1100], initrd[1100], id[64], label[256];
		struct pxb_boot_entry e = {0};

		if (*dirs[i].dir) {
			fmt(k, sizeof(k), "%s/vmlinuz", dirs[i].dir);
			fmt(r, sizeof(r), "%s/initrd.gz", dirs[i].dir);
		} else {
			fmt(k, sizeof(k), "linux");
			fmt(r, sizeof(r), "initrd.gz");
		}
		if (!find(c, k) || !find(c, r))
			continue;
		ns(c, k, kernel, sizeof(kernel));
		ns(c, r, initrd, sizeof(initrd));
		e.kernel = kernel;
		e.initrds[0] = initrd;
		e.ninitrds = 1;
		e.kind = PXB_BOOT_LINUX;
		e.arch = dirs[i].arch;
		make_id(c, dirs[i].suffix, id, sizeof(id));
		e.id = id;
		fmt(label, sizeof(label), "%s installer (%s%s%s)",
		    contains_ci(c->name, "ubuntu") ? "Ubuntu" : "Debian", label_name(c),
		    *dirs[i].suffix ? ", " : "", *dirs[i].suffix ? dirs[i].suffix + 1 : "");
		e.label = label;
		add(c, &e);
		found = 1;
	}
	return found;
}

/* ---- the image itself: memtest86+, and the fallback ---------------------- */

static void add_image(struct ctx *c, enum pxb_boot_kind kind, const char *what)
{
	char image[600], id[64], label[256];
	struct pxb_boot_entry e = {0};

	fmt(image, sizeof(image), "%s/%s.iso", c->o->prefix, c->name);
	e.image = image;
	e.kind = kind;
	e.arch = kind == PXB_BOOT_MEMDISK ? PXB_BOOT_ARCH_BIOS : 0;
	make_id(c, "", id, sizeof(id));
	e.id = id;
	fmt(label, sizeof(label), "%s (%s)", what, label_name(c));
	e.label = label;
	add(c, &e);
}

static int recognize_memtest(struct ctx *c)
{
	const struct pxb_iso_file *efi;
	char kernel[1100], id[64], label[256];
	struct pxb_boot_entry e = {0};
	int named = contains_ci(c->name, "memtest") || contains_ci(c->img->volume_id, "memtest") ||
		    !strncasecmp(c->img->volume_id, "MT86", 4);

	for (size_t i = 0; i < c->img->nfiles && !named; i++) {
		const char *b = strrchr(c->img->files[i].path, '/');
		named = !strncasecmp(b ? b + 1 : c->img->files[i].path, "memtest", 7);
	}
	if (!named)
		return 0;
	add_image(c, PXB_BOOT_MEMDISK, "Memtest86+");
	efi = find_ci(c, "EFI/BOOT/BOOTX64.EFI");
	if (efi) {
		ns(c, efi->path, kernel, sizeof(kernel));
		e.kernel = kernel;
		e.kind = PXB_BOOT_CHAIN;
		e.arch = PXB_BOOT_ARCH_EFI64;
		make_id(c, "-efi", id, sizeof(id));
		e.id = id;
		fmt(label, sizeof(label), "Memtest86+ UEFI (%s)", label_name(c));
		e.label = label;
		add(c, &e);
	}
	return 1;
}

int pxb_iso_recognize(const struct pxb_iso_image *img, const char *name,
		      const struct pxb_iso_recog_opts *o, pxb_boot_model *m, int *recognized,
		      char *what, size_t whatlen)
{
	struct ctx c = {.img = img, .name = name, .o = o, .m = m};
	const char *kind = NULL;

	*recognized = 1;
	if (recognize_archiso(&c))
		kind = "SystemRescue/archiso";
	else if (recognize_live(&c))
		kind = "Debian/Ubuntu live";
	else if (recognize_casper(&c))
		kind = "Ubuntu live (casper)";
	else if (recognize_installer(&c))
		kind = "Debian installer";
	else if (recognize_memtest(&c))
		kind = "memtest86+";
	if (kind) {
		fmt(what, whatlen, "%s, %d entr%s", kind, c.added, c.added == 1 ? "y" : "ies");
	} else {
		*recognized = 0;
		if (img->size <= o->memdisk_max) {
			add_image(&c, PXB_BOOT_MEMDISK, "ISO image");
			fmt(what, whatlen, "no known layout (sysresccd/, live/, casper/, install.*/, "
			    "memtest); offered whole through memdisk");
		} else {
			add_image(&c, PXB_BOOT_SANBOOT, "ISO image, SAN boot");
			fmt(what, whatlen, "no known layout (sysresccd/, live/, casper/, install.*/, "
			    "memtest); %llu MiB, more than memdisk_max: offered through iPXE sanboot",
			    (unsigned long long)(img->size >> 20));
		}
	}
	return c.nomem ? PXB_ERR_NOMEM : c.added;
}
