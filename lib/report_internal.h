/*
 * report_internal.h - what the protocol reporters (report_dhcp.c,
 * report_tftp.c) share: lines made from templates with named values.
 */
#ifndef PXB_REPORT_INTERNAL_H
#define PXB_REPORT_INTERNAL_H

#include <pxeboot/report.h>

/* The values a template names: %A to %Z are val['A' - 'A'] to val['Z' - 'A']. */
#define PXB__REPORT_VALS 26

/* Expands tmpl into out (len bytes, cut to fit): "%X" is the value of
 * letter X (NULL: nothing), "%%" a '%'. */
void pxb__report_expand(char *out, size_t len, const char *tmpl,
			const char *const val[PXB__REPORT_VALS]);

/* Room for a number's digits, by letter. */
typedef char pxb__report_nums[PXB__REPORT_VALS][24];

/* Sets the value of letter (A..Z) to the decimal n, written in num. */
void pxb__report_num(const char *val[PXB__REPORT_VALS], pxb__report_nums num, char letter,
		     unsigned long long n);

/* Adds the line tmpl makes to r, unless level is above log_max or r is full. */
void pxb__report_say(struct pxb_report *r, int level, int log_max, int limited, uint32_t key,
		     const char *tmpl, const char *const val[PXB__REPORT_VALS]);

#endif
