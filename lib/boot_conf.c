/*
 * boot_conf.c - the boot model's settings (schema table) and building a
 * model from a configuration and from the catalogs registered with a host;
 * the rescue password, hashed with crypt(3) so menus never carry it in clear.
 *
 *   boot = { server = "198.18.0.1"; memdisk = "/boot/memdisk"; };
 *   menu = { title = "Remote Rescue"; default = "rescue"; timeout = 10;
 *            items = ["rescue", "memtest", "-", "shell", "reboot", "exit"]; };
 *   menus = ( { match_tags = ["EFI64"]; items = ["rescue", "exit"]; } );
 *   entries = ( { id = "rescue"; label = "Remote Rescue"; kind = "linux";
 *                 kernel = "/boot/x/vmlinuz"; initrd = ["/boot/x/initrd.img"];
 *                 args = "ip=dhcp srv=${http}/boot/"; arch = ["bios", "efi64"]; } );
 *   rescue = { password = "rescueme"; };   # or password_hash = "$6$..."
 */
#include "config.h"

#ifdef HAVE_CRYPT_H
#include <crypt.h>
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h> /* crypt() where libc has it and no <crypt.h> (POSIX XSI) */

#include <pxeboot/boot.h>
#include <pxeboot/install.h>
#include "boot_internal.h"
#include "conf_schema.h"
#include "internal.h"

static int check_entry_id(const char *v, char *msg, size_t len)
{
	if (pxb_boot_id_valid(v))
		return 0;
	snprintf(msg, len, "is not an entry id (1-63 of A-Z a-z 0-9 . _ + -, not starting "
		 "with '-' or '.', not \"start\" or \"failed\")");
	return PXB_ERR_INVAL;
}

#define ARCHES "bios|efi32|efi64|arm64"
#define KINDS "linux|chain|memdisk|sanboot|local|shell|reboot|exit"
#define ITEMS_DEF "*,-,shell,reboot,exit"

