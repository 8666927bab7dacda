// SPDX-License-Identifier: MIT
/*
 * readlink_floor: the least any fd lister must do, as a baseline for `make bench`: list
 * /proc/PID/fd and readlink every entry once, printing nothing but the count. A tool that also
 * says what each fd is cannot be faster than this.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[64], link[PATH_MAX];
	struct dirent *d;
	long count = 0;
	DIR *dir;
	int dfd;

	if (argc != 2) {
		fprintf(stderr, "usage: readlink_floor PID\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/%s/fd", argv[1]);
	dir = opendir(path);
	if (!dir) {
		perror(path);
		return 1;
	}
	dfd = dirfd(dir);
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.' && readlinkat(dfd, d->d_name, link, sizeof(link)) > 0)
			count++;
	closedir(dir);
	printf("%ld\n", count);
	return 0;
}
