/*
 * catalog_scan.c - the directory catalog's recognizers: walks a tree once,
 * keeps the sorted list of files, and lets each recognizer claim the files
 * and directories of the layouts it knows (see catalog_scan.h). Tree layouts
 * go first; loose images only count outside the trees they claimed, so a
 * sysresccd.img initrd is never offered as a floppy.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <pxeboot/boot_layout.h>
#include <pxeboot/install.h>
#include "catalog_scan.h"

/* snprintf whose truncation is expected and harmless (a longer path just matches nothing). */
#define pathf pxb_layout_fmt

#define MAX_FILES 100000
#define FLOPPY_MAX 2949120 /* 2.88 MB: larger .img files are disk images */

struct file {
	char *rel;      /* relative to the scanned directory, '/'-separated */
	uint64_t size;
	int claimed;
};

struct scan {
	const char *dir, *prefix;
	const struct pxb_catalog_scan_opts *o;
	struct pxb_layout_sink out;
	struct pxb_layout_files files;
	pxb_catalog_report_fn report;
	void *arg;
	struct file *f;
	size_t n, cap;
	char **roots; /* directories claimed by tree recognizers */
	size_t nroots;
	int nomem;
};

/* ---- walking ------------------------------------------------------------ */

static int add_file(struct scan *s, const char *rel, uint64_t size)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 256;
		struct file *nf = realloc(s->f, nc * sizeof(*nf));
		if (!nf)
			return -1;
		s->f = nf;
		s->cap = nc;
	}
	s->f[s->n].rel = strdup(rel);
	if (!s->f[s->n].rel)
		return -1;
	s->f[s->n].size = size;
	s->f[s->n].claimed = 0;
	s->n++;
	return 0;
}

static int walk(struct scan *s, const char *rel, unsigned depth)
{
	char path[4096], sub[2048];
	DIR *d;
	struct dirent *de;
	struct stat st;

	pathf(path, sizeof(path), "%s%s%s", s->dir, *rel ? "/" : "", rel);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL && s->n < MAX_FILES) {
		if (de->d_name[0] == '.')
			continue; /* ., .., hidden files */
		if (pathf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name) < 0)
			continue;
		pathf(path, sizeof(path), "%s/%s", s->dir, sub);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth > 0 && walk(s, sub, depth - 1) < 0) {
				closedir(d);
				return -1;
			}
		} else if (S_ISREG(st.st_mode) && add_file(s, sub, (uint64_t)st.st_size) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->rel, ((const struct file *)b)->rel);
}

static struct file *find(struct scan *s, const char *rel)
{
	struct file key = {.rel = (char *)rel};

	return bsearch(&key, s->f, s->n, sizeof(*s->f), cmp_file);
}

static int is_file(void *arg, const char *rel)
{
	return find(arg, rel) != NULL;
}

/* ---- helpers ------------------------------------------------------------ */

static void report(struct scan *s, const char *rel, const char *what)
{
	char path[4096];

	pathf(path, sizeof(path), "%s/%s", s->dir, rel);
	if (s->report)
		s->report(s->arg, path, what);
}

static void claim_root(struct scan *s, const char *root)
{
	char **nr = realloc(s->roots, (s->nroots + 1) * sizeof(*nr));

	if (!nr || !(nr[s->nroots] = strdup(root))) {
		if (nr)
			s->roots = nr;
		s->nomem = 1;
		return;
	}
	s->roots = nr;
	s->nroots++;
}

static int under_root(struct scan *s, const char *rel)
{
	for (size_t i = 0; i < s->nroots; i++) {
		size_t l = strlen(s->roots[i]);
		if (l == 0 || (!strncmp(rel, s->roots[i], l) && rel[l] == '/'))
			return 1;
	}
	return 0;
}

