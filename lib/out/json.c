// SPDX-License-Identifier: MIT
/* json: JSON writer with full string escaping (see json.h for the non-UTF-8 convention). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "nic2app/json.h"

void json_init(struct json *j, struct strbuf *sb)
{
	memset(j, 0, sizeof(*j));
	j->sb = sb;
}

void json_escape(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	strbuf_addc(sb, '"');
	while (i < len) {
		unsigned char c = p[i];
		size_t run = i;

		/* Most bytes need no escape: copy them a run at a time (a 15,000-fd snapshot
		 * writes 2 MB of JSON). */
		while (run < len && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i) {
			strbuf_add(sb, p + i, run - i);
			i = run;
			continue;
		}
		if (c == '"' || c == '\\') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, (char)c);
			i++;
		} else if (c == '\n') {
			strbuf_adds(sb, "\\n");
			i++;
		} else if (c == '\t') {
			strbuf_adds(sb, "\\t");
			i++;
		} else if (c == '\r') {
			strbuf_adds(sb, "\\r");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			strbuf_addf(sb, "\\u%04x", c);
			i++;
		} else if ((n = utf8_sequence_len(p + i, len - i)) == 0) {
			strbuf_addf(sb, "\\udc%02x", c); /* surrogateescape: byte 0xNN -> U+DCNN */
			i++;
		} else {
			strbuf_add(sb, p + i, n);
			i += n;
		}
	}
	strbuf_addc(sb, '"');
}

/* Comma and key before a value; returns false when the value must not be written. */
static bool json_item(struct json *j, const char *key)
{
	if (j->err)
		return false;
	if (j->depth == 0 && j->has_items[0]) {
		j->err = -EINVAL; /* a second top-level value */
		return false;
	}
	if (j->has_items[j->depth])
		strbuf_addc(j->sb, ',');
	j->has_items[j->depth] = true;
	if (key) {
		json_escape(j->sb, key, strlen(key));
		strbuf_addc(j->sb, ':');
	}
	return true;
}

static void json_open(struct json *j, const char *key, char bracket)
{
	if (!json_item(j, key))
		return;
	if (j->depth + 1 >= JSON_MAX_DEPTH) {
		j->err = -EINVAL;
		return;
	}
	strbuf_addc(j->sb, bracket);
	j->has_items[++j->depth] = false;
}

static void json_close(struct json *j, char bracket)
{
	if (j->err)
		return;
	if (j->depth == 0) {
		j->err = -EINVAL;
		return;
	}
	j->depth--;
	strbuf_addc(j->sb, bracket);
}

void json_object_begin(struct json *j, const char *key) { json_open(j, key, '{'); }
void json_object_end(struct json *j) { json_close(j, '}'); }
void json_array_begin(struct json *j, const char *key) { json_open(j, key, '['); }
void json_array_end(struct json *j) { json_close(j, ']'); }

void json_string_len(struct json *j, const char *key, const char *value, size_t len)
{
	if (json_item(j, key))
		json_escape(j->sb, value, len);
}

void json_string(struct json *j, const char *key, const char *value)
{
	if (!value)
		json_null(j, key);
	else
		json_string_len(j, key, value, strlen(value));
}

/* Decimal digits of v, without printf's cost (numbers are most of a big snapshot). */
static void add_decimal(struct strbuf *sb, bool negative, uint64_t v)
{
	char digits[24];
	size_t n = sizeof(digits);

	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (negative)
		digits[--n] = '-';
	strbuf_add(sb, digits + n, sizeof(digits) - n);
}

void json_int(struct json *j, const char *key, int64_t value)
{
	if (json_item(j, key))
		add_decimal(j->sb, value < 0, value < 0 ? 0 - (uint64_t)value : (uint64_t)value);
}

void json_uint(struct json *j, const char *key, uint64_t value)
{
	if (json_item(j, key))
		add_decimal(j->sb, false, value);
}

void json_double(struct json *j, const char *key, double value, int decimals)
{
	if (!json_item(j, key))
		return;
	if (!isfinite(value))
		strbuf_adds(j->sb, "null");
	else
		strbuf_addf(j->sb, "%.*f", decimals, value);
}

void json_bool(struct json *j, const char *key, bool value)
{
	if (json_item(j, key))
		strbuf_adds(j->sb, value ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
	if (json_item(j, key))
		strbuf_adds(j->sb, "null");
}

int json_finish(struct json *j)
{
	if (j->err)
		return j->err;
	if (j->sb->err)
		return j->sb->err;
	return j->depth == 0 && j->has_items[0] ? 0 : -EINVAL;
}
