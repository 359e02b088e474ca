/*
 * fuzz_answer.c - libFuzzer target for answer-file templates
 * (lib/answer_render.c): pxb_answer_render on any bytes, with variables
 * whose names start with 'a'..'m' defined (their value: the name twice, so
 * a result can grow) and the others undefined.
 *
 * Beyond "no crash", it checks what the function promises: on success the
 * result is NUL-terminated at its told length and no longer than
 * PXB_ANSWER_MAX; on an undefined variable, no result, a line within the
 * template's and a name that is really undefined.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/pxeboot.h>

struct vals {
	char buf[2 * PXB_ANSWER_NAME_MAX + 2];
};

static const char *lookup(void *arg, const char *name, size_t len)
{
	struct vals *v = arg;

	if (!len || name[0] < 'a' || name[0] > 'm' || len > PXB_ANSWER_NAME_MAX)
		return NULL;
	memcpy(v->buf, name, len);
	memcpy(v->buf + len, name, len);
	v->buf[2 * len] = '\0';
	return v->buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pxb_answer_error err = {0};
	struct vals v;
	char *out = NULL;
	size_t len = 0;
	unsigned lines = 1;
	int rc = pxb_answer_render((const char *)data, size, lookup, &v, &out, &len, &err);

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (rc == 0) {
		if (!out || out[len] != '\0' || len > PXB_ANSWER_MAX)
			abort();
		free(out);
	} else if (rc == PXB_ERR_NOENT) {
		size_t nl = strlen(err.name);

		/* A name cut to fit err.name may be defined itself; a whole one is not. */
		if (out || err.line < 1 || err.line > lines || !nl ||
		    (nl < PXB_ANSWER_NAME_MAX - 1 && lookup(&v, err.name, nl)))
			abort();
	} else if (rc != PXB_ERR_TOOBIG && rc != PXB_ERR_NOMEM) {
		abort();
	}
	return 0;
}
