/*
 * plugin_test.c - the plugin host: loading, ABI refusal, missing plugins,
 * the example plugin's settings and the file it provides, mounts made and
 * moved with pxb_host_mount, a plugin's section answering the schema
 * defaults whether or not the file has it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/pxeboot.h>
#include "tap.h"

static void ignore(void *arg, const char *line)
{
	(void)arg;
	diag("config: %s", line);
}

static int name_open(void *arg, const char *rel, const struct pxb_client *client,
		     struct pxb_file *f)
{
	(void)client;
	if (*rel)
		return PXB_ERR_NOENT;
	return pxb_file_from_buffer(f, arg, strlen(arg), 0);
}

static const struct pxb_vfs_provider name_provider = {.name = "name", .open = name_open};

static int opens(pxb_vfs *v, const char *path)
{
	struct pxb_file f;

	if (pxb_vfs_open(v, path, PXB_VFS_HTTP, NULL, &f) < 0)
		return 0;
	pxb_file_close(&f);
	return 1;
}

/* pxb_host_mount moves a provider's mount; pxb_host_unmount removes it. */
static void test_host_mount(void)
{
	pxb_vfs *v = pxb_vfs_new();
	pxb_host *h = pxb_host_new(v, NULL, NULL), *bare = pxb_host_new(NULL, NULL, NULL);
	char a[] = "a", b[] = "b", longname[PXB_VFS_PATH_MAX + 8];

	is_int(pxb_host_mount(h, "/one", &name_provider, a, PXB_VFS_ALL), 0, "host mount");
	is_int(pxb_host_mount(h, "/other", &name_provider, b, PXB_VFS_ALL), 0,
	       "another owner's mount");
	ok(opens(v, "/one") && opens(v, "/other"), "both in the namespace");
	is_int(pxb_host_mount(h, "/two", &name_provider, a, PXB_VFS_ALL), 0, "mounted again");
	ok(!opens(v, "/one") && opens(v, "/two") && opens(v, "/other"),
	   "in place of the owner's earlier mount, the other owner's stays");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	is_int(pxb_host_mount(h, longname, &name_provider, a, PXB_VFS_ALL), PXB_ERR_INVAL,
	       "a bad prefix is refused");
	ok(!opens(v, "/two"), "... and the owner has no mount left");
	pxb_host_mount(h, "/two", &name_provider, a, PXB_VFS_ALL);
	pxb_host_unmount(h, a);
	ok(!opens(v, "/two") && opens(v, "/other"), "unmount removes the owner's mounts only");
	is_int(pxb_host_mount(bare, "/one", &name_provider, a, PXB_VFS_ALL), 0,
	       "a host without a namespace mounts nothing");
	pxb_host_unmount(bare, a);
	pxb_host_free(bare);
	pxb_host_free(h);
	pxb_vfs_free(v);
}

static char logged[512];

static void keep_log(void *arg, int level, const char *source, const char *msg)
{
	(void)arg;
	(void)level;
	snprintf(logged, sizeof(logged), "%s: %s", source, msg);
}

/* A configuration from text, or NULL. */
static pxb_conf *settings_conf(const char *text)
{
	pxb_conf *c = pxb_conf_new();

	if (c && pxb_conf_load_string(c, text, "s.conf", ignore, NULL) < 0) {
		pxb_conf_free(c);
		return NULL;
	}
	return c;
}