/* Namespace path of rel: prefix + "/" + rel. */
static void ns(struct scan *s, const char *rel, char *out, size_t len)
{
	size_t pl = strlen(s->prefix);

	while (pl > 0 && s->prefix[pl - 1] == '/')
		pl--;
	pathf(out, len, "%.*s%s%s", (int)pl, s->prefix, *rel ? "/" : "", rel);
}

/* Characters that may appear inside kernel arguments built from paths. */
static int arg_safe(const char *p)
{
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("._+-/~@,=:", *p)))
			return 0;
	return 1;
}

static const char *base_name(const char *rel)
{
	const char *b = strrchr(rel, '/');

	return b ? b + 1 : rel;
}

/* Splits rel into at most max components (in place, on a copy). */
static unsigned split(char *copy, char **parts, unsigned max)
{
	unsigned n = 0;
	char *save = NULL;

	for (char *t = strtok_r(copy, "/", &save); t && n < max; t = strtok_r(NULL, "/", &save))
		parts[n++] = t;
	return n;
}

/* Joins parts[0..n) with '/'. */
static void join(char **parts, unsigned n, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		if (pathf(out + off, len - off, "%s%s", i ? "/" : "", parts[i]) < 0)
			return;
		off += strlen(out + off);
	}
}

/* ---- SystemRescue / archiso ------------------------------------------- */

struct archiso {
	struct pxb_layout_archiso t; /* the tree (t.root: <base>/<ver>) */
	char ver[128], base[1024];
	char kernel[1024];
};

static int cmp_archiso(const void *a, const void *b)
{
	const struct archiso *x = a, *y = b;
	int c = strverscmp(y->ver, x->ver); /* newest version first */

	return c ? c : strcmp(x->t.arch, y->t.arch);
}

/* Fills a from a kernel at .../<ver>/boot/<arch>/vmlinuz; 0 when it is an archiso tree. */
static int archiso_at(struct scan *s, const struct file *f, struct archiso *a)
{
	const char *v;

	if (pxb_layout_archiso(&s->files, f->rel, &a->t) < 0)
		return -1;
	v = strrchr(a->t.root, '/');
	pathf(a->ver, sizeof(a->ver), "%s", v ? v + 1 : a->t.root);
	pathf(a->base, sizeof(a->base), "%.*s", v ? (int)(v - a->t.root) : 0, a->t.root);
	pathf(a->kernel, sizeof(a->kernel), "%s", f->rel);
	return 0;
}

