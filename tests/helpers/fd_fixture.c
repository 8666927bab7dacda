// SPDX-License-Identifier: MIT
/*
 * fd_fixture: ground truth for the end-to-end tests of `nic2app fds`. It opens named kinds of
 * fds (files, pipes, sockets of every family, anon inodes...), prints one JSON line listing
 * what each one is, as known from its own syscalls, then answers commands on stdin, one JSON
 * line each: `open KIND`, `close FD`, `setns NETNS_PATH`, `exit`. EOF, SIGTERM and SIGINT end
 * it too; its private directory and its children go with it.
 *   usage: fd_fixture [--kinds LIST] [--bench N] [--tmpdir DIR]
 * --bench N opens N fds of a fixed mix (files, pipes, TCP, UDP, UNIX) for the benchmarks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <limits.h>
#include <liburing.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nic2app/json.h"
#include "nic2app/names.h"
#include "nic2app/sockinfo.h"
#include "nic2app/strbuf.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define BATCH_MAX 8 /* more than any kind opens */

struct fixture {
	char dir[PATH_MAX]; /* the private directory (canonical path), "" until made */
	unsigned int seq;   /* makes every path and abstract name unique */
	pid_t *children;
	size_t n_children;
};

/* What one kind opened: closed again if the kind fails, described if it succeeds. */
struct batch {
	struct fixture *fx;
	const char *kind;
	int arg;
	struct strbuf sb; /* "[ENTRY,...]" */
	struct json j;
	int err;          /* sticky: the first failure while describing */
	int n, fd[BATCH_MAX];
};

struct kind {
	const char *name;
	int (*open)(struct batch *b); /* 0 or -errno */
	int arg;
};

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void remove_dir(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *d;

	while (dir && (d = readdir(dir)))
		if (d->d_name[0] != '.') /* none of ours starts with a dot */
			unlinkat(dirfd(dir), d->d_name, 0);
	if (dir)
		closedir(dir);
	if (rmdir(path) < 0)
		fprintf(stderr, "fd_fixture: cannot remove %s: %s\n", path, strerror(errno));
}

/* Close all but stdio (so the directory can be read even at the fd limit), stop the
 * children, remove the directory. */
static void cleanup(struct fixture *fx)
{
	close_range(STDERR_FILENO + 1, ~0u, 0);
	for (size_t i = 0; i < fx->n_children; i++) {
		kill(fx->children[i], SIGKILL);
		while (waitpid(fx->children[i], NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(fx->children);
	fx->children = NULL;
	fx->n_children = 0;
	if (fx->dir[0])
		remove_dir(fx->dir);
	fx->dir[0] = '\0';
}

static void __attribute__((noreturn)) die(struct fixture *fx, const char *what, int err)
{
	fprintf(stderr, "fd_fixture: cannot %s: %s\n", what, strerror(-err));
	cleanup(fx);
	exit(1);
}

/* Errors that mean "this kind cannot be made here" (privilege, kernel feature, no loopback
 * network), not a bug. */
static bool not_possible_here(int err)
{
	return err == EACCES || err == EPERM || err == EAFNOSUPPORT || err == EPROTONOSUPPORT ||
	       err == ESOCKTNOSUPPORT || err == ENOSYS || err == EOPNOTSUPP || err == ENOENT ||
	       err == EADDRNOTAVAIL || err == ENETUNREACH || err == ENODEV || err == ENXIO ||
	       err == ENAMETOOLONG;
}

/* One JSON line on stdout, flushed. */
static void __attribute__((format(printf, 2, 3))) reply(struct fixture *fx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (fflush(stdout) == EOF || ferror(stdout))
		die(fx, "write to stdout", -(errno ? errno : EIO));
}

static int ok(int r) { return r < 0 ? -errno : r; }

static int close_fail(int fd)
{
	int err = -errno;

	close(fd);
	return err;
}

static int tmp_path(struct fixture *fx, const char *stem, const char *suffix, char path[PATH_MAX])
{
	int n = snprintf(path, PATH_MAX, "%s/%s-%u%s", fx->dir, stem, ++fx->seq, suffix);

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Adopt fd (or pass on its -errno) into the batch. */
static int keep(struct batch *b, int fd)
{
	if (fd >= 0 && b->n == BATCH_MAX) {
		close(fd);
		return -ENOBUFS;
	}
	if (fd >= 0)
		b->fd[b->n++] = fd;
	return fd;
}

/* Close a helper the kind does not keep (a listener once it has accepted). */
static void drop(struct batch *b, int fd)
{
	for (int i = 0; i < b->n; i++)
		if (b->fd[i] == fd)
			b->fd[i] = b->fd[--b->n];
	close(fd);
}

static uint64_t inode_of(struct batch *b, int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0)
		return st.st_ino;
	if (!b->err)
		b->err = -errno;
	return 0;
}

static void entry_begin(struct batch *b, int fd, const char *type, const char *name,
			const char *flags)
{
	json_object_begin(&b->j, NULL);
	json_int(&b->j, "fd", fd);
	json_string(&b->j, "kind", b->kind);
	json_string(&b->j, "type", type);
	json_uint(&b->j, "inode", inode_of(b, fd));
	if (name)
		json_string(&b->j, "name", name);
	if (flags)
		json_string(&b->j, "flags", flags);
}

static int entry(struct batch *b, int fd, const char *type, const char *name, const char *flags)
{
	entry_begin(b, fd, type, name, flags);
	json_object_end(&b->j);
	return 0;
}

/* Addresses as DESIGN.md writes them, from getsockname and getpeername. */
static int sock_names(int fd, int family, char *local, char *remote, size_t size)
{
	struct sockaddr_nl nl;
	socklen_t len = sizeof(nl);
	int r;

	local[0] = remote[0] = '\0';
	if (family == AF_PACKET)
		return 0; /* never bound: no interface, no protocol */
	if (family == AF_NETLINK) { /* the port id; never connected */
		if (getsockname(fd, (struct sockaddr *)&nl, &len) < 0)
			return -errno;
		snprintf(local, size, "%u", nl.nl_pid);
		return 0;
	}
	r = sock_local_name(fd, local, size);
	return r < 0 ? r : sock_peer_name(fd, remote, size);
}

/* An inet socket's device (SO_BINDTODEVICE, or a link-local address's scope), "" for none. */
static int bound_dev(int fd, char *dev, size_t size)
{
	socklen_t len = (socklen_t)size;

	dev[0] = '\0';
	if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &len) < 0)
		return -errno;
	dev[len < size ? len : size - 1] = '\0';
	return 0;
}

/* "127.0.0.1:80" -> "127.0.0.1%lo:80", as ss writes a bound socket's local address. */
static void add_dev(char *local, size_t size, const char *dev)
{
	char *colon = strrchr(local, ':'), port[16];

	if (!dev[0] || !colon)
		return;
	snprintf(port, sizeof(port), "%s", colon);
	snprintf(colon, size - (size_t)(colon - local), "%%%s%s", dev, port);
}

/* A socket entry; peer is the fd of the other end (unix) when we hold it too, else -1. */
static int sock_entry(struct batch *b, int fd, int family, const char *proto, const char *state,
		      int peer)
{
	char local[256], remote[256], dev[IF_NAMESIZE + 1] = "";
	int r = sock_names(fd, family, local, remote, sizeof(local)), v6only = 0;
	socklen_t len = sizeof(v6only);

	if (r == 0 && (family == AF_INET || family == AF_INET6))
		r = bound_dev(fd, dev, sizeof(dev));
	if (r == 0 && family == AF_INET6 &&
	    getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) < 0)
		r = -errno;
	add_dev(local, sizeof(local), dev);

	if (r < 0 && !b->err)
		b->err = r;
	entry_begin(b, fd, "socket", NULL, NULL);
	json_object_begin(&b->j, "socket");
	json_string(&b->j, "family", family_name(family));
	json_string(&b->j, "proto", proto);
	json_string(&b->j, "local", local);
	json_string(&b->j, "remote", remote);
	json_string(&b->j, "state", state);
	if (peer >= 0)
		json_uint(&b->j, "peer_inode", inode_of(b, peer));
	if (family == AF_INET || family == AF_INET6)
		json_string(&b->j, "dev", dev);
	/* sock_diag says it for sockets that are not connected (it matters for those only) */
	if (family == AF_INET6 && (strcmp(state, "LISTEN") == 0 || strcmp(state, "UNCONN") == 0))
		json_bool(&b->j, "v6only", v6only);
	json_object_end(&b->j);
	json_object_end(&b->j);
	return 0;
}

