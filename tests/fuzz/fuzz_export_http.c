// SPDX-License-Identifier: MIT
/*
 * fuzz_export_http: what a client of `nic2app exporter` may send: the bytes as an HTTP request
 * head, parsed whole and at every length a read could have stopped at (an answer for a prefix
 * must agree with the whole: a complete head stays complete), and as an Accept header; the
 * label escaping of the same bytes must stay inside its quotes.
 */
#include <errno.h>

#include "fuzz.h"
#include "nic2app/export.h"

static void check_label(const uint8_t *data, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	char *text = fuzz_text(data, size);

	export_label_value(&sb, text);
	/* no raw quote or newline: every one is behind a backslash */
	for (size_t i = 0; i < sb.len; i++) {
		if (sb.buf[i] == '\\')
			i++;
		else
			FUZZ_ASSERT(sb.buf[i] != '"' && sb.buf[i] != '\n');
	}
	strbuf_release(&sb);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct export_request whole, part;
	const char *buf = (const char *)data;
	int r = export_request_parse(buf, size, &whole), p;
	char *text;

	FUZZ_ASSERT(r == 0 || r == 1 || r == -EBADMSG || r == -EMSGSIZE || r == -ENOSYS);
	if (r == 1)
		FUZZ_ASSERT(whole.length <= size && whole.length <= EXPORT_REQUEST_MOST);
	for (size_t n = 0; n < size && n < 512; n++) {
		p = export_request_parse(buf, n, &part);
		/* a prefix is never complete before the whole head is there */
		if (p == 1)
			FUZZ_ASSERT(r == 1 && part.length == whole.length);
	}
	text = fuzz_text(data, size);
	p = (int)export_format_for_accept(text);
	FUZZ_ASSERT(p == EXPORT_TEXT || p == EXPORT_OPENMETRICS);
	free(text);
	check_label(data, size);
	return 0;
}
