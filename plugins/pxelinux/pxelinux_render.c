/*
 * pxelinux_render.c - renders the boot model as a PXELINUX configuration
 * file for one client, and decides which pxelinux.cfg/ names render.
 *
 * Syntax (syslinux doc/syslinux.txt, menu.txt): one keyword per line,
 * the rest of the line is its argument, so newlines are the only way to
 * inject; labels have control characters turned into spaces, arguments and
 * paths with control characters make their entry be left out. TIMEOUT is in
 * tenths of a second (0: wait). Over TFTP (pxelinux.0) files are given as
 * absolute paths from the TFTP root ("/boot/x/vmlinuz"); lpxelinux.0 can
 * fetch http:// URLs (pxelinux.use_http).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/boot_menu_plugin.h>
#include "pxelinux_render.h"

#define PATH_MAX_ 2048
#define ARGS_MAX 4096

enum pxb_pxelinux_name pxb_pxelinux_classify(const char *name)
{
	struct pxb_client c;

	if (strcmp(name, "default") == 0)
		return PXB_PXELINUX_DEFAULT;
	if (strlen(name) == 36) {
		for (size_t i = 0; i < 36; i++) {
			int dash = i == 8 || i == 13 || i == 18 || i == 23;
			if (dash ? name[i] != '-' : pxb_hexval(name[i]) < 0)
				return PXB_PXELINUX_NONE;
		}
		return PXB_PXELINUX_UUID;
	}
	switch (pxb_boot_client_by_name(name, NULL, &c)) {
	case PXB_BOOT_NAME_MAC:
		return PXB_PXELINUX_MAC;
	case PXB_BOOT_NAME_IP:
		return PXB_PXELINUX_IP;
	case PXB_BOOT_NAME_IP_PREFIX:
		return PXB_PXELINUX_IP_PREFIX;
	case PXB_BOOT_NAME_NONE:
		break;
	}
	return PXB_PXELINUX_NONE;
}

static void uuid_format(const uint8_t u[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o] = '\0';
}

int pxb_pxelinux_lookup(const char *name, const struct pxb_client *known, struct pxb_client *out,
			int *out_known)
{
	char u[37], lower[37];

	*out_known = 0;
	memset(out, 0, sizeof(*out));
	if (known)
		*out = *known;
	switch (pxb_pxelinux_classify(name)) {
	case PXB_PXELINUX_UUID:
		if (!known || !known->has_uuid)
			return 0;
		uuid_format(known->uuid, u);
		for (size_t i = 0; i < sizeof(lower); i++)
			lower[i] = (char)(name[i] >= 'A' && name[i] <= 'F' ? name[i] + 32 : name[i]);
		if (strcmp(u, lower) != 0)
			return 0;
		*out_known = 1;
		return 1;
	case PXB_PXELINUX_MAC:
	case PXB_PXELINUX_IP:
		pxb_boot_client_by_name(name, known, out);
		*out_known = 1;
		return 1;
	case PXB_PXELINUX_DEFAULT:
		*out_known = known != NULL;
		return 1;
	case PXB_PXELINUX_IP_PREFIX:
	case PXB_PXELINUX_NONE:
		break;
	}
	return 0;
}

/* ---- rendering ---------------------------------------------------------- */

/* Writes text on one line: control characters become spaces. */
static void put_line_text(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, out);
}

static int has_ctl(const char *s, int no_space)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (no_space && *p == ' '))
			return 1;
	return 0;
}

struct rctx {
	const pxb_boot_model *m;
	const struct pxb_pxelinux_opts *o;
	struct pxb_boot_ctx x;
	pxb_pxelinux_warn_fn warn;
	void *warn_arg;
};

/* Where PXELINUX fetches path: a TFTP path from the root, or an http:// URL. */
static const char *file_ref(struct rctx *r, const struct pxb_boot_entry *e, const char *path,
			    char *out, size_t len)
{
	char exp[PATH_MAX_];

	if (r->o->use_http)
		return pxb_boot_file_url(&r->x, e, path, out, len) < 0 ? NULL : out;
	if (pxb_boot_expand(&r->x, e, path, exp, sizeof(exp)) < 0 || pxb_boot_is_url(exp) ||
	    has_ctl(exp, 1))
		return NULL;
	/* A reference that does not fit is refused rather than cut. */
	if ((size_t)snprintf(out, len, "%s%s", exp[0] == '/' ? "" : "/", exp) >= len)
		return NULL;
	return out;
}

