// SPDX-License-Identifier: MIT
/*
 * fds_live: `nic2app fds --watch` and `--events`. Both take a snapshot every interval and
 * compare it with the previous one; the kernel has no notification for fd table changes, so an
 * fd opened and closed between two snapshots is not seen (said in --help and the man page).
 *
 * Signals arrive through a signalfd and the target's exit through a pidfd, both polled with
 * the interval as timeout, so every way out goes through the same cleanup: the terminal is
 * always restored. On a terminal, --watch draws one page (render_page: a head that stays, a
 * body that scrolls) and redraws it from the same snapshot on a key or a resize; fds_term
 * does the terminal's modes. A failed write ends both views with exit 1.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fds.h"
#include "fds_term.h"
#include "nic2app/clock.h"
#include "nic2app/render_page.h"

#define SCROLL_HINT "arrows, PgUp/PgDn, Home/End scroll"

enum wake { WAKE_TICK, WAKE_QUIT, WAKE_EXITED, WAKE_RESIZE, WAKE_KEYS, WAKE_STOP, WAKE_CONT };

struct live {
	int sigfd;
	int pidfd;
	sigset_t old_mask;
	uint64_t next_ns;       /* the next snapshot's deadline, so intervals do not drift */
	uint64_t interval_ns;
};

/* Signals to the signalfd: the ways to stop, and on a screen a resize, Ctrl-Z and fg. */
static int live_open(struct live *l, const struct fds_options *o, bool screen)
{
	static const int screen_signals[] = { SIGWINCH, SIGTSTP, SIGCONT };
	sigset_t mask;

	memset(l, 0, sizeof(*l));
	l->interval_ns = (uint64_t)(o->interval_s * 1e9);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	for (size_t i = 0; screen && i < sizeof(screen_signals) / sizeof(screen_signals[0]); i++)
		sigaddset(&mask, screen_signals[i]);
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
	l->next_ns = monotonic_ns() + l->interval_ns; /* the first snapshot is taken now */
	return 0;
}

static void live_close(struct live *l)
{
	close(l->sigfd);
	if (l->pidfd >= 0)
		close(l->pidfd);
	sigprocmask(SIG_SETMASK, &l->old_mask, NULL);
}

static enum wake signal_wake(uint32_t signo)
{
	switch (signo) {
	case SIGWINCH: return WAKE_RESIZE;
	case SIGTSTP: return WAKE_STOP;
	case SIGCONT: return WAKE_CONT;
	default: return WAKE_QUIT;
	}
}

/* Sleep until the next deadline, a signal, a key on keyfd (-1: none), or the target's exit.
 * Only a tick moves the deadline on. */
static enum wake live_wait(struct live *l, int keyfd)
{
	struct pollfd p[3] = {
		{ .fd = l->sigfd, .events = POLLIN },
		{ .fd = l->pidfd, .events = POLLIN },
		{ .fd = keyfd, .events = POLLIN },
	};
	uint64_t now = monotonic_ns();
	int timeout_ms = now >= l->next_ns ? 0 : (int)((l->next_ns - now + 999999) / 1000000);
	struct signalfd_siginfo si;

	if (poll(p, 3, timeout_ms) < 0 && errno != EINTR)
		return WAKE_QUIT;
	if (p[0].revents & POLLIN && read(l->sigfd, &si, sizeof(si)) == sizeof(si))
		return signal_wake(si.ssi_signo);
	if (p[1].revents & POLLIN)
		return WAKE_EXITED;
	if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
		return WAKE_KEYS;
	if ((now = monotonic_ns()) < l->next_ns)
		return WAKE_RESIZE; /* woken early (EINTR): nothing new, a redraw is harmless */
	l->next_ns += l->interval_ns;
	if (now > l->next_ns)
		l->next_ns = now + l->interval_ns; /* a slow scan: skip, do not catch up */
	return WAKE_TICK;
}

static void say_exited(const struct fds_options *o)
{
	fprintf(stderr, "nic2app fds: process %d exited\n", (int)o->pid);
}

/* Write sb to stdout now: 0, or -errno when the write failed (a full disk, a closed terminal). */
static int live_write(struct strbuf *sb)
{
	int r = sb->err;

	if (!r && sb->len && fwrite(sb->buf, 1, sb->len, stdout) != sb->len)
		r = errno ? -errno : -EIO;
	if (!r && fflush(stdout) != 0)
		r = errno ? -errno : -EIO;
	strbuf_reset(sb);
	return r;
}

/* Say once why the output failed, and drop what stdio still holds, so the exit does not say
 * it again. A reader that went away (EPIPE) needs no word. */
static int write_failed(int err)
{
	if (err == -ENOMEM)
		cli_error("out of memory while formatting output");
	else if (err != -EPIPE)
		cli_error("cannot write output: %s", strerror(-err));
	__fpurge(stdout);
	clearerr(stdout);
	return EXIT_RUNTIME;
}

