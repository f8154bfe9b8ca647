#!/usr/bin/env bash
# The real program end to end: help, info, density -> contours, zonal, demo, and bad input.
# Usage: test_cli_basics.sh NEXUSMAP SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
EV=$SRC/data/demo/events_synthetic.csv

"$BIN" --help >"$T/h" || fail "--help"
for c in info density contours zonal demo; do
  "$BIN" $c --help >"$T/h" 2>&1 || fail "$c --help"
done
grep -q "bandwidth-km" <("$BIN" density --help) || fail "density --help lacks --bandwidth-km"

"$BIN" info "$EV" >"$T/info" || fail "info on demo events"
grep -q "20000 of 20000 records loaded (ACLED" "$T/info" || fail "info: ACLED not recognised"
grep -q "SYNTHETIC" "$T/info" || fail "info: synthetic flag not shown"

"$BIN" density "$EV" -o "$T/d.tif" --bandwidth-km 40 --cell-km 10 --from 2020-01-01 --to 2024-12-31 2>"$T/err" || { cat "$T/err"; fail density; }
gdalinfo "$T/d.tif" >"$T/gi" || fail "gdalinfo on output"
grep -q "synthetic=true" "$T/gi" || fail "density GeoTIFF lacks synthetic=true"
grep -q "bandwidth_km=40" "$T/gi" || fail "density GeoTIFF lacks bandwidth_km"
grep -q "date_from=2020-01-01" "$T/gi" || fail "density GeoTIFF lacks the date window"
grep -q "Pixel Size = (10000" "$T/gi" || fail "cell size not 10 km"
grep -q "weight per km^2" "$T/gi" || fail "units missing"

# Refuses to overwrite without --force, and never overwrites an input.
"$BIN" density "$EV" -o "$T/d.tif" 2>"$T/err" && fail "overwrote without --force"
grep -q -- "--force" "$T/err" || fail "no --force hint"
cp "$EV" "$T/ev.csv"
"$BIN" density "$T/ev.csv" -o "$T/ev.csv" --force 2>"$T/err" && fail "overwrote its input"
grep -q "inputs" "$T/err" || fail "no message about overwriting an input"

"$BIN" contours "$T/d.tif" -o "$T/c.geojson" --percent 50,90 >"$T/out" || fail contours
grep -q '"synthetic":"true"' "$T/c.geojson" || fail "contours GeoJSON lacks synthetic metadata"
grep -q "50% volume" "$T/out" || fail "contours summary"

"$BIN" zonal "$EV" -o "$T/z.geojson" --csv "$T/z.csv" >"$T/out" 2>/dev/null || fail zonal
head -1 "$T/z.csv" | grep -q "^#" && fail "zonal CSV starts with a comment line (metadata belongs in the sidecar)"
grep -q '"synthetic": "true"' "$T/z.csv.json" || fail "zonal CSV sidecar lacks provenance"
grep -q "events_per_10k_km2" "$T/z.csv" || fail "zonal CSV lacks rates"

"$BIN" demo --out "$T/demo" >"$T/out" 2>&1 || { cat "$T/out"; fail demo; }
for f in density_quartic_50km.tif hotspots_percent_volume.geojson admin1_summary.geojson admin1_summary.csv; do
  [ -s "$T/demo/$f" ] || fail "demo did not write $f"
done

# Bad input: clear message naming the file, non-zero exit, no crash.
"$BIN" density "$T/nope.csv" -o "$T/x.tif" 2>"$T/err"; rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] || fail "missing file: rc=$rc"
grep -q "nope.csv: no such file" "$T/err" || fail "missing file message: $(cat "$T/err")"
"$BIN" density "$EV" -o "$T/x.tif" --bandwidth-km -5 2>"$T/err" && fail "negative bandwidth accepted"
grep -q "bandwidth" "$T/err" || fail "bandwidth message"
"$BIN" density "$EV" -o "$T/x.tif" --cell-km 0.001 2>"$T/err" && fail "huge grid accepted"
grep -q "exceeds the cap" "$T/err" || fail "grid cap message: $(cat "$T/err")"
"$BIN" density "$EV" -o "$T/x.tif" --crs EPSG:99999 2>"$T/err" && fail "bad CRS accepted"
grep -q "EPSG:99999" "$T/err" || fail "bad CRS message"
ls -a "$T" | grep -q '\.tmp-' && fail "temporary files left behind"
echo "cli basics: ok"
