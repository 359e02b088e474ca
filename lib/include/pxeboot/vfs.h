/*
 * pxeboot/vfs.h - one namespace of files for TFTP and HTTP.
 *
 * A path is resolved against mounts: directories on disk (never anything
 * outside the mounted directory, symlinks included) and providers that make
 * files on demand (generated menus, files inside ISO images). A leading '/'
 * means the root, repeated slashes collapse and '\' is a separator (old PXE
 * clients send it); ".." that would climb above the root, NUL bytes and
 * overlong names are refused with PXB_ERR_ACCESS. Only regular files are
 * opened (never a FIFO or a device, which could block or have side effects),
 * and a path with a component starting with '.' is not served unless
 * pxb_vfs_serve_dotfiles() allows it.
 */
#ifndef PXEBOOT_VFS_H
#define PXEBOOT_VFS_H

#include <stdint.h>
#include <sys/types.h>
#include <pxeboot/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PXB_VFS_PATH_MAX 1024

typedef struct pxb_vfs pxb_vfs;

/*
 * An open file. Either fd-backed (fd >= 0: bytes [fd_offset, fd_offset+size)
 * of the descriptor, usable with sendfile/pread) or memory-backed (data).
 * Both are read the same way with pxb_file_read().
 */
struct pxb_file {
	uint64_t size;
	int64_t mtime;        /* seconds since the epoch, 0 if unknown */
	int fd;               /* -1 for memory files */
	uint64_t fd_offset;
	const uint8_t *data;  /* memory files */
	int generated;        /* made for this request (menus): never cached */
	const char *content_type; /* NULL: guessed from the name */
	/* private: how to release */
	void (*release)(struct pxb_file *f);
	void *priv;
};

/* A directory entry for listings. */
struct pxb_dirent {
	char name[256];
	int is_dir;
	uint64_t size;
	int64_t mtime;
};

/*
 * A provider answers paths under its prefix (the path it receives is
 * relative to the prefix, normalized, without a leading '/').
 * open: fill *f (fd or data, size, release) and return 0, or PXB_ERR_NOENT /
 * PXB_ERR_ACCESS. list (optional): call fn for each entry of a directory.
 *
 * Threads: open, list and exists are called on the daemon's event loop, as
 * every plugin callback is. The file they open is not read there: pxebootd
 * reads a TFTP transfer's file from its transfer thread (pxb_file_read(),
 * while the loop goes on), and releases it back on the loop once the
 * transfer ends. So an open file is read by another thread than the one
 * that opened it, and until its release must stay as it is: its bytes (the
 * data a memory file points at, the descriptor of an fd-backed one) may not
 * be changed, freed or closed by the provider, and whatever state the
 * provider changes on the loop afterwards (a reload, an unmount) must not be
 * what the file reads. A file that owns its bytes (pxb_file_from_buffer()
 * copies; a descriptor of its own) meets this by itself.
 */
struct pxb_vfs_provider {
	const char *name;
	int (*open)(void *arg, const char *relpath, const struct pxb_client *client,
		    struct pxb_file *f);
	int (*list)(void *arg, const char *relpath,
		    void (*fn)(void *fnarg, const struct pxb_dirent *e), void *fnarg);
	int (*exists)(void *arg, const char *relpath); /* 1, 0; optional */
};

/* Mount flags. */
#define PXB_VFS_TFTP 0x1u /* visible to TFTP */
#define PXB_VFS_HTTP 0x2u /* visible to HTTP */
#define PXB_VFS_ALL (PXB_VFS_TFTP | PXB_VFS_HTTP)

/* Creates an empty namespace. NULL when out of memory. */
PXB_API pxb_vfs *pxb_vfs_new(void);
PXB_API void pxb_vfs_free(pxb_vfs *v);

/*
 * Mounts directory dir at prefix ("/" or "/boot") for the protocols in flags.
 * The directory is opened now (O_PATH) and kept; later lookups are made
 * beneath that descriptor. Returns 0, PXB_ERR_NOENT (no such directory),
 * PXB_ERR_NOMEM, PXB_ERR_INVAL (bad prefix).
 */
PXB_API int pxb_vfs_mount_dir(pxb_vfs *v, const char *prefix, const char *dir, unsigned flags);

/* As pxb_vfs_mount_dir, tagged with owner so pxb_vfs_unmount_arg(v, owner) removes it. */
PXB_API int pxb_vfs_mount_dir_arg(pxb_vfs *v, const char *prefix, const char *dir,
				  unsigned flags, void *owner);

