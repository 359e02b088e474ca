/*
 * rbuf.h - the one bounds-checked reader for untrusted bytes.
 *
 * Every fetch checks the remaining length first; a failed fetch leaves the
 * reader unchanged and returns PXB_ERR_PROTO, so parsers can simply stop.
 */
#ifndef PXB_RBUF_H
#define PXB_RBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pxeboot/common.h>

struct pxb_rbuf {
	const uint8_t *p;
	size_t len; /* bytes left */
};

static inline void pxb_rbuf_init(struct pxb_rbuf *r, const void *p, size_t len)
{
	r->p = (const uint8_t *)p;
	r->len = len;
}

static inline size_t pxb_rbuf_left(const struct pxb_rbuf *r)
{
	return r->len;
}

static inline int pxb_rbuf_u8(struct pxb_rbuf *r, uint8_t *v)
{
	if (r->len < 1)
		return PXB_ERR_PROTO;
	*v = r->p[0];
	r->p++;
	r->len--;
	return 0;
}

static inline int pxb_rbuf_be16(struct pxb_rbuf *r, uint16_t *v)
{
	if (r->len < 2)
		return PXB_ERR_PROTO;
	*v = (uint16_t)(r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->len -= 2;
	return 0;
}

static inline int pxb_rbuf_be32(struct pxb_rbuf *r, uint32_t *v)
{
	if (r->len < 4)
		return PXB_ERR_PROTO;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 |
	     (uint32_t)r->p[3];
	r->p += 4;
	r->len -= 4;
	return 0;
}

/* Copies n bytes out (dst may be NULL to skip). */
static inline int pxb_rbuf_bytes(struct pxb_rbuf *r, void *dst, size_t n)
{
	if (r->len < n)
		return PXB_ERR_PROTO;
	if (dst)
		memcpy(dst, r->p, n);
	r->p += n;
	r->len -= n;
	return 0;
}

/* Borrows n bytes in place. */
static inline int pxb_rbuf_view(struct pxb_rbuf *r, const uint8_t **out, size_t n)
{
	if (r->len < n)
		return PXB_ERR_PROTO;
	*out = r->p;
	r->p += n;
	r->len -= n;
	return 0;
}

/*
 * Borrows a NUL-terminated string (TFTP fields). *len gets its length
 * without the NUL. Fails when no NUL is found before the end.
 */
static inline int pxb_rbuf_cstr(struct pxb_rbuf *r, const char **out, size_t *len)
{
	const uint8_t *nul = (const uint8_t *)memchr(r->p, 0, r->len);

	if (!nul)
		return PXB_ERR_PROTO;
	*out = (const char *)r->p;
	*len = (size_t)(nul - r->p);
	r->len -= *len + 1;
	r->p = nul + 1;
	return 0;
}

#endif
