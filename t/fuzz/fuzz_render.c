/*
 * fuzz_render.c - libFuzzer target for the menu renderers (plugins/ipxe,
 * plugins/pxelinux, plugins/grub) on a boot model whose titles, labels,
 * paths and arguments come from the input, as they come from directory
 * and image names in the catalogs.
 *
 * The input is lines "keyword value"; in a value "\n", "\r", "\t", "\\"
 * and "\xHH" stand for those bytes:
 *   client bios|efi32|efi64|arm64|none   noserver   token T
 *   title T   timeout N   default ID   item I (an id, "-", "# text", "*")
 *   entry KIND ID (linux chain memdisk sanboot local shell reboot exit), then
 *   label L   kernel P   initrd P   image P   args A   dir P   arch MASK
 *   hidden   isdefault   rescue;   hash H (rescue password hash)   memdisk P
 *
 * Each renderer's output is checked for what it claims: the iPXE script
 * passes t/renderer_util.h's checker (known commands, labels and gotos,
 * no separator/comment token, no "${" but its own, no control character)
 * and no displayed text is read as an option; each PXELINUX line is one of
 * its keywords, with file names without blanks and no control character;
 * each GRUB line lexes to a known command whose words outside single quotes
 * hold no '$' (but the server's), ';', '|', '&', '<', '>' or '#'.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../renderer_util.h"
#include "../../plugins/ipxe/ipxe_render.h"
#include "../../plugins/pxelinux/pxelinux_render.h"
#include "../../plugins/grub/grub_render.h"

#define MAX_ENTRIES 16
#define MAX_ITEMS 32

/* Decodes the escapes of s in place. */
static void unescape(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (*p != '\\' || !p[1]) {
			*o++ = *p;
			continue;
		}
		p++;
		if (*p == 'n')
			*o++ = '\n';
		else if (*p == 'r')
			*o++ = '\r';
		else if (*p == 't')
			*o++ = '\t';
		else if (*p == 'x' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2]) &&
			 strncmp(p + 1, "00", 2)) {
			char h[3] = {p[1], p[2], '\0'};
			*o++ = (char)strtol(h, NULL, 16);
			p += 2;
		} else
			*o++ = *p;
	}
	*o = '\0';
}

/* PXB_FUZZ_SHOW=1 in the environment prints every rendering (to see what a seed covers). */
static void show(const char *what, const char *out)
{
	if (getenv("PXB_FUZZ_SHOW"))
		fprintf(stderr, "=== %s\n%s", what, out);
}

static void fail(const char *what, const char *out, const char *err)
{
	fprintf(stderr, "%s: %s\n---\n%s---\n", what, err, out);
	abort();
}

/* ---- iPXE --------------------------------------------------------------- */

static void check_ipxe(const char *s, int server_known)
{
	char err[256], *copy = strdup(s), *save = NULL, *line;

	if (!copy)
		abort();
	show("iPXE", s);
	/* Without an address, files come from iPXE's ${next-server}: allowed there only. */
	if (!server_known)
		for (char *p = copy; (p = strstr(p, "http://${next-server}")) != NULL; p++)
			memcpy(p + 7, "$_next-server", 13);
	if (ipxe_check(copy, err, sizeof(err)) < 0)
		fail("iPXE", s, err);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *arg = NULL;

		if (!strncmp(line, "menu ", 5))
			arg = line + 5;
		else if (!strncmp(line, "item --gap ", 11))
			arg = line + 11;
		else if (!strncmp(line, "echo ", 5))
			arg = line + 5;
		else if (!strncmp(line, "item ", 5) && strcmp(line, "item --gap")) {
			const char *id = line + 5;
			size_t n = strcspn(id, " ");
			char buf[PXB_BOOT_ID_MAX + 1];
			if (n >= sizeof(buf))
				fail("iPXE", s, "item id too long");
			memcpy(buf, id, n);
			buf[n] = '\0';
			if (!pxb_boot_id_valid(buf))
				fail("iPXE", s, "item key is not an entry id");
		}
		if (arg && *arg == '-')
			fail("iPXE", s, "displayed text read as an option");
	}
	free(copy);
}

/* ---- PXELINUX ----------------------------------------------------------- */

static int starts(const char *line, const char *kw)
{
	return !strncmp(line, kw, strlen(kw));
}

