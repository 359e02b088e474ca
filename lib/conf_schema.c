/*
 * conf_schema.c - the core schema: every setting libpxeboot and pxebootd
 * read, with type, default, limits and a line of documentation. Plugins
 * describe their own sections (struct pxb_plugin.settings).
 *
 * Fixed names (scripts and packaging rely on them): plugin_dir, state_dir,
 * user, group, tftp.root, tftp.listen, http.root, http.listen, dhcp.mode,
 * dhcp.interfaces.
 */
#include "config.h"

#include <pxeboot/conf.h>
#include "conf_schema.h"

#ifndef PXB_PLUGIN_DIR
#define PXB_PLUGIN_DIR "/usr/local/lib/pxeboot"
#endif
#ifndef PXB_LOCALSTATEDIR
#define PXB_LOCALSTATEDIR "/var"
#endif

static const struct pxb_conf_setting general[] = {
	{"plugin_dir", PXB_CT_STRING, PXB_PLUGIN_DIR, 0, 0, NULL, pxb_check_abs_path,
	 "directory the plugins (NAME.so) are loaded from"},
	{"plugins", PXB_CT_STRINGS, "", 0, 0, NULL, NULL,
	 "plugins to load, by name, in order"},
	{"state_dir", PXB_CT_STRING, PXB_LOCALSTATEDIR "/lib/pxeboot", 0, 0, NULL,
	 pxb_check_abs_path, "directory for leases and other durable state"},
	{"user", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "user to run as after binding sockets (empty: stay)"},
	{"group", PXB_CT_STRING, "", 0, 0, NULL, NULL,
	 "group to run as after binding sockets (empty: the user's group)"},
	{"log_level", PXB_CT_STRING, "info", 0, 0, "err|warning|notice|info|debug", NULL,
	 "least important level logged"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static const struct pxb_conf_setting tftp[] = {
	{"enable", PXB_CT_BOOL, "true", 0, 0, NULL, NULL, "serve TFTP"},
	{"root", PXB_CT_STRING, "/srv/pxeboot/tftp", 0, 0, NULL, pxb_check_abs_path,
	 "directory served at / over TFTP"},
	{"listen", PXB_CT_STRING, "0.0.0.0:69", 0, 0, NULL, pxb_check_listen,
	 "address (and port) TFTP requests arrive on"},
	{"max_blksize", PXB_CT_INT, "65464", 8, 65464, NULL, NULL,
	 "largest block size granted (RFC 2348)"},
	{"max_windowsize", PXB_CT_INT, "64", 1, 65535, NULL, NULL,
	 "largest window granted (RFC 7440)"},
	{"timeout", PXB_CT_INT, "1", 1, 255, NULL, NULL,
	 "seconds before a block is sent again unless the client asks otherwise"},
	{"retries", PXB_CT_INT, "6", 1, 100, NULL, NULL,
	 "times a block is sent again before the transfer is abandoned"},
	{"max_transfers", PXB_CT_INT, "2000", 1, 100000, NULL, NULL,
	 "transfers served at once, all clients together"},
	{"max_per_client", PXB_CT_INT, "16", 1, 1000, NULL, NULL,
	 "transfers served at once to one client address"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

/* http.root and http.listen belong to the core: the namespace is shared. */
static const struct pxb_conf_setting http[] = {
	{"root", PXB_CT_STRING, "/srv/pxeboot/http", 0, 0, NULL, pxb_check_abs_path,
	 "directory served at / over HTTP"},
	{"listen", PXB_CT_STRING, "0.0.0.0:80", 0, 0, NULL, pxb_check_listen,
	 "address (and port) of the HTTP server"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static const struct pxb_conf_setting dhcp[] = {
	{"mode", PXB_CT_STRING, "off", 0, 0, "server|proxy|off", NULL,
	 "off: no DHCP; proxy: boot information beside another DHCP server; server: addresses too"},
	{"interfaces", PXB_CT_STRINGS, "", 0, 0, NULL, NULL,
	 "interfaces DHCP is served on (required unless mode is off)"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

int pxb__conf_add_core_schema(pxb_conf *c)
{
	if (pxb_conf_add_schema(c, NULL, general) < 0 ||
	    pxb_conf_add_schema(c, "tftp", tftp) < 0 ||
	    pxb_conf_add_schema(c, "http", http) < 0 ||
	    pxb_conf_add_schema(c, "dhcp", dhcp) < 0 ||
	    pxb_conf_add_schema(c, NULL, pxb__boot_schema) < 0)
		return PXB_ERR_NOMEM;
	return 0;
}
