/*
 * policy_protect.c - what the host holds for the policy (the policy, the
 * arm store, a cache of the boot model) and the check that keeps protected
 * entries' files to holders of a live arm's token: by the path asked
 * (pxb_policy_check_file) and by the bytes an open file reads
 * (pxb_policy_check_open); and whether a client's address is proven
 * (pxb_policy_client_proven). See pxeboot/policy.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pxeboot/boot.h>
#include <pxeboot/lease.h>
#include <pxeboot/policy.h>
#include <pxeboot/vfs.h>
#include "host_internal.h"
#include "policy_internal.h"

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

static void slot_free(void *p)
{
	struct pxb__policy_slot *s = p;

	if (!s)
		return;
	bytes_drop(s);
	pxb_boot_model_free(s->model);
	free(s);
}

static void *slot_new(void)
{
	return calloc(1, sizeof(struct pxb__policy_slot));
}

static const char slot_key = 'p'; /* its address names the slot on the host */

/* The host's slot: NULL until pxb_host_set_policy. */
static struct pxb__policy_slot *slot(pxb_host *h, int make)
{
	return pxb__host_state(h, &slot_key, make ? slot_new : NULL, slot_free);
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
	if (!s || !s->policy || !pxb__policy_nprotect(s->policy) || !path)
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
	if (!s || !s->policy || !pxb__policy_nprotect(s->policy) || !f || f->fd < 0 || fstat(f->fd, &st) < 0)
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
	uint8_t m[6];

	return pxb_lease_key_mac(k, m) && memcmp(m, mac, 6) == 0;
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
