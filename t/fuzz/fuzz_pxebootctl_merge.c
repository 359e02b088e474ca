/*
 * fuzz_pxebootctl_merge.c - libFuzzer target for pxebootctl's merge of
 * several servers' answers (daemon/pxebootctl_merge.c): its JSON timeline
 * reader and its clients-line reader.
 *
 * Input: one byte choosing the merge (bit 0 set: timelines, else clients),
 * then up to PXBCTL_MAX_SERVERS answers separated by NUL bytes; an empty
 * answer stands for a server that gave none (body NULL). Each body is
 * copied into a buffer of its exact length, with no terminating NUL, so a
 * read past the answer is a sanitizer report. Beyond "no crash, no leak",
 * it checks that the merge returns a count or one of the errors it lists.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/common.h>
#include "../../daemon/pxebootctl_merge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *out;
	static const char *const names[] = {"a", "b", "c", "d"};
	struct pxbctl_answer a[PXBCTL_MAX_SERVERS];
	char *bodies[PXBCTL_MAX_SERVERS];
	size_t n = 0, off = 1;
	int timeline, rc;

	if (size < 1 || size > 1 << 20)
		return 0;
	if (!out && !(out = fopen("/dev/null", "w")))
		abort();
	timeline = data[0] & 1;
	while (off <= size && n < PXBCTL_MAX_SERVERS) {
		const uint8_t *end = memchr(data + off, 0, size - off);
		size_t len = end ? (size_t)(end - (data + off)) : size - off;

		bodies[n] = len ? malloc(len) : NULL;
		if (len && !bodies[n])
			abort();
		if (len)
			memcpy(bodies[n], data + off, len);
		a[n] = (struct pxbctl_answer){names[n % 4], bodies[n], len};
		n++;
		off += len + 1;
	}
	rc = timeline ? pxbctl_merge_timeline(a, n, out) : pxbctl_merge_clients(a, n, out);
	if (rc < 0 && rc != PXB_ERR_INVAL && rc != PXB_ERR_NOMEM &&
	    !(timeline && rc == PXB_ERR_TOOBIG))
		abort(); /* an error the merge does not list */
	if (rc > 0 && !timeline && (size_t)rc > size)
		abort(); /* more clients than the answers could hold */
	for (size_t i = 0; i < n; i++)
		free(bodies[i]);
	return 0;
}
