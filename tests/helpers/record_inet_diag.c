// SPDX-License-Identifier: MIT
/*
 * record_inet_diag: record a raw NETLINK_SOCK_DIAG dump of IPv4 TCP sockets for the parser's
 * unit test, while a listener and one established loopback connection of ours exist.
 * Writes DUMP (the kernel's reply bytes, as received) and MANIFEST (one line per socket we
 * made: state local remote inode, the inode from fstat: ground truth independent of netlink).
 *   usage: record_inet_diag DUMP MANIFEST
 */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nic2app/sockinfo.h"

static void manifest_line(FILE *f, const char *state, int fd)
{
	char local[64], remote[64];
	struct stat st;

	sock_local_name(fd, local, sizeof(local));
	sock_peer_name(fd, remote, sizeof(remote));
	fstat(fd, &st);
	fprintf(f, "%s %s %s %lu\n", state, local, remote[0] ? remote : "0.0.0.0:0",
		(unsigned long)st.st_ino);
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct inet_diag_req_v2 *req;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	FILE *dump, *manifest;
	int l, c, a, done = 0;
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: %s DUMP MANIFEST\n", argv[0]);
		return 2;
	}
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&addr, &len) ||
	    connect(c, (struct sockaddr *)&addr, sizeof(addr)) || (a = accept(l, NULL, NULL)) < 0) {
		perror("sockets");
		return 1;
	}
	dump = fopen(argv[1], "wb");
	manifest = fopen(argv[2], "w");
	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!dump || !manifest || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("open");
		return 1;
	}
	manifest_line(manifest, "LISTEN", l);
	manifest_line(manifest, "ESTABLISHED", c);
	manifest_line(manifest, "ESTABLISHED", a);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_INET;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ~0u;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("sendto");
		return 1;
	}
	while (!done && (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		const struct nlmsghdr *m = (const struct nlmsghdr *)buf;
		int left = (int)n;

		fwrite(buf, 1, (size_t)n, dump);
		for (; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left))
			if (m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR)
				done = 1;
	}
	fclose(dump);
	fclose(manifest);
	mnl_socket_close(nl);
	close(a);
	close(c);
	close(l);
	return done ? 0 : 1;
}
