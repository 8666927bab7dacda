/* SPDX-License-Identifier: MIT */
/* strbuf: a growable text buffer. Output is built here and written by the caller. */
#ifndef NIC2APP_STRBUF_H
#define NIC2APP_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;  /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
	int err;    /* sticky: -ENOMEM after a failed allocation, so callers check once */
};

#define STRBUF_INIT { 0 }

/* Make room for extra more bytes at once (a big document grows without copies). */
int strbuf_reserve(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Add text for a terminal: control bytes and invalid UTF-8 become \n, \t, \xNN. */
void strbuf_add_printable(struct strbuf *sb, const char *s, size_t len);
void strbuf_reset(struct strbuf *sb);
/* The text, or "" when nothing was added. */
const char *strbuf_str(const struct strbuf *sb);
void strbuf_release(struct strbuf *sb);

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when s[0] does not start one. */
size_t utf8_sequence_len(const unsigned char *s, size_t avail);
/* Display width of UTF-8 text in terminal columns (one per code point). */
size_t utf8_width(const char *s);

#endif
