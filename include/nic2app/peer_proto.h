/* SPDX-License-Identifier: MIT */
/*
 * peer_proto: what `nic2app serve` and its clients say to each other.
 *
 * TCP: the client opens with a hello of 8 bytes: "N2A1", a mode byte, three zero bytes.
 *   echo ('E'): then frames, each a 4-byte big-endian length (1 to PEER_MAX_FRAME) and that
 *               many bytes; the server sends every frame back whole.
 *   sink ('S'): then any bytes; when the client shuts its side down, the server answers
 *               with the 8-byte big-endian count of bytes it received, and closes.
 * UDP: a datagram that starts with "N2A1" is sent back as it came; anything else is dropped.
 * Anything else on TCP (a wrong magic, an unknown mode, a length of 0 or over the limit)
 * closes the connection.
 */
#ifndef NIC2APP_PEER_PROTO_H
#define NIC2APP_PEER_PROTO_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define PEER_MAGIC "N2A1"
#define PEER_MAGIC_LEN 4
#define PEER_HELLO_LEN 8
#define PEER_FRAME_HEADER 4
#define PEER_MAX_FRAME 65536
#define PEER_DEFAULT_PORT 7701

enum peer_mode { PEER_ECHO = 'E', PEER_SINK = 'S' };

/* The hello for mode, into out[PEER_HELLO_LEN]. */
void peer_hello_build(enum peer_mode mode, unsigned char *out);
/* A received hello: 0 with *mode set, -EPROTO when it is not one. */
int peer_hello_parse(const unsigned char *hello, enum peer_mode *mode);
/* A frame header: 0 with *len set, -EPROTO for 0, -EMSGSIZE over PEER_MAX_FRAME. */
int peer_frame_parse(const unsigned char *header, uint32_t *len);
void peer_frame_header(uint32_t len, unsigned char *out);

/* "127.0.0.1:7701", "[::1]:7701", "7701" (the default address), "host:0" (any port).
 * -EINVAL with nothing set when it is not one. */
int peer_addr_parse(const char *text, const char *default_host, struct sockaddr_storage *out,
		    socklen_t *len);
/* The address as "1.2.3.4:80" or "[::1]:80". */
void peer_addr_format(const struct sockaddr *sa, char *buf, size_t size);

#endif
