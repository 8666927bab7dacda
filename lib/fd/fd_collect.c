// SPDX-License-Identifier: MIT
/*
 * fd_collect: list and read every fd of a process, on every CPU.
 *
 * The fd number space, below the table's size, is cut into chunks, and each worker takes the
 * next chunk. Listing /proc/PID/fd costs an inode lookup per fd, a third of reading it, so a
 * chunk is first read by trying each number in turn (a number not open fails fast); when most
 * numbers tried are not open, the rest of the chunk is listed instead: the worker seeks its
 * own handle on /proc/PID/fd to the first number left (procfs directory offsets are fd
 * numbers + 2) and reads each fd getdents finds. A recorded tree (tests) has no such
 * offsets: it is one chunk, listed from the start.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fd_scan_int.h"

#define CHUNK_FDS 512
#define FEWEST_CHUNKS_PER_THREAD 2
#define MOST_THREADS 4
/* numbers tried before a mostly empty range is listed instead */
#define PROBE_MISSES 32
/* getdents64 record of an fd number: 19 bytes of header, the name, its NUL, 8-byte aligned */
#define DIRENT_BYTES(digits) ((19 + (digits) + 1 + 7) / 8 * 8)

struct chunk {
	struct fd_entry *entries;
	size_t count, cap;
};

struct collect {
	const struct scan_dirs *dirs;
	struct chunk *chunks;
	size_t nchunks;
	long max_fds;
	atomic_size_t next;
	atomic_int err;
};

static bool is_own_fd(const struct scan_dirs *d, int fd)
{
	for (int i = 0; i < OWN_FDS; i++)
		if (d->own[i] == fd)
			return true;
	return false;
}

static struct fd_entry *chunk_push(struct chunk *c, int fd)
{
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : CHUNK_FDS; /* a dense chunk fills it once */
		struct fd_entry *grown = realloc(c->entries, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		c->entries = grown;
		c->cap = cap;
	}
	memset(&c->entries[c->count], 0, sizeof(c->entries[0]));
	c->entries[c->count].fd = fd;
	return &c->entries[c->count++];
}

