/*
 * vfs.c - the file namespace: mounts, safe opening beneath a directory,
 * listings, memory files.
 *
 * Opening uses openat2(2) with RESOLVE_BENEATH, so the kernel itself refuses
 * any path, ".." or symlink that would leave the mounted directory. Where
 * openat2 is missing (kernels before 5.6) the file is opened and its real
 * path checked against the root's before it is used.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#endif

#include <pxeboot/vfs.h>
#include "internal.h"
#include "vfs_path.h"

struct mount {
	char prefix[PXB_VFS_PATH_MAX];
	unsigned flags;
	int dirfd;            /* directory mounts */
	char *dirpath;        /* its real path, for the fallback check */
	const struct pxb_vfs_provider *prov;
	void *arg;
	unsigned seq;         /* mount order, later wins at equal prefix */
};

struct pxb_vfs {
	struct mount *m;
	unsigned n;
	unsigned seq;
	int dotfiles;         /* serve names starting with '.' */
	unsigned secure;      /* protocols served only files of our own (pxb_vfs_secure) */
};

pxb_vfs *pxb_vfs_new(void)
{
	return calloc(1, sizeof(struct pxb_vfs));
}

static void mount_release(struct mount *m)
{
	if (m->dirfd >= 0)
		close(m->dirfd);
	free(m->dirpath);
}

void pxb_vfs_free(pxb_vfs *v)
{
	if (!v)
		return;
	for (unsigned i = 0; i < v->n; i++)
		mount_release(&v->m[i]);
	free(v->m);
	free(v);
}

/* Longest prefix first; at equal length the most recent first. */
static int mount_cmp(const void *a, const void *b)
{
	const struct mount *x = a, *y = b;
	size_t lx = strlen(x->prefix), ly = strlen(y->prefix);

	if (lx != ly)
		return lx > ly ? -1 : 1;
	return x->seq > y->seq ? -1 : 1;
}

static int add_mount(pxb_vfs *v, const char *prefix, struct mount *nm)
{
	struct mount *m;

	if (pxb_vfs_normalize(prefix, strlen(prefix), nm->prefix, sizeof(nm->prefix)) < 0)
		return PXB_ERR_INVAL;
	m = realloc(v->m, (v->n + 1) * sizeof(*m));
	if (!m)
		return PXB_ERR_NOMEM;
	v->m = m;
	nm->seq = ++v->seq;
	v->m[v->n++] = *nm;
	qsort(v->m, v->n, sizeof(*v->m), mount_cmp);
	return 0;
}

int pxb_vfs_mount_dir(pxb_vfs *v, const char *prefix, const char *dir, unsigned flags)
{
	return pxb_vfs_mount_dir_arg(v, prefix, dir, flags, NULL);
}

int pxb_vfs_mount_dir_arg(pxb_vfs *v, const char *prefix, const char *dir, unsigned flags,
			  void *owner)
{
	struct mount nm = {.dirfd = -1, .flags = flags, .arg = owner};
	int rc;

	nm.dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (nm.dirfd < 0)
		return errno == ENOMEM ? PXB_ERR_NOMEM : PXB_ERR_NOENT;
	nm.dirpath = realpath(dir, NULL);
	if (!nm.dirpath) {
		close(nm.dirfd);
		return PXB_ERR_NOENT;
	}
	rc = add_mount(v, prefix, &nm);
	if (rc < 0)
		mount_release(&nm);
	return rc;
}

int pxb_vfs_mount_provider(pxb_vfs *v, const char *prefix, const struct pxb_vfs_provider *p,
			   void *arg, unsigned flags)
{
	struct mount nm = {.dirfd = -1, .flags = flags, .prov = p, .arg = arg};

	if (!p || !p->open)
		return PXB_ERR_INVAL;
	return add_mount(v, prefix, &nm);
}

void pxb_vfs_serve_dotfiles(pxb_vfs *v, int on)
{
	v->dotfiles = !!on;
}

void pxb_vfs_secure(pxb_vfs *v, unsigned protos)
{
	v->secure = protos;
}

