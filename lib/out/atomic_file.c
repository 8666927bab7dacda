// SPDX-License-Identifier: MIT
/*
 * atomic_file: write a whole file or nothing. The text goes to a temporary file beside the
 * target, is flushed to disk, then renamed over it: a reader sees the old file or the new
 * one, and a full disk leaves the old one (or none) and no half-written file.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nic2app/report.h"

int write_file_atomic(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, err = 0;

	/* ".NAME.XXXXXX" in the same directory, so rename() stays within one filesystem */
	if (slash)
		snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
	if (strlen(tmp) >= sizeof(tmp) - 1)
		return -ENAMETOOLONG;
	if ((fd = mkstemp(tmp)) < 0)
		return -errno;
	for (size_t done = 0; done < len && !err;) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno != EINTR)
			err = -errno;
		else if (n > 0)
			done += (size_t)n;
	}
	if (!err && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
