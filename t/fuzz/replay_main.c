/*
 * replay_main.c - runs a libFuzzer target without libFuzzer: feeds each
 * file named on the command line (a directory: each file in it) to
 * LLVMFuzzerTestOneInput() and prints one TAP line per file. With no
 * argument it replays PXB_FUZZ_CORPUS (a directory relative to
 * $top_srcdir, set at build time), which is how `make check` runs it.
 * A crash or sanitizer report fails the test; surviving is a pass.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n_run;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (!f) {
		printf("not ok %d - %s: cannot open\n", ++n_run, path);
		return 1;
	}
	do {
		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				fclose(f);
				free(buf);
				printf("not ok %d - %s: out of memory\n", ++n_run, path);
				return 1;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	printf("ok %d - %s (%zu bytes)\n", ++n_run, path, len);
	fflush(stdout);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay(const char *path)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	int fails = 0;
	DIR *d;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return replay_file(path);
	d = opendir(path);
	if (!d)
		return replay_file(path);
	while ((de = readdir(d)) != NULL) {
		char **nn;

		if (de->d_name[0] == '.')
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn)
			break;
		names = nn;
		if (asprintf(&names[n], "%s/%s", path, de->d_name) < 0)
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		fails += replay_file(names[i]);
		free(names[i]);
	}
	free(names);
	return fails;
}

int main(int argc, char **argv)
{
	int fails = 0, i;

	if (argc < 2) {
#ifdef PXB_FUZZ_CORPUS
		const char *top = getenv("top_srcdir");
		char *dir;

		if (asprintf(&dir, "%s/%s", top ? top : ".", PXB_FUZZ_CORPUS) < 0)
			return 1;
		fails = replay(dir);
		free(dir);
#else
		fprintf(stderr, "usage: %s file-or-directory...\n", argv[0]);
		return 2;
#endif
	}
	for (i = 1; i < argc; i++)
		fails += replay(argv[i]);
	printf("1..%d\n", n_run);
	return fails ? 1 : 0;
}
