/* SPDX-License-Identifier: MIT */
/*
 * trace_raw: reading tracing's binary ring-buffer pages (per_cpu/cpuN/trace_pipe_raw) and
 * the format files that say where each event's fields lie (events/SYSTEM/EVENT/format). The
 * binary form keeps nanoseconds; the text `trace` file rounds the mono clock to microseconds,
 * too coarse for loopback stages of 1-3 us.
 */
#ifndef NIC2APP_TRACE_RAW_H
#define NIC2APP_TRACE_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_MAX_FIELDS 32

struct trace_field {
	char name[48];
	unsigned int offset, size;
	bool is_signed;
	bool data_loc;            /* __data_loc: a u32 of (length << 16 | offset) to the bytes */
};

struct trace_format {
	char name[64];            /* "net_dev_queue" */
	int id;                   /* the common_type of its records */
	struct trace_field fields[TRACE_MAX_FIELDS];
	size_t nfields;
};

/* Parse the text of a format file. -EBADMSG without "name:", "ID:" or any field. */
int trace_format_parse(const char *text, struct trace_format *out);
const struct trace_field *trace_format_field(const struct trace_format *f, const char *name);

/* One event record of a page: its timestamp (the instance's trace_clock) and its bytes. */
struct trace_record {
	uint64_t ts_ns;
	int type;                 /* common_type: which format */
	const unsigned char *data;
	size_t len;
};

typedef int (*trace_record_fn)(const struct trace_record *r, void *ctx);

/*
 * Call fn for every event record of one page as trace_pipe_raw returns it (a header of a
 * u64 timestamp and a u64 commit count, then compressed entries). *missed is set when the
 * kernel marks that events were lost before this page. Returns 0, -EBADMSG for a malformed
 * page, or fn's non-zero return.
 */
int trace_page_walk(const void *page, size_t size, trace_record_fn fn, void *ctx, bool *missed);

/* A numeric field of a record (0 when it lies outside the record). */
uint64_t trace_field_u64(const struct trace_field *f, const struct trace_record *r);
/* A __data_loc string field into buf; -EBADMSG when it points outside the record. */
int trace_field_str(const struct trace_field *f, const struct trace_record *r, char *buf,
		    size_t size);

#endif