static void check_pxelinux(const char *s)
{
	char *copy = strdup(s), *save = NULL, *line;

	if (!copy)
		abort();
	show("PXELINUX", s);
	for (const char *p = s; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f)
			fail("PXELINUX", s, "control character");
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *files = NULL;

		if (line[0] == '#' || starts(line, "UI ") || starts(line, "PROMPT 1") ||
		    starts(line, "TIMEOUT ") || starts(line, "MENU TITLE ") ||
		    starts(line, "SAY ") || !strcmp(line, "MENU SEPARATOR") ||
		    starts(line, "  MENU LABEL ") || !strcmp(line, "  MENU DISABLE") ||
		    !strcmp(line, "  MENU DEFAULT") || starts(line, "  APPEND ") ||
		    !strcmp(line, "  LOCALBOOT 0") || !strcmp(line, "  LOCALBOOT -1") ||
		    !strcmp(line, "  COM32 reboot.c32"))
			continue;
		if (starts(line, "DEFAULT ") || starts(line, "LABEL ")) {
			const char *id = strchr(line, ' ') + 1;
			if (!*id || strchr(id, ' '))
				fail("PXELINUX", s, "label with a blank");
			continue;
		}
		if (starts(line, "  KERNEL "))
			files = line + 9;
		else if (starts(line, "  INITRD "))
			files = line + 9;
		else
			fail("PXELINUX", s, "unknown line");
		if (!*files || strchr(files, ' '))
			fail("PXELINUX", s, "file name with a blank, or none");
		/* INITRD separates its files with commas: none may be empty */
		if (starts(line, "  INITRD ") && (strstr(files, ",,") || *files == ',' ||
						 files[strlen(files) - 1] == ','))
			fail("PXELINUX", s, "an empty initrd name");
	}
	free(copy);
}

/* ---- GRUB --------------------------------------------------------------- */

static void check_grub(const char *s)
{
	static const char *const cmds[] = {"menuentry", "set", "serial", "terminal_input",
					   "terminal_output", "echo", "linux", "initrd", "exit",
					   "reboot", "}", NULL};
	char *copy = strdup(s), *save = NULL, *line;
	int depth = 0;

	if (!copy)
		abort();
	show("GRUB", s);
	for (const char *p = s; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			fail("GRUB", s, "control character");
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char word[4096];
		unsigned nw = 0;
		size_t wl = 0;
		int quoted = 0, inword = 0, first_cmd = -1, last_open = 0;
		const char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || !*p)
			continue;
		for (;; p++) {
			char c = *p;
			if (quoted) {
				if (!c)
					fail("GRUB", s, "quote left open at the end of a line");
				if (c == '\'')
					quoted = 0;
				else if (wl + 1 < sizeof(word))
					word[wl++] = c;
				continue;
			}
			if (!c || c == ' ' || c == '\t') {
				if (inword) {
					word[wl] = '\0';
					if (nw == 0) {
						for (first_cmd = 0; cmds[first_cmd]; first_cmd++)
							if (!strcmp(cmds[first_cmd], word))
								break;
						if (!cmds[first_cmd])
							fail("GRUB", s, "unknown command");
					}
					last_open = !strcmp(word, "{");
					/* menuentry TITLE --id ID {: the title is no --option */
					if (first_cmd == 0 && ((nw == 1 && !strncmp(word, "--", 2)) ||
							       (nw == 2 && strcmp(word, "--id"))))
						fail("GRUB", s, "menuentry title read as an option");
					nw++;
					inword = 0;
					wl = 0;
				}
				if (!c)
					break;
				continue;
			}
			inword = 1;
			if (c == '\'') {
				quoted = 1;
			} else if (c == '\\' && p[1] == '\'') {
				if (wl + 1 < sizeof(word))
					word[wl++] = '\'';
				p++;
			} else if (c == '$') {
				if (strncmp(p, "$net_default_server)", 20))
					fail("GRUB", s, "'$' outside quotes");
				p += 18;
			} else if (strchr(";|&<>#\\\"", c)) {
				fail("GRUB", s, "shell metacharacter outside quotes");
			} else if (wl + 1 < sizeof(word)) {
				word[wl++] = c;
			}
		}
		if (first_cmd == 0) {
			if (!last_open || depth)
				fail("GRUB", s, "menuentry without its block");
			depth = 1;
		} else if (first_cmd >= 0 && !strcmp(cmds[first_cmd], "}")) {
			if (depth != 1 || nw != 1)
				fail("GRUB", s, "stray }");
			depth = 0;
		}
	}
	if (depth)
		fail("GRUB", s, "menuentry not closed");
	free(copy);
}

/* ---- the model from the input ------------------------------------------- */

static enum pxb_boot_kind kind_of(const char *k)
{
	static const char *const names[] = {"linux", "chain", "memdisk", "sanboot", "local",
					     "shell", "reboot", "exit", NULL};

	for (int i = 0; names[i]; i++)
		if (!strcmp(k, names[i]))
			return (enum pxb_boot_kind)(i + 1);
	return PXB_BOOT_LINUX;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pxb_boot_entry es[MAX_ENTRIES];
	struct pxb_boot_menu menu = {0};
	const char *items[MAX_ITEMS];
	unsigned ne = 0, has_menu = 0, arch_set = 0;
	int server_known = 1;
	struct pxb_client c = test_client(7);
	pxb_boot_model *m;
	char *text, *save = NULL, *line, *buf;
	size_t len;

