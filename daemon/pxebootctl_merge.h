/*
 * pxebootctl_merge.h - what several pxebootd saw of the same clients, merged
 * into one answer (pxebootctl with several -s). Pure functions over the
 * answers' bodies: no sockets, no clock.
 */
#ifndef PXEBOOTCTL_MERGE_H
#define PXEBOOTCTL_MERGE_H

#include <stddef.h>
#include <stdio.h>

#define PXBCTL_MAX_SERVERS 16

/* One server's answer: body NULL when it had nothing (no answer, or 404). */
struct pxbctl_answer {
	const char *server; /* its name in the output, e.g. "127.0.0.1:8080" */
	const char *body;
	size_t len;
};

/*
 * Merges the "clients?format=text" answers of n servers (n <= PXBCTL_MAX_SERVERS):
 * one line per client id, the line of the server that saw it last, followed
 * by "  [seen by A, B]" in the order of the servers; latest first.
 * Returns the number of clients, PXB_ERR_INVAL (n too large, a line that
 * does not parse) or PXB_ERR_NOMEM.
 */
int pxbctl_merge_clients(const struct pxbctl_answer *a, size_t n, FILE *out);

/*
 * Merges the JSON "timeline/ID" answers of n servers: "client ID (ADDR)",
 * then every step in time order as "+OFFSET SERVER STAGE TEXT [DURATION]",
 * offsets from the earliest step of all, then one line per server with its
 * state. Returns the number of steps, PXB_ERR_INVAL (n too large, a body
 * that is not such a timeline), PXB_ERR_TOOBIG (more steps than the merge
 * keeps) or PXB_ERR_NOMEM.
 */
int pxbctl_merge_timeline(const struct pxbctl_answer *a, size_t n, FILE *out);

#endif