static const struct pxb_conf_setting boot_schema[] = {
	{"boot.server", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "address put in menu URLs when a request does not tell which one it reached "
	 "(empty: http.listen's address)"},
	{"boot.memdisk", PXB_CT_STRING, "/boot/memdisk", 0, 0, NULL, NULL,
	 "path (in the served files) or URL of syslinux's memdisk, for memdisk entries"},

	{"menu.title", PXB_CT_STRING, "pxeboot", 0, 0, NULL, NULL, "title of the boot menu"},
	{"menu.default", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "id of the entry chosen when the timeout passes (empty: an entry marked default, "
	 "else the first)"},
	{"menu.timeout", PXB_CT_INT, "10", 0, 86400, NULL, NULL,
	 "seconds before the default entry boots (0: wait for a choice)"},
	{"menu.items", PXB_CT_STRINGS, ITEMS_DEF, 0, 0, NULL, NULL,
	 "menu lines: entry ids, \"-\" (separator), \"# text\", \"*\" (all other entries), "
	 "\"catalog\" (all other catalog entries); shell, reboot, exit, local are built in"},

	{"menus", PXB_CT_LIST, NULL, 0, 0, NULL, NULL,
	 "menus for some clients, first match wins; unset fields come from menu"},
	{"menus.*.match_macs", PXB_CT_STRINGS, "", 0, 0, NULL, pxb_check_mac_pattern,
	 "MAC patterns (\"52:54:00:*:*:*\") this menu is for"},
	{"menus.*.match_tags", PXB_CT_STRINGS, "", 0, 0, NULL, NULL,
	 "tags (set by DHCP rules) this menu is for"},
	{"menus.*.match_arch", PXB_CT_STRINGS, "", 0, 0, ARCHES, NULL,
	 "client architectures this menu is for"},
	{"menus.*.title", PXB_CT_STRING, NULL, 0, 0, NULL, NULL, "title (default: menu.title)"},
	{"menus.*.default", PXB_CT_STRING, NULL, 0, 0, NULL, NULL,
	 "default entry id (default: menu.default)"},
	{"menus.*.timeout", PXB_CT_INT, NULL, 0, 86400, NULL, NULL,
	 "timeout in seconds (default: menu.timeout)"},
	{"menus.*.items", PXB_CT_STRINGS, NULL, 0, 0, NULL, NULL,
	 "menu lines (default: menu.items)"},

	{"entries", PXB_CT_LIST, NULL, 0, 0, NULL, NULL, "things to boot, by id"},
	{"entries.*.id", PXB_CT_STRING, NULL, 0, 0, NULL, check_entry_id,
	 "name menus use for the entry (required)"},
	{"entries.*.label", PXB_CT_STRING, NULL, 0, 0, NULL, NULL, "text shown (default: id)"},
	{"entries.*.kind", PXB_CT_STRING, "linux", 0, 0, KINDS, NULL,
	 "what the entry boots"},
	{"entries.*.kernel", PXB_CT_STRING, NULL, 0, 0, NULL, NULL,
	 "linux: kernel; chain: EFI/PXE binary; memdisk: memdisk (default boot.memdisk); "
	 "a path in the served files or a URL"},
	{"entries.*.initrd", PXB_CT_STRINGS, "", 0, 0, NULL, NULL, "initrds, in order (linux)"},
	{"entries.*.image", PXB_CT_STRING, NULL, 0, 0, NULL, NULL,
	 "memdisk: ISO or floppy/disk image; sanboot: URL or path"},
	{"entries.*.args", PXB_CT_STRING, NULL, 0, 0, NULL, NULL,
	 "command line; ${server} ${http} ${mac} ${ip} ${arch} ${entry} ${token} are expanded"},
	{"entries.*.dir", PXB_CT_STRING, NULL, 0, 0, NULL, NULL,
	 "what ${entry} expands to (default: the kernel's directory)"},
	{"entries.*.arch", PXB_CT_STRINGS, "", 0, 0, ARCHES, NULL,
	 "architectures the entry boots on (default: all; memdisk: bios only)"},
	{"entries.*.hidden", PXB_CT_BOOL, "false", 0, 0, NULL, NULL, "never listed in menus"},
	{"entries.*.default", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "default when the menu names none"},
	{"entries.*.rescue_password", PXB_CT_BOOL, "false", 0, 0, NULL, NULL,
	 "append rootcryptpass=<hash of rescue.password> (SystemRescue)"},

	{"rescue.password", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "root password of rescue systems, hashed (SHA-512 crypt) when loaded; menus carry "
	 "only the hash"},
	{"rescue.password_hash", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "the same as a crypt(3) hash (mkpasswd -m sha-512)"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

/* Added to every configuration the library makes (conf.c). */
__attribute__((constructor)) static void register_schema(void)
{
	pxb__conf_register_schema(NULL, boot_schema);
}

int pxb_boot_hash_password(const char *clear, char *out, size_t outlen)
{
	static const char alphabet[] =
		"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	unsigned char rnd[16];
	char salt[3 + 16 + 2];
	struct crypt_data *cd;
	const char *h;
	int rc = 0;

	if (!clear || !*clear)
		return PXB_ERR_INVAL;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return PXB_ERR_IO;
	memcpy(salt, "$6$", 3);
	for (unsigned i = 0; i < sizeof(rnd); i++)
		salt[3 + i] = alphabet[rnd[i] & 63];
	salt[19] = '$';
	salt[20] = '\0';
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return PXB_ERR_NOMEM;
	h = crypt_r(clear, salt, cd);
	if (!h || strncmp(h, "$6$", 3) != 0)
		rc = PXB_ERR_IO;
	else if (pxb_strlcpy(out, h, outlen) < 0)
		rc = PXB_ERR_TOOBIG;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

struct rep {
	const pxb_conf *c;
	pxb_conf_report_fn fn;
	void *arg;
	int errors;
};

static void rep_err(struct rep *r, const pxb_conf_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void rep_err(struct rep *r, const pxb_conf_node *n, const char *fmt, ...)
{
	char msg[512], path[256], line[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pxb_conf_path(n, path, sizeof(path));
	snprintf(line, sizeof(line), "%s:%d: %s: %s", pxb_conf_source(r->c), pxb_conf_line(n),
		 path, msg);
	r->errors++;
	if (r->fn)
		r->fn(r->arg, line);
}

static enum pxb_boot_kind kind_of(const char *s)
{
	static const char *const names[] = {"linux", "chain", "memdisk", "sanboot",
					    "local", "shell", "reboot", "exit"};
	for (unsigned i = 0; i < PXB_ARRAY_LEN(names); i++)
		if (s && strcmp(s, names[i]) == 0)
			return (enum pxb_boot_kind)(PXB_BOOT_LINUX + (int)i);
	return (enum pxb_boot_kind)0;
}

static unsigned arch_list(const pxb_conf_node *n, const char *path)
{
	unsigned mask = 0, cnt = pxb_conf_count(n, path);

	for (unsigned i = 0; i < cnt; i++) {
		const char *s = pxb_conf_elem_string(n, path, i);
		if (s)
			mask |= pxb_boot_arch_parse(s);
	}
	return mask;
}

static void load_entry(struct rep *r, pxb_boot_model *m, const pxb_conf_node *n)
{
	struct pxb_boot_entry e = {0};
	int rc;

	e.id = pxb_conf_string(n, "id");
	if (!e.id) {
		rep_err(r, n, "an entry needs an id");
		return;
	}
	e.label = pxb_conf_string(n, "label");
	e.kind = kind_of(pxb_conf_string(n, "kind"));
	e.kernel = pxb_conf_string(n, "kernel");
	e.image = pxb_conf_string(n, "image");
	e.args = pxb_conf_string(n, "args");
	e.dir = pxb_conf_string(n, "dir");
	e.arch = arch_list(n, "arch");
	e.hidden = pxb_conf_bool(n, "hidden");
	e.is_default = pxb_conf_bool(n, "default");
	e.rescue_password = pxb_conf_bool(n, "rescue_password");
	e.source = "config";
	e.answer = pxb_conf_string(n, "answer");
	rc = pxb_install_family_parse(pxb_conf_string(n, "family"));
	e.family = rc > 0 ? (unsigned)rc : 0;
	e.ninitrds = pxb_conf_count(n, "initrd");
	if (e.ninitrds > PXB_BOOT_MAX_INITRDS) {
		rep_err(r, n, "at most %d initrds", PXB_BOOT_MAX_INITRDS);
		return;
	}
	for (unsigned i = 0; i < e.ninitrds; i++)
		e.initrds[i] = pxb_conf_elem_string(n, "initrd", i);
	rc = pxb_boot_add_entry(m, &e);
	if (rc == PXB_ERR_EXIST)
		rep_err(r, n, "entry id \"%s\" is used twice", e.id);
	else if (rc == PXB_ERR_INVAL)
		rep_err(r, n, "entry \"%s\": %s", e.id,
			!pxb_boot_id_valid(e.id)                              ? "bad id"
			: e.kind == PXB_BOOT_MEMDISK || e.kind == PXB_BOOT_SANBOOT ? "needs an image"
										  : "needs a kernel");
	else if (rc < 0)
		rep_err(r, n, "%s", pxb_strerror(rc));
}

/* A string setting of n, or of the fallback menu when n does not have it. */
static const char *menu_str(const pxb_conf_node *n, const pxb_conf_node *root, const char *k)
{
	char path[64];

	if (n && pxb_conf_get(n, k))
		return pxb_conf_string(n, k);
	snprintf(path, sizeof(path), "menu.%s", k);
	return pxb_conf_string(root, path);
}

static int load_menu(struct rep *r, pxb_boot_model *m, const pxb_conf_node *root,
		     const pxb_conf_node *n)
{
	struct pxb_boot_menu menu = {0};
	const pxb_conf_node *inode = n && pxb_conf_get(n, "items") ? n : root;
	const char *ipath = inode == root ? "menu.items" : "items";
	const char **items = NULL, **macs = NULL, **tags = NULL;
	int rc = PXB_ERR_NOMEM;

	menu.title = menu_str(n, root, "title");
	menu.default_id = menu_str(n, root, "default");
	menu.timeout = (unsigned)(n && pxb_conf_get(n, "timeout") ? pxb_conf_int(n, "timeout")
								   : pxb_conf_int(root, "menu.timeout"));
	menu.nitems = pxb_conf_count(inode, ipath);
	items = calloc(menu.nitems + 1, sizeof(*items));
	if (!items)
		goto out;
	for (unsigned i = 0; i < menu.nitems; i++)
		items[i] = pxb_conf_elem_string(inode, ipath, i);
	menu.items = items;
	if (n) {
		menu.nmatch_macs = pxb_conf_count(n, "match_macs");
		menu.nmatch_tags = pxb_conf_count(n, "match_tags");
		macs = calloc(menu.nmatch_macs + 1, sizeof(*macs));
		tags = calloc(menu.nmatch_tags + 1, sizeof(*tags));
		if (!macs || !tags)
			goto out;
		for (unsigned i = 0; i < menu.nmatch_macs; i++)
			macs[i] = pxb_conf_elem_string(n, "match_macs", i);
		for (unsigned i = 0; i < menu.nmatch_tags; i++)
			tags[i] = pxb_conf_elem_string(n, "match_tags", i);
		menu.match_macs = macs;
		menu.match_tags = tags;
		menu.match_arch = arch_list(n, "match_arch");
		if (!menu.nmatch_macs && !menu.nmatch_tags && !menu.match_arch) {
			rep_err(r, n, "a menu in menus needs match_macs, match_tags or match_arch");
			rc = 0;
			goto out;
		}
	}
	rc = pxb_boot_add_menu(m, &menu);
	if (rc == PXB_ERR_INVAL)
		rep_err(r, n ? n : root, "bad MAC pattern");
out:
	free(items);
	free(macs);
	free(tags);
	return rc == PXB_ERR_NOMEM ? rc : 0;
}

static int load_password(struct rep *r, pxb_boot_model *m, const pxb_conf_node *root)
{
	const char *clear = pxb_conf_string(root, "rescue.password");
	const char *hash = pxb_conf_string(root, "rescue.password_hash");
	char buf[256];
	int rc;

	if (clear && *clear && hash && *hash) {
		rep_err(r, pxb_conf_get(root, "rescue.password"),
			"set rescue.password or rescue.password_hash, not both");
		return 0;
	}
	if (clear && *clear) {
		rc = pxb_boot_hash_password(clear, buf, sizeof(buf));
		if (rc < 0) {
			rep_err(r, pxb_conf_get(root, "rescue.password"), "cannot hash: %s",
				pxb_strerror(rc));
			return 0;
		}
		rc = pxb_boot_set_password_hash(m, buf);
		explicit_bzero(buf, sizeof(buf));
		return rc == PXB_ERR_NOMEM ? rc : 0;
	}
	if (hash && *hash) {
		if (hash[0] != '$' || pxb_boot_set_password_hash(m, hash) == PXB_ERR_INVAL)
			rep_err(r, pxb_conf_get(root, "rescue.password_hash"),
				"is not a crypt(3) hash ($id$salt$hash)");
	}
	return 0;
}

int pxb_boot_model_from_conf(const pxb_conf *c, pxb_boot_model **out,
			     pxb_conf_report_fn report, void *arg)
{
	struct rep r = {c, report, arg, 0};
	const pxb_conf_node *root = pxb_conf_root(c);
	pxb_boot_model *m = pxb_boot_model_new();
	struct pxb_listen l;
	const char *srv;
	unsigned n;
	int rc = PXB_ERR_NOMEM;

	*out = NULL;
	if (!m)
		return PXB_ERR_NOMEM;
	srv = pxb_conf_string(root, "boot.server");
	memset(&l, 0, sizeof(l));
	l.port = 80;
	if (pxb_parse_listen(pxb_conf_string(root, "http.listen"), 80, &l) < 0)
		l.port = 80;
	if ((!srv || !*srv) && l.family == AF_INET && strcmp(l.host, "0.0.0.0") != 0)
		srv = l.host;
	if (pxb_boot_set_server(m, srv, l.port) < 0 ||
	    pxb_boot_set_memdisk(m, pxb_conf_string(root, "boot.memdisk")) < 0)
		goto fail;
	n = pxb_conf_count(root, "entries");
	for (unsigned i = 0; i < n; i++)
		load_entry(&r, m, pxb_conf_elem(root, "entries", i));
	if (load_menu(&r, m, root, NULL) < 0)
		goto fail;
	n = pxb_conf_count(root, "menus");
	for (unsigned i = 0; i < n; i++)
		if (load_menu(&r, m, root, pxb_conf_elem(root, "menus", i)) < 0)
			goto fail;
	if (load_password(&r, m, root) < 0)
		goto fail;
	if (r.errors) {
		rc = PXB_ERR_CONFIG;
		goto fail;
	}
	*out = m;
	return 0;
fail:
	pxb_boot_model_free(m);
	return rc;
}

/* ---- models for plugins ------------------------------------------------ */

static void host_report(void *arg, const char *line)
{
	pxb_host_log(arg, PXB_LOG_ERR, "%s", line);
}

struct populate_ctx {
	pxb_boot_model *m;
	pxb_host *h;
	int rc;
};

static void populate_one(void *fnarg, const char *name, const void *iface, void *arg)
{
	struct populate_ctx *p = fnarg;
	const struct pxb_catalog *cat = iface;
	int rc;

	if (!cat || cat->size < sizeof(uint32_t) + sizeof(void *) || !cat->populate)
		return;
	rc = cat->populate(arg, p->m);
	if (rc < 0) {
		pxb_host_log(p->h, PXB_LOG_WARNING, "catalog %s: %s", name, pxb_strerror(rc));
		if (rc == PXB_ERR_NOMEM)
			p->rc = rc;
	}
}

int pxb_boot_model_build(pxb_host *h, pxb_boot_model **out)
{
	const pxb_conf *c = pxb_host_conf(h);
	struct populate_ctx p = {NULL, h, 0};
	int rc;

	*out = NULL;
	if (c) {
		rc = pxb_boot_model_from_conf(c, &p.m, host_report, h);
		if (rc < 0)
			return rc;
	} else {
		p.m = pxb_boot_model_new();
		if (!p.m)
			return PXB_ERR_NOMEM;
	}
	pxb_host_each(h, PXB_SVC_CATALOG, populate_one, &p);
	if (p.rc < 0) {
		pxb_boot_model_free(p.m);
		return p.rc;
	}
	*out = p.m;
	return 0;
}

static void gen_one(void *fnarg, const char *name, const void *iface, void *arg)
{
	const struct pxb_catalog *cat = iface;
	uint64_t *sum = fnarg;

	if (cat && cat->size >= sizeof(*cat) - sizeof(cat->reserved) && cat->generation)
		*sum += cat->generation(arg);
}

uint64_t pxb_boot_catalogs_generation(pxb_host *h)
{
	uint64_t sum = 0;

	pxb_host_each(h, PXB_SVC_CATALOG, gen_one, &sum);
	return sum;
}
