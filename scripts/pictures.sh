#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pictures.sh: the README's picture, made as a user would: `nic2app journey --svg`, then the
# SVG rendered by headless Chromium into docs/journey-waterfall.png. Run by `make pictures`.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
command -v chromium >/dev/null || { echo "pictures.sh: chromium is missing (scripts/deps.sh check installs it)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$BUILD/nic2app" journey --proto tcp --cpus same --svg "$work/journey.svg" >/dev/null
# the window is the picture's own size, read from its root element
size=$(sed -n 's/^<svg [^>]* width="\([0-9.]*\)" height="\([0-9.]*\)".*/\1 \2/p' "$work/journey.svg" | head -1)
width=$(printf '%.0f' "${size% *}")
height=$(printf '%.0f' "${size#* }")
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
	--user-data-dir="$work/profile" --window-size="$width,$height" \
	--screenshot="$work/journey.png" "file://$work/journey.svg" >/dev/null 2>&1
cp "$work/journey.png" docs/journey-waterfall.png
echo "pictures.sh: wrote docs/journey-waterfall.png (${width}x${height})"
