/* SPDX-License-Identifier: MIT */
/*
 * export: `nic2app exporter`, the Prometheus exposition as a library: what a scrape collects
 * (export_collect), the metric families and their text in the Prometheus text format 0.0.4 or
 * OpenMetrics 1.0 (export_metrics, export_text), HTTP requests (export_http) and the server
 * that answers them (export_server: one epoll thread for every connection, one collector
 * thread, scrapes that arrive together share one collection).
 */
#ifndef NIC2APP_EXPORT_H
#define NIC2APP_EXPORT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "nic2app/fd_scan.h"
#include "nic2app/strbuf.h"

struct fd_bpf;
struct journey_live;
struct journey_live_totals;

/* ---- what a scrape collects ---- */

/* Sockets of one process (or of the "other" processes) with one family, proto and state. */
struct export_sockets {
	char family[12];           /* DESIGN.md socket.family: unix inet inet6 netlink packet other */
	char proto[16];            /* socket.proto; "unknown" when sock_diag did not list it */
	char state[16];            /* "LISTEN", "ESTABLISHED", "UNCONN"...; "" when not known */
	uint32_t count;
	bool has_queues;
	uint64_t recv_q, send_q;   /* summed; LISTEN sockets are in export_listener instead */
};

/* A listening socket's accept queue: queued connections and the limit (listen()'s backlog,
 * capped by net.core.somaxconn). Summed when folded under local="other". */
struct export_listener {
	char family[12];
	char proto[16];
	char local[112];
	uint64_t queued, max;
};

/* Listeners kept by address for one process; the rest are summed under local "other". */
#define EXPORT_LISTENERS_MOST 32

struct export_process {
	pid_t pid;                 /* 0 for the "other" processes folded together */
	uid_t uid;
	char comm[17];             /* "other" for the folded ones */
	char user[33];             /* the user's name, or the uid in decimal */
	uint64_t fds;
	uint64_t by_type[FD_TYPE_COUNT];
	long limit_soft, limit_hard; /* RLIMIT_NOFILE; -1 unlimited; not shown for "other" */
	struct export_sockets *sockets;
	size_t n_sockets;
	struct export_listener *listeners;
	size_t n_listeners;
};

/* One collection: every process that matched, the system's numbers, what the scan cost. */
struct export_data {
	struct export_process *procs;
	size_t n_procs;
	long files_allocated, files_max;     /* /proc/sys/fs/file-nr; -1 when unreadable */
	int64_t listen_overflows, listen_drops; /* TcpExt in /proc/net/netstat; -1 unreadable */
	uint64_t scanned, denied, vanished, skipped; /* processes: read, refused, gone, past the deadline */
	double duration_s;
	struct journey_live_totals *live;    /* --live: what the BPF programs counted; else NULL */
};

/* Which processes to collect: each list that is not empty must match (any entry of it). */
struct export_filter {
	const pid_t *pids;
	size_t n_pids;
	const char *const *comms;
	size_t n_comms;
	const uid_t *uids;
	size_t n_uids;
};

/*
 * Collect every process that matches under proc_root ("/proc"): its fds by type, its limits,
 * its sockets by family, proto and state with their queues, its listeners. Processes without
 * fds (kernel threads) are left out. Stops before the next process once CLOCK_MONOTONIC passes
 * deadline_ns (0: none) or *stop is set (may be NULL), counting what it did not read as
 * skipped. Sockets are resolved through one sock_diag dump per network namespace.
 * 0 or -errno (-ENOMEM; -ENOENT when proc_root cannot be listed).
 */
int export_collect(const char *proc_root, const struct export_filter *f, uint64_t deadline_ns,
		   const volatile sig_atomic_t *stop, struct export_data *out);
/* The same with the BPF iterator loaded once for every scrape (fd_bpf_open; NULL: loaded for
 * this one), which saves the kernel's verification of it each time. */
int export_collect_with(struct fd_bpf *bpf, const char *proc_root, const struct export_filter *f,
			uint64_t deadline_ns, const volatile sig_atomic_t *stop,
			struct export_data *out);
void export_data_release(struct export_data *d);

/* Add what the live observer (journey_live_open, attached) counted so far to d, for the
 * families nic2app_stage_duration_seconds, nic2app_journey_duration_seconds,
 * nic2app_packets_total, nic2app_journeys_total and nic2app_lost_total. 0 or -errno. */
int export_collect_live(struct journey_live *l, struct export_data *d);

/* Keep the most processes with the most fds (ties: lower pid first), fold the rest into one
 * entry with pid 0 and comm "other" (fds, types, sockets and queues summed; no limits). The
 * processes end up in pid order, "other" last. 0 or -ENOMEM. */
int export_fold(struct export_data *d, size_t most);

/* ---- the text ---- */

enum export_format {
	EXPORT_TEXT,        /* text/plain; version=0.0.4 */
	EXPORT_OPENMETRICS, /* application/openmetrics-text; version=1.0.0 */
};

/* The Content-Type header's value for a format. */
const char *export_content_type(enum export_format f);