/*
 * Whether a file passes pxb_vfs_secure()'s test: ours, or when we are root
 * readable by all (dnsmasq's tftp-secure, src/tftp.c).
 */
static int owned(const struct stat *st)
{
	uid_t uid = geteuid();

	return uid == 0 ? (st->st_mode & S_IROTH) != 0 : st->st_uid == uid;
}

/* Does a component of the normalized path start with '.'? */
static int has_dot_component(const char *norm)
{
	for (const char *p = norm; (p = strchr(p, '/')) != NULL; p++)
		if (p[1] == '.')
			return 1;
	return 0;
}

/*
 * The path a lookup (open, list) looks for, normalized into norm (room for
 * PXB_VFS_PATH_MAX + 1): 0, pxb_vfs_normalize()'s error, or PXB_ERR_NOENT
 * for a hidden name while dotfiles are off (as if it were not there).
 */
static int lookup_path(const pxb_vfs *v, const char *path, char *norm)
{
	int rc = pxb_vfs_normalize(path, strlen(path), norm, PXB_VFS_PATH_MAX + 1);

	if (rc < 0)
		return rc;
	return !v->dotfiles && has_dot_component(norm) ? PXB_ERR_NOENT : 0;
}

void pxb_vfs_unmount_arg(pxb_vfs *v, void *arg)
{
	unsigned j = 0;

	for (unsigned i = 0; i < v->n; i++) {
		if (arg && v->m[i].arg == arg)
			mount_release(&v->m[i]);
		else
			v->m[j++] = v->m[i];
	}
	v->n = j;
}

/* Opens rel beneath dirfd; never follows anything out of it. */
static int open_beneath(const struct mount *m, const char *rel, int flags)
{
	const char *p = *rel ? rel : ".";
	int fd;
#if defined(HAVE_LINUX_OPENAT2_H) && defined(SYS_openat2)
	struct open_how how = {
		/* openat2 refuses O_NOCTTY together with O_PATH. */
		.flags = (uint64_t)(flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY)),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};

	fd = (int)syscall(SYS_openat2, m->dirfd, p, &how, sizeof(how));
	if (fd >= 0 || errno != ENOSYS)
		return fd;
#endif
	/* Fallback: open, then check where the descriptor really points. */
	fd = openat(m->dirfd, p, flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY));
	if (fd >= 0) {
		char link[64], real[PATH_MAX];
		ssize_t n;
		size_t rl = strlen(m->dirpath);

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, real, sizeof(real) - 1);
		if (n < 0)
			goto escape;
		real[n] = '\0';
		if (strncmp(real, m->dirpath, rl) != 0 ||
		    (real[rl] != '/' && real[rl] != '\0' && rl > 1))
			goto escape;
	}
	return fd;
escape:
	close(fd);
	errno = EXDEV;
	return -1;
}

static int errno_to_pxb(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return PXB_ERR_NOENT;
	case EXDEV:   /* RESOLVE_BENEATH: the path would leave the root */
	case ELOOP:
	case EACCES:
	case EPERM:
		return PXB_ERR_ACCESS;
	case ENAMETOOLONG:
		return PXB_ERR_TOOBIG;
	case ENOMEM:
		return PXB_ERR_NOMEM;
	}
	return PXB_ERR_IO;
}

static void release_fd(struct pxb_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/*
 * Opens a regular file only. O_NONBLOCK: opening a FIFO for reading would
 * otherwise wait for a writer, and with it every protocol on the loop; the
 * flag is dropped again once fstat says it is a regular file.
 */
static int open_in_dir(const struct mount *m, const char *rel, int secure, struct pxb_file *f)
{
	struct stat st;
	int fd = open_beneath(m, rel, O_RDONLY | O_NONBLOCK), fl;

	if (fd < 0)
		return errno_to_pxb(errno);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return PXB_ERR_IO;
	}
	if (!S_ISREG(st.st_mode) || (secure && !owned(&st))) {
		close(fd);
		return PXB_ERR_ACCESS; /* directories, FIFOs, devices, sockets; not ours */
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		close(fd);
		return PXB_ERR_IO;
	}
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->size = (uint64_t)st.st_size;
	f->mtime = st.st_mtime;
	f->release = release_fd;
	return 0;
}

