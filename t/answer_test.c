/*
 * answer_test.c - unattended installs: answer templates (variables, "$${",
 * text that only looks like a variable, an undefined name and its line,
 * size bounds), each installer family's kernel arguments, ${answer_url} and
 * the arguments of an entry with an answer file, rendering with a host's
 * vars from a configuration and the load-time check naming template:line,
 * the install store (ask, fetched, done, a done record made by a callback,
 * surviving a reopen, a damaged file), and the timeline of an install.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pxeboot/pxeboot.h>
#include "tap.h"

static const uint8_t A[6] = {0x52, 0x54, 0x00, 0x00, 0x0b, 0x01};
static const int64_t T = 1700000000;
static char dir[256];

static const char *vars(void *arg, const char *name, size_t len)
{
	(void)arg;
	if (len == 8 && !memcmp(name, "hostname", 8))
		return "web1";
	if (len == 3 && !memcmp(name, "mac", 3))
		return "52:54:00:00:0b:01";
	return NULL;
}

static void test_render(void)
{
	struct pxb_answer_error err;
	const char *t = "d-i netcfg/get_hostname string ${hostname}\n# ${mac}\n";
	char *out = NULL, *big;
	size_t len = 0;
	int rc;

	rc = pxb_answer_render(t, strlen(t), vars, NULL, &out, &len, &err);
	is_int(rc, 0, "a template with two variables renders");
	is_str(out, "d-i netcfg/get_hostname string web1\n# 52:54:00:00:0b:01\n", "... as expected");
	is_int((int)len, (int)strlen(out), "... and its length is told");
	free(out);

	t = "echo $${HOME} ${ not a var } $x ${1x} $ ${hostname}$";
	rc = pxb_answer_render(t, strlen(t), vars, NULL, &out, &len, &err);
	is_int(rc, 0, "shell text renders");
	is_str(out, "echo ${HOME} ${ not a var } $x ${1x} $ web1$", "$${ is a literal ${, the rest is text");
	free(out);

	t = "line one\nline two\n\nkey ${disk} here\n";
	memset(&err, 0, sizeof(err));
	rc = pxb_answer_render(t, strlen(t), vars, NULL, &out, &len, &err);
	is_int(rc, PXB_ERR_NOENT, "an undefined variable is an error");
	ok(out == NULL, "... with no output");
	is_int((int)err.line, 4, "... on its line");
	is_str(err.name, "disk", "... naming it");

	rc = pxb_answer_render("a\0${x}", 6, vars, NULL, &out, &len, &err);
	is_int(rc, PXB_ERR_NOENT, "a NUL byte does not hide what follows");

	big = malloc(PXB_ANSWER_MAX + 2);
	memset(big, 'x', PXB_ANSWER_MAX + 1);
	big[PXB_ANSWER_MAX + 1] = '\0';
	is_int(pxb_answer_render(big, PXB_ANSWER_MAX + 1, vars, NULL, &out, &len, NULL),
	       PXB_ERR_TOOBIG, "a template over 1 MiB is refused");
	/* A small template that grows past the bound. */
	for (size_t i = 0; i + 11 <= PXB_ANSWER_MAX; i += 11)
		memcpy(big + i, "${hostname}", 11);
	big[PXB_ANSWER_MAX - PXB_ANSWER_MAX % 11] = '\0';
	is_int(pxb_answer_render(big, strlen(big) / 2, vars, NULL, &out, &len, NULL), 0,
	       "a template that shrinks renders");
	free(out);
	memcpy(big, "${mac}${mac}", 12);
	for (size_t i = 0; i + 6 <= PXB_ANSWER_MAX; i += 6)
		memcpy(big + i, "${mac}", 6);
	is_int(pxb_answer_render(big, PXB_ANSWER_MAX - PXB_ANSWER_MAX % 6, vars, NULL, &out, &len,
				 NULL),
	       PXB_ERR_TOOBIG, "a result over 1 MiB is refused");
	free(big);
}

