#!/usr/bin/env bash
# Viewer exports under Xvfb: the demo in batch mode writes a PNG of the map rendered offscreen at
# 2x the window, the density as GeoTIFF (geo's exact KDE, flagged synthetic), GeoJSON layers and a
# JSON project; the project then reopens in the viewer, and broken projects fail cleanly.
# Usage: test_viewer_exports.sh <path-to-nexusmap> <source-dir>
# Exit 77 (skipped) when xvfb-run is not installed.
set -u
exe=${1:?usage: test_viewer_exports.sh NEXUSMAP SOURCE_DIR}
src=${2:?usage: test_viewer_exports.sh NEXUSMAP SOURCE_DIR}

source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), xv

# 1. The demo with every export.
if ! xv "$exe" view --demo --size 1000x700 --screenshot "$tmp/shot.png" --frames 3 \
     --export-png "$tmp/map.png" --export-scale 2 --export-tif "$tmp/density.tif" \
     --export-geojson "$tmp/layers" --save-project "$tmp/project.json" >"$tmp/out.txt" 2>"$tmp/err.txt"; then
  echo "FAIL: viewer exited with an error"
  cat "$tmp/out.txt" "$tmp/err.txt"
  exit 1
fi
cat "$tmp/out.txt"

# PNG: 2x the window (1000x700 -> 2000x1400), a real image of the map.
[[ -s "$tmp/map.png" ]] || fail "no PNG export"
"$exe" view --probe-png "$tmp/map.png" 10 10 1000 700 >"$tmp/png.txt" 2>&1 || fail "--probe-png on the export failed"
grep -q '^size 2000 1400$' "$tmp/png.txt" || fail "exported PNG is not 2000x1400: $(head -1 "$tmp/png.txt")"
grep -q '^export_png .* 2000 1400$' "$tmp/out.txt" || fail "viewer did not report export_png ... 2000 1400"
# The synthetic banner is drawn into the export: red pixels near the top centre.
"$exe" view --probe-png "$tmp/map.png" $(for x in $(seq 700 20 1300); do for y in 24 30 36 42; do echo "$x $y"; done; done) \
  >"$tmp/banner.txt" 2>&1
red=$(awk '$1=="pixel" && NF==6 && $4 > 150 && $5 < 80 && $6 < 80' "$tmp/banner.txt" | wc -l)
((red >= 10)) || fail "no red SYNTHETIC banner in the exported PNG ($red red samples)"

# GeoTIFF: georeferenced, synthetic=true in its metadata.
[[ -s "$tmp/density.tif" ]] || fail "no GeoTIFF export"
if command -v gdalinfo >/dev/null 2>&1; then
  gdalinfo "$tmp/density.tif" >"$tmp/gdalinfo.txt" 2>&1 || fail "gdalinfo cannot read the GeoTIFF"
  grep -q 'synthetic=true' "$tmp/gdalinfo.txt" || fail "GeoTIFF lacks synthetic=true"
  grep -q 'kernel=quartic' "$tmp/gdalinfo.txt" || fail "GeoTIFF lacks kernel=quartic"
  grep -qi 'Lambert_Azimuthal_Equal_Area\|Lambert Azimuthal Equal Area' "$tmp/gdalinfo.txt" ||
    fail "GeoTIFF is not in the analysis CRS (LAEA)"
else
  echo "note: gdalinfo not installed, GeoTIFF metadata not checked"
fi

# GeoJSON layers.
n=$(ls "$tmp/layers"/*.geojson 2>/dev/null | wc -l)
((n >= 3)) || fail "expected at least 3 GeoJSON layers, got $n"
grep -q '"synthetic"' "$tmp/layers/events_filtered.geojson" 2>/dev/null || fail "events GeoJSON lacks the synthetic flag"

# Project: valid JSON with the marker; it reopens and renders.
grep -q '"nexusmap_project"' "$tmp/project.json" || fail "project lacks the nexusmap_project marker"
if ! xv "$exe" view "$tmp/project.json" --screenshot "$tmp/reopen.png" --frames 3 --save-project "$tmp/project2.json" \
     >"$tmp/out2.txt" 2>"$tmp/err2.txt"; then
  fail "reopening the project failed"
  cat "$tmp/out2.txt" "$tmp/err2.txt"
fi
[[ -s "$tmp/reopen.png" ]] || fail "no screenshot from the reopened project"
grep -q '^synthetic 1' "$tmp/out2.txt" || fail "reopened project is not flagged synthetic"
# Saving the reopened session gives the same project.
if [[ -s "$tmp/project2.json" ]]; then
  cmp -s "$tmp/project.json" "$tmp/project2.json" || { fail "project changed after reopen + save"; diff "$tmp/project.json" "$tmp/project2.json" | head -20; }
fi

# A broken project: exit 1 with the file name and the problem, no crash.
printf '{"nexusmap_project": 1, "heat": {"bandwidth_km": "wide"}' >"$tmp/broken.json"
xv "$exe" view "$tmp/broken.json" --screenshot "$tmp/broken.png" --frames 1 >"$tmp/out3.txt" 2>"$tmp/err3.txt"
rc=$?
((rc == 1)) || fail "broken project: expected exit 1, got $rc"
grep -q 'broken.json: invalid JSON' "$tmp/err3.txt" || { fail "broken project: no clear error"; cat "$tmp/err3.txt"; }
printf '{"nexusmap_project": 1, "heat": {"bandwidth_km": "wide"}}' >"$tmp/typed.json"
xv "$exe" view "$tmp/typed.json" --screenshot "$tmp/typed.png" --frames 1 >"$tmp/out4.txt" 2>"$tmp/err4.txt"
rc=$?
((rc == 1)) || fail "mistyped project: expected exit 1, got $rc"
grep -q 'typed.json: heat.bandwidth_km: expected a number, got string' "$tmp/err4.txt" ||
  { fail "mistyped project: no clear error"; cat "$tmp/err4.txt"; }

if ((fails)); then
  echo "$fails check(s) failed; stderr of the viewer:"
  cat "$tmp/err.txt"
  exit 1
fi
echo "PASS"
