#!/usr/bin/env bash
# Issue #15, "done when" for spillover and corridors: `nexusmap spillover|corridors -o DIR` and the
# viewer's export path (the Spillover panel run with --spill-param settings, written by
# --export-spillover / --export-corridors through geo's one folder writer) on the bundled real
# UCDP events give the same folders:
#   - the same file names;
#   - every CSV table byte-identical;
#   - every GeoJSON layer's features (geometry and properties) identical;
#   - the metadata (CSV sidecar .csv.json, GeoJSON "metadata") identical except "created".
# Before, the viewer exported only the border and bands as GeoJSON, with its own metadata, and ran
# 499 permutations where the CLI runs 999.
# Usage: test_viewer_spillover_parity.sh NEXUSMAP SOURCE_DIR
set -u
exe=$1
src=$2
source "$(dirname "$0")/viewer_lib.sh" # skips, $tmp, fail(), xv
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
export NEXUSMAP_PROGRESS=0
ev=$src/data/real/ucdp_ged241_uemoa6.csv
routes=$src/data/demo/routes_illustrative.geojson
[ -f "$ev" ] || { echo "SKIP: $ev missing"; exit 77; }

"$exe" spillover "$ev" --period quarter --permutations 99 --seed 5 -o "$tmp/c_spill" >"$tmp/c_spill.out" 2>&1 ||
  { fail "nexusmap spillover failed: $(tail -5 "$tmp/c_spill.out")"; }
"$exe" corridors "$ev" --routes "$routes" --period quarter --half-width-km 30 -o "$tmp/c_cor" >"$tmp/c_cor.out" 2>&1 ||
  { fail "nexusmap corridors failed: $(tail -5 "$tmp/c_cor.out")"; }
xv "$exe" view "$ev" "$src/data/basemap/west_africa.gpkg" "$routes" --spillover --spill-param period=quarter \
  --spill-param permutations=99 --spill-param seed=5 --corridor-param half-width-km=30 \
  --export-spillover "$tmp/v_spill" --export-corridors "$tmp/v_cor" --frames 2 >"$tmp/v.out" 2>&1 ||
  { fail "viewer export failed: $(tail -5 "$tmp/v.out")"; }
grep -q "^export_spillover " "$tmp/v.out" || fail "the viewer did not report export_spillover"
grep -q "^export_corridors " "$tmp/v.out" || fail "the viewer did not report export_corridors"

cmp_py=$(dirname "$0")/compare_products.py
python3 "$cmp_py" "$tmp/c_spill" "$tmp/v_spill" --min 9 || fail "the viewer's spillover folder differs from the CLI's"
python3 "$cmp_py" "$tmp/c_cor" "$tmp/v_cor" --min 6 || fail "the viewer's corridors folder differs from the CLI's"

if ((fails)); then
  echo "$fails check(s) failed"
  exit 1
fi
echo "PASS"
