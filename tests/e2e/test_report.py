# SPDX-License-Identifier: MIT
"""`nic2app report --html` and the `--svg` pictures, checked in a real browser: the page is one
self-contained file (no script, nothing fetched) that headless Chromium loads; in the DOM
Chromium builds, every chart is present with the expected number of bars (a waterfall bar
per stage of the method, a histogram panel per round trip, a ladder bar per zero-copy
result), and its screenshot is not blank. Every inline SVG is well-formed XML. A full disk
gives a clear error and leaves no file, whole or partial; bad input is exit 2."""
import glob
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import png
from e2e import check, nic2app, skip

CHROMIUM = shutil.which("chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]
STAGES = {"tracefs": {"UDP": 10, "TCP": 11}, "timestamping": {"UDP": 4, "TCP": 4}}


def chromium(url, profile, *extra):
    r = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, url],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, f"chromium exit {r.returncode}: {r.stderr[-400:]}")
    return r.stdout


def count_bars(dom, chart):
    """class="bar" elements inside each <svg data-chart=CHART> of the DOM, in order."""
    counts = []
    for m in re.finditer(rf'<svg[^>]*data-chart="{chart}".*?</svg>', dom, re.S):
        counts.append(len(re.findall(r'class="bar"', m.group(0))))
    return counts


with tempfile.TemporaryDirectory() as d:
    page = os.path.join(d, "report.html")
    r = nic2app("report", "--html", page, "--quick", timeout=300)
    check(r.returncode == 0, f"report: exit {r.returncode}: {r.stderr[-500:]!r}")
    check(os.listdir(d) == ["report.html"], f"left beside the page: {os.listdir(d)}")
    html = open(page, encoding="utf-8").read()

    # one file: no script, no fetched asset (the SVG namespace is a name, not a fetch)
    check("<script" not in html.lower(), "the page has a script")
    fetched = [u for u in re.findall(r'(?:src|href)\s*=\s*"([^"]+)"', html)]
    check(fetched == [], f"the page fetches: {fetched}")
    check(re.search(r"url\((?!#)", html) is None, "CSS fetches a url()")
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    check(len(svgs) == 4, f"{len(svgs)} charts in the page")
    for i, doc in enumerate(svgs):
        try:
            ET.fromstring(doc)
        except ET.ParseError as e:
            check(False, f"chart {i} is not well-formed XML: {e}")
    methods = re.findall(r"(UDP|TCP), 64 bytes, \d+ messages, method (\w+)", html)
    check(len(methods) == 2, f"journey captions: {methods}")
    want_waterfall = [STAGES[m][p] for p, m in methods]

    if not CHROMIUM:
        skip("chromium is not installed (scripts/deps.sh check installs it as root): "
             "the page was checked without a browser")
    profile = os.path.join(d, "profile")
    dom = chromium(f"file://{page}", profile, "--dump-dom")
    check(count_bars(dom, "waterfall") == want_waterfall,
          f"waterfall bars {count_bars(dom, 'waterfall')}, want {want_waterfall}")
    panels = set(re.findall(r'data-name="(rtt\.[a-z_.]+):\d+"', dom))
    want_rtt = 9 if os.cpu_count() >= 2 else 3
    check(len(panels) == want_rtt, f"histogram panels {sorted(panels)}")
    check(count_bars(dom, "zerocopy") == [9], f"zero-copy bars {count_bars(dom, 'zerocopy')}")
    for section in ("machine", "journey", "rtt", "zerocopy", "table", "fds"):
        check(f'id="{section}"' in dom, f"the browser's DOM lacks section {section}")
    check(len(re.findall(r'<tr data-type="', dom)) >= 4, "the fd summary lists fewer than 4 types")

    shot = os.path.join(d, "shot.png")
    chromium(f"file://{page}", profile, f"--screenshot={shot}", "--window-size=1200,3000")
    share, colours = png.ink(shot)
    check(share > 0.03 and colours >= 6, f"the screenshot looks blank: {share:.3f} inked, {colours} colours")

    # the same charts as standalone files
    for args in (["journey", "--cpus", "same", "--count", "300"], ["bench", "rtt", "zerocopy", "--quick"]):
        svg = os.path.join(d, f"{args[0]}.svg")
        r = nic2app(*args, "--svg", svg, timeout=300)
        check(r.returncode == 0, f"{args[0]} --svg: exit {r.returncode}: {r.stderr[-300:]!r}")
        root = ET.parse(svg).getroot()
        check(root.tag.endswith("svg"), f"{svg}: root {root.tag}")
        shot = os.path.join(d, f"{args[0]}.png")
        chromium(f"file://{svg}", profile, f"--screenshot={shot}", "--window-size=900,900")
        share, colours = png.ink(shot)
        check(share > 0.02 and colours >= 4, f"{args[0]} --svg renders blank: {share:.3f}, {colours}")

# a full disk: a tiny tmpfs the test mounts; clear error, exit 1, nothing left there
if os.geteuid() == 0:
    with tempfile.TemporaryDirectory() as d:
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", d]).returncode == 0:
            try:
                r = nic2app("report", "--html", os.path.join(d, "r.html"), "--quick", timeout=300)
                err = r.stderr.decode()
                check(r.returncode == 1 and "No space left on device" in err, f"full disk: {r.returncode} {err!r}")
                check(glob.glob(os.path.join(d, "*")) + glob.glob(os.path.join(d, ".*")) == [],
                      f"full disk left: {os.listdir(d)}")
            finally:
                subprocess.run(["umount", d])

for args, word in (([], "--html"), (["--html"], "--html"), (["--html", "x", "--pid", "0"], "'0'"),
                   (["--html", "x", "extra"], "'extra'")):
    r = nic2app("report", *args)
    check(r.returncode == 2 and word in r.stderr.decode(), f"report {args}: {r.returncode} {r.stderr!r}")
r = nic2app("bench", "syscall", "--svg", "x.svg")
check(r.returncode == 2 and b"--svg" in r.stderr, f"bench syscall --svg: {r.returncode} {r.stderr!r}")
print("ok")