struct watch {
	const struct fds_options *o;
	struct fd_watcher *watcher;
	struct fd_snapshot snaps[2];
	struct fd_snapshot *last;       /* the newest snapshot, NULL before the first */
	struct live live;
	bool screen;                    /* drawn in place (else one snapshot after another) */
	struct term term;
	struct page page;               /* the newest snapshot as text, for redraws */
	struct page_view view;
	struct strbuf title;            /* "nic2app fds PID (comm)  every 1s  12:00:00" */
	struct strbuf out;
};

static fd_type_mask group_mask(enum fd_group g)
{
	fd_type_mask m = 0;

	for (int t = 0; t < FD_TYPE_COUNT; t++)
		if (fd_group_of((enum fd_type)t) == g)
			m |= FD_TYPE_BIT(t);
	return m;
}

/* The page of a snapshot: the summary as its head, then each table, marked as one so that its
 * column names stay above its rows. */
static int page_build(struct watch *w, const struct fd_snapshot *s, const struct fd_snapshot *prev)
{
	const struct fds_options *o = w->o;
	struct fd_marks marks = { .previous = prev };
	time_t t = (time_t)(s->time_ns / 1000000000u);
	char clock[16];
	int r = 0;

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&t));
	strbuf_reset(&w->title);
	strbuf_addf(&w->title, "nic2app fds %d (", (int)s->pid);
	strbuf_add_printable(&w->title, s->comm, strlen(s->comm));
	strbuf_addf(&w->title, ")  every %gs  %s", o->interval_s, clock);
	page_reset(&w->page);
	fd_summary_render(&w->page.text, s, o->mask, o->colour);
	page_end_head(&w->page);
	for (int g = FD_GROUP_FILES; g <= FD_GROUP_OTHER && r == 0; g++) {
		size_t title = page_lines(&w->page);

		r = fd_tables_render(&w->page.text, s, o->mask & group_mask((enum fd_group)g), &marks,
				     o->colour, 0);
		page_add_table(&w->page, title + 1, page_lines(&w->page));
	}
	return r ? r : page_finish(&w->page);
}

/* The page on the screen; final: as plain lines on the main screen, once the process is gone,
 * two lines shorter (for "process N exited" and the shell's prompt), its end kept in view if
 * it was. */
static int draw(struct watch *w, bool final)
{
	struct strbuf title = STRBUF_INIT;
	struct page_view end = w->view;
	int rows, cols, r;

	term_size(&rows, &cols);
	if (final && rows > 4) {
		page_view_move(&end, &w->page, rows, cols, PAGE_LAST);
		rows -= 2;
		if (end.top == w->view.top)
			page_view_move(&w->view, &w->page, rows, cols, PAGE_LAST);
	}
	strbuf_adds(&title, strbuf_str(&w->title));
	strbuf_adds(&title, final ? "  (its last view)" : "  q quits");
	r = title.err ? title.err
		      : page_render(&w->out, &w->page, &w->view, title.buf, rows, cols,
				    final ? NULL : SCROLL_HINT, !final);
	strbuf_release(&title);
	return r ? r : live_write(&w->out);
}

static int stream_render(struct strbuf *sb, const struct fds_options *o,
			 const struct fd_snapshot *s)
{
	if (o->json) {
		fd_snapshot_json(sb, s, o->mask);
		strbuf_addc(sb, '\n');
		return sb->err;
	}
	strbuf_addf(sb, "process %d (", (int)s->pid);
	strbuf_add_printable(sb, s->comm, strlen(s->comm));
	strbuf_addf(sb, ") at %.3f\n", (double)s->time_ns / 1e9);
	fd_tables_render(sb, s, o->mask, NULL, false, 0);
	fd_summary_render(sb, s, o->mask, false);
	strbuf_addc(sb, '\n');
	return sb->err;
}

/* A new snapshot, shown. *out_err: a failed write (the snapshot's own error is returned). */
static int watch_tick(struct watch *w, int *out_err)
{
	struct fd_snapshot *next = w->last == &w->snaps[0] ? &w->snaps[1] : &w->snaps[0];
	int r = fd_watcher_take(w->watcher, w->last, next);

	if (r)
		return r;
	if (w->screen) {
		*out_err = page_build(w, next, w->last);
		if (!*out_err && w->term.active)
			*out_err = draw(w, false);
	} else {
		*out_err = stream_render(&w->out, w->o, next);
		if (!*out_err)
			*out_err = live_write(&w->out);
	}
	if (w->last)
		fd_snapshot_release(w->last);
	w->last = next;
	return 0;
}

