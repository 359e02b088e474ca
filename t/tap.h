/*
 * tap.h - a small TAP producer for the C unit tests.
 *
 *   plan_lazy();            // or plan(n)
 *   ok(cond, "name %d", i);
 *   is_int(got, want, "name");
 *   is_str(got, want, "name");
 *   return done_testing();
 */
#ifndef PXB_TAP_H
#define PXB_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed, tap_planned;

static inline void plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

static inline void plan_lazy(void)
{
	tap_planned = -1;
}

static inline int tap_vok(int cond, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static inline int tap_vok(int cond, const char *fmt, va_list ap)
{
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

static inline int ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(cond, fmt, ap);
	va_end(ap);
	return r;
}

static inline void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define is_int(got, want, ...)                                                               \
	do {                                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);                     \
		if (!ok(g_ == w_, __VA_ARGS__))                                              \
			diag("  got %lld, want %lld (%s:%d)", g_, w_, __FILE__, __LINE__);   \
	} while (0)

#define is_str(got, want, ...)                                                               \
	do {                                                                                 \
		const char *g_ = (got), *w_ = (want);                                        \
		if (!ok(g_ && w_ && strcmp(g_, w_) == 0, __VA_ARGS__))                       \
			diag("  got \"%s\", want \"%s\" (%s:%d)", g_ ? g_ : "(null)",        \
			     w_ ? w_ : "(null)", __FILE__, __LINE__);                        \
	} while (0)

static inline int done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_n);
	else if (tap_planned != tap_n)
		printf("# planned %d tests but ran %d\n", tap_planned, tap_n);
	return tap_failed || (tap_planned >= 0 && tap_planned != tap_n) ? 1 : 0;
}

#endif
