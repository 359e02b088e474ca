/*
 * install_store.c - the durable store of unattended installs in
 * <state_dir>/installs.state (see pxeboot/install.h): which MAC installs
 * which entry, whether its installer fetched its answer file and called
 * back, with the token of its answer URL.
 *
 * The file is text, one record per line, so that a file cut short loses
 * whole records only:
 *
 *   # pxeboot installs 1
 *   52:54:00:00:0b:01 debian-install fetched 1700000000 1700007200 1700000060 0 0123...ef
 *   # end
 *
 * (MAC, entry, state, asked, until, fetched, done, token.) A change writes
 * installs.state.tmp, fsyncs it and renames it over the file, then fsyncs
 * the directory (state_file.c): after a crash the old or the new file is
 * there, whole.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/boot.h>
#include <pxeboot/dhcp.h>
#include <pxeboot/install.h>
#include "host_internal.h"
#include "internal.h"
#include "state_file.h"

#define HEADER "# pxeboot installs 1\n"
#define TRAILER "# end\n"

struct pxb_installs {
	struct pxb__state_file file; /* no path: in memory */
	struct pxb_install *v;   /* sorted by MAC */
	unsigned n, cap;
};

static const char *const state_names[] = {NULL, "pending", "fetched", "done"};

const char *pxb_install_state_name(enum pxb_install_state s)
{
	return (unsigned)s < PXB_ARRAY_LEN(state_names) && state_names[s] ? state_names[s] : "?";
}

static unsigned find(const pxb_installs *s, const uint8_t mac[6], int *found)
{
	return pxb__vec_find_mac(s->v, s->n, sizeof(*s->v), mac, found);
}

static int put(pxb_installs *s, const struct pxb_install *x)
{
	return pxb__vec_put_mac((void **)&s->v, &s->n, &s->cap, PXB_INSTALLS_MAX, sizeof(*x), x);
}

static void store_body(FILE *f, void *arg)
{
	const pxb_installs *s = arg;

	fputs(HEADER, f);
	for (unsigned i = 0; i < s->n; i++) {
		const struct pxb_install *x = &s->v[i];
		char mac[18];

		fprintf(f, "%s %s %s %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %s\n",
			pxb_mac_format(x->mac, mac, ':'), x->entry, pxb_install_state_name(x->state),
			x->asked, x->until, x->fetched, x->done, x->token);
	}
	fputs(TRAILER, f);
}

/* Writes the whole store; 0 or PXB_ERR_IO (the old file stays). */
static int store(pxb_installs *s)
{
	return pxb__state_file_write(&s->file, store_body, s);
}

static int token_valid(const char *t)
{
	size_t n = strspn(t, "0123456789abcdef");

	return n == PXB_INSTALL_TOKEN_LEN && t[n] == '\0';
}

/* One record line (without its newline). 0 or -1. */
static int parse(const char *line, struct pxb_install *x)
{
	char mac[24], entry[sizeof(x->entry)], state[16], token[48], extra[2];
	long long asked, until, fetched, done;
	int st;

	memset(x, 0, sizeof(*x));
	if (sscanf(line, "%23s %63s %15s %lld %lld %lld %lld %47s %1s", mac, entry, state, &asked,
		   &until, &fetched, &done, token, extra) != 8)
		return -1;
	if (pxb_mac_parse(mac, x->mac) < 0 || !pxb_boot_id_valid(entry) || !token_valid(token))
		return -1;
	for (st = PXB_INSTALL_PENDING; st <= PXB_INSTALL_DONE; st++)
		if (!strcmp(state, state_names[st]))
			break;
	if (st > PXB_INSTALL_DONE || asked < 0 || until < 0 || fetched < 0 || done < 0)
		return -1;
	pxb_strlcpy(x->entry, entry, sizeof(x->entry));
	pxb_strlcpy(x->token, token, sizeof(x->token));
	x->state = (enum pxb_install_state)st;
	x->asked = asked;
	x->until = until;
	x->fetched = fetched;
	x->done = done;
	return 0;
}

