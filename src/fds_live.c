// SPDX-License-Identifier: MIT
/*
 * fds_live: `nic2app fds --watch` and `--events`. Both take a snapshot every interval and
 * compare it with the previous one; the kernel has no notification for fd table changes, so an
 * fd opened and closed between two snapshots is not seen (said in --help and the man page).
 *
 * Signals arrive through a signalfd and the target's exit through a pidfd, both polled with
 * the interval as timeout, so every way out goes through the same cleanup: the terminal is
 * always restored.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fds.h"
#include "nic2app/clock.h"

enum wake { WAKE_TICK, WAKE_QUIT, WAKE_EXITED, WAKE_RESIZE };

struct live {
	int sigfd;
	int pidfd;
	int keyfd;              /* the terminal in raw mode (--watch on a TTY), else -1 */
	struct termios saved;
	sigset_t old_mask;
	uint64_t next_ns;       /* the next snapshot's deadline, so intervals do not drift */
	uint64_t interval_ns;
};

static int live_open(struct live *l, const struct fds_options *o, bool keys)
{
	sigset_t mask;

	memset(l, 0, sizeof(*l));
	l->keyfd = -1;
	l->interval_ns = (uint64_t)(o->interval_s * 1e9);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (keys)
		sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, &l->old_mask);
	l->sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	/* without pidfd_open (ENOSYS: before Linux 5.3, or under valgrind 3.19), the next
	 * snapshot sees the exit instead (poll() skips a negative fd) */
	l->pidfd = l->sigfd < 0 ? -1 : (int)syscall(SYS_pidfd_open, o->pid, 0);
	if (l->sigfd < 0 || (l->pidfd < 0 && errno != ENOSYS)) {
		int err = -errno;

		if (l->sigfd >= 0)
			close(l->sigfd);
		sigprocmask(SIG_SETMASK, &l->old_mask, NULL);
		return err;
	}
	if (keys && tcgetattr(STDIN_FILENO, &l->saved) == 0) {
		struct termios raw = l->saved;

		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
			l->keyfd = STDIN_FILENO;
	}
	l->next_ns = monotonic_ns();
	return 0;
}

static void live_close(struct live *l)
{
	if (l->keyfd >= 0)
		tcsetattr(l->keyfd, TCSANOW, &l->saved);
	close(l->sigfd);
	if (l->pidfd >= 0)
		close(l->pidfd);
	sigprocmask(SIG_SETMASK, &l->old_mask, NULL);
}

/* Sleep until the next deadline, a signal, a key, or the target's exit. */
static enum wake live_wait(struct live *l)
{
	struct pollfd p[3] = {
		{ .fd = l->sigfd, .events = POLLIN },
		{ .fd = l->pidfd, .events = POLLIN },
		{ .fd = l->keyfd, .events = POLLIN },
	};

	l->next_ns += l->interval_ns;
	for (;;) {
		uint64_t now = monotonic_ns();
		int timeout_ms = now >= l->next_ns ? 0 : (int)((l->next_ns - now + 999999) / 1000000);
		struct signalfd_siginfo si;
		char key;

		if (poll(p, l->keyfd >= 0 ? 3 : 2, timeout_ms) < 0 && errno != EINTR)
			return WAKE_QUIT;
		if (p[0].revents & POLLIN && read(l->sigfd, &si, sizeof(si)) == sizeof(si))
			return si.ssi_signo == SIGWINCH ? WAKE_RESIZE : WAKE_QUIT;
		if (p[1].revents & POLLIN)
			return WAKE_EXITED;
		if (p[2].revents & POLLIN) {
			if (read(l->keyfd, &key, 1) != 1 || key == 'q' || key == 'Q' || key == 3)
				return WAKE_QUIT;
		}
		if (monotonic_ns() >= l->next_ns) {
			if (monotonic_ns() > l->next_ns + l->interval_ns)
				l->next_ns = monotonic_ns(); /* a slow scan: skip, do not catch up */
			return WAKE_TICK;
		}
	}
}

static void say_exited(const struct fds_options *o)
{
	fprintf(stderr, "nic2app fds: process %d exited\n", (int)o->pid);
}

/* The lines of sb that fit a terminal of rows lines, then a note of what was left out. */
static void clip_to_rows(struct strbuf *sb, int rows)
{
	size_t lines = 0, i;

	for (i = 0; i < sb->len; i++) {
		if (sb->buf[i] != '\n')
			continue;
		if (++lines == (size_t)(rows > 2 ? rows - 2 : 1)) {
			size_t more = 0;

			for (size_t k = i + 1; k < sb->len; k++)
				more += sb->buf[k] == '\n';
			sb->len = i + 1;
			sb->buf[sb->len] = '\0';
			if (more)
				strbuf_addf(sb, "... %zu more lines (a taller window, or --type, shows them)\n", more);
			return;
		}
	}
}

