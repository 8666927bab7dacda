/* SPDX-License-Identifier: MIT */
/*
 * out_file: where a picture or a page goes (--svg FILE, --html FILE). Checked before anything
 * is measured, written after. A regular file (or nothing yet) is written whole or not at all;
 * anything else (a device, a fifo, '-' or /dev/stdout) is written to as it is.
 */
#ifndef NIC2APP_OUT_FILE_H
#define NIC2APP_OUT_FILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

enum out_file_kind {
	OUT_FILE_NEW,      /* nothing there yet: a new file, mode 0666 less the umask */
	OUT_FILE_REPLACE,  /* a regular file: a temporary file beside it, renamed over it,
			      with the old file's mode and owner */
	OUT_FILE_IN_PLACE, /* a regular file with other hard links (or in a directory we may not
			      write): rewritten in place, so every name sees the new text */
	OUT_FILE_DEVICE,   /* a character or block device, a fifo: opened and written */
	OUT_FILE_FD,       /* one of our own fds ('-' and /dev/stdout are fd 1) */
};

struct out_file {
	enum out_file_kind kind;
	char path[PATH_MAX]; /* the real target, symlinks followed (not for OUT_FILE_FD) */
	int fd;              /* OUT_FILE_FD: the fd to write to */
	struct stat old;     /* OUT_FILE_REPLACE, OUT_FILE_IN_PLACE: the file found there */
};

/* Follow path's symlinks to what it names and check that it may be written, without
 * writing anything. 0, or -errno: -EACCES (not writable, or a directory on the way that may
 * not be searched), -EISDIR, -ENOENT (no such directory), -ELOOP, -ENXIO (a socket), -EBADF
 * (an fd of ours that is not open for writing). */
int out_file_check(struct out_file *f, const char *path);

/* Whether the text would go to this process's stdout (then nothing else should). */
bool out_file_is_stdout(const struct out_file *f);

/* Write text where f names: 0 or -errno (e.g. -ENOSPC from a full device). A regular file
 * is left as it was on any failure (OUT_FILE_IN_PLACE: the space is reserved first). */
int out_file_write(const struct out_file *f, const char *text, size_t len);

/* out_file_check() and out_file_write() at once. */
int out_file_put(const char *path, const char *text, size_t len);

#endif