enum { FILE_PLAIN, FILE_APPEND, FILE_DELETED, FILE_WEIRD };

static int kind_file(struct batch *b)
{
	static const char *const stems[] = { "file", "append", "deleted", "a b\nc" };
	int flags = b->arg == FILE_APPEND ? O_WRONLY | O_APPEND : O_RDWR;
	char path[PATH_MAX], data[100] = { 0 };
	off_t pos;
	int fd, r;

	if ((r = tmp_path(b->fx, stems[b->arg], b->arg == FILE_WEIRD ? ".txt" : "", path)) < 0)
		return r;
	if ((fd = keep(b, ok(open(path, flags | O_CREAT | O_EXCL, 0600)))) < 0)
		return fd;
	if (b->arg == FILE_PLAIN && write(fd, data, sizeof(data)) < 0)
		return -errno;
	if ((b->arg == FILE_DELETED && unlink(path) < 0) || (pos = lseek(fd, 0, SEEK_CUR)) < 0)
		return -errno;
	entry_begin(b, fd, "file", path, flags & O_APPEND ? "O_WRONLY|O_APPEND" : "O_RDWR");
	json_int(&b->j, "pos", pos);
	if (b->arg == FILE_DELETED)
		json_bool(&b->j, "deleted", true);
	json_object_end(&b->j);
	return 0;
}

/* A memfd's file was never linked anywhere: the kernel shows it "(deleted)", as lsof +L1 does. */
static int kind_memfd(struct batch *b)
{
	int fd = keep(b, ok(memfd_create("nic2app-fixture", 0)));

	if (fd < 0)
		return fd;
	entry_begin(b, fd, "memfd", "/memfd:nic2app-fixture", NULL);
	json_bool(&b->j, "deleted", true);
	json_object_end(&b->j);
	return 0;
}

static int kind_dir(struct batch *b)
{
	int fd = keep(b, ok(open(b->fx->dir, O_RDONLY | O_DIRECTORY)));

	return fd < 0 ? fd : entry(b, fd, "dir", b->fx->dir, "O_RDONLY|O_DIRECTORY");
}

static int kind_chr(struct batch *b)
{
	int fd = keep(b, ok(open("/dev/null", O_RDONLY)));

	return fd < 0 ? fd : entry(b, fd, "chr", "/dev/null", "O_RDONLY");
}

static int not_dot(const struct dirent *d) { return d->d_name[0] != '.'; }

/* The first block device, in name order, that opens read-only. */
static int kind_blk(struct batch *b)
{
	char path[PATH_MAX];
	struct dirent **names;
	int n, i, fd = -1;

	if ((n = scandir("/sys/class/block", &names, not_dot, alphasort)) < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		if (fd < 0) {
			snprintf(path, sizeof(path), "/dev/%s", names[i]->d_name);
			fd = open(path, O_RDONLY);
		}
		free(names[i]);
	}
	free(names);
	if (fd < 0)
		return -ENOENT;
	return (fd = keep(b, fd)) < 0 ? fd : entry(b, fd, "blk", path, "O_RDONLY");
}

