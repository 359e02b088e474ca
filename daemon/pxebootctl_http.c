/*
 * pxebootctl_http.c - pxebootctl's client of pxebootd's HTTP API: one
 * request over one TCP connection in HTTP/1.0, no dependency beyond libc,
 * every wait bounded (TIMEOUT_MS), the answer read whole.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pxeboot/common.h>
#include "pxebootctl.h"

#define TIMEOUT_MS 10000

int pxbctl_parse_url(const char *s, struct url *u)
{
	const char *h, *p, *slash;
	size_t hl;

	if (strncmp(s, "http://", 7) != 0)
		return -1;
	h = s + 7;
	slash = strchr(h, '/');
	hl = slash ? (size_t)(slash - h) : strlen(h);
	snprintf(u->prefix, sizeof(u->prefix), "%s", slash && slash[1] ? slash : "/_pxeboot");
	while (strlen(u->prefix) > 1 && u->prefix[strlen(u->prefix) - 1] == '/')
		u->prefix[strlen(u->prefix) - 1] = '\0';
	strcpy(u->port, "80");
	if (*h == '[') { /* [v6]:port */
		const char *e = memchr(h, ']', hl);
		if (!e || (size_t)(e - h - 1) >= sizeof(u->host))
			return -1;
		snprintf(u->host, sizeof(u->host), "%.*s", (int)(e - h - 1), h + 1);
		p = e + 1 < h + hl && e[1] == ':' ? e + 2 : NULL;
	} else {
		const char *c = memchr(h, ':', hl);
		size_t n = c ? (size_t)(c - h) : hl;
		if (n == 0 || n >= sizeof(u->host))
			return -1;
		snprintf(u->host, sizeof(u->host), "%.*s", (int)n, h);
		p = c ? c + 1 : NULL;
	}
	if (p) {
		size_t n = (size_t)(h + hl - p);
		if (n == 0 || n >= sizeof(u->port))
			return -1;
		snprintf(u->port, sizeof(u->port), "%.*s", (int)n, p);
	}
	return 0;
}

static int wait_fd(int fd, short ev)
{
	struct pollfd p = {.fd = fd, .events = ev};

	return poll(&p, 1, TIMEOUT_MS) == 1 ? 0 : -1;
}

int pxbctl_fetch(const struct url *u, const char *token, const char *method, const char *path,
		 char **bodyp, size_t *lenp, int *statusp)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	char req[1024], *resp = NULL, *body;
	size_t len = 0, cap = 0;
	int fd = -1, rc, status = 0;

	rc = getaddrinfo(u->host, u->port, &hints, &res);
	if (rc) {
		fprintf(stderr, "pxebootctl: %s: %s\n", u->host, gai_strerror(rc));
		return 2;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		fprintf(stderr, "pxebootctl: cannot connect to %s:%s: %s\n", u->host, u->port,
			strerror(errno));
		return 2;
	}
	snprintf(req, sizeof(req),
		 "%s %s%s HTTP/1.0\r\nHost: %s\r\nUser-Agent: pxebootctl/%s\r\n%s%s%s"
		 "Connection: close\r\n\r\n",
		 method, u->prefix, path, u->host, PXB_VERSION_STRING, token ? "Authorization: Bearer " : "",
		 token ? token : "", token ? "\r\n" : "");
	for (size_t off = 0, n = strlen(req); off < n;) {
		ssize_t w;
		if (wait_fd(fd, POLLOUT) < 0 || (w = write(fd, req + off, n - off)) <= 0) {
			fprintf(stderr, "pxebootctl: sending the request failed\n");
			close(fd);
			return 2;
		}
		off += (size_t)w;
	}
	for (;;) {
		ssize_t r;
		if (len + 4096 + 1 > cap) {
			char *n = realloc(resp, cap = cap ? cap * 2 : 65536);
			if (!n) {
				fprintf(stderr, "pxebootctl: out of memory\n");
				free(resp);
				close(fd);
				return 2;
			}
			resp = n;
		}
		if (wait_fd(fd, POLLIN) < 0) {
			fprintf(stderr, "pxebootctl: no answer in %d s\n", TIMEOUT_MS / 1000);
			free(resp);
			close(fd);
			return 2;
		}
		r = read(fd, resp + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (resp)
		resp[len] = '\0';
	if (!resp || sscanf(resp, "HTTP/%*d.%*d %d", &status) != 1) {
		fprintf(stderr, "pxebootctl: not an HTTP answer\n");
		free(resp);
		return 2;
	}
	body = strstr(resp, "\r\n\r\n");
	body = body ? body + 4 : resp + len;
	*lenp = (size_t)(resp + len - body);
	memmove(resp, body, *lenp + 1);
	*bodyp = resp;
	*statusp = status;
	return 0;
}
