/*
 * http_installs.c - unattended installs through the API (pxeboot/install.h):
 *
 *   GET    PREFIX/installs                 every install record
 *   GET    PREFIX/installs/ID              one (ID: MAC or host name)
 *   POST   PREFIX/installs/ID?entry=E&for=2h   the host's next boot installs E
 *   DELETE PREFIX/installs/ID              forget it (the menu as usual again)
 *
 * Every request needs "Authorization: Bearer" with http.api_token: records
 * carry the tokens of answer files. ?format=text gives the lines pxebootctl
 * prints.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include <pxeboot/pxeboot.h>
#include "http_internal.h"

#define INSTALLS_ALLOW "GET, HEAD, POST, DELETE"
#define INSTALL_FOR_MAX (30 * 86400)

static const struct http_api_store store = {
	.allow = INSTALLS_ALLOW,
	.removed = "forgotten",
	.log = "install record of ",
	.none = "no install recorded",
	.nowrite = "cannot write the install store",
};

static enum MHD_Result answer(struct http_conn *c, struct MHD_Connection *con, unsigned status,
			      struct http_buf *b)
{
	return http_api_respond(c, con, status,
				http_api_text(con) ? "text/plain; charset=utf-8" : "application/json",
				INSTALLS_ALLOW, b);
}

static enum MHD_Result fail(struct http_conn *c, struct MHD_Connection *con, unsigned status,
			    const char *msg)
{
	return http_api_error(c, con, status, INSTALLS_ALLOW, msg);
}

static void when(int64_t t, char *buf, size_t len)
{
	if (t)
		http_api_utc(t, buf, len);
	else
		snprintf(buf, len, "-");
}

static void record(struct http_buf *b, const struct pxb_install *x, int64_t now, int text)
{
	char mac[18], asked[32], until[32], fetched[32], done[32];
	const char *state = x->state != PXB_INSTALL_DONE && x->until <= now
				    ? "lapsed"
				    : pxb_install_state_name(x->state);

	pxb_mac_format(x->mac, mac, ':');
	when(x->asked, asked, sizeof(asked));
	when(x->until, until, sizeof(until));
	when(x->fetched, fetched, sizeof(fetched));
	when(x->done, done, sizeof(done));
	if (text) {
		http_buf_printf(b, "%s  entry %s  %s  asked %s  until %s  answer fetched %s  done %s\n",
				mac, x->entry, state, asked, until, fetched, done);
		return;
	}
	http_buf_printf(b, "{\"mac\":\"%s\",\"entry\":", mac);
	http_buf_json(b, x->entry);
	http_buf_printf(b, ",\"state\":\"%s\",\"asked\":%lld,\"until\":%lld,\"fetched\":%lld,"
			   "\"done\":%lld,\"token\":\"%s\"}",
			state, (long long)x->asked, (long long)x->until, (long long)x->fetched,
			(long long)x->done, x->token);
}

static enum MHD_Result ask(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			   pxb_installs *st, const uint8_t mac[6])
{
	const char *entry = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "entry");
	const char *dur = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "for");
	const pxb_conf *conf = pxb_host_conf(s->host);
	int64_t now = (int64_t)time(NULL), secs = 7200;
	struct pxb_install x;
	struct http_buf b = {0};
	char macs[18], msg[128];
	const char *why;
	unsigned status;
	int rc;

	if (!entry || !pxb_boot_id_valid(entry))
		return fail(c, con, 400, "entry: name the entry that installs (?entry=ID)");
	status = http_api_entry_unknown(s, entry, &why);
	if (status)
		return fail(c, con, status, why);
	if (conf)
		pxb_parse_duration(pxb_conf_string(pxb_conf_root(conf), "install.for"), &secs);
	if (dur && (pxb_parse_duration(dur, &secs) < 0 || secs <= 0 || secs > INSTALL_FOR_MAX))
		return fail(c, con, 400, "for: not a duration of at most 30 days (90s, 30m, 2h, 1d)");
	rc = pxb_installs_ask(st, mac, entry, now + secs, now, &x);
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "cannot record the install: %s", pxb_strerror(rc));
		return fail(c, con, rc == PXB_ERR_BUSY ? 503 : 500, msg);
	}
	http_log(s, PXB_LOG_NOTICE, "install of %s with entry %s asked for %llds by %s",
		 pxb_mac_format(mac, macs, ':'), entry, (long long)secs, c->peer);
	record(&b, &x, now, http_api_text(con));
	if (!http_api_text(con))
		http_buf_str(&b, "\n");
	return answer(c, con, 201, &b);
}

enum MHD_Result http_installs(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			      const char *method, const char *sub)
{
	int get, post, del;
	pxb_installs *st = pxb_host_installs(s->host);
	int64_t now = (int64_t)time(NULL);
	int text = http_api_text(con);
	struct http_buf b = {0};
	struct pxb_install x;
	uint8_t mac[6];

	c->api = 1;
	if (http_api_methods(method, &get, &post, &del) < 0)
		return fail(c, con, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
	if (!s->api_token[0])
		return fail(c, con, MHD_HTTP_FORBIDDEN, "installs need http.api_token set");
	if (!http_api_authorized(s, con))
		return fail(c, con, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is needed");
	if (!st)
		return fail(c, con, 503, "no install store (the daemon keeps it in state_dir)");
	if (sub[0] == '\0' || !strcmp(sub, "/")) {
		if (!get)
			return fail(c, con, MHD_HTTP_METHOD_NOT_ALLOWED, "name a MAC or host");
		if (!text)
			http_buf_str(&b, "{\"installs\":[");
		for (unsigned i = 0; i < pxb_installs_count(st); i++) {
			if (i && !text)
				http_buf_str(&b, ",");
			record(&b, pxb_installs_at(st, i), now, text);
		}
		if (!text)
			http_buf_str(&b, "]}\n");
		else if (!pxb_installs_count(st))
			http_buf_str(&b, "no installs\n");
		return answer(c, con, 200, &b);
	}
	if (pxb_policy_resolve(pxb_host_policy(s->host), sub + 1, mac) < 0 &&
	    pxb_mac_parse(sub + 1, mac) < 0)
		return fail(c, con, 404, "not a MAC or the name of a host entry");
	if (post)
		return ask(s, c, con, st, mac);
	if (del)
		return http_api_removed(s, c, con, &store, pxb_installs_forget(st, mac), mac);
	if (pxb_installs_get(st, mac, &x) < 0)
		return fail(c, con, 404, store.none);
	record(&b, &x, now, text);
	if (!text)
		http_buf_str(&b, "\n");
	return answer(c, con, 200, &b);
}
