/*
 * report_tftp.c - what is said about each TFTP request and transfer
 * (pxeboot/report.h): one row per outcome gives the line (level, words,
 * rate limit), the event recorded for the client and the counter.
 *
 * Requests dropped by admission (lib/tftp_admit.c) are logged at most once
 * a minute per reason, malformed and busy ones once a minute per sender,
 * and a transfer that failed without ever being acknowledged (maybe a
 * forged request, one of a flood) once a minute for all of them: the event
 * and the counters have each.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "report_internal.h"

/* The table's rows: the kinds of pxeboot/report.h, a file not opened and a
 * transfer's end split by what happened. */
enum row_id {
	R_DROPPED, R_MALFORMED, R_REFUSED, R_BUSY, R_DENIED, R_MISSING, R_STARTED,
	R_DONE, R_PROBE, R_FAILED, R_COUNT
};

enum limit { LIM_NONE, LIM_ADMIT, LIM_SENDER, LIM_UNACKED };
enum bytes { BYTES_NONE, BYTES_SIZE, BYTES_ACKED };

static const struct row {
	int level;
	int probe;                 /* a name clients probe for: 1, a probe event; 2, said at
				    * debug level too */
	enum limit limit;
	uint32_t key;              /* LIM_ADMIT: plus the reason; LIM_SENDER: xor the address */
	const char *line;          /* values: see values() */
	const char *more;          /* a debug line after it, when there are values for it */
	const char *metric;        /* counted here, 1 per report */
	const char *label;         /* the counter's label, its value %C */
	enum pxb_event_type event; /* 0: none */
	unsigned flags;            /* PXB_EVF_* of the event */
	const char *detail;        /* the event's detail ("" : none) */
	int ended;                 /* the event has the transfer's size, time and retries */
	enum bytes bytes;
} rows[R_COUNT] = {
	[R_DROPPED] = {PXB_LOG_WARNING, 0, LIM_ADMIT, 0xad3170u,
		       "%P: request dropped, over the limit of %A (more drops are only counted, "
		       "pxeboot_tftp_requests_dropped_total)", NULL,
		       "pxeboot_tftp_requests_dropped_total", "reason", 0, 0, "", 0, BYTES_NONE},
	[R_MALFORMED] = {PXB_LOG_NOTICE, 0, LIM_SENDER, 0x7f7f, "%P: malformed request dropped",
			 NULL, "pxeboot_tftp_malformed_total", NULL, 0, 0, "", 0, BYTES_NONE},
	[R_REFUSED] = {PXB_LOG_NOTICE, 0, LIM_NONE, 0, "%P %Q %N refused: %W", NULL, NULL, NULL,
		       0, 0, "", 0, BYTES_NONE},
	[R_BUSY] = {PXB_LOG_WARNING, 0, LIM_SENDER, 0xb5b5, "%P RRQ %N refused: too many transfers",
		    NULL, NULL, NULL, PXB_EV_TFTP_REFUSED, 0, "too many transfers", 0, BYTES_NONE},
	[R_DENIED] = {PXB_LOG_WARNING, 1, LIM_NONE, 0, "%P RRQ %N%O: %W", NULL, NULL, NULL,
		      PXB_EV_TFTP_REFUSED, 0, "%W", 0, BYTES_NONE},
	[R_MISSING] = {PXB_LOG_INFO, 2, LIM_NONE, 0, "%P RRQ %N%O: %W", NULL, NULL, NULL,
		       PXB_EV_TFTP_REFUSED, 0, "%W", 0, BYTES_NONE},
	[R_STARTED] = {PXB_LOG_INFO, 0, LIM_NONE, 0, "%P RRQ %N%O size=%Z", NULL, NULL, NULL,
		       PXB_EV_TFTP_REQUEST, 0, "%J", 0, BYTES_NONE},
	[R_DONE] = {PXB_LOG_INFO, 0, LIM_NONE, 0,
		    "%P done %N %Z bytes in %S s blksize=%B windowsize=%D retransmits=%R",
		    "%P %N: %G segmented writes%H", NULL, NULL, PXB_EV_TFTP_DONE, 0, "", 1,
		    BYTES_SIZE},
	/* OVMF's size probe: it reads the OACK's tsize and says no thanks. */
	[R_PROBE] = {PXB_LOG_DEBUG, 0, LIM_NONE, 0, "%P %N: client ended after the option ack",
		     NULL, NULL, NULL, PXB_EV_TFTP_DONE, PXB_EVF_PROBE,
		     "size probe: the client ended after the option ack", 1, BYTES_NONE},
	[R_FAILED] = {PXB_LOG_WARNING, 0, LIM_UNACKED, 0xad3180u,
		      "%P failed %N at block %K of %L after %T timeouts: %W%X", NULL, NULL, NULL,
		      PXB_EV_TFTP_FAILED, 0, "%W", 1, BYTES_ACKED},
};

