// SPDX-License-Identifier: MIT
/*
 * fuzz_trace: the tracefs method of the journey on recorded bytes. The input is
 *   TEXT '\0' PARAMS PAGES
 * TEXT: the format files of the journey's event kinds in enum jevent_kind order, separated by
 * lines "%%" (an empty one for a kind left out), each parsed alone and learnt by the decoder.
 * PARAMS: the matcher's context and the messages' windows (struct params, then npk pairs of
 * u64: sent, received). PAGES: the rest, in ring-buffer pages of 4096 bytes (the last one
 * may be short). Every record is decoded and each field of its format read; the events are
 * then sorted and matched to the windows. Parts cut off are empty (zeros).
 * tests/fuzz/make-corpus.sh builds inputs of this shape from tests/data.
 */
#include "fuzz.h"
#include "nic2app/journey_trace.h"

#define PAGE_SIZE 4096
#define MOST_PACKETS 64
#define SEPARATOR "\n%%\n"

struct params {
	int32_t sender_tid, receiver_tid;
	uint32_t min_len, min_rx_len;
	uint8_t ip_proto;
	uint8_t flags;      /* 1: copy_point, 2: rx_is_echo */
	uint16_t npk;       /* windows that follow, MOST_PACKETS at most */
};

struct run {
	struct trace_format fmt[JE_KINDS];
	bool parsed[JE_KINDS];
	struct jevent_decoder dec;
	struct jevents events;
	struct journey_packet pk[MOST_PACKETS];
};

/* Split TEXT into the kinds' formats; each is parsed, and the decoder learns it. */
static void learn(struct run *run, char *text)
{
	for (int k = 0; k < JE_KINDS && text; k++) {
		char *end = strstr(text, SEPARATOR);

		if (end)
			end[1] = '\0';
		run->parsed[k] = trace_format_parse(text, &run->fmt[k]) == 0;
		FUZZ_ASSERT(run->fmt[k].nfields <= TRACE_MAX_FIELDS);
		jevent_decoder_add(&run->dec, k, text);
		text = end ? end + strlen(SEPARATOR) : NULL;
	}
}

/* Every field of every format this record's type names, then the event it decodes to. */
static int on_record(const struct trace_record *r, void *ctx)
{
	struct run *run = ctx;
	struct jevent e;
	char str[64];

	for (int k = 0; k < JE_KINDS; k++) {
		if (!run->parsed[k] || run->fmt[k].id != r->type)
			continue;
		for (size_t i = 0; i < run->fmt[k].nfields; i++) {
			trace_field_u64(&run->fmt[k].fields[i], r);
			if (trace_field_str(&run->fmt[k].fields[i], r, str, sizeof(str)) == 0)
				FUZZ_ASSERT(memchr(str, '\0', sizeof(str)));
		}
	}
	if (jevent_decode(&run->dec, r, &e) == 1) {
		FUZZ_ASSERT(e.kind < JE_KINDS && e.ts_ns == r->ts_ns);
		return jevents_add(&run->events, &e);
	}
	return 0;
}

/* A packet's points lie inside its window, in the order of the chain. */
static void check_packet(const struct journey_packet *p)
{
	uint64_t last = p->at[JP_APP_SEND];

	if (!p->at[JP_APP_SEND] || p->at[JP_APP_RECV] < p->at[JP_APP_SEND])
		return;
	for (int point = JP_SYS_ENTER; point < JP_APP_RECV; point++) {
		if (!p->at[point])
			continue;
		FUZZ_ASSERT(p->at[point] >= last && p->at[point] <= p->at[JP_APP_RECV]);
		last = p->at[point];
	}
}

static void match(struct run *run, const uint8_t *data, size_t size)
{
	struct params pr = { 0 };
	struct journey_match_ctx ctx;
	size_t npk, used;

	memcpy(&pr, data, size < sizeof(pr) ? size : sizeof(pr));
	npk = pr.npk < MOST_PACKETS ? pr.npk : MOST_PACKETS;
	for (size_t i = 0, off = sizeof(pr); i < npk; i++, off += 16) {
		struct journey_packet *p = &run->pk[i];

		if (off + 16 <= size) {
			memcpy(&p->at[JP_APP_SEND], data + off, 8);
			memcpy(&p->at[JP_APP_RECV], data + off + 8, 8);
		}
	}
	ctx = (struct journey_match_ctx){
		.sender_tid = pr.sender_tid, .receiver_tid = pr.receiver_tid,
		.ip_proto = pr.ip_proto, .min_len = pr.min_len, .copy_point = pr.flags & 1,
		.rx_is_echo = pr.flags & 2, .min_rx_len = pr.min_rx_len,
	};
	jevents_sort(&run->events);
	for (size_t i = 1; i < run->events.n; i++)
		FUZZ_ASSERT(run->events.v[i - 1].ts_ns <= run->events.v[i].ts_ns);
	used = journey_match(run->events.v, run->events.n, run->pk, npk, &ctx);
	FUZZ_ASSERT(used <= npk * JP_POINTS);
	for (size_t i = 0; i < npk; i++)
		check_packet(&run->pk[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t text_len = nul ? (size_t)(nul - data) : size, off, pages, rest;
	struct run *run = calloc(1, sizeof(*run));
	char *text = fuzz_text(data, text_len);

	FUZZ_ASSERT(run);
	learn(run, text);
	free(text);
	/* after the NUL: the parameters, the windows, then the pages */
	off = nul ? text_len + 1 : size;
	rest = size - off;
	pages = sizeof(struct params) + 16 * MOST_PACKETS;
	if (rest >= sizeof(struct params)) {
		struct params pr;

		memcpy(&pr, data + off, sizeof(pr));
		pages = sizeof(pr) + 16 * (size_t)(pr.npk < MOST_PACKETS ? pr.npk : MOST_PACKETS);
	}
	pages = off + (pages < rest ? pages : rest);
	for (size_t at = pages; at < size; at += PAGE_SIZE) {
		size_t len = size - at < PAGE_SIZE ? size - at : PAGE_SIZE;
		void *page = fuzz_copy(data + at, len);
		bool missed;

		trace_page_walk(page, len, on_record, run, &missed);
		free(page);
	}
	match(run, data + off, pages - off);
	jevents_release(&run->events);
	free(run);
	return 0;
}
