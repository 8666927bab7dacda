// SPDX-License-Identifier: MIT
/* test_render: tables, bars, printable text and when colour is used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nic2app/render.h"

static void test_table_aligns_columns(void **state)
{
	static const char *const hdr[] = { "NAME", ">N" };
	const char *r1[] = { "a", "1" }, *r2[] = { "longer", "1000" }, *r3[] = { "\xc3\xa9t\xc3\xa9", NULL };
	struct strbuf sb = STRBUF_INIT;
	struct table t;

	(void)state;
	assert_int_equal(table_init(&t, 2, hdr), 0);
	table_add_row(&t, r1);
	table_add_row(&t, r2);
	table_add_row(&t, r3); /* 3 columns wide in UTF-8; NULL is empty */
	assert_int_equal(table_render(&t, &sb, false, 1), 0);
	assert_string_equal(strbuf_str(&sb), " NAME       N\n"
					     " a          1\n"
					     " longer  1000\n"
					     " \xc3\xa9t\xc3\xa9\n");
	table_release(&t);
	strbuf_release(&sb);
}

static void test_table_cells_cannot_break_lines(void **state)
{
	static const char *const hdr[] = { "PATH", "X" };
	const char *row[] = { "a\nb\x01\xff", "y" };
	struct strbuf sb = STRBUF_INIT;
	struct table t;

	(void)state;
	table_init(&t, 2, hdr);
	table_add_row(&t, row);
	table_render(&t, &sb, false, 0);
	assert_string_equal(strbuf_str(&sb), "PATH          X\n"
					     "a\\nb\\x01\\xff  y\n");
	table_release(&t);
	strbuf_release(&sb);
}

static void test_table_notes_sit_under_their_row(void **state)
{
	static const char *const hdr[] = { "FD", "NAME" };
	const char *r1[] = { "3", "a" }, *r2[] = { "4", "b" };
	struct strbuf sb = STRBUF_INIT;
	struct table t;

	(void)state;
	table_init(&t, 2, hdr);
	assert_int_equal(table_add_note(&t, "before any row"), -EINVAL);
	table_add_row(&t, r1);
	/* wider than the table, with a byte to escape: no column grows, the line stays one */
	assert_int_equal(table_add_note(&t, "a note much wider than any column\n"), 0);
	for (int i = 0; i < 20; i++) /* past the first allocation of rows, notes included */
		table_add_row(&t, r2);
	assert_int_equal(table_add_note(&t, "the last row's"), 0);
	assert_int_equal(table_render(&t, &sb, false, 2), 0);
	{
		static const char head[] = "  FD  NAME\n"
					   "  3   a\n"
					   "      a note much wider than any column\\n\n"
					   "  4   b\n";
		static const char tail[] = "  4   b\n      the last row's\n";

		assert_memory_equal(strbuf_str(&sb), head, sizeof(head) - 1);
		assert_true(sb.len > sizeof(tail));
		assert_string_equal(strbuf_str(&sb) + sb.len - (sizeof(tail) - 1), tail);
	}
	table_release(&t);
	strbuf_release(&sb);
}

static void test_table_rejects_bad_column_counts(void **state)
{
	static const char *const hdr[TABLE_MAX_COLS + 1] = { "x" };
	struct table t;

	(void)state;
	assert_int_equal(table_init(&t, 0, hdr), -22);
	assert_int_equal(table_init(&t, TABLE_MAX_COLS + 1, hdr), -22);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay += strlen(needle))
		n++;
	return n;
}

