// SPDX-License-Identifier: MIT
/* main: the `nic2app` command: dispatch to one cmd_*.c per sub-command. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "nic2app/version.h"

const struct command commands[] = {
	{ "tour", "the module's quick exercise: the examples in order, narrated", cmd_tour },
	{ "sockets", "socket basics: fds, socket identity and options, lifecycle, syscall cost",
	  cmd_sockets },
	{ "fds", "one process's file descriptors: files, sockets, kernel objects; live or as events",
	  cmd_fds },
	{ "journey", "one message's way from send() to recv(), measured stage by stage",
	  cmd_journey },
	{ "bench", "system calls, copies, round trips, context switches, zero copy, batching",
	  cmd_bench },
	{ "report", "everything measured, as one self-contained HTML page with pictures",
	  cmd_report },
	{ "serve", "the peer of journey --peer: echoes frames and datagrams, counts what it is sent",
	  cmd_serve },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	const struct command *c;

	fputs("usage: nic2app COMMAND [OPTIONS]\n"
	      "       nic2app --version | --help\n"
	      "\n"
	      "How data travels from the network card through the kernel to an application,\n"
	      "measured on this machine.\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fputs("\nRun 'nic2app COMMAND --help' for a command's options; 'man nic2app' for more.\n"
	      "Exit status: 0 ok, 1 runtime failure, 2 usage error, 3 not possible here.\n",
	      f);
}

int main(int argc, char **argv)
{
	const struct command *c;
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	name = argv[1];
	if (argc > 2 && (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
			 strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0))
		return cli_usage_error(NULL, "unexpected argument '%s' after %s", argv[2], name);
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		if (argc > 2) {
			for (c = commands; c->name; c++)
				if (strcmp(c->name, argv[2]) == 0) {
					char *help_argv[] = { argv[2], "--help", NULL };

					return cli_finish_output(c->run(2, help_argv));
				}
			return cli_usage_error(NULL, "unknown command '%s'", argv[2]);
		}
		usage(stdout);
		return cli_finish_output(EXIT_OK);
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("nic2app %s\n", NIC2APP_VERSION);
		return cli_finish_output(EXIT_OK);
	}
	if (name[0] == '-')
		return cli_usage_error(NULL, "unknown option '%s'", name);
	for (c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0) {
			optind = 1; /* the sub-command parses argv[1..] with its own getopt_long */
			return cli_finish_output(c->run(argc - 1, argv + 1));
		}
	return cli_usage_error(NULL, "unknown command '%s'", name);
}