static void recognize_archiso(struct scan *s)
{
	struct archiso *found = NULL, a;
	size_t nfound = 0;
	int have_default = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (archiso_at(s, &s->f[i], &a) < 0)
			continue;
		if (!a.t.rootfs && !a.t.initrd[0])
			continue; /* some other kernel under a boot/<arch>/ directory */
		claim_root(s, a.t.root);
		if (!a.t.initrd[0]) {
			report(s, a.kernel, "SystemRescue/archiso tree: kernel without initrd, not offered");
			continue;
		}
		if (!a.t.rootfs) {
			report(s, a.kernel, "SystemRescue/archiso tree: no <arch>/airootfs.sfs, not offered");
			continue;
		}
		if (!arg_safe(a.t.root) || !arg_safe(s->prefix)) {
			report(s, a.kernel, "SystemRescue/archiso tree: path has characters kernel "
			       "arguments cannot carry, not offered");
			continue;
		}
		struct archiso *nf = realloc(found, (nfound + 1) * sizeof(*nf));
		if (!nf) {
			s->nomem = 1;
			break;
		}
		found = nf;
		found[nfound++] = a;
	}
	if (nfound > 1)
		qsort(found, nfound, sizeof(*found), cmp_archiso);
	for (size_t i = 0; i < nfound; i++) {
		struct archiso *x = &found[i];
		struct pxb_boot_entry e = {0};
		char kernel[2048], initrd[3][2048], srv[2048], args[4096];
		char id[64], text[256], label[256];
		const char *arch = x->t.arch;

		ns(s, x->kernel, kernel, sizeof(kernel));
		e.kernel = kernel;
		/* Microcode first, then the initramfs (archiso's own boot entries do so). */
		for (unsigned u = 0; u < x->t.nucode; u++) {
			ns(s, x->t.ucode[u], initrd[e.ninitrds], sizeof(initrd[0]));
			e.initrds[e.ninitrds] = initrd[e.ninitrds];
			e.ninitrds++;
		}
		ns(s, x->t.initrd, initrd[e.ninitrds], sizeof(initrd[0]));
		e.initrds[e.ninitrds] = initrd[e.ninitrds];
		e.ninitrds++;
		ns(s, x->base, srv, sizeof(srv));
		pathf(args, sizeof(args), "archisobasedir=%s archiso_http_srv=${http}%s/%s ip=dhcp",
			 x->ver, srv, x->t.checksum ? " checksum" : "");
		e.args = args;
		pathf(text, sizeof(text), "%s-%s%s%s", x->t.sysresc ? "sysresccd" : "archiso",
			 x->ver, strcmp(arch, "x86_64") ? "-" : "",
			 strcmp(arch, "x86_64") ? arch : "");
		pxb_boot_unique_id(s->out.m, text, id, sizeof(id));
		e.id = id;
		pathf(label, sizeof(label), "%s %s%s%s%s",
			 x->t.sysresc ? "SystemRescue" : "Arch Linux", x->ver,
			 strcmp(arch, "x86_64") ? " (" : "", strcmp(arch, "x86_64") ? arch : "",
			 strcmp(arch, "x86_64") ? ")" : "");
		e.label = label;
		e.kind = PXB_BOOT_LINUX;
		e.arch = x->t.arch_mask;
		e.rescue_password = x->t.sysresc;
		/* Sorted newest first: the first is the newest version. */
		e.is_default = !have_default;
		have_default = 1;
		pxb_layout_add(&s->out, &e);
	}
	free(found);
}

/* ---- Debian/Ubuntu netboot and live, Fedora/RHEL ------------------------- */

static const char *distro(const char *rel, const char *def)
{
	if (strcasestr(rel, "ubuntu"))
		return "Ubuntu";
	if (strcasestr(rel, "debian"))
		return "Debian";
	return def;
}

static void recognize_debian_installer(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		char copy[2048], *p[32], root[2048], rel[2048], kernel[2048], initrd[2048];
		char id[64], text[2100], label[256];
		struct pxb_boot_entry e = {0};
		unsigned n;

		if (strcmp(base_name(s->f[i].rel), "linux"))
			continue;
		pathf(copy, sizeof(copy), "%s", s->f[i].rel);
		n = split(copy, p, 32);
		if (n < 3 || strcmp(p[n - 3], "debian-installer"))
			continue;
		join(p, n - 3, root, sizeof(root));
		pathf(rel, sizeof(rel), "%s%sdebian-installer", root, *root ? "/" : "");
		claim_root(s, rel);
		pathf(rel, sizeof(rel), "%s%sdebian-installer/%s/initrd.gz", root, *root ? "/" : "",
			 p[n - 2]);
		if (!find(s, rel)) {
			report(s, s->f[i].rel, "Debian installer: kernel without initrd.gz, not offered");
			continue;
		}
		ns(s, s->f[i].rel, kernel, sizeof(kernel));
		ns(s, rel, initrd, sizeof(initrd));
		e.kernel = kernel;
		e.initrds[0] = initrd;
		e.ninitrds = 1;
		e.kind = PXB_BOOT_LINUX;
		e.arch = pxb_layout_arch(p[n - 2]);
		pathf(text, sizeof(text), "%s%sinstaller-%s", root, *root ? "-" : "", p[n - 2]);
		if (!*root)
			pathf(text, sizeof(text), "%s-installer-%s",
				 !strcmp(distro(s->prefix, "Debian"), "Ubuntu") ? "ubuntu" : "debian",
				 p[n - 2]);
		pxb_boot_unique_id(s->out.m, text, id, sizeof(id));
		e.id = id;
		pathf(label, sizeof(label), "%s installer (%s%s%s)",
			 distro(s->f[i].rel, distro(s->prefix, "Debian")), p[n - 2], *root ? ", " : "",
			 root);
		e.label = label;
		if (s->o->preseed && *s->o->preseed) {
			e.answer = s->o->preseed; /* unattended: d-i at ${answer_url} */
			e.family = PXB_FAMILY_DEBIAN;
		}
		pxb_layout_add(&s->out, &e);
	}
}

