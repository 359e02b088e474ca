/*
 * install_menu.c - what an unattended install changes in a client's boot
 * menu, the same for every menu renderer (iPXE, PXELINUX, GRUB): asked for,
 * the install's entry is the default; done, the local disk is; either after
 * install.timeout seconds. Only for a client DHCP proved to be the machine
 * (pxb_policy_client_proven): a MAC in a request is anyone's word.
 * See pxeboot/install.h.
 */
#include "config.h"

#include <string.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/boot.h>
#include <pxeboot/install.h>
#include <pxeboot/policy.h>

/* "local" when c's menu shows it, else "exit" (the firmware's next device: the disk). */
static const char *local_id(const pxb_boot_model *m, const struct pxb_client *c)
{
	struct pxb_boot_view *v = NULL;
	const char *id = "exit";

	if (pxb_boot_model_for_client(m, c, &v) < 0)
		return id;
	for (unsigned i = 0; i < v->nitems; i++)
		if (v->items[i].type == PXB_ITEM_ENTRY && !strcmp(v->items[i].entry->id, "local"))
			id = "local";
	pxb_boot_view_free(v);
	return id;
}

int pxb_install_menu(pxb_host *h, const pxb_boot_model *m, const struct pxb_client *c,
		     int64_t now, struct pxb_install_menu *out)
{
	const pxb_conf *conf;
	struct pxb_install x;
	char mac[18];

	memset(out, 0, sizeof(*out));
	if (!h || !m || !c || !c->has_mac || !pxb_host_installs(h) ||
	    pxb_installs_get(pxb_host_installs(h), c->mac, &x) < 0 ||
	    !pxb_policy_client_proven(h, c->mac, c->addr, now))
		return 0;
	if (x.state == PXB_INSTALL_DONE)
		snprintf(out->default_id, sizeof(out->default_id), "%s", local_id(m, c));
	else if (x.until > now)
		snprintf(out->default_id, sizeof(out->default_id), "%s", x.entry);
	else
		return 0;
	conf = pxb_host_conf(h);
	out->timeout = conf ? (unsigned)pxb_conf_int(pxb_conf_root(conf), "install.timeout") : 3;
	pxb_host_log(h, PXB_LOG_NOTICE, "install menu for %s: %s%s",
		     pxb_mac_format(c->mac, mac, ':'), out->default_id,
		     x.state == PXB_INSTALL_DONE ? " (installed)" : " (unattended install)");
	return 1;
}
