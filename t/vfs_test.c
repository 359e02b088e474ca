/*
 * vfs_test.c - the file namespace: normalization, mounts, escapes refused,
 * FIFOs refused without waiting for a writer, dotfiles hidden unless allowed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pxeboot/vfs.h>
#include "tap.h"

static const struct {
	const char *in;
	size_t len; /* 0: strlen */
	int rc;
	const char *out;
} norm_cases[] = {
	{"pxelinux.0", 0, 0, "/pxelinux.0"},
	{"/pxelinux.0", 0, 0, "/pxelinux.0"},
	{"//grub///grub.cfg", 0, 0, "/grub/grub.cfg"},
	{"\\boot\\x86\\wdsnbp.com", 0, 0, "/boot/x86/wdsnbp.com"},
	{"a/./b/../c", 0, 0, "/a/c"},
	{"a/b/..", 0, 0, "/a"},
	{"", 0, 0, "/"},
	{"/", 0, 0, "/"},
	{"..", 0, PXB_ERR_ACCESS, NULL},
	{"/../etc/passwd", 0, PXB_ERR_ACCESS, NULL},
	{"a/../../etc", 0, PXB_ERR_ACCESS, NULL},
	{"..\\..\\windows", 0, PXB_ERR_ACCESS, NULL},
	{"a\0b", 3, PXB_ERR_ACCESS, NULL},
	{"a\nb", 0, PXB_ERR_ACCESS, NULL},
	{"...", 0, 0, "/..."},
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static int gen_open(void *arg, const char *rel, const struct pxb_client *c, struct pxb_file *f)
{
	(void)arg;
	(void)c;
	if (strcmp(rel, "menu.ipxe") != 0)
		return PXB_ERR_NOENT;
	return pxb_file_from_buffer(f, "#!ipxe\n", 7, 1);
}

static const struct pxb_vfs_provider gen = {.name = "gen", .open = gen_open};

static void count(void *arg, const struct pxb_dirent *e)
{
	char *names = arg;

	strcat(names, e->name);
	strcat(names, e->is_dir ? "/ " : " ");
}

static void put_under(const char *dir, const char *rel, const char *text)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/root/%s", dir, rel);
	if (text)
		write_file(p, text);
	else
		mkdir(p, 0755);
}

/* Only regular files are opened, and never by waiting: a FIFO would hold the caller's loop. */
static void test_fifo(pxb_vfs *v, const char *dir)
{
	char p[600];
	struct pxb_file f;

	snprintf(p, sizeof(p), "%s/root/boot/fifo", dir);
	ok(mkfifo(p, 0644) == 0, "a FIFO in the served tree");
	alarm(5); /* opening it for reading without O_NONBLOCK waits for a writer: killed here */
	is_int(pxb_vfs_open(v, "boot/fifo", PXB_VFS_HTTP, NULL, &f), PXB_ERR_ACCESS,
	       "a FIFO is refused, without blocking");
	is_int(pxb_vfs_open(v, "boot/fifo", PXB_VFS_TFTP, NULL, &f), PXB_ERR_ACCESS,
	       "... for TFTP too");
	alarm(0);
	is_int(pxb_vfs_open(v, "boot/file.txt", PXB_VFS_HTTP, NULL, &f), 0,
	       "a regular file still opens");
	ok(!(fcntl(f.fd, F_GETFL) & O_NONBLOCK), "... with a blocking descriptor (for sendfile)");
	pxb_file_close(&f);
}

