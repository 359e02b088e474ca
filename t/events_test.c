/*
 * events_test.c - the event store, boot timelines and the metrics registry,
 * with synthetic event sequences: a boot that reaches its root image, and
 * boots that stop at each place a real one does (an offer ignored, a TFTP
 * transfer that stalls, a missing root image, a kernel that never asks for
 * its root image, a host that must not boot), plus the bounds of the store
 * and the Prometheus text of the metrics.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/dhcp.h>
#include <pxeboot/events.h>
#include "tap.h"

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const char *MACS = "52:54:00:12:34:56";
static int64_t T0 = 1700000000000LL;

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static void dhcp(pxb_events *s, int64_t t, enum pxb_event_type type, uint8_t req, unsigned flags,
		 const char *addr, const char *file)
{
	struct pxb_event e;

	pxb_event_init(&e, type, t);
	e.has_mac = 1;
	memcpy(e.mac, MAC, 6);
	e.dhcp_type = req;
	e.flags = flags;
	e.arch = 0;
	e.xid = 0x1234;
	if (addr)
		e.addr = ip(addr);
	if (file)
		pxb_event_set_path(&e, file);
	ok(pxb_events_add(s, &e) == 0, "add %s at +%lld ms", pxb_event_type_name(type),
	   (long long)(t - T0));
}

/* A file event from an address only (as TFTP and HTTP know their clients). */
static void file(pxb_events *s, int64_t t, enum pxb_event_type type, const char *path,
		 unsigned status, uint64_t bytes)
{
	struct pxb_event e;

	pxb_event_init(&e, type, t);
	e.addr = ip("10.0.0.100");
	e.status = status;
	e.bytes = bytes;
	e.size = bytes;
	e.duration_ms = 100;
	pxb_event_set_path(&e, path);
	ok(pxb_events_add(s, &e) == 0, "add %s %s", pxb_event_type_name(type), path);
}

/* The firmware's DHCP exchange: offer and ack with a boot file. */
static void firmware_dhcp(pxb_events *s, int64_t t, const char *bootfile)
{
	dhcp(s, t, PXB_EV_DHCP_OFFER, PXB_DHCPDISCOVER, PXB_EVF_PXE, "10.0.0.100", bootfile);
	dhcp(s, t + 1000, PXB_EV_DHCP_ACK, PXB_DHCPREQUEST, PXB_EVF_PXE, "10.0.0.100", bootfile);
}

static struct pxb_timeline *timeline(pxb_events *s, int64_t now)
{
	struct pxb_timeline *t = NULL;
	int rc = pxb_events_timeline(s, MACS, now, 20000, &t);
	char *txt;

	ok(rc == 0 && t, "timeline built (%d)", rc);
	if (!t)
		exit(1);
	txt = pxb_timeline_text(t);
	printf("# %s\n", pxb_timeline_state_name(t->state));
	for (char *p = txt, *nl; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		printf("#   %.*s\n", (int)(nl - p), p);
	}
	free(txt);
	return t;
}

