// SPDX-License-Identifier: MIT
/* cmd_bench: `nic2app bench [SUITE...]`: the module's performance insights, measured. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "nic2app/bench.h"
#include "nic2app/bench_render.h"
#include "nic2app/charts.h"
#include "nic2app/report.h"
#include "nic2app/peer_proto.h"
#include "nic2app/render.h"

struct suite {
	const char *name;
	int (*run)(const struct bench_opts *o, struct bench_results *out);
	const char *title;
};

static const struct suite suites[] = {
	{ "syscall", bench_syscall, "System calls, beside a function call" },
	{ "copy", bench_copy, "Copies: in the cache, memory bandwidth, through the kernel" },
	{ "rtt", bench_rtt, "Round trips (full round trips, never halved)" },
	{ "ctxswitch", bench_ctxswitch, "Context switches" },
	{ "zerocopy", bench_zerocopy, "Zero-copy techniques, one file over loopback TCP" },
	{ "batch", bench_batch, "Batching small UDP messages" },
};
#define NSUITES (sizeof(suites) / sizeof(suites[0]))

static void usage(void)
{
	fputs("usage: nic2app bench [SUITE...] [--quick] [--json] [--peer HOST:PORT] [--svg FILE]\n"
	      "\n"
	      "The module's performance insights, measured here: what a system call, a copy, a\n"
	      "round trip, a context switch cost, how fast each zero-copy technique moves a file,\n"
	      "and what batching saves. Every result is a distribution (p50, p90, p99, p99.9, min,\n"
	      "max) with the module's typical figure beside it where the module gives one.\n"
	      "\n"
	      "Suites (default: all, in this order):\n"
	      "  syscall     getppid, getsockopt, socket+close, beside a function call\n"
	      "  copy        memcpy of 1 KiB and of a large buffer; 1 KiB through a pipe and a socket\n"
	      "  rtt         64-byte ping-pong over TCP, UDP and a UNIX stream: blocking across\n"
	      "              CPUs, pinned to one CPU, busy-polling\n"
	      "  ctxswitch   two processes on one CPU, pipe ping-pong\n"
	      "  zerocopy    one file over loopback TCP: read+write, mmap+write, sendfile, splice,\n"
	      "              io_uring, MSG_ZEROCOPY, io_uring send_zc; receive: recv vs\n"
	      "              TCP_ZEROCOPY_RECEIVE\n"
	      "  batch       small UDP messages: send/recv vs sendmmsg/recvmmsg vs io_uring\n"
	      "\n"
	      "  --quick          the whole set in under 30 seconds (fewer samples)\n"
	      "  --json           one JSON object on stdout\n"
	      "  --peer H:P       rtt and zerocopy also against a `nic2app serve` at H:P\n"
	      "  --svg FILE       also write the pictures (round-trip histograms, the zero-copy\n"
	      "                   ladder) as one standalone SVG file ('-': to stdout, in place\n"
	      "                   of the text)\n"
	      "  -h, --help       this text\n"
	      "\n"
	      "System calls per MiB or per message are counted by the kernel when run as root\n"
	      "(raw_syscalls in a private tracefs instance), else counted by design and said so.\n"
	      "Progress goes to stderr on a terminal. Ctrl-C stops it.\n",
	      stdout);
}

static void progress(void *ctx, const char *what)
{
	(void)ctx;
	fprintf(stderr, "\r\033[Knic2app bench: %s ...", what);
}

/* Mark the suites named in argv[optind..]; all when none. 0, or a usage error. */
static int pick_suites(int argc, char **argv, bool *picked)
{
	if (optind == argc) {
		for (size_t s = 0; s < NSUITES; s++)
			picked[s] = true;
		return 0;
	}
	for (int i = optind; i < argc; i++) {
		size_t s;

		for (s = 0; s < NSUITES && strcmp(argv[i], suites[s].name) != 0; s++)
			;
		if (s == NSUITES)
			return cli_usage_error("bench", "unknown suite '%s' (syscall copy rtt ctxswitch "
					       "zerocopy batch)", argv[i]);
		picked[s] = true;
	}
	return 0;
}

