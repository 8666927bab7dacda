// SPDX-License-Identifier: MIT
/*
 * svg: the SVG writer of the charts (see svg.h). Text goes through one function that decides
 * how each character shows, so what is measured, cut and escaped is always the same text.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nic2app/svg.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */
#define ELLIPSIS "\xe2\x80\xa6"    /* U+2026 */

/* How the character at p shows: its own UTF-8 bytes, or a replacement. Returns the bytes to
 * write (len in *out_len, characters in *chars) and sets *used to the bytes consumed. */
static const char *shown(const unsigned char *p, size_t avail, char buf[8], size_t *used,
			 size_t *out_len, size_t *chars)
{
	size_t n;

	*used = 1;
	if (*p < 0x20 || *p == 0x7f) { /* as the text renderer shows them */
		if (*p == '\n' || *p == '\t')
			snprintf(buf, 8, "\\%c", *p == '\n' ? 'n' : 't');
		else
			snprintf(buf, 8, "\\x%02x", *p);
		*out_len = strlen(buf);
		*chars = utf8_width(buf);
		return buf;
	}
	*chars = 1;
	n = utf8_sequence_len(p, avail);
	/* XML's characters exclude U+FFFE and U+FFFF (EF BF BE, EF BF BF) */
	if (n == 0 || (n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)) {
		*used = n ? n : 1;
		*out_len = sizeof(REPLACEMENT) - 1;
		return REPLACEMENT;
	}
	*used = n;
	*out_len = n;
	return (const char *)p;
}

static const char *entity(char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&apos;";
	}
	return NULL;
}

void svg_escape(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t run = i, used, n, chars;
		const char *piece, *e;
		char buf[8];

		while (run < len && p[run] >= 0x20 && p[run] < 0x7f && !entity((char)p[run]))
			run++;
		if (run > i) {
			strbuf_add(sb, p + i, run - i);
			i = run;
			continue;
		}
		if ((e = entity((char)p[i]))) {
			strbuf_adds(sb, e);
			i++;
			continue;
		}
		piece = shown(p + i, len - i, buf, &used, &n, &chars);
		strbuf_add(sb, piece, n);
		i += used;
	}
}

size_t svg_text_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, total = 0;

	while (i < len) {
		size_t used, n, chars;
		char buf[8];

		shown(p + i, len - i, buf, &used, &n, &chars);
		total += chars;
		i += used;
	}
	return total;
}

double svg_text_px(const char *s, size_t max_chars)
{
	size_t n = svg_text_chars(s);

	return (double)(max_chars && n > max_chars ? max_chars : n) * SVG_CHAR_PX;
}

void svg_num(struct strbuf *sb, double v)
{
	char buf[48];
	size_t n;

	if (!isfinite(v))
		v = 0;
	snprintf(buf, sizeof(buf), "%.2f", v);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		n--;
	if (n > 0 && buf[n - 1] == '.')
		n--;
	buf[n] = '\0';
	strbuf_adds(sb, strcmp(buf, "-0") == 0 ? "0" : buf);
}

double svg_nice_step(double max, int ticks)
{
	double raw, mag, f;

	if (!isfinite(max) || max <= 0 || ticks < 1)
		return 1;
	raw = max / ticks;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static bool writable(const struct svg *s)
{
	return s->open && !s->err && !s->sb->err;
}

static void num_attr(struct strbuf *sb, const char *name, double v)
{
	strbuf_addf(sb, " %s=\"", name);
	svg_num(sb, v);
	strbuf_addc(sb, '"');
}

static void str_attr(struct strbuf *sb, const char *name, const char *v)
{
	strbuf_addf(sb, " %s=\"", name);
	svg_escape(sb, v, strlen(v));
	strbuf_addc(sb, '"');
}

static bool attr_name_ok(const char *n)
{
	if (!n || !isalpha((unsigned char)*n))
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && !strchr("-_:.", *n))
			return false;
	return true;
}

/* Whether an element may be written with a: checked before anything is, so a bad attribute
 * leaves no half-written tag behind. */
