#!/usr/bin/env bash
# Viewer analyses under Xvfb: `--hotspots --spillover` run the Gi* hot spots and the spillover
# analysis on the demo before the screenshot. Checks: hot-spot red (#d62f27, 99% confidence) is
# drawn at Liptako-Gourma (0.5E 14.5N), the hot spot legend is there, some hot and no impossible
# bins are reported, and the spillover front velocity printed on stdout is positive (the demo plants
# a southward drift). Then `--emerging` runs emerging hot spots and must colour cells too.
# Usage: test_viewer_analysis.sh <path-to-nexusmap> <source-dir>; exit 77 (skip) without xvfb-run.
set -u
exe=${1:?usage: test_viewer_analysis.sh NEXUSMAP SOURCE_DIR}
src=${2:?usage: test_viewer_analysis.sh NEXUSMAP SOURCE_DIR}

source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), xv

shot="$tmp/analysis.png"
if ! timeout 400 xvfb-run -a -s "-screen 0 1600x1000x24" "$exe" view --demo --size 1600x1000 --hotspots --spillover \
     --screenshot "$shot" --frames 5 --probe 0.5,14.5 --probe -20,5 >"$tmp/out.txt" 2>"$tmp/err.txt"; then
  echo "FAIL: viewer exited with an error"
  cat "$tmp/out.txt" "$tmp/err.txt"
  exit 1
fi
cat "$tmp/out.txt"
[[ -s "$shot" ]] || { echo "FAIL: no screenshot written"; exit 1; }

# Spillover: "spillover front_velocity_km_per_year V ci LO HI ..." with V > 0.
v=$(awk '$1=="spillover" && $2=="front_velocity_km_per_year" {print $3}' "$tmp/out.txt")
[[ -n "$v" ]] || fail "no spillover front velocity printed"
[[ -n "$v" ]] && { awk -v v="$v" 'BEGIN {exit !(v > 0)}' || fail "front velocity $v is not positive"; }
segs=$(awk '$1=="spillover" {for (i = 1; i < NF; ++i) if ($i == "segments") print $(i + 1)}' "$tmp/out.txt")
[[ "${segs:-0}" -ge 4 ]] || fail "expected several border segments, got '${segs:-}'"

# Hot spots: "hotspots cells N band_km B bins c-3 c-2 c-1 c0 c1 c2 c3", some 99% hot cells.
read -r h99 < <(awk '$1=="hotspots" {print $NF}' "$tmp/out.txt")
[[ "${h99:-0}" -gt 0 ]] || fail "no 99% hot spot cells reported"
grep -q '^hotspot_legend ' "$tmp/out.txt" || fail "no hot spot legend reported"

# Pixels: a 5x5 patch (4 px apart) around Liptako-Gourma must be mostly hot-spot red.
px() { awk -v lon="$1" -v lat="$2" '$1=="probe" && $2==lon && $3==lat && NF==5 {print $4, $5}' "$tmp/out.txt"; }
read -r hx hy <<<"$(px 0.5 14.5)"
[[ -n "${hx:-}" ]] || { echo "FAIL: probe 0.5,14.5 not printed"; exit 1; }
pts=""
for dx in -8 -4 0 4 8; do for dy in -8 -4 0 4 8; do pts="$pts $((hx + dx)) $((hy + dy))"; done; done
# shellcheck disable=SC2086
"$exe" view --probe-png "$shot" $pts >"$tmp/pixels.txt" || { echo "FAIL: --probe-png failed"; exit 1; }
red=0
while read -r r g b; do
  # #d62f27 at 85% over land/points: strongly red, little green and blue.
  if ((r > 170 && g < 130 && b < 120 && r - g > 80)); then red=$((red + 1)); fi
done < <(awk '$1=="pixel" && NF==6 {print $4, $5, $6}' "$tmp/pixels.txt")
echo "Liptako-Gourma patch: $red of 25 pixels hot-spot red"
((red >= 15)) || { fail "hot-spot red not drawn at 0.5E 14.5N"; cat "$tmp/pixels.txt"; }

# Emerging hot spots: cells coloured, units reported.
shot2="$tmp/emerging.png"
if timeout 400 xvfb-run -a -s "-screen 0 1600x1000x24" "$exe" view --demo --size 1600x1000 --emerging \
     --screenshot "$shot2" --frames 3 >"$tmp/out2.txt" 2>"$tmp/err2.txt"; then
  grep -E '^emerging units [1-9]' "$tmp/out2.txt" || fail "emerging hot spots reported no units"
else
  fail "viewer --emerging exited with an error"
  cat "$tmp/out2.txt" "$tmp/err2.txt"
fi

if ((fails)); then
  echo "$fails check(s) failed; stderr of the viewer:"
  cat "$tmp/err.txt"
  exit 1
fi
echo "PASS"
