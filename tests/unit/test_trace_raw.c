// SPDX-License-Identifier: MIT
/*
 * test_trace_raw: the binary ring-buffer page recorded by tests/helpers/record_trace (a UDP
 * datagram and 100 TCP bytes over lo) must decode to the same events, in the same order, at
 * the same microsecond and with the same fields as the kernel's own text rendering of the
 * same buffer (tests/data/trace/trace.txt, read before the raw pages). Plus format files and
 * malformed pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/trace_raw.h"

#define DIR "tests/data/trace/"
#define MOST_EVENTS 256

static const char *const names[] = { "net_dev_queue", "net_dev_start_xmit", "netif_rx",
				     "netif_receive_skb", "sk_data_ready", "skb_copy_datagram_iovec" };
#define NFORMATS (sizeof(names) / sizeof(names[0]))

struct event {
	char name[64];
	uint64_t usec;
	long len; /* -1 when the event has no len field */
	char dev[16];
};

struct decoded {
	struct trace_format formats[NFORMATS];
	struct event events[MOST_EVENTS];
	size_t count;
};

static size_t read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

static int on_record(const struct trace_record *r, void *ctx)
{
	struct decoded *d = ctx;
	struct event *e = &d->events[d->count];

	assert_true(d->count < MOST_EVENTS);
	for (size_t i = 0; i < NFORMATS; i++) {
		const struct trace_format *f = &d->formats[i];

		if (f->id != r->type)
			continue;
		memcpy(e->name, f->name, sizeof(e->name)); /* both 64 bytes, NUL-terminated */
		/* the text rounds nanoseconds to the nearest microsecond */
		e->usec = (r->ts_ns + 500) / 1000;
		e->len = trace_format_field(f, "len") ? (long)trace_field_u64(trace_format_field(f, "len"), r) : -1;
		e->dev[0] = '\0';
		if (trace_format_field(f, "name"))
			assert_int_equal(trace_field_str(trace_format_field(f, "name"), r, e->dev, sizeof(e->dev)), 0);
		d->count++;
		return 0;
	}
	fail_msg("a record of unknown type %d", r->type);
	return -1;
}

/* "  <...>-23916  [001] b....  6192.254854: net_dev_queue: dev=lo skbaddr=... len=106" */
static size_t text_events(struct event *out)
{
	static char text[65536];
	char *line = text;
	size_t n = 0;

	read_file(DIR "trace.txt", text, sizeof(text));
	for (; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		unsigned long sec, usec;
		const char *at, *len;
		char name[64];

		if (line[0] == '#' || !(at = strstr(line, "] ")) ||
		    sscanf(at + 2, "%*s %lu.%lu: %63[^:]:", &sec, &usec, name) != 3)
			continue;
		assert_true(n < MOST_EVENTS);
		snprintf(out[n].name, sizeof(out[n].name), "%s", name);
		out[n].usec = (uint64_t)sec * 1000000 + usec;
		len = strstr(line, " len=");
		out[n].len = len && len < strchr(line, '\n') ? strtol(len + 5, NULL, 10) : -1;
		at = strstr(line, "dev=");
		out[n].dev[0] = '\0';
		if (at && at < strchr(line, '\n'))
			sscanf(at + 4, "%15[^ ]", out[n].dev);
		n++;
	}
	return n;
}

static void test_page_matches_text(void **state)
{
	static struct decoded d;
	static struct event want[MOST_EVENTS];
	static char buf[65536];
	char path[256];
	size_t n, nwant;
	bool missed = true;

	(void)state;
	memset(&d, 0, sizeof(d));
	for (size_t i = 0; i < NFORMATS; i++) {
		snprintf(path, sizeof(path), DIR "format_%s", names[i]);
		read_file(path, buf, sizeof(buf));
		assert_int_equal(trace_format_parse(buf, &d.formats[i]), 0);
		assert_string_equal(d.formats[i].name, names[i]);
	}
	n = read_file(DIR "cpu1.raw", buf, sizeof(buf));
	assert_int_equal(n % 4096, 0);
	for (size_t off = 0; off < n; off += 4096)
		assert_int_equal(trace_page_walk(buf + off, 4096, on_record, &d, &missed), 0);
	assert_false(missed);
	nwant = text_events(want);
	assert_true(nwant >= 20);
	assert_int_equal(d.count, nwant);
	for (size_t i = 0; i < nwant; i++) {
		assert_string_equal(d.events[i].name, want[i].name);
		assert_int_equal(d.events[i].usec, want[i].usec);
		assert_int_equal(d.events[i].len, want[i].len);
		assert_string_equal(d.events[i].dev, want[i].dev);
	}
}

static void test_format_fields(void **state)
{
	static char buf[8192];
	struct trace_format f;
	const struct trace_field *fl;

	(void)state;
	read_file(DIR "format_net_dev_queue", buf, sizeof(buf));
	assert_int_equal(trace_format_parse(buf, &f), 0);
	fl = trace_format_field(&f, "skbaddr");
	assert_non_null(fl);
	assert_int_equal(fl->offset, 8);
	assert_int_equal(fl->size, 8);
	fl = trace_format_field(&f, "name");
	assert_non_null(fl);
	assert_true(fl->data_loc);
	fl = trace_format_field(&f, "common_pid");
	assert_true(fl && fl->is_signed && fl->offset == 4);
	assert_null(trace_format_field(&f, "nonsense"));
	assert_int_equal(trace_format_parse("no format here\n", &f), -EBADMSG);
}

static void test_bad_pages(void **state)
{
	unsigned char page[64] = { 0 };
	uint64_t commit = 4096; /* more entries than the page holds */

	(void)state;
	memcpy(page + 8, &commit, sizeof(commit));
	assert_int_equal(trace_page_walk(page, sizeof(page), NULL, NULL, NULL), -EBADMSG);
	assert_int_equal(trace_page_walk(page, 8, NULL, NULL, NULL), -EBADMSG);
	/* an entry of type_len 28 (112 bytes) in a 16-byte commit */
	commit = 16;
	memcpy(page + 8, &commit, sizeof(commit));
	page[16] = 28;
	assert_int_equal(trace_page_walk(page, sizeof(page), NULL, NULL, NULL), -EBADMSG);
	/* an empty page is fine */
	commit = 0;
	memcpy(page + 8, &commit, sizeof(commit));
	assert_int_equal(trace_page_walk(page, sizeof(page), NULL, NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_matches_text),
		cmocka_unit_test(test_format_fields),
		cmocka_unit_test(test_bad_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
