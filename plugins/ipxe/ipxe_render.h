/*
 * ipxe_render.h - the iPXE menu script renderer (boot model + client -> script).
 * Kept apart from the plugin glue so tests can link it directly.
 */
#ifndef PXB_IPXE_RENDER_H
#define PXB_IPXE_RENDER_H

#include <stdio.h>
#include <pxeboot/boot.h>

/* Receives a line about an entry left out of the script (unsafe arguments). */
typedef void (*pxb_ipxe_warn_fn)(void *arg, const char *msg);

/*
 * Writes the menu script for client (may be NULL) to out. Entries whose
 * arguments would change the script (a token "&&", "||", ";", a token
 * starting with '#', "${" left after expansion, control characters) or
 * whose files have no URL are left out and reported through warn.
 * Returns 0, PXB_ERR_NOMEM, PXB_ERR_IO.
 */
int pxb_ipxe_render(const pxb_boot_model *m, const struct pxb_client *client, FILE *out,
		    pxb_ipxe_warn_fn warn, void *warn_arg);

/* Same, into a malloc'ed NUL-terminated buffer. */
int pxb_ipxe_render_buf(const pxb_boot_model *m, const struct pxb_client *client, char **buf,
			size_t *len, pxb_ipxe_warn_fn warn, void *warn_arg);

/* What an armed boot changes in the menu (pxeboot/policy.h). */
struct pxb_ipxe_opts {
	const char *default_id;  /* this entry is the default, when the client sees it */
	unsigned min_timeout;    /* seconds; a menu that would wait forever waits this long */
	unsigned force_timeout;  /* seconds; not 0: the menu waits this long, whatever it says */
};

/* pxb_ipxe_render as a pxb_boot_write_fn (o: a struct pxb_ipxe_opts, or NULL). */
int pxb_ipxe_write(const pxb_boot_model *m, const struct pxb_client *client, const void *o,
		   FILE *out, pxb_boot_warn_fn warn, void *warn_arg);

/* pxb_ipxe_render_buf with options (o may be NULL). */
int pxb_ipxe_render_buf_opts(const pxb_boot_model *m, const struct pxb_client *client,
			     const struct pxb_ipxe_opts *o, char **buf, size_t *len,
			     pxb_ipxe_warn_fn warn, void *warn_arg);

/*
 * Writes text as iPXE command arguments that display as text and cannot
 * end the command, start a comment or expand a setting (exposed for tests).
 * first_positional: the first token is parsed as a positional argument
 * (a leading '-' would be read as an option).
 */
void pxb_ipxe_put_text(FILE *out, const char *text, int first_positional);

#endif
