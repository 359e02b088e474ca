/*
 * tftp_request_test.c - RRQ/WRQ parsing, option ranges and ERROR packets
 * (lib/tftp_request.c, lib/tftp_options.c, lib/tftp_error.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <pxeboot/tftp.h>
#include "tap.h"

/* Builds "op file\0 mode\0 [name\0 value\0]..." from a NULL-ended list. */
static size_t mkreq(uint8_t *buf, uint16_t op, const char *file, const char *mode, ...)
{
	size_t n = 0;
	const char *s;
	va_list ap;

	buf[n++] = (uint8_t)(op >> 8);
	buf[n++] = (uint8_t)op;
	memcpy(buf + n, file, strlen(file) + 1);
	n += strlen(file) + 1;
	memcpy(buf + n, mode, strlen(mode) + 1);
	n += strlen(mode) + 1;
	va_start(ap, mode);
	while ((s = va_arg(ap, const char *)) != NULL) {
		memcpy(buf + n, s, strlen(s) + 1);
		n += strlen(s) + 1;
	}
	va_end(ap);
	return n;
}

/* Raw malformed requests: bytes, length, expected result. */
struct raw_case {
	const char *name;
	const char *bytes;
	size_t len;
	int want;
};

#define RAW(n, b, w) { n, b, sizeof(b) - 1, w }

static const struct raw_case raw_cases[] = {
	{ "empty datagram", "", 0, PXB_ERR_PROTO },
	{ "one byte", "\0", 1, PXB_ERR_PROTO },
	RAW("opcode only", "\0\1", PXB_ERR_PROTO),
	RAW("DATA opcode", "\0\3f\0octet\0", PXB_ERR_PROTO),
	RAW("ACK opcode", "\0\4\0\1", PXB_ERR_PROTO),
	RAW("ERROR opcode", "\0\5\0\1x\0", PXB_ERR_PROTO),
	RAW("OACK opcode", "\0\6f\0octet\0", PXB_ERR_PROTO),
	RAW("opcode 0", "\0\0f\0octet\0", PXB_ERR_PROTO),
	RAW("opcode 257", "\1\1f\0octet\0", PXB_ERR_PROTO),
	RAW("filename without NUL", "\0\1pxelinux.0", PXB_ERR_PROTO),
	RAW("mode missing", "\0\1pxelinux.0\0", PXB_ERR_PROTO),
	RAW("mode without NUL", "\0\1pxelinux.0\0octet", PXB_ERR_PROTO),
	RAW("empty mode", "\0\1pxelinux.0\0\0", PXB_ERR_PROTO),
	RAW("empty file name", "\0\1\0octet\0", PXB_ERR_PROTO),
	RAW("mode mail", "\0\1f\0mail\0", PXB_ERR_UNSUPP),
	RAW("mode unknown", "\0\1f\0binary\0", PXB_ERR_UNSUPP),
	RAW("mode prefix", "\0\1f\0oct\0", PXB_ERR_UNSUPP),
	RAW("mode longer", "\0\1f\0octets\0", PXB_ERR_UNSUPP),
	RAW("WRQ", "\0\2upload.bin\0octet\0", PXB_ERR_ACCESS),
	RAW("octet", "\0\1f\0octet\0", 0),
	RAW("OCTET upper case", "\0\1f\0OCTET\0", 0),
	RAW("NetAscii mixed case", "\0\1f\0NetAscii\0", 0),
};

static void test_raw(void)
{
	struct pxb_tftp_request req;
	size_t i;

	for (i = 0; i < sizeof(raw_cases) / sizeof(raw_cases[0]); i++) {
		const struct raw_case *c = &raw_cases[i];

		is_int(pxb_tftp_request_parse((const uint8_t *)c->bytes, c->len, &req), c->want,
		       "parse: %s", c->name);
	}
	is_int(pxb_tftp_request_parse(NULL, 4, &req), PXB_ERR_INVAL, "parse: NULL buffer");
	is_int(pxb_tftp_request_parse((const uint8_t *)"\0\1f\0octet\0", 10, NULL), PXB_ERR_INVAL,
	       "parse: NULL request");
}

