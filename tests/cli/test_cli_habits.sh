#!/usr/bin/env bash
# GDAL-like command-line habits (issue #16): exit codes 0/1/2, "did you mean", --quiet, --progress,
# --json, '-' as input, device/FIFO/folder outputs refused, output paths checked before any work,
# info on rasters/vectors/ACLED exports, --country spellings, old flag names as hidden aliases.
# Usage: test_cli_habits.sh NEXUSMAP SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
unset NEXUSMAP_PROGRESS
EV=$SRC/tests/data/acled_small.csv
A=$SRC/tests/data/acled_inputs
D="--bandwidth-km 50 --cell-km 25"   # a small, fast grid
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# ---- exit codes: 0 success, 1 failure, 2 usage ------------------------------------------------
"$BIN" info "$EV" >"$T/o" 2>"$T/e"; [ $? = 0 ] || fail "info: exit not 0"
"$BIN" info "$T/nope.csv" >"$T/o" 2>"$T/e"; [ $? = 1 ] || fail "missing file: exit not 1"
grep -q "nope.csv" "$T/e" || fail "missing file not named"
"$BIN" density "$EV" --bogus -o "$T/x.tif" >"$T/o" 2>"$T/e"; [ $? = 2 ] || fail "unknown flag: exit not 2"
"$BIN" density "$EV" >"$T/o" 2>"$T/e"; [ $? = 2 ] || fail "missing -o: exit not 2"
"$BIN" density "$EV" -o "$T/x.tif" --cell-km abc >"$T/o" 2>"$T/e"; [ $? = 2 ] || fail "bad number: exit not 2"
"$BIN" densty "$EV" >"$T/o" 2>"$T/e"; [ $? = 2 ] || fail "unknown command: exit not 2"
# A flag value checked by the command itself is a usage error too; a problem with the data is not.
"$BIN" density "$EV" -o "$T/x.tif" --kernel nope >"$T/o" 2>"$T/e"; [ $? = 2 ] || fail "bad --kernel: exit not 2"
"$BIN" density "$EV" -o "$T/x.tif" --from 2030-01-01 >"$T/o" 2>"$T/e"; [ $? = 1 ] || fail "no events left: exit not 1"
"$BIN" --help >"$T/o" 2>"$T/e"; [ $? = 0 ] || fail "--help: exit not 0"
"$BIN" density --help >"$T/o" 2>"$T/e"; [ $? = 0 ] || fail "density --help: exit not 0"
grep -q -- "--quiet" "$T/o" && grep -q -- "--json" "$T/o" && grep -q -- "--progress" "$T/o" || fail "--help lacks --quiet/--json/--progress"
echo "ok: exit codes"

# ---- did you mean -------------------------------------------------------------------------------
"$BIN" densty "$EV" 2>"$T/e"; grep -q "did you mean 'nexusmap density'" "$T/e" || { cat "$T/e"; fail "no suggestion for densty"; }
"$BIN" hotspot "$EV" 2>"$T/e"; grep -q "did you mean 'nexusmap hotspots'" "$T/e" || { cat "$T/e"; fail "no suggestion for hotspot"; }
"$BIN" chart frnt "$EV" -o "$T/c.png" 2>"$T/e"; [ $? = 2 ] || fail "chart frnt: exit not 2"
grep -q "did you mean 'nexusmap chart front'" "$T/e" || { cat "$T/e"; fail "no suggestion for chart frnt"; }
"$BIN" density "$EV" --bandwith-km 5 -o "$T/x.tif" 2>"$T/e"; grep -q "did you mean --bandwidth-km" "$T/e" || { cat "$T/e"; fail "no suggestion for --bandwith-km"; }
"$BIN" hotspots "$EV" --permutation 9 -o "$T/h" 2>"$T/e"; grep -q "did you mean --permutations" "$T/e" || { cat "$T/e"; fail "no suggestion for --permutation"; }
"$BIN" frobnicate 2>"$T/e"; grep -q "commands: view info density" "$T/e" || { cat "$T/e"; fail "no command list for a far-off name"; }
echo "ok: did you mean"

