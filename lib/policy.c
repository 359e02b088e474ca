/*
 * policy.c - who may boot (always / never / armed), the durable arm store
 * in <state_dir>/arms.json, and the check that keeps protected entries'
 * files to holders of a live arm's token. See pxeboot/policy.h.
 *
 * arms.json, one arm per line so that a file cut short loses whole arms
 * only, never parts of one:
 *
 *   {"version": 1, "arms": [
 *   {"mac": "52:54:00:00:0a:01", "entry": "rescue", "created": 1700000000, "until": 1700001800, "once": true, "spent": false, "token": "0123...ef"},
 *   ...
 *   ]}
 *
 * Writes: arms.json.tmp, fsync, rename over arms.json, fsync of the
 * directory (the rename is atomic; after a crash the old or the new file is
 * there, and a stale .tmp is ignored and overwritten).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pxeboot/boot.h>
#include <pxeboot/dhcp.h>
#include <pxeboot/lease.h>
#include <pxeboot/policy.h>
#include <pxeboot/vfs.h>
#include "internal.h"
#include "policy_internal.h"

const char *pxb_policy_kind_name(enum pxb_policy_kind k)
{
	switch (k) {
	case PXB_POLICY_ALWAYS: return "always";
	case PXB_POLICY_NEVER: return "never";
	case PXB_POLICY_ARMED: return "armed";
	}
	return NULL;
}

int pxb_policy_kind_parse(const char *s)
{
	if (!s)
		return PXB_ERR_INVAL;
	if (strcmp(s, "always") == 0)
		return PXB_POLICY_ALWAYS;
	if (strcmp(s, "never") == 0)
		return PXB_POLICY_NEVER;
	if (strcmp(s, "armed") == 0)
		return PXB_POLICY_ARMED;
	return PXB_ERR_INVAL;
}

/* ======================================================================== */
/* The arm store                                                            */

struct pxb_arms {
	char *path, *tmp_path, *dir; /* NULL: in memory */
	struct pxb_arm *v;
	unsigned n, cap;
};

static int mac_cmp(const uint8_t a[6], const uint8_t b[6])
{
	return memcmp(a, b, 6);
}

/* Index of mac, or the index it would go at (*found = 0). */
static unsigned find_mac(const pxb_arms *a, const uint8_t mac[6], int *found)
{
	unsigned lo = 0, hi = a->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		int c = mac_cmp(a->v[mid].mac, mac);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
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

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -1;
	if (fsync(fd) < 0 && errno != EINVAL)
		rc = -1;
	close(fd);
	return rc;
}

static void arm_line(FILE *f, const struct pxb_arm *x, int last)
{
	char mac[18];

	/* entry ids are [A-Za-z0-9._+-]: nothing to escape */
	fprintf(f, "{\"mac\": \"%s\", \"entry\": \"%s\", \"created\": %" PRId64
		   ", \"until\": %" PRId64 ", \"once\": %s, \"spent\": %s, \"token\": \"%s\"}%s\n",
		pxb_mac_format(x->mac, mac, ':'), x->entry, x->created, x->until,
		x->once ? "true" : "false", x->spent ? "true" : "false", x->token, last ? "" : ",");
}

static int save(pxb_arms *a)
{
	FILE *f;
	int fd, err = 0;

	if (!a->path)
		return 0;
	fd = open(a->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return PXB_ERR_IO;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(a->tmp_path);
		return PXB_ERR_IO;
	}
	fputs("{\"version\": 1, \"arms\": [\n", f);
	for (unsigned i = 0; i < a->n; i++)
		arm_line(f, &a->v[i], i + 1 == a->n);
	fputs("]}\n", f);
	if (fflush(f) != 0 || fsync(fd) < 0)
		err = 1;
	if (fclose(f) != 0)
		err = 1;
	if (!err && rename(a->tmp_path, a->path) < 0)
		err = 1;
	if (err) {
		unlink(a->tmp_path);
		return PXB_ERR_IO;
	}
	return fsync_dir(a->dir) < 0 ? PXB_ERR_IO : 0;
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
	int found;
	unsigned i = find_mac(a, x->mac, &found);

	if (found) {
		a->v[i] = *x;
		return 0;
	}
	if (a->n >= PXB_ARMS_MAX)
		return PXB_ERR_BUSY;
	if (a->n == a->cap) {
		unsigned cap = a->cap ? a->cap * 2 : 16;
		struct pxb_arm *v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return PXB_ERR_NOMEM;
		a->v = v;
		a->cap = cap;
	}
	memmove(&a->v[i + 1], &a->v[i], (a->n - i) * sizeof(*a->v));
	a->v[i] = *x;
	a->n++;
	return 0;
}

