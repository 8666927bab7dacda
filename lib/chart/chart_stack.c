// SPDX-License-Identifier: MIT
/*
 * chart_stack: several chart documents as one SVG file, one below the other: an outer <svg>
 * as wide as the widest and as tall as all of them, each chart nested at its offset (a
 * nested <svg> keeps its own viewport, styles and titles).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/charts.h"

/* The number after name=" in the root tag of doc (the text up to the first '>'). */
static double root_attr(const char *doc, const char *name)
{
	const char *end = strchr(doc, '>'), *at = strstr(doc, name);

	return at && end && at < end ? strtod(at + strlen(name), NULL) : -1;
}

int chart_stack(struct strbuf *out, const char *const *docs, size_t n)
{
	double width = 0, height = 0, y = 0;

	if (n == 0)
		return -ENODATA;
	for (size_t i = 0; i < n; i++) {
		double w = root_attr(docs[i], " width=\""), h = root_attr(docs[i], " height=\"");

		if (strncmp(docs[i], "<svg ", 5) != 0 || w <= 0 || h <= 0)
			return -EINVAL;
		width = w > width ? w : width;
		height += h;
	}
	strbuf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.2f\" height=\"%.2f\" "
		    "viewBox=\"0 0 %.2f %.2f\">\n", width, height, width, height);
	for (size_t i = 0; i < n; i++) {
		/* the nested root: its own tag, with the offset added */
		strbuf_addf(out, "<svg x=\"0\" y=\"%.2f\"", y);
		strbuf_adds(out, docs[i] + 4);
		y += root_attr(docs[i], " height=\"");
	}
	strbuf_adds(out, "</svg>\n");
	return out->err;
}
