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

/* uci [PXEBOOT [DHCP]]: 0 done, 1 a problem in the files, 2 a file cannot be read. */
int pxbctl_uci(int argc, char **argv)
{
	const char *pp = argc > 0 ? argv[0] : "/etc/config/pxeboot";
	const char *dp = argc > 1 ? argv[1] : "/etc/config/dhcp";
	struct pxb_uci *p, *d = NULL;
	int rc;

	if (argc > 2) {
		fprintf(stderr, "usage: pxebootctl uci [/etc/config/pxeboot [/etc/config/dhcp]]\n");
		return 2;
	}
	if (!(p = load(pp)))
		return 2;
	/* Without a dhcp file of its own (not named), there are no tagged hosts to take. */
	if ((argc > 1 || access(dp, F_OK) == 0) && *dp && !(d = load(dp))) {
		pxb_uci_free(p);
		return 2;
	}
	rc = pxbd_uci_pxeboot(p, d, stdout, stderr);
	pxb_uci_free(p);
	pxb_uci_free(d);
	return fflush(stdout) == 0 ? rc : 2;
}

/* import uci DHCP [NETWORK]: 0 complete, 1 something left out, 2 a file cannot be read. */
int pxbctl_import_uci(int argc, char **argv)
{
	struct pxb_uci *d, *n = NULL;
	char np[4096];
	int rc;

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
	if (!(d = load(argv[0])))
		return 2;
	if ((argc > 1 || access(np, F_OK) == 0) && !(n = load(np))) {
		pxb_uci_free(d);
		return 2;
	}
	rc = pxbd_uci_import(d, n, stdout, stderr);
	pxb_uci_free(d);
	pxb_uci_free(n);
	return fflush(stdout) == 0 ? rc : 2;
}
