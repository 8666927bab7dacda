// SPDX-License-Identifier: MIT
/* proc_pid: reading and parsing the small text files of /proc (limits, file-nr, stat, comm). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nic2app/proc_pid.h"

ssize_t proc_read_small(int dirfd, const char *name, char *buf, size_t size)
{
	size_t used = 0;
	ssize_t n = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (used + 1 < size && (n = read(fd, buf + used, size - 1 - used)) > 0)
		used += (size_t)n;
	if (n < 0)
		n = -errno;
	else if (used + 1 >= size)
		n = -EFBIG;
	close(fd);
	buf[used] = '\0';
	return n < 0 ? n : (ssize_t)used;
}

ssize_t proc_read_all(int dirfd, const char *name, char **out)
{
	size_t used = 0, size = 4096;
	char *buf = malloc(size), *grown;
	ssize_t n;
	int fd;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		n = -errno;
		free(buf);
		return n;
	}
	while ((n = read(fd, buf + used, size - 1 - used)) > 0) {
		used += (size_t)n;
		if (used + 1 < size)
			continue;
		grown = realloc(buf, size * 2);
		if (!grown) {
			n = -ENOMEM;
			break;
		}
		buf = grown;
		size *= 2;
	}
	if (n < 0 && n != -ENOMEM)
		n = -errno;
	close(fd);
	if (n < 0) {
		free(buf);
		return n;
	}
	buf[used] = '\0';
	*out = buf;
	return (ssize_t)used;
}

static long limit_value(const char *word)
{
	return strcmp(word, "unlimited") == 0 ? -1 : strtol(word, NULL, 10);
}

int proc_limits_parse(const char *text, const char *resource, long *soft, long *hard)
{
	size_t len = strlen(resource);
	const char *line = text;
	char s[32], h[32];

	while (line && *line) {
		/* "Max open files            20000                20000                files" */
		if (strncmp(line, resource, len) == 0 && line[len] == ' ') {
			if (sscanf(line + len, "%31s %31s", s, h) != 2)
				return -EBADMSG;
			*soft = limit_value(s);
			*hard = limit_value(h);
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENOENT;
}

int file_nr_parse(const char *text, long *allocated, long *max)
{
	long unused;

	if (sscanf(text, "%ld %ld %ld", allocated, &unused, max) != 3)
		return -EBADMSG;
	return 0;
}

char proc_stat_state(const char *text)
{
	const char *paren = strrchr(text, ')');

	return paren && paren[1] == ' ' && paren[2] && paren[2] != ' ' ? paren[2] : '\0';
}
