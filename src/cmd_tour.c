// SPDX-License-Identifier: MIT
/*
 * cmd_tour: `nic2app tour`: the module in four minutes of reading (at most 1,000 words, a
 * test counts them). Its four learning objectives, one measured screen each (tour_fds.c,
 * tour_journey.c, tour_table.c), then its four key takeaways beside this machine's numbers.
 * The calls themselves are in the examples; method detail is in the other commands' output.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "tour.h"
#include "nic2app/render.h"

/* The module's words: its learning objectives and key takeaways, quoted as written. */
static const char *const objectives[] = {
	"Understand file descriptors and their role in I/O operations",
	"Learn how sockets work at the system level",
	"Explore the journey of network packets from NIC to application",
	"Understand the cost of system calls",
};

void tour_title(struct strbuf *sb, bool colour, const char *title)
{
	strbuf_addc(sb, '\n');
	colour_add(sb, colour, COLOUR_CYAN, title);
	strbuf_addc(sb, '\n');
}

static long lo_mtu(void)
{
	FILE *f = fopen("/sys/class/net/lo/mtu", "re");
	long mtu = 0;

	if (f) {
		if (fscanf(f, "%ld", &mtu) != 1)
			mtu = 0;
		fclose(f);
	}
	return mtu;
}

static void takeaways(struct strbuf *sb, bool colour, const struct tour_facts *f)
{
	struct strbuf d = STRBUF_INIT;

	tour_title(sb, colour, "The module's key takeaways, and this machine's numbers");
	strbuf_addf(sb, "- File descriptors are the interface between user space and kernel\n"
		    "  resources: socket() gave fd %d, one of %zu open.\n", f->socket_fd, f->fds_open);
	duration_add(&d, f->journey_ns);
	strbuf_addf(sb, "- Network data travels through multiple layers, each adding processing\n"
		    "  time: %zu stages, %s one way on lo.\n", f->stages, strbuf_str(&d));
	strbuf_addf(sb, "- System calls are expensive - batch operations when possible: %.0f ns,\n"
		    "  %.0f function calls (batching: nic2app bench batch).\n",
		    f->syscall_ns, f->syscall_ns / f->call_ns);
	if (f->lo_offloads[0])
		strbuf_addf(sb, "- Modern NICs offload many operations to hardware for efficiency: even\n"
			    "  lo, all software, has them on: %s (MTU %ld).\n", f->lo_offloads,
			    f->lo_mtu);
	else
		strbuf_addf(sb, "- Modern NICs offload many operations to hardware for efficiency: even\n"
			    "  lo, all software, has an MTU of %ld (offloads: nic2app nic).\n", f->lo_mtu);
	strbuf_release(&d);
}

static void usage(void)
{
	fputs("usage: nic2app tour\n"
	      "\n"
	      "The module in four minutes of reading: its four learning objectives, one screen\n"
	      "each, measured now on this machine, then its four key takeaways beside the numbers\n"
	      "this machine gave. Takes a few seconds; asks nothing. The examples show the calls\n"
	      "(build/examples/0[123]_*); `make tour` builds everything first.\n",
	      stdout);
}

int cmd_tour(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static int (*const screens[])(struct strbuf *, bool, struct tour_facts *) = {
		tour_fds, tour_sockets, tour_journey, tour_costs,
	};
	bool colour = colour_wanted(STDOUT_FILENO);
	struct tour_facts facts = { .lo_mtu = lo_mtu() };
	struct strbuf sb = STRBUF_INIT;
	int opt, err, code = EXIT_OK;
	size_t i;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (opt != 'h')
			return cli_bad_option("tour", argc, argv, optopt);
		usage();
		return EXIT_OK;
	}
	if (optind < argc)
		return cli_usage_error("tour", "unexpected argument '%s'", argv[optind]);

	colour_add(&sb, colour, COLOUR_BOLD, "Module 1: Networking Fundamentals, measured here\n");
	strbuf_adds(&sb, "Figures are measured now, here, unless labelled as the module's. Its four\n"
		    "learning objectives, a screen each:\n");
	for (i = 0; i < 4; i++)
		strbuf_addf(&sb, "  %zu. %s\n", i + 1, objectives[i]);
	cli_emit(&sb);
	for (i = 0; i < 4; i++) {
		if ((err = screens[i](&sb, colour, &facts)) < 0) {
			strbuf_reset(&sb);
			cli_error("tour: cannot measure screen %zu (%s): %s", i + 1, objectives[i],
				  strerror(-err));
			code = err == -EPERM || err == -ENODEV ? EXIT_NOT_HERE : EXIT_RUNTIME;
			goto out_release;
		}
		cli_emit(&sb);
	}
	takeaways(&sb, colour, &facts);
	strbuf_adds(&sb, "\nThe calls: examples/0[123]_*.c (run them from build/examples/). Detail:\n"
		    "nic2app sockets, fds, nic, journey, bench, report, exporter.\n");
	cli_emit(&sb);
out_release:
	strbuf_release(&sb);
	return code;
}
