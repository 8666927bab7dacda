#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deps.sh: install the Debian packages nic2app needs to build and test, if any are missing
# (`deps.sh check`: and a browser for the report's tests; `deps.sh valgrind`: that and
# valgrind, for `make check-valgrind`; `deps.sh bench`: and the tools `make bench` compares
# it with).
# As root it runs apt-get; otherwise it prints the exact command and exits 1.
set -u

missing=()
need_pkg() { # need_pkg PACKAGE TEST-COMMAND...
	local pkg=$1; shift
	"$@" >/dev/null 2>&1 || missing+=("$pkg")
}

need_pkg gcc             command -v cc
need_pkg make            command -v make
need_pkg pkg-config      command -v pkg-config
need_pkg liburing-dev    pkg-config --exists liburing
need_pkg libmnl-dev      pkg-config --exists libmnl
need_pkg libcmocka-dev   pkg-config --exists cmocka
# for the end-to-end tests: python3 checks JSON, ss/ip are ground truth, script gives a TTY
need_pkg python3         test -x /usr/bin/python3
need_pkg iproute2        command -v ss
need_pkg bsdutils        command -v script
# the BPF engine of `nic2app fds` (lib/bpf/bpf.mk): without these it is left out, so a user
# who cannot install them is only told how (what counts as optional is in $optional)
optional="clang bpftool libbpf-dev libelf-dev"
need_pkg clang           command -v clang
need_pkg bpftool         command -v bpftool
need_pkg libbpf-dev      pkg-config --exists libbpf
need_pkg libelf-dev      pkg-config --exists libelf
# for `make check` (scripts/deps.sh check): a browser to render the report's page in, ethtool,
# and Prometheus (with promtool) to scrape the exporter and test the alert rules
if [ "${1:-}" = check ] || [ "${1:-}" = valgrind ]; then
	need_pkg chromium    command -v chromium
	# ground truth for `nic2app nic` (tests/e2e/test_nic.py): ethtool -k/-i/-g/-l/-c
	need_pkg ethtool     test -x /usr/sbin/ethtool -o -x /sbin/ethtool
	need_pkg prometheus  command -v promtool
fi
# for `make check-valgrind` (scripts/deps.sh valgrind): memcheck
if [ "${1:-}" = valgrind ]; then
	need_pkg valgrind    command -v valgrind
fi
# for `make bench` (scripts/deps.sh bench): the peers nic2app is measured beside
if [ "${1:-}" = bench ]; then
	need_pkg sockperf    command -v sockperf
	need_pkg iperf3      command -v iperf3
	need_pkg lsof        command -v lsof
	need_pkg util-linux  command -v lsfd
	need_pkg prometheus-node-exporter command -v prometheus-node-exporter
fi

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "nic2app: missing Debian packages: ${missing[*]}" >&2
	echo "nic2app: install them as root with: sudo $cmd" >&2
	# the BPF engine is left out when its tools are missing; the browser, ethtool and
	# Prometheus are only for tests (the report's page, `nic2app nic`, the exporter) that say
	# they were skipped without them
	test_tools="chromium ethtool prometheus"
	for pkg in "${missing[@]}"; do
		case " $optional " in *" $pkg "*) continue ;; esac
		case " $test_tools " in
		*" $pkg "*) { [ "${1:-}" = check ] || [ "${1:-}" = valgrind ]; } && continue ;;
		esac
		exit 1
	done
	exit 0
fi

echo "nic2app: installing missing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || { echo "nic2app: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends ${missing[*]} >&2 ||
	{ echo "nic2app: '$cmd' failed" >&2; exit 1; }
exit 0
