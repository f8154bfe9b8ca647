#!/usr/bin/env bash
# The viewer's GeoJSON export includes the analysis results: significant Gi* cells with their
# z, p, bin and simplestyle fill, and the spillover border segments and bands, all labelled
# synthetic for the demo. Usage: test_viewer_analysis_export.sh NEXUSMAP SOURCE_DIR
set -u
exe=$1
src=$2
viewer_one_xvfb=1600x1000x24 # one X server for all the runs below
source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), the data folders
timeout 300 "$exe" view --demo --hotspots --spillover --export-geojson "$tmp" --frames 3 >"$tmp/out" 2>&1 ||
  { echo "FAIL: viewer exited with an error"; cat "$tmp/out"; exit 1; }
for f in hotspots_gistar border_segments distance_bands events_filtered; do
  [ -s "$tmp/$f.geojson" ] || { echo "FAIL: $f.geojson not written"; ls "$tmp"; exit 1; }
done
grep -q '"synthetic":"true"' "$tmp/hotspots_gistar.geojson" || { echo "FAIL: hot spots not labelled synthetic"; exit 1; }
grep -q '"fill":"#d62f27"' "$tmp/hotspots_gistar.geojson" || { echo "FAIL: no 99% hot spot cells with the standard colour"; exit 1; }
# A 99% hot cell near Liptako-Gourma (0.5E 14.5N): look for bin 3 features with lon -0.5..1.5, lat 13.5..15.5.
ogr2ogr -f CSV /vsistdout/ "$tmp/hotspots_gistar.geojson" -dialect sqlite \
  -sql "SELECT bin FROM hotspots_gistar WHERE bin = 3 AND ST_X(ST_Centroid(geometry)) BETWEEN -0.5 AND 1.5 AND ST_Y(ST_Centroid(geometry)) BETWEEN 13.5 AND 15.5" \
  >"$tmp/hot.csv" 2>/dev/null || { echo "SKIP-ish: ogr2ogr sqlite dialect unavailable"; exit 77; }
n=$(($(wc -l <"$tmp/hot.csv") - 1))
echo "99% hot cells around Liptako-Gourma: $n"
[ "$n" -gt 0 ] || { echo "FAIL: no 99% hot cell at Liptako-Gourma"; exit 1; }
# simplestyle properties as drawn in the viewer (geo's style model): bands warm on the Sahel side,
# cool on the coastal side, fill-opacity 0.12 + 0.22 t (t = 1 at the border); border segments in
# the categorical palette's order; the base layers' own colours; events coloured by type.
ogr2ogr -f CSV /vsistdout/ "$tmp/distance_bands.geojson" -dialect sqlite \
  -sql 'SELECT lo_km, hi_km, fill, "fill-opacity" AS fo, stroke FROM distance_bands' >"$tmp/bands.csv" 2>/dev/null ||
  { echo "FAIL: cannot read distance_bands.geojson"; exit 1; }
awk -F, 'NR == 1 { next }
  { lo[NR] = $1; hi[NR] = $2; fill[NR] = $3; fo[NR] = $4; st[NR] = $5; n = NR
    for (k = 1; k <= 2; k++) { v = $k < 0 ? -$k : $k; if (v > far) far = v } }
  END {
    if (far < 1) far = 1
    if (n < 3) { print "FAIL: too few bands"; exit 1 }
    for (i = 2; i <= n; i++) {
      mid = (lo[i] + hi[i]) / 2; m = mid < 0 ? -mid : mid; t = 1 - (m / far > 1 ? 1 : m / far)
      if (mid < 0) { r = 0.93; g = 0.55 - 0.2 * t; b = 0.2 } else { r = 0.15; g = 0.5 + 0.1 * t; b = 0.75 }
      want = sprintf("#%02x%02x%02x", int(r * 255 + 0.5), int(g * 255 + 0.5), int(b * 255 + 0.5))
      if (fill[i] != want) { print "FAIL: band " lo[i] ".." hi[i] " fill " fill[i] ", want " want; bad = 1 }
      d = fo[i] - (0.12 + 0.22 * t); if (d < 0) d = -d
      if (d > 0.002) { print "FAIL: band " lo[i] ".." hi[i] " fill-opacity " fo[i]; bad = 1 }
      if (st[i] != "#595959") { print "FAIL: band outline " st[i]; bad = 1 }
    }
    exit bad
  }' "$tmp/bands.csv" || exit 1
ogr2ogr -f CSV /vsistdout/ "$tmp/border_segments.geojson" -sql 'SELECT stroke, "stroke-width" AS w FROM border_segments' \
  >"$tmp/border.csv" 2>/dev/null || { echo "FAIL: cannot read border_segments.geojson"; exit 1; }
# Tableau 10 in segment order.
awk -F, 'BEGIN { split("#4e79a7 #f28e2b #e15759 #76b7b2 #59a14f #edc948 #b07aa1 #ff9da7 #9c755f #bab0ac", p, " ") }
  NR > 1 { i = (NR - 2) % 10 + 1; if ($1 != p[i] || $2 != 4) { print "FAIL: border segment " NR - 1 ": " $0 ", want " p[i] ",4"; bad = 1 } }
  END { if (NR < 3) { print "FAIL: no border segments"; bad = 1 } exit bad }' "$tmp/border.csv" || exit 1
grep -q '"fill":"#f5f2eb","fill-opacity":1' "$tmp/admin0.geojson" || { echo "FAIL: admin0 lacks its land fill #f5f2eb"; exit 1; }
grep -q '"marker-color":"#' "$tmp/events_filtered.geojson" || { echo "FAIL: events lack marker-color"; exit 1; }
grep -q '"stroke":"#' "$tmp/routes_illustrative.geojson" || { echo "FAIL: routes lack stroke"; exit 1; }
echo "analysis export: ok"
