// SPDX-License-Identifier: MIT
/* cli: messages, option errors and output shared by every sub-command. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("nic2app: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nic2app%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'nic2app%s%s --help'.\n", cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

int cli_bad_option(const char *cmd, int argc, char **argv, int optopt_char)
{
	const char *arg = optind - 1 < argc ? argv[optind - 1] : "";

	if (optopt_char && strncmp(arg, "--", 2) != 0)
		return cli_usage_error(cmd, "unknown or incomplete option '-%c'", optopt_char);
	return cli_usage_error(cmd, "unknown or incomplete option '%s'", arg);
}

/* How many decimal digits start word (strtoull and strtod would also take spaces, a sign,
 * 0x and exponents, which no option of ours means). */
static size_t digits(const char *word)
{
	size_t n = 0;

	while (word[n] >= '0' && word[n] <= '9')
		n++;
	return n;
}

int cli_parse_uint(const char *word, unsigned long long min, unsigned long long max,
		   unsigned long long *out)
{
	size_t n = digits(word);
	unsigned long long v;

	if (n == 0 || word[n])
		return -EINVAL;
	errno = 0;
	v = strtoull(word, NULL, 10);
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int cli_parse_seconds(const char *word, double min, double max, double *out)
{
	size_t n = digits(word), frac = 0;
	double v;

	if (n && word[n] == '.')
		frac = digits(word + n + 1);
	if (n == 0 || (word[n] == '.' && frac == 0) || word[n + (frac ? frac + 1 : 0)])
		return -EINVAL;
	errno = 0;
	v = strtod(word, NULL);
	if (errno == ERANGE || !(v >= min && v <= max))
		return -ERANGE;
	*out = v;
	return 0;
}

int cli_parse_pid(const char *word, pid_t *out)
{
	unsigned long long v;
	int r = cli_parse_uint(word, 1, INT_MAX, &v);

	if (r == 0)
		*out = (pid_t)v;
	return r;
}

volatile sig_atomic_t cli_stop_signal;

static const int stop_signals[] = { SIGINT, SIGTERM, SIGPIPE };
static struct sigaction saved[3];

static void on_stop(int sig)
{
	cli_stop_signal = sig;
}

void cli_stop_catch(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	for (int i = 0; i < 3; i++)
		sigaction(stop_signals[i], &sa, &saved[i]);
}

void cli_stop_restore(void)
{
	for (int i = 0; i < 3; i++)
		sigaction(stop_signals[i], &saved[i], NULL);
}

int cli_output_check(const char *cmd, const char *what, const char *path, struct out_file *f)
{
	int r = out_file_check(f, path);

	if (r < 0)
		cli_error("%s: cannot write %s to '%s': %s", cmd, what, path, strerror(-r));
	return r < 0 ? EXIT_RUNTIME : 0;
}

int cli_output_write(const char *cmd, const char *what, const char *path, const struct out_file *f,
		     const struct strbuf *sb)
{
	int r = sb->err;

	if (out_file_is_stdout(f))
		fflush(stdout);
	if (r == 0)
		r = out_file_write(f, sb->buf ? sb->buf : "", sb->len);
	if (r < 0)
		cli_error("%s: cannot write %s to '%s': %s", cmd, what, path, strerror(-r));
	return r < 0 ? EXIT_RUNTIME : 0;
}

static void quiet_exit_on_closed_pipe(void)
{
	if (errno == EPIPE)
		_exit(EXIT_RUNTIME); /* the reader went away (e.g. `| head -1`): nothing to report */
}

void cli_emit(struct strbuf *sb)
{
	if (sb->err) {
		cli_error("out of memory while formatting output");
		exit(EXIT_RUNTIME);
	}
	if (sb->len && fwrite(sb->buf, 1, sb->len, stdout) != sb->len)
		quiet_exit_on_closed_pipe();
	if (fflush(stdout) != 0)
		quiet_exit_on_closed_pipe();
	strbuf_reset(sb);
}

int cli_finish_output(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		quiet_exit_on_closed_pipe();
		cli_error("cannot write output: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return code;
}
