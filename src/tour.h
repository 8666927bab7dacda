/* SPDX-License-Identifier: MIT */
/*
 * tour: `nic2app tour`, the module in four minutes: its four learning objectives, one screen
 * each (measured now, one small table, every odd column explained, the standard tool that
 * shows the same), then its four key takeaways beside the numbers the screens gave.
 */
#ifndef NIC2APP_TOUR_H
#define NIC2APP_TOUR_H

#include <stdbool.h>
#include <stddef.h>

#include "nic2app/strbuf.h"

/* What the screens measured that the takeaways quote. */
struct tour_facts {
	int socket_fd;         /* the fd socket() returned on screen 1 */
	size_t fds_open;       /* fds open then, the socket and its dup included */
	size_t inherited;      /* fds above 2 that nic2app was started with */
	size_t stages;         /* stages of the journey on screen 3 */
	double journey_ns;     /* its median total, one way */
	const char *method;    /* "tracefs" or "timestamping" */
	double call_ns;        /* a function call */
	double syscall_ns;     /* a system call: getppid, the one figure used everywhere */
	long lo_mtu;           /* /sys/class/net/lo/mtu, 0 when unreadable */
	char lo_offloads[64];  /* lo's offloads that are on, as screen 3 named them ("" unread) */
};

/* A screen's title, in colour on a terminal. */
void tour_title(struct strbuf *sb, bool colour, const char *title);

/* Screen 1: this process's fd table: the standard fds, inherited ones, a socket and a dup. */
int tour_fds(struct strbuf *sb, bool colour, struct tour_facts *f);
/* Screen 2: one TCP connection's life, the state after each call, the accept queue. */
int tour_sockets(struct strbuf *sb, bool colour, struct tour_facts *f);
/* Screen 3: one message's way over lo, stage by stage (tracefs as root, else timestamping). */
int tour_journey(struct strbuf *sb, bool colour, struct tour_facts *f);
/* Screen 4: the module's table of costs, each row beside what this machine measures. */
int tour_costs(struct strbuf *sb, bool colour, struct tour_facts *f);

/* The NIC stop (tour_nic.c): lo's offloads and MTU, the default route device's driver and
 * interrupts, one burst over lo; about 120 words. 0, or -errno when lo cannot be read. */
int tour_nic_stop(struct strbuf *sb, bool colour, struct tour_facts *f);

#endif
