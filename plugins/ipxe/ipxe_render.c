/*
 * ipxe_render.c - renders the boot model as an iPXE script for one client.
 *
 * The script is the seed's ipxe.cfg made safe: a menu with a default and a
 * timeout, one label per entry, "|| goto failed" after every step that can
 * fail so a failed boot returns to the menu with a message, the shell
 * returning to the menu, and URLs that carry the server's own address (the
 * one the client reached), never ${next-server}: beside another DHCP server
 * next-server is that server (see CLIENTS.md, proxyDHCP).
 *
 * iPXE's command line (src/core/exec.c) splits on whitespace, treats the
 * tokens "&&", "||" and ";" as command separators, a token starting with
 * '#' as the start of a comment, and expands ${name} inside any token. It has
 * no quoting. So: labels have control characters turned into spaces, "${"
 * broken into "$ {", and separator/comment tokens prefixed with '\'; URLs are
 * percent-encoded (no space, '$', '{', '}', '#'); kernel arguments that would
 * still change the script make their entry be left out, reported.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/boot_menu_plugin.h>
#include "ipxe_render.h"

#define URL_MAX 2048
#define ARGS_MAX 4096

/* Does this token end an iPXE command or start a comment? */
static int special_token(const char *t, size_t n)
{
	return (n == 2 && (!memcmp(t, "&&", 2) || !memcmp(t, "||", 2))) ||
	       (n == 1 && t[0] == ';') || (n && t[0] == '#');
}

void pxb_ipxe_put_text(FILE *out, const char *text, int first_positional)
{
	char *buf = strdup(text ? text : ""), *p, *save = NULL, *tok;
	int first = 1;

	if (!buf)
		return;
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		size_t n = strlen(tok);
		if (!first)
			fputc(' ', out);
		if (special_token(tok, n) || (first && first_positional && tok[0] == '-'))
			fputc('\\', out);
		for (const char *c = tok; *c; c++) {
			fputc(*c, out);
			if (c[0] == '$' && c[1] == '{')
				fputc(' ', out); /* "${" would expand a setting */
		}
		first = 0;
	}
	free(buf);
}

/* Are the (expanded) arguments safe to put on an iPXE command line as they are? */
static const char *args_problem(const char *a)
{
	const char *p = a;

	for (const char *c = a; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "a control character";
		if (c[0] == '$' && c[1] == '{')
			return "an unknown ${...} variable";
	}
	while (*p) {
		size_t n;
		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (special_token(p, n))
			return "a token iPXE reads as a separator or comment (&&, ||, ;, #...)";
		p += n;
	}
	return NULL;
}

/* An image name made of [A-Za-z0-9._-] from the last path component of url. */
static void image_name(const char *url, char *out, size_t len, unsigned idx)
{
	const char *q = strchr(url, '?');
	const char *end = q ? q : url + strlen(url);
	const char *b = end;
	size_t n = 0;

	while (b > url && b[-1] != '/')
		b--;
	for (; b < end && n + 1 < len; b++) {
		char c = *b;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '.' || c == '_' || c == '-';
		out[n++] = ok ? c : '_';
	}
	out[n] = '\0';
	if (n == 0 || idx > 0) {
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "%s%sinitrd%u", out, n ? "-" : "", idx);
		snprintf(out, len, "%s", tmp);
	}
}

struct rctx {
	const pxb_boot_model *m;
	struct pxb_boot_ctx x;
	FILE *out;
	pxb_ipxe_warn_fn warn;
	void *warn_arg;
};

