/*
 * http_api_store.c - what the API's endpoints over the library's stores
 * (PREFIX/arms in http_arms.c, PREFIX/installs in http_installs.c) share:
 * the methods they take, the check of ?entry=, the answer to a DELETE and
 * the time stamps of their records.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include <pxeboot/pxeboot.h>
#include "http_internal.h"

int http_api_methods(const char *method, int *get, int *post, int *del)
{
	*get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
	*post = !strcmp(method, MHD_HTTP_METHOD_POST);
	*del = !strcmp(method, MHD_HTTP_METHOD_DELETE);
	return *get || *post || *del ? 0 : -1;
}

unsigned http_api_entry_unknown(struct http *s, const char *entry, const char **why)
{
	pxb_boot_model *m = NULL;
	int known;

	if (pxb_boot_model_build(s->host, &m) < 0) {
		*why = "the boot model cannot be built";
		return 500;
	}
	known = pxb_boot_find_entry(m, entry) != NULL;
	pxb_boot_model_free(m);
	if (!known) {
		*why = "entry: no such entry";
		return 400;
	}
	return 0;
}

enum MHD_Result http_api_removed(struct http *s, struct http_conn *c, struct MHD_Connection *con,
				 const struct http_api_store *st, int rc, const uint8_t mac[6])
{
	struct http_buf b = {0};
	int text = http_api_text(con);
	char macs[18];

	if (rc == PXB_ERR_NOENT)
		return http_api_error(c, con, 404, st->allow, st->none);
	if (rc < 0)
		return http_api_error(c, con, 500, st->allow, st->nowrite);
	pxb_mac_format(mac, macs, ':');
	http_log(s, PXB_LOG_NOTICE, "%s%s %s by %s", st->log, macs, st->removed, c->peer);
	if (text)
		http_buf_printf(&b, "%s %s\n", macs, st->removed);
	else
		http_buf_printf(&b, "{\"%s\":\"%s\"}\n", st->removed, macs);
	return http_api_respond(c, con, 200, text ? "text/plain; charset=utf-8" : "application/json",
				st->allow, &b);
}

void http_api_utc(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
