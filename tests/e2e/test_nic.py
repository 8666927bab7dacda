# SPDX-License-Identifier: MIT
"""`nic2app nic --json` against ground truth: `ethtool --json -k` feature by feature (names,
order, active, fixed, requested), `ethtool -i/-g/-l/-c`, `ip -j -d link`, /proc/interrupts read
before and after; `--burst` against the counters the kernel keeps (/sys/class/net/lo/statistics,
/proc/softirqs); bad input."""
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile

from e2e import built, check, fail, nic2app, run, skip

NIC2APP_BUILT = built("nic2app")

ETHTOOL = shutil.which("ethtool") or shutil.which("/usr/sbin/ethtool") or "/usr/sbin/ethtool"
if not os.path.exists(ETHTOOL):
    skip("ethtool is not installed (scripts/deps.sh check installs it)")
if not os.path.exists("/sys/class/net/lo"):
    skip("no /sys/class/net/lo")


def ethtool(*args):
    return subprocess.run([ETHTOOL, *args], capture_output=True, text=True, timeout=30)


def ethtool_features(ifname):
    """`ethtool --json -k` as an ordered list of (name, {active, fixed, requested})."""
    r = ethtool("--json", "-k", ifname)
    if r.returncode == 0:
        d = json.loads(r.stdout)[0]
        d.pop("ifname")
        return list(d.items())
    # ethtool without --json for -k: read the text ("name: on [fixed]", a tab for members)
    r = ethtool("-k", ifname)
    check(r.returncode == 0, f"ethtool -k {ifname}: {r.stderr}")
    rows = []
    for line in r.stdout.splitlines()[1:]:
        m = re.match(r"\t?([^:]+): (on|off)(.*)", line)
        rows.append((m.group(1), {"active": m.group(2) == "on", "text": m.group(3)}))
    return rows


def ethtool_numbers(args, ifname):
    """The "Current hardware settings" block of ethtool -g/-l, or -c's lines, as a dict."""
    r = ethtool(*args, ifname)
    if r.returncode != 0:
        return None
    text = r.stdout
    if "Current hardware settings:" in text:
        text = text.split("Current hardware settings:")[1]
    out = {}
    for m in re.finditer(r"^([A-Za-z -]+):\s+(\d+)\s*$", text, re.M):
        out[m.group(1).strip()] = int(m.group(2))
    return out


def interrupts():
    """/proc/interrupts as {irq: (name, total)}."""
    out = {}
    with open("/proc/interrupts") as f:
        ncpu = len(f.readline().split())
        for line in f:
            parts = line.split()
            if not parts[0].rstrip(":").isdigit():
                continue
            counts = [int(x) for x in parts[1:1 + ncpu]]
            out[int(parts[0].rstrip(":"))] = (" ".join(parts[1 + ncpu + 2:]), sum(counts))
    return out


def net_rx_softirqs():
    with open("/proc/softirqs") as f:
        for line in f:
            if line.strip().startswith("NET_RX:"):
                return [int(x) for x in line.split()[1:]]
    fail("no NET_RX in /proc/softirqs")


def sys_stat(ifname, name):
    with open(f"/sys/class/net/{ifname}/statistics/{name}") as f:
        return int(f.read())


def load(r, what):
    check(r.returncode == 0, f"{what}: exit {r.returncode}: {r.stderr.decode(errors='replace')}")
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        fail(f"{what}: not JSON: {e}")


# --- the default interfaces: lo and the default route's device
irq_before = interrupts()
d = load(nic2app("nic", "--json"), "nic --json")
irq_after = interrupts()
names = [i["ifname"] for i in d["interfaces"]]
routes = json.loads(subprocess.run(["ip", "-j", "route", "show", "default"], capture_output=True,
                                   text=True).stdout or "[]")
want = ["lo"] + [r["dev"] for r in routes[:1] if r.get("dev") and r["dev"] != "lo"]
check(names == want, f"default interfaces {names}, ip route says {want}")
check(d["bursts"] == [], f"bursts without --burst: {d['bursts']}")

