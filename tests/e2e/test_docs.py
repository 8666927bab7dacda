# SPDX-License-Identifier: MIT
"""The documents hold together: README.md stays within the module's budget (at most 2,500
words, counted as wc -w counts them), every relative link in README.md and docs/*.md names a
file that exists (and a heading there, for #anchors), and every command `nic2app --help` lists
has its page docs/CMD.md, linked from docs/commands.md and README.md, that names each of the
command's options from `nic2app CMD --help`."""
import glob
import os
import re

from e2e import ROOT, check, nic2app

README_WORDS = 2500
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def prose(text):
    """The text without fenced code blocks (links there are not links)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    s = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return s.replace(" ", "-")


def anchors(path):
    seen, out = {}, set()
    for line in prose(open(path, encoding="utf-8").read()).splitlines():
        m = re.match(r"#{1,6}\s+(.*)", line)
        if not m:
            continue
        base = slug(m.group(1))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def check_links(path):
    here = os.path.dirname(path)
    for target in LINK.findall(prose(open(path, encoding="utf-8").read())):
        if re.match(r"[a-z]+:", target):
            continue  # http:, https:, mailto:
        file, _, frag = target.partition("#")
        dest = os.path.normpath(os.path.join(here, file)) if file else path
        name = os.path.relpath(path, ROOT)
        check(os.path.exists(dest), f"{name}: link to {target}: no such file")
        if frag and dest.endswith(".md"):
            check(frag in anchors(dest), f"{name}: link to {target}: no heading '#{frag}' there")


def commands():
    r = nic2app("--help")
    check(r.returncode == 0, f"nic2app --help: exit {r.returncode}")
    out = r.stdout.decode().split("Commands:\n", 1)
    check(len(out) == 2, "nic2app --help lists no commands")
    names = []
    for line in out[1].splitlines():
        m = re.match(r"  ([a-z]+)\s{2,}\S", line)
        if not m:
            break
        names.append(m.group(1))
    check(len(names) >= 5, f"nic2app --help: only {names} found")
    return names


def options(cmd):
    r = nic2app(cmd, "--help")
    check(r.returncode == 0, f"nic2app {cmd} --help: exit {r.returncode}")
    return set(re.findall(r"--[a-z][a-z-]+", r.stdout.decode())) - {"--help"}


readme = os.path.join(ROOT, "README.md")
words = len(open(readme, encoding="utf-8").read().split())
check(words <= README_WORDS, f"README.md has {words} words, more than {README_WORDS}")

docs = sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
for path in [readme] + docs:
    check_links(path)

index = prose(open(os.path.join(ROOT, "docs", "commands.md"), encoding="utf-8").read())
readme_links = set(LINK.findall(prose(open(readme, encoding="utf-8").read())))
for cmd in commands():
    page = os.path.join(ROOT, "docs", f"{cmd}.md")
    check(os.path.isfile(page), f"'nic2app {cmd}' has no page docs/{cmd}.md")
    check(f"({cmd}.md" in index, f"docs/commands.md does not link {cmd}.md")
    check(any(t.split("#")[0] == f"docs/{cmd}.md" for t in readme_links),
          f"README.md does not link docs/{cmd}.md")
    text = open(page, encoding="utf-8").read()
    missing = sorted(o for o in options(cmd) if o not in text)
    check(not missing, f"docs/{cmd}.md does not name {', '.join(missing)} (nic2app {cmd} --help)")

print(f"ok: README.md {words} words; links in {len(docs) + 1} files; every command has its page")
