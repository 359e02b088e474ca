/*
 * tftp_request.c - parsing of RRQ/WRQ datagrams (RFC 1350 sec 5) and their
 * options (RFC 2347). Untrusted bytes are read only through lib/rbuf.h.
 *
 *   | 01/02 | filename | 0 | mode | 0 | opt1 | 0 | value1 | 0 | ...
 *
 * Decisions:
 * - The file name is copied as sent; checking it against a root is the
 *   VFS's job. An empty name is malformed.
 * - Modes are matched case-insensitively (RFC 1350 sec 5). "octet" and
 *   "netascii" are served (netascii is encoded on the fly, see
 *   tftp_netascii.c); "mail" (obsolete, RFC 1350 sec 1) and anything else
 *   get PXB_ERR_UNSUPP, which the driver answers with ERROR 4.
 * - Options: an unknown name, a value out of range (checked in
 *   tftp_options.c) or a repeated option is ignored and counted. Bytes after
 *   the last complete name/value pair (a name without its value, padding)
 *   are ignored too: several clients pad requests, and RFC 2347 gives the
 *   server the right to drop any option.
 * - A WRQ is parsed, then refused with PXB_ERR_ACCESS: a read-only server
 *   (the driver answers ERROR 2).
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "internal.h"
#include "rbuf.h"
#include "tftp_internal.h"

static int parse_mode(const char *s, size_t len, enum pxb_tftp_mode *mode)
{
	if (len == 5 && strncasecmp(s, "octet", 5) == 0) {
		*mode = PXB_TFTP_MODE_OCTET;
		return 0;
	}
	if (len == 8 && strncasecmp(s, "netascii", 8) == 0) {
		*mode = PXB_TFTP_MODE_NETASCII;
		return 0;
	}
	return PXB_ERR_UNSUPP;
}

static void parse_options(struct pxb_rbuf *r, struct pxb_tftp_request *req)
{
	while (pxb_rbuf_left(r) > 0) {
		const char *name, *val;
		size_t nlen, vlen;
		uint64_t v;
		int id;

		/* Trailing bytes without a full pair end the list. */
		if (pxb_rbuf_cstr(r, &name, &nlen) < 0) {
			req->opts_ignored++;
			return;
		}
		if (pxb_rbuf_cstr(r, &val, &vlen) < 0) {
			if (nlen > 0 || pxb_rbuf_left(r) > 0)
				req->opts_ignored++;
			return;
		}
		if (nlen == 0 && vlen == 0)
			continue; /* padding */
		id = pxb__tftp_opt_lookup(name, nlen);
		if (id < 0 || (req->opt_mask & (1u << id)) ||
		    pxb__tftp_parse_uint(val, vlen, &v) < 0 ||
		    !pxb__tftp_opt_in_range((enum pxb_tftp_opt)id, v)) {
			req->opts_ignored++;
			continue;
		}
		req->opt_mask |= 1u << id;
		req->opt_value[id] = v;
	}
}

PXB_API int pxb_tftp_request_parse(const uint8_t *buf, size_t len, struct pxb_tftp_request *req)
{
	struct pxb_rbuf r;
	const char *name, *mode;
	size_t nlen, mlen;
	uint16_t op;
	int err;

	if (!buf || !req)
		return PXB_ERR_INVAL;
	memset(req, 0, sizeof(*req));
	pxb_rbuf_init(&r, buf, len);
	if (pxb_rbuf_be16(&r, &op) < 0 || (op != PXB_TFTP_OP_RRQ && op != PXB_TFTP_OP_WRQ))
		return PXB_ERR_PROTO;
	req->opcode = (enum pxb_tftp_opcode)op;
	if (pxb_rbuf_cstr(&r, &name, &nlen) < 0 || nlen == 0)
		return PXB_ERR_PROTO;
	if (pxb_rbuf_cstr(&r, &mode, &mlen) < 0 || mlen == 0)
		return PXB_ERR_PROTO;
	if (nlen > PXB_TFTP_FILENAME_MAX)
		return PXB_ERR_TOOBIG;
	memcpy(req->filename, name, nlen);
	req->filename[nlen] = '\0';
	req->filename_len = nlen;
	err = parse_mode(mode, mlen, &req->mode);
	if (err < 0)
		return err;
	parse_options(&r, req);
	if (op == PXB_TFTP_OP_WRQ)
		return PXB_ERR_ACCESS;
	return 0;
}
