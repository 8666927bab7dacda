// SPDX-License-Identifier: MIT
/* server_cli: the fd limit and the rate-limited client log of `nic2app serve` and `exporter`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "nic2app/clock.h"
#include "server_cli.h"

int server_fit_fd_limit(const char *cmd, unsigned connections, unsigned own_fds)
{
	rlim_t need = (rlim_t)connections + own_fds;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
		return EXIT_OK;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		cli_error("%s: --max-connections %u needs %llu open files, and this process may "
			  "have %llu at most (ulimit -Hn); a smaller --max-connections works",
			  cmd, connections, (unsigned long long)need, (unsigned long long)rl.rlim_max);
		return EXIT_NOT_HERE;
	}
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		cli_error("%s: cannot raise the open file limit to %llu: %s", cmd,
			  (unsigned long long)need, strerror(errno));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

bool server_log_admit(struct server_log *l)
{
	uint64_t second = monotonic_ns() / 1000000000u;

	if (second != l->second) {
		server_log_finish(l);
		l->second = second;
		l->lines = 0;
		l->hidden = 0;
	}
	if (++l->lines > SERVER_LOG_LINES_PER_S) {
		l->hidden++;
		return false;
	}
	return true;
}

void server_log_finish(const struct server_log *l)
{
	if (l->hidden)
		fprintf(stderr, "nic2app %s: (%lu more not shown)\n", l->cmd, l->hidden);
}

void server_signals_catch(struct server_signals *s, void (*on_stop)(int))
{
	struct sigaction sa = { .sa_handler = on_stop }; /* no SA_RESTART */
	struct sigaction ignore = { .sa_handler = SIG_IGN };
	sigset_t stops;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigprocmask(SIG_BLOCK, &stops, &s->old_mask);
	s->wait_mask = s->old_mask;
	sigdelset(&s->wait_mask, SIGINT);
	sigdelset(&s->wait_mask, SIGTERM);
	sigaction(SIGINT, &sa, &s->old_int);
	sigaction(SIGTERM, &sa, &s->old_term);
	sigaction(SIGPIPE, &ignore, &s->old_pipe);
}

void server_signals_restore(const struct server_signals *s)
{
	sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
	sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &s->old_term, NULL);
	sigaction(SIGPIPE, &s->old_pipe, NULL);
}
