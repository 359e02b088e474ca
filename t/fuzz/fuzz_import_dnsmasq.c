/*
 * fuzz_import_dnsmasq.c - libFuzzer target for "pxebootctl import dnsmasq"
 * (daemon/import_dnsmasq*.c): the input is one dnsmasq configuration, read
 * without following conf-file= or conf-dir=. Beyond "no crash, no leak":
 * the exit status is one of the three documented, a failed import writes
 * nothing, and every line of what was written stays within the line bound.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/import_dnsmasq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL, *err = NULL;
	size_t olen = 0, elen = 0;
	FILE *o = open_memstream(&out, &olen), *e = open_memstream(&err, &elen);
	int rc;

	if (!o || !e)
		abort();
	rc = impd_import_buf("fuzz.conf", (const char *)data, size, 0, o, e);
	fclose(o);
	fclose(e);
	if (rc != IMPD_COMPLETE && rc != IMPD_INCOMPLETE && rc != IMPD_FAILED)
		abort();
	if (rc == IMPD_FAILED && olen)
		abort();
	if (rc == IMPD_INCOMPLETE && !elen)
		abort(); /* incomplete, but nothing said why */
	for (char *p = out, *nl; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl || (size_t)(nl - p) > 4 * IMPD_MAX_LINE)
			abort();
	}
	free(out);
	free(err);
	return 0;
}
