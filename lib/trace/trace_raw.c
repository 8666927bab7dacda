// SPDX-License-Identifier: MIT
/*
 * trace_raw: the ring buffer's page format (kernel/trace/ring_buffer.c, and the
 * events/header_page and header_event files that describe it):
 *   page:  u64 timestamp, u64 commit (bytes of entries; the top bits flag lost events), entries
 *   entry: u32 header { type_len:5, time_delta:27 }, then
 *          type_len 1..28: type_len * 4 bytes of record
 *          type_len 0:     u32 length (of itself and the record), then the record
 *          29 padding (u32 length follows), 30 time extend (u32 high bits of a delta),
 *          31 absolute time stamp (u32 high bits)
 * A record's time is the page's timestamp plus every delta before it, its own included.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/trace_raw.h"

#define PAGE_HEADER 16
#define COMMIT_MISSED_EVENTS (1ull << 31)
#define COMMIT_MISSED_STORED (1ull << 30)
#define COMMIT_FLAGS (COMMIT_MISSED_EVENTS | COMMIT_MISSED_STORED)
#define TYPE_PADDING 29
#define TYPE_TIME_EXTEND 30
#define TYPE_TIME_STAMP 31
#define TS_SHIFT 27
/* an absolute stamp carries the low 59 bits; the rest comes from the page's time */
#define ABS_TS_MASK ((1ull << 59) - 1)

static uint32_t u32_at(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t u64_at(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* One field line: "field:unsigned int len;	offset:16;	size:4;	signed:0;" */
static bool parse_field(const char *line, struct trace_field *f)
{
	const char *decl = strstr(line, "field:"), *semi, *name;
	unsigned int is_signed = 0;

	if (!decl || !(semi = strchr(decl, ';')))
		return false;
	/* the name is the last word of the declaration, before any [array] */
	name = semi;
	while (name > decl && name[-1] != ' ' && name[-1] != '\t' && name[-1] != ':')
		name--;
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%.*s", (int)strcspn(name, "[;"), name);
	f->data_loc = strstr(decl, "__data_loc") && strstr(decl, "__data_loc") < semi;
	if (sscanf(semi, "; offset:%u; size:%u; signed:%u;", &f->offset, &f->size, &is_signed) != 3 &&
	    sscanf(semi, ";\toffset:%u;\tsize:%u;\tsigned:%u;", &f->offset, &f->size, &is_signed) != 3)
		return false;
	f->is_signed = is_signed;
	return f->name[0] != '\0';
}

int trace_format_parse(const char *text, struct trace_format *out)
{
	const char *line = text;
	bool has_name = false, has_id = false;

	memset(out, 0, sizeof(*out));
	while (line && *line) {
		if (sscanf(line, "name: %63s", out->name) == 1)
			has_name = true;
		else if (sscanf(line, "ID: %d", &out->id) == 1)
			has_id = true;
		else if (strstr(line, "field:") && out->nfields < TRACE_MAX_FIELDS &&
			 parse_field(line, &out->fields[out->nfields]))
			out->nfields++;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return has_name && has_id && out->nfields ? 0 : -EBADMSG;
}

const struct trace_field *trace_format_field(const struct trace_format *f, const char *name)
{
	for (size_t i = 0; i < f->nfields; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return &f->fields[i];
	return NULL;
}

int trace_page_walk(const void *page, size_t size, trace_record_fn fn, void *ctx, bool *missed)
{
	const unsigned char *p = page;
	uint64_t ts, commit;
	size_t off = PAGE_HEADER, end;

	if (size < PAGE_HEADER)
		return -EBADMSG;
	ts = u64_at(p);
	commit = u64_at(p + 8);
	if (missed)
		*missed = commit & COMMIT_MISSED_EVENTS;
	end = PAGE_HEADER + (size_t)(commit & ~COMMIT_FLAGS);
	if (end > size)
		return -EBADMSG;
	while (off + 4 <= end) {
		uint32_t header = u32_at(p + off);
		unsigned int type_len = header & 0x1f;
		uint32_t delta = header >> 5;
		struct trace_record r;
		size_t len, data;
		int ret;

		if (type_len == TYPE_TIME_EXTEND || type_len == TYPE_TIME_STAMP) {
			uint64_t wide;

			if (off + 8 > end)
				return -EBADMSG;
			wide = ((uint64_t)u32_at(p + off + 4) << TS_SHIFT) | delta;
			ts = type_len == TYPE_TIME_EXTEND ? ts + wide : (ts & ~ABS_TS_MASK) | wide;
			off += 8;
			continue;
		}
		if (type_len == TYPE_PADDING || type_len == 0) {
			if (off + 8 > end)
				return -EBADMSG;
			len = u32_at(p + off + 4); /* bytes after the header, this u32 included */
			data = off + 8;
			if (len < 4 || off + 4 + len > end)
				return -EBADMSG;
			off += 4 + len;
			if (type_len == TYPE_PADDING)
				continue;
			len -= 4;
		} else {
			len = (size_t)type_len * 4;
			data = off + 4;
			if (data + len > end)
				return -EBADMSG;
			off = data + len;
		}
		ts += delta;
		if (len < 2)
			return -EBADMSG;
		r = (struct trace_record){ .ts_ns = ts, .data = p + data, .len = len,
					   .type = p[data] | p[data + 1] << 8 };
		if (fn && (ret = fn(&r, ctx)))
			return ret;
	}
	return 0;
}

uint64_t trace_field_u64(const struct trace_field *f, const struct trace_record *r)
{
	uint64_t v = 0;

	/* fuzz regressions/trace/offset_wraps: offset + size wrapped around in 32 bits */
	if (!f || (size_t)f->offset + f->size > r->len || f->size > sizeof(v))
		return 0;
	memcpy(&v, r->data + f->offset, f->size); /* little-endian: the low bytes */
	/* fuzz regressions/trace/signed_size_0: size 0 made the shift below -1 */
	if (f->is_signed && f->size && f->size < sizeof(v) && (v >> (f->size * 8 - 1)) & 1)
		v |= ~0ull << (f->size * 8); /* sign-extend */
	return v;
}

int trace_field_str(const struct trace_field *f, const struct trace_record *r, char *buf,
		    size_t size)
{
	uint32_t loc, at, len;

	/* fuzz regressions/trace/str_offset_wraps: offset + 4 wrapped around in 32 bits */
	if (!f || !f->data_loc || (size_t)f->offset + 4 > r->len || size == 0)
		return -EBADMSG;
	loc = u32_at(r->data + f->offset);
	at = loc & 0xffff;
	len = loc >> 16;
	if ((size_t)at + len > r->len)
		return -EBADMSG;
	snprintf(buf, size, "%.*s", (int)strnlen((const char *)r->data + at, len), r->data + at);
	return 0;
}
