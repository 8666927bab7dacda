// SPDX-License-Identifier: MIT
/* cmd_nic: `nic2app nic [IFACE...] [--burst] [--json]`: the module's NIC section, measured. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "nic2app/json.h"
#include "nic2app/nic.h"
#include "nic2app/nic_burst.h"
#include "nic2app/nic_render.h"
#include "nic2app/render.h"

#define IFACES_MAX 16
#define BURST_COUNT 2000
#define BURST_SIZE 1000

static void usage(void)
{
	fputs("usage: nic2app nic [IFACE...] [--burst] [--json]\n"
	      "\n"
	      "The network interface as the kernel describes it: driver (ETHTOOL_GDRVINFO), MTU,\n"
	      "GSO/GRO/TSO maximum sizes, queues, the offload features as `ethtool -k` names them\n"
	      "(ethtool netlink; SIOCETHTOOL when the kernel has none), rings, channels and\n"
	      "coalescing where the driver offers them, and the interrupt lines the device owns\n"
	      "(/proc/interrupts). Without IFACE: lo and the default route's device.\n"
	      "\n"
	      "  --burst    also send 2000 UDP datagrams and show what moved: the device's packets,\n"
	      "             its interrupts, NET_RX softirqs and softnet_stat per CPU. lo is driven\n"
	      "             over 127.0.0.1; for any other IFACE the traffic goes over a veth pair\n"
	      "             between two private network namespaces (needs root; removed after),\n"
	      "             never onto IFACE's network, and IFACE's own counters are watched\n"
	      "  --json     one JSON object: {\"interfaces\":[...],\"bursts\":[...]}\n"
	      "  -h, --help this text\n"
	      "\n"
	      "Exit status: 0 ok; 1 an interface cannot be read (e.g. no such interface);\n"
	      "2 usage; 3 the veth burst needs privileges this process lacks (lo's still ran).\n",
	      stdout);
}

/* lo and the default route's device (when there is one and it is not lo). */
static size_t default_ifaces(char names[][IF_NAMESIZE])
{
	size_t n = 0;

	strcpy(names[n++], "lo");
	if (nic_default_route_dev(names[n]) == 0 && strcmp(names[n], "lo") != 0)
		n++;
	return n;
}

/* Run the bursts the interfaces call for: lo's when lo is named, veth's when another is
 * (watching the first such one). Returns the exit code. */
static int run_bursts(char names[][IF_NAMESIZE], size_t n, struct nic_burst *bursts,
		      size_t *nbursts)
{
	const char *other = NULL;
	bool lo = false;
	int code = EXIT_OK, r;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], "lo") == 0)
			lo = true;
		else if (!other)
			other = names[i];
	}
	cli_stop_catch();
	if (lo) {
		r = nic_burst_run(NIC_BURST_LO, BURST_COUNT, BURST_SIZE, other,
				  (volatile int *)&cli_stop_signal, &bursts[*nbursts]);
		if (r == 0)
			(*nbursts)++;
		else if (r != -EINTR) {
			cli_error("cannot run the burst over lo: %s", strerror(-r));
			code = EXIT_RUNTIME;
		}
	}
	if (other && !cli_stop_signal) {
		r = nic_burst_run(NIC_BURST_VETH, BURST_COUNT, BURST_SIZE, other,
				  (volatile int *)&cli_stop_signal, &bursts[*nbursts]);
		if (r == 0) {
			(*nbursts)++;
		} else if (r == -EPERM) {
			cli_error("the veth burst needs CAP_SYS_ADMIN (private network namespaces): "
				  "not run; %s", lo ? "lo's burst ran" : "try: nic2app nic lo --burst");
			code = EXIT_NOT_HERE;
		} else if (r != -EINTR) {
			cli_error("cannot run the burst over veth: %s", strerror(-r));
			code = EXIT_RUNTIME;
		}
	}
	cli_stop_restore();
	return cli_stop_signal ? 128 + cli_stop_signal : code;
}

static int render(struct nic_info *infos, size_t n, const struct nic_burst *bursts,
		  size_t nbursts, bool json)
{
	struct strbuf sb = STRBUF_INIT;
	bool colour = !json && colour_wanted(STDOUT_FILENO);
	struct json j;
	int err = 0;

	if (json) {
		json_init(&j, &sb);
		json_object_begin(&j, NULL);
		json_array_begin(&j, "interfaces");
		for (size_t i = 0; i < n; i++)
			nic_json(&j, NULL, &infos[i]);
		json_array_end(&j);
		json_array_begin(&j, "bursts");
		for (size_t i = 0; i < nbursts; i++)
			nic_burst_json(&j, NULL, &bursts[i]);
		json_array_end(&j);
		json_object_end(&j);
		if (!(err = json_finish(&j)))
			strbuf_addc(&sb, '\n');
	} else {
		for (size_t i = 0; i < n; i++)
			nic_render_text(&sb, &infos[i], colour);
		for (size_t i = 0; i < nbursts; i++)
			nic_burst_render_text(&sb, &bursts[i], colour);
	}
	if (err)
		cli_error("cannot format the JSON output: %s", strerror(-err));
	else
		cli_emit(&sb);
	strbuf_release(&sb);
	return err ? EXIT_RUNTIME : EXIT_OK;
}

static int parse_args(int argc, char **argv, bool *json, bool *burst, char names[][IF_NAMESIZE],
		      size_t *n)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "burst", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			*json = true;
			break;
		case 'b':
			*burst = true;
			break;
		case 'h':
			usage();
			return -1;
		default:
			return cli_bad_option("nic", argc, argv, optopt);
		}
	}
	for (; optind < argc; optind++) {
		if (*n == IFACES_MAX)
			return cli_usage_error("nic", "at most %d interfaces", IFACES_MAX);
		if (argv[optind][0] == '\0' || strlen(argv[optind]) >= IF_NAMESIZE ||
		    strchr(argv[optind], '/'))
			return cli_usage_error("nic", "'%s' is not an interface name", argv[optind]);
		strcpy(names[(*n)++], argv[optind]);
	}
	return 0;
}

int cmd_nic(int argc, char **argv)
{
	char names[IFACES_MAX][IF_NAMESIZE];
	struct nic_info *infos = NULL;
	struct nic_burst *bursts = NULL;
	bool json = false, burst = false;
	size_t n = 0, nbursts = 0;
	int code, r;

	if ((code = parse_args(argc, argv, &json, &burst, names, &n)) != 0)
		return code < 0 ? EXIT_OK : code;
	if (n == 0)
		n = default_ifaces(names);
	infos = calloc(n, sizeof(*infos));
	bursts = calloc(2, sizeof(*bursts));
	if (!infos || !bursts) {
		cli_error("out of memory");
		code = EXIT_RUNTIME;
		goto out_free;
	}
	for (size_t i = 0; i < n; i++)
		if ((r = nic_collect(names[i], &infos[i])) < 0) {
			if (r == -ENODEV)
				cli_error("no interface '%s' here (see: ip link)", names[i]);
			else
				cli_error("cannot read interface '%s': %s", names[i], strerror(-r));
			code = EXIT_RUNTIME;
			goto out_free;
		}
	code = burst ? run_bursts(names, n, bursts, &nbursts) : EXIT_OK;
	if (code < 128 && (r = render(infos, n, bursts, nbursts, json)) != EXIT_OK)
		code = r;
out_free:
	free(infos);
	free(bursts);
	return code;
}
