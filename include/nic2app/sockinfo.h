/* SPDX-License-Identifier: MIT */
/* sockinfo: what a socket says about itself when asked through getsockopt and fcntl. */
#ifndef NIC2APP_SOCKINFO_H
#define NIC2APP_SOCKINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct sock_identity {
	int domain;     /* SO_DOMAIN: AF_INET, AF_UNIX... */
	int type;       /* SO_TYPE: SOCK_STREAM, SOCK_DGRAM... */
	int protocol;   /* SO_PROTOCOL: IPPROTO_TCP, IPPROTO_UDP, 0... */
	bool nonblocking;
	int64_t rcvtimeo_us; /* SO_RCVTIMEO; 0 means block forever */
	int64_t sndtimeo_us; /* SO_SNDTIMEO */
};

int sock_identity_read(int fd, struct sock_identity *out);

int sockopt_get_int(int fd, int level, int name, int *value);
int sockopt_set_int(int fd, int level, int name, int value);
int sockopt_set_timeout_us(int fd, int name, int64_t us);

/*
 * One option set on a socket, read before and after: the kernel may store something other
 * than what was asked (SO_RCVBUF and SO_SNDBUF are doubled, then capped by net.core).
 */
struct sockopt_change {
	const char *name;   /* "SO_RCVBUF" */
	int level, option;
	int before, requested, after;
};

int sockopt_change_apply(int fd, struct sockopt_change *c);

/* TCP state of a TCP socket fd via TCP_INFO (tcpi_state), e.g. TCP_ESTABLISHED. */
int tcp_state_of_fd(int fd);

/* "127.0.0.1:80", "[::1]:80", a unix path, "@abstract", or "" for an unbound socket. */
const char *sockaddr_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t size);
int sock_local_name(int fd, char *buf, size_t size);
int sock_peer_name(int fd, char *buf, size_t size);

#endif