static bool can_write(struct svg *s, const struct svg_attrs *a)
{
	if (!writable(s))
		return false;
	for (size_t i = 0; a && a->attrs && a->attrs[i]; i += 2)
		if (!attr_name_ok(a->attrs[i]) || !a->attrs[i + 1]) {
			s->err = -EINVAL;
			return false;
		}
	return true;
}

static void attrs_add(struct strbuf *sb, const struct svg_attrs *a)
{
	if (!a)
		return;
	if (a->cls)
		str_attr(sb, "class", a->cls);
	for (size_t i = 0; a->attrs && a->attrs[i]; i += 2)
		str_attr(sb, a->attrs[i], a->attrs[i + 1]);
}

static void title_add(struct strbuf *sb, const char *text)
{
	strbuf_adds(sb, "<title>");
	svg_escape(sb, text, strlen(text));
	strbuf_adds(sb, "</title>");
}

/* The end of an element with no content but its tooltip. */
static void tag_close(struct strbuf *sb, const char *name, const struct svg_attrs *a)
{
	if (a && a->title) {
		strbuf_addc(sb, '>');
		title_add(sb, a->title);
		strbuf_addf(sb, "</%s>\n", name);
	} else {
		strbuf_adds(sb, "/>\n");
	}
}

void svg_begin(struct svg *s, struct strbuf *sb, double width, double height, const char *chart,
	       const char *title, const char *css)
{
	*s = (struct svg){ .sb = sb, .open = true };
	title = title ? title : "";
	strbuf_adds(sb, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"" SVG_ROOT_CLASS "\"");
	if (chart)
		str_attr(sb, "data-chart", chart);
	num_attr(sb, "width", width);
	num_attr(sb, "height", height);
	strbuf_adds(sb, " viewBox=\"0 0 ");
	svg_num(sb, width);
	strbuf_addc(sb, ' ');
	svg_num(sb, height);
	strbuf_adds(sb, "\" role=\"img\"");
	str_attr(sb, "aria-label", title);
	strbuf_adds(sb, ">\n");
	title_add(sb, title);
	strbuf_addc(sb, '\n');
	if (css && strpbrk(css, "<&")) /* kept as it is: it must be valid XML text too */
		s->err = -EINVAL;
	else if (css)
		strbuf_addf(sb, "<style>%s</style>\n", css);
	svg_rect(s, 0, 0, width, height, &(struct svg_attrs){ .cls = "background" });
}

int svg_end(struct svg *s)
{
	if (!s->open)
		return -EINVAL;
	if (s->depth)
		s->err = s->err ? s->err : -EINVAL; /* a group left open */
	for (; s->depth > 0; s->depth--)
		strbuf_adds(s->sb, "</g>\n");
	strbuf_adds(s->sb, "</svg>\n");
	s->open = false;
	return s->sb->err ? s->sb->err : s->err;
}

void svg_group_begin(struct svg *s, const struct svg_attrs *a)
{
	if (!can_write(s, a))
		return;
	if (s->depth == SVG_MAX_DEPTH) {
		s->err = -EINVAL;
		return;
	}
	strbuf_adds(s->sb, "<g");
	attrs_add(s->sb, a);
	strbuf_adds(s->sb, ">");
	if (a && a->title)
		title_add(s->sb, a->title);
	strbuf_addc(s->sb, '\n');
	s->depth++;
}

void svg_group_end(struct svg *s)
{
	if (!s->open || s->depth == 0) {
		s->err = -EINVAL;
		return;
	}
	/* written even after a failure: what was opened is closed */
	strbuf_adds(s->sb, "</g>\n");
	s->depth--;
}

void svg_title(struct svg *s, const char *text)
{
	if (!text || !can_write(s, NULL))
		return;
	title_add(s->sb, text);
	strbuf_addc(s->sb, '\n');
}

void svg_hatch_defs(struct svg *s)
{
	if (!can_write(s, NULL))
		return;
	strbuf_adds(s->sb, "<defs><pattern id=\"" SVG_HATCH_ID "\" width=\"6\" height=\"6\" "
		    "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
		    "<rect width=\"6\" height=\"6\" fill=\"#0072B2\" fill-opacity=\"0.35\"/>"
		    "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#0072B2\" stroke-width=\"3\"/>"
		    "</pattern></defs>\n");
}

