/*
 * plugin_host.c - loading plugins (ownership and mode checks, dlopen, ABI
 * check), their lifecycle and
 * the registries through which they offer services; the event store and the
 * lease store the HTTP API reads; a state kept for each library module that
 * asks (host_internal.h: the recent clients, the policy), named by no one here.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pxeboot/events.h>
#include <pxeboot/plugin.h>
#include "host_internal.h"
#include "internal.h"

struct loaded {
	struct pxb_host *handle; /* what the plugin is given: names it in logs */
	void *dl;
	int fd; /* the file dlopen read: open so that /proc/self/fd/N names only it */
	const struct pxb_plugin *desc;
	char *path;
	void *state;
	int initialized;
};

struct service {
	enum pxb_service kind;
	char name[64];
	const void *iface;
	void *arg;
	int owner; /* index of the plugin that registered it, -1: host */
};

/* Room for the library modules' states (pxb__host_state). */
#define PXB_HOST_STATES 4

/*
 * The host, and also the handle each plugin receives: a plugin's handle has
 * core pointing to the host and self set to its index, so log lines and
 * registrations are attributed to it whenever it calls, not only in init.
 */
struct pxb_host {
	struct pxb_host *core;     /* NULL for the host itself */
	int self;                  /* plugin index of a handle, -1 for the host */
	pxb_vfs *vfs;
	pxb_log_fn log;
	void *log_arg;
	void *event_base;
	const pxb_conf *conf;
	struct loaded *plugins;
	unsigned nplugins;
	struct service *services;
	unsigned nservices;
	int current; /* plugin being initialized, for attribution; -1 none */
	pxb_events *events;
	struct pxb_lease_store *leases;
	struct {
		const void *key;
		void *state;
		void (*fini)(void *);
	} states[PXB_HOST_STATES]; /* pxb__host_state */
	unsigned nstates;
};

/* The host behind a plugin's handle (or the host itself). */
static struct pxb_host *core_of(struct pxb_host *h)
{
	return h->core ? h->core : h;
}

/* Which plugin is acting: the handle's own, else the one being initialized. */
static int actor(const struct pxb_host *h)
{
	return h->core ? h->self : h->current;
}

pxb_host *pxb_host_new(pxb_vfs *vfs, pxb_log_fn log, void *log_arg)
{
	struct pxb_host *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->vfs = vfs;
	h->log = log;
	h->log_arg = log_arg;
	h->current = -1;
	h->self = -1;
	return h;
}

static void drop_services_of(struct pxb_host *h, int owner)
{
	unsigned j = 0;

	for (unsigned i = 0; i < h->nservices; i++)
		if (h->services[i].owner != owner)
			h->services[j++] = h->services[i];
	h->nservices = j;
}

static void fini_one(struct pxb_host *h, unsigned i)
{
	struct loaded *p = &h->plugins[i];

	if (!p->initialized)
		return;
	if (p->desc->fini)
		p->desc->fini(p->state);
	if (h->vfs)
		pxb_vfs_unmount_arg(h->vfs, p->state);
	drop_services_of(h, (int)i);
	p->initialized = 0;
	p->state = NULL;
}

void pxb_host_free(pxb_host *h)
{
	if (!h)
		return;
	/* Last loaded first: later plugins may use services of earlier ones. */
	for (unsigned i = h->nplugins; i-- > 0;)
		fini_one(h, i);
	for (unsigned i = 0; i < h->nplugins; i++) {
		if (h->plugins[i].dl)
			dlclose(h->plugins[i].dl);
		close(h->plugins[i].fd);
		free(h->plugins[i].path);
		free(h->plugins[i].handle);
	}
	free(h->plugins);
	free(h->services);
	pxb_events_free(h->events);
	for (unsigned i = h->nstates; i-- > 0;)
		h->states[i].fini(h->states[i].state);
	free(h);
}

void pxb_host_set_event_base(pxb_host *h, void *event_base)
{
	core_of(h)->event_base = event_base;
}

void *pxb_host_event_base(pxb_host *h)
{
	return core_of(h)->event_base;
}

