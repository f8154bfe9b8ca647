#!/usr/bin/env bash
# The viewer's time-lapse under Xvfb (Export > Time-lapse; batch: --export-timelapse): on the bundled
# real UCDP events with a 12-month window, one GIF frame per month of the window (frames counted
# from the GIF's blocks by python, not giflib), the default heat range is "fixed over all periods"
# (heat_range_mode fixed_all) and the frames say their scale is fixed; a bad extension is refused.
# Usage: test_viewer_timelapse.sh <path-to-nexusmap> <source-dir>. Exit 77 without xvfb-run/python3.
set -u
exe=${1:?usage: test_viewer_timelapse.sh NEXUSMAP SOURCE_DIR}
src=${2:?usage: test_viewer_timelapse.sh NEXUSMAP SOURCE_DIR}
source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), xv
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
[ -f "$src/data/real/ucdp_ged241_uemoa6.csv" ] || { echo "SKIP: bundled real data missing"; exit 77; }
frames() {
  python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
assert d[:6] == b'GIF89a'
flags = d[10]; p = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
def skip(p):
    while d[p]: p += d[p] + 1
    return p + 1
n = 0
while p < len(d):
    b = d[p]; p += 1
    if b == 0x21: p = skip(p + 1)
    elif b == 0x2C:
        ff = d[p + 8]; p += 9 + (3 * (2 << (ff & 7)) if ff & 0x80 else 0) + 1; p = skip(p); n += 1
    elif b == 0x3B: break
    else: raise SystemExit('bad block')
print(n)
PY
}
out=$(xv "$exe" view --real --window 2020-01,12 --export-timelapse "$tmp/t.gif" --timelapse-period month 2>"$tmp/err")
echo "$out" | grep -E "heat_range_mode|export_timelapse"
echo "$out" | grep -q "^heat_range_mode fixed_all" || fail "default heat range is not fixed_all: $out"
[ -s "$tmp/t.gif" ] || fail "no GIF written: $(tail -3 "$tmp/err")"
if [ -s "$tmp/t.gif" ]; then
  n=$(frames "$tmp/t.gif")
  [ "$n" = 12 ] && echo "ok: 12 monthly frames" || fail "frames: $n (want 12)"
  echo "$out" | grep -q "12 frames, 2020-01 to 2020-12, fixed scale" || fail "summary: $out"
fi
"$exe" view --export-timelapse "$tmp/t.bmp" >/dev/null 2>"$tmp/bad" && fail "accepted .bmp"
grep -q ".gif" "$tmp/bad" || fail "bad extension message: $(cat "$tmp/bad")"
[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all viewer time-lapse checks passed"
