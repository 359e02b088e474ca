/*
 * renderer_grub_test.c - the GRUB renderer: golden grub.cfg files of the
 * remote-rescue setup (plain and with the serial console), what is left
 * out under Secure Boot and why, injection through labels, arguments and
 * paths (quotes, ';', newlines, '$'), the grub.cfg names GRUB asks for, and
 * the plugin loaded from the build directory: grub.cfg names and the signed
 * loaders served from files outside the tree.
 */
#include "config.h"

#include <unistd.h>

#include "renderer_util.h"
#include "../plugins/grub/grub_render.h"

static char *render(const pxb_boot_model *m, const struct pxb_client *c, int serial)
{
	struct pxb_grub_opts o = {.serial = serial};
	char *buf = NULL;
	size_t len = 0;

	if (pxb_grub_render_buf(m, c, &o, &buf, &len, count_warn, NULL) < 0)
		return NULL;
	return buf;
}

/*
 * A small check of GRUB's quoting: outside single quotes, after removing
 * every '...' and \x, no ';', '$' other than $net_default_server, '{', '}'
 * other than a menuentry's braces, and no line that starts with anything
 * but a known command, a comment, or "}".
 */
static int grub_check(const char *cfg, char *err, size_t errlen)
{
	static const char *const cmds[] = {"set", "menuentry", "echo", "linux", "initrd",
					   "exit", "reboot", "serial", "terminal_input",
					   "terminal_output", "}", NULL};
	const char *p = cfg;
	unsigned lineno = 0;

	while (*p) {
		size_t n = strcspn(p, "\n");
		char line[8192], bare[8192];
		size_t b = 0;
		int inq = 0, known = 0;

		lineno++;
		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		for (size_t i = 0; line[i]; i++) {
			if (inq) {
				if (line[i] == '\'')
					inq = 0;
				continue;
			}
			if (line[i] == '\'') {
				inq = 1;
				continue;
			}
			if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
				break; /* a comment to the end of the line */
			if (line[i] == '\\' && line[i + 1]) {
				i++;
				continue;
			}
			bare[b++] = line[i];
		}
		bare[b] = '\0';
		if (inq) {
			snprintf(err, errlen, "line %u: quote left open", lineno);
			return -1;
		}
		while (b && bare[b - 1] == ' ')
			bare[--b] = '\0';
		const char *t = bare;
		while (*t == ' ' || *t == '\t')
			t++;
		if (!*t || *t == '#')
			continue;
		for (int i = 0; cmds[i]; i++) {
			size_t l = strlen(cmds[i]);
			if (!strncmp(t, cmds[i], l) && (t[l] == ' ' || t[l] == '\0'))
				known = 1;
		}
		if (!known) {
			snprintf(err, errlen, "line %u: unknown command in '%s'", lineno, t);
			return -1;
		}
		if (strchr(t, ';')) {
			snprintf(err, errlen, "line %u: ';' outside quotes", lineno);
			return -1;
		}
		for (const char *d = t; (d = strchr(d, '$')) != NULL; d++)
			if (strncmp(d, "$net_default_server)", 20)) {
				snprintf(err, errlen, "line %u: '$' outside quotes", lineno);
				return -1;
			}
		if (!strncmp(t, "menuentry", 9) ? (strchr(t, '{') != t + strlen(t) - 1)
						: (strchr(t, '{') != NULL)) {
			snprintf(err, errlen, "line %u: stray '{'", lineno);
			return -1;
		}
		if (strchr(t, '}') && strcmp(t, "}")) {
			snprintf(err, errlen, "line %u: stray '}'", lineno);
			return -1;
		}
	}
	return 0;
}