/* The lines booting e, into a memory buffer; NULL when it cannot be rendered. */
static char *entry_body(void *arg, unsigned idx, const struct pxb_boot_entry *e)
{
	struct rctx *r = arg;
	char url[URL_MAX], args[ARGS_MAX], names[PXB_BOOT_MAX_INITRDS][64];
	char *text = NULL;
	size_t tlen = 0;
	FILE *f;
	const char *why = NULL;

	f = open_memstream(&text, &tlen);
	if (!f)
		return NULL;
	switch (e->kind) {
	case PXB_BOOT_LINUX:
	case PXB_BOOT_MEMDISK: {
		const char *kernel = e->kind == PXB_BOOT_MEMDISK
					     ? (e->kernel ? e->kernel : pxb_boot_memdisk(r->m))
					     : e->kernel;
		unsigned n = e->kind == PXB_BOOT_MEMDISK ? 1 : e->ninitrds;

		if (pxb_boot_entry_args(&r->x, e, args, sizeof(args)) < 0) {
			why = "arguments too long";
			break;
		}
		if ((why = args_problem(args)) != NULL)
			break;
		fputs("imgfree\n", f);
		if (pxb_boot_file_url(&r->x, e, kernel, url, sizeof(url)) < 0) {
			why = "no URL for the kernel (server address unknown?)";
			break;
		}
		fprintf(f, "kernel %s", url);
		for (unsigned i = 0; i < n; i++) {
			const char *p = e->kind == PXB_BOOT_MEMDISK ? e->image : e->initrds[i];
			char u2[URL_MAX];
			if (pxb_boot_file_url(&r->x, e, p, u2, sizeof(u2)) < 0) {
				why = "no URL for an initrd";
				break;
			}
			image_name(u2, names[i], sizeof(names[i]), 0);
			for (unsigned k = 0; k < i; k++)
				if (!strcmp(names[k], names[i]))
					image_name(u2, names[i], sizeof(names[i]), i);
			/* The EFI stub finds initrds by the name given here (CLIENTS.md). */
			if (r->x.efi && e->kind == PXB_BOOT_LINUX)
				fprintf(f, " initrd=%s", names[i]);
		}
		if (why)
			break;
		if (*args)
			fprintf(f, " %s", args);
		fputs(" || goto failed\n", f);
		for (unsigned i = 0; i < n; i++) {
			const char *p = e->kind == PXB_BOOT_MEMDISK ? e->image : e->initrds[i];
			pxb_boot_file_url(&r->x, e, p, url, sizeof(url));
			fprintf(f, "initrd --name %s %s || goto failed\n", names[i], url);
		}
		fputs("boot || goto failed\n", f);
		break;
	}
	case PXB_BOOT_CHAIN:
		if (pxb_boot_entry_args(&r->x, e, args, sizeof(args)) < 0) {
			why = "arguments too long";
			break;
		}
		if ((why = args_problem(args)) != NULL)
			break;
		if (pxb_boot_file_url(&r->x, e, e->kernel, url, sizeof(url)) < 0) {
			why = "no URL for the binary";
			break;
		}
		fprintf(f, "chain --autofree %s%s%s || goto failed\n", url, *args ? " " : "", args);
		break;
	case PXB_BOOT_SANBOOT:
		if (pxb_boot_file_url(&r->x, e, e->image, url, sizeof(url)) < 0) {
			why = "no URL for the image";
			break;
		}
		fprintf(f, "sanboot %s || goto failed\n", url);
		break;
	case PXB_BOOT_LOCAL:
		if (r->x.arch_bit == PXB_BOOT_ARCH_BIOS)
			fputs("sanboot --no-describe --drive 0x80 || goto failed\n", f);
		else if (r->x.arch_bit)
			fputs("exit\n", f); /* UEFI: the boot manager tries the next option */
		else
			fputs("sanboot --no-describe --drive 0x80 || exit\n", f);
		break;
	case PXB_BOOT_SHELL:
		fputs("echo Type 'exit' to return to this menu\nshell\nset pxb-timeout 0\n"
		      "goto start\n", f);
		break;
	case PXB_BOOT_REBOOT:
		fputs("reboot\n", f);
		break;
	case PXB_BOOT_EXIT:
		fputs("exit\n", f);
		break;
	}
	(void)idx;
	return pxb_boot_body_close(f, &text, why, r->warn, r->warn_arg, "iPXE", e->id);
}

