/*
 * log.c - pxebootd's logging: "LEVEL SOURCE: message" on stderr in the
 * foreground, syslog(3) otherwise. One line per event, so grep works.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "daemon.h"

static int log_foreground = 1;
static int log_max = PXB_LOG_INFO;

static const char *level_name(int level)
{
	switch (level) {
	case PXB_LOG_ERR: return "error";
	case PXB_LOG_WARNING: return "warning";
	case PXB_LOG_NOTICE: return "notice";
	case PXB_LOG_INFO: return "info";
	case PXB_LOG_DEBUG: return "debug";
	}
	return "?";
}

void pxbd_log_init(int foreground, int debug)
{
	log_foreground = foreground;
	if (debug)
		log_max = PXB_LOG_DEBUG;
	if (!foreground)
		openlog("pxebootd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void pxbd_log_set_level(const char *level)
{
	static const char *names[] = {"err", "warning", "notice", "info", "debug"};

	if (log_max == PXB_LOG_DEBUG || !level)
		return; /* -d wins */
	for (int i = 0; i < 5; i++)
		if (strcmp(level, names[i]) == 0)
			log_max = PXB_LOG_ERR + i;
}

static void emit(int level, const char *source, const char *msg)
{
	if (level > log_max)
		return;
	if (log_foreground) {
		fprintf(stderr, "%s %s: %s\n", level_name(level), source, msg);
		fflush(stderr);
	} else {
		syslog(level, "%s %s: %s", level_name(level), source, msg);
	}
}

void pxbd_log(int level, const char *source, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(level, source, msg);
}

void pxbd_log_cb(void *arg, int level, const char *source, const char *msg)
{
	(void)arg;
	emit(level, source, msg);
}

/* A small table of recent keys; a collision only makes a line more likely. */
int pxbd_log_ratelimit(uint32_t key, pxb_ms_t now)
{
	static struct {
		uint32_t key;
		pxb_ms_t at;
	} seen[256];
	unsigned i = (key * 2654435761u) >> 24;

	if (seen[i].key == key && seen[i].at && now - seen[i].at < 60000)
		return 0;
	seen[i].key = key;
	seen[i].at = now ? now : 1;
	return 1;
}

pxb_ms_t pxbd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (pxb_ms_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t pxbd_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
