/*
 * process.c - becoming a daemon, the pid file, dropping privileges, the
 * state directory's owner and mode, and the file descriptors the
 * configured limits need.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

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

/* The account pxebootd serves as: user (when root may change to it), else its own. */
static int target_ids(const char *user, const char *group, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	struct group *gr;

	*uid = geteuid();
	*gid = getegid();
	if (geteuid() != 0)
		return 0;
	if (user && *user) {
		pw = getpwnam(user);
		if (!pw) {
			pxbd_log(PXB_LOG_ERR, "pxebootd", "user: no such user '%s'", user);
			return -1;
		}
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (group && *group) {
		gr = getgrnam(group);
		if (!gr) {
			pxbd_log(PXB_LOG_ERR, "pxebootd", "group: no such group '%s'", group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

int pxbd_check_ids(const char *user, const char *group)
{
	uid_t uid;
	gid_t gid;

	return target_ids(user, group, &uid, &gid);
}

int pxbd_check_root(const char *user, int allow_root)
{
	if (geteuid() != 0 || allow_root || (user && *user && strcmp(user, "root") != 0))
		return 0;
	pxbd_log(PXB_LOG_ERR, "pxebootd", "refusing to serve as root: set user (e.g. \"pxeboot\", "
		 "a user of its own) or allow_root = true");
	return -1;
}

int pxbd_prepare_state_dir(const char *dir, const char *user, const char *group)
{
	static int warned;
	struct stat st;
	uid_t uid;
	gid_t gid;

	if (!dir || !*dir)
		return 0;
	if (user && *user && strcmp(user, "nobody") == 0 && !warned++)
		pxbd_log(PXB_LOG_WARNING, "pxebootd", "user nobody is shared with other services, "
			 "each of which could rewrite %s: give pxebootd a user of its own", dir);
	if (target_ids(user, group, &uid, &gid) < 0)
		return -1;
	if (stat(dir, &st) < 0) {
		if (errno == ENOENT)
			return 0; /* made 0700 by the first service that needs it */
		pxbd_log(PXB_LOG_ERR, "pxebootd", "state_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		pxbd_log(PXB_LOG_ERR, "pxebootd", "state_dir %s: not a directory", dir);
		return -1;
	}
	/* Leases and arms are ours alone: whoever else can write here can hand out boots. */
	if (st.st_uid != uid) {
		if (geteuid() != 0) {
			pxbd_log(PXB_LOG_ERR, "pxebootd", "state_dir %s belongs to uid %u, not to "
				 "uid %u that pxebootd runs as: refusing (chown it)", dir,
				 (unsigned)st.st_uid, (unsigned)uid);
			return -1;
		}
		if (chown(dir, uid, gid) < 0) {
			pxbd_log(PXB_LOG_ERR, "pxebootd", "state_dir %s: cannot give it to uid %u: %s",
				 dir, (unsigned)uid, strerror(errno));
			return -1;
		}
		pxbd_log(PXB_LOG_NOTICE, "pxebootd", "state_dir %s belonged to uid %u: given to "
			 "uid %u", dir, (unsigned)st.st_uid, (unsigned)uid);
	}
	if (st.st_mode & 077) {
		if (chmod(dir, 0700) < 0) {
			pxbd_log(PXB_LOG_ERR, "pxebootd", "state_dir %s is mode %04o and cannot be "
				 "made 0700: %s", dir, (unsigned)(st.st_mode & 07777), strerror(errno));
			return -1;
		}
		pxbd_log(PXB_LOG_NOTICE, "pxebootd", "state_dir %s was mode %04o: made 0700", dir,
			 (unsigned)(st.st_mode & 07777));
	}
	return 0;
}

/* Gives up every capability (those systemd's AmbientCapabilities= lent for binding). */
static void drop_capabilities(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capset, &hdr, data) < 0)
		pxbd_log(PXB_LOG_WARNING, "pxebootd", "cannot give up capabilities: %s",
			 strerror(errno));
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

int pxbd_drop_privileges(const char *user, const char *group, int allow_root)
{
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0) {
		struct passwd *pw = user && *user ? getpwnam(user) : NULL;

		if (user && *user && (!pw || pw->pw_uid != geteuid()))
			pxbd_log(PXB_LOG_WARNING, "pxebootd", "not root: cannot change to user '%s'",
				 user);
		drop_capabilities();
		pxbd_log(PXB_LOG_INFO, "pxebootd", "running as uid %u gid %u",
			 (unsigned)geteuid(), (unsigned)getegid());
		return 0;
	}
	if (target_ids(user, group, &uid, &gid) < 0)
		return -1;
	if ((user && *user) || (group && *group)) {
		if (setgroups(1, &gid) < 0 || setgid(gid) < 0) {
			pxbd_log(PXB_LOG_ERR, "pxebootd", "cannot change group: %s",
				 strerror(errno));
			return -1;
		}
		if (setuid(uid) < 0) {
			pxbd_log(PXB_LOG_ERR, "pxebootd", "cannot change user: %s", strerror(errno));
			return -1;
		}
	}
	/* Make sure root cannot be regained. */
	if (uid != 0 && setuid(0) == 0) {
		pxbd_log(PXB_LOG_ERR, "pxebootd", "privileges could be regained; refusing to run");
		return -1;
	}
	if (geteuid() == 0 && !allow_root) {
		pxbd_log(PXB_LOG_ERR, "pxebootd", "still root after the privilege drop: refusing "
			 "to serve (set user, or allow_root = true)");
		return -1;
	}
	if (geteuid() != 0)
		drop_capabilities();
	pxbd_log(PXB_LOG_INFO, "pxebootd", "running as user %s group %u",
		 user && *user ? user : "(unchanged)", (unsigned)gid);
	return 0;
}

void pxbd_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		pxbd_log(PXB_LOG_DEBUG, "pxebootd", "open files limit raised to %llu",
			 (unsigned long long)rl.rlim_cur);
}

/* Adds one contributor to the count and to the words that explain it. */
static void need_add(unsigned long *need, char *why, size_t len, unsigned long n,
		     const char *what)
{
	size_t o = strlen(why);

	*need += n;
	snprintf(why + o, len - o, "%s%lu %s", o ? " + " : "", n, what);
}

unsigned long pxbd_fd_need(const pxb_conf *c, char *why, size_t len)
{
	const pxb_conf_node *root = pxb_conf_root(c);
	unsigned long need = 0, n;
	const char *mode = pxb_conf_string(root, "dhcp.mode");
	char what[96];

	why[0] = '\0';
	/* stdio, the log, the event loop and its signal pipe, pid file, journals */
	need_add(&need, why, len, 32, "for the daemon itself");
	if (pxb_conf_bool(root, "tftp.enable")) {
		n = (unsigned long)pxb_conf_int(root, "tftp.max_transfers");
		snprintf(what, sizeof(what), "for tftp.max_transfers %lu (a socket and a file each)",
			 n);
		need_add(&need, why, len, 2 * n + 8, what);
	}
	if (strcmp(mode, "off") != 0) {
		n = pxb_conf_count(root, "dhcp.interfaces") * (strcmp(mode, "proxy") == 0 ? 2 : 1);
		need_add(&need, why, len, n + 4, "for DHCP sockets and leases");
	}
	if (pxb_conf_has_setting(c, "http.max_connections")) {
		n = (unsigned long)pxb_conf_int(root, "http.max_connections");
		snprintf(what, sizeof(what), "for http.max_connections %lu (a socket and a file "
			 "each)", n);
		need_add(&need, why, len, 2 * n + 8, what);
	}
	if (pxb_conf_has_setting(c, "iso.max_images")) {
		n = (unsigned long)pxb_conf_int(root, "iso.max_images");
		snprintf(what, sizeof(what), "for iso.max_images %lu", n);
		need_add(&need, why, len, n, what);
	}
	n = pxb_conf_count(root, "plugins");
	if (n) {
		snprintf(what, sizeof(what), "for %lu plugin(s)", n);
		need_add(&need, why, len, 8 * n, what);
	}
	return need;
}

int pxbd_check_fd_limit(const pxb_conf *c)
{
	struct rlimit rl;
	unsigned long need;
	char why[512];

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	need = pxbd_fd_need(c, why, sizeof(why));
	if (rl.rlim_cur != RLIM_INFINITY && need > rl.rlim_cur) {
		pxbd_log(PXB_LOG_ERR, "pxebootd", "%s: the configured limits need %lu open files "
			 "(%s), but at most %llu may be open (RLIMIT_NOFILE): lower those limits, "
			 "or raise LimitNOFILE= (ulimit -n)", pxb_conf_source(c), need, why,
			 (unsigned long long)rl.rlim_cur);
		return -1;
	}
	if (rl.rlim_cur != RLIM_INFINITY && need > rl.rlim_cur / 10 * 9)
		pxbd_log(PXB_LOG_WARNING, "pxebootd", "the configured limits need %lu of the %llu "
			 "open files allowed (%s): little room is left", need,
			 (unsigned long long)rl.rlim_cur, why);
	else
		pxbd_log(PXB_LOG_DEBUG, "pxebootd", "the configured limits need %lu of %llu open "
			 "files (%s)", need, (unsigned long long)rl.rlim_cur, why);
	return 0;
}
