/*
 * http_api.c - what pxebootd saw, over HTTP, under http.api_prefix
 * (default /_pxeboot; requests there never reach the file namespace):
 *
 *   GET    PREFIX/clients           recent clients with their boot's state and last step
 *   GET    PREFIX/timeline/ID       the latest boot of a client (ID: MAC or IPv4)
 *   DELETE PREFIX/timeline/ID       forget a client's events (needs the token)
 *   GET    PREFIX/leases            the DHCP lease table (server mode)
 *   GET    PREFIX/config            check the configuration file as a reload would
 *   GET    PREFIX/metrics           Prometheus text format
 *   GET    PREFIX/status            an HTML page of clients and timelines (no JavaScript)
 *
 * JSON by default; clients and timeline also as text with ?format=text
 * (what pxebootctl prints). Writes need "Authorization: Bearer TOKEN" with
 * http.api_token (none set: writes are refused); reads need it too when
 * http.api_auth_reads is true.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include <pxeboot/pxeboot.h>
#include <pxeboot/dhcp_server.h>
#include "http_internal.h"

#define MAX_CLIENTS 1024
#define IDLE_MS 20000

int64_t http_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int http_api_match(const struct http *s, const char *path)
{
	size_t n = s->api_prefix ? strlen(s->api_prefix) : 0;

	return n && strncmp(path, s->api_prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

#define API_ALLOW "GET, HEAD, DELETE"

enum MHD_Result http_api_respond(struct http_conn *c, struct MHD_Connection *con, unsigned status,
				 const char *ctype, const char *allow, struct http_buf *b)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len = b->len;

	if (b->failed) {
		free(b->p);
		b->p = NULL;
		len = 0;
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	r = MHD_create_response_from_buffer(len, b->p ? b->p : (void *)"", b->p ? MHD_RESPMEM_MUST_FREE
										 : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(b->p);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"pxeboot\"");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED && allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	c->answered = 1;
	c->status = status;
	c->bytes = strcmp(c->method, "HEAD") == 0 ? 0 : len;
	ret = MHD_queue_response(con, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result http_api_error(struct http_conn *c, struct MHD_Connection *con, unsigned status,
			       const char *allow, const char *msg)
{
	struct http_buf b = {0};

	http_buf_str(&b, "{\"error\":");
	http_buf_json(&b, msg);
	http_buf_str(&b, "}\n");
	return http_api_respond(c, con, status, "application/json", allow, &b);
}

static enum MHD_Result respond(struct http_conn *c, struct MHD_Connection *con, unsigned status,
			       const char *ctype, struct http_buf *b)
{
	return http_api_respond(c, con, status, ctype, API_ALLOW, b);
}

static enum MHD_Result error(struct http_conn *c, struct MHD_Connection *con, unsigned status,
			     const char *msg)
{
	return http_api_error(c, con, status, API_ALLOW, msg);
}

/* Constant-time comparison of the bearer token. */
static int token_ok(const struct http *s, struct MHD_Connection *con)
{
	const char *h = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	size_t n = strlen(s->api_token), m;
	unsigned char diff = 0;

	if (!n || !h || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	h += 7;
	while (*h == ' ')
		h++;
	m = strlen(h);
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(s->api_token[i] ^ (i < m ? h[i] : 0));
	return diff == 0 && m == n;
}

static void fmt_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	char date[24];
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	date[n] = '\0';
	snprintf(buf, len, "%s.%03dZ", date, (int)((ms % 1000 + 1000) % 1000));
}

int http_api_text(struct MHD_Connection *con)
{
	const char *f = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "format");

	return f && strcmp(f, "text") == 0;
}

/* ---- clients and timelines ------------------------------------------------ */

