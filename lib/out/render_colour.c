// SPDX-License-Identifier: MIT
/* render_colour: when to colour, and the SGR sequences for each colour. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nic2app/render.h"

bool colour_wanted(int fd)
{
	const char *no_colour = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (no_colour && no_colour[0]) /* https://no-color.org: set and not empty */
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fd) == 1;
}

static const char *const sgr[] = {
	[COLOUR_NONE] = "",     [COLOUR_BOLD] = "1",   [COLOUR_DIM] = "2",
	[COLOUR_RED] = "31",    [COLOUR_GREEN] = "32", [COLOUR_YELLOW] = "33",
	[COLOUR_BLUE] = "34",   [COLOUR_CYAN] = "36",
};

void colour_add(struct strbuf *sb, bool use_colour, enum colour c, const char *s)
{
	if (!use_colour || c == COLOUR_NONE) {
		strbuf_adds(sb, s);
		return;
	}
	strbuf_addf(sb, "\033[%sm%s\033[0m", sgr[c], s);
}
