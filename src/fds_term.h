/* SPDX-License-Identifier: MIT */
/* fds_term: the terminal of `nic2app fds --watch`: keys in raw mode, the alternate screen, the
 * window size, and stepping aside for Ctrl-Z. Screen output goes through stdout. */
#ifndef NIC2APP_SRC_FDS_TERM_H
#define NIC2APP_SRC_FDS_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

enum term_key {
	TERM_KEY_NONE,
	TERM_KEY_QUIT,
	TERM_KEY_UP,
	TERM_KEY_DOWN,
	TERM_KEY_LEFT,
	TERM_KEY_RIGHT,
	TERM_KEY_PAGE_UP,
	TERM_KEY_PAGE_DOWN,
	TERM_KEY_HOME,
	TERM_KEY_END,
};

struct term {
	int in;                 /* the keyboard (a terminal), or -1: no keys, no raw mode */
	bool active;            /* the alternate screen is up (and raw mode is on) */
	struct termios saved;   /* the modes to give back */
	unsigned char pend[16]; /* the start of an escape sequence that read() cut */
	size_t npend;
};

/* Whether stdout can take screen control: a terminal, with TERM set and not "dumb". */
bool term_capable(void);
/* Remember in's modes (in < 0, or not a terminal: no keys). Does not touch the screen. */
void term_init(struct term *t, int in);
/* Raw mode, the alternate screen, the cursor hidden, no autowrap. -errno if the write failed. */
int term_enter(struct term *t);
/* The other way round: main screen, cursor, autowrap, the saved modes; unread keys dropped. */
int term_leave(struct term *t);
/* Ctrl-Z: leave, stop as SIGTSTP stops a program, and on SIGCONT enter again if we are the
 * terminal's foreground (after `bg` we stay away until the next SIGCONT). SIGTSTP must be
 * blocked (it is read from a signalfd). */
int term_suspend(struct term *t);
/* Whether our process group owns the terminal now (true without a keyboard). */
bool term_foreground(const struct term *t);
/* The window's size (24x80 when the terminal does not say). */
void term_size(int *rows, int *cols);
/* The keys that can be read now, at most max; a closed keyboard reads as TERM_KEY_QUIT. */
size_t term_read_keys(struct term *t, enum term_key *keys, size_t max);

#endif
