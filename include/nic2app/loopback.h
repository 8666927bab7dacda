/* SPDX-License-Identifier: MIT */
/* loopback: a connected TCP pair over 127.0.0.1, the usual two ends of a local measurement. */
#ifndef NIC2APP_LOOPBACK_H
#define NIC2APP_LOOPBACK_H

/* fds[0] the connecting end, fds[1] the accepted one, both with TCP_NODELAY (replies are not
 * held back for an ACK). On failure both are -1 and nothing is left open. 0 or -errno. */
int loopback_tcp_pair(int fds[2]);

#endif
