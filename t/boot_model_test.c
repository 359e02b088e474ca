/*
 * boot_model_test.c - the boot model: entries from the configuration and
 * the API, configuration errors, menus chosen by MAC, tag and architecture,
 * architecture filtering, menu items ("*", "catalog", "-", "# text"),
 * defaults, variables, file URLs, the rescue password, the client a
 * per-client file name ("01-<mac>", the address in hex) refers to and what
 * the host knows of it, and a rendered menu served as a file.
 */
#include "config.h"

#include <crypt.h>

#include "renderer_util.h"

static int nerr;
static char lasterr[512];

static void count_report(void *arg, const char *line)
{
	(void)arg;
	nerr++;
	snprintf(lasterr, sizeof(lasterr), "%s", line);
}

static int from_conf_errors(const char *text)
{
	pxb_conf *c = conf_from(text);
	pxb_boot_model *m = NULL;
	int rc;

	nerr = 0;
	lasterr[0] = '\0';
	if (!c)
		return -100;
	rc = pxb_boot_model_from_conf(c, &m, count_report, NULL);
	pxb_boot_model_free(m);
	pxb_conf_free(c);
	return rc;
}

/* The ids of a view, space separated ("-" separators, "#" text). */
static const char *view_ids(const pxb_boot_model *m, const struct pxb_client *c)
{
	static char buf[1024];
	struct pxb_boot_view *v;
	size_t off = 0;

	buf[0] = '\0';
	if (pxb_boot_model_for_client(m, c, &v) < 0)
		return "(error)";
	for (unsigned i = 0; i < v->nitems; i++) {
		const char *t = v->items[i].type == PXB_ITEM_ENTRY       ? v->items[i].entry->id
				: v->items[i].type == PXB_ITEM_SEPARATOR ? "-"
									 : "#";
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", off ? " " : "", t);
	}
	if (v->def)
		snprintf(buf + off, sizeof(buf) - off, " [%s]", v->def->id);
	pxb_boot_view_free(v);
	return buf;
}

static void test_conf_errors(void)
{
	is_int(from_conf_errors(remote_rescue_conf), 0, "remote-rescue configuration is valid");
	is_int(from_conf_errors("entries = ({ id = \"a\"; kernel = \"/k\"; }, "
				"{ id = \"a\"; kernel = \"/k\"; });"),
	       PXB_ERR_CONFIG, "duplicate id refused");
	ok(strstr(lasterr, "test.conf:1: entries.[1]") || strstr(lasterr, "test.conf:1: entries[1]"),
	   "reported with file, line and setting (%s)", lasterr);
	is_int(from_conf_errors("entries = ({ id = \"a\"; kind = \"linux\"; });"), PXB_ERR_CONFIG,
	       "linux entry without kernel refused");
	is_int(from_conf_errors("entries = ({ id = \"m\"; kind = \"memdisk\"; });"), PXB_ERR_CONFIG,
	       "memdisk entry without image refused");
	is_int(from_conf_errors("entries = ({ kernel = \"/k\"; });"), PXB_ERR_CONFIG,
	       "entry without id refused");
	is_int(from_conf_errors("rescue = { password = \"a\"; password_hash = \"$6$x$y\"; };"),
	       PXB_ERR_CONFIG, "password and password_hash together refused");
	is_int(from_conf_errors("rescue = { password_hash = \"rescueme\"; };"), PXB_ERR_CONFIG,
	       "a clear password in password_hash refused");
	is_int(from_conf_errors("menus = ({ title = \"x\"; });"), PXB_ERR_CONFIG,
	       "a menu in menus without a match refused");

	/* Schema checks, done by validation. */
	{
		pxb_conf *c = pxb_conf_new();
		nerr = 0;
		pxb_conf_load_string(c, "entries = ({ id = \"a b\"; kind = \"floppy\"; "
				     "arch = [\"sparc\"]; });\nmenus = ({ match_macs = [\"zz\"]; });\n"
				     "menu = { timeout = -1; };\n", "v.conf", NULL, NULL);
		is_int(pxb_conf_validate(c, 1, count_report, NULL), 5,
		       "bad id, kind, arch, MAC pattern and timeout are validation errors");
		pxb_conf_free(c);
	}
}

