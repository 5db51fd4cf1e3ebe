#!/bin/sh
# The HTML report renders in a real browser: headless Chromium loads a page
# the report writer made (the synthetic run of test_report_html), takes a
# screenshot and dumps the DOM it built. The screenshot must be a PNG of the
# window's size that is not blank, and the rendered DOM must hold the summary
# (its headline first on the page) and a peak RSS chart beside each time
# chart.
# usage: html_chromium.sh CHROMIUM TEST_REPORT_HTML PYTHON3
set -eu
chromium=$1 writer=$2 python=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ALLOCLAB_HTML_SAMPLE="$tmp/report.html" "$writer" >/dev/null 2>&1
[ -s "$tmp/report.html" ] || { echo "no report written"; exit 1; }
# A fresh profile, nothing fetched or synced: the page is all there is.
run() {
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --user-data-dir="$tmp/profile" \
        --window-size=1280,1600 "$@" "file://$tmp/report.html"
}
run --screenshot="$tmp/shot.png" >"$tmp/shot.log" 2>&1 || { cat "$tmp/shot.log"; exit 1; }
run --dump-dom >"$tmp/dom.html" 2>"$tmp/dom.log" || { cat "$tmp/dom.log"; exit 1; }
"$python" - "$tmp/shot.png" 1280 1600 <<'PY'
import struct, sys, zlib
path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, 'rb').read()
if data[:8] != b'\x89PNG\r\n\x1a\n':
    sys.exit('not a PNG')
pos, idat, w = 8, b'', None
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, colour = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
if (w, h) != (want_w, want_h):
    sys.exit('screenshot is %dx%d, not %dx%d' % (w, h, want_w, want_h))
raw = zlib.decompress(idat)
channels = {2: 3, 6: 4}.get(colour)
if depth != 8 or not channels or len(raw) != h * (1 + w * channels):
    sys.exit('unexpected PNG layout (depth %d, colour type %d)' % (depth, colour))
# Not blank: the rows differ from one another in many places. A blank page
# is one row repeated (rows filtered "up" are all zero after the first).
stride = 1 + w * channels
rows = {raw[i * stride + 1:(i + 1) * stride] for i in range(h)}
if len(rows) < h // 4:
    sys.exit('screenshot looks blank: %d distinct rows of %d' % (len(rows), h))
print('screenshot %dx%d, %d distinct rows of %d' % (w, h, len(rows), h))
PY
dom="$tmp/dom.html"
grep -q '<section id="summary">' "$dom" || { echo "rendered page has no summary"; exit 1; }
grep -q 'class="headline"' "$dom" || { echo "rendered page has no headline"; exit 1; }
time_charts=$(grep -o 'class="chart time"' "$dom" | wc -l)
rss_charts=$(grep -o 'class="chart rss"' "$dom" | wc -l)
[ "$time_charts" -ge 1 ] && [ "$rss_charts" = "$time_charts" ] ||
    { echo "time charts: $time_charts, RSS charts: $rss_charts"; exit 1; }
# The summary comes before the first chart.
first_summary=$(grep -n 'id="summary"' "$dom" | head -1 | cut -d: -f1)
first_chart=$(grep -n 'class="chart time"' "$dom" | head -1 | cut -d: -f1)
[ "$first_summary" -lt "$first_chart" ] || { echo "the summary is not first"; exit 1; }
echo "the HTML report renders: summary first, $time_charts time and $rss_charts RSS charts"