struct reading {
	pxb_installs *s;
	int head, tail;
};

static int load_line(void *arg, const char *line, unsigned number)
{
	struct reading *r = arg;
	struct pxb_install x;

	(void)number;
	if (!strcmp(line, "# pxeboot installs 1")) {
		r->head = 1;
		return 0;
	}
	if (!strcmp(line, "# end")) {
		r->tail = 1;
		return PXB__STATE_END;
	}
	if (parse(line, &x) < 0)
		return PXB__STATE_BAD;
	return put(r->s, &x) == PXB_ERR_NOMEM ? PXB_ERR_NOMEM : 0;
}

/* The longest line read (with its newline), and so the largest file. */
#define LINE_MAX_LEN 255
#define FILE_MAX_LEN ((PXB_INSTALLS_MAX + 2) * (size_t)LINE_MAX_LEN)

static int load(pxb_installs *s, int *damaged)
{
	struct reading r = {s, 0, 0};
	struct pxb__state_damage dmg;
	int rc = pxb__state_file_read(&s->file, LINE_MAX_LEN, FILE_MAX_LEN, load_line, &r, &dmg);

	if (rc < 0)
		return rc == PXB_ERR_NOENT ? 0 : rc;
	if (dmg.bad || !r.head || !r.tail) {
		if (damaged)
			*damaged = 1;
		store(s); /* the whole records read, written back whole */
	}
	return 0;
}

void pxb_installs_free(pxb_installs *s)
{
	if (!s)
		return;
	pxb__state_file_fini(&s->file);
	free(s->v);
	free(s);
}

