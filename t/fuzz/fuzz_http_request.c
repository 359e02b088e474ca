/*
 * fuzz_http_request.c - libFuzzer target for what the HTTP plugin parses of
 * a request (plugins/http/http_util.c, compiled in): the request-target
 * decoded and normalized as http_uri_cb() does before the file namespace
 * sees it, its log form, the query's mac=, ip= and arch= as build_client()
 * reads them, Range, the HTTP dates of If-Modified-Since and If-Range,
 * If-None-Match, and the escapers the listing, the redirect and the status
 * page build answers with. Replayed over t/fuzz/corpus/http_request by
 * `make check` through t/fuzz/replay_main.c.
 *
 * Input: TEXT [NUL SIZE]. TEXT (no NUL: headers and targets hold none) is
 * given to every parser; the 8 bytes after a NUL, when present, are one
 * more representation size for Range (big-endian).
 *
 * What is checked, beyond surviving the sanitizers:
 *  - an accepted path is absolute, holds no "." or ".." component, no
 *    empty one, no '\', no NUL or control byte; it is what a plain
 *    reference walk of the decoded components gives, and a walk that
 *    climbs above the root is always refused;
 *  - normalizing is idempotent, and the redirect's Location for a path
 *    (http_buf_url + "/") decodes back to the same path;
 *  - a satisfiable range lies within the representation;
 *  - a parsed date formats and parses back to the same second;
 *  - HTML, URL and JSON escaping leave no active character and undo to
 *    the original.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <pxeboot/common.h>
#include <pxeboot/dhcp.h>
#include <pxeboot/vfs.h>

#include "../../plugins/http/http_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* ---- the request-target ------------------------------------------------ */

/*
 * The reference: components of the decoded path split at '/' and '\', "."
 * skipped, ".." popping one; 0 and the joined path, or -1 when a ".."
 * climbs above the root. Limits (component and path lengths) are left to
 * the real thing: only a path both accept is compared.
 */
static int ref_walk(const char *in, char *out, size_t outlen)
{
	size_t o = 0, i = 0, n = strlen(in);

	while (i < n) {
		size_t s;

		while (i < n && (in[i] == '/' || in[i] == '\\'))
			i++;
		s = i;
		while (i < n && in[i] != '/' && in[i] != '\\')
			i++;
		if (i == s || (i - s == 1 && in[s] == '.'))
			continue;
		if (i - s == 2 && in[s] == '.' && in[s + 1] == '.') {
			if (o == 0)
				return -1;
			while (o > 0 && out[o - 1] != '/')
				o--;
			o--; /* the '/' before the component */
			continue;
		}
		if (o + 1 + (i - s) + 1 > outlen)
			return -2;
		out[o++] = '/';
		memcpy(out + o, in + s, i - s);
		o += i - s;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

static void check_clean_path(const char *p)
{
	size_t n = strlen(p);

	CHECK(n >= 1 && n <= PXB_VFS_PATH_MAX && p[0] == '/');
	CHECK(n == 1 || p[n - 1] != '/');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		CHECK(c >= 0x20 && c != 0x7f && c != '\\');
		if (c == '/' && i + 1 < n) {
			const char *e = p + i + 1;
			size_t cl = strcspn(e, "/");

			CHECK(cl > 0 && cl <= 255);
			CHECK(!(cl == 1 && e[0] == '.'));
			CHECK(!(cl == 2 && e[0] == '.' && e[1] == '.'));
		}
	}
}

/* What http_uri_cb() does with a request-target, checked. */
static void target(const char *raw)
{
	char dec[PXB_VFS_PATH_MAX + 1], path[PXB_VFS_PATH_MAX + 1];
	char ref[PXB_VFS_PATH_MAX + 2], again[PXB_VFS_PATH_MAX + 1];
	struct http_buf loc = {0};
	int slash, rc, rr;
	size_t n;

	rc = http_decode_path(raw, dec, sizeof(dec), &slash);
	CHECK(rc == 0 || rc == 400 || rc == 414);
	if (rc)
		return;
	n = strlen(dec);
	CHECK(n < sizeof(dec) && dec[0] == '/');
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)dec[i] >= 0x20 && dec[i] != 0x7f);
	CHECK(slash == (dec[n - 1] == '/' || dec[n - 1] == '\\'));

	rc = pxb_vfs_normalize(dec, n, path, sizeof(path));
	rr = ref_walk(dec, ref, sizeof(ref));
	/*
	 * Climbing above the root is never served: refused as such, or earlier
	 * for an overlong component met before the climb.
	 */
	if (rr == -1)
		CHECK(rc == PXB_ERR_ACCESS || rc == PXB_ERR_TOOBIG);
	CHECK(rc == 0 || rc == PXB_ERR_ACCESS || rc == PXB_ERR_TOOBIG);
	if (rc)
		return;
	check_clean_path(path);
	CHECK(rr == 0 && strcmp(path, ref) == 0);
	CHECK(pxb_vfs_normalize(path, strlen(path), again, sizeof(again)) == 0);
	CHECK(strcmp(path, again) == 0);

	/* The Location of the redirect to "path/" comes back as path. */
	http_buf_url(&loc, path);
	http_buf_str(&loc, "/");
	if (!loc.failed && loc.len < sizeof(dec)) {
		CHECK(http_decode_path(loc.p, dec, sizeof(dec), &slash) == 0);
		CHECK(slash == 1);
		CHECK(pxb_vfs_normalize(dec, strlen(dec), again, sizeof(again)) == 0);
		CHECK(strcmp(path, again) == 0);
	}
	free(loc.p);
}

