/* SPDX-License-Identifier: MIT */
/*
 * json: a small JSON writer onto a strbuf. Keys are given with each value; a NULL key means
 * "inside an array". Strings are escaped so any bytes survive: bytes that are not valid UTF-8
 * are written as the lone surrogates \udc80..\udcff (Python's "surrogateescape" convention),
 * so os.fsencode(value) gives back the exact bytes of a path.
 */
#ifndef NIC2APP_JSON_H
#define NIC2APP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nic2app/strbuf.h"

#define JSON_MAX_DEPTH 32

struct json {
	struct strbuf *sb;
	int depth;
	bool has_items[JSON_MAX_DEPTH]; /* a comma is due before the next item at this depth */
	int err;                        /* -EINVAL on nesting misuse; strbuf keeps -ENOMEM */
};

void json_init(struct json *j, struct strbuf *sb);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *value);
void json_string_len(struct json *j, const char *key, const char *value, size_t len);
void json_int(struct json *j, const char *key, int64_t value);
void json_uint(struct json *j, const char *key, uint64_t value);
/* Non-finite numbers have no JSON form: they are written as null. */
void json_double(struct json *j, const char *key, double value, int decimals);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
/* 0 when the document is complete and nothing failed, else -errno. */
int json_finish(struct json *j);

/* Append the quoted, escaped form of len bytes of s. */
void json_escape(struct strbuf *sb, const char *s, size_t len);

#endif