static void json_client(struct http_buf *b, const struct pxb_events_client *cl,
			const struct pxb_timeline *t)
{
	char a[INET_ADDRSTRLEN] = "", first[32], last[32];
	const char *arch = cl->arch == PXB_ARCH_UNKNOWN ? NULL : pxb_arch_name(cl->arch);

	if (cl->addr.s_addr)
		inet_ntop(AF_INET, &cl->addr, a, sizeof(a));
	fmt_time(cl->first_ms, first, sizeof(first));
	fmt_time(cl->last_ms, last, sizeof(last));
	http_buf_str(b, "{\"id\":");
	http_buf_json(b, cl->id);
	http_buf_str(b, ",\"mac\":");
	if (cl->has_mac) {
		char mac[18];
		http_buf_json(b, pxb_mac_format(cl->mac, mac, ':'));
	} else {
		http_buf_str(b, "null");
	}
	http_buf_str(b, ",\"addr\":");
	if (a[0])
		http_buf_json(b, a);
	else
		http_buf_str(b, "null");
	http_buf_str(b, ",\"arch\":");
	if (arch)
		http_buf_json(b, arch);
	else
		http_buf_str(b, "null");
	http_buf_printf(b, ",\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"last_seen_ms\":%" PRId64
			",\"events\":%u,\"entry\":", first, last, cl->last_ms, cl->nevents);
	http_buf_json(b, cl->entry);
	if (t) {
		http_buf_str(b, ",\"state\":");
		http_buf_json(b, pxb_timeline_state_name(t->state));
		http_buf_str(b, ",\"stage\":");
		http_buf_json(b, t->stage);
		http_buf_str(b, ",\"last_step\":");
		http_buf_json(b, t->nsteps ? t->steps[t->nsteps - 1].text : "");
		http_buf_str(b, ",\"cause\":");
		http_buf_json(b, t->cause);
	}
	http_buf_str(b, "}");
}

static void json_timeline(struct http_buf *b, const struct pxb_events_client *cl,
			  const struct pxb_timeline *t)
{
	http_buf_str(b, "{\"client\":");
	json_client(b, cl, t);
	http_buf_printf(b, ",\"earlier\":%u,\"steps\":[", t->earlier);
	for (unsigned i = 0; i < t->nsteps; i++) {
		const struct pxb_timeline_step *st = &t->steps[i];
		char when[32];

		fmt_time(st->t_ms, when, sizeof(when));
		http_buf_printf(b, "%s{\"time\":\"%s\",\"t_ms\":%" PRId64 ",\"offset_ms\":%" PRId64
				",\"duration_ms\":%" PRId64 ",\"kind\":\"%s\",\"stage\":",
				i ? "," : "", when, st->t_ms, st->offset_ms, st->duration_ms,
				pxb_event_type_name(st->type));
		http_buf_json(b, st->stage);
		http_buf_str(b, ",\"text\":");
		http_buf_json(b, st->text);
		http_buf_str(b, "}");
	}
	http_buf_str(b, "]}");
}

/* The recent clients (at most MAX_CLIENTS, *n of them), to free; NULL: out of memory. */
static struct pxb_events_client *recent(pxb_events *ev, unsigned *n)
{
	struct pxb_events_client *cl = ev ? calloc(MAX_CLIENTS, sizeof(*cl)) : NULL;

	*n = 0;
	if (!cl)
		return NULL;
	*n = pxb_events_clients(ev, cl, MAX_CLIENTS);
	if (*n > MAX_CLIENTS)
		*n = MAX_CLIENTS;
	return cl;
}

static enum MHD_Result clients(struct http *s, struct http_conn *c, struct MHD_Connection *con)
{
	pxb_events *ev = pxb_host_events(s->host);
	struct http_buf b = {0};
	int64_t now = http_wall_ms();
	unsigned n;
	struct pxb_events_client *cl = recent(ev, &n);
	int text = http_api_text(con);

	if (!cl)
		return error(c, con, 500, "out of memory");
	if (!text)
		http_buf_str(&b, "{\"clients\":[");
	for (unsigned i = 0; i < n; i++) {
		struct pxb_timeline *t = NULL;

		pxb_events_timeline(ev, cl[i].id, now, IDLE_MS, &t);
		if (text) {
			char a[INET_ADDRSTRLEN] = "-", last[32];
			if (cl[i].addr.s_addr)
				inet_ntop(AF_INET, &cl[i].addr, a, sizeof(a));
			fmt_time(cl[i].last_ms, last, sizeof(last));
			http_buf_printf(&b, "%-17s %-15s %s %-11s ", cl[i].id, a, last,
					t ? pxb_timeline_state_name(t->state) : "-");
			http_buf_str(&b, t && t->nsteps ? t->steps[t->nsteps - 1].text : "-");
			http_buf_str(&b, "\n");
		} else {
			if (i)
				http_buf_str(&b, ",");
			json_client(&b, &cl[i], t);
		}
		pxb_timeline_free(t);
	}
	if (!text)
		http_buf_str(&b, "]}\n");
	free(cl);
	return respond(c, con, 200, text ? "text/plain; charset=utf-8" : "application/json", &b);
}

