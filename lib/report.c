/*
 * report.c - the lines of the protocol reporters (pxeboot/report.h): each
 * row of a reporter's table names its line as a template whose %A..%Z are
 * the values the reporter computed, so rows with their words in different
 * orders share one way of making them.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "report_internal.h"

void pxb__report_expand(char *out, size_t len, const char *tmpl,
			const char *const val[PXB__REPORT_VALS])
{
	size_t o = 0;

	if (!len)
		return;
	for (const char *t = tmpl; *t && o + 1 < len; t++) {
		const char *v;
		size_t n;

		if (t[0] != '%' || !t[1]) {
			out[o++] = *t;
			continue;
		}
		t++;
		if (*t == '%') {
			out[o++] = '%';
			continue;
		}
		v = *t >= 'A' && *t <= 'Z' ? val[*t - 'A'] : NULL;
		n = v ? strlen(v) : 0;
		if (n > len - 1 - o)
			n = len - 1 - o;
		memcpy(out + o, v ? v : "", n);
		o += n;
	}
	out[o] = '\0';
}

void pxb__report_num(const char *val[PXB__REPORT_VALS], pxb__report_nums num, char letter,
		     unsigned long long n)
{
	snprintf(num[letter - 'A'], sizeof(num[0]), "%llu", n);
	val[letter - 'A'] = num[letter - 'A'];
}

void pxb__report_say(struct pxb_report *r, int level, int log_max, int limited, uint32_t key,
		     const char *tmpl, const char *const val[PXB__REPORT_VALS])
{
	struct pxb_report_line *l;

	if (!tmpl || level > log_max || r->nlines >= PXB_REPORT_LINES)
		return;
	l = &r->line[r->nlines++];
	l->level = level;
	l->limited = limited;
	l->limit_key = limited ? key : 0;
	pxb__report_expand(l->text, sizeof(l->text), tmpl, val);
}