static void screen_render(struct strbuf *sb, const struct fds_options *o,
			  const struct fd_snapshot *s, const struct fd_snapshot *prev)
{
	struct fd_marks marks = { .previous = prev };
	struct winsize ws = { .ws_row = 24 };
	time_t t = (time_t)(s->time_ns / 1000000000u);
	char clock[16];

	ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&t));
	strbuf_adds(sb, "\033[H\033[2J"); /* home, clear */
	strbuf_addf(sb, "nic2app fds %d (", (int)s->pid);
	strbuf_add_printable(sb, s->comm, strlen(s->comm));
	strbuf_addf(sb, ")  every %gs  %s  q quits\n", o->interval_s, clock);
	fd_summary_render(sb, s, o->mask, o->colour);
	fd_tables_render(sb, s, o->mask, &marks, o->colour, 0);
	clip_to_rows(sb, ws.ws_row ? ws.ws_row : 24);
}

static void stream_render(struct strbuf *sb, const struct fds_options *o,
			  const struct fd_snapshot *s)
{
	if (o->json) {
		fd_snapshot_json(sb, s, o->mask);
		strbuf_addc(sb, '\n');
		return;
	}
	strbuf_addf(sb, "process %d (", (int)s->pid);
	strbuf_add_printable(sb, s->comm, strlen(s->comm));
	strbuf_addf(sb, ") at %.3f\n", (double)s->time_ns / 1e9);
	fd_tables_render(sb, s, o->mask, NULL, false, 0);
	fd_summary_render(sb, s, o->mask, false);
	strbuf_addc(sb, '\n');
}

int fds_watch(const struct fds_options *o)
{
	bool screen = isatty(STDOUT_FILENO) && !o->json;
	struct fd_snapshot snaps[2] = { 0 }, *cur = &snaps[0], *prev = NULL;
	struct strbuf sb = STRBUF_INIT;
	enum wake w = WAKE_TICK;
	struct fd_watcher *watcher;
	struct live l;
	int r, code = EXIT_OK;

	if ((r = fd_watcher_open("/proc", o->pid, 0, &watcher)))
		return fds_report_error(o->pid, r);
	if ((r = live_open(&l, o, screen && isatty(STDIN_FILENO)))) {
		fd_watcher_free(watcher);
		return fds_report_error(o->pid, r);
	}
	if (screen)
		fputs("\033[?1049h\033[?25l", stdout); /* alternate screen, hide the cursor */
	while (w == WAKE_TICK || w == WAKE_RESIZE) {
		if (w == WAKE_TICK) {
			r = fd_watcher_take(watcher, prev, cur);
			if (r == -ESRCH && prev) {
				w = WAKE_EXITED;
				break;
			}
			if (r) {
				code = -1;
				break;
			}
		}
		if (screen)
			screen_render(&sb, o, cur, prev);
		else
			stream_render(&sb, o, cur);
		cli_emit(&sb);
		fflush(stdout);
		if (w == WAKE_TICK) {
			if (prev)
				fd_snapshot_release(prev);
			prev = cur;
			cur = cur == &snaps[0] ? &snaps[1] : &snaps[0];
		}
		w = live_wait(&l);
	}
	if (screen)
		fputs("\033[?25h\033[?1049l", stdout);
	live_close(&l);
	fd_watcher_free(watcher);
	if (prev)
		fd_snapshot_release(prev);
	strbuf_release(&sb);
	if (code == -1)
		return fds_report_error(o->pid, r);
	if (w == WAKE_EXITED)
		say_exited(o);
	return EXIT_OK;
}

struct event_ctx {
	const struct fds_options *o;
	uint64_t time_ns;
	struct strbuf *sb;
};

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

static void emit_exit(const struct fds_options *o, struct strbuf *sb)
{
	struct timespec now;
	struct json j;

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
	cli_emit(sb);
	say_exited(o);
}

int fds_events(const struct fds_options *o)
{
	struct fd_snapshot a, b, *prev = &a, *cur = &b, *tmp;
	struct strbuf sb = STRBUF_INIT;
	struct event_ctx ec = { .o = o, .sb = &sb };
	struct fd_watcher *watcher;
	enum wake w;
	struct live l;
	int r, code = EXIT_OK;

	/* exact events from the system calls when BPF can be used (src/fds_syscall.c) */
	if ((r = fds_events_syscall(o)) != FDS_EVENTS_FALLBACK)
		return r;
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
	while ((w = live_wait(&l)) == WAKE_TICK || w == WAKE_RESIZE) {
		r = fd_watcher_take(watcher, prev, cur);
		if (r == -ESRCH) {
			w = WAKE_EXITED;
			break;
		}
		if (r) {
			code = fds_report_error(o->pid, r);
			break;
		}
		ec.time_ns = cur->time_ns;
		r = fd_snapshot_diff(prev, cur, emit_event, &ec);
		cli_emit(&sb);
		fflush(stdout);
		fd_snapshot_release(prev);
		tmp = prev;
		prev = cur;
		cur = tmp;
		if (r) {
			cli_error("cannot format an event: %s", strerror(-r));
			code = EXIT_RUNTIME;
			break;
		}
	}
	if (w == WAKE_EXITED)
		emit_exit(o, &sb);
	live_close(&l);
	fd_watcher_free(watcher);
	fd_snapshot_release(prev);
	strbuf_release(&sb);
	return code;
}