static int load(pxb_arms *a, int64_t now, int *damaged)
{
	FILE *f = fopen(a->path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int saw_end = 0, saw_start = 0, bad = 0, dropped = 0;

	if (!f)
		return errno == ENOENT ? 0 : PXB_ERR_IO;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct pxb_arm x;
		int rc;

		if (strncmp(line, "{\"version\"", 10) == 0) {
			saw_start = 1;
			continue;
		}
		if (strncmp(line, "]}", 2) == 0) {
			saw_end = 1;
			break;
		}
		/* A line without its newline was cut; one with a NUL is not whole either. */
		if (line[len - 1] != '\n' || strlen(line) != (size_t)len || len > 1024 ||
		    parse_arm(line, &x) < 0) {
			bad = 1;
			continue;
		}
		if (x.until <= now) {
			dropped = 1;
			continue;
		}
		rc = put_arm(a, &x);
		if (rc == PXB_ERR_NOMEM) {
			free(line);
			fclose(f);
			return rc;
		}
	}
	if (ferror(f))
		bad = 1;
	free(line);
	fclose(f);
	if (!saw_start || !saw_end)
		bad = 1;
	if (bad && damaged)
		*damaged = 1;
	/* Write back what was read, whole, so the damage is not read again. */
	if (bad || dropped)
		save(a);
	return 0;
}

void pxb_arms_free(pxb_arms *a)
{
	if (!a)
		return;
	free(a->path);
	free(a->tmp_path);
	free(a->dir);
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
	if (dir) {
		size_t n = strlen(dir) + sizeof("/arms.json.tmp");
		a->dir = strdup(dir);
		a->path = malloc(n);
		a->tmp_path = malloc(n);
		if (!a->dir || !a->path || !a->tmp_path) {
			pxb_arms_free(a);
			return PXB_ERR_NOMEM;
		}
		snprintf(a->path, n, "%s/arms.json", dir);
		snprintf(a->tmp_path, n, "%s/arms.json.tmp", dir);
		rc = load(a, now, damaged);
		if (rc < 0) {
			pxb_arms_free(a);
			return rc;
		}
	}
	*out = a;
	return 0;
}

const char *pxb_arms_path(const pxb_arms *a)
{
	return a ? a->path : NULL;
}

static int make_token(char out[PXB_ARM_TOKEN_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t r[PXB_ARM_TOKEN_LEN / 2];
	size_t got = 0;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return PXB_ERR_IO;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(r); i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[PXB_ARM_TOKEN_LEN] = '\0';
	return 0;
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
	rc = make_token(x.token);
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
			memmove(&a->v[i], &a->v[i + 1], (a->n - i - 1) * sizeof(*a->v));
			a->n--;
		}
		return rc;
	}
	if (out)
		*out = x;
	return 0;
}

