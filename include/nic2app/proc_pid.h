/* SPDX-License-Identifier: MIT */
/* proc_pid: small text files of /proc about one process or the whole system. */
#ifndef NIC2APP_PROC_PID_H
#define NIC2APP_PROC_PID_H

#include <stddef.h>
#include <sys/types.h>

/* Read a whole small file (relative to dirfd) into buf, NUL-terminated. Returns the length,
 * or -errno; -EFBIG when it does not fit. */
ssize_t proc_read_small(int dirfd, const char *name, char *buf, size_t size);

/* Read a file of any size into a malloc'd NUL-terminated buffer (/proc files report size 0,
 * so this reads until EOF). Returns the length or -errno. */
ssize_t proc_read_all(int dirfd, const char *name, char **out);

/* From the text of /proc/PID/limits, the soft and hard value of one resource, e.g.
 * "Max open files"; -1 stands for "unlimited". -ENOENT when the line is missing. */
int proc_limits_parse(const char *text, const char *resource, long *soft, long *hard);

/* From /proc/sys/fs/file-nr ("allocated  unused  max"): allocated and max. -EBADMSG. */
int file_nr_parse(const char *text, long *allocated, long *max);

/* From the text of /proc/PID/stat, the process state letter (R S D Z X ...), read after the
 * last ')' since the name in parentheses may hold anything; '\0' when the text is malformed. */
char proc_stat_state(const char *text);

#endif