static void test_views(void)
{
	pxb_boot_model *m = model_from(
		"menu = { title = \"All\"; items = [\"# Tools\", \"*\", \"-\", \"-\", \"shell\", "
		"\"nosuch\", \"exit\", \"-\"]; };\n"
		"menus = (\n"
		"  { match_macs = [\"52:54:00:12:*:*\"]; match_tags = [\"LAB\"]; title = \"Lab\";"
		"    items = [\"b\", \"a\"]; default = \"a\"; timeout = 3; },\n"
		"  { match_arch = [\"efi64\"]; items = [\"*\"]; }\n"
		");\n"
		"entries = (\n"
		"  { id = \"a\"; kernel = \"/a/vmlinuz\"; },\n"
		"  { id = \"b\"; kind = \"memdisk\"; image = \"/b.iso\"; arch = [\"efi64\", \"bios\"]; },\n"
		"  { id = \"c\"; kind = \"chain\"; kernel = \"/c.efi\"; arch = [\"efi64\"]; default = true; },\n"
		"  { id = \"h\"; kernel = \"/h\"; hidden = true; }\n"
		");\n");
	struct pxb_client bios = test_client(0), efi = test_client(7);
	struct pxb_boot_entry e = {0};

	ok(m != NULL, "model built");
	if (!m)
		return;
	is_int(pxb_boot_find_entry(m, "b")->arch, PXB_BOOT_ARCH_BIOS, "memdisk is BIOS only, whatever said");
	is_str(view_ids(m, NULL), "# a b c - shell exit [c]",
	       "unknown client: fallback menu, no arch filter, marked default, separators tidied");
	is_str(view_ids(m, &bios), "# a b - shell exit [a]", "BIOS: no UEFI-only entry");
	is_str(view_ids(m, &efi), "a c [c]", "x64 UEFI: the efi64 menu, no memdisk");
	pxb_client_add_tag(&bios, "LAB");
	is_str(view_ids(m, &bios), "b a [a]", "MAC pattern and tag: the lab menu with its default");
	bios.mac[3] = 0x13;
	is_str(view_ids(m, &bios), "# a b - shell exit [a]", "MAC not matching: fallback");

	/* Catalog entries through the API. */
	e.id = "cat1";
	e.kind = PXB_BOOT_LINUX;
	e.kernel = "/cat1/vmlinuz";
	e.source = "catalog-dir";
	is_int(pxb_boot_add_entry(m, &e), 0, "catalog entry added");
	is_int(pxb_boot_add_entry(m, &e), PXB_ERR_EXIST, "same id again: EXIST");
	e.id = "a";
	is_int(pxb_boot_add_entry(m, &e), PXB_ERR_EXIST, "a configured id wins over a catalog's");
	is_str(view_ids(m, &efi), "a c cat1 [c]", "\"*\" lists catalog entries too");
	is_int(pxb_boot_remove_source(m, "catalog-dir"), 1, "entries removed by source");
	is_str(view_ids(m, &efi), "a c [c]", "and gone from the menu");
	pxb_boot_model_free(m);

	m = model_from("menu = { items = [\"local\", \"catalog\", \"reboot\"]; };\n"
		       "entries = ({ id = \"a\"; kernel = \"/a\"; });\n");
	e.id = "cat2";
	e.kernel = "/x";
	pxb_boot_add_entry(m, &e);
	is_str(view_ids(m, &efi), "local cat2 reboot [local]",
	       "\"catalog\" lists only catalog entries; built-ins need no definition");
	pxb_boot_model_free(m);
}

