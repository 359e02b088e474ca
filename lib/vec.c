/*
 * vec.c - insertion into the sorted, growable arrays the library's small
 * stores keep (arms, installs): one copy of the grow-and-shift.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

int pxb__vec_insert(void **v, unsigned *n, unsigned *cap, unsigned max, size_t size,
		    unsigned at, const void *elem)
{
	unsigned char *p;

	if (*n >= max)
		return PXB_ERR_BUSY;
	if (*n == *cap) {
		unsigned ncap = *cap ? *cap * 2 : 16;

		p = realloc(*v, (size_t)ncap * size);
		if (!p)
			return PXB_ERR_NOMEM;
		*v = p;
		*cap = ncap;
	}
	p = *v;
	memmove(p + (size_t)(at + 1) * size, p + (size_t)at * size, (size_t)(*n - at) * size);
	memcpy(p + (size_t)at * size, elem, size);
	(*n)++;
	return 0;
}