static void test_success(void)
{
	pxb_events *s = pxb_events_new(16, 64);
	struct pxb_timeline *t;
	const char *stages[] = {"dhcp", "dhcp", "boot loader", "boot loader", "dhcp", "dhcp",
				"menu", "menu", "kernel", "kernel", "dhcp", "root image",
				"root image"};
	int order = 1;
	char *prom;

	pxb_events_note_entry_file(s, "/boot/sysresccd/vmlinuz", "rescue", 0);
	pxb_events_note_entry_file(s, "/boot/sysresccd/sysresccd.img", "rescue", 0);
	firmware_dhcp(s, T0, "undionly.kpxe");
	file(s, T0 + 1100, PXB_EV_TFTP_REQUEST, "undionly.kpxe", 0, 0);
	file(s, T0 + 1300, PXB_EV_TFTP_DONE, "undionly.kpxe", 0, 70000);
	dhcp(s, T0 + 3000, PXB_EV_DHCP_OFFER, PXB_DHCPDISCOVER, PXB_EVF_PXE | PXB_EVF_IPXE,
	     "10.0.0.100", "menu.ipxe");
	dhcp(s, T0 + 4000, PXB_EV_DHCP_ACK, PXB_DHCPREQUEST, PXB_EVF_PXE | PXB_EVF_IPXE,
	     "10.0.0.100", "menu.ipxe");
	file(s, T0 + 4100, PXB_EV_MENU, "/menu.ipxe", 0, 0);
	file(s, T0 + 4110, PXB_EV_HTTP, "/menu.ipxe", 200, 1400);
	file(s, T0 + 9000, PXB_EV_HTTP, "/boot/sysresccd/vmlinuz", 200, 8000000);
	file(s, T0 + 12000, PXB_EV_HTTP, "/boot/sysresccd/sysresccd.img", 200, 90000000);
	/* the rescue system's own DHCP: no PXE vendor class, not a new boot */
	dhcp(s, T0 + 20000, PXB_EV_DHCP_ACK, PXB_DHCPREQUEST, 0, "10.0.0.100", NULL);
	file(s, T0 + 21000, PXB_EV_ROOT_IMAGE, "/boot/sysresccd/x86_64/airootfs.sfs", 200, 0);
	file(s, T0 + 31000, PXB_EV_HTTP, "/boot/sysresccd/x86_64/airootfs.sfs", 200, 700000000);
	/* a second request of the root image (a retry) is not another boot */
	file(s, T0 + 32000, PXB_EV_ROOT_IMAGE, "/boot/sysresccd/x86_64/airootfs.sfs", 200, 0);

	t = timeline(s, T0 + 100000);
	is_int(t->state, PXB_TL_BOOTED, "successful boot: booted");
	is_str(t->stage, "root image", "successful boot: reached the root image");
	is_int(t->nsteps, 13, "successful boot: every step, the duplicate root image request not");
	is_int(t->earlier, 0, "successful boot: nothing earlier");
	is_str(t->entry, "rescue", "successful boot: the entry is known from its kernel");
	for (unsigned i = 0; i < t->nsteps && i < 13; i++) {
		if (strcmp(t->steps[i].stage, stages[i]) != 0) {
			diag("step %u: stage %s, expected %s (%s)", i, t->steps[i].stage, stages[i],
			     t->steps[i].text);
			order = 0;
		}
		if (i && t->steps[i].t_ms < t->steps[i - 1].t_ms)
			order = 0;
	}
	ok(order, "successful boot: steps in order, each in its stage");
	is_int(t->steps[0].duration_ms, 1000, "a step lasts until the next one");
	is_int(t->steps[12].offset_ms, 31000, "offsets count from the first step");
	ok(strstr(t->steps[0].text, "offer 10.0.0.100 file undionly.kpxe") != NULL,
	   "DHCP step says what was offered: %s", t->steps[0].text);
	ok(strstr(t->steps[3].text, "70000 bytes in 0.100 s") != NULL, "TFTP step: bytes and time: %s",
	   t->steps[3].text);
	pxb_timeline_free(t);
	is_int((int)pxb_metrics_get(pxb_events_metrics(s), "pxeboot_boots_completed_total",
				    "entry", "rescue", NULL),
	       1, "one boot completed for entry rescue");
	is_int((int)pxb_metrics_get(pxb_events_metrics(s), "pxeboot_bytes_served_total",
				    "protocol", "tftp", NULL),
	       70000, "TFTP bytes counted");
	prom = pxb_metrics_render(pxb_events_metrics(s), NULL);
	ok(prom && strstr(prom, "# TYPE pxeboot_boots_completed_total counter\n"
			  "pxeboot_boots_completed_total{entry=\"rescue\"} 1\n"),
	   "metrics render the boot by entry");
	ok(prom && strstr(prom, "pxeboot_http_responses_total{code=\"200\"} 4\n"),
	   "HTTP responses by code");
	free(prom);

	/* The machine boots again: a new boot begins at the firmware's DISCOVER. */
	dhcp(s, T0 + 600000, PXB_EV_DHCP_OFFER, PXB_DHCPDISCOVER, PXB_EVF_PXE, "10.0.0.100", "");
	t = timeline(s, T0 + 605000);
	is_int(t->nsteps, 1, "a new boot: only its steps");
	is_int(t->earlier, 13, "a new boot: the earlier events are counted");
	is_int(t->state, PXB_TL_IN_PROGRESS, "a new boot 5 s old is in progress");
	pxb_timeline_free(t);
	pxb_events_free(s);
}