/* The lines of one LABEL after its MENU LABEL; NULL when it cannot be rendered. */
static char *entry_body(void *arg, unsigned idx, const struct pxb_boot_entry *e)
{
	struct rctx *r = arg;
	char ref[PATH_MAX_], args[ARGS_MAX];
	char *text = NULL;
	size_t tlen = 0;
	const char *why = NULL;
	FILE *f = open_memstream(&text, &tlen);

	if (!f)
		return NULL;
	switch (e->kind) {
	case PXB_BOOT_LINUX:
	case PXB_BOOT_MEMDISK:
	case PXB_BOOT_CHAIN: {
		const char *kernel = e->kind == PXB_BOOT_MEMDISK && !e->kernel
					     ? pxb_boot_memdisk(r->m) : e->kernel;
		if (pxb_boot_entry_args(&r->x, e, args, sizeof(args)) < 0 || has_ctl(args, 0)) {
			why = "arguments too long or with control characters";
			break;
		}
		if (!file_ref(r, e, kernel, ref, sizeof(ref))) {
			why = r->o->use_http ? "no URL for the kernel"
					     : "kernel is a URL or has spaces (pxelinux.0 needs TFTP paths)";
			break;
		}
		fprintf(f, "  KERNEL %s\n", ref);
		if (e->kind == PXB_BOOT_MEMDISK || e->ninitrds) {
			fputs("  INITRD ", f);
			for (unsigned i = 0; i < (e->kind == PXB_BOOT_MEMDISK ? 1 : e->ninitrds); i++) {
				const char *p = e->kind == PXB_BOOT_MEMDISK ? e->image : e->initrds[i];
				if (!file_ref(r, e, p, ref, sizeof(ref)) || strchr(ref, ',')) {
					why = "an initrd has no usable path";
					break;
				}
				fprintf(f, "%s%s", i ? "," : "", ref);
			}
			fputc('\n', f);
		}
		if (*args)
			fprintf(f, "  APPEND %s\n", args);
		break;
	}
	case PXB_BOOT_LOCAL:
		fputs("  LOCALBOOT 0\n", f);
		break;
	case PXB_BOOT_EXIT:
		fputs("  LOCALBOOT -1\n", f); /* back to the BIOS: next boot device */
		break;
	case PXB_BOOT_REBOOT:
		fputs("  COM32 reboot.c32\n", f);
		break;
	case PXB_BOOT_SANBOOT:
		why = "PXELINUX has no sanboot";
		break;
	case PXB_BOOT_SHELL:
		why = NULL; /* no shell in PXELINUX: silently not offered */
		fclose(f);
		free(text);
		return NULL;
	}
	(void)idx;
	return pxb_boot_body_close(f, &text, why, r->warn, r->warn_arg, "PXELINUX", e->id);
}

int pxb_pxelinux_render(const pxb_boot_model *m, const struct pxb_client *client,
			const struct pxb_pxelinux_opts *o, FILE *out,
			pxb_pxelinux_warn_fn warn, void *warn_arg)
{
	struct rctx r = {.m = m, .o = o, .warn = warn, .warn_arg = warn_arg};
	struct pxb_boot_view *v;
	const struct pxb_boot_entry *def = NULL;
	char **bodies;
	int ui = o->ui && *o->ui, rc;

	pxb_boot_ctx_init(&r.x, m, client, NULL);
	rc = pxb_boot_model_for_client(m, client, &v);
	if (rc < 0)
		return rc;
	rc = pxb_boot_bodies(v, o->default_id, entry_body, &r, &bodies, &def, NULL);
	if (rc < 0) {
		pxb_boot_view_free(v);
		return rc;
	}

	fprintf(out, "# Boot menu made by pxeboot for %s (%s). Do not edit: it is generated.\n",
		r.x.mac[0] ? r.x.mac : "an unknown client", r.x.arch);
	if (ui) {
		fputs("UI ", out);
		put_line_text(out, o->ui);
		fputc('\n', out);
	}
	if (def)
		fprintf(out, "DEFAULT %s\n", def->id);
	fprintf(out, "PROMPT 1\nTIMEOUT %u\nMENU TITLE ",
		(o->force_timeout ? o->force_timeout : v->timeout) * 10u);
	put_line_text(out, v->title);
	fputc('\n', out);
	if (!ui) {
		/* The plain boot: prompt shows nothing by itself: list the labels. */
		fputs("SAY ", out);
		put_line_text(out, v->title);
		fputc('\n', out);
		for (unsigned i = 0; i < v->nitems; i++)
			if (bodies[i]) {
				fprintf(out, "SAY   %-12s ", v->items[i].entry->id);
				put_line_text(out, v->items[i].entry->label);
				fputc('\n', out);
			}
	}
	for (unsigned i = 0; i < v->nitems; i++) {
		const struct pxb_boot_view_item *it = &v->items[i];
		if (it->type == PXB_ITEM_SEPARATOR) {
			fputs("\nMENU SEPARATOR\n", out);
		} else if (it->type == PXB_ITEM_TEXT) {
			fprintf(out, "\nLABEL pxb-text-%u\n  MENU LABEL ", i);
			put_line_text(out, it->text);
			fputs("\n  MENU DISABLE\n", out);
		} else if (bodies[i]) {
			fprintf(out, "\nLABEL %s\n  MENU LABEL ", it->entry->id);
			put_line_text(out, it->entry->label);
			fputc('\n', out);
			if (it->entry == def)
				fputs("  MENU DEFAULT\n", out);
			fputs(bodies[i], out);
		}
	}
	pxb_boot_bodies_free(v, bodies);
	pxb_boot_view_free(v);
	return ferror(out) ? PXB_ERR_IO : 0;
}

int pxb_pxelinux_write(const pxb_boot_model *m, const struct pxb_client *client,
		       const void *o, FILE *out, pxb_boot_warn_fn warn, void *warn_arg)
{
	return pxb_pxelinux_render(m, client, o, out, warn, warn_arg);
}

int pxb_pxelinux_render_buf(const pxb_boot_model *m, const struct pxb_client *client,
			    const struct pxb_pxelinux_opts *o, char **buf, size_t *len,
			    pxb_pxelinux_warn_fn warn, void *warn_arg)
{
	return pxb_boot_render_mem(pxb_pxelinux_write, m, client, o, buf, len, warn, warn_arg);
}
