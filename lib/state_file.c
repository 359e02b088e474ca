/*
 * state_file.c - the durable text state files of the library's small stores
 * (arms.json, installs.state; see state_file.h): one copy of the write
 * through a temporary file and of the bounded line reader.
 *
 * A write goes to name.tmp, is fsynced and renamed over name, then the
 * directory is fsynced (the rename is atomic: after a crash the old or the
 * new file is there, and a stale .tmp is ignored and overwritten). A read
 * holds one line at a time, at most max_line bytes, and stops after
 * max_bytes, so a hostile file costs bounded memory and work.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "internal.h"
#include "state_file.h"

void pxb__state_file_fini(struct pxb__state_file *sf)
{
	free(sf->dir);
	free(sf->path);
	free(sf->tmp);
	sf->dir = sf->path = sf->tmp = NULL;
}

int pxb__state_file_init(struct pxb__state_file *sf, const char *dir, const char *name)
{
	size_t n;

	sf->dir = sf->path = sf->tmp = NULL;
	if (!dir)
		return 0;
	n = strlen(dir) + 1 + strlen(name) + sizeof(".tmp");
	sf->dir = strdup(dir);
	sf->path = malloc(n);
	sf->tmp = malloc(n);
	if (!sf->dir || !sf->path || !sf->tmp) {
		pxb__state_file_fini(sf);
		return PXB_ERR_NOMEM;
	}
	snprintf(sf->path, n, "%s/%s", dir, name);
	snprintf(sf->tmp, n, "%s/%s.tmp", dir, name);
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -1;
	if (fsync(fd) < 0 && errno != EINVAL)
		rc = -1;
	close(fd);
	return rc;
}

int pxb__state_file_write(const struct pxb__state_file *sf, void (*body)(FILE *f, void *arg),
			  void *arg)
{
	FILE *f;
	int fd, err = 0;

	if (!sf->path)
		return 0;
	fd = open(sf->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return PXB_ERR_IO;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(sf->tmp);
		return PXB_ERR_IO;
	}
	body(f, arg);
	if (fflush(f) != 0 || ferror(f) || fsync(fd) < 0)
		err = 1;
	if (fclose(f) != 0)
		err = 1;
	if (!err && rename(sf->tmp, sf->path) < 0)
		err = 1;
	if (err) {
		unlink(sf->tmp);
		return PXB_ERR_IO;
	}
	return fsync_dir(sf->dir) < 0 ? PXB_ERR_IO : 0;
}

static void fault(struct pxb__state_damage *dmg, unsigned number, const char *why)
{
	if (!dmg->bad++) {
		dmg->line = number;
		dmg->why = why;
	}
}

int pxb__state_file_read(const struct pxb__state_file *sf, size_t max_line, size_t max_bytes,
			 int (*line)(void *arg, const char *text, unsigned number), void *arg,
			 struct pxb__state_damage *dmg)
{
	FILE *f;
	char *buf;
	size_t total = 0;
	unsigned number = 0;
	int rc = 0;

	memset(dmg, 0, sizeof(*dmg));
	if (!sf->path || max_line < 2)
		return PXB_ERR_NOENT;
	f = fopen(sf->path, "re");
	if (!f)
		return errno == ENOENT ? PXB_ERR_NOENT : PXB_ERR_IO;
	buf = malloc(max_line);
	if (!buf) {
		fclose(f);
		return PXB_ERR_NOMEM;
	}
	for (;;) {
		size_t n = 0;
		int c = EOF, nul = 0, over = 0, big = 0;

		while ((c = getc(f)) != EOF) {
			if (++total > max_bytes) {
				big = 1;
				break;
			}
			if (c == '\n')
				break;
			if (c == '\0')
				nul = 1;
			if (n + 1 < max_line) /* room for the text and its newline */
				buf[n++] = (char)c;
			else
				over = 1;
		}
		if (c == EOF && n == 0 && !nul && !over)
			break; /* the end, after a whole line */
		number++;
		if (big) {
			fault(dmg, number, "larger than the store can hold: the rest is not read");
			break;
		}
		if (c == EOF) {
			fault(dmg, number, "cut short (no newline)");
			break;
		}
		if (nul || over) {
			fault(dmg, number, nul ? "holds a NUL byte" : "longer than any record");
			continue;
		}
		buf[n] = '\0';
		rc = line(arg, buf, number);
		if (rc < 0 || rc == PXB__STATE_END)
			break;
		if (rc == PXB__STATE_BAD)
			fault(dmg, number, "not a record");
	}
	if (ferror(f))
		fault(dmg, 0, "read error");
	free(buf);
	fclose(f);
	return rc < 0 ? rc : 0;
}

int pxb__state_token(char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t r[32];
	size_t got = 0, need = (len + 1) / 2;

	if (need > sizeof(r))
		return PXB_ERR_INVAL;
	while (got < need) {
		ssize_t n = getrandom(r + got, need - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return PXB_ERR_IO;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < len; i++)
		out[i] = hex[i % 2 ? r[i / 2] & 15 : r[i / 2] >> 4];
	out[len] = '\0';
	return 0;
}
