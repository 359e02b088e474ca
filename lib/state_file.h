/*
 * state_file.h - a durable text state file in the state directory, one
 * record per line (arms.json, installs.state): written whole through
 * name.tmp, fsync and rename; read back line by line within bounds.
 * Never installed.
 */
#ifndef PXB_STATE_FILE_H
#define PXB_STATE_FILE_H

#include <stddef.h>
#include <stdio.h>

struct pxb__state_file {
	char *dir, *path, *tmp; /* all NULL: the store lives in memory only */
};

/* What a read found wrong; the first fault is named, the others counted. */
struct pxb__state_damage {
	unsigned bad;    /* lines refused (cut short, too long, with a NUL, not a record) */
	unsigned line;   /* the first refused line's number (1-based); 0: no line at fault */
	const char *why; /* the first fault in words; NULL: none */
};

/*
 * Names <dir>/<name> and <dir>/<name>.tmp; a NULL dir keeps the store in
 * memory (pxb__state_file_write() then writes nothing). Returns 0 or
 * PXB_ERR_NOMEM (sf left empty).
 */
int pxb__state_file_init(struct pxb__state_file *sf, const char *dir, const char *name);
void pxb__state_file_fini(struct pxb__state_file *sf);

/*
 * Writes the file whole: body(f, arg) prints it into name.tmp, which is
 * flushed, fsynced and renamed over name, then the directory is fsynced;
 * after a crash the old or the new file is there, whole. Returns 0 or
 * PXB_ERR_IO (the old file stays as it was, the .tmp is removed).
 */
int pxb__state_file_write(const struct pxb__state_file *sf, void (*body)(FILE *f, void *arg),
			  void *arg);

/* What a line callback returns besides 0 (a record, taken) and errors. */
#define PXB__STATE_END 1 /* the end marker: stop reading */
#define PXB__STATE_BAD 2 /* not a record: counted as damage */

/*
 * Reads the file: each whole line (ending in a newline, at most max_line
 * bytes with it, without a NUL) goes to line(arg, text, number) without its
 * newline; a line cut short, longer or with a NUL is refused without being
 * held in memory, and counted in *dmg with the callback's PXB__STATE_BAD
 * lines. Past max_bytes the rest is not read (counted as damage). line()
 * returning PXB__STATE_END stops the read; a negative PXB_ERR_* stops it and
 * is returned. Returns 0, PXB_ERR_NOENT (no file, or a store in memory),
 * PXB_ERR_IO (the file could not be opened), PXB_ERR_NOMEM or line()'s error.
 */
int pxb__state_file_read(const struct pxb__state_file *sf, size_t max_line, size_t max_bytes,
			 int (*line)(void *arg, const char *text, unsigned number), void *arg,
			 struct pxb__state_damage *dmg);

/*
 * Fills out with len (at most 64) random lowercase hex digits and a NUL: the
 * tokens the stores keep. Returns 0, PXB_ERR_INVAL (len too long) or
 * PXB_ERR_IO (no randomness).
 */
int pxb__state_token(char *out, size_t len);

#endif
