/*
 * iso_recognize.c - boot entries for what is inside an ISO image (see
 * iso_recognize.h). Kernels, initrds and root images are paths inside the
 * image under <prefix>/<name>/, so they are fetched over HTTP (or TFTP)
 * straight from the image's bytes; nothing is extracted.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pxeboot/boot_layout.h>
#include <pxeboot/install.h>
#include "iso_recognize.h"

#define fmt pxb_layout_fmt

struct ctx {
	const struct pxb_iso_image *img;
	const char *name;
	const struct pxb_iso_recog_opts *o;
	struct pxb_layout_sink out;
	struct pxb_layout_files files;
};

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

static int is_file(void *arg, const char *path)
{
	return find(arg, path) != NULL;
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

/* Namespace path of a file inside the image. */
static void ns(struct ctx *c, const char *rel, char *out, size_t len)
{
	fmt(out, len, "%s/%s/%s", c->o->prefix, c->name, rel);
}

static void make_id(struct ctx *c, const char *suffix, char *id, size_t len)
{
	char text[96];

	fmt(text, sizeof(text), "%s%s", c->name, suffix);
	pxb_boot_unique_id(c->out.m, text, id, len);
}

static const char *label_name(struct ctx *c)
{
	return c->img->volume_id[0] ? c->img->volume_id : c->name;
}

/* ---- SystemRescue / archiso: <base>/boot/<arch>/vmlinuz ---------------- */

static int recognize_archiso(struct ctx *c)
{
	int found = 0;

	for (size_t i = 0; i < c->img->nfiles; i++) {
		const struct pxb_iso_file *f = &c->img->files[i];
		struct pxb_layout_archiso al, *a = &al;
		char kernel[1100], ird[3][1100], args[1400], id[64], label[256], suffix[80];
		struct pxb_boot_entry e = {0};
		const char *arch = a->arch;

		if (f->is_dir || pxb_layout_archiso(&c->files, f->path, a) < 0 ||
		    strchr(a->root, '/') || strlen(a->root) > 255 ||
		    !word_ok(a->root) || /* archisobasedir=<root>: one word, nothing to expand */
		    !a->initrd[0] || !a->rootfs)
			continue;
		for (unsigned u = 0; u < a->nucode; u++) {
			ns(c, a->ucode[u], ird[e.ninitrds], sizeof(ird[0]));
			e.initrds[e.ninitrds] = ird[e.ninitrds];
			e.ninitrds++;
		}
		ns(c, a->initrd, ird[e.ninitrds], sizeof(ird[0]));
		e.initrds[e.ninitrds] = ird[e.ninitrds];
		e.ninitrds++;
		ns(c, f->path, kernel, sizeof(kernel));
		e.kernel = kernel;
		fmt(args, sizeof(args), "archisobasedir=%s archiso_http_srv=${http}%s/%s/%s ip=dhcp",
		    a->root, c->o->prefix, c->name, a->checksum ? " checksum" : "");
		e.args = args;
		fmt(suffix, sizeof(suffix), "%s%s", strcmp(arch, "x86_64") ? "-" : "",
		    strcmp(arch, "x86_64") ? arch : "");
		make_id(c, suffix, id, sizeof(id));
		e.id = id;
		fmt(label, sizeof(label), "%s (%s%s%s)", a->sysresc ? "SystemRescue" : "Arch Linux",
		    label_name(c), strcmp(arch, "x86_64") ? ", " : "", strcmp(arch, "x86_64") ? arch : "");
		e.label = label;
		e.kind = PXB_BOOT_LINUX;
		e.arch = a->arch_mask;
		e.rescue_password = a->sysresc;
		pxb_layout_add(&c->out, &e);
		found = 1;
	}
	return found;
}

/* ---- Debian/Ubuntu live: live/vmlinuz* + live/initrd.img* + filesystem.squashfs */