static int render(const pxb_boot_model *m, const struct pxb_client *client,
		  const struct pxb_ipxe_opts *o, FILE *out, pxb_ipxe_warn_fn warn, void *warn_arg)
{
	struct rctx r = {.m = m, .out = out, .warn = warn, .warn_arg = warn_arg};
	struct pxb_boot_view *v;
	char **bodies;
	const struct pxb_boot_entry *def = NULL;
	unsigned nentries = 0, timeout;
	int rc;

	/* Nothing tells the address: iPXE's own idea is the last resort. */
	pxb_boot_ctx_init(&r.x, m, client, "${next-server}");
	rc = pxb_boot_model_for_client(m, client, &v);
	if (rc < 0)
		return rc;
	rc = pxb_boot_bodies(v, o ? o->default_id : NULL, entry_body, &r, &bodies, &def,
			     &nentries);
	if (rc < 0) {
		pxb_boot_view_free(v);
		return rc;
	}

	fputs("#!ipxe\n", out);
	fprintf(out, "# Boot menu made by pxeboot for %s (%s). Do not edit: it is generated.\n",
		r.x.mac[0] ? r.x.mac : "an unknown client", r.x.arch);
	if (!nentries) {
		fputs("echo Nothing to boot for this machine.\nprompt --timeout 10000 "
		      "Press any key to continue\nexit 1\n", out);
		goto done;
	}
	timeout = v->timeout;
	if (o && o->min_timeout && !timeout)
		timeout = o->min_timeout;
	if (o && o->force_timeout)
		timeout = o->force_timeout;
	fprintf(out, "set pxb-timeout %u\n\n:start\nmenu ", timeout * 1000u);
	pxb_ipxe_put_text(out, v->title, 1);
	fputc('\n', out);
	for (unsigned i = 0; i < v->nitems; i++) {
		const struct pxb_boot_view_item *it = &v->items[i];
		if (it->type == PXB_ITEM_ENTRY) {
			if (!bodies[i])
				continue;
			fprintf(out, "item %s ", it->entry->id);
			pxb_ipxe_put_text(out, it->entry->label, 0);
			fputc('\n', out);
		} else if (it->type == PXB_ITEM_TEXT && it->text[0]) {
			fputs("item --gap ", out);
			pxb_ipxe_put_text(out, it->text, 1);
			fputc('\n', out);
		} else {
			fputs("item --gap\n", out);
		}
	}
	fputs("choose", out);
	if (def)
		fprintf(out, " --default %s", def->id);
	fputs(" --timeout ${pxb-timeout} target && goto ${target}\n", out);
	/* Esc in the menu: show it again, without the timeout. */
	fputs("set pxb-timeout 0\ngoto start\n", out);
	for (unsigned i = 0; i < v->nitems; i++) {
		if (!bodies[i])
			continue;
		fprintf(out, "\n:%s\n", v->items[i].entry->id);
		if (v->items[i].entry->kind <= PXB_BOOT_LOCAL) {
			fputs("echo Booting ", out);
			pxb_ipxe_put_text(out, v->items[i].entry->label, 1);
			fputc('\n', out);
		}
		fputs(bodies[i], out);
	}
	fputs("\n:failed\necho Booting ${target} failed.\n"
	      "prompt Press any key to return to the menu\n"
	      "set pxb-timeout 0\ngoto start\n", out);
done:
	pxb_boot_bodies_free(v, bodies);
	pxb_boot_view_free(v);
	return ferror(out) ? PXB_ERR_IO : 0;
}

int pxb_ipxe_render(const pxb_boot_model *m, const struct pxb_client *client, FILE *out,
		    pxb_ipxe_warn_fn warn, void *warn_arg)
{
	return render(m, client, NULL, out, warn, warn_arg);
}

int pxb_ipxe_render_buf(const pxb_boot_model *m, const struct pxb_client *client, char **buf,
			size_t *len, pxb_ipxe_warn_fn warn, void *warn_arg)
{
	return pxb_ipxe_render_buf_opts(m, client, NULL, buf, len, warn, warn_arg);
}

int pxb_ipxe_write(const pxb_boot_model *m, const struct pxb_client *client, const void *o,
		   FILE *out, pxb_boot_warn_fn warn, void *warn_arg)
{
	return render(m, client, o, out, warn, warn_arg);
}

int pxb_ipxe_render_buf_opts(const pxb_boot_model *m, const struct pxb_client *client,
			     const struct pxb_ipxe_opts *o, char **buf, size_t *len,
			     pxb_ipxe_warn_fn warn, void *warn_arg)
{
	return pxb_boot_render_mem(pxb_ipxe_write, m, client, o, buf, len, warn, warn_arg);
}
