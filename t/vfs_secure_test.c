/*
 * vfs_secure_test.c - pxb_vfs_secure() (tftp.secure, dnsmasq's
 * tftp-secure): for the protocols named, files of a directory mount are
 * served only when the effective user owns them, or, for root, when all
 * may read them; other protocols and generated files are not concerned.
 * Both rules are tested when run as root: the owner rule in a child that
 * has become nobody (65534).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pxeboot/vfs.h>
#include "tap.h"

#define NOBODY 65534

static char root[256];

static void make(const char *name, mode_t mode, uid_t uid)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, name);
	f = fopen(p, "w");
	if (f) {
		fputs("x", f);
		fclose(f);
	}
	chmod(p, mode);
	if (uid != (uid_t)-1 && chown(p, uid, (gid_t)-1) < 0)
		diag("chown %s: failed", p);
}

static int try_open(pxb_vfs *v, const char *path, unsigned proto)
{
	struct pxb_file f;
	int rc = pxb_vfs_open(v, path, proto, NULL, &f);

	if (rc == 0)
		pxb_file_close(&f);
	return rc;
}

static int gen_open(void *arg, const char *rel, const struct pxb_client *c, struct pxb_file *f)
{
	(void)arg;
	(void)c;
	(void)rel;
	return pxb_file_from_buffer(f, "#!ipxe\n", 7, 1);
}

static const struct pxb_vfs_provider gen = {.name = "gen", .open = gen_open};

/* As nobody: its own file served, root's (readable by all) refused. */
static int as_nobody(pxb_vfs *v)
{
	int bad = 0;

	if (setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
		return 100;
	bad |= try_open(v, "/nobody.bin", PXB_VFS_TFTP) != 0;
	bad |= (try_open(v, "/public.bin", PXB_VFS_TFTP) != PXB_ERR_ACCESS) << 1;
	bad |= (try_open(v, "/public.bin", PXB_VFS_HTTP) != 0) << 2;
	return bad;
}

int main(void)
{
	char tmpl[] = "/tmp/vfs_secure_test.XXXXXX";
	const char *dir;
	pxb_vfs *v;

	plan_lazy();
	dir = mkdtemp(tmpl);
	if (!dir) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	chmod(dir, 0755);
	snprintf(root, sizeof(root), "%s", dir);
	make("public.bin", 0644, (uid_t)-1);
	make("private.bin", 0600, (uid_t)-1);
	v = pxb_vfs_new();
	is_int(pxb_vfs_mount_dir(v, "/", root, PXB_VFS_ALL), 0, "mount");
	is_int(pxb_vfs_mount_provider(v, "/gen.ipxe", &gen, NULL, PXB_VFS_ALL), 0, "provider");

	is_int(try_open(v, "/private.bin", PXB_VFS_TFTP), 0, "not secure: every file served");
	pxb_vfs_secure(v, PXB_VFS_TFTP);
	is_int(try_open(v, "/gen.ipxe", PXB_VFS_TFTP), 0, "secure: generated files still served");
	is_int(try_open(v, "/private.bin", PXB_VFS_HTTP), 0, "secure for TFTP: HTTP not concerned");
	if (geteuid() == 0) {
		pid_t pid;
		int st = 0;

		is_int(try_open(v, "/public.bin", PXB_VFS_TFTP), 0, "root: a file all may read served");
		is_int(try_open(v, "/private.bin", PXB_VFS_TFTP), PXB_ERR_ACCESS,
		       "root: a file only its owner may read refused");
		make("nobody.bin", 0600, NOBODY);
		is_int(try_open(v, "/nobody.bin", PXB_VFS_TFTP), PXB_ERR_ACCESS,
		       "root: another's file not readable by all refused");
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(as_nobody(v));
		waitpid(pid, &st, 0);
		st = WIFEXITED(st) ? WEXITSTATUS(st) : 99;
		ok(st != 100, "child became nobody");
		ok(st != 100 && !(st & 1), "nobody: its own file served");
		ok(st != 100 && !(st & 2), "nobody: root's file refused though all may read it");
		ok(st != 100 && !(st & 4), "nobody: the same file over HTTP served");
	} else {
		is_int(try_open(v, "/private.bin", PXB_VFS_TFTP), 0, "a file of our own served");
	}
	pxb_vfs_secure(v, 0);
	is_int(try_open(v, "/private.bin", PXB_VFS_TFTP), 0, "secure off again: served");
	pxb_vfs_free(v);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			diag("could not remove %s", root);
	}
	return done_testing();
}
