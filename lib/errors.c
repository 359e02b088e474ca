/*
 * errors.c - error strings, version and client identity helpers.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <pxeboot/common.h>
#include "internal.h"

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

char *pxb_mac_format(const uint8_t mac[6], char *buf, char sep)
{
	snprintf(buf, 18, "%02x%c%02x%c%02x%c%02x%c%02x%c%02x", mac[0], sep, mac[1], sep,
		 mac[2], sep, mac[3], sep, mac[4], sep, mac[5]);
	return buf;
}

int pxb_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int pxb_mac_parse(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int h = pxb_hexval(s[0]), l = h < 0 ? -1 : pxb_hexval(s[1]);
		if (h < 0 || l < 0)
			return PXB_ERR_INVAL;
		mac[i] = (uint8_t)(h << 4 | l);
		s += 2;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return PXB_ERR_INVAL;
			s++;
		}
	}
	return *s ? PXB_ERR_INVAL : 0;
}

int pxb_client_has_tag(const struct pxb_client *c, const char *tag)
{
	for (unsigned i = 0; i < c->ntags; i++)
		if (strcmp(c->tags[i], tag) == 0)
			return 1;
	return 0;
}

int pxb_client_add_tag(struct pxb_client *c, const char *tag)
{
	if (pxb_client_has_tag(c, tag))
		return 0;
	if (c->ntags >= PXB_MAX_TAGS || strlen(tag) >= PXB_TAG_LEN)
		return PXB_ERR_TOOBIG;
	pxb_strlcpy(c->tags[c->ntags++], tag, PXB_TAG_LEN);
	return 0;
}
