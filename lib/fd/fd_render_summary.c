// SPDX-License-Identifier: MIT
/* fd_render_summary: counts by type, the fd headroom, the scan's cost, and one-line events. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nic2app/fd_render.h"
#include "nic2app/names.h"

#define MOST_SOCKET_LABELS 32

struct label_count {
	char label[40];
	size_t count;
};

static void count_label(struct label_count *labels, size_t *n, const char *label)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(labels[i].label, label) == 0) {
			labels[i].count++;
			return;
		}
	if (*n == MOST_SOCKET_LABELS)
		return;
	snprintf(labels[*n].label, sizeof(labels[*n].label), "%s", label);
	labels[(*n)++].count = 1;
}

static void socket_breakdown(struct strbuf *sb, const struct fd_snapshot *s)
{
	struct label_count labels[MOST_SOCKET_LABELS];
	size_t n = 0;
	char buf[40];

	for (size_t i = 0; i < s->count; i++)
		if (s->fds[i].type == FD_SOCKET)
			count_label(labels, &n, sock_label(s->fds[i].sock, buf, sizeof(buf)));
	strbuf_adds(sb, " (");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sb, "%s%zu %s", i ? ", " : "", labels[i].count, labels[i].label);
	strbuf_adds(sb, ")");
}

size_t fd_snapshot_count_above(const struct fd_snapshot *s, long limit)
{
	size_t n = 0;

	for (size_t i = 0; limit >= 0 && i < s->count; i++)
		n += s->fds[i].fd >= limit;
	return n;
}

/*
 * The room left under the soft limit. A new fd takes the lowest free number, and fails with
 * EMFILE when none below the soft limit is free: the room is the free numbers below it, which
 * fds above it do not take.
 */
static void headroom(struct strbuf *sb, const struct fd_snapshot *s)
{
	size_t above = fd_snapshot_count_above(s, s->limit_soft), below = s->count - above;

	strbuf_addf(sb, " %zu fds open; soft limit ", s->count);
	if (s->limit_soft < 0)
		strbuf_adds(sb, "unlimited");
	else
		strbuf_addf(sb, "%ld (%.1f%% used, %ld left)", s->limit_soft,
			    s->limit_soft ? 100.0 * (double)below / (double)s->limit_soft : 100.0,
			    s->limit_soft - (long)below);
	if (s->limit_hard < 0)
		strbuf_adds(sb, ", hard limit unlimited\n");
	else
		strbuf_addf(sb, ", hard limit %ld\n", s->limit_hard);
	if (!above)
		return;
	strbuf_addf(sb, "  %zu fd%s numbered %ld or more, past the soft limit (highest fd %d): "
		    "opened before it was lowered, or inherited; new fds get numbers below %ld only "
		    "(EMFILE when none is free)\n", above, above == 1 ? " is" : "s are",
		    s->limit_soft, s->fds[s->count - 1].fd, s->limit_soft);
}

static const char *netns_reason(int err)
{
	switch (err) {
	case EPERM: case EACCES: return "EPERM: it needs the right to ptrace the process";
	case ENOSYS: return "no pidfd_getfd in this kernel";
	case EOPNOTSUPP: return "no sock_diag here, only /proc/PID/net";
	default: return errno_name(err);
	}
}

/* What the kernel refused (a ptrace access check, which root too may fail), and what is shown. */
static void denied_note(struct strbuf *sb, const struct fd_snapshot *s)
{
	static const char *const what[] = {
		[FD_DENIED_LINKS] = "not what its fds point to",
		[FD_DENIED_FDINFO] = "not their fdinfo (offsets, flags)",
		[FD_DENIED_LINKS | FD_DENIED_FDINFO] = "neither what its fds point to nor their fdinfo",
	};

	strbuf_addf(sb, "  process %d: the kernel shows %s (a ptrace access check fails: the "
		    "process has privileges this reader lacks, is in another user namespace, or is "
		    "not dumpable); listed are the fd numbers%s\n", (int)s->pid,
		    what[s->denied & (FD_DENIED_LINKS | FD_DENIED_FDINFO)],
		    s->denied & FD_DENIED_LINKS ? " and the mode each was opened with"
						: " and what each points to");
}

/* Sockets the process's own namespace does not list: where they were found, or how they were
 * named without a table (and whether their state could be decided). */