static void recognize_live(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		char rel[2048], kernel[2048], initrd[2048], args[4096];
		char id[64], text[2100], label[256];
		struct pxb_boot_entry e = {0};
		struct pxb_layout_live l;
		const char *root = l.root, *sq = l.squashfs;

		if (pxb_layout_live(&s->files, s->f[i].rel, &l) < 0)
			continue;
		pathf(rel, sizeof(rel), "%s%slive", root, *root ? "/" : "");
		if (under_root(s, s->f[i].rel))
			continue;
		claim_root(s, rel);
		/* vmlinuz-<ver> goes with initrd.img-<ver>. */
		if (!l.initrd[0]) {
			report(s, s->f[i].rel, "live system: kernel without initrd.img, not offered");
			continue;
		}
		if (!l.has_squashfs) {
			report(s, s->f[i].rel, "live system: no live/filesystem.squashfs, not offered");
			continue;
		}
		ns(s, s->f[i].rel, kernel, sizeof(kernel));
		ns(s, l.initrd, initrd, sizeof(initrd));
		{
			char sqns[2048];
			ns(s, sq, sqns, sizeof(sqns));
			if (!arg_safe(sqns)) {
				report(s, s->f[i].rel, "live system: path has characters kernel arguments "
				       "cannot carry, not offered");
				continue;
			}
			pathf(args, sizeof(args), "boot=live fetch=${http}%s ip=dhcp", sqns);
		}
		pxb_layout_linux(&e, kernel, initrd, args,
				 strcasestr(s->f[i].rel, "arm64") ||
					 strcasestr(s->f[i].rel, "aarch64"));
		pathf(text, sizeof(text), "%s%slive", root, *root ? "-" : "");
		pxb_boot_unique_id(s->out.m, text, id, sizeof(id));
		e.id = id;
		pathf(label, sizeof(label), "%s live%s%s%s", distro(s->f[i].rel, "Linux"),
			 *root ? " (" : "", root, *root ? ")" : "");
		e.label = label;
		pxb_layout_add(&s->out, &e);
	}
}

static void recognize_fedora(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const char *r = s->f[i].rel;
		size_t l = strlen(r), sl = strlen("images/pxeboot/vmlinuz");
		char root[2048], rel[2048], kernel[2048], initrd[2048], repo[2048], args[4096];
		char id[64], text[2100], label[256];
		struct pxb_boot_entry e = {0};

		if (l < sl || strcmp(r + l - sl, "images/pxeboot/vmlinuz") ||
		    (l > sl && r[l - sl - 1] != '/'))
			continue;
		pathf(root, sizeof(root), "%.*s", (int)(l > sl ? l - sl - 1 : 0), r);
		claim_root(s, root);
		pathf(rel, sizeof(rel), "%s%simages/pxeboot/initrd.img", root, *root ? "/" : "");
		if (!find(s, rel)) {
			report(s, r, "Fedora/RHEL tree: kernel without initrd.img, not offered");
			continue;
		}
		ns(s, r, kernel, sizeof(kernel));
		ns(s, rel, initrd, sizeof(initrd));
		ns(s, root, repo, sizeof(repo));
		if (!arg_safe(repo)) {
			report(s, r, "Fedora/RHEL tree: path has characters kernel arguments cannot "
			       "carry, not offered");
			continue;
		}
		if (s->o->ks_answer && *s->o->ks_answer) {
			/* Rendered per host: inst.ks=${answer_url} comes with the family. */
			e.answer = s->o->ks_answer;
			e.family = PXB_FAMILY_KICKSTART;
			pathf(args, sizeof(args), "inst.repo=${http}%s ip=dhcp", repo);
		} else {
			pathf(args, sizeof(args), "inst.repo=${http}%s ip=dhcp%s%s", repo,
				 s->o->kickstart && *s->o->kickstart ? " inst.ks=" : "",
				 s->o->kickstart && *s->o->kickstart ? s->o->kickstart : "");
		}
		pxb_layout_linux(&e, kernel, initrd, args, strcasestr(r, "aarch64") != NULL);
		pathf(text, sizeof(text), "%s", *root ? root : "fedora-installer");
		pxb_boot_unique_id(s->out.m, text, id, sizeof(id));
		e.id = id;
		pathf(label, sizeof(label), "Fedora/RHEL installer%s%s%s", *root ? " (" : "", root,
			 *root ? ")" : "");
		e.label = label;
		pxb_layout_add(&s->out, &e);
	}
}