for nic in d["interfaces"]:
    ifname = nic["ifname"]
    # features: ethtool's keys, in ethtool's order, with its values
    theirs = ethtool_features(ifname)
    ours = list(nic["features"].items())
    check([k for k, _ in ours] == [k for k, _ in theirs],
          f"{ifname}: feature names differ from ethtool -k:\n ours   {[k for k, _ in ours]}\n"
          f" theirs {[k for k, _ in theirs]}")
    for (name, o), (_, t) in zip(ours, theirs):
        check(o["active"] == t["active"], f"{ifname} {name}: active {o} vs ethtool {t}")
        if "fixed" in t:
            check(o["fixed"] == t["fixed"] and o["requested"] == t["requested"],
                  f"{ifname} {name}: {o} vs ethtool {t}")
        else:
            check((o["fixed"] is True) == ("[fixed]" in t["text"]), f"{ifname} {name}: {o} vs {t}")

    # driver: ethtool -i, which fails on lo as ETHTOOL_GDRVINFO does for us
    r = ethtool("-i", ifname)
    if r.returncode == 0:
        drv = re.search(r"^driver: (.*)$", r.stdout, re.M).group(1)
        check(nic["driver"] == drv, f"{ifname}: driver {nic['driver']!r}, ethtool -i says {drv!r}")
        bus = re.search(r"^bus-info: (.*)$", r.stdout, re.M).group(1)
        check(nic["driver_info"]["bus_info"] == bus, f"{ifname}: bus {nic['driver_info']}")
    else:
        check(nic["driver"] is None, f"{ifname}: driver {nic['driver']!r} but ethtool -i failed")

    # the link: ip -j -d link
    link = json.loads(subprocess.run(["ip", "-j", "-d", "link", "show", "dev", ifname],
                                     capture_output=True, text=True).stdout)[0]
    for key in ("ifindex", "mtu", "gso_max_size", "gso_max_segs", "gro_max_size", "tso_max_size",
                "tso_max_segs", "num_tx_queues", "num_rx_queues", "qdisc", "operstate"):
        if key in link:
            check(nic[key] == link[key], f"{ifname} {key}: ours {nic[key]}, ip says {link[key]}")
    check(nic["mtu"] == link["mtu"] and nic["gso_max_size"] == link["gso_max_size"],
          f"{ifname}: mtu/gso_max_size missing from ip -j -d link")

    # rings, channels, coalescing: ethtool -g/-l/-c (null where the driver has none)
    rings = ethtool_numbers(["-g"], ifname)
    check((rings is None) == (nic["rings"] is None), f"{ifname}: rings {nic['rings']} vs {rings}")
    if rings:
        check(nic["rings"]["rx"] == rings["RX"] and nic["rings"]["tx"] == rings["TX"],
              f"{ifname}: rings {nic['rings']} vs ethtool -g {rings}")
    chans = ethtool_numbers(["-l"], ifname)
    check((chans is None) == (nic["channels"] is None), f"{ifname}: channels {nic['channels']}")
    if chans and "Combined" in chans:
        check(nic["channels"]["combined_count"] == chans["Combined"],
              f"{ifname}: channels {nic['channels']} vs ethtool -l {chans}")
    co = ethtool_numbers(["-c"], ifname)
    check((co is None) == (nic["coalesce"] is None), f"{ifname}: coalesce {nic['coalesce']}")
    for theirs_key, ours_key in (("rx-usecs", "rx_usecs"), ("rx-frames", "rx_max_frames"),
                                 ("tx-usecs", "tx_usecs"), ("tx-frames", "tx_max_frames")):
        if co and theirs_key in co:
            check(nic["coalesce"][ours_key] == co[theirs_key],
                  f"{ifname} {ours_key}: {nic['coalesce']} vs ethtool -c {co}")

    # interrupts: each line ours, counted between our two reads of /proc/interrupts
    for q in nic["irqs"]:
        name, lo_count = irq_before[q["irq"]]
        _, hi_count = irq_after[q["irq"]]
        check(q["name"] == name, f"{ifname} irq {q['irq']}: name {q['name']!r} vs {name!r}")
        check(lo_count <= q["count"] <= hi_count and sum(q["per_cpu"]) == q["count"],
              f"{ifname} irq {q}: /proc/interrupts said {lo_count} then {hi_count}")
    dev = os.path.realpath(f"/sys/class/net/{ifname}/device") \
        if os.path.exists(f"/sys/class/net/{ifname}/device") else None
    if dev is None:
        check(nic["irqs"] == [] and nic["irq_source"] == "none", f"{ifname}: irqs {nic['irqs']}")
    elif os.path.basename(dev).startswith("virtio"):
        prefix = os.path.basename(dev) + "-"
        theirs = sorted(i for i, (n, _) in irq_before.items() if n.startswith(prefix))
        check(sorted(q["irq"] for q in nic["irqs"]) == theirs,
              f"{ifname}: irqs {[q['irq'] for q in nic['irqs']]}, /proc/interrupts {prefix}*: {theirs}")

