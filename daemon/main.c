/*
 * main.c - pxebootd: command line, start-up, signals, shutdown.
 *
 * Start-up order: configuration (and plugins) validated completely before
 * anything binds; then the file namespace, plugins, protocol drivers,
 * pid file, privilege drop, and the loop. SIGHUP builds a whole new
 * configuration and swaps it in only when it is valid.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "services.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pxebootd [-tfdSV] [-c FILE] [-o SETTING=VALUE]... [-p PIDFILE] [-P PLUGIN_DIR]\n"
		"  -c FILE     configuration file (default: built-in defaults)\n"
		"  -t          check the configuration and exit (0 valid, 1 invalid)\n"
		"  -f          stay in the foreground, log to stderr\n"
		"  -d          debug logging\n"
		"  -o S=V      override setting S (e.g. -o tftp.listen=127.0.0.1:6969)\n"
		"  -p PIDFILE  write the process id to PIDFILE\n"
		"  -P DIR      load plugins from DIR (overrides plugin_dir)\n"
		"  -S          print every setting (core and loaded plugins) and exit\n"
		"  -V          print the version and exit\n");
}

struct errlist {
	unsigned n;
};

static void report_stderr(void *arg, const char *line)
{
	struct errlist *e = arg;

	fprintf(stderr, "%s\n", line);
	e->n++;
}

/* A warning of -t (pxb_conf_lint): printed, not counted. */
static void report_warning(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
}

static void report_log(void *arg, const char *line)
{
	struct errlist *e = arg;

	pxbd_log(PXB_LOG_ERR, "config", "%s", line);
	e->n++;
}

static const char *type_word(enum pxb_conf_type t)
{
	static const char *w[] = {"bool", "int", "string", "strings", "ints", "group", "list"};

	return (unsigned)t < sizeof(w) / sizeof(w[0]) ? w[t] : "?";
}

/* One line per setting: NAME TYPE DEFAULT DOC (tab-separated). */
static void print_setting(void *arg, const char *prefix, const struct pxb_conf_setting *s)
{
	(void)arg;
	printf("%s%s%s\t%s\t%s\t%s\n", prefix, *prefix ? "." : "", s->path, type_word(s->type),
	       !s->def ? "-" : *s->def ? s->def : "\"\"", s->doc ? s->doc : "");
}

static void log_limit(const pxb_conf *c)
{
	pxbd_log_limit((unsigned)pxb_conf_int(pxb_conf_root(c), "log_rate"),
		       (unsigned)pxb_conf_int(pxb_conf_root(c), "log_burst"));
}

/* Every 10 s: the count of log lines the limit held back, if any. */
static void on_log_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	pxbd_log_tick();
}

static void reload(struct pxbd *d)
{
	struct errlist errs = {0};
	pxb_conf *nc, *old;
	char err[1024];

	pxbd_log(PXB_LOG_NOTICE, "pxebootd", "reloading %s",
		 d->conf_path ? d->conf_path : "built-in configuration");
	nc = pxbd_config_load(d, d->host, report_log, &errs);
	if (!nc) {
		pxbd_log(PXB_LOG_ERR, "pxebootd", "new configuration has %u error(s); the running "
			 "one stays", errs.n);
		return;
	}
	if (pxbd_check_fd_limit(nc) < 0) {
		pxbd_log(PXB_LOG_ERR, "pxebootd", "new configuration does not fit the open files "
			 "limit; the running one stays");
		pxb_conf_free(nc);
		return;
	}
	old = d->conf;
	d->conf = nc;
	pxbd_log_set_level(pxb_conf_string(pxb_conf_root(nc), "log_level"));
	log_limit(nc);
	pxbd_mount_roots(d);
	if (pxb_host_reload_all(d->host, nc, err, sizeof(err)) < 0)
		pxbd_log(PXB_LOG_ERR, "pxebootd", "%s", err);
	for (unsigned i = 0; pxbd_services[i]; i++)
		if (pxbd_services[i]->reload)
			pxbd_services[i]->reload(d);
	pxb_conf_free(old);
	pxbd_log(PXB_LOG_NOTICE, "pxebootd", "configuration reloaded");
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct pxbd *d = arg;

	(void)what;
	if (sig == SIGHUP) {
		reload(d);
		return;
	}
	pxbd_log(PXB_LOG_NOTICE, "pxebootd", "signal %d: stopping", (int)sig);
	event_base_loopexit(d->base, NULL);
}

