/*
 * internal.h - helpers shared by libpxeboot's own files; never installed.
 */
#ifndef PXB_INTERNAL_H
#define PXB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pxeboot/common.h>

#define PXB_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PXB_MIN(a, b) ((a) < (b) ? (a) : (b))
#define PXB_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Copies src into dst of size n, always terminated; returns -1 if cut. */
static inline int pxb_strlcpy(char *dst, const char *src, size_t n)
{
	size_t l = strlen(src);
	if (n == 0)
		return -1;
	if (l >= n) {
		memcpy(dst, src, n - 1);
		dst[n - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, l + 1);
	return 0;
}

/*
 * Inserts the element at index at of a growable array (*v of *n elements of
 * size bytes, room for *cap), growing it by doubling; at most max elements.
 * Returns 0, PXB_ERR_BUSY (max reached) or PXB_ERR_NOMEM (nothing changed).
 */
int pxb__vec_insert(void **v, unsigned *n, unsigned *cap, unsigned max, size_t size,
		    unsigned at, const void *elem);

/* A metric family to declare (metrics.c): kind is a PXB_METRIC_*; zero: a
 * series without labels is set to 0 at once, so it is rendered before use. */
struct pxb__metric_def {
	const char *name;
	int kind;
	const char *help;
	int zero;
};

/*
 * Declares the n families of defs in m, in order (the order they are
 * rendered in). Returns 0, or the first error of pxb_metrics_declare().
 */
struct pxb_metrics;
int pxb__metrics_declare_all(struct pxb_metrics *m, const struct pxb__metric_def *defs, size_t n);
/* Removes the element at index at (< *n) of such an array. */
void pxb__vec_remove(void *v, unsigned *n, size_t size, unsigned at);

/*
 * In such an array sorted by a MAC in the first 6 bytes of each element (the
 * stores keyed by MAC): the index of mac (*found = 1), or the index it would
 * go at (*found = 0).
 */
unsigned pxb__vec_find_mac(const void *v, unsigned n, size_t size, const uint8_t mac[6],
			   int *found);

/*
 * Puts elem in such an array: over the element of the same MAC, else
 * inserted in order (pxb__vec_insert()). Returns 0, PXB_ERR_BUSY or
 * PXB_ERR_NOMEM (nothing changed).
 */
int pxb__vec_put_mac(void **v, unsigned *n, unsigned *cap, unsigned max, size_t size,
		     const void *elem);

/*
 * The next term of a tag expression (pxeboot/dhcp.h: [tag:][!]TAG separated
 * by '&', ',' or blanks) at *s (dhcp_match_compile.c): returns where its tag
 * starts, with *len its length and *neg set for '!', and moves *s past it;
 * NULL at the end. The tag is not checked.
 */
const char *pxb__tag_term(const char **s, int *neg, size_t *len);

#endif