int pxb_arms_disarm(pxb_arms *a, const uint8_t mac[6])
{
	int found;
	unsigned i;

	if (!a || !mac)
		return PXB_ERR_INVAL;
	i = find_mac(a, mac, &found);
	if (!found)
		return PXB_ERR_NOENT;
	memmove(&a->v[i], &a->v[i + 1], (a->n - i - 1) * sizeof(*a->v));
	a->n--;
	return save(a);
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

/* ======================================================================== */
/* The policy                                                               */

#define TERMS_MAX 16

struct prule {
	unsigned nterms;
	struct {
		char tag[PXB_TAG_LEN];
		int neg;
	} term[TERMS_MAX];
	enum pxb_policy_kind kind;
};

struct phost {
	char *name;
	uint8_t mac[6];
	int has_policy;
	enum pxb_policy_kind kind;
};

struct pxb_policy {
	enum pxb_policy_kind def;
	struct prule *rules;
	unsigned nrules;
	struct phost *hosts;
	unsigned nhosts;
	char **protect;
	unsigned nprotect;
	int64_t arm_for, arm_max;
};

static void problem(const pxb_conf *c, const pxb_conf_node *n, pxb_conf_report_fn report,
		    void *arg, int *errors, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void problem(const pxb_conf *c, const pxb_conf_node *n, pxb_conf_report_fn report,
		    void *arg, int *errors, const char *fmt, ...)
{
	char path[256] = "policy", msg[512], line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		pxb_conf_path(n, path, sizeof(path));
	if (n && pxb_conf_line(n) > 0)
		snprintf(line, sizeof(line), "%s:%d: %s: %s", pxb_conf_source(c), pxb_conf_line(n),
			 path, msg);
	else
		snprintf(line, sizeof(line), "%s: %s: %s", pxb_conf_source(c), path, msg);
	if (report)
		report(arg, line);
	(*errors)++;
}

/* A tag expression (the boot rules' language, pxeboot/dhcp.h) into r. 0 or -1. */
static int parse_terms(const char *s, struct prule *r)
{
	if (pxb_match_expr_check(s) < 0)
		return -1;
	r->nterms = 0;
	for (;;) {
		int neg = 0;
		size_t l;

		while (*s == ' ' || *s == '\t' || *s == '&' || *s == ',')
			s++;
		if (!*s)
			return 0;
		if (strncmp(s, "tag:", 4) == 0)
			s += 4;
		if (*s == '!') {
			neg = 1;
			s++;
		}
		l = strcspn(s, " \t&,");
		if (r->nterms == TERMS_MAX || l >= PXB_TAG_LEN)
			return -1;
		memcpy(r->term[r->nterms].tag, s, l);
		r->term[r->nterms].tag[l] = '\0';
		r->term[r->nterms].neg = neg;
		r->nterms++;
		s += l;
	}
}

void pxb_policy_free(pxb_policy *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->nhosts; i++)
		free(p->hosts[i].name);
	for (unsigned i = 0; i < p->nprotect; i++)
		free(p->protect[i]);
	free(p->hosts);
	free(p->protect);
	free(p->rules);
	free(p);
}

static int64_t duration(const pxb_conf_node *root, const char *path, int64_t def)
{
	int64_t v;
	const char *s = pxb_conf_string(root, path);

	return s && pxb_parse_duration(s, &v) == 0 ? v : def;
}

int pxb_policy_from_conf(const pxb_conf *c, pxb_policy **out, pxb_conf_report_fn report,
			 void *arg)
{
	const pxb_conf_node *root = pxb_conf_root(c);
	pxb_policy *p = calloc(1, sizeof(*p));
	unsigned n;
	int errors = 0, k;

	if (!p)
		return PXB_ERR_NOMEM;
	k = pxb_policy_kind_parse(pxb_conf_string(root, "policy.default"));
	p->def = k < 0 ? PXB_POLICY_ALWAYS : (enum pxb_policy_kind)k;
	p->arm_for = duration(root, "policy.arm_for", 1800);
	p->arm_max = duration(root, "policy.arm_max", 86400);
	if (p->arm_for <= 0 || p->arm_max <= 0 || p->arm_for > p->arm_max)
		problem(c, pxb_conf_get(root, "policy.arm_for"), report, arg, &errors,
			"arm_for must be positive and no longer than arm_max");

	n = pxb_conf_count(root, "policy.rules");
	p->rules = calloc(n ? n : 1, sizeof(*p->rules));
	if (!p->rules)
		goto nomem;
	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *e = pxb_conf_elem(root, "policy.rules", i);
		const char *tags = pxb_conf_string(e, "tags");
		int kind = pxb_policy_kind_parse(pxb_conf_string(e, "policy"));

		if (kind < 0) {
			problem(c, e, report, arg, &errors, "policy (always, never or armed) is required");
			continue;
		}
		if (parse_terms(tags ? tags : "", &p->rules[p->nrules]) < 0) {
			problem(c, pxb_conf_get(e, "tags"), report, arg, &errors,
				"not a tag expression of at most %d terms (TAG, !TAG joined by &)",
				TERMS_MAX);
			continue;
		}
		p->rules[p->nrules++].kind = (enum pxb_policy_kind)kind;
	}

	n = pxb_conf_count(root, "dhcp.hosts");
	p->hosts = calloc(n ? n : 1, sizeof(*p->hosts));
	if (!p->hosts)
		goto nomem;
	for (unsigned i = 0; i < n; i++) {
		const pxb_conf_node *e = pxb_conf_elem(root, "dhcp.hosts", i);
		const char *mac = pxb_conf_string(e, "mac"), *name = pxb_conf_string(e, "name");
		const char *pol = pxb_conf_string(e, "policy");
		struct phost *h = &p->hosts[p->nhosts];

		if (!mac || pxb_mac_parse(mac, h->mac) < 0)
			continue; /* dhcp_conf.c reports it */
		if (pol) {
			k = pxb_policy_kind_parse(pol);
			if (k < 0) {
				problem(c, pxb_conf_get(e, "policy"), report, arg, &errors,
					"always, never or armed");
				continue;
			}
			h->has_policy = 1;
			h->kind = (enum pxb_policy_kind)k;
		}
		if (name && !(h->name = strdup(name)))
			goto nomem;
		p->nhosts++;
	}

	n = pxb_conf_count(root, "policy.protect");
	p->protect = calloc(n ? n : 1, sizeof(*p->protect));
	if (!p->protect)
		goto nomem;
	for (unsigned i = 0; i < n; i++) {
		const char *id = pxb_conf_elem_string(root, "policy.protect", i);

		if (!id || (strcmp(id, "*") != 0 && !pxb_boot_id_valid(id))) {
			problem(c, pxb_conf_get(root, "policy.protect"), report, arg, &errors,
				"\"%s\" is not an entry id (or \"*\")", id ? id : "");
			continue;
		}
		if (!(p->protect[p->nprotect] = strdup(id)))
			goto nomem;
		p->nprotect++;
	}
	if (errors) {
		pxb_policy_free(p);
		return PXB_ERR_CONFIG;
	}
	*out = p;
	return 0;
nomem:
	pxb_policy_free(p);
	return PXB_ERR_NOMEM;
}

