// SPDX-License-Identifier: MIT
/*
 * export_collect: what one scrape reads: every process's fd table through the fds engine
 * (fd_snapshot_take, without its per-process socket dump), the sockets of each network
 * namespace from one sock_diag dump shared by all its processes, the system's file handles
 * and TcpExt listen counters. The one place the exporter touches the fds engine. As root, one
 * pass of the BPF task_file iterator (fd_machine_scan_bpf) reads every table and socket at
 * once; elsewhere (no privilege, a build without BPF, a recorded /proc tree in tests) a loop
 * over /proc with FD_SCAN_NO_FDINFO: a scrape counts fds by type, and fdinfo's offsets and
 * flags would be one read per fd more for nothing.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export_int.h"
#include "nic2app/clock.h"
#include "nic2app/fd_machine.h"
#include "nic2app/names.h"
#include "nic2app/proc_pid.h"
#include "nic2app/sock_table.h"

/* The socket table of one network namespace, filled when a process of it first has sockets. */
struct netns_table {
	ino_t ino;
	int err;
	struct sock_table table;
};

struct user_name {
	uid_t uid;
	char name[33];
};

/* What one collection keeps between processes. */
struct collect {
	const char *proc_root;
	ino_t own_netns;
	struct netns_table *nets;
	size_t n_nets;
	struct user_name *users;
	size_t n_users;
	struct export_data *out;
};

static bool pid_wanted(const struct export_filter *f, pid_t pid)
{
	if (!f->n_pids)
		return true;
	for (size_t i = 0; i < f->n_pids; i++)
		if (f->pids[i] == pid)
			return true;
	return false;
}

/* The effective uid of /proc/PID/status's "Uid:" line (real, effective, saved, fs). */
static int read_uid(int pid_dir, uid_t *uid)
{
	char text[2048], *line;
	unsigned long real, eff;
	ssize_t n = proc_read_small(pid_dir, "status", text, sizeof(text));

	if (n < 0 && n != -EFBIG)
		return (int)n;
	line = strstr(text, "\nUid:");
	if (!line || sscanf(line + 5, "%lu %lu", &real, &eff) != 2)
		return -EBADMSG;
	*uid = (uid_t)eff;
	return 0;
}

/* The process's filters that need no fd scan: uid and comm. 1 wanted, 0 not, -errno. */
static int process_wanted(const struct export_filter *f, int pid_dir, uid_t *uid)
{
	char comm[32];
	bool match = !f->n_uids;
	int r = read_uid(pid_dir, uid);

	if (r < 0)
		return r;
	for (size_t i = 0; i < f->n_uids && !match; i++)
		match = f->uids[i] == *uid;
	if (!match)
		return 0;
	if (!f->n_comms)
		return 1;
	if ((r = (int)proc_read_small(pid_dir, "comm", comm, sizeof(comm))) < 0)
		return r;
	comm[strcspn(comm, "\n")] = '\0';
	for (size_t i = 0; i < f->n_comms; i++)
		if (strcmp(f->comms[i], comm) == 0)
			return 1;
	return 0;
}

