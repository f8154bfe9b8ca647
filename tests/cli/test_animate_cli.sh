#!/usr/bin/env bash
# `nexusmap animate` on the bundled real UCDP GED events: an animated GIF with one frame per period
# (counted by a GIF block parser below, independent of giflib), the frame size, one global palette and
# no local ones, the delays, the loop block; the frame cap, --force, unknown formats, and MP4 without
# ffmpeg (clear error, no file); with ffmpeg on PATH the MP4 is written (skipped cleanly otherwise).
# Usage: test_animate_cli.sh <nexusmap binary> <source dir>. Exit 77 (skip) without python3.
set -u
BIN=${1:?nexusmap binary}
SRC=${2:?source dir}
EV="$SRC/data/real/ucdp_ged241_uemoa6.csv"
SYN="$SRC/data/demo/events_synthetic.csv"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export NEXUSMAP_PROGRESS=0
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
[ -f "$EV" ] || { echo "SKIP: $EV missing"; exit 77; }
run() {
    local name=$1
    shift
    "$BIN" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
}
# Prints "frames W H global_colours local_palettes delays loop" from the GIF's blocks.
gifinfo() {
    python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
assert d[:6] in (b'GIF87a', b'GIF89a'), 'not a GIF'
w, h, flags = struct.unpack('<HHB', d[6:11])
p = 13
ncol = 0
if flags & 0x80:
    ncol = 2 << (flags & 7)
    p += 3 * ncol
def skip(p):
    while d[p]:
        p += d[p] + 1
    return p + 1
frames = local = 0
delays = []
loop = False
while p < len(d):
    b = d[p]; p += 1
    if b == 0x21:
        label = d[p]; p += 1
        if label == 0xF9:
            delays.append(struct.unpack('<H', d[p + 2:p + 4])[0])
        if label == 0xFF and d[p + 1:p + 12] == b'NETSCAPE2.0':
            loop = True
        p = skip(p)
    elif b == 0x2C:
        fx, fy, fw, fh, ff = struct.unpack('<HHHHB', d[p:p + 9]); p += 9
        if ff & 0x80:
            local += 1
            p += 3 * (2 << (ff & 7))
        p += 1  # LZW minimum code size
        p = skip(p)
        frames += 1
    elif b == 0x3B:
        break
    else:
        raise SystemExit('bad block %#x at %d' % (b, p))
print(frames, w, h, ncol, local, ','.join(map(str, sorted(set(delays)))), int(loop))
PY
}

# 1. Yearly frames 2018-2023: 6 frames of 600 x 400, one global palette, delays 0.5 s (last held 2 s).
if run y animate "$EV" -o "$TMP/y.gif" --period year --from 2018-01-01 --to 2023-12-31 --width 600 --height 400 \
       --cell-km 20 --delay 0.5; then
    read -r n w h ncol local delays loop <<<"$(gifinfo "$TMP/y.gif")"
    [ "$n" = 6 ] && ok "6 yearly frames" || fail "yearly frames: $n (want 6)"
    [ "$w x $h" = "600 x 400" ] && ok "frame size 600 x 400" || fail "frame size $w x $h"
    [ "$ncol" = 256 ] && [ "$local" = 0 ] && ok "one shared 256-colour palette" || fail "palette: global $ncol, local $local"
    [ "$delays" = "50,200" ] && ok "delays 0.5 s, last 2 s" || fail "delays $delays"
    [ "$loop" = 1 ] && ok "loops" || fail "no NETSCAPE2.0 loop block"
    grep -q "6 frames, one per year, 2018 to 2023" "$TMP/y.out" && ok "summary names the run" || fail "summary: $(cat "$TMP/y.out")"
    grep -q "fixed over all frames" "$TMP/y.out" && ok "fixed scale reported" || fail "no fixed-scale line"
else
    fail "animate year exited non-zero: $(tail -3 "$TMP/y.err")"
fi
# 2. Quarters of the same window: 24 frames (empty quarters are frames too).
if run q animate "$EV" -o "$TMP/q.gif" --by quarter --from 2018-01-01 --to 2023-12-31 --width 400 --height 300 --cell-km 25; then
    read -r n _ <<<"$(gifinfo "$TMP/q.gif")"
    [ "$n" = 24 ] && ok "24 quarterly frames" || fail "quarterly frames: $n (want 24)"
else
    fail "animate quarter exited non-zero: $(tail -3 "$TMP/q.err")"
fi
# 3. The frame cap: refused before any period density or frame (after the load and the whole-window
#    density that resolves the grid), with the count and the fixes; nothing written.
if run cap animate "$EV" -o "$TMP/cap.gif" --period month --max-frames 10 --cell-km 25; then
    fail "a run over --max-frames was accepted"
else
    grep -q "more than the cap of 10" "$TMP/cap.err" && grep -q -- "--max-frames" "$TMP/cap.err" && ok "frame cap message" ||
        fail "cap message: $(cat "$TMP/cap.err")"
    [ ! -e "$TMP/cap.gif" ] && ok "no file after the cap" || fail "cap.gif written"
fi
# 4. No overwrite without --force; unknown extension; --delay out of range.
run f animate "$EV" -o "$TMP/y.gif" --period year && fail "overwrote y.gif without --force" || ok "existing output refused"
run b animate "$EV" -o "$TMP/x.bmp" && fail "accepted .bmp" ||
    { grep -q ".gif" "$TMP/b.err" && ok ".bmp refused, naming .gif"; } || fail ".bmp message: $(cat "$TMP/b.err")"
run dl animate "$EV" -o "$TMP/d.gif" --delay 0 && fail "accepted --delay 0" || ok "--delay 0 refused"
# 5. MP4 without ffmpeg on PATH: a clear error naming ffmpeg, no file; GIF still works without it.
if env PATH=/nonexistent "$BIN" animate "$EV" -o "$TMP/v.mp4" --period year >"$TMP/v.out" 2>"$TMP/v.err"; then
    fail "mp4 written without ffmpeg"
else
    grep -q "ffmpeg" "$TMP/v.err" && ok "mp4 without ffmpeg names it" || fail "mp4 message: $(cat "$TMP/v.err")"
    [ ! -e "$TMP/v.mp4" ] && ok "no mp4 left" || fail "v.mp4 left behind"
fi
# 6. With Debian's ffmpeg installed: an MP4 (ftyp box) appears; skipped otherwise.
if command -v ffmpeg >/dev/null; then
    if run v2 animate "$EV" -o "$TMP/v2.mp4" --period year --from 2020-01-01 --to 2023-12-31 --width 400 --height 300 --cell-km 25; then
        [ "$(head -c 8 "$TMP/v2.mp4" | tail -c 4)" = ftyp ] && ok "mp4 written by ffmpeg" || fail "v2.mp4 is not an MP4"
    else
        fail "mp4 with ffmpeg: $(tail -3 "$TMP/v2.err")"
    fi
else
    echo "skip: ffmpeg not on PATH (MP4/WebM path not exercised here)"
fi
# 7. Synthetic input: every frame carries the mark; the summary says so.
if run s animate "$SYN" -o "$TMP/s.gif" --period year --width 400 --height 300 --cell-km 25; then
    grep -q "SYNTHETIC" "$TMP/s.out" && ok "synthetic run says so" || fail "no SYNTHETIC note: $(cat "$TMP/s.out")"
else
    fail "synthetic animate: $(tail -3 "$TMP/s.err")"
fi
[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all animate CLI checks passed"
