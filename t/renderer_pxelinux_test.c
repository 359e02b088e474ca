/*
 * renderer_pxelinux_test.c - the PXELINUX renderer: golden configurations of
 * the remote-rescue setup (TFTP paths for BIOS and UEFI, http:// URLs for
 * lpxelinux.0), the pxelinux.cfg/ lookup order (each name PXELINUX tries
 * either renders or is not found), injection through labels and arguments,
 * and the plugin loaded from the build directory.
 */
#include "config.h"

#include "renderer_util.h"
#include "../plugins/pxelinux/pxelinux_render.h"

static char *render(const pxb_boot_model *m, const struct pxb_client *c, int use_http)
{
	struct pxb_pxelinux_opts o = {.use_http = use_http, .ui = NULL};
	char *buf = NULL;
	size_t len = 0;

	if (pxb_pxelinux_render_buf(m, c, &o, &buf, &len, count_warn, NULL) < 0)
		return NULL;
	return buf;
}

static void test_golden(void)
{
	pxb_boot_model *m = model_from(remote_rescue_conf);
	struct pxb_client bios = test_client(0), efi = test_client(7);
	char *s;

	s = render(m, &bios, 0);
	ok(s != NULL, "BIOS configuration rendered");
	if (s) {
		is_golden(s, "remote-rescue-bios.cfg");
		ok(strstr(s, "DEFAULT rescue\n") && strstr(s, "TIMEOUT 100\n") &&
			   strstr(s, "PROMPT 1\n") && strstr(s, "MENU TITLE Remote Rescue\n"),
		   "DEFAULT, PROMPT, TIMEOUT in tenths, MENU TITLE");
		ok(strstr(s, "  KERNEL /boot/memdisk\n  INITRD /boot/memtest86.iso\n  APPEND iso raw\n") !=
			   NULL, "memdisk entry: KERNEL memdisk, INITRD the ISO, APPEND iso raw");
		ok(strstr(s, "LOCALBOOT -1") != NULL, "exit returns to the BIOS");
		ok(strstr(s, "LABEL shell") == NULL, "no shell in PXELINUX");
		ok(strstr(s, "http://") == NULL || strstr(s, "archiso_http_srv=http://198.18.0.1/"),
		   "over TFTP only the arguments carry URLs");
		free(s);
	}
	s = render(m, &efi, 0);
	if (s) {
		is_golden(s, "remote-rescue-efi64.cfg");
		ok(strstr(s, "memdisk") == NULL, "UEFI client: no memdisk");
		free(s);
	}
	s = render(m, &bios, 1);
	if (s) {
		is_golden(s, "remote-rescue-bios-http.cfg");
		ok(strstr(s, "  KERNEL http://198.18.0.1/boot/sysresccd/6.1.1/boot/x86_64/vmlinuz\n") !=
			   NULL, "use_http: kernels as URLs (lpxelinux.0)");
		free(s);
	}
	pxb_boot_model_free(m);
}

static void test_lookup(void)
{
	struct pxb_client c = test_client(0), out;
	int have;
	static const struct {
		const char *name;
		int renders;
	} names[] = {
		/* In PXELINUX's order (CLIENTS.md). */
		{"8a3e1c44-9012-4f6b-9d1e-525400123456", 1},
		{"01-52-54-00-12-34-56", 1},
		{"C6120064", 1},
		{"C612006", 0}, {"C61200", 0}, {"C6120", 0}, {"C612", 0},
		{"C61", 0}, {"C6", 0}, {"C", 0},
		{"default", 1},
		/* Not this client's, or not a PXELINUX name. */
		{"00000000-0000-0000-0000-000000000000", 0},
		{"01-52-54-00-12-34", 0},
		{"02-52-54-00-12-34-56", 0},
		{"c6120064", 0},
		{"menu.c32", 0},
		{"", 0},
	};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		is_int(pxb_pxelinux_lookup(names[i].name, &c, &out, &have), names[i].renders,
		       "pxelinux.cfg/%s %s", names[i].name, names[i].renders ? "renders" : "is NOENT");

	ok(pxb_pxelinux_lookup("01-AA-bb-cc-dd-ee-ff", &c, &out, &have) == 1 && have &&
		   out.mac[0] == 0xaa && out.mac[5] == 0xff && out.ntags == 0,
	   "another MAC than the known client's: rendered for the MAC in the name");
	ok(pxb_pxelinux_lookup("01-52-54-00-12-34-56", NULL, &out, &have) == 1 && have &&
		   out.has_mac && out.mac[5] == 0x56 && out.arch == PXB_ARCH_UNKNOWN,
	   "unknown client: the MAC comes from the name");
	ok(pxb_pxelinux_lookup("8a3e1c44-9012-4f6b-9d1e-525400123456", NULL, &out, &have) == 0,
	   "unknown client: a UUID name falls through to 01-<mac>");
	ok(pxb_pxelinux_lookup("default", NULL, &out, &have) == 1 && !have,
	   "default renders for nobody in particular");
}

static void test_menus_by_mac(void)
{
	pxb_boot_model *m = model_from(
		"entries = ({ id = \"a\"; kernel = \"/a\"; }, { id = \"b\"; kernel = \"/b\"; });\n"
		"menu = { items = [\"a\"]; };\n"
		"menus = ({ match_macs = [\"52:54:00:*:*:*\"]; title = \"Lab\"; items = [\"b\"]; });\n");
	struct pxb_client c = test_client(0), out;
	int have;
	char *s;

	pxb_pxelinux_lookup("01-52-54-00-aa-bb-cc", NULL, &out, &have);
	s = render(m, &out, 0);
	ok(s && strstr(s, "LABEL b\n") && !strstr(s, "LABEL a\n") && strstr(s, "MENU TITLE Lab"),
	   "the MAC in the name chooses the host's menu");
	free(s);
	pxb_pxelinux_lookup("default", NULL, &out, &have);
	s = render(m, NULL, 0);
	ok(s && strstr(s, "LABEL a\n") && !strstr(s, "LABEL b\n"), "default: the fallback menu");
	free(s);
	(void)c;
	pxb_boot_model_free(m);
}

