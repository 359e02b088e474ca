/*
 * http_host.c - a minimal host for the HTTP plugin: the plugin tested alone,
 * without pxebootd. It builds a file namespace (http.root at "/" and a small
 * generated file at "/menu.txt" that echoes the client it was made for),
 * records one known client as DHCP would, loads the plugin, and runs a
 * libevent loop until SIGTERM or SIGINT.
 *
 *   http_host [-n] PLUGIN_DIR CONFIG_FILE
 *
 * -n gives the plugin no event loop (it must then run its own thread).
 * Log lines go to stderr as "LEVEL SOURCE: MESSAGE"; "ready" is printed on
 * stdout once the plugin listens.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <event2/event.h>

#include <pxeboot/pxeboot.h>

static void log_line(void *arg, int level, const char *source, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%d %s: %s\n", level, source, msg);
}

static void report(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "config: %s\n", line);
}

/* "/menu.txt": one line naming the client, as a menu renderer would see it. */
static int menu_open(void *arg, const char *relpath, const struct pxb_client *c,
		     struct pxb_file *f)
{
	char text[256], mac[18] = "-", ip[INET_ADDRSTRLEN], srv[INET_ADDRSTRLEN];
	int n, rc;

	(void)arg;
	if (*relpath)
		return PXB_ERR_NOENT;
	if (c && c->has_mac)
		pxb_mac_format(c->mac, mac, ':');
	inet_ntop(AF_INET, c ? &c->addr : &(struct in_addr){0}, ip, sizeof(ip));
	inet_ntop(AF_INET, c ? &c->server_addr : &(struct in_addr){0}, srv, sizeof(srv));
	n = snprintf(text, sizeof(text), "mac=%s ip=%s arch=%u server=%s port=%u\n", mac, ip,
		     c ? c->arch : 0, srv, c ? c->http_port : 0);
	rc = pxb_file_from_buffer(f, text, (size_t)n, 1);
	if (rc < 0)
		return rc;
	f->generated = 1;
	f->content_type = "text/plain; charset=utf-8";
	return 0;
}

static const struct pxb_vfs_provider menu = {.name = "menu", .open = menu_open};

static volatile sig_atomic_t stop;

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

static void on_signal_plain(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	int nobase = 0, rc = 1;
	pxb_vfs *vfs = NULL;
	pxb_host *h = NULL;
	pxb_conf *conf = NULL;
	struct event_base *base = NULL;
	struct event *sterm = NULL, *sint = NULL;
	struct pxb_client known = {.has_mac = 1, .mac = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
				   .arch = 7};
	char err[512];
	const char *root;

	if (argc > 1 && strcmp(argv[1], "-n") == 0) {
		nobase = 1;
		argc--;
		argv++;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: http_host [-n] PLUGIN_DIR CONFIG_FILE\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	vfs = pxb_vfs_new();
	conf = pxb_conf_new();
	h = vfs ? pxb_host_new(vfs, log_line, NULL) : NULL;
	if (!vfs || !conf || !h)
		goto out;
	if (pxb_host_load(h, conf, argv[1], "http", err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (pxb_conf_load_file(conf, argv[2], report, NULL) < 0 ||
	    pxb_conf_validate(conf, 1, report, NULL) != 0)
		goto out;
	root = pxb_conf_string(pxb_conf_root(conf), "http.root");
	if (pxb_vfs_mount_dir(vfs, "/", root, PXB_VFS_HTTP) < 0) {
		fprintf(stderr, "cannot mount %s\n", root);
		goto out;
	}
	if (pxb_vfs_mount_provider(vfs, "/menu.txt", &menu, NULL, PXB_VFS_HTTP) < 0)
		goto out;
	/* What DHCP would have recorded for a client at 127.0.0.1. */
	inet_pton(AF_INET, "127.0.0.1", &known.addr);
	pxb_host_note_client(h, &known);
	if (!nobase) {
		base = event_base_new();
		if (!base)
			goto out;
		pxb_host_set_event_base(h, base);
	}
	/* Signals first: a test may stop us as soon as the plugin listens. */
	if (base) {
		sterm = evsignal_new(base, SIGTERM, on_signal, base);
		sint = evsignal_new(base, SIGINT, on_signal, base);
		if (!sterm || !sint || evsignal_add(sterm, NULL) < 0 || evsignal_add(sint, NULL) < 0)
			goto out;
	} else {
		signal(SIGTERM, on_signal_plain);
		signal(SIGINT, on_signal_plain);
	}
	if (pxb_host_init_all(h, conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	printf("ready\n");
	fflush(stdout);
	if (base)
		event_base_dispatch(base);
	else
		while (!stop)
			pause();
	fprintf(stderr, "stopping\n");
	rc = 0;
out:
	pxb_host_free(h); /* the plugin's fini runs here, before its loop goes */
	if (sterm)
		event_free(sterm);
	if (sint)
		event_free(sint);
	if (base)
		event_base_free(base);
	pxb_conf_free(conf);
	pxb_vfs_free(vfs);
	return rc;
}
