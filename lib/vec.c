/*
 * vec.c - the sorted, growable arrays the library's small stores keep
 * (arms, installs): one copy of the grow-and-shift, the removal and the
 * search by MAC.
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

void pxb__vec_remove(void *v, unsigned *n, size_t size, unsigned at)
{
	unsigned char *p = v;

	memmove(p + (size_t)at * size, p + (size_t)(at + 1) * size, (size_t)(*n - at - 1) * size);
	(*n)--;
}

unsigned pxb__vec_find_mac(const void *v, unsigned n, size_t size, const uint8_t mac[6],
			   int *found)
{
	const unsigned char *p = v;
	unsigned lo = 0, hi = n;

	*found = 0;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		int c = memcmp(p + (size_t)mid * size, mac, 6);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int pxb__vec_put_mac(void **v, unsigned *n, unsigned *cap, unsigned max, size_t size,
		     const void *elem)
{
	int found;
	unsigned i = pxb__vec_find_mac(*v, *n, size, elem, &found);

	if (found) {
		memcpy((unsigned char *)*v + (size_t)i * size, elem, size);
		return 0;
	}
	return pxb__vec_insert(v, n, cap, max, size, i, elem);
}
