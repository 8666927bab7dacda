// SPDX-License-Identifier: MIT
/*
 * cmd_tour: `nic2app tour`: the module's quick exercise. Runs the example programs in order,
 * each introduced with what the module says about it and, where the module is wrong or vague,
 * what is true instead. Non-interactive.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "tour.h"
#include "nic2app/render.h"
#include "nic2app/version.h"

extern char **environ;

struct tour_stop {
	const char *program;   /* in build/examples/ or the install's libexec directory */
	const char *title;
	const char *intro;     /* the module's words, and what the measurement will check */
	const char *afterword; /* what the run showed that the module did not say */
};

static const struct tour_stop stops[] = {
	{
		"01_socket_basics",
		"1. Socket and file descriptor basics (examples/01_socket_basics.c)",
		"The module: \"A file descriptor is a non-negative integer that uniquely identifies an\n"
		"open file or socket within a process.\" True, and the example shows the numbers the\n"
		"kernel hands out. The module says stdin, stdout and stderr are \"usually\" 0, 1 and 2:\n"
		"the numbers are fixed by convention; what they point to varies, and the example reads\n"
		"it from /proc/self/fd. The module puts a system call at ~100-300 ns: the example\n"
		"measures one here instead.\n",
		"What the module did not say: the kernel stores double the socket buffer you ask\n"
		"for (and caps it at net.core's limits); connect() completes the TCP handshake\n"
		"before accept() is called; the side that closes first keeps a TIME_WAIT entry\n"
		"after its fd is gone.\n",
	},
	{
		"02_fd_monitor",
		"2. Monitoring file descriptors (examples/02_fd_monitor.c)",
		"The module: \"Monitor file descriptors in real-time.\" Linux has no event for a\n"
		"change in a process's fd table, so a monitor compares snapshots: /proc/PID/fd names\n"
		"what each fd points to, /proc/PID/fdinfo gives its offset and flags, and sock_diag\n"
		"(what ss uses) says where each socket is connected and in which state. The example\n"
		"watches its own table through a TCP connection's life.\n",
		"What the module did not say: an fd that opens and closes between two snapshots is\n"
		"never seen; a closed socket can live on without an fd (the CLOSE_WAIT above waits\n"
		"for its owner's close()); and the fd limit is per process (RLIMIT_NOFILE), under\n"
		"a system-wide one (fs.file-max).\n",
	},
	{
		"03_packet_journey",
		"3. The journey of a packet (examples/03_packet_journey.c)",
		"The module: \"Visualize the journey of a network packet\", from a simulation with\n"
		"invented durations. Here the kernel reports where each message was and when: with\n"
		"root, tracepoints in a private tracefs instance; without, SO_TIMESTAMPING. Every\n"
		"stage is the time between two points it saw, so the stages of a message add up to\n"
		"its total exactly.\n",
		"What the module did not say: on loopback there is no NIC, DMA, interrupt or wire,\n"
		"so those stages are not shown at all rather than invented. Compare the scheduler's\n"
		"stages (wakeup, run_queue) with TCP/IP's (tx_stack, rx_stack): waking the receiver\n"
		"and giving it a CPU is a large part of every local message. A local round trip is\n"
		"two such journeys; `nic2app journey --cpus split` shows one across two CPUs.\n",
	},
};

/* The example programs sit beside the nic2app binary (build tree) or in LIBEXECDIR. */
static int find_program(const char *name, char *path, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		snprintf(path, len, "%s/examples/%s", dirname(self), name);
		if (access(path, X_OK) == 0)
			return 0;
	}
	snprintf(path, len, "%s/%s", NIC2APP_LIBEXECDIR, name);
	return access(path, X_OK) == 0 ? 0 : -ENOENT;
}

static int run_program(const char *path)
{
	char *argv[] = { (char *)path, NULL };
	pid_t pid;
	int status, err;

	fflush(stdout);
	err = posix_spawn(&pid, path, NULL, NULL, argv, environ);
	if (err)
		return -err;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* The last stop: the module's performance table, measured (a quick `nic2app bench`). */
static int module_table(struct strbuf *sb, bool colour)
{
	int err;

	strbuf_addc(sb, '\n');
	colour_add(sb, colour, COLOUR_CYAN, "4. The module's performance insights, measured (nic2app bench --quick)");
	strbuf_adds(sb, "\n\nThe module gives typical costs. Here they are beside what this machine does,\n"
		    "measured just now in a few seconds:\n\n");
	cli_emit(sb);
	if ((err = tour_module_table(sb, colour)) < 0) {
		cli_error("tour: cannot measure the module's table: %s", strerror(-err));
		return EXIT_RUNTIME;
	}
	strbuf_adds(sb, "\nThe 1 KB row shows where a copy's cost lies: in the copy itself (memcpy), or in\n"
		    "crossing into the kernel and back. A local round trip has no wire: it is two\n"
		    "journeys through the kernel and, across two CPUs, the wake-up of the other CPU.\n"
		    "The zero-copy techniques and batching: nic2app bench zerocopy batch.\n");
	cli_emit(sb);
	return EXIT_OK;
}

static void usage(void)
{
	fputs("usage: nic2app tour\n"
	      "\n"
	      "The module's quick exercise: runs the example programs in order, each introduced\n"
	      "with what the module says and what this machine shows instead. Takes a few seconds;\n"
	      "asks nothing. `make tour` builds everything first.\n",
	      stdout);
}

int cmd_tour(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool colour = colour_wanted(STDOUT_FILENO);
	struct strbuf sb = STRBUF_INIT;
	char path[PATH_MAX];
	int opt, rc, code = EXIT_OK;
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

	colour_add(&sb, colour, COLOUR_BOLD, "Module 1: Networking Fundamentals, measured on this machine\n");
	strbuf_adds(&sb, "Every number below was measured just now; none is copied from the module.\n");
	cli_emit(&sb);
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		const struct tour_stop *s = &stops[i];

		strbuf_addc(&sb, '\n');
		colour_add(&sb, colour, COLOUR_CYAN, s->title);
		strbuf_addf(&sb, "\n\n%s", s->intro);
		cli_emit(&sb);
		if (find_program(s->program, path, sizeof(path))) {
			cli_error("cannot find the example program '%s' (looked beside nic2app and in %s); run 'make' first",
				  s->program, NIC2APP_LIBEXECDIR);
			code = EXIT_RUNTIME;
			goto out_release;
		}
		rc = run_program(path);
		if (rc == 128 + SIGPIPE) {
			/* the reader went away (`| head`): end quietly, as our own writes do */
			code = EXIT_RUNTIME;
			goto out_release;
		}
		if (rc != 0) {
			cli_error("'%s' failed (%s %d)", path, rc < 0 ? "error" : "exit status",
				  rc < 0 ? -rc : rc);
			code = EXIT_RUNTIME;
			goto out_release;
		}
		strbuf_addf(&sb, "\n%s", s->afterword);
		cli_emit(&sb);
	}
	code = module_table(&sb, colour);
out_release:
	strbuf_release(&sb);
	return code;
}