	if (size > 16384)
		return 0;
	text = malloc(size + 1);
	m = pxb_boot_model_new();
	if (!text || !m)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	memset(es, 0, sizeof(es));
	menu.items = items;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ' ');
		struct pxb_boot_entry *e = ne ? &es[ne - 1] : NULL;

		if (v)
			*v++ = '\0';
		else
			v = line + strlen(line);
		unescape(v);
		if (!strcmp(line, "client")) {
			arch_set = 1;
			if (!strcmp(v, "none"))
				arch_set = 2;
			else
				c.arch = !strcmp(v, "bios") ? 0 : !strcmp(v, "efi32") ? 6
					 : !strcmp(v, "arm64") ? 11 : 7;
		} else if (!strcmp(line, "noserver")) {
			server_known = 0;
		} else if (!strcmp(line, "token")) {
			c.token = v;
		} else if (!strcmp(line, "title")) {
			menu.title = v;
			has_menu = 1;
		} else if (!strcmp(line, "timeout")) {
			menu.timeout = (unsigned)strtoul(v, NULL, 10) % 100000;
			has_menu = 1;
		} else if (!strcmp(line, "default")) {
			menu.default_id = v;
			has_menu = 1;
		} else if (!strcmp(line, "item")) {
			if (menu.nitems < MAX_ITEMS)
				items[menu.nitems++] = v;
			has_menu = 1;
		} else if (!strcmp(line, "hash")) {
			pxb_boot_set_password_hash(m, v);
		} else if (!strcmp(line, "memdisk")) {
			pxb_boot_set_memdisk(m, v);
		} else if (!strcmp(line, "entry")) {
			char *id = strchr(v, ' ');
			if (ne >= MAX_ENTRIES)
				continue;
			e = &es[ne++];
			if (id)
				*id++ = '\0';
			e->kind = kind_of(v);
			e->id = id ? id : "entry";
		} else if (!e) {
			continue;
		} else if (!strcmp(line, "label")) {
			e->label = v;
		} else if (!strcmp(line, "kernel")) {
			e->kernel = v;
		} else if (!strcmp(line, "initrd")) {
			if (e->ninitrds < PXB_BOOT_MAX_INITRDS)
				e->initrds[e->ninitrds++] = v;
		} else if (!strcmp(line, "image")) {
			e->image = v;
		} else if (!strcmp(line, "args")) {
			e->args = v;
		} else if (!strcmp(line, "dir")) {
			e->dir = v;
		} else if (!strcmp(line, "arch")) {
			e->arch = (unsigned)strtoul(v, NULL, 0) & PXB_BOOT_ARCH_ALL;
		} else if (!strcmp(line, "hidden")) {
			e->hidden = 1;
		} else if (!strcmp(line, "isdefault")) {
			e->is_default = 1;
		} else if (!strcmp(line, "rescue")) {
			e->rescue_password = 1;
		}
	}
	for (unsigned i = 0; i < ne; i++) {
		es[i].source = i & 1 ? "catalog-dir" : "config";
		pxb_boot_add_entry(m, &es[i]);
	}
	if (has_menu) {
		if (!menu.nitems)
			items[menu.nitems++] = "*";
		pxb_boot_add_menu(m, &menu);
	}
	if (!server_known)
		c.server_addr.s_addr = 0;

	{
		const struct pxb_client *cl = arch_set == 2 ? NULL : &c;
		struct pxb_ipxe_opts io = {.default_id = menu.default_id, .min_timeout = 30};
		struct pxb_pxelinux_opts po = {0};
		struct pxb_grub_opts go = {0};

		if (!cl)
			server_known = 0;
		if (pxb_ipxe_render_buf(m, cl, &buf, &len, NULL, NULL) == 0) {
			check_ipxe(buf, server_known);
			free(buf);
		}
		if (pxb_ipxe_render_buf_opts(m, cl, &io, &buf, &len, NULL, NULL) == 0) {
			check_ipxe(buf, server_known);
			free(buf);
		}
		for (int http = 0; http < 2; http++) {
			po.use_http = http;
			po.ui = http ? "menu.c32" : NULL;
			if (pxb_pxelinux_render_buf(m, cl, &po, &buf, &len, NULL, NULL) == 0) {
				check_pxelinux(buf);
				free(buf);
			}
		}
		go.serial = size & 1;
		if (pxb_grub_render_buf(m, cl, &go, &buf, &len, NULL, NULL) == 0) {
			check_grub(buf);
			free(buf);
		}
	}
	pxb_boot_model_free(m);
	free(text);
	return 0;
}