# ---- --quiet ------------------------------------------------------------------------------------
"$BIN" density "$EV" -o "$T/q.tif" $D --quiet >"$T/o" 2>"$T/e" || fail "--quiet density failed"
[ -s "$T/o" ] && { cat "$T/o"; fail "--quiet: stdout not empty"; }
[ -s "$T/e" ] && { cat "$T/e"; fail "--quiet: stderr not empty (the file has bad rows: warnings)"; }
[ -s "$T/q.tif" ] || fail "--quiet: no output written"
"$BIN" density "$EV" -o "$T/q.tif" $D -q >"$T/o" 2>"$T/e"; [ $? = 1 ] || fail "--quiet existing output: exit not 1"
[ -s "$T/o" ] && fail "--quiet failure: stdout not empty"
grep -q "exists already" "$T/e" || { cat "$T/e"; fail "--quiet hid the error"; }
echo "ok: --quiet"

# ---- summaries on stdout; --progress; the last progress line ends before the summary ------------
"$BIN" density "$EV" -o "$T/p0.tif" $D >"$T/o" 2>"$T/e" || fail "density"
grep -q "records loaded" "$T/o" && grep -q "weight total" "$T/o" && grep -q "^wrote " "$T/o" || { cat "$T/o"; fail "summary not on stdout"; }
grep -q "records loaded\|weight total" "$T/e" && fail "summary lines on stderr"
grep -q "%" "$T/e" && fail "progress bar shown although stderr is not a terminal"
"$BIN" density "$EV" -o "$T/p1.tif" $D --progress >"$T/o" 2>"$T/e" || fail "density --progress"
grep -q "100%" "$T/e" || { cat "$T/e"; fail "--progress: no bar on stderr"; }
[ "$(tail -c 1 "$T/e" | od -An -c | tr -d ' ')" = '\n' ] || fail "--progress: stderr does not end with a newline"
"$BIN" density "$EV" -o "$T/p2.tif" $D --progress >"$T/oe" 2>&1 || fail "density --progress 2>&1"
grep -E "%.*(records loaded|wrote |kernel quartic)" "$T/oe" && fail "a summary line runs into the progress line"
NEXUSMAP_PROGRESS=1 "$BIN" density "$EV" -o "$T/p3.tif" $D >"$T/o" 2>"$T/e" || fail "NEXUSMAP_PROGRESS=1"
grep -q "100%" "$T/e" || fail "NEXUSMAP_PROGRESS=1: no bar"
"$BIN" density "$EV" -o "$T/p4.tif" $D --progress --quiet >"$T/o" 2>"$T/e" || fail "--progress --quiet"
[ -s "$T/e" ] && fail "--quiet did not silence --progress"
echo "ok: --progress and summaries"

# ---- --json -------------------------------------------------------------------------------------
"$BIN" density "$EV" -o "$T/j.tif" $D --json >"$T/j" 2>"$T/e" || fail "density --json"
[ "$(jget "$T/j" "d['status'], d['exit_code'], d['command']")" = "('ok', 0, 'density')" ] || { cat "$T/j"; fail "density --json status"; }
[ "$(jget "$T/j" "d['outputs'][0].endswith('j.tif')")" = True ] || fail "density --json outputs"
"$BIN" zonal "$EV" --csv "$T/z.csv" --json >"$T/j" 2>"$T/e" || fail "zonal --json"
jget "$T/j" "d['status']" | grep -q ok || fail "zonal --json"
"$BIN" density "$T/nope.csv" -o "$T/j2.tif" --json >"$T/j" 2>"$T/e"; [ $? = 1 ] || fail "--json failure: exit not 1"
[ "$(jget "$T/j" "d['status'], d['exit_code']")" = "('error', 1)" ] || { cat "$T/j"; fail "--json failure object"; }
jget "$T/j" "d['error']" | grep -q "nope.csv" || fail "--json error does not name the file"
echo "ok: --json"

# ---- '-' as input -------------------------------------------------------------------------------
"$BIN" density - -o "$T/s.tif" $D <"$EV" >"$T/o" 2>"$T/e" || { cat "$T/e"; fail "density - (stdin)"; }
"$BIN" density "$EV" -o "$T/f.tif" $D >/dev/null 2>&1 || fail "density file"
[ "$(gdalinfo -checksum "$T/s.tif" | grep Checksum)" = "$(gdalinfo -checksum "$T/f.tif" | grep Checksum)" ] || fail "stdin and file give different rasters"
"$BIN" info - <"$EV" >"$T/o" 2>"$T/e" || fail "info -"
grep -q "5 of 12 records loaded (ACLED" "$T/o" || { cat "$T/o"; fail "info -: events not described"; }
"$BIN" info - </dev/null >"$T/o" 2>"$T/e"; [ $? = 1 ] || fail "info - on empty stdin: exit not 1"
grep -q "standard input is empty" "$T/e" || fail "empty stdin message"
echo "ok: - as input"

