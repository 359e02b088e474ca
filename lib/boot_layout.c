/*
 * boot_layout.c - the distribution layouts catalogs recognise, over a
 * catalog's own listing of files (see pxeboot/boot_layout.h). Paths are
 * built with a bound: a longer one names nothing.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/boot_layout.h>
#include "internal.h"

int pxb_layout_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? PXB_ERR_TOOBIG : 0;
}

/*
 * Formats a path into buf: 1 when it names a file of fs, else 0 with buf ""
 * (a path cut short names nothing).
 */
static int probe(const struct pxb_layout_files *fs, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int probe(const struct pxb_layout_files *fs, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len || !fs->is_file(fs->arg, buf)) {
		buf[0] = '\0';
		return 0;
	}
	return 1;
}

void pxb_layout_linux(struct pxb_boot_entry *e, const char *kernel, const char *initrd,
		      const char *args, int arm64)
{
	e->kernel = kernel;
	e->initrds[0] = initrd;
	e->ninitrds = 1;
	e->args = args;
	e->kind = PXB_BOOT_LINUX;
	e->arch = arm64 ? PXB_BOOT_ARCH_ARM64 : PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI64;
}

unsigned pxb_layout_arch(const char *a)
{
	if (!strcmp(a, "x86_64") || !strcmp(a, "amd64") || !strcmp(a, "x64"))
		return PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI64;
	if (!strcmp(a, "i686") || !strcmp(a, "i386") || !strcmp(a, "i586"))
		return PXB_BOOT_ARCH_BIOS | PXB_BOOT_ARCH_EFI32;
	if (!strcmp(a, "aarch64") || !strcmp(a, "arm64"))
		return PXB_BOOT_ARCH_ARM64;
	return 0;
}

int pxb_layout_archiso(const struct pxb_layout_files *fs, const char *kernel,
		       struct pxb_layout_archiso *a)
{
	static const char *const initrds[] = {"sysresccd.img", "archiso.img",
					      "initramfs-linux.img"};
	static const char *const ucode[] = {"intel_ucode.img", "intel-ucode.img", "amd_ucode.img",
					    "amd-ucode.img"};
	const char *k = strrchr(kernel, '/'), *arch;
	char rel[PXB_LAYOUT_PATH + 64];
	size_t rootlen;

	if (!k || (strcmp(k + 1, "vmlinuz") && strcmp(k + 1, "vmlinuz-linux")))
		return PXB_ERR_NOENT;
	/* <root>/boot/<arch>/: arch runs back from k to the '/' before it. */
	for (arch = k; arch > kernel && arch[-1] != '/'; arch--)
		;
	if (arch == kernel || (size_t)(k - arch) >= sizeof(a->arch))
		return PXB_ERR_NOENT;
	rootlen = (size_t)(arch - 1 - kernel);
	if (rootlen < 6 || strncmp(kernel + rootlen - 5, "/boot", 5))
		return PXB_ERR_NOENT;
	rootlen -= 5;
	memset(a, 0, sizeof(*a));
	memcpy(a->arch, arch, (size_t)(k - arch));
	a->arch_mask = pxb_layout_arch(a->arch);
	if (!a->arch_mask || rootlen >= sizeof(a->root))
		return PXB_ERR_NOENT;
	memcpy(a->root, kernel, rootlen);
	for (unsigned i = 0; i < PXB_ARRAY_LEN(initrds) && !a->initrd[0]; i++)
		if (probe(fs, a->initrd, sizeof(a->initrd), "%s/boot/%s/%s", a->root, a->arch,
			  initrds[i]))
			a->sysresc = i == 0;
	for (unsigned u = 0; u < PXB_ARRAY_LEN(ucode) && a->arch_mask != PXB_BOOT_ARCH_ARM64 &&
			     a->nucode < 2; u++)
		a->nucode += probe(fs, a->ucode[a->nucode], sizeof(a->ucode[0]), "%s/boot/%s",
				   a->root, ucode[u]);
	a->rootfs = probe(fs, rel, sizeof(rel), "%s/%s/airootfs.sfs", a->root, a->arch) ||
		    probe(fs, rel, sizeof(rel), "%s/%s/airootfs.erofs", a->root, a->arch);
	a->checksum = probe(fs, rel, sizeof(rel), "%s/%s/airootfs.sha512", a->root, a->arch);
	return 0;
}

int pxb_layout_live(const struct pxb_layout_files *fs, const char *kernel,
		    struct pxb_layout_live *l)
{
	const char *k = strrchr(kernel, '/');
	size_t rl;

	k = k ? k + 1 : kernel;
	rl = (size_t)(k - kernel);
	/* [<root>/]live/vmlinuz<ver> */
	if (strncmp(k, "vmlinuz", 7) || rl < 5 || strncmp(k - 5, "live/", 5) ||
	    (rl > 5 && k[-6] != '/'))
		return PXB_ERR_NOENT;
	memset(l, 0, sizeof(*l));
	if (pxb_layout_fmt(l->root, sizeof(l->root), "%.*s", (int)(rl > 5 ? rl - 6 : 0),
			   kernel) < 0)
		return PXB_ERR_NOENT;
	probe(fs, l->initrd, sizeof(l->initrd), "%s%slive/initrd.img%s", l->root,
	      *l->root ? "/" : "", k + 7);
	if (pxb_layout_fmt(l->squashfs, sizeof(l->squashfs), "%s%slive/filesystem.squashfs",
			   l->root, *l->root ? "/" : "") < 0)
		return PXB_ERR_NOENT;
	l->has_squashfs = fs->is_file(fs->arg, l->squashfs);
	return 0;
}

void pxb_layout_add(struct pxb_layout_sink *s, struct pxb_boot_entry *e)
{
	int rc;

	e->source = s->source;
	rc = pxb_boot_add_entry(s->m, e);
	if (rc == 0)
		s->added++;
	else if (rc == PXB_ERR_NOMEM)
		s->nomem = 1;
}

int pxb_layout_merge(pxb_boot_model *m, const pxb_boot_model *from)
{
	unsigned n = from ? pxb_boot_entry_count(from) : 0;

	for (unsigned i = 0; i < n; i++)
		if (pxb_boot_add_entry(m, pxb_boot_entry_at(from, i)) == PXB_ERR_NOMEM)
			return PXB_ERR_NOMEM; /* PXB_ERR_EXIST: a configured entry has that id */
	return 0;
}

int pxb_layout_said_first(struct pxb_layout_said *s, const char *key)
{
	char **nk;

	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->keys[i], key))
			return 0;
	nk = realloc(s->keys, (s->n + 1) * sizeof(*nk));
	if (nk) {
		s->keys = nk;
		if ((nk[s->n] = strdup(key)) != NULL)
			s->n++;
	}
	return 1;
}

void pxb_layout_said_free(struct pxb_layout_said *s)
{
	for (unsigned i = 0; i < s->n; i++)
		free(s->keys[i]);
	free(s->keys);
	s->keys = NULL;
	s->n = 0;
}