static void test_dotfiles(pxb_vfs *v, const char *dir)
{
	static const char *const hidden[][2] = {
		{".htpasswd", "a dotfile is not served by default"},
		{"/.git/config", "nor a file in a dot-directory"},
		{"boot/.hidden", "nor a dotfile below the root"},
		{"boot/x/../../.git/config", "nor one reached through .."},
	};
	char names[1024] = "";
	struct pxb_file f;

	put_under(dir, ".htpasswd", "admin:x");
	put_under(dir, ".git", NULL);
	put_under(dir, ".git/config", "[core]");
	put_under(dir, "boot/.hidden", "h");
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		is_int(pxb_vfs_open(v, hidden[i][0], i % 2 ? PXB_VFS_TFTP : PXB_VFS_HTTP, NULL, &f),
		       PXB_ERR_NOENT, "%s (%s)", hidden[i][1], hidden[i][0]);
	is_int(pxb_vfs_list(v, "/.git", PXB_VFS_HTTP, count, names), PXB_ERR_NOENT,
	       "a dot-directory is not listed");
	is_int(pxb_vfs_list(v, "/", PXB_VFS_TFTP, count, names), 0, "list the root");
	is_str(names, "boot/ gen/ inside ", "dotfiles left out of listings");

	pxb_vfs_serve_dotfiles(v, 1);
	is_int(pxb_vfs_open(v, "/.git/config", PXB_VFS_HTTP, NULL, &f), 0,
	       "served when the setting allows");
	pxb_file_close(&f);
	is_int(pxb_vfs_open(v, "boot/.hidden", PXB_VFS_TFTP, NULL, &f), 0, "... below the root too");
	pxb_file_close(&f);
	names[0] = '\0';
	is_int(pxb_vfs_list(v, "/", PXB_VFS_TFTP, count, names), 0, "list the root again");
	is_str(names, ".git/ .htpasswd boot/ gen/ inside ", "... dotfiles listed");
	pxb_vfs_serve_dotfiles(v, 0);
}

