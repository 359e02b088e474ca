/*
 * boot_vars.c - what a menu says to one client: the ${...} variables of
 * arguments and paths, file URLs carrying the server's own address (never
 * iPXE's ${next-server}, wrong beside another DHCP server), and the final
 * argument string of an entry (rootcryptpass=, memdisk defaults).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pxeboot/boot.h>
#include <pxeboot/install.h>
#include "boot_internal.h"
#include "internal.h"

void pxb_boot_ctx_init(struct pxb_boot_ctx *x, const pxb_boot_model *m,
		       const struct pxb_client *c, const char *fallback_server)
{
	uint16_t port = m->http_port;

	memset(x, 0, sizeof(*x));
	x->model = m;
	x->client = c;
	x->arch = "unknown";
	x->efi = 1;
	if (c && c->server_addr.s_addr)
		inet_ntop(AF_INET, &c->server_addr, x->server, sizeof(x->server));
	else if (m->server)
		pxb_strlcpy(x->server, m->server, sizeof(x->server));
	else if (fallback_server)
		pxb_strlcpy(x->server, fallback_server, sizeof(x->server));
	if (c && c->http_port)
		port = c->http_port;
	if (x->server[0]) {
		if (port == 80)
			snprintf(x->http, sizeof(x->http), "http://%s", x->server);
		else
			snprintf(x->http, sizeof(x->http), "http://%s:%u", x->server, port);
	}
	if (c && c->has_mac)
		pxb_mac_format(c->mac, x->mac, ':');
	if (c && c->addr.s_addr)
		inet_ntop(AF_INET, &c->addr, x->ip, sizeof(x->ip));
	if (c && c->arch != PXB_ARCH_UNKNOWN) {
		x->arch_bit = pxb_boot_arch_of(c->arch);
		if (x->arch_bit) {
			x->arch = pxb_boot_arch_name(x->arch_bit);
			x->efi = x->arch_bit != PXB_BOOT_ARCH_BIOS;
		}
	}
	x->token = c && c->token ? c->token : "";
}

const char *pxb_boot_entry_dir(const struct pxb_boot_entry *e, char *buf, size_t len)
{
	const char *src = e->dir ? e->dir : e->kernel ? e->kernel : e->image;
	const char *slash;
	size_t l;

	if (!src) {
		buf[0] = '\0';
		return buf;
	}
	if (e->dir) {
		pxb_strlcpy(buf, src, len);
		l = strlen(buf);
		while (l > 1 && buf[l - 1] == '/')
			buf[--l] = '\0';
		return buf;
	}
	slash = strrchr(src, '/');
	l = slash ? (size_t)(slash - src) : 0;
	if (l >= len)
		l = len - 1;
	memcpy(buf, src, l);
	buf[l] = '\0';
	return buf;
}

/* Appends n bytes of s to out at *off; returns -1 when it does not fit. */
static int put(char *out, size_t len, size_t *off, const char *s, size_t n)
{
	if (*off + n >= len)
		return -1;
	memcpy(out + *off, s, n);
	*off += n;
	out[*off] = '\0';
	return 0;
}

int pxb_boot_expand(const struct pxb_boot_ctx *x, const struct pxb_boot_entry *e,
		    const char *in, char *out, size_t len)
{
	size_t off = 0;
	char dir[PXB_VFS_PATH_MAX];

	if (len == 0)
		return PXB_ERR_TOOBIG;
	out[0] = '\0';
	for (const char *p = in; *p;) {
		const char *val = NULL, *end;
		if (p[0] == '$' && p[1] == '{' && (end = strchr(p + 2, '}')) != NULL) {
			size_t nl = (size_t)(end - (p + 2));
			const char *name = p + 2;
#define IS(s) (nl == sizeof(s) - 1 && strncmp(name, s, nl) == 0)
			if (IS("server"))
				val = x->server;
			else if (IS("http"))
				val = x->http;
			else if (IS("mac"))
				val = x->mac;
			else if (IS("ip"))
				val = x->ip;
			else if (IS("arch"))
				val = x->arch;
			else if (IS("token"))
				val = x->token;
			else if (IS("entry"))
				val = e ? pxb_boot_entry_dir(e, dir, sizeof(dir)) : "";
			else if (IS("answer_url") || IS("done_url")) {
				int n = pxb_boot_answer_url(x, e, dir, sizeof(dir) - 5);
				if (n > 0 && IS("done_url"))
					memcpy(dir + n, "/done", 6);
				val = dir;
			}
#undef IS
			if (val) {
				if (put(out, len, &off, val, strlen(val)) < 0)
					return PXB_ERR_TOOBIG;
				p = end + 1;
				continue;
			}
		}
		if (put(out, len, &off, p, 1) < 0)
			return PXB_ERR_TOOBIG;
		p++;
	}
	return (int)off;
}

