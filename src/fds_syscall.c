// SPDX-License-Identifier: MIT
/*
 * fds_syscall: `nic2app fds PID --events` from the system calls themselves (BPF, see
 * include/nic2app/fd_events.h): every open, close and replace of an fd, even one that lives
 * for a microsecond, in order, with a ns time; a snapshot every interval finds what no call
 * shows (source "snapshot"); lost records are counted and printed. Without BPF or the
 * privilege it says why, once, and fds_events() goes on with snapshots alone.
 *
 * One loop waits on a signalfd, the target's pidfd and the ring buffer (with a timeout: the
 * program wakes us only for every 256 KiB of records, so a quiet process's events are read
 * every FLUSH_MS), so every way out goes through the same cleanup, which unloads the program.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fds.h"
#include "fds_live.h"
#include "nic2app/clock.h"
#include "nic2app/fd_events.h"

#define FLUSH_MS 100

struct sys_ctx {
	const struct fds_options *o;
	struct strbuf *sb;
	int write_err;      /* the output failed (a full disk): the watch ends with status 1 */
};

static void render_text(struct strbuf *sb, const struct fd_report *r)
{
	const struct fd_entry *e = r->after ? r->after : r->before;
	time_t t = (time_t)(r->time_ns / 1000000000u);
	char clock[16];

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&t));
	strbuf_addf(sb, "%s.%06u ", clock, (unsigned int)(r->time_ns % 1000000000u / 1000));
	if (r->lost) {
		strbuf_addf(sb, "lost   %llu records (the ring buffer was full)\n",
			    (unsigned long long)r->count);
		return;
	}
	strbuf_addf(sb, "%-6s %-8s %-14s ", fd_change_name(r->change),
		    r->from_syscall ? "syscall" : "snapshot", r->from_syscall ? r->syscall : "-");
	fd_entry_line(sb, e);
	if (r->change == FD_CHANGED && r->before && r->after)
		live_add_was(sb, r->before);
	if (r->gone)
		strbuf_adds(sb, " (gone before it could be read)");
	strbuf_addc(sb, '\n');
}

static int render_json(struct strbuf *sb, const struct fd_report *r)
{
	const struct fd_entry *e = r->after ? r->after : r->before;
	struct json j;

	json_init(&j, sb);
	json_object_begin(&j, NULL);
	json_uint(&j, "time_ns", r->time_ns);
	if (r->lost) {
		json_string(&j, "event", "lost");
		json_uint(&j, "count", r->count);
	} else {
		json_string(&j, "event", fd_change_name(r->change));
		json_string(&j, "source", r->from_syscall ? "syscall" : "snapshot");
		if (r->from_syscall) {
			json_string(&j, "syscall", r->syscall);
			json_int(&j, "tid", r->tid);
		}
		fd_entry_json_fields(&j, e);
		if (r->gone)
			json_bool(&j, "gone", true);
		if (r->change == FD_CHANGED && r->before) {
			json_object_begin(&j, "before");
			fd_entry_json_fields(&j, r->before);
			json_object_end(&j);
		}
	}
	json_object_end(&j);
	strbuf_addc(sb, '\n');
	return json_finish(&j);
}

static int on_report(const struct fd_report *r, void *arg)
{
	struct sys_ctx *c = arg;
	const struct fd_entry *e = r->after ? r->after : r->before;

	if (!r->lost && !(c->o->mask & FD_TYPE_BIT(e->type)))
		return 0;
	if (c->o->json)
		return render_json(c->sb, r);
	render_text(c->sb, r);
	return 0;
}

/* Open the stream, or say why events will come from snapshots (FDS_EVENTS_FALLBACK). */
static int stream_open(const struct fds_options *o, struct fd_event_stream **st)
{
	const char *why = NULL;
	int r;

	if (o->pid == getpid()) {
		fprintf(stderr, "nic2app fds: exact events of nic2app itself would report its own "
				"reads; events come from snapshots every %gs\n", o->interval_s);
		return FDS_EVENTS_FALLBACK;
	}
	r = fd_event_stream_open(o->pid, st, &why);
	if (r == 0)
		return 0;
	if (!why)
		return fds_report_error(o->pid, r);
	fprintf(stderr, "nic2app fds: exact events need BPF: %s: %s%s; events come from snapshots "
			"every %gs (an fd opened and closed between two is not seen)\n",
		why, strerror(-r), (r == -EPERM || r == -EACCES) && geteuid() != 0
					   ? " (needs root, or CAP_BPF and CAP_PERFMON)" : "",
		o->interval_s);
	return FDS_EVENTS_FALLBACK;
}

