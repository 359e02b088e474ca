/*
 * boot_renderer.c - what every menu renderer plugin does the same way with
 * the menus it renders: serve one as a file of the namespace, and find what
 * the host knows of the client a per-client file name is for.
 */
#include "config.h"

#include <string.h>

#include <pxeboot/boot.h>

int pxb_boot_menu_file(struct pxb_file *f,
		       int (*render)(void *arg, const struct pxb_client *client, char **out,
				     size_t *len),
		       void *arg, const struct pxb_client *client)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = render(arg, client, &buf, &len);

	if (rc < 0)
		return rc == PXB_ERR_NOMEM ? rc : PXB_ERR_IO;
	pxb_file_take_buffer(f, buf, len);
	f->generated = 1;
	f->content_type = "text/plain; charset=utf-8";
	return 0;
}

int pxb_boot_known_client(pxb_host *h, const char *name, struct pxb_client *out)
{
	struct pxb_client c;

	memset(&c, 0, sizeof(c));
	switch (pxb_boot_client_by_name(name, NULL, &c)) {
	case PXB_BOOT_NAME_MAC:
		return pxb_host_client_by_mac(h, c.mac, out);
	case PXB_BOOT_NAME_IP:
		return pxb_host_client_by_addr(h, c.addr, out);
	case PXB_BOOT_NAME_IP_PREFIX:
	case PXB_BOOT_NAME_NONE:
		break;
	}
	return PXB_ERR_NOENT;
}
