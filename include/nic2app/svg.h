/* SPDX-License-Identifier: MIT */
/*
 * svg: a small SVG writer onto a strbuf, for the charts. Every document stands alone (xmlns,
 * a <title>, an aria-label, its own <style>), so a saved .svg looks right in a browser, and a
 * page that inlines it can restyle its classes. Text is escaped for XML and
 * made to show: control bytes become \n, \t, \xNN as in the text renderer, bytes that are not
 * UTF-8 (and U+FFFE, U+FFFF, which XML forbids) become U+FFFD. Numbers have at most two
 * decimals. Misuse (an unbalanced group, a bad attribute name) is sticky like strbuf's
 * -ENOMEM: svg_end() reports the first failure, and the tags stay balanced whatever happens.
 */
#ifndef NIC2APP_SVG_H
#define NIC2APP_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "nic2app/strbuf.h"

/* The text of labels and values, and the width of one of its characters: the style asks for a
 * monospace font, whose characters are 0.6 em wide; a little more leaves room for fallbacks. */
#define SVG_FONT_PX 12
#define SVG_CHAR_PX 7.5
/* Chart titles. */
#define SVG_TITLE_PX 14
#define SVG_TITLE_CHAR_PX 8.75

/* The root's class: the embedded style only applies inside it, so it cannot leak into a page. */
#define SVG_ROOT_CLASS "nic2app"
/* A hatch pattern, for data to mark as different in kind (see svg_hatch_defs()). */
#define SVG_HATCH_ID "nic2app-hatch"

#define SVG_MAX_DEPTH 16

enum svg_anchor { SVG_START, SVG_MIDDLE, SVG_END };

/* What an element may carry besides its geometry. Any field may be NULL. */
struct svg_attrs {
	const char *cls;          /* class="..." */
	const char *const *attrs; /* more attributes as name, value, ..., NULL ("data-name", ...) */
	const char *title;        /* the tooltip: a <title> child */
};

struct svg {
	struct strbuf *sb;
	int depth;  /* <g> open */
	bool open;  /* between svg_begin() and svg_end() */
	int err;    /* -EINVAL after misuse; the strbuf keeps -ENOMEM */
};

/* Start a document of width x height px, on a white background. chart names it (data-chart,
 * NULL for none); title becomes its <title> and aria-label; css, when not NULL, its embedded
 * <style> (it must hold no '<' or '&': -EINVAL). */
void svg_begin(struct svg *s, struct strbuf *sb, double width, double height, const char *chart,
	       const char *title, const char *css);
/* Close what is still open; 0 when the document is complete and nothing failed, else -errno. */
int svg_end(struct svg *s);

void svg_group_begin(struct svg *s, const struct svg_attrs *a);
void svg_group_end(struct svg *s);
/* A <title> child of what is open: the tooltip of the group (or of the whole document). */
void svg_title(struct svg *s, const char *text);
/* <defs> with the hatch pattern SVG_HATCH_ID, for a document that marks copies. */
void svg_hatch_defs(struct svg *s);

void svg_rect(struct svg *s, double x, double y, double w, double h, const struct svg_attrs *a);
void svg_line(struct svg *s, double x1, double y1, double x2, double y2,
	      const struct svg_attrs *a);
/* Text with its baseline at y. With a->title the text is wrapped in a <g> that carries the
 * tooltip, so the text element's own content stays just the text. */
void svg_text(struct svg *s, double x, double y, enum svg_anchor anchor,
	      const struct svg_attrs *a, const char *text);
void svg_textf(struct svg *s, double x, double y, enum svg_anchor anchor,
	       const struct svg_attrs *a, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Text of at most max_chars characters (0: no limit): longer text is cut, ends with "…", and
 * its whole is the tooltip (a->title, if any, follows it). */
void svg_text_fit(struct svg *s, double x, double y, enum svg_anchor anchor,
		  const struct svg_attrs *a, const char *text, size_t max_chars);

/* Append len bytes of s as XML text or attribute content, made to show (see above). */
void svg_escape(struct strbuf *sb, const char *s, size_t len);
/* How many characters s shows as once escaped (utf8_width of the shown form). */
size_t svg_text_chars(const char *s);
/* The width in px of s as svg_text_fit() shows it with max_chars (0: no limit). */
double svg_text_px(const char *s, size_t max_chars);
/* A number with at most two decimals and no trailing zeros ("12.5", "3", "0"). Non-finite
 * numbers have no SVG form: 0 is written. */
void svg_num(struct strbuf *sb, double v);

/* An axis step of 1, 2 or 5 x 10^k such that about ticks steps cover max (max > 0). */
double svg_nice_step(double max, int ticks);

#endif
