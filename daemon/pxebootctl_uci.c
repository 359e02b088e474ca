/*
 * pxebootctl_uci.c - pxebootctl's OpenWrt commands: "uci" (pxeboot.conf
 * from /etc/config/pxeboot and the tagged hosts of /etc/config/dhcp, what
 * the init script runs) and "import uci" (pxeboot.conf equivalent to the
 * router's dnsmasq setup in /etc/config/dhcp). See pxebootctl(8).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "uci_conf.h"

static struct pxb_uci *load(const char *path)
{
	struct pxb_uci *u;
	char err[512];

	if (pxb_uci_load(path, &u, err, sizeof(err)) < 0) {
		fprintf(stderr, "pxebootctl: %s\n", err);
		return NULL;
	}
	return u;
}

/*
 * fn on the files first and second (read only when with_second, else NULL),
 * to stdout: what fn returns, or 2 when a file cannot be read or stdout written.
 */
static int run(const char *first, const char *second, int with_second,
	       int (*fn)(const struct pxb_uci *, const struct pxb_uci *, FILE *, FILE *))
{
	struct pxb_uci *a, *b = NULL;
	int rc;

	if (!(a = load(first)))
		return 2;
	if (with_second && !(b = load(second))) {
		pxb_uci_free(a);
		return 2;
	}
	rc = fn(a, b, stdout, stderr);
	pxb_uci_free(a);
	pxb_uci_free(b);
	return fflush(stdout) == 0 ? rc : 2;
}

/* uci [PXEBOOT [DHCP]]: 0 done, 1 a problem in the files, 2 a file cannot be read. */
int pxbctl_uci(int argc, char **argv)
{
	const char *pp = argc > 0 ? argv[0] : "/etc/config/pxeboot";
	const char *dp = argc > 1 ? argv[1] : "/etc/config/dhcp";

	if (argc > 2) {
		fprintf(stderr, "usage: pxebootctl uci [/etc/config/pxeboot [/etc/config/dhcp]]\n");
		return 2;
	}
	/* Without a dhcp file of its own (not named), there are no tagged hosts to take. */
	return run(pp, dp, (argc > 1 || access(dp, F_OK) == 0) && *dp, pxbd_uci_pxeboot);
}

/* import uci DHCP [NETWORK]: 0 complete, 1 something left out, 2 a file cannot be read. */
int pxbctl_import_uci(int argc, char **argv)
{
	char np[4096];

	if (argc < 1 || argc > 2) {
		fprintf(stderr, "usage: pxebootctl import uci /etc/config/dhcp [/etc/config/network]\n");
		return 2;
	}
	if (argc > 1) {
		snprintf(np, sizeof(np), "%s", argv[1]);
	} else { /* the network file beside the dhcp one, when there is one */
		const char *slash = strrchr(argv[0], '/');
		snprintf(np, sizeof(np), "%.*snetwork", slash ? (int)(slash - argv[0] + 1) : 0,
			 argv[0]);
	}
	return run(argv[0], np, argc > 1 || access(np, F_OK) == 0, pxbd_uci_import);
}
