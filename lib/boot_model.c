/*
 * boot_model.c - the boot model: entries, menus, and the menu one client sees
 * (menu choice by MAC/tag/architecture, architecture filtering, defaults);
 * the client a per-client file name ("01-<mac>", the address in hex) is for.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pxeboot/boot.h>
#include "boot_internal.h"
#include "internal.h"

pxb_boot_model *pxb_boot_model_new(void)
{
	struct pxb_boot_model *m = calloc(1, sizeof(*m));
	static const char *const def_items[] = {"*", "-", "shell", "reboot", "exit"};
	struct pxb_boot_menu def = {
		.title = "pxeboot", .timeout = 10, .items = def_items,
		.nitems = PXB_ARRAY_LEN(def_items),
	};

	if (!m)
		return NULL;
	m->http_port = 80;
	if (pxb__boot_menu_copy(&m->fallback, &def) < 0) {
		free(m);
		return NULL;
	}
	return m;
}

static void entry_free(struct pxb_boot_entry *e)
{
	if (!e)
		return;
	free((char *)e->id);
	free((char *)e->label);
	free((char *)e->kernel);
	for (unsigned i = 0; i < e->ninitrds; i++)
		free((char *)e->initrds[i]);
	free((char *)e->image);
	free((char *)e->args);
	free((char *)e->dir);
	free((char *)e->source);
	free((char *)e->answer);
	free(e);
}

void pxb__boot_menu_clear(struct boot_menu *m)
{
	free(m->title);
	free(m->default_id);
	for (unsigned i = 0; i < m->nitems; i++)
		free(m->items[i]);
	free(m->items);
	for (unsigned i = 0; i < m->nmacs; i++)
		free(m->macs[i]);
	free(m->macs);
	for (unsigned i = 0; i < m->ntags; i++)
		free(m->tags[i]);
	free(m->tags);
	memset(m, 0, sizeof(*m));
}

void pxb_boot_model_free(pxb_boot_model *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < m->nentries; i++)
		entry_free(m->entries[i]);
	free(m->entries);
	for (unsigned i = 0; i < m->nmenus; i++)
		pxb__boot_menu_clear(&m->menus[i]);
	free(m->menus);
	pxb__boot_menu_clear(&m->fallback);
	free(m->password_hash);
	free(m->server);
	free(m->memdisk);
	free(m);
}

/* strdup that accepts NULL; *fail is set when a copy could not be made. */
static char *dup_or_null(const char *s, int *fail)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*fail = 1;
	return d;
}

static int dup_array(char ***dst, unsigned *n, const char *const *src, unsigned count)
{
	*dst = NULL;
	*n = 0;
	if (!count)
		return 0;
	*dst = calloc(count, sizeof(char *));
	if (!*dst)
		return PXB_ERR_NOMEM;
	for (unsigned i = 0; i < count; i++) {
		(*dst)[i] = strdup(src[i] ? src[i] : "");
		if (!(*dst)[i])
			return PXB_ERR_NOMEM;
		(*n)++;
	}
	return 0;
}

int pxb__boot_menu_copy(struct boot_menu *d, const struct pxb_boot_menu *s)
{
	int fail = 0;
	char msg[8];

	memset(d, 0, sizeof(*d));
	for (unsigned i = 0; i < s->nmatch_macs; i++)
		if (pxb_check_mac_pattern(s->match_macs[i], msg, sizeof(msg)) < 0)
			return PXB_ERR_INVAL;
	d->title = dup_or_null(s->title ? s->title : "pxeboot", &fail);
	d->default_id = dup_or_null(s->default_id && *s->default_id ? s->default_id : NULL,
				    &fail);
	d->timeout = s->timeout;
	d->match_arch = s->match_arch;
	d->fallback = !s->nmatch_macs && !s->nmatch_tags && !s->match_arch;
	if (fail || dup_array(&d->items, &d->nitems, s->items, s->nitems) < 0 ||
	    dup_array(&d->macs, &d->nmacs, s->match_macs, s->nmatch_macs) < 0 ||
	    dup_array(&d->tags, &d->ntags, s->match_tags, s->nmatch_tags) < 0) {
		pxb__boot_menu_clear(d);
		return PXB_ERR_NOMEM;
	}
	return 0;
}

