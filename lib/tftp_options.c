/*
 * tftp_options.c - the TFTP option table: names, RFC ranges (checked here
 * and nowhere else), and the negotiation of each option against the server
 * limits, plus the OACK writer (RFC 2347).
 *
 * Decisions:
 * - Options are matched case-insensitively (RFC 2347 sec "Packet Formats").
 * - A value outside its RFC range is treated like an unknown option: left
 *   out of the OACK, the transfer runs with the default (RFC 2347 lets the
 *   server omit any option it does not accept; refusing the transfer with
 *   ERROR 8 would only break clients over a value we can do without).
 * - The OACK lists options in this table's order, so it is stable.
 */
#include "config.h"

#include <stdio.h>
#include <strings.h>

#include "internal.h"
#include "tftp_internal.h"

struct opt_def {
	const char *name;
	uint64_t min, max;
	/* Decides the value to acknowledge; returns 1 to put it in the OACK. */
	int (*negotiate)(const struct pxb_tftp_limits *lim, const struct pxb_tftp_request *req,
			 uint64_t size, uint64_t asked, struct pxb__tftp_neg *neg);
};

/* RFC 2348: the server may answer with a smaller block size than asked. */
static int neg_blksize(const struct pxb_tftp_limits *lim, const struct pxb_tftp_request *req,
		       uint64_t size, uint64_t asked, struct pxb__tftp_neg *neg)
{
	neg->blksize = (unsigned)PXB_MIN(asked, (uint64_t)lim->max_blksize);
	neg->value[PXB_TFTP_OPT_BLKSIZE] = neg->blksize;
	return 1;
}

/*
 * RFC 2349 sec "Transfer Size Option": in a RRQ the client sends 0 and the
 * server answers with the file's size. In netascii mode the size on the
 * wire differs from the file's and is not known without encoding the whole
 * file first, so tsize is left out of the OACK (as tftpd-hpa does).
 */
static int neg_tsize(const struct pxb_tftp_limits *lim, const struct pxb_tftp_request *req,
		     uint64_t size, uint64_t asked, struct pxb__tftp_neg *neg)
{
	if (req->mode != PXB_TFTP_MODE_OCTET)
		return 0;
	neg->value[PXB_TFTP_OPT_TSIZE] = size;
	return 1;
}

/*
 * RFC 2349 sec "Timeout Interval Option": the server uses it and echoes it
 * (the same value: it cannot be lowered). One above max_client_timeout_ms
 * is left out of the OACK, as RFC 2347 allows, and the server's timeout is
 * used: a request asking 255 s would otherwise hold its transfer for
 * minutes without ever being acknowledged.
 */
static int neg_timeout(const struct pxb_tftp_limits *lim, const struct pxb_tftp_request *req,
		       uint64_t size, uint64_t asked, struct pxb__tftp_neg *neg)
{
	if (lim->max_client_timeout_ms > 0 && asked * 1000 > (uint64_t)lim->max_client_timeout_ms)
		return 0;
	neg->timeout_s = (unsigned)asked;
	neg->value[PXB_TFTP_OPT_TIMEOUT] = asked;
	return 1;
}

/*
 * RFC 7440 sec 3: the server may answer with a smaller window. The window
 * is also kept within max_window_bytes, since the session buffers a whole
 * window and a burst larger than the client's socket buffer is lost anyway
 * (CLIENTS.md). Runs after blksize (table order).
 */
static int neg_windowsize(const struct pxb_tftp_limits *lim, const struct pxb_tftp_request *req,
			  uint64_t size, uint64_t asked, struct pxb__tftp_neg *neg)
{
	uint64_t fit = lim->max_window_bytes / neg->blksize;
	uint64_t w = PXB_MIN(asked, (uint64_t)lim->max_windowsize);

	w = PXB_MIN(w, fit);
	if (w < 1)
		w = 1;
	neg->windowsize = (unsigned)w;
	neg->value[PXB_TFTP_OPT_WINDOWSIZE] = w;
	return 1;
}

static const struct opt_def opt_table[PXB_TFTP_OPT_COUNT] = {
	[PXB_TFTP_OPT_BLKSIZE] = { "blksize", PXB_TFTP_MIN_BLKSIZE, PXB_TFTP_MAX_BLKSIZE,
				   neg_blksize },
	[PXB_TFTP_OPT_TSIZE] = { "tsize", 0, UINT64_MAX, neg_tsize },
	[PXB_TFTP_OPT_TIMEOUT] = { "timeout", 1, 255, neg_timeout },
	[PXB_TFTP_OPT_WINDOWSIZE] = { "windowsize", 1, PXB_TFTP_MAX_WINDOWSIZE,
				      neg_windowsize },
};

PXB_API const char *pxb_tftp_opt_name(enum pxb_tftp_opt opt)
{
	if ((unsigned)opt >= PXB_TFTP_OPT_COUNT)
		return NULL;
	return opt_table[opt].name;
}

int pxb__tftp_parse_uint(const char *s, size_t len, uint64_t *v)
{
	uint64_t r = 0;
	size_t i;

	if (len == 0)
		return PXB_ERR_INVAL;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return PXB_ERR_INVAL;
		d = (unsigned)(s[i] - '0');
		if (r > (UINT64_MAX - d) / 10)
			return PXB_ERR_INVAL;
		r = r * 10 + d;
	}
	*v = r;
	return 0;
}

int pxb__tftp_opt_lookup(const char *name, size_t len)
{
	unsigned i;

	for (i = 0; i < PXB_TFTP_OPT_COUNT; i++)
		if (strlen(opt_table[i].name) == len && strncasecmp(opt_table[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

int pxb__tftp_opt_in_range(enum pxb_tftp_opt opt, uint64_t v)
{
	if ((unsigned)opt >= PXB_TFTP_OPT_COUNT)
		return 0;
	return v >= opt_table[opt].min && v <= opt_table[opt].max;
}

void pxb__tftp_negotiate(const struct pxb_tftp_limits *lim, const struct pxb_tftp_request *req,
			 uint64_t size, struct pxb__tftp_neg *neg)
{
	unsigned i;

	memset(neg, 0, sizeof(*neg));
	neg->blksize = PXB_TFTP_DEFAULT_BLKSIZE;
	neg->windowsize = 1;
	for (i = 0; i < PXB_TFTP_OPT_COUNT; i++) {
		if (!(req->opt_mask & (1u << i)) || !pxb__tftp_opt_in_range(i, req->opt_value[i]))
			continue;
		if (opt_table[i].negotiate(lim, req, size, req->opt_value[i], neg))
			neg->acked |= 1u << i;
	}
}

size_t pxb__tftp_oack_write(const struct pxb__tftp_neg *neg, uint8_t *buf, size_t len)
{
	size_t off = 2;
	unsigned i;

	pxb__tftp_put16(buf, PXB_TFTP_OP_OACK);
	for (i = 0; i < PXB_TFTP_OPT_COUNT; i++) {
		int n;

		if (!(neg->acked & (1u << i)))
			continue;
		/* "name\0value\0": the longest is "windowsize" + 20 digits, far below len. */
		n = snprintf((char *)buf + off, len - off, "%s%c%llu", opt_table[i].name, 0,
			     (unsigned long long)neg->value[i]);
		if (n < 0 || (size_t)n + 1 > len - off)
			break;
		off += (size_t)n + 1;
	}
	return off;
}
