/*
 * tftp_error.c - TFTP ERROR packets (RFC 1350 sec 5) and the names of
 * verdicts and reasons. Texts sent to clients are fixed strings: never a
 * local path or a system error (dnsmasq leaks full paths; see CLIENTS.md).
 */
#include "config.h"

#include <string.h>

#include "internal.h"
#include "tftp_internal.h"

static const char *const std_text[] = {
	[PXB_TFTP_ERR_UNDEF] = "error",
	[PXB_TFTP_ERR_NOT_FOUND] = "file not found",
	[PXB_TFTP_ERR_ACCESS] = "access violation",
	[PXB_TFTP_ERR_DISK_FULL] = "disk full",
	[PXB_TFTP_ERR_ILLEGAL_OP] = "illegal TFTP operation",
	[PXB_TFTP_ERR_UNKNOWN_TID] = "unknown transfer ID",
	[PXB_TFTP_ERR_FILE_EXISTS] = "file already exists",
	[PXB_TFTP_ERR_NO_USER] = "no such user",
	[PXB_TFTP_ERR_OPTION] = "option negotiation refused",
};

PXB_API int pxb_tftp_build_error(uint8_t *buf, size_t len, uint16_t code, const char *msg)
{
	size_t n;

	if (!buf)
		return PXB_ERR_INVAL;
	if (len < 5)
		return PXB_ERR_TOOBIG;
	if (!msg)
		msg = code < PXB_ARRAY_LEN(std_text) ? std_text[code] : std_text[0];
	n = strlen(msg);
	if (n > len - 5)
		n = len - 5;
	pxb__tftp_put16(buf, PXB_TFTP_OP_ERROR);
	pxb__tftp_put16(buf + 2, code);
	memcpy(buf + 4, msg, n);
	buf[4 + n] = '\0';
	return (int)(5 + n);
}

PXB_API int pxb_tftp_build_error_for(uint8_t *buf, size_t len, int err)
{
	switch (err) {
	case PXB_ERR_NOENT:
		return pxb_tftp_build_error(buf, len, PXB_TFTP_ERR_NOT_FOUND, "file not found");
	case PXB_ERR_ACCESS:
		return pxb_tftp_build_error(buf, len, PXB_TFTP_ERR_ACCESS, "access violation");
	case PXB_ERR_PROTO:
		return pxb_tftp_build_error(buf, len, PXB_TFTP_ERR_ILLEGAL_OP, "malformed request");
	case PXB_ERR_UNSUPP:
		return pxb_tftp_build_error(buf, len, PXB_TFTP_ERR_ILLEGAL_OP,
					    "transfer mode not supported");
	case PXB_ERR_TOOBIG:
		return pxb_tftp_build_error(buf, len, PXB_TFTP_ERR_ILLEGAL_OP,
					    "file name too long");
	case PXB_ERR_NOMEM:
	case PXB_ERR_BUSY:
		return pxb_tftp_build_error(buf, len, PXB_TFTP_ERR_UNDEF, "server busy");
	default:
		return pxb_tftp_build_error(buf, len, PXB_TFTP_ERR_UNDEF, "internal error");
	}
}

PXB_API const char *pxb_tftp_verdict_name(enum pxb_tftp_verdict v)
{
	switch (v) {
	case PXB_TFTP_RUNNING:
		return "running";
	case PXB_TFTP_DONE:
		return "done";
	case PXB_TFTP_ABORTED:
		return "aborted by client";
	case PXB_TFTP_FAILED:
		return "failed";
	}
	return "unknown";
}

PXB_API const char *pxb_tftp_reason_name(enum pxb_tftp_reason r)
{
	switch (r) {
	case PXB_TFTP_REASON_NONE:
		return "none";
	case PXB_TFTP_REASON_TIMEOUT:
		return "timeout";
	case PXB_TFTP_REASON_PEER_ERROR:
		return "error from client";
	case PXB_TFTP_REASON_ILLEGAL_OP:
		return "illegal packet from client";
	case PXB_TFTP_REASON_READ:
		return "read error";
	case PXB_TFTP_REASON_NOMEM:
		return "out of memory";
	}
	return "unknown";
}
