/*
 * events.c - the per-client event store and its metrics (see
 * pxeboot/events.h). The timeline analysis is in timeline.c.
 *
 * Clients live in a fixed array of max_clients slots; each has a ring of
 * at most per_client events, allocated when first used and grown as its
 * events come. A full table forgets the client seen least recently. Lookups are linear: a few hundred slots of
 * six-byte compares cost less than the system call that brought the packet.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/events.h>
#include "internal.h"
#include "keyidx.h"

#define DEF_CLIENTS 256
#define DEF_PER_CLIENT 64
#define MAX_PER_CLIENT 1024
/* A ring starts this small and doubles as its client's events come: a
 * machine that only fetches one file over TFTP leaves two, and in a boot
 * storm of hundreds such machines 64 x 380 bytes each would be most of the
 * server's memory. */
#define RING_FIRST 4
#define MAX_ENTRY_FILES 1024

struct client {
	int used;
	int has_mac;
	uint8_t mac[6];
	struct in_addr addr;
	uint32_t xid;
	uint16_t arch;
	int64_t first_ms, last_ms;
	uint64_t total;
	uint64_t seen;          /* store clock at the last event: least recent goes first */
	unsigned head, n;       /* ring: oldest at head, n kept */
	unsigned cap;           /* the ring's room: RING_FIRST, doubled up to per_client */
	struct pxb_event *ring;
	char entry[64];
	int after_file;         /* a file event since the boot began */
	int booted;             /* the boot's root image was asked for */
	int32_t older, newer;   /* recency list: the least recent is evicted first */
};

struct entry_file {
	char path[PXB_EVENT_PATH_MAX];
	char id[64];
	int final;
};

struct pxb_events {
	unsigned max_clients, per_client;
	struct client *c;
	unsigned nused;
	int32_t oldest, newest;      /* ends of the recency list, -1 when empty */
	struct pxb_keyidx by_mac;    /* MAC -> client slot, no scan per event */
	uint64_t clock;
	struct entry_file *files;
	unsigned nfiles, next_file;
	pxb_metrics *m;
};

static const char *const type_names[PXB_EV_COUNT] = {
	[0] = "unknown",
	[PXB_EV_DHCP_SEEN] = "dhcp-seen",
	[PXB_EV_DHCP_OFFER] = "dhcp-offer",
	[PXB_EV_DHCP_ACK] = "dhcp-ack",
	[PXB_EV_DHCP_NAK] = "dhcp-nak",
	[PXB_EV_DHCP_NONE] = "dhcp-none",
	[PXB_EV_TFTP_REQUEST] = "tftp-request",
	[PXB_EV_TFTP_REFUSED] = "tftp-refused",
	[PXB_EV_TFTP_DONE] = "tftp-done",
	[PXB_EV_TFTP_FAILED] = "tftp-failed",
	[PXB_EV_MENU] = "menu",
	[PXB_EV_HTTP] = "http",
	[PXB_EV_ROOT_IMAGE] = "root-image",
	[PXB_EV_ANSWER] = "answer",
	[PXB_EV_INSTALLED] = "installed",
};

const char *pxb_event_type_name(enum pxb_event_type t)
{
	return t > 0 && t < PXB_EV_COUNT ? type_names[t] : "unknown";
}

void pxb_event_init(struct pxb_event *e, enum pxb_event_type type, int64_t t_ms)
{
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->t_ms = t_ms;
	e->arch = PXB_ARCH_UNKNOWN;
	e->duration_ms = -1;
}

static void copy_clean(char *dst, size_t n, const char *s)
{
	size_t i = 0;

	for (; s && *s && i + 1 < n; s++, i++)
		dst[i] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	dst[i] = '\0';
}

void pxb_event_set_path(struct pxb_event *e, const char *s)
{
	copy_clean(e->path, sizeof(e->path), s);
}

void pxb_event_set_detail(struct pxb_event *e, const char *s)
{
	copy_clean(e->detail, sizeof(e->detail), s);
}