static int hexdig(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static void log_path(const char *raw)
{
	static const size_t lens[] = {1, 7, 8, 9, 16, HTTP_LOGPATH_MAX};
	char out[HTTP_LOGPATH_MAX + 1];

	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t n;

		memset(out, 'Z', sizeof(out));
		http_log_path(raw, out, lens[k]);
		CHECK(out[lens[k]] == 'Z'); /* nothing written past outlen */
		if (lens[k] < 8)
			continue;
		n = strnlen(out, lens[k]);
		CHECK(n < lens[k] && n > 0);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)out[i];
			CHECK(c > 0x20 && c < 0x7f && c != '"');
		}
		/*
		 * The target is logged as sent, the client's own escapes kept;
		 * without any, every '%' starts a whole %XX of ours, cut or not.
		 */
		for (size_t i = 0; i < n && !strchr(raw, '%'); i++)
			if (out[i] == '%')
				CHECK(i + 2 < n && hexdig(out[i + 1]) && hexdig(out[i + 2]));
	}
}

/* ---- the query: mac=, ip=, arch= as MHD hands them over ------------------- */

static void query_value(const char *key, const char *val)
{
	uint8_t mac[6], mac2[6];
	char txt[18];
	uint16_t arch = 0xbeef;
	struct in_addr a;

	if (strcmp(key, "mac") == 0 && pxb_mac_parse(val, mac) == 0) {
		CHECK(strlen(val) == 17);
		CHECK(pxb_mac_parse(pxb_mac_format(mac, txt, ':'), mac2) == 0);
		CHECK(memcmp(mac, mac2, 6) == 0);
	}
	if (strcmp(key, "ip") == 0)
		sink += (size_t)inet_pton(AF_INET, val, &a);
	if (strcmp(key, "arch") == 0) {
		if (http_parse_arch(val, &arch) == 0) {
			/* A named arch is the one the library's parser reads back. */
			const char *name = pxb_arch_name(arch);

			CHECK(!name || pxb_arch_parse(name) == arch);
		} else {
			CHECK(arch == 0xbeef); /* refused: the client's arch stays */
		}
	}
}

static void query(const char *raw)
{
	const char *q = strchr(raw, '?');
	char *copy, *p, *amp;

	if (!q)
		return;
	copy = strdup(q + 1);
	if (!copy)
		return;
	p = copy;
	p[strcspn(p, "#")] = '\0';
	do {
		char *eq, *key = p, *val;

		amp = strchr(p, '&');
		if (amp)
			*amp = '\0';
		eq = strchr(key, '=');
		val = eq ? eq + 1 : key + strlen(key);
		if (eq)
			*eq = '\0';
		for (char *s = key; *s; s++)
			if (*s == '+')
				*s = ' ';
		for (char *s = val; *s; s++)
			if (*s == '+')
				*s = ' ';
		MHD_http_unescape(key);
		MHD_http_unescape(val);
		query_value(key, val);
		if (amp)
			p = amp + 1;
	} while (amp);
	free(copy);
}

/* ---- headers ------------------------------------------------------------- */

static void range(const char *v, uint64_t size)
{
	uint64_t start = 0x5a5a, len = 0xa5a5;
	enum http_range r = http_parse_range(v, size, &start, &len);

	if (r != HTTP_RANGE_OK) {
		CHECK(r == HTTP_RANGE_NONE || r == HTTP_RANGE_UNSAT);
		CHECK(start == 0x5a5a && len == 0xa5a5); /* untouched */
		return;
	}
	CHECK(size > 0 && len > 0);
	CHECK(start < size && len <= size - start);
}

