// SPDX-License-Identifier: MIT
/*
 * test_netns_pair: a UDP datagram from a socket made in namespace A reaches one bound in B
 * through B's veth end; each end is up and visible on its own side only; release leaves no
 * namespace, no fd and the thread at home, and the kernel then removes the veth; release is
 * harmless twice, on a zeroed struct and after a failed create (fds run out at each step);
 * without privileges create is -EPERM. Needs root, except the last.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nic2app/netns_pair.h"

#define SELF_NETNS "/proc/thread-self/ns/net"

/* What a test made, so teardown undoes it even when an assertion ends the test early. */
static struct netns_pair made;

static int teardown(void **state)
{
	(void)state;
	if (made.ifname[NETNS_A][0])
		netns_pair_leave(&made);
	netns_pair_release(&made);
	return 0;
}

static void create_or_skip(struct netns_pair *p)
{
	if (geteuid() != 0) {
		print_message("network namespaces need root: skipped\n");
		skip();
	}
	assert_int_equal(netns_pair_create(p), 0);
}

static ino_t thread_netns(void)
{
	struct stat st;

	assert_int_equal(stat(SELF_NETNS, &st), 0);
	return st.st_ino;
}

static struct stat fd_stat(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st;
}

/* The fds this process can use: those under its limit (valgrind keeps its own above it). */
static int count_fds(void)
{
	struct rlimit lim;
	struct dirent *e;
	int n = 0;
	DIR *d;

	if (getrlimit(RLIMIT_NOFILE, &lim) < 0 || !(d = opendir("/proc/self/fd")))
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' && (rlim_t)atoi(e->d_name) < lim.rlim_cur;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int udp_socket_in(const struct netns_pair *p, enum netns_side side)
{
	int s;

	assert_int_equal(netns_pair_enter(p, side), 0);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(netns_pair_leave(p), 0);
	assert_true(s >= 0);
	return s;
}

static int bind_to(int s, struct in_addr addr)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = addr };

	return bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ? -errno : 0;
}

/* Receive one datagram: its text, its sender and the interface it came in on. */
static void receive(int rx, char *text, size_t size, struct sockaddr_in *from, int *ifindex)
{
	char control[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct iovec iov = { .iov_base = text, .iov_len = size - 1 };
	struct msghdr msg = {
		.msg_name = from, .msg_namelen = sizeof(*from), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct pollfd pfd = { .fd = rx, .events = POLLIN };
	struct in_pktinfo info;
	struct cmsghdr *c;
	ssize_t n;

	assert_int_equal(poll(&pfd, 1, 5000), 1);
	n = recvmsg(rx, &msg, MSG_DONTWAIT);
	assert_true(n >= 0);
	text[n] = '\0';
	*ifindex = 0;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			memcpy(&info, CMSG_DATA(c), sizeof(info));
			*ifindex = info.ipi_ifindex;
		}
}

static void test_datagram_crosses_the_veth(void **state)
{
	struct sockaddr_in to = { .sin_family = AF_INET }, from;
	socklen_t len = sizeof(to);
	ino_t home = thread_netns();
	int tx, rx, probe, one = 1, ifindex;
	char text[32];

	(void)state;
	create_or_skip(&made);
	assert_int_equal(thread_netns(), home);
	tx = udp_socket_in(&made, NETNS_A);
	probe = udp_socket_in(&made, NETNS_A);
	rx = udp_socket_in(&made, NETNS_B);
	/* sockets keep the namespace they were made in, wherever the thread goes next */
	assert_int_equal(bind_to(tx, made.addr[NETNS_A]), 0);
	assert_int_equal(bind_to(probe, made.addr[NETNS_B]), -EADDRNOTAVAIL); /* not local in A */
	assert_int_equal(bind_to(rx, made.addr[NETNS_B]), 0);
	assert_int_equal(setsockopt(rx, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)), 0);
	assert_int_equal(getsockname(rx, (struct sockaddr *)&to, &len), 0);

	assert_int_equal(sendto(tx, "over the veth", 13, 0, (struct sockaddr *)&to, sizeof(to)), 13);
	receive(rx, text, sizeof(text), &from, &ifindex);
	assert_string_equal(text, "over the veth");
	assert_int_equal(from.sin_addr.s_addr, made.addr[NETNS_A].s_addr);
	assert_int_equal(ifindex, made.ifindex[NETNS_B]); /* it came in through B's end */
	close(probe);
	close(tx);
	close(rx);
	netns_pair_release(&made);
}

