// SPDX-License-Identifier: MIT
/* test_json: the JSON writer's escaping and structure, against RFC 8259's rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "nic2app/json.h"

static void expect_escaped(const char *in, size_t len, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	json_escape(&sb, in, len);
	assert_string_equal(strbuf_str(&sb), want);
	strbuf_release(&sb);
}

static void test_escapes_quotes_backslash_and_controls(void **state)
{
	(void)state;
	expect_escaped("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	expect_escaped("line1\nline2\ttab\rcr", 18, "\"line1\\nline2\\ttab\\rcr\"");
	expect_escaped("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
	expect_escaped("nul\0byte", 8, "\"nul\\u0000byte\"");
	expect_escaped("/", 1, "\"/\"");
}

static void test_valid_utf8_passes_through(void **state)
{
	(void)state;
	expect_escaped("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");                 /* U+00E9 */
	expect_escaped("\xe2\x82\xac", 3, "\"\xe2\x82\xac\"");               /* U+20AC */
	expect_escaped("\xf0\x9f\x93\xa6", 4, "\"\xf0\x9f\x93\xa6\"");       /* U+1F4E6 */
	expect_escaped("\xf4\x8f\xbf\xbf", 4, "\"\xf4\x8f\xbf\xbf\"");       /* U+10FFFF */
}

static void test_invalid_utf8_becomes_surrogate_escapes(void **state)
{
	(void)state;
	expect_escaped("\xff", 1, "\"\\udcff\"");                   /* never valid */
	expect_escaped("a\xc3", 2, "\"a\\udcc3\"");                 /* truncated at the end */
	expect_escaped("\xc3(", 2, "\"\\udcc3(\"");                 /* bad continuation */
	expect_escaped("\xc0\xaf", 2, "\"\\udcc0\\udcaf\"");        /* overlong '/' */
	expect_escaped("\xe0\x80\xaf", 3, "\"\\udce0\\udc80\\udcaf\""); /* overlong, 3 bytes */
	expect_escaped("\xed\xa0\x80", 3, "\"\\udced\\udca0\\udc80\""); /* UTF-16 surrogate */
	expect_escaped("\xf4\x90\x80\x80", 4, "\"\\udcf4\\udc90\\udc80\\udc80\""); /* > U+10FFFF */
	expect_escaped("\x80", 1, "\"\\udc80\"");                   /* lone continuation */
}

static void test_document_structure(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct json j;

	(void)state;
	json_init(&j, &sb);
	json_object_begin(&j, NULL);
	json_int(&j, "i", -5);
	json_uint(&j, "u", UINT64_MAX);
	json_double(&j, "d", 1.25, 2);
	json_double(&j, "nan", NAN, 2);
	json_double(&j, "inf", INFINITY, 2);
	json_bool(&j, "t", true);
	json_null(&j, "n");
	json_string(&j, "null_string", NULL);
	json_array_begin(&j, "a");
	json_int(&j, NULL, 1);
	json_object_begin(&j, NULL);
	json_object_end(&j);
	json_array_begin(&j, NULL);
	json_array_end(&j);
	json_array_end(&j);
	json_object_end(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(strbuf_str(&sb),
			    "{\"i\":-5,\"u\":18446744073709551615,\"d\":1.25,\"nan\":null,"
			    "\"inf\":null,\"t\":true,\"n\":null,\"null_string\":null,"
			    "\"a\":[1,{},[]]}");
	strbuf_release(&sb);
}

static void test_misuse_is_reported(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct json j;
	int i;

	(void)state;
	json_init(&j, &sb); /* unclosed object */
	json_object_begin(&j, NULL);
	assert_int_equal(json_finish(&j), -EINVAL);
	strbuf_reset(&sb);

	json_init(&j, &sb); /* closing more than was opened */
	json_array_begin(&j, NULL);
	json_array_end(&j);
	json_array_end(&j);
	assert_int_equal(json_finish(&j), -EINVAL);
	strbuf_reset(&sb);

	json_init(&j, &sb); /* two top-level values */
	json_int(&j, NULL, 1);
	json_int(&j, NULL, 2);
	assert_int_equal(json_finish(&j), -EINVAL);
	strbuf_reset(&sb);

	json_init(&j, &sb); /* nesting deeper than the writer supports */
	for (i = 0; i < JSON_MAX_DEPTH + 1; i++)
		json_array_begin(&j, NULL);
	assert_int_equal(json_finish(&j), -EINVAL);

	json_init(&j, &sb); /* nothing written */
	assert_int_equal(json_finish(&j), -EINVAL);
	strbuf_release(&sb);
}

static void test_keys_are_escaped_too(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct json j;

	(void)state;
	json_init(&j, &sb);
	json_object_begin(&j, NULL);
	json_string(&j, "k\"ey\n", "v\xff");
	json_object_end(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(strbuf_str(&sb), "{\"k\\\"ey\\n\":\"v\\udcff\"}");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes_quotes_backslash_and_controls),
		cmocka_unit_test(test_valid_utf8_passes_through),
		cmocka_unit_test(test_invalid_utf8_becomes_surrogate_escapes),
		cmocka_unit_test(test_document_structure),
		cmocka_unit_test(test_misuse_is_reported),
		cmocka_unit_test(test_keys_are_escaped_too),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
