/*
 * grub_render.c - renders the boot model as a GRUB configuration file
 * (grub.cfg) for one client, and decides which grub.cfg names render.
 *
 * This is the menu of the Secure Boot chain: firmware -> shim (signed by
 * Microsoft) -> GRUB (signed by Debian) -> a kernel GRUB verifies through
 * shim. Debian's signed GRUB has no HTTP module, so kernels and initrds come
 * over TFTP from the server GRUB itself was loaded from,
 * (tftp,$net_default_server). Only Linux entries can boot that way: memdisk
 * is BIOS-only, chained binaries would have to be signed (nothing here can
 * tell), sanboot and the shell are iPXE's; they are left out with a comment.
 *
 * GRUB's script syntax (grub-core/script/yylex.l, the manual's "Shell-like
 * scripting") is sh-like: words split on blanks, ';' and newlines end
 * commands, '$' expands variables outside single quotes, '#' starts a
 * comment. Every string that comes from the model is written as a
 * single-quoted word, in which nothing is special but the closing quote; a
 * quote inside is written '\'' (close, escaped quote, reopen). Labels have
 * control characters turned into spaces; arguments and paths with control
 * characters make their entry be left out. Kernel arguments are quoted one
 * word each, so GRUB hands the kernel exactly the words of the model.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/boot_menu_plugin.h>
#include "grub_render.h"

#define PATH_MAX_ 2048
#define ARGS_MAX 4096
#define CFG "grub.cfg"

/* The part after "grub.cfg-", or NULL. */
static const char *suffix(const char *name)
{
	return strncmp(name, CFG "-", sizeof(CFG)) == 0 ? name + sizeof(CFG) : NULL;
}

int pxb_grub_lookup(const char *base, int per_client, const struct pxb_client *known,
		    struct pxb_client *out, int *out_known)
{
	const char *s = suffix(base);

	*out_known = 0;
	memset(out, 0, sizeof(*out));
	if (known)
		*out = *known;
	if (strcmp(base, CFG) == 0) {
		*out_known = known != NULL;
		return 1;
	}
	if (!per_client || !s)
		return 0;
	switch (pxb_boot_client_by_name(s, known, out)) {
	case PXB_BOOT_NAME_MAC:
	case PXB_BOOT_NAME_IP:
		*out_known = 1;
		return 1;
	default:
		return 0;
	}
}

/* ---- rendering ---------------------------------------------------------- */

void pxb_grub_quote(FILE *out, const char *s)
{
	fputc('\'', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '\'')
			fputs("'\\''", out);
		else
			fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, out);
	}
	fputc('\'', out);
}

/* Writes text after "# " on one line: control characters become spaces. */
static void put_comment(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, out);
}

static int has_ctl(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	return 0;
}

struct rctx {
	const pxb_boot_model *m;
	struct pxb_boot_ctx x;
	pxb_grub_warn_fn warn;
	void *warn_arg;
	const char **whys; /* per view item: why its entry is left out */
};

/* A file as GRUB loads it over TFTP: (tftp,$net_default_server)'/path'. */
static int put_file(struct rctx *r, const struct pxb_boot_entry *e, const char *path, FILE *f)
{
	char exp[PATH_MAX_];

	if (pxb_boot_expand(&r->x, e, path, exp, sizeof(exp)) < 0 || pxb_boot_is_url(exp) ||
	    has_ctl(exp) || !*exp)
		return -1;
	fputs("(tftp,$net_default_server)", f);
	if (exp[0] != '/')
		fputc('/', f);
	pxb_grub_quote(f, exp);
	return 0;
}

/* Writes each blank-separated word of args as a quoted word. */
static void put_args(FILE *f, const char *args)
{
	const char *p = args;

	while (*p) {
		size_t n;
		char *w;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (!n)
			break;
		w = strndup(p, n);
		if (!w)
			return;
		fputc(' ', f);
		pxb_grub_quote(f, w);
		free(w);
		p += n;
	}
}

/*
 * The commands of one menuentry (NULL and *why set when the entry cannot be
 * rendered; *report says whether that is a problem worth a warning).
 */
