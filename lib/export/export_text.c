// SPDX-License-Identifier: MIT
/*
 * export_text: the two exposition formats Prometheus scrapes, written sample by sample: the
 * text format 0.0.4 and OpenMetrics 1.0 (which ends with "# EOF", writes UNIT lines, names a
 * counter's family without _total and has an info type), and which one an Accept header asks for.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nic2app/export.h"

const char *export_content_type(enum export_format f)
{
	return f == EXPORT_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
				       : "text/plain; version=0.0.4; charset=utf-8";
}

/* The value of parameter name in the ';' separated params of one media range, copied to
 * buf; false when absent. */
static bool media_param(const char *params, size_t len, const char *name, char *buf, size_t size)
{
	size_t nlen = strlen(name), i = 0;

	while (i < len) {
		size_t start, end, vlen;

		while (i < len && (params[i] == ';' || params[i] == ' ' || params[i] == '\t'))
			i++;
		start = i;
		while (i < len && params[i] != ';')
			i++;
		end = i;
		while (end > start && (params[end - 1] == ' ' || params[end - 1] == '\t'))
			end--;
		if (end - start > nlen && strncasecmp(params + start, name, nlen) == 0 &&
		    params[start + nlen] == '=') {
			start += nlen + 1;
			if (end > start && params[start] == '"' && params[end - 1] == '"' && end - start >= 2) {
				start++;
				end--;
			}
			vlen = end - start < size - 1 ? end - start : size - 1;
			memcpy(buf, params + start, vlen);
			buf[vlen] = '\0';
			return true;
		}
	}
	return false;
}

/* What one media range offers: 1 OpenMetrics, 0 text, -1 nothing we speak. */
static int media_format(const char *range, size_t len)
{
	size_t tlen = 0;
	char version[16];
	bool has_version;

	while (tlen < len && range[tlen] != ';')
		tlen++;
	has_version = media_param(range + tlen, len - tlen, "version", version, sizeof(version));
	if (tlen == 28 && strncasecmp(range, "application/openmetrics-text", tlen) == 0)
		return !has_version || strcmp(version, "1.0.0") == 0 ? 1 : -1;
	if (tlen == 10 && strncasecmp(range, "text/plain", tlen) == 0)
		return !has_version || strcmp(version, "0.0.4") == 0 ? 0 : -1;
	if ((tlen == 3 && strncmp(range, "*/*", 3) == 0) ||
	    (tlen == 6 && strncasecmp(range, "text/*", 6) == 0))
		return 0;
	return -1;
}

enum export_format export_format_for_accept(const char *accept)
{
	enum export_format best = EXPORT_TEXT;
	double best_q = 0;
	const char *p = accept;

	while (p && *p) {
		size_t len = strcspn(p, ",");
		const char *range = p, *semi;
		char qtext[16];
		double q = 1;
		int fmt;

		p += len + (p[len] == ',');
		while (len && (*range == ' ' || *range == '\t')) {
			range++;
			len--;
		}
		while (len && (range[len - 1] == ' ' || range[len - 1] == '\t'))
			len--;
		fmt = media_format(range, len);
		semi = memchr(range, ';', len);
		if (semi && media_param(semi, len - (size_t)(semi - range), "q", qtext, sizeof(qtext)))
			q = strtod(qtext, NULL);
		if (fmt >= 0 && q > best_q && q <= 1) {
			best_q = q;
			best = fmt ? EXPORT_OPENMETRICS : EXPORT_TEXT;
		}
	}
	return best;
}

void export_label_value(struct strbuf *sb, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t left = strlen(v), n;

	while (left) {
		if (*s == '\\' || *s == '"' || *s == '\n') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, *s == '\n' ? 'n' : (char)*s);
			n = 1;
		} else if ((n = utf8_sequence_len(s, left)) > 0) {
			strbuf_add(sb, s, n);
		} else {
			strbuf_adds(sb, "\xef\xbf\xbd"); /* U+FFFD for a byte that is not UTF-8 */
			n = 1;
		}
		s += n;
		left -= n;
	}
}

void export_help_text(struct strbuf *sb, enum export_format f, const char *help)
{
	for (const char *c = help; *c; c++) {
		if (*c == '\\' || *c == '\n' || (*c == '"' && f == EXPORT_OPENMETRICS)) {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, *c == '\n' ? 'n' : *c);
		} else {
			strbuf_addc(sb, *c);
		}
	}
}