void svg_rect(struct svg *s, double x, double y, double w, double h, const struct svg_attrs *a)
{
	if (!can_write(s, a))
		return;
	strbuf_adds(s->sb, "<rect");
	num_attr(s->sb, "x", x);
	num_attr(s->sb, "y", y);
	num_attr(s->sb, "width", w > 0 ? w : 0);
	num_attr(s->sb, "height", h > 0 ? h : 0);
	attrs_add(s->sb, a);
	tag_close(s->sb, "rect", a);
}

void svg_line(struct svg *s, double x1, double y1, double x2, double y2,
	      const struct svg_attrs *a)
{
	if (!can_write(s, a))
		return;
	strbuf_adds(s->sb, "<line");
	num_attr(s->sb, "x1", x1);
	num_attr(s->sb, "y1", y1);
	num_attr(s->sb, "x2", x2);
	num_attr(s->sb, "y2", y2);
	attrs_add(s->sb, a);
	tag_close(s->sb, "line", a);
}

/* <text>, wrapped in a <g> with the tooltip when there is one: a <title> inside the text
 * would become part of its content. */
static void text_add(struct svg *s, double x, double y, enum svg_anchor anchor,
		     const struct svg_attrs *a, const char *text, const char *tooltip)
{
	static const char *const anchors[] = { "start", "middle", "end" };
	struct svg_attrs plain = { 0 };

	if (!can_write(s, a))
		return;
	if (tooltip) {
		strbuf_adds(s->sb, "<g>");
		title_add(s->sb, tooltip);
	}
	if (a) {
		plain = *a;
		plain.title = NULL;
	}
	strbuf_adds(s->sb, "<text");
	num_attr(s->sb, "x", x);
	num_attr(s->sb, "y", y);
	if (anchor == SVG_MIDDLE || anchor == SVG_END)
		strbuf_addf(s->sb, " text-anchor=\"%s\"", anchors[anchor]);
	attrs_add(s->sb, &plain);
	strbuf_addc(s->sb, '>');
	svg_escape(s->sb, text, strlen(text));
	strbuf_adds(s->sb, tooltip ? "</text></g>\n" : "</text>\n");
}

void svg_text(struct svg *s, double x, double y, enum svg_anchor anchor,
	      const struct svg_attrs *a, const char *text)
{
	text_add(s, x, y, anchor, a, text ? text : "", a ? a->title : NULL);
}

void svg_textf(struct svg *s, double x, double y, enum svg_anchor anchor,
	       const struct svg_attrs *a, const char *fmt, ...)
{
	struct strbuf text = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&text, fmt, ap);
	va_end(ap);
	if (text.err)
		s->err = s->err ? s->err : text.err;
	svg_text(s, x, y, anchor, a, strbuf_str(&text));
	strbuf_release(&text);
}

/* The first max_chars - 1 characters of s in their shown form, then "…". */
static void cut_add(struct strbuf *out, const char *s, size_t max_chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, total = 0;

	while (i < len) {
		size_t used, n, chars;
		const char *piece;
		char buf[8];

		piece = shown(p + i, len - i, buf, &used, &n, &chars);
		if (total + chars + 1 > max_chars)
			break;
		strbuf_add(out, piece, n);
		total += chars;
		i += used;
	}
	strbuf_adds(out, ELLIPSIS);
}

void svg_text_fit(struct svg *s, double x, double y, enum svg_anchor anchor,
		  const struct svg_attrs *a, const char *text, size_t max_chars)
{
	struct strbuf cut = STRBUF_INIT, tip = STRBUF_INIT;

	text = text ? text : "";
	if (svg_text_chars(text) <= max_chars || max_chars == 0) {
		svg_text(s, x, y, anchor, a, text);
		return;
	}
	cut_add(&cut, text, max_chars);
	strbuf_adds(&tip, text);
	if (a && a->title)
		strbuf_addf(&tip, ": %s", a->title);
	if (cut.err || tip.err)
		s->err = s->err ? s->err : -ENOMEM;
	text_add(s, x, y, anchor, a, strbuf_str(&cut), strbuf_str(&tip));
	strbuf_release(&cut);
	strbuf_release(&tip);
}
