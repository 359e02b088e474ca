/*
 * timeline.c - one client's latest boot as steps in order, and where and
 * why it stopped when it did (see pxb_timeline_build in pxeboot/events.h).
 *
 * Each step gets a stage: "dhcp"; "boot loader" (the file DHCP offered to
 * the firmware); "menu" (a rendered menu, or the file offered to iPXE);
 * "kernel" (files fetched after the menu: kernels, initrds, images);
 * "root image"; "file" (anything else, e.g. ldlinux.c32). The furthest
 * stage reached and the last step that matters (probes for files clients
 * expect to miss do not) decide the verdict.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/dhcp.h>
#include <pxeboot/events.h>
#include "internal.h"

#define DEF_IDLE_MS 20000

enum stage { ST_NONE, ST_DHCP, ST_FILE, ST_LOADER, ST_MENU, ST_KERNEL, ST_ROOT, ST_INSTALL };

static const char *const stage_names[] = {
	"", "dhcp", "file", "boot loader", "menu", "kernel", "root image", "installer",
};

static const char *const state_names[] = {
	"empty", "in progress", "booted", "no boot", "stalled", "failed",
};

const char *pxb_timeline_state_name(enum pxb_timeline_state s)
{
	return (unsigned)s < PXB_ARRAY_LEN(state_names) ? state_names[s] : "unknown";
}

static const char *dhcp_type_name(uint8_t t)
{
	static const char *const names[] = {"BOOTP", "DISCOVER", "OFFER", "REQUEST", "DECLINE",
					    "ACK", "NAK", "RELEASE", "INFORM"};

	return t <= 8 ? names[t] : "DHCP";
}

static int is_dhcp(enum pxb_event_type t)
{
	return t >= PXB_EV_DHCP_SEEN && t <= PXB_EV_DHCP_NONE;
}

static int is_file(enum pxb_event_type t)
{
	return t >= PXB_EV_TFTP_REQUEST && t <= PXB_EV_ROOT_IMAGE;
}

static int fails(const struct pxb_event *e)
{
	if (e->flags & PXB_EVF_PROBE)
		return 0;
	switch (e->type) {
	case PXB_EV_TFTP_REFUSED:
	case PXB_EV_TFTP_FAILED:
	case PXB_EV_DHCP_NAK:
		return 1;
	case PXB_EV_HTTP:
	case PXB_EV_ROOT_IMAGE:
		return e->status >= 400;
	default:
		return 0;
	}
}

/* Does a transferred path name the boot file DHCP gave ("menu.ipxe", a URL)? */
static int same_file(const char *bootfile, const char *path)
{
	const char *p = path, *b = bootfile;
	size_t lb, lp;

	if (!b[0] || !p[0])
		return 0;
	if (strstr(b, "://")) { /* a URL: compare its path */
		b = strchr(strstr(b, "://") + 3, '/');
		if (!b)
			return 0;
	}
	while (*b == '/')
		b++;
	while (*p == '/')
		p++;
	lb = strcspn(b, "?");
	lp = strlen(p);
	return lb == lp && strncmp(b, p, lb) == 0;
}

static void fmt_secs(char *buf, size_t len, int64_t ms)
{
	snprintf(buf, len, "%lld.%03lld s", (long long)(ms / 1000), (long long)(ms % 1000));
}