static enum MHD_Result timeline(struct http *s, struct http_conn *c, struct MHD_Connection *con,
				const char *id, const char *method)
{
	pxb_events *ev = pxb_host_events(s->host);
	struct pxb_events_client cl;
	struct pxb_timeline *t = NULL;
	struct http_buf b = {0};
	int rc;

	if (!ev)
		return error(c, con, 500, "out of memory");
	if (strcmp(method, MHD_HTTP_METHOD_DELETE) == 0) {
		rc = pxb_events_forget(ev, id);
		if (rc == PXB_ERR_INVAL)
			return error(c, con, 400, "not a MAC or IPv4 address");
		if (rc < 0)
			return error(c, con, 404, "no such client");
		http_log(s, PXB_LOG_NOTICE, "%s: the events of %s were forgotten", c->peer, id);
		http_buf_str(&b, "{\"forgotten\":");
		http_buf_json(&b, id);
		http_buf_str(&b, "}\n");
		return respond(c, con, 200, "application/json", &b);
	}
	rc = pxb_events_find(ev, id, &cl);
	if (rc == PXB_ERR_INVAL)
		return error(c, con, 400, "not a MAC or IPv4 address");
	if (rc < 0)
		return error(c, con, 404, "no such client");
	if (pxb_events_timeline(ev, id, http_wall_ms(), IDLE_MS, &t) < 0)
		return error(c, con, 500, "out of memory");
	if (http_api_text(con)) {
		char *txt = pxb_timeline_text(t);
		http_buf_printf(&b, "client %s", cl.id);
		if (cl.addr.s_addr)
			http_buf_printf(&b, " (%s)", inet_ntoa(cl.addr));
		http_buf_str(&b, "\n");
		http_buf_str(&b, txt ? txt : "");
		free(txt);
	} else {
		json_timeline(&b, &cl, t);
		http_buf_str(&b, "\n");
	}
	pxb_timeline_free(t);
	return respond(c, con, 200,
		       http_api_text(con) ? "text/plain; charset=utf-8" : "application/json", &b);
}

/* ---- leases ------------------------------------------------------------------ */

static int lease_json(const struct pxb_lease *l, void *arg)
{
	static const char *const states[] = {"?", "offered", "bound", "released", "declined"};
	struct http_buf *b = arg;
	struct in_addr a = {htonl(l->addr)};
	char exp[32];

	fmt_time(l->expires * 1000, exp, sizeof(exp));
	http_buf_printf(b, "%s{\"addr\":\"%s\",\"state\":\"%s\",\"expires\":\"%s\",\"client\":",
			b->p[b->len - 1] == '[' ? "" : ",", inet_ntoa(a), l->state <= 4 ? states[l->state] : "?",
			exp);
	uint8_t m[6];

	if (l->key.type == PXB_LEASE_KEY_HW && pxb_lease_key_mac(&l->key, m)) {
		char mac[18];
		http_buf_json(b, pxb_mac_format(m, mac, ':'));
	} else if (l->key.type != PXB_LEASE_KEY_NONE) {
		char hex[2 * PXB_LEASE_KEY_MAX + 1];
		for (unsigned i = 0; i < l->key.len && i < PXB_LEASE_KEY_MAX; i++)
			snprintf(hex + 2 * i, 3, "%02x", l->key.bytes[i]);
		hex[2 * (l->key.len < PXB_LEASE_KEY_MAX ? l->key.len : PXB_LEASE_KEY_MAX)] = '\0';
		http_buf_json(b, hex);
	} else {
		http_buf_str(b, "null");
	}
	http_buf_str(b, ",\"hostname\":");
	http_buf_json(b, l->hostname);
	http_buf_str(b, "}");
	return 0;
}

static enum MHD_Result leases(struct http *s, struct http_conn *c, struct MHD_Connection *con)
{
	struct pxb_lease_store *ls = pxb_host_leases(s->host);
	struct http_buf b = {0};

