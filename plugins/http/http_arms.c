/*
 * http_arms.c - rescue on demand over HTTP (pxeboot/policy.h):
 *
 *   GET    PREFIX/arms               every arm (needs the bearer token)
 *   GET    PREFIX/arms/ID            one arm (ID: MAC or host name; the bearer token
 *                                    or ?token= of that arm)
 *   POST   PREFIX/arms/ID?entry=E&for=30m&once=1   arm (needs the bearer token)
 *   DELETE PREFIX/arms/ID            disarm (needs the bearer token)
 *
 * PREFIX is http.api_prefix; the conventions are the API's (http_api.c):
 * JSON answers (one line per arm with ?format=text, what pxebootctl
 * prints), "Authorization: Bearer TOKEN" with http.api_token for writes.
 * Parameters of POST come in the query: the request has no body.
 *
 * Reads need the bearer token too (armed MACs say which machines will take
 * a boot now), except one arm read with its own ?token=.
 *
 * And the other half: files of protected entries (policy.protect) are
 * answered 403 unless the request carries ?token= of a live arm
 * (http_arms_check, called on the name before a file is opened and on its
 * bytes after: a symlink or an ISO image holding a protected file).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>

#include <pxeboot/pxeboot.h>
#include "http_internal.h"

#define ARMS_ALLOW "GET, HEAD, POST, DELETE"

static const struct http_api_store store = {
	.allow = ARMS_ALLOW,
	.removed = "disarmed",
	.log = "",
	.none = "not armed",
	.nowrite = "cannot write the arm store",
};

/* Text (?format=text) for what succeeded, JSON otherwise. */
static enum MHD_Result answer(struct http_conn *c, struct MHD_Connection *con, unsigned status,
			      struct http_buf *b)
{
	return http_api_respond(c, con, status,
				status < 300 && http_api_text(con) ? "text/plain; charset=utf-8"
								   : "application/json",
				ARMS_ALLOW, b);
}

static enum MHD_Result fail(struct http_conn *c, struct MHD_Connection *con, unsigned status,
			    const char *msg)
{
	return http_api_error(c, con, status, ARMS_ALLOW, msg);
}

/* One line: MAC entry E|- until TIME (left) [once] armed|spent [token T] */
static void arm_text(struct http_buf *b, const struct pxb_arm *a, int64_t now, int with_token)
{
	char mac[18], when[32];
	int64_t left = a->until > now ? a->until - now : 0;

	http_api_utc(a->until, when, sizeof(when));
	http_buf_printf(b, "%s  entry %s  until %s (%lldm%02llds left)%s  %s",
			pxb_mac_format(a->mac, mac, ':'), a->entry[0] ? a->entry : "-", when,
			(long long)(left / 60), (long long)(left % 60), a->once ? "  once" : "",
			a->spent ? "spent" : "armed");
	if (with_token)
		http_buf_printf(b, "  token %s", a->token);
	http_buf_str(b, "\n");
}

/* JSON, or a text line when text is set (then no newline is to be added). */
static void arm_json(struct http_buf *b, const struct pxb_arm *a, int64_t now, int with_token,
		     int text)
{
	char mac[18];

	if (text) {
		arm_text(b, a, now, with_token);
		return;
	}
	pxb_mac_format(a->mac, mac, ':');
	http_buf_printf(b, "{\"mac\":\"%s\",\"entry\":", mac);
	if (a->entry[0])
		http_buf_json(b, a->entry);
	else
		http_buf_str(b, "null");
	http_buf_printf(b, ",\"created\":%lld,\"until\":%lld,\"expires_in\":%lld,\"once\":%s,"
			   "\"spent\":%s,\"armed\":%s",
			(long long)a->created, (long long)a->until,
			(long long)(a->until > now ? a->until - now : 0), a->once ? "true" : "false",
			a->spent ? "true" : "false",
			a->until > now && !a->spent ? "true" : "false");
	if (with_token)
		http_buf_printf(b, ",\"token\":\"%s\"", a->token);
	http_buf_str(b, "}");
}

static enum MHD_Result list(struct http_conn *c, struct MHD_Connection *con, pxb_arms *arms,
			    int authorized)
{
	struct http_buf b = {0};
	int64_t now = (int64_t)time(NULL);
	int text = http_api_text(con), n = 0;

	if (!text)
		http_buf_str(&b, "{\"arms\":[");
	for (unsigned i = 0; i < pxb_arms_count(arms); i++) {
		const struct pxb_arm *a = pxb_arms_at(arms, i);
		if (a->until <= now)
			continue; /* expired: the timer drops it */
		if (n++ && !text)
			http_buf_str(&b, ",");
		arm_json(&b, a, now, authorized, text);
	}
	if (!text)
		http_buf_str(&b, "]}\n");
	else if (!n)
		http_buf_str(&b, "no arms\n");
	return answer(c, con, 200, &b);
}

/* The arm of mac as stored (spent and expired ones too). */
static const struct pxb_arm *stored(pxb_arms *arms, const uint8_t mac[6])
{
	for (unsigned i = 0; i < pxb_arms_count(arms); i++)
		if (memcmp(pxb_arms_at(arms, i)->mac, mac, 6) == 0)
			return pxb_arms_at(arms, i);
	return NULL;
}

