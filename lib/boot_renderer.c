/*
 * boot_renderer.c - what every menu renderer plugin does the same way with
 * the menus it renders: serve one as a file of the namespace, and find what
 * the host knows of the client a per-client file name is for.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <pxeboot/boot.h>
#include <pxeboot/boot_menu_plugin.h>

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

int pxb_boot_render_mem(pxb_boot_write_fn write, const pxb_boot_model *m,
			const struct pxb_client *client, const void *opts, char **buf, size_t *len,
			pxb_boot_warn_fn warn, void *warn_arg)
{
	FILE *f = open_memstream(buf, len);
	int rc;

	if (!f)
		return PXB_ERR_NOMEM;
	rc = write(m, client, opts, f, warn, warn_arg);
	if (fclose(f) != 0 && rc == 0)
		rc = PXB_ERR_NOMEM;
	if (rc < 0) {
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

void pxb_boot_warn_log(void *host, const char *msg)
{
	pxb_host_log(host, PXB_LOG_WARNING, "%s", msg);
}

char *pxb_boot_body_close(FILE *f, char **text, const char *why, pxb_boot_warn_fn warn,
			  void *warn_arg, const char *format, const char *id)
{
	if (fclose(f) != 0) {
		free(*text);
		return NULL;
	}
	if (why) {
		pxb_boot_warn_left_out(warn, warn_arg, format, id, why);
		free(*text);
		return NULL;
	}
	return *text;
}

int pxb_boot_bodies(const struct pxb_boot_view *v, const char *default_id, pxb_boot_body_fn body,
		    void *arg, char ***bodies, const struct pxb_boot_entry **def, unsigned *n)
{
	char **b = calloc(v->nitems + 1, sizeof(*b));
	const struct pxb_boot_entry *d = NULL;
	unsigned count = 0;

	if (!b)
		return PXB_ERR_NOMEM;
	for (unsigned i = 0; i < v->nitems; i++) {
		const struct pxb_boot_entry *e = v->items[i].entry;

		if (v->items[i].type != PXB_ITEM_ENTRY)
			continue;
		b[i] = body(arg, i, e);
		if (!b[i])
			continue;
		count++;
		if (e == v->def && !d)
			d = e;
		if (default_id && !strcmp(e->id, default_id))
			d = e;
	}
	for (unsigned i = 0; i < v->nitems && !d; i++)
		if (b[i])
			d = v->items[i].entry;
	*bodies = b;
	*def = d;
	if (n)
		*n = count;
	return 0;
}

void pxb_boot_bodies_free(const struct pxb_boot_view *v, char **bodies)
{
	if (!bodies)
		return;
	for (unsigned i = 0; i < v->nitems; i++)
		free(bodies[i]);
	free(bodies);
}
