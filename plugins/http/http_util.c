/*
 * http_util.c - the HTTP plugin's pure helpers: decoding a request-target
 * into a path, Range (RFC 7233), HTTP dates (RFC 7231 7.1.1.1), entity tags
 * (RFC 7232), HTML and URL escaping for listings. No I/O and no MHD calls,
 * so t/http_util_test.c drives them directly.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http_internal.h"

/* Skips the scheme and authority of an absolute-form target (RFC 7230 5.3.2). */
static const char *skip_authority(const char *raw)
{
	const char *p;

	if (strncasecmp(raw, "http://", 7) == 0)
		p = raw + 7;
	else if (strncasecmp(raw, "https://", 8) == 0)
		p = raw + 8;
	else
		return raw;
	p += strcspn(p, "/?#");
	return *p == '/' ? p : "/";
}

int http_decode_path(const char *raw, char *out, size_t outlen, int *trailing_slash)
{
	const char *p = skip_authority(raw);
	size_t o = 0;

	*trailing_slash = 0;
	if (*p != '/')
		return 400; /* "*" or a relative reference: not a file request */
	for (; *p && *p != '?' && *p != '#'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '%') {
			int hi = pxb_hexval((unsigned char)p[1]);
			int lo = hi < 0 ? -1 : pxb_hexval((unsigned char)p[2]);

			if (hi < 0 || lo < 0)
				return 400;
			c = (unsigned char)(hi << 4 | lo);
			p += 2;
			/* An encoded '/' or NUL names nothing in our namespace. */
			if (c == '/' || c == '\0')
				return 400;
		}
		if (c < 0x20 || c == 0x7f)
			return 400;
		if (o + 1 >= outlen)
			return 414;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*trailing_slash = o > 0 && (out[o - 1] == '/' || out[o - 1] == '\\');
	return 0;
}

void http_log_path(const char *raw, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *p = skip_authority(raw);
	size_t o = 0, keep = 0; /* keep: where "..." goes if the rest does not fit */

	if (outlen < 8)
		return;
	for (; *p && *p != '?'; p++) {
		unsigned char c = (unsigned char)*p;
		int esc = c <= 0x20 || c >= 0x7f || c == '"';

		/* A byte or a whole %XX, never half of one: "%2..." would mislead. */
		if (o + (esc ? 3 : 1) >= outlen) {
			memcpy(out + keep, "...", 4);
			return;
		}
		if (esc) {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
		if (o + 4 <= outlen)
			keep = o;
	}
	if (o == 0)
		out[o++] = '-';
	out[o] = '\0';
}

/* Reads decimal digits into *v; returns the end or NULL (none, or overflow). */
static const char *read_u64(const char *p, uint64_t *v)
{
	const char *s = p;

	*v = 0;
	while (*p >= '0' && *p <= '9') {
		if (*v > (UINT64_MAX - 9) / 10)
			return NULL;
		*v = *v * 10 + (uint64_t)(*p - '0');
		p++;
	}
	return p == s ? NULL : p;
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

enum http_range http_parse_range(const char *v, uint64_t size, uint64_t *start, uint64_t *len)
{
	uint64_t a, b;
	const char *p = skip_ows(v);

	if (strncasecmp(p, "bytes", 5) != 0)
		return HTTP_RANGE_NONE;
	p = skip_ows(p + 5);
	if (*p++ != '=')
		return HTTP_RANGE_NONE;
	/* Several ranges would need multipart/byteranges: answer with all of it. */
	if (strchr(p, ','))
		return HTTP_RANGE_NONE;
	p = skip_ows(p);
	if (*p == '-') {
		/* suffix-byte-range-spec: the last b bytes */
		p = read_u64(p + 1, &b);
		if (!p || *skip_ows(p))
			return HTTP_RANGE_NONE;
		if (b == 0 || size == 0)
			return HTTP_RANGE_UNSAT;
		if (b > size)
			b = size;
		*start = size - b;
		*len = b;
		return HTTP_RANGE_OK;
	}
	p = read_u64(p, &a);
	if (!p || *p++ != '-')
		return HTTP_RANGE_NONE;
	p = skip_ows(p);
	if (*p == '\0') {
		b = UINT64_MAX;
	} else {
		p = read_u64(p, &b);
		if (!p || *skip_ows(p) || b < a)
			return HTTP_RANGE_NONE; /* invalid byte-range-spec: ignored (2.1) */
	}
	if (a >= size)
		return HTTP_RANGE_UNSAT;
	if (b >= size)
		b = size - 1;
	*start = a;
	*len = b - a + 1;
	return HTTP_RANGE_OK;
}

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Names are written by hand: strftime would follow the locale. */
void http_date_format(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm)) {
		snprintf(buf, len, "Thu, 01 Jan 1970 00:00:00 GMT");
		return;
	}
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
		 tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		 tm.tm_sec);
}