static const struct pxb__metric_def metrics[] = {
	{"pxeboot_tftp_transfers_active", PXB_METRIC_GAUGE, "TFTP transfers in progress", 1},
	{"pxeboot_tftp_malformed_total", PXB_METRIC_COUNTER, "malformed TFTP requests dropped", 0},
	{"pxeboot_tftp_wakeups_moderated_total", PXB_METRIC_COUNTER,
	 "TFTP thread wake-ups delayed by tftp.coalesce_us", 1},
	{"pxeboot_tftp_transfers_unacked", PXB_METRIC_GAUGE,
	 "TFTP transfers whose client has acknowledged nothing yet", 1},
	{"pxeboot_tftp_requests_dropped_total", PXB_METRIC_COUNTER,
	 "TFTP requests dropped unanswered by tftp.rate, tftp.rate_per_source or the "
	 "tftp.max_unacked* budgets, by reason", 0},
};

/* The label of a dropped request's reason in pxeboot_tftp_requests_dropped_total. */
static const char *const admit_label[] = {
	[PXB_TFTP_ADMIT_RATE] = "rate",
	[PXB_TFTP_ADMIT_SOURCE_RATE] = "source_rate",
	[PXB_TFTP_ADMIT_UNACKED] = "unacked",
	[PXB_TFTP_ADMIT_SOURCE_UNACKED] = "source_unacked",
	[PXB_TFTP_ADMIT_SOURCE_BYTES] = "source_bytes",
};

int pxb_tftp_report_declare(pxb_metrics *m)
{
	if (!m)
		return PXB_ERR_INVAL;
	return pxb__metrics_declare_all(m, metrics, sizeof(metrics) / sizeof(metrics[0]));
}

/* Names clients probe for and are expected to miss (CLIENTS.md): debug only. */
static int expected_miss(const char *name)
{
	static const char *const probes[] = {
		"revocations_sku.efi", "revocations_sbat.efi", "shim_certificate_0.efi",
		"pxelinux.cfg/", "command.lst", "fs.lst", "crypto.lst", "terminal.lst",
		"grub.cfg-", "autoexec.ipxe",
	};

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (strstr(name, probes[i]))
			return 1;
	return 0;
}

