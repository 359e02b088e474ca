/*
 * state_file_test.c - the durable state file of the library's stores
 * (lib/state_file.c): a file torn, with lines too long, a NUL, garbage or
 * too large is refused line by line with the fault named; a failed write
 * leaves the old file whole; tokens are hex of the length asked.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pxeboot/common.h>
#include "state_file.h"
#include "tap.h"

#define BAIL_OUT(...)                                                                        \
	do {                                                                                 \
		printf("Bail out! ");                                                        \
		printf(__VA_ARGS__);                                                         \
		printf("\n");                                                               \
		exit(1);                                                                     \
	} while (0)

struct seen {
	unsigned n, last;
	char text[8][80];
};

/* Records are lines "rec ..."; "end" ends the file; anything else is garbage. */
static int on_line(void *arg, const char *text, unsigned number)
{
	struct seen *s = arg;

	if (!strcmp(text, "end"))
		return PXB__STATE_END;
	if (strncmp(text, "rec ", 4) != 0)
		return PXB__STATE_BAD;
	if (s->n < 8)
		snprintf(s->text[s->n], sizeof(s->text[0]), "%s", text);
	s->n++;
	s->last = number;
	return 0;
}

static void put_file(const char *path, const char *bytes, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0)
		BAIL_OUT("cannot write %s", path);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void body_three(FILE *f, void *arg)
{
	(void)arg;
	fputs("rec one\nrec two\nrec three\nend\n", f);
}

static void body_big(FILE *f, void *arg)
{
	(void)arg;
	for (int i = 0; i < 4096; i++)
		fputs("rec a line that makes the file larger than the limit\n", f);
}

static int read_it(struct pxb__state_file *sf, size_t max_line, size_t max_bytes,
		   struct seen *s, struct pxb__state_damage *d)
{
	memset(s, 0, sizeof(*s));
	return pxb__state_file_read(sf, max_line, max_bytes, on_line, s, d);
}

