/* SPDX-License-Identifier: MIT */
/* fds_live: the loop that --watch and --events share: wake-ups (the next snapshot, a signal, a
 * key, the target's exit) and writing to stdout. */
#ifndef NIC2APP_SRC_FDS_LIVE_H
#define NIC2APP_SRC_FDS_LIVE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "fds.h"

/* Why live_wait returned: the next snapshot is due, a way out, the process exited, a resize,
 * a key, Ctrl-Z, SIGCONT. */
enum wake { WAKE_TICK, WAKE_QUIT, WAKE_EXITED, WAKE_RESIZE, WAKE_KEYS, WAKE_STOP, WAKE_CONT };

struct live {
	int sigfd;
	int pidfd;
	sigset_t old_mask;
	uint64_t next_ns;       /* the next snapshot's deadline, so intervals do not drift */
	uint64_t interval_ns;
};

/* Block the signals that end the view (and on a screen SIGWINCH, SIGTSTP, SIGCONT) into a
 * signalfd, and open a pidfd for o->pid; the first deadline is one interval from now. */
int live_open(struct live *l, const struct fds_options *o, bool screen);
void live_close(struct live *l);
/* Sleep until the next deadline, a signal, a key on keyfd (-1: none), or the target's exit.
 * Only a tick moves the deadline on. */
enum wake live_wait(struct live *l, int keyfd);
/* Write sb to stdout now: 0, or -errno when the write failed (a full disk, a closed terminal). */
int live_write(struct strbuf *sb);
/* The {"event":"exit"} line (JSON) and "process N exited" (stderr): 0 or the write's -errno. */
int live_emit_exit(const struct fds_options *o, struct strbuf *sb);
/* " (was pipe pipe:[1234])": what a changed fd was, in the words of fd_entry_line. */
void live_add_was(struct strbuf *sb, const struct fd_entry *before);
/* Say once why the output failed (nothing for EPIPE) and drop what stdio still holds, so the
 * exit does not say it again; returns EXIT_RUNTIME. */
int live_write_failed(int err);
/* "nic2app fds: process N exited" on stderr. */
void live_say_exited(const struct fds_options *o);

#endif
