/*
 * fuzz_scratch.h - where fuzz targets whose code under test reads a file put
 * the input: a scratch directory or file under $TMPDIR (/tmp), made on the
 * first call and removed at exit. One of them per target.
 */
#ifndef PXB_FUZZ_SCRATCH_H
#define PXB_FUZZ_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fuzz_scratch[128];
static const char *const *fuzz_scratch_names;

static void fuzz_scratch_cleanup(void)
{
	char p[256];

	for (const char *const *n = fuzz_scratch_names; n && *n; n++) {
		snprintf(p, sizeof(p), "%s/%s", fuzz_scratch, *n);
		unlink(p);
	}
	if (fuzz_scratch_names)
		rmdir(fuzz_scratch);
	else
		unlink(fuzz_scratch);
}

/* Makes $TMPDIR/<tag>.XXXXXX, a directory when names (the files to remove, NULL-terminated). */
static const char *fuzz_scratch_make(const char *tag, const char *const *names)
{
	const char *base = getenv("TMPDIR");
	int fd;

	if (fuzz_scratch[0])
		return fuzz_scratch;
	snprintf(fuzz_scratch, sizeof(fuzz_scratch), "%s/%s.XXXXXX", base ? base : "/tmp", tag);
	fuzz_scratch_names = names;
	if (names) {
		if (!mkdtemp(fuzz_scratch))
			abort();
	} else {
		fd = mkstemp(fuzz_scratch);
		if (fd < 0)
			abort();
		close(fd);
	}
	atexit(fuzz_scratch_cleanup);
	return fuzz_scratch;
}

#endif