static enum MHD_Result arm(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			   pxb_arms *arms, pxb_policy *pol, const uint8_t mac[6])
{
	const char *entry = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "entry");
	const char *dur = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "for");
	const char *once = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "once");
	int64_t now = (int64_t)time(NULL), secs = pxb_policy_arm_for(pol);
	struct http_buf b = {0};
	struct pxb_arm a;
	char msg[160], macs[18];
	int rc;

	if (entry && !*entry)
		entry = NULL;
	if (entry) {
		const char *why;
		unsigned status;

		if (!pxb_boot_id_valid(entry))
			return fail(c, con, 400, "entry: not an entry id");
		status = http_api_entry_unknown(s, entry, &why);
		if (status)
			return fail(c, con, status, why);
	}
	if (dur && (pxb_parse_duration(dur, &secs) < 0 || secs <= 0))
		return fail(c, con, 400, "for: not a duration (90, 90s, 30m, 2h, 1d)");
	if (secs > pxb_policy_arm_max(pol)) {
		snprintf(msg, sizeof(msg), "for: longer than policy.arm_max (%llds)",
			 (long long)pxb_policy_arm_max(pol));
		return fail(c, con, 400, msg);
	}
	rc = pxb_arms_arm(arms, mac, entry, now + secs,
			  once && (!strcmp(once, "1") || !strcasecmp(once, "true")), now, &a);
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "cannot arm: %s", pxb_strerror(rc));
		return fail(c, con, rc == PXB_ERR_BUSY ? 503 : 500, msg);
	}
	pxb_mac_format(mac, macs, ':');
	http_log(s, PXB_LOG_NOTICE, "%s armed for %llds%s, entry %s, by %s", macs, (long long)secs,
		 a.once ? " (one-shot)" : "", entry ? entry : "(the menu's default)", c->peer);
	arm_json(&b, &a, now, 1, http_api_text(con));
	if (!http_api_text(con))
		http_buf_str(&b, "\n");
	return answer(c, con, 201, &b);
}

/* Does the request carry ?token= of mac's arm (the armed machine asking after itself)? */
static int own_token(struct MHD_Connection *con, pxb_arms *arms, const uint8_t mac[6])
{
	const char *token = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "token");
	struct pxb_arm a;

	return token && pxb_arms_by_token(arms, token, (int64_t)time(NULL), &a) == 0 &&
	       memcmp(a.mac, mac, 6) == 0;
}

enum MHD_Result http_arms(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			  const char *method, const char *sub)
{
	int get, post, del;
	pxb_arms *arms = pxb_host_arms(s->host);
	pxb_policy *pol = pxb_host_policy(s->host);
	int authorized = s->api_token[0] && http_api_authorized(s, con);
	uint8_t mac[6];
	struct http_buf b = {0};
	int64_t now = (int64_t)time(NULL);
	const struct pxb_arm *a;

	c->api = 1;
	if (http_api_methods(method, &get, &post, &del) < 0)
		return fail(c, con, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
	if ((post || del) && !s->api_token[0])
		return fail(c, con, MHD_HTTP_FORBIDDEN, "writes are off: set http.api_token");
	if ((post || del) && !authorized)
		return fail(c, con, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is needed");
	if (!arms)
		return fail(c, con, 503, "no arm store (the daemon keeps it in state_dir)");
	if (sub[0] == '\0' || !strcmp(sub, "/")) {
		if (!get)
			return fail(c, con, MHD_HTTP_METHOD_NOT_ALLOWED, "name a MAC or host: arms/ID");
		if (!s->api_token[0])
			return fail(c, con, MHD_HTTP_FORBIDDEN, "the list needs http.api_token set");
		if (!authorized)
			return fail(c, con, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is needed");
		return list(c, con, arms, authorized);
	}
	if (pxb_policy_resolve(pol, sub + 1, mac) < 0)
		return fail(c, con, 404, "not a MAC or the name of a host entry");
	if (get && !authorized && !own_token(con, arms, mac))
		return fail(c, con, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is needed");
	if (post)
		return arm(s, c, con, arms, pol, mac);
	if (del)
		return http_api_removed(s, c, con, &store, pxb_arms_disarm(arms, mac), mac);
	a = stored(arms, mac);
	if (!a || a->until <= now)
		return fail(c, con, 404, store.none);
	arm_json(&b, a, now, authorized, http_api_text(con));
	if (!http_api_text(con))
		http_buf_str(&b, "\n");
	return answer(c, con, 200, &b);
}

const char *http_arms_check(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			    const struct pxb_file *f)
{
	const char *token = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "token");
	int64_t now = (int64_t)time(NULL);
	struct pxb_arm a;
	const char *why = NULL;

	memset(&a, 0, sizeof(a));
	if ((f ? pxb_policy_check_open(s->host, f, token, now, &a, &why)
	       : pxb_policy_check_file(s->host, c->path, token, now, &a, &why)) < 0)
		return why ? why : "protected entry";
	/* A one-shot arm is spent by the first protected file its boot fetches. */
	if (a.token[0] && a.once && !a.spent &&
	    pxb_arms_spend(pxb_host_arms(s->host), a.mac, now) == 1) {
		char mac[18];
		http_log(s, PXB_LOG_NOTICE, "one-shot arm of %s spent by %s",
			 pxb_mac_format(a.mac, mac, ':'), c->path);
	}
	return NULL;
}
