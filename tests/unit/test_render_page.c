// SPDX-License-Identifier: MIT
/* test_render_page: a page seen through a small window: lines cut at the width with their
 * colours, the head that stays, the table header kept above its rows, scrolling limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "nic2app/render_page.h"

/* A head of one line, then a table "T" with header "H" and rows r1..r6, then a line "end". */
static void make_page(struct page *p)
{
	size_t title;

	page_init(p);
	strbuf_adds(&p->text, "head\n");
	page_end_head(p);
	title = page_lines(p);
	strbuf_adds(&p->text, "T\nH\nr1\nr2\nr3\nr4\nr5\nr6\n");
	page_add_table(p, title + 1, page_lines(p));
	strbuf_adds(&p->text, "end\n");
	assert_int_equal(page_finish(p), 0);
}

static const char *plain(struct strbuf *sb, const struct page *p, struct page_view *v, int rows,
			 int cols)
{
	strbuf_reset(sb);
	assert_int_equal(page_render(sb, p, v, "title", rows, cols, NULL, false), 0);
	return strbuf_str(sb);
}

static void test_fits_without_footer(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct page_view v = { 0 };
	struct page p;

	(void)state;
	make_page(&p);
	assert_string_equal(plain(&sb, &p, &v, 20, 10), "title\nhead\nT\nH\nr1\nr2\nr3\nr4\nr5\nr6\nend\n");
	page_release(&p);
	strbuf_release(&sb);
}

static void test_header_stays_above_rows(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct page_view v = { 0 };
	struct page p;

	(void)state;
	make_page(&p);
	/* 7 rows: title, head, 4 body lines, the footer */
	assert_string_equal(plain(&sb, &p, &v, 7, 20), "title\nhead\nT\nH\nr1\nr2\nlines 1-4 of 9\n");
	page_view_move(&v, &p, 7, 20, PAGE_LINE_DOWN);
	page_view_move(&v, &p, 7, 20, PAGE_LINE_DOWN);
	/* r1 is under the header now */
	assert_string_equal(plain(&sb, &p, &v, 7, 20), "title\nhead\nH\nr2\nr3\nr4\nlines 4-6 of 9\n");
	page_view_move(&v, &p, 7, 20, PAGE_SCREEN_DOWN); /* 3 lines: no row is skipped */
	assert_string_equal(plain(&sb, &p, &v, 7, 20), "title\nhead\nH\nr5\nr6\nend\nlines 7-9 of 9\n");
	page_view_move(&v, &p, 7, 20, PAGE_LINE_DOWN); /* already at the end */
	assert_int_equal(v.top, 5);
	page_view_move(&v, &p, 7, 20, PAGE_FIRST);
	page_view_move(&v, &p, 7, 20, PAGE_LAST);
	assert_int_equal(v.top, 5);
	page_view_move(&v, &p, 7, 20, PAGE_SCREEN_UP);
	assert_int_equal(v.top, 2);
	page_release(&p);
	strbuf_release(&sb);
}

static void test_last_row_is_not_hidden(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct page_view v = { .top = 7 }; /* r6: the table's last row */
	struct page p;

	(void)state;
	make_page(&p);
	assert_string_equal(plain(&sb, &p, &v, 5, 20), "title\nhead\nr6\nend\nlines 8-9 of 9\n");
	page_release(&p);
	strbuf_release(&sb);
}

static void test_lines_cut_keep_colours(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct page_view v = { 0 };
	struct page p;

	(void)state;
	page_init(&p);
	page_end_head(&p);
	/* green "abcdef", then "é" (two bytes, one column) and "gh" */
	strbuf_adds(&p.text, "\033[32mabcdef\033[0m\xc3\xa9gh\n");
	assert_int_equal(page_finish(&p), 0);
	assert_int_equal(p.widest, 9);
	assert_string_equal(plain(&sb, &p, &v, 5, 4), "titl\n\033[32mabcd\033[0m\n");
	page_view_move(&v, &p, 5, 4, PAGE_COLUMNS_RIGHT); /* 8 columns, held at 9 - 4 */
	assert_int_equal(v.left, 5);
	assert_string_equal(plain(&sb, &p, &v, 5, 4), "titl\n\033[32mf\033[0m\xc3\xa9gh\033[0m\n");
	page_view_move(&v, &p, 5, 4, PAGE_COLUMNS_LEFT);
	assert_int_equal(v.left, 0);
	page_release(&p);
	strbuf_release(&sb);
}

static void test_screen_places_every_row(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct page_view v = { .top = 100 }; /* beyond the page: brought back */
	struct page p;

	(void)state;
	make_page(&p);
	assert_int_equal(page_render(&sb, &p, &v, "t", 4, 20, "keys", true), 0);
	/* four rows: the head gives way so that the body keeps two lines and the footer */
	assert_int_equal(v.top, 7);
	assert_string_equal(strbuf_str(&sb), "\033[1;1H\033[2Kt\033[2;1H\033[2Kr6\033[3;1H\033[2Kend"
					     "\033[4;1H\033[2Klines 8-9 of 9; keys");
	strbuf_reset(&sb);
	v.top = 0;
	assert_int_equal(page_render(&sb, &p, &v, "t", 1, 20, NULL, true), 0); /* one row: the title */
	assert_string_equal(strbuf_str(&sb), "\033[1;1H\033[2Kt");
	page_release(&p);
	strbuf_release(&sb);
}

static void test_short_page_clears_below(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct page_view v = { 0 };
	struct page p;

	(void)state;
	page_init(&p);
	strbuf_adds(&p.text, "a\n");
	page_end_head(&p);
	assert_int_equal(page_finish(&p), 0);
	assert_int_equal(page_render(&sb, &p, &v, "t", 5, 20, NULL, true), 0);
	assert_string_equal(strbuf_str(&sb), "\033[1;1H\033[2Kt\033[2;1H\033[2Ka\033[3;1H\033[J");
	page_reset(&p); /* and a page can be used again */
	strbuf_adds(&p.text, "x\ny\n");
	assert_int_equal(page_finish(&p), 0);
	assert_int_equal(p.nlines, 2);
	page_release(&p);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits_without_footer),
		cmocka_unit_test(test_header_stays_above_rows),
		cmocka_unit_test(test_last_row_is_not_hidden),
		cmocka_unit_test(test_lines_cut_keep_colours),
		cmocka_unit_test(test_screen_places_every_row),
		cmocka_unit_test(test_short_page_clears_below),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
