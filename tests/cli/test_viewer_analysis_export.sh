#!/usr/bin/env bash
# The viewer's GeoJSON export includes the analysis results: significant Gi* cells with their
# z, p, bin and simplestyle fill, and the spillover border segments and bands, all labelled
# synthetic for the demo. Usage: test_viewer_analysis_export.sh NEXUSMAP SOURCE_DIR
set -u
exe=$1
src=$2
command -v xvfb-run >/dev/null 2>&1 || { echo "SKIP: xvfb-run not found"; exit 77; }
if [ -z "${NEXUSMAP_IN_XVFB:-}" ]; then
  NEXUSMAP_IN_XVFB=1 exec xvfb-run -a -s "-screen 0 1600x1000x24" bash "$0" "$@"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NEXUSMAP_DATA_DIR="$src/data" NEXUSMAP_SHADER_DIR="$src/shaders"
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
echo "analysis export: ok"
