/*
 * client_tags.c - the tags a client carries (struct pxb_client): set by
 * DHCP matching and host entries, read by boot rules and renderers.
 */
#include "config.h"

#include <string.h>

#include <pxeboot/common.h>
#include "internal.h"

int pxb_client_has_tag(const struct pxb_client *c, const char *tag)
{
	for (unsigned i = 0; i < c->ntags; i++)
		if (strcmp(c->tags[i], tag) == 0)
			return 1;
	return 0;
}

int pxb_client_add_tag(struct pxb_client *c, const char *tag)
{
	if (pxb_client_has_tag(c, tag))
		return 0;
	if (c->ntags >= PXB_MAX_TAGS || strlen(tag) >= PXB_TAG_LEN)
		return PXB_ERR_TOOBIG;
	pxb_strlcpy(c->tags[c->ntags++], tag, PXB_TAG_LEN);
	return 0;
}
