// SPDX-License-Identifier: MIT
/*
 * render_page: a page of text through a window of rows x cols, as top and htop show a list.
 * Lines are cut at the width here, not by the terminal: a wrapped line pushes the title off the
 * screen. Widths count one column per code point, as the tables do; colour escapes take none
 * and are always copied, so a line cut or scrolled sideways keeps its colours.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/render_page.h"

#define SIDEWAYS_STEP 8 /* columns per left or right key */

void page_init(struct page *p)
{
	memset(p, 0, sizeof(*p));
}

void page_reset(struct page *p)
{
	strbuf_reset(&p->text);
	p->text.err = 0;
	p->head = p->nlines = p->counted = p->ntables = p->widest = 0;
}

void page_release(struct page *p)
{
	strbuf_release(&p->text);
	free(p->starts);
	page_init(p);
}

size_t page_lines(struct page *p)
{
	for (; p->counted < p->text.len; p->counted++)
		p->nlines += p->text.buf[p->counted] == '\n';
	return p->nlines;
}

void page_end_head(struct page *p)
{
	p->head = page_lines(p);
}

void page_add_table(struct page *p, size_t header, size_t end)
{
	if (p->ntables < PAGE_MAX_TABLES && end > header + 1)
		p->tables[p->ntables++] = (struct page_table){ .header = header, .end = end };
}

/* The length of the escape sequence at s: a CSI (ESC [ ... final byte) or ESC and one byte. */
static size_t escape_len(const char *s, size_t len)
{
	size_t i = 2;

	if (len < 2)
		return len;
	if (s[1] != '[')
		return 2;
	while (i < len && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x40)
		i++;
	return i < len ? i + 1 : len;
}

/* Walk a line: columns skip .. skip+width-1 go to sb (when not NULL), escapes always; returns
 * the line's width in columns (up to where it stopped). */
static size_t add_clipped(struct strbuf *sb, const char *s, size_t len, size_t skip, size_t width)
{
	size_t col = 0, i = 0, n;
	bool escapes = false;

	while (i < len) {
		if (s[i] == '\033') {
			n = escape_len(s + i, len - i);
			if (sb)
				strbuf_add(sb, s + i, n);
			escapes = true;
			i += n;
			continue;
		}
		if (sb && col >= skip + width)
			break;
		n = utf8_sequence_len((const unsigned char *)s + i, len - i);
		if (!n)
			n = 1; /* text is made printable before it gets here: not expected */
		if (sb && col >= skip)
			strbuf_add(sb, s + i, n);
		col++;
		i += n;
	}
	if (sb && escapes)
		strbuf_adds(sb, "\033[0m");
	return col;
}

static size_t line_len(const struct page *p, size_t line)
{
	size_t end = line + 1 < p->nlines ? p->starts[line + 1] : p->text.len;

	return end - p->starts[line] - 1; /* without its '\n' */
}

int page_finish(struct page *p)
{
	size_t n = 0;

	page_lines(p);
	if (p->text.err)
		return p->text.err;
	if (p->nlines > p->cap) {
		size_t *starts = realloc(p->starts, p->nlines * sizeof(*starts));

		if (!starts)
			return -ENOMEM;
		p->starts = starts;
		p->cap = p->nlines;
	}
	for (size_t i = 0; i < p->text.len && n < p->nlines; i++)
		if (i == 0 || p->text.buf[i - 1] == '\n')
			p->starts[n++] = i;
	p->widest = 0;
	for (size_t l = 0; l < p->nlines; l++) {
		size_t w = add_clipped(NULL, p->text.buf + p->starts[l], line_len(p, l), 0, 0);

		if (w > p->widest)
			p->widest = w;
	}
	return 0;
}

/* How a page fits a screen: the lines of title and head shown, the body's lines, whether a
 * last line says which lines are shown, and how far down the view can go. */
struct fit {
	size_t head;    /* the title and as much of the head as leaves the body 3 lines */
	size_t avail;   /* body lines on screen */
	bool footer;
	size_t max_top;
};

static struct fit fit_page(const struct page *p, int rows)
{
	size_t r = rows > 0 ? (size_t)rows : 1, body = p->nlines - p->head;
	struct fit f = { .head = 1 + p->head };