/* The store's own metrics: what its events say (count()). */
static const struct pxb__metric_def store_metrics[] = {
	{"pxeboot_tftp_transfers_total", PXB_METRIC_COUNTER,
	 "TFTP transfers ended, by result (done, failed, refused)", 0},
	{"pxeboot_bytes_served_total", PXB_METRIC_COUNTER,
	 "file bytes sent to clients, by protocol", 0},
	{"pxeboot_http_responses_total", PXB_METRIC_COUNTER,
	 "HTTP responses by status code (API requests not counted)", 0},
	{"pxeboot_menus_rendered_total", PXB_METRIC_COUNTER,
	 "boot menus rendered for clients, by format", 0},
	{"pxeboot_boots_completed_total", PXB_METRIC_COUNTER,
	 "boots that reached their root image (or final file), by entry", 0},
	{"pxeboot_clients_seen", PXB_METRIC_GAUGE, "clients whose events are kept", 0},
};

static const void *client_mac(const void *table, int32_t i)
{
	const struct client *c = (const struct client *)table + i;

	return c->used && c->has_mac ? c->mac : NULL;
}

pxb_events *pxb_events_new(unsigned max_clients, unsigned per_client)
{
	struct pxb_events *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->max_clients = max_clients ? max_clients : DEF_CLIENTS;
	s->per_client = per_client ? PXB_MIN(per_client, MAX_PER_CLIENT) : DEF_PER_CLIENT;
	s->c = calloc(s->max_clients, sizeof(*s->c));
	s->m = pxb_metrics_new();
	s->oldest = s->newest = -1;
	if (!s->c || !s->m || pxb_keyidx_init(&s->by_mac, s->max_clients, 6, client_mac, s->c) < 0) {
		pxb_events_free(s);
		return NULL;
	}
	/* Without memory for them, families are declared when first counted. */
	pxb__metrics_declare_all(s->m, store_metrics,
				 sizeof(store_metrics) / sizeof(store_metrics[0]));
	return s;
}

void pxb_events_free(pxb_events *s)
{
	if (!s)
		return;
	if (s->c)
		for (unsigned i = 0; i < s->max_clients; i++)
			free(s->c[i].ring);
	free(s->c);
	free(s->files);
	pxb_metrics_free(s->m);
	pxb_keyidx_free(&s->by_mac);
	free(s);
}

pxb_metrics *pxb_events_metrics(pxb_events *s)
{
	return s ? s->m : NULL;
}

/* ---- entry files -------------------------------------------------------- */

static const struct entry_file *entry_file(const pxb_events *s, const char *path)
{
	if (!s || !path[0])
		return NULL;
	for (unsigned i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].path, path) == 0)
			return &s->files[i];
	return NULL;
}

