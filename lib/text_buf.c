/*
 * text_buf.c - a growable, NUL-terminated text in memory: one copy of the
 * grow-by-doubling append the answer renderer and the plugins' page
 * builders share.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <pxeboot/common.h>

int pxb_text_append(char **p, size_t *len, size_t *cap, size_t first, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap : first;
		char *np;

		while (c < *len + n + 1)
			c *= 2;
		np = realloc(*p, c);
		if (!np)
			return PXB_ERR_NOMEM;
		*p = np;
		*cap = c;
	}
	memcpy(*p + *len, s, n);
	*len += n;
	(*p)[*len] = '\0';
	return 0;
}