	if (r < f.head + 3)
		f.head = r > 3 ? r - 3 : 1;
	f.avail = r > f.head ? r - f.head : 0;
	if (body > f.avail && f.avail >= 2) {
		f.footer = true;
		f.avail--;
	}
	f.max_top = body > f.avail ? body - f.avail : 0;
	return f;
}

static void view_clamp(struct page_view *v, const struct page *p, const struct fit *f, int cols)
{
	size_t width = cols > 0 ? (size_t)cols : 1;

	if (v->top > f->max_top)
		v->top = f->max_top;
	if (v->left + width > p->widest)
		v->left = p->widest > width ? p->widest - width : 0;
}

void page_view_move(struct page_view *v, const struct page *p, int rows, int cols,
		    enum page_move m)
{
	struct fit f = fit_page(p, rows);
	size_t screen = f.avail > 2 ? f.avail - 1 : 1; /* the first line may be a table's header */

	switch (m) {
	case PAGE_LINE_UP: v->top = v->top ? v->top - 1 : 0; break;
	case PAGE_LINE_DOWN: v->top++; break;
	case PAGE_SCREEN_UP: v->top = v->top > screen ? v->top - screen : 0; break;
	case PAGE_SCREEN_DOWN: v->top += screen; break;
	case PAGE_FIRST: v->top = 0; break;
	case PAGE_LAST: v->top = f.max_top; break;
	case PAGE_COLUMNS_LEFT: v->left = v->left > SIDEWAYS_STEP ? v->left - SIDEWAYS_STEP : 0; break;
	case PAGE_COLUMNS_RIGHT: v->left += SIDEWAYS_STEP; break;
	}
	view_clamp(v, p, &f, cols);
}

/* What the first body line of the screen shows when line is at the top: the column header of
 * its table when line is a row with more rows below it (the header hides it), else line. */
static size_t first_shown(const struct page *p, size_t line)
{
	for (size_t t = 0; t < p->ntables; t++)
		if (p->tables[t].header < line && line + 1 < p->tables[t].end)
			return p->tables[t].header;
	return line;
}

struct out {
	struct strbuf *sb;
	size_t width;
	bool screen;
	int row; /* rows written */
};

static void out_row(struct out *o, const char *s, size_t len, size_t skip)
{
	o->row++;
	if (o->screen)
		strbuf_addf(o->sb, "\033[%d;1H\033[2K", o->row);
	add_clipped(o->sb, s, len, skip, o->width);
	if (!o->screen)
		strbuf_addc(o->sb, '\n');
}

static void out_line(struct out *o, const struct page *p, size_t line, size_t skip)
{
	out_row(o, p->text.buf + p->starts[line], line_len(p, line), skip);
}

int page_render(struct strbuf *sb, const struct page *p, struct page_view *v, const char *title,
		int rows, int cols, const char *hint, bool screen)
{
	struct fit f = fit_page(p, rows);
	struct out o = { .sb = sb, .width = cols > 0 ? (size_t)cols : 1, .screen = screen };
	size_t body = p->nlines - p->head, first, last, line;

	view_clamp(v, p, &f, cols);
	out_row(&o, title, strlen(title), 0);
	for (line = 0; line + 1 < f.head; line++)
		out_line(&o, p, line, v->left);
	for (size_t k = 0; k < f.avail && v->top + k < body; k++) {
		line = p->head + v->top + k;
		out_line(&o, p, k == 0 ? first_shown(p, line) : line, v->left);
	}
	if (f.footer) {
		struct strbuf foot = STRBUF_INIT;

		first = v->top + (first_shown(p, p->head + v->top) != p->head + v->top) + 1;
		last = v->top + f.avail < body ? v->top + f.avail : body;
		strbuf_addf(&foot, "lines %zu-%zu of %zu", first, last, body);
		if (v->left)
			strbuf_addf(&foot, ", from column %zu", v->left + 1);
		if (hint)
			strbuf_addf(&foot, "; %s", hint);
		out_row(&o, strbuf_str(&foot), foot.len, 0);
		if (foot.err)
			sb->err = foot.err;
		strbuf_release(&foot);
	}
	if (screen && o.row < rows)
		strbuf_addf(sb, "\033[%d;1H\033[J", o.row + 1);
	return sb->err;
}
