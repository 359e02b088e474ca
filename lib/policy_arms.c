/*
 * policy_arms.c - the durable arm store in <state_dir>/arms.json: which
 * MACs are armed, for which entry, until when, with which token. See
 * pxeboot/policy.h.
 *
 * arms.json, one arm per line so that a file cut short loses whole arms
 * only, never parts of one:
 *
 *   {"version": 1, "arms": [
 *   {"mac": "52:54:00:00:0a:01", "entry": "rescue", "created": 1700000000, "until": 1700001800, "once": true, "spent": false, "token": "0123...ef"},
 *   ...
 *   ]}
 *
 * Text only (decimal numbers, MACs and tokens as hex digits), so the file
 * is the same on CPUs of either byte order or word size.
 *
 * Writes (state_file.c): arms.json.tmp, fsync, rename over arms.json, fsync
 * of the directory (the rename is atomic; after a crash the old or the new file is
 * there, and a stale .tmp is ignored and overwritten).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pxeboot/boot.h>
#include <pxeboot/dhcp.h>
#include <pxeboot/policy.h>
#include "internal.h"
#include "state_file.h"

struct pxb_arms {
	struct pxb__state_file file; /* no path: in memory */
	struct pxb_arm *v;
	unsigned n, cap;
	pxb_arms_observer_fn observer; /* told of arms made, spent or removed here */
	void *observer_arg;
};

static void tell(const pxb_arms *a, const struct pxb_arm *x, int removed)
{
	if (a->observer)
		a->observer(a->observer_arg, x, removed);
}

void pxb_arms_set_observer(pxb_arms *a, pxb_arms_observer_fn fn, void *arg)
{
	if (!a)
		return;
	a->observer = fn;
	a->observer_arg = arg;
}

/* Index of mac, or the index it would go at (*found = 0). */
static unsigned find_mac(const pxb_arms *a, const uint8_t mac[6], int *found)
{
	return pxb__vec_find_mac(a->v, a->n, sizeof(*a->v), mac, found);
}

static int valid_entry(const char *e)
{
	return !e || !*e || pxb_boot_id_valid(e);
}

static int valid_token(const char *t)
{
	size_t n = 0;

	for (; t[n]; n++)
		if (!((t[n] >= '0' && t[n] <= '9') || (t[n] >= 'a' && t[n] <= 'f')))
			return 0;
	return n == PXB_ARM_TOKEN_LEN;
}

/* ---- the file ---- */

static void arm_line(FILE *f, const struct pxb_arm *x, int last)
{
	char mac[18];

	/* entry ids are [A-Za-z0-9._+-]: nothing to escape */
	fprintf(f, "{\"mac\": \"%s\", \"entry\": \"%s\", \"created\": %" PRId64
		   ", \"until\": %" PRId64 ", \"once\": %s, \"spent\": %s, \"token\": \"%s\"}%s\n",
		pxb_mac_format(x->mac, mac, ':'), x->entry, x->created, x->until,
		x->once ? "true" : "false", x->spent ? "true" : "false", x->token, last ? "" : ",");
}

static void save_body(FILE *f, void *arg)
{
	const pxb_arms *a = arg;

	fputs("{\"version\": 1, \"arms\": [\n", f);
	for (unsigned i = 0; i < a->n; i++)
		arm_line(f, &a->v[i], i + 1 == a->n);
	fputs("]}\n", f);
}

static int save(pxb_arms *a)
{
	return pxb__state_file_write(&a->file, save_body, a);
}

/* Reads "key": at p; returns the position after the colon or NULL. */
static const char *key_at(const char *line, const char *key)
{
	char k[32];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = strstr(line, k);
	if (!p)
		return NULL;
	p += strlen(k);
	while (*p == ' ')
		p++;
	return p;
}

