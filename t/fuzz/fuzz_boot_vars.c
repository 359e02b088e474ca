/*
 * fuzz_boot_vars.c - libFuzzer target for the boot model's ${...} variables
 * (lib/boot_vars.c): pxb_boot_expand, pxb_boot_file_url and
 * pxb_boot_entry_args on strings and a client taken from the input.
 *
 * The input is lines "key=value" (other lines are ignored):
 *   in=      the string expanded and turned into a URL (several in= lines: each)
 *   args=    the entry's arguments        kernel= dir= image=   its paths
 *   kind=    linux|memdisk|chain          hash=    a rescue password hash
 *   mac=1    the client has a MAC         ip=, server=  its and our IPv4 address
 *   port=    our HTTP port                arch=    the client's RFC 4578 type
 *   token=   the client's token
 *
 * Beyond "no crash", it checks what the functions promise: the expansion
 * equals a reference made another way (each position either starts a known
 * "${name}" or is copied), its length is returned, a buffer one byte too
 * small gives PXB_ERR_TOOBIG and a NUL-terminated prefix; a URL holds no
 * byte a menu would read as syntax, and decodes back to the expanded path
 * (and the token); the arguments start with the expanded args= and end with
 * rootcryptpass=<hash> when asked.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/boot.h>

#define BIG 16384

struct input {
	char *v[16];
	char *ins[8];
	unsigned nins;
};

static const char *const keys[] = {"args", "kernel", "dir", "image", "kind", "hash", "mac",
				   "ip", "server", "port", "arch", "token", NULL};

static const char *get(const struct input *in, const char *key)
{
	for (unsigned i = 0; keys[i]; i++)
		if (!strcmp(keys[i], key))
			return in->v[i];
	return NULL;
}

/* Splits a copy of the input into its lines; returns the copy to free. */
static char *parse(const uint8_t *data, size_t size, struct input *in)
{
	char *text = malloc(size + 1), *save = NULL, *line;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	memset(in, 0, sizeof(*in));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = '\0';
		if (!strcmp(line, "in")) {
			if (in->nins < sizeof(in->ins) / sizeof(in->ins[0]))
				in->ins[in->nins++] = eq + 1;
			continue;
		}
		for (unsigned i = 0; keys[i]; i++)
			if (!strcmp(line, keys[i]))
				in->v[i] = eq + 1;
	}
	return text;
}

/* The expansion made another way: known "${name}" at a position, else the byte. */
static size_t reference(const struct pxb_boot_ctx *x, const struct pxb_boot_entry *e,
			const char *s, char *out, size_t len)
{
	char dir[PXB_VFS_PATH_MAX], answer[PXB_VFS_PATH_MAX], done[PXB_VFS_PATH_MAX + 8];
	const char *names[] = {"${server}", "${http}", "${mac}", "${ip}", "${arch}", "${token}",
			       "${entry}", "${answer_url}", "${done_url}"};
	const char *vals[9];
	size_t o = 0;

	vals[0] = x->server;
	vals[1] = x->http;
	vals[2] = x->mac;
	vals[3] = x->ip;
	vals[4] = x->arch;
	vals[5] = x->token;
	vals[6] = e ? pxb_boot_entry_dir(e, dir, sizeof(dir)) : "";
	/* HTTP/answer/ENTRY/aa-bb-cc-dd-ee-ff, empty when unknown or too long; done: + /done */
	answer[0] = done[0] = '\0';
	if (e && x->http[0] && x->mac[0]) {
		char mac[18];

		memcpy(mac, x->mac, sizeof(mac));
		mac[17] = '\0';
		for (char *m = mac; *m; m++)
			if (*m == ':')
				*m = '-';
		if (strlen(x->http) + strlen("/answer/") + strlen(e->id) + 1 + 17 <
		    sizeof(answer) - 5) {
			snprintf(answer, sizeof(answer), "%s/answer/%s/%s", x->http, e->id, mac);
			snprintf(done, sizeof(done), "%s/done", answer);
		}
	}
	vals[7] = answer;
	vals[8] = done;
	while (*s) {
		unsigned k;

		for (k = 0; k < 9; k++)
			if (!strncmp(s, names[k], strlen(names[k])))
				break;
		if (k < 9) {
			size_t l = strlen(vals[k]);
			if (o + l < len)
				memcpy(out + o, vals[k], l);
			o += l;
			s += strlen(names[k]);
		} else {
			if (o + 1 < len)
				out[o] = *s;
			o++;
			s++;
		}
	}
	if (o < len)
		out[o] = '\0';
	return o;
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes n bytes of s into out (upper-case hex, as encoded); -1 if malformed. */
static int decode(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			if (i + 2 >= n || hexv(s[i + 1]) < 0 || hexv(s[i + 2]) < 0)
				return -1;
			c = (char)(hexv(s[i + 1]) << 4 | hexv(s[i + 2]));
			i += 2;
		}
		if (o + 1 >= len)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

static void check_expand(const struct pxb_boot_ctx *x, const struct pxb_boot_entry *e,
			 const char *s)
{
	static char out[BIG], ref[BIG], small[BIG];
	size_t want = reference(x, e, s, ref, sizeof(ref));
	int n = pxb_boot_expand(x, e, s, out, sizeof(out));

	if (want >= sizeof(out)) {
		if (n != PXB_ERR_TOOBIG)
			abort();
		return;
	}
	if (n < 0 || (size_t)n != want || strlen(out) != want || strcmp(out, ref))
		abort();
	/* exactly big enough, then one byte short */
	if (pxb_boot_expand(x, e, s, small, want + 1) != n || strcmp(small, out))
		abort();
	memset(small, 'X', want + 1);
	if (pxb_boot_expand(x, e, s, small, want) != PXB_ERR_TOOBIG)
		abort();
	if (want && (strnlen(small, want) >= want || strncmp(small, out, strlen(small))))
		abort();
	if (pxb_boot_expand(x, e, s, small, 0) != PXB_ERR_TOOBIG)
		abort();
}

static int url_byte_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("\"'<>\\^`{|}$# ", c);
}

