/*
 * grub_render.h - the GRUB configuration renderer and the lookup rules for
 * the grub.cfg names GRUB asks for. Kept apart from the plugin glue so tests
 * can link it directly.
 */
#ifndef PXB_GRUB_RENDER_H
#define PXB_GRUB_RENDER_H

#include <stdio.h>
#include <pxeboot/boot.h>

struct pxb_grub_opts {
	int serial; /* serial --unit=0 --speed=115200, terminals serial and console */
	const char *default_id; /* this entry is the default, when the client sees it */
	unsigned force_timeout; /* seconds; not 0: the menu waits this long, whatever it says */
};

typedef void (*pxb_grub_warn_fn)(void *arg, const char *msg);

/*
 * Writes grub.cfg for client (may be NULL) to out. Kernels and initrds are
 * loaded over TFTP from the server GRUB booted from, (tftp,$net_default_server),
 * since Debian's signed GRUB has no HTTP. Entries that cannot boot from
 * GRUB under Secure Boot (memdisk, chained binaries, sanboot, shell) and
 * entries whose paths are URLs or whose arguments or paths hold control
 * characters are left out with a comment saying why (the latter also
 * reported through warn). Returns 0, PXB_ERR_NOMEM, PXB_ERR_IO.
 */
int pxb_grub_render(const pxb_boot_model *m, const struct pxb_client *client,
		    const struct pxb_grub_opts *o, FILE *out, pxb_grub_warn_fn warn,
		    void *warn_arg);

int pxb_grub_render_buf(const pxb_boot_model *m, const struct pxb_client *client,
			const struct pxb_grub_opts *o, char **buf, size_t *len,
			pxb_grub_warn_fn warn, void *warn_arg);

/* pxb_grub_render as a pxb_boot_write_fn (o: a struct pxb_grub_opts). */
int pxb_grub_write(const pxb_boot_model *m, const struct pxb_client *client, const void *o,
		   FILE *out, pxb_boot_warn_fn warn, void *warn_arg);

/* Writes s as one GRUB word in single quotes ("'" becomes '\''). */
void pxb_grub_quote(FILE *out, const char *s);

/*
 * Decides whether base (a file name: "grub.cfg", "grub.cfg-01-...") renders
 * for the client known for the request (NULL if none) and fills *out with
 * the client to render for. GRUB (grub_net_search_config_file) asks
 * grub.cfg-01-<mac>, then the address in hex shortened a digit at a time,
 * then grub.cfg: 01-<mac> renders (the MAC taken from the name), the full
 * hex address renders, shortened addresses are not found (GRUB goes on),
 * grub.cfg renders for the known client. per_client = 0: only grub.cfg.
 * Returns 1 (render, *out_known says whether *out holds a client) or 0.
 */
int pxb_grub_lookup(const char *base, int per_client, const struct pxb_client *known,
		    struct pxb_client *out, int *out_known);

#endif
