/*
 * pxebootctl_multi.c - pxebootctl with several -s: the read-only commands
 * asked of every server, "clients" and "timeline" merged (pxebootctl_merge.c),
 * "metrics", "arms" and "installs" shown server by server. Commands that
 * change state are refused: name the one server that is to make the change
 * (servers sharing a PostgreSQL store share arms and installs anyway).
 *
 * A server that does not answer is named on stderr and the others are still
 * shown; the exit status is then 3 (2 when none answered).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/common.h>
#include "pxebootctl.h"
#include "pxebootctl_merge.h"

struct server {
	struct url u;
	char name[280];
	char *body;
	size_t len;
	int status, failed;
};

/* GET path of every server: 2xx bodies kept, 404 as nothing when absent_ok, else a failure. */
static size_t ask_all(struct server *s, size_t n, const char *token, const char *path,
		      int absent_ok)
{
	size_t failed = 0;

	for (size_t i = 0; i < n; i++) {
		if (pxbctl_fetch(&s[i].u, token, "GET", path, &s[i].body, &s[i].len,
				 &s[i].status) != 0) {
			fprintf(stderr, "pxebootctl: %s: no answer\n", s[i].name);
			s[i].failed = 1;
		} else if (s[i].status < 200 || s[i].status >= 300) {
			if (!(absent_ok && s[i].status == 404)) {
				fprintf(stderr, "pxebootctl: %s: HTTP %d: %.*s%s", s[i].name,
					s[i].status, (int)s[i].len, s[i].body,
					s[i].len && s[i].body[s[i].len - 1] == '\n' ? "" : "\n");
				s[i].failed = 1;
			}
			free(s[i].body);
			s[i].body = NULL;
		}
		failed += (size_t)s[i].failed;
	}
	return failed;
}

static int merge(struct server *s, size_t n, int timeline)
{
	struct pxbctl_answer a[PXBCTL_MAX_SERVERS];
	int rc;

	for (size_t i = 0; i < n; i++)
		a[i] = (struct pxbctl_answer){s[i].name, s[i].body, s[i].body ? s[i].len : 0};
	rc = timeline ? pxbctl_merge_timeline(a, n, stdout) : pxbctl_merge_clients(a, n, stdout);
	if (rc < 0)
		fprintf(stderr, "pxebootctl: the answers cannot be merged: %s\n", pxb_strerror(rc));
	return rc;
}

int pxbctl_multi(const char *const *urls, size_t n, const char *token, const char *cmd,
		 int argc, char **argv)
{
	struct server *s;
	char path[512];
	size_t failed = 0, known = 0;
	int rc = 0;

	if (n > PXBCTL_MAX_SERVERS) {
		fprintf(stderr, "pxebootctl: at most %d servers (-s)\n", PXBCTL_MAX_SERVERS);
		return 2;
	}
	if (!strcmp(cmd, "arm") || !strcmp(cmd, "disarm") || !strcmp(cmd, "install") ||
	    !strcmp(cmd, "forget")) {
		fprintf(stderr, "pxebootctl: %s changes a server's state: name one server (-s), "
				"not %zu\n", cmd, n);
		return 2;
	}
	s = calloc(n, sizeof(*s));
	if (!s)
		return 2;
	for (size_t i = 0; i < n; i++) {
		if (pxbctl_parse_url(urls[i], &s[i].u) < 0) {
			fprintf(stderr, "pxebootctl: %s: not http://HOST[:PORT][/PREFIX]\n", urls[i]);
			free(s);
			return 2;
		}
		snprintf(s[i].name, sizeof(s[i].name), strchr(s[i].u.host, ':') ? "[%s]:%s" : "%s:%s",
			 s[i].u.host, s[i].u.port);
	}
	if (!strcmp(cmd, "clients") && argc == 0) {
		failed = ask_all(s, n, token, "/clients?format=text", 0);
		if (failed < n && merge(s, n, 0) < 0)
			rc = 1;
	} else if (!strcmp(cmd, "timeline") && argc == 1) {
		const char *id = argv[0];
		if (strspn(id, "0123456789abcdefABCDEF:.-") != strlen(id) || strlen(id) > 64) {
			fprintf(stderr, "pxebootctl: %s: not a MAC or an address\n", id);
			rc = 2;
			goto out;
		}
		snprintf(path, sizeof(path), "/timeline/%s", id);
		failed = ask_all(s, n, token, path, 1);
		for (size_t i = 0; i < n; i++)
			known += s[i].body != NULL;
		if (known && merge(s, n, 1) < 0)
			rc = 1;
		else if (!known && failed < n) {
			fprintf(stderr, "pxebootctl: %s: no server knows this client\n", id);
			rc = 1;
		}
	} else if ((!strcmp(cmd, "metrics") || !strcmp(cmd, "arms") || !strcmp(cmd, "installs")) &&
		   argc == 0) {
		if (cmd[0] != 'm' && !token) {
			fprintf(stderr, "pxebootctl: %s needs the API's token (-t or $PXEBOOTCTL_TOKEN)\n",
				cmd);
			rc = 2;
			goto out;
		}
		snprintf(path, sizeof(path), "/%s%s", cmd, cmd[0] == 'm' ? "" : "?format=text");
		failed = ask_all(s, n, token, path, 0);
		for (size_t i = 0; i < n; i++)
			if (s[i].body) {
				printf("== %s ==\n", s[i].name);
				fwrite(s[i].body, 1, s[i].len, stdout);
			}
	} else {
		rc = -1; /* a usage error: the caller says so */
		goto out;
	}
	if (!rc && failed)
		rc = failed == n ? 2 : 3;
out:
	for (size_t i = 0; i < n; i++)
		free(s[i].body);
	free(s);
	return rc;
}