static void check_url(const struct pxb_boot_ctx *x, const struct pxb_boot_entry *e, const char *s)
{
	static char url[BIG], exp[BIG], dec[BIG], tok[BIG];
	int n = pxb_boot_file_url(x, e, s, url, sizeof(url));
	int m = pxb_boot_expand(x, e, s, exp, sizeof(exp));
	const char *rest, *q = NULL;
	size_t plen;

	if (n < 0) {
		if (n != PXB_ERR_TOOBIG && n != PXB_ERR_INVAL)
			abort();
		if (n == PXB_ERR_INVAL && (x->http[0] || m < 0 || pxb_boot_is_url(exp)))
			abort(); /* INVAL only when no server is known for a path */
		return;
	}
	if ((size_t)n != strlen(url) || m < 0)
		abort();
	for (const char *p = url; *p; p++)
		if (!url_byte_ok((unsigned char)*p))
			abort();
	if (pxb_boot_is_url(exp)) {
		/* kept as given but for the bytes that are not URL bytes, encoded */
		const char *u = url;
		for (const char *p = exp; *p; p++) {
			if (*u == '%' && *p != '%') {
				if (hexv(u[1]) < 0 || hexv(u[2]) < 0 ||
				    (char)(hexv(u[1]) << 4 | hexv(u[2])) != *p)
					abort();
				u += 3;
			} else if (*u++ != *p) {
				abort();
			}
		}
		if (*u)
			abort();
		return;
	}
	plen = strlen(x->http);
	if (strncmp(url, x->http, plen))
		abort();
	rest = url + plen;
	if (x->token[0]) {
		q = strstr(rest, "?token=");
		if (!q || decode(q + 7, strlen(q + 7), tok, sizeof(tok)) < 0 || strcmp(tok, x->token))
			abort();
	}
	if (decode(rest, q ? (size_t)(q - rest) : strlen(rest), dec, sizeof(dec)) < 0 ||
	    dec[0] != '/' || strcmp(dec + (exp[0] != '/'), exp))
		abort();
}

static void check_args(const struct pxb_boot_ctx *x, const struct pxb_boot_entry *e,
		       const pxb_boot_model *m)
{
	static char out[BIG], exp[BIG];
	const char *hash = pxb_boot_password_hash(m);
	int n = pxb_boot_entry_args(x, e, out, sizeof(out));
	size_t el;

	if (n < 0) {
		if (n != PXB_ERR_TOOBIG)
			abort();
		return;
	}
	if (!e->args) {
		if (e->kind == PXB_BOOT_MEMDISK && strncmp(out, "iso raw", 7) && strncmp(out, "raw", 3))
			abort();
		return;
	}
	if (pxb_boot_expand(x, e, e->args, exp, sizeof(exp)) < 0)
		abort();
	el = strlen(exp);
	if (strncmp(out, exp, el))
		abort();
	if (e->rescue_password && hash) {
		const char *tail = out + el + (el ? 1 : 0);
		if ((el && out[el] != ' ') || strncmp(tail, "rootcryptpass=", 14) ||
		    strcmp(tail + 14, hash))
			abort();
	} else if (out[el]) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in;
	struct pxb_client c;
	struct pxb_boot_entry e = {0};
	struct pxb_boot_ctx x;
	pxb_boot_model *m;
	char *text;
	const char *v;

	if (size > 8192)
		return 0;
	text = parse(data, size, &in);
	m = pxb_boot_model_new();
	if (!m)
		abort();
	memset(&c, 0, sizeof(c));
	if ((v = get(&in, "mac")) && *v == '1') {
		static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
		c.has_mac = 1;
		memcpy(c.mac, mac, 6);
	}
	if ((v = get(&in, "ip")))
		inet_pton(AF_INET, v, &c.addr);
	if ((v = get(&in, "server")))
		inet_pton(AF_INET, v, &c.server_addr);
	if ((v = get(&in, "port")))
		c.http_port = (uint16_t)strtoul(v, NULL, 10);
	c.arch = PXB_ARCH_UNKNOWN;
	if ((v = get(&in, "arch")))
		c.arch = (uint16_t)strtoul(v, NULL, 10);
	c.token = get(&in, "token");
	if ((v = get(&in, "hash")) && *v)
		pxb_boot_set_password_hash(m, v);

	e.id = "fuzz";
	e.kind = PXB_BOOT_LINUX;
	if ((v = get(&in, "kind")))
		e.kind = !strcmp(v, "memdisk") ? PXB_BOOT_MEMDISK
			 : !strcmp(v, "chain") ? PXB_BOOT_CHAIN : PXB_BOOT_LINUX;
	e.kernel = get(&in, "kernel");
	e.dir = get(&in, "dir");
	e.image = get(&in, "image");
	e.args = get(&in, "args");
	e.rescue_password = get(&in, "hash") != NULL;

	pxb_boot_ctx_init(&x, m, &c, NULL);
	for (unsigned i = 0; i < in.nins; i++) {
		check_expand(&x, &e, in.ins[i]);
		check_expand(&x, NULL, in.ins[i]);
		check_url(&x, &e, in.ins[i]);
	}
	if (e.kernel)
		check_url(&x, &e, e.kernel);
	check_args(&x, &e, m);
	pxb_boot_model_free(m);
	free(text);
	return 0;
}