/*
 * Mounts a provider at prefix. A provider at a longer prefix wins over a
 * directory at a shorter one; at the same prefix the last mounted wins.
 * A provider may also be mounted to answer single names ("/boot.ipxe").
 * Returns 0, PXB_ERR_NOMEM, PXB_ERR_INVAL.
 */
PXB_API int pxb_vfs_mount_provider(pxb_vfs *v, const char *prefix,
				   const struct pxb_vfs_provider *p, void *arg, unsigned flags);

/*
 * Whether paths with a component starting with '.' (".git/config",
 * "boot/.secret") are served and listed; off in a new namespace (they answer
 * PXB_ERR_NOENT, as if absent).
 */
PXB_API void pxb_vfs_serve_dotfiles(pxb_vfs *v, int on);

/*
 * Files of directory mounts opened for a protocol in protos (PXB_VFS_TFTP,
 * ...; 0: none, as in a new namespace) are served only when the effective
 * user owns them, or, when that is root, when they are readable by all
 * (dnsmasq's tftp-secure). Others answer PXB_ERR_ACCESS. Providers' files
 * are not concerned.
 */
PXB_API void pxb_vfs_secure(pxb_vfs *v, unsigned protos);

/* Removes every mount whose owner (provider argument) is arg. */
PXB_API void pxb_vfs_unmount_arg(pxb_vfs *v, void *arg);

/*
 * Normalizes a requested path into out ("/a/b"): separators '/' and '\',
 * repeated separators collapse, "." dropped, ".." pops a component.
 * Returns 0, PXB_ERR_ACCESS (climbs above the root, NUL byte, control
 * characters) or PXB_ERR_TOOBIG (longer than PXB_VFS_PATH_MAX or a component
 * longer than 255 bytes). in need not be NUL-terminated: inlen bytes.
 */
PXB_API int pxb_vfs_normalize(const char *in, size_t inlen, char *out, size_t outlen);

/*
 * Opens path for a protocol (PXB_VFS_TFTP or PXB_VFS_HTTP) on behalf of
 * client (may be NULL). Directories are not opened (PXB_ERR_ACCESS; use
 * pxb_vfs_list), nor anything but regular files (PXB_ERR_ACCESS, without
 * blocking on a FIFO). Returns 0 and fills *f, or PXB_ERR_NOENT, PXB_ERR_ACCESS,
 * PXB_ERR_TOOBIG, PXB_ERR_IO, PXB_ERR_NOMEM.
 */
PXB_API int pxb_vfs_open(pxb_vfs *v, const char *path, unsigned proto,
			 const struct pxb_client *client, struct pxb_file *f);

/* Releases an open file. */
PXB_API void pxb_file_close(struct pxb_file *f);

/*
 * A descriptor of a file on disk (f->fd >= 0) for the caller to keep and
 * close, e.g. to hand to a library that sends it with sendfile(2): the
 * file's own descriptor when it has no other use for it (f->fd becomes -1),
 * else a duplicate (O_CLOEXEC). The data's place is still f->fd_offset on
 * it. Returns the descriptor, or -1 with errno set (EBADF for a memory
 * file). The file is still released with pxb_file_close().
 */
PXB_API int pxb_file_take_fd(struct pxb_file *f);

/* Reads up to len bytes at off; returns bytes read (0 at end) or PXB_ERR_IO. */
PXB_API int64_t pxb_file_read(const struct pxb_file *f, uint64_t off, void *buf, size_t len);

/*
 * Lists the directory at path (sorted by name). Returns 0, PXB_ERR_NOENT (no
 * mount lists it: absent, not a directory, not allowed, a dot file),
 * PXB_ERR_ACCESS or PXB_ERR_TOOBIG (path refused by pxb_vfs_normalize),
 * PXB_ERR_NOMEM.
 */
PXB_API int pxb_vfs_list(pxb_vfs *v, const char *path, unsigned proto,
			 void (*fn)(void *arg, const struct pxb_dirent *e), void *arg);

/* Is path a directory in the namespace? 1, 0. */
PXB_API int pxb_vfs_is_dir(pxb_vfs *v, const char *path, unsigned proto);

/* Guesses a Content-Type from a file name. */
PXB_API const char *pxb_mime_type(const char *name);

/* A memory file owning data, which came from malloc(): freed when the file is closed. */
PXB_API void pxb_file_take_buffer(struct pxb_file *f, void *data, size_t len);

/* A memory file holding a copy of data (for providers). Returns 0 or PXB_ERR_NOMEM. */
PXB_API int pxb_file_from_buffer(struct pxb_file *f, const void *data, size_t len, int copy);

#ifdef __cplusplus
}
#endif
#endif
