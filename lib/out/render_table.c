// SPDX-License-Identifier: MIT
/* render_table: aligned text tables. Cells are made printable when added, so a path holding
 * a newline cannot break the layout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/render.h"

int table_init(struct table *t, size_t ncols, const char *const *headers)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	if (ncols == 0 || ncols > TABLE_MAX_COLS)
		return -EINVAL;
	t->ncols = ncols;
	for (i = 0; i < ncols; i++) {
		const char *h = headers[i];

		t->align[i] = h[0] == '>' ? ALIGN_RIGHT : ALIGN_LEFT;
		t->headers[i] = h[0] == '>' ? h + 1 : h;
	}
	return 0;
}

int table_add_row(struct table *t, const char *const *cells)
{
	return table_add_row_coloured(t, cells, COLOUR_NONE);
}

int table_add_row_coloured(struct table *t, const char *const *cells, enum colour colour)
{
	size_t i, base;

	if (t->err)
		return t->err;
	if (t->nrows == t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
		char **p = realloc(t->cells, cap * t->ncols * sizeof(*p));
		unsigned char *rc;

		if (!p)
			return t->err = -ENOMEM;
		t->cells = p;
		rc = realloc(t->row_colours, cap);
		if (!rc)
			return t->err = -ENOMEM;
		t->row_colours = rc;
		if (t->notes) {
			char **notes = realloc(t->notes, cap * sizeof(*notes));

			if (!notes)
				return t->err = -ENOMEM;
			memset(notes + t->cap_rows, 0, (cap - t->cap_rows) * sizeof(*notes));
			t->notes = notes;
		}
		t->cap_rows = cap;
	}
	base = t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		struct strbuf sb = STRBUF_INIT;
		const char *c = cells[i] ? cells[i] : "";

		strbuf_add_printable(&sb, c, strlen(c));
		if (sb.err || !(t->cells[base + i] = strdup(strbuf_str(&sb)))) {
			strbuf_release(&sb);
			while (i-- > 0)
				free(t->cells[base + i]);
			return t->err = -ENOMEM;
		}
		strbuf_release(&sb);
	}
	t->row_colours[t->nrows++] = (unsigned char)colour;
	return 0;
}

int table_add_note(struct table *t, const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	if (t->err)
		return t->err;
	if (!t->nrows)
		return -EINVAL;
	if (!t->notes && !(t->notes = calloc(t->cap_rows, sizeof(*t->notes))))
		return t->err = -ENOMEM;
	strbuf_add_printable(&sb, text, strlen(text));
	free(t->notes[t->nrows - 1]);
	if (sb.err || !(t->notes[t->nrows - 1] = strdup(strbuf_str(&sb)))) {
		strbuf_release(&sb);
		return t->err = -ENOMEM;
	}
	strbuf_release(&sb);
	return 0;
}

/* End a line without trailing blanks (an empty last column would leave some). */
static void end_line(struct strbuf *sb, size_t line_start)
{
	while (sb->len > line_start && sb->buf[sb->len - 1] == ' ')
		sb->len--;
	strbuf_addc(sb, '\n');
}

static void add_padded(struct strbuf *sb, const char *s, size_t width, enum table_align a,
		       bool last)
{
	size_t w = utf8_width(s), pad = width > w ? width - w : 0;

	if (a == ALIGN_RIGHT)
		strbuf_addf(sb, "%*s", (int)pad, "");
	strbuf_adds(sb, s);
	if (a == ALIGN_LEFT && !last) /* no trailing blanks at the end of a line */
		strbuf_addf(sb, "%*s", (int)pad, "");
}

int table_render(const struct table *t, struct strbuf *sb, bool use_colour, int indent)
{
	size_t width[TABLE_MAX_COLS], r, c, start;

	if (t->err)
		return t->err;
	for (c = 0; c < t->ncols; c++)
		width[c] = utf8_width(t->headers[c]);
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			size_t w = utf8_width(t->cells[r * t->ncols + c]);

			if (w > width[c])
				width[c] = w;
		}

	start = sb->len;
	strbuf_addf(sb, "%*s", indent, "");
	for (c = 0; c < t->ncols; c++) {
		struct strbuf cell = STRBUF_INIT;

		add_padded(&cell, t->headers[c], width[c], t->align[c], c + 1 == t->ncols);
		colour_add(sb, use_colour, COLOUR_BOLD, strbuf_str(&cell));
		strbuf_release(&cell);
		if (c + 1 < t->ncols)
			strbuf_adds(sb, "  ");
	}
	end_line(sb, start);
	for (r = 0; r < t->nrows; r++) {
		struct strbuf line = STRBUF_INIT;

		strbuf_addf(sb, "%*s", indent, "");
		for (c = 0; c < t->ncols; c++) {
			add_padded(&line, t->cells[r * t->ncols + c], width[c], t->align[c],
				   c + 1 == t->ncols);
			if (c + 1 < t->ncols)
				strbuf_adds(&line, "  ");
		}
		while (line.len && line.buf[line.len - 1] == ' ')
			line.len--;
		if (line.buf)
			line.buf[line.len] = '\0';
		colour_add(sb, use_colour, (enum colour)t->row_colours[r], strbuf_str(&line));
		strbuf_addc(sb, '\n');
		if (line.err)
			sb->err = line.err;
		strbuf_release(&line);
		if (t->notes && t->notes[r]) {
			strbuf_addf(sb, "%*s", indent + 4, "");
			colour_add(sb, use_colour, (enum colour)t->row_colours[r], t->notes[r]);
			strbuf_addc(sb, '\n');
		}
	}
	return sb->err;
}

void table_release(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->row_colours);
	for (i = 0; t->notes && i < t->nrows; i++)
		free(t->notes[i]);
	free(t->notes);
	memset(t, 0, sizeof(*t));
}
