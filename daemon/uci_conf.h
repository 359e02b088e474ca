/*
 * uci_conf.h - pxeboot.conf text made from OpenWrt's UCI files, for
 * pxebootctl: "uci" (/etc/config/pxeboot and the tagged hosts of
 * /etc/config/dhcp, uci_pxeboot.c) and "import uci" (dnsmasq's sections of
 * /etc/config/dhcp, uci_import.c). Values are written as libconfig strings,
 * escaped, so no UCI value can add a setting of its own.
 */
#ifndef PXBD_UCI_CONF_H
#define PXBD_UCI_CONF_H

#include <stdio.h>

#include "uci.h"

/* s as a libconfig string, quoted and escaped, on f. */
void pxbd_conf_quote(FILE *f, const char *s);

/*
 * pxeboot.conf for the UCI file pxeboot (/etc/config/pxeboot) on out; dhcp
 * (/etc/config/dhcp, may be NULL) gives the hosts with "option tag".
 * Problems go to err as "file:line: what". Returns 0, or 1 when a section
 * or option is not one pxeboot knows or a value does not fit (nothing is
 * written then).
 */
int pxbd_uci_pxeboot(const struct pxb_uci *pxeboot, const struct pxb_uci *dhcp, FILE *out,
		     FILE *err);

/*
 * pxeboot.conf equivalent to dnsmasq's sections of dhcp (/etc/config/dhcp)
 * on out; network (/etc/config/network, may be NULL) gives the interfaces'
 * addresses for the "dhcp" pools. What cannot be translated goes to err as
 * "file:line: option: why". Returns 0 when the translation is complete,
 * 1 when something was left out.
 */
int pxbd_uci_import(const struct pxb_uci *dhcp, const struct pxb_uci *network, FILE *out,
		    FILE *err);

/* pxebootctl's commands (pxebootctl_uci.c): the words after "uci" / "import uci". */
int pxbctl_uci(int argc, char **argv);
int pxbctl_import_uci(int argc, char **argv);

#endif