int pxb_boot_add_menu(pxb_boot_model *m, const struct pxb_boot_menu *menu)
{
	struct boot_menu bm, *nm;
	int rc = pxb__boot_menu_copy(&bm, menu);

	if (rc < 0)
		return rc;
	if (bm.fallback) {
		pxb__boot_menu_clear(&m->fallback);
		m->fallback = bm;
		return 0;
	}
	nm = realloc(m->menus, (m->nmenus + 1) * sizeof(*nm));
	if (!nm) {
		pxb__boot_menu_clear(&bm);
		return PXB_ERR_NOMEM;
	}
	m->menus = nm;
	m->menus[m->nmenus++] = bm;
	return 0;
}

int pxb_boot_id_valid(const char *id)
{
	size_t l = id ? strlen(id) : 0;

	if (l == 0 || l >= PXB_BOOT_ID_MAX)
		return 0;
	/* The iPXE renderer owns these labels. */
	if (!strcmp(id, "start") || !strcmp(id, "failed"))
		return 0;
	for (const char *p = id; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '+' || c == '-'))
			return 0;
	}
	/* "-" alone is a separator in menus, "*" is not an id character anyway. */
	return id[0] != '-' && id[0] != '.';
}

static int entry_check(const struct pxb_boot_entry *e)
{
	if (!pxb_boot_id_valid(e->id))
		return PXB_ERR_INVAL;
	if (e->ninitrds > PXB_BOOT_MAX_INITRDS)
		return PXB_ERR_TOOBIG;
	switch (e->kind) {
	case PXB_BOOT_LINUX:
	case PXB_BOOT_CHAIN:
		return e->kernel && *e->kernel ? 0 : PXB_ERR_INVAL;
	case PXB_BOOT_MEMDISK:
	case PXB_BOOT_SANBOOT:
		return e->image && *e->image ? 0 : PXB_ERR_INVAL;
	case PXB_BOOT_LOCAL:
	case PXB_BOOT_SHELL:
	case PXB_BOOT_REBOOT:
	case PXB_BOOT_EXIT:
		return 0;
	}
	return PXB_ERR_INVAL;
}

const struct pxb_boot_entry *pxb_boot_find_entry(const pxb_boot_model *m, const char *id)
{
	for (unsigned i = 0; i < m->nentries; i++)
		if (strcmp(m->entries[i]->id, id) == 0)
			return m->entries[i];
	return NULL;
}

int pxb_boot_add_entry(pxb_boot_model *m, const struct pxb_boot_entry *e)
{
	struct pxb_boot_entry *c, **ne;
	int rc = entry_check(e), fail = 0;

	if (rc < 0)
		return rc;
	if (pxb_boot_find_entry(m, e->id))
		return PXB_ERR_EXIST;
	c = calloc(1, sizeof(*c));
	if (!c)
		return PXB_ERR_NOMEM;
	c->kind = e->kind;
	c->arch = e->arch & PXB_BOOT_ARCH_ALL;
	if (c->kind == PXB_BOOT_MEMDISK) /* memdisk is a real-mode BIOS program */
		c->arch = PXB_BOOT_ARCH_BIOS;
	c->hidden = e->hidden;
	c->is_default = e->is_default;
	c->rescue_password = e->rescue_password;
	c->id = dup_or_null(e->id, &fail);
	c->label = dup_or_null(e->label && *e->label ? e->label : e->id, &fail);
	c->kernel = dup_or_null(e->kernel && *e->kernel ? e->kernel : NULL, &fail);
	c->image = dup_or_null(e->image && *e->image ? e->image : NULL, &fail);
	c->args = dup_or_null(e->args, &fail);
	c->dir = dup_or_null(e->dir && *e->dir ? e->dir : NULL, &fail);
	c->source = dup_or_null(e->source ? e->source : "api", &fail);
	c->answer = dup_or_null(e->answer && *e->answer ? e->answer : NULL, &fail);
	c->family = e->family;
	for (unsigned i = 0; i < e->ninitrds; i++) {
		if (!e->initrds[i] || !*e->initrds[i])
			continue;
		c->initrds[c->ninitrds] = dup_or_null(e->initrds[i], &fail);
		if (c->initrds[c->ninitrds])
			c->ninitrds++;
	}
	if (fail)
		goto nomem;
	ne = realloc(m->entries, (m->nentries + 1) * sizeof(*ne));
	if (!ne)
		goto nomem;
	m->entries = ne;
	m->entries[m->nentries++] = c;
	return 0;
nomem:
	entry_free(c);
	return PXB_ERR_NOMEM;
}

