// SPDX-License-Identifier: MIT
/*
 * fds_watch: `nic2app fds --watch`. On a terminal it draws one page (render_page: the title and
 * summary stay, the tables scroll) and redraws it from the same snapshot on a key or a resize;
 * fds_term does the terminal's modes. Elsewhere, one snapshot per interval, as text or JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fds_live.h"
#include "fds_term.h"
#include "nic2app/render_page.h"

#define SCROLL_HINT "arrows, PgUp/PgDn, Home/End scroll"

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

	/* the first snapshot before the screen is taken over, so that an error is seen */
	if ((r = watch_tick(w, &out_err)))
		return fds_report_error(w->o->pid, r);
	if (w->screen && !out_err && !(out_err = term_enter(&w->term)))
		out_err = draw(w, false);
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
		return live_write_failed(out_err);
	}
	/* the process exited: on a screen, its last view stays on the main screen */
	if (w->term.active) {
		term_leave(&w->term);
		if ((out_err = draw(w, true)))
			return live_write_failed(out_err);
	}
	live_say_exited(w->o);
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
	code = watch_loop(&w);
	if ((r = term_leave(&w.term)) && code == EXIT_OK)
		code = live_write_failed(r);
	live_close(&w.live);
	fd_watcher_free(w.watcher);
	if (w.last)
		fd_snapshot_release(w.last);
	page_release(&w.page);
	strbuf_release(&w.title);
	strbuf_release(&w.out);
	return code;
}
