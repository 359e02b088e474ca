/*
 * uci_pxeboot.c - /etc/config/pxeboot as pxeboot.conf text (pxebootctl uci):
 * each UCI option maps to one setting through the table below; the tagged
 * hosts of /etc/config/dhcp (the router's dnsmasq, "option tag") become
 * dhcp.hosts, noboot when a tag is one of dhcp.noboot_tag (NOPXE unless
 * set). An option or section the table does not know is an error, so
 * nothing the user wrote is silently lost.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uci_conf.h"

enum kind { STR, STRS, BOOL, INT, LOCAL /* read by the translation itself */ };

struct map {
	const char *type, *opt, *setting;
	enum kind kind;
};

/* UCI type.option -> pxeboot.conf setting (man pxebootctl(8) lists them). */
static const struct map maps[] = {
	{"pxeboot", "enabled", NULL, LOCAL}, /* the init script's */
	{"pxeboot", "root", NULL, LOCAL},    /* tftp.root and http.root */
	{"pxeboot", "plugin_dir", "plugin_dir", STR},
	{"pxeboot", "plugin", "plugins", STRS},
	{"pxeboot", "state_dir", "state_dir", STR},
	{"pxeboot", "user", "user", STR},
	{"pxeboot", "group", "group", STR},
	{"pxeboot", "allow_root", "allow_root", BOOL},
	{"pxeboot", "log_level", "log_level", STR},
	{"tftp", "enabled", "tftp.enable", BOOL},
	{"tftp", "root", "tftp.root", STR},
	{"tftp", "listen", "tftp.listen", STR},
	{"tftp", "max_blksize", "tftp.max_blksize", INT},
	{"tftp", "max_transfers", "tftp.max_transfers", INT},
	{"http", "root", "http.root", STR},
	{"http", "listen", "http.listen", STR},
	{"http", "listing", "http.listing", STRS},
	{"http", "api_token", "http.api_token", STR},
	{"http", "max_connections", "http.max_connections", INT},
	{"dhcp", "mode", "dhcp.mode", STR},
	{"dhcp", "interface", "dhcp.interfaces", STRS},
	{"dhcp", "broadcast_only", "dhcp.broadcast_only", BOOL},
	{"dhcp", "noboot_tag", NULL, LOCAL},
	{"dhcp", "hosts", NULL, LOCAL},
	{"dhcp", "bios_file", NULL, LOCAL},
	{"dhcp", "efi64_file", NULL, LOCAL},
	{"dhcp", "ipxe_file", NULL, LOCAL},
	{"menu", "title", "menu.title", STR},
	{"menu", "timeout", "menu.timeout", INT},
	{"menu", "default", "menu.default", STR},
	{"menu", "item", "menu.items", STRS},
	{"catalog", "dir", "catalog.dirs", STRS},
	{"catalog", "iso_dir", "iso.dirs", STRS},
	{"rescue", "password_hash", "rescue.password_hash", STR},
	{"policy", "default", "policy.default", STR},
	{"policy", "arm_for", "policy.arm_for", STR},
	{"policy", "arm_max", "policy.arm_max", STR},
};
#define NMAPS (sizeof(maps) / sizeof(maps[0]))

/* Groups in the order written; "" is the top level. */
static const char *const groups[] = {"", "tftp", "http", "dhcp", "menu", "catalog", "iso",
				     "rescue", "policy"};