static void test_golden(void)
{
	pxb_boot_model *m = model_from(remote_rescue_conf);
	struct pxb_client efi = test_client(7);
	char *s, err[256];

	nwarn = 0;
	s = render(m, &efi, 0);
	ok(s != NULL, "UEFI grub.cfg rendered");
	if (s) {
		is_golden(s, "remote-rescue-efi64.grub.cfg");
		ok(strstr(s, "set default='rescue'\n") && strstr(s, "set timeout=10\n"),
		   "set default (by id) and set timeout");
		ok(strstr(s, "\tlinux (tftp,$net_default_server)'/boot/sysresccd/6.1.1/boot/x86_64/"
			     "vmlinuz' 'archisobasedir=6.1.1' 'archiso_http_srv=http://198.18.0.1/"
			     "boot/sysresccd/' 'checksum' 'ip=dhcp'") != NULL,
		   "linux over TFTP from the server GRUB came from, each argument quoted");
		ok(strstr(s, "\tinitrd (tftp,$net_default_server)'/boot/sysresccd/6.1.1/boot/"
			     "x86_64/sysresccd.img'\n") != NULL, "initrd over TFTP");
		ok(strstr(s, "'rootcryptpass=$6$pxebootgolden$") != NULL,
		   "the rescue password hash is quoted: its '$' stay literal");
		ok(strstr(s, "# memtest-efi left out: a chained binary") != NULL,
		   "a chained EFI binary is left out with a comment saying why");
		ok(strstr(s, "memtest86.iso") == NULL, "UEFI client: no memdisk at all");
		ok(strstr(s, "# shell left out: ") != NULL, "the iPXE shell is left out, said why");
		ok(strstr(s, "menuentry 'Reboot' --id 'reboot' {\n\treboot\n}") != NULL &&
			   strstr(s, "--id 'exit' {\n\texit\n}") != NULL, "reboot and exit");
		if (!ok(grub_check(s, err, sizeof(err)) == 0, "the configuration parses as GRUB"))
			diag("%s", err);
		is_int(nwarn, 0, "nothing to warn about: what is left out is said in the file");
		free(s);
	}
	s = render(m, &efi, 1);
	if (s) {
		is_golden(s, "remote-rescue-serial.grub.cfg");
		ok(strstr(s, "serial --unit=0 --speed=115200\nterminal_input serial console\n"
			     "terminal_output serial console\n") != NULL, "grub.serial: serial terminal");
		free(s);
	}
	s = render(m, NULL, 0);
	ok(s && strstr(s, "an unknown client") && strstr(s, "menuentry 'Remote Rescue"),
	   "renders for an unknown client too");
	free(s);
	pxb_boot_model_free(m);

	m = model_from("entries = ({ id = \"a\"; kernel = \"/a\"; });\n"
		       "menu = { timeout = 0; items = [\"a\"]; };\n");
	s = render(m, &efi, 0);
	ok(s && strstr(s, "set timeout=-1\n"), "timeout 0 (wait for a choice) is GRUB's -1");
	free(s);
	pxb_boot_model_free(m);
}

static void test_injection(void)
{
	pxb_boot_model *m = pxb_boot_model_new();
	struct pxb_boot_entry e;
	struct pxb_client c = test_client(7);
	char *s, err[256];

	memset(&e, 0, sizeof(e));
	e.kind = PXB_BOOT_LINUX;
	e.kernel = "/k";
	e.id = "quote";
	e.label = "it's'; reboot; echo '";
	e.args = "a='b' c=\"d\" it's";
	pxb_boot_add_entry(m, &e);
	e.id = "semi";
	e.label = "x; reboot";
	e.args = "quiet;reboot ; set root=(hd0)";
	pxb_boot_add_entry(m, &e);
	e.id = "dollar";
	e.label = "$prefix ${root} $(reboot)";
	e.args = "v=$root w=${prefix} `reboot`";
	e.kernel = "/k$root/'x'";
	pxb_boot_add_entry(m, &e);
	e.id = "newline";
	e.label = "x\n}\nmenuentry 'pwn' {\n\treboot\n";
	e.kernel = "/k";
	e.args = "quiet";
	pxb_boot_add_entry(m, &e);
	e.id = "badargs";
	e.label = "ok";
	e.args = "quiet\n}\nreboot";
	pxb_boot_add_entry(m, &e);
	e.id = "badpath";
	e.args = NULL;
	e.kernel = "/k\nreboot";
	pxb_boot_add_entry(m, &e);
	e.id = "urlkernel";
	e.kernel = "http://198.51.100.1/k";
	pxb_boot_add_entry(m, &e);
	e.id = "braces";
	e.kernel = "/k";
	e.label = "} { #";
	e.args = "#x }";
	e.ninitrds = 2;
	e.initrds[0] = "/i 1";
	e.initrds[1] = "/i'2";
	pxb_boot_add_entry(m, &e);
	e.id = "dashes";
	e.label = "--unrestricted";
	e.args = NULL;
	e.ninitrds = 0;
	pxb_boot_add_entry(m, &e);

	nwarn = 0;
	s = render(m, &c, 0);
	ok(s != NULL, "rendered");
	if (!s) {
		pxb_boot_model_free(m);
		return;
	}
	is_golden(s, "injection.grub.cfg");
	if (!ok(grub_check(s, err, sizeof(err)) == 0, "every string stays inside its quotes"))
		diag("%s", err);
	ok(strstr(s, "menuentry 'it'\\''s'\\''; reboot; echo '\\''' --id 'quote'") != NULL,
	   "a quote in a label is written '\\''");
	ok(strstr(s, " 'a='\\''b'\\''' 'c=\"d\"' 'it'\\''s'\n") != NULL,
	   "quotes in arguments too");
	ok(strstr(s, " 'quiet;reboot' ';' 'set' 'root=(hd0)'\n") != NULL,
	   "';' in arguments stays a quoted word");
	ok(strstr(s, "menuentry '$prefix ${root} $(reboot)'") != NULL &&
		   strstr(s, "(tftp,$net_default_server)'/k$root/'\\''x'\\''' 'v=$root' "
			     "'w=${prefix}' '`reboot`'\n") != NULL,
	   "'$' in labels, paths and arguments is quoted, never expanded");
	ok(strstr(s, "menuentry 'x } menuentry '\\''pwn'\\'' {  reboot ' --id 'newline'") != NULL,
	   "newlines in a label become spaces");
	ok(strstr(s, "\nmenuentry 'pwn'") == NULL && strstr(s, "\n}\nreboot") == NULL,
	   "no injected menuentry or command");
	ok(strstr(s, "# badargs left out: arguments too long or with control characters") != NULL,
	   "arguments with a newline: entry left out, said why");
	ok(strstr(s, "# badpath left out: the kernel") != NULL, "path with a newline: left out");
	ok(strstr(s, "# urlkernel left out: the kernel is a URL") != NULL,
	   "URL kernel: left out (GRUB loads over TFTP)");
	ok(strstr(s, "\tinitrd (tftp,$net_default_server)'/i 1' (tftp,$net_default_server)'/i'\\''2'\n") !=
		   NULL,
	   "initrds quoted, with spaces and quotes");
	ok(strstr(s, "menuentry ' ''--unrestricted' --id 'dashes'") != NULL,
	   "a label starting -- is not read as a menuentry option");
	is_int(nwarn, 3, "each broken entry reported");
	free(s);
	pxb_boot_model_free(m);
}

