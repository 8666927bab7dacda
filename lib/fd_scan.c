// SPDX-License-Identifier: MIT
/*
 * fd_scan: a snapshot of one process's fds.
 *
 * Cost is what matters for a process with 15,000 fds: every /proc/PID/fd/N lookup builds and
 * frees a dentry and an inode (~3 us here), and opening fdinfo costs twice that. So each fd
 * gets exactly one readlink; only paths are also stat'ed (to tell a file from a dir or a
 * device), and only non-sockets read fdinfo (a socket's offset is always 0, and sock_diag
 * describes it better than its file does). The per-fd reads are spread over the CPUs; the
 * sockets are then resolved with a handful of sock_diag dumps of the target's namespace.
 *
 * Races are normal: an fd may close, or be replaced, between the reads. A vanished fd is left
 * out; if the inode fdinfo reports differs from the one the link or stat gave, the fd was
 * replaced in between and is read again, so no row mixes two files.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "nic2app/clock.h"
#include "nic2app/fd_scan.h"
#include "nic2app/proc_pid.h"

#define READ_ATTEMPTS 3
#define FEWEST_FDS_PER_THREAD 512
#define MOST_THREADS 4

enum read_result { READ_OK, READ_VANISHED, READ_REPLACED };

#define OWN_FDS 4

struct scan_dirs {
	int fd_dir;     /* /proc/PID/fd */
	int info_dir;   /* /proc/PID/fdinfo */
	int own[OWN_FDS]; /* a scan of ourselves leaves out the fds the scan opened */
};

static bool is_own_fd(const struct scan_dirs *d, int fd)
{
	for (int i = 0; i < OWN_FDS; i++)
		if (d->own[i] == fd)
			return true;
	return false;
}

/* Collect the fd numbers listed in /proc/PID/fd. */
static int list_fds(const struct scan_dirs *dirs, int **out, size_t *count)
{
	int fd_dir = dirs->fd_dir;
	char buf[32768];
	size_t n = 0, cap = 256;
	int *fds = malloc(cap * sizeof(*fds)), *grown;
	long got;

	if (!fds)
		return -ENOMEM;
	while ((got = syscall(SYS_getdents64, fd_dir, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			off += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9' ||
			    is_own_fd(dirs, atoi(d->d_name)))
				continue;
			if (n == cap) {
				grown = realloc(fds, cap * 2 * sizeof(*fds));
				if (!grown) {
					free(fds);
					return -ENOMEM;
				}
				fds = grown;
				cap *= 2;
			}
			fds[n++] = atoi(d->d_name);
		}
	}
	if (got < 0) {
		int err = -errno;

		free(fds);
		return err == -ENOENT ? -ESRCH : err;
	}
	*out = fds;
	*count = n;
	return 0;
}

/* Read /proc/PID/fdinfo/N into a heap buffer (epoll lists can be long). */
static int read_fdinfo_text(int info_dir, const char *name, char **text)
{
	ssize_t n = proc_read_all(info_dir, name, text);

	return n < 0 ? (int)n : 0;
}

static void entry_release(struct fd_entry *e)
{
	free(e->name);
	free(e->sock);
	fdinfo_release(&e->info);
	memset(e, 0, sizeof(*e));
}

static void entry_set_error(struct fd_entry *e, int err)
{
	int fd = e->fd;

	entry_release(e);
	e->fd = fd;
	e->type = FD_ERROR;
	e->err = err;
}

/* A path: stat through the magic link to tell a file from a dir, a device or a fifo. */
static int stat_path(const struct scan_dirs *d, const char *name, struct fd_entry *e)
{
	static const char deleted_suffix[] = " (deleted)";
	size_t len = strlen(e->name), slen = sizeof(deleted_suffix) - 1;
	struct stat st;

	if (fstatat(d->fd_dir, name, &st, 0) < 0)
		return -errno;
	e->type = fd_type_from_mode(st.st_mode);
	e->inode = st.st_ino;
	/* A live file may end in " (deleted)" too; no links left is the proof. */
	e->deleted = st.st_nlink == 0 && len >= slen &&
		     strcmp(e->name + len - slen, deleted_suffix) == 0;
	return 0;
}

static int read_info(const struct scan_dirs *d, const char *name, struct fd_entry *e)
{
	char *text;
	int r = read_fdinfo_text(d->info_dir, name, &text);

	if (r < 0)
		return r;
	r = fdinfo_parse(text, e->type, &e->info);
	free(text);
	if (r < 0)
		return r;
	e->has_fdinfo = true;
	return 0;
}

