/*
 * log.c - pxebootd's logging: "LEVEL SOURCE: message" on stderr in the
 * foreground, syslog(3) otherwise. One line per event, so grep works.
 *
 * Every line passes through emit(), which makes two promises no caller can
 * forget:
 *  - one line stays one line: bytes below 0x20, 0x7f, C1 controls and bytes
 *    that are not valid UTF-8 (user and vendor classes, host and file names
 *    come from the network) are written as \xNN;
 *  - a peer cannot flood the log: once the daemon serves (pxbd_log_limit),
 *    each source and level has a token bucket of log_burst lines refilled
 *    at log_rate lines a second; what the bucket refuses is counted and
 *    reported in one "N lines suppressed" line when lines pass again, or
 *    at the next pxbd_log_tick. Lines of the sources "config" and
 *    "pxebootd" (start-up, reload, signals: only the operator causes them)
 *    are never dropped, nor is anything before pxbd_log_limit is called.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "daemon.h"

static int log_foreground = 1;
static int log_max = PXB_LOG_INFO;

/* Token buckets, one per (source, level); sources are few and named by the code. */
#define BUCKETS 64
#define SOURCE_MAX 32

struct bucket {
	char source[SOURCE_MAX];
	int level;
	double tokens;
	pxb_ms_t at;            /* last refill */
	unsigned long dropped;  /* since the last summary */
	pxb_ms_t dropped_since;
};

static struct {
	pthread_mutex_t lock;
	int on;
	unsigned rate, burst;   /* lines a second, bucket size; rate 0: no limit */
	struct bucket b[BUCKETS];
	unsigned n;
	struct bucket overflow; /* shared by sources beyond BUCKETS */
} lim = {.lock = PTHREAD_MUTEX_INITIALIZER};

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

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 (RFC 3629 sec 4). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0; /* overlong, beyond Unicode, or a surrogate */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0; /* C1 controls (CSI is 0x9b) reach terminals as well */
	return len;
}

size_t pxbd_log_escape(char *out, size_t outlen, const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in), o = 0;

	if (!outlen)
		return 0;
	for (size_t i = 0; i < n;) {
		size_t l = s[i] >= 0x20 && s[i] != 0x7f ? utf8_len(s + i, n - i) : 0;

		if (l) {
			if (o + l >= outlen)
				break;
			memcpy(out + o, s + i, l);
			o += l;
			i += l;
			continue;
		}
		if (o + 4 >= outlen)
			break;
		snprintf(out + o, 5, "\\x%02x", s[i]);
		o += 4;
		i++;
	}
	out[o] = '\0';
	return o;
}

static void write_line(int level, const char *source, const char *msg)
{
	if (log_foreground) {
		fprintf(stderr, "%s %s: %s\n", level_name(level), source, msg);
		fflush(stderr);
	} else {
		syslog(level, "%s %s: %s", level_name(level), source, msg);
	}
}

void pxbd_log_limit(unsigned rate, unsigned burst)
{
	pthread_mutex_lock(&lim.lock);
	lim.on = 1;
	lim.rate = rate;
	lim.burst = burst ? burst : 1;
	for (unsigned i = 0; i < lim.n; i++)
		if (lim.b[i].tokens > lim.burst)
			lim.b[i].tokens = lim.burst;
	pthread_mutex_unlock(&lim.lock);
}

static void summary(struct bucket *b, pxb_ms_t now)
{
	char line[160 + SOURCE_MAX * 4], src[SOURCE_MAX * 4 + 4];

	if (!b->dropped)
		return;
	pxbd_log_escape(src, sizeof(src), b->source);
	snprintf(line, sizeof(line), "%lu %s line(s) of %s suppressed in %llu s (log_rate)",
		 b->dropped, level_name(b->level), b->source[0] ? src : "other sources",
		 (unsigned long long)((now - b->dropped_since) / 1000 + 1));
	write_line(PXB_LOG_WARNING, "log", line);
	b->dropped = 0;
}

static struct bucket *bucket_of(int level, const char *source)
{
	for (unsigned i = 0; i < lim.n; i++)
		if (lim.b[i].level == level && strcmp(lim.b[i].source, source) == 0)
			return &lim.b[i];
	if (lim.n == BUCKETS || strnlen(source, SOURCE_MAX) >= SOURCE_MAX) {
		lim.overflow.level = level;
		return &lim.overflow;
	}
	memcpy(lim.b[lim.n].source, source, strlen(source) + 1); /* fits: checked above */
	lim.b[lim.n].level = level;
	lim.b[lim.n].tokens = lim.burst;
	lim.b[lim.n].at = pxbd_now();
	return &lim.b[lim.n++];
}

/* Called with lim.lock held: may this line be written now? */
static int admit(int level, const char *source)
{
	struct bucket *b;
	pxb_ms_t now;

	if (!lim.on || !lim.rate || strcmp(source, "config") == 0 ||
	    strcmp(source, "pxebootd") == 0)
		return 1;
	now = pxbd_now();
	b = bucket_of(level, source);
	b->tokens += (double)(now - b->at) * lim.rate / 1000.0;
	if (b->tokens > lim.burst)
		b->tokens = lim.burst;
	b->at = now;
	if (b->tokens < 1.0) {
		if (!b->dropped++)
			b->dropped_since = now;
		return 0;
	}
	b->tokens -= 1.0;
	summary(b, now);
	return 1;
}

void pxbd_log_tick(void)
{
	pxb_ms_t now = pxbd_now();

	pthread_mutex_lock(&lim.lock);
	for (unsigned i = 0; i < lim.n; i++)
		summary(&lim.b[i], now);
	summary(&lim.overflow, now);
	pthread_mutex_unlock(&lim.lock);
}

/*
 * Admits first, escapes after: a flood's dropped lines cost a bucket lookup,
 * not an escape of up to 2 KiB each. Buckets are keyed by the source as the
 * code names it (sources are names in the program, not bytes from a peer).
 */
static void emit(int level, const char *source, const char *msg)
{
	char esc[4096], src[SOURCE_MAX * 4 + 4];

	if (level > log_max)
		return;
	if (!source)
		source = "?";
	pthread_mutex_lock(&lim.lock);
	if (admit(level, source)) {
		pxbd_log_escape(esc, sizeof(esc), msg);
		pxbd_log_escape(src, sizeof(src), source);
		write_line(level, src, esc);
	}
	pthread_mutex_unlock(&lim.lock);
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
