/* SPDX-License-Identifier: MIT */
/*
 * render_page: a page of text on a terminal of a given size, the way top and htop show a list:
 * a title and a head that stay, a body that scrolls, the column header of the table in view
 * kept above its rows, every line cut at the width (colours kept), and all but the title
 * moved sideways to show what was cut.
 */
#ifndef NIC2APP_RENDER_PAGE_H
#define NIC2APP_RENDER_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "nic2app/strbuf.h"

#define PAGE_MAX_TABLES 8

/* A table in the body: its column-header line and the end of its rows (line numbers of the
 * whole page, the head's lines first). */
struct page_table {
	size_t header;
	size_t end;
};

struct page {
	struct strbuf text;     /* every line ends in '\n'; the head's lines come first */
	size_t head;            /* how many lines the head has */
	size_t *starts;         /* where each line starts in text (after page_finish) */
	size_t nlines;
	size_t cap;
	size_t counted;         /* text up to here is counted in nlines */
	struct page_table tables[PAGE_MAX_TABLES];
	size_t ntables;
	size_t widest;          /* the widest line, in columns */
};

/* Where the view is: the first body line shown, and the columns scrolled sideways. */
struct page_view {
	size_t top;
	size_t left;
};

enum page_move {
	PAGE_LINE_UP,
	PAGE_LINE_DOWN,
	PAGE_SCREEN_UP,
	PAGE_SCREEN_DOWN,
	PAGE_FIRST,
	PAGE_LAST,
	PAGE_COLUMNS_LEFT,
	PAGE_COLUMNS_RIGHT,
};

void page_init(struct page *p);
/* Empty the page for the next text (keeps its memory). */
void page_reset(struct page *p);
void page_release(struct page *p);
/* The number of whole lines written to p->text so far. */
size_t page_lines(struct page *p);
/* The lines written so far are the head; the rest will be the body. */
void page_end_head(struct page *p);
/* Lines header+1 .. end-1 are rows of the table whose column names are on line header.
 * Tables beyond PAGE_MAX_TABLES are not kept above their rows. */
void page_add_table(struct page *p, size_t header, size_t end);
/* Index the lines once all the text is there: 0, or -ENOMEM (also p->text's error). */
int page_finish(struct page *p);

/* Move the view for a screen of rows x cols (it stays within the page). */
void page_view_move(struct page_view *v, const struct page *p, int rows, int cols,
		    enum page_move m);
/*
 * The page as seen through v on a screen of rows x cols: the title, the head, the body from
 * v->top (the column header of the table in view in its first line), and, when the body does
 * not fit, a last line "lines A-B of N", then hint. With screen set, every row is placed with
 * cursor moves and cleared first (nothing scrolls or wraps); else the rows are plain lines.
 * v is brought back within the page first. Returns sb->err.
 */
int page_render(struct strbuf *sb, const struct page *p, struct page_view *v, const char *title,
		int rows, int cols, const char *hint, bool screen);

#endif
