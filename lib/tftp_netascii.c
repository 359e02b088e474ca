/*
 * tftp_netascii.c - the netascii encoder for read transfers (RFC 1350
 * sec 1 and appendix, by reference to RFC 764): each LF is sent as CR LF
 * and each bare CR as CR NUL. The encoded stream is produced block by block
 * in order, remembering the raw offset and a byte of a pair that did not fit
 * in the previous block. The encoded size is not known beforehand, so the
 * last block is simply the first one shorter than blksize (RFC 1350 sec 6).
 */
#include "config.h"

#include "internal.h"
#include "tftp_internal.h"

int64_t pxb__tftp_netascii_fill(struct pxb__tftp_netascii *na, const struct pxb_tftp_source *src,
				uint8_t *dst, size_t cap, uint8_t *scratch)
{
	size_t out = 0;

	if (na->pending >= 0 && cap > 0) {
		dst[out++] = (uint8_t)na->pending;
		na->pending = -1;
	}
	while (out < cap && !na->eof) {
		size_t want = cap - out, i;
		int64_t got;

		if (na->raw_off >= src->size) {
			na->eof = 1;
			break;
		}
		/* Never read past the declared size: a growing file is cut there. */
		want = (size_t)PXB_MIN((uint64_t)want, src->size - na->raw_off);
		got = src->read(src->ctx, na->raw_off, scratch, want);
		if (got < 0 || (uint64_t)got > want)
			return PXB_ERR_IO;
		if (got == 0) {
			/* The file shrank: what was promised cannot be sent. */
			return PXB_ERR_IO;
		}
		for (i = 0; i < (size_t)got && out < cap; i++) {
			uint8_t c = scratch[i], second;

			if (c == '\n')
				second = '\n';
			else if (c == '\r')
				second = '\0';
			else {
				dst[out++] = c;
				continue;
			}
			dst[out++] = '\r';
			if (out < cap)
				dst[out++] = second;
			else
				na->pending = second;
		}
		/* Raw bytes not encoded for lack of room are read again next time. */
		na->raw_off += i;
	}
	return (int64_t)out;
}