static int recognize_live(struct ctx *c)
{
	const struct pxb_iso_file *best = NULL, *best_initrd = NULL;
	struct pxb_layout_live l;
	char kernel[1100], initrd[1100], sq[1100], args[1400], id[64], label[256];
	struct pxb_boot_entry e = {0};

	if (!find(c, "live/filesystem.squashfs"))
		return 0;
	for (size_t i = 0; i < c->img->nfiles; i++) {
		const struct pxb_iso_file *f = &c->img->files[i], *ird;

		/* vmlinuz-<ver> goes with initrd.img-<ver>; the newest version wins. */
		if (f->is_dir || pxb_layout_live(&c->files, f->path, &l) < 0 ||
		    l.root[0] || !l.initrd[0] || !(ird = find(c, l.initrd)))
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
	pxb_layout_linux(&e, kernel, initrd, args,
			 strcasestr(c->name, "arm64") || strcasestr(c->name, "aarch64"));
	make_id(c, "", id, sizeof(id));
	e.id = id;
	fmt(label, sizeof(label), "%s live (%s)",
	    strcasestr(c->name, "ubuntu") ? "Ubuntu" : strcasestr(c->name, "debian") ? "Debian"
										      : "Linux",
	    label_name(c));
	e.label = label;
	pxb_layout_add(&c->out, &e);
	return 1;
}

/* ---- Ubuntu casper: the live system fetches the whole image (url=) --------- */

/*
 * Is the casper system Ubuntu's live-server installer (subiquity)? Its
 * layers are named ubuntu-server*.squashfs (22.04 on), its volume ID says
 * "Server" (20.04 on). *subiquity is set for any image whose installer is
 * subiquity: the server, and the desktops that list casper/install-sources.yaml.
 */
static int casper_server(struct ctx *c, int *subiquity)
{
	int server = strcasestr(c->img->volume_id, "server") != NULL;

	for (size_t i = 0; i < c->img->nfiles && !server; i++) {
		const char *p = c->img->files[i].path;
		server = !c->img->files[i].is_dir && !strncmp(p, "casper/ubuntu-server", 20) &&
			 !strchr(p + 7, '/');
	}
	*subiquity = server || find(c, "casper/install-sources.yaml") != NULL;
	return server;
}

static int recognize_casper(struct ctx *c)
{
	static const char *const initrds[] = {"casper/initrd", "casper/initrd.lz", "casper/initrd.gz",
					      "casper/initrd.img"};
	const char *ird = NULL, *what;
	char kernel[1100], initrd[1100], args[1400], id[64], label[256];
	struct pxb_boot_entry e = {0};
	int server, subiquity;

	if (!find(c, "casper/vmlinuz"))
		return 0;
	for (unsigned i = 0; i < 4 && !ird; i++)
		if (find(c, initrds[i]))
			ird = initrds[i];
	if (!ird)
		return 0;
	server = casper_server(c, &subiquity);
	ns(c, "casper/vmlinuz", kernel, sizeof(kernel));
	ns(c, ird, initrd, sizeof(initrd));
	fmt(args, sizeof(args), "boot=casper ip=dhcp url=${http}%s/%s.iso", c->o->prefix, c->name);
	pxb_layout_linux(&e, kernel, initrd, args, strcasestr(c->name, "arm64") != NULL);
	make_id(c, "", id, sizeof(id));
	e.id = id;
	/* The live server is its installer: booted, it asks the installer's questions. */
	fmt(label, sizeof(label), "%s (%s)", server ? "Ubuntu Server installer" : "Ubuntu live",
	    label_name(c));
	e.label = label;
	pxb_layout_add(&c->out, &e);
	if (subiquity && c->o->autoinstall && *c->o->autoinstall) {
		/* Unattended: autoinstall ds=nocloud-net;s=${answer_url}/ comes with the family. */
		what = server ? "Ubuntu Server" : "Ubuntu";
		make_id(c, "-autoinstall", id, sizeof(id));
		fmt(label, sizeof(label), "%s unattended install (%s)", what, label_name(c));
		e.answer = c->o->autoinstall;
		e.family = PXB_FAMILY_AUTOINSTALL;
		pxb_layout_add(&c->out, &e);
	}
	return 1;
}

/* ---- Fedora/RHEL installer: images/pxeboot/vmlinuz + initrd.img ----------- */

/*
 * Anaconda's stage 2 (images/install.img) comes from the files served under
 * <prefix>/<name>/: inst.repo= when the image is a package repository too
 * (repodata/ at its top: Fedora's DVD), inst.stage2= otherwise (netinst,
 * boot.iso; RHEL's DVD keeps its repositories in BaseOS/ and AppStream/,
 * which .treeinfo names). A live image (LiveOS/, no install.img) is no
 * installer.
 */
static int recognize_fedora(struct ctx *c)
{
	char kernel[1100], initrd[1100], args[1400], id[64], label[256];
	struct pxb_boot_entry e = {0};

	if (!find(c, "images/pxeboot/vmlinuz") || !find(c, "images/pxeboot/initrd.img") ||
	    !find(c, "images/install.img"))
		return 0;
	ns(c, "images/pxeboot/vmlinuz", kernel, sizeof(kernel));
	ns(c, "images/pxeboot/initrd.img", initrd, sizeof(initrd));
	fmt(args, sizeof(args), "%s=${http}%s/%s ip=dhcp",
	    find(c, "repodata/repomd.xml") ? "inst.repo" : "inst.stage2", c->o->prefix, c->name);
	pxb_layout_linux(&e, kernel, initrd, args,
			 strcasestr(c->name, "aarch64") ||
				 strcasestr(c->img->volume_id, "aarch64"));
	make_id(c, "", id, sizeof(id));
	e.id = id;
	fmt(label, sizeof(label), "Fedora/RHEL installer (%s)", label_name(c));
	e.label = label;
	if (c->o->ks_answer && *c->o->ks_answer) {
		e.answer = c->o->ks_answer; /* inst.ks=${answer_url} comes with the family */
		e.family = PXB_FAMILY_KICKSTART;
	}
	pxb_layout_add(&c->out, &e);
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
		    strcasestr(c->name, "ubuntu") ? "Ubuntu" : "Debian", label_name(c),
		    *dirs[i].suffix ? ", " : "", *dirs[i].suffix ? dirs[i].suffix + 1 : "");
		e.label = label;
		if (c->o->preseed && *c->o->preseed) {
			e.answer = c->o->preseed; /* unattended: d-i at ${answer_url} */
			e.family = PXB_FAMILY_DEBIAN;
		}
		pxb_layout_add(&c->out, &e);
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
	pxb_layout_add(&c->out, &e);
}

