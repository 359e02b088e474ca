/*
 * report_http.c - what is said about each HTTP request (pxeboot/report.h):
 * one row per way a request ends gives the access log line's ending and
 * the words of the event recorded for the client (whose type counts the
 * response by status and the bytes served, lib/events.c).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "report_internal.h"

/* The access log line: client, method, target, status, bytes, time, how it ended. */
#define ACCESS_LINE "%P %M %T %S %B %Lms%H"

static const struct row {
	enum pxb_event_type event;
	int line;            /* the request's access line */
	const char *how;     /* how it ended, in the line */
	const char *word;    /* the same in the event's detail */
} rows[PXB_HTTP_R_COUNT] = {
	[PXB_HTTP_R_ROOT_IMAGE] = {PXB_EV_ROOT_IMAGE, 0, "", ""},
	[PXB_HTTP_R_COMPLETED] = {PXB_EV_HTTP, 1, "", ""},
	[PXB_HTTP_R_TIMEOUT] = {PXB_EV_HTTP, 1, " (timeout)", "timeout"},
	[PXB_HTTP_R_SHUTDOWN] = {PXB_EV_HTTP, 1, " (shutdown)", "shutdown"},
	[PXB_HTTP_R_CLIENT_GONE] = {PXB_EV_HTTP, 1, " (client gone)", "client gone"},
	[PXB_HTTP_R_ERROR] = {PXB_EV_HTTP, 1, " (error)", "error"},
};

int pxb_http_report(pxb_events *ev, const struct pxb_http_report_in *in, struct pxb_report *out)
{
	const struct row *r;
	const char *val[PXB__REPORT_VALS] = {0}, *method;
	pxb__report_nums num;
	int other;

	if (!out)
		return PXB_ERR_INVAL;
	out->nlines = 0;
	if (!in || (unsigned)in->kind >= PXB_HTTP_R_COUNT)
		return PXB_ERR_INVAL;
	r = &rows[in->kind];
	method = in->method ? in->method : "-";
	other = strcmp(method, "GET") != 0;
	/* The root image's event; a request's when it was answered by us, not the API. */
	if (ev && in->addr.s_addr && (!r->line || (!in->api && in->status))) {
		struct pxb_event e;
		char detail[32];

		pxb_event_init(&e, r->event, in->now_ms);
		e.addr = in->addr;
		e.status = in->status;
		if (r->line) {
			e.bytes = in->bytes;
			e.duration_ms = in->duration_ms;
			snprintf(detail, sizeof(detail), "%s%s%s", other ? method : "",
				 other && r->word[0] ? "," : "", r->word);
			if (detail[0])
				pxb_event_set_detail(&e, detail);
		}
		pxb_event_set_path(&e, in->path && in->path[0] ? in->path : in->target);
		pxb_events_add(ev, &e);
	}
	if (!r->line || !in->access_log)
		return 0;
	val['P' - 'A'] = in->peer;
	val['M' - 'A'] = method;
	val['T' - 'A'] = in->target;
	if (in->status)
		pxb__report_num(val, num, 'S', in->status);
	else
		val['S' - 'A'] = "-"; /* no status of ours: the server refused it (e.g. 431) */
	pxb__report_num(val, num, 'B', in->bytes);
	snprintf(num['L' - 'A'], sizeof(num[0]), "%lld", (long long)in->duration_ms);
	val['L' - 'A'] = num['L' - 'A'];
	val['H' - 'A'] = r->how;
	pxb__report_say(out, PXB_LOG_INFO, in->log_max, 0, 0, ACCESS_LINE, val);
	return 0;
}