pxb_vfs *pxb_host_vfs(pxb_host *h)
{
	return core_of(h)->vfs;
}

int pxb_host_mount(pxb_host *h, const char *prefix, const struct pxb_vfs_provider *p,
		   void *arg, unsigned flags)
{
	pxb_vfs *v = pxb_host_vfs(h);

	if (!v)
		return 0;
	pxb_vfs_unmount_arg(v, arg);
	return pxb_vfs_mount_provider(v, prefix, p, arg, flags);
}

void pxb_host_unmount(pxb_host *h, void *arg)
{
	pxb_vfs *v = pxb_host_vfs(h);

	if (v)
		pxb_vfs_unmount_arg(v, arg);
}

const pxb_conf *pxb_host_conf(pxb_host *h)
{
	return core_of(h)->conf;
}

void pxb_host_vlog(pxb_host *h, int level, const char *fmt, va_list ap)
{
	struct pxb_host *c = core_of(h);
	char msg[1024];
	const char *src = "pxeboot";
	int who = actor(h);

	if (!c->log)
		return;
	if (who >= 0 && (unsigned)who < c->nplugins)
		src = c->plugins[who].desc->name;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	c->log(c->log_arg, level, src, msg);
}

void pxb_host_log(pxb_host *h, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pxb_host_vlog(h, level, fmt, ap);
	va_end(ap);
}

/*
 * Whether st (of what the path names up to component comp) may hold
 * plugins: owned by root or by us, and writable by nobody else. A sticky
 * directory (/tmp) is allowed on the way, not as the plugin directory: no
 * one but its owner or root can rename or remove what is in it.
 */
static int trusted(const struct stat *st, int last_dir, const char *what, const char *shown,
		   char *why, size_t len)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(why, len, "%s %s belongs to uid %u (only root's or uid %u's are trusted)",
			 what, shown, (unsigned)st->st_uid, (unsigned)geteuid());
		return 0;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) &&
	    (!S_ISDIR(st->st_mode) || last_dir || !(st->st_mode & S_ISVTX))) {
		snprintf(why, len, "%s %s is writable by %s (mode %04o)", what, shown,
			 st->st_mode & S_IWOTH ? "everyone" : "its group",
			 (unsigned)(st->st_mode & 07777));
		return 0;
	}
	return 1;
}

/*
 * Opens directory dir, every component checked from / down: none may be a
 * symbolic link (each is opened with O_NOFOLLOW), and each must be
 * trusted(). "." and ".." are resolved in the text first, which is exact
 * when no component is a link. Returns the directory's descriptor, or -1
 * with why filled in.
 */