static const char *user_name(struct collect *c, uid_t uid)
{
	struct passwd pw, *found = NULL;
	struct user_name *grown, *u;
	char buf[1024];

	for (size_t i = 0; i < c->n_users; i++)
		if (c->users[i].uid == uid)
			return c->users[i].name;
	grown = realloc(c->users, (c->n_users + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	c->users = grown;
	u = &c->users[c->n_users++];
	u->uid = uid;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found)
		snprintf(u->name, sizeof(u->name), "%s", found->pw_name);
	else
		snprintf(u->name, sizeof(u->name), "%lu", (unsigned long)uid);
	return u->name;
}

/* The socket table of pid's network namespace, dumped on first use; NULL when it cannot be. */
static const struct sock_table *netns_sockets(struct collect *c, int pid_dir, pid_t pid)
{
	struct netns_table *grown, *n;
	enum sock_source source;
	char net_dir[64];
	struct stat st;
	int netns_fd;

	if (fstatat(pid_dir, "ns/net", &st, 0) < 0)
		return NULL;
	for (size_t i = 0; i < c->n_nets; i++)
		if (c->nets[i].ino == st.st_ino)
			return c->nets[i].err ? NULL : &c->nets[i].table;
	grown = realloc(c->nets, (c->n_nets + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	c->nets = grown;
	n = &c->nets[c->n_nets++];
	*n = (struct netns_table){ .ino = st.st_ino, .table = SOCK_TABLE_INIT };
	snprintf(net_dir, sizeof(net_dir), "%s/%d/net", c->proc_root, (int)pid);
	/* our own namespace needs no setns (nor CAP_SYS_ADMIN) */
	netns_fd = st.st_ino == c->own_netns ? -1 : openat(pid_dir, "ns/net", O_RDONLY | O_CLOEXEC);
	if (st.st_ino != c->own_netns && netns_fd < 0)
		n->err = sock_table_fill_proc(&n->table, net_dir, &source);
	else
		n->err = sock_table_fill(&n->table, netns_fd, net_dir, &source);
	if (netns_fd >= 0)
		close(netns_fd);
	return n->err ? NULL : &n->table;
}

/* Count one socket fd of p: by family, proto and state, and as a listener. */
static int add_socket(struct export_process *p, const struct sock_desc *sd)
{
	struct export_sockets s = { .count = 1 };
	struct export_listener l = { 0 };

	if (!sd) {
		snprintf(s.family, sizeof(s.family), "other");
		snprintf(s.proto, sizeof(s.proto), "unknown");
		return export_sockets_add(p, &s);
	}
	snprintf(s.family, sizeof(s.family), "%s", family_name(sd->family));
	snprintf(s.proto, sizeof(s.proto), "%s", sd->proto[0] ? sd->proto : "unknown");
	snprintf(s.state, sizeof(s.state), "%s", sd->state);
	bool queues = (sd->known & SOCK_KNOWN_QUEUES) == SOCK_KNOWN_QUEUES;

	if (strcmp(sd->state, "LISTEN") != 0 || !queues) {
		s.has_queues = queues;
		s.recv_q = sd->recv_q;
		s.send_q = sd->send_q;
		return export_sockets_add(p, &s);
	}
	/* a listener's queues count connections, not bytes */
	memcpy(l.family, s.family, sizeof(l.family));
	memcpy(l.proto, s.proto, sizeof(l.proto));
	snprintf(l.local, sizeof(l.local), "%s", sd->local);
	l.queued = sd->recv_q;
	l.max = sd->send_q;
	if (export_sockets_add(p, &s) < 0)
		return -ENOMEM;
	return export_listener_add(p, &l, false);
}

/* One snapshot as a process's counts; pid_dir < 0: its sockets are resolved already (BPF).
 * 0 or -ENOMEM. */
static int summarise(struct collect *c, int pid_dir, const struct fd_snapshot *s,
		     struct export_process *p)
{
	const struct sock_table *table = NULL;
	bool looked = false;
	int r = 0;

	p->pid = s->pid;
	memcpy(p->comm, s->comm, sizeof(p->comm));
	p->limit_soft = s->limit_soft;
	p->limit_hard = s->limit_hard;
	p->fds = s->count;
	for (size_t i = 0; i < s->count && !r; i++) {
		const struct fd_entry *e = &s->fds[i];

		p->by_type[e->type]++;
		if (e->type != FD_SOCKET)
			continue;
		if (pid_dir < 0) {
			r = add_socket(p, e->sock);
			continue;
		}
		if (!looked) {
			table = netns_sockets(c, pid_dir, s->pid);
			looked = true;
		}
		r = add_socket(p, table ? sock_table_find(table, (uint32_t)e->inode) : NULL);
	}
	return r;
}

static int add_process(struct collect *c, int pid_dir, uid_t uid, const struct fd_snapshot *s)
{
	struct export_data *d = c->out;
	struct export_process *grown, *p;
	const char *user = user_name(c, uid);
	int r;

	if (!user)
		return -ENOMEM;
	grown = realloc(d->procs, (d->n_procs + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	d->procs = grown;
	p = &d->procs[d->n_procs++];
	*p = (struct export_process){ .uid = uid };
	snprintf(p->user, sizeof(p->user), "%s", user);
	r = summarise(c, pid_dir, s, p);
	d->scanned++;
	return r;
}

/* Read one process, if it matches. 0 or -ENOMEM; a process that cannot be read is counted. */
static int collect_one(struct collect *c, int proc_dir, const char *name, pid_t pid,
		       const struct export_filter *f)
{
	struct fd_snapshot s;
	uid_t uid = 0;
	int pid_dir, r;

	pid_dir = openat(proc_dir, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pid_dir < 0)
		return 0; /* gone before it was looked at: not counted */
	r = process_wanted(f, pid_dir, &uid);
	if (r <= 0)
		goto out_close;
	r = fd_snapshot_take(c->proc_root, pid, FD_SCAN_NO_SOCKETS | FD_SCAN_NO_FDINFO, &s);
	if (r == -ENOMEM)
		goto out_close;
	if (r == -EACCES || r == -EPERM) {
		c->out->denied++;
	} else if (r < 0) {
		c->out->vanished++;
	} else {
		/* kernel threads have no fd table worth a series */
		if (s.count)
			r = add_process(c, pid_dir, uid, &s);
		fd_snapshot_release(&s);
	}
out_close:
	close(pid_dir);
	return r == -ENOMEM ? r : 0;
}

/* The filters on uid and comm for a table the BPF pass read. */
static bool bpf_proc_wanted(const struct export_filter *f, const struct fd_proc *p)
{
	bool match = !f->n_uids;

	for (size_t i = 0; i < f->n_uids && !match; i++)
		match = f->uids[i] == p->uid;
	if (!match || !f->n_comms)
		return match;
	for (size_t i = 0; i < f->n_comms; i++)
		if (strcmp(f->comms[i], p->snap.comm) == 0)
			return true;
	return false;
}

/*
 * Every process by one pass of the BPF iterator. 0, -ENOMEM, or another -errno when BPF
 * cannot be used (the caller then reads /proc). As the /proc loop does, a process is its
 * leader's table (a thread with a table of its own is not a series of its own) and a process
 * with no fd is not a series.
 */
static int collect_bpf(struct collect *c, struct fd_bpf *bpf, const struct export_filter *f)
{
	struct fd_machine_request req = { .pids = f->n_pids ? f->pids : NULL, .npids = f->n_pids };
	struct fd_machine m;
	int r = bpf ? fd_bpf_scan(bpf, &req, &m) : fd_machine_scan_bpf(&req, &m, NULL);

	if (r < 0)
		return r;
	for (size_t i = 0; i < m.count && r == 0; i++) {
		const struct fd_proc *p = &m.procs[i];

		if (p->snap.pid != p->tgid || !p->snap.count || !bpf_proc_wanted(f, p))
			continue;
		r = add_process(c, -1, p->uid, &p->snap);
	}
	fd_machine_release(&m);
	return r;
}

/* TcpExt's ListenOverflows and ListenDrops from /proc/net/netstat (a header line of names,
 * then a line of values). */
static void read_listen_counters(const char *proc_root, struct export_data *d)
{
	char path[256], *text = NULL, *names, *values, *nsave, *vsave, *n, *v;

	d->listen_overflows = d->listen_drops = -1;
	snprintf(path, sizeof(path), "%s/net/netstat", proc_root);
	if (proc_read_all(AT_FDCWD, path, &text) < 0)
		return;
	names = strstr(text, "TcpExt:");
	values = names ? strstr(names + 7, "\nTcpExt:") : NULL;
	if (!values)
		goto out;
	*values++ = '\0';
	values[strcspn(values, "\n")] = '\0';
	n = strtok_r(names + 7, " \n", &nsave);
	v = strtok_r(values + 7, " ", &vsave);
	for (; n && v; n = strtok_r(NULL, " \n", &nsave), v = strtok_r(NULL, " ", &vsave)) {
		if (strcmp(n, "ListenOverflows") == 0)
			d->listen_overflows = strtoll(v, NULL, 10);
		else if (strcmp(n, "ListenDrops") == 0)
			d->listen_drops = strtoll(v, NULL, 10);
	}
out:
	free(text);
}

static void read_system(const char *proc_root, struct export_data *d)
{
	char path[256], text[256];

	d->files_allocated = d->files_max = -1;
	snprintf(path, sizeof(path), "%s/sys/fs/file-nr", proc_root);
	if (proc_read_small(AT_FDCWD, path, text, sizeof(text)) > 0 &&
	    file_nr_parse(text, &d->files_allocated, &d->files_max) < 0)
		d->files_allocated = d->files_max = -1;
	read_listen_counters(proc_root, d);
}

static pid_t pid_of(const char *name)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)name[0]))
		return 0;
	v = strtol(name, &end, 10);
	return *end || v <= 0 || v > 0x7fffffff ? 0 : (pid_t)v;
}

int export_collect(const char *proc_root, const struct export_filter *f, uint64_t deadline_ns,
		   const volatile sig_atomic_t *stop, struct export_data *out)
{
	return export_collect_with(NULL, proc_root, f, deadline_ns, stop, out);
}

int export_collect_with(struct fd_bpf *bpf, const char *proc_root, const struct export_filter *f,
			uint64_t deadline_ns, const volatile sig_atomic_t *stop,
			struct export_data *out)
{
	uint64_t start = monotonic_ns();
	struct collect c = { .proc_root = proc_root, .out = out };
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int r = 0;

	memset(out, 0, sizeof(*out));
	dir = opendir(proc_root);
	if (!dir)
		return -errno;
	if (stat("/proc/self/ns/net", &st) == 0)
		c.own_netns = st.st_ino;
	read_system(proc_root, out);
	/* BPF for the live machine; /proc when it cannot be used (or for a recorded tree) */
	if (strcmp(proc_root, "/proc") == 0 && (r = collect_bpf(&c, bpf, f)) != -ENOMEM) {
		if (r == 0) {
			closedir(dir);
			goto out;
		}
		export_data_release(out); /* what a failed pass may have added */
		r = 0;
	}
	while (!r && (de = readdir(dir))) {
		pid_t pid = pid_of(de->d_name);

		if (!pid || !pid_wanted(f, pid))
			continue;
		if ((deadline_ns && monotonic_ns() > deadline_ns) || (stop && *stop)) {
			out->skipped++;
			continue;
		}
		r = collect_one(&c, dirfd(dir), de->d_name, pid, f);
	}
	closedir(dir);
out:
	for (size_t i = 0; i < c.n_nets; i++)
		sock_table_release(&c.nets[i].table);
	free(c.nets);
	free(c.users);
	out->duration_s = (double)(monotonic_ns() - start) / 1e9;
	if (r)
		export_data_release(out);
	return r;
}