int pxb_events_note_entry_file(pxb_events *s, const char *path, const char *entry_id, int final)
{
	struct entry_file *f;

	if (!s || !path || !entry_id || !path[0] || strlen(path) >= PXB_EVENT_PATH_MAX)
		return PXB_ERR_INVAL;
	f = (struct entry_file *)entry_file(s, path);
	if (!f) {
		if (!s->files) {
			s->files = calloc(MAX_ENTRY_FILES, sizeof(*s->files));
			if (!s->files)
				return PXB_ERR_NOMEM;
		}
		if (s->nfiles < MAX_ENTRY_FILES) {
			f = &s->files[s->nfiles++];
		} else {
			f = &s->files[s->next_file];
			s->next_file = (s->next_file + 1) % MAX_ENTRY_FILES;
		}
		pxb_strlcpy(f->path, path, sizeof(f->path));
	}
	pxb_strlcpy(f->id, entry_id, sizeof(f->id));
	f->final = final;
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int pxb_events_is_root_image(const pxb_events *s, const char *path)
{
	const struct entry_file *f;

	if (!path)
		return 0;
	if (ends_with(path, "airootfs.sfs") || ends_with(path, ".squashfs"))
		return 1;
	f = entry_file(s, path);
	return f && f->final;
}

/* ---- clients -------------------------------------------------------------- */

static int is_dhcp(enum pxb_event_type t)
{
	return t >= PXB_EV_DHCP_SEEN && t <= PXB_EV_DHCP_NONE;
}

static void client_id(const struct client *c, char *buf, size_t len)
{
	char mac[18];

	if (c->has_mac)
		snprintf(buf, len, "%s", pxb_mac_format(c->mac, mac, ':'));
	else
		inet_ntop(AF_INET, &c->addr, buf, (socklen_t)len);
}

static struct client *by_mac(const pxb_events *s, const uint8_t mac[6])
{
	int32_t i = pxb_keyidx_find(&s->by_mac, mac);

	return i < 0 ? NULL : &s->c[i];
}

/* The recency list: unlink a client, or append it as the most recent. */
static void lru_unlink(pxb_events *s, struct client *c)
{
	if (c->older >= 0)
		s->c[c->older].newer = c->newer;
	else
		s->oldest = c->newer;
	if (c->newer >= 0)
		s->c[c->newer].older = c->older;
	else
		s->newest = c->older;
	c->older = c->newer = -1;
}

static void lru_append(pxb_events *s, struct client *c)
{
	int32_t i = (int32_t)(c - s->c);

	c->older = s->newest;
	c->newer = -1;
	if (s->newest >= 0)
		s->c[s->newest].newer = i;
	else
		s->oldest = i;
	s->newest = i;
}

/* Gives a client its MAC (indexed from now on). */
static void set_mac(pxb_events *s, struct client *c, const uint8_t mac[6])
{
	c->has_mac = 1;
	memcpy(c->mac, mac, 6);
	pxb_keyidx_add(&s->by_mac, c->mac, (int32_t)(c - s->c));
}

/* Empties a client's slot (forgotten or evicted). */
static void drop_client(pxb_events *s, struct client *c)
{
	if (c->has_mac)
		pxb_keyidx_del(&s->by_mac, c->mac, (int32_t)(c - s->c));
	lru_unlink(s, c);
	c->used = 0;
	c->has_mac = 0;
	c->n = 0;
	s->nused--;
}

/* The client seen last with this address; mac_only: only clients known by MAC. */
static struct client *by_addr(const pxb_events *s, struct in_addr a, int mac_only, int anon_only)
{
	struct client *best = NULL;

	if (!a.s_addr)
		return NULL;
	for (unsigned i = 0; i < s->max_clients; i++) {
		struct client *c = &s->c[i];
		if (!c->used || c->addr.s_addr != a.s_addr || (mac_only && !c->has_mac) ||
		    (anon_only && c->has_mac))
			continue;
		if (!best || c->seen > best->seen)
			best = c;
	}
	return best;
}

static struct client *by_xid(const pxb_events *s, uint32_t xid)
{
	struct client *best = NULL;

	if (!xid)
		return NULL;
	for (unsigned i = 0; i < s->max_clients; i++)
		if (s->c[i].used && s->c[i].xid == xid && (!best || s->c[i].seen > best->seen))
			best = &s->c[i];
	return best;
}

static unsigned nclients(const pxb_events *s)
{
	return s->nused;
}

/* A free slot, or the least recently seen client's, emptied. */
static struct client *new_client(pxb_events *s)
{
	struct client *c = NULL;
	struct pxb_event *ring;
	unsigned cap;

	if (s->nused < s->max_clients) {
		for (unsigned i = 0; i < s->max_clients && !c; i++)
			if (!s->c[i].used)
				c = &s->c[i];
	} else {
		c = &s->c[s->oldest];
		drop_client(s, c);
	}
	ring = c->ring;
	cap = c->cap;
	memset(c, 0, sizeof(*c));
	c->ring = ring;
	c->cap = cap;
	if (!c->ring) {
		c->cap = PXB_MIN(RING_FIRST, s->per_client);
		c->ring = malloc(c->cap * sizeof(*c->ring));
		if (!c->ring)
			return NULL;
	}
	c->used = 1;
	c->arch = PXB_ARCH_UNKNOWN;
	c->older = c->newer = -1;
	lru_append(s, c);
	s->nused++;
	return c;
}

/* Doubles a full ring (up to per_client), oldest first; without memory the
 * ring stays as it is and forgets its oldest event instead. */
static void ring_grow(const pxb_events *s, struct client *c)
{
	unsigned cap = PXB_MIN(2 * c->cap, s->per_client);
	struct pxb_event *r = malloc(cap * sizeof(*r));

	if (!r)
		return;
	for (unsigned i = 0; i < c->n; i++)
		r[i] = c->ring[(c->head + i) % c->cap];
	free(c->ring);
	c->ring = r;
	c->cap = cap;
	c->head = 0;
}

static struct client *client_for(pxb_events *s, const struct pxb_event *e)
{
	struct client *c;

	if (e->has_mac) {
		c = by_mac(s, e->mac);
		if (c)
			return c;
		/* Known so far by its address alone (TFTP before any DHCP): adopt it. */
		c = by_addr(s, e->addr, 0, 1);
		if (!c)
			c = new_client(s);
		if (c)
			set_mac(s, c, e->mac);
		return c;
	}
	c = by_addr(s, e->addr, 0, 0);
	if (!c)
		c = by_xid(s, e->xid);
	if (!c && e->addr.s_addr) {
		c = new_client(s);
		if (c)
			c->addr = e->addr;
	}
	return c;
}

static void count(pxb_events *s, struct client *c, const struct pxb_event *e)
{
	char code[12];

	switch (e->type) {
	case PXB_EV_TFTP_DONE:
		pxb_metrics_add(s->m, "pxeboot_tftp_transfers_total", 1, "result", "done", NULL);
		pxb_metrics_add(s->m, "pxeboot_bytes_served_total", (double)e->bytes, "protocol",
				"tftp", NULL);
		break;
	case PXB_EV_TFTP_FAILED:
		pxb_metrics_add(s->m, "pxeboot_tftp_transfers_total", 1, "result", "failed", NULL);
		pxb_metrics_add(s->m, "pxeboot_bytes_served_total", (double)e->bytes, "protocol",
				"tftp", NULL);
		break;
	case PXB_EV_TFTP_REFUSED:
		pxb_metrics_add(s->m, "pxeboot_tftp_transfers_total", 1, "result", "refused", NULL);
		break;
	case PXB_EV_HTTP:
		snprintf(code, sizeof(code), "%u", e->status);
		pxb_metrics_add(s->m, "pxeboot_http_responses_total", 1, "code", code, NULL);
		pxb_metrics_add(s->m, "pxeboot_bytes_served_total", (double)e->bytes, "protocol",
				"http", NULL);
		break;
	case PXB_EV_MENU: {
		char fmt[16];
		size_t k = strcspn(e->detail, " :,");
		snprintf(fmt, sizeof(fmt), "%.*s", (int)PXB_MIN(k, sizeof(fmt) - 1), e->detail);
		pxb_metrics_add(s->m, "pxeboot_menus_rendered_total", 1, "format",
				fmt[0] ? fmt : "unknown", NULL);
		break;
	}
	case PXB_EV_ROOT_IMAGE:
		if (e->status < 400)
			pxb_metrics_add(s->m, "pxeboot_boots_completed_total", 1, "entry",
					c->entry[0] ? c->entry : "unknown", NULL);
		break;
	default:
		break;
	}
}

int pxb_events_add(pxb_events *s, const struct pxb_event *e)
{
	struct client *c;
	const struct entry_file *f;
	unsigned had;

	if (!s || !e || e->type <= 0 || e->type >= PXB_EV_COUNT)
		return PXB_ERR_INVAL;
	had = nclients(s);
	c = client_for(s, e);
	if (!c)
		return e->has_mac || e->addr.s_addr ? PXB_ERR_NOMEM : 0; /* no way to know who */
	/* A PXE firmware's request after files were fetched: a new boot. */
	if (is_dhcp(e->type) && (e->flags & PXB_EVF_PXE) && !(e->flags & PXB_EVF_IPXE) &&
	    c->after_file) {
		c->after_file = 0;
		c->booted = 0;
		c->entry[0] = '\0';
	}
	if (!is_dhcp(e->type))
		c->after_file = 1;
	f = e->type == PXB_EV_TFTP_REQUEST || e->type == PXB_EV_HTTP ||
			    e->type == PXB_EV_ROOT_IMAGE
		    ? entry_file(s, e->path)
		    : NULL;
	if (f)
		pxb_strlcpy(c->entry, f->id, sizeof(c->entry));
	if (e->type == PXB_EV_ROOT_IMAGE && e->status < 400) {
		if (c->booted)
			return 0; /* the first request of a boot is the one that counts */
		c->booted = 1;
	}
	if (e->addr.s_addr)
		c->addr = e->addr;
	if (e->xid)
		c->xid = e->xid;
	if (e->arch != PXB_ARCH_UNKNOWN)
		c->arch = e->arch;
	if (!c->total)
		c->first_ms = e->t_ms;
	c->last_ms = e->t_ms;
	c->total++;
	c->seen = ++s->clock;
	lru_unlink(s, c);
	lru_append(s, c);
	if (c->n == c->cap && c->cap < s->per_client)
		ring_grow(s, c);
	if (c->n < c->cap) {
		c->ring[(c->head + c->n) % c->cap] = *e;
		c->n++;
	} else {
		c->ring[c->head] = *e;
		c->head = (c->head + 1) % c->cap;
		c->first_ms = c->ring[c->head].t_ms;
	}
	count(s, c, e);
	if (nclients(s) != had)
		pxb_metrics_set(s->m, "pxeboot_clients_seen", nclients(s), NULL);
	return 0;
}

/* ---- reading ---------------------------------------------------------------- */

static void export(const struct client *c, struct pxb_events_client *o)
{
	memset(o, 0, sizeof(*o));
	o->has_mac = c->has_mac;
	memcpy(o->mac, c->mac, 6);
	o->addr = c->addr;
	o->arch = c->arch;
	o->first_ms = c->first_ms;
	o->last_ms = c->last_ms;
	o->nevents = c->n;
	o->total = c->total;
	pxb_strlcpy(o->entry, c->entry, sizeof(o->entry));
	client_id(c, o->id, sizeof(o->id));
}

static int cmp_seen(const void *a, const void *b)
{
	const struct client *x = *(const struct client *const *)a;
	const struct client *y = *(const struct client *const *)b;

	return x->seen < y->seen ? 1 : x->seen > y->seen ? -1 : 0;
}

unsigned pxb_events_clients(const pxb_events *s, struct pxb_events_client *out, unsigned max)
{
	const struct client **v;
	unsigned n = 0;

	if (!s)
		return 0;
	v = malloc(s->max_clients * sizeof(*v));
	if (!v)
		return 0;
	for (unsigned i = 0; i < s->max_clients; i++)
		if (s->c[i].used)
			v[n++] = &s->c[i];
	qsort(v, n, sizeof(*v), cmp_seen);
	for (unsigned i = 0; i < n && i < max; i++)
		export(v[i], &out[i]);
	free(v);
	return n;
}

static struct client *lookup(const pxb_events *s, const char *id, int *err)
{
	uint8_t mac[6];
	struct in_addr a;
	struct client *c = NULL;

	*err = PXB_ERR_INVAL;
	if (!s || !id)
		return NULL;
	if (pxb_mac_parse(id, mac) == 0)
		c = by_mac(s, mac);
	else if (inet_pton(AF_INET, id, &a) == 1)
		c = by_addr(s, a, 0, 0);
	else
		return NULL;
	*err = c ? 0 : PXB_ERR_NOENT;
	return c;
}

int pxb_events_find(const pxb_events *s, const char *id, struct pxb_events_client *out)
{
	int err;
	struct client *c = lookup(s, id, &err);

	if (c && out)
		export(c, out);
	return err;
}

int pxb_events_get(const pxb_events *s, const char *id, struct pxb_event *out, unsigned max)
{
	int err;
	struct client *c = lookup(s, id, &err);

	if (!c)
		return err;
	for (unsigned i = 0; i < c->n && i < max; i++)
		out[i] = c->ring[(c->head + i) % c->cap];
	return (int)c->n;
}

int pxb_events_forget(pxb_events *s, const char *id)
{
	int err;
	struct client *c = lookup(s, id, &err);

	if (!c)
		return err;
	drop_client(s, c);
	pxb_metrics_set(s->m, "pxeboot_clients_seen", nclients(s), NULL);
	return 0;
}

int pxb_events_timeline(const pxb_events *s, const char *id, int64_t now_ms, int64_t idle_ms,
			struct pxb_timeline **out)
{
	int err;
	struct client *c = lookup(s, id, &err);
	struct pxb_event *ev;
	int rc;

	if (!c)
		return err;
	ev = malloc((c->n ? c->n : 1) * sizeof(*ev));
	if (!ev)
		return PXB_ERR_NOMEM;
	for (unsigned i = 0; i < c->n; i++)
		ev[i] = c->ring[(c->head + i) % c->cap];
	rc = pxb_timeline_build(ev, c->n, now_ms, idle_ms, out);
	free(ev);
	if (rc == 0 && c->entry[0] && !(*out)->entry[0])
		pxb_strlcpy((*out)->entry, c->entry, sizeof((*out)->entry));
	return rc;
}
