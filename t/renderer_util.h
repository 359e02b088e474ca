/*
 * renderer_util.h - helpers for the menu renderer tests: the remote-rescue
 * configuration of the seed, the fixed test clients, golden-file comparison,
 * a count of the renderers' warnings, the built plugins loaded into a host
 * and the files they serve read back, and a syntax checker for generated
 * iPXE scripts.
 */
#ifndef PXB_RENDERER_UTIL_H
#define PXB_RENDERER_UTIL_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/boot.h>
#include "tap.h"

/* The seed's menu (rescue, memtest, shell, reboot, exit) as a pxeboot config. */
static const char remote_rescue_conf[] =
	"http = { listen = \"0.0.0.0:80\"; };\n"
	"boot = { memdisk = \"/boot/memdisk\"; };\n"
	"menu = {\n"
	"  title = \"Remote Rescue\";\n"
	"  default = \"rescue\";\n"
	"  timeout = 10;\n"
	"  items = [\"rescue\", \"memtest\", \"memtest-efi\", \"-\", \"shell\", \"reboot\", \"exit\"];\n"
	"};\n"
	"entries = (\n"
	"  { id = \"rescue\"; label = \"Remote Rescue (SystemRescue)\"; kind = \"linux\";\n"
	"    kernel = \"/boot/sysresccd/6.1.1/boot/x86_64/vmlinuz\";\n"
	"    initrd = [\"/boot/sysresccd/6.1.1/boot/x86_64/sysresccd.img\"];\n"
	"    args = \"archisobasedir=6.1.1 archiso_http_srv=${http}/boot/sysresccd/ checksum "
	"ip=dhcp nofirewall\";\n"
	"    arch = [\"bios\", \"efi64\"]; rescue_password = true; },\n"
	"  { id = \"memtest\"; label = \"MemTest86+ (ISO through memdisk)\"; kind = \"memdisk\";\n"
	"    image = \"/boot/memtest86.iso\"; },\n"
	"  { id = \"memtest-efi\"; label = \"MemTest86+ (UEFI)\"; kind = \"chain\";\n"
	"    kernel = \"/boot/memtest86+x64.efi\"; arch = [\"efi64\"]; }\n"
	");\n"
	"rescue = { password_hash = \"$6$pxebootgolden$0r3/t3DQya6E4rHHdvQKsc1vCUFw7KEAG8DDpb3/"
	"zhrpDoljoZR6/km/xVZMIE6gf8HRWAZQ31Vz3I0AhqzVC1\"; };\n";

static void print_report(void *arg, const char *line)
{
	(void)arg;
	diag("config: %s", line);
}

/* A validated configuration from text (NULL on errors, which are diagnosed). */
static inline pxb_conf *conf_from(const char *text)
{
	pxb_conf *c = pxb_conf_new();

	if (!c || pxb_conf_load_string(c, text, "test.conf", print_report, NULL) < 0 ||
	    pxb_conf_validate(c, 0, print_report, NULL) != 0) {
		pxb_conf_free(c);
		return NULL;
	}
	return c;
}

static inline pxb_boot_model *model_from(const char *text)
{
	pxb_conf *c = conf_from(text);
	pxb_boot_model *m = NULL;

	if (c && pxb_boot_model_from_conf(c, &m, print_report, NULL) < 0)
		m = NULL;
	pxb_conf_free(c);
	return m;
}

