/* SPDX-License-Identifier: MIT */
/*
 * bench: the measurements of `nic2app bench`, as results in the DESIGN.md contract. Each
 * suite appends its results to one list; the command renders the list as text or JSON.
 * Every result has a name, a unit and a headline value; distributions add a summary (and
 * round trips a histogram) in the same unit. Figures that do not apply are NAN.
 */
#ifndef NIC2APP_BENCH_H
#define NIC2APP_BENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "nic2app/stats.h"

enum bench_copied { BENCH_COPIED_UNKNOWN = -1, BENCH_COPIED_NO = 0, BENCH_COPIED_YES = 1 };

/* log2 buckets of a round trip in ns: bucket k holds [2^k, 2^(k+1)) */
#define BENCH_HIST_BUCKETS 40

#define BENCH_MAX_CPUS 64

/* rtt: where the two ends of the round trips ran. A round trip across two CPUs costs a
 * wake-up that one on a shared CPU does not, so a figure means little without this. */
struct bench_ends {
	bool known;
	int client_cpu, server_cpu;   /* the CPU each was pinned to; -1: not pinned */
	uint32_t client_on[BENCH_MAX_CPUS]; /* not pinned: measured rounds by the CPU the client
					     * started them on */
	uint32_t client_moves;        /* rounds on another CPU than the round before */
	bool server_is_peer;          /* a `nic2app serve`: its CPUs are not known here */
	bool peer_on_this_machine;    /* its address is one of this machine's */
};

struct bench_result {
	char name[48];             /* "rtt.tcp_lo.pinned", "zerocopy.sendfile" */
	char unit[8];              /* "ns", "GB/s", "msg/s" */
	double value;              /* the headline, in unit */
	struct summary dist;       /* in unit; dist.n == 0: no distribution */
	const char *module_typical; /* the module's figure ("~100-300 ns"), NULL if none */
	const char *mode;          /* rtt: "blocking", "pinned" or "busy_poll"; else NULL */
	const char *what;          /* one line: what exactly was timed */
	double syscalls_per_mib;   /* zerocopy */
	double cpu_s_per_gib;      /* zerocopy */
	double syscalls_per_msg;   /* batch */
	bool syscalls_counted;     /* counted by the kernel (a trace of raw_syscalls), not by design */
	int copied;                /* enum bench_copied: zerocopy paths the kernel reports on */
	bool copied_by_design;     /* the way copies by construction (read + write): no news */
	bool full_round_trip;      /* rtt: the figure is a whole round trip */
	bool has_hist;
	uint32_t hist[BENCH_HIST_BUCKETS];
	struct bench_ends ends;    /* rtt */
	char note[200];            /* what the reader should know about this figure */
};

struct bench_results {
	struct bench_result *v;
	size_t n, cap;
};

/* A new result at the end of the list: name and unit set, extras NAN, copied unknown.
 * NULL when out of memory. The pointer is valid until the next call. */
struct bench_result *bench_result_new(struct bench_results *r, const char *name,
				      const char *unit);
void bench_results_release(struct bench_results *r);
/* Put a sample in its log2 bucket. */
void bench_hist_add(struct bench_result *res, double ns);
/* A throughput (GB/s, msg/s): higher is better, so its slow tail is p1, not p99. */
bool bench_higher_is_better(const struct bench_result *res);

/* What every suite is given. */
struct bench_opts {
	bool quick;                          /* the whole set in under 30 s */
	volatile sig_atomic_t *stop;         /* set by a signal: suites return -EINTR */
	const struct sockaddr_storage *peer; /* --peer: a `nic2app serve`, or NULL */
	socklen_t peer_len;
	/* progress for people, on stderr when it is a terminal; may be NULL */
	void (*progress)(void *ctx, const char *what);
	void *progress_ctx;
};

/* The suites: each appends its results, returns 0 or -errno (-EINTR when stopped). */
int bench_syscall(const struct bench_opts *o, struct bench_results *out);
int bench_copy(const struct bench_opts *o, struct bench_results *out);
int bench_rtt(const struct bench_opts *o, struct bench_results *out);
int bench_ctxswitch(const struct bench_opts *o, struct bench_results *out);
int bench_zerocopy(const struct bench_opts *o, struct bench_results *out);
int bench_batch(const struct bench_opts *o, struct bench_results *out);

/* The machine the figures were measured on, and what may skew them. */
#define BENCH_MAX_WARNINGS 8
struct bench_machine {
	char kernel[96];
	int cpus;
	char cpu_model[128];
	bool virtualized;
	char hypervisor[32];       /* "KVM", "" when not known */
	char governor[32];         /* cpufreq governor, "" when there is none */
	char warnings[BENCH_MAX_WARNINGS][200];
	size_t nwarnings;
};

int bench_machine_read(struct bench_machine *m);

#endif