static void test_families(void)
{
	char buf[256];

	is_int(pxb_install_family_parse("debian"), PXB_FAMILY_DEBIAN, "family debian");
	is_int(pxb_install_family_parse(""), PXB_FAMILY_NONE, "family empty: none");
	is_int(pxb_install_family_parse("windows"), PXB_ERR_INVAL, "an unknown family");
	ok(pxb_install_family_args(PXB_FAMILY_DEBIAN, "http://s/a", buf, sizeof(buf)) > 0 &&
		   !strcmp(buf, "auto=true priority=critical url=http://s/a"),
	   "d-i: auto=true priority=critical url=");
	ok(pxb_install_family_args(PXB_FAMILY_AUTOINSTALL, "http://s/a", buf, sizeof(buf)) > 0 &&
		   !strcmp(buf, "autoinstall ds=nocloud-net;s=http://s/a/"),
	   "autoinstall: ds=nocloud-net;s=URL/");
	ok(pxb_install_family_args(PXB_FAMILY_KICKSTART, "http://s/a", buf, sizeof(buf)) > 0 &&
		   !strcmp(buf, "inst.ks=http://s/a"),
	   "kickstart: inst.ks=");
	is_int(pxb_install_family_args(PXB_FAMILY_KICKSTART, "http://s/a", buf, 8), PXB_ERR_TOOBIG,
	       "a short buffer");
}