static int has_ext(const char *name, const char *ext);

/* Index of the first file whose path sorts at or after prefix (the files are sorted). */
static size_t first_under(struct scan *s, const char *prefix)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(s->f[mid].rel, prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- Ubuntu live server (subiquity): casper/ beside its image ------------- */

/*
 * <root>/casper/vmlinuz + initrd with subiquity's files (the server's
 * casper/ubuntu-server*.squashfs layers, or casper/install-sources.yaml),
 * extracted beside the image they came from, an image (*.iso) in <root>: casper fetches
 * the whole image (url=), so the image is what the entry needs. With
 * autoinstall, an unattended install entry too (family autoinstall).
 */
static void recognize_casper(struct scan *s)
{
	static const char *const initrds[] = {"initrd", "initrd.lz", "initrd.gz", "initrd.img"};

	for (size_t i = 0; i < s->n; i++) {
		const char *r = s->f[i].rel, *ird = NULL;
		size_t l = strlen(r), sl = strlen("casper/vmlinuz"), rl;
		char root[2048], rel[2048], kernel[2048], initrd[2048], iso[2048], args[4096];
		char id[64], text[2100], label[256];
		struct pxb_boot_entry e = {0};
		struct file *img = NULL;
		int server = 0, subiquity;

		if (l < sl || strcmp(r + l - sl, "casper/vmlinuz") ||
		    (l > sl && r[l - sl - 1] != '/') || under_root(s, r))
			continue;
		rl = l > sl ? l - sl - 1 : 0;
		pathf(root, sizeof(root), "%.*s", (int)rl, r);
		pathf(rel, sizeof(rel), "%s%scasper/", root, *root ? "/" : "");
		/* Sorted: the files below a directory are together, work bounded by the tree's. */
		for (size_t j = first_under(s, rel); j < s->n; j++) {
			const char *q = s->f[j].rel, *b = base_name(q);
			size_t ql = strlen(rel);

			if (strncmp(q, rel, ql))
				break;
			if (strchr(q + ql, '/'))
				continue;
			server |= !strncmp(b, "ubuntu-server", 13);
			for (unsigned k = 0; k < 4 && !ird; k++)
				if (!strcmp(b, initrds[k]))
					ird = q;
		}
		pathf(rel, sizeof(rel), "%s%scasper/install-sources.yaml", root, *root ? "/" : "");
		subiquity = server || find(s, rel);
		if (!subiquity)
			continue; /* a desktop's casper: not offered (yet) */
		pathf(rel, sizeof(rel), "%s%scasper", root, *root ? "/" : "");
		claim_root(s, rel);
		if (!ird) {
			report(s, r, "Ubuntu live-server tree: kernel without casper/initrd, not "
			       "offered");
			continue;
		}
		/* The image beside casper/: the newest name when there are several. */
		pathf(rel, sizeof(rel), "%s%s", root, *root ? "/" : "");
		for (size_t j = first_under(s, rel); j < s->n; j++) {
			const char *q = s->f[j].rel;

			if (strncmp(q, rel, strlen(rel)))
				break;
			if (strchr(q + strlen(rel), '/') || !has_ext(q, ".iso"))
				continue;
			if (!img || strverscmp(q, img->rel) > 0)
				img = &s->f[j];
		}
		if (!img) {
			report(s, r, "Ubuntu live-server tree: no image (*.iso) beside casper/ for "
			       "url=, not offered");
			continue;
		}
		img->claimed = 1;
		ns(s, r, kernel, sizeof(kernel));
		ns(s, ird, initrd, sizeof(initrd));
		ns(s, img->rel, iso, sizeof(iso));
		if (!arg_safe(iso)) {
			report(s, r, "Ubuntu live-server tree: path has characters kernel "
			       "arguments cannot carry, not offered");
			continue;
		}
		pathf(args, sizeof(args), "boot=casper ip=dhcp url=${http}%s", iso);
		pxb_layout_linux(&e, kernel, initrd, args, strcasestr(img->rel, "arm64") != NULL);
		pathf(text, sizeof(text), "%s", *root ? root : "ubuntu-server");
		pxb_boot_unique_id(s->out.m, text, id, sizeof(id));
		e.id = id;
		pathf(label, sizeof(label), "%s (%s)",
		      server ? "Ubuntu Server installer" : "Ubuntu live", base_name(img->rel));
		e.label = label;
		pxb_layout_add(&s->out, &e);
		if (s->o->autoinstall && *s->o->autoinstall) {
			/* autoinstall ds=nocloud-net;s=${answer_url}/ comes with the family. */
			pathf(text, sizeof(text), "%s-autoinstall", *root ? root : "ubuntu-server");
			pxb_boot_unique_id(s->out.m, text, id, sizeof(id));
			pathf(label, sizeof(label), "%s unattended install (%s)",
			      server ? "Ubuntu Server" : "Ubuntu", base_name(img->rel));
			e.answer = s->o->autoinstall;
			e.family = PXB_FAMILY_AUTOINSTALL;
			pxb_layout_add(&s->out, &e);
		}
	}
}

/* ---- loose files: memtest86+, iPXE binaries, images ---------------------- */

static int has_ext(const char *name, const char *ext)
{
	size_t l = strlen(name), n = strlen(ext);

	return l > n && strcasecmp(name + l - n, ext) == 0;
}

static unsigned efi_arch(const char *rel)
{
	if (strcasestr(rel, "aa64") || strcasestr(rel, "arm64") || strcasestr(rel, "aarch64"))
		return PXB_BOOT_ARCH_ARM64;
	if (strcasestr(rel, "ia32") || strcasestr(rel, "i386"))
		return PXB_BOOT_ARCH_EFI32;
	return PXB_BOOT_ARCH_EFI64;
}

static void add_loose(struct scan *s, struct file *f, enum pxb_boot_kind kind, unsigned arch,
		      const char *what, const char *args)
{
	struct pxb_boot_entry e = {0};
	char path[2048], id[64], label[320];
	const char *b = base_name(f->rel);

	ns(s, f->rel, path, sizeof(path));
	if (kind == PXB_BOOT_MEMDISK)
		e.image = path;
	else
		e.kernel = path;
	e.kind = kind;
	e.arch = arch;
	e.args = args;
	pxb_boot_unique_id(s->out.m, b, id, sizeof(id));
	e.id = id;
	pathf(label, sizeof(label), "%s (%s)", what, b);
	e.label = label;
	f->claimed = 1;
	pxb_layout_add(&s->out, &e);
}

static void recognize_loose(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct file *f = &s->f[i];
		const char *b = base_name(f->rel);

		if (f->claimed || under_root(s, f->rel))
			continue;
		if (!strncasecmp(b, "memtest", 7)) {
			if (has_ext(b, ".bin"))
				add_loose(s, f, PXB_BOOT_LINUX, PXB_BOOT_ARCH_BIOS, "Memtest86+", NULL);
			else if (has_ext(b, ".efi"))
				add_loose(s, f, PXB_BOOT_CHAIN, efi_arch(f->rel), "Memtest86+ UEFI",
					  NULL);
			else if (has_ext(b, ".iso"))
				add_loose(s, f, PXB_BOOT_MEMDISK, PXB_BOOT_ARCH_BIOS, "Memtest86+",
					  NULL);
			continue;
		}
		if ((!strncasecmp(b, "ipxe", 4) || !strncasecmp(b, "snp", 3)) && has_ext(b, ".efi")) {
			add_loose(s, f, PXB_BOOT_CHAIN, efi_arch(f->rel), "iPXE", NULL);
			continue;
		}
		if (has_ext(b, ".kpxe") || has_ext(b, ".kkpxe") ||
		    (!strncasecmp(b, "ipxe", 4) && has_ext(b, ".pxe"))) {
			add_loose(s, f, PXB_BOOT_CHAIN, PXB_BOOT_ARCH_BIOS, "iPXE", NULL);
			continue;
		}
		/* Initramfs images are not disks. */
		if (strcasestr(b, "initrd") || strcasestr(b, "initramfs") || strcasestr(b, "ucode") ||
		    !strcasecmp(b, "sysresccd.img") || !strcasecmp(b, "archiso.img"))
			continue;
		if (has_ext(b, ".iso")) {
			add_loose(s, f, PXB_BOOT_MEMDISK, PXB_BOOT_ARCH_BIOS,
				  strcasestr(f->rel, "fdos") || strcasestr(f->rel, "freedos") ? "FreeDOS"
										  : "ISO image",
				  "iso raw");
		} else if (has_ext(b, ".img") || has_ext(b, ".ima")) {
			int floppy = f->size <= FLOPPY_MAX;
			add_loose(s, f, PXB_BOOT_MEMDISK, PXB_BOOT_ARCH_BIOS,
				  strcasestr(f->rel, "fdos") || strcasestr(f->rel, "freedos") ? "FreeDOS"
				  : floppy ? "floppy image" : "disk image",
				  floppy ? "raw" : "harddisk raw");
		}
	}
}