static int get_str(const char *line, const char *key, char *out, size_t len)
{
	const char *p = key_at(line, key), *e;

	if (!p || *p != '"')
		return -1;
	p++;
	e = strchr(p, '"');
	if (!e || (size_t)(e - p) >= len)
		return -1;
	for (const char *q = p; q < e; q++)
		if (*q == '\\' || (unsigned char)*q < 0x20)
			return -1;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

static int get_int(const char *line, const char *key, int64_t *out)
{
	const char *p = key_at(line, key);
	char *end;
	long long v;

	if (!p)
		return -1;
	errno = 0;
	v = strtoll(p, &end, 10);
	if (end == p || errno || (*end != ',' && *end != '}' && *end != ' '))
		return -1;
	*out = v;
	return 0;
}

static int get_bool(const char *line, const char *key, int *out)
{
	const char *p = key_at(line, key);

	if (p && strncmp(p, "true", 4) == 0)
		*out = 1;
	else if (p && strncmp(p, "false", 5) == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* One arm line, whole ("{...}" with an optional ','). 0 or -1. */
static int parse_arm(const char *line, struct pxb_arm *x)
{
	char mac[32];
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
		n--;
	if (n && line[n - 1] == ',')
		n--;
	if (n < 2 || line[0] != '{' || line[n - 1] != '}')
		return -1;
	memset(x, 0, sizeof(*x));
	if (get_str(line, "mac", mac, sizeof(mac)) < 0 || pxb_mac_parse(mac, x->mac) < 0 ||
	    get_str(line, "entry", x->entry, sizeof(x->entry)) < 0 || !valid_entry(x->entry) ||
	    get_int(line, "created", &x->created) < 0 || get_int(line, "until", &x->until) < 0 ||
	    get_bool(line, "once", &x->once) < 0 || get_bool(line, "spent", &x->spent) < 0 ||
	    get_str(line, "token", x->token, sizeof(x->token)) < 0 || !valid_token(x->token))
		return -1;
	return 0;
}

static int put_arm(pxb_arms *a, const struct pxb_arm *x)
{
	return pxb__vec_put_mac((void **)&a->v, &a->n, &a->cap, PXB_ARMS_MAX, sizeof(*x), x);
}

struct reading {
	pxb_arms *a;
	int64_t now;
	int saw_start, saw_end, dropped;
};

static int load_line(void *arg, const char *line, unsigned number)
{
	struct reading *r = arg;
	struct pxb_arm x;

	(void)number;
	if (strncmp(line, "{\"version\"", 10) == 0) {
		r->saw_start = 1;
		return 0;
	}
	if (strncmp(line, "]}", 2) == 0) {
		r->saw_end = 1;
		return PXB__STATE_END;
	}
	if (parse_arm(line, &x) < 0)
		return PXB__STATE_BAD;
	if (x.until <= r->now) {
		r->dropped = 1;
		return 0;
	}
	return put_arm(r->a, &x) == PXB_ERR_NOMEM ? PXB_ERR_NOMEM : 0;
}

/* The longest line read (with its newline), and so the largest file. */
#define LINE_MAX_LEN 1024
#define FILE_MAX_LEN ((PXB_ARMS_MAX + 2) * (size_t)LINE_MAX_LEN)

static int load(pxb_arms *a, int64_t now, int *damaged)
{
	struct reading r = {a, now, 0, 0, 0};
	struct pxb__state_damage dmg;
	int rc = pxb__state_file_read(&a->file, LINE_MAX_LEN, FILE_MAX_LEN, load_line, &r, &dmg);
	int bad = dmg.bad || !r.saw_start || !r.saw_end;

	if (rc < 0)
		return rc == PXB_ERR_NOENT ? 0 : rc;
	if (bad && damaged)
		*damaged = 1;
	/* Write back what was read, whole, so the damage is not read again. */
	if (bad || r.dropped)
		save(a);
	return 0;
}

void pxb_arms_free(pxb_arms *a)
{
	if (!a)
		return;
	pxb__state_file_fini(&a->file);
	free(a->v);
	free(a);
}

int pxb_arms_open(const char *dir, int64_t now, pxb_arms **out, int *damaged)
{
	pxb_arms *a = calloc(1, sizeof(*a));
	int rc;

	if (damaged)
		*damaged = 0;
	if (!a)
		return PXB_ERR_NOMEM;
	rc = pxb__state_file_init(&a->file, dir, "arms.json");
	if (rc == 0)
		rc = load(a, now, damaged);
	if (rc < 0) {
		pxb_arms_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

const char *pxb_arms_path(const pxb_arms *a)
{
	return a ? a->file.path : NULL;
}

int pxb_arms_arm(pxb_arms *a, const uint8_t mac[6], const char *entry, int64_t until, int once,
		 int64_t now, struct pxb_arm *out)
{
	struct pxb_arm x, old;
	int found, had, rc;
	unsigned i;

	if (!a || !mac || until <= now || !valid_entry(entry) ||
	    (entry && strlen(entry) >= sizeof(x.entry)))
		return PXB_ERR_INVAL;
	memset(&x, 0, sizeof(x));
	memcpy(x.mac, mac, 6);
	if (entry)
		pxb_strlcpy(x.entry, entry, sizeof(x.entry));
	x.created = now;
	x.until = until;
	x.once = !!once;
	rc = pxb__state_token(x.token, PXB_ARM_TOKEN_LEN);
	if (rc < 0)
		return rc;
	memset(&old, 0, sizeof(old));
	i = find_mac(a, mac, &had);
	if (had)
		old = a->v[i];
	rc = put_arm(a, &x);
	if (rc < 0)
		return rc;
	rc = save(a);
	if (rc < 0) {
		/* not durable: not made */
		i = find_mac(a, mac, &found);
		if (found && had) {
			a->v[i] = old;
		} else if (found) {
			pxb__vec_remove(a->v, &a->n, sizeof(*a->v), i);
		}
		return rc;
	}
	if (out)
		*out = x;
	tell(a, &x, 0);
	return 0;
}

int pxb_arms_disarm(pxb_arms *a, const uint8_t mac[6])
{
	struct pxb_arm gone;
	int found;
	unsigned i;

	if (!a || !mac)
		return PXB_ERR_INVAL;
	i = find_mac(a, mac, &found);
	if (!found)
		return PXB_ERR_NOENT;
	gone = a->v[i];
	pxb__vec_remove(a->v, &a->n, sizeof(*a->v), i);
	tell(a, &gone, 1);
	return save(a);
}

int pxb_arms_apply(pxb_arms *a, const struct pxb_arm *x, int removed)
{
	int found, rc;
	unsigned i;

	if (!a || !x || !memchr(x->entry, 0, sizeof(x->entry)) || !valid_entry(x->entry) ||
	    !memchr(x->token, 0, sizeof(x->token)) || !valid_token(x->token))
		return PXB_ERR_INVAL;
	i = find_mac(a, x->mac, &found);
	if (removed) {
		if (!found || strcmp(a->v[i].token, x->token) != 0)
			return 0; /* gone already, or armed again since */
		pxb__vec_remove(a->v, &a->n, sizeof(*a->v), i);
		return save(a);
	}
	if (found && memcmp(&a->v[i], x, sizeof(*x)) == 0)
		return 0;
	rc = put_arm(a, x);
	return rc < 0 ? rc : save(a);
}

int pxb_arms_lookup(const pxb_arms *a, const uint8_t mac[6], int64_t now, struct pxb_arm *out)
{
	int found;
	unsigned i;

	if (!a || !mac)
		return PXB_ERR_NOENT;
	i = find_mac(a, mac, &found);
	if (!found || a->v[i].until <= now || a->v[i].spent)
		return PXB_ERR_NOENT;
	if (out)
		*out = a->v[i];
	return 0;
}

int pxb_arms_by_token(const pxb_arms *a, const char *token, int64_t now, struct pxb_arm *out)
{
	int hit = -1;

	if (!a || !token || strlen(token) != PXB_ARM_TOKEN_LEN)
		return PXB_ERR_NOENT;
	/* Every arm compared whole, whatever matched: the time tells nothing. */
	for (unsigned i = 0; i < a->n; i++) {
		unsigned char d = 0;
		for (size_t k = 0; k < PXB_ARM_TOKEN_LEN; k++)
			d |= (unsigned char)(a->v[i].token[k] ^ token[k]);
		if (d == 0 && a->v[i].until > now)
			hit = (int)i;
	}
	if (hit < 0)
		return PXB_ERR_NOENT;
	if (out)
		*out = a->v[hit];
	return 0;
}

int pxb_arms_spend(pxb_arms *a, const uint8_t mac[6], int64_t now)
{
	int found, rc;
	unsigned i;

	if (!a || !mac)
		return 0;
	i = find_mac(a, mac, &found);
	if (!found || !a->v[i].once || a->v[i].spent || a->v[i].until <= now)
		return 0;
	a->v[i].spent = 1;
	rc = save(a);
	tell(a, &a->v[i], 0);
	return rc < 0 ? rc : 1;
}

int pxb_arms_expire(pxb_arms *a, int64_t now)
{
	unsigned j = 0, n;

	if (!a)
		return 0;
	for (unsigned i = 0; i < a->n; i++)
		if (a->v[i].until > now)
			a->v[j++] = a->v[i];
	n = a->n - j;
	a->n = j;
	if (n && save(a) < 0)
		return PXB_ERR_IO;
	return (int)n;
}

unsigned pxb_arms_count(const pxb_arms *a)
{
	return a ? a->n : 0;
}

const struct pxb_arm *pxb_arms_at(const pxb_arms *a, unsigned i)
{
	return a && i < a->n ? &a->v[i] : NULL;
}