static void test_vars(void)
{
	pxb_boot_model *m = model_from("boot = { server = \"198.18.0.7\"; };\n"
				       "http = { listen = \"0.0.0.0:8080\"; };\n"
				       "entries = ({ id = \"a\"; kernel = \"/boot/x y/vmlinuz\"; "
				       "args = \"a=${http}${entry} m=${mac} u=${unknown}\"; });\n");
	const struct pxb_boot_entry *e = pxb_boot_find_entry(m, "a");
	struct pxb_client c = test_client(7);
	struct pxb_boot_ctx x;
	char out[512];

	pxb_boot_ctx_init(&x, m, &c, NULL);
	is_str(x.server, "198.18.0.1", "server: the address the client reached");
	is_str(x.http, "http://198.18.0.1:8080", "http: with http.listen's port");
	ok(pxb_boot_entry_args(&x, e, out, sizeof(out)) > 0 &&
		   !strcmp(out, "a=http://198.18.0.1:8080/boot/x y m=52:54:00:12:34:56 u=${unknown}"),
	   "args expanded, unknown variables kept (%s)", out);
	ok(pxb_boot_file_url(&x, e, e->kernel, out, sizeof(out)) > 0 &&
		   !strcmp(out, "http://198.18.0.1:8080/boot/x%20y/vmlinuz"), "path to URL (%s)", out);
	ok(pxb_boot_file_url(&x, e, "http://mirror.example/a b/${mac}", out, sizeof(out)) > 0 &&
		   !strcmp(out, "http://mirror.example/a%20b/52:54:00:12:34:56"), "full URL kept (%s)", out);
	is_int(pxb_boot_expand(&x, e, "${server}${server}", out, 8), PXB_ERR_TOOBIG, "too long: TOOBIG");
	pxb_boot_ctx_init(&x, m, NULL, NULL);
	is_str(x.http, "http://198.18.0.7:8080", "no client: boot.server");
	is_str(x.arch, "unknown", "no client: arch unknown");
	pxb_boot_model_free(m);

	is_int(pxb_boot_arch_of(0), PXB_BOOT_ARCH_BIOS, "arch 0: BIOS");
	is_int(pxb_boot_arch_of(7), PXB_BOOT_ARCH_EFI64, "arch 7: x64 UEFI");
	is_int(pxb_boot_arch_of(16), PXB_BOOT_ARCH_EFI64, "arch 16: x64 UEFI HTTP");
	is_int(pxb_boot_arch_of(6), PXB_BOOT_ARCH_EFI32, "arch 6: IA32 UEFI");
	is_int(pxb_boot_arch_of(11), PXB_BOOT_ARCH_ARM64, "arch 11: ARM64 UEFI");
}

static void test_password(void)
{
	char h1[256], h2[256];
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *again;

	is_int(pxb_boot_hash_password("rescueme", h1, sizeof(h1)), 0, "password hashed");
	ok(!strncmp(h1, "$6$", 3) && strlen(h1) > 3 + 16 + 1 + 80, "SHA-512 crypt with a salt");
	again = crypt_r("rescueme", h1, cd);
	ok(again && !strcmp(again, h1), "the hash verifies the password");
	pxb_boot_hash_password("rescueme", h2, sizeof(h2));
	ok(strcmp(h1, h2) != 0, "a new random salt each time");
	is_int(pxb_boot_hash_password("", h2, sizeof(h2)), PXB_ERR_INVAL, "empty password refused");
	is_int(pxb_boot_hash_password("x", h2, 10), PXB_ERR_TOOBIG, "small buffer: TOOBIG");
	free(cd);
}

/* Do a and b say the same of a client? */
static int same_client(const struct pxb_client *a, const struct pxb_client *b)
{
	if (a->has_mac != b->has_mac || memcmp(a->mac, b->mac, 6) != 0 ||
	    a->addr.s_addr != b->addr.s_addr || a->server_addr.s_addr != b->server_addr.s_addr ||
	    a->arch != b->arch || a->has_uuid != b->has_uuid ||
	    memcmp(a->uuid, b->uuid, 16) != 0 || strcmp(a->user_class, b->user_class) != 0 ||
	    a->ntags != b->ntags || a->http_port != b->http_port || a->token != b->token)
		return 0;
	for (unsigned i = 0; i < a->ntags && i < PXB_MAX_TAGS; i++)
		if (strcmp(a->tags[i], b->tags[i]) != 0)
			return 0;
	return 1;
}

