/*
 * answer_render.c - answer-file templates (preseed, kickstart, autoinstall
 * user-data) rendered for one host, and the kernel arguments each installer
 * family needs to find its file. No I/O: the caller reads the template and
 * serves the result. See pxeboot/install.h for the template language.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/install.h>
#include "internal.h"

struct out {
	char *p;
	size_t len, cap;
};

static int grow(struct out *o, const char *s, size_t n)
{
	if (n > PXB_ANSWER_MAX - o->len)
		return PXB_ERR_TOOBIG;
	return pxb_text_append(&o->p, &o->len, &o->cap, 256, s, n);
}

static int name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* Length of a variable name at p (before end) followed by '}', or 0. */
static size_t var_at(const char *p, const char *end)
{
	size_t n = 0;

	if (p >= end || !name_start(*p))
		return 0;
	while (p + n < end && name_char(p[n]))
		n++;
	return p + n < end && p[n] == '}' ? n : 0;
}

int pxb_answer_render(const char *tmpl, size_t len, pxb_answer_lookup_fn lookup, void *arg,
		      char **out, size_t *outlen, struct pxb_answer_error *err)
{
	struct out o = {0};
	const char *p = tmpl, *end = tmpl + len, *text = tmpl;
	unsigned line = 1;
	int rc;

	*out = NULL;
	if (outlen)
		*outlen = 0;
	if (len > PXB_ANSWER_MAX)
		return PXB_ERR_TOOBIG;
	rc = grow(&o, "", 0);
	while (rc == 0 && p < end) {
		size_t n;

		if (*p == '\n') {
			line++;
			p++;
			continue;
		}
		if (*p != '$') {
			p++;
			continue;
		}
		/* "$${" is a literal "${": shell code in a template keeps its own variables. */
		if (end - p >= 3 && p[1] == '$' && p[2] == '{') {
			rc = grow(&o, text, (size_t)(p - text));
			text = p + 1;
			p += 3;
			continue;
		}
		if (end - p < 2 || p[1] != '{' || (n = var_at(p + 2, end)) == 0) {
			p++;
			continue;
		}
		const char *val = lookup ? lookup(arg, p + 2, n) : NULL;
		if (!val) {
			if (err) {
				size_t k = n < sizeof(err->name) - 1 ? n : sizeof(err->name) - 1;

				err->line = line;
				memcpy(err->name, p + 2, k);
				err->name[k] = '\0';
			}
			rc = PXB_ERR_NOENT;
			break;
		}
		rc = grow(&o, text, (size_t)(p - text));
		if (rc == 0)
			rc = grow(&o, val, strlen(val));
		p += n + 3;
		text = p;
	}
	if (rc == 0)
		rc = grow(&o, text, (size_t)(end - text));
	if (rc < 0) {
		free(o.p);
		return rc;
	}
	*out = o.p;
	if (outlen)
		*outlen = o.len;
	return 0;
}

static const char *const family_names[] = {NULL, "debian", "autoinstall", "kickstart"};

const char *pxb_install_family_name(enum pxb_install_family f)
{
	return (unsigned)f < PXB_ARRAY_LEN(family_names) ? family_names[f] : NULL;
}

int pxb_install_family_parse(const char *s)
{
	if (!s || !*s || !strcmp(s, "none"))
		return PXB_FAMILY_NONE;
	for (unsigned i = 1; i < PXB_ARRAY_LEN(family_names); i++)
		if (!strcmp(s, family_names[i]))
			return (int)i;
	return PXB_ERR_INVAL;
}

int pxb_install_family_args(enum pxb_install_family f, const char *url, char *out, size_t len)
{
	int n;

	switch (f) {
	case PXB_FAMILY_DEBIAN:
		/* d-i: preseeding at "critical" asks no question the file does not answer. */
		n = snprintf(out, len, "auto=true priority=critical url=%s", url);
		break;
	case PXB_FAMILY_AUTOINSTALL:
		/* cloud-init's NoCloud source fetches ${s}user-data and ${s}meta-data. */
		n = snprintf(out, len, "autoinstall ds=nocloud-net;s=%s/", url);
		break;
	case PXB_FAMILY_KICKSTART:
		n = snprintf(out, len, "inst.ks=%s", url);
		break;
	default:
		return PXB_ERR_INVAL;
	}
	if (n < 0 || (size_t)n >= len)
		return PXB_ERR_TOOBIG;
	return n;
}