static int kind_pipe(struct batch *b)
{
	int p[2], r;

	if (pipe(p) < 0)
		return -errno;
	if ((r = keep(b, p[0])) < 0 || (r = keep(b, p[1])) < 0)
		return r;
	entry(b, p[0], "pipe", NULL, "O_RDONLY");
	return entry(b, p[1], "pipe", NULL, "O_WRONLY");
}

static int kind_fifo(struct batch *b)
{
	char path[PATH_MAX];
	int fd;

	if ((fd = tmp_path(b->fx, "fifo", "", path)) < 0 || (fd = ok(mkfifo(path, 0600))) < 0)
		return fd;
	/* O_RDWR does not wait for a reader or a writer */
	if ((fd = keep(b, ok(open(path, O_RDWR)))) < 0)
		return fd;
	return entry(b, fd, "fifo", path, "O_RDWR");
}

/* Bind fd to the loopback address, port 0 (netlink: a port id the kernel picks), and leave
 * the address it got in ss. */
static int bind_loopback(int fd, int family, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	if (family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_addr = in6addr_loopback;
	else if (family == AF_INET)
		((struct sockaddr_in *)ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*len = family == AF_INET6 ? sizeof(struct sockaddr_in6)
	     : family == AF_INET  ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_nl);
	if (bind(fd, (struct sockaddr *)ss, *len) < 0 ||
	    getsockname(fd, (struct sockaddr *)ss, len) < 0)
		return -errno;
	return 0;
}

/* A socket bound by bind_loopback(), listening when backlog > 0. */
static int bound_socket(int family, int type, int backlog, struct sockaddr_storage *ss,
			socklen_t *len)
{
	int fd = socket(family, type, 0), r;

	if (fd < 0)
		return -errno;
	if ((r = bind_loopback(fd, family, ss, len)) < 0) {
		close(fd);
		return r;
	}
	if (backlog > 0 && listen(fd, backlog) < 0)
		return close_fail(fd);
	return fd;
}

/* A connection to listener (bound at ss): the client and the accepted end. */
static int tcp_pair(int listener, const struct sockaddr_storage *ss, socklen_t len, int fds[2])
{
	int c = socket(ss->ss_family, SOCK_STREAM, 0);

	if (c < 0)
		return -errno;
	if (connect(c, (const struct sockaddr *)ss, len) < 0 ||
	    (fds[1] = accept(listener, NULL, NULL)) < 0)
		return close_fail(c);
	fds[0] = c;
	return 0;
}

/* Kinds that are one socket: bound by bind_loopback() or not, listening if a stream. */
enum {
	LONE_TCP, LONE_TCP6, LONE_UDP, LONE_UDP6, LONE_NL_ROUTE, LONE_NL_DIAG,
	LONE_PACKET, LONE_RAW, LONE_PING, LONE_TCP_UNBOUND
};
static const struct lone_socket {
	int family, type, protocol;
	const char *proto, *state;
	bool bind;
} lone_sockets[] = {
	[LONE_TCP] = { AF_INET, SOCK_STREAM, 0, "tcp", "LISTEN", true },
	[LONE_TCP6] = { AF_INET6, SOCK_STREAM, 0, "tcp", "LISTEN", true },
	[LONE_UDP] = { AF_INET, SOCK_DGRAM, 0, "udp", "UNCONN", true },
	[LONE_UDP6] = { AF_INET6, SOCK_DGRAM, 0, "udp", "UNCONN", true },
	[LONE_NL_ROUTE] = { AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, "route", "UNCONN", true },
	[LONE_NL_DIAG] = { AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG, "sock_diag", "UNCONN", true },
	[LONE_PACKET] = { AF_PACKET, SOCK_RAW, 0, "raw", "UNCONN", false }, /* receives nothing */
	[LONE_RAW] = { AF_INET, SOCK_RAW, IPPROTO_ICMP, "raw", "UNCONN", false },
	[LONE_PING] = { AF_INET, SOCK_DGRAM, IPPROTO_ICMP, "icmp", "UNCONN", true },
	[LONE_TCP_UNBOUND] = { AF_INET, SOCK_STREAM, 0, "tcp", "CLOSE", false },
};

static int kind_lone_socket(struct batch *b)
{
	const struct lone_socket *ls = &lone_sockets[b->arg];
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = keep(b, ok(socket(ls->family, ls->type, ls->protocol))), r;

	if (fd < 0 || (ls->bind && (r = bind_loopback(fd, ls->family, &ss, &len)) < 0))
		return fd < 0 ? fd : r;
	if (ls->bind && ls->type == SOCK_STREAM && listen(fd, 8) < 0)
		return -errno;
	return sock_entry(b, fd, ls->family, ls->proto, ls->state, -1);
}

/* A loopback connection, both ends described; or with PAIR_CLOSE_WAIT only the accepted end,
 * kept once the FIN of the closed client end has arrived (the client then sits in FIN_WAIT2
 * with no fd). The listener is closed once it has accepted. */
enum { PAIR_ESTABLISHED = 1, PAIR_CLOSE_WAIT = 2, PAIR_IPV6 = 4 };

static int kind_tcp_pair(struct batch *b)
{
	int family = b->arg & PAIR_IPV6 ? AF_INET6 : AF_INET;
	struct pollfd pfd = { .events = POLLRDHUP };
	struct sockaddr_storage ss;
	int l, fds[2], r;
	socklen_t len;

	if ((l = keep(b, bound_socket(family, SOCK_STREAM, 1, &ss, &len))) < 0)
		return l;
	if ((r = tcp_pair(l, &ss, len, fds)) < 0 || (r = keep(b, fds[0])) < 0 ||
	    (r = keep(b, fds[1])) < 0)
		return r;
	drop(b, l);
	if (b->arg & PAIR_ESTABLISHED) {
		sock_entry(b, fds[0], family, "tcp", "ESTABLISHED", -1);
		return sock_entry(b, fds[1], family, "tcp", "ESTABLISHED", -1);
	}
	drop(b, fds[0]);
	pfd.fd = fds[1];
	if ((r = poll(&pfd, 1, 5000)) <= 0)
		return r < 0 ? -errno : -ETIMEDOUT;
	return sock_entry(b, fds[1], family, "tcp", "CLOSE_WAIT", -1);
}

/* TCP listeners with a scope: bound to lo by SO_BINDTODEVICE, or on [::] with and without
 * IPV6_V6ONLY (without, it takes IPv4 connections too). */
enum { SCOPED_LO, SCOPED_ANY6, SCOPED_V6ONLY };

static int kind_scoped_listener(struct batch *b)
{
	int family = b->arg == SCOPED_LO ? AF_INET : AF_INET6;
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)family };
	socklen_t len = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int fd = keep(b, ok(socket(family, SOCK_STREAM, 0))), on = b->arg == SCOPED_V6ONLY;

	if (fd < 0)
		return fd;
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((b->arg == SCOPED_LO && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) < 0) ||
	    (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 4) < 0)
		return -errno;
	return sock_entry(b, fd, family, "tcp", "LISTEN", -1);
}