int pxb_installs_open(const char *dir, pxb_installs **out, int *damaged)
{
	pxb_installs *s = calloc(1, sizeof(*s));
	int rc;

	if (damaged)
		*damaged = 0;
	*out = NULL;
	if (!s)
		return PXB_ERR_NOMEM;
	rc = pxb__state_file_init(&s->file, dir, "installs.state");
	if (rc < 0)
		goto fail;
	rc = load(s, damaged);
	if (rc < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	pxb_installs_free(s);
	return rc;
}

/* Replaces mac's record by x and writes the store; on failure the old record comes back. */
static int change(pxb_installs *s, const struct pxb_install *x)
{
	struct pxb_install old;
	int had, rc;
	unsigned i = find(s, x->mac, &had);

	if (had)
		old = s->v[i];
	rc = put(s, x);
	if (rc < 0)
		return rc;
	rc = store(s);
	if (rc < 0) {
		i = find(s, x->mac, &had);
		if (had) /* it is there: put() succeeded */
			s->v[i] = old;
	}
	return rc;
}

int pxb_installs_ask(pxb_installs *s, const uint8_t mac[6], const char *entry, int64_t until,
		     int64_t now, struct pxb_install *out)
{
	struct pxb_install x;
	int was, rc;

	if (!s || !mac || !entry || !pxb_boot_id_valid(entry) || until <= now)
		return PXB_ERR_INVAL;
	memset(&x, 0, sizeof(x));
	memcpy(x.mac, mac, 6);
	pxb_strlcpy(x.entry, entry, sizeof(x.entry));
	x.state = PXB_INSTALL_PENDING;
	x.asked = now;
	x.until = until;
	rc = pxb__state_token(x.token, PXB_INSTALL_TOKEN_LEN);
	if (rc < 0)
		return rc;
	find(s, mac, &was);
	rc = change(s, &x);
	if (rc < 0 && !was) {
		unsigned i = find(s, mac, &was);

		if (was) { /* a new record not on disk: not made */
			pxb__vec_remove(s->v, &s->n, sizeof(*s->v), i);
		}
	}
	if (rc == 0 && out)
		*out = x;
	return rc;
}

int pxb_installs_get(const pxb_installs *s, const uint8_t mac[6], struct pxb_install *out)
{
	int found;
	unsigned i;

	if (!s || !mac)
		return PXB_ERR_NOENT;
	i = find(s, mac, &found);
	if (!found)
		return PXB_ERR_NOENT;
	if (out)
		*out = s->v[i];
	return 0;
}

int pxb_installs_active(const pxb_installs *s, const uint8_t mac[6], int64_t now,
			struct pxb_install *out)
{
	struct pxb_install x;

	if (pxb_installs_get(s, mac, &x) < 0 || x.state == PXB_INSTALL_DONE || x.until <= now)
		return PXB_ERR_NOENT;
	if (out)
		*out = x;
	return 0;
}

int pxb_installs_fetched(pxb_installs *s, const uint8_t mac[6], int64_t now)
{
	struct pxb_install x;
	int rc;

	if (pxb_installs_active(s, mac, now, &x) < 0 || x.state != PXB_INSTALL_PENDING)
		return 0;
	x.state = PXB_INSTALL_FETCHED;
	x.fetched = now;
	rc = change(s, &x);
	return rc < 0 ? rc : 1;
}

int pxb_installs_done(pxb_installs *s, const uint8_t mac[6], const char *entry, int64_t now)
{
	struct pxb_install x;
	int rc;

	if (!s || !mac || !entry || !pxb_boot_id_valid(entry))
		return PXB_ERR_INVAL;
	if (pxb_installs_active(s, mac, now, &x) < 0) {
		if (pxb_installs_get(s, mac, &x) == 0 && x.state == PXB_INSTALL_DONE)
			return 0;
		memset(&x, 0, sizeof(x));
		memcpy(x.mac, mac, 6);
		pxb_strlcpy(x.entry, entry, sizeof(x.entry));
		x.asked = x.until = now;
		rc = pxb__state_token(x.token, PXB_INSTALL_TOKEN_LEN);
		if (rc < 0)
			return rc;
	}
	x.state = PXB_INSTALL_DONE;
	x.done = now;
	if (!x.fetched)
		x.fetched = now;
	rc = change(s, &x);
	return rc < 0 ? rc : 1;
}

int pxb_installs_forget(pxb_installs *s, const uint8_t mac[6])
{
	struct pxb_install old;
	int found, rc;
	unsigned i;

	if (!s || !mac)
		return PXB_ERR_INVAL;
	i = find(s, mac, &found);
	if (!found)
		return PXB_ERR_NOENT;
	old = s->v[i];
	pxb__vec_remove(s->v, &s->n, sizeof(*s->v), i);
	rc = store(s);
	if (rc < 0)
		put(s, &old);
	return rc;
}

int pxb_installs_token_ok(const pxb_installs *s, const uint8_t mac[6], const char *token)
{
	struct pxb_install x;
	unsigned char d = 0;

	if (!token || strlen(token) != PXB_INSTALL_TOKEN_LEN || pxb_installs_get(s, mac, &x) < 0)
		return 0;
	for (size_t k = 0; k < PXB_INSTALL_TOKEN_LEN; k++)
		d |= (unsigned char)(x.token[k] ^ token[k]);
	return d == 0;
}

unsigned pxb_installs_count(const pxb_installs *s)
{
	return s ? s->n : 0;
}

const struct pxb_install *pxb_installs_at(const pxb_installs *s, unsigned i)
{
	return s && i < s->n ? &s->v[i] : NULL;
}

const char *pxb_installs_path(const pxb_installs *s)
{
	return s ? s->file.path : NULL;
}

/* ---- the host's slot ---- */

struct install_slot {
	pxb_installs *s;
};

static const char slot_key = 'i'; /* its address names the slot on the host */

static void *slot_new(void)
{
	return calloc(1, sizeof(struct install_slot));
}

pxb_installs *pxb_host_installs(pxb_host *h)
{
	struct install_slot *sl = h ? pxb__host_state(h, &slot_key, NULL, free) : NULL;

	return sl ? sl->s : NULL;
}

void pxb_host_set_installs(pxb_host *h, pxb_installs *s)
{
	struct install_slot *sl = h ? pxb__host_state(h, &slot_key, slot_new, free) : NULL;

	if (sl)
		sl->s = s;
}