static const struct phost *host_of(const pxb_policy *p, const uint8_t mac[6])
{
	for (unsigned i = 0; i < p->nhosts; i++)
		if (mac_cmp(p->hosts[i].mac, mac) == 0)
			return &p->hosts[i];
	return NULL;
}

enum pxb_policy_kind pxb_policy_for_client(const pxb_policy *p, const struct pxb_client *c,
					   const char **source)
{
	const struct phost *h;

	if (source)
		*source = "default";
	if (!p)
		return PXB_POLICY_ALWAYS;
	if (c && c->has_mac && (h = host_of(p, c->mac)) != NULL && h->has_policy) {
		if (source)
			*source = "host";
		return h->kind;
	}
	for (unsigned i = 0; c && i < p->nrules; i++) {
		const struct prule *r = &p->rules[i];
		unsigned t = 0;

		for (; t < r->nterms; t++)
			if (pxb_client_has_tag(c, r->term[t].tag) == r->term[t].neg)
				break;
		if (t == r->nterms) {
			if (source)
				*source = "rule";
			return r->kind;
		}
	}
	return p->def;
}

const char *pxb_policy_gate(const pxb_policy *p, const pxb_arms *arms,
			    const struct pxb_client *c, int64_t now)
{
	switch (pxb_policy_for_client(p, c, NULL)) {
	case PXB_POLICY_ALWAYS:
		return NULL;
	case PXB_POLICY_NEVER:
		return "policy never";
	case PXB_POLICY_ARMED:
		if (c && c->has_mac && pxb_arms_lookup(arms, c->mac, now, NULL) == 0)
			return NULL;
		return "not armed";
	}
	return NULL;
}

int pxb_policy_protects(const pxb_policy *p, const char *id)
{
	for (unsigned i = 0; p && id && i < p->nprotect; i++)
		if (strcmp(p->protect[i], "*") == 0 || strcmp(p->protect[i], id) == 0)
			return 1;
	return 0;
}