static int open_trusted_dir(const char *dir, char *why, size_t len)
{
	char abs[4096], norm[4096], *save = NULL, *c;
	size_t n = 0;
	struct stat st;
	int fd, nfd;

	if (dir[0] != '/' && !getcwd(norm, sizeof(norm))) {
		snprintf(why, len, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if ((size_t)snprintf(abs, sizeof(abs), "%s/%s", dir[0] == '/' ? "" : norm, dir) >=
	    sizeof(abs)) {
		snprintf(why, len, "%s: path too long", dir);
		return -1;
	}
	norm[0] = '\0';
	for (c = strtok_r(abs, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			while (n > 0 && norm[--n] != '/')
				;
			norm[n] = '\0';
			continue;
		}
		n += (size_t)snprintf(norm + n, sizeof(norm) - n, "/%s", c);
		if (n >= sizeof(norm)) {
			snprintf(why, len, "%s: path too long", dir);
			return -1;
		}
	}
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, len, "/: %s", strerror(errno));
		goto fail;
	}
	if (!trusted(&st, n == 0, "directory", "/", why, len))
		goto fail;
	for (char *p = norm; *p;) {
		char *slash = strchr(p + 1, '/'), shown[4096];

		if (slash)
			*slash = '\0';
		snprintf(shown, sizeof(shown), "%.*s", (int)(p - norm) + (int)strlen(p), norm);
		nfd = openat(fd, p + 1, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			if (fstatat(fd, p + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				snprintf(why, len, "%s is a symbolic link (name the real directory)",
					 shown);
			else
				snprintf(why, len, "%s: %s", shown, strerror(errno));
			goto fail;
		}
		close(fd);
		fd = nfd;
		if (fstat(fd, &st) < 0 || !trusted(&st, !slash, "directory", shown, why, len))
			goto fail;
		if (!slash)
			break;
		*slash = '/';
		p = slash;
	}
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * Opens plugin file NAME.so in dir for dlopen: a regular file, not a link,
 * trusted(), in a trusted directory chain. Returns its descriptor, or a
 * negative PXB_ERR_* with why filled in.
 *
 * The race closed: checking a path and then handing the same path to
 * dlopen lets whoever can change a directory on the way swap the file in
 * between. Here each component is opened without following links and
 * checked on its descriptor, and dlopen is given /proc/self/fd/N, the very
 * file checked. Where /proc is missing the path is loaded; the checks still
 * leave no one but root (or us) able to change what it names.
 */
static int open_trusted_plugin(const char *dir, const char *file, char *why, size_t len)
{
	struct stat st;
	int dfd = open_trusted_dir(dir, why, len), fd;

	if (dfd < 0)
		return errno == ENOENT ? PXB_ERR_NOENT : PXB_ERR_ACCESS;
	fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			snprintf(why, len, "%s/%s is a symbolic link (install the file itself)", dir,
				 file);
		else
			snprintf(why, len, "%s", strerror(e));
		close(dfd);
		return e == ENOENT ? PXB_ERR_NOENT : PXB_ERR_ACCESS;
	}
	close(dfd);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, len, "not a regular file");
		close(fd);
		return PXB_ERR_ACCESS;
	}
	if (!trusted(&st, 0, "file", file, why, len)) {
		close(fd);
		return PXB_ERR_ACCESS;
	}
	return fd;
}

int pxb_host_load(pxb_host *h, pxb_conf *conf, const char *dir, const char *name, char *err,
		  size_t errlen)
{
	char path[4096], file[300], why[4200], fdpath[64];
	void *dl;
	const struct pxb_plugin *d;
	struct loaded *np;
	int fd;

	for (unsigned i = 0; i < h->nplugins; i++)
		if (strcmp(h->plugins[i].desc->name, name) == 0) {
			snprintf(err, errlen, "plugin %s: listed twice", name);
			return PXB_ERR_EXIST;
		}
	if (strchr(name, '/') || !*name) {
		snprintf(err, errlen, "plugin \"%s\": a plugin name has no '/'", name);
		return PXB_ERR_INVAL;
	}
	snprintf(path, sizeof(path), "%s/%s.so", dir, name);
	snprintf(file, sizeof(file), "%s.so", name);
	fd = open_trusted_plugin(dir, file, why, sizeof(why));
	if (fd < 0) {
		snprintf(err, errlen, "plugin %s: cannot load %s: %s", name, path, why);
		return fd;
	}
	/*
	 * RTLD_LOCAL: plugins cannot see each other's symbols, only libpxeboot's.
	 * The descriptor stays open while the plugin is loaded, so no later
	 * plugin is given the same /proc/self/fd/N name (dlopen would take it
	 * for the one already loaded).
	 */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	dl = access(fdpath, F_OK) == 0 ? dlopen(fdpath, RTLD_NOW | RTLD_LOCAL)
				       : dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		snprintf(err, errlen, "plugin %s: cannot load %s: %s", name, path, dlerror());
		close(fd);
		return PXB_ERR_NOENT;
	}
	d = dlsym(dl, PXB_PLUGIN_SYMBOL);
	if (!d) {
		snprintf(err, errlen, "plugin %s: %s has no symbol %s: %s", name, path,
			 PXB_PLUGIN_SYMBOL, dlerror());
		dlclose(dl);
		close(fd);
		return PXB_ERR_INVAL;
	}
	if (d->abi != PXB_PLUGIN_ABI) {
		snprintf(err, errlen,
			 "plugin %s: %s was built for plugin ABI %u, this pxeboot speaks ABI %u",
			 name, path, (unsigned)d->abi, (unsigned)PXB_PLUGIN_ABI);
		dlclose(dl);
		close(fd);
		return PXB_ERR_ABI;
	}
	if (d->size < sizeof(struct pxb_plugin) || !d->name || !d->init) {
		snprintf(err, errlen, "plugin %s: %s has an incomplete descriptor (size %u, %s)",
			 name, path, (unsigned)d->size, !d->name ? "no name" : "no init");
		dlclose(dl);
		close(fd);
		return PXB_ERR_INVAL;
	}
	np = realloc(h->plugins, (h->nplugins + 1) * sizeof(*np));
	if (!np)
		goto nomem;
	h->plugins = np;
	np = &h->plugins[h->nplugins];
	memset(np, 0, sizeof(*np));
	np->dl = dl;
	np->fd = fd;
	np->desc = d;
	np->path = strdup(path);
	np->handle = calloc(1, sizeof(*np->handle));
	if (!np->path || !np->handle) {
		free(np->path);
		free(np->handle);
		goto nomem;
	}
	np->handle->core = h;
	np->handle->self = (int)h->nplugins;
	if (conf && d->settings &&
	    pxb_conf_add_schema(conf, d->section ? d->section : d->name, d->settings) < 0) {
		free(np->path);
		free(np->handle);
		goto nomem;
	}
	h->nplugins++;
	return 0;