static int digits(long v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Read fd into c, or nothing when the fd is not open (any more). */
static int read_one(struct collect *col, struct chunk *c, int fd)
{
	struct fd_entry *e;
	int r;

	if (is_own_fd(col->dirs, fd))
		return READ_VANISHED;
	if (!(e = chunk_push(c, fd)))
		return -ENOMEM;
	r = fd_entry_read(col->dirs, e);
	if (r == READ_VANISHED)
		fd_entry_release(&c->entries[--c->count]);
	return r;
}

/*
 * Read fds [*lo, hi) by trying each number, without listing: a readlink of a number that is
 * not open fails fast, and listing costs an inode lookup per fd. Gives up (returning with *lo
 * at the first number not tried) once most numbers tried were not open: a sparse range is
 * cheaper to list.
 */
static int probe_chunk(struct collect *col, long *lo, long hi, struct chunk *c)
{
	long tried = 0, missing = 0;

	for (; *lo < hi; (*lo)++, tried++) {
		int r;

		if (missing > PROBE_MISSES && missing * 2 > tried)
			return 0;
		r = read_one(col, c, (int)*lo);
		if (r < 0)
			return r;
		missing += r == READ_VANISHED;
	}
	return 0;
}

/* List fds [lo, hi) through dir (a handle of our own) and read each one into c. */
static int collect_chunk(struct collect *col, int dir, long lo, long hi, struct chunk *c)
{
	/* A buffer that holds exactly one chunk's records, so listing does not run on into
	 * the next chunk (every listed entry costs the kernel an inode lookup). */
	size_t size = (size_t)CHUNK_FDS * DIRENT_BYTES(digits(hi - 1));
	char buf[CHUNK_FDS * DIRENT_BYTES(10)];
	long got;

	if (col->nchunks > 1) {
		int r = probe_chunk(col, &lo, hi, c);

		if (r < 0 || lo >= hi)
			return r;
		if (lseek(dir, lo + 2, SEEK_SET) < 0)
			return -errno;
	}
	if (col->nchunks == 1)
		size = sizeof(buf);
	while ((got = syscall(SYS_getdents64, dir, buf, size)) > 0) {
		for (long off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			long fd;
			int r;

			off += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			fd = strtol(d->d_name, NULL, 10);
			if (fd >= hi)
				return 0;
			if (fd >= lo && (r = read_one(col, c, (int)fd)) < 0)
				return r;
		}
	}
	if (got < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	return 0;
}

static void *collect_run(void *arg)
{
	struct collect *col = arg;
	bool own_dir = col->dirs->list_dir < 0; /* else one thread lists with the scan's handle */
	int dir = own_dir ? openat(col->dirs->pid_dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
			  : col->dirs->list_dir;
	size_t i;

	if (dir < 0) {
		atomic_store(&col->err, errno == ENOENT ? -ESRCH : -errno);
		return NULL;
	}
	while (!atomic_load(&col->err) && (i = atomic_fetch_add(&col->next, 1)) < col->nchunks) {
		long lo = (long)i * CHUNK_FDS;
		long hi = col->nchunks == 1 ? col->max_fds : lo + CHUNK_FDS;
		int r = collect_chunk(col, dir, lo, hi, &col->chunks[i]);

		if (r)
			atomic_store(&col->err, r);
	}
	if (own_dir)
		close(dir);
	return NULL;
}

static size_t thread_count(const struct scan_dirs *d, size_t nchunks, unsigned int flags)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = nchunks / FEWEST_CHUNKS_PER_THREAD;

	if (flags & FD_SCAN_ONE_THREAD || cpus < 2 || n < 2 || d->list_dir >= 0)
		return 1;
	if (n > (size_t)cpus)
		n = (size_t)cpus;
	return n > MOST_THREADS ? MOST_THREADS : n;
}

/* Join the chunks, in fd order, into s->fds. */
static int gather(struct collect *col, struct fd_snapshot *s)
{
	size_t total = 0, at = 0;

	for (size_t i = 0; i < col->nchunks; i++)
		total += col->chunks[i].count;
	s->fds = malloc((total ? total : 1) * sizeof(*s->fds));
	if (!s->fds)
		return -ENOMEM;
	for (size_t i = 0; i < col->nchunks; i++) {
		if (!col->chunks[i].count)
			continue; /* an empty chunk may have no array at all */
		memcpy(s->fds + at, col->chunks[i].entries,
		       col->chunks[i].count * sizeof(*s->fds));
		at += col->chunks[i].count;
		col->chunks[i].count = 0;
	}
	s->count = total;
	return 0;
}

int fd_entries_collect(const struct scan_dirs *d, unsigned int flags, long max_fds,
		       struct fd_snapshot *s)
{
	struct collect col = { .dirs = d, .max_fds = max_fds };
	pthread_t threads[MOST_THREADS];
	size_t nthreads, started = 0;
	int err;

	/* a recorded tree, or an fd table of unknown size, is one chunk listed from the start */
	col.nchunks = d->real_proc && max_fds > 0 ? ((size_t)max_fds + CHUNK_FDS - 1) / CHUNK_FDS : 1;
	if (col.nchunks == 1 && max_fds <= 0)
		col.max_fds = max_fds = (long)INT32_MAX;
	col.chunks = calloc(col.nchunks, sizeof(*col.chunks));
	if (!col.chunks)
		return -ENOMEM;
	nthreads = thread_count(d, col.nchunks, flags);
	for (size_t t = 1; t < nthreads; t++, started++)
		if (pthread_create(&threads[started], NULL, collect_run, &col) != 0)
			break;
	collect_run(&col);
	for (size_t t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	err = atomic_load(&col.err);
	if (!err)
		err = gather(&col, s);
	for (size_t i = 0; i < col.nchunks; i++) {
		for (size_t k = 0; k < col.chunks[i].count; k++)
			fd_entry_release(&col.chunks[i].entries[k]);
		free(col.chunks[i].entries);
	}
	free(col.chunks);
	return err;
}