static void watch_keys(struct watch *w, bool *quit)
{
	static const enum page_move moves[] = {
		[TERM_KEY_UP] = PAGE_LINE_UP,         [TERM_KEY_DOWN] = PAGE_LINE_DOWN,
		[TERM_KEY_LEFT] = PAGE_COLUMNS_LEFT,  [TERM_KEY_RIGHT] = PAGE_COLUMNS_RIGHT,
		[TERM_KEY_PAGE_UP] = PAGE_SCREEN_UP,  [TERM_KEY_PAGE_DOWN] = PAGE_SCREEN_DOWN,
		[TERM_KEY_HOME] = PAGE_FIRST,         [TERM_KEY_END] = PAGE_LAST,
	};
	enum term_key keys[96];
	size_t n = term_read_keys(&w->term, keys, sizeof(keys) / sizeof(keys[0]));
	int rows, cols;

	term_size(&rows, &cols);
	for (size_t i = 0; i < n; i++) {
		if (keys[i] == TERM_KEY_QUIT) {
			*quit = true;
			return;
		}
		page_view_move(&w->view, &w->page, rows, cols, moves[keys[i]]);
	}
}

/* What a wake-up other than a tick does on the screen; true when the watch ends. */
static bool watch_screen_event(struct watch *w, enum wake k, int *out_err)
{
	bool quit = false;

	if (k == WAKE_STOP) {
		*out_err = term_suspend(&w->term);
	} else if (k == WAKE_CONT) {
		/* back from a stop we did not see (SIGSTOP) or to the foreground after `bg` */
		if (!w->term.active && term_foreground(&w->term))
			*out_err = term_enter(&w->term);
	} else if (k == WAKE_KEYS) {
		watch_keys(w, &quit);
	}
	if (!quit && !*out_err && w->term.active)
		*out_err = draw(w, false);
	return quit;
}

static int watch_loop(struct watch *w)
{
	int r, out_err = 0;
	enum wake k;

	if ((r = watch_tick(w, &out_err)))
		return fds_report_error(w->o->pid, r);
	while (!out_err) {
		k = live_wait(&w->live, w->term.active ? w->term.in : -1);
		if (k == WAKE_QUIT)
			return EXIT_OK;
		if (k == WAKE_EXITED)
			break;
		if (k != WAKE_TICK) {
			if (w->screen && watch_screen_event(w, k, &out_err))
				return EXIT_OK;
			continue;
		}
		r = watch_tick(w, &out_err);
		if (r == -ESRCH)
			break;
		if (r)
			return fds_report_error(w->o->pid, r);
	}
	if (out_err) {
		term_leave(&w->term);
		return write_failed(out_err);
	}
	/* the process exited: on a screen, its last view stays on the main screen */
	if (w->term.active) {
		term_leave(&w->term);
		if ((out_err = draw(w, true)))
			return write_failed(out_err);
	}
	say_exited(w->o);
	return EXIT_OK;
}

int fds_watch(const struct fds_options *o)
{
	struct watch w = { .o = o, .screen = !o->json && term_capable(), .title = STRBUF_INIT,
			   .out = STRBUF_INIT };
	int r, code;

	page_init(&w.page);
	if ((r = fd_watcher_open("/proc", o->pid, 0, &w.watcher)))
		return fds_report_error(o->pid, r);
	if ((r = live_open(&w.live, o, w.screen))) {
		fd_watcher_free(w.watcher);
		return fds_report_error(o->pid, r);
	}
	term_init(&w.term, w.screen && isatty(STDIN_FILENO) ? STDIN_FILENO : -1);
	if (w.screen && (r = term_enter(&w.term)))
		code = write_failed(r);
	else
		code = watch_loop(&w);
	if ((r = term_leave(&w.term)) && code == EXIT_OK)
		code = write_failed(r);
	live_close(&w.live);
	fd_watcher_free(w.watcher);
	if (w.last)
		fd_snapshot_release(w.last);
	page_release(&w.page);
	strbuf_release(&w.title);
	strbuf_release(&w.out);
	return code;
}

struct event_ctx {
	const struct fds_options *o;
	uint64_t time_ns;
	struct strbuf *sb;
};

/* " (was pipe pipe:[1234])": what a changed fd was, in the words of fd_entry_line. */
static void add_was(struct strbuf *sb, const struct fd_entry *before)
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
			add_was(ec->sb, before);
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
static int emit_exit(const struct fds_options *o, struct strbuf *sb)
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
	say_exited(o);
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
			code = write_failed(r);
			break;
		}
	}
	if (w == WAKE_EXITED && (r = emit_exit(o, &sb)))
		code = write_failed(r);
	strbuf_release(&sb);
	return code;
}

int fds_events(const struct fds_options *o)
{
	struct fd_snapshot a, b, *prev = &a, *cur = &b;
	struct fd_watcher *watcher;
	struct live l;
	int r, code;

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