int pxb_boot_answer_url(const struct pxb_boot_ctx *x, const struct pxb_boot_entry *e,
			char *out, size_t len)
{
	uint8_t mac[6];
	char dashed[18];
	int n;

	out[0] = '\0';
	if (!e || !x->http[0] || pxb_mac_parse(x->mac, mac) < 0)
		return 0;
	n = snprintf(out, len, "%s/answer/%s/%s", x->http, e->id, pxb_mac_format(mac, dashed, '-'));
	if (n < 0 || (size_t)n >= len) {
		out[0] = '\0';
		return 0;
	}
	return n;
}

int pxb_boot_is_url(const char *s)
{
	const char *p = s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '+' || *p == '-' || *p == '.')
		p++;
	return p[0] == ':' && p[1] == '/' && p[2] == '/';
}

/* RFC 3986 unreserved characters, '/' and the sub-delimiters safe in every renderer. */
static int path_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-._~/!*+,:=@", c) != NULL;
}

/* Characters a full URL keeps as given (it is already encoded by its author). */
static int url_safe(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("\"'<>\\^`{|}$#", c);
}

static int encode(char *out, size_t len, size_t *off, const char *s, int (*safe)(unsigned char))
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char pct[3] = {'%', hex[*p >> 4], hex[*p & 15]};
		if (safe(*p) ? put(out, len, off, (const char *)p, 1) < 0
			     : put(out, len, off, pct, 3) < 0)
			return PXB_ERR_TOOBIG;
	}
	return 0;
}

int pxb_boot_file_url(const struct pxb_boot_ctx *x, const struct pxb_boot_entry *e,
		      const char *path, char *out, size_t len)
{
	char exp[PXB_VFS_PATH_MAX * 2];
	size_t off = 0;

	if (len == 0)
		return PXB_ERR_TOOBIG;
	out[0] = '\0';
	if (pxb_boot_expand(x, e, path, exp, sizeof(exp)) < 0)
		return PXB_ERR_TOOBIG;
	if (pxb_boot_is_url(exp)) {
		if (encode(out, len, &off, exp, url_safe) < 0)
			return PXB_ERR_TOOBIG;
		return (int)off;
	}
	if (!x->http[0])
		return PXB_ERR_INVAL;
	if (put(out, len, &off, x->http, strlen(x->http)) < 0)
		return PXB_ERR_TOOBIG;
	if (exp[0] != '/' && put(out, len, &off, "/", 1) < 0)
		return PXB_ERR_TOOBIG;
	if (encode(out, len, &off, exp, path_safe) < 0)
		return PXB_ERR_TOOBIG;
	/* An armed boot's files: the HTTP server checks the token (pxeboot/policy.h). */
	if (x->token && x->token[0] &&
	    (put(out, len, &off, "?token=", 7) < 0 || encode(out, len, &off, x->token, path_safe) < 0))
		return PXB_ERR_TOOBIG;
	return (int)off;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), n = strlen(suffix);

	return l >= n && strcasecmp(s + l - n, suffix) == 0;
}

int pxb_boot_entry_args(const struct pxb_boot_ctx *x, const struct pxb_boot_entry *e, char *out,
			size_t len)
{
	const char *args = e->args;
	int n;
	size_t off;

	if (len == 0)
		return PXB_ERR_TOOBIG;
	if (!args && e->kind == PXB_BOOT_MEMDISK)
		args = e->image && ends_with(e->image, ".iso") ? "iso raw" : "raw";
	n = pxb_boot_expand(x, e, args ? args : "", out, len);
	if (n < 0)
		return n;
	off = (size_t)n;
	if (e->rescue_password && x->model->password_hash) {
		const char *h = x->model->password_hash;
		if ((off && put(out, len, &off, " ", 1) < 0) ||
		    put(out, len, &off, "rootcryptpass=", 14) < 0 || put(out, len, &off, h, strlen(h)) < 0)
			return PXB_ERR_TOOBIG;
	}
	if (e->answer && e->family) {
		char url[PXB_VFS_PATH_MAX], fam[PXB_VFS_PATH_MAX + 64];

		/* No MAC, no server: the installer asks its questions instead. */
		if (pxb_boot_answer_url(x, e, url, sizeof(url)) > 0 &&
		    (n = pxb_install_family_args(e->family, url, fam, sizeof(fam))) > 0 &&
		    ((off && put(out, len, &off, " ", 1) < 0) ||
		     put(out, len, &off, fam, (size_t)n) < 0))
			return PXB_ERR_TOOBIG;
	}
	return (int)off;
}