/* ---- entry point ------------------------------------------------------- */

int pxb_catalog_scan(const char *dir, const char *prefix, const struct pxb_catalog_scan_opts *o,
		     pxb_boot_model *m, pxb_catalog_report_fn rep, void *arg)
{
	struct scan s = {.dir = dir, .prefix = prefix ? prefix : "", .o = o,
			 .out = {.m = m, .source = o->source ? o->source : "catalog-dir"},
			 .report = rep, .arg = arg};
	struct stat st;
	int rc;

	s.files.is_file = is_file;
	s.files.arg = &s;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return PXB_ERR_NOENT;
	if (walk(&s, "", o->max_depth ? o->max_depth : 8) < 0) {
		s.nomem = 1;
		goto out;
	}
	if (s.n) /* an empty catalog: no array at all, and qsort wants one */
		qsort(s.f, s.n, sizeof(*s.f), cmp_file);
	recognize_archiso(&s);
	recognize_debian_installer(&s);
	recognize_fedora(&s);
	recognize_casper(&s);
	recognize_live(&s);
	recognize_loose(&s);
out:
	for (size_t i = 0; i < s.n; i++)
		free(s.f[i].rel);
	free(s.f);
	for (size_t i = 0; i < s.nroots; i++)
		free(s.roots[i]);
	free(s.roots);
	rc = s.nomem || s.out.nomem ? PXB_ERR_NOMEM : s.out.added;
	return rc;
}
