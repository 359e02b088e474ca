/*
 * fuzz_tftp_request.c - libFuzzer target for the TFTP engine: request and
 * option parsing, then a session fed the rest of the input as packets and
 * timeouts. Checks what the engine promises: packets fit their buffers,
 * DATA carries the file's bytes, an ended session stays ended.
 *
 * Input: [flags] [request length] [request] [size hi] [size lo] then
 * commands: 0x80|x = a timeout at the deadline; 0x40 a b = ACK of block ab;
 * otherwise the low 6 bits are the length of a raw packet that follows.
 * The whole input is also parsed as a request on its own.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/tftp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t byte_at(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 9) * 7 + 1);
}

static int64_t gen_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	uint64_t sz = *(const uint64_t *)ctx;
	uint8_t *p = buf;
	size_t i;

	if (off >= sz)
		return 0;
	if (len > sz - off)
		len = (size_t)(sz - off);
	for (i = 0; i < len; i++)
		p[i] = byte_at(off + i);
	return (int64_t)len;
}

static void check_out(const struct pxb_tftp_session *s, const struct pxb_tftp_out *out,
		      int netascii)
{
	struct pxb_tftp_info info;
	unsigned i;

	pxb_tftp_session_info(s, &info);
	if (out->npkts > info.windowsize + 1)
		abort();
	for (i = 0; i < out->npkts; i++) {
		const struct pxb_tftp_pkt *p = &out->pkts[i];
		size_t k;

		if (p->len < 4 || p->data[0] != 0 || p->data[1] < 3 || p->data[1] > 6)
			abort();
		if (p->data[1] == 3 && p->len > 4 + (size_t)info.blksize)
			abort();
		if (p->data[1] == 3 && !netascii) {
			uint64_t b = p->data[2] << 8 | p->data[3];
			/* The 16-bit number only: check the bytes against any wrap. */
			uint64_t base = info.blocks_acked + 1;
			uint64_t full = base + (uint16_t)(b - (uint16_t)base);

			for (k = 4; k < p->len; k++)
				if (p->data[k] != byte_at((full - 1) * info.blksize + k - 4))
					abort();
		}
	}
	if (out->verdict != PXB_TFTP_RUNNING && pxb_tftp_session_next_deadline(s) != PXB_MS_NEVER)
		abort();
	if (out->verdict == PXB_TFTP_RUNNING && pxb_tftp_session_next_deadline(s) == PXB_MS_NEVER)
		abort();
}

/* The engine writes its packets here (the caller's buffer). */
static uint8_t obuf[PXB_TFTP_OUT_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pxb_tftp_request req;
	struct pxb_tftp_limits lim;
	struct pxb_tftp_session *s;
	struct pxb_tftp_out out;
	struct pxb_tftp_source src;
	uint64_t fsize;
	size_t off, rlen;
	pxb_ms_t now = 0;
	uint8_t flags;
	int steps = 0;

	pxb_tftp_request_parse(data, size, &req);
	if (size < 4)
		return 0;

	flags = data[0];
	rlen = data[1];
	if (2 + rlen + 2 > size)
		return 0;
	if (pxb_tftp_request_parse(data + 2, rlen, &req) < 0) {
		static const uint8_t dflt[] = "\0\1f\0octet\0blksize\0" "8\0windowsize\0" "4\0tsize\0" "0";
		if (pxb_tftp_request_parse(dflt, sizeof(dflt), &req) < 0)
			abort();
	}
	off = 2 + rlen;
	fsize = (uint64_t)data[off] << 8 | data[off + 1];
	if (flags & 1)
		fsize *= 61; /* past 65535 blocks of 8 bytes sometimes */
	off += 2;

	out.buf = obuf;
	out.cap = sizeof(obuf);
	pxb_tftp_limits_default(&lim);
	lim.adaptive_window = flags & 2 ? -1 : 1;
	lim.max_blksize = flags & 4 ? 65464 : 0;
	lim.max_windowsize = flags & 8 ? 3 : 0;
	lim.max_window_bytes = flags & 16 ? 64 : 0;
	lim.retries = (flags >> 5) + 1;

	src.ctx = &fsize;
	src.read = gen_read;
	src.size = fsize;
	if (pxb_tftp_session_new(&lim, &req, &src, now, &s, &out) < 0)
		return 0;
	check_out(s, &out, req.mode == PXB_TFTP_MODE_NETASCII);
	while (off < size && steps++ < 10000) {
		uint8_t c = data[off++];

		if (c & 0x80) {
			pxb_ms_t d = pxb_tftp_session_next_deadline(s);

			now = d == PXB_MS_NEVER ? now + 1 : d;
			pxb_tftp_session_timeout(s, now, &out);
		} else if (c & 0x40) {
			uint8_t ack[4] = { 0, 4, 0, 0 };

			if (off + 2 > size)
				break;
			ack[2] = data[off];
			ack[3] = data[off + 1];
			off += 2;
			pxb_tftp_session_input(s, ack, 4, now, &out);
		} else {
			size_t n = c & 0x3f;
			uint8_t *pkt;

			if (off + n > size)
				n = size - off;
			/* A copy of its own, so ASan sees reads past its end. */
			pkt = malloc(n ? n : 1);
			if (!pkt)
				break;
			memcpy(pkt, data + off, n);
			pxb_tftp_session_input(s, pkt, n, now, &out);
			free(pkt);
			off += n;
		}
		check_out(s, &out, req.mode == PXB_TFTP_MODE_NETASCII);
		/* The rest of a window, now and then before something else. */
		if (out.more && (steps & 1)) {
			pxb_tftp_session_send_more(s, now, &out);
			check_out(s, &out, req.mode == PXB_TFTP_MODE_NETASCII);
		}
		now += 1;
	}
	pxb_tftp_session_free(s);
	return 0;
}
