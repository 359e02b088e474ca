/*
 * boot_renderer.c - what every menu renderer plugin does the same way with
 * the menus it renders: serve one as a file of the namespace.
 */
#include "config.h"

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