static void write_file(const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void report(void *arg, const char *line)
{
	snprintf(arg, 1024, "%s", line);
	diag("%s", line);
}

static void test_conf(void)
{
	char text[2048], msg[1024] = "", *out = NULL;
	struct pxb_boot_ctx ctx;
	struct pxb_client cl = {0};
	pxb_boot_model *m = NULL;
	const struct pxb_boot_entry *e;
	pxb_conf *c = pxb_conf_new();
	size_t len;
	int rc;

	write_file("preseed.cfg", "d-i netcfg/get_hostname string ${hostname}\n"
				  "d-i partman-auto/disk string ${disk}\n"
				  "d-i preseed/late_command string wget -q -O- ${done_url}\n");
	snprintf(text, sizeof(text),
		 "boot = { server = \"198.18.0.1\"; };\n"
		 "entries = ( { id = \"deb\"; kernel = \"/d-i/linux\"; initrd = [\"/d-i/initrd.gz\"];\n"
		 "  args = \"vga=788\"; answer = \"%s/preseed.cfg\"; family = \"debian\"; } );\n"
		 "dhcp = { hosts = ( { name = \"web1\"; mac = \"52:54:00:00:0b:01\";\n"
		 "  vars = { disk = \"/dev/vda\"; }; } ); };\n", dir);
	rc = pxb_conf_load_string(c, text, "t.conf", report, msg);
	ok(rc == 0 && pxb_conf_validate(c, 1, report, msg) == 0, "dhcp.hosts.*.vars and answer load");
	is_int(pxb_install_check_conf(c, report, msg), 0, "the template checks with the host's vars");
	rc = pxb_boot_model_from_conf(c, &m, report, msg);
	e = m ? pxb_boot_find_entry(m, "deb") : NULL;
	ok(e && e->answer && e->family == PXB_FAMILY_DEBIAN, "the entry has its answer and family");
	cl.has_mac = 1;
	memcpy(cl.mac, A, 6);
	cl.arch = 0;
	if (e) {
		char args[1024];

		pxb_boot_ctx_init(&ctx, m, &cl, NULL);
		pxb_boot_entry_args(&ctx, e, args, sizeof(args));
		is_str(args, "vga=788 auto=true priority=critical "
			     "url=http://198.18.0.1/answer/deb/52-54-00-00-0b-01",
		       "the entry's arguments point d-i at the client's answer URL");
		rc = pxb_install_answer(c, &ctx, e, &out, &len, msg, sizeof(msg));
		is_int(rc, 0, "the answer file renders for the host");
		ok(out && strstr(out, "get_hostname string web1\n") &&
			   strstr(out, "disk string /dev/vda\n") &&
			   strstr(out, "http://198.18.0.1/answer/deb/52-54-00-00-0b-01/done"),
		   "... with its name, its vars and ${done_url}");
		free(out);
		cl.mac[5] = 0x99; /* a machine without a host entry */
		pxb_boot_ctx_init(&ctx, m, &cl, NULL);
		rc = pxb_install_answer(c, &ctx, e, &out, &len, msg, sizeof(msg));
		is_int(rc, PXB_ERR_NOENT, "another machine: ${hostname} is not defined");
		ok(strstr(msg, "preseed.cfg:1: ${hostname} is not defined") != NULL,
		   "... and the message names template:line (%s)", msg);
	}
	pxb_boot_model_free(m);
	pxb_conf_free(c);

	c = pxb_conf_new();
	write_file("ks.cfg", "network --hostname=${hostname}\n\nrootpw --iscrypted ${rootpw}\n");
	snprintf(text, sizeof(text),
		 "entries = ( { id = \"fed\"; kernel = \"/f/vmlinuz\";\n"
		 "  answer = \"%s/ks.cfg\"; family = \"kickstart\"; } );\n"
		 "dhcp = { hosts = ( { name = \"db1\"; mac = \"52:54:00:00:0c:01\";\n"
		 "  vars = { hostname = \"db1\"; }; } ); };\n", dir);
	pxb_conf_load_string(c, text, "t.conf", report, msg);
	msg[0] = '\0';
	is_int(pxb_install_check_conf(c, report, msg), PXB_ERR_CONFIG,
	       "an undefined variable fails the check");
	ok(strstr(msg, "t.conf:1:") && strstr(msg, "ks.cfg:3: ${rootpw} is not defined") &&
		   strstr(msg, "host db1"),
	   "... naming the entry's line, the host and template:line");
	pxb_conf_free(c);
}

static void test_store(void)
{
	pxb_installs *s = NULL;
	struct pxb_install x, y;
	char p[512];
	int damaged = 0;
	FILE *f;

	is_int(pxb_installs_open(dir, &s, &damaged), 0, "an empty install store opens");
	is_int(pxb_installs_active(s, A, T, NULL), PXB_ERR_NOENT, "nothing asked");
	is_int(pxb_installs_ask(s, A, "deb", T, T, NULL), PXB_ERR_INVAL, "until <= now: refused");
	is_int(pxb_installs_ask(s, A, "bad id!", T + 60, T, NULL), PXB_ERR_INVAL, "a bad entry id");
	is_int(pxb_installs_ask(s, A, "deb", T + 3600, T, &x), 0, "an install asked");
	is_int((int)strlen(x.token), 32, "... with a 128-bit token");
	is_int(pxb_installs_active(s, A, T + 10, &y), 0, "it is active");
	is_int(pxb_installs_token_ok(s, A, x.token), 1, "its token is good");
	is_int(pxb_installs_token_ok(s, A, "00000000000000000000000000000000"), 0, "another is not");
	is_int(pxb_installs_fetched(s, A, T + 20), 1, "answer fetched");
	is_int(pxb_installs_fetched(s, A, T + 30), 0, "... once");
	pxb_installs_free(s);

	is_int(pxb_installs_open(dir, &s, &damaged), 0, "the store opens again (a restart)");
	ok(pxb_installs_get(s, A, &y) == 0 && y.state == PXB_INSTALL_FETCHED && y.fetched == T + 20 &&
		   !strcmp(y.token, x.token) && !strcmp(y.entry, "deb") && !damaged,
	   "... the install survived, fetched, with its token");
	is_int(pxb_installs_done(s, A, "deb", T + 40), 1, "the installer called back");
	is_int(pxb_installs_active(s, A, T + 50, NULL), PXB_ERR_NOENT, "... no longer active");
	is_int(pxb_installs_done(s, A, "deb", T + 60), 0, "a second call changes nothing");
	pxb_installs_free(s);
	pxb_installs_open(dir, &s, &damaged);
	ok(pxb_installs_get(s, A, &y) == 0 && y.state == PXB_INSTALL_DONE && y.done == T + 40,
	   "done survives a restart");
	is_int(pxb_installs_forget(s, A), 0, "forgotten");
	is_int(pxb_installs_done(s, A, "deb", T + 70), 1, "a callback without an install asked...");
	ok(pxb_installs_get(s, A, &y) == 0 && y.state == PXB_INSTALL_DONE,
	   "... records the host installed");
	pxb_installs_ask(s, A, "deb", T + 3600, T + 80, NULL);
	is_int(pxb_installs_active(s, A, T + 90, NULL), 0, "another install can be asked");
	is_int(pxb_installs_active(s, A, T + 3600, NULL), PXB_ERR_NOENT, "it lapses at until");
	pxb_installs_free(s);

	/* A file cut in the middle of a record, and garbage. */
	snprintf(p, sizeof(p), "%s/installs.state", dir);
	f = fopen(p, "w");
	fputs("# pxeboot installs 1\n52:54:00:00:0b:01 deb done 1 2 3 4 "
	      "0123456789abcdef0123456789abcdef\n52:54:00:00:0d:01 deb pending 1 2 0 0 00112233", f);
	fclose(f);
	is_int(pxb_installs_open(dir, &s, &damaged), 0, "a damaged store opens");
	ok(damaged, "... said damaged");
	is_int((int)pxb_installs_count(s), 1, "... keeping the whole record");
	pxb_installs_free(s);
	write_file("installs.state", "# pxeboot installs 1\n52:54:00:00:0b:01 ../x done 1 2 3 4 "
				     "0123456789abcdef0123456789abcdef\n# end\n");
	pxb_installs_open(dir, &s, &damaged);
	ok(damaged && pxb_installs_count(s) == 0, "a record with a bad entry id is dropped");
	pxb_installs_free(s);
}

static void ev(struct pxb_event *e, enum pxb_event_type t, int64_t ms, const char *path)
{
	pxb_event_init(e, t, ms);
	e->has_mac = 1;
	memcpy(e->mac, A, 6);
	pxb_event_set_path(e, path);
	pxb_event_set_detail(e, t == PXB_EV_ANSWER || t == PXB_EV_INSTALLED ? "deb" : "");
}

static void test_timeline(void)
{
	struct pxb_event e[4];
	struct pxb_timeline *t = NULL;
	char *text;
	int64_t ms = T * 1000;

	ev(&e[0], PXB_EV_MENU, ms, "/menu.ipxe");
	ev(&e[1], PXB_EV_HTTP, ms + 1000, "/d-i/linux");
	e[1].status = 200;
	ev(&e[2], PXB_EV_ANSWER, ms + 30000, "/answer/deb/52-54-00-00-0b-01");
	pxb_timeline_build(e, 3, ms + 31 * 60000, 0, &t);
	text = pxb_timeline_text(t);
	ok(t && t->state == PXB_TL_STALLED &&
		   strstr(t->cause, "fetched its answer file, no callback within 30 minutes"),
	   "no callback for 30 minutes: stalled, and said so");
	ok(text && strstr(text, "answer file fetched: /answer/deb/"), "the step is shown");
	free(text);
	pxb_timeline_free(t);
	pxb_timeline_build(e, 3, ms + 5 * 60000, 0, &t);
	ok(t && t->state == PXB_TL_IN_PROGRESS, "after 5 minutes the installer is still at work");
	pxb_timeline_free(t);
	ev(&e[3], PXB_EV_INSTALLED, ms + 40000, "/answer/deb/52-54-00-00-0b-01/done");
	pxb_timeline_build(e, 4, ms + 60 * 60000, 0, &t);
	text = pxb_timeline_text(t);
	ok(t && t->state == PXB_TL_BOOTED && strstr(t->cause, "the installer finished"),
	   "the callback: the installer finished");
	ok(text && strstr(text, "installer finished (entry deb)"), "... shown as a step");
	free(text);
	pxb_timeline_free(t);
}

int main(void)
{
	char cmd[300];

	snprintf(dir, sizeof(dir), "/tmp/pxb-answer-test.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	plan_lazy();
	test_render();
	test_families();
	test_conf();
	test_store();
	test_timeline();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("cannot remove %s", dir);
	return done_testing();
}
