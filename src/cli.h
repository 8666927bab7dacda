/* SPDX-License-Identifier: MIT */
/* cli: what every sub-command shares: exit codes, messages, option errors, writing output. */
#ifndef NIC2APP_CLI_H
#define NIC2APP_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "nic2app/out_file.h"
#include "nic2app/strbuf.h"

/* exit codes (contract, DESIGN.md) */
enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,  /* something failed while running */
	EXIT_USAGE = 2,    /* bad command line */
	EXIT_NOT_HERE = 3, /* a kernel feature or a privilege is missing */
};

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

extern const struct command commands[];

/* "nic2app: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error for a sub-command: message, hint to --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The getopt error of argv[optind - 1] as a usage error (call when getopt_long returned '?'). */
int cli_bad_option(const char *cmd, int argc, char **argv, int optopt_char);

/* The one reading of numbers on the command line, for every command. A whole number is
 * decimal digits only: no sign, no spaces on either side, no 0x, no exponent, nothing after
 * ("017" is seventeen). Seconds are digits with at most one '.' between digits ("0.25", "2").
 * Each returns 0 and sets *out, or -EINVAL (malformed) or -ERANGE (outside [min, max]). */
int cli_parse_uint(const char *word, unsigned long long min, unsigned long long max,
		   unsigned long long *out);
int cli_parse_seconds(const char *word, double min, double max, double *out);
/* A process id (1 to INT_MAX) as cli_parse_uint reads it. */
int cli_parse_pid(const char *word, pid_t *out);

/* Why the BPF programs of --live (journey, exporter) could not be loaded, said for cmd, each
 * reason followed by what still works: alt[0] without root, alt[1] in a build without BPF,
 * alt[2] on a kernel without the tracepoints. EXIT_NOT_HERE for those, else EXIT_RUNTIME. */
int cli_live_failure(const char *cmd, int err, const char *const alt[3]);

/* The signal that asked a measurement to stop (0: none). */
extern volatile sig_atomic_t cli_stop_signal;
/* While a measurement runs: SIGINT, SIGTERM and SIGPIPE (sent by kill, or by a reader that
 * went away) set cli_stop_signal instead of killing us, so the run undoes what it set up
 * (tracefs instances, namespaces, children) and ends with 128 + the signal. No SA_RESTART:
 * a blocked wait returns at once. */
void cli_stop_catch(void);
/* Give the three signals their previous handling back. */
void cli_stop_restore(void);

/* An output path (--svg FILE, --html FILE), checked before anything is measured: 0, or a
 * message ("CMD: cannot write WHAT to 'PATH': reason") and EXIT_RUNTIME. */
int cli_output_check(const char *cmd, const char *what, const char *path, struct out_file *f);
/* Write sb there: 0, or the same message and EXIT_RUNTIME (e.g. a full device). */
int cli_output_write(const char *cmd, const char *what, const char *path, const struct out_file *f,
		     const struct strbuf *sb);

/* Write sb to stdout and empty it. A closed pipe ends the program quietly. */
void cli_emit(struct strbuf *sb);
/* Flush stdout at exit; reports a failed write (e.g. a full disk). Returns the exit code. */
int cli_finish_output(int code);

#endif
