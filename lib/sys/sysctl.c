// SPDX-License-Identifier: MIT
/* sysctl: /proc/sys readers. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nic2app/sysctl.h"

int sysctl_parse_long(const char *text, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (end == text)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != '\0' && *end != '\n' && *end != '\t' && *end != ' ')
		return -EINVAL;
	*out = v;
	return 0;
}

static int read_text(const char *root, const char *name, char *text, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err;

	if (snprintf(path, sizeof(path), "%s/%s", root, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, size - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	text[n] = '\0';
	return 0;
}

int sysctl_read_long(const char *root, const char *name, long *out)
{
	char text[64];
	int err = read_text(root, name, text, sizeof(text));

	return err ? err : sysctl_parse_long(text, out);
}

int sysctl_read_longs(const char *root, const char *name, long *out, int n)
{
	char text[128], *p = text, *end;
	int err = read_text(root, name, text, sizeof(text)), i;

	if (err)
		return err;
	for (i = 0; i < n; i++) {
		errno = 0;
		out[i] = strtol(p, &end, 10);
		if (end == p || errno)
			break;
		p = end;
	}
	return i ? i : -EINVAL;
}

int net_core_limits_read(const char *root, struct net_core_limits *out)
{
	int err;

	if ((err = sysctl_read_long(root, "net/core/rmem_default", &out->rmem_default)) ||
	    (err = sysctl_read_long(root, "net/core/rmem_max", &out->rmem_max)) ||
	    (err = sysctl_read_long(root, "net/core/wmem_default", &out->wmem_default)) ||
	    (err = sysctl_read_long(root, "net/core/wmem_max", &out->wmem_max)) ||
	    (err = sysctl_read_long(root, "net/core/somaxconn", &out->somaxconn)))
		return err;
	return 0;
}