# ---- outputs that are devices, FIFOs or folders are refused; folders checked first ---------------
mkfifo "$T/fifo"; mkdir "$T/dir"
for o in /dev/null "$T/fifo" "$T/dir" /dev/stdout; do
  timeout 20 "$BIN" density "$EV" -o "$o" $D --force >"$T/o" 2>"$T/e"; rc=$?
  [ $rc = 1 ] || fail "output $o: exit $rc, expected 1"
  grep -q "device\|FIFO\|folder" "$T/e" || { cat "$T/e"; fail "output $o: unclear message"; }
  grep -q "records loaded" "$T/o" && fail "output $o: refused only after loading"
done
# The /dev/stdout case of the issue (stdout a regular file, --force): refused, nothing renamed.
"$BIN" zonal "$EV" --csv /dev/stdout --force >"$T/so" 2>"$T/e"; [ $? = 1 ] || fail "--csv /dev/stdout accepted"
[ -e /dev/stdout ] && [ ! -f /dev/stdout ] || [ -L /dev/stdout ] || fail "/dev/stdout was replaced"
[ -p "$T/fifo" ] || fail "the FIFO was replaced"
"$BIN" density "$EV" -o "$T/no/such/dir/x.tif" $D >"$T/o" 2>"$T/e"; [ $? = 1 ] || fail "missing folder: exit not 1"
grep -q "output folder '.*no/such/dir' does not exist" "$T/e" || { cat "$T/e"; fail "missing folder message"; }
grep -q "records loaded" "$T/o" && fail "missing folder: detected only after loading the events"
"$BIN" density "$EV" -o "$T/x.tif" --qml viridis --force $D >/dev/null 2>&1 || fail "density --qml"
echo "ok: output paths"

# ---- info: CRS identified to EPSG, extent, pixel size, bands; vectors with fields -----------------
gdal_translate -q -a_srs EPSG:31028 -a_nodata -9999 "$T/f.tif" "$T/utm.tif" || fail "gdal_translate"
"$BIN" info "$T/utm.tif" >"$T/o" 2>"$T/e" || { cat "$T/e"; fail "info raster"; }
grep -q "crs: EPSG:31028" "$T/o" || { cat "$T/o"; fail "info: EPSG:31028 not identified"; }
grep -q "pixel size: 25000, -25000" "$T/o" || { cat "$T/o"; fail "info: pixel size"; }
grep -q "band 1: Float32.*nodata -9999" "$T/o" || { cat "$T/o"; fail "info: band type/nodata"; }
grep -q "^extent: " "$T/o" || fail "info: extent"
"$BIN" info "$T/utm.tif" --json >"$T/j" || fail "info --json"
[ "$(jget "$T/j" "d['dataset']['raster']['crs']['epsg'], d['dataset']['raster']['bands'][0]['type'], d['dataset']['raster']['bands'][0]['nodata']")" = "('EPSG:31028', 'Float32', -9999.0)" ] || { cat "$T/j"; fail "info --json raster"; }
# A CRS given without its code (PROJ string) is matched to EPSG:4326 as gdalsrsinfo -e does.
gdal_translate -q -a_srs "+proj=longlat +datum=WGS84 +no_defs" "$T/f.tif" "$T/ll.tif" 2>/dev/null || fail "gdal_translate ll"
"$BIN" info "$T/ll.tif" | grep -q "crs: EPSG:4326" || { "$BIN" info "$T/ll.tif"; fail "info: lon/lat not matched to EPSG:4326"; }
"$BIN" info "$A/acled_truncated.shp" --json >"$T/j" || fail "info shp --json"
[ "$(jget "$T/j" "d['dataset']['layers'][0]['geometry_type'], d['dataset']['layers'][0]['feature_count'], d['dataset']['layers'][0]['crs']['epsg']")" = "('Point', 7, 'EPSG:4326')" ] || { cat "$T/j"; fail "info shp layer"; }
jget "$T/j" "[f['type'] for f in d['dataset']['layers'][0]['fields'] if f['name']=='event_date'][0]" | grep -q Date || fail "info shp: field types"
[ "$(jget "$T/j" "d['events']['loaded'], d['events']['columns']['precision']")" = "(7, 'geo_precision')" ] || { cat "$T/j"; fail "info shp: truncated geo_precis not recognised"; }
echo "ok: info"

