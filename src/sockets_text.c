// SPDX-License-Identifier: MIT
/* sockets_text: the text form of `nic2app sockets`: tables, notes and bars. */
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "nic2app/names.h"
#include "nic2app/render.h"
#include "sockets_report.h"

const char *lifecycle_state_label(int state)
{
	return state == LIFECYCLE_GONE ? "gone" : state < 0 ? "?" : tcp_state_name(state);
}

static void heading(struct strbuf *sb, bool colour, const char *title)
{
	strbuf_addc(sb, '\n');
	colour_add(sb, colour, COLOUR_BOLD, title);
	strbuf_addc(sb, '\n');
}

static void render_std_fds(struct strbuf *sb, const struct socket_basics *b, bool colour)
{
	static const char *const hdr[] = { ">FD", "POINTS TO (/proc/self/fd)", "TYPE", "FLAGS" };
	static const char *const names[] = { "stdin", "stdout", "stderr" };
	struct table t;
	char fd[16], flags[64];
	int i;

	heading(sb, colour, "Standard file descriptors");
	table_init(&t, 4, hdr);
	for (i = 0; i < 3; i++) {
		const struct fd_brief *f = &b->std[i];
		const char *row[4] = { fd, f->open ? f->target : "(closed)", f->kind,
				       f->open ? open_flags_format(f->flags, flags, sizeof(flags)) : "" };

		snprintf(fd, sizeof(fd), "%d %s", i, names[i]);
		table_add_row(&t, row);
	}
	table_render(&t, sb, colour, 2);
	table_release(&t);
}

static void render_sockets(struct strbuf *sb, const struct socket_basics *b, bool colour)
{
	static const char *const hdr[] = { "SOCKET", ">FD", "SO_DOMAIN", "SO_TYPE", "SO_PROTOCOL",
					   "MODE" };
	const struct blocking_demo *bd = &b->blocking;
	struct table t;
	char fd[16];
	size_t i;

	heading(sb, colour, "Sockets, as the kernel reports them (getsockopt)");
	table_init(&t, 6, hdr);
	for (i = 0; i < b->nsocks; i++) {
		const struct demo_socket *s = &b->socks[i];
		const char *row[6] = { s->label, fd, family_constant(s->id.domain),
				       socktype_constant(s->id.type), ipproto_constant(s->id.protocol),
				       s->id.nonblocking ? "non-blocking" : "blocking" };

		snprintf(fd, sizeof(fd), "%d", s->fd);
		table_add_row(&t, row);
	}
	table_render(&t, sb, colour, 2);
	table_release(&t);
	strbuf_addf(sb,
		    "  Each socket() returned the lowest free fd number. A new socket blocks, with no\n"
		    "  timeout (SO_RCVTIMEO %lld us). After fcntl(O_NONBLOCK) and a %lld us timeout:\n"
		    "  %s, SO_RCVTIMEO %lld us, SO_SNDTIMEO %lld us.\n",
		    (long long)bd->before.rcvtimeo_us, (long long)bd->timeout_requested_us,
		    bd->after.nonblocking ? "non-blocking" : "still blocking",
		    (long long)bd->after.rcvtimeo_us, (long long)bd->after.sndtimeo_us);
	if (bd->hz > 0)
		strbuf_addf(sb,
			    "  The kernel keeps socket timeouts in jiffies and rounds a request up to a\n"
			    "  whole one: 1 us reads back as %lld us, so HZ is %ld here%s\n",
			    (long long)bd->jiffy_us, bd->hz,
			    bd->after.rcvtimeo_us != bd->timeout_requested_us
				    ? ":\n  the 250 ms asked for is not a whole number of jiffies." : ".");
}

static const char *option_note(const struct sockopt_change *o, const struct net_core_limits *l,
			       char *buf, size_t len)
{
	bool rcv = strcmp(o->name, "SO_RCVBUF") == 0, snd = strcmp(o->name, "SO_SNDBUF") == 0;
	long max = rcv ? l->rmem_max : l->wmem_max;

	buf[0] = '\0';
	if (!rcv && !snd)
		return o->after == o->requested ? "as asked" : "changed by the kernel";
	if ((long)o->requested > max && o->after == 2 * max)
		snprintf(buf, len, "clamped to net.core.%s (%ld), then doubled",
			 rcv ? "rmem_max" : "wmem_max", max);
	else if (o->after == 2 * o->requested)
		snprintf(buf, len, "doubled (room for the kernel's bookkeeping)");
	else
		snprintf(buf, len, "%.2f x what was asked", (double)o->after / o->requested);
	return buf;
}