/* The first link-local IPv6 address of an interface that is up, with its scope. */
static int find_link_local(struct sockaddr_in6 *out)
{
	struct ifaddrs *all, *a;
	int r = -ENOENT;

	if (getifaddrs(&all) < 0)
		return -errno;
	for (a = all; a && r; a = a->ifa_next) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)a->ifa_addr;

		if (sin6 && sin6->sin6_family == AF_INET6 && a->ifa_flags & IFF_UP &&
		    IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr)) {
			*out = *sin6;
			r = 0;
		}
	}
	freeifaddrs(all);
	return r;
}

/* A listener on a link-local address (scoped to its interface), and a connection to it:
 * made by the netns tests in an interface of their own, never in "all". */
static int kind_tcp6_link_local(struct batch *b)
{
	struct sockaddr_in6 sin6;
	socklen_t len = sizeof(sin6);
	int l, fds[2], r;

	if ((r = find_link_local(&sin6)) < 0)
		return r;
	sin6.sin6_port = 0;
	if ((l = keep(b, ok(socket(AF_INET6, SOCK_STREAM, 0)))) < 0)
		return l;
	if (bind(l, (struct sockaddr *)&sin6, len) < 0 || listen(l, 4) < 0 ||
	    getsockname(l, (struct sockaddr *)&sin6, &len) < 0)
		return -errno;
	if ((r = tcp_pair(l, (struct sockaddr_storage *)&sin6, len, fds)) < 0 ||
	    (r = keep(b, fds[0])) < 0 || (r = keep(b, fds[1])) < 0)
		return r;
	sock_entry(b, l, AF_INET6, "tcp", "LISTEN", -1);
	sock_entry(b, fds[0], AF_INET6, "tcp", "ESTABLISHED", -1);
	return sock_entry(b, fds[1], AF_INET6, "tcp", "ESTABLISHED", -1);
}

/* Two bound UDP sockets, each connected to the other. */
static int kind_udp_connected(struct batch *b)
{
	struct sockaddr_storage sa, sc;
	socklen_t la, lc;
	int a, c;

	if ((a = keep(b, bound_socket(AF_INET, SOCK_DGRAM, 0, &sa, &la))) < 0)
		return a;
	if ((c = keep(b, bound_socket(AF_INET, SOCK_DGRAM, 0, &sc, &lc))) < 0)
		return c;
	if (connect(a, (struct sockaddr *)&sc, lc) < 0 ||
	    connect(c, (struct sockaddr *)&sa, la) < 0)
		return -errno;
	sock_entry(b, a, AF_INET, "udp", "ESTABLISHED", -1);
	return sock_entry(b, c, AF_INET, "udp", "ESTABLISHED", -1);
}

/* A listening stream socket at a path, or at an abstract name (after a leading NUL). */
static int unix_listener(const char *name, bool abstract, struct sockaddr_un *sun,
			 socklen_t *len)
{
	size_t n = strlen(name);
	int fd;

	if (n + 1 > sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + abstract, name, n);
	/* a path with its NUL, an abstract name with its leading NUL */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)sun, *len) < 0 || listen(fd, 8) < 0)
		return close_fail(fd);
	return fd;
}

/* arg: listen at an abstract name rather than a path */
static int kind_unix_listen(struct batch *b)
{
	char name[PATH_MAX];
	struct sockaddr_un sun;
	socklen_t len;
	int fd;

	if (b->arg)
		snprintf(name, sizeof(name), "nic2app-fixture-%d-%u", (int)getpid(), ++b->fx->seq);
	else if ((fd = tmp_path(b->fx, "listen", ".sock", name)) < 0)
		return fd;
	if ((fd = keep(b, unix_listener(name, b->arg, &sun, &len))) < 0)
		return fd;
	return sock_entry(b, fd, AF_UNIX, "stream", "LISTEN", -1);
}

/* A client connected through a path, and the end the listener accepted. */
static int kind_unix_stream(struct batch *b)
{
	char path[PATH_MAX];
	struct sockaddr_un sun;
	socklen_t len;
	int l, c, s;

	if ((l = tmp_path(b->fx, "stream", ".sock", path)) < 0 ||
	    (l = keep(b, unix_listener(path, false, &sun, &len))) < 0)
		return l;
	if ((c = keep(b, ok(socket(AF_UNIX, SOCK_STREAM, 0)))) < 0)
		return c;
	if (connect(c, (struct sockaddr *)&sun, len) < 0)
		return -errno;
	if ((s = keep(b, ok(accept(l, NULL, NULL)))) < 0)
		return s;
	drop(b, l);
	sock_entry(b, c, AF_UNIX, "stream", "ESTABLISHED", s);
	return sock_entry(b, s, AF_UNIX, "stream", "ESTABLISHED", c);
}