static int parse(int argc, char **argv, struct bench_opts *o, struct sockaddr_storage *peer,
		 bool *json, const char **svg, bool *picked)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' }, { "json", no_argument, NULL, 'j' },
		{ "peer", required_argument, NULL, 'p' }, { "help", no_argument, NULL, 'h' },
		{ "svg", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			o->quick = true;
			break;
		case 'j':
			*json = true;
			break;
		case 'p':
			if (peer_addr_parse(optarg, "127.0.0.1", peer, &o->peer_len) < 0 ||
			    ((struct sockaddr_in *)peer)->sin_port == 0)
				return cli_usage_error("bench", "--peer must be HOST:PORT with an IP "
						       "address and a port from 1 to 65535, not '%s'", optarg);
			o->peer = peer;
			break;
		case 'g':
			*svg = optarg;
			break;
		case 'h':
			usage();
			return -1;
		default:
			return cli_bad_option("bench", argc, argv, optopt);
		}
	}
	if (pick_suites(argc, argv, picked) != 0)
		return EXIT_USAGE;
	if (*svg && !picked[2] && !picked[4]) /* rtt, zerocopy */
		return cli_usage_error("bench", "--svg draws the rtt and zerocopy suites: name one of them");
	return 0;
}

/* Run the picked suites; on failure say which and why. */
static int run_suites(const struct bench_opts *o, const bool *picked, struct bench_results *r)
{
	for (size_t s = 0; s < NSUITES; s++) {
		int err;

		if (!picked[s])
			continue;
		if ((err = suites[s].run(o, r)) < 0) {
			if (o->progress)
				fputs("\r\033[K", stderr);
			if (err == -EINTR)
				fprintf(stderr, "nic2app bench: stopped by signal %d\n", (int)cli_stop_signal);
			else
				cli_error("bench: the %s suite failed: %s", suites[s].name, strerror(-err));
			return err == -EINTR ? 128 + (int)cli_stop_signal : EXIT_RUNTIME;
		}
	}
	if (o->progress)
		fputs("\r\033[K", stderr);
	return EXIT_OK;
}

/* The round-trip histograms and the zero-copy ladder, stacked in one file. */
static int write_svg(const char *path, const struct out_file *f, const struct bench_results *r)
{
	struct strbuf charts[2] = { STRBUF_INIT, STRBUF_INIT }, out = STRBUF_INIT;
	const char *docs[2];
	size_t n = 0;
	int err = 0;

	if (chart_rtt_histograms(&charts[0], r) == 0)
		docs[n++] = charts[0].buf;
	if (chart_zerocopy_ladder(&charts[1], r) == 0)
		docs[n++] = charts[1].buf;
	if ((err = chart_stack(&out, docs, n)) < 0)
		cli_error("bench: cannot draw the pictures: %s", strerror(-err));
	else
		err = cli_output_write("bench", "the pictures", path, f, &out);
	for (int i = 0; i < 2; i++)
		strbuf_release(&charts[i]);
	strbuf_release(&out);
	return err ? EXIT_RUNTIME : EXIT_OK;
}

static void render_text(struct strbuf *sb, const struct bench_machine *m,
			const struct bench_results *r, const bool *picked, bool colour)
{
	bench_machine_render(sb, m, colour);
	for (size_t s = 0; s < NSUITES; s++) {
		char prefix[32];

		if (!picked[s])
			continue;
		snprintf(prefix, sizeof(prefix), "%s.", suites[s].name);
		strbuf_addc(sb, '\n');
		colour_add(sb, colour, COLOUR_CYAN, suites[s].title);
		strbuf_addc(sb, '\n');
		bench_results_render(sb, r, prefix, colour);
	}
}

int cmd_bench(int argc, char **argv)
{
	struct bench_opts o = { .stop = &cli_stop_signal };
	struct sockaddr_storage peer;
	struct bench_results r = { 0 };
	struct bench_machine m;
	struct strbuf sb = STRBUF_INIT;
	bool json = false, picked[NSUITES] = { false };
	const char *svg = NULL;
	struct out_file svg_out;
	int code;

	if ((code = parse(argc, argv, &o, &peer, &json, &svg, picked)) != 0)
		return code < 0 ? EXIT_OK : code;
	/* where the pictures go is checked before the suites run, not found unwritable after */
	if (svg && (code = cli_output_check("bench", "the pictures", svg, &svg_out)) != 0)
		return code;
	if (svg && json && out_file_is_stdout(&svg_out))
		return cli_usage_error("bench", "--svg %s and --json both want stdout: give --svg a file", svg);
	if (isatty(STDERR_FILENO))
		o.progress = progress;
	bench_machine_read(&m);
	cli_stop_catch();
	code = run_suites(&o, picked, &r);
	cli_stop_restore();
	if (code == EXIT_OK && svg)
		code = write_svg(svg, &svg_out, &r);
	if (code == EXIT_OK && !(svg && out_file_is_stdout(&svg_out))) { /* '-': the pictures alone */
		if (json && bench_json(&sb, &m, &r) == 0)
			strbuf_addc(&sb, '\n');
		else if (!json)
			render_text(&sb, &m, &r, picked, colour_wanted(STDOUT_FILENO));
		cli_emit(&sb);
	}
	strbuf_release(&sb);
	bench_results_release(&r);
	return code;
}