static unsigned int if_flags(int s, const char *name)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	return (unsigned int)ifr.ifr_flags;
}

static void check_side(const struct netns_pair *p, enum netns_side side)
{
	unsigned int up = IFF_UP | IFF_RUNNING;
	int s;

	assert_int_equal(netns_pair_enter(p, side), 0);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	assert_int_equal(if_nametoindex(p->ifname[side]), p->ifindex[side]);
	assert_int_equal(if_nametoindex(p->ifname[!side]), 0);
	assert_int_equal(if_flags(s, p->ifname[side]) & up, up);
	assert_int_equal(if_flags(s, "lo") & IFF_UP, IFF_UP);
	close(s);
	assert_int_equal(netns_pair_leave(p), 0);
}

static void test_each_end_on_its_own_side(void **state)
{
	char name[2][IF_NAMESIZE];

	(void)state;
	create_or_skip(&made);
	snprintf(name[NETNS_A], IF_NAMESIZE, "n2a%da", (int)getpid());
	snprintf(name[NETNS_B], IF_NAMESIZE, "n2a%db", (int)getpid());
	assert_string_equal(made.ifname[NETNS_A], name[NETNS_A]);
	assert_string_equal(made.ifname[NETNS_B], name[NETNS_B]);
	assert_int_equal(made.addr[NETNS_A].s_addr, inet_addr("192.0.2.1"));
	assert_int_equal(made.addr[NETNS_B].s_addr, inet_addr("192.0.2.2"));
	check_side(&made, NETNS_A);
	check_side(&made, NETNS_B);
	assert_int_equal(if_nametoindex(name[NETNS_A]), 0); /* nor at home */
	assert_int_equal(if_nametoindex(name[NETNS_B]), 0);
	assert_int_equal(netns_pair_enter(&made, (enum netns_side)2), -EINVAL);
	netns_pair_release(&made);
}

/* Whether any thread of ours is in, or any fd of ours names, the namespace ns. */
static bool held(const char *dir, const char *suffix, const struct stat *ns)
{
	char path[PATH_MAX];
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	bool found = false;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s%s", dir, e->d_name, suffix);
			found |= stat(path, &st) == 0 && st.st_ino == ns->st_ino &&
				 st.st_dev == ns->st_dev;
		}
	closedir(d);
	return found;
}

/* Milliseconds until name disappears from the namespace ns_fd names (the thread visits it). */
static uint64_t ms_until_gone(int ns_fd, int home_fd, const char *name)
{
	uint64_t start = mono_ms(), waited;
	bool present;

	assert_int_equal(setns(ns_fd, CLONE_NEWNET), 0);
	do {
		present = if_nametoindex(name) != 0;
		waited = mono_ms() - start;
		if (present)
			usleep(1000);
	} while (present && waited < 10000);
	assert_int_equal(setns(home_fd, CLONE_NEWNET), 0);
	assert_false(present);
	return waited;
}

static void test_release_leaves_nothing(void **state)
{
	ino_t home = thread_netns();
	int before = count_fds(), home_fd, keep_b;
	char name_b[IF_NAMESIZE];
	struct stat ns[2];

	(void)state;
	create_or_skip(&made);
	assert_int_equal(count_fds(), before + 3);
	home_fd = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
	assert_true(home_fd >= 0);
	ns[NETNS_A] = fd_stat(made.ns_fd[NETNS_A]);
	ns[NETNS_B] = fd_stat(made.ns_fd[NETNS_B]);
	assert_true(ns[NETNS_A].st_ino != home && ns[NETNS_B].st_ino != home);
	assert_true(ns[NETNS_A].st_ino != ns[NETNS_B].st_ino);
	snprintf(name_b, sizeof(name_b), "%s", made.ifname[NETNS_B]);
	/* hold B a little longer: A's end goes when A goes, and takes its peer with it */
	keep_b = dup(made.ns_fd[NETNS_B]);
	assert_true(keep_b >= 0);

	netns_pair_release(&made);
	assert_int_equal(thread_netns(), home);
	assert_int_equal(made.orig_fd, -1);
	assert_int_equal(made.ns_fd[NETNS_A], -1);
	assert_int_equal(made.ns_fd[NETNS_B], -1);
	assert_false(held("/proc/self/task", "/ns/net", &ns[NETNS_A]));
	assert_false(held("/proc/self/fd", "", &ns[NETNS_A]));
	print_message("veth gone from B %llu ms after A was released\n",
		      (unsigned long long)ms_until_gone(keep_b, home_fd, name_b));
	close(keep_b);
	assert_false(held("/proc/self/task", "/ns/net", &ns[NETNS_B]));
	assert_false(held("/proc/self/fd", "", &ns[NETNS_B]));
	close(home_fd);
	assert_int_equal(count_fds(), before);
}