static int kind_socketpair(struct batch *b)
{
	const char *proto = socktype_name(b->arg);
	int sv[2], r;

	if (socketpair(AF_UNIX, b->arg, 0, sv) < 0)
		return -errno;
	if ((r = keep(b, sv[0])) < 0 || (r = keep(b, sv[1])) < 0)
		return r;
	sock_entry(b, sv[0], AF_UNIX, proto, "ESTABLISHED", sv[1]);
	return sock_entry(b, sv[1], AF_UNIX, proto, "ESTABLISHED", sv[0]);
}

static int kind_eventfd(struct batch *b)
{
	int fd = keep(b, ok(eventfd(5, 0)));

	return fd < 0 ? fd : entry(b, fd, "eventfd", NULL, NULL);
}

/* An epoll instance watching an eventfd and a pipe's read end, made and described first. */
static int kind_epoll(struct batch *b)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep, r;

	if ((r = kind_eventfd(b)) < 0 || (r = kind_pipe(b)) < 0) /* b->fd[0], b->fd[1] */
		return r;
	if ((ep = keep(b, ok(epoll_create1(0)))) < 0)
		return ep;
	for (int i = 0; i < 2; i++) {
		ev.data.fd = b->fd[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, b->fd[i], &ev) < 0)
			return -errno;
	}
	entry_begin(b, ep, "epoll", NULL, NULL);
	json_array_begin(&b->j, "targets");
	json_int(&b->j, NULL, b->fd[0]);
	json_int(&b->j, NULL, b->fd[1]);
	json_array_end(&b->j);
	json_object_end(&b->j);
	return 0;
}

static int kind_timerfd(struct batch *b)
{
	struct itimerspec hour = { .it_value = { .tv_sec = 3600 } };
	int fd = keep(b, ok(timerfd_create(CLOCK_MONOTONIC, 0)));

	if (fd < 0 || timerfd_settime(fd, 0, &hour, NULL) < 0)
		return fd < 0 ? fd : -errno;
	return entry(b, fd, "timerfd", NULL, NULL);
}

static int kind_signalfd(struct batch *b)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	fd = keep(b, ok(signalfd(-1, &set, 0)));
	return fd < 0 ? fd : entry(b, fd, "signalfd", NULL, NULL);
}

static int kind_inotify(struct batch *b)
{
	int fd = keep(b, ok(inotify_init1(0)));

	if (fd < 0 || inotify_add_watch(fd, b->fx->dir, IN_CREATE | IN_DELETE) < 0)
		return fd < 0 ? fd : -errno;
	return entry(b, fd, "inotify", NULL, NULL);
}

/* arg: how many marks (0, or 2: the private directory and a file in it) */
static int kind_fanotify(struct batch *b)
{
	int fd = keep(b, ok(fanotify_init(FAN_CLASS_NOTIF, O_RDONLY)));
	char path[PATH_MAX], detail[32];
	int f = 0;

	if (fd < 0)
		return fd;
	if (b->arg) {
		if (fanotify_mark(fd, FAN_MARK_ADD, FAN_CLOSE_WRITE, AT_FDCWD, b->fx->dir) < 0 ||
		    (f = tmp_path(b->fx, "marked", "", path)) < 0 ||
		    (f = ok(open(path, O_RDWR | O_CREAT | O_EXCL, 0600))) < 0)
			return f < 0 ? f : -errno;
		close(f);
		if (fanotify_mark(fd, FAN_MARK_ADD, FAN_MODIFY, AT_FDCWD, path) < 0)
			return -errno;
	}
	entry_begin(b, fd, "fanotify", NULL, NULL);
	snprintf(detail, sizeof(detail), "marks=%d", b->arg);
	json_string(&b->j, "detail", detail);
	json_object_end(&b->j);
	return 0;
}

/* The pidfd kind's child: holds no fds (so that closing ours really closes), dies with us. */
static void __attribute__((noreturn)) waiter(int ready, pid_t parent)
{
	sigset_t none;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
	    getppid() != parent || dup2(ready, 0) < 0 || close_range(1, ~0u, 0) < 0 ||
	    write(0, "", 1) != 1)
		_exit(1);
	close(0);
	for (;;)
		pause();
}

/* Fork a waiting child, and wait until it has closed its copies of our fds. */
static int spawn_waiter(struct fixture *fx, pid_t *pid)
{
	pid_t *grown = realloc(fx->children, (fx->n_children + 1) * sizeof(*grown));
	pid_t self = getpid();
	int p[2];
	ssize_t n;
	char c;

	if (!grown)
		return -ENOMEM;
	fx->children = grown;
	if (pipe(p) < 0)
		return -errno;
	if ((*pid = fork()) < 0) {
		close(p[1]);
		return close_fail(p[0]);
	}
	if (*pid == 0)
		waiter(p[1], self);
	fx->children[fx->n_children++] = *pid;
	close(p[1]);
	while ((n = read(p[0], &c, 1)) < 0 && errno == EINTR)
		;
	close(p[0]);
	return n == 1 ? 0 : -ECHILD;
}

static int kind_pidfd(struct batch *b)
{
	pid_t pid = 0;
	int fd = spawn_waiter(b->fx, &pid);

	if (fd < 0 || (fd = keep(b, ok((int)syscall(SYS_pidfd_open, pid, 0)))) < 0)
		return fd;
	return entry(b, fd, "pidfd", NULL, NULL);
}

