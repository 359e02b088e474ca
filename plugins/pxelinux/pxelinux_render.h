/*
 * pxelinux_render.h - the PXELINUX configuration renderer and the lookup
 * rules for pxelinux.cfg/ names. Kept apart from the plugin glue so tests
 * can link it directly.
 */
#ifndef PXB_PXELINUX_RENDER_H
#define PXB_PXELINUX_RENDER_H

#include <stdio.h>
#include <pxeboot/boot.h>

struct pxb_pxelinux_opts {
	int use_http;   /* KERNEL/INITRD as http:// URLs (lpxelinux.0) instead of TFTP paths */
	const char *ui; /* "menu.c32", or NULL/"" for the plain boot: prompt */
	const char *default_id; /* this entry is the default, when the client sees it */
	unsigned force_timeout; /* seconds; not 0: the menu waits this long, whatever it says */
};

typedef void (*pxb_pxelinux_warn_fn)(void *arg, const char *msg);

/*
 * Writes the configuration for client (may be NULL) to out. Entries
 * PXELINUX cannot boot (sanboot, shell; URLs with pxelinux.0), and entries
 * whose arguments or paths hold control characters (or, over TFTP,
 * whitespace) are left out and reported. Returns 0, PXB_ERR_NOMEM, PXB_ERR_IO.
 */
int pxb_pxelinux_render(const pxb_boot_model *m, const struct pxb_client *client,
			const struct pxb_pxelinux_opts *o, FILE *out,
			pxb_pxelinux_warn_fn warn, void *warn_arg);

int pxb_pxelinux_render_buf(const pxb_boot_model *m, const struct pxb_client *client,
			    const struct pxb_pxelinux_opts *o, char **buf, size_t *len,
			    pxb_pxelinux_warn_fn warn, void *warn_arg);

/* pxb_pxelinux_render as a pxb_boot_write_fn (o: a struct pxb_pxelinux_opts). */
int pxb_pxelinux_write(const pxb_boot_model *m, const struct pxb_client *client,
		       const void *o, FILE *out, pxb_boot_warn_fn warn, void *warn_arg);

/* What a pxelinux.cfg/ name says about the client asking for it. */
enum pxb_pxelinux_name {
	PXB_PXELINUX_NONE = 0, /* not a name PXELINUX asks for, or not this client's */
	PXB_PXELINUX_UUID,     /* "<uuid>", lower case, as PXELINUX formats option 97 */
	PXB_PXELINUX_MAC,      /* "01-aa-bb-cc-dd-ee-ff" (ARP type 1, Ethernet) */
	PXB_PXELINUX_IP,       /* "C6120064": the full address in upper-case hex */
	PXB_PXELINUX_IP_PREFIX,/* "C612006" ... "C": a shortened address */
	PXB_PXELINUX_DEFAULT,  /* "default" */
};

/* Classifies name (relative to pxelinux.cfg/). */
enum pxb_pxelinux_name pxb_pxelinux_classify(const char *name);

/*
 * Decides whether name renders for the client known for the request (NULL
 * if none) and fills *out with the client to render for. PXELINUX asks, in
 * order, <uuid>, 01-<mac>, the address in hex shortened a digit at a time,
 * default (CLIENTS.md); the first name that identifies the client renders:
 * <uuid> when it is the known client's, 01-<mac> always (the MAC is taken
 * from the name), the full hex address always, default always; shortened
 * addresses and other names never (PXELINUX falls through at once).
 * Returns 1 (render, *out_known says whether *out holds a client) or 0 (NOENT).
 */
int pxb_pxelinux_lookup(const char *name, const struct pxb_client *known,
			struct pxb_client *out, int *out_known);

#endif
