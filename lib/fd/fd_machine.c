// SPDX-License-Identifier: MIT
/*
 * fd_machine: every fd table of the machine through /proc. Each process is one
 * fd_snapshot_take (without its sockets), each thread whose table is its own (kcmp says it is
 * not its leader's) one more; then the sockets of each network namespace in use are dumped
 * once (sock_diag, or /proc/PID/net), not once per process as a one-process scan would.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nic2app/clock.h"
#include "nic2app/fd_machine.h"
#include "nic2app/proc_pid.h"

const char *fd_engine_name(enum fd_engine e)
{
	switch (e) {
	case FD_ENGINE_PROCFS: return "procfs";
	case FD_ENGINE_BPF: return "bpf";
	default: return "auto";
	}
}

long fd_table_slots(pid_t pid)
{
	char path[64], text[2048];
	const char *line;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	text[0] = '\0'; /* a read that fails may leave nothing; one cut short keeps its start */
	if (proc_read_small(AT_FDCWD, path, text, sizeof(text)) < 0 && text[0] == '\0')
		return 0;
	line = strstr(text, "\nFDSize:");
	return line ? strtol(line + 8, NULL, 10) : 0;
}

struct fd_proc *fd_machine_add(struct fd_machine *m)
{
	if (m->count == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct fd_proc *grown = realloc(m->procs, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		m->procs = grown;
		m->cap = cap;
	}
	memset(&m->procs[m->count], 0, sizeof(m->procs[0]));
	return &m->procs[m->count++];
}

void fd_user_name(uid_t uid, char *buf, size_t size)
{
	struct passwd pw, *found = NULL;
	char text[1024];

	if (getpwuid_r(uid, &pw, text, sizeof(text), &found) == 0 && found)
		snprintf(buf, size, "%s", pw.pw_name);
	else
		snprintf(buf, size, "%u", (unsigned int)uid);
}

/* A small cache: a machine has few users and many processes. */
struct user_cache {
	uid_t uid[16];
	char name[16][FD_USER_MAX];
	size_t n;
};

static void user_lookup(struct user_cache *c, uid_t uid, char *buf, size_t size)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->uid[i] == uid) {
			snprintf(buf, size, "%s", c->name[i]);
			return;
		}
	}
	fd_user_name(uid, buf, size);
	if (c->n < 16) {
		c->uid[c->n] = uid;
		snprintf(c->name[c->n++], FD_USER_MAX, "%s", buf);
	}
}

/* Effective uid and thread count from /proc/PID/status; -errno when it cannot be read, 1 for
 * a kernel thread (it has no fd table: the BPF iterator does not visit it either). */
static int read_status(int pid_dir, uid_t *uid, long *threads)
{
	char text[4096];
	const char *line;
	ssize_t n = proc_read_small(pid_dir, "status", text, sizeof(text));
	unsigned int real, eff;

	if (n < 0 && n != -EFBIG)
		return (int)n;
	*threads = 1;
	if ((line = strstr(text, "\nUid:")) && sscanf(line + 5, "%u %u", &real, &eff) == 2)
		*uid = eff;
	if ((line = strstr(text, "\nThreads:")))
		*threads = strtol(line + 9, NULL, 10);
	if ((line = strstr(text, "\nKthread:")) && strtol(line + 9, NULL, 10) == 1)
		return 1;
	return 0;
}

static void read_comm(int pid_dir, char *comm, size_t size)
{
	/* a 15-byte name and its newline fill comm[17]: -EFBIG, yet all of the name is there */
	comm[0] = '\0';
	proc_read_small(pid_dir, "comm", comm, size);
	comm[strcspn(comm, "\n")] = '\0';
}

/* One table: tid's, under root ("/proc", or "/proc/PID/task" for a thread). */
static int scan_table(struct fd_machine *m, const char *root, pid_t tgid, pid_t tid, uid_t uid,
		      struct user_cache *users)
{
	struct fd_proc *p = fd_machine_add(m);
	int r;