static void test_fields(void)
{
	struct pxb_tftp_request req;
	uint8_t buf[4096];
	size_t n;
	char name[PXB_TFTP_FILENAME_MAX + 2];

	n = mkreq(buf, PXB_TFTP_OP_RRQ, "/grub/x86_64-efi/command.lst", "octet", NULL);
	is_int(pxb_tftp_request_parse(buf, n, &req), 0, "plain RRQ parses");
	is_int(req.opcode, PXB_TFTP_OP_RRQ, "opcode RRQ");
	is_str(req.filename, "/grub/x86_64-efi/command.lst", "file name copied as sent");
	is_int(req.filename_len, 28, "file name length");
	is_int(req.mode, PXB_TFTP_MODE_OCTET, "mode octet");
	is_int(req.opt_mask, 0, "no options");
	is_int(req.opts_ignored, 0, "nothing ignored");

	n = mkreq(buf, PXB_TFTP_OP_RRQ, "f", "netascii", NULL);
	is_int(pxb_tftp_request_parse(buf, n, &req), 0, "netascii RRQ parses");
	is_int(req.mode, PXB_TFTP_MODE_NETASCII, "mode netascii");

	n = mkreq(buf, PXB_TFTP_OP_WRQ, "up.bin", "octet", "blksize", "1024", NULL);
	is_int(pxb_tftp_request_parse(buf, n, &req), PXB_ERR_ACCESS, "WRQ refused");
	is_int(req.opcode, PXB_TFTP_OP_WRQ, "WRQ opcode kept for the log");
	is_str(req.filename, "up.bin", "WRQ file name kept for the log");

	memset(name, 'a', sizeof(name));
	name[PXB_TFTP_FILENAME_MAX] = '\0';
	n = mkreq(buf, PXB_TFTP_OP_RRQ, name, "octet", NULL);
	is_int(pxb_tftp_request_parse(buf, n, &req), 0, "longest file name accepted");
	is_int(req.filename_len, PXB_TFTP_FILENAME_MAX, "longest file name length");
	name[PXB_TFTP_FILENAME_MAX] = 'a';
	name[PXB_TFTP_FILENAME_MAX + 1] = '\0';
	n = mkreq(buf, PXB_TFTP_OP_RRQ, name, "octet", NULL);
	is_int(pxb_tftp_request_parse(buf, n, &req), PXB_ERR_TOOBIG, "file name too long");
}

/* Options: each request lists one option; want_mask says whether it counts. */
struct opt_case {
	const char *name, *value;
	int opt;       /* enum pxb_tftp_opt, -1 for none */
	uint64_t want; /* value when accepted */
	int accepted;
};

static const struct opt_case opt_cases[] = {
	{ "blksize", "1432", PXB_TFTP_OPT_BLKSIZE, 1432, 1 },
	{ "blksize", "8", PXB_TFTP_OPT_BLKSIZE, 8, 1 },
	{ "blksize", "65464", PXB_TFTP_OPT_BLKSIZE, 65464, 1 },
	{ "blksize", "7", PXB_TFTP_OPT_BLKSIZE, 0, 0 },
	{ "blksize", "0", PXB_TFTP_OPT_BLKSIZE, 0, 0 },
	{ "blksize", "65465", PXB_TFTP_OPT_BLKSIZE, 0, 0 },
	{ "blksize", "", PXB_TFTP_OPT_BLKSIZE, 0, 0 },
	{ "blksize", "-512", PXB_TFTP_OPT_BLKSIZE, 0, 0 },
	{ "blksize", "+512", PXB_TFTP_OPT_BLKSIZE, 0, 0 },
	{ "blksize", " 512", PXB_TFTP_OPT_BLKSIZE, 0, 0 },
	{ "blksize", "512x", PXB_TFTP_OPT_BLKSIZE, 0, 0 },
	{ "blksize", "0x200", PXB_TFTP_OPT_BLKSIZE, 0, 0 },
	{ "blksize", "00001024", PXB_TFTP_OPT_BLKSIZE, 1024, 1 },
	{ "BLKSIZE", "1024", PXB_TFTP_OPT_BLKSIZE, 1024, 1 },
	{ "BlkSize", "1024", PXB_TFTP_OPT_BLKSIZE, 1024, 1 },
	{ "tsize", "0", PXB_TFTP_OPT_TSIZE, 0, 1 },
	{ "tsize", "18446744073709551615", PXB_TFTP_OPT_TSIZE, UINT64_MAX, 1 },
	{ "tsize", "18446744073709551616", PXB_TFTP_OPT_TSIZE, 0, 0 },
	{ "tsize", "99999999999999999999999", PXB_TFTP_OPT_TSIZE, 0, 0 },
	{ "timeout", "1", PXB_TFTP_OPT_TIMEOUT, 1, 1 },
	{ "timeout", "255", PXB_TFTP_OPT_TIMEOUT, 255, 1 },
	{ "timeout", "0", PXB_TFTP_OPT_TIMEOUT, 0, 0 },
	{ "timeout", "256", PXB_TFTP_OPT_TIMEOUT, 0, 0 },
	{ "windowsize", "1", PXB_TFTP_OPT_WINDOWSIZE, 1, 1 },
	{ "windowsize", "65535", PXB_TFTP_OPT_WINDOWSIZE, 65535, 1 },
	{ "windowsize", "0", PXB_TFTP_OPT_WINDOWSIZE, 0, 0 },
	{ "windowsize", "65536", PXB_TFTP_OPT_WINDOWSIZE, 0, 0 },
	{ "multicast", "", -1, 0, 0 },
	{ "utimeout", "1000", -1, 0, 0 },
	{ "rollover", "0", -1, 0, 0 },
	{ "blksize2", "1024", -1, 0, 0 },
	{ "blk", "1024", -1, 0, 0 },
};

