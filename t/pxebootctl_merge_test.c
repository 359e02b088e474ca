/*
 * pxebootctl_merge_test.c - the merge of several servers' answers
 * (daemon/pxebootctl_merge.c) driven with canned bodies: clients by id with
 * the latest last-seen and the servers that saw them, timelines in time
 * order naming their servers, and hostile bodies refused, not merged.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/common.h>
#include "../daemon/pxebootctl_merge.h"
#include "tap.h"

static char outbuf[65536];

/* Runs a merge into outbuf; returns its result. */
static int run(int timeline, const struct pxbctl_answer *a, size_t n)
{
	FILE *f = fmemopen(outbuf, sizeof(outbuf) - 1, "w");
	int rc;

	memset(outbuf, 0, sizeof(outbuf));
	rc = timeline ? pxbctl_merge_timeline(a, n, f) : pxbctl_merge_clients(a, n, f);
	fclose(f);
	return rc;
}

static struct pxbctl_answer ans(const char *server, const char *body)
{
	return (struct pxbctl_answer){server, body, body ? strlen(body) : 0};
}

static const char *cl_a =
	"52:54:00:00:00:01 198.18.0.10     2026-01-01T10:00:05.000Z booted      HTTP GET /k\n"
	"52:54:00:00:00:02 198.18.0.11     2026-01-01T09:00:00.000Z failed      TFTP x\n";
static const char *cl_b =
	"52:54:00:00:00:01 198.18.0.10     2026-01-01T10:00:09.500Z loading     TFTP y\n"
	"52:54:00:00:00:03 -               2026-01-01T11:00:00.000Z -           -";

static const char *tl_a =
	"{\"client\":{\"id\":\"52:54:00:00:00:01\",\"mac\":\"52:54:00:00:00:01\","
	"\"addr\":\"198.18.0.10\",\"arch\":null,\"first_seen\":\"x\",\"last_seen\":\"y\","
	"\"last_seen_ms\":3,\"events\":2,\"entry\":\"rescue\",\"state\":\"failed\",\"stage\":"
	"\"kernel\",\"last_step\":\"z\",\"cause\":\"no \\\"root\\\" \\u00e9\"},\"earlier\":0,"
	"\"steps\":[{\"time\":\"t\",\"t_ms\":1000,\"offset_ms\":0,\"duration_ms\":-1,"
	"\"kind\":\"dhcp-ack\",\"stage\":\"dhcp\",\"text\":\"ACK 198.18.0.10\"},"
	"{\"t_ms\":3000,\"duration_ms\":250,\"stage\":\"kernel\",\"text\":\"HTTP /k\","
	"\"extra\":[1,{\"a\":[true,false,null]}]}]}\n";
static const char *tl_b =
	"{\"client\":{\"id\":\"52:54:00:00:00:01\",\"addr\":null,\"state\":\"loading\","
	"\"stage\":\"loader\",\"cause\":\"\"},\"earlier\":2,\"steps\":["
	"{\"t_ms\":2000,\"duration_ms\":-1,\"stage\":\"loader\",\"text\":\"TFTP undionly.kpxe\"}]}";