/*
 * Mount i when it serves proto (else NULL), with *rel the rest of norm below
 * its prefix, NULL when norm is not under it.
 */
static const struct mount *mount_at(const pxb_vfs *v, unsigned i, unsigned proto,
				    const char *norm, const char **rel)
{
	const struct mount *m = &v->m[i];

	*rel = NULL;
	if (!(m->flags & proto))
		return NULL;
	*rel = pxb__vfs_under(norm, m->prefix);
	return m;
}

int pxb_vfs_open(pxb_vfs *v, const char *path, unsigned proto, const struct pxb_client *client,
		 struct pxb_file *f)
{
	char norm[PXB_VFS_PATH_MAX + 1];
	int rc, best = PXB_ERR_NOENT;

	rc = lookup_path(v, path, norm);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < v->n; i++) {
		const char *rel;
		const struct mount *m = mount_at(v, i, proto, norm, &rel);

		if (!m || !rel)
			continue;
		if (m->prov) {
			memset(f, 0, sizeof(*f));
			f->fd = -1;
			rc = m->prov->open(m->arg, rel, client, f);
		} else {
			rc = open_in_dir(m, rel, (proto & v->secure) != 0, f);
		}
		if (rc == 0)
			return 0;
		/* A refusal is final; "not here" lets a shorter mount answer. */
		if (rc != PXB_ERR_NOENT)
			return rc;
	}
	return best;
}

void pxb_file_close(struct pxb_file *f)
{
	if (f && f->release)
		f->release(f);
	if (f)
		f->release = NULL;
}

int pxb_file_take_fd(struct pxb_file *f)
{
	int fd;

	if (!f || f->fd < 0) {
		errno = EBADF;
		return -1;
	}
	/* The file's own descriptor when closing it is all the release does;
	 * a provider's (an ISO image shared by its files) is duplicated. */
	if (f->release != release_fd)
		return fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
	fd = f->fd;
	f->fd = -1;
	return fd;
}

int64_t pxb_file_read(const struct pxb_file *f, uint64_t off, void *buf, size_t len)
{
	ssize_t n;

	if (off >= f->size)
		return 0;
	if (len > f->size - off)
		len = (size_t)(f->size - off);
	if (f->fd < 0) {
		memcpy(buf, f->data + off, len);
		return (int64_t)len;
	}
	do
		n = pread(f->fd, buf, len, (off_t)(f->fd_offset + off));
	while (n < 0 && errno == EINTR);
	return n < 0 ? PXB_ERR_IO : (int64_t)n;
}

static void release_mem(struct pxb_file *f)
{
	free(f->priv);
	f->priv = NULL;
	f->data = NULL;
}

void pxb_file_take_buffer(struct pxb_file *f, void *data, size_t len)
{
	pxb_file_from_buffer(f, data, len, 0);
	f->priv = data;
	f->release = release_mem;
}

int pxb_file_from_buffer(struct pxb_file *f, const void *data, size_t len, int copy)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->size = len;
	if (copy) {
		void *p = malloc(len ? len : 1);
		if (!p)
			return PXB_ERR_NOMEM;
		memcpy(p, data, len);
		f->priv = p;
		f->data = p;
		f->release = release_mem;
	} else {
		f->data = data;
	}
	return 0;
}

/* ---- listings --------------------------------------------------------- */

struct listing {
	struct pxb_dirent *e;
	unsigned n, cap;
	int failed;
};

static void list_add(void *arg, const struct pxb_dirent *d)
{
	struct listing *l = arg;

	for (unsigned i = 0; i < l->n; i++)
		if (strcmp(l->e[i].name, d->name) == 0)
			return; /* an earlier (longer or newer) mount shadows it */
	if (l->n == l->cap) {
		unsigned cap = l->cap ? l->cap * 2 : 32;
		struct pxb_dirent *ne = realloc(l->e, cap * sizeof(*ne));
		if (!ne) {
			l->failed = 1;
			return;
		}
		l->e = ne;
		l->cap = cap;
	}
	l->e[l->n++] = *d;
}