static void test_options(void)
{
	struct pxb_tftp_request req;
	uint8_t buf[512];
	size_t i, n;

	for (i = 0; i < sizeof(opt_cases) / sizeof(opt_cases[0]); i++) {
		const struct opt_case *c = &opt_cases[i];

		n = mkreq(buf, PXB_TFTP_OP_RRQ, "f", "octet", c->name, c->value, NULL);
		is_int(pxb_tftp_request_parse(buf, n, &req), 0, "option %s=\"%s\": request parses",
		       c->name, c->value);
		if (c->accepted) {
			ok(req.opt_mask == (1u << c->opt) && req.opt_value[c->opt] == c->want &&
				   req.opts_ignored == 0,
			   "option %s=\"%s\" accepted", c->name, c->value);
		} else {
			ok(req.opt_mask == 0 && req.opts_ignored == 1, "option %s=\"%s\" ignored",
			   c->name, c->value);
		}
	}

	/* OVMF's size probe, all four options, a repeated one. */
	n = mkreq(buf, PXB_TFTP_OP_RRQ, "shimx64.efi", "octet", "tsize", "0", "blksize", "1468",
		  "windowsize", "4", "timeout", "3", "blksize", "512", NULL);
	is_int(pxb_tftp_request_parse(buf, n, &req), 0, "four options parse");
	is_int(req.opt_mask, 0xf, "four options present");
	is_int(req.opt_value[PXB_TFTP_OPT_BLKSIZE], 1468, "repeated option: the first counts");
	is_int(req.opt_value[PXB_TFTP_OPT_WINDOWSIZE], 4, "windowsize value");
	is_int(req.opt_value[PXB_TFTP_OPT_TIMEOUT], 3, "timeout value");
	is_int(req.opts_ignored, 1, "repeated option counted as ignored");

	/* Trailing garbage and padding. */
	n = mkreq(buf, PXB_TFTP_OP_RRQ, "f", "octet", "blksize", "1024", NULL);
	memcpy(buf + n, "tsize", 5);
	is_int(pxb_tftp_request_parse(buf, n + 5, &req), 0, "option name without NUL: parses");
	ok(req.opt_mask == 1u << PXB_TFTP_OPT_BLKSIZE && req.opts_ignored == 1,
	   "option name without NUL: ignored");
	n = mkreq(buf, PXB_TFTP_OP_RRQ, "f", "octet", "blksize", "1024", "tsize", NULL);
	is_int(pxb_tftp_request_parse(buf, n, &req), 0, "option without value: parses");
	ok(req.opt_mask == 1u << PXB_TFTP_OPT_BLKSIZE && req.opts_ignored == 1,
	   "option without value: ignored");
	n = mkreq(buf, PXB_TFTP_OP_RRQ, "f", "octet", "blksize", "1024", NULL);
	memset(buf + n, 0, 3);
	is_int(pxb_tftp_request_parse(buf, n + 3, &req), 0, "NUL padding: parses");
	ok(req.opt_mask == 1u << PXB_TFTP_OPT_BLKSIZE && req.opts_ignored == 0,
	   "NUL padding: not counted");
	n = mkreq(buf, PXB_TFTP_OP_RRQ, "f", "octet", "tsize", "1234x", "windowsize", "8", NULL);
	is_int(pxb_tftp_request_parse(buf, n, &req), 0, "bad value then good option");
	ok(req.opt_mask == 1u << PXB_TFTP_OPT_WINDOWSIZE && req.opts_ignored == 1,
	   "bad value ignored, next option kept");

	is_str(pxb_tftp_opt_name(PXB_TFTP_OPT_BLKSIZE), "blksize", "opt name blksize");
	is_str(pxb_tftp_opt_name(PXB_TFTP_OPT_WINDOWSIZE), "windowsize", "opt name windowsize");
	ok(pxb_tftp_opt_name(PXB_TFTP_OPT_COUNT) == NULL, "opt name out of range");
}

