// SPDX-License-Identifier: MIT
/*
 * fd_render_tcp: a TCP socket's internals (--tcp-info) as the JSON object `socket.tcp_info`
 * and as the one line of text shown under its row, in the words and units `ss -ti` uses.
 */
#include <inttypes.h>
#include <stdio.h>

#include "nic2app/fd_render.h"

#define TCP_STATE_LISTEN 10

/* enum tcp_ca_state (include/uapi/linux/tcp.h) */
static const char *ca_state_name(unsigned int s)
{
	static const char *const names[] = { "open", "disorder", "cwr", "recovery", "loss" };

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

static void uint_if(struct json *j, const char *key, bool known, uint64_t value)
{
	if (known)
		json_uint(j, key, value);
	else
		json_null(j, key);
}

static void timer_json(struct json *j, const struct sock_tcp_info *t)
{
	if (t->timer == TCP_TIMER_NONE) {
		json_null(j, "timer");
		return;
	}
	json_object_begin(j, "timer");
	json_string(j, "name", tcp_timer_name(t->timer));
	json_uint(j, "expires_ms", t->timer_expires_ms);
	json_uint(j, "retrans", t->timer_retrans);
	json_object_end(j);
}

void fd_tcp_info_json(struct json *j, const struct sock_tcp_info *t)
{
	bool info = t->known & TCPI_KNOWN_INFO, rates = t->known & TCPI_KNOWN_RATES;

	json_object_begin(j, "tcp_info");
	if (t->cong[0])
		json_string(j, "cong", t->cong);
	else
		json_null(j, "cong");
	timer_json(j, t);
	if (!info) { /* the kernel sent the timer only */
		json_object_end(j);
		return;
	}
	if (t->state == TCP_STATE_LISTEN) {
		/* a listener's tcp_info holds these only (tcp_get_info): no peer, no round trip */
		json_uint(j, "snd_cwnd", t->snd_cwnd);
		json_uint(j, "reordering", t->reordering);
		uint_if(j, "pacing_rate_bps", rates && t->pacing_rate != UINT64_MAX,
			t->pacing_rate * 8);
		json_object_end(j);
		return;
	}
	json_string(j, "ca_state", ca_state_name(t->ca_state));
	json_uint(j, "rtt_us", t->rtt_us);
	json_uint(j, "rttvar_us", t->rttvar_us);
	uint_if(j, "min_rtt_us", t->known & TCPI_KNOWN_MIN_RTT, t->min_rtt_us);
	json_uint(j, "rto_us", t->rto_us);
	json_uint(j, "ato_us", t->ato_us);
	json_uint(j, "snd_mss", t->snd_mss);
	json_uint(j, "rcv_mss", t->rcv_mss);
	json_uint(j, "advmss", t->advmss);
	json_uint(j, "pmtu", t->pmtu);
	json_uint(j, "snd_cwnd", t->snd_cwnd);
	uint_if(j, "snd_ssthresh", t->snd_ssthresh < TCP_SSTHRESH_INFINITE, t->snd_ssthresh);
	json_uint(j, "snd_wscale", t->snd_wscale);
	json_uint(j, "rcv_wscale", t->rcv_wscale);
	json_uint(j, "unacked", t->unacked);
	json_uint(j, "sacked", t->sacked);
	json_uint(j, "lost", t->lost);
	json_uint(j, "retrans", t->retrans);
	json_uint(j, "retransmits", t->retransmits);
	json_uint(j, "total_retrans", t->total_retrans);
	json_uint(j, "reordering", t->reordering);
	json_uint(j, "rcv_space", t->rcv_space);
	/* ~0: not paced (no limit) */
	uint_if(j, "pacing_rate_bps", rates && t->pacing_rate != UINT64_MAX, t->pacing_rate * 8);
	uint_if(j, "delivery_rate_bps", t->known & TCPI_KNOWN_DELIVERY, t->delivery_rate * 8);
	if (t->known & TCPI_KNOWN_DELIVERY)
		json_bool(j, "app_limited", t->app_limited);
	else
		json_null(j, "app_limited");
	uint_if(j, "bytes_sent", t->known & TCPI_KNOWN_BYTES_SENT, t->bytes_sent);
	uint_if(j, "bytes_retrans", t->known & TCPI_KNOWN_BYTES_SENT, t->bytes_retrans);
	uint_if(j, "bytes_acked", rates, t->bytes_acked);
	uint_if(j, "bytes_received", rates, t->bytes_received);
	uint_if(j, "segs_out", t->known & TCPI_KNOWN_MIN_RTT, t->segs_out);
	uint_if(j, "segs_in", t->known & TCPI_KNOWN_MIN_RTT, t->segs_in);
	uint_if(j, "notsent_bytes", t->known & TCPI_KNOWN_MIN_RTT, t->notsent_bytes);
	json_uint(j, "last_send_ms", t->last_data_sent_ms);
	json_uint(j, "last_recv_ms", t->last_data_recv_ms);
	json_uint(j, "last_ack_ms", t->last_ack_recv_ms);
	json_object_end(j);
}

/* "2.73Gbps", "640kbps", "10bps": a rate given in bytes per second, in bits as ss shows it */
static void rate_add(struct strbuf *sb, uint64_t bytes_per_s)
{
	double bps = (double)bytes_per_s * 8;

	if (bps >= 1e9)
		strbuf_addf(sb, "%.3gGbps", bps / 1e9);
	else if (bps >= 1e6)
		strbuf_addf(sb, "%.3gMbps", bps / 1e6);
	else if (bps >= 1e3)
		strbuf_addf(sb, "%.3gkbps", bps / 1e3);
	else
		strbuf_addf(sb, "%.0fbps", bps);
}

/* "200ms", "7.2s", "119min" */
static void ms_add(struct strbuf *sb, uint32_t ms)
{
	if (ms < 1000)
		strbuf_addf(sb, "%" PRIu32 "ms", ms);
	else if (ms < 120000)
		strbuf_addf(sb, "%.1fs", ms / 1e3);
	else
		strbuf_addf(sb, "%" PRIu32 "min", ms / 60000);
}

void fd_tcp_info_line(struct strbuf *sb, const struct sock_tcp_info *t)
{
	bool rates = t->known & TCPI_KNOWN_RATES;

	if (t->cong[0])
		strbuf_addf(sb, "%s ", t->cong);
	if (t->known & TCPI_KNOWN_INFO && t->state == TCP_STATE_LISTEN) {
		strbuf_addf(sb, "cwnd:%" PRIu32, t->snd_cwnd);
	} else if (t->known & TCPI_KNOWN_INFO) {
		strbuf_addf(sb, "rtt:%.3f/%.3fms rto:%.0fms mss:%" PRIu32 " cwnd:%" PRIu32,
			    t->rtt_us / 1e3, t->rttvar_us / 1e3, t->rto_us / 1e3, t->snd_mss,
			    t->snd_cwnd);
		if (t->snd_ssthresh < TCP_SSTHRESH_INFINITE)
			strbuf_addf(sb, " ssthresh:%" PRIu32, t->snd_ssthresh);
		strbuf_addf(sb, " retrans:%" PRIu32 "/%" PRIu32, t->retrans, t->total_retrans);
		if (t->lost)
			strbuf_addf(sb, " lost:%" PRIu32, t->lost);
		if (t->unacked)
			strbuf_addf(sb, " unacked:%" PRIu32, t->unacked);
		if (rates)
			strbuf_addf(sb, " bytes_acked:%" PRIu64 " bytes_received:%" PRIu64,
				    t->bytes_acked, t->bytes_received);
		if (t->known & TCPI_KNOWN_DELIVERY && t->delivery_rate) {
			strbuf_adds(sb, " delivery_rate:");
			rate_add(sb, t->delivery_rate);
			if (t->app_limited)
				strbuf_adds(sb, " app_limited");
		}
	}
	if (t->timer != TCP_TIMER_NONE) {
		strbuf_addf(sb, " timer:(%s,", tcp_timer_name(t->timer));
		ms_add(sb, t->timer_expires_ms);
		strbuf_addf(sb, ",%u)", (unsigned int)t->timer_retrans);
	}
}