int main(void)
{
	char out[PXB_VFS_PATH_MAX + 1], tmpl[] = "/tmp/vfs_test.XXXXXX", p[512], big[2000];
	char names[1024] = "";
	const char *dir;
	pxb_vfs *v;
	struct pxb_file f;
	char buf[64];

	plan_lazy();
	for (size_t i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		size_t len = norm_cases[i].len ? norm_cases[i].len : strlen(norm_cases[i].in);
		int rc = pxb_vfs_normalize(norm_cases[i].in, len, out, sizeof(out));
		is_int(rc, norm_cases[i].rc, "normalize case %zu rc", i);
		if (rc == 0 && norm_cases[i].out)
			is_str(out, norm_cases[i].out, "normalize case %zu", i);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(pxb_vfs_normalize(big, strlen(big), out, sizeof(out)), PXB_ERR_TOOBIG,
	       "overlong path refused");
	memset(big, 'a', 300);
	big[300] = '\0';
	is_int(pxb_vfs_normalize(big, 300, out, sizeof(out)), PXB_ERR_TOOBIG,
	       "overlong component refused");

	dir = mkdtemp(tmpl);
	snprintf(p, sizeof(p), "%s/root", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/root/boot", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/root/boot/file.txt", dir);
	write_file(p, "hello");
	snprintf(p, sizeof(p), "%s/secret", dir);
	write_file(p, "secret");
	snprintf(p, sizeof(p), "%s/root/up", dir);
	symlink("../secret", p);
	snprintf(p, sizeof(p), "%s/root/abs", dir);
	symlink("/etc/passwd", p);
	snprintf(p, sizeof(p), "%s/root/inside", dir);
	symlink("boot/file.txt", p);

	v = pxb_vfs_new();
	snprintf(p, sizeof(p), "%s/root", dir);
	is_int(pxb_vfs_mount_dir(v, "/", p, PXB_VFS_ALL), 0, "mount a directory");
	is_int(pxb_vfs_mount_dir(v, "/x", "/nonexistent-dir", PXB_VFS_ALL), PXB_ERR_NOENT,
	       "mounting a missing directory fails");
	is_int(pxb_vfs_mount_provider(v, "/gen", &gen, NULL, PXB_VFS_TFTP), 0, "mount a provider");

	is_int(pxb_vfs_open(v, "boot/file.txt", PXB_VFS_TFTP, NULL, &f), 0, "open a file");
	is_int(f.size, 5, "its size");
	memset(buf, 0, sizeof(buf));
	is_int(pxb_file_read(&f, 1, buf, sizeof(buf)), 4, "read at an offset");
	is_str(buf, "ello", "bytes read");
	pxb_file_close(&f);

	is_int(pxb_vfs_open(v, "boot/file.txt", PXB_VFS_HTTP, NULL, &f), 0, "open it again");
	{
		int own = f.fd, fd = pxb_file_take_fd(&f);
		char c = 0;

		ok(fd == own && f.fd == -1, "take_fd hands over the file's own descriptor");
		ok(pread(fd, &c, 1, 0) == 1 && c == 'h', "the descriptor reads the file");
		pxb_file_close(&f);
		ok(fcntl(fd, F_GETFD) >= 0, "closing the file leaves the taken descriptor open");
		close(fd);
	}
	is_int(pxb_vfs_open(v, "/gen/menu.ipxe", PXB_VFS_TFTP, NULL, &f), 0, "a memory file");
	errno = 0;
	ok(pxb_file_take_fd(&f) == -1 && errno == EBADF, "a memory file has no descriptor");
	pxb_file_close(&f);
	{
		struct pxb_file shared;
		int fd;

		/* A provider's descriptor (not closed by its release) is duplicated. */
		memset(&shared, 0, sizeof(shared));
		snprintf(p, sizeof(p), "%s/root/boot/file.txt", dir);
		shared.fd = open(p, O_RDONLY | O_CLOEXEC);
		shared.size = 5;
		fd = pxb_file_take_fd(&shared);
		ok(fd >= 0 && fd != shared.fd && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
		   "a provider's descriptor is duplicated, close-on-exec");
		close(fd);
		close(shared.fd);
	}

	is_int(pxb_vfs_open(v, "\\boot\\file.txt", PXB_VFS_HTTP, NULL, &f), 0,
	       "backslashes are separators");
	pxb_file_close(&f);
	is_int(pxb_vfs_open(v, "inside", PXB_VFS_TFTP, NULL, &f), 0, "symlink inside the root");
	pxb_file_close(&f);
	is_int(pxb_vfs_open(v, "up", PXB_VFS_TFTP, NULL, &f), PXB_ERR_ACCESS,
	       "relative symlink out of the root refused");
	is_int(pxb_vfs_open(v, "abs", PXB_VFS_TFTP, NULL, &f), PXB_ERR_ACCESS,
	       "absolute symlink out of the root refused");
	is_int(pxb_vfs_open(v, "../secret", PXB_VFS_TFTP, NULL, &f), PXB_ERR_ACCESS,
	       ".. above the root refused");
	is_int(pxb_vfs_open(v, "boot", PXB_VFS_TFTP, NULL, &f), PXB_ERR_ACCESS,
	       "a directory is not a file");
	is_int(pxb_vfs_open(v, "missing", PXB_VFS_TFTP, NULL, &f), PXB_ERR_NOENT, "missing file");
	is_int(pxb_vfs_open(v, "/gen/menu.ipxe", PXB_VFS_TFTP, NULL, &f), 0,
	       "generated file through a provider");
	is_int(f.size, 7, "generated size known");
	ok(f.fd < 0 && f.data && memcmp(f.data, "#!ipxe\n", 7) == 0, "generated content");
	pxb_file_close(&f);
	is_int(pxb_vfs_open(v, "/gen/menu.ipxe", PXB_VFS_HTTP, NULL, &f), PXB_ERR_NOENT,
	       "a TFTP-only mount is invisible to HTTP");

	is_int(pxb_vfs_list(v, "/", PXB_VFS_TFTP, count, names), 0, "list the root");
	is_str(names, "boot/ gen/ inside ", "listing sorted, mount points shown, escaping links hidden");
	ok(pxb_vfs_is_dir(v, "/boot", PXB_VFS_HTTP), "/boot is a directory");
	test_fifo(v, dir);
	test_dotfiles(v, dir);

	pxb_vfs_unmount_arg(v, NULL);
	pxb_vfs_free(v);
	is_str(pxb_mime_type("x.ISO"), "application/x-iso9660-image", "mime type by extension");

	snprintf(p, sizeof(p), "rm -rf %s", dir);
	if (system(p) != 0)
		diag("cleanup failed");
	return done_testing();
}