/* One attempt at reading fd e->fd. Returns a read_result, or -errno for an fd that exists but
 * cannot be read (the caller makes an error row of it), or -ENOMEM. */
static int read_entry_once(const struct scan_dirs *d, struct fd_entry *e)
{
	char name[16], link[PATH_MAX + 1];
	ssize_t n;
	int r;

	snprintf(name, sizeof(name), "%d", e->fd);
	n = readlinkat(d->fd_dir, name, link, sizeof(link) - 1);
	if (n < 0)
		return errno == ENOENT ? READ_VANISHED : -errno;
	link[n] = '\0';
	e->name = strdup(link);
	if (!e->name)
		return -ENOMEM;
	e->type = fd_type_from_link(link, &e->inode);
	if (e->type == FD_UNKNOWN && link[0] == '/') {
		r = stat_path(d, name, e);
		if (r < 0)
			return r == -ENOENT ? READ_VANISHED : r;
	}
	if (e->type == FD_SOCKET)
		return READ_OK;
	r = read_info(d, name, e);
	if (r < 0)
		return r == -ENOENT ? READ_VANISHED : r;
	if (e->info.has_ino && e->inode && e->info.ino != e->inode)
		return READ_REPLACED;
	if (!e->inode && e->info.has_ino)
		e->inode = e->info.ino;
	return READ_OK;
}

/* Fill e for e->fd; false when the fd vanished and must be left out. */
static int read_entry(const struct scan_dirs *d, struct fd_entry *e)
{
	int fd = e->fd;

	for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
		int r = read_entry_once(d, e);

		if (r == READ_OK || r == READ_VANISHED || r == -ENOMEM)
			return r;
		entry_release(e);
		e->fd = fd;
		if (r != READ_REPLACED) {
			entry_set_error(e, -r);
			return READ_OK;
		}
	}
	/* Replaced again at every attempt: say so rather than guess. */
	entry_set_error(e, EAGAIN);
	return READ_OK;
}

struct worker {
	pthread_t thread;
	const struct scan_dirs *dirs;
	struct fd_entry *entries;
	bool *keep;
	size_t begin, end;
	int err;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	for (size_t i = w->begin; i < w->end && !w->err; i++) {
		int r = read_entry(w->dirs, &w->entries[i]);

		if (r < 0)
			w->err = r;
		w->keep[i] = r == READ_OK;
	}
	return NULL;
}

static size_t thread_count(size_t fds, unsigned int flags)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = fds / FEWEST_FDS_PER_THREAD;

	if (flags & FD_SCAN_ONE_THREAD || cpus < 2 || n < 2)
		return 1;
	if (n > (size_t)cpus)
		n = (size_t)cpus;
	return n > MOST_THREADS ? MOST_THREADS : n;
}

/* Read every listed fd, in parallel when there are many; then drop the vanished ones. */
static int read_entries(const struct scan_dirs *d, struct fd_snapshot *s, unsigned int flags)
{
	struct worker workers[MOST_THREADS];
	size_t nthreads = thread_count(s->count, flags), started = 1, kept = 0;
	bool *keep = calloc(s->count ? s->count : 1, sizeof(*keep));
	int err = 0;

	if (!keep)
		return -ENOMEM;
	for (size_t t = 0; t < nthreads; t++)
		workers[t] = (struct worker){ .dirs = d, .entries = s->fds, .keep = keep,
					      .begin = s->count * t / nthreads,
					      .end = s->count * (t + 1) / nthreads };
	for (size_t t = 1; t < nthreads; t++, started++)
		if (pthread_create(&workers[t].thread, NULL, worker_run, &workers[t]) != 0)
			break;
	worker_run(&workers[0]);
	/* Ranges whose thread could not start are read here. */
	for (size_t t = started; t < nthreads; t++)
		worker_run(&workers[t]);
	for (size_t t = 1; t < started; t++)
		pthread_join(workers[t].thread, NULL);
	for (size_t t = 0; t < nthreads; t++)
		if (workers[t].err && !err)
			err = workers[t].err;
	for (size_t i = 0; i < s->count; i++) {
		if (keep[i])
			s->fds[kept++] = s->fds[i];
		else
			entry_release(&s->fds[i]);
	}
	s->count = kept;
	free(keep);
	return err;
}