static void test_client_by_name(void)
{
	static const struct {
		const char *name;
		enum pxb_boot_name kind;
		const char *said; /* the MAC or address the name says */
	} names[] = {
		{"01-52-54-00-12-34-56", PXB_BOOT_NAME_MAC, "52:54:00:12:34:56"},
		{"01-aa-bb-cc-dd-ee-ff", PXB_BOOT_NAME_MAC, "aa:bb:cc:dd:ee:ff"},
		{"01-AA-BB-CC-DD-EE-FF", PXB_BOOT_NAME_MAC, "aa:bb:cc:dd:ee:ff"},
		{"01-Aa-bB-cc-DD-ee-Ff", PXB_BOOT_NAME_MAC, "aa:bb:cc:dd:ee:ff"},
		/* Separators other than '-', another hardware type, not hex. */
		{"01:52:54:00:12:34:56", PXB_BOOT_NAME_NONE, NULL},
		{"01-52:54:00:12:34:56", PXB_BOOT_NAME_NONE, NULL},
		{"01-52-54-00-12-34:56", PXB_BOOT_NAME_NONE, NULL},
		{"01-525400123456", PXB_BOOT_NAME_NONE, NULL},
		{"02-52-54-00-12-34-56", PXB_BOOT_NAME_NONE, NULL},
		{"01-52-54-00-12-34-5g", PXB_BOOT_NAME_NONE, NULL},
		/* Too short, too long. */
		{"01-52-54-00-12-34", PXB_BOOT_NAME_NONE, NULL},
		{"01-52-54-00-12-34-5", PXB_BOOT_NAME_NONE, NULL},
		{"01-52-54-00-12-34-56-", PXB_BOOT_NAME_NONE, NULL},
		{"01-52-54-00-12-34-56-78", PXB_BOOT_NAME_NONE, NULL},
		/* The address in upper-case hex, then shortened a digit at a time. */
		{"C6120064", PXB_BOOT_NAME_IP, "198.18.0.100"},
		{"00000000", PXB_BOOT_NAME_IP, "0.0.0.0"},
		{"FFFFFFFF", PXB_BOOT_NAME_IP, "255.255.255.255"},
		{"C612006", PXB_BOOT_NAME_IP_PREFIX, NULL},
		{"C6120", PXB_BOOT_NAME_IP_PREFIX, NULL},
		{"C", PXB_BOOT_NAME_IP_PREFIX, NULL},
		/* Lower case, too long, not hex. */
		{"c6120064", PXB_BOOT_NAME_NONE, NULL},
		{"c612006", PXB_BOOT_NAME_NONE, NULL},
		{"C61200640", PXB_BOOT_NAME_NONE, NULL},
		{"C612006G", PXB_BOOT_NAME_NONE, NULL},
		{"C6.12", PXB_BOOT_NAME_NONE, NULL},
		/* Neither. */
		{"8a3e1c44-9012-4f6b-9d1e-525400123456", PXB_BOOT_NAME_NONE, NULL},
		{"default", PXB_BOOT_NAME_NONE, NULL},
		{"grub.cfg", PXB_BOOT_NAME_NONE, NULL},
		{"", PXB_BOOT_NAME_NONE, NULL},
	};
	static const char *const kinds[] = {
		[PXB_BOOT_NAME_NONE] = "no client", [PXB_BOOT_NAME_MAC] = "a MAC",
		[PXB_BOOT_NAME_IP] = "an address", [PXB_BOOT_NAME_IP_PREFIX] = "a shortened address",
	};
	struct pxb_client known = test_client(7), out, was;
	char buf[32];

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&out, 0x5a, sizeof(out));
		memcpy(&was, &out, sizeof(was));
		is_int(pxb_boot_client_by_name(names[i].name, NULL, &out), names[i].kind,
		       "\"%s\": %s", names[i].name, kinds[names[i].kind]);
		if (names[i].kind == PXB_BOOT_NAME_MAC)
			ok(out.has_mac && !strcmp(pxb_mac_format(out.mac, buf, ':'), names[i].said) &&
				   out.addr.s_addr == 0 && out.arch == PXB_ARCH_UNKNOWN &&
				   out.ntags == 0 && !out.has_uuid,
			   "\"%s\": only the MAC %s is known", names[i].name, names[i].said);
		else if (names[i].kind == PXB_BOOT_NAME_IP)
			ok(!out.has_mac && !strcmp(inet_ntop(AF_INET, &out.addr, buf, sizeof(buf)),
						   names[i].said) &&
				   out.arch == PXB_ARCH_UNKNOWN && out.ntags == 0,
			   "\"%s\": only the address %s is known", names[i].name, names[i].said);
		else
			ok(!memcmp(&out, &was, sizeof(out)), "\"%s\": the client is left as it was",
			   names[i].name);
	}

	pxb_client_add_tag(&known, "lab");
	known.http_port = 8080;
	known.token = "t0ken";
	is_int(pxb_boot_client_by_name("01-52-54-00-12-34-56", &known, &out), PXB_BOOT_NAME_MAC,
	       "the known client's MAC");
	ok(same_client(&out, &known), "the known client's MAC: the known client");
	is_int(pxb_boot_client_by_name("C6120064", &known, &out), PXB_BOOT_NAME_IP,
	       "the known client's address");
	ok(same_client(&out, &known), "the known client's address: the known client");

	pxb_boot_client_by_name("01-aa-bb-cc-dd-ee-ff", &known, &out);
	ok(out.has_mac && out.mac[0] == 0xaa && out.mac[5] == 0xff && out.ntags == 0 &&
		   !out.has_uuid && out.arch == 7 && out.addr.s_addr == known.addr.s_addr &&
		   out.server_addr.s_addr == known.server_addr.s_addr && out.http_port == 8080,
	   "another MAC: that MAC, with the known arch, address, server and port, no tags");
	pxb_boot_client_by_name("C6120065", &known, &out);
	ok(!out.has_mac && !out.has_uuid && out.ntags == 0 && out.arch == 7 &&
		   !strcmp(inet_ntop(AF_INET, &out.addr, buf, sizeof(buf)), "198.18.0.101") &&
		   out.server_addr.s_addr == known.server_addr.s_addr && out.http_port == 8080,
	   "another address: that address, with the known arch, server and port, no MAC");
	known.has_mac = 0;
	pxb_boot_client_by_name("01-52-54-00-12-34-56", &known, &out);
	ok(out.has_mac && out.mac[5] == 0x56 && out.ntags == 0 && !out.has_uuid,
	   "a known client without a MAC is not taken for the name's");
	out = known;
	is_int(pxb_boot_client_by_name("C612006", &known, &out), PXB_BOOT_NAME_IP_PREFIX,
	       "a shortened address names no client");
	ok(same_client(&out, &known), "a shortened address: the client is left as it was");
}