/* The section a plugin is given always exists: the file's, or one answering defaults. */
static void test_settings(const char *tdir)
{
	pxb_host *h = pxb_host_new(NULL, keep_log, NULL);
	pxb_conf *c = settings_conf(""), *c2 = settings_conf("settings = { word = \"set\"; };");
	pxb_conf *c3 = settings_conf("tftp = { root = \"/srv\"; };");
	char err[1024] = "";

	is_int(pxb_host_load(h, c, tdir, "plugin_settings", err, sizeof(err)), 0,
	       "load a plugin reading its section without a NULL check: %s", err);
	pxb_conf_add_schema(c2, "settings", pxb_host_plugin(h, 0)->settings);
	pxb_conf_add_schema(c3, "settings", pxb_host_plugin(h, 0)->settings);
	is_int(pxb_conf_validate(c, 1, ignore, NULL), 0, "no section: valid");
	is_int(pxb_host_check_all(h, c, ignore, NULL), 0,
	       "a plugin without a check hook is not asked");
	is_int(pxb_host_init_all(h, c, err, sizeof(err)), 0, "init without a section: %s", err);
	is_str(logged, "settings: settings: word=dflt count=7 flag=1 list=2:b",
	       "every getter answers the schema default");
	is_int(pxb_host_reload_all(h, c2, err, sizeof(err)), 0, "reload with the section");
	is_str(logged, "settings: settings: word=set count=7 flag=1 list=2:b",
	       "the file's value, defaults for the rest");
	is_int(pxb_host_reload_all(h, c3, err, sizeof(err)), 0,
	       "reload with the section gone: %s", err);
	is_str(logged, "settings: settings: word=dflt count=7 flag=1 list=2:b",
	       "defaults again");
	ok(pxb_conf_get(pxb_conf_root(c3), "settings") == NULL,
	   "the file's settings are left as they were");
	pxb_host_free(h);
	pxb_conf_free(c);
	pxb_conf_free(c2);
	pxb_conf_free(c3);
}

/* The example plugin without its section: the defaults of its table. */
static void test_example_defaults(const char *pdir)
{
	pxb_vfs *v = pxb_vfs_new();
	pxb_host *h = pxb_host_new(v, NULL, NULL);
	pxb_conf *c = settings_conf("");
	char err[1024] = "";
	struct pxb_file f;
	const char *want = "Hello, unknown at unknown\n";

	is_int(pxb_host_load(h, c, pdir, "example", err, sizeof(err)), 0, "load the example");
	is_int(pxb_host_init_all(h, c, err, sizeof(err)), 0, "init it without a section: %s",
	       err);
	is_int(pxb_vfs_open(v, "/hello.txt", PXB_VFS_HTTP, NULL, &f), 0,
	       "its file is at the default path");
	ok(f.size == strlen(want) && memcmp(f.data, want, f.size) == 0,
	   "with the default greeting");
	pxb_file_close(&f);
	pxb_host_free(h);
	pxb_vfs_free(v);
	pxb_conf_free(c);
}

static void keep_line(void *arg, const char *line)
{
	snprintf(arg, 256, "%s", line);
}

/* The example's check hook: what init and reload refuse, said with file:line. */
static void test_example_check(const char *pdir)
{
	char text[512], got[256] = "", err[1024] = "";
	pxb_host *h = pxb_host_new(NULL, NULL, NULL);
	pxb_conf *good = settings_conf("example = { greeting = \"Hi\"; };"), *bad;

	snprintf(text, sizeof(text), "example = {\n  greeting = \"%0128d\";\n};\n", 0);
	bad = settings_conf(text);
	is_int(pxb_host_load(h, good, pdir, "example", err, sizeof(err)), 0, "load the example");
	pxb_conf_add_schema(bad, "example", pxb_host_plugin(h, 0)->settings);
	is_int(pxb_host_check_all(h, good, keep_line, got), 0, "a greeting that fits passes");
	is_int(pxb_host_check_all(h, bad, keep_line, got), 1, "one too long is one problem");
	is_str(got, "s.conf:2: example.greeting: longer than 127 bytes", "named with file:line");
	ok(pxb_host_init_all(h, bad, err, sizeof(err)) < 0, "init refuses what check refuses");
	is_int(pxb_host_init_all(h, good, err, sizeof(err)), 0, "and takes what it takes: %s", err);
	ok(pxb_host_reload_all(h, bad, err, sizeof(err)) < 0, "so does reload");
	pxb_host_free(h);
	pxb_conf_free(good);
	pxb_conf_free(bad);
}