unsigned pxb_boot_remove_source(pxb_boot_model *m, const char *source)
{
	unsigned j = 0, removed = 0;

	for (unsigned i = 0; i < m->nentries; i++) {
		if (strcmp(m->entries[i]->source, source) == 0) {
			entry_free(m->entries[i]);
			removed++;
		} else {
			m->entries[j++] = m->entries[i];
		}
	}
	m->nentries = j;
	return removed;
}

unsigned pxb_boot_entry_count(const pxb_boot_model *m)
{
	return m->nentries;
}

const struct pxb_boot_entry *pxb_boot_entry_at(const pxb_boot_model *m, unsigned i)
{
	return i < m->nentries ? m->entries[i] : NULL;
}

static int set_str(char **dst, const char *v)
{
	char *d = NULL;

	if (v && *v) {
		d = strdup(v);
		if (!d)
			return PXB_ERR_NOMEM;
	}
	free(*dst);
	*dst = d;
	return 0;
}

int pxb_boot_set_password_hash(pxb_boot_model *m, const char *hash)
{
	/* crypt(3) hashes use [a-zA-Z0-9./$]; anything else would reach a command line. */
	if (hash)
		for (const char *p = hash; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '.' || *p == '/' || *p == '$'))
				return PXB_ERR_INVAL;
	return set_str(&m->password_hash, hash);
}

const char *pxb_boot_password_hash(const pxb_boot_model *m)
{
	return m->password_hash;
}

int pxb_boot_set_server(pxb_boot_model *m, const char *addr, uint16_t http_port)
{
	m->http_port = http_port ? http_port : 80;
	return set_str(&m->server, addr);
}

int pxb_boot_set_memdisk(pxb_boot_model *m, const char *path)
{
	return set_str(&m->memdisk, path);
}

const char *pxb_boot_memdisk(const pxb_boot_model *m)
{
	return m->memdisk ? m->memdisk : "/boot/memdisk";
}

/* ---- architectures (RFC 4578 section 2.1, IANA "Processor Architecture Types") ---- */

unsigned pxb_boot_arch_of(uint16_t a)
{
	switch (a) {
	case 0:  /* x86 BIOS */
		return PXB_BOOT_ARCH_BIOS;
	case 6:  /* x86 UEFI */
	case 15: /* x86 UEFI HTTP */
		return PXB_BOOT_ARCH_EFI32;
	case 7:  /* x64 UEFI */
	case 9:  /* EBC, sent by x64 firmware in the wild */
	case 16: /* x64 UEFI HTTP */
		return PXB_BOOT_ARCH_EFI64;
	case 11: /* ARM 64-bit UEFI */
	case 19: /* ARM 64-bit UEFI HTTP */
		return PXB_BOOT_ARCH_ARM64;
	default:
		return 0;
	}
}

static const char *const arch_names[] = {"bios", "efi32", "efi64", "arm64"};

const char *pxb_boot_arch_name(unsigned bit)
{
	for (unsigned i = 0; i < PXB_ARRAY_LEN(arch_names); i++)
		if (bit == (1u << i))
			return arch_names[i];
	return NULL;
}

unsigned pxb_boot_arch_parse(const char *name)
{
	for (unsigned i = 0; i < PXB_ARRAY_LEN(arch_names); i++)
		if (strcasecmp(name, arch_names[i]) == 0)
			return 1u << i;
	return 0;
}

/* ---- the menu a client sees ------------------------------------------- */

int pxb__boot_mac_match(const char *p, const uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		if (*p == '*') {
			p++;
		} else {
			int h = pxb_hexval(p[0]), l = h < 0 ? -1 : pxb_hexval(p[1]);
			if (h < 0 || l < 0 || (uint8_t)(h << 4 | l) != mac[i])
				return 0;
			p += 2;
		}
		if (i < 5) {
			if (*p != ':' && *p != '-')
				return 0;
			p++;
		}
	}
	return *p == '\0';
}

/* "01-" (ARP hardware type 1, Ethernet) and six bytes in hex, '-' between. */
static int name_mac(const char *s, size_t l, uint8_t mac[6])
{
	if (l != 20 || s[0] != '0' || s[1] != '1' || s[2] != '-')
		return 0;
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 + 3 * i;
		int h = pxb_hexval(p[0]), lo = pxb_hexval(p[1]);
		if (h < 0 || lo < 0 || (i < 5 && p[2] != '-'))
			return 0;
		mac[i] = (uint8_t)(h << 4 | lo);
	}
	return 1;
}

