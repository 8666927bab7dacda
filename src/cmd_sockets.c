// SPDX-License-Identifier: MIT
/* cmd_sockets: `nic2app sockets`: what example 1 shows, as a report or as JSON. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "nic2app/render.h"
#include "sockets_report.h"

#define COST_BATCHES 2000

static void usage(void)
{
	fputs("usage: nic2app sockets [--json] [--step]\n"
	      "\n"
	      "Socket basics, read back from the kernel: the standard fds and what they point to,\n"
	      "one socket of each kind (SO_DOMAIN, SO_TYPE, SO_PROTOCOL), blocking mode and\n"
	      "timeouts, options as asked and as stored, the net.core limits, one TCP connection's\n"
	      "lifecycle with the state the kernel reports after every call, and the cost of a\n"
	      "system call against a plain function call.\n"
	      "\n"
	      "  --json     one JSON object on stdout\n"
	      "  --step     pause after each lifecycle step (press Enter to go on), so the sockets\n"
	      "             can be inspected meanwhile, e.g. with ss -tan\n"
	      "  -h, --help this text\n",
	      stdout);
}

/* --step: say where we are on stderr and wait for a line on stdin. */
static int pause_after_step(const struct lifecycle *lc, const struct lifecycle_step *st, void *ctx)
{
	bool *waiting = ctx;
	char line[64];

	if (!*waiting)
		return 0;
	fprintf(stderr,
		"nic2app sockets: step %zu: %s: %s is %s; inspect with: ss -tan '( sport = :%u or dport = :%u )'; press Enter\n",
		lc->nsteps, st->call, st->role, lifecycle_state_label(st->state), lc->port,
		lc->port);
	if (!fgets(line, sizeof(line), stdin))
		*waiting = false; /* end of input: run the remaining steps without pausing */
	return 0;
}

int cmd_sockets(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "step", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sockets_report r; /* large; one per process */
	struct strbuf sb = STRBUF_INIT;
	bool json = false, step = false, colour;
	int opt, err;
	size_t i;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 's':
			step = true;
			break;
		case 'h':
			usage();
			return EXIT_OK;
		default:
			return cli_bad_option("sockets", argc, argv, optopt);
		}
	}
	if (optind < argc)
		return cli_usage_error("sockets", "unexpected argument '%s'", argv[optind]);
	colour = !json && colour_wanted(STDOUT_FILENO);

	if ((err = socket_basics_collect(&r.basics))) {
		cli_error("cannot read socket basics: %s", strerror(-err));
		return EXIT_RUNTIME;
	}
	if (!json) {
		sockets_render_basics(&sb, &r.basics, colour);
		cli_emit(&sb);
	}
	if ((err = lifecycle_run(&r.lifecycle, step ? pause_after_step : NULL, &step))) {
		cli_error("socket lifecycle failed at step %zu: %s", r.lifecycle.nsteps + 1,
			  strerror(-err));
		goto out_release;
	}
	if (!json) {
		sockets_render_lifecycle(&sb, &r.lifecycle, colour);
		cli_emit(&sb);
	}
	r.batches = COST_BATCHES;
	for (i = 0; i < SYSCOST_NOPS; i++) {
		if ((err = syscost_measure(i, r.batches, 0, &r.cost[i]))) {
			cli_error("cannot measure %s: %s", syscost_name(i), strerror(-err));
			goto out_release;
		}
	}
	if (json)
		err = sockets_render_json(&sb, &r);
	else
		sockets_render_cost(&sb, &r, colour);
	if (err) {
		cli_error("cannot format the JSON output: %s", strerror(-err));
		goto out_release;
	}
	cli_emit(&sb);
out_release:
	strbuf_release(&sb);
	return err ? EXIT_RUNTIME : EXIT_OK;
}
