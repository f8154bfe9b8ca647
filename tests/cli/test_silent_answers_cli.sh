#!/usr/bin/env bash
# Silent wrong answers (issue #19), through the real program: each check is named after what used
# to happen without a word (exit 0, plausible output) and now is refused or warned about.
# Usage: test_silent_answers_cli.sh NEXUSMAP SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
command -v python3 >/dev/null || { echo "python3 needed to write the inputs"; exit 77; }

python3 - "$T" <<'PY'
import random, struct, sys, os
d = sys.argv[1]
r = random.Random(19)
def csv(name, rows, hdr="latitude,longitude,event_date"):
    with open(os.path.join(d, name), "w") as f:
        f.write(hdr + "\n" + "".join(x + "\n" for x in rows))
csv("ev.csv", ["%.4f,%.4f,2021-%02d-10" % (13 + r.uniform(-1, 1), -1 + r.uniform(-1, 1), 1 + i % 12) for i in range(300)])
csv("runaway.csv", ["%.4f,%.4f,%s" % (13 + r.uniform(-1, 1), -1 + r.uniform(-1, 1), '"never closed' if i == 4 else "ok")
                    for i in range(1, 1001)], "latitude,longitude,notes")
csv("identical.csv", ["13.5,-1.5,2021-03-%02d" % (1 + i % 28) for i in range(50)])
# West African events with latitude and longitude swapped and a sign lost: they land in Borneo.
csv("borneo.csv", ["%.4f,%.4f,2021-%02d-10" % (-1 + r.uniform(-1, 1), 113 + r.uniform(-1, 1), 1 + i % 12) for i in range(50)])
# Half of them beyond the horizon of an orthographic view centred on 80W.
csv("ortho.csv", ["%.4f,%.4f,2021-01-10" % (r.uniform(-1, 1), [5, 6, 7, 8, 9, 11, 12, 13, 14, 15][i % 10] + r.uniform(-0.3, 0.3))
                  for i in range(200)])
# 4x4 float32 rasters (ENVI, then GeoTIFF by gdal_translate): one infinite cell; two negative cells.
def envi(name, v):
    open(os.path.join(d, name + ".bil"), "wb").write(struct.pack("<16f", *v))
    open(os.path.join(d, name + ".hdr"), "w").write(
        "ENVI\nsamples = 4\nlines = 4\nbands = 1\nheader offset = 0\nfile type = ENVI Standard\ndata type = 4\n"
        "interleave = bsq\nbyte order = 0\nmap info = {UTM, 1, 1, 500000, 1500000, 1000, 1000, 31, North, WGS-84}\n")
envi("inf", [0.5, 1, 2, 0, 1, 5, float("inf"), 1, 0, 2, 3, 0, 0, 0, 1, 0])
envi("neg", [0.5, 1, 2, 0, 1, 5, -4, 1, 0, 2, 3, 0, 0, -1, 1, 0])
PY
for r in inf neg; do gdal_translate -q "$T/$r.bil" "$T/$r.tif" || fail "gdal_translate $r"; done

# ---- unterminated quote: one row lost and reported, not the 997 after it ----------------------
"$BIN" info "$T/runaway.csv" >"$T/out" 2>&1 || { cat "$T/out"; fail "unterminated quote: info failed"; }
grep -q "999 of 1000 records loaded" "$T/out" || { cat "$T/out"; fail "unterminated quote: rows after it lost"; }
grep -q "line 5: unterminated quote" "$T/out" || fail "unterminated quote: line not reported"
grep -q "997 lines to the end of the file" "$T/out" || fail "unterminated quote: swallowed lines not counted"
"$BIN" density "$T/runaway.csv" -o "$T/r.tif" --strict 2>"$T/err" && fail "unterminated quote: --strict succeeded"
grep -q "line 5: unterminated quote" "$T/err" || { cat "$T/err"; fail "unterminated quote: --strict message"; }
[ -e "$T/r.tif" ] && fail "unterminated quote: --strict wrote an output"

# ---- OGR rows by feature id, null geometries counted ------------------------------------------
"$BIN" density "$SRC/tests/data/bad/points_null_geometry.geojson" -o "$T/n.tif" --bandwidth-km 20 >"$T/err" 2>&1 ||
  { cat "$T/err"; fail "null geometry: density failed"; }
grep -q "2 of 5 records loaded" "$T/err" || { cat "$T/err"; fail "null geometry: not counted"; }
grep -q "feature 2 (fid 11): null or empty geometry" "$T/err" || fail "null geometry: not reported by FID"
grep -q "feature 4 (fid 13): unparsable date" "$T/err" || fail "OGR bad row: not reported by FID"
"$BIN" density "$SRC/tests/data/bad/empty_feature_collection.geojson" -o "$T/e.tif" 2>"$T/err" && fail "empty layer accepted"
grep -q "contains no features" "$T/err" || { cat "$T/err"; fail "empty FeatureCollection: misleading message"; }

# ---- geographic analysis CRS refused ----------------------------------------------------------
"$BIN" density "$T/ev.csv" -o "$T/g.tif" --crs EPSG:4326 2>"$T/err" && fail "geographic CRS: accepted"
grep -q "geographic CRS" "$T/err" || { cat "$T/err"; fail "geographic CRS: message"; }
grep -q "laea:" "$T/err" || fail "geographic CRS: no laea:LON,LAT hint"
[ -e "$T/g.tif" ] && fail "geographic CRS: wrote an output"

