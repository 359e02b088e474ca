/*
 * daemon.h - pxebootd's shared state and the interface of its services.
 *
 * The daemon is glue: it owns the configuration, the libevent loop, the
 * sockets and the signals, and feeds the library's engines. Each protocol
 * driver (TFTP, DHCP) is a service with start/reload/stop.
 */
#ifndef PXBD_DAEMON_H
#define PXBD_DAEMON_H

#include <netinet/in.h>
#include <sys/types.h>

#include <event2/event.h>
#include <pxeboot/pxeboot.h>
#include <pxeboot/report.h>

struct pxbd;

/*
 * Event priorities: 0 and 1 for I/O (libevent's default is 1 of 3), and
 * the last for work batched once per loop iteration (the lease fsync).
 */
#define PXBD_PRIORITIES 3
#define PXBD_PRIO_LAST 2

struct pxbd_service {
	const char *name;
	/* Binds sockets and starts serving; returns 0 or <0 (already logged). */
	int (*start)(struct pxbd *d);
	/* Applies d->conf after a reload; returns 0 or <0 (keeps running). */
	int (*reload)(struct pxbd *d);
	/* Stops: closes open transfers and sockets, flushes state. */
	void (*stop)(struct pxbd *d);
};

struct pxbd {
	struct event_base *base;
	pxb_conf *conf;            /* the configuration in force */
	pxb_vfs *vfs;
	pxb_host *host;
	const char *conf_path;     /* NULL: built-in default */
	const char *plugin_dir;    /* -P overrides plugin_dir */
	char **overrides;          /* -o settings, applied on every load */
	unsigned noverrides;
	int foreground, debug;
	void *tftp;                /* driver states */
	void *dhcp;
};

/* Logging: stderr in the foreground, syslog otherwise; one line per event. */
void pxbd_log_init(int foreground, int debug);
void pxbd_log_set_level(const char *level);
void pxbd_log(int level, const char *source, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Adapter for pxb_host's log callback. */
void pxbd_log_cb(void *arg, int level, const char *source, const char *msg);
/*
 * Turns the per-source, per-level limit of log lines on (rate lines a
 * second, bursts of burst; rate 0: no limit). Lines are escaped always.
 */
void pxbd_log_limit(unsigned rate, unsigned burst);
/* Writes the "N lines suppressed" summaries that are due. */
void pxbd_log_tick(void);
/*
 * Copies in to out (outlen bytes, NUL-terminated, cut short when full),
 * bytes below 0x20, 0x7f, C1 controls and invalid UTF-8 as \xNN. Returns
 * the length written.
 */
size_t pxbd_log_escape(char *out, size_t outlen, const char *in);
/* Rate limit: returns 1 when a message keyed by key may be logged now (once a minute). */
int pxbd_log_ratelimit(uint32_t key, pxb_ms_t now);

/*
 * Receives one datagram from fd (non-blocking) into buf (len bytes): the
 * sender into from, the local address it was sent to (IP_PKTINFO, which fd
 * must have on) into local, 0.0.0.0 when the kernel did not say. Returns
 * the length, or -1 with errno (EAGAIN when nothing is waiting).
 */
ssize_t pxbd_udp_recv(int fd, void *buf, size_t len, struct sockaddr_in *from,
		      struct in_addr *local);

/* Monotonic milliseconds for the engines. */
pxb_ms_t pxbd_now(void);
/* Wall-clock milliseconds since the epoch, for events (pxeboot/events.h). */
int64_t pxbd_wall_ms(void);

/* Writes the lines a reporter made (pxeboot/report.h), each within its rate limit. */
static inline void pxbd_log_report(const char *source, const struct pxb_report *r)
{
	for (unsigned i = 0; i < r->nlines; i++)
		if (!r->line[i].limited || pxbd_log_ratelimit(r->line[i].limit_key, pxbd_now()))
			pxbd_log(r->line[i].level, source, "%s", r->line[i].text);
}

/*
 * Builds and validates a configuration: file (or built-in default), -o
 * overrides, plugins' schemas (loading the plugins into host when host is
 * non-NULL and has none yet; otherwise adding the loaded ones' schemas).
 * Every problem is passed to report. Returns the configuration, or NULL
 * when anything was wrong.
 */
pxb_conf *pxbd_config_load(struct pxbd *d, pxb_host *host, pxb_conf_report_fn report,
			   void *arg);

/* The built-in default configuration text (used without -c). */
extern const char pxbd_default_config[];

/* Mounts tftp.root and http.root into the namespace (replacing earlier ones). */
int pxbd_mount_roots(struct pxbd *d);

/* Process plumbing. */
int pxbd_daemonize(void);
int pxbd_write_pidfile(const char *path);
/*
 * Changes to user/group when root (0 when there is nothing to do); then,
 * unless allow_root, refuses (-1, logged) to go on as root. Capabilities
 * lent for binding are given up.
 */
int pxbd_drop_privileges(const char *user, const char *group, int allow_root);
/* -1 (logged) when pxebootd would serve as root and allow_root does not say so. */
int pxbd_check_root(const char *user, int allow_root);
/* -1 (logged) when pxebootd runs as root and user or group names no account. */
int pxbd_check_ids(const char *user, const char *group);
/*
 * An existing state_dir must belong to the account pxebootd serves as and
 * have mode 0700: root fixes both (and says so), anyone else refuses (-1).
 */
int pxbd_prepare_state_dir(const char *dir, const char *user, const char *group);
/* Raises the soft RLIMIT_NOFILE to the hard limit. */
void pxbd_raise_fd_limit(void);
/* Open files configuration c needs at most; why gets the sum in words. */
unsigned long pxbd_fd_need(const pxb_conf *c, char *why, size_t len);
/* -1 (logged) when c needs more open files than RLIMIT_NOFILE allows; warns when close. */
int pxbd_check_fd_limit(const pxb_conf *c);

#endif