	if (!p)
		return -ENOMEM;
	r = fd_snapshot_take(root, tid, FD_SCAN_NO_SOCKETS, &p->snap);
	if (r == -ESRCH || r == -ENOENT) {
		m->count--; /* gone meanwhile */
		return 0;
	}
	if (r == -ENOMEM) {
		m->count--;
		return r;
	}
	p->tgid = tgid;
	p->uid = uid;
	user_lookup(users, uid, p->user, sizeof(p->user));
	if (r < 0) {
		char path[64];
		int dir;

		p->err = r;
		p->snap.pid = tid;
		snprintf(path, sizeof(path), "%s/%d", root, (int)tid);
		if ((dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			read_comm(dir, p->snap.comm, sizeof(p->snap.comm));
			close(dir);
		}
		m->unreadable++;
		return 0;
	}
	m->fds += p->snap.count;
	return 0;
}

/* Threads of pid with a table of their own: kcmp(KCMP_FILES) tells them from the leader's. */
static int scan_threads(struct fd_machine *m, int pid_dir, pid_t pid, uid_t uid,
			struct user_cache *users)
{
	char root[64];
	struct dirent *d;
	int fd = openat(pid_dir, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir;
	int r = 0;

	if (fd < 0)
		return 0;
	if (!(dir = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	snprintf(root, sizeof(root), "/proc/%d/task", (int)pid);
	while (r == 0 && (d = readdir(dir))) {
		pid_t tid = (pid_t)strtol(d->d_name, NULL, 10);

		if (tid <= 0 || tid == pid)
			continue;
		if (syscall(SYS_kcmp, pid, tid, KCMP_FILES, 0, 0) > 0)
			r = scan_table(m, root, pid, tid, uid, users);
	}
	closedir(dir);
	return r;
}

static int scan_pid(struct fd_machine *m, pid_t pid, struct user_cache *users)
{
	char path[64];
	uid_t uid = (uid_t)-1;
	long threads = 1;
	int dir, r;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return errno == ENOENT || errno == ESRCH ? 0 : -errno;
	if (read_status(dir, &uid, &threads) != 0) {
		close(dir);
		return 0; /* gone, or a kernel thread */
	}
	r = scan_table(m, "/proc", pid, pid, uid, users);
	if (r == 0 && threads > 1)
		r = scan_threads(m, dir, pid, uid, users);
	close(dir);
	return r;
}

static int scan_all(struct fd_machine *m, struct user_cache *users)
{
	DIR *dir = opendir("/proc");
	struct dirent *d;
	int r = 0;

	if (!dir)
		return -errno;
	while (r == 0 && (d = readdir(dir))) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		r = scan_pid(m, (pid_t)pid, users);
	}
	closedir(dir);
	return r;
}

/* The socket tables: one per network namespace that a readable process with sockets is in. */
struct netns_ids {
	uint64_t *ino;
};

static bool has_sockets(const struct fd_snapshot *s)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->fds[i].type == FD_SOCKET)
			return true;
	return false;
}

static int add_table(struct fd_machine *m, struct netns_ids *ids, uint64_t ino, pid_t pid)
{
	struct sock_table *grown = realloc(m->tables, (m->ntables + 1) * sizeof(*grown));
	uint64_t *grown_ids = realloc(ids->ino, (m->ntables + 1) * sizeof(*grown_ids));
	char net_dir[64], ns_path[64];
	enum sock_source source;
	int netns_fd, r;

	if (grown)
		m->tables = grown;
	if (grown_ids)
		ids->ino = grown_ids;
	if (!grown || !grown_ids)
		return -ENOMEM;
	m->tables[m->ntables] = (struct sock_table)SOCK_TABLE_INIT;
	ids->ino[m->ntables] = ino;
	snprintf(net_dir, sizeof(net_dir), "/proc/%d/net", (int)pid);
	snprintf(ns_path, sizeof(ns_path), "/proc/%d/ns/net", (int)pid);
	netns_fd = open(ns_path, O_RDONLY | O_CLOEXEC);
	if (netns_fd < 0) {
		r = sock_table_fill_proc(&m->tables[m->ntables], net_dir, &source);
	} else {
		r = sock_table_fill(&m->tables[m->ntables], netns_fd, net_dir, &source);
		close(netns_fd);
	}
	m->ntables++;
	return r == -ENOMEM ? r : 0; /* a namespace that cannot be read leaves its sockets bare */
}

void sock_table_name_unix_peers(struct sock_table *t)
{
	for (size_t i = 0; i < t->count; i++) {
		struct sock_desc *sd = &t->descs[i];
		const struct sock_desc *peer;

		if (sd->family == AF_UNIX && sd->peer_inode && !sd->remote[0] &&
		    (peer = sock_table_find(t, sd->peer_inode)))
			memcpy(sd->remote, peer->local, sizeof(peer->local));
	}
}

static const struct sock_desc *find_socket(const struct fd_machine *m, size_t first,
					   uint32_t inode)
{
	const struct sock_desc *d = first < m->ntables ? sock_table_find(&m->tables[first], inode)
						       : NULL;

	/* a socket made in a namespace the process has since left is in another table */
	for (size_t i = 0; !d && i < m->ntables; i++)
		d = sock_table_find(&m->tables[i], inode);
	return d;
}

static int resolve_sockets(struct fd_machine *m)
{
	struct netns_ids ids = { NULL };
	size_t *table_of = calloc(m->count ? m->count : 1, sizeof(*table_of));
	int r = 0;

	if (!table_of)
		return -ENOMEM;
	for (size_t i = 0; i < m->count && r == 0; i++) {
		struct fd_proc *p = &m->procs[i];
		char path[64];
		struct stat st;
		size_t t;

		table_of[i] = SIZE_MAX;
		if (p->err || !has_sockets(&p->snap))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)p->tgid);
		if (stat(path, &st) < 0)
			st.st_ino = 0; /* not ours to see: /proc/PID/net still shows its tables */
		for (t = 0; t < m->ntables && (!st.st_ino || ids.ino[t] != st.st_ino); t++)
			;
		if (t == m->ntables)
			r = add_table(m, &ids, st.st_ino, p->tgid);
		table_of[i] = t;
	}
	for (size_t t = 0; t < m->ntables; t++)
		sock_table_name_unix_peers(&m->tables[t]);
	for (size_t i = 0; i < m->count && r == 0; i++) {
		struct fd_snapshot *s = &m->procs[i].snap;

		if (table_of[i] == SIZE_MAX)
			continue;
		s->socket_source = m->tables[table_of[i]].count ? SOCK_SOURCE_SOCK_DIAG : SOCK_SOURCE_NONE;
		for (size_t k = 0; k < s->count; k++) {
			struct fd_entry *e = &s->fds[k];

			if (e->type != FD_SOCKET)
				continue;
			e->sock = find_socket(m, table_of[i], (uint32_t)e->inode);
			s->sockets_unresolved += !e->sock;
		}
	}
	free(ids.ino);
	free(table_of);
	return r;
}