static int month_of(const char *m)
{
	for (int i = 0; i < 12; i++)
		if (strcmp(m, months[i]) == 0)
			return i;
	return -1;
}

int http_date_parse(const char *s, int64_t *t)
{
	char wd[16], mon[4];
	int d, y, hh, mm, ss, n = 0;
	struct tm tm;
	time_t r;

	/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
	if (sscanf(s, "%15[A-Za-z], %2d %3s %4d %2d:%2d:%2d GMT%n", wd, &d, mon, &y, &hh, &mm, &ss,
		   &n) == 7 && n > 0) {
	/* rfc850-date: Sunday, 06-Nov-94 08:49:37 GMT */
	} else if (sscanf(s, "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", wd, &d, mon, &y, &hh,
			  &mm, &ss, &n) == 7 && n > 0) {
		y += y < 70 ? 2000 : 1900;
	/* asctime-date: Sun Nov  6 08:49:37 1994 */
	} else if (sscanf(s, "%15[A-Za-z] %3s %d %2d:%2d:%2d %4d%n", wd, mon, &d, &hh, &mm, &ss,
			  &y, &n) == 7 && n > 0) {
	} else {
		return -1;
	}
	if (s[n] != '\0' || month_of(mon) < 0 || d < 1 || d > 31 || hh > 23 || mm > 59 ||
	    ss > 60 || y < 1970 || hh < 0 || mm < 0 || ss < 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = month_of(mon);
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	r = timegm(&tm);
	if (r == (time_t)-1)
		return -1;
	*t = (int64_t)r;
	return 0;
}

void http_etag(uint64_t size, int64_t mtime, char *buf, size_t len)
{
	snprintf(buf, len, "\"%llx-%llx\"", (unsigned long long)size,
		 (unsigned long long)mtime);
}

int http_etag_match(const char *list, const char *etag)
{
	size_t el;
	const char *p = list;

	if (etag[0] == 'W' && etag[1] == '/')
		etag += 2;
	el = strlen(etag);
	while (*p) {
		const char *e;

		p = skip_ows(p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return 0; /* malformed: no match, the request is served in full */
		e = strchr(p + 1, '"');
		if (!e)
			return 0;
		if ((size_t)(e + 1 - p) == el && memcmp(p, etag, el) == 0)
			return 1;
		p = e + 1;
	}
	return 0;
}

int http_parse_arch(const char *v, uint16_t *arch)
{
	/* RFC 4578 2.1 numbers for what iPXE calls ${buildarch}-${platform}. */
	static const struct {
		const char *name;
		uint16_t arch;
	} names[] = {
		{"pcbios", 0},     {"bios", 0},          {"i386-pcbios", 0}, {"x86_64-pcbios", 0},
		{"i386-efi", 6},   {"efi32", 6},         {"x86_64-efi", 7},  {"efi64", 7},
		{"efi", 7},        {"arm32-efi", 10},    {"arm64-efi", 11},
	};
	char *e;
	unsigned long n;

	if (!*v)
		return -1;
	n = strtoul(v, &e, 0);
	if (*e == '\0' && n <= 0xffff) {
		*arch = (uint16_t)n;
		return 0;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(v, names[i].name) == 0) {
			*arch = names[i].arch;
			return 0;
		}
	return -1;
}

/* ---- buffers ---------------------------------------------------------- */

void http_buf_add(struct http_buf *b, const char *s, size_t n)
{
	if (!b->failed && pxb_text_append(&b->p, &b->len, &b->cap, 4096, s, n) < 0)
		b->failed = 1;
}

void http_buf_str(struct http_buf *b, const char *s)
{
	http_buf_add(b, s, strlen(s));
}

void http_buf_printf(struct http_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->failed = 1;
		return;
	}
	http_buf_add(b, tmp, (size_t)n);
}

void http_buf_html(struct http_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': http_buf_str(b, "&amp;"); break;
		case '<': http_buf_str(b, "&lt;"); break;
		case '>': http_buf_str(b, "&gt;"); break;
		case '"': http_buf_str(b, "&quot;"); break;
		case '\'': http_buf_str(b, "&#39;"); break;
		default: http_buf_add(b, s, 1);
		}
	}
}

void http_buf_url(struct http_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
			http_buf_add(b, s, 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			http_buf_add(b, e, 3);
		}
	}
}

void http_buf_json(struct http_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	http_buf_add(b, "\"", 1);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			http_buf_add(b, e, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			/* control bytes, and bytes that may not be UTF-8 (names come from clients) */
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			http_buf_add(b, e, 6);
		} else {
			http_buf_add(b, s, 1);
		}
	}
	http_buf_add(b, "\"", 1);
}