int pxb_policy_uses_arms(const pxb_policy *p)
{
	if (!p)
		return 0;
	if (p->def == PXB_POLICY_ARMED)
		return 1;
	for (unsigned i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == PXB_POLICY_ARMED)
			return 1;
	for (unsigned i = 0; i < p->nhosts; i++)
		if (p->hosts[i].has_policy && p->hosts[i].kind == PXB_POLICY_ARMED)
			return 1;
	return 0;
}

int64_t pxb_policy_arm_for(const pxb_policy *p)
{
	return p ? p->arm_for : 1800;
}

int64_t pxb_policy_arm_max(const pxb_policy *p)
{
	return p ? p->arm_max : 86400;
}

int pxb_policy_resolve(const pxb_policy *p, const char *s, uint8_t mac[6])
{
	if (!s)
		return PXB_ERR_NOENT;
	if (pxb_mac_parse(s, mac) == 0)
		return 0;
	for (unsigned i = 0; p && i < p->nhosts; i++)
		if (p->hosts[i].name && strcmp(p->hosts[i].name, s) == 0) {
			memcpy(mac, p->hosts[i].mac, 6);
			return 0;
		}
	return PXB_ERR_NOENT;
}

/* ======================================================================== */
/* What the host holds, and the check of protected files                    */

/* Where the bytes of a protected entry's file lie on disk (pxb_policy_check_open). */
struct pbytes {
	dev_t dev;
	ino_t ino;
	uint64_t off, len;          /* the extent in that file (a file inside an image) */
	const char *id;             /* the entry's id, in the cached model */
	char *dir;                  /* real path of the entry's directory, or NULL */
};

struct pxb__policy_slot {
	pxb_policy *policy;
	pxb_arms *arms;
	pxb_boot_model *model; /* cached for pxb_policy_check_file */
	uint64_t gen;
	struct pbytes *bytes;  /* of model's protected entries; NULL: to be found again */
	unsigned nbytes;
	int64_t bytes_at;      /* when they were found (files get replaced) */
};

static void bytes_drop(struct pxb__policy_slot *s)
{
	for (unsigned i = 0; i < s->nbytes; i++)
		free(s->bytes[i].dir);
	free(s->bytes);
	s->bytes = NULL;
	s->nbytes = 0;
}

void pxb__policy_slot_free(struct pxb__policy_slot *s)
{
	if (!s)
		return;
	bytes_drop(s);
	pxb_boot_model_free(s->model);
	free(s);
}

static struct pxb__policy_slot *slot(pxb_host *h, int make)
{
	struct pxb__policy_slot **sp = pxb__host_policy_slot(h);

	if (!*sp && make)
		*sp = calloc(1, sizeof(**sp));
	return *sp;
}

pxb_policy *pxb_host_policy(pxb_host *h)
{
	struct pxb__policy_slot *s = h ? slot(h, 0) : NULL;

	return s ? s->policy : NULL;
}

pxb_arms *pxb_host_arms(pxb_host *h)
{
	struct pxb__policy_slot *s = h ? slot(h, 0) : NULL;

	return s ? s->arms : NULL;
}

void pxb_host_set_policy(pxb_host *h, pxb_policy *p, pxb_arms *arms)
{
	struct pxb__policy_slot *s = h ? slot(h, 1) : NULL;

	if (!s)
		return;
	s->policy = p;
	s->arms = arms;
	bytes_drop(s);
	pxb_boot_model_free(s->model);
	s->model = NULL;
}

/* Is path (normalized) the file f (a namespace path, maybe unnormalized)? */
static int is_file(const char *path, const char *f)
{
	char norm[PXB_VFS_PATH_MAX + 1];

	if (!f || pxb_boot_is_url(f) || strstr(f, "${"))
		return 0;
	return pxb_vfs_normalize(f, strlen(f), norm, sizeof(norm)) == 0 && strcmp(norm, path) == 0;
}