static void step_text(const struct pxb_event *e, char *out, size_t len)
{
	char a[INET_ADDRSTRLEN] = "", d[32] = "";
	size_t o = 0;

#define PUT(...) (o += (size_t)snprintf(out + o, o < len ? len - o : 0, __VA_ARGS__))
	if (e->addr.s_addr)
		inet_ntop(AF_INET, &e->addr, a, sizeof(a));
	if (e->duration_ms >= 0)
		fmt_secs(d, sizeof(d), e->duration_ms);
	out[0] = '\0';
	switch (e->type) {
	case PXB_EV_DHCP_SEEN:
	case PXB_EV_DHCP_OFFER:
	case PXB_EV_DHCP_ACK:
	case PXB_EV_DHCP_NAK:
	case PXB_EV_DHCP_NONE:
		PUT("DHCP %s%s", dhcp_type_name(e->dhcp_type),
		    e->flags & PXB_EVF_IPXE ? " from iPXE" : "");
		if (e->arch != PXB_ARCH_UNKNOWN)
			PUT(" arch=%s", pxb_arch_name(e->arch) ? pxb_arch_name(e->arch) : "?");
		PUT(": %s", e->type == PXB_EV_DHCP_OFFER ? "offer"
			    : e->type == PXB_EV_DHCP_ACK ? "ack"
			    : e->type == PXB_EV_DHCP_NAK ? "nak"
			    : e->type == PXB_EV_DHCP_NONE ? "no answer"
							  : "noted");
		if (a[0] && (e->type == PXB_EV_DHCP_OFFER || e->type == PXB_EV_DHCP_ACK))
			PUT(" %s", a);
		if (e->path[0])
			PUT(" file %s", e->path);
		else if (e->type == PXB_EV_DHCP_OFFER || e->type == PXB_EV_DHCP_ACK)
			PUT(" without a boot file");
		if (e->detail[0])
			PUT(" (%s)", e->detail);
		break;
	case PXB_EV_TFTP_REQUEST:
		PUT("TFTP request %s", e->path);
		if (e->detail[0])
			PUT(" %s", e->detail);
		if (e->size)
			PUT(" size=%llu", (unsigned long long)e->size);
		break;
	case PXB_EV_TFTP_REFUSED:
		PUT("TFTP %s: %s%s", e->path, e->detail[0] ? e->detail : "refused",
		    e->flags & PXB_EVF_PROBE ? " (a probe, expected)" : "");
		break;
	case PXB_EV_TFTP_DONE:
		PUT("TFTP sent %s: %llu bytes%s%s", e->path, (unsigned long long)e->bytes,
		    d[0] ? " in " : "", d);
		if (e->detail[0])
			PUT(" (%s)", e->detail);
		break;
	case PXB_EV_TFTP_FAILED:
		PUT("TFTP %s failed at block %llu of %llu after %u retries", e->path,
		    (unsigned long long)e->block, (unsigned long long)e->blocks, e->retries);
		if (e->detail[0])
			PUT(": %s", e->detail);
		break;
	case PXB_EV_MENU:
		PUT("menu %s rendered", e->path);
		if (e->detail[0])
			PUT(" (%s)", e->detail);
		break;
	case PXB_EV_HTTP:
		PUT("HTTP %s %u, %llu bytes%s%s", e->path, e->status, (unsigned long long)e->bytes,
		    d[0] ? " in " : "", d);
		if (e->detail[0])
			PUT(" (%s)", e->detail);
		break;
	case PXB_EV_ROOT_IMAGE:
		PUT("root image requested: %s (HTTP %u)", e->path, e->status);
		break;
	case PXB_EV_ANSWER:
		PUT("answer file fetched: %s", e->path);
		if (e->detail[0])
			PUT(" (entry %s)", e->detail);
		break;
	case PXB_EV_INSTALLED:
		PUT("installer finished");
		if (e->detail[0])
			PUT(" (entry %s): the next boot goes to the local disk", e->detail);
		break;
	default:
		PUT("%s", pxb_event_type_name(e->type));
		break;
	}
#undef PUT
}

