/* SPDX-License-Identifier: MIT */
/*
 * fd_events.h: the record fd_events.bpf.c writes to its ring buffer for each fd a system call
 * of the watched process opened, closed or replaced, shared with its loader (fd_events.c).
 * Fixed-size fields, no pointers: both sides see the same layout.
 */
#ifndef NIC2APP_BPF_FD_EVENTS_H
#define NIC2APP_BPF_FD_EVENTS_H

#define FDE_NR_MAX 512               /* syscall numbers below this are classified */
#define FDE_NAME_MAX 128             /* a path argument, a dentry name or a unix sun_path
				      * (108): a power of two, for the verifier */

/* What a system call does to the fd table, by number (set by the loader, per architecture):
 * the BPF program reads the fd(s) from the return value or the user's array. */
enum fde_sys {
	FDE_SYS_NONE,
	FDE_SYS_NEWFD,       /* the return value is a new fd (open, socket, accept, dup...) */
	FDE_SYS_OPEN_PATH,   /* the same, and argument 1 (open, creat) is the path */
	FDE_SYS_OPENAT_PATH, /* the same, and argument 2 (openat, openat2) is the path */
	FDE_SYS_PIPE,        /* argument 1 is int[2] (pipe, pipe2) */
	FDE_SYS_SOCKETPAIR,  /* argument 4 is int[2] */
	FDE_SYS_CLOSE,       /* argument 1 is closed (even when close fails, but for EBADF) */
	FDE_SYS_DUP2,        /* argument 2 is replaced by a copy of argument 1 (dup2, dup3) */
	FDE_SYS_FCNTL,       /* a new fd for F_DUPFD and F_DUPFD_CLOEXEC only */
	FDE_SYS_SIGNALFD,    /* a new fd when argument 1 is -1, else an update */
};

/* action */
enum fde_action {
	FDE_OPEN,            /* a new fd number */
	FDE_CLOSE,
	FDE_REPLACE,         /* dup2/dup3 put another file at a number that may be open */
};

struct fde_rec {
	__u64 time_ns;               /* bpf_ktime_get_ns at the syscall's exit: CLOCK_MONOTONIC */
	__u64 ino;                   /* the new file's inode; 0 for a close */
	__s64 pos;                   /* its offset */
	__u32 tid;
	__s32 nr;                    /* the system call */
	__s32 fd;
	__s32 other_fd;              /* dup: the fd copied; pipe, socketpair: the other end; -1 */
	__u32 action;                /* enum fde_action */
	__u32 mode;                  /* i_mode; 0 when not read */
	__u32 flags;                 /* f_flags, with O_CLOEXEC from the fd table */
	__u32 magic;                 /* the file system's s_magic (pipefs, anon_inodefs...) */
	/* sockets: read from the socket */
	__u16 family, type, protocol, state;
	__u8 src[16], dst[16];       /* AF_INET: the first 4 bytes */
	__u16 sport, dport;          /* host order */
	__u32 peer_ino;              /* unix: the peer's inode */
	__u32 name_len;              /* bytes of name used (a unix name may hold NULs) */
	/* a path argument as passed (open family), a unix socket's sun_path, else the file's
	 * dentry name ("[eventfd]" for an anon inode, "memfd:x") */
	char name[FDE_NAME_MAX];
};

#endif