nomem:
	snprintf(err, errlen, "plugin %s: out of memory", name);
	dlclose(dl);
	close(fd);
	return PXB_ERR_NOMEM;
}

/*
 * Calls plugin i's init, or its reload, with its section (a stand-in
 * answering the defaults when the file has none), attributed to it.
 */
static int call_plugin(struct pxb_host *h, unsigned i, const pxb_conf *conf, int reload)
{
	struct loaded *p = &h->plugins[i];
	const pxb_conf_node *sec =
		pxb_conf_section(conf, p->desc->section ? p->desc->section : p->desc->name);
	int rc;

	if (!sec)
		return PXB_ERR_NOMEM;
	h->current = (int)i;
	rc = reload ? p->desc->reload(p->state, sec) : p->desc->init(p->handle, sec, &p->state);
	h->current = -1;
	return rc;
}

int pxb_host_init_all(pxb_host *h, const pxb_conf *conf, char *err, size_t errlen)
{
	h->conf = conf;
	for (unsigned i = 0; i < h->nplugins; i++) {
		struct loaded *p = &h->plugins[i];
		int rc;

		if (p->initialized)
			continue;
		rc = call_plugin(h, i, conf, 0);
		if (rc < 0) {
			snprintf(err, errlen, "plugin %s: initialization failed: %s", p->desc->name,
				 pxb_strerror(rc));
			drop_services_of(h, (int)i);
			for (unsigned k = i; k-- > 0;)
				fini_one(h, k);
			return rc;
		}
		p->initialized = 1;
	}
	return 0;
}

/*
 * check took the place of reserved[0]: the descriptor keeps the size plugins
 * built before it have, and theirs holds NULL there (not asked).
 */
_Static_assert(sizeof(struct pxb_plugin) ==
		       offsetof(struct pxb_plugin, check) + 8 * sizeof(void *),
	       "struct pxb_plugin changed size: old plugins would be refused");

int pxb_host_check_all(pxb_host *h, const pxb_conf *conf, pxb_conf_report_fn report,
		       void *arg)
{
	int n = 0;

	for (unsigned i = 0; i < h->nplugins; i++) {
		const struct pxb_plugin *d = h->plugins[i].desc;
		const pxb_conf_node *sec;
		int rc;

		if (!d->check)
			continue;
		sec = pxb_conf_section(conf, d->section ? d->section : d->name);
		rc = sec ? d->check(sec, report, arg) : PXB_ERR_NOMEM;
		if (rc < 0) {
			pxb_conf_problem(report, arg, NULL, d->name, "cannot check: %s",
					 pxb_strerror(rc));
			return rc;
		}
		n += rc;
	}
	return n;
}