static void test_bars_scale_in_eighths(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	bar_add(&sb, 10, 10, 4); /* full: four full blocks */
	assert_int_equal(count(strbuf_str(&sb), "\u2588"), 4);
	assert_int_equal(utf8_width(strbuf_str(&sb)), 4);
	strbuf_reset(&sb);
	bar_add(&sb, 5, 10, 4); /* half: two full blocks */
	assert_string_equal(strbuf_str(&sb), "\u2588\u2588");
	strbuf_reset(&sb);
	bar_add(&sb, 1, 16, 4); /* 2 eighths: U+258E */
	assert_string_equal(strbuf_str(&sb), "\u258e");
	strbuf_reset(&sb);
	bar_add(&sb, 1e-9, 10, 4); /* tiny but non-zero: still visible */
	assert_string_equal(strbuf_str(&sb), "\u258f");
	strbuf_reset(&sb);
	bar_add(&sb, 0, 10, 4); /* zero, negative, no max: nothing */
	bar_add(&sb, -1, 10, 4);
	bar_add(&sb, 1, 0, 4);
	assert_int_equal(sb.len, 0);
	bar_add(&sb, 20, 10, 4); /* over max: clamped */
	assert_int_equal(utf8_width(strbuf_str(&sb)), 4);
	strbuf_release(&sb);
}

static void test_colour_only_on_a_tty_without_no_color(void **state)
{
	int master, slave, file;
	char name[] = "/tmp/nic2app-test-XXXXXX";

	(void)state;
	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	file = mkstemp(name);
	assert_true(file >= 0);
	unlink(name);

	unsetenv("NO_COLOR");
	setenv("TERM", "xterm", 1);
	assert_true(colour_wanted(slave));
	assert_false(colour_wanted(file));
	setenv("NO_COLOR", "", 1); /* empty means unset (no-color.org) */
	assert_true(colour_wanted(slave));
	setenv("NO_COLOR", "1", 1);
	assert_false(colour_wanted(slave));
	unsetenv("NO_COLOR");
	setenv("TERM", "dumb", 1);
	assert_false(colour_wanted(slave));

	close(file);
	close(slave);
	close(master);
}

static void test_colour_add(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	colour_add(&sb, true, COLOUR_RED, "x");
	colour_add(&sb, false, COLOUR_RED, "y");
	colour_add(&sb, true, COLOUR_NONE, "z");
	assert_string_equal(strbuf_str(&sb), "\033[31mx\033[0myz");
	strbuf_release(&sb);
}

static void test_printable_and_width(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_add_printable(&sb, "ok \xe2\x82\xac\t\x7f\xc0", 9);
	assert_string_equal(strbuf_str(&sb), "ok \xe2\x82\xac\\t\\x7f\\xc0");
	assert_int_equal(utf8_width("\xe2\x82\xac\xc3\xa9x"), 3);
	strbuf_release(&sb);
}

/* One spelling of a duration everywhere (issue 13 item 17): a function call's 0.4 ns is not
 * "0 ns", and micro is the micro sign, U+00B5, in text as in the charts. */
static void test_duration_spelling(void **state)
{
	static const struct { double ns; const char *text; } cases[] = {
		{ 0, "0 ns" }, { 0.4, "0.4 ns" }, { 0.04, "0.0 ns" }, { 9.94, "9.9 ns" },
		{ 9.96, "10 ns" }, { 456, "456 ns" }, { 999.4, "999 ns" }, { 999.6, "1.00 \u00b5s" },
		{ 1230, "1.23 \u00b5s" }, { -72940, "-72.94 \u00b5s" }, { 12.3e6, "12.30 ms" },
		{ 2.5e9, "2.50 s" }, { NAN, "-" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;

		duration_add(&sb, cases[i].ns);
		assert_string_equal(strbuf_str(&sb), cases[i].text);
		strbuf_release(&sb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_aligns_columns),
		cmocka_unit_test(test_table_cells_cannot_break_lines),
		cmocka_unit_test(test_table_notes_sit_under_their_row),
		cmocka_unit_test(test_table_rejects_bad_column_counts),
		cmocka_unit_test(test_bars_scale_in_eighths),
		cmocka_unit_test(test_colour_only_on_a_tty_without_no_color),
		cmocka_unit_test(test_colour_add),
		cmocka_unit_test(test_printable_and_width),
		cmocka_unit_test(test_duration_spelling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