# lo: the offload facts the lesson states
lo = d["interfaces"][0]
check(lo["features"]["tx-checksum-ip-generic"] == {"active": True, "fixed": True,
                                                   "requested": False}, f"lo csum: {lo['features']}")
check(lo["mtu"] == 65536 or lo["mtu"] > 0, "lo mtu")

# text mode says the same things
r = nic2app("nic", "lo")
check(r.returncode == 0 and b"tx-checksum-ip-generic" in r.stdout and b"CHECKSUM_PARTIAL" in r.stdout,
      f"nic lo text: {r.stdout[:300]!r}")

# --- --burst over lo: the kernel's own counters moved at least as much as we say
tx0 = sys_stat("lo", "tx_packets")
sirq0 = net_rx_softirqs()
b = load(nic2app("nic", "lo", "--burst", "--json"), "nic lo --burst --json")
tx1 = sys_stat("lo", "tx_packets")
sirq1 = net_rx_softirqs()
check(len(b["bursts"]) == 1, f"bursts: {b['bursts']}")
lb = b["bursts"][0]
check(lb["path"] == "lo" and lb["device"] == "lo" and lb["driver"] is None, f"burst: {lb}")
check(lb["sent"] == 2000 and lb["received"] == lb["sent"], f"lo burst lost datagrams: {lb}")
check(lb["sent"] <= lb["device_packets"]["tx"] <= tx1 - tx0,
      f"lo tx packets {lb['device_packets']} vs sent {lb['sent']} and sysfs +{tx1 - tx0}")
check(lb["device_irq_lines"] == 0 and lb["device_irqs"] == 0, f"lo has interrupts? {lb}")
cpu = lb["cpu"]
check(0 < lb["net_rx_softirqs"][cpu] <= sirq1[cpu] - sirq0[cpu],
      f"NET_RX on CPU {cpu}: ours {lb['net_rx_softirqs']}, /proc/softirqs +{sirq1[cpu] - sirq0[cpu]}")
# every lo packet is taken off the sender CPU's backlog by the NET_RX softirq (no RPS here)
row = [s for s in lb["softnet"] if s["cpu"] == cpu]
check(row and row[0]["processed"] >= lb["sent"], f"softnet on CPU {cpu}: {lb['softnet']}")

# --- --burst over veth (root): a software driver, no interrupt, nothing left behind
if os.geteuid() == 0 and len(want) > 1:
    other = want[1]
    b = load(nic2app("nic", other, "--burst", "--json"), f"nic {other} --burst --json")
    check(len(b["bursts"]) == 1, f"bursts: {b['bursts']}")
    vb = b["bursts"][0]
    check(vb["path"] == "veth" and vb["driver"] == "veth", f"veth burst: {vb}")
    check(vb["received"] == vb["sent"] == 2000, f"veth burst lost datagrams: {vb}")
    check(vb["device_packets"]["tx"] >= vb["sent"] and vb["device_packets"]["rx"] >= vb["sent"],
          f"veth counters: {vb['device_packets']}")
    check(vb["device_irqs"] == 0, f"veth interrupts: {vb}")
    check(vb["watch"]["ifname"] == other, f"watch: {vb.get('watch')}")
    left = [p for p in glob.glob("/sys/class/net/*") if os.path.basename(p) == vb["device"]]
    check(not left, f"veth end {vb['device']} left behind")

# --- without privileges: the veth burst cannot run (exit 3, said why), lo's still does
if os.geteuid() == 0 and len(want) > 1 and shutil.which("setpriv"):
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        copy = shutil.copy(NIC2APP_BUILT, tmp)
        os.chmod(copy, 0o755)
        r = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", copy, "nic",
                 "--burst", "--json"], cwd="/")
    check(r.returncode == 3 and b"CAP_SYS_ADMIN" in r.stderr, f"unprivileged burst: {r}")
    u = json.loads(r.stdout)
    check([x["path"] for x in u["bursts"]] == ["lo"], f"unprivileged bursts: {u['bursts']}")
    check(len(u["interfaces"]) == len(want), "unprivileged: interfaces missing")

# --- bad input
r = nic2app("nic", "nosuchif0")
check(r.returncode == 1 and b"no interface 'nosuchif0'" in r.stderr, f"unknown iface: {r}")
check(r.stdout == b"", "output for an unknown interface")
r = nic2app("nic", "--bogus")
check(r.returncode == 2 and b"--help" in r.stderr, f"bad option: {r}")
r = nic2app("nic", "a/b")
check(r.returncode == 2, f"bad name: {r}")
r = nic2app("nic", "--help")
check(r.returncode == 0 and r.stdout.startswith(b"usage: nic2app nic"), f"--help: {r}")