	if (!ls)
		return error(c, con, 404, "no lease table: DHCP is off or a proxy");
	http_buf_str(&b, "{\"leases\":[");
	pxb_lease_foreach(ls, lease_json, &b);
	http_buf_str(&b, "]}\n");
	return respond(c, con, 200, "application/json", &b);
}

/* ---- configuration check -------------------------------------------------- */

static void collect(void *arg, const char *line)
{
	struct http_buf *b = arg;

	if (b->len && b->p[b->len - 1] != '[')
		http_buf_str(b, ",");
	http_buf_json(b, line);
}

static enum MHD_Result config(struct http *s, struct http_conn *c, struct MHD_Connection *con)
{
	const char *src = pxb_conf_source(pxb_host_conf(s->host));
	struct http_buf b = {0};
	pxb_conf *cf;
	size_t mark;
	int ok = 1;

	http_buf_str(&b, "{\"source\":");
	http_buf_json(&b, src);
	http_buf_str(&b, ",\"problems\":[");
	mark = b.len;
	if (strcmp(src, "<built-in>") == 0) {
		http_buf_str(&b, "],\"ok\":true,\"note\":\"the built-in default is in force\"}\n");
		return respond(c, con, 200, "application/json", &b);
	}
	cf = pxb_conf_new();
	if (!cf)
		return error(c, con, 500, "out of memory");
	/* The schemas of the plugins loaded now, as a reload would see them. */
	for (unsigned i = 0; i < pxb_host_plugin_count(s->host); i++) {
		const struct pxb_plugin *p = pxb_host_plugin(s->host, i);
		if (p->settings)
			pxb_conf_add_schema(cf, p->section ? p->section : p->name, p->settings);
	}
	if (pxb_conf_load_file(cf, src, collect, &b) < 0 || pxb_conf_validate(cf, 1, collect, &b) > 0) {
		ok = 0;
	} else {
		struct pxb_dhcp_setup *ds = NULL;
		pxb_boot_model *bm = NULL;

		if (pxb_dhcp_setup_from_conf(cf, &ds, collect, &b) < 0)
			ok = 0;
		if (pxb_boot_model_from_conf(cf, &bm, collect, &b) < 0)
			ok = 0;
		pxb_dhcp_setup_free(ds);
		pxb_boot_model_free(bm);
	}
	pxb_conf_free(cf);
	if (b.len != mark)
		ok = 0;
	http_buf_printf(&b, "],\"ok\":%s,\"note\":\"the file as SIGHUP would read it, without "
			"-o overrides\"}\n", ok ? "true" : "false");
	return respond(c, con, 200, "application/json", &b);
}

/* ---- metrics and status -------------------------------------------------------- */

static enum MHD_Result metrics(struct http *s, struct http_conn *c, struct MHD_Connection *con)
{
	pxb_events *ev = pxb_host_events(s->host);
	struct http_buf b = {0};
	size_t len = 0;
	char *txt = ev ? pxb_metrics_render(pxb_events_metrics(ev), &len) : NULL;

	if (!txt)
		return error(c, con, 500, "out of memory");
	b.p = txt;
	b.len = len;
	b.cap = len + 1;
	return respond(c, con, 200, "text/plain; version=0.0.4; charset=utf-8", &b);
}

static enum MHD_Result status(struct http *s, struct http_conn *c, struct MHD_Connection *con)
{
	pxb_events *ev = pxb_host_events(s->host);
	struct http_buf b = {0};
	int64_t now = http_wall_ms();
	char when[32];
	unsigned n;
	struct pxb_events_client *cl = recent(ev, &n);