static char *entry_body(struct rctx *r, const struct pxb_boot_entry *e, const char **why,
			int *report)
{
	char args[ARGS_MAX];
	char *text = NULL;
	size_t tlen = 0;
	FILE *f;

	*why = NULL;
	*report = 0;
	switch (e->kind) {
	case PXB_BOOT_LINUX:
		break;
	case PXB_BOOT_CHAIN:
		*why = "a chained binary: GRUB under Secure Boot starts only signed ones, and "
		       "nothing here tells whether it is";
		return NULL;
	case PXB_BOOT_MEMDISK:
		*why = "memdisk is for BIOS only";
		return NULL;
	case PXB_BOOT_SANBOOT:
		*why = "sanboot is iPXE's";
		return NULL;
	case PXB_BOOT_SHELL:
		*why = "the iPXE shell (GRUB has its own command line, key c)";
		return NULL;
	case PXB_BOOT_LOCAL:
	case PXB_BOOT_EXIT:
	case PXB_BOOT_REBOOT:
		break;
	}
	f = open_memstream(&text, &tlen);
	if (!f)
		return NULL;
	switch (e->kind) {
	case PXB_BOOT_LINUX:
		if (pxb_boot_entry_args(&r->x, e, args, sizeof(args)) < 0 || has_ctl(args)) {
			*why = "arguments too long or with control characters";
			break;
		}
		fputs("\techo 'Loading the kernel over TFTP...'\n\tlinux ", f);
		if (put_file(r, e, e->kernel, f) < 0) {
			*why = "the kernel is a URL or has no usable path (GRUB loads over TFTP)";
			break;
		}
		put_args(f, args);
		fputc('\n', f);
		if (e->ninitrds) {
			fputs("\techo 'Loading the initrd over TFTP...'\n\tinitrd", f);
			for (unsigned i = 0; i < e->ninitrds && !*why; i++) {
				fputc(' ', f);
				if (put_file(r, e, e->initrds[i], f) < 0)
					*why = "an initrd is a URL or has no usable path";
			}
			fputc('\n', f);
		}
		break;
	case PXB_BOOT_LOCAL:
		/* GRUB cannot start the disk's loader under Secure Boot by itself:
		 * back to the firmware, whose next boot device is the disk. */
		fputs("\texit\n", f);
		break;
	case PXB_BOOT_EXIT:
		fputs("\texit\n", f);
		break;
	case PXB_BOOT_REBOOT:
		fputs("\treboot\n", f);
		break;
	default:
		break;
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	if (*why) {
		*report = 1;
		free(text);
		return NULL;
	}
	return text;
}

/* entry_body for pxb_boot_bodies: keeps why an entry is left out, warns of the problems. */
static char *item_body(void *arg, unsigned i, const struct pxb_boot_entry *e)
{
	struct rctx *r = arg;
	int report;
	char *text = entry_body(r, e, &r->whys[i], &report);

	if (!text && report)
		pxb_boot_warn_left_out(r->warn, r->warn_arg, "GRUB", e->id, r->whys[i]);
	return text;
}

int pxb_grub_render(const pxb_boot_model *m, const struct pxb_client *client,
		    const struct pxb_grub_opts *o, FILE *out, pxb_grub_warn_fn warn,
		    void *warn_arg)
{
	struct rctx r = {.m = m, .warn = warn, .warn_arg = warn_arg};
	struct pxb_boot_view *v;
	const struct pxb_boot_entry *def = NULL;
	char **bodies;
	const char **whys;
	int rc;

	pxb_boot_ctx_init(&r.x, m, client, NULL);
	rc = pxb_boot_model_for_client(m, client, &v);
	if (rc < 0)
		return rc;
	whys = calloc(v->nitems + 1, sizeof(*whys));
	r.whys = whys;
	rc = whys ? pxb_boot_bodies(v, o ? o->default_id : NULL, item_body, &r, &bodies, &def,
				    NULL)
		  : PXB_ERR_NOMEM;
	if (rc < 0) {
		free(whys);
		pxb_boot_view_free(v);
		return rc;
	}

	fprintf(out, "# Boot menu made by pxeboot for %s (%s). Do not edit: it is generated.\n",
		r.x.mac[0] ? r.x.mac : "an unknown client", r.x.arch);
	fputs("# ", out);
	put_comment(out, v->title);
	fputc('\n', out);
	if (o && o->serial)
		fputs("serial --unit=0 --speed=115200\n"
		      "terminal_input serial console\n"
		      "terminal_output serial console\n", out);
	if (def) {
		fputs("set default=", out);
		pxb_grub_quote(out, def->id);
		fputc('\n', out);
	}
	/* GRUB: 0 boots the default at once, -1 waits; the model's 0 means wait. */
	if (o && o->force_timeout)
		fprintf(out, "set timeout=%u\n", o->force_timeout);
	else
		fprintf(out, "set timeout=%d\n", v->timeout ? (int)v->timeout : -1);
	for (unsigned i = 0; i < v->nitems; i++) {
		const struct pxb_boot_view_item *it = &v->items[i];
		if (it->type == PXB_ITEM_SEPARATOR) {
			fputs("\n# ----\n", out);
		} else if (it->type == PXB_ITEM_TEXT) {
			fputs("\n# ", out);
			put_comment(out, it->text);
			fputc('\n', out);
		} else if (bodies[i]) {
			const char *title = it->entry->label ? it->entry->label : it->entry->id;
			fputs("\nmenuentry ", out);
			/* menuentry takes --options anywhere, quoted or not (grub_arg_parse):
			 * a title starting "--" gets a leading blank, the same word. */
			if (!strncmp(title, "--", 2))
				fputs("' '", out);
			pxb_grub_quote(out, title);
			fputs(" --id ", out);
			pxb_grub_quote(out, it->entry->id);
			fputs(" {\n", out);
			fputs(bodies[i], out);
			fputs("}\n", out);
		} else if (whys[i]) {
			fprintf(out, "\n# %s left out: %s\n", it->entry->id, whys[i]);
		}
	}
	pxb_boot_bodies_free(v, bodies);
	free(whys);
	pxb_boot_view_free(v);
	return ferror(out) ? PXB_ERR_IO : 0;
}

int pxb_grub_write(const pxb_boot_model *m, const struct pxb_client *client, const void *o,
		   FILE *out, pxb_boot_warn_fn warn, void *warn_arg)
{
	return pxb_grub_render(m, client, o, out, warn, warn_arg);
}

int pxb_grub_render_buf(const pxb_boot_model *m, const struct pxb_client *client,
			const struct pxb_grub_opts *o, char **buf, size_t *len,
			pxb_grub_warn_fn warn, void *warn_arg)
{
	return pxb_boot_render_mem(pxb_grub_write, m, client, o, buf, len, warn, warn_arg);
}