static void test_injection(void)
{
	pxb_boot_model *m = pxb_boot_model_new();
	struct pxb_boot_entry e;
	struct pxb_client c = test_client(0);
	char *s;

	memset(&e, 0, sizeof(e));
	e.id = "evil";
	e.label = "x\nLABEL pwn\n  KERNEL /pwn\rMENU";
	e.kind = PXB_BOOT_LINUX;
	e.kernel = "/k";
	e.args = "quiet";
	pxb_boot_add_entry(m, &e);
	e.id = "badargs";
	e.label = "ok";
	e.args = "quiet\nLABEL pwn2";
	pxb_boot_add_entry(m, &e);
	e.id = "spacepath";
	e.kernel = "/a b/k";
	e.args = NULL;
	pxb_boot_add_entry(m, &e);
	e.id = "urlkernel";
	e.kernel = "http://198.51.100.1/k";
	pxb_boot_add_entry(m, &e);
	e.id = "san";
	e.kind = PXB_BOOT_SANBOOT;
	e.image = "http://198.51.100.1/x.iso";
	pxb_boot_add_entry(m, &e);

	nwarn = 0;
	s = render(m, &c, 0);
	ok(s && strstr(s, "MENU LABEL x LABEL pwn   KERNEL /pwn MENU\n") != NULL,
	   "a newline in a label stays on the MENU LABEL line");
	ok(s && strstr(s, "\nLABEL pwn") == NULL, "no injected LABEL line");
	ok(s && strstr(s, "badargs") == NULL, "arguments with a newline: entry left out");
	ok(s && strstr(s, "spacepath") == NULL, "TFTP path with a space: entry left out");
	ok(s && strstr(s, "urlkernel") == NULL, "URL kernel with pxelinux.0: entry left out");
	ok(s && strstr(s, "LABEL san") == NULL, "sanboot: left out");
	is_int(nwarn, 4, "each left-out entry reported");
	free(s);
	s = render(m, &c, 1);
	ok(s && strstr(s, "KERNEL http://198.51.100.1/k\n") && strstr(s, "KERNEL http://198.18.0.1/a%20b/k"),
	   "with use_http, URLs are fine and spaces encoded");
	free(s);
	pxb_boot_model_free(m);
}

static void test_plugin(void)
{
	char path[128];
	pxb_conf *conf = pxb_conf_new();
	pxb_vfs *v = pxb_vfs_new();
	pxb_host *h = pxb_host_new(v, NULL, NULL);
	struct pxb_client c = test_client(0);
	struct pxb_file f;
	int rc;
	static const struct {
		const char *name;
		int renders;
	} names[] = {
		{"8a3e1c44-9012-4f6b-9d1e-525400123456", 1}, {"01-52-54-00-12-34-56", 1},
		{"C6120064", 1}, {"C612006", 0}, {"C", 0}, {"default", 1}, {"pxelinux.0", 0},
	};

	load_plugin(h, conf, "pxelinux");
	start_plugins(h, conf, remote_rescue_conf);
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "/pxelinux.cfg/%s", names[i].name);
		rc = pxb_vfs_open(v, path, PXB_VFS_TFTP, &c, &f);
		is_int(rc, names[i].renders ? 0 : PXB_ERR_NOENT, "TFTP %s", path);
		if (rc == 0) {
			char *buf = file_text(&f);
			ok(buf && strstr(buf, "DEFAULT rescue\n") != NULL, "%s is the menu", path);
			free(buf);
			pxb_file_close(&f);
		}
	}
	/* A request that does not say who asks: what DHCP saw of the name's client. */
	c = test_client(7);
	pxb_host_note_client(h, &c);
	rc = pxb_vfs_open(v, "/pxelinux.cfg/01-52-54-00-12-34-56", PXB_VFS_TFTP, NULL, &f);
	if (ok(rc == 0, "a MAC name asked for by nobody in particular renders")) {
		char *buf = file_text(&f);
		ok(buf && strstr(buf, "(efi64)") && !strstr(buf, "memdisk"),
		   "for the client DHCP saw with that MAC (UEFI: no memdisk)");
		free(buf);
		pxb_file_close(&f);
	}
	pxb_host_free(h);
	pxb_vfs_free(v);
	pxb_conf_free(conf);
}

/* An unattended install in the PXELINUX menu (exit: LOCALBOOT -1, the BIOS's next device). */
static void test_install_menu(void)
{
	static const struct install_case k = {
		.plugin = "pxelinux", .conf = remote_rescue_conf, .arch = 0,
		.mac_cfg = "/pxelinux.cfg/01-52-54-00-12-34-56", .any_cfg = "/pxelinux.cfg/default",
		.other_cfg = "/pxelinux.cfg/01-52-54-00-12-34-57", .entry = "memtest",
		.def_entry = "DEFAULT memtest\n", .def_disk = "DEFAULT exit\n",
		.def_menu = "DEFAULT rescue\n", .wait_install = "TIMEOUT 30\n",
		.wait_menu = "TIMEOUT 100\n",
	};

	run_install_menu(&k);
}

int main(void)
{
	plan_lazy();
	test_golden();
	test_lookup();
	test_menus_by_mac();
	test_injection();
	test_plugin();
	test_install_menu();
	return done_testing();
}
