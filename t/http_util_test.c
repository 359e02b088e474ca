/*
 * http_util_test.c - the HTTP plugin's pure helpers (plugins/http/http_util.c):
 * request-target decoding, Range, HTTP dates, entity tags, client arch names
 * and HTML/URL escaping.
 */
#include "config.h"

#include <stdlib.h>

#include "tap.h"
#include "../plugins/http/http_internal.h"

static void test_decode(void)
{
	static const struct {
		const char *raw, *path;
		int status, slash;
	} v[] = {
		{"/", "/", 0, 1},
		{"/boot/vmlinuz", "/boot/vmlinuz", 0, 0},
		{"/boot/", "/boot/", 0, 1},
		{"/a%20b?x=1&y=%2f", "/a b", 0, 0},
		{"/a#frag", "/a", 0, 0},
		{"/%2e%2e/etc/passwd", "/../etc/passwd", 0, 0}, /* normalize refuses it later */
		{"/%C3%A9t%c3%a9", "/\xc3\xa9t\xc3\xa9", 0, 0},
		{"/a%2fb", NULL, 400, 0},
		{"/a%2Fb", NULL, 400, 0},
		{"/a%00b", NULL, 400, 0},
		{"/a%0ab", NULL, 400, 0},
		{"/a%zzb", NULL, 400, 0},
		{"/a%4", NULL, 400, 0},
		{"/a%", NULL, 400, 0},
		{"*", NULL, 400, 0},
		{"boot", NULL, 400, 0},
		{"http://example.org/boot/x?y", "/boot/x", 0, 0},
		{"HTTP://example.org", "/", 0, 1},
		{"/a\\b\\", "/a\\b\\", 0, 1},
		{"/a%5cb", "/a\\b", 0, 0},
	};
	char out[64];
	int slash;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int st = http_decode_path(v[i].raw, out, sizeof(out), &slash);

		is_int(st, v[i].status, "decode %s: status", v[i].raw);
		if (!v[i].path)
			continue;
		is_str(out, v[i].path, "decode %s: path", v[i].raw);
		is_int(slash, v[i].slash, "decode %s: trailing slash", v[i].raw);
	}
	{
		char big[200];
		memset(big, 'a', sizeof(big));
		big[0] = '/';
		big[sizeof(big) - 1] = '\0';
		is_int(http_decode_path(big, out, sizeof(out), &slash), 414, "too long: 414");
	}
}

static void test_log_path(void)
{
	char out[16];

	http_log_path("/a b\"c?q=1", out, sizeof(out));
	is_str(out, "/a%20b%22c", "log path escapes spaces and quotes, drops the query");
	http_log_path("/0123456789abcdefghij", out, sizeof(out));
	is_str(out, "/0123456789a...", "log path cut with ...");
	http_log_path("?x", out, sizeof(out));
	is_str(out, "-", "empty path logged as -");
}

static void test_range(void)
{
	static const struct {
		const char *v;
		uint64_t size;
		enum http_range r;
		uint64_t start, len;
	} v[] = {
		{"bytes=0-0", 100, HTTP_RANGE_OK, 0, 1},
		{"bytes=0-99", 100, HTTP_RANGE_OK, 0, 100},
		{"bytes=0-1000", 100, HTTP_RANGE_OK, 0, 100},
		{"bytes=10-19", 100, HTTP_RANGE_OK, 10, 10},
		{"bytes=99-", 100, HTTP_RANGE_OK, 99, 1},
		{"bytes=50-", 100, HTTP_RANGE_OK, 50, 50},
		{"bytes=-1", 100, HTTP_RANGE_OK, 99, 1},
		{"bytes=-500", 100, HTTP_RANGE_OK, 0, 100},
		{" bytes=5-6 ", 100, HTTP_RANGE_OK, 5, 2},
		{"bytes=5 - 6", 100, HTTP_RANGE_NONE, 0, 0},
		{"BYTES=1-2", 100, HTTP_RANGE_OK, 1, 2},
		{"bytes=100-", 100, HTTP_RANGE_UNSAT, 0, 0},
		{"bytes=100-200", 100, HTTP_RANGE_UNSAT, 0, 0},
		{"bytes=-0", 100, HTTP_RANGE_UNSAT, 0, 0},
		{"bytes=0-", 0, HTTP_RANGE_UNSAT, 0, 0},
		{"bytes=-5", 0, HTTP_RANGE_UNSAT, 0, 0},
		{"bytes=0-1,5-6", 100, HTTP_RANGE_NONE, 0, 0},
		{"bytes=5-1", 100, HTTP_RANGE_NONE, 0, 0},
		{"bytes=a-b", 100, HTTP_RANGE_NONE, 0, 0},
		{"bytes=-", 100, HTTP_RANGE_NONE, 0, 0},
		{"bytes=", 100, HTTP_RANGE_NONE, 0, 0},
		{"items=0-1", 100, HTTP_RANGE_NONE, 0, 0},
		{"bytes=1-2x", 100, HTTP_RANGE_NONE, 0, 0},
		{"bytes=99999999999999999999-", 100, HTTP_RANGE_NONE, 0, 0},
		{"bytes=314572799-", 314572800, HTTP_RANGE_OK, 314572799, 1},
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint64_t s = 0, l = 0;
		enum http_range r = http_parse_range(v[i].v, v[i].size, &s, &l);

		is_int(r, v[i].r, "range \"%s\" of %llu", v[i].v, (unsigned long long)v[i].size);
		if (r == HTTP_RANGE_OK && v[i].r == HTTP_RANGE_OK) {
			is_int(s, v[i].start, "range \"%s\": start", v[i].v);
			is_int(l, v[i].len, "range \"%s\": length", v[i].v);
		}
	}
}