static void test_errors(void)
{
	static const struct {
		int err;
		uint16_t code;
		const char *msg;
	} map[] = {
		{ PXB_ERR_NOENT, 1, "file not found" },
		{ PXB_ERR_ACCESS, 2, "access violation" },
		{ PXB_ERR_PROTO, 4, "malformed request" },
		{ PXB_ERR_UNSUPP, 4, "transfer mode not supported" },
		{ PXB_ERR_TOOBIG, 4, "file name too long" },
		{ PXB_ERR_NOMEM, 0, "server busy" },
		{ PXB_ERR_BUSY, 0, "server busy" },
		{ PXB_ERR_IO, 0, "internal error" },
	};
	uint8_t buf[128];
	size_t i;
	int n;

	n = pxb_tftp_build_error(buf, sizeof(buf), PXB_TFTP_ERR_UNKNOWN_TID, NULL);
	ok(n == 24 && memcmp(buf, "\0\5\0\5unknown transfer ID\0", 24) == 0,
	   "ERROR 5 with the standard text");
	n = pxb_tftp_build_error(buf, sizeof(buf), PXB_TFTP_ERR_OPTION, "no");
	ok(n == 7 && memcmp(buf, "\0\5\0\10no\0", 7) == 0, "ERROR 8 with a text");
	n = pxb_tftp_build_error(buf, 8, PXB_TFTP_ERR_NOT_FOUND, "file not found");
	ok(n == 8 && memcmp(buf, "\0\5\0\1fil\0", 8) == 0, "long text cut to fit");
	n = pxb_tftp_build_error(buf, 5, PXB_TFTP_ERR_ACCESS, "x");
	ok(n == 5 && memcmp(buf, "\0\5\0\2\0", 5) == 0, "5 bytes: empty text");
	is_int(pxb_tftp_build_error(buf, 4, 0, "x"), PXB_ERR_TOOBIG, "4 bytes: too small");
	is_int(pxb_tftp_build_error(NULL, 40, 0, "x"), PXB_ERR_INVAL, "NULL buffer");
	n = pxb_tftp_build_error(buf, sizeof(buf), 99, NULL);
	ok(n == 10 && memcmp(buf, "\0\5\0\143error\0", 10) == 0, "unknown code: generic text");

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		n = pxb_tftp_build_error_for(buf, sizeof(buf), map[i].err);
		ok(n == (int)(5 + strlen(map[i].msg)) && buf[0] == 0 && buf[1] == 5 &&
			   buf[2] == 0 && buf[3] == map[i].code &&
			   strcmp((char *)buf + 4, map[i].msg) == 0 && !strchr((char *)buf + 4, '/'),
		   "error for %d: code %u \"%s\", no path", map[i].err, map[i].code, map[i].msg);
	}
	is_str(pxb_tftp_verdict_name(PXB_TFTP_ABORTED), "aborted by client", "verdict name");
	is_str(pxb_tftp_reason_name(PXB_TFTP_REASON_TIMEOUT), "timeout", "reason name");
}

int main(void)
{
	plan_lazy();
	test_raw();
	test_fields();
	test_options();
	test_errors();
	return done_testing();
}