int pxb_host_reload_all(pxb_host *h, const pxb_conf *conf, char *err, size_t errlen)
{
	h->conf = conf;
	for (unsigned i = 0; i < h->nplugins; i++) {
		struct loaded *p = &h->plugins[i];
		int rc;

		if (!p->initialized || !p->desc->reload)
			continue;
		rc = call_plugin(h, i, conf, 1);
		if (rc < 0) {
			snprintf(err, errlen, "plugin %s: reload failed: %s", p->desc->name,
				 pxb_strerror(rc));
			return rc;
		}
	}
	return 0;
}

/* A plugin's handle answers for the host, as every other host function does. */
unsigned pxb_host_plugin_count(const pxb_host *hh)
{
	const struct pxb_host *h = hh->core ? hh->core : hh;

	return h->nplugins;
}

const struct pxb_plugin *pxb_host_plugin(const pxb_host *hh, unsigned i)
{
	const struct pxb_host *h = hh->core ? hh->core : hh;

	return i < h->nplugins ? h->plugins[i].desc : NULL;
}

int pxb_host_register(pxb_host *hh, enum pxb_service kind, const char *name, const void *iface,
		      void *arg)
{
	struct pxb_host *h = core_of(hh);
	struct service *s;

	if (!name || strlen(name) >= sizeof(s->name))
		return PXB_ERR_INVAL;
	for (unsigned i = 0; i < h->nservices; i++)
		if (h->services[i].kind == kind && strcmp(h->services[i].name, name) == 0)
			return PXB_ERR_EXIST;
	s = realloc(h->services, (h->nservices + 1) * sizeof(*s));
	if (!s)
		return PXB_ERR_NOMEM;
	h->services = s;
	s = &h->services[h->nservices++];
	s->kind = kind;
	pxb_strlcpy(s->name, name, sizeof(s->name));
	s->iface = iface;
	s->arg = arg;
	s->owner = actor(hh);
	return 0;
}

const void *pxb_host_find(pxb_host *hh, enum pxb_service kind, const char *name, void **arg)
{
	struct pxb_host *h = core_of(hh);

	for (unsigned i = 0; i < h->nservices; i++)
		if (h->services[i].kind == kind && strcmp(h->services[i].name, name) == 0) {
			if (arg)
				*arg = h->services[i].arg;
			return h->services[i].iface;
		}
	return NULL;
}

void pxb_host_each(pxb_host *hh, enum pxb_service kind,
		   void (*fn)(void *fnarg, const char *name, const void *iface, void *arg),
		   void *fnarg)
{
	struct pxb_host *h = core_of(hh);

	for (unsigned i = 0; i < h->nservices; i++)
		if (h->services[i].kind == kind)
			fn(fnarg, h->services[i].name, h->services[i].iface, h->services[i].arg);
}

struct pxb_events *pxb_host_events(pxb_host *hh)
{
	struct pxb_host *h = core_of(hh);

	if (!h->events)
		h->events = pxb_events_new(0, 0);
	return h->events;
}

struct pxb_lease_store *pxb_host_leases(pxb_host *hh)
{
	return core_of(hh)->leases;
}

void pxb_host_set_leases(pxb_host *hh, struct pxb_lease_store *leases)
{
	core_of(hh)->leases = leases;
}

void *pxb__host_state(pxb_host *hh, const void *key, void *(*make)(void), void (*fini)(void *))
{
	struct pxb_host *h = core_of(hh);
	void *state;

	for (unsigned i = 0; i < h->nstates; i++)
		if (h->states[i].key == key)
			return h->states[i].state;
	if (!make || h->nstates == PXB_HOST_STATES || !(state = make()))
		return NULL;
	h->states[h->nstates].key = key;
	h->states[h->nstates].state = state;
	h->states[h->nstates].fini = fini;
	h->nstates++;
	return state;
}