	if (!cl)
		return error(c, con, 500, "out of memory");
	fmt_time(now, when, sizeof(when));
	http_buf_str(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		     "<meta http-equiv=\"refresh\" content=\"10\">"
		     "<title>pxeboot: clients</title>"
		     /* no icon: a browser's /favicon.ico would show up as a failed client */
		     "<link rel=\"icon\" href=\"data:,\"><style>"
		     "body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left}"
		     "pre{background:#f4f4f4;padding:4px}.failed,.stalled{color:#b00}"
		     ".booted{color:#070}</style></head><body>\n<h1>pxeboot: clients</h1>\n");
	http_buf_printf(&b, "<p>%u client%s, %s</p>\n<table>\n<tr><th>client</th><th>address"
			"</th><th>last seen</th><th>state</th><th>reached</th><th>entry</th>"
			"<th>last step</th></tr>\n", n, n == 1 ? "" : "s", when);
	for (unsigned i = 0; i < n; i++) {
		struct pxb_timeline *t = NULL;
		const char *st;

		pxb_events_timeline(ev, cl[i].id, now, IDLE_MS, &t);
		st = t ? pxb_timeline_state_name(t->state) : "";
		fmt_time(cl[i].last_ms, when, sizeof(when));
		http_buf_str(&b, "<tr><td><a href=\"#c");
		http_buf_printf(&b, "%u\">", i);
		http_buf_html(&b, cl[i].id);
		http_buf_printf(&b, "</a></td><td>%s</td><td>%s</td><td class=\"",
				cl[i].addr.s_addr ? inet_ntoa(cl[i].addr) : "-", when);
		http_buf_str(&b, t && t->state == PXB_TL_IN_PROGRESS ? "progress" : st);
		http_buf_str(&b, "\">");
		http_buf_html(&b, st);
		http_buf_str(&b, "</td><td>");
		http_buf_html(&b, t ? t->stage : "");
		http_buf_str(&b, "</td><td>");
		http_buf_html(&b, cl[i].entry);
		http_buf_str(&b, "</td><td>");
		http_buf_html(&b, t && t->nsteps ? t->steps[t->nsteps - 1].text : "");
		http_buf_str(&b, "</td></tr>\n");
		pxb_timeline_free(t);
	}
	http_buf_str(&b, "</table>\n");
	for (unsigned i = 0; i < n; i++) {
		struct pxb_timeline *t = NULL;
		char *txt;

		if (pxb_events_timeline(ev, cl[i].id, now, IDLE_MS, &t) < 0)
			continue;
		txt = pxb_timeline_text(t);
		http_buf_printf(&b, "<h2 id=\"c%u\">", i);
		http_buf_html(&b, cl[i].id);
		http_buf_str(&b, "</h2>\n<pre>");
		http_buf_html(&b, txt ? txt : "");
		http_buf_str(&b, "</pre>\n");
		free(txt);
		pxb_timeline_free(t);
	}
	http_buf_str(&b, "</body></html>\n");
	free(cl);
	return respond(c, con, 200, "text/html; charset=utf-8", &b);
}

int http_api_authorized(const struct http *s, struct MHD_Connection *con)
{
	return token_ok(s, con);
}

/* ---- routing ------------------------------------------------------------------- */

enum MHD_Result http_api(struct http *s, struct http_conn *c, struct MHD_Connection *con,
			 const char *method)
{
	const char *sub = c->path + strlen(s->api_prefix);
	int get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	int del = strcmp(method, MHD_HTTP_METHOD_DELETE) == 0;

	c->api = 1;
	if (strncmp(sub, "/arms", 5) == 0 && (sub[5] == '\0' || sub[5] == '/'))
		return http_arms(s, c, con, method, sub + 5); /* http_arms.c */
	if (strncmp(sub, "/installs", 9) == 0 && (sub[9] == '\0' || sub[9] == '/'))
		return http_installs(s, c, con, method, sub + 9); /* http_installs.c */
	if (!get && !del)
		return error(c, con, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
	if (del && !s->api_token[0])
		return error(c, con, MHD_HTTP_FORBIDDEN, "writes are off: set http.api_token");
	if ((del || (s->api_auth_reads && s->api_token[0])) && !token_ok(s, con))
		return error(c, con, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is needed");
	if (strncmp(sub, "/timeline/", 10) == 0 && sub[10])
		return timeline(s, c, con, sub + 10, method);
	if (del)
		return error(c, con, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
	if (strcmp(sub, "/clients") == 0)
		return clients(s, c, con);
	if (strcmp(sub, "/leases") == 0)
		return leases(s, c, con);
	if (strcmp(sub, "/config") == 0)
		return config(s, c, con);
	if (strcmp(sub, "/metrics") == 0)
		return metrics(s, c, con);
	if (strcmp(sub, "/status") == 0 || sub[0] == '\0' || strcmp(sub, "/") == 0)
		return status(s, c, con);
	return error(c, con, MHD_HTTP_NOT_FOUND, "no such API resource");
}
