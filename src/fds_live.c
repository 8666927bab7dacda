// SPDX-License-Identifier: MIT
/*
 * fds_live: what `nic2app fds --watch` (fds_watch) and `--events` (fds_events) share: waiting
 * for the next snapshot, and writing. Both take a snapshot every interval and compare it with
 * the previous one; the kernel has no notification for fd table changes, so an fd opened and
 * closed between two snapshots is not seen (said in --help and the man page).
 *
 * Signals arrive through a signalfd and the target's exit through a pidfd, both polled with
 * the interval as timeout, so every way out goes through the same cleanup: the terminal is
 * always restored. A failed write ends both views with exit 1.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"
#include "fds_live.h"
#include "nic2app/clock.h"

/* Signals to the signalfd: the ways to stop, and on a screen a resize, Ctrl-Z and fg. */
int live_open(struct live *l, const struct fds_options *o, bool screen)
{
	static const int screen_signals[] = { SIGWINCH, SIGTSTP, SIGCONT };
	sigset_t mask;

	memset(l, 0, sizeof(*l));
	l->interval_ns = (uint64_t)(o->interval_s * 1e9);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	for (size_t i = 0; screen && i < sizeof(screen_signals) / sizeof(screen_signals[0]); i++)
		sigaddset(&mask, screen_signals[i]);
	sigprocmask(SIG_BLOCK, &mask, &l->old_mask);
	l->sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	/* without pidfd_open (ENOSYS: before Linux 5.3, or under valgrind 3.19), the next
	 * snapshot sees the exit instead (poll() skips a negative fd) */
	l->pidfd = l->sigfd < 0 ? -1 : fd_pidfd_open(o->pid); /* a thread id too */
	if (l->sigfd < 0 || (l->pidfd < 0 && errno != ENOSYS)) {
		int err = -errno;

		if (l->sigfd >= 0)
			close(l->sigfd);
		sigprocmask(SIG_SETMASK, &l->old_mask, NULL);
		return err;
	}
	l->next_ns = monotonic_ns() + l->interval_ns; /* the first snapshot is taken now */
	return 0;
}

void live_close(struct live *l)
{
	close(l->sigfd);
	if (l->pidfd >= 0)
		close(l->pidfd);
	sigprocmask(SIG_SETMASK, &l->old_mask, NULL);
}

static enum wake signal_wake(uint32_t signo)
{
	switch (signo) {
	case SIGWINCH: return WAKE_RESIZE;
	case SIGTSTP: return WAKE_STOP;
	case SIGCONT: return WAKE_CONT;
	default: return WAKE_QUIT;
	}
}

/* Sleep until the next deadline, a signal, a key on keyfd (-1: none), or the target's exit.
 * Only a tick moves the deadline on. */
enum wake live_wait(struct live *l, int keyfd)
{
	struct pollfd p[3] = {
		{ .fd = l->sigfd, .events = POLLIN },
		{ .fd = l->pidfd, .events = POLLIN },
		{ .fd = keyfd, .events = POLLIN },
	};
	uint64_t now = monotonic_ns();
	int timeout_ms = now >= l->next_ns ? 0 : (int)((l->next_ns - now + 999999) / 1000000);
	struct signalfd_siginfo si;

	if (poll(p, 3, timeout_ms) < 0 && errno != EINTR)
		return WAKE_QUIT;
	if (p[0].revents & POLLIN && read(l->sigfd, &si, sizeof(si)) == sizeof(si))
		return signal_wake(si.ssi_signo);
	if (p[1].revents & POLLIN)
		return WAKE_EXITED;
	if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
		return WAKE_KEYS;
	if ((now = monotonic_ns()) < l->next_ns)
		return WAKE_RESIZE; /* woken early (EINTR): nothing new, a redraw is harmless */
	l->next_ns += l->interval_ns;
	if (now > l->next_ns)
		l->next_ns = now + l->interval_ns; /* a slow scan: skip, do not catch up */
	return WAKE_TICK;
}

void live_say_exited(const struct fds_options *o)
{
	fprintf(stderr, "nic2app fds: process %d exited\n", (int)o->pid);
}

/* Write sb to stdout now: 0, or -errno when the write failed (a full disk, a closed terminal). */
int live_write(struct strbuf *sb)
{
	int r = sb->err;

	if (!r && sb->len && fwrite(sb->buf, 1, sb->len, stdout) != sb->len)
		r = errno ? -errno : -EIO;
	if (!r && fflush(stdout) != 0)
		r = errno ? -errno : -EIO;
	strbuf_reset(sb);
	return r;
}

/* Say once why the output failed, and drop what stdio still holds, so the exit does not say
 * it again. A reader that went away (EPIPE) needs no word. */
int live_write_failed(int err)
{
	if (err == -ENOMEM)
		cli_error("out of memory while formatting output");
	else if (err != -EPIPE)
		cli_error("cannot write output: %s", strerror(-err));
	__fpurge(stdout);
	clearerr(stdout);
	return EXIT_RUNTIME;
}