static int recognize_memtest(struct ctx *c)
{
	const struct pxb_iso_file *efi;
	char kernel[1100], id[64], label[256];
	struct pxb_boot_entry e = {0};
	int named = strcasestr(c->name, "memtest") || strcasestr(c->img->volume_id, "memtest") ||
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
		pxb_layout_add(&c->out, &e);
	}
	return 1;
}

int pxb_iso_recognize(const struct pxb_iso_image *img, const char *name,
		      const struct pxb_iso_recog_opts *o, pxb_boot_model *m, int *recognized,
		      char *what, size_t whatlen)
{
	struct ctx c = {.img = img, .name = name, .o = o,
			.out = {.m = m, .source = o->source ? o->source : "catalog-iso"}};
	const char *kind = NULL;

	c.files.is_file = is_file;
	c.files.arg = &c;
	*recognized = 1;
	if (recognize_archiso(&c))
		kind = "SystemRescue/archiso";
	else if (recognize_live(&c))
		kind = "Debian/Ubuntu live";
	else if (recognize_casper(&c))
		kind = "Ubuntu live (casper)";
	else if (recognize_installer(&c))
		kind = "Debian installer";
	else if (recognize_fedora(&c))
		kind = "Fedora/RHEL installer";
	else if (recognize_memtest(&c))
		kind = "memtest86+";
	if (kind) {
		fmt(what, whatlen, "%s, %d entr%s", kind, c.out.added,
		    c.out.added == 1 ? "y" : "ies");
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
	return c.out.nomem ? PXB_ERR_NOMEM : c.out.added;
}