/* Makes a requested name printable in one log line. */
static void printable(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + 5 < len; in++) {
		unsigned char c = (unsigned char)*in;
		if (c < 0x20 || c >= 0x7f || c == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static enum row_id row_of(const struct pxb_tftp_report_in *in)
{
	switch (in->kind) {
	case PXB_TFTP_R_DROPPED: return R_DROPPED;
	case PXB_TFTP_R_MALFORMED: return R_MALFORMED;
	case PXB_TFTP_R_REFUSED: return R_REFUSED;
	case PXB_TFTP_R_BUSY: return R_BUSY;
	case PXB_TFTP_R_NOT_OPENED: return in->err == PXB_ERR_ACCESS ? R_DENIED : R_MISSING;
	case PXB_TFTP_R_STARTED: return R_STARTED;
	default:
		return in->verdict == PXB_TFTP_DONE ? R_DONE
		       : in->verdict == PXB_TFTP_ABORTED ? R_PROBE : R_FAILED;
	}
}

/* Records the event of row r for the client (pxeboot/events.h). */
static void note_event(pxb_events *ev, const struct row *r, const struct pxb_tftp_report_in *in,
		       unsigned flags, const char *detail, uint64_t blocks)
{
	const struct pxb_tftp_info *info = in->info;
	struct pxb_event e;

	pxb_event_init(&e, r->event, in->now_ms);
	e.flags = r->flags | flags;
	e.addr = in->addr;
	if (in->mac) {
		e.has_mac = 1;
		memcpy(e.mac, in->mac, 6);
	}
	if (r->event == PXB_EV_TFTP_REQUEST)
		e.size = in->size;
	if (r->ended) {
		e.size = info->size;
		e.duration_ms = in->duration_ms;
		e.retries = info->timeouts;
	}
	if (r->bytes == BYTES_SIZE)
		e.bytes = info->size;
	else if (r->bytes == BYTES_ACKED)
		e.bytes = info->blocks_acked * info->blksize;
	if (r->limit == LIM_UNACKED) { /* failed: where */
		e.block = in->block;
		e.blocks = blocks;
	}
	pxb_event_set_path(&e, in->name);
	if (detail[0])
		pxb_event_set_detail(&e, detail);
	pxb_events_add(ev, &e);
}

int pxb_tftp_report(pxb_events *ev, const struct pxb_tftp_report_in *in, struct pxb_report *out)
{
	static const struct pxb_tftp_info none;
	const struct pxb_tftp_info *info;
	const struct row *r;
	const char *val[PXB__REPORT_VALS] = {0};
	char peer[INET_ADDRSTRLEN + 8], nm[PXB_TFTP_FILENAME_MAX * 4 + 8], opts[160] = "";
	char secs[32], seg_err[160] = "", detail[PXB_EVENT_DETAIL_MAX];
	pxb__report_nums num;
	unsigned flags = 0;
	uint64_t blocks;
	int level, probe;

	if (!out)
		return PXB_ERR_INVAL;
	out->nlines = 0;
	if (!in || (unsigned)in->kind >= PXB_TFTP_R_COUNT ||
	    (in->kind == PXB_TFTP_R_ENDED && !in->info) ||
	    (in->kind == PXB_TFTP_R_DROPPED &&
	     ((unsigned)in->admit >= sizeof(admit_label) / sizeof(admit_label[0]) ||
	      !admit_label[in->admit])))
		return PXB_ERR_INVAL;
	r = &rows[row_of(in)];
	info = in->info ? in->info : &none;
	blocks = info->blksize ? info->size / info->blksize + 1 : 0;
	probe = r->probe && in->name && expected_miss(in->name);
	level = probe && r->probe == 2 ? PXB_LOG_DEBUG : r->level;
	if (probe)
		flags |= PXB_EVF_PROBE;

	inet_ntop(AF_INET, &in->addr, peer, sizeof(peer));
	snprintf(peer + strlen(peer), sizeof(peer) - strlen(peer), ":%u", in->port);
	printable(in->name ? in->name : "", nm, sizeof(nm));
	for (int o = 0; in->req && o < PXB_TFTP_OPT_COUNT; o++)
		if (in->req->opt_mask & (1u << o)) {
			size_t l = strlen(opts);
			snprintf(opts + l, sizeof(opts) - l, " %s=%llu",
				 pxb_tftp_opt_name((enum pxb_tftp_opt)o),
				 (unsigned long long)in->req->opt_value[o]);
		}
	pxb__report_num(val, num, 'Z', r->ended ? info->size : in->size);
	if (r->ended) { /* a flood's dropped requests are spared these */
		snprintf(secs, sizeof(secs), "%.3f", (double)in->duration_ms / 1000.0);
		val['S' - 'A'] = secs;
		pxb__report_num(val, num, 'B', info->blksize);
		pxb__report_num(val, num, 'D', info->windowsize);
		pxb__report_num(val, num, 'R', info->retransmits);
		pxb__report_num(val, num, 'K', in->block);
		pxb__report_num(val, num, 'L', blocks);
		pxb__report_num(val, num, 'T', info->timeouts);
		pxb__report_num(val, num, 'G', in->seg_writes);
		if (in->seg_err)
			snprintf(seg_err, sizeof(seg_err), ", then refused: %s",
				 strerror(in->seg_err));
		val['H' - 'A'] = seg_err;
	}
	val['P' - 'A'] = peer;
	val['N' - 'A'] = nm;
	val['O' - 'A'] = opts;
	val['J' - 'A'] = opts[0] ? opts + 1 : "";
	val['Q' - 'A'] = in->req && in->req->opcode == PXB_TFTP_OP_WRQ ? "WRQ" : "RRQ";
	val['A' - 'A'] = in->kind == PXB_TFTP_R_DROPPED ? pxb_tftp_admit_name(in->admit) : "";
	val['C' - 'A'] = in->kind == PXB_TFTP_R_DROPPED ? admit_label[in->admit] : "";
	if (r == &rows[R_REFUSED])
		val['W' - 'A'] = val['Q' - 'A'][0] == 'W' ? "read-only server"
				 : pxb_strerror(in->err);
	else if (r == &rows[R_DENIED])
		val['W' - 'A'] = "refused, outside the root or not a file";
	else if (r->limit == LIM_UNACKED)
		val['W' - 'A'] = in->nomem ? "out of memory" : pxb_tftp_reason_name(in->reason);
	else
		val['W' - 'A'] = pxb_strerror(in->err);
	val['X' - 'A'] = in->reason == PXB_TFTP_REASON_PEER_ERROR ? " (client sent an error)"
			 : in->unacked ? " (never acknowledged; more such are only counted for a "
					 "minute)"
				       : "";

	if (ev && r->metric && r->label)
		pxb_metrics_add(pxb_events_metrics(ev), r->metric, 1, r->label, val['C' - 'A'],
				NULL);
	else if (ev && r->metric)
		pxb_metrics_add(pxb_events_metrics(ev), r->metric, 1, NULL);
	if (ev && r->event) {
		pxb__report_expand(detail, sizeof(detail), r->detail, val);
		note_event(ev, r, in, flags, detail, blocks);
	}
	switch (r->limit) {
	case LIM_NONE:
		pxb__report_say(out, level, in->log_max, 0, 0, r->line, val);
		break;
	case LIM_ADMIT:
		pxb__report_say(out, level, in->log_max, 1, r->key + (uint32_t)in->admit, r->line,
				val);
		break;
	case LIM_SENDER:
		pxb__report_say(out, level, in->log_max, 1, in->addr.s_addr ^ r->key, r->line, val);
		break;
	case LIM_UNACKED:
		pxb__report_say(out, level, in->log_max, in->unacked, r->key, r->line, val);
		break;
	}
	if (r->more && (in->seg_writes || in->seg_err))
		pxb__report_say(out, PXB_LOG_DEBUG, in->log_max, 0, 0, r->more, val);
	return 0;
}