int main(int argc, char **argv)
{
	struct pxbd d;
	struct errlist errs = {0};
	const char *pidfile = NULL;
	int check_only = 0, print_schema = 0, opt, rc = 1;
	unsigned started = 0;
	struct event *sigs[3] = {NULL, NULL, NULL}, *tick = NULL;
	struct timeval ten = {10, 0};
	const pxb_conf_node *root;
	static const int signums[3] = {SIGHUP, SIGTERM, SIGINT};
	char err[1024];

	memset(&d, 0, sizeof(d));
	d.overrides = calloc((size_t)argc + 1, sizeof(char *));
	if (!d.overrides)
		return 1;
	while ((opt = getopt(argc, argv, "c:tfdSVo:p:P:h")) != -1) {
		switch (opt) {
		case 'c': d.conf_path = optarg; break;
		case 't': check_only = 1; break;
		case 'S': print_schema = check_only = 1; break;
		case 'f': d.foreground = 1; break;
		case 'd': d.debug = 1; break;
		case 'o': d.overrides[d.noverrides++] = optarg; break;
		case 'p': pidfile = optarg; break;
		case 'P': d.plugin_dir = optarg; break;
		case 'V': printf("pxebootd %s (libpxeboot %s, plugin ABI %d)\n", PACKAGE_VERSION,
				 pxb_version(), PXB_PLUGIN_ABI);
			free(d.overrides);
			return 0;
		case 'h': usage(stdout); free(d.overrides); return 0;
		default: usage(stderr); free(d.overrides); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		free(d.overrides);
		return 2;
	}
	pxbd_log_init(d.foreground || check_only, d.debug);
	pxbd_raise_fd_limit();

	d.vfs = pxb_vfs_new();
	d.host = d.vfs ? pxb_host_new(d.vfs, pxbd_log_cb, NULL) : NULL;
	if (!d.host) {
		fprintf(stderr, "pxebootd: out of memory\n");
		return 1;
	}
	d.conf = pxbd_config_load(&d, d.host, report_stderr, &errs);
	if (print_schema && d.conf) {
		pxb_conf_each_schema(d.conf, print_setting, NULL);
		rc = 0;
		goto out;
	}
	if (d.conf && pxbd_check_fd_limit(d.conf) < 0) {
		errs.n++;
		pxb_conf_free(d.conf);
		d.conf = NULL;
	}
	/*
	 * What main() refuses below before serving depends on who runs it, not
	 * on the file: -t says so (changing nothing) but judges the file alone.
	 */
	if (check_only && d.conf && !print_schema) {
		const char *user, *group;

		root = pxb_conf_root(d.conf);
		user = pxb_conf_string(root, "user");
		group = pxb_conf_string(root, "group");
		if (pxbd_check_root(user, pxb_conf_bool(root, "allow_root")) < 0 ||
		    pxbd_check_ids(user, group) < 0)
			fprintf(stderr, "%s: warning: started by this user, pxebootd would refuse "
				"to serve (above)\n", d.conf_path ? d.conf_path : "<built-in>");
	}
	if (check_only && d.conf && !print_schema)
		pxb_conf_lint(d.conf, d.host, report_warning, NULL);
	if (check_only) {
		if (d.conf)
			printf("%s: configuration is valid\n",
			       d.conf_path ? d.conf_path : "<built-in>");
		else
			fprintf(stderr, "%s: %u error(s)\n",
				d.conf_path ? d.conf_path : "<built-in>", errs.n);
		rc = d.conf ? 0 : 1;
		goto out;
	}
	if (!d.conf)
		goto out;
	root = pxb_conf_root(d.conf);
	pxbd_log_set_level(pxb_conf_string(root, "log_level"));
	if (pxbd_check_root(pxb_conf_string(root, "user"), pxb_conf_bool(root, "allow_root")) < 0 ||
	    pxbd_prepare_state_dir(pxb_conf_string(root, "state_dir"), pxb_conf_string(root, "user"),
				   pxb_conf_string(root, "group")) < 0)
		goto out;

	if (!d.foreground && pxbd_daemonize() < 0) {
		fprintf(stderr, "pxebootd: cannot become a daemon: %s\n", strerror(errno));
		goto out;
	}
	/* Writes to a closed peer must fail with EPIPE, not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	d.base = event_base_new();
	if (!d.base || event_base_priority_init(d.base, PXBD_PRIORITIES) < 0) {
		pxbd_log(PXB_LOG_ERR, "pxebootd", "cannot create the event loop");
		goto out;
	}
	pxb_host_set_event_base(d.host, d.base);
	pxbd_mount_roots(&d);
	if (pxb_host_init_all(d.host, d.conf, err, sizeof(err)) < 0) {
		pxbd_log(PXB_LOG_ERR, "pxebootd", "%s", err);
		goto out;
	}
	for (; pxbd_services[started]; started++)
		if (pxbd_services[started]->start(&d) < 0)
			goto out;
	if (pidfile && pxbd_write_pidfile(pidfile) < 0) {
		pxbd_log(PXB_LOG_ERR, "pxebootd", "cannot write pid file %s: %s", pidfile,
			 strerror(errno));
		goto out;
	}
	/* Once more: a service may just have made state_dir. */
	if (pxbd_prepare_state_dir(pxb_conf_string(root, "state_dir"), pxb_conf_string(root, "user"),
				   pxb_conf_string(root, "group")) < 0)
		goto out;
	if (pxbd_drop_privileges(pxb_conf_string(root, "user"), pxb_conf_string(root, "group"),
				 pxb_conf_bool(root, "allow_root")) < 0)
		goto out;
	for (int i = 0; i < 3; i++) {
		sigs[i] = evsignal_new(d.base, signums[i], on_signal, &d);
		if (!sigs[i] || evsignal_add(sigs[i], NULL) < 0)
			goto out;
	}
	tick = event_new(d.base, -1, EV_PERSIST, on_log_tick, NULL);
	if (!tick || event_add(tick, &ten) < 0)
		goto out;
	/* From here on, what a peer can make pxebootd log is limited. */
	log_limit(d.conf);
	pxbd_log(PXB_LOG_NOTICE, "pxebootd", "pxebootd %s started (%s, %u plugin(s))",
		 PACKAGE_VERSION, d.conf_path ? d.conf_path : "built-in configuration",
		 pxb_host_plugin_count(d.host));
	event_base_dispatch(d.base);
	rc = 0;
out:
	while (started-- > 0)
		if (pxbd_services[started]->stop)
			pxbd_services[started]->stop(&d);
	for (int i = 0; i < 3; i++)
		if (sigs[i])
			event_free(sigs[i]);
	if (tick)
		event_free(tick);
	pxbd_log_tick();
	pxb_host_free(d.host);
	pxb_vfs_free(d.vfs);
	pxb_conf_free(d.conf);
	if (d.base)
		event_base_free(d.base);
	if (pidfile && rc == 0)
		unlink(pidfile);
	free(d.overrides);
	if (rc == 0 && !check_only)
		pxbd_log(PXB_LOG_NOTICE, "pxebootd", "stopped");
	return rc;
}
