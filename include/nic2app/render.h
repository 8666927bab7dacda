/* SPDX-License-Identifier: MIT */
/*
 * render: the text output layer shared by the command and the examples: colour (only on a TTY,
 * never with NO_COLOR), aligned tables and Unicode bars. Everything renders into a strbuf.
 */
#ifndef NIC2APP_RENDER_H
#define NIC2APP_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "nic2app/strbuf.h"

/* Colour for output on fd: a terminal, NO_COLOR unset or empty, TERM not "dumb". */
bool colour_wanted(int fd);

enum colour {
	COLOUR_NONE,
	COLOUR_BOLD,
	COLOUR_DIM,
	COLOUR_RED,
	COLOUR_GREEN,
	COLOUR_YELLOW,
	COLOUR_BLUE,
	COLOUR_CYAN,
};

/* Append s, wrapped in the colour's escape sequence when use_colour is set. */
void colour_add(struct strbuf *sb, bool use_colour, enum colour c, const char *s);

#define TABLE_MAX_COLS 12

enum table_align { ALIGN_LEFT, ALIGN_RIGHT };

struct table {
	size_t ncols;
	const char *headers[TABLE_MAX_COLS];
	enum table_align align[TABLE_MAX_COLS];
	char **cells; /* nrows * ncols, each printable (control bytes escaped) */
	unsigned char *row_colours; /* enum colour per row */
	char **notes; /* per row: a line shown under it (not aligned to the columns), or NULL */
	size_t nrows;
	size_t cap_rows;
	int err;
};

/* headers: ncols strings; a header starting with '>' is right-aligned (the '>' is not shown). */
int table_init(struct table *t, size_t ncols, const char *const *headers);
/* Add a row of ncols cells; NULL cells show as empty. */
int table_add_row(struct table *t, const char *const *cells);
/* The same, with the whole row in a colour when the table is rendered in colour. */
int table_add_row_coloured(struct table *t, const char *const *cells, enum colour c);
/* A line of text under the last row added (e.g. a TCP socket's internals), indented by 4 more
 * spaces than the table; it does not widen the columns. -EINVAL before any row. */
int table_add_note(struct table *t, const char *text);
/* Render with a header row, columns two spaces apart, indented by indent spaces. */
int table_render(const struct table *t, struct strbuf *sb, bool use_colour, int indent);
void table_release(struct table *t);

/* A horizontal bar of value/max scaled to width columns, in eighth-block characters. */
void bar_add(struct strbuf *sb, double value, double max, int width);

/* "0.4 ns", "456 ns", "1.23 µs", "12.30 ms": a duration for people, in the unit that suits
 * it; the only spelling of a duration in text, charts and HTML (µs is U+00B5). */
void duration_add(struct strbuf *sb, double ns);

#endif