static void test_names(void)
{
	struct pxb_client c = test_client(7), out;
	int have;
	static const struct {
		const char *name;
		int renders;
	} names[] = {
		/* In GRUB's order (grub_net_search_config_file). */
		{"grub.cfg-01-52-54-00-12-34-56", 1},
		{"grub.cfg-C6120064", 1},
		{"grub.cfg-C612006", 0}, {"grub.cfg-C61200", 0}, {"grub.cfg-C", 0},
		{"grub.cfg", 1},
		/* Not GRUB configuration names. */
		{"grub.cfg-", 0}, {"grub.cfg-01-52-54-00-12-34", 0}, {"grub.cfg-c6120064", 0},
		{"grub.cfg-8a3e1c44-9012-4f6b-9d1e-525400123456", 0},
		{"command.lst", 0}, {"grub.cfgx", 0}, {"", 0},
	};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		is_int(pxb_grub_lookup(names[i].name, 1, &c, &out, &have), names[i].renders,
		       "%s %s", names[i].name, names[i].renders ? "renders" : "is NOENT");
	ok(pxb_grub_lookup("grub.cfg-01-aa-bb-cc-dd-ee-ff", 1, &c, &out, &have) == 1 && have &&
		   out.mac[0] == 0xaa && out.ntags == 0 && out.arch == 7,
	   "another MAC than the known client's: rendered for the MAC in the name");
	ok(pxb_grub_lookup("grub.cfg-01-52-54-00-12-34-56", 0, &c, &out, &have) == 0 &&
		   pxb_grub_lookup("grub.cfg", 0, &c, &out, &have) == 1 && have,
	   "per_client = false: only grub.cfg");
	ok(pxb_grub_lookup("grub.cfg", 1, NULL, &out, &have) == 1 && !have,
	   "grub.cfg for nobody in particular");
}

