/* SPDX-License-Identifier: MIT */
/*
 * fuzz: what the fuzz targets share. Each tests/fuzz/fuzz_NAME.c defines the libFuzzer entry
 * point; clang links it with libFuzzer (make fuzz), gcc with replay.c (make all), which feeds it
 * the committed corpus and regressions. A broken invariant is a crash, so both notice it.
 */
#ifndef NIC2APP_TESTS_FUZZ_H
#define NIC2APP_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/sock_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop at once, the way a sanitizer report does: libFuzzer keeps the input. */
#define FUZZ_ASSERT(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* The input as a C string: a malloc'd copy with a NUL after it (and any NULs inside it kept,
 * so a parser sees the text end there). Never NULL. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	FUZZ_ASSERT(text);
	if (size)
		memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

/* The input as a buffer of exactly size bytes of its own, so that AddressSanitizer sees a read
 * one byte past it (libFuzzer's own copy is like that; a replayed file's is too). */
static inline void *fuzz_copy(const uint8_t *data, size_t size)
{
	void *buf = malloc(size ? size : 1);

	FUZZ_ASSERT(buf);
	if (size)
		memcpy(buf, data, size);
	return buf;
}

/* A filled table must hold together: every entry is found by its inode, no inode is 0, and
 * every string ends inside its array. */
static inline void fuzz_check_table(const struct sock_table *t)
{
	for (size_t i = 0; i < t->count; i++) {
		const struct sock_desc *d = &t->descs[i];

		FUZZ_ASSERT(d->inode != 0);
		FUZZ_ASSERT(sock_table_find(t, d->inode) == d);
		FUZZ_ASSERT(memchr(d->proto, '\0', sizeof(d->proto)));
		FUZZ_ASSERT(memchr(d->state, '\0', sizeof(d->state)));
		FUZZ_ASSERT(memchr(d->local, '\0', sizeof(d->local)));
		FUZZ_ASSERT(memchr(d->remote, '\0', sizeof(d->remote)));
	}
}

#endif