/*
 * A client other than known (may be NULL): of known, only what the request
 * says of its way to us (architecture, our address and port) is kept.
 */
static void stranger(const struct pxb_client *known, struct pxb_client *out)
{
	memset(out, 0, sizeof(*out));
	out->arch = known ? known->arch : PXB_ARCH_UNKNOWN;
	if (known) {
		out->server_addr = known->server_addr;
		out->http_port = known->http_port;
	}
}

enum pxb_boot_name pxb_boot_client_by_name(const char *name, const struct pxb_client *known,
					   struct pxb_client *out)
{
	size_t l = strlen(name);
	uint8_t mac[6];
	struct in_addr addr;
	uint32_t v = 0;

	if (name_mac(name, l, mac)) {
		if (known && known->has_mac && memcmp(known->mac, mac, 6) == 0) {
			*out = *known;
		} else {
			/* Another machine than the one known at this address: only the MAC is sure. */
			stranger(known, out);
			if (known)
				out->addr = known->addr;
		}
		out->has_mac = 1;
		memcpy(out->mac, mac, 6);
		return PXB_BOOT_NAME_MAC;
	}
	/* The address as the boot loaders write it: upper-case hex, 8 digits or fewer. */
	if (l < 1 || l > 8)
		return PXB_BOOT_NAME_NONE;
	for (size_t i = 0; i < l; i++) {
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'A' && name[i] <= 'F')))
			return PXB_BOOT_NAME_NONE;
		v = v << 4 | (uint32_t)pxb_hexval(name[i]);
	}
	if (l < 8)
		return PXB_BOOT_NAME_IP_PREFIX;
	addr.s_addr = htonl(v);
	if (known && known->addr.s_addr == addr.s_addr)
		*out = *known;
	else
		stranger(known, out);
	out->addr = addr;
	return PXB_BOOT_NAME_IP;
}

static int menu_matches(const struct boot_menu *bm, const struct pxb_client *c, unsigned arch)
{
	int ok;

	if (!c)
		return 0;
	if (bm->nmacs) {
		ok = 0;
		for (unsigned i = 0; i < bm->nmacs && !ok && c->has_mac; i++)
			ok = pxb__boot_mac_match(bm->macs[i], c->mac);
		if (!ok)
			return 0;
	}
	if (bm->ntags) {
		ok = 0;
		for (unsigned i = 0; i < bm->ntags && !ok; i++)
			ok = pxb_client_has_tag(c, bm->tags[i]);
		if (!ok)
			return 0;
	}
	if (bm->match_arch && !(bm->match_arch & arch))
		return 0;
	return 1;
}

/* Built-in entries a menu may name without defining them. */
static const struct pxb_boot_entry builtins[] = {
	{.id = "shell", .label = "Drop to the iPXE shell", .kind = PXB_BOOT_SHELL,
	 .source = "builtin"},
	{.id = "reboot", .label = "Reboot", .kind = PXB_BOOT_REBOOT, .source = "builtin"},
	{.id = "exit", .label = "Exit and continue the firmware's boot order",
	 .kind = PXB_BOOT_EXIT, .source = "builtin"},
	{.id = "local", .label = "Boot from the local disk", .kind = PXB_BOOT_LOCAL,
	 .source = "builtin"},
};

static const struct pxb_boot_entry *lookup(const pxb_boot_model *m, const char *id)
{
	const struct pxb_boot_entry *e = pxb_boot_find_entry(m, id);

	if (e)
		return e;
	for (unsigned i = 0; i < PXB_ARRAY_LEN(builtins); i++)
		if (strcmp(builtins[i].id, id) == 0)
			return &builtins[i];
	return NULL;
}

static int visible(const struct pxb_boot_entry *e, unsigned arch)
{
	if (e->hidden)
		return 0;
	/* Unknown architecture: no filter (nothing tells us what it can boot). */
	return !arch || !e->arch || (e->arch & arch);
}

static int named_in(const struct boot_menu *bm, const char *id)
{
	for (unsigned i = 0; i < bm->nitems; i++)
		if (strcmp(bm->items[i], id) == 0)
			return 1;
	return 0;
}

static int already(const struct pxb_boot_view *v, const struct pxb_boot_entry *e)
{
	for (unsigned i = 0; i < v->nitems; i++)
		if (v->items[i].type == PXB_ITEM_ENTRY && v->items[i].entry == e)
			return 1;
	return 0;
}