static void test_release_twice_and_zeroed(void **state)
{
	struct netns_pair zeroed;
	bool stdin_open = fcntl(0, F_GETFD) >= 0;
	int before = count_fds(), reused;

	(void)state;
	memset(&zeroed, 0, sizeof(zeroed));
	netns_pair_release(&zeroed); /* its fds are 0: stdin, not a namespace's */
	netns_pair_release(&zeroed);
	assert_int_equal(fcntl(0, F_GETFD) >= 0, stdin_open);
	create_or_skip(&made);
	netns_pair_release(&made);
	assert_int_equal(count_fds(), before);
	reused = open("/dev/null", O_RDONLY | O_CLOEXEC); /* may take a number the pair had */
	assert_true(reused >= 0);
	netns_pair_release(&made);
	assert_true(fcntl(reused, F_GETFD) >= 0);
	close(reused);
	assert_int_equal(count_fds(), before);
}

/*
 * In a child with only fds 0-2 and room for k more, create runs out of fds at its k-th
 * (home, A, A's route socket, B, B's route socket): 0 when all went well, else the check
 * that failed.
 */
static int create_with_fds(int k)
{
	struct rlimit lim, tight;
	struct netns_pair p;
	ino_t home = thread_netns();
	int fd, r;

	if (getrlimit(RLIMIT_NOFILE, &lim) < 0 || close_range(3, ~0U, 0) < 0)
		return 10;
	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return 12; /* fill 0-2 if they were closed */
	tight = lim;
	tight.rlim_cur = (rlim_t)(2 + k);
	if (setrlimit(RLIMIT_NOFILE, &tight) < 0)
		return 11;
	r = netns_pair_create(&p);
	setrlimit(RLIMIT_NOFILE, &lim);
	if (k <= 5 && r != -EMFILE)
		return 1;
	if (k > 5) {
		if (r != 0)
			return 2;
		netns_pair_release(&p);
	}
	if (p.orig_fd != -1 || p.ns_fd[NETNS_A] != -1 || p.ns_fd[NETNS_B] != -1)
		return 3;
	netns_pair_release(&p);
	if (thread_netns() != home)
		return 4;
	return count_fds() == 3 ? 0 : 5;
}

static void test_failed_create_leaves_nothing(void **state)
{
	int k, status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0) {
		print_message("network namespaces need root: skipped\n");
		skip();
	}
	for (k = 1; k <= 6; k++) {
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(create_with_fds(k));
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status))
			print_message("with room for %d fds: check %d failed\n", k,
				      WEXITSTATUS(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

/* 0 when create, as uid 65534 (or as the non-root caller), was -EPERM and left nothing. */
static int create_unprivileged(void)
{
	struct netns_pair p;
	ino_t home;
	int fds, r;

	if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
			       setresuid(65534, 65534, 65534) < 0))
		return 10;
	home = thread_netns();
	fds = count_fds();
	r = netns_pair_create(&p);
	if (r != -EPERM)
		return 1;
	if (p.orig_fd != -1 || p.ns_fd[NETNS_A] != -1 || p.ns_fd[NETNS_B] != -1)
		return 2;
	netns_pair_release(&p);
	if (thread_netns() != home)
		return 3;
	return count_fds() == fds ? 0 : 4;
}

static void test_unprivileged_gets_eperm(void **state)
{
	int status;
	pid_t pid = fork();

	(void)state;
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(create_unprivileged());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_datagram_crosses_the_veth, teardown),
		cmocka_unit_test_teardown(test_each_end_on_its_own_side, teardown),
		cmocka_unit_test_teardown(test_release_leaves_nothing, teardown),
		cmocka_unit_test_teardown(test_release_twice_and_zeroed, teardown),
		cmocka_unit_test(test_failed_create_leaves_nothing),
		cmocka_unit_test(test_unprivileged_gets_eperm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