/* MAC 52:54:00:12:34:56, IP 198.18.0.100, server 198.18.0.1, the given arch. */
static inline struct pxb_client test_client(uint16_t arch)
{
	struct pxb_client c;
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	static const uint8_t uuid[16] = {0x8a, 0x3e, 0x1c, 0x44, 0x90, 0x12, 0x4f, 0x6b,
					 0x9d, 0x1e, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

	memset(&c, 0, sizeof(c));
	c.has_mac = 1;
	memcpy(c.mac, mac, 6);
	inet_pton(AF_INET, "198.18.0.100", &c.addr);
	inet_pton(AF_INET, "198.18.0.1", &c.server_addr);
	c.arch = arch;
	c.has_uuid = 1;
	memcpy(c.uuid, uuid, 16);
	return c;
}

static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * Compares text with t/golden/name. With PXB_REGEN_GOLDEN=1 in the
 * environment the golden file is written from text instead (then review
 * the diff with git).
 */
static inline void is_golden(const char *text, const char *name)
{
	const char *src = getenv("top_srcdir");
	char path[1024];
	char *want;

	snprintf(path, sizeof(path), "%s/t/golden/%s", src ? src : ".", name);
	if (getenv("PXB_REGEN_GOLDEN")) {
		FILE *f = fopen(path, "wb");
		ok(f && fputs(text, f) >= 0 && fclose(f) == 0, "golden %s written", name);
		return;
	}
	want = slurp(path);
	if (!ok(want && strcmp(want, text) == 0, "output matches golden %s", name)) {
		const char *l = text;
		diag("got:");
		while (*l) {
			size_t n = strcspn(l, "\n");
			printf("#   %.*s\n", (int)n, l);
			l += n + (l[n] == '\n');
		}
		diag("(end; regenerate with PXB_REGEN_GOLDEN=1 if the change is intended)");
	}
	free(want);
}

/* Warnings a renderer gave (its warn callback): how many, and the last. */
static int nwarn;
static char last_warn[512];

static inline void count_warn(void *arg, const char *msg)
{
	(void)arg;
	nwarn++;
	snprintf(last_warn, sizeof(last_warn), "%s", msg);
}

/* ---- the built plugins in a host ---------------------------------------- */

/* Loads plugin name from $top_builddir/plugins/.libs into h: one test. */
static inline int load_plugin(pxb_host *h, pxb_conf *conf, const char *name)
{
	const char *builddir = getenv("top_builddir");
	char pdir[1024], err[512];
	int rc;

	snprintf(pdir, sizeof(pdir), "%s/plugins/.libs", builddir ? builddir : ".");
	rc = pxb_host_load(h, conf, pdir, name, err, sizeof(err));
	if (!ok(rc == 0, "%s plugin loads", name))
		diag("%s", err);
	return rc;
}

/*
 * Loads text into conf, validates it with the loaded plugins' settings and
 * initializes them: two tests. Returns what pxb_host_init_all returned.
 */
static inline int start_plugins(pxb_host *h, pxb_conf *conf, const char *text)
{
	char err[512];
	int rc;

	ok(pxb_conf_load_string(conf, text, "test.conf", print_report, NULL) == 0 &&
		   pxb_conf_validate(conf, 1, print_report, NULL) == 0,
	   "configuration validates");
	rc = pxb_host_init_all(h, conf, err, sizeof(err));
	if (!ok(rc == 0, "plugins initialize"))
		diag("%s", err);
	return rc;
}

/* An open file's bytes and a '\0' (malloc'ed), or NULL. */
static inline char *file_text(const struct pxb_file *f)
{
	char *buf = calloc(1, f->size + 1);

	if (buf && pxb_file_read(f, 0, buf, f->size) != (int64_t)f->size) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- unattended installs in the served menus ---------------------------- */

/*
 * Puts an in-memory install store into h holding an install of client c's
 * MAC with entry, asked (done = 0) or called back (done = 1): one test.
 * NULL on failure; the caller frees it after h.
 */
static inline pxb_installs *test_install(pxb_host *h, const struct pxb_client *c,
					 const char *entry, int done)
{
	pxb_installs *s = NULL;
	int64_t now = (int64_t)time(NULL);
	int rc = pxb_installs_open(NULL, &s, NULL);

	if (rc == 0)
		rc = done ? pxb_installs_done(s, c->mac, entry, now)
			  : pxb_installs_ask(s, c->mac, entry, now + 3600, now, NULL);
	if (!ok(rc >= 0, "an install of %s is %s", entry, done ? "done" : "asked for")) {
		pxb_installs_free(s);
		return NULL;
	}
	pxb_host_set_installs(h, s);
	return s;
}

/*
 * Does the file at path, asked for over TFTP by c (may be NULL), hold both
 * a and b? 1 or 0 (the text is diagnosed when not).
 */
static inline int served_has(pxb_vfs *v, const char *path, const struct pxb_client *c,
			     const char *a, const char *b)
{
	struct pxb_file f;
	char *buf;
	int yes;

	if (pxb_vfs_open(v, path, PXB_VFS_TFTP, c, &f) != 0)
		return 0;
	buf = file_text(&f);
	yes = buf && strstr(buf, a) && strstr(buf, b);
	if (!yes)
		diag("%s:\n%s", path, buf ? buf : "(unreadable)");
	free(buf);
	pxb_file_close(&f);
	return yes;
}

/* What a renderer's served menu shows under an install (run_install_menu). */
struct install_case {
	const char *plugin, *conf; /* the plugin and its configuration */
	uint16_t arch;             /* of the clients */
	const char *mac_cfg;       /* the file named for the test client's MAC */
	const char *any_cfg;       /* a file rendered for whoever asks */
	const char *other_cfg;     /* the file named for the other machine's MAC */
	const char *entry;         /* the install's entry */
	const char *def_entry, *def_disk, *def_menu; /* the default line: entry, disk, menu's */
	const char *wait_install, *wait_menu;        /* the timeout line: install's, menu's */
};

/*
 * An unattended install in k's plugin: the proven machine's menu boots its
 * entry after install.timeout (3 s); another machine's and the MAC's file
 * asked for from another address do not change; once done, the machine's
 * menu boots the disk after 3 s and the other's is still the menu.
 */
static inline void run_install_menu(const struct install_case *k)
{
	pxb_conf *conf = pxb_conf_new();
	pxb_vfs *v = pxb_vfs_new();
	pxb_host *h = pxb_host_new(v, NULL, NULL);
	struct pxb_client c = test_client(k->arch), other = c, stranger = c;
	pxb_installs *s;

	other.mac[5] = 0x57;
	inet_pton(AF_INET, "198.18.0.101", &other.addr);
	inet_pton(AF_INET, "198.18.0.102", &stranger.addr);
	load_plugin(h, conf, k->plugin);
	start_plugins(h, conf, k->conf);
	pxb_host_note_client(h, &c);
	pxb_host_note_client(h, &other);
	s = test_install(h, &c, k->entry, 0);
	ok(served_has(v, k->mac_cfg, &c, k->def_entry, k->wait_install),
	   "%s: install asked: the machine's menu defaults to its entry, after 3 s", k->plugin);
	ok(served_has(v, k->any_cfg, &c, k->def_entry, k->wait_install), "... %s too", k->any_cfg);
	ok(served_has(v, k->other_cfg, &other, k->def_menu, k->wait_menu),
	   "another machine's menu is the menu");
	ok(served_has(v, k->mac_cfg, &stranger, k->def_menu, k->wait_menu),
	   "the machine's MAC asked for from another address: the menu");
	pxb_host_set_installs(h, NULL);
	pxb_installs_free(s);
	s = test_install(h, &c, k->entry, 1);
	ok(served_has(v, k->mac_cfg, &c, k->def_disk, k->wait_install),
	   "install done: the machine's menu boots the disk (exit), after 3 s");
	ok(served_has(v, k->other_cfg, &other, k->def_menu, k->wait_menu),
	   "... another machine's is the menu");
	pxb_host_free(h);
	pxb_installs_free(s);
	pxb_vfs_free(v);
	pxb_conf_free(conf);
}

/* ---- iPXE script checker ------------------------------------------------ */

#define CHK_MAX 256

static inline int ipxe_cmd_known(const char *t)
{
	static const char *const cmds[] = {
		"menu", "item", "choose", "goto", "set", "echo", "prompt", "imgfree", "kernel",
		"initrd", "boot", "chain", "sanboot", "shell", "reboot", "exit", NULL,
	};
	for (int i = 0; cmds[i]; i++)
		if (!strcmp(t, cmds[i]))
			return 1;
	return 0;
}

/*
 * Checks a generated script: "#!ipxe" first; every command known; labels
 * defined once; every goto target defined; every menu item key has a label
 * (for "goto ${target}"); "&&"/"||" only followed by goto or exit; no comment
 * token after a command; "${" only in ${target} and ${pxb-timeout}.
 * Returns 0, or -1 with the reason in err.
 */
static inline int ipxe_check(const char *script, char *err, size_t errlen)
{
	char *copy = strdup(script), *save = NULL, *line;
	char *labels[CHK_MAX], *targets[CHK_MAX], *keys[CHK_MAX];
	unsigned nl = 0, nt = 0, nk = 0, lineno = 0;
	int rc = -1, first = 1;

	err[0] = '\0';
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tok[64], *s2 = NULL, *t;
		unsigned n = 0;

		lineno++;
		if (first) {
			first = 0;
			if (strcmp(line, "#!ipxe") != 0) {
				snprintf(err, errlen, "first line is not #!ipxe");
				goto out;
			}
			continue;
		}
		for (const char *p = line; *p; p++)
			if ((unsigned char)*p < 0x20 && *p != '\t') {
				snprintf(err, errlen, "line %u: control character", lineno);
				goto out;
			}
		for (t = strtok_r(line, " \t", &s2); t && n < 64; t = strtok_r(NULL, " \t", &s2))
			tok[n++] = t;
		if (n == 0 || tok[0][0] == '#')
			continue;
		if (tok[0][0] == ':') {
			if (n != 1) {
				snprintf(err, errlen, "line %u: text after a label", lineno);
				goto out;
			}
			for (unsigned i = 0; i < nl; i++)
				if (!strcmp(labels[i], tok[0] + 1)) {
					snprintf(err, errlen, "label %s twice", tok[0]);
					goto out;
				}
			if (nl < CHK_MAX)
				labels[nl++] = tok[0] + 1;
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			int cmd_start = i == 0 || !strcmp(tok[i - 1], "&&") || !strcmp(tok[i - 1], "||");
			const char *d = tok[i];
			if (cmd_start) {
				if (!ipxe_cmd_known(tok[i])) {
					snprintf(err, errlen, "line %u: unknown command %s", lineno, tok[i]);
					goto out;
				}
				if (i > 0 && strcmp(tok[i], "goto") && strcmp(tok[i], "exit")) {
					snprintf(err, errlen, "line %u: %s after && or ||", lineno, tok[i]);
					goto out;
				}
			}
			if (!strcmp(tok[i], ";") || (tok[i][0] == '#' && i > 0)) {
				snprintf(err, errlen, "line %u: separator or comment token %s", lineno,
					 tok[i]);
				goto out;
			}
			if ((!strcmp(tok[i], "&&") || !strcmp(tok[i], "||")) && i + 1 >= n) {
				snprintf(err, errlen, "line %u: dangling %s", lineno, tok[i]);
				goto out;
			}
			while ((d = strstr(d, "${")) != NULL) {
				if (strncmp(d, "${target}", 9) && strncmp(d, "${pxb-timeout}", 14)) {
					snprintf(err, errlen, "line %u: expansion in %s", lineno, tok[i]);
					goto out;
				}
				d += 2;
			}
			if (cmd_start && !strcmp(tok[i], "goto")) { /* not the word in a text */
				if (i + 1 >= n) {
					snprintf(err, errlen, "line %u: goto without target", lineno);
					goto out;
				}
				if (strcmp(tok[i + 1], "${target}") && nt < CHK_MAX)
					targets[nt++] = tok[i + 1];
			}
		}
		if (!strcmp(tok[0], "item") && n >= 2 && strcmp(tok[1], "--gap") && nk < CHK_MAX)
			keys[nk++] = tok[1];
	}
	for (unsigned i = 0; i < nt + nk; i++) {
		const char *want = i < nt ? targets[i] : keys[i - nt];
		int found = 0;
		for (unsigned k = 0; k < nl && !found; k++)
			found = !strcmp(labels[k], want);
		if (!found) {
			snprintf(err, errlen, "%s %s has no label", i < nt ? "goto target" : "item",
				 want);
			goto out;
		}
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

#endif
