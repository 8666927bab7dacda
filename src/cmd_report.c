// SPDX-License-Identifier: MIT
/* cmd_report: `nic2app report --html FILE`: everything measured, as one self-contained page. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "nic2app/report.h"
#include "nic2app/version.h"
#include "report_demo.h"

static void usage(void)
{
	fputs("usage: nic2app report --html FILE [--quick] [--pid PID]\n"
	      "\n"
	      "Measures everything nic2app measures and writes one self-contained HTML page (inline\n"
	      "SVG and CSS, no script, nothing fetched: it works offline): the journey of a UDP and a\n"
	      "TCP message as waterfalls, round-trip histograms, the zero-copy ladder with the\n"
	      "memory bandwidth as its ceiling, the module's table of costs beside the measured\n"
	      "ones, one process's fds by type, and the machine. Takes about a minute (--quick:\n"
	      "seconds).\n"
	      "\n"
	      "  --html FILE   where to write the page: a file is replaced whole or not at all,\n"
	      "                a device or fifo written to; '-' is stdout\n"
	      "  --quick       fewer samples: the bench set's --quick, 300 messages a journey\n"
	      "  --pid PID     whose fds to show (default: a short demo process it starts)\n"
	      "  -h, --help    this text\n",
	      stdout);
}

struct report_opts {
	const char *html;
	bool quick;
	pid_t pid;
};

static int parse(int argc, char **argv, struct report_opts *o)
{
	static const struct option longopts[] = {
		{ "html", required_argument, NULL, 'o' }, { "quick", no_argument, NULL, 'q' },
		{ "pid", required_argument, NULL, 'p' },  { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			o->html = optarg;
			break;
		case 'q':
			o->quick = true;
			break;
		case 'p':
			if (cli_parse_pid(optarg, &o->pid))
				return cli_usage_error("report", "--pid must be a process id, not '%s'", optarg);
			break;
		case 'h':
			usage();
			return -1;
		default:
			return cli_bad_option("report", argc, argv, optopt);
		}
	}
	if (optind < argc)
		return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (!o->html || !o->html[0])
		return cli_usage_error("report", "--html FILE is needed: where to write the page");
	return 0;
}

struct measured {
	struct journey_result journeys[2];
	int njourneys;
	struct bench_results bench;
	struct bench_machine machine;
	struct fd_snapshot fds;
	bool have_fds;
};

static int measure(const struct report_opts *o, struct measured *m, pid_t *demo)
{
	struct bench_opts bo = { .quick = o->quick, .stop = &cli_stop_signal };
	int (*const suites[])(const struct bench_opts *, struct bench_results *) = {
		bench_syscall, bench_copy, bench_rtt, bench_zerocopy,
	};
	int err;

	bench_machine_read(&m->machine);
	for (int i = 0; i < 2; i++, m->njourneys++) {
		struct journey_config cfg = { .proto = i ? JOURNEY_TCP : JOURNEY_UDP, .size = 64,
					      .count = o->quick ? 300 : 1000, .cpus = CPUS_SAME,
					      .stop = &cli_stop_signal };

		fprintf(stderr, "nic2app report: the %s journey\n", i ? "TCP" : "UDP");
		if ((err = journey_run(&cfg, &m->journeys[i])) < 0)
			return err;
	}
	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		fprintf(stderr, "nic2app report: bench suite %zu of %zu\n", s + 1,
			sizeof(suites) / sizeof(suites[0]));
		if ((err = suites[s](&bo, &m->bench)) < 0)
			return err;
	}
	if (!o->pid && (err = report_demo_start(demo)) < 0)
		return err;
	if ((err = fd_snapshot_take("/proc", o->pid ? o->pid : *demo, 0, &m->fds)) < 0)
		return err;
	m->have_fds = true;
	return 0;
}

static int write_page(const struct report_opts *o, const struct out_file *out,
		      const struct measured *m)
{
	struct report r = { .bench = &m->bench, .machine = &m->machine,
			    .fds = m->have_fds ? &m->fds : NULL, .fds_demo = !o->pid,
			    .version = NIC2APP_VERSION, .when = time(NULL) };
	struct strbuf sb = STRBUF_INIT;
	int err;

	for (int i = 0; i < m->njourneys && i < 2; i++)
		r.journeys[i] = &m->journeys[i];
	if ((err = report_html(&sb, &r)) < 0)
		cli_error("report: cannot make the page: %s", strerror(-err));
	else if ((err = cli_output_write("report", "the page", o->html, out, &sb)) == 0 &&
		 !out_file_is_stdout(out))
		fprintf(stderr, "nic2app report: wrote %s (%zu bytes)\n", o->html, sb.len);
	strbuf_release(&sb);
	return err ? EXIT_RUNTIME : EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o = { 0 };
	struct out_file out;
	static struct measured m; /* large */
	pid_t demo = 0;
	int err, code;

	if ((code = parse(argc, argv, &o)) != 0)
		return code < 0 ? EXIT_OK : code;
	/* a page that cannot be written is said at once, not after a minute of measuring */
	if ((code = cli_output_check("report", "the page", o.html, &out)) != 0)
		return code;
	cli_stop_catch();
	err = measure(&o, &m, &demo);
	report_demo_stop(demo);
	cli_stop_restore();
	if (err == -EINTR) {
		fprintf(stderr, "nic2app report: stopped by signal %d; nothing written\n", (int)cli_stop_signal);
		code = 128 + (int)cli_stop_signal;
	} else if (err < 0) {
		cli_error("report: measuring failed: %s%s", strerror(-err),
			  err == -ESRCH ? " (no such process for --pid)" :
			  err == -EACCES || err == -EPERM ? " (another user's process needs root)" : "");
		code = err == -EACCES || err == -EPERM ? EXIT_NOT_HERE : EXIT_RUNTIME;
	} else {
		code = write_page(&o, &out, &m);
	}
	for (int i = 0; i < 2; i++) /* also a journey that failed half-way */
		journey_result_release(&m.journeys[i]);
	bench_results_release(&m.bench);
	if (m.have_fds)
		fd_snapshot_release(&m.fds);
	return code;
}