static void test_offer_ignored(void)
{
	pxb_events *s = pxb_events_new(0, 0);
	struct pxb_timeline *t;

	dhcp(s, T0, PXB_EV_DHCP_OFFER, PXB_DHCPDISCOVER, PXB_EVF_PXE, "10.0.0.100", NULL);
	t = timeline(s, T0 + 20000);
	is_int(t->state, PXB_TL_STALLED, "offer without a boot file, 20 s of silence: stalled");
	is_str(t->cause, "offer sent, no REQUEST in 20 s: the firmware ignored an offer without a "
	       "boot file", "the cause in words");
	is_str(t->stage, "dhcp", "stopped in dhcp");
	pxb_timeline_free(t);
	t = timeline(s, T0 + 5000);
	is_int(t->state, PXB_TL_IN_PROGRESS, "the same 5 s after: in progress");
	is_str(t->cause, "", "no cause while in progress");
	pxb_timeline_free(t);
	pxb_events_free(s);
}

static void test_tftp_stall(void)
{
	pxb_events *s = pxb_events_new(0, 0);
	struct pxb_timeline *t;
	struct pxb_event e;

	firmware_dhcp(s, T0, "undionly.kpxe");
	file(s, T0 + 1100, PXB_EV_TFTP_REQUEST, "undionly.kpxe", 0, 0);
	pxb_event_init(&e, PXB_EV_TFTP_FAILED, T0 + 30000);
	e.addr = ip("10.0.0.100");
	e.block = 812;
	e.blocks = 1040;
	e.retries = 5;
	pxb_event_set_path(&e, "undionly.kpxe");
	pxb_event_set_detail(&e, "timeout");
	ok(pxb_events_add(s, &e) == 0, "add tftp-failed");
	t = timeline(s, T0 + 31000);
	is_int(t->state, PXB_TL_FAILED, "TFTP timeout: failed");
	ok(strncmp(t->cause, "TFTP stalled at block 812 of 1040 after 5 retries", 49) == 0,
	   "cause: %s", t->cause);
	is_str(t->stage, "boot loader", "reached the boot loader stage");
	pxb_timeline_free(t);
	is_int((int)pxb_metrics_get(pxb_events_metrics(s), "pxeboot_tftp_transfers_total", "result",
				    "failed", NULL),
	       1, "failed transfer counted");
	pxb_events_free(s);
}

static void test_root_missing(void)
{
	pxb_events *s = pxb_events_new(0, 0);
	struct pxb_timeline *t;
	const char *p = "/boot/sysresccd/6.1.1/x86_64/airootfs.sfs";

	firmware_dhcp(s, T0, "menu.ipxe");
	file(s, T0 + 2000, PXB_EV_MENU, "/menu.ipxe", 0, 0);
	file(s, T0 + 5000, PXB_EV_HTTP, "/boot/sysresccd/vmlinuz", 200, 100);
	file(s, T0 + 20000, PXB_EV_ROOT_IMAGE, p, 404, 0);
	file(s, T0 + 20001, PXB_EV_HTTP, p, 404, 50);
	t = timeline(s, T0 + 20002);
	is_int(t->state, PXB_TL_FAILED, "missing root image: failed at once");
	is_str(t->cause, "HTTP 404 for /boot/sysresccd/6.1.1/x86_64/airootfs.sfs: the root image "
	       "is missing", "the cause names the root image");
	is_str(t->stage, "kernel", "the kernel stage was reached");
	pxb_timeline_free(t);
	is_int((int)pxb_metrics_get(pxb_events_metrics(s), "pxeboot_boots_completed_total",
				    "entry", "unknown", NULL),
	       0, "a failed root image is not a boot");
	pxb_events_free(s);
}

