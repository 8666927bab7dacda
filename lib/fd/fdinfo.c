// SPDX-License-Identifier: MIT
/*
 * fdinfo: the text of /proc/PID/fdinfo/N. Every fd has "pos:", "flags:" (octal) and "ino:";
 * anonymous inodes add lines of their own, which one small function per kind turns into a
 * short detail: what an eventfd counts, what an epoll watches, which clock a timerfd uses.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nic2app/fd_scan.h"

/* The value after "key" at the start of a line, or NULL. */
static const char *line_value(const char *line, const char *key)
{
	size_t len = strlen(key);

	if (strncmp(line, key, len) != 0)
		return NULL;
	return line + len;
}

static void detail_eventfd(const char *line, struct fdinfo *info)
{
	const char *v = line_value(line, "eventfd-count:");

	if (v) /* the kernel prints the counter in hex */
		snprintf(info->detail, sizeof(info->detail), "count=%llu", strtoull(v, NULL, 16));
}

static int add_target(struct fdinfo *info, int fd)
{
	int *grown = realloc(info->targets, (info->target_count + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	info->targets = grown;
	info->targets[info->target_count++] = fd;
	snprintf(info->detail, sizeof(info->detail), "watches=%zu", info->target_count);
	return 0;
}

static const char *clock_name(int id)
{
	switch (id) {
	case CLOCK_REALTIME: return "CLOCK_REALTIME";
	case CLOCK_MONOTONIC: return "CLOCK_MONOTONIC";
	case CLOCK_BOOTTIME: return "CLOCK_BOOTTIME";
	case CLOCK_REALTIME_ALARM: return "CLOCK_REALTIME_ALARM";
	case CLOCK_BOOTTIME_ALARM: return "CLOCK_BOOTTIME_ALARM";
	default: return "CLOCK_UNKNOWN";
	}
}

static void detail_timerfd(const char *line, struct fdinfo *info)
{
	const char *v;
	long long sec, nsec;

	if ((v = line_value(line, "clockid:")))
		snprintf(info->detail, sizeof(info->detail), "clock=%s", clock_name(atoi(v)));
	else if ((v = line_value(line, "it_value:")) && sscanf(v, " (%lld, %lld)", &sec, &nsec) == 2 &&
		 (sec || nsec)) {
		size_t used = strlen(info->detail);

		snprintf(info->detail + used, sizeof(info->detail) - used, " armed");
	}
}

/* "sigmask: 0000000000000200" -> "signals=USR1" (bit n-1 is signal n). */
static void detail_signalfd(const char *line, struct fdinfo *info)
{
	const char *v = line_value(line, "sigmask:");
	unsigned long long mask;
	size_t used;

	if (!v)
		return;
	mask = strtoull(v, NULL, 16);
	used = (size_t)snprintf(info->detail, sizeof(info->detail), "signals=");
	for (int sig = 1; sig <= 64 && used < sizeof(info->detail); sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (!(mask & (1ull << (sig - 1))))
			continue;
		if (abbrev)
			used += (size_t)snprintf(info->detail + used, sizeof(info->detail) - used,
						 "%s%s", used > 8 ? "," : "", abbrev);
		else
			used += (size_t)snprintf(info->detail + used, sizeof(info->detail) - used,
						 "%s%d", used > 8 ? "," : "", sig);
	}
}

/* inotify and fanotify print one line per watch or mark; fanotify's first line, "fanotify
 * flags:", describes the group itself and is no mark. */
static void count_lines(const char *line, const char *key, const char *label, struct fdinfo *info)
{
	if (!line_value(line, key) || line_value(line, "fanotify flags:"))
		return;
	snprintf(info->detail, sizeof(info->detail), "%s=%zu", label, ++info->watch_count);
}

/* A group with no watch or mark says so ("marks=0") rather than nothing. */
static void count_none(enum fd_type type, struct fdinfo *info)
{
	if (info->watch_count == 0 && type == FD_INOTIFY)
		snprintf(info->detail, sizeof(info->detail), "watches=0");
	else if (info->watch_count == 0 && type == FD_FANOTIFY)
		snprintf(info->detail, sizeof(info->detail), "marks=0");
}

static void detail_pidfd(const char *line, struct fdinfo *info)
{
	const char *v = line_value(line, "Pid:");

	if (v) /* -1 once the process has been reaped */
		snprintf(info->detail, sizeof(info->detail), "pid=%d", atoi(v));
}

static void detail_io_uring(const char *line, struct fdinfo *info)
{
	const char *v;
	size_t used = strlen(info->detail);

	if ((v = line_value(line, "SqEntries:")))
		snprintf(info->detail + used, sizeof(info->detail) - used, "%ssq=%u",
			 used ? " " : "", (unsigned int)strtoul(v, NULL, 10));
	else if ((v = line_value(line, "CqEntries:")))
		snprintf(info->detail + used, sizeof(info->detail) - used, "%scq=%u",
			 used ? " " : "", (unsigned int)strtoul(v, NULL, 10));
}

static int parse_kind_line(const char *line, enum fd_type type, struct fdinfo *info)
{
	const char *v;

	switch (type) {
	case FD_EVENTFD: detail_eventfd(line, info); break;
	case FD_EPOLL:
		if ((v = line_value(line, "tfd:")))
			return add_target(info, atoi(v));
		break;
	case FD_TIMERFD: detail_timerfd(line, info); break;
	case FD_SIGNALFD: detail_signalfd(line, info); break;
	case FD_INOTIFY: count_lines(line, "inotify wd:", "watches", info); break;
	case FD_FANOTIFY: count_lines(line, "fanotify ", "marks", info); break;
	case FD_PIDFD: detail_pidfd(line, info); break;
	case FD_IO_URING: detail_io_uring(line, info); break;
	default: break;
	}
	return 0;
}

int fdinfo_parse(const char *text, enum fd_type type, struct fdinfo *out)
{
	bool has_pos = false, has_flags = false;
	const char *line = text, *v;
	int r = 0;

	memset(out, 0, sizeof(*out));
	while (line && *line && r == 0) {
		if ((v = line_value(line, "pos:"))) {
			out->pos = strtoll(v, NULL, 10);
			has_pos = true;
		} else if ((v = line_value(line, "flags:"))) {
			out->flags = (int)strtol(v, NULL, 8);
			has_flags = true;
		} else if ((v = line_value(line, "ino:"))) {
			out->ino = strtoull(v, NULL, 10);
			out->has_ino = true;
		} else if (!line_value(line, "mnt_id:")) {
			r = parse_kind_line(line, type, out);
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (r == 0 && !(has_pos && has_flags))
		r = -EBADMSG;
	if (r == 0)
		count_none(type, out);
	if (r)
		fdinfo_release(out);
	return r;
}

void fdinfo_release(struct fdinfo *info)
{
	free(info->targets);
	info->targets = NULL;
	info->target_count = 0;
}