static void test_known_client(void)
{
	pxb_host *h = pxb_host_new(NULL, NULL, NULL);
	struct pxb_client c = test_client(7), out;

	is_int(pxb_boot_known_client(h, "01-52-54-00-12-34-56", &out), PXB_ERR_NOENT,
	       "nothing known before DHCP saw the client");
	pxb_host_note_client(h, &c);
	memset(&out, 0, sizeof(out));
	ok(pxb_boot_known_client(h, "01-52-54-00-12-34-56", &out) == 0 && out.arch == 7 &&
		   out.addr.s_addr == c.addr.s_addr,
	   "a MAC name: the client DHCP saw with that MAC");
	memset(&out, 0, sizeof(out));
	ok(pxb_boot_known_client(h, "C6120064", &out) == 0 && out.arch == 7 && out.has_mac &&
		   out.mac[5] == 0x56,
	   "a full address: the client DHCP saw at that address");
	is_int(pxb_boot_known_client(h, "01-52-54-00-12-34-57", &out), PXB_ERR_NOENT,
	       "another MAC: nothing known");
	is_int(pxb_boot_known_client(h, "C6120065", &out), PXB_ERR_NOENT,
	       "another address: nothing known");
	is_int(pxb_boot_known_client(h, "C612006", &out), PXB_ERR_NOENT,
	       "a shortened address: no one to look up");
	is_int(pxb_boot_known_client(h, "default", &out), PXB_ERR_NOENT,
	       "nor does a name of neither form");
	pxb_host_free(h);
}

static int stub_rc;
static const struct pxb_client *stub_client;

/* A renderer whose menu is arg, or that fails with stub_rc. */
static int stub_render(void *arg, const struct pxb_client *c, char **out, size_t *len)
{
	stub_client = c;
	if (stub_rc < 0)
		return stub_rc;
	*out = strdup(arg);
	*len = strlen(arg);
	return *out ? 0 : PXB_ERR_NOMEM;
}

static void test_menu_file(void)
{
	struct pxb_client c = test_client(0);
	struct pxb_file f;
	char buf[16] = "";

	stub_rc = 0;
	ok(pxb_boot_menu_file(&f, stub_render, "#!ipxe\n", &c) == 0 && stub_client == &c &&
		   f.size == 7 && f.generated && f.fd < 0 &&
		   !strcmp(f.content_type, "text/plain; charset=utf-8"),
	   "a rendered menu is a text file made for the client, never cached");
	ok(pxb_file_read(&f, 0, buf, sizeof(buf)) == 7 && !memcmp(buf, "#!ipxe\n", 7),
	   "holding the menu");
	pxb_file_close(&f);
	stub_rc = PXB_ERR_CONFIG;
	is_int(pxb_boot_menu_file(&f, stub_render, "x", NULL), PXB_ERR_IO,
	       "a menu that cannot be rendered is an I/O error to the namespace");
	stub_rc = PXB_ERR_NOMEM;
	is_int(pxb_boot_menu_file(&f, stub_render, "x", NULL), PXB_ERR_NOMEM,
	       "running out of memory stays that");
}

int main(void)
{
	plan_lazy();
	test_conf_errors();
	test_views();
	test_vars();
	test_password();
	test_client_by_name();
	test_known_client();
	test_menu_file();
	return done_testing();
}