int main(void)
{
	char dir[] = "/tmp/pxb-state-file-XXXXXX", tmp[128];
	struct pxb__state_file sf, mem;
	struct pxb__state_damage d;
	struct seen s;
	struct rlimit rl;
	struct stat st;
	char t1[65], t2[65];
	int rc;

	plan_lazy();
	if (!mkdtemp(dir))
		BAIL_OUT("mkdtemp");
	is_int(pxb__state_file_init(&sf, dir, "x.state"), 0, "init");
	snprintf(tmp, sizeof(tmp), "%s/x.state.tmp", dir);
	is_str(sf.tmp, tmp, "the temporary file is name.tmp");

	/* absent, and a store in memory */
	is_int(read_it(&sf, 64, 4096, &s, &d), PXB_ERR_NOENT, "no file: PXB_ERR_NOENT");
	is_int(pxb__state_file_init(&mem, NULL, "x.state"), 0, "init in memory");
	is_int(pxb__state_file_write(&mem, body_three, NULL), 0, "in memory: a write is a no-op");
	is_int(read_it(&mem, 64, 4096, &s, &d), PXB_ERR_NOENT, "in memory: nothing to read");

	/* whole */
	is_int(pxb__state_file_write(&sf, body_three, NULL), 0, "written");
	ok(stat(tmp, &st) < 0, "no .tmp left behind");
	is_int(read_it(&sf, 64, 4096, &s, &d), 0, "read back");
	is_int((int)s.n, 3, "three records");
	is_str(s.text[2], "rec three", "the third, without its newline");
	is_int((int)d.bad, 0, "no damage");
	ok(d.why == NULL, "no fault named");

	/* torn: the last line cut short */
	put_file(sf.path, "rec one\nrec two\nrec thr", 23);
	is_int(read_it(&sf, 64, 4096, &s, &d), 0, "torn file read");
	is_int((int)s.n, 2, "torn: the whole lines kept");
	is_int((int)d.bad, 1, "torn: one line refused");
	is_int((int)d.line, 3, "torn: at line 3");
	ok(d.why && strstr(d.why, "cut short"), "torn: said cut short (%s)", d.why ? d.why : "-");

	/* a line longer than max_line, with a NUL, and garbage: refused, the rest read */
	{
		char f[600];
		size_t n = 0;

		n += (size_t)sprintf(f + n, "rec one\n");
		memset(f + n, 'x', 300);
		n += 300;
		f[n++] = '\n';
		n += (size_t)sprintf(f + n, "rec t");
		f[n++] = '\0';
		n += (size_t)sprintf(f + n, "wo\nGARBAGE\nrec four\nend\nrec after the end\n");
		put_file(sf.path, f, n);
	}
	is_int(read_it(&sf, 64, 4096, &s, &d), 0, "damaged file read");
	is_int((int)s.n, 2, "damaged: the two records kept, nothing after the end");
	is_str(s.text[1], "rec four", "damaged: the record after the faults");
	is_int((int)d.bad, 3, "damaged: three lines refused");
	is_int((int)d.line, 2, "damaged: the first fault at line 2");
	ok(d.why && strstr(d.why, "longer"), "damaged: too long named (%s)", d.why ? d.why : "-");
	/* a line of exactly max_line bytes with its newline is whole; one more is not */
	put_file(sf.path, "rec 5678\nrec 56789\n", 19);
	is_int(read_it(&sf, 9, 4096, &s, &d), 0, "lines at the bound read");
	ok(s.n == 1 && d.bad == 1 && d.line == 2, "max_line counts the newline");
	put_file(sf.path, "rec one\nrec t\0wo\n", 17);
	read_it(&sf, 64, 4096, &s, &d);
	ok(d.bad == 1 && d.line == 2 && d.why && strstr(d.why, "NUL"), "a NUL named (%s)",
	   d.why ? d.why : "-");
	put_file(sf.path, "rec one\nGARBAGE\n", 16);
	read_it(&sf, 64, 4096, &s, &d);
	ok(d.bad == 1 && d.line == 2 && d.why && strstr(d.why, "not a record"),
	   "garbage named (%s)", d.why ? d.why : "-");

	/* oversized: reading stops at max_bytes */
	is_int(pxb__state_file_write(&sf, body_big, NULL), 0, "a large file written");
	is_int(read_it(&sf, 64, 1000, &s, &d), 0, "a file over max_bytes read");
	ok(s.n > 0 && s.n < 1000 / 50 + 1, "oversized: only what fits read (%u)", s.n);
	ok(d.bad == 1 && d.why && strstr(d.why, "larger"), "oversized: named (%s)",
	   d.why ? d.why : "-");

	/* a failed write loses nothing: the .tmp cannot be made */
	is_int(pxb__state_file_write(&sf, body_three, NULL), 0, "rewritten");
	if (mkdir(tmp, 0700) < 0)
		BAIL_OUT("mkdir %s", tmp);
	is_int(pxb__state_file_write(&sf, body_big, NULL), PXB_ERR_IO, "no .tmp: PXB_ERR_IO");
	is_str(slurp(sf.path), "rec one\nrec two\nrec three\nend\n", "no .tmp: the old file whole");
	rmdir(tmp);
	/* ... nor when the disk fills (a file size limit): the old file stays, no .tmp */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &rl);
	{
		struct rlimit small = rl;

		small.rlim_cur = 4096;
		if (setrlimit(RLIMIT_FSIZE, &small) < 0)
			BAIL_OUT("setrlimit");
	}
	rc = pxb__state_file_write(&sf, body_big, NULL);
	setrlimit(RLIMIT_FSIZE, &rl);
	is_int(rc, PXB_ERR_IO, "disk full: PXB_ERR_IO");
	is_str(slurp(sf.path), "rec one\nrec two\nrec three\nend\n", "disk full: the old file whole");
	ok(stat(tmp, &st) < 0, "disk full: the .tmp removed");

	/* tokens */
	is_int(pxb__state_token(t1, 64), 0, "token");
	is_int(pxb__state_token(t2, 64), 0, "another");
	ok(strlen(t1) == 64 && strspn(t1, "0123456789abcdef") == 64, "64 hex digits");
	ok(strcmp(t1, t2) != 0, "two tokens differ");
	is_int(pxb__state_token(t1, 5), 0, "an odd length");
	ok(strlen(t1) == 5 && strspn(t1, "0123456789abcdef") == 5, "5 hex digits");
	is_int(pxb__state_token(t1, 65), PXB_ERR_INVAL, "longer than 64: PXB_ERR_INVAL");

	unlink(sf.path);
	rmdir(dir);
	pxb__state_file_fini(&sf);
	pxb__state_file_fini(&mem);
	return done_testing();
}
