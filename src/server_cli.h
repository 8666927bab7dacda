/* SPDX-License-Identifier: MIT */
/* server_cli: what the two long-running servers (serve, exporter) share: room for their
 * connections under RLIMIT_NOFILE, and a log of client problems that a flood cannot flood. */
#ifndef NIC2APP_SRC_SERVER_CLI_H
#define NIC2APP_SRC_SERVER_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* Raise the soft RLIMIT_NOFILE to connections + own_fds when it is lower. EXIT_OK, or the
 * exit code after saying why (EXIT_NOT_HERE past the hard limit). */
int server_fit_fd_limit(const char *cmd, unsigned connections, unsigned own_fds);

/* At most SERVER_LOG_LINES_PER_S lines a second; the rest only counted. */
#define SERVER_LOG_LINES_PER_S 20
struct server_log {
	const char *cmd;        /* "serve", "exporter" */
	uint64_t second;
	unsigned lines;
	unsigned long hidden;
};

/* Whether one more line may be printed now (a new second first says how many were not). */
bool server_log_admit(struct server_log *l);
/* At exit: how many lines of the last second were not shown. */
void server_log_finish(const struct server_log *l);

/* SIGINT and SIGTERM go to on_stop (no SA_RESTART) and are blocked except while the server
 * waits in epoll_pwait with wait_mask; SIGPIPE is ignored (a log reader that went away, as
 * in `serve 2>&1 | head`, must not end the server). Threads started after this inherit the
 * blocked mask. */
struct server_signals {
	sigset_t wait_mask;     /* for the server's wait: the caller's mask, SIGINT/SIGTERM open */
	sigset_t old_mask;
	struct sigaction old_int, old_term, old_pipe;
};
void server_signals_catch(struct server_signals *s, void (*on_stop)(int));
/* Unblock first: a signal still pending goes to on_stop, not to the default action. */
void server_signals_restore(const struct server_signals *s);

#endif
