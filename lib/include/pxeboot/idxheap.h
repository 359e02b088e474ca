/*
 * pxeboot/idxheap.h - a binary min-heap of pointers whose elements keep their own
 * place in it, so that one whose key changes can be moved, or removed, in
 * O(log n). The array (and its room) is the caller's; less() orders the
 * elements and place() tells an element its new index. Header-only: at
 * each use the callbacks are known and inlined.
 *
 * Used for the lease that frees first in each DHCP pool
 * (lib/lease_pool.c) and for the next deadline of the TFTP transfers
 * (daemon/tftp_worker.c). Installed, for a driver's timers as pxebootd's;
 * no function can fail, so none returns an error.
 */
#ifndef PXEBOOT_IDXHEAP_H
#define PXEBOOT_IDXHEAP_H

struct pxb_idxheap {
	void **v;
	unsigned n;
};

typedef int (*pxb_idxheap_less)(const void *a, const void *b);
typedef void (*pxb_idxheap_place)(void *e, unsigned i);

static inline void pxb_idxheap_set(struct pxb_idxheap *h, unsigned i, void *e,
				   pxb_idxheap_place place)
{
	h->v[i] = e;
	place(e, i);
}

static inline void pxb_idxheap_up(struct pxb_idxheap *h, unsigned i, pxb_idxheap_less less,
				  pxb_idxheap_place place)
{
	void *e = h->v[i];

	while (i > 0 && less(e, h->v[(i - 1) / 2])) {
		pxb_idxheap_set(h, i, h->v[(i - 1) / 2], place);
		i = (i - 1) / 2;
	}
	pxb_idxheap_set(h, i, e, place);
}

static inline void pxb_idxheap_down(struct pxb_idxheap *h, unsigned i, pxb_idxheap_less less,
				    pxb_idxheap_place place)
{
	void *e = h->v[i];

	for (;;) {
		unsigned c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && less(h->v[c + 1], h->v[c]))
			c++;
		if (!less(h->v[c], e))
			break;
		pxb_idxheap_set(h, i, h->v[c], place);
		i = c;
	}
	pxb_idxheap_set(h, i, e, place);
}

/* The element at i has a new key: moves it up or down to its place. */
static inline void pxb_idxheap_update(struct pxb_idxheap *h, unsigned i, pxb_idxheap_less less,
				      pxb_idxheap_place place)
{
	if (i > 0 && less(h->v[i], h->v[(i - 1) / 2]))
		pxb_idxheap_up(h, i, less, place);
	else
		pxb_idxheap_down(h, i, less, place);
}

/* Adds e; the array must have room for one more. */
static inline void pxb_idxheap_push(struct pxb_idxheap *h, void *e, pxb_idxheap_less less,
				    pxb_idxheap_place place)
{
	unsigned i = h->n++;

	pxb_idxheap_set(h, i, e, place);
	pxb_idxheap_up(h, i, less, place);
}

/* Takes out the element at i (it is not told). */
static inline void pxb_idxheap_remove(struct pxb_idxheap *h, unsigned i, pxb_idxheap_less less,
				      pxb_idxheap_place place)
{
	void *last = h->v[--h->n];

	if (i == h->n)
		return;
	pxb_idxheap_set(h, i, last, place);
	pxb_idxheap_update(h, i, less, place);
}

#endif