# ---- ACLED XLSX, API JSON and Shapefile exports load like the CSV ----------------------------------
for f in acled_clean.csv acled_clean.xlsx acled_api.json acled_truncated.shp; do
  "$BIN" density "$A/$f" -o "$T/a_$f.tif" $D --weight auto --max-precision 1 >"$T/o" 2>"$T/e" || { cat "$T/e"; fail "$f: density failed"; }
  grep -q "7 of 7 records loaded" "$T/o" || { cat "$T/o"; fail "$f: not every record loaded"; }
  grep -q "ACLED columns" "$T/o" || { cat "$T/o"; fail "$f: ACLED columns not detected"; }
  # geo_precision 1 on 4 rows, with 3+2+4+6 = 15 fatalities.
  grep -q "4 events, weight total 15" "$T/o" || { cat "$T/o"; fail "$f: precision or fatalities not read"; }
done
echo "ok: ACLED inputs"

# ---- --country: ISO3, English, French, UCDP/ACLED spellings, case and accents ---------------------
# (every spelling is checked in tests/test_countries.cpp; here a few go through the command line)
for c in civ "Côte d’Ivoire" "Ivory Coast" "COTE D'IVOIRE"; do
  "$BIN" density "$A/acled_clean.csv" -o "$T/c.tif" --force $D --country "$c" >"$T/o" 2>"$T/e" || { cat "$T/e"; fail "--country '$c'"; }
  grep -q "^  2 events after filters" "$T/o" || { cat "$T/o"; fail "--country '$c': not 2 events"; }
done
for c in Bénin BEN; do
  "$BIN" density "$A/acled_clean.csv" -o "$T/c.tif" --force $D --country "$c" --country BFA >"$T/o" 2>&1 || fail "--country '$c'"
  grep -q "^  4 events after filters" "$T/o" || { cat "$T/o"; fail "--country '$c' BFA: not 4 events"; }
done
"$BIN" density "$A/acled_clean.csv" -o "$T/c.tif" --force $D --country "Ivroy Coast" >"$T/o" 2>"$T/e"; [ $? = 2 ] || fail "unknown country: exit not 2 (usage)"
grep -q "did you mean Côte d'Ivoire (CIV)" "$T/e" || { cat "$T/e"; fail "unknown country: no suggestion"; }
echo "ok: --country"

# ---- one vocabulary: renamed flags keep their old names as hidden aliases --------------------------
"$BIN" density "$EV" -o "$T/u1.tif" $D --value-units qgis-raw >/dev/null 2>&1 || fail "--value-units"
"$BIN" density "$EV" -o "$T/u2.tif" $D --units qgis-raw >/dev/null 2>"$T/e" || fail "old --units refused"
grep -q "old name of --value-units" "$T/e" || fail "old --units: no note"
[ "$(gdalinfo -checksum "$T/u1.tif" | grep Checksum)" = "$(gdalinfo -checksum "$T/u2.tif" | grep Checksum)" ] || fail "--units and --value-units differ"
"$BIN" density --help >"$T/h"; grep -q -- "--value-units" "$T/h" || fail "density --help lacks --value-units"
grep -q -- "--units" "$T/h" && fail "density --help still shows the old --units"
"$BIN" map --help | grep -q -- "--period" || fail "map --help lacks --period"
"$BIN" spillover --help | grep -q -- "--lead-lag-levels" || fail "spillover --help lacks --lead-lag-levels"
for c in hotspots lisa emerging; do
  "$BIN" $c --help >"$T/h"; grep -q -- "--no-fdr" "$T/h" && grep -q -- "--fdr" "$T/h" || fail "$c lacks --fdr/--no-fdr"
done
grep -q -- "--period" "$T/h" || fail "emerging --help lacks --period"
echo "ok: flag vocabulary"

echo "cli habits: all checks passed"
