// SPDX-License-Identifier: MIT
/*
 * fuzz_peer: what a client of `nic2app serve` may send. The input's first byte sets how many
 * bytes go out at a time (1 to 255; 0: all at once); the rest is the byte stream. It is sent
 * over a socketpair to the server's own connection state machine (peer_conn, as the epoll
 * loop drives it, without the listener): partial hellos, headers and frames, every reply read
 * back, then the client's end of file, then the idle sweep. Echoed bytes must be the frames
 * sent, whole; a sink's count the bytes sent. The same bytes also go to the protocol's
 * parsers: the hello, the frame headers, and HOST:PORT as text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "peer/peer_server_int.h"

/* Every close for a reason is logged with a reason and an address that can be printed. */
static void on_log(void *ctx, enum peer_log_kind kind, const char *what,
		   const struct sockaddr *from)
{
	char buf[INET6_ADDRSTRLEN + 8];

	(void)ctx;
	FUZZ_ASSERT(kind == PEER_LOG_CLOSED && what && what[0]);
	peer_addr_format(from, buf, sizeof(buf));
}

/* A server with no listener: only its epoll set, the shared buffer and the counters. */
static struct peer_server server = { .epfd = -1, .tcp_fd = -1, .udp_fd = -1 };

static void server_init(void)
{
	if (server.scratch)
		return;
	server.cfg.max_connections = PEER_SERVER_MAX_CONNECTIONS;
	server.cfg.idle_timeout_ms = PEER_SERVER_IDLE_MS;
	server.cfg.log = on_log;
	server.scratch = malloc(PEER_SCRATCH);
	server.epfd = epoll_create1(EPOLL_CLOEXEC);
	FUZZ_ASSERT(server.scratch && server.epfd >= 0);
}

struct client {
	int fd;
	const uint8_t *sent;       /* the stream after the hello */
	size_t sent_len;
	size_t got_total;          /* bytes the server wrote back */
	unsigned char count[8];    /* a sink's answer */
	enum peer_mode mode;
	bool hello_ok;
};

/* Read what the server wrote back: an echo repeats the stream (frame by frame, so always
 * a prefix of it); a sink answers with one 8-byte count. */
static void client_read(struct client *c)
{
	static unsigned char got[PEER_FRAME_HEADER + PEER_MAX_FRAME];
	ssize_t n;

	while ((n = recv(c->fd, got, sizeof(got), MSG_DONTWAIT)) > 0) {
		FUZZ_ASSERT(c->hello_ok);
		if (c->mode == PEER_ECHO) {
			FUZZ_ASSERT(c->got_total + (size_t)n <= c->sent_len);
			FUZZ_ASSERT(memcmp(got, c->sent + c->got_total, (size_t)n) == 0);
		} else {
			FUZZ_ASSERT(c->got_total + (size_t)n <= sizeof(c->count));
			memcpy(c->count + c->got_total, got, (size_t)n);
		}
		c->got_total += (size_t)n;
	}
}

/* Let the connection work until it waits for the client or is closed. */
static void serve(struct client *c)
{
	for (int round = 0; round < 64 && server.oldest; round++) {
		struct peer_conn *conn = server.oldest;
		size_t done = conn->done, got = c->got_total;
		enum conn_state state = conn->state;
		uint64_t sunk = conn->sunk_bytes;

		peer_conn_serve(&server, conn);
		client_read(c);
		if (server.oldest == conn && conn->state == state && conn->done == done &&
		    conn->sunk_bytes == sunk && c->got_total == got)
			break; /* no progress: it waits for the client */
	}
}

static void drive_conn(const uint8_t *data, size_t size, size_t chunk)
{
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = htons(40000),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_storage from_any = { 0 };
	struct client c = { 0 };
	int sv[2];

	FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
	memcpy(&from_any, &from, sizeof(from));
	c.fd = sv[0];
	c.hello_ok = size >= PEER_HELLO_LEN && peer_hello_parse(data, &c.mode) == 0;
	c.sent = data + PEER_HELLO_LEN;
	c.sent_len = size >= PEER_HELLO_LEN ? size - PEER_HELLO_LEN : 0;
	if (peer_conn_open(&server, sv[1], &from_any) < 0) {
		close(sv[1]);
		goto out_close;
	}
	for (size_t off = 0; off < size && server.oldest;) {
		size_t n = size - off < chunk ? size - off : chunk;
		ssize_t w = send(c.fd, data + off, n, MSG_NOSIGNAL);

		if (w < 0 && errno != EAGAIN)
			break; /* the server closed it */
		if (w > 0)
			off += (size_t)w;
		serve(&c);
	}
	shutdown(c.fd, SHUT_WR);
	serve(&c);
	if (server.oldest && server.oldest->state == CONN_SINK)
		FUZZ_ASSERT(0); /* an end of file always ends a sink */
	if (c.hello_ok && c.mode == PEER_SINK && c.got_total == sizeof(c.count)) {
		uint64_t count = 0;

		for (size_t i = 0; i < sizeof(c.count); i++)
			count = count << 8 | c.count[i];
		FUZZ_ASSERT(count == c.sent_len);
	}
	/* whatever is left open is closed as idle */
	server.now_ms += server.cfg.idle_timeout_ms;
	FUZZ_ASSERT(peer_conn_sweep(&server) == -1 && server.nconns == 0);
out_close:
	close(c.fd);
}

static void parse_all(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), buf[INET6_ADDRSTRLEN + 8];
	struct sockaddr_storage a;
	enum peer_mode mode;
	socklen_t len;
	uint32_t n;

	if (size >= PEER_HELLO_LEN && peer_hello_parse(data, &mode) == 0)
		FUZZ_ASSERT(mode == PEER_ECHO || mode == PEER_SINK);
	for (size_t i = 0; i + PEER_FRAME_HEADER <= size && i < 64; i++)
		if (peer_frame_parse(data + i, &n) == 0)
			FUZZ_ASSERT(n >= 1 && n <= PEER_MAX_FRAME);
	if (peer_addr_parse(text, "127.0.0.1", &a, &len) == 0) {
		FUZZ_ASSERT(a.ss_family == AF_INET || a.ss_family == AF_INET6);
		peer_addr_format((struct sockaddr *)&a, buf, sizeof(buf));
	}
	if (peer_addr_parse(text, "::1", &a, &len) == 0)
		peer_addr_format((struct sockaddr *)&a, buf, sizeof(buf));
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk;

	if (size == 0)
		return 0;
	server_init();
	chunk = data[0] ? data[0] : size;
	parse_all(data + 1, size - 1);
	drive_conn(data + 1, size - 1, chunk);
	return 0;
}
