/*
 * process.c - becoming a daemon, the pid file, dropping privileges.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"

int pxbd_daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	pid = fork(); /* never reacquire a controlling terminal */
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

int pxbd_write_pidfile(const char *path)
{
	char tmp[4096];
	FILE *f;

	/* Written beside the target and renamed: a reader never sees half a pid. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int pxbd_drop_privileges(const char *user, const char *group, const char *state_dir)
{
	struct passwd *pw = NULL;
	struct group *gr = NULL;
	gid_t gid;

	if ((!user || !*user) && (!group || !*group))
		return 0;
	if (geteuid() != 0) {
		pxbd_log(PXB_LOG_WARNING, "pxebootd", "not root: cannot change to user '%s'",
			 user ? user : "");
		return 0;
	}
	if (user && *user) {
		pw = getpwnam(user);
		if (!pw) {
			pxbd_log(PXB_LOG_ERR, "pxebootd", "user: no such user '%s'", user);
			return -1;
		}
	}
	if (group && *group) {
		gr = getgrnam(group);
		if (!gr) {
			pxbd_log(PXB_LOG_ERR, "pxebootd", "group: no such group '%s'", group);
			return -1;
		}
		gid = gr->gr_gid;
	} else {
		gid = pw->pw_gid;
	}
	/* The lease journal is compacted by rename: the directory must stay ours. */
	if (pw && state_dir && *state_dir && chown(state_dir, pw->pw_uid, gid) < 0 && errno != ENOENT)
		pxbd_log(PXB_LOG_WARNING, "pxebootd", "state_dir %s: cannot give it to %s: %s",
			 state_dir, user, strerror(errno));
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0) {
		pxbd_log(PXB_LOG_ERR, "pxebootd", "cannot change group: %s", strerror(errno));
		return -1;
	}
	if (pw && setuid(pw->pw_uid) < 0) {
		pxbd_log(PXB_LOG_ERR, "pxebootd", "cannot change user: %s", strerror(errno));
		return -1;
	}
	/* Make sure root cannot be regained. */
	if (pw && pw->pw_uid != 0 && setuid(0) == 0) {
		pxbd_log(PXB_LOG_ERR, "pxebootd", "privileges could be regained; refusing to run");
		return -1;
	}
	pxbd_log(PXB_LOG_INFO, "pxebootd", "running as user %s group %u", user && *user ? user : "(unchanged)", (unsigned)gid);
	return 0;
}
