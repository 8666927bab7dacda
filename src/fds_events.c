// SPDX-License-Identifier: MIT
/* fds_events: `nic2app fds --events`: an open, close or change event for each difference
 * between two snapshots, as text or JSON lines, until the process exits. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "fds_live.h"

struct event_ctx {
	const struct fds_options *o;
	uint64_t time_ns;
	struct strbuf *sb;
};

void live_add_was(struct strbuf *sb, const struct fd_entry *before)
{
	struct strbuf line = STRBUF_INIT;
	int prefix = snprintf(NULL, 0, "fd %d ", before->fd);

	fd_entry_line(&line, before);
	if (line.err)
		sb->err = line.err;
	else if ((size_t)prefix <= line.len)
		strbuf_addf(sb, " (was %s)", line.buf + prefix);
	strbuf_release(&line);
}

static int emit_event(enum fd_change c, const struct fd_entry *before,
		      const struct fd_entry *after, void *arg)
{
	struct event_ctx *ec = arg;
	const struct fd_entry *e = after ? after : before;
	char clock[16];
	time_t t = (time_t)(ec->time_ns / 1000000000u);
	struct json j;

	if (!(ec->o->mask & FD_TYPE_BIT(e->type)))
		return 0;
	if (!ec->o->json) {
		strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&t));
		strbuf_addf(ec->sb, "%s.%06u %-6s ", clock,
			    (unsigned int)(ec->time_ns % 1000000000u / 1000), fd_change_name(c));
		fd_entry_line(ec->sb, e);
		if (c == FD_CHANGED)
			live_add_was(ec->sb, before);
		strbuf_addc(ec->sb, '\n');
		return 0;
	}
	json_init(&j, ec->sb);
	json_object_begin(&j, NULL);
	json_uint(&j, "time_ns", ec->time_ns);
	json_string(&j, "event", fd_change_name(c));
	fd_entry_json_fields(&j, e);
	if (c == FD_CHANGED) {
		json_object_begin(&j, "before");
		fd_entry_json_fields(&j, before);
		json_object_end(&j);
	}
	json_object_end(&j);
	strbuf_addc(ec->sb, '\n');
	return json_finish(&j);
}

/* The exit event (JSON) and the word on stderr; -errno when the event could not be written. */
int live_emit_exit(const struct fds_options *o, struct strbuf *sb)
{
	struct timespec now;
	struct json j;
	int r;

	clock_gettime(CLOCK_REALTIME, &now);
	if (o->json) {
		json_init(&j, sb);
		json_object_begin(&j, NULL);
		json_uint(&j, "time_ns", (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec);
		json_string(&j, "event", "exit");
		json_int(&j, "pid", o->pid);
		json_object_end(&j);
		strbuf_addc(sb, '\n');
	}
	if ((r = live_write(sb)))
		return r;
	live_say_exited(o);
	return 0;
}

/* Events until the process exits or a signal; the exit code. */
static int events_loop(const struct fds_options *o, struct fd_watcher *watcher, struct live *l,
		       struct fd_snapshot **prev, struct fd_snapshot **cur)
{
	struct strbuf sb = STRBUF_INIT;
	struct event_ctx ec = { .o = o, .sb = &sb };
	struct fd_snapshot *tmp;
	int r = 0, code = EXIT_OK;
	enum wake w;

	while ((w = live_wait(l, -1)) != WAKE_QUIT && w != WAKE_EXITED) {
		if (w != WAKE_TICK)
			continue;
		r = fd_watcher_take(watcher, *prev, *cur);
		if (r == -ESRCH) {
			w = WAKE_EXITED;
			break;
		}
		if (r) {
			code = fds_report_error(o->pid, r);
			break;
		}
		ec.time_ns = (*cur)->time_ns;
		r = fd_snapshot_diff(*prev, *cur, emit_event, &ec);
		fd_snapshot_release(*prev);
		tmp = *prev;
		*prev = *cur;
		*cur = tmp;
		if (r) {
			cli_error("cannot format an event: %s", strerror(-r));
			code = EXIT_RUNTIME;
			break;
		}
		if ((r = live_write(&sb))) {
			code = live_write_failed(r);
			break;
		}
	}
	if (w == WAKE_EXITED && (r = live_emit_exit(o, &sb)))
		code = live_write_failed(r);
	strbuf_release(&sb);
	return code;
}

int fds_events(const struct fds_options *o)
{
	struct fd_snapshot a, b, *prev = &a, *cur = &b;
	struct fd_watcher *watcher;
	struct live l;
	int r, code;

	/* exact events from the system calls where BPF allows, else snapshots compared */
	if ((code = fds_events_syscall(o)) != FDS_EVENTS_FALLBACK)
		return code;
	if ((r = fd_watcher_open("/proc", o->pid, 0, &watcher)))
		return fds_report_error(o->pid, r);
	if ((r = fd_watcher_take(watcher, NULL, prev))) {
		fd_watcher_free(watcher);
		return fds_report_error(o->pid, r);
	}
	if ((r = live_open(&l, o, false))) {
		fd_snapshot_release(prev);
		fd_watcher_free(watcher);
		return fds_report_error(o->pid, r);
	}
	fprintf(stderr, "nic2app fds: watching process %d (%zu fds open) every %gs; Ctrl-C stops\n",
		(int)o->pid, prev->count, o->interval_s);
	code = events_loop(o, watcher, &l, &prev, &cur);
	live_close(&l);
	fd_watcher_free(watcher);
	fd_snapshot_release(prev);
	return code;
}