static void sockets_elsewhere(struct strbuf *sb, const struct fd_snapshot *s)
{
	size_t checked = s->sockets_unresolved - s->sockets_netns_unchecked;

	if (s->sockets_other_netns)
		strbuf_addf(sb, "  %zu socket%s found in the network namespace %s made in, which the "
			    "process has left (asked with SIOCGSKNS)\n", s->sockets_other_netns,
			    s->sockets_other_netns == 1 ? "" : "s",
			    s->sockets_other_netns == 1 ? "it was" : "they were");
	if (checked)
		strbuf_addf(sb, "  %zu socket%s listed by no namespace, %s own asked too (SIOCGSKNS): "
			    "named by protocol; such a TCP socket neither listens nor is connected "
			    "(CLOSE), such a UDP one is unbound (UNCONN)\n", checked,
			    checked == 1 ? "" : "s", checked == 1 ? "its" : "their");
	if (s->sockets_netns_unchecked)
		strbuf_addf(sb, "  %zu socket%s not listed in the process's namespace, and %s own could "
			    "not be asked (%s): named by protocol, state unknown\n",
			    s->sockets_netns_unchecked, s->sockets_netns_unchecked == 1 ? "" : "s",
			    s->sockets_netns_unchecked == 1 ? "its" : "their",
			    netns_reason(s->netns_err));
}

void fd_summary_render(struct strbuf *sb, const struct fd_snapshot *s, fd_type_mask mask,
		       bool colour)
{
	size_t counts[FD_TYPE_COUNT] = { 0 };
	bool first = true;

	for (size_t i = 0; i < s->count; i++)
		counts[s->fds[i].type]++;
	colour_add(sb, colour, COLOUR_BOLD, "summary:");
	for (int t = 0; t < FD_TYPE_COUNT; t++) {
		if (!counts[t] || !(mask & FD_TYPE_BIT(t)))
			continue;
		strbuf_addf(sb, "%s %zu %s", first ? "" : ",", counts[t], fd_type_name(t));
		if (t == FD_SOCKET)
			socket_breakdown(sb, s);
		first = false;
	}
	if (first)
		strbuf_adds(sb, mask == FD_TYPES_ALL ? " no fds" : " no fds of the types asked for");
	strbuf_addc(sb, '\n');

	colour_add(sb, colour, COLOUR_BOLD, "headroom:");
	headroom(sb, s);
	colour_add(sb, colour, COLOUR_BOLD, "system:");
	strbuf_addf(sb, " %ld file handles allocated, fs.file-max %ld\n", s->system_allocated,
		    s->system_max);
	colour_add(sb, colour, COLOUR_BOLD, "scan:");
	strbuf_addf(sb, " %zu fds in %.2f ms (%s)", s->count, (double)s->elapsed_ns / 1e6,
		    s->engine == FD_ENGINE_BPF ? "bpf" : "procfs");
	if (s->socket_source != SOCK_SOURCE_NONE)
		strbuf_addf(sb, "; sockets from %s", sock_source_name(s->socket_source));
	strbuf_addc(sb, '\n');
	sockets_elsewhere(sb, s);
	if (s->denied)
		denied_note(sb, s);
}

void fd_snapshot_title(struct strbuf *sb, const struct fd_snapshot *s)
{
	bool thread = s->tgid && s->tgid != s->pid;

	strbuf_addf(sb, "%s %d (", thread ? "thread" : "process", (int)s->pid);
	strbuf_add_printable(sb, s->comm, strlen(s->comm));
	strbuf_adds(sb, ")");
	if (!thread)
		return;
	strbuf_addf(sb, " of process %d", (int)s->tgid);
	if (s->shares_table == 1)
		strbuf_adds(sb, ", whose fd table it shares");
	else if (s->shares_table == 0)
		strbuf_adds(sb, ", with an fd table of its own (unshare(CLONE_FILES))");
}

void fd_entry_line(struct strbuf *sb, const struct fd_entry *e)
{
	const struct sock_desc *sd = e->sock;
	char label[40];

	strbuf_addf(sb, "fd %d %s", e->fd, fd_type_name(e->type));
	if (e->type == FD_ERROR) {
		strbuf_addf(sb, " %s", errno_name(e->err));
		return;
	}
	if (e->type != FD_SOCKET) {
		strbuf_addc(sb, ' ');
		strbuf_add_printable(sb, e->name, strlen(e->name));
		return;
	}
	strbuf_addf(sb, " %s", sock_label(sd, label, sizeof(label)));
	if (!sd)
		return;
	strbuf_addc(sb, ' ');
	strbuf_add_printable(sb, sd->local[0] ? sd->local : "-", strlen(sd->local[0] ? sd->local : "-"));
	if (sd->remote[0]) {
		strbuf_adds(sb, " -> ");
		strbuf_add_printable(sb, sd->remote, strlen(sd->remote));
	}
	if (sd->state[0])
		strbuf_addf(sb, " %s", sd->state);
}
