/*
 * example.c - the template for writing a pxeboot plugin.
 *
 * It adds one generated file, /hello.txt (name configurable), to the file
 * namespace for TFTP and HTTP; its content greets the client by MAC and
 * address. Copy this file to start a plugin of your own:
 *
 *   cc -shared -fPIC -fvisibility=hidden -o example.so example.c \
 *      $(pkg-config --cflags --libs libpxeboot)
 *
 * and load it with `plugins = ["example"];` and plugin_dir (or -P).
 *
 * A boot menu renderer (a new menu format) needs none of this glue: it
 * describes itself in a struct pxb_menu_plugin_desc and lets
 * pxb_menu_plugin_init() keep its model, mounts and registration
 * (pxeboot/boot_menu_plugin.h; plugins/pxelinux/pxelinux.c is a short one).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/pxeboot.h>

struct example {
	pxb_host *host;
	char greeting[128];
	char path[256];
};

/* The plugin's settings: section "example" of the configuration. */
static const struct pxb_conf_setting settings[] = {
	{"greeting", PXB_CT_STRING, "Hello", 0, 0, NULL, NULL, "first word of /hello.txt"},
	{"path", PXB_CT_STRING, "/hello.txt", 0, 0, NULL, pxb_check_abs_path,
	 "where the greeting is served"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

/*
 * Renders the greeting for this client into a memory file. Called on the
 * daemon's loop; the file is then read from the TFTP transfer thread until
 * its release (pxeboot/vfs.h), so it owns its bytes: pxb_file_from_buffer()
 * copies the text, and a reload that changes ex->greeting changes no open
 * file.
 */
static int hello_open(void *arg, const char *rel, const struct pxb_client *c,
		      struct pxb_file *f)
{
	struct example *ex = arg;
	char text[256], mac[18] = "unknown", ip[INET_ADDRSTRLEN] = "unknown";
	int n;

	if (*rel)
		return PXB_ERR_NOENT; /* only the mount point itself exists */
	if (c && c->has_mac)
		pxb_mac_format(c->mac, mac, ':');
	if (c && c->addr.s_addr)
		inet_ntop(AF_INET, &c->addr, ip, sizeof(ip));
	n = snprintf(text, sizeof(text), "%s, %s at %s\n", ex->greeting, mac, ip);
	if (n < 0 || (size_t)n >= sizeof(text))
		return PXB_ERR_TOOBIG;
	if (pxb_file_from_buffer(f, text, (size_t)n, 1) < 0)
		return PXB_ERR_NOMEM;
	f->generated = 1;
	f->content_type = "text/plain; charset=utf-8";
	return 0;
}

static const struct pxb_vfs_provider hello_provider = {
	.name = "example",
	.open = hello_open,
};

/*
 * Reads the settings. sec is never NULL: without an "example" section in the
 * file each getter answers the default of the table above. The values are
 * copied, as the section is only valid during init or reload.
 */
static void apply(struct example *ex, const pxb_conf_node *sec)
{
	snprintf(ex->greeting, sizeof(ex->greeting), "%s", pxb_conf_string(sec, "greeting"));
	snprintf(ex->path, sizeof(ex->path), "%s", pxb_conf_string(sec, "path"));
}

/*
 * The optional check (struct pxb_plugin): judges the section as init does,
 * with no side effect, so pxebootd -t reports what init would refuse.
 * Settings' types and the schema's value checks (path above) are already
 * judged; this is for what only the plugin knows: here, that the greeting
 * fits. Returns how many problems went to report.
 */
static int example_check(const pxb_conf_node *sec, pxb_conf_report_fn report, void *arg)
{
	const char *g = pxb_conf_string(sec, "greeting");

	if (strlen(g) >= sizeof(((struct example *)0)->greeting)) {
		pxb_conf_problem(report, arg, sec, "greeting", "longer than %zu bytes",
				 sizeof(((struct example *)0)->greeting) - 1);
		return 1;
	}
	return 0;
}

/* init and reload say what check finds in the log, and refuse the section. */
static void log_problem(void *arg, const char *line)
{
	pxb_host_log(arg, PXB_LOG_ERR, "%s", line);
}

static int example_init(pxb_host *h, const pxb_conf_node *sec, void **state)
{
	struct example *ex = calloc(1, sizeof(*ex));
	int rc;

	if (!ex)
		return PXB_ERR_NOMEM;
	if (example_check(sec, log_problem, h) > 0) {
		free(ex);
		return PXB_ERR_INVAL;
	}
	ex->host = h;
	apply(ex, sec);
	/* The mount belongs to ex; the host also removes it when the plugin is unloaded. */
	rc = pxb_host_mount(h, ex->path, &hello_provider, ex, PXB_VFS_ALL);
	if (rc == 0)
		rc = pxb_host_register(h, PXB_SVC_VFS, "example", &hello_provider, ex);
	if (rc < 0) {
		pxb_host_unmount(h, ex);
		free(ex);
		return rc;
	}
	pxb_host_log(h, PXB_LOG_INFO, "serving %s", ex->path);
	*state = ex;
	return 0;
}

static int example_reload(void *state, const pxb_conf_node *sec)
{
	struct example *ex = state;
	char old[256];

	if (example_check(sec, log_problem, ex->host) > 0)
		return PXB_ERR_INVAL;
	snprintf(old, sizeof(old), "%s", ex->path);
	apply(ex, sec);
	/* pxb_host_mount replaces the mount ex owned at the old path. */
	if (strcmp(old, ex->path) != 0)
		return pxb_host_mount(ex->host, ex->path, &hello_provider, ex, PXB_VFS_ALL);
	return 0;
}

static void example_fini(void *state)
{
	free(state); /* the host removes our mounts and registrations */
}

PXB_PLUGIN(.name = "example", .version = "1.0", .summary = "greets clients in /hello.txt",
	   .settings = settings, .init = example_init, .reload = example_reload,
	   .fini = example_fini, .check = example_check);