static void test_kernel_silence(void)
{
	pxb_events *s = pxb_events_new(0, 0);
	struct pxb_timeline *t;

	firmware_dhcp(s, T0, "menu.ipxe");
	file(s, T0 + 2000, PXB_EV_MENU, "/menu.ipxe", 0, 0);
	file(s, T0 + 5000, PXB_EV_HTTP, "/boot/x/vmlinuz", 200, 100);
	file(s, T0 + 6000, PXB_EV_HTTP, "/boot/x/initrd.img", 200, 100);
	t = timeline(s, T0 + 66000);
	is_int(t->state, PXB_TL_STALLED, "kernel sent, a minute of silence: stalled");
	ok(strncmp(t->cause, "kernel and initrd sent (last /boot/x/initrd.img), no request for "
		   "the root image in 60 s", 85) == 0, "cause: %s", t->cause);
	pxb_timeline_free(t);
	pxb_events_free(s);

	/* The menu shown, nothing chosen. */
	s = pxb_events_new(0, 0);
	firmware_dhcp(s, T0, "menu.ipxe");
	file(s, T0 + 2000, PXB_EV_MENU, "/menu.ipxe", 0, 0);
	file(s, T0 + 2001, PXB_EV_TFTP_DONE, "menu.ipxe", 0, 900);
	t = timeline(s, T0 + 62001);
	ok(t->state == PXB_TL_STALLED && strncmp(t->cause, "menu sent, no entry fetched in 60 s",
						 35) == 0, "menu, then silence: %s", t->cause);
	pxb_timeline_free(t);
	pxb_events_free(s);
}

static void test_noboot_and_ack(void)
{
	pxb_events *s = pxb_events_new(0, 0);
	struct pxb_timeline *t;

	dhcp(s, T0, PXB_EV_DHCP_ACK, PXB_DHCPREQUEST, PXB_EVF_PXE | PXB_EVF_NOBOOT, "10.0.0.100",
	     NULL);
	t = timeline(s, T0 + 1000);
	is_int(t->state, PXB_TL_NO_BOOT, "a noboot host: no boot, on purpose");
	pxb_timeline_free(t);
	pxb_events_free(s);

	s = pxb_events_new(0, 0);
	firmware_dhcp(s, T0, "undionly.kpxe");
	t = timeline(s, T0 + 40000);
	ok(t->state == PXB_TL_STALLED && strstr(t->cause, "acknowledged with boot file "
						"undionly.kpxe, no request for it in 39 s"),
	   "ack, never fetched: %s", t->cause);
	pxb_timeline_free(t);
	pxb_events_free(s);
}

static void test_linking_and_bounds(void)
{
	pxb_events *s = pxb_events_new(4, 8);
	struct pxb_events_client cl[8];
	struct pxb_event ev[16], e;
	int n;

	/* A TFTP request before any DHCP (DHCP served elsewhere): kept by address. */
	file(s, T0, PXB_EV_TFTP_REQUEST, "pxelinux.0", 0, 0);
	ok(pxb_events_find(s, "10.0.0.100", &cl[0]) == 0 && !cl[0].has_mac,
	   "an address-only client is found by its address");
	is_str(cl[0].id, "10.0.0.100", "its id is the address");
	/* DHCP then names its MAC: the same client. */
	firmware_dhcp(s, T0 + 10, "pxelinux.0");
	is_int(pxb_events_clients(s, cl, 8), 1, "one client after DHCP named the MAC");
	is_str(cl[0].id, MACS, "the client is now known by MAC");
	n = pxb_events_get(s, MACS, ev, 16);
	is_int(n, 3, "its events were kept");
	/* Address-only events land on the MAC client. */
	file(s, T0 + 20, PXB_EV_TFTP_DONE, "pxelinux.0", 0, 42);
	ok(pxb_events_find(s, "10.0.0.100", &cl[0]) == 0 && cl[0].has_mac && cl[0].nevents == 4,
	   "a later TFTP event from the address goes to the MAC's stream");
	/* The ring keeps the last 8. */
	for (int i = 0; i < 10; i++)
		file(s, T0 + 100 + i, PXB_EV_HTTP, "/x", 200, 1);
	n = pxb_events_get(s, MACS, ev, 16);
	ok(n == 8 && ev[0].t_ms == T0 + 102 && ev[7].t_ms == T0 + 109,
	   "the ring keeps the last 8 events, oldest first (%d)", n);
	{
		/* A ring that grows 4 -> 5 (per_client, not a doubling) while
		 * wrapped keeps its order, and the last 5. */
		pxb_events *r = pxb_events_new(2, 5);
		int good = 1;

		for (int i = 0; i < 4; i++)
			file(r, T0 + i, PXB_EV_HTTP, "/y", 200, 1);
		n = pxb_events_get(r, "10.0.0.100", ev, 16);
		for (int i = 0; i < n; i++)
			good &= ev[i].t_ms == T0 + i;
		ok(n == 4 && good, "four events in a ring of five, in order (%d)", n);
		for (int i = 4; i < 11; i++)
			file(r, T0 + i, PXB_EV_HTTP, "/y", 200, 1);
		n = pxb_events_get(r, "10.0.0.100", ev, 16);
		good = 1;
		for (int i = 0; i < n; i++)
			good &= ev[i].t_ms == T0 + 6 + i;
		ok(n == 5 && good, "eleven events: the last five, oldest first (%d)", n);
		pxb_events_free(r);
	}
	/* Five clients in a store of four: the least recently seen is forgotten. */
	for (int i = 1; i <= 4; i++) {
		pxb_event_init(&e, PXB_EV_DHCP_NONE, T0 + 1000 + i);
		e.has_mac = 1;
		memcpy(e.mac, MAC, 6);
		e.mac[5] = (uint8_t)i;
		pxb_events_add(s, &e);
	}
	is_int(pxb_events_clients(s, cl, 8), 4, "at most 4 clients");
	is_int(pxb_events_find(s, MACS, NULL), PXB_ERR_NOENT, "the least recent one went");
	ok(cl[0].mac[5] == 4, "the newest client is listed first");
	is_int(pxb_events_find(s, "nonsense", NULL), PXB_ERR_INVAL, "an id that is no MAC or address");
	is_int(pxb_events_forget(s, "52:54:00:12:34:01"), 0, "forget a client");
	is_int(pxb_events_clients(s, cl, 8), 3, "three left");
	/* No MAC, no address, no xid: nobody to file it under. */
	pxb_event_init(&e, PXB_EV_HTTP, T0);
	is_int(pxb_events_add(s, &e), 0, "an event of nobody is ignored");
	is_int(pxb_events_add(s, NULL), PXB_ERR_INVAL, "NULL refused");
	pxb_events_free(s);
}

