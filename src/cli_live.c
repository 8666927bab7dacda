// SPDX-License-Identifier: MIT
/* cli_live: what a failed load of the --live BPF programs means, for journey and exporter. */
#include <errno.h>
#include <string.h>

#include "cli.h"

int cli_live_failure(const char *cmd, int err, const char *const alt[3])
{
	if (err == -EPERM || err == -EACCES) {
		cli_error("%s: --live needs root (CAP_BPF and CAP_PERFMON, to load BPF programs); %s",
			  cmd, alt[0]);
		return EXIT_NOT_HERE;
	}
	if (err == -EOPNOTSUPP) {
		cli_error("%s: --live needs the BPF engine, which this nic2app was built without "
			  "(clang, bpftool, libbpf or BTF were missing); %s", cmd, alt[1]);
		return EXIT_NOT_HERE;
	}
	if (err == -ENOENT || err == -EINVAL || err == -ESRCH || err == -E2BIG) {
		cli_error("%s: --live cannot load its BPF programs here (%s): the kernel lacks BTF "
			  "tracepoints (tp_btf) or one of net_dev_queue, netif_receive_skb, "
			  "sk_data_ready, sock_recv_length; %s", cmd, strerror(-err), alt[2]);
		return EXIT_NOT_HERE;
	}
	cli_error("%s: --live failed: %s", cmd, strerror(-err));
	return EXIT_RUNTIME;
}