static void dates(const char *s, const uint8_t *tail, size_t tlen)
{
	char buf[40];
	int64_t t, t2;

	if (http_date_parse(s, &t) == 0) {
		CHECK(t >= 0);
		/* IMF-fixdate holds four digits of year: check up to 9999. */
		if (t < INT64_C(253402300800)) {
			http_date_format(t, buf, sizeof(buf));
			CHECK(strlen(buf) == 29);
			CHECK(http_date_parse(buf, &t2) == 0 && t2 == t);
		}
	}
	if (tlen >= 8) {
		uint64_t u = 0;

		for (int i = 0; i < 8; i++)
			u = u << 8 | tail[i];
		memset(buf, 'Z', sizeof(buf));
		http_date_format((int64_t)u, buf, 30);
		CHECK(memchr(buf, '\0', 30) != NULL && buf[30] == 'Z');
	}
}

static void etags(const char *list, uint64_t size)
{
	char etag[48], weak[64];

	http_etag(size, (int64_t)(size * 7), etag, sizeof(etag));
	sink += (size_t)http_etag_match(list, etag);
	CHECK(http_etag_match(etag, etag) == 1);
	snprintf(weak, sizeof(weak), " W/%s , \"x\"", etag);
	CHECK(http_etag_match(weak, etag) == 1);
}

/* ---- escaping -------------------------------------------------------------- */

static void escapes(const char *s)
{
	struct http_buf b = {0};
	size_t o = 0, n = strlen(s);
	char *back;

	back = malloc(n + 1);
	if (!back)
		return;

	/* HTML: no markup survives; the entities undo to s. */
	http_buf_html(&b, s);
	for (size_t i = 0; !b.failed && b.p && i < b.len; i++) {
		static const struct { const char *ent; char c; } ents[] = {
			{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''},
		};
		char c = b.p[i];
		size_t k;

		CHECK(c != '<' && c != '>' && c != '"' && c != '\'');
		if (c == '&') {
			for (k = 0; k < 5; k++)
				if (strncmp(b.p + i, ents[k].ent, strlen(ents[k].ent)) == 0)
					break;
			CHECK(k < 5);
			back[o++] = ents[k].c;
			i += strlen(ents[k].ent) - 1;
		} else {
			back[o++] = c;
		}
	}
	if (!b.failed && b.p)
		CHECK(o == n && memcmp(back, s, n) == 0);
	free(b.p);

	/* URL path: unreserved characters, '/' and %XX only. */
	memset(&b, 0, sizeof(b));
	o = 0;
	http_buf_url(&b, s);
	for (size_t i = 0; !b.failed && b.p && i < b.len; i++) {
		char c = b.p[i];

		if (c == '%') {
			static const char hex[] = "0123456789ABCDEF";
			const char *h, *l;

			CHECK(i + 2 < b.len && b.p[i + 1] && b.p[i + 2]);
			h = strchr(hex, b.p[i + 1]);
			l = strchr(hex, b.p[i + 2]);
			CHECK(h && l);
			back[o++] = (char)((h - hex) << 4 | (l - hex));
			i += 2;
		} else {
			CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || strchr("-._~/", c));
			back[o++] = c;
		}
	}
	if (!b.failed && b.p)
		CHECK(o == n && memcmp(back, s, n) == 0);
	free(b.p);

	/* JSON: printable ASCII between the quotes, no bare '"' or '\'. */
	memset(&b, 0, sizeof(b));
	http_buf_json(&b, s);
	if (!b.failed && b.p) {
		CHECK(b.len >= 2 && b.p[0] == '"' && b.p[b.len - 1] == '"');
		for (size_t i = 1; i + 1 < b.len; i++) {
			unsigned char c = (unsigned char)b.p[i];

			CHECK(c >= 0x20 && c < 0x7f && c != '"');
			if (c == '\\') {
				CHECK(strchr("\"\\u", b.p[i + 1]) && i + 2 < b.len);
				i += b.p[i + 1] == 'u' ? 5 : 1;
			}
		}
	}
	free(b.p);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sizes[] = {0, 1, 2, 100, 4096, UINT64_MAX / 2, UINT64_MAX - 1,
					 UINT64_MAX};
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) : size;
	const uint8_t *tail = nul ? nul + 1 : data + size;
	size_t tlen = (size_t)(data + size - tail);
	uint64_t extra = 0;
	char *s;

	if (size > 8192)
		return 0;
	s = malloc(n + 1);
	if (!s)
		return 0;
	memcpy(s, data, n);
	s[n] = '\0';

	target(s);
	log_path(s);
	query(s);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		range(s, sizes[i]);
	if (tlen >= 8) {
		for (int i = 0; i < 8; i++)
			extra = extra << 8 | tail[i];
		range(s, extra);
	}
	dates(s, tail, tlen);
	etags(s, extra);
	escapes(s);
	free(s);
	return 0;
}
