#!/usr/bin/env bash
# Viewer screenshot test under Xvfb (Mesa llvmpipe): renders the demo, saves a PNG, and checks
# pixels of the image itself: the map is drawn, the heatmap colours the known demo hotspot
# (Liptako-Gourma, ~0.5E 14.5N) but not the Gulf of Guinea (~0E 4N), and the legend's colour bar is
# there. The viewer prints where it drew the probed lon/lat and the legend; its hidden
# `--probe-png FILE X Y...` mode reads pixels back, so the test needs no image tools.
# Usage: test_viewer_screenshot.sh <path-to-nexusmap> <source-dir>
# Exit 77 (skipped) when xvfb-run is not installed.
set -u
exe=${1:?usage: test_viewer_screenshot.sh NEXUSMAP SOURCE_DIR}
src=${2:?usage: test_viewer_screenshot.sh NEXUSMAP SOURCE_DIR}

source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), xv
shot="$tmp/viewer.png"
if ! timeout 300 xvfb-run -a -s "-screen 0 1600x1000x24" "$exe" view --demo --size 1600x1000 \
     --screenshot "$shot" --frames 5 --probe 0.5,14.5 --probe 0,4 --probe -4,21 >"$tmp/out.txt" 2>"$tmp/err.txt"; then
  echo "FAIL: viewer exited with an error"
  cat "$tmp/out.txt" "$tmp/err.txt"
  exit 1
fi
cat "$tmp/out.txt"
[[ -s "$shot" ]] || { echo "FAIL: no screenshot written"; cat "$tmp/err.txt"; exit 1; }

# "probe LON LAT X Y" lines -> pixel coordinates.
px() { awk -v lon="$1" -v lat="$2" '$1=="probe" && $2==lon && $3==lat && NF==5 {print $4, $5}' "$tmp/out.txt"; }
hot=$(px 0.5 14.5); sea=$(px 0 4); desert=$(px -4 21)
read -r lx0 ly0 lx1 ly1 < <(awk '$1=="legend" {print $2, $3, $4, $5}' "$tmp/out.txt")
read -r cx0 cy0 cx1 cy1 < <(awk '$1=="canvas" {print $2, $3, $4, $5}' "$tmp/out.txt")
[[ -n "$hot" && -n "$sea" && -n "$desert" ]] || { echo "FAIL: probes not printed (or outside the canvas)"; exit 1; }
[[ -n "${lx0:-}" ]] || { echo "FAIL: no legend reported"; exit 1; }
grep -q '^synthetic 1' "$tmp/out.txt" || fail "the demo is not flagged as synthetic"

# Pixels to read: the probes, the legend bar at 10%, 50% and 90%, and a 12x8 grid over the canvas.
lmid=$(((ly0 + ly1) / 2))
pts="$hot $sea $desert $((lx0 + (lx1 - lx0) / 10)) $lmid $(((lx0 + lx1) / 2)) $lmid $((lx0 + 9 * (lx1 - lx0) / 10)) $lmid"
for i in $(seq 0 11); do
  for j in $(seq 0 7); do
    pts="$pts $((cx0 + (2 * i + 1) * (cx1 - cx0) / 24)) $((cy0 + (2 * j + 1) * (cy1 - cy0) / 16))"
  done
done
# shellcheck disable=SC2086
"$exe" view --probe-png "$shot" $pts >"$tmp/pixels.txt" || { echo "FAIL: --probe-png failed"; exit 1; }
mapfile -t rows < <(awk '$1=="pixel" && NF==6 {print $4, $5, $6}' "$tmp/pixels.txt")
[[ ${#rows[@]} -eq $((6 + 96)) ]] || { echo "FAIL: expected 102 pixels, got ${#rows[@]}"; cat "$tmp/pixels.txt"; exit 1; }
grep -q '^size 1600 1000' "$tmp/pixels.txt" || fail "screenshot is not 1600x1000: $(head -1 "$tmp/pixels.txt")"

near() { # near R G B R2 G2 B2 TOL
  local d1=$(($1 - $4)) d2=$(($2 - $5)) d3=$(($3 - $6))
  ((${d1#-} <= $7 && ${d2#-} <= $7 && ${d3#-} <= $7))
}
SEA="199 219 232"   # clear colour of the canvas (0.78, 0.86, 0.91)
LAND="245 242 235"  # admin0 fill (0.96, 0.95, 0.92)

read -r r g b <<<"${rows[0]}"
echo "hotspot 0.5E 14.5N -> $r $g $b"
# YlOrRd over the hotspot: warm (red well above blue) and unlike plain land or sea.
if ! ((r - b > 60)) || near $r $g $b $LAND 12 || near $r $g $b $SEA 12; then fail "no heatmap colour over the hotspot"; fi

read -r r g b <<<"${rows[1]}"
echo "Gulf of Guinea 0E 4N -> $r $g $b"
# shellcheck disable=SC2086
near $r $g $b $SEA 6 || fail "the Gulf of Guinea is not plain sea (heat or map spilled there)"

read -r r g b <<<"${rows[2]}"
echo "Sahara 4W 21N -> $r $g $b"
# shellcheck disable=SC2086
near $r $g $b $LAND 20 || fail "land fill not drawn in northern Mali"

# Legend: the YlOrRd bar runs from pale yellow through orange to dark red.
read -r r1 g1 b1 <<<"${rows[3]}"; read -r r2 g2 b2 <<<"${rows[4]}"; read -r r3 g3 b3 <<<"${rows[5]}"
echo "legend bar -> ($r1 $g1 $b1) ($r2 $g2 $b2) ($r3 $g3 $b3)"
((r1 > 240 && g1 > 200 && b1 > 100)) || fail "legend bar's low end is not pale yellow"
((r2 > 230 && g2 > 100 && g2 < 190 && b2 < 110)) || fail "legend bar's middle is not orange"
((r3 > 120 && r3 < 230 && g3 < 60)) || fail "legend bar's high end is not dark red"

# Map drawn: most of the canvas grid is land or other non-sea colours, and several colours appear.
nonsea=0
declare -A seen=()
for k in $(seq 6 $((${#rows[@]} - 1))); do
  read -r r g b <<<"${rows[$k]}"
  # shellcheck disable=SC2086
  near $r $g $b $SEA 6 || nonsea=$((nonsea + 1))
  seen["$((r / 16)),$((g / 16)),$((b / 16))"]=1
done
echo "canvas grid: $nonsea of 96 not sea, ${#seen[@]} colour bins"
((nonsea >= 30)) || fail "map not drawn (only $nonsea of 96 canvas samples differ from the sea)"
((${#seen[@]} >= 3)) || fail "canvas nearly uniform (${#seen[@]} colour bins)"

if ((fails)); then
  echo "$fails check(s) failed; stderr of the viewer:"
  cat "$tmp/err.txt"
  exit 1
fi
echo "PASS"