/* The format the scraper's Accept header asks for (q-values respected; NULL or nothing we
 * speak: the text format). */
enum export_format export_format_for_accept(const char *accept);

/* Append label value v escaped for either format (backslash, double quote, line feed; invalid
 * UTF-8 becomes U+FFFD, as both formats want UTF-8). */
void export_label_value(struct strbuf *sb, const char *v);
/* Append HELP text escaped for the format (0.0.4: backslash and line feed; OpenMetrics: also
 * the double quote). */
void export_help_text(struct strbuf *sb, enum export_format f, const char *help);

/* A metric family's kind; counters are written name_total, info (OpenMetrics) name_info,
 * histograms name_bucket, name_sum and name_count. */
enum export_type { EXPORT_GAUGE, EXPORT_COUNTER, EXPORT_INFO, EXPORT_HISTOGRAM };

struct export_writer {
	struct strbuf *sb;
	enum export_format format;
	const char *family;     /* the one being written: its samples' names derive from it */
	enum export_type type;
};

/* Begin a family: HELP, TYPE (and UNIT in OpenMetrics when unit is not NULL: family must end
 * in _unit). family is the name without _total or _info. */
void export_family(struct export_writer *w, const char *family, enum export_type type,
		   const char *unit, const char *help);
/* One sample of the current family: labels as name, value pairs (n_labels of them). */
void export_sample(struct export_writer *w, const char *const *labels, size_t n_labels,
		   double value);
/* A histogram's cumulative buckets: cumulative[i] observations were at most le[i] (both
 * rising); count is every observation (the +Inf bucket), sum their total. */
#define EXPORT_BUCKETS_MOST 64
struct export_buckets {
	double le[EXPORT_BUCKETS_MOST];
	uint64_t cumulative[EXPORT_BUCKETS_MOST];
	size_t n;
	uint64_t count;
	double sum;
};

/* One histogram of the current family (of type EXPORT_HISTOGRAM): its _bucket lines, +Inf
 * last, then _sum and _count. */
void export_histogram(struct export_writer *w, const char *const *labels, size_t n_labels,
		      const struct export_buckets *b);
/* The end of the exposition ("# EOF" in OpenMetrics). */
void export_end(struct export_writer *w);

/* The whole exposition of a collection (already folded), and the build's version. */
int export_render(struct strbuf *sb, enum export_format f, const struct export_data *d,
		  const char *version);

/* ---- HTTP ---- */

#define EXPORT_REQUEST_MOST 8192   /* the request line and headers; more is refused (431) */

enum export_route { EXPORT_ROUTE_METRICS, EXPORT_ROUTE_INDEX, EXPORT_ROUTE_NOT_FOUND };

struct export_request {
	bool head;                 /* HEAD: the answer without its body */
	enum export_route route;
	enum export_format format;
	double scrape_timeout_s;   /* X-Prometheus-Scrape-Timeout-Seconds; 0 when not sent */
	size_t length;             /* bytes of the request head */
};

/*
 * Parse an HTTP/1.x request head at buf (len bytes so far). 1 with *req filled when the head is
 * complete; 0 when more is needed; -EBADMSG when it is not a request we understand (answer
 * 400), -EMSGSIZE when no complete head fits in EXPORT_REQUEST_MOST (431), -ENOSYS for a
 * method other than GET or HEAD (405).
 */
int export_request_parse(const char *buf, size_t len, struct export_request *req);

/* ---- the server ---- */

#define EXPORT_SERVER_MAX_CONNECTIONS 256

struct export_server_config {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	const char *proc_root;        /* "/proc" */
	struct export_filter filter;
	struct journey_live *live;    /* exporter --live: read at each scrape; NULL without */
	size_t max_processes;         /* series per process kept for this many; the rest "other" */
	unsigned max_connections;     /* 0: EXPORT_SERVER_MAX_CONNECTIONS */
	unsigned timeout_ms;          /* to send a request, and again to read the answer */
	unsigned scrape_timeout_ms;   /* the longest a collection may run */
	const char *version;
	volatile sig_atomic_t *stop;  /* run returns once this is non-zero */
	const sigset_t *wait_sigmask; /* as peer_server_config's */
	/* A line about a client: a bad request, a timeout, a refusal. May be NULL. */
	void (*log)(void *ctx, const char *what, const struct sockaddr *from);
	void *log_ctx;
};

struct export_server_stats {
	uint64_t accepted, refused, bad_requests, timeouts, scrapes, collections;
};

struct export_server;

/* Bind, listen, start the collector thread. 0 or -errno with nothing left open. */
int export_server_open(const struct export_server_config *c, struct export_server **out);
/* The port it listens on (host order), or -errno. */
int export_server_port(const struct export_server *s);
/* Serve until *c->stop is set: 0 or -errno. */
int export_server_run(struct export_server *s);
void export_server_stats(const struct export_server *s, struct export_server_stats *out);
/* Stop the collector, close everything, free s. */
void export_server_free(struct export_server *s);

#endif