static void test_dates(void)
{
	char buf[40];
	int64_t t = 0;

	http_date_format(784111777, buf, sizeof(buf));
	is_str(buf, "Sun, 06 Nov 1994 08:49:37 GMT", "IMF-fixdate written");
	is_int(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0, "IMF-fixdate read");
	is_int(t, 784111777, "IMF-fixdate value");
	t = 0;
	is_int(http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0, "rfc850-date read");
	is_int(t, 784111777, "rfc850-date value");
	t = 0;
	is_int(http_date_parse("Sun Nov  6 08:49:37 1994", &t), 0, "asctime-date read");
	is_int(t, 784111777, "asctime-date value");
	is_int(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT junk", &t), -1, "trailing junk");
	is_int(http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", &t), -1, "bad month");
	is_int(http_date_parse("yesterday", &t), -1, "not a date");
	is_int(http_date_parse("", &t), -1, "empty");
	http_date_format(0, buf, sizeof(buf));
	is_str(buf, "Thu, 01 Jan 1970 00:00:00 GMT", "epoch");
}

static void test_etag(void)
{
	char e[48];

	http_etag(1048576, 0x5f000000, e, sizeof(e));
	is_str(e, "\"100000-5f000000\"", "etag is size-mtime in hex");
	ok(http_etag_match("\"100000-5f000000\"", e), "same tag matches");
	ok(http_etag_match("W/\"100000-5f000000\"", e), "weak form matches (weak comparison)");
	ok(http_etag_match("\"x\", \"100000-5f000000\"", e), "in a list");
	ok(http_etag_match("*", e), "* matches");
	ok(!http_etag_match("\"100000-5f000001\"", e), "other tag does not match");
	ok(!http_etag_match("100000-5f000000", e), "unquoted does not match");
	ok(!http_etag_match("\"100000-5f000000", e), "unterminated does not match");
	ok(!http_etag_match("", e), "empty does not match");
}

static void test_arch(void)
{
	uint16_t a = 0;

	ok(http_parse_arch("7", &a) == 0 && a == 7, "arch number");
	ok(http_parse_arch("0x0009", &a) == 0 && a == 9, "arch hex");
	ok(http_parse_arch("x86_64-efi", &a) == 0 && a == 7, "x86_64-efi is 7");
	ok(http_parse_arch("i386-pcbios", &a) == 0 && a == 0, "i386-pcbios is 0");
	ok(http_parse_arch("arm64-efi", &a) == 0 && a == 11, "arm64-efi is 11");
	ok(http_parse_arch("65536", &a) < 0, "out of range refused");
	ok(http_parse_arch("vax", &a) < 0, "unknown name refused");
	ok(http_parse_arch("", &a) < 0, "empty refused");
}

static void test_escape(void)
{
	struct http_buf b = {0};

	http_buf_html(&b, "<a href=\"x\">&'</a>");
	is_str(b.p, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;", "html escaping");
	free(b.p);
	memset(&b, 0, sizeof(b));
	http_buf_url(&b, "a b/c?d#e%f\"<\xc3\xa9~._-");
	is_str(b.p, "a%20b/c%3Fd%23e%25f%22%3C%C3%A9~._-", "url encoding");
	free(b.p);
	memset(&b, 0, sizeof(b));
	for (int i = 0; i < 2000; i++)
		http_buf_printf(&b, "%04d", i);
	ok(!b.failed && b.len == 8000, "buffer grows");
	free(b.p);
}

int main(void)
{
	plan_lazy();
	test_decode();
	test_log_path();
	test_range();
	test_dates();
	test_etag();
	test_arch();
	test_escape();
	return done_testing();
}