static void push(struct pxb_boot_view *v, enum pxb_boot_item_type t, const char *text,
		 const struct pxb_boot_entry *e)
{
	/* Separators only between two other items, never doubled. */
	if (t == PXB_ITEM_SEPARATOR &&
	    (v->nitems == 0 || v->items[v->nitems - 1].type == PXB_ITEM_SEPARATOR))
		return;
	if (t == PXB_ITEM_ENTRY && already(v, e))
		return;
	v->items[v->nitems].type = t;
	v->items[v->nitems].text = text;
	v->items[v->nitems].entry = e;
	v->nitems++;
}

int pxb_boot_model_for_client(const pxb_boot_model *m, const struct pxb_client *c,
			      struct pxb_boot_view **out)
{
	const struct boot_menu *bm = &m->fallback;
	struct pxb_boot_view *v;
	unsigned arch = c && c->arch != PXB_ARCH_UNKNOWN ? pxb_boot_arch_of(c->arch) : 0;
	size_t cap;

	for (unsigned i = 0; i < m->nmenus; i++)
		if (menu_matches(&m->menus[i], c, arch)) {
			bm = &m->menus[i];
			break;
		}
	v = calloc(1, sizeof(*v));
	if (!v)
		return PXB_ERR_NOMEM;
	cap = (size_t)bm->nitems + m->nentries + 1;
	v->items = calloc(cap, sizeof(*v->items));
	if (!v->items) {
		free(v);
		return PXB_ERR_NOMEM;
	}
	v->title = bm->title;
	v->timeout = bm->timeout;
	v->client_arch = arch;
	for (unsigned i = 0; i < bm->nitems; i++) {
		const char *it = bm->items[i];
		int all = strcmp(it, "*") == 0, cat = strcmp(it, "catalog") == 0;

		if (all || cat) {
			for (unsigned k = 0; k < m->nentries; k++) {
				const struct pxb_boot_entry *e = m->entries[k];
				if (cat && (!strcmp(e->source, "config") || !strcmp(e->source, "api")))
					continue;
				if (visible(e, arch) && !named_in(bm, e->id))
					push(v, PXB_ITEM_ENTRY, NULL, e);
			}
		} else if (strcmp(it, "-") == 0) {
			push(v, PXB_ITEM_SEPARATOR, "", NULL);
		} else if (it[0] == '#') {
			const char *t = it + 1;
			while (*t == ' ')
				t++;
			push(v, PXB_ITEM_TEXT, t, NULL);
		} else {
			const struct pxb_boot_entry *e = lookup(m, it);
			if (e && visible(e, arch))
				push(v, PXB_ITEM_ENTRY, NULL, e);
		}
	}
	while (v->nitems && v->items[v->nitems - 1].type == PXB_ITEM_SEPARATOR)
		v->nitems--;
	/* Default: the menu's, else an entry marked default, else the first entry. */
	if (bm->default_id) {
		const struct pxb_boot_entry *e = lookup(m, bm->default_id);
		if (e && already(v, e))
			v->def = e;
	}
	for (unsigned i = 0; i < v->nitems && !v->def; i++)
		if (v->items[i].type == PXB_ITEM_ENTRY && v->items[i].entry->is_default)
			v->def = v->items[i].entry;
	for (unsigned i = 0; i < v->nitems && !v->def; i++)
		if (v->items[i].type == PXB_ITEM_ENTRY)
			v->def = v->items[i].entry;
	*out = v;
	return 0;
}

void pxb_boot_view_free(struct pxb_boot_view *v)
{
	if (!v)
		return;
	free(v->items);
	free(v);
}

void pxb_boot_unique_id(const pxb_boot_model *m, const char *text, char *id, size_t len)
{
	char base[48];
	size_t n = 0;

	for (const char *p = text; *p && n + 1 < sizeof(base); p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '.' || c == '_' || c == '+' || c == '-';
		if (!ok)
			c = '-';
		if (c == '-' && (n == 0 || base[n - 1] == '-'))
			continue;
		base[n++] = c;
	}
	while (n > 0 && base[n - 1] == '-')
		n--;
	base[n] = '\0';
	if (n == 0 || base[0] == '.')
		snprintf(base, sizeof(base), "image");
	if (!strcmp(base, "start") || !strcmp(base, "failed"))
		strcat(base, "-1");
	snprintf(id, len, "%s", base);
	for (unsigned k = 2; pxb_boot_find_entry(m, id) && k < 1000; k++)
		snprintf(id, len, "%.*s-%u", (int)(len > 8 ? len - 8 : 0), base, k);
}
