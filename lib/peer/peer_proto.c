// SPDX-License-Identifier: MIT
/* peer_proto: the hello, the frame header and HOST:PORT addresses of `nic2app serve`. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nic2app/peer_proto.h"

void peer_hello_build(enum peer_mode mode, unsigned char *out)
{
	memcpy(out, PEER_MAGIC, PEER_MAGIC_LEN);
	out[4] = (unsigned char)mode;
	out[5] = out[6] = out[7] = 0;
}

int peer_hello_parse(const unsigned char *hello, enum peer_mode *mode)
{
	if (memcmp(hello, PEER_MAGIC, PEER_MAGIC_LEN) != 0 || hello[5] || hello[6] || hello[7])
		return -EPROTO;
	if (hello[4] != PEER_ECHO && hello[4] != PEER_SINK)
		return -EPROTO;
	*mode = (enum peer_mode)hello[4];
	return 0;
}

int peer_frame_parse(const unsigned char *header, uint32_t *len)
{
	uint32_t n = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 |
		     (uint32_t)header[2] << 8 | header[3];

	if (n == 0)
		return -EPROTO;
	if (n > PEER_MAX_FRAME)
		return -EMSGSIZE;
	*len = n;
	return 0;
}

void peer_frame_header(uint32_t len, unsigned char *out)
{
	out[0] = (unsigned char)(len >> 24);
	out[1] = (unsigned char)(len >> 16);
	out[2] = (unsigned char)(len >> 8);
	out[3] = (unsigned char)len;
}

static int parse_port(const char *text, in_port_t *port)
{
	char *end;
	long v;

	if (*text < '0' || *text > '9') /* strtol would take a sign or spaces */
		return -EINVAL;
	v = strtol(text, &end, 10);
	if (*end || v < 0 || v > 65535)
		return -EINVAL;
	*port = htons((in_port_t)v);
	return 0;
}

int peer_addr_parse(const char *text, const char *default_host, struct sockaddr_storage *out,
		    socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(text, ':');
	struct sockaddr_storage a = { 0 }; /* copied to out only when all is well */
	struct sockaddr_in *v4 = (struct sockaddr_in *)&a;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a;
	bool bracketed = false;
	in_port_t port;

	if (!colon) { /* a port alone */
		snprintf(host, sizeof(host), "%s", default_host);
	} else if (text[0] == '[' && colon > text && colon[-1] == ']' &&
		   colon - text - 2 < (long)sizeof(host)) {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - text - 2), text + 1);
		bracketed = true;
	} else if (colon - text < (long)sizeof(host) && !memchr(text, ':', (size_t)(colon - text))) {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - text), text);
	} else {
		return -EINVAL;
	}
	if (parse_port(colon ? colon + 1 : text, &port) < 0)
		return -EINVAL;
	if (!bracketed && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = port;
		*len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = port;
		*len = sizeof(*v6);
	} else {
		return -EINVAL;
	}
	*out = a;
	return 0;
}

void peer_addr_format(const struct sockaddr *sa, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(v6->sin6_port));
	} else {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &v4->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(v4->sin_port));
	}
}