void pxbd_conf_quote(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

struct tr {
	const struct pxb_uci *u;
	FILE *out, *err;
	int bad;
	const struct pxb_uci_section *sec[NMAPS]; /* where each map's option was found */
	const struct pxb_uci_option *opt[NMAPS];
};

static int is_int(const char *v)
{
	char *e;

	if (!*v || strlen(v) > 10)
		return 0;
	strtol(v, &e, 10);
	return *e == '\0';
}

static void check_section(struct tr *t, const struct pxb_uci_section *s)
{
	int known_type = 0;

	for (size_t m = 0; m < NMAPS; m++)
		known_type |= strcmp(maps[m].type, s->type) == 0;
	if (!known_type) {
		fprintf(t->err, "%s:%u: config %s: not a section of pxeboot's (pxebootctl(8))\n",
			t->u->path, s->line, s->type);
		t->bad = 1;
		return;
	}
	for (unsigned i = 0; i < s->nopt; i++) {
		const struct pxb_uci_option *o = &s->opt[i];
		size_t m;

		for (m = 0; m < NMAPS; m++)
			if (!strcmp(maps[m].type, s->type) && !strcmp(maps[m].opt, o->name))
				break;
		if (m == NMAPS) {
			fprintf(t->err, "%s:%u: option %s: not an option of config %s\n", t->u->path,
				o->line, o->name, s->type);
			t->bad = 1;
			continue;
		}
		if (o->list && maps[m].kind != STRS && maps[m].kind != LOCAL) {
			fprintf(t->err, "%s:%u: option %s: takes one value, not a list\n", t->u->path,
				o->line, o->name);
			t->bad = 1;
		} else if ((maps[m].kind == BOOL && pxb_uci_bool(o->val[o->nval - 1]) < 0) ||
			   (maps[m].kind == INT && !is_int(o->val[o->nval - 1]))) {
			fprintf(t->err, "%s:%u: option %s: '%.64s' is not %s\n", t->u->path, o->line,
				o->name, o->val[o->nval - 1],
				maps[m].kind == BOOL ? "a boolean (1/0)" : "a number");
			t->bad = 1;
		}
		t->sec[m] = s; /* the last section of a type wins, as for an option */
		t->opt[m] = o;
	}
}

static const struct pxb_uci_option *local(const struct tr *t, const char *type, const char *opt)
{
	for (size_t m = 0; m < NMAPS; m++)
		if (!strcmp(maps[m].type, type) && !strcmp(maps[m].opt, opt))
			return t->opt[m];
	return NULL;
}

static const char *local_str(const struct tr *t, const char *type, const char *opt,
			     const char *def)
{
	const struct pxb_uci_option *o = local(t, type, opt);

	return o ? o->val[o->nval - 1] : def;
}

static void put_value(FILE *f, const struct map *m, const struct pxb_uci_option *o)
{
	const char *v = o->val[o->nval - 1];

	switch (m->kind) {
	case BOOL:
		fputs(pxb_uci_bool(v) ? "true" : "false", f);
		break;
	case INT:
		fprintf(f, "%ld", strtol(v, NULL, 10));
		break;
	case STRS:
		fputc('[', f);
		for (unsigned i = 0; i < o->nval; i++) {
			fputs(i ? ", " : "", f);
			pxbd_conf_quote(f, o->val[i]);
		}
		fputc(']', f);
		break;
	default:
		pxbd_conf_quote(f, v);
	}
}

/* Space-separated words of v (dnsmasq.init reads "option tag" and "option mac" so). */
static int has_word(const char *v, const char *w)
{
	size_t n = strlen(w);

	while (v && *v) {
		size_t k;
		v += strspn(v, " \t");
		k = strcspn(v, " \t");
		if (k == n && n && strncmp(v, w, n) == 0)
			return 1;
		v += k;
	}
	return 0;
}

static int tag_is_noboot(const struct tr *t, const char *tags)
{
	const struct pxb_uci_option *nb = local(t, "dhcp", "noboot_tag");

	if (!nb)
		return has_word(tags, "NOPXE");
	for (unsigned i = 0; i < nb->nval; i++)
		if (nb->val[i][0] && has_word(tags, nb->val[i]))
			return 1;
	return 0;
}

static void put_words(FILE *f, const struct pxb_uci_option *o)
{
	int first = 1;

	fputc('[', f);
	for (unsigned i = 0; o && i < o->nval; i++) {
		const char *v = o->val[i];
		while (*v) {
			size_t k;
			char w[PXB_UCI_MAX_WORD + 1];
			v += strspn(v, " \t");
			k = strcspn(v, " \t");
			if (!k)
				break;
			snprintf(w, sizeof(w), "%.*s", (int)k, v);
			fputs(first ? "" : ", ", f);
			pxbd_conf_quote(f, w);
			first = 0;
			v += k;
		}
	}
	fputc(']', f);
}

/* The hosts of /etc/config/dhcp that carry a tag, one per MAC. */
static void put_hosts(struct tr *t, const struct pxb_uci *dhcp, int server)
{
	int n = 0;

	for (unsigned i = 0; dhcp && i < dhcp->nsec; i++) {
		const struct pxb_uci_section *s = &dhcp->sec[i];
		const struct pxb_uci_option *tag = pxb_uci_opt(s, "tag"), *mac = pxb_uci_opt(s, "mac");
		const char *name = pxb_uci_get(s, "name"), *ip = pxb_uci_get(s, "ip");
		char id[160];

		if (strcmp(s->type, "host") != 0 || !tag || !mac ||
		    pxb_uci_bool(pxb_uci_get(s, "enable")) == 0)
			continue;
		if (!name)
			name = s->name ? s->name : pxb_uci_section_id(s, id, sizeof(id));
		for (unsigned j = 0; j < mac->nval; j++) {
			const char *v = mac->val[j];
			while (*v) {
				char m[PXB_UCI_MAX_WORD + 1], all[PXB_UCI_MAX_WORD + 1] = "";
				size_t k;
				v += strspn(v, " \t");
				k = strcspn(v, " \t");
				if (!k)
					break;
				snprintf(m, sizeof(m), "%.*s", (int)k, v);
				v += k;
				for (unsigned x = 0; x < tag->nval; x++)
					snprintf(all + strlen(all), sizeof(all) - strlen(all), " %s",
						 tag->val[x]);
				fprintf(t->out, "%s\n    { name = ", n++ ? "," : "  hosts = (");
				pxbd_conf_quote(t->out, name);
				fputs("; mac = ", t->out);
				pxbd_conf_quote(t->out, m);
				if (server && ip) {
					fputs("; address = ", t->out);
					pxbd_conf_quote(t->out, ip);
				}
				fputs("; tags = ", t->out);
				put_words(t->out, tag);
				if (tag_is_noboot(t, all))
					fputs("; noboot = true", t->out);
				fputs("; }", t->out);
			}
		}
	}
	if (n)
		fputs("\n  );\n", t->out);
}

/* The boot rules of the remote-rescue setup (conf/examples/remote-rescue.conf). */
static void put_boot(struct tr *t)
{
	static const struct {
		const char *opt, *def, *name, *tags;
	} rules[] = {
		{"ipxe_file", "menu.ipxe", "iPXE menu", "ENH"},
		{"efi64_file", "snponly.efi", "UEFI", "PXE & EFI64"},
		{"bios_file", "undionly.kpxe", "BIOS", "PXE & !EFI64"},
	};
	const char *sep = "";

	fputs("  tags = (\n"
	      "    { set = \"PXE\"; match = \"vendor-prefix\"; value = \"PXEClient\"; },\n"
	      "    { set = \"ENH\"; match = \"user-class\"; value = \"iPXE\"; },\n"
	      "    { set = \"EFI64\"; match = \"arch\"; value = \"efi-x64,efi-bc\"; }\n"
	      "  );\n  boot = (\n", t->out);
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const char *file = local_str(t, "dhcp", rules[i].opt, rules[i].def);
		if (!*file)
			continue; /* '' leaves the rule out */
		fprintf(t->out, "%s    { name = \"%s\"; tags = \"%s\"; file = ", sep, rules[i].name,
			rules[i].tags);
		pxbd_conf_quote(t->out, file);
		fputs("; }", t->out);
		sep = ",\n";
	}
	fputs("\n  );\n", t->out);
}