int main(void)
{
	struct pxbctl_answer a[PXBCTL_MAX_SERVERS + 1];
	const char *l1, *l2, *l3;
	int rc;

	plan_lazy();

	/* ---- clients ---- */
	a[0] = ans("srv-a:80", cl_a);
	a[1] = ans("srv-b:80", cl_b);
	rc = run(0, a, 2);
	ok(rc == 3, "clients: three distinct clients (%d)", rc);
	l1 = strstr(outbuf, "52:54:00:00:00:03");
	l2 = strstr(outbuf, "52:54:00:00:00:01");
	l3 = strstr(outbuf, "52:54:00:00:00:02");
	ok(l1 && l2 && l3 && l1 < l2 && l2 < l3, "clients: latest last-seen first");
	ok(strstr(outbuf, "10:00:09.500Z loading     TFTP y  [seen by srv-a:80, srv-b:80]\n") != NULL,
	   "clients: the latest line of a client seen by both, both named");
	ok(strstr(outbuf, "10:00:05.000Z") == NULL, "clients: the older line of it is not shown");
	ok(strstr(outbuf, "TFTP x  [seen by srv-a:80]\n") && strstr(outbuf, "-  [seen by srv-b:80]\n"),
	   "clients: a client seen by one server names that server");
	a[1] = ans("srv-b:80", NULL);
	ok(run(0, a, 2) == 2 && !strstr(outbuf, "srv-b"), "clients: a server without answer is left out");
	a[0] = ans("srv-a:80", "52:54:00:00:00:01\n");
	ok(run(0, a, 1) == PXB_ERR_INVAL, "clients: a line without its fields is refused");
	a[0] = ans("srv-a:80", "");
	ok(run(0, a, 1) == 0 && outbuf[0] == '\0', "clients: no client, no line");
	for (int i = 0; i <= PXBCTL_MAX_SERVERS; i++)
		a[i] = ans("s", cl_a);
	ok(run(0, a, PXBCTL_MAX_SERVERS + 1) == PXB_ERR_INVAL, "clients: too many servers refused");

	/* ---- timelines ---- */
	a[0] = ans("srv-a:80", tl_a);
	a[1] = ans("srv-b:80", tl_b);
	rc = run(1, a, 2);
	ok(rc == 3, "timeline: three steps (%d)", rc);
	ok(!strncmp(outbuf, "client 52:54:00:00:00:01 (198.18.0.10)\n", 39), "timeline: the client");
	l1 = strstr(outbuf, "+0.000 s    srv-a:80 dhcp        ACK 198.18.0.10\n");
	l2 = strstr(outbuf, "+1.000 s    srv-b:80 loader      TFTP undionly.kpxe\n");
	l3 = strstr(outbuf, "+2.000 s    srv-a:80 kernel      HTTP /k [0.250 s]\n");
	ok(l1 && l2 && l3 && l1 < l2 && l2 < l3, "timeline: steps in time order, each naming its server");
	ok(strstr(outbuf, "(2 earlier events on srv-b:80 not shown)\n") != NULL,
	   "timeline: earlier events named by server");
	ok(strstr(outbuf, "srv-a:80: state failed, reached kernel, entry rescue: no \"root\" \xc3\xa9\n") &&
	   strstr(outbuf, "srv-b:80: state loading, reached loader\n"),
	   "timeline: each server's state, escapes decoded");
	a[1] = ans("srv-b:80", NULL);
	ok(run(1, a, 2) == 2 && strstr(outbuf, "srv-b:80: no timeline of this client\n"),
	   "timeline: a server that does not know the client says so");
	a[0] = ans("srv-a:80", NULL);
	ok(run(1, a, 2) == PXB_ERR_INVAL, "timeline: nothing to merge is an error");

	/* Hostile bodies: refused, never read past their end. */
	{
		static const char *bad[] = {
			"", "{", "[]", "{\"client\":", "{\"steps\":[{\"t_ms\":1}]}",
			"{\"client\":{\"id\":\"x\"},\"steps\":[{\"t_ms\":1}", "{\"client\":{\"id\":\"x",
			"{\"client\":{\"id\":\"x\\u12\"}}", "{\"client\":{\"id\":\"x\\q\"}}",
			"{\"client\":{\"id\":\"x\"},\"steps\":[{\"t_ms\":123456789012345678901234}]}",
			"{\"client\":{\"id\":\"x\"},\"a\":[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]}",
			"{\"client\":{\"id\":\"x\"} \"steps\":[]}",
		};
		int refused = 0;
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *copy = malloc(strlen(bad[i]) + 1);
			memcpy(copy, bad[i], strlen(bad[i]));
			a[0] = (struct pxbctl_answer){"s", copy, strlen(bad[i])}; /* no NUL after it */
			if (run(1, a, 1) == PXB_ERR_INVAL)
				refused++;
			else
				diag("not refused: %s", bad[i]);
			free(copy);
		}
		ok(refused == (int)(sizeof(bad) / sizeof(bad[0])), "timeline: %d hostile bodies refused",
		   refused);
	}
	{
		/* A long text is cut, not overflowed. */
		char *big = malloc(20000), *p = big;
		p += sprintf(p, "{\"client\":{\"id\":\"x\"},\"steps\":[{\"t_ms\":1,\"text\":\"");
		memset(p, 'A', 10000);
		p += 10000;
		p += sprintf(p, "\"}]}");
		a[0] = ans("s", big);
		ok(run(1, a, 1) == 1 && strlen(outbuf) < 2000, "timeline: a long text is cut");
		free(big);
	}
	return done_testing();
}
