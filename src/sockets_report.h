/* SPDX-License-Identifier: MIT */
/* sockets_report: everything `nic2app sockets` measured, rendered as text or JSON. */
#ifndef NIC2APP_SOCKETS_REPORT_H
#define NIC2APP_SOCKETS_REPORT_H

#include <stdbool.h>

#include "nic2app/lifecycle.h"
#include "nic2app/socket_basics.h"
#include "nic2app/strbuf.h"
#include "nic2app/syscost.h"

#define MODULE_TYPICAL_SYSCALL "100-300 ns"

struct sockets_report {
	struct socket_basics basics;
	struct lifecycle lifecycle;
	struct syscost_result cost[SYSCOST_NOPS];
	size_t batches;
};

void sockets_render_basics(struct strbuf *sb, const struct socket_basics *b, bool colour);
void sockets_render_lifecycle(struct strbuf *sb, const struct lifecycle *lc, bool colour);
/* What the kernel showed in this run that needs saying: FIN_WAIT2 skipped, TIME_WAIT. */
void sockets_render_lifecycle_notes(struct strbuf *sb, const struct lifecycle *lc,
				    const char *indent);
void sockets_render_cost(struct strbuf *sb, const struct sockets_report *r, bool colour);
int sockets_render_json(struct strbuf *sb, const struct sockets_report *r);

/* "LISTEN", or "gone" for a socket the kernel no longer has. */
const char *lifecycle_state_label(int state);

#endif