static void render_options(struct strbuf *sb, const struct socket_basics *b, bool colour)
{
	static const char *const hdr[] = { "OPTION", ">BEFORE", ">ASKED", ">STORED", "NOTE" };
	const struct net_core_limits *l = &b->limits;
	char before[24], asked[24], after[24], note[96];
	struct table t;
	size_t i;

	heading(sb, colour, "Socket options on a TCP socket: asked, then read back");
	table_init(&t, 5, hdr);
	for (i = 0; i < b->nopts; i++) {
		const struct sockopt_change *o = &b->opts[i];
		const char *row[5] = { o->name, before, asked, after,
				       option_note(o, l, note, sizeof(note)) };

		snprintf(before, sizeof(before), "%d", o->before);
		snprintf(asked, sizeof(asked), "%d", o->requested);
		snprintf(after, sizeof(after), "%d", o->after);
		table_add_row(&t, row);
	}
	table_render(&t, sb, colour, 2);
	table_release(&t);
	strbuf_addf(sb,
		    "  BEFORE is a new TCP socket's size: net.ipv4.tcp_rmem[1] %ld and tcp_wmem[1]\n"
		    "  %ld (tcp(7)), not net.core's defaults. Setting SO_RCVBUF or SO_SNDBUF fixes\n"
		    "  the size and turns off TCP's automatic tuning for that buffer (ip-sysctl.rst).\n"
		    "  /proc/sys/net/core: rmem_default %ld, rmem_max %ld, wmem_default %ld,\n"
		    "  wmem_max %ld, somaxconn %ld (the cap on listen()'s backlog).\n",
		    b->tcp_rmem[1], b->tcp_wmem[1], l->rmem_default, l->rmem_max, l->wmem_default,
		    l->wmem_max, l->somaxconn);
}

void sockets_render_basics(struct strbuf *sb, const struct socket_basics *b, bool colour)
{
	render_std_fds(sb, b, colour);
	render_sockets(sb, b, colour);
	render_options(sb, b, colour);
}

/* One end of the run at this step: its fd and TCP_INFO state, and what sock_diag says when
 * that differs or when no fd holds the socket. */
static const char *role_cell(const struct lifecycle_step *st, const char *role, char *buf,
			     size_t len)
{
	const struct lifecycle_sock *fd = NULL, *k = NULL;
	size_t i;

	for (i = 0; i < st->nfds; i++)
		if (strcmp(st->fds[i].role, role) == 0)
			fd = &st->fds[i];
	for (i = 0; i < st->nkernel; i++)
		if (strcmp(st->kernel[i].role, role) == 0)
			k = &st->kernel[i];
	if (fd && k && k->state == TCP_LISTEN)
		snprintf(buf, len, "%d LISTEN q %u/%u", fd->fd, k->rqueue, k->wqueue);
	else if (fd && (!k || k->state == fd->state))
		snprintf(buf, len, "%d %s", fd->fd, lifecycle_state_label(fd->state));
	else if (fd)
		snprintf(buf, len, "%d %s; kernel: %s", fd->fd, lifecycle_state_label(fd->state),
			 tcp_state_name(k->state));
	else if (k)
		snprintf(buf, len, "no fd: %s", tcp_state_name(k->state));
	else
		snprintf(buf, len, "-");
	return buf;
}

/* Whether role's socket was ever in state, by TCP_INFO or sock_diag. */
static bool lifecycle_saw(const struct lifecycle *lc, const char *role, int state)
{
	for (size_t i = 0; i < lc->nsteps; i++) {
		const struct lifecycle_step *st = &lc->steps[i];

		for (size_t k = 0; k < st->nfds; k++)
			if (st->fds[k].state == state && strcmp(st->fds[k].role, role) == 0)
				return true;
		for (size_t k = 0; k < st->nkernel; k++)
			if (st->kernel[k].state == state && strcmp(st->kernel[k].role, role) == 0)
				return true;
	}
	return false;
}

void sockets_render_lifecycle_notes(struct strbuf *sb, const struct lifecycle *lc,
				    const char *indent)
{
	if (lifecycle_saw(lc, "client", TCP_FIN_WAIT1) &&
	    lifecycle_saw(lc, "client", TCP_TIME_WAIT) && !lifecycle_saw(lc, "client", TCP_FIN_WAIT2))
		strbuf_addf(sb,
			    "%sNo FIN_WAIT2: the server's kernel delayed its ACK of the client's FIN\n"
			    "%sand sent it with its own FIN.\n", indent, indent);
	if (lifecycle_saw(lc, "client", TCP_TIME_WAIT))
		strbuf_addf(sb,
			    "%sTIME_WAIT keeps the first closer's end 60 s with no fd: to resend the last\n"
			    "%sACK if the peer's FIN comes again, and so late packets are not taken for a\n"
			    "%snew connection (RFC 793). SO_REUSEADDR lets a server bind() despite it.\n",
			    indent, indent, indent);
}

