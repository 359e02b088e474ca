/*
 * pxebootctl.h - what pxebootctl's files share: the API client
 * (pxebootctl_http.c) and the commands in files of their own.
 */
#ifndef PXEBOOTCTL_H
#define PXEBOOTCTL_H

#include <stddef.h>

struct url {
	char host[256], port[8], prefix[256];
};

/* http://HOST[:PORT][/PREFIX] into *u; 0, or -1 when it is not such a URL. */
int pxbctl_parse_url(const char *s, struct url *u);

/*
 * One request over HTTP/1.0. On 0, *body (NUL-terminated, free() it) holds
 * the body of length *len and *status the HTTP status. Returns 2 when the
 * server cannot be reached or does not answer HTTP, the reason on stderr.
 */
int pxbctl_fetch(const struct url *u, const char *token, const char *method, const char *path,
		 char **body, size_t *len, int *status);

/*
 * cmd with argv[0..argc) asked of the n servers of urls[] (pxebootctl_multi.c).
 * Returns the exit status: 0, 1 (an HTTP error, nothing to merge), 2 (none
 * answered, or a command that changes state), 3 (some did not answer), or
 * -1 when cmd and its arguments are not such a command.
 */
int pxbctl_multi(const char *const *urls, size_t n, const char *token, const char *cmd,
		 int argc, char **argv);

#endif