static int compare_fd(const void *a, const void *b)
{
	const struct fd_entry *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

const struct fd_entry *fd_snapshot_find(const struct fd_snapshot *s, int fd)
{
	struct fd_entry key = { .fd = fd };

	return bsearch(&key, s->fds, s->count, sizeof(key), compare_fd);
}

/*
 * A socket neither sock_diag nor /proc/net lists (AF_ALG, AF_VSOCK...; or one closed since its
 * link was read) still names its protocol in an xattr of sockfs: "TCP", "UNIX-STREAM", "ALG".
 * Returns 1 with d filled, 0 when the fd no longer holds that socket, -errno.
 */
static int describe_by_protoname(int fd_dir, const struct fd_entry *e, struct sock_desc *d)
{
	static const struct {
		const char *protoname;
		int family;
		const char *proto;
	} known[] = {
		{ "TCP", AF_INET, "tcp" }, { "TCPv6", AF_INET6, "tcp" },
		{ "UDP", AF_INET, "udp" }, { "UDPv6", AF_INET6, "udp" },
		{ "UDP-Lite", AF_INET, "udplite" }, { "UDPLITEv6", AF_INET6, "udplite" },
		{ "RAW", AF_INET, "raw" }, { "RAWv6", AF_INET6, "raw" },
		{ "PING", AF_INET, "icmp" }, { "PINGv6", AF_INET6, "icmp" },
		{ "UNIX-STREAM", AF_UNIX, "stream" }, { "UNIX", AF_UNIX, "" },
		{ "NETLINK", AF_NETLINK, "" }, { "PACKET", AF_PACKET, "" },
	};
	char name[16], link[64], path[64], protoname[32];
	ssize_t n;

	snprintf(name, sizeof(name), "%d", e->fd);
	n = readlinkat(fd_dir, name, link, sizeof(link) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	link[n] = '\0';
	if (strcmp(link, e->name) != 0)
		return 0;
	/* getxattr follows the magic link to the socket's inode */
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%d", fd_dir, e->fd);
	n = getxattr(path, "system.sockprotoname", protoname, sizeof(protoname) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	protoname[n] = '\0';
	memset(d, 0, sizeof(*d));
	d->inode = (uint32_t)e->inode;
	d->family = AF_UNSPEC;
	snprintf(d->proto, sizeof(d->proto), "%.15s", protoname);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(known[i].protoname, protoname) == 0) {
			d->family = known[i].family;
			snprintf(d->proto, sizeof(d->proto), "%s", known[i].proto);
		}
	}
	/* inet_diag lists every TCP and UDP socket that is bound or connected: one it left out
	 * has never been bound, which the kernel calls TCP_CLOSE. */
	if (strcmp(d->proto, "tcp") == 0)
		snprintf(d->state, sizeof(d->state), "CLOSE");
	else if (strcmp(d->proto, "udp") == 0)
		snprintf(d->state, sizeof(d->state), "UNCONN");
	return 1;
}

/* Copy what the table says about e's socket into e; fall back to the protocol name. Returns
 * 0, 1 when the fd has closed since it was read (drop it), -errno. */
static int attach_socket(int fd_dir, const struct sock_table *table, struct fd_entry *e,
			 size_t *unresolved)
{
	const struct sock_desc *sd = sock_table_find(table, (uint32_t)e->inode);
	struct sock_desc fallback;
	int r = 0;

	if (!sd) {
		r = describe_by_protoname(fd_dir, e, &fallback);
		if (r <= 0)
			return r == 0 ? 1 : r;
		(*unresolved)++;
		sd = &fallback;
	}
	e->sock = malloc(sizeof(*e->sock));
	if (!e->sock)
		return -ENOMEM;
	*e->sock = *sd;
	return 0;
}

/* Attach what sock_diag (or /proc/net) says to every socket fd. */
static int resolve_sockets(int pid_dir, int fd_dir, struct fd_snapshot *s, unsigned int flags)
{
	struct sock_table table = SOCK_TABLE_INIT;
	size_t kept = 0;
	char net_dir[64];
	int netns_fd = -1, r;
	bool any = false;

	for (size_t i = 0; i < s->count && !any; i++)
		any = s->fds[i].type == FD_SOCKET;
	if (!any || flags & FD_SCAN_NO_SOCKETS)
		return 0;
	/* Without the target's namespace sock_diag would answer about ours: then only its
	 * /proc/PID/net tables are right. */
	if (!(flags & FD_SCAN_PROC_NET_ONLY))
		netns_fd = openat(pid_dir, "ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(net_dir, sizeof(net_dir), "/proc/self/fd/%d/net", pid_dir);
	if (netns_fd < 0)
		r = sock_table_fill_proc(&table, net_dir, &s->socket_source);
	else
		r = sock_table_fill(&table, netns_fd, net_dir, &s->socket_source);
	if (netns_fd >= 0)
		close(netns_fd);
	for (size_t i = 0; i < s->count; i++) {
		struct fd_entry *e = &s->fds[i];
		int gone = 0;

		if (r == 0 && e->type == FD_SOCKET)
			gone = attach_socket(fd_dir, &table, e, &s->sockets_unresolved);
		if (gone < 0)
			r = gone;
		if (gone == 1)
			entry_release(e);
		else
			s->fds[kept++] = *e;
	}
	s->count = kept;
	sock_table_release(&table);
	return r;
}

/* Limits, file-nr and comm; missing ones are left at -1 or "". */
static void read_context(const char *proc_root, int pid_dir, struct fd_snapshot *s)
{
	char text[4096], path[PATH_MAX];
	ssize_t n;

	s->limit_soft = s->limit_hard = -1;
	s->system_allocated = s->system_max = -1;
	if (proc_read_small(pid_dir, "comm", s->comm, sizeof(s->comm)) > 0)
		s->comm[strcspn(s->comm, "\n")] = '\0';
	if (proc_read_small(pid_dir, "limits", text, sizeof(text)) > 0)
		proc_limits_parse(text, "Max open files", &s->limit_soft, &s->limit_hard);
	snprintf(path, sizeof(path), "%s/sys/fs/file-nr", proc_root);
	n = proc_read_small(AT_FDCWD, path, text, sizeof(text));
	if (n > 0)
		file_nr_parse(text, &s->system_allocated, &s->system_max);
}

static int open_dirs(int pid_dir, struct scan_dirs *d)
{
	d->fd_dir = openat(pid_dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd_dir < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	d->info_dir = openat(pid_dir, "fdinfo", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->info_dir < 0) {
		int err = errno == ENOENT ? -ESRCH : -errno;

		close(d->fd_dir);
		return err;
	}
	return 0;
}

/* A pidfd tells whether the process we started with is the one still there at the end (a
 * recorded tree has none). */
static int pidfd_for(const char *proc_root, pid_t pid)
{
	if (strcmp(proc_root, "/proc") != 0)
		return -1;
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static bool pidfd_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return pidfd >= 0 && poll(&p, 1, 0) == 1;
}

static int scan(const char *proc_root, int pid_dir, int pidfd, unsigned int flags,
		struct fd_snapshot *s)
{
	struct scan_dirs d = { .own = { -1, -1, -1, -1 } };
	int *fds = NULL;
	int r = open_dirs(pid_dir, &d);

	if (r < 0)
		return r;
	if (s->pid == getpid() && strcmp(proc_root, "/proc") == 0) {
		int own[OWN_FDS] = { pid_dir, pidfd, d.fd_dir, d.info_dir };

		memcpy(d.own, own, sizeof(own));
	}
	r = list_fds(&d, &fds, &s->count);
	if (r == 0) {
		s->fds = calloc(s->count ? s->count : 1, sizeof(*s->fds));
		if (!s->fds)
			r = -ENOMEM;
	}
	for (size_t i = 0; r == 0 && i < s->count; i++)
		s->fds[i].fd = fds[i];
	free(fds);
	if (r == 0)
		r = read_entries(&d, s, flags);
	if (r == 0) {
		qsort(s->fds, s->count, sizeof(*s->fds), compare_fd);
		r = resolve_sockets(pid_dir, d.fd_dir, s, flags);
	}
	close(d.fd_dir);
	close(d.info_dir);
	if (r == 0)
		read_context(proc_root, pid_dir, s);
	return r;
}

int fd_snapshot_take(const char *proc_root, pid_t pid, unsigned int flags,
		     struct fd_snapshot *out)
{
	uint64_t start = monotonic_ns();
	struct timespec now;
	char path[PATH_MAX];
	int pid_dir, pidfd, r;

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	clock_gettime(CLOCK_REALTIME, &now);
	out->time_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	snprintf(path, sizeof(path), "%s/%d", proc_root, (int)pid);
	pidfd = pidfd_for(proc_root, pid);
	if (strcmp(proc_root, "/proc") == 0 && pidfd < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	pid_dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pid_dir < 0) {
		r = errno == ENOENT ? -ESRCH : -errno;
		goto out_close_pidfd;
	}
	r = scan(proc_root, pid_dir, pidfd, flags, out);
	if (r == 0 && pidfd_exited(pidfd))
		r = -ESRCH;
	close(pid_dir);
	out->elapsed_ns = monotonic_ns() - start;
out_close_pidfd:
	if (pidfd >= 0)
		close(pidfd);
	if (r < 0)
		fd_snapshot_release(out);
	return r;
}

void fd_snapshot_release(struct fd_snapshot *s)
{
	for (size_t i = 0; i < s->count; i++)
		entry_release(&s->fds[i]);
	free(s->fds);
	s->fds = NULL;
	s->count = 0;
}
