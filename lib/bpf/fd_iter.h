/* SPDX-License-Identifier: MIT */
/*
 * fd_iter.h: the record the task_file iterator (fd_iter.bpf.c) writes for each fd, shared with
 * its loader (fd_iter.c). Both sides see the same layout: fixed-size fields, no pointers.
 */
#ifndef NIC2APP_FD_ITER_H
#define NIC2APP_FD_ITER_H

#define FD_REC_MAGIC 0x6e326664u     /* "n2fd": the loader checks every record starts so */
#define FD_REC_PATH_MAX 4096         /* d_path's buffer, as PATH_MAX */
#define FD_REC_ADDR_MAX 108          /* a unix socket's sun_path */
#define FD_REC_COMM 16

/* name_kind values: how the name is made when path_len is 0 */
#define FD_REC_NAME_PATH 0           /* the d_path that follows (none: path_len 0) */
#define FD_REC_NAME_SOCKET 1         /* "socket:[INODE]", as sockfs names it */
#define FD_REC_NAME_PIPE 2           /* "pipe:[INODE]", as pipefs names it */

/* has_sock values */
#define FD_REC_NO_SOCK 0
#define FD_REC_SOCK 1

/*
 * One fd: then path_len bytes of the d_path (with its NUL) and addr_len bytes of a unix
 * socket's name (sun_path as bound: a leading NUL for an abstract name).
 */
struct fd_rec {
	__u32 magic;
	__u32 tgid, tid;             /* the process and the task whose table this is */
	__s32 fd;
	__u32 uid;                   /* the task's effective uid */
	__u32 mode;                  /* the inode's i_mode */
	__u64 ino;
	__s64 pos;
	__u64 size;                  /* i_size */
	__u32 flags;                 /* f_flags, with O_CLOEXEC from the table, as fdinfo shows */
	__u32 nlink;
	__u32 dev;                   /* the superblock's device, kernel encoding (major << 20) */
	__u32 rdev;                  /* a device file's own device */
	__u32 path_len, addr_len;
	char comm[FD_REC_COMM];
	/* sockets (has_sock): read from the socket itself */
	__u32 has_sock;
	__u32 netns;                 /* the inode of the socket's network namespace */
	__u16 family, type, protocol, state;
	__u8 src[16], dst[16];       /* AF_INET: the first 4 bytes */
	__u16 sport, dport;          /* host order; raw: the protocol, ping: the echo id */
	__u32 rqueue, wqueue;        /* as sock_diag reports them */
	__u32 peer_ino;              /* unix: the peer's inode */
	__u32 nl_portid, nl_dst_portid; /* netlink */
	__u32 nl_connected;
	__s32 ifindex;               /* packet: the bound interface */
	__u32 packet_proto;          /* packet: the ethertype, host order */
	__u32 unix_bound;            /* unix: has a name (addr_len may still be 0 when too long) */
	__u32 bound_if;              /* inet: the device it is bound to (sk_bound_dev_if), 0: none */
	__u32 v6only;                /* inet6: IPV6_V6ONLY */
	__u32 name_kind;             /* FD_REC_NAME_* */
	__u32 pad;
	__u64 nofile_cur, nofile_max; /* the task's RLIMIT_NOFILE (what /proc/PID/limits shows) */
};

#endif