# ---- points that cannot be projected are counted ----------------------------------------------
"$BIN" density "$T/ortho.csv" -o "$T/o.tif" --crs "+proj=ortho +lon_0=-80 +lat_0=0" --bandwidth-km 50 --cell-km 10 >"$T/err" 2>&1 ||
  { cat "$T/err"; fail "unprojectable points: density failed"; }
grep -q "100 of 200 events cannot be projected" "$T/err" || { cat "$T/err"; fail "unprojectable points: not counted"; }
grep -q "100 events, weight total 100" "$T/err" || fail "unprojectable points: summary does not match"
"$BIN" density "$T/ortho.csv" -o "$T/o2.tif" --crs "+proj=ortho +lon_0=-80 +lat_0=0" --strict 2>"$T/err" &&
  fail "unprojectable points: --strict succeeded"

# ---- density that cannot integrate to the total -----------------------------------------------
"$BIN" density "$T/ev.csv" -o "$T/w.tif" --bandwidth-km 1 --cell-km 5 2>"$T/err" || { cat "$T/err"; fail "small bandwidth: failed"; }
grep -q "warning: bandwidth 1 km is under 2 cells" "$T/err" || { cat "$T/err"; fail "small bandwidth: no warning"; }
grep -q "warning: the raster integrates to" "$T/err" || fail "small bandwidth: integral mismatch not reported"
"$BIN" density "$T/identical.csv" -o "$T/s.tif" --bandwidth-km silverman 2>"$T/err" && fail "silverman on identical points: accepted"
grep -q "no spread" "$T/err" || { cat "$T/err"; fail "silverman on identical points: message"; }
grep -q -- "--bandwidth-km" "$T/err" || fail "silverman on identical points: no --bandwidth-km hint"
"$BIN" density "$T/ev.csv" -o "$T/ok.tif" --bandwidth-km 40 --cell-km 5 2>"$T/err" || fail "normal density failed"
grep -q "warning" "$T/err" && { cat "$T/err"; fail "normal density: spurious warning"; }

# ---- contours on rasters that are not densities -----------------------------------------------
"$BIN" contours "$T/inf.tif" -o "$T/c1.geojson" 2>"$T/err" && fail "contours on an infinite cell: exit 0"
grep -q "inf.tif: contours: 1 cells hold infinite" "$T/err" || { cat "$T/err"; fail "contours on an infinite cell: message"; }
"$BIN" contours "$T/neg.tif" -o "$T/c2.geojson" 2>"$T/err" && fail "contours percent volume on negative cells: exit 0"
grep -q "2 cells are negative" "$T/err" || { cat "$T/err"; fail "contours on negative cells: message"; }
"$BIN" contours "$T/neg.tif" -o "$T/c3.geojson" --levels 2 2>"$T/err" >/dev/null || fail "contours explicit level on a signed raster failed"
grep -q "warning: .*negative.*mass_share" "$T/err" || { cat "$T/err"; fail "contours explicit level on negative cells: no warning"; }
"$BIN" contours "$T/ok.tif" -o "$T/c4.geojson" --fill-opacity nan 2>"$T/err" && fail "contours --fill-opacity nan accepted"
grep -q -- "--fill-opacity nan" "$T/err" || fail "contours --fill-opacity message"

# ---- map refuses invalid numeric flags, naming them -------------------------------------------
for flag in "--dpi 0" "--dpi nan" "--opacity nan" "--opacity 2" "--vmax nan" "--vmin inf" "--width 0 --height 100" "--fade-below -1"; do
  "$BIN" map "$T/ev.csv" -o "$T/m.png" $flag 2>"$T/err" && fail "map $flag accepted"
  grep -q -- "error: ${flag%% *} " "$T/err" || { cat "$T/err"; fail "map $flag: message does not name the flag"; }
done
[ -e "$T/m.png" ] && fail "map wrote a PNG despite an invalid flag"

# ---- Gi* on tiny samples warns ----------------------------------------------------------------
"$BIN" hotspots "$T/identical.csv" --units fishnet --cell-km 50 --out "$T/hs" >"$T/out" 2>&1 || { cat "$T/out"; fail "tiny Gi*: failed"; }
grep -q "warning: only 4 units" "$T/out" || { cat "$T/out"; fail "tiny Gi*: no 'too few units' warning"; }
grep -q "warning: all events fall in one unit" "$T/out" || fail "tiny Gi*: no 'one unit' warning"

# ---- events far outside the study area: say where they are ------------------------------------
"$BIN" spillover "$T/borneo.csv" -o "$T/sp" 2>"$T/err" && fail "spillover on events in Borneo: exit 0"
grep -q "none of the 50 events lies inside the two country groups" "$T/err" || { cat "$T/err"; fail "spillover: misleading message"; }
grep -q "the events span lon 11[0-9]" "$T/err" || fail "spillover: events' extent not given"
"$BIN" map "$T/borneo.csv" -o "$T/b.png" 2>"$T/err" && fail "map of events in Borneo: exit 0 (drew none of them)"
grep -q "none of the 50 events lies inside the map extent" "$T/err" || { cat "$T/err"; fail "map: no message about the extent"; }
[ -e "$T/b.png" ] && fail "map of events outside the extent written"

echo "silent answers: all checks passed"
