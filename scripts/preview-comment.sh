#!/usr/bin/env bash
# Renders a Markdown report (`incident-guard check --format markdown`) as GitHub shows a
# pull-request comment, and takes a screenshot of it: the pictures in docs/action.md.
#
# Usage: scripts/preview-comment.sh REPORT.md OUT.png [WIDTH]
#   REPORT.md  the comment body; OUT.png the screenshot; WIDTH in pixels (default 900).
#
# The Markdown is rendered with `marked` in its GitHub-flavoured mode and styled with
# `github-markdown-css` (both from the npm registry, installed into a temporary directory,
# nothing global), then loaded from a file into headless Chromium (Debian's `chromium`
# package) with the network off, which writes the screenshot. `<details>` stay folded,
# as GitHub shows them. Needs node, npm and chromium; says which is missing otherwise.
set -euo pipefail

(($# >= 2)) || { sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2; }
report="$1"
out="$2"
width="${3:-900}"
for tool in node npm chromium; do
    command -v "$tool" > /dev/null || { echo "preview-comment.sh: $tool is missing (chromium: apt-get install chromium)" >&2; exit 2; }
done
[[ -f "$report" ]] || { echo "preview-comment.sh: no such file: $report" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
(cd "$work" && npm install --silent --no-audit --no-fund marked@15 github-markdown-css@5 > /dev/null)

# The page: GitHub's comment width and styles, the report rendered by marked.
node - "$report" "$work/page.html" "$work/node_modules" << 'EOF'
const fs = require('fs');
const [report, page, modules] = process.argv.slice(2);
const { marked } = require(`${modules}/marked`);
const css = fs.readFileSync(`${modules}/github-markdown-css/github-markdown-light.css`, 'utf8');
const body = marked.parse(fs.readFileSync(report, 'utf8'), { gfm: true });
fs.writeFileSync(page, `<!doctype html><meta charset="utf-8">
<style>${css}
body { background: #fff; margin: 0; }
.comment { box-sizing: border-box; border: 1px solid #d0d7de; border-radius: 6px; margin: 16px; }
.comment header { background: #f6f8fa; border-bottom: 1px solid #d0d7de; padding: 8px 16px; font: 14px -apple-system, "Segoe UI", sans-serif; color: #57606a; }
.markdown-body { padding: 16px; }
</style>
<div class="comment"><header><b>github-actions</b> bot commented</header>
<article class="markdown-body">${body}</article></div>`);
EOF

# A tall window, then cut to the page's height: Chromium's --screenshot takes the window.
height=$(node -e "
const lines = require('fs').readFileSync(process.argv[1], 'utf8').split('\n').length;
console.log(Math.min(4000, 200 + lines * 22));" "$report")
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="$width,$height" --screenshot="$out" "file://$work/page.html" 2> "$work/chromium.log" \
    || { cat "$work/chromium.log" >&2; exit 1; }
[[ -s "$out" ]] || { echo "preview-comment.sh: chromium wrote no screenshot" >&2; cat "$work/chromium.log" >&2; exit 1; }
echo "$out"