void sockets_render_lifecycle(struct strbuf *sb, const struct lifecycle *lc, bool colour)
{
	static const char *const hdr[] = { "CALL", "LISTENER", "CLIENT", "SERVER END (ACCEPTED)" };
	char l[64], c[64], a[64], title[96];
	struct table t;
	size_t i;

	snprintf(title, sizeof(title), "The socket lifecycle: one TCP connection on 127.0.0.1:%u",
		 lc->port);
	heading(sb, colour, title);
	strbuf_adds(sb,
		    "  After each call: fd and state from TCP_INFO on the fd, and from sock_diag (what\n"
		    "  ss reads) when it says otherwise or when no fd holds the socket.\n");
	table_init(&t, 4, hdr);
	for (i = 0; i < lc->nsteps; i++) {
		const struct lifecycle_step *st = &lc->steps[i];
		const char *row[4] = { st->call, role_cell(st, "listener", l, sizeof(l)),
				       role_cell(st, "client", c, sizeof(c)),
				       role_cell(st, "accepted", a, sizeof(a)) };

		table_add_row(&t, row);
	}
	table_render(&t, sb, colour, 2);
	table_release(&t);
	if (lc->nsteps && lc->steps[0].diag_err)
		strbuf_addf(sb, "  (sock_diag could not be read: %s; TCP_INFO only)\n",
			    strerror(-lc->steps[0].diag_err));
	strbuf_adds(sb,
		    "  q N/B is the listener's row in ss -ltn: Recv-Q N connections the kernel has\n"
		    "  completed and nobody has accepted yet, Send-Q B the backlog given to listen().\n"
		    "  The kernel does the handshake without the server process; accept() only takes\n"
		    "  a connection off that queue (and blocks when it is empty). Both ends are\n"
		    "  ESTABLISHED before connect() returns because this is loopback: over a network\n"
		    "  the server end gets there half a round trip later, with the client's last ACK.\n");
	sockets_render_lifecycle_notes(sb, lc, "  ");
}

void sockets_render_cost(struct strbuf *sb, const struct sockets_report *r, bool colour)
{
	static const char *const hdr[] = { "OPERATION", ">P50 NS", ">P99 NS", ">X CALL", "" };
	double base = r->cost[SYSCOST_FUNCTION_CALL].ns.p50, max = 0;
	char p50[24], p99[24], ratio[24];
	struct strbuf bar = STRBUF_INIT;
	struct table t;
	size_t i;

	heading(sb, colour, "What a system call costs here");
	for (i = 0; i < SYSCOST_NOPS; i++)
		if (r->cost[i].ns.p50 > max)
			max = r->cost[i].ns.p50;
	table_init(&t, 5, hdr);
	for (i = 0; i < SYSCOST_NOPS; i++) {
		const struct syscost_result *c = &r->cost[i];
		const char *row[5] = { c->what, p50, p99, ratio, NULL };

		snprintf(p50, sizeof(p50), "%.1f", c->ns.p50);
		snprintf(p99, sizeof(p99), "%.1f", c->ns.p99);
		snprintf(ratio, sizeof(ratio), "%.1f", c->ns.p50 / base);
		strbuf_reset(&bar);
		bar_add(&bar, c->ns.p50, max, 24);
		row[4] = strbuf_str(&bar);
		table_add_row(&t, row);
	}
	table_render(&t, sb, colour, 2);
	table_release(&t);
	strbuf_release(&bar);
	strbuf_addf(sb,
		    "  A system call costs %.0f ns here (getppid, p50; the module's typical: %s):\n"
		    "  a mode switch into the kernel and back in the same task, not a context switch.\n"
		    "  getsockopt and socket()+close() do work on top of it. clock_gettime() makes no\n"
		    "  system call: it runs in the vDSO, a small library the kernel maps into every\n"
		    "  process (vdso(7)).\n"
		    "  Each sample is the mean of a batch of consecutive calls (clock reads\n"
		    "  amortized); p99 is over %zu batches, so it hides single slow calls.\n",
		    r->cost[SYSCOST_GETPPID].ns.p50, MODULE_TYPICAL_SYSCALL, r->batches);
}