/* The ring's memory stays mapped for the fixture's life; only the fd is the fixture's. */
static int kind_io_uring(struct batch *b)
{
	struct io_uring ring;
	int r = io_uring_queue_init(4, &ring, 0);

	if (r < 0 || (r = keep(b, ring.ring_fd)) < 0)
		return r;
	return entry(b, r, "io_uring", NULL, NULL);
}

static const struct kind kinds[] = {
	{ "file", kind_file, FILE_PLAIN },
	{ "file_append", kind_file, FILE_APPEND },
	{ "file_deleted", kind_file, FILE_DELETED },
	{ "file_weird_name", kind_file, FILE_WEIRD },
	{ "memfd", kind_memfd, 0 },
	{ "dir", kind_dir, 0 },
	{ "chr", kind_chr, 0 },
	{ "blk", kind_blk, 0 },
	{ "pipe", kind_pipe, 0 },
	{ "fifo", kind_fifo, 0 },
	{ "tcp_listen", kind_lone_socket, LONE_TCP },
	{ "tcp_established", kind_tcp_pair, PAIR_ESTABLISHED },
	{ "tcp_close_wait", kind_tcp_pair, PAIR_CLOSE_WAIT },
	{ "tcp6_listen", kind_lone_socket, LONE_TCP6 },
	{ "tcp6_established", kind_tcp_pair, PAIR_ESTABLISHED | PAIR_IPV6 },
	{ "tcp_bound_lo", kind_scoped_listener, SCOPED_LO },
	{ "tcp6_any", kind_scoped_listener, SCOPED_ANY6 },
	{ "tcp6_v6only", kind_scoped_listener, SCOPED_V6ONLY },
	{ "tcp6_link_local", kind_tcp6_link_local, 0 }, /* by name only: see the kind */
	{ "udp", kind_lone_socket, LONE_UDP },
	{ "udp_connected", kind_udp_connected, 0 },
	{ "udp6", kind_lone_socket, LONE_UDP6 },
	{ "unix_listen", kind_unix_listen, false },
	{ "unix_stream", kind_unix_stream, 0 },
	{ "unix_abstract", kind_unix_listen, true },
	{ "unix_socketpair", kind_socketpair, SOCK_STREAM },
	{ "unix_dgram", kind_socketpair, SOCK_DGRAM },
	{ "unix_seqpacket", kind_socketpair, SOCK_SEQPACKET },
	{ "netlink_route", kind_lone_socket, LONE_NL_ROUTE },
	{ "netlink_diag", kind_lone_socket, LONE_NL_DIAG },
	{ "packet", kind_lone_socket, LONE_PACKET },
	{ "raw", kind_lone_socket, LONE_RAW },
	{ "ping", kind_lone_socket, LONE_PING },
	{ "tcp_unbound", kind_lone_socket, LONE_TCP_UNBOUND }, /* by name only */
	{ "eventfd", kind_eventfd, 0 },
	{ "epoll", kind_epoll, 0 },
	{ "timerfd", kind_timerfd, 0 },
	{ "signalfd", kind_signalfd, 0 },
	{ "inotify", kind_inotify, 0 },
	{ "fanotify", kind_fanotify, 0 },
	{ "fanotify_marks", kind_fanotify, 2 },
	{ "pidfd", kind_pidfd, 0 },
	{ "io_uring", kind_io_uring, 0 },
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

/* Kinds "all" leaves out: a link-local address is on an interface a test makes in its own
 * namespace; an unbound TCP socket is in no table, so its address is not known. */
static bool by_name_only(const struct kind *k)
{
	return k->open == kind_tcp6_link_local ||
	       (k->open == kind_lone_socket && k->arg == LONE_TCP_UNBOUND);
}

static const struct kind *find_kind(const char *name)
{
	for (size_t i = 0; i < N_KINDS; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* Open one kind. On success out holds "[ENTRY,...]"; on failure nothing stays open. */
static int run_kind(struct fixture *fx, const struct kind *k, struct strbuf *out)
{
	struct batch b = { .fx = fx, .kind = k->name, .arg = k->arg };
	int r;

	json_init(&b.j, &b.sb);
	json_array_begin(&b.j, NULL);
	r = k->open(&b);
	json_array_end(&b.j);
	if (r == 0)
		r = b.err ? b.err : json_finish(&b.j);
	if (r < 0) {
		while (b.n > 0)
			close(b.fd[--b.n]);
		strbuf_release(&b.sb);
		return r;
	}
	*out = b.sb;
	return 0;
}

struct manifest {
	struct strbuf fds, skipped; /* comma separated entries */
};

static void add_kind(struct fixture *fx, const struct kind *k, struct manifest *m)
{
	struct strbuf arr;
	char what[64];
	int r = run_kind(fx, k, &arr);

	if (r == 0) {
		if (arr.len > 2) /* what is inside "[...]" */
			strbuf_addf(&m->fds, "%s%.*s", m->fds.len ? "," : "", (int)arr.len - 2,
				    arr.buf + 1);
		strbuf_release(&arr);
	} else if (not_possible_here(-r)) {
		strbuf_addf(&m->skipped, "%s{\"kind\":\"%s\",\"error\":\"%s\"}",
			    m->skipped.len ? "," : "", k->name, errno_name(-r));
	} else {
		snprintf(what, sizeof(what), "open a %s fd", k->name);
		die(fx, what, r);
	}
}

/* Open every kind in the comma separated list ("all": the whole table), print the manifest. */
static void open_kinds(struct fixture *fx, const char *list)
{
	struct manifest m = { STRBUF_INIT, STRBUF_INIT };
	char *copy = strdup(list), *name, *save = NULL;
	const struct kind *k;
	struct stat ns;

	if (!copy)
		die(fx, "copy --kinds", -ENOMEM);
	for (name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		if (strcmp(name, "all") == 0)
			for (size_t i = 0; i < N_KINDS; i++) {
				if (!by_name_only(&kinds[i]))
					add_kind(fx, &kinds[i], &m);
			}
		else if ((k = find_kind(name)))
			add_kind(fx, k, &m);
		else {
			fprintf(stderr, "fd_fixture: unknown kind %s (see --help)\n", name);
			free(copy);
			cleanup(fx);
			exit(2);
		}
	}
	free(copy);
	if (stat("/proc/self/ns/net", &ns) < 0)
		die(fx, "stat /proc/self/ns/net", -errno);
	if (m.fds.err || m.skipped.err)
		die(fx, "build the manifest", -ENOMEM);
	reply(fx, "{\"pid\":%d,\"uid\":%u,\"netns_inode\":%llu,\"fds\":[%s],\"skipped\":[%s]}\n",
	      (int)getpid(), (unsigned int)getuid(), (unsigned long long)ns.st_ino,
	      strbuf_str(&m.fds), strbuf_str(&m.skipped));
	strbuf_release(&m.fds);
	strbuf_release(&m.skipped);
}

enum { MIX_FILE, MIX_PIPE, MIX_TCP, MIX_UDP, MIX_UNIX, MIX_N };
static const char *const mix_names[MIX_N] = { "file", "pipe", "tcp", "udp", "unix" };
static const long mix_percent[MIX_N] = { 15, 15, 40, 10, 20 }; /* of the fds */
static const int mix_size[MIX_N] = { 1, 2, 2, 1, 2 };          /* fds opened at a time */

/* The part of the mix furthest behind its share that still fits in what is left. */
static int mix_next(const long opened[MIX_N], long left)
{
	int best = -1;

	for (int k = 0; k < MIX_N; k++)
		if (mix_size[k] <= left &&
		    (best < 0 || opened[k] * mix_percent[best] < opened[best] * mix_percent[k]))
			best = k;
	return best;
}

/* Open one unit of part k of the mix, kept for the fixture's life: >= 0, or -errno. */
static int mix_open(struct fixture *fx, int k, int listener, const struct sockaddr_storage *ss,
		    socklen_t len)
{
	struct sockaddr_storage udp;
	socklen_t udp_len;
	char path[PATH_MAX];
	int p[2], r;

	switch (k) {
	case MIX_FILE:
		r = tmp_path(fx, "bench", "", path);
		return r < 0 ? r : ok(open(path, O_RDWR | O_CREAT | O_EXCL, 0600));
	case MIX_PIPE:
		return ok(pipe(p));
	case MIX_TCP:
		return tcp_pair(listener, ss, len, p);
	case MIX_UDP:
		return bound_socket(AF_INET, SOCK_DGRAM, 0, &udp, &udp_len);
	default:
		return ok(socketpair(AF_UNIX, SOCK_STREAM, 0, p));
	}
}

static int count_open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	if (!dir)
		return -errno;
	while (readdir(dir))
		n++;
	closedir(dir);
	return n - 3; /* ".", ".." and the directory's own fd */
}

static void bench(struct fixture *fx, long n)
{
	long opened[MIX_N] = { 0 }, done = 0;
	struct sockaddr_storage ss;
	struct timespec t0, t1;
	struct rlimit rl;
	int listener, k, r;
	socklen_t len;
	char what[96];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die(fx, "read RLIMIT_NOFILE", -errno);
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die(fx, "raise RLIMIT_NOFILE", -errno);
	if (rl.rlim_max != RLIM_INFINITY && (rlim_t)n + 16 > rl.rlim_max) {
		snprintf(what, sizeof(what), "open %ld fds under a hard limit of %llu", n,
			 (unsigned long long)rl.rlim_max);
		die(fx, what, -EMFILE);
	}
	if ((listener = bound_socket(AF_INET, SOCK_STREAM, SOMAXCONN, &ss, &len)) < 0)
		die(fx, "make the TCP listener", listener);
	while (done < n && (k = mix_next(opened, n - done)) >= 0) {
		if ((r = mix_open(fx, k, listener, &ss, len)) < 0) {
			snprintf(what, sizeof(what), "open %s fds (%ld open)", mix_names[k], done);
			die(fx, what, r);
		}
		opened[k] += mix_size[k];
		done += mix_size[k];
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if ((r = count_open_fds()) < 0)
		die(fx, "count the open fds", r);
	reply(fx, "{\"pid\":%d,\"fds\":%d,\"mix\":{\"file\":%ld,\"pipe\":%ld,\"tcp\":%ld,"
	      "\"udp\":%ld,\"unix\":%ld},\"setup_s\":%.3f}\n", (int)getpid(), r, opened[MIX_FILE],
	      opened[MIX_PIPE], opened[MIX_TCP], opened[MIX_UDP], opened[MIX_UNIX],
	      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
}

static void cmd_open(struct fixture *fx, const char *name)
{
	const struct kind *k = find_kind(name);
	struct strbuf arr;
	int r = k ? run_kind(fx, k, &arr) : -EINVAL;

	if (r < 0) {
		reply(fx, "{\"ok\":false,\"error\":\"%s\"}\n", errno_name(-r));
		return;
	}
	if (arr.err)
		die(fx, "describe the fds", arr.err);
	reply(fx, "{\"ok\":true,\"fds\":%s}\n", strbuf_str(&arr));
	strbuf_release(&arr);
}

static void cmd_close(struct fixture *fx, const char *arg)
{
	char *end;
	long fd;
	int r;

	errno = 0;
	fd = strtol(arg, &end, 10);
	if (errno || end == arg || *end || fd < 0 || fd > INT_MAX)
		r = -EBADF;
	else if (fd <= STDERR_FILENO) /* the protocol runs on these */
		r = -EPERM;
	else
		r = ok(close((int)fd));
	if (r < 0)
		reply(fx, "{\"ok\":false,\"error\":\"%s\"}\n", errno_name(-r));
	else
		reply(fx, "{\"ok\":true,\"fd\":%ld}\n", fd);
}

/* Move into the network namespace at path (/run/netns/NAME): the sockets made so far stay in
 * the namespace they were made in. */
static void cmd_setns(struct fixture *fx, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	r = fd < 0 ? -errno : ok(setns(fd, CLONE_NEWNET));
	if (fd >= 0)
		close(fd);
	if (r < 0)
		reply(fx, "{\"ok\":false,\"error\":\"%s\"}\n", errno_name(-r));
	else
		reply(fx, "{\"ok\":true}\n");
}

/* One command line; true for exit. */
static bool command(struct fixture *fx, char *line)
{
	size_t n = strlen(line);

	while (n > 0 && strchr(" \t\r", line[n - 1]))
		line[--n] = '\0';
	if (strcmp(line, "exit") == 0)
		return true;
	if (strncmp(line, "open ", 5) == 0)
		cmd_open(fx, line + 5);
	else if (strncmp(line, "close ", 6) == 0)
		cmd_close(fx, line + 6);
	else if (strncmp(line, "setns ", 6) == 0)
		cmd_setns(fx, line + 6);
	else if (n > 0)
		reply(fx, "{\"ok\":false,\"error\":\"EINVAL\"}\n");
	return false;
}

/* Read commands until exit (true), EOF or SIGTERM/SIGINT, which stay blocked except while
 * waiting here. */
static bool serve(struct fixture *fx)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[4096], *nl;
	size_t len = 0, used;
	sigset_t mask;
	ssize_t n;

	while (!stop_requested) {
		if (sigprocmask(SIG_BLOCK, NULL, &mask) < 0)
			die(fx, "read the signal mask", -errno);
		sigdelset(&mask, SIGTERM);
		sigdelset(&mask, SIGINT);
		pfd.revents = 0;
		if (ppoll(&pfd, 1, NULL, &mask) < 0 && errno != EINTR)
			die(fx, "wait for commands", -errno);
		if (stop_requested || !pfd.revents)
			continue;
		if ((n = read(STDIN_FILENO, buf + len, sizeof(buf) - len)) == 0)
			return false;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			die(fx, "read commands", -errno);
		len += n > 0 ? (size_t)n : 0;
		while ((nl = memchr(buf, '\n', len))) {
			*nl = '\0';
			if (command(fx, buf))
				return true;
			used = (size_t)(nl - buf) + 1;
			memmove(buf, buf + used, len - used);
			len -= used;
		}
		if (len == sizeof(buf)) {
			reply(fx, "{\"ok\":false,\"error\":\"E2BIG\"}\n");
			len = 0;
		}
	}
	return false;
}

static void usage(FILE *f)
{
	int col = 99;

	fprintf(f, "usage: fd_fixture [--kinds LIST] [--bench N] [--tmpdir DIR]\n"
		   "  --kinds LIST  comma separated, default all:");
	for (size_t i = 0; i < N_KINDS; i++) {
		if (col > 80)
			col = fprintf(f, "\n   ") - 1;
		col += fprintf(f, " %s", kinds[i].name);
	}
	fprintf(f, "\n  --bench N     open N fds of a mix of files, pipes, TCP, UDP, UNIX instead\n"
		   "  --tmpdir DIR  where the private directory is made (default /tmp)\n"
		   "Then reads commands on stdin: open KIND | close FD | setns PATH | exit\n");
}

/* Stdio must be open, or our fds would take its numbers; fds inherited beyond it are closed,
 * so the process holds exactly what the manifest lists. */
static void stdio_only(struct fixture *fx)
{
	for (int fd = 0; fd <= STDERR_FILENO; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			exit(1);
	if (close_range(STDERR_FILENO + 1, ~0u, 0) < 0)
		die(fx, "close inherited fds", -errno);
}

static void setup_signals(struct fixture *fx)
{
	struct sigaction sa = { .sa_handler = on_stop_signal }; /* no SA_RESTART */
	sigset_t stop;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0 || signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die(fx, "set up signals", -errno);
}

static void make_dir(struct fixture *fx, const char *tmpdir)
{
	char tmpl[PATH_MAX];
	int n = snprintf(tmpl, sizeof(tmpl), "%s/nic2app-fixture-XXXXXX", tmpdir), err;

	if (n < 0 || n >= PATH_MAX)
		die(fx, "use --tmpdir", -ENAMETOOLONG);
	if (!mkdtemp(tmpl))
		die(fx, "make a directory in --tmpdir", -errno);
	if (!realpath(tmpl, fx->dir)) { /* canonical: the kernel shows our fds' paths so */
		err = -errno;
		rmdir(tmpl);
		die(fx, "resolve the directory's path", err);
	}
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "kinds", required_argument, NULL, 'k' },
		{ "bench", required_argument, NULL, 'b' },
		{ "tmpdir", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kind_list = "all", *tmpdir = "/tmp";
	char *end;
	struct fixture fx = { .dir = "" };
	long bench_n = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt == 'k') {
			kind_list = optarg;
		} else if (opt == 'b') {
			errno = 0;
			bench_n = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || bench_n <= 0) {
				fprintf(stderr, "fd_fixture: --bench wants a positive count\n");
				return 2;
			}
		} else if (opt == 't') {
			tmpdir = optarg;
		} else {
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	stdio_only(&fx);
	setup_signals(&fx);
	make_dir(&fx, tmpdir);
	if (bench_n)
		bench(&fx, bench_n);
	else
		open_kinds(&fx, kind_list);
	if (serve(&fx)) {
		cleanup(&fx);
		reply(&fx, "{\"ok\":true}\n"); /* once everything is gone */
	}
	cleanup(&fx);
	return 0;
}
