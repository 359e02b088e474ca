/*
 * fuzz_uci.c - libFuzzer target for the UCI reader (daemon/uci.c) and the
 * two translations made from it (daemon/uci_pxeboot.c, uci_import.c): any
 * input parses or fails with a "file:line: " message, and what parses
 * translates without a crash. Beyond that, every value read holds no NUL
 * and no section holds more options than the limit.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/uci_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pxb_uci *u = NULL;
	char err[256];
	FILE *out, *e;
	int rc;

	rc = pxb_uci_parse("in", (const char *)data, size, &u, err, sizeof(err));
	if (rc < 0) {
		if (strncmp(err, "in:", 3) != 0)
			abort();
		return 0;
	}
	for (unsigned i = 0; i < u->nsec; i++) {
		if (u->sec[i].nopt > PXB_UCI_MAX_OPTIONS || !u->sec[i].type[0])
			abort();
		for (unsigned j = 0; j < u->sec[i].nopt; j++)
			if (!u->sec[i].opt[j].nval || u->sec[i].opt[j].nval > PXB_UCI_MAX_VALUES)
				abort();
	}
	out = fopen("/dev/null", "w");
	e = fopen("/dev/null", "w");
	if (out && e) {
		pxbd_uci_pxeboot(u, u, out, e);
		pxbd_uci_import(u, u, out, e);
	}
	if (out)
		fclose(out);
	if (e)
		fclose(e);
	pxb_uci_free(u);
	return 0;
}
