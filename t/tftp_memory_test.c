/*
 * tftp_memory_test.c - what a TFTP transfer that stalls holds: the heap
 * bytes a session keeps (glibc's mallinfo2: the arena's bytes in use plus
 * its mmapped blocks) after its client went silent, with the limits
 * pxebootd uses (daemon/tftp_driver.c: thread_buffer) and the largest
 * block, 65464 bytes (RFC 2348).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <pxeboot/tftp.h>
#include "tap.h"

#define BLK 65464u

/* The engine writes its packets here (the caller's buffer). */
static uint8_t obuf[PXB_TFTP_OUT_SIZE];

static int64_t zero_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	(void)ctx;
	(void)off;
	memset(buf, 0x5a, len);
	return (int64_t)len;
}

#ifdef __GLIBC__
static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}
#endif

static void out_init(struct pxb_tftp_out *out)
{
	memset(out, 0, sizeof(*out));
	out->buf = obuf;
	out->cap = sizeof(obuf);
}

/*
 * Starts a transfer of 64 MiB in blocks of 65464 with the windowsize ws
 * (0: none, lock-step), as a client asking so would. The OACK goes out.
 */
/* (unused where there is no mallinfo2: the test skips there) */
__attribute__((unused)) static struct pxb_tftp_session *start(const char *ws,
								 struct pxb_tftp_out *out)
{
	static const char head[] = "\0\1boot.img\0octet\0blksize\0" "65464";
	uint8_t req_buf[128];
	struct pxb_tftp_request req;
	struct pxb_tftp_limits lim;
	struct pxb_tftp_source src = { NULL, zero_read, 64u << 20 };
	struct pxb_tftp_session *s = NULL;
	size_t n = 0;

	memcpy(req_buf, head, sizeof(head));
	n = sizeof(head);
	if (ws) {
		memcpy(req_buf + n, "windowsize", 11);
		n += 11;
		memcpy(req_buf + n, ws, strlen(ws) + 1);
		n += strlen(ws) + 1;
	}
	if (pxb_tftp_request_parse(req_buf, n, &req) < 0)
		abort();
	pxb_tftp_limits_default(&lim);
	lim.max_blksize = BLK;
	lim.thread_buffer = 1; /* as pxebootd */
	out_init(out);
	if (pxb_tftp_session_new(&lim, &req, &src, 0, &s, out) < 0)
		abort();
	return s;
}

/* The client acknowledges the OACK, takes the first window, then is silent. */
__attribute__((unused)) static void stall(struct pxb_tftp_session *s, struct pxb_tftp_out *out)
{
	static const uint8_t ack0[4] = { 0, PXB_TFTP_OP_ACK, 0, 0 };
	pxb_ms_t now = 10;

	out_init(out);
	pxb_tftp_session_input(s, ack0, sizeof(ack0), now, out);
	while (out->more) {
		out_init(out);
		pxb_tftp_session_send_more(s, now, out);
	}
	pxb_tftp_session_read_ahead(s); /* as the driver does once a window is out */
	/* Two timeouts in a row: the transfer has stalled (the deadlines
	 * between are the paced bursts of the window resent). */
	for (int i = 0; i < 100; i++) {
		struct pxb_tftp_info info;

		pxb_tftp_session_info(s, &info);
		if (info.timeouts >= 2)
			break;
		now = pxb_tftp_session_next_deadline(s);
		out_init(out);
		pxb_tftp_session_timeout(s, now, out);
		while (out->more) {
			out_init(out);
			pxb_tftp_session_send_more(s, now, out);
		}
		pxb_tftp_session_read_ahead(s);
	}
}

int main(void)
{
#ifndef __GLIBC__
	printf("1..0 # SKIP no mallinfo2 (not glibc)\n");
	return 0;
#else
	static const struct {
		const char *ws;
		size_t most; /* bytes a stalled session may hold */
	} cases[] = {
		{ NULL, 8192 }, { "2", 8192 }, { "4", 8192 }, { "16", 8192 },
	};
	struct pxb_tftp_session *many[64];
	struct pxb_tftp_out out;
	size_t before, held;

	plan_lazy();
	/* The first calls may set the arena and stdout's buffer up: not the
	 * session's. */
	pxb_tftp_session_free(start("2", &out));
	diag("heap in use: %zu bytes", heap_bytes());

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pxb_tftp_session *s;
		struct pxb_tftp_info info;

		before = heap_bytes();
		s = start(cases[i].ws, &out);
		ok(out.npkts == 1 && out.pkts[0].data[1] == PXB_TFTP_OP_OACK,
		   "windowsize %s: OACK", cases[i].ws ? cases[i].ws : "-");
		stall(s, &out);
		pxb_tftp_session_info(s, &info);
		ok(out.verdict == PXB_TFTP_RUNNING && info.blksize == BLK && info.timeouts == 2,
		   "windowsize %s: blksize %u, stalled after 2 timeouts", cases[i].ws ? cases[i].ws : "-",
		   info.blksize);
		held = heap_bytes() - before;
		ok(held <= cases[i].most, "windowsize %s: a stalled transfer holds %zu bytes (<= %zu)",
		   cases[i].ws ? cases[i].ws : "-", held, cases[i].most);
		pxb_tftp_session_free(s);
	}

	/* Many stalled transfers: a few KiB each, not a window of 64 KiB blocks. */
	before = heap_bytes();
	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++) {
		many[i] = start("4", &out);
		stall(many[i], &out);
	}
	held = heap_bytes() - before;
	ok(held <= 64 * 4096, "64 stalled transfers at windowsize 4 hold %zu KiB (<= 256)",
	   held >> 10);
	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		pxb_tftp_session_free(many[i]);
	return done_testing();
#endif
}
