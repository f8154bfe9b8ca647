#!/usr/bin/env bash
# Issue #15, "done when" for contours and zonal statistics: the command line and the viewer's
# export path run geo's one pipeline each (pipeline/contours_zonal.hpp), so on the bundled real
# UCDP events, one year:
#   - `nexusmap density -o D/density.tif` + `nexusmap contours D/density.tif -o D/contours.geojson`
#     and `nexusmap view ... --export-tif V/density.tif --export-contours V/contours.geojson`
#     give the same contour polygons, properties and metadata (but "created");
#   - `nexusmap zonal -o D/zonal.geojson` and `nexusmap view ... --export-zonal V/zonal.geojson`
#     give the same per-polygon counts, rates, styles and metadata (but "created").
# Usage: test_viewer_contours_zonal_parity.sh NEXUSMAP SOURCE_DIR
set -u
exe=$1
src=$2
source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), xv
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
export NEXUSMAP_PROGRESS=0
ev=$src/data/real/ucdp_ged241_uemoa6.csv
[ -f "$ev" ] || { echo "SKIP: $ev missing"; exit 77; }
mkdir -p "$tmp/c" "$tmp/v"

"$exe" density "$ev" --from 2019-01-01 --to 2019-12-31 --bandwidth-km 40 --cell-km 10 -o "$tmp/c/density.tif" \
  >"$tmp/c.out" 2>&1 || fail "density failed: $(tail -3 "$tmp/c.out")"
"$exe" contours "$tmp/c/density.tif" --percent 50,90 --ramp magma -o "$tmp/c/contours.geojson" >>"$tmp/c.out" 2>&1 ||
  fail "contours failed: $(tail -3 "$tmp/c.out")"
"$exe" zonal "$ev" --from 2019-01-01 --to 2019-12-31 --scale sqrt -o "$tmp/c/zonal.geojson" >>"$tmp/c.out" 2>&1 ||
  fail "zonal failed: $(tail -3 "$tmp/c.out")"
xv "$exe" view "$ev" --window 2019-01,12 --bandwidth-km 40 --export-tif "$tmp/v/density.tif" --export-tif-cell-km 10 \
  --export-contours "$tmp/v/contours.geojson" --contour-param percent=50,90 --contour-param ramp=magma \
  --export-zonal "$tmp/v/zonal.geojson" --zonal-param scale=sqrt --frames 2 >"$tmp/v.out" 2>&1 ||
  fail "viewer exports failed: $(tail -5 "$tmp/v.out")"
grep -q "^export_contours \|^export_tif " "$tmp/v.out" || fail "the viewer reported no density/contours export"
grep -q "^export_zonal " "$tmp/v.out" || fail "the viewer reported no zonal export"

python3 "$(dirname "$0")/compare_products.py" "$tmp/c" "$tmp/v" --min 2 contours.geojson zonal.geojson ||
  fail "the viewer's contours or zonal layer differ from the CLI's"

if ((fails)); then
  echo "$fails check(s) failed"
  exit 1
fi
echo "PASS"
