/*
 * errors.c - error strings and the version.
 */
#include "config.h"

#include <pxeboot/common.h>

const char *pxb_strerror(int err)
{
	switch (err) {
	case PXB_OK: return "success";
	case PXB_ERR_NOMEM: return "out of memory";
	case PXB_ERR_INVAL: return "invalid argument or value";
	case PXB_ERR_NOENT: return "not found";
	case PXB_ERR_ACCESS: return "access denied";
	case PXB_ERR_PROTO: return "protocol error";
	case PXB_ERR_IO: return "input/output error";
	case PXB_ERR_TOOBIG: return "too large";
	case PXB_ERR_EXIST: return "already exists";
	case PXB_ERR_ABI: return "plugin ABI mismatch";
	case PXB_ERR_BUSY: return "limit reached";
	case PXB_ERR_CONFIG: return "invalid configuration";
	case PXB_ERR_UNSUPP: return "not supported";
	case PXB_ERR_TIMEOUT: return "timed out";
	case PXB_ERR_AGAIN: return "try again";
	}
	return "unknown error";
}

const char *pxb_version(void)
{
	return PACKAGE_VERSION;
}