int fd_machine_scan_procfs(const struct fd_machine_request *req, struct fd_machine *m)
{
	uint64_t start = monotonic_ns();
	struct user_cache users = { .n = 0 };
	int r = 0;

	memset(m, 0, sizeof(*m));
	m->source = FD_ENGINE_PROCFS;
	if (req->pids) {
		for (size_t i = 0; i < req->npids && r == 0; i++)
			r = scan_pid(m, req->pids[i], &users);
	} else {
		r = scan_all(m, &users);
	}
	if (r == 0 && !req->no_sockets)
		r = resolve_sockets(m);
	if (r == 0)
		r = fd_machine_index_holders(m);
	m->elapsed_ns = monotonic_ns() - start;
	if (r < 0)
		fd_machine_release(m);
	return r;
}

static int holder_cmp(const void *a, const void *b)
{
	const struct fd_holder *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return x->fd - y->fd;
}

int fd_machine_index_holders(struct fd_machine *m)
{
	size_t n = 0;

	free(m->holders);
	m->holders = NULL;
	m->nholders = 0;
	for (size_t i = 0; i < m->count; i++)
		for (size_t k = 0; k < m->procs[i].snap.count; k++)
			n += m->procs[i].snap.fds[k].type == FD_SOCKET;
	if (!n)
		return 0;
	if (!(m->holders = malloc(n * sizeof(*m->holders))))
		return -ENOMEM;
	for (size_t i = 0; i < m->count; i++) {
		const struct fd_snapshot *s = &m->procs[i].snap;

		for (size_t k = 0; k < s->count; k++)
			if (s->fds[k].type == FD_SOCKET)
				m->holders[m->nholders++] = (struct fd_holder){
					(uint32_t)s->fds[k].inode, (uint32_t)i, s->fds[k].fd };
	}
	qsort(m->holders, m->nholders, sizeof(*m->holders), holder_cmp);
	return 0;
}

const struct fd_holder *fd_machine_holder(const struct fd_machine *m, uint32_t inode,
					  size_t proc, int fd)
{
	size_t lo = 0, hi = m->nholders;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->holders[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < m->nholders && m->holders[lo].inode == inode; lo++)
		if (m->holders[lo].proc != proc || m->holders[lo].fd != fd)
			return &m->holders[lo];
	return NULL;
}

void fd_machine_release(struct fd_machine *m)
{
	for (size_t i = 0; i < m->count; i++)
		fd_snapshot_release(&m->procs[i].snap);
	free(m->procs);
	for (size_t t = 0; t < m->ntables; t++)
		sock_table_release(&m->tables[t]);
	free(m->tables);
	free(m->holders);
	fd_tcp_infos_free(m->tcp_infos);
	memset(m, 0, sizeof(*m));
}