/* Does entry e own path: one of its files, or under its directory? */
static int entry_owns(const struct pxb_boot_entry *e, const char *path)
{
	char dir[PXB_VFS_PATH_MAX + 1], norm[PXB_VFS_PATH_MAX + 1];
	size_t n;

	if (is_file(path, e->kernel) || is_file(path, e->image))
		return 1;
	for (unsigned i = 0; i < e->ninitrds; i++)
		if (is_file(path, e->initrds[i]))
			return 1;
	pxb_boot_entry_dir(e, dir, sizeof(dir));
	if (!dir[0] || pxb_boot_is_url(dir) || strstr(dir, "${") ||
	    pxb_vfs_normalize(dir, strlen(dir), norm, sizeof(norm)) < 0 || strcmp(norm, "/") == 0)
		return 0;
	n = strlen(norm);
	return strncmp(path, norm, n) == 0 && path[n] == '/';
}

static const pxb_boot_model *cached_model(pxb_host *h, struct pxb__policy_slot *s)
{
	uint64_t gen = pxb_boot_catalogs_generation(h);
	pxb_boot_model *m;

	if (s->model && s->gen == gen)
		return s->model;
	if (pxb_boot_model_build(h, &m) == 0) {
		bytes_drop(s); /* they point into the old model */
		pxb_boot_model_free(s->model);
		s->model = m;
		s->gen = gen;
	}
	return s->model;
}

/* The answer of a check: owner_protected, and whether the token's arm may fetch it. */
static int verdict(int owner_protected, int arm_ok, int have_arm, const char *token,
		   const struct pxb_arm *a, struct pxb_arm *arm, const char **why)
{
	if (!owner_protected)
		return 0;
	if (arm_ok) {
		if (arm)
			*arm = *a;
		return 0;
	}
	if (why)
		*why = !token || !*token ? "protected entry: no token"
		       : !have_arm       ? "protected entry: token unknown or expired"
					 : "protected entry: the token is for another entry";
	return PXB_ERR_ACCESS;
}

int pxb_policy_check_file(pxb_host *h, const char *path, const char *token, int64_t now,
			  struct pxb_arm *arm, const char **why)
{
	struct pxb__policy_slot *s = h ? slot(h, 0) : NULL;
	const pxb_boot_model *m;
	struct pxb_arm a;
	int owner_protected = 0, arm_ok = 0, have_arm;

	if (why)
		*why = NULL;
	if (!s || !s->policy || !s->policy->nprotect || !path)
		return 0;
	m = cached_model(h, s);
	if (!m)
		return 0;
	have_arm = token && *token && pxb_arms_by_token(s->arms, token, now, &a) == 0;
	for (unsigned i = 0; i < pxb_boot_entry_count(m); i++) {
		const struct pxb_boot_entry *e = pxb_boot_entry_at(m, i);

		if (!pxb_policy_protects(s->policy, e->id) || !entry_owns(e, path))
			continue;
		owner_protected = 1;
		if (have_arm && (!a.entry[0] || strcmp(a.entry, e->id) == 0))
			arm_ok = 1;
	}
	return verdict(owner_protected, arm_ok, have_arm, token, &a, arm, why);
}

/*
 * Seconds the places of protected bytes are kept: a file replaced (renamed
 * over) gets a new inode, found again at most this late.
 */
#define BYTES_TTL 10

