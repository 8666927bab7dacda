// SPDX-License-Identifier: MIT
/* sockinfo: socket identity, options and addresses, read back from the kernel. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "nic2app/sockinfo.h"

int sockopt_get_int(int fd, int level, int name, int *value)
{
	socklen_t len = sizeof(*value);

	return getsockopt(fd, level, name, value, &len) < 0 ? -errno : 0;
}

int sockopt_set_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value)) < 0 ? -errno : 0;
}

static int sockopt_get_timeout_us(int fd, int name, int64_t *us)
{
	struct timeval tv;
	socklen_t len = sizeof(tv);

	if (getsockopt(fd, SOL_SOCKET, name, &tv, &len) < 0)
		return -errno;
	*us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	return 0;
}

int sockopt_set_timeout_us(int fd, int name, int64_t us)
{
	struct timeval tv = { .tv_sec = us / 1000000, .tv_usec = us % 1000000 };

	return setsockopt(fd, SOL_SOCKET, name, &tv, sizeof(tv)) < 0 ? -errno : 0;
}

int sock_identity_read(int fd, struct sock_identity *out)
{
	int flags, err;

	if ((err = sockopt_get_int(fd, SOL_SOCKET, SO_DOMAIN, &out->domain)) ||
	    (err = sockopt_get_int(fd, SOL_SOCKET, SO_TYPE, &out->type)) ||
	    (err = sockopt_get_int(fd, SOL_SOCKET, SO_PROTOCOL, &out->protocol)) ||
	    (err = sockopt_get_timeout_us(fd, SO_RCVTIMEO, &out->rcvtimeo_us)) ||
	    (err = sockopt_get_timeout_us(fd, SO_SNDTIMEO, &out->sndtimeo_us)))
		return err;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -errno;
	out->nonblocking = flags & O_NONBLOCK;
	return 0;
}

int sockopt_change_apply(int fd, struct sockopt_change *c)
{
	int err;

	if ((err = sockopt_get_int(fd, c->level, c->option, &c->before)) ||
	    (err = sockopt_set_int(fd, c->level, c->option, c->requested)) ||
	    (err = sockopt_get_int(fd, c->level, c->option, &c->after)))
		return err;
	return 0;
}

int tcp_state_of_fd(int fd)
{
	struct tcp_info info;
	socklen_t len = sizeof(info);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0)
		return -errno;
	return info.tcpi_state;
}

const char *sockaddr_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	if (len < sizeof(sa_family_t))
		return buf;
	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		snprintf(buf, size, "%s:%u", ip, ntohs(in->sin_port));
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, size, "[%s]:%u", ip, ntohs(in6->sin6_port));
		break;
	}
	case AF_UNIX: {
		const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
		size_t n = len - offsetof(struct sockaddr_un, sun_path);

		if (len <= offsetof(struct sockaddr_un, sun_path))
			break; /* unbound (unnamed) */
		if (un->sun_path[0] == '\0') /* abstract: the name is the bytes after the NUL */
			snprintf(buf, size, "@%.*s", (int)(n - 1), un->sun_path + 1);
		else
			snprintf(buf, size, "%.*s", (int)strnlen(un->sun_path, n), un->sun_path);
		break;
	}
	default:
		snprintf(buf, size, "family %d", sa->sa_family);
	}
	return buf;
}

static int sock_name(int fd, bool peer, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		     : getsockname(fd, (struct sockaddr *)&ss, &len);

	buf[0] = '\0';
	if (r < 0)
		return errno == ENOTCONN ? 0 : -errno;
	sockaddr_format((struct sockaddr *)&ss, len, buf, size);
	return 0;
}

int sock_local_name(int fd, char *buf, size_t size) { return sock_name(fd, false, buf, size); }
int sock_peer_name(int fd, char *buf, size_t size) { return sock_name(fd, true, buf, size); }
