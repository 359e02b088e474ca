/*
 * boot_cache.c - the boot model a renderer keeps between requests, rebuilt
 * when the catalogs change (one copy of this logic for every renderer).
 */
#include "config.h"

#include <pxeboot/boot.h>

int pxb_boot_cache_rebuild(struct pxb_boot_cache *c, pxb_host *h)
{
	uint64_t gen = pxb_boot_catalogs_generation(h);
	pxb_boot_model *m;
	int rc = pxb_boot_model_build(h, &m);

	if (rc < 0)
		return rc;
	pxb_boot_model_free(c->model);
	c->model = m;
	c->gen = gen;
	return 0;
}

const pxb_boot_model *pxb_boot_cache_get(struct pxb_boot_cache *c, pxb_host *h, int *rebuilt)
{
	int done = 0;

	if (!c->model || pxb_boot_catalogs_generation(h) != c->gen)
		done = pxb_boot_cache_rebuild(c, h) == 0;
	if (rebuilt)
		*rebuilt = done;
	return c->model;
}

void pxb_boot_cache_free(struct pxb_boot_cache *c)
{
	pxb_boot_model_free(c->model);
	c->model = NULL;
}