/* The real path of an open descriptor into buf, or -1. */
static int fd_path(int fd, char *buf, size_t len)
{
	char proc[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, len - 1);
	if (n <= 0 || (size_t)n >= len - 1 || buf[0] != '/')
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * Notes where file f of protected entry e lies: the inode and extent it is
 * read from (an image's bytes for a file inside an ISO), and, when f is
 * under the entry's directory dir and its real path ends as its namespace
 * path does, the real path of that directory.
 */
static int note_bytes(struct pxb__policy_slot *s, pxb_vfs *v, const struct pxb_boot_entry *e,
		      const char *f, const char *dir, unsigned *cap)
{
	char norm[PXB_VFS_PATH_MAX + 1], real[PXB_VFS_PATH_MAX + 1];
	struct pxb_file file;
	struct pbytes *b;
	struct stat st;
	size_t nd = strlen(dir), nr, nrest;

	if (!f || pxb_boot_is_url(f) || strstr(f, "${") ||
	    pxb_vfs_normalize(f, strlen(f), norm, sizeof(norm)) < 0 ||
	    pxb_vfs_open(v, norm, PXB_VFS_HTTP, NULL, &file) < 0)
		return 0;
	if (file.fd < 0 || fstat(file.fd, &st) < 0) {
		pxb_file_close(&file);
		return 0;
	}
	if (s->nbytes == *cap) {
		unsigned ncap = *cap ? *cap * 2 : 16;
		struct pbytes *nb = realloc(s->bytes, ncap * sizeof(*nb));

		if (!nb) {
			pxb_file_close(&file);
			return PXB_ERR_NOMEM;
		}
		s->bytes = nb;
		*cap = ncap;
	}
	b = &s->bytes[s->nbytes++];
	b->dev = st.st_dev;
	b->ino = st.st_ino;
	b->off = file.fd_offset;
	b->len = file.size;
	b->id = e->id;
	b->dir = NULL;
	/* /boot/r/sub/vmlinuz under /boot/r, read from /srv/x/r/sub/vmlinuz: /srv/x/r */
	if (nd && strncmp(norm, dir, nd) == 0 && norm[nd] == '/' &&
	    fd_path(file.fd, real, sizeof(real)) == 0) {
		nr = strlen(real);
		nrest = strlen(norm + nd);
		if (nr > nrest && strcmp(real + nr - nrest, norm + nd) == 0) {
			real[nr - nrest] = '\0';
			b->dir = strdup(real);
		}
	}
	pxb_file_close(&file);
	return 0;
}

/* Finds again where the protected entries' files lie. */
static void find_bytes(pxb_host *h, struct pxb__policy_slot *s, const pxb_boot_model *m,
		       int64_t now)
{
	pxb_vfs *v = pxb_host_vfs(h);
	unsigned cap = 0;

	bytes_drop(s);
	s->bytes_at = now;
	for (unsigned i = 0; v && i < pxb_boot_entry_count(m); i++) {
		const struct pxb_boot_entry *e = pxb_boot_entry_at(m, i);
		char dir[PXB_VFS_PATH_MAX + 1], norm[PXB_VFS_PATH_MAX + 1] = "";
		int rc;

		if (!pxb_policy_protects(s->policy, e->id))
			continue;
		pxb_boot_entry_dir(e, dir, sizeof(dir));
		if (!dir[0] || pxb_boot_is_url(dir) || strstr(dir, "${") ||
		    pxb_vfs_normalize(dir, strlen(dir), norm, sizeof(norm)) < 0 ||
		    strcmp(norm, "/") == 0)
			norm[0] = '\0';
		rc = note_bytes(s, v, e, e->kernel, norm, &cap);
		if (rc == 0)
			rc = note_bytes(s, v, e, e->image, norm, &cap);
		for (unsigned j = 0; rc == 0 && j < e->ninitrds; j++)
			rc = note_bytes(s, v, e, e->initrds[j], norm, &cap);
		if (rc < 0)
			return; /* out of memory: the names are still checked */
	}
}

int pxb_policy_check_open(pxb_host *h, const struct pxb_file *f, const char *token, int64_t now,
			  struct pxb_arm *arm, const char **why)
{
	struct pxb__policy_slot *s = h ? slot(h, 0) : NULL;
	const pxb_boot_model *m;
	char real[PXB_VFS_PATH_MAX + 1];
	struct pxb_arm a;
	struct stat st;
	int owner_protected = 0, arm_ok = 0, have_arm, have_real;

	if (why)
		*why = NULL;
	if (!s || !s->policy || !s->policy->nprotect || !f || f->fd < 0 || fstat(f->fd, &st) < 0)
		return 0;
	m = cached_model(h, s);
	if (!m)
		return 0;
	if (!s->bytes || now < s->bytes_at || now - s->bytes_at >= BYTES_TTL)
		find_bytes(h, s, m, now);
	have_arm = token && *token && pxb_arms_by_token(s->arms, token, now, &a) == 0;
	have_real = fd_path(f->fd, real, sizeof(real)) == 0;
	for (unsigned i = 0; i < s->nbytes; i++) {
		const struct pbytes *b = &s->bytes[i];
		size_t nd = b->dir ? strlen(b->dir) : 0;
		int same = b->dev == st.st_dev && b->ino == st.st_ino &&
			   f->fd_offset < b->off + b->len && b->off < f->fd_offset + f->size;
		int under = have_real && nd && strncmp(real, b->dir, nd) == 0 && real[nd] == '/';

		/* an empty file shares no bytes, but is still the protected one */
		if (b->dev == st.st_dev && b->ino == st.st_ino && f->fd_offset == b->off &&
		    (!f->size || !b->len))
			same = 1;
		if (!same && !under)
			continue;
		owner_protected = 1;
		if (have_arm && (!a.entry[0] || strcmp(a.entry, b->id) == 0))
			arm_ok = 1;
	}
	return verdict(owner_protected, arm_ok, have_arm, token, &a, arm, why);
}

/* Is a lease key the one DHCP makes of mac (chaddr, or client id 1 + mac)? */
static int key_is_mac(const struct pxb_lease_key *k, const uint8_t mac[6])
{
	return (k->type == PXB_LEASE_KEY_HW || k->type == PXB_LEASE_KEY_CLIENT_ID) &&
	       k->len == 7 && k->bytes[0] == 1 && memcmp(k->bytes + 1, mac, 6) == 0;
}

int pxb_policy_client_proven(pxb_host *h, const uint8_t mac[6], struct in_addr from, int64_t now)
{
	struct pxb_client c;
	const struct pxb_lease *l;
	struct pxb_lease_store *st;

	if (!h || !mac || !from.s_addr)
		return 0;
	if (pxb_host_client_by_mac(h, mac, &c) == 0 && c.has_mac &&
	    c.addr.s_addr == from.s_addr)
		return 1;
	st = pxb_host_leases(h);
	l = st ? pxb_lease_by_addr(st, ntohl(from.s_addr)) : NULL;
	return l && l->state == PXB_LEASE_BOUND && l->expires > now && key_is_mac(&l->key, mac);
}

/* ======================================================================== */
/* Settings                                                                 */

static int check_expr(const char *v, char *msg, size_t len)
{
	if (pxb_match_expr_check(v) == 0)
		return 0;
	snprintf(msg, len, "not a tag expression (TAG and !TAG joined by &)");
	return PXB_ERR_CONFIG;
}

static const struct pxb_conf_setting policy_schema[] = {
	{"default", PXB_CT_STRING, "always", 0, 0, "always|never|armed", NULL,
	 "boot policy of clients no host entry or rule names: always (the menu), never (no boot "
	 "offer), armed (no boot offer unless armed with pxebootctl arm)"},
	{"rules", PXB_CT_LIST, NULL, 0, 0, NULL, NULL,
	 "policies by tag, tried in order after the host's own (dhcp.hosts.*.policy)"},
	{"rules.*.tags", PXB_CT_STRING, "", 0, 0, NULL, check_expr,
	 "tag expression the client's DHCP tags must hold (empty: every client)"},
	{"rules.*.policy", PXB_CT_STRING, NULL, 0, 0, "always|never|armed", NULL,
	 "the policy of clients this rule holds for (required)"},
	{"protect", PXB_CT_STRINGS, "", 0, 0, NULL, NULL,
	 "entries (ids; \"*\": all) whose files (kernel, initrds, image, anything under the entry's "
	 "dir) HTTP serves only with the token of a live arm"},
	{"arm_for", PXB_CT_STRING, "30m", 0, 0, NULL, pxb_check_duration,
	 "how long an arm lasts when pxebootctl arm is given no --for"},
	{"arm_max", PXB_CT_STRING, "1d", 0, 0, NULL, pxb_check_duration,
	 "the longest arm accepted"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static const struct pxb_conf_setting policy_host_schema[] = {
	{"hosts.*.policy", PXB_CT_STRING, NULL, 0, 0, "always|never|armed", NULL,
	 "this host's boot policy (overrides policy.rules and policy.default)"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

const struct pxb_conf_setting *pxb_policy_schema(void)
{
	return policy_schema;
}

int pxb__policy_add_schema(pxb_conf *c)
{
	if (pxb_conf_add_schema(c, "policy", policy_schema) < 0 ||
	    pxb_conf_add_schema(c, "dhcp", policy_host_schema) < 0)
		return PXB_ERR_NOMEM;
	return 0;
}
