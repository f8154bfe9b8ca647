#!/usr/bin/env bash
# `nexusmap scan` and `nexusmap nexus` end to end on the bundled synthetic demo: outputs exist, carry
# provenance, open with GDAL; --force is needed to overwrite; bad options give a clear error.
# Usage: test_scan_nexus_cli.sh NEXUSMAP SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
EV=$SRC/data/demo/events_synthetic.csv

"$BIN" scan --help >"$T/h" 2>&1 || fail "scan --help"
grep -q -- "--prospective" "$T/h" || fail "scan --help lacks --prospective"
"$BIN" nexus --help >"$T/h" 2>&1 || fail "nexus --help"
grep -q -- "--null" "$T/h" || fail "nexus --help lacks --null"

# A small, fast scan: yearly periods, 100 km cells, 49 replications.
"$BIN" scan "$EV" --period year --centre-cell-km 100 --location-cell-km 50 --max-radius-km 200 --replications 49 \
  --threads 2 -o "$T/scan" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail scan; }
for f in scan_clusters.csv scan_clusters.geojson scan_clusters.gpkg scan_replicas.csv; do
  [ -s "$T/scan/$f" ] || fail "scan did not write $f"
done
grep -q "SYNTHETIC" "$T/out" || fail "scan summary does not say the data are synthetic"
grep -q "#1 " "$T/out" || fail "scan summary lacks the most likely cluster"
grep -q '"synthetic": "true"' "$T/scan/scan_clusters.csv.json" || fail "scan CSV sidecar lacks provenance"
grep -q "relative_risk" "$T/scan/scan_clusters.csv" || fail "scan CSV lacks relative_risk"
grep -q '"synthetic":"true"' "$T/scan/scan_clusters.geojson" || fail "scan GeoJSON lacks synthetic metadata"
[ "$(grep -c '^[^#]' "$T/scan/scan_replicas.csv")" -eq 50 ] || fail "scan_replicas.csv: expected 49 replicas + header"
if command -v ogrinfo >/dev/null; then
  ogrinfo -so "$T/scan/scan_clusters.gpkg" scan_clusters >"$T/oi" 2>&1 || fail "ogrinfo on the GeoPackage"
  grep -q "Polygon" "$T/oi" || fail "GeoPackage clusters are not polygons"
  ogrinfo -so "$T/scan/scan_clusters.geojson" >/dev/null 2>&1 || fail "ogrinfo on the GeoJSON"
fi
# Bernoulli: violence against civilians (cases) against the other events (controls).
"$BIN" scan "$EV" --model bernoulli --cases "Violence against civilians" --period year --centre-cell-km 100 \
  --location-cell-km 50 --max-radius-km 200 --replications 19 --threads 2 -o "$T/bern" >"$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "scan --model bernoulli"; }
grep -q "Bernoulli" "$T/bern/scan_clusters.csv.json" || fail "Bernoulli scan CSV sidecar does not name its model"
grep -q '"cases": "[1-9]' "$T/bern/scan_clusters.csv.json" || fail "Bernoulli scan CSV sidecar lacks the case count"
"$BIN" scan "$EV" --model bernoulli -o "$T/bad" 2>"$T/err" && fail "bernoulli without --cases accepted"
grep -q -- "--cases" "$T/err" || fail "bernoulli without --cases message: $(cat "$T/err")"
"$BIN" scan "$EV" --model poisson -o "$T/bad" 2>"$T/err" && fail "poisson without --population accepted"
grep -q -- "--population" "$T/err" || fail "poisson without --population message: $(cat "$T/err")"
"$BIN" scan "$EV" --model bernoulli --cases Nothing -o "$T/bad" 2>"$T/err" && fail "unknown case type accepted"
grep -q "Nothing" "$T/err" || fail "unknown case type message: $(cat "$T/err")"
# Again without --force: refused, nothing replaced.
"$BIN" scan "$EV" --period year --replications 9 -o "$T/scan" 2>"$T/err" && fail "scan overwrote without --force"
grep -q -- "--force" "$T/err" || fail "no --force hint"
"$BIN" scan "$EV" --max-share 0.9 -o "$T/bad" 2>"$T/err" && fail "max-share 0.9 accepted"
grep -q "max-share" "$T/err" || fail "max-share message: $(cat "$T/err")"
"$BIN" scan "$EV" --centres nowhere -o "$T/bad" 2>"$T/err" && fail "bad --centres accepted"
grep -q "centres" "$T/err" || fail "centres message"

# Nexus with the smoothed null and co-location quotients.
"$BIN" nexus "$EV" --simulations 39 --threads 2 --clq -o "$T/nx" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail nexus; }
for f in nexus_routes.csv nexus_curves.csv nexus_routes.geojson nexus_clq.csv; do
  [ -s "$T/nx/$f" ] || fail "nexus did not write $f"
done
grep -q "ILLUSTRATIVE" "$T/out" || fail "nexus summary does not say the routes are illustrative"
grep -q "all routes" "$T/nx/nexus_routes.csv" || fail "nexus CSV lacks the all-routes row"
grep -q "q_bh" "$T/nx/nexus_routes.csv" || fail "nexus CSV lacks BH q"
grep -q '"null_model": "smoothed"' "$T/nx/nexus_routes.csv.json" || fail "nexus CSV sidecar does not state the null"
grep -q "hi_global" "$T/nx/nexus_curves.csv" || fail "nexus curves lack the global envelope"
grep -q "Battles" "$T/nx/nexus_clq.csv" || fail "CLQ table lacks the event types"
"$BIN" nexus "$EV" --simulations 39 --threads 2 --crossk "Violence against civilians,Battles" -o "$T/nxk" >"$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "nexus --crossk"; }
grep -q "hi_global" "$T/nxk/nexus_crossk.csv" || fail "cross-K table lacks the global envelope"
grep -q '"category_a": "Violence against civilians"' "$T/nxk/nexus_crossk.csv.json" || fail "cross-K table does not name its categories"
grep -q "cross-L" "$T/out" || fail "cross-K summary missing"
"$BIN" nexus "$EV" --crossk Battles -o "$T/bad" 2>"$T/err" && fail "--crossk with one type accepted"
"$BIN" nexus "$EV" --null raster -o "$T/bad" 2>"$T/err" && fail "raster null without --intensity accepted"
grep -q "intensity" "$T/err" || fail "raster null message"
"$BIN" nexus "$EV" --null admin1 --simulations 19 -o "$T/nx1" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "nexus admin1"; }
grep -q "null admin1" "$T/out" || fail "admin1 null not reported"
ls -a "$T"/* | grep -q '\.tmp-' && fail "temporary files left behind"
# Several products: `-` and file names are refused as -o before any work (exit 2, nothing made).
"$BIN" scan "$EV" -o - >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 2 ] || fail "scan -o - exit $rc, expected 2"
grep -q "several files" "$T/err" || fail "scan -o - message: $(cat "$T/err")"
"$BIN" nexus "$EV" -o "$T/n.csv" >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 2 ] || fail "nexus -o n.csv exit $rc, expected 2"
[ ! -e "$T/n.csv" ] || fail "nexus -o n.csv made a folder or file named n.csv"
exit 0