static void cause(struct pxb_timeline *t, enum pxb_timeline_state st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void cause(struct pxb_timeline *t, enum pxb_timeline_state st, const char *fmt, ...)
{
	va_list ap;

	t->state = st;
	va_start(ap, fmt);
	vsnprintf(t->cause, sizeof(t->cause), fmt, ap);
	va_end(ap);
}

/* Where a boot stopped: e is the last step that matters, stage the furthest reached. */
static void analyse(struct pxb_timeline *t, const struct pxb_event *e, enum stage stage,
		    const struct pxb_event *ev, unsigned n, int64_t now_ms, int64_t idle_ms)
{
	long long idle_s = (long long)((now_ms - e->t_ms) / 1000);
	int idle = now_ms - e->t_ms >= idle_ms;
	const char *what = dhcp_type_name(e->dhcp_type);

	for (unsigned i = 0; i < n; i++)
		if (ev[i].type == PXB_EV_INSTALLED) {
			cause(t, PXB_TL_BOOTED, "the installer finished%s%s", ev[i].detail[0] ? ": " : "",
			      ev[i].detail);
			return;
		}
	if (e->type == PXB_EV_ANSWER) {
		if (now_ms - e->t_ms < PXB_TIMELINE_INSTALL_MS)
			t->state = PXB_TL_IN_PROGRESS;
		else
			cause(t, PXB_TL_STALLED, "fetched its answer file, no callback within %d "
			      "minutes: the installer stopped (a question the answer file leaves "
			      "open, a mirror it cannot reach) or never calls ${done_url}",
			      PXB_TIMELINE_INSTALL_MS / 60000);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		if (ev[i].type == PXB_EV_ROOT_IMAGE && ev[i].status < 400) {
			cause(t, PXB_TL_BOOTED, "the rescue system asked for its root image %s",
			      ev[i].path);
			return;
		}
	switch (e->type) {
	case PXB_EV_ROOT_IMAGE:
	root_failed:
		cause(t, PXB_TL_FAILED, "HTTP %u for %s: the root image is %s", e->status, e->path,
		      e->status == 404 ? "missing" : "refused");
		return;
	case PXB_EV_HTTP:
		if (e->status >= 400 && pxb_events_is_root_image(NULL, e->path))
			goto root_failed;
		if (e->status >= 400) {
			cause(t, PXB_TL_FAILED, "HTTP %u for %s: %s", e->status, e->path,
			      e->status == 404   ? "the file is missing"
			      : e->status == 403 ? "refused (a directory, or outside the root)"
			      : e->status >= 500 ? "the server failed"
						 : "the request was refused");
			return;
		}
		break;
	case PXB_EV_TFTP_FAILED:
		if (strcmp(e->detail, "timeout") == 0)
			cause(t, PXB_TL_FAILED, "TFTP stalled at block %llu of %llu after %u retries "
			      "(%s): the client stopped acknowledging",
			      (unsigned long long)e->block, (unsigned long long)e->blocks, e->retries,
			      e->path);
		else
			cause(t, PXB_TL_FAILED, "TFTP of %s failed at block %llu of %llu: %s", e->path,
			      (unsigned long long)e->block, (unsigned long long)e->blocks,
			      e->detail[0] ? e->detail : "error");
		return;
	case PXB_EV_TFTP_REFUSED:
		if (!(e->flags & PXB_EVF_PROBE)) {
			cause(t, PXB_TL_FAILED, "TFTP %s: %s", e->path,
			      e->detail[0] ? e->detail : "refused");
			return;
		}
		break;
	case PXB_EV_DHCP_NAK:
		cause(t, PXB_TL_FAILED, "%s refused (NAK)%s%s: the client must start over", what,
		      e->detail[0] ? ": " : "", e->detail);
		return;
	case PXB_EV_DHCP_OFFER:
	case PXB_EV_DHCP_ACK:
		if (e->flags & PXB_EVF_NOBOOT) {
			cause(t, PXB_TL_NO_BOOT, "no boot file offered on purpose (a noboot rule or "
			      "host): the firmware goes on to its next boot device");
			return;
		}
		break;
	default:
		break;
	}
	if (!idle) {
		t->state = PXB_TL_IN_PROGRESS;
		return;
	}
	/* Nothing for idle_ms after e: what was the client expected to do? */
	switch (e->type) {
	case PXB_EV_DHCP_OFFER:
		if (stage >= ST_KERNEL)
			cause(t, PXB_TL_STALLED, "the booted system got an offer, no REQUEST in %lld s",
			      idle_s);
		else if (!e->path[0])
			cause(t, PXB_TL_STALLED, "offer sent, no REQUEST in %lld s: the firmware "
			      "ignored an offer without a boot file", idle_s);
		else
			cause(t, PXB_TL_STALLED, "offer sent (file %s), no REQUEST in %lld s: the "
			      "client took another server's offer, or never received ours", e->path,
			      idle_s);
		return;
	case PXB_EV_DHCP_ACK:
		if (stage >= ST_KERNEL)
			cause(t, PXB_TL_STALLED, "the booted system got its address, no request for "
			      "the root image in %lld s: check the kernel's arguments (server URL) "
			      "and its network driver", idle_s);
		else if (!e->path[0])
			cause(t, PXB_TL_STALLED, "address acknowledged without a boot file, nothing "
			      "requested in %lld s: no boot rule gave this client a file", idle_s);
		else
			cause(t, PXB_TL_STALLED, "acknowledged with boot file %s, no request for it in "
			      "%lld s: the %s could not fetch it (TFTP blocked, another next-server?)",
			      e->path, idle_s, e->flags & PXB_EVF_IPXE ? "iPXE" : "firmware");
		return;
	case PXB_EV_DHCP_NONE:
		cause(t, PXB_TL_FAILED, "DHCP %s not answered%s%s", what, e->detail[0] ? ": " : "",
		      e->detail);
		return;
	case PXB_EV_DHCP_SEEN:
		cause(t, PXB_TL_STALLED, "DHCP %s%s%s, nothing since for %lld s", what,
		      e->detail[0] ? ": " : "", e->detail, idle_s);
		return;
	case PXB_EV_TFTP_REQUEST:
		cause(t, PXB_TL_STALLED, "TFTP transfer of %s started, not finished in %lld s",
		      e->path, idle_s);
		return;
	default:
		break;
	}
	switch (stage) {
	case ST_KERNEL:
		cause(t, PXB_TL_STALLED, "kernel and initrd sent (last %s), no request for the root "
		      "image in %lld s: the kernel did not start, or the system it booted could not "
		      "reach the server", e->path, idle_s);
		break;
	case ST_MENU:
		cause(t, PXB_TL_STALLED, "menu sent, no entry fetched in %lld s: the client waits at "
		      "the menu, or could not fetch the entry's kernel", idle_s);
		break;
	case ST_LOADER:
		cause(t, PXB_TL_STALLED, "boot loader %s sent, nothing heard from it in %lld s: it "
		      "did not start, or its own DHCP request went unanswered", e->path, idle_s);
		break;
	default:
		cause(t, PXB_TL_STALLED, "%s was the last step, nothing since for %lld s",
		      pxb_event_type_name(e->type), idle_s);
		break;
	}
}

int pxb_timeline_build(const struct pxb_event *ev, unsigned n, int64_t now_ms, int64_t idle_ms,
		       struct pxb_timeline **out)
{
	struct pxb_timeline *t;
	unsigned start = 0, seen_file = 0;
	enum stage furthest = ST_NONE;
	const struct pxb_event *last = NULL;
	const char *loader = "", *menu = "";

	if ((!ev && n) || !out)
		return PXB_ERR_INVAL;
	if (idle_ms <= 0)
		idle_ms = DEF_IDLE_MS;
	for (unsigned i = 0; i < n; i++) {
		if (is_dhcp(ev[i].type) && (ev[i].flags & PXB_EVF_PXE) &&
		    !(ev[i].flags & PXB_EVF_IPXE) && seen_file) {
			start = i;
			seen_file = 0;
		}
		if (is_file(ev[i].type))
			seen_file = 1;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return PXB_ERR_NOMEM;
	t->steps = calloc(n - start ? n - start : 1, sizeof(*t->steps));
	if (!t->steps) {
		free(t);
		return PXB_ERR_NOMEM;
	}
	t->earlier = start;
	t->stage = "";
	for (unsigned i = start; i < n; i++) {
		const struct pxb_event *e = &ev[i];
		struct pxb_timeline_step *s = &t->steps[t->nsteps++];
		enum stage st = ST_FILE;

		if (is_dhcp(e->type)) {
			st = ST_DHCP;
			if ((e->type == PXB_EV_DHCP_OFFER || e->type == PXB_EV_DHCP_ACK) &&
			    e->path[0]) {
				if (e->flags & PXB_EVF_IPXE)
					menu = e->path;
				else if (e->flags & PXB_EVF_PXE)
					loader = e->path;
			}
		} else if (e->type == PXB_EV_ROOT_IMAGE) {
			st = ST_ROOT;
		} else if (e->type == PXB_EV_ANSWER || e->type == PXB_EV_INSTALLED) {
			st = ST_INSTALL;
		} else if (e->type == PXB_EV_MENU) {
			st = ST_MENU;
			menu = e->path;
		} else if (same_file(menu, e->path)) {
			st = ST_MENU;
		} else if (same_file(loader, e->path)) {
			st = ST_LOADER;
		} else if (furthest >= ST_MENU) {
			st = pxb_events_is_root_image(NULL, e->path) ? ST_ROOT : ST_KERNEL;
		}
		if (st > furthest && !fails(e) && e->type != PXB_EV_TFTP_REFUSED)
			furthest = st;
		s->t_ms = e->t_ms;
		s->offset_ms = e->t_ms - ev[start].t_ms;
		s->type = e->type;
		s->stage = stage_names[st];
		s->duration_ms = e->duration_ms;
		if (t->nsteps > 1)
			t->steps[t->nsteps - 2].duration_ms = e->t_ms - t->steps[t->nsteps - 2].t_ms;
		step_text(e, s->text, sizeof(s->text));
		if (!(e->flags & PXB_EVF_PROBE))
			last = e;
	}
	if (n > start && !last)
		last = &ev[n - 1];
	t->stage = stage_names[furthest];
	if (last)
		analyse(t, last, furthest, ev + start, n - start, now_ms, idle_ms);
	*out = t;
	return 0;
}

void pxb_timeline_free(struct pxb_timeline *t)
{
	if (!t)
		return;
	free(t->steps);
	free(t);
}

char *pxb_timeline_text(const struct pxb_timeline *t)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *out;

	if (!t)
		return NULL;
	out = open_memstream(&buf, &sz);
	if (!out)
		return NULL;
	if (t->earlier)
		fprintf(out, "(%u earlier event%s not shown)\n", t->earlier,
			t->earlier == 1 ? "" : "s");
	for (unsigned i = 0; i < t->nsteps; i++) {
		const struct pxb_timeline_step *s = &t->steps[i];
		char off[32], dur[32] = "";

		fmt_secs(off, sizeof(off), s->offset_ms);
		if (s->duration_ms >= 0)
			fmt_secs(dur, sizeof(dur), s->duration_ms);
		fprintf(out, "+%-10s %-11s %s%s%s%s\n", off, s->stage, s->text, dur[0] ? " [" : "",
			dur, dur[0] ? "]" : "");
	}
	fprintf(out, "state: %s\n", pxb_timeline_state_name(t->state));
	if (t->stage[0])
		fprintf(out, "reached: %s\n", t->stage);
	if (t->entry[0])
		fprintf(out, "entry: %s\n", t->entry);
	if (t->cause[0])
		fprintf(out, "%s: %s\n", t->state == PXB_TL_BOOTED ? "booted" : "stopped", t->cause);
	if (fclose(out) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
