/*
 * conf_checks.c - value checks and parsers for common setting shapes:
 * IPv4 addresses, listen addresses, CIDR prefixes, MAC patterns, durations.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <pxeboot/conf.h>
#include "internal.h"

int pxb_check_ipv4(const char *v, char *msg, size_t len)
{
	struct in_addr a;

	if (inet_pton(AF_INET, v, &a) != 1) {
		snprintf(msg, len, "is not an IPv4 address");
		return PXB_ERR_INVAL;
	}
	return 0;
}

int pxb_parse_listen(const char *v, uint16_t defport, struct pxb_listen *out)
{
	const char *host = v, *port = NULL, *end;
	char buf[64];
	size_t hl;
	unsigned char tmp[16];

	memset(out, 0, sizeof(*out));
	if (*v == '[') {
		end = strchr(v, ']');
		if (!end)
			return PXB_ERR_INVAL;
		host = v + 1;
		hl = (size_t)(end - host);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1])
			return PXB_ERR_INVAL;
		out->family = AF_INET6;
	} else {
		end = strchr(v, ':');
		hl = end ? (size_t)(end - v) : strlen(v);
		if (end)
			port = end + 1;
		out->family = AF_INET;
	}
	if (hl == 0 || hl >= sizeof(buf))
		return PXB_ERR_INVAL;
	memcpy(buf, host, hl);
	buf[hl] = '\0';
	if (inet_pton(out->family, buf, tmp) != 1)
		return PXB_ERR_INVAL;
	memcpy(out->host, buf, hl + 1);
	out->port = defport;
	if (port) {
		char *e;
		long p;
		errno = 0;
		p = strtol(port, &e, 10);
		if (errno || e == port || *e || p < 1 || p > 65535)
			return PXB_ERR_INVAL;
		out->port = (uint16_t)p;
	}
	return 0;
}

int pxb_check_listen(const char *v, char *msg, size_t len)
{
	struct pxb_listen l;

	if (pxb_parse_listen(v, 1, &l) < 0) {
		snprintf(msg, len, "is not ADDR or ADDR:PORT (IPv4, or [IPv6]:PORT)");
		return PXB_ERR_INVAL;
	}
	return 0;
}

int pxb_check_cidr(const char *v, char *msg, size_t len)
{
	char buf[32];
	const char *slash = strchr(v, '/');
	char *e;
	long bits;
	struct in_addr a;

	if (!slash || (size_t)(slash - v) >= sizeof(buf))
		goto bad;
	memcpy(buf, v, (size_t)(slash - v));
	buf[slash - v] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		goto bad;
	bits = strtol(slash + 1, &e, 10);
	if (e == slash + 1 || *e || bits < 0 || bits > 32)
		goto bad;
	return 0;
bad:
	snprintf(msg, len, "is not an IPv4 prefix such as 198.18.0.0/24");
	return PXB_ERR_INVAL;
}

int pxb_check_mac_pattern(const char *v, char *msg, size_t len)
{
	for (int i = 0; i < 6; i++) {
		if (v[0] == '*') {
			v++;
		} else {
			for (int k = 0; k < 2; k++, v++)
				if (!((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'f') ||
				      (*v >= 'A' && *v <= 'F')))
					goto bad;
		}
		if (i < 5) {
			if (*v != ':' && *v != '-')
				goto bad;
			v++;
		}
	}
	if (*v == '\0')
		return 0;
bad:
	snprintf(msg, len, "is not a MAC address (aa:bb:cc:dd:ee:ff, '*' matches any byte)");
	return PXB_ERR_INVAL;
}

int pxb_check_abs_path(const char *v, char *msg, size_t len)
{
	if (v[0] != '/') {
		snprintf(msg, len, "is not an absolute path");
		return PXB_ERR_INVAL;
	}
	return 0;
}

int pxb_parse_duration(const char *v, int64_t *seconds)
{
	char *e;
	long long n;

	errno = 0;
	n = strtoll(v, &e, 10);
	if (errno || e == v || n < 0)
		return PXB_ERR_INVAL;
	switch (*e) {
	case '\0':
	case 's': break;
	case 'm': n *= 60; break;
	case 'h': n *= 3600; break;
	case 'd': n *= 86400; break;
	default: return PXB_ERR_INVAL;
	}
	if (*e && e[1])
		return PXB_ERR_INVAL;
	*seconds = n;
	return 0;
}

int pxb_check_duration(const char *v, char *msg, size_t len)
{
	int64_t s;

	if (pxb_parse_duration(v, &s) < 0) {
		snprintf(msg, len, "is not a duration (90, 90s, 5m, 2h, 1d)");
		return PXB_ERR_INVAL;
	}
	return 0;
}