static int list_dir(const struct mount *m, const char *rel, struct listing *l, int dotfiles)
{
	int fd = open_beneath(m, rel, O_RDONLY | O_DIRECTORY);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return errno_to_pxb(errno);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return PXB_ERR_IO;
	}
	while ((de = readdir(d)) != NULL) {
		struct pxb_dirent e;
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (de->d_name[0] == '.' && !dotfiles))
			continue; /* hidden files unless served, . and .. never */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			/* List a symlink only if it resolves inside the root. */
			char sub[PXB_VFS_PATH_MAX + 260];
			int sfd;
			snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
			sfd = open_beneath(m, sub, O_PATH);
			if (sfd < 0 || fstat(sfd, &st) < 0) {
				if (sfd >= 0)
					close(sfd);
				continue;
			}
			close(sfd);
		}
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			continue;
		memset(&e, 0, sizeof(e));
		pxb_strlcpy(e.name, de->d_name, sizeof(e.name));
		e.is_dir = S_ISDIR(st.st_mode);
		e.size = (uint64_t)st.st_size;
		e.mtime = st.st_mtime;
		list_add(l, &e);
	}
	closedir(d);
	return 0;
}

static int dirent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pxb_dirent *)a)->name, ((const struct pxb_dirent *)b)->name);
}

int pxb_vfs_list(pxb_vfs *v, const char *path, unsigned proto,
		 void (*fn)(void *arg, const struct pxb_dirent *e), void *arg)
{
	char norm[PXB_VFS_PATH_MAX + 1];
	struct listing l = {0};
	int rc, found = 0;

	rc = lookup_path(v, path, norm);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < v->n; i++) {
		const char *rel;
		const struct mount *m = mount_at(v, i, proto, norm, &rel);

		if (!m)
			continue;
		if (rel) {
			if (m->prov) {
				if (m->prov->list && m->prov->list(m->arg, rel, list_add, &l) == 0)
					found = 1;
			} else if (list_dir(m, rel, &l, v->dotfiles) == 0) {
				found = 1;
			}
			continue;
		}
		/* A mount point directly below path shows as a directory. */
		rel = pxb__vfs_under(m->prefix, norm);
		if (rel && *rel && !strchr(rel, '/')) {
			struct pxb_dirent e = {.is_dir = 1};
			pxb_strlcpy(e.name, rel, sizeof(e.name));
			list_add(&l, &e);
			found = 1;
		}
	}
	if (l.failed) {
		free(l.e);
		return PXB_ERR_NOMEM;
	}
	if (!found) {
		free(l.e);
		return PXB_ERR_NOENT;
	}
	qsort(l.e, l.n, sizeof(*l.e), dirent_cmp);
	for (unsigned i = 0; i < l.n; i++)
		fn(arg, &l.e[i]);
	free(l.e);
	return 0;
}

static void count_one(void *arg, const struct pxb_dirent *e)
{
	(void)e;
	(*(unsigned *)arg)++;
}

int pxb_vfs_is_dir(pxb_vfs *v, const char *path, unsigned proto)
{
	unsigned n = 0;

	return pxb_vfs_list(v, path, proto, count_one, &n) == 0;
}

const char *pxb_mime_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
		{".txt", "text/plain; charset=utf-8"}, {".cfg", "text/plain; charset=utf-8"},
		{".ipxe", "text/plain; charset=utf-8"}, {".sha512", "text/plain; charset=utf-8"},
		{".json", "application/json"},        {".iso", "application/x-iso9660-image"},
		{".efi", "application/efi"},          {".img", "application/octet-stream"},
		{".sfs", "application/octet-stream"}, {".gz", "application/gzip"},
		{".xz", "application/x-xz"},          {".zst", "application/zstd"},
		{".css", "text/css"},                 {".png", "image/png"},
	};
	size_t nl = strlen(name);

	for (size_t i = 0; i < PXB_ARRAY_LEN(types); i++) {
		size_t el = strlen(types[i].ext);
		if (nl >= el && strcasecmp(name + nl - el, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}
