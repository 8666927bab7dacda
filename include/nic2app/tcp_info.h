/* SPDX-License-Identifier: MIT */
/*
 * tcp_info: the TCP internals `ss -ti` shows (round-trip time, congestion window, retransmits,
 * timers, delivery rate, bytes acknowledged and received), for every TCP socket of a network
 * namespace, from one sock_diag dump that asks for INET_DIAG_INFO (struct tcp_info, what
 * getsockopt(TCP_INFO) returns) and INET_DIAG_CONG (the congestion control's name).
 */
#ifndef NIC2APP_TCP_INFO_H
#define NIC2APP_TCP_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* idiag_timer: which timer of the socket runs, as inet_diag reports it */
enum tcp_timer {
	TCP_TIMER_NONE = 0,
	TCP_TIMER_RETRANSMIT = 1, /* retransmission (also loss probe, reordering timeout) */
	TCP_TIMER_KEEPALIVE = 2,  /* keepalive (or a listener's SYN-ACK timer) */
	TCP_TIMER_TIMEWAIT = 3,
	TCP_TIMER_PERSIST = 4,    /* zero window probe */
};
/* "none" "retransmit" "keepalive" "timewait" "persist"; "unknown" otherwise */
const char *tcp_timer_name(unsigned int timer);

/* Fields the kernel's struct tcp_info gained over time: set in known when the kernel's reply
 * was long enough to hold them (older kernels send a shorter struct). */
#define TCPI_KNOWN_INFO       0x01 /* INET_DIAG_INFO was present at all */
#define TCPI_KNOWN_RATES      0x02 /* pacing_rate, bytes_acked, bytes_received (4.1+) */
#define TCPI_KNOWN_MIN_RTT    0x04 /* min_rtt_us, segs, notsent (4.6+) */
#define TCPI_KNOWN_DELIVERY   0x08 /* delivery_rate, app_limited (4.9+) */
#define TCPI_KNOWN_BYTES_SENT 0x10 /* bytes_sent, bytes_retrans (4.19+) */

struct sock_tcp_info {
	uint32_t inode;
	uint8_t state;            /* TCP state number */
	uint8_t timer;            /* enum tcp_timer */
	uint8_t timer_retrans;    /* idiag_retrans: retransmissions or probes that timer sent */
	uint8_t known;            /* TCPI_KNOWN_* */
	uint32_t timer_expires_ms; /* idiag_expires: until the timer fires */
	char cong[16];            /* "cubic", "bbr"...; "" when the kernel did not say */
	/* struct tcp_info, units in the names */
	uint8_t ca_state;         /* TCP_CA_Open, Disorder, CWR, Recovery, Loss */
	uint8_t retransmits;      /* consecutive retransmission timeouts of the segment in flight */
	uint8_t probes, backoff;
	uint8_t snd_wscale, rcv_wscale;
	bool app_limited;         /* delivery_rate measured while the sender had nothing to send */
	uint32_t rto_us, ato_us;
	uint32_t snd_mss, rcv_mss, advmss, pmtu;
	uint32_t unacked, sacked, lost, retrans; /* segments: in flight, SACKed, lost, being
						  * retransmitted */
	uint32_t rtt_us, rttvar_us, min_rtt_us;
	uint32_t snd_cwnd, snd_ssthresh; /* segments; ssthresh >= TCP_INFINITE_SSTHRESH: none yet */
	uint32_t reordering, rcv_space, total_retrans;
	uint32_t last_data_sent_ms, last_data_recv_ms, last_ack_recv_ms;
	uint32_t segs_out, segs_in, notsent_bytes;
	uint64_t pacing_rate, delivery_rate; /* bytes per second */
	uint64_t bytes_acked, bytes_received, bytes_sent, bytes_retrans;
};

/* ssthresh before the first loss (the kernel's TCP_INFINITE_SSTHRESH) */
#define TCP_SSTHRESH_INFINITE 0x7fffffffu

/* Every TCP socket of one namespace, sorted by inode after tcp_info_table_fill. */
struct tcp_info_table {
	struct sock_tcp_info *list;
	size_t count, cap;
};

/*
 * Fill t with the TCP sockets (IPv4 and IPv6, those with an inode) of the network namespace
 * netns_fd names (-1: the caller's; entering another needs CAP_SYS_ADMIN, as sock_table_fill).
 * 0, -EPERM when that namespace may not be entered, or another -errno.
 */
int tcp_info_table_fill(struct tcp_info_table *t, int netns_fd);
/* Parse one buffer of replies to such a dump into t (unsorted). As the sock_table parsers:
 * 1 at NLMSG_DONE, 0 when more is to come, -errno (-EBADMSG for a cut message). */
int tcp_info_parse(const void *buf, size_t len, struct tcp_info_table *t);
void tcp_info_table_sort(struct tcp_info_table *t);
/* The socket with inode in a sorted table, or NULL. */
const struct sock_tcp_info *tcp_info_find(const struct tcp_info_table *t, uint32_t inode);
void tcp_info_table_release(struct tcp_info_table *t);

#endif