static const char *type_word(enum export_format f, enum export_type t)
{
	if (t == EXPORT_COUNTER)
		return "counter";
	if (t == EXPORT_INFO)
		return f == EXPORT_OPENMETRICS ? "info" : "gauge";
	if (t == EXPORT_HISTOGRAM)
		return "histogram";
	return "gauge";
}

/* The suffix a sample of the family carries (0.0.4 writes it on HELP and TYPE too, having no
 * families apart from samples; OpenMetrics names the family bare). */
static const char *sample_suffix(enum export_type t)
{
	return t == EXPORT_COUNTER ? "_total" : t == EXPORT_INFO ? "_info" : "";
}

static void add_family_name(struct export_writer *w)
{
	strbuf_adds(w->sb, w->family);
	if (w->format != EXPORT_OPENMETRICS)
		strbuf_adds(w->sb, sample_suffix(w->type));
}

void export_family(struct export_writer *w, const char *family, enum export_type type,
		   const char *unit, const char *help)
{
	w->family = family;
	w->type = type;
	strbuf_adds(w->sb, "# HELP ");
	add_family_name(w);
	strbuf_addc(w->sb, ' ');
	export_help_text(w->sb, w->format, help);
	strbuf_adds(w->sb, "\n# TYPE ");
	add_family_name(w);
	strbuf_addf(w->sb, " %s\n", type_word(w->format, type));
	if (unit && w->format == EXPORT_OPENMETRICS) {
		strbuf_adds(w->sb, "# UNIT ");
		add_family_name(w);
		strbuf_addf(w->sb, " %s\n", unit);
	}
}

/* The shortest text that reads back as v (an le bound such as 1.024e-06, not
 * 1.0240000000000001e-06). */
static void shortest(char *buf, size_t size, double v)
{
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(buf, size, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static void add_value(struct strbuf *sb, double v)
{
	char text[32];

	if (isnan(v))
		snprintf(text, sizeof(text), "NaN");
	else if (isinf(v))
		snprintf(text, sizeof(text), "%s", v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		snprintf(text, sizeof(text), "%.0f", v);
	else
		shortest(text, sizeof(text), v);
	strbuf_adds(sb, text);
}

/* The labels, and le="..." after them when le is not NULL. */
static void add_labels(struct export_writer *w, const char *const *labels, size_t n_labels,
		       const char *le)
{
	for (size_t i = 0; i < n_labels; i++) {
		strbuf_addc(w->sb, i ? ',' : '{');
		strbuf_adds(w->sb, labels[2 * i]);
		strbuf_adds(w->sb, "=\"");
		export_label_value(w->sb, labels[2 * i + 1]);
		strbuf_addc(w->sb, '"');
	}
	if (le)
		strbuf_addf(w->sb, "%sle=\"%s\"", n_labels ? "," : "{", le);
	if (n_labels || le)
		strbuf_addc(w->sb, '}');
}

/* One sample line: the family's name with suffix, the labels (and le), the value. */
static void add_line(struct export_writer *w, const char *suffix, const char *const *labels,
		     size_t n_labels, const char *le, double value)
{
	strbuf_adds(w->sb, w->family);
	strbuf_adds(w->sb, suffix);
	add_labels(w, labels, n_labels, le);
	strbuf_addc(w->sb, ' ');
	add_value(w->sb, value);
	strbuf_addc(w->sb, '\n');
}

void export_sample(struct export_writer *w, const char *const *labels, size_t n_labels,
		   double value)
{
	add_line(w, sample_suffix(w->type), labels, n_labels, NULL, value);
}

void export_histogram(struct export_writer *w, const char *const *labels, size_t n_labels,
		      const struct export_buckets *b)
{
	char le[32];

	for (size_t i = 0; i < b->n; i++) {
		shortest(le, sizeof(le), b->le[i]);
		add_line(w, "_bucket", labels, n_labels, le, (double)b->cumulative[i]);
	}
	add_line(w, "_bucket", labels, n_labels, "+Inf", (double)b->count);
	add_line(w, "_sum", labels, n_labels, NULL, b->sum);
	add_line(w, "_count", labels, n_labels, NULL, (double)b->count);
}

void export_end(struct export_writer *w)
{
	if (w->format == EXPORT_OPENMETRICS)
		strbuf_adds(w->sb, "# EOF\n");
}
