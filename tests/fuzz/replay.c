// SPDX-License-Identifier: MIT
/*
 * replay: a main for a fuzz target without libFuzzer. Each argument is a file, or a directory
 * whose files (not its subdirectories, nor names starting with '.') are fed in name order,
 * each to LLVMFuzzerTestOneInput once. A crash or a sanitizer report is the failure; the
 * last line says how many inputs ran.
 *   replay_NAME PATH...
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL, *copy;
	size_t size = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (size == cap) {
			uint8_t *grown = realloc(data, cap = cap ? cap * 2 : 65536);

			FUZZ_ASSERT(grown);
			data = grown;
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
	} while (n > 0);
	fclose(f);
	/* exactly its size, as libFuzzer hands it over: a read past the end is seen */
	copy = fuzz_copy(data, size);
	free(data);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int keep(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every file of dir; the number fed, or -1. */
static int replay_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, keep, by_name), fed = 0;

	if (n < 0) {
		fprintf(stderr, "replay: cannot read '%s': %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && fed >= 0)
			fed = replay_file(path) < 0 ? -1 : fed + 1;
		free(names[i]);
	}
	free(names);
	return fed;
}

int main(int argc, char **argv)
{
	struct stat st;
	int total = 0, n;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: cannot read '%s': %s\n", argv[i], strerror(errno));
			return 1;
		}
		n = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]) == 0;
		if (n < 0)
			return 1;
		total += n;
	}
	printf("%d inputs replayed\n", total);
	return 0;
}
