/* SPDX-License-Identifier: MIT */
/* server_cli: what the two long-running servers (serve, exporter) share: room for their
 * connections under RLIMIT_NOFILE, and a log of client problems that a flood cannot flood. */
#ifndef NIC2APP_SRC_SERVER_CLI_H
#define NIC2APP_SRC_SERVER_CLI_H

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

#endif
