#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make_corpus: (re)write the fuzz targets' seed corpora, tests/fuzz/corpus/NAME/, from the
recordings in tests/data (copied, or put in the shape the target reads) and a few inputs made
here for what no recording shows. Run from anywhere; the result is committed.
  tests/fuzz/make_corpus.py"""
import os
import shutil
import struct

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DATA = os.path.join(ROOT, "tests", "data")
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")

# enum jevent_kind's order, as tracefs names the events' format files
KINDS = ["sys_enter_sendto", "net_dev_queue", "net_dev_start_xmit", "netif_rx",
         "netif_receive_skb", "sk_data_ready", "sched_wakeup", "sched_switch",
         "skb_copy_datagram_iovec", "sys_exit_recvmsg"]


def read(*path):
    with open(os.path.join(DATA, *path), "rb") as f:
        return f.read()


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def copy_dir(target, prefix, *path):
    d = os.path.join(DATA, *path)
    for name in sorted(os.listdir(d)):
        if os.path.isfile(os.path.join(d, name)):
            write(target, prefix + name, read(*path, name))


def fdinfo():
    copy_dir("fdinfo", "proc_4242_", "proc", "4242", "fdinfo")
    write("fdinfo", "inotify", "pos:\t0\nflags:\t02000000\nmnt_id:\t15\nino:\t1057\n"
          "inotify wd:1 ino:2 sdev:800001 mask:fff ignored_mask:0 fhandle-bytes:8 "
          "fhandle-type:1 f_handle:0200000000000000\n")
    write("fdinfo", "fanotify", "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1057\n"
          "fanotify flags:0 event-flags:0\nfanotify mnt_id:1c mflags:0 mask:3b ignored_mask:0\n")
    write("fdinfo", "io_uring", "pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t1057\n"
          "SqMask:\t0x7\nSqHead:\t0\nSqTail:\t0\nCachedSqHead:\t0\nCqMask:\t0xf\nCqHead:\t0\n"
          "CqTail:\t0\nCachedCqTail:\t0\nSQEs:\t0\nCQEs:\t0\nSqEntries:\t8\nCqEntries:\t16\n")
    for i, link in enumerate(["socket:[6525284]", "pipe:[1001]", "anon_inode:[eventfd]",
                              "anon_inode:inotify", "/memfd:buf (deleted)", "timerfd"]):
        write("fdinfo", "link_%d" % i, link)


def limits():
    write("limits", "proc_4242_limits", read("proc", "4242", "limits"))
    write("limits", "file-nr", read("proc", "sys", "fs", "file-nr"))
    rows = [("Max cpu time", "unlimited", "unlimited", "seconds"),
            ("Max file size", "unlimited", "unlimited", "bytes"),
            ("Max data size", "unlimited", "unlimited", "bytes"),
            ("Max stack size", "8388608", "unlimited", "bytes"),
            ("Max core file size", "0", "unlimited", "bytes"),
            ("Max resident set", "unlimited", "unlimited", "bytes"),
            ("Max processes", "63446", "63446", "processes"),
            ("Max open files", "1024", "524288", "files"),
            ("Max locked memory", "8388608", "8388608", "bytes"),
            ("Max address space", "unlimited", "unlimited", "bytes"),
            ("Max file locks", "unlimited", "unlimited", "locks"),
            ("Max pending signals", "63446", "63446", "signals"),
            ("Max msgqueue size", "819200", "819200", "bytes"),
            ("Max nice priority", "0", "0", ""),
            ("Max realtime priority", "0", "0", ""),
            ("Max realtime timeout", "unlimited", "unlimited", "us")]
    text = "%-25s %-20s %-20s %-10s\n" % ("Limit", "Soft Limit", "Hard Limit", "Units")
    text += "".join("%-25s %-20s %-20s %-10s\n" % r for r in rows)
    write("limits", "every_resource", text)


def proc_net():
    copy_dir("proc_net", "", "proc_net")
    copy_dir("proc_net", "proc_4242_", "proc", "4242", "net")


def sock_diag():
    for name in sorted(os.listdir(DATA)):
        if name.endswith(".bin") and "diag" in name:
            write("sock_diag", name[:-4], read(name))


def tstamp():
    for name in sorted(os.listdir(DATA)):
        if name.startswith("tstamp_") and name.endswith(".bin"):
            write("tstamp", name[:-4], read(name))


def trace_input(d, pages, sender=0, receiver=0, min_len=0, proto=0, flags=0, windows=()):
    """TEXT '\\0' PARAMS PAGES, as tests/fuzz/fuzz_trace.c reads it."""
    text = b""
    for k in KINDS:
        path = os.path.join(DATA, d, "format_" + k)
        text += (read(d, "format_" + k) if os.path.exists(path) else b"") + b"\n%%\n"
    params = struct.pack("<iiIIBBH", sender, receiver, min_len, 0, proto, flags, len(windows))
    params += b"".join(struct.pack("<QQ", s, r) for s, r in windows)
    return text + b"\0" + params + pages


def trace():
    write("trace", "trace_cpu1", trace_input("trace", read("trace", "cpu1.raw")))
    for proto in ("udp", "tcp"):
        d = "journey_" + proto
        m = read(d, "manifest").decode().split("\n")
        kv = dict(line.split(" ", 1) for line in m if line and not line.startswith("packet "))
        windows = [tuple(int(x) for x in line.split()[1:3]) for line in m
                   if line.startswith("packet ")]
        pages = b"".join(read(d, "cpu%d.raw" % cpu) for cpu in (0, 1))
        size = int(kv["size"])
        write("trace", d, trace_input(
            d, pages, int(kv["sender_tid"]), int(kv["receiver_tid"]),
            size + (54 if proto == "tcp" else 42), 6 if proto == "tcp" else 17,
            1 if proto == "tcp" else 0, windows))


def frame(body):
    return struct.pack(">I", len(body)) + body


def peer():
    # the first byte: how many bytes the client sends at a time (0: all at once)
    echo = b"N2A1E\0\0\0" + frame(b"hello") + frame(bytes(range(256)) * 4)
    write("peer", "echo_whole", b"\0" + echo)
    write("peer", "echo_bytewise", b"\1" + echo)
    write("peer", "echo_by_3", b"\3" + echo)
    write("peer", "sink", b"\7" + b"N2A1S\0\0\0" + b"x" * 300)
    write("peer", "sink_empty", b"\0" + b"N2A1S\0\0\0")
    write("peer", "bad_magic", b"\0GET / HTTP/1.0\r\n\r\n")
    write("peer", "bad_mode", b"\0N2A1X\0\0\0")
    write("peer", "frame_zero", b"\0N2A1E\0\0\0\0\0\0\0")
    write("peer", "frame_too_long", b"\0N2A1E\0\0\0\0\1\0\1")
    write("peer", "frame_cut", b"\2N2A1E\0\0\0\0\0\1\0abc")
    for i, addr in enumerate(["127.0.0.1:7701", "[::1]:7701", "7701", "host:0",
                              "[fe80::1%lo]:80", "0.0.0.0:65535"]):
        write("peer", "addr_%d" % i, b"\0" + addr.encode())


def nic():
    """lib/nic: the selector byte (see fuzz_nic.c), then the recorded reply or text."""
    for i, kind in enumerate(("rings", "channels", "coalesce")):
        write("nic", kind, bytes([i]) + read("nic", f"eth0_{kind}.bin"))
    for ifname in ("lo", "eth0"):
        write("nic", f"link_{ifname}", b"\3" + read("nic", f"{ifname}_link.bin"))
        names = read("nic", "feature_names.bin")
        write("nic", f"features_{ifname}", b"\4" + struct.pack("<H", len(names)) + names +
              read("nic", f"{ifname}_features.bin"))
    for name in ("interrupts", "softirqs", "softnet_stat"):
        write("nic", name, b"\5" + read("nic", name))


def export_http():
    write("export_http", "prometheus_scrape",
          b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9877\r\nUser-Agent: Prometheus/2.42.0+ds\r\n"
          b"Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
          b"version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n"
          b"Accept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n")
    write("export_http", "head_bare_lf", b"HEAD / HTTP/1.0\n\n")
    write("export_http", "post", b"POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")
    write("export_http", "folded", b"GET /metrics HTTP/1.1\r\n folded: x\r\n\r\n")
    write("export_http", "tls_hello", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03")


def main():
    for target in (fdinfo, limits, proc_net, sock_diag, tstamp, trace, peer, nic, export_http):
        shutil.rmtree(os.path.join(CORPUS, target.__name__), ignore_errors=True)
        target()


if __name__ == "__main__":
    main()
