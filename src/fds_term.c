// SPDX-License-Identifier: MIT
/*
 * fds_term: the terminal of `nic2app fds --watch`. Raw mode turns off line editing and echo
 * only: Ctrl-C and Ctrl-Z still send their signals, which fds_live reads from a signalfd. Every
 * change made to the terminal is undone on the way out, and before stopping for Ctrl-Z, since a
 * stopped program cannot undo anything (the shell would be left on the alternate screen).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fds_term.h"

/* alternate screen, cursor hidden, autowrap off (a line one column too long must not wrap);
 * the way back in the opposite order */
#define SCREEN_ENTER "\033[?1049h\033[?25l\033[?7l"
#define SCREEN_LEAVE "\033[?7h\033[?25h\033[?1049l"

bool term_capable(void)
{
	const char *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && term && term[0] && strcmp(term, "dumb") != 0;
}

void term_init(struct term *t, int in)
{
	memset(t, 0, sizeof(*t));
	t->in = in >= 0 && tcgetattr(in, &t->saved) == 0 ? in : -1;
}

static int put(const char *s)
{
	if (fputs(s, stdout) == EOF || fflush(stdout) != 0)
		return -errno;
	return 0;
}

int term_enter(struct term *t)
{
	if (t->in >= 0) {
		struct termios raw = t->saved;

		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcsetattr(t->in, TCSANOW, &raw);
	}
	t->active = true;
	t->npend = 0;
	return put(SCREEN_ENTER);
}

int term_leave(struct term *t)
{
	int r;

	if (!t->active)
		return 0;
	t->active = false;
	r = put(SCREEN_LEAVE);
	/* TCSAFLUSH: keys typed for us and not read yet do not go to the shell */
	if (t->in >= 0)
		tcsetattr(t->in, TCSAFLUSH, &t->saved);
	return r;
}

bool term_foreground(const struct term *t)
{
	return t->in < 0 || tcgetpgrp(t->in) == getpgrp();
}

int term_suspend(struct term *t)
{
	sigset_t tstp;
	int r = term_leave(t);

	/* SIGTSTP is blocked (it came through the signalfd): raise it again and let it through,
	 * so the default action stops us, and the shell sees a job stopped by SIGTSTP. In an
	 * orphaned process group the kernel discards it, and we go on at once. */
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	raise(SIGTSTP);
	sigprocmask(SIG_UNBLOCK, &tstp, NULL);
	/* stopped here until SIGCONT */
	sigprocmask(SIG_BLOCK, &tstp, NULL);
	if (r == 0 && term_foreground(t))
		r = term_enter(t);
	return r;
}

void term_size(int *rows, int *cols)
{
	struct winsize ws = { 0 };

	ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
	*rows = ws.ws_row ? ws.ws_row : 24;
	*cols = ws.ws_col ? ws.ws_col : 80;
}

/* A CSI or SS3 sequence's key: ESC [ A, ESC O A, ESC [ 5 ~, ESC [ 1 ; 5 A (modifiers ignored). */
static enum term_key sequence_key(char final, unsigned int number)
{
	switch (final) {
	case 'A': return TERM_KEY_UP;
	case 'B': return TERM_KEY_DOWN;
	case 'C': return TERM_KEY_RIGHT;
	case 'D': return TERM_KEY_LEFT;
	case 'H': return TERM_KEY_HOME;
	case 'F': return TERM_KEY_END;
	case '~':
		switch (number) {
		case 1: case 7: return TERM_KEY_HOME;
		case 4: case 8: return TERM_KEY_END;
		case 5: return TERM_KEY_PAGE_UP;
		case 6: return TERM_KEY_PAGE_DOWN;
		}
	}
	return TERM_KEY_NONE;
}

/* One key at buf: its bytes (0: an unfinished escape sequence). */
static size_t decode_one(const unsigned char *buf, size_t len, enum term_key *key)
{
	static const char letters[] = "qQkjbg G";
	static const enum term_key letter_keys[] = {
		TERM_KEY_QUIT, TERM_KEY_QUIT, TERM_KEY_UP, TERM_KEY_DOWN, TERM_KEY_PAGE_UP,
		TERM_KEY_HOME, TERM_KEY_PAGE_DOWN, TERM_KEY_END,
	};
	unsigned int number = 0;
	const char *at;
	size_t i;

	*key = TERM_KEY_NONE;
	if (buf[0] != '\033') {
		if (buf[0] && (at = strchr(letters, buf[0])))
			*key = letter_keys[at - letters];
		return 1;
	}
	if (len < 2)
		return 0;
	if (buf[1] != '[' && buf[1] != 'O')
		return 1; /* a lone Esc: ignored */
	for (i = 2; i < len && buf[i] >= 0x20 && buf[i] < 0x40; i++)
		if (buf[i] >= '0' && buf[i] <= '9' && number < 1000)
			number = number * 10 + (buf[i] - '0');
		else if (buf[i] == ';')
			break; /* the modifier that follows does not matter */
	while (i < len && buf[i] >= 0x20 && buf[i] < 0x40)
		i++;
	if (i == len)
		return 0;
	*key = sequence_key((char)buf[i], number);
	return i + 1;
}

/* The keys in buf; an unfinished escape sequence at the end is left (*used stops before it). */
static size_t decode_keys(const unsigned char *buf, size_t len, enum term_key *keys, size_t max,
			  size_t *used)
{
	size_t n = 0, i = 0, step;
	enum term_key k;

	while (i < len && n < max && (step = decode_one(buf + i, len - i, &k))) {
		if (k != TERM_KEY_NONE)
			keys[n++] = k;
		i += step;
	}
	*used = i;
	return n;
}

size_t term_read_keys(struct term *t, enum term_key *keys, size_t max)
{
	unsigned char buf[sizeof(t->pend) + 64];
	size_t have = t->npend, used, n;
	ssize_t got;

	memcpy(buf, t->pend, have);
	got = read(t->in, buf + have, sizeof(buf) - have);
	if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
		keys[0] = TERM_KEY_QUIT; /* the terminal went away */
		return max ? 1 : 0;
	}
	have += got > 0 ? (size_t)got : 0;
	n = decode_keys(buf, have, keys, max, &used);
	t->npend = have - used <= sizeof(t->pend) ? have - used : 0; /* too long: not a key */
	memcpy(t->pend, buf + used, t->npend);
	return n;
}