static void test_plugin(void)
{
	char conf_text[8192], tmpl[] = "/tmp/pxb-grub-XXXXXX";
	char shim[512], grub[512];
	pxb_conf *conf = pxb_conf_new();
	pxb_vfs *v = pxb_vfs_new();
	pxb_host *h = pxb_host_new(v, NULL, NULL);
	struct pxb_client c = test_client(7);
	struct pxb_file f;
	char *buf;
	int rc;
	static const struct {
		const char *path;
		int renders;
	} names[] = {
		{"/grub/grub.cfg", 1}, {"/grub/x86_64-efi/grub.cfg", 1},
		{"/grub/grub.cfg-01-52-54-00-12-34-56", 1}, {"/grub/grub.cfg-C6120064", 1},
		{"/grub/x86_64-efi/grub.cfg-01-52-54-00-12-34-56", 1},
		{"/grub/grub.cfg-C612006", 0}, {"/grub/x86_64-efi/command.lst", 0},
		{"/grub/grub.cfgx", 0}, {"/grub.cfg", 0},
	};
	FILE *fp;

	if (!mkdtemp(tmpl)) {
		ok(0, "temporary directory");
		return;
	}
	snprintf(shim, sizeof(shim), "%s/shimx64.efi.signed", tmpl);
	snprintf(grub, sizeof(grub), "%s/grubnetx64.efi.signed", tmpl);
	fp = fopen(shim, "w");
	fputs("MZ shim", fp);
	fclose(fp);
	snprintf(conf_text, sizeof(conf_text), "%sgrub = { shim = \"%s\"; grub = \"%s\"; };\n",
		 remote_rescue_conf, shim, grub);

	load_plugin(h, conf, "grub");
	start_plugins(h, conf, conf_text);
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		rc = pxb_vfs_open(v, names[i].path, PXB_VFS_TFTP, &c, &f);
		is_int(rc, names[i].renders ? 0 : PXB_ERR_NOENT, "TFTP %s", names[i].path);
		if (rc == 0) {
			buf = file_text(&f);
			ok(buf && strstr(buf, "set default='rescue'\n"), "%s is the menu", names[i].path);
			free(buf);
			pxb_file_close(&f);
		}
	}
	rc = pxb_vfs_open(v, "/shimx64.efi", PXB_VFS_TFTP, &c, &f);
	ok(rc == 0 && f.fd >= 0 && f.size == 7, "/shimx64.efi is the configured file, by descriptor");
	if (rc == 0) {
		buf = file_text(&f);
		ok(buf && !strcmp(buf, "MZ shim"), "its bytes");
		free(buf);
		pxb_file_close(&f);
	}
	is_int(pxb_vfs_open(v, "/grubx64.efi", PXB_VFS_TFTP, &c, &f), PXB_ERR_NOENT,
	       "a configured loader missing on disk is not found");
	fp = fopen(grub, "w");
	fputs("MZ grub!", fp);
	fclose(fp);
	rc = pxb_vfs_open(v, "/grubx64.efi", PXB_VFS_HTTP, &c, &f);
	ok(rc == 0 && f.size == 8, "... and found once it is there, over HTTP too");
	if (rc == 0)
		pxb_file_close(&f);
	is_int(pxb_vfs_open(v, "/shimx64.efi/x", PXB_VFS_TFTP, &c, &f), PXB_ERR_NOENT,
	       "nothing below a loader's name");
	/* A request that does not say who asks: what DHCP saw of the name's client. */
	rc = pxb_vfs_open(v, "/grub/grub.cfg-C6120064", PXB_VFS_TFTP, NULL, &f);
	ok(rc == 0 && (buf = file_text(&f)) && strstr(buf, "# memtest left out"),
	   "an address asked for by nobody in particular: nothing known, memdisk said left out");
	if (rc == 0) {
		free(buf);
		pxb_file_close(&f);
	}
	pxb_host_note_client(h, &c);
	rc = pxb_vfs_open(v, "/grub/grub.cfg-C6120064", PXB_VFS_TFTP, NULL, &f);
	ok(rc == 0 && (buf = file_text(&f)) && strstr(buf, "(efi64)") &&
		   !strstr(buf, "# memtest left out"),
	   "... once DHCP saw the client at that address, for it (UEFI: no memdisk)");
	if (rc == 0) {
		free(buf);
		pxb_file_close(&f);
	}
	/* The plugin's mounts leave with it (the namespace outlives the host). */
	pxb_host_free(h);
	is_int(pxb_vfs_open(v, "/grub/grub.cfg", PXB_VFS_TFTP, NULL, &f), PXB_ERR_NOENT,
	       "after the plugin is gone, nothing is mounted at /grub");
	is_int(pxb_vfs_open(v, "/shimx64.efi", PXB_VFS_TFTP, NULL, &f), PXB_ERR_NOENT,
	       "... nor its signed loaders");
	pxb_vfs_free(v);
	pxb_conf_free(conf);
	unlink(shim);
	unlink(grub);
	rmdir(tmpl);
}

/* An unattended install in grub.cfg (UEFI: exit goes to the boot manager's next option). */
static void test_install_menu(void)
{
	static const struct install_case k = {
		.plugin = "grub", .conf = remote_rescue_conf, .arch = 7,
		.mac_cfg = "/grub/grub.cfg-01-52-54-00-12-34-56", .any_cfg = "/grub/grub.cfg",
		.other_cfg = "/grub/grub.cfg-01-52-54-00-12-34-57", .entry = "reboot",
		.def_entry = "set default='reboot'\n", .def_disk = "set default='exit'\n",
		.def_menu = "set default='rescue'\n", .wait_install = "set timeout=3\n",
		.wait_menu = "set timeout=10\n",
	};

	run_install_menu(&k);
}

int main(void)
{
	plan_lazy();
	test_golden();
	test_injection();
	test_names();
	test_plugin();
	test_install_menu();
	return done_testing();
}