int main(void)
{
	const char *pdir = getenv("PXB_PLUGIN_DIR"), *tdir = getenv("PXB_TEST_MODULES");
	char err[1024], want[2048];
	pxb_vfs *v = pxb_vfs_new();
	pxb_host *h = pxb_host_new(v, NULL, NULL);
	pxb_conf *c = pxb_conf_new();
	struct pxb_file f;
	struct pxb_client cl;

	plan_lazy();
	if (!pdir || !tdir) {
		printf("1..0 # SKIP PXB_PLUGIN_DIR/PXB_TEST_MODULES not set (run by make check)\n");
		return 0;
	}

	is_int(pxb_host_load(h, c, tdir, "plugin_badabi", err, sizeof(err)), PXB_ERR_ABI,
	       "a plugin built for another ABI is refused");
	snprintf(want, sizeof(want),
		 "plugin plugin_badabi: %s/plugin_badabi.so was built for plugin ABI %d, this "
		 "pxeboot speaks ABI %d", tdir, PXB_PLUGIN_ABI + 41, PXB_PLUGIN_ABI);
	is_str(err, want, "the refusal names the plugin and both ABI numbers");

	is_int(pxb_host_load(h, c, tdir, "plugin_nosym", err, sizeof(err)), PXB_ERR_INVAL,
	       "a shared object without descriptor is refused");
	ok(strstr(err, "has no symbol pxb_plugin_entry") != NULL, "names the missing symbol: %s",
	   err);

	is_int(pxb_host_load(h, c, "/nonexistent", "ghost", err, sizeof(err)), PXB_ERR_NOENT,
	       "a missing plugin is an error");
	ok(strstr(err, "/nonexistent/ghost.so") && strstr(err, "No such file"),
	   "names the path tried and dlerror's text: %s", err);
	is_int(pxb_host_load(h, c, pdir, "../x", err, sizeof(err)), PXB_ERR_INVAL,
	       "a name with '/' is refused");

	is_int(pxb_conf_load_string(c, "example = { greeting = \"Hi\"; };", "p.conf", ignore, NULL),
	       0, "config with a plugin section");
	is_int(pxb_conf_validate(c, 1, ignore, NULL), 1,
	       "the section is unknown before the plugin is loaded");
	is_int(pxb_host_load(h, c, pdir, "example", err, sizeof(err)), 0, "load the example plugin");
	is_int(pxb_host_load(h, c, pdir, "example", err, sizeof(err)), PXB_ERR_EXIST,
	       "loading twice is refused");
	is_int(pxb_conf_validate(c, 1, ignore, NULL), 0, "its settings join the schema");
	is_int(pxb_host_plugin_count(h), 1, "one plugin loaded");
	is_str(pxb_host_plugin(h, 0)->name, "example", "descriptor name");
	is_int(pxb_host_init_all(h, c, err, sizeof(err)), 0, "init");
	ok(pxb_host_find(h, PXB_SVC_VFS, "example", NULL) != NULL, "registered a service");

	memset(&cl, 0, sizeof(cl));
	cl.has_mac = 1;
	memcpy(cl.mac, "\x52\x54\x00\x12\x34\x56", 6);
	cl.addr.s_addr = htonl(0xc6120064);
	is_int(pxb_vfs_open(v, "/hello.txt", PXB_VFS_TFTP, &cl, &f), 0,
	       "the plugin's generated file is in the namespace");
	ok(f.size == strlen("Hi, 52:54:00:12:34:56 at 198.18.0.100\n") &&
	   memcmp(f.data, "Hi, 52:54:00:12:34:56 at 198.18.0.100\n", f.size) == 0,
	   "rendered for this client with the configured greeting");
	pxb_file_close(&f);

	pxb_host_free(h);
	is_int(pxb_vfs_open(v, "/hello.txt", PXB_VFS_TFTP, &cl, &f), PXB_ERR_NOENT,
	       "unloading removes the plugin's files");
	pxb_vfs_free(v);
	pxb_conf_free(c);
	test_host_mount();
	test_settings(tdir);
	test_example_defaults(pdir);
	test_example_check(pdir);
	return done_testing();
}