static void test_metrics(void)
{
	pxb_metrics *m = pxb_metrics_new();
	char *txt;

	ok(pxb_metrics_declare(m, "x_total", PXB_METRIC_COUNTER, "a help\\line\nwith two") == 0,
	   "declare");
	is_int(pxb_metrics_declare(m, "x_total", PXB_METRIC_GAUGE, NULL), PXB_ERR_INVAL,
	       "redeclared as another kind");
	is_int(pxb_metrics_declare(m, "9bad", PXB_METRIC_GAUGE, NULL), PXB_ERR_INVAL, "bad name");
	pxb_metrics_add(m, "x_total", 2, "path", "a\"b\\c\nd", NULL);
	pxb_metrics_add(m, "x_total", 3, "path", "a\"b\\c\nd", NULL);
	pxb_metrics_set(m, "y", 1.5, NULL);
	is_int(pxb_metrics_add(m, "x_total", 1, "bad-label", "v", NULL), PXB_ERR_INVAL,
	       "bad label name");
	txt = pxb_metrics_render(m, NULL);
	is_str(txt, "# HELP x_total a help\\\\line\\nwith two\n# TYPE x_total counter\n"
	       "x_total{path=\"a\\\"b\\\\c\\nd\"} 5\n# TYPE y gauge\ny 1.5\n",
	       "Prometheus text, escaped");
	free(txt);
	pxb_metrics_free(m);
}

static void test_root_image_names(void)
{
	ok(pxb_events_is_root_image(NULL, "/boot/sysresccd/6.1.1/x86_64/airootfs.sfs"),
	   "airootfs.sfs is a root image");
	ok(pxb_events_is_root_image(NULL, "/live/filesystem.squashfs"), "a live squashfs too");
	ok(!pxb_events_is_root_image(NULL, "/boot/vmlinuz"), "a kernel is not");
}

int main(void)
{
	plan_lazy();
	test_success();
	test_offer_ignored();
	test_tftp_stall();
	test_root_missing();
	test_kernel_silence();
	test_noboot_and_ack();
	test_linking_and_bounds();
	test_metrics();
	test_root_image_names();
	return done_testing();
}
