/* SPDX-License-Identifier: MIT */
/* names: kernel numbers as names, through tables, with "unknown" for anything new. */
#ifndef NIC2APP_NAMES_H
#define NIC2APP_NAMES_H

/* TCP states as the kernel names them, without the TCP_ prefix: "ESTABLISHED", "TIME_WAIT"... */
const char *tcp_state_name(int state);
/* The state number for a name from tcp_state_name(), or -1. */
int tcp_state_from_name(const char *name);

/* Socket families in nic2app's vocabulary ("inet", "unix", ...) and as C constants. */
const char *family_name(int family);
const char *family_constant(int family);
/* Socket types: "stream", "dgram", "seqpacket", "raw"...; and "SOCK_STREAM"... */
const char *socktype_name(int type);
const char *socktype_constant(int type);
/* IP protocols: "tcp", "udp", "icmp"...; and "IPPROTO_TCP"... (0 is "default"). */
const char *ipproto_name(int proto);
const char *ipproto_constant(int proto);

/* "EACCES" for EACCES; "EUNKNOWN" when the C library has no name for the number. */
const char *errno_name(int err);

#endif
