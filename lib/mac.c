/*
 * mac.c - hardware addresses as text (aa:bb:cc:dd:ee:ff, or with '-') and the
 * hex digit reader the text parsers of the library share.
 */
#include "config.h"

#include <stdio.h>

#include <pxeboot/common.h>

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