static void put_group(struct tr *t, const char *g, const struct pxb_uci *dhcp)
{
	size_t gl = strlen(g);
	const char *root = local_str(t, "pxeboot", "root", NULL);
	int open = !gl, dhcp_group = !strcmp(g, "dhcp");
	const char *mode = NULL;

	for (size_t m = 0; m < NMAPS; m++) {
		const char *s = maps[m].setting, *dot;
		if (!s || !t->opt[m])
			continue;
		dot = strchr(s, '.');
		if (gl ? (!dot || (size_t)(dot - s) != gl || strncmp(s, g, gl)) : dot != NULL)
			continue;
		if (!open) {
			fprintf(t->out, "\n%s = {\n", g);
			open = 1;
		}
		if (!strcmp(s, "dhcp.mode"))
			mode = t->opt[m]->val[t->opt[m]->nval - 1];
		fprintf(t->out, "%s%s = ", gl ? "  " : "", gl ? s + gl + 1 : s);
		put_value(t->out, &maps[m], t->opt[m]);
		fputs(";\n", t->out);
	}
	if (root && (!strcmp(g, "tftp") || !strcmp(g, "http")) &&
	    !local(t, g, "root")) {
		if (!open)
			fprintf(t->out, "\n%s = {\n", g);
		open = 1;
		fputs("  root = ", t->out);
		pxbd_conf_quote(t->out, root);
		fputs(";\n", t->out);
	}
	if (dhcp_group) {
		if (!open)
			fputs("\ndhcp = {\n", t->out);
		open = 1;
		if (pxb_uci_bool(local_str(t, "dhcp", "hosts", "1")) != 0)
			put_hosts(t, dhcp, mode && !strcmp(mode, "server"));
		put_boot(t);
	}
	if (open && gl)
		fputs("};\n", t->out);
}

int pxbd_uci_pxeboot(const struct pxb_uci *pxeboot, const struct pxb_uci *dhcp, FILE *out,
		     FILE *err)
{
	struct tr t = {.u = pxeboot, .err = err};
	char *text = NULL;
	size_t len = 0;

	for (unsigned i = 0; i < pxeboot->nsec; i++)
		check_section(&t, &pxeboot->sec[i]);
	if (t.bad)
		return 1;
	t.out = open_memstream(&text, &len);
	if (!t.out) {
		fprintf(err, "pxebootctl: out of memory\n");
		return 1;
	}
	fprintf(t.out, "# pxeboot.conf made by pxebootctl uci from %s%s%s; edit those, not this.\n",
		pxeboot->path, dhcp ? " and " : "", dhcp ? dhcp->path : "");
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		put_group(&t, groups[g], dhcp);
	if (fclose(t.out) != 0) {
		free(text);
		fprintf(err, "pxebootctl: out of memory\n");
		return 1;
	}
	fwrite(text, 1, len, out);
	free(text);
	return 0;
}