static int open_signals(sigset_t *old, int *sigfd)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, old);
	*sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (*sigfd < 0) {
		int err = -errno;

		sigprocmask(SIG_SETMASK, old, NULL);
		return err;
	}
	return 0;
}

/* Wait for records, a signal, the exit or the next snapshot: its timeout in ms. */
static int next_timeout(uint64_t snapshot_ns)
{
	uint64_t now = monotonic_ns();
	uint64_t ms = now >= snapshot_ns ? 0 : (snapshot_ns - now + 999999) / 1000000;

	return ms < FLUSH_MS ? (int)ms : FLUSH_MS;
}

static int run(const struct fds_options *o, struct fd_event_stream *st, int sigfd, int pidfd,
	       struct sys_ctx *c, bool *exited)
{
	struct pollfd p[3] = {
		{ .fd = sigfd, .events = POLLIN },
		{ .fd = fd_event_stream_fd(st), .events = POLLIN },
		{ .fd = pidfd, .events = POLLIN },
	};
	uint64_t interval_ns = (uint64_t)(o->interval_s * 1e9), next = monotonic_ns() + interval_ns;
	int r = 0;

	while (r == 0) {
		if (poll(p, 3, next_timeout(next)) < 0 && errno != EINTR)
			return -errno;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			/* taken, so that restoring the mask does not deliver it again */
			if (read(sigfd, &si, sizeof(si)) < 0)
				return -errno;
			break;
		}
		if (p[2].revents & POLLIN) {
			*exited = true;
			return fd_event_stream_drain(st, on_report, c);
		}
		if (monotonic_ns() >= next) {
			r = fd_event_stream_snapshot(st, on_report, c);
			next = monotonic_ns() + interval_ns;
		} else {
			r = fd_event_stream_drain(st, on_report, c);
		}
		if ((c->write_err = live_write(c->sb)) < 0)
			return 0;
	}
	if (r == -ESRCH)
		*exited = true;
	return r == -ESRCH ? 0 : r;
}

int fds_events_syscall(const struct fds_options *o)
{
	struct strbuf sb = STRBUF_INIT;
	struct sys_ctx c = { .o = o, .sb = &sb };
	struct fd_event_stream *st;
	bool exited = false;
	int r, sigfd, pidfd, code = EXIT_OK;
	sigset_t old;

	/* signals first: the threads a snapshot starts inherit the mask */
	if ((r = open_signals(&old, &sigfd))) {
		cli_error("cannot open a signalfd: %s", strerror(-r));
		return EXIT_RUNTIME;
	}
	if ((r = stream_open(o, &st))) {
		close(sigfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return r;
	}
	pidfd = (int)syscall(SYS_pidfd_open, o->pid, 0); /* -1: the next snapshot sees the exit */
	fprintf(stderr, "nic2app fds: watching process %d (%zu fds open): exact events from its "
			"system calls (BPF), a snapshot every %gs; Ctrl-C stops\n",
		(int)o->pid, fd_event_stream_first(st)->count, o->interval_s);
	r = run(o, st, sigfd, pidfd, &c, &exited);
	if (!c.write_err)
		c.write_err = live_write(&sb);
	if (c.write_err) {
		code = live_write_failed(c.write_err);
	} else {
		if (r < 0) {
			cli_error("cannot read the events of process %d: %s", (int)o->pid,
				  strerror(-r));
			code = EXIT_RUNTIME;
		}
		if (exited && (c.write_err = live_emit_exit(o, &sb)) < 0)
			code = live_write_failed(c.write_err);
	}
	fd_event_stream_free(st); /* unloads the program: nothing is left in the kernel */
	if (pidfd >= 0)
		close(pidfd);
	close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	strbuf_release(&sb);
	return code;
}
