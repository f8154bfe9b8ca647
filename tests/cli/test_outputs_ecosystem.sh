#!/usr/bin/env bash
# Outputs every GIS reader opens (issue #16): each format the output registry writes is reopened
# with GDAL/OGR's own tools (ogrinfo/gdalinfo -json), Python's csv and sqlite3 modules (readers
# that know nothing of nexusmap), and checked for fields, types, geometry type, CRS and provenance;
# a GeoPackage has QGIS's layer_styles schema; KML has <Style>s; class rasters have a colour table
# and an attribute table; a mismatched extension is refused before any work; "-" streams to stdout.
# Usage: test_outputs_ecosystem.sh NEXUSMAP SOURCE_DIR
set -u
BIN=$1
SRC=$2
command -v ogrinfo >/dev/null && command -v gdalinfo >/dev/null && command -v python3 >/dev/null || {
  echo "skip: needs ogrinfo, gdalinfo and python3"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export NEXUSMAP_PROGRESS=0
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
EV=$SRC/data/demo/events_synthetic.csv

# --- refused before any work: exit non-zero, nothing written, well under a second of work -----
refuse() { # NAME ARGS...: the command must fail, name the fix, and leave the folder empty
  local name=$1; shift
  local t0=$(date +%s%N)
  "$@" >"$T/r.out" 2>"$T/r.err" && { fail "$name: accepted"; return; }
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  grep -q "$EXPECT" "$T/r.err" || fail "$name: message lacks '$EXPECT': $(cat "$T/r.err")"
  [ -z "$(ls -A "$T/refuse")" ] || fail "$name: wrote $(ls -A "$T/refuse")"
  # Loading 20000 events alone takes longer than this; the refusal comes first.
  [ "$ms" -lt 3000 ] || fail "$name: took $ms ms (checked after the work?)"
  ok "$name refused before work ($ms ms)"
}
mkdir -p "$T/refuse"
EXPECT=".tif, .tiff" refuse "density -o x.png" "$BIN" density "$EV" -o "$T/refuse/x.png"
EXPECT="no Shapefile" refuse "zonal -o z.shp" "$BIN" zonal "$EV" -o "$T/refuse/z.shp"
EXPECT="is a GeoTIFF name" refuse "zonal -o z.tif" "$BIN" zonal "$EV" -o "$T/refuse/z.tif"
EXPECT="use .gpkg, .csv" refuse "zonal --csv z.geojson" "$BIN" zonal "$EV" --csv "$T/refuse/z.geojson"
EXPECT="cannot be streamed" refuse "density -o -" "$BIN" density "$EV" -o -
EXPECT="writes several files" refuse "hotspots -o -" "$BIN" hotspots "$EV" -o -
EXPECT="give a stem" refuse "spillover -o s.gpkg" "$BIN" spillover "$EV" -o "$T/refuse/s.gpkg"

# --- a density raster and its products (a 3000-event slice keeps the test fast; still synthetic) --
awk 'NR == 1 || NR % 7 == 0' "$EV" >"$T/ev.csv"
EV=$T/ev.csv
"$BIN" density "$EV" -o "$T/d.tif" --cell-km 20 >/dev/null 2>&1 || fail "density"
gdalinfo -json "$T/d.tif" >"$T/d.json" || fail "gdalinfo d.tif"
python3 - "$T/d.json" <<'PY' && ok "density GeoTIFF: Float32, named CRS, synthetic=true" || fail "density GeoTIFF metadata"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["bands"][0]["type"] == "Float32", j["bands"][0]["type"]
wkt = j["coordinateSystem"]["wkt"]
assert wkt.startswith('PROJCRS["Lambert azimuthal equal-area 2 12 (nexusmap)"'), wkt[:80]
assert j["metadata"][""]["synthetic"] == "true"
PY

# contours in every vector format.
for ext in gpkg geojson fgb kml kmz csv; do
  "$BIN" contours "$T/d.tif" -o "$T/c.$ext" >/dev/null 2>"$T/c.err" || fail "contours -o c.$ext: $(cat "$T/c.err")"
  [ -s "$T/c.$ext" ] || fail "contours -o c.$ext wrote nothing"
done
file "$T/c.gpkg" 2>/dev/null | grep -qi "sqlite\|geopackage" || head -c 16 "$T/c.gpkg" | grep -q "SQLite format 3" || fail "c.gpkg is not SQLite"
# ogrinfo -so -al (GDAL 3.6 has no ogrinfo -json): geometry type, count, field types, CRS name.
for ext in gpkg geojson fgb csv; do
  ogrinfo -so -al "$T/c.$ext" 2>/dev/null | grep -v "^  [A-Za-z_]*=" >"$T/c.$ext.txt" || { fail "ogrinfo c.$ext"; continue; }
  python3 - "$T/c.$ext.txt" "$ext" <<'PY' && ok "contours .$ext: MultiPolygon, typed fields, data_kind, CRS" || fail "contours .$ext: $(head -c 600 "$T/c.$ext.txt")"
import re, sys
t = open(sys.argv[1]).read(); ext = sys.argv[2]
lyr = [b for b in t.split("Layer name: ")[1:] if not b.startswith("layer_styles")][0]
if ext != "csv":  # a CSV cannot declare its geometry type; OGR reads the WKT column
    assert "Geometry: Multi Polygon" in lyr, lyr[:200]
    want = "WGS 84" if ext == "geojson" else "Lambert azimuthal equal-area 2 12 (nexusmap)"
    assert re.search(r'(GEOGCRS|PROJCRS)\["' + re.escape(want) + '"', lyr), lyr[:400]
else:
    assert "Geometry Column = geom_WKT" in lyr
assert "Feature Count: 3" in lyr
assert re.search(r"^level: Real", lyr, re.M), lyr
assert re.search(r"^data_kind: String", lyr, re.M), lyr
PY
done
# data_kind survives ogr2ogr into formats without metadata (Shapefile).
if command -v ogr2ogr >/dev/null; then
  ogr2ogr -f "ESRI Shapefile" "$T/c_shp.shp" "$T/c.gpkg" hotspot_contours 2>/dev/null || fail "ogr2ogr to SHP"
  ogrinfo -q "$T/c_shp.shp" -sql "SELECT DISTINCT data_kind FROM c_shp" 2>/dev/null | grep -q "data_kind (String) = synthetic" &&
    ok "data_kind=synthetic survives ogr2ogr to Shapefile" || fail "data_kind lost in ogr2ogr"
fi
# GeoPackage: provenance in gpkg_metadata; layer_styles with QGIS's schema and this layer's QML.
python3 - "$T/c.gpkg" <<'PY' && ok "GPKG: layer_styles schema as QGIS, default style row, metadata" || fail "GPKG layer_styles / metadata"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
cols = [(r[1], r[2]) for r in c.execute("PRAGMA table_info(layer_styles)")]
want = [("id", "INTEGER"), ("f_table_catalog", "TEXT(256)"), ("f_table_schema", "TEXT(256)"), ("f_table_name", "TEXT(256)"),
        ("f_geometry_column", "TEXT(256)"), ("styleName", "TEXT(30)"), ("styleQML", "TEXT"), ("styleSLD", "TEXT"),
        ("useAsDefault", "BOOLEAN"), ("description", "TEXT"), ("owner", "TEXT(30)"), ("ui", "TEXT(30)"),
        ("update_time", "DATETIME")]
assert cols == want, cols
rows = c.execute("SELECT f_table_name, f_geometry_column, useAsDefault, styleQML FROM layer_styles").fetchall()
assert len(rows) == 1, rows
name, geom, default, qml = rows[0]
assert name == "hotspot_contours" and geom == "geom" and default == 1, rows[0][:3]
assert qml.startswith("<!DOCTYPE qgis") and 'type="categorizedSymbol" attr="fill"' in qml, qml[:300]
gc = c.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name='hotspot_contours'").fetchone()
assert gc[0] == geom
md = "".join(r[0] for r in c.execute("SELECT metadata FROM gpkg_metadata"))
assert '<MDI key="synthetic">true</MDI>' in md, md[:300]
PY
# KML: <Style> elements coloured from the layer's style; OGR reads it back.
grep -q "<Style id=\"s0\"><LineStyle><color>" "$T/c.kml" && grep -q "<styleUrl>#s" "$T/c.kml" && ok "KML has Style elements" || fail "KML styles"
ogrinfo -q -so "$T/c.kmz" >/dev/null 2>&1 && ok "OGR opens the KMZ" || fail "OGR cannot open the KMZ"
# CSV: one plain header row, any CSV reader works; metadata in the sidecar; OGR sees a WKT layer.
python3 - "$T/c.csv" <<'PY' && ok "CSV: plain header, WKT, data_kind; sidecar metadata" || fail "contours CSV"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 3, len(rows)
assert rows[0]["WKT"].startswith("MULTIPOLYGON"), rows[0]["WKT"][:30]
assert rows[0]["data_kind"] == "synthetic"
float(rows[0]["level"])
side = json.load(open(sys.argv[1] + ".json"))
assert side["metadata"]["synthetic"] == "true" and side["geometry"]["crs"] == "EPSG:4326"
PY

# --- '-' streams: GeoJSON and CSV to stdout, the command's messages to stderr --------------------
"$BIN" contours "$T/d.tif" -o - >"$T/s.geojson" 2>"$T/s.err" || fail "contours -o -"
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['type']=='FeatureCollection' and len(j['features'])==3" "$T/s.geojson" &&
  ok "contours -o - writes GeoJSON to stdout" || fail "stdout GeoJSON: $(head -c 200 "$T/s.geojson")"
grep -q "^wrote -" "$T/s.err" && ok "messages went to stderr" || fail "messages not on stderr: $(cat "$T/s.err")"
[ -e ./- ] && fail "a file named '-' was written"
"$BIN" zonal "$EV" --csv - >"$T/s.csv" 2>/dev/null || fail "zonal --csv -"
python3 -c "
import csv,sys; r=list(csv.DictReader(open(sys.argv[1], newline=''))); assert len(r) > 10 and 'events' in r[0] and 'WKT' in r[0]" "$T/s.csv" &&
  ok "zonal --csv - writes CSV to stdout" || fail "stdout CSV: $(head -c 200 "$T/s.csv")"

# --- zonal: every vector format, Multi* even where admin-1 mixes Polygon and MultiPolygon ---------
"$BIN" zonal "$EV" -o "$T/z.gpkg" --csv "$T/z.csv" >/dev/null 2>&1 || fail "zonal -o z.gpkg"
ogrinfo -so "$T/z.gpkg" 2>/dev/null | grep -q "(Multi Polygon)" && ok "zonal GPKG is one MultiPolygon layer" || fail "zonal GPKG geometry type"
"$BIN" zonal "$EV" -o "$T/z.geojson" >/dev/null 2>"$T/z.err" || fail "zonal -o z.geojson: $(cat "$T/z.err")"
ogrinfo -so -al "$T/z.geojson" 2>/dev/null | grep -q "Geometry: Multi Polygon" && ok "zonal GeoJSON reports Multi Polygon, not Unknown (any)" ||
  fail "zonal GeoJSON geometry type: $(ogrinfo -so "$T/z.geojson" 2>&1 | grep Geometry)"

# --- class rasters: colour table and attribute table (Gi* bins, LISA classes) ---------------------
"$BIN" hotspots "$EV" --cell-km 50 --permutations 99 -o "$T/h" >/dev/null 2>&1 || fail "hotspots"
"$BIN" lisa "$EV" --cell-km 50 --permutations 99 -o "$T/h" >/dev/null 2>&1 || fail "lisa"
for f in h_gistar_bin.tif h_lisa_class.tif; do
  gdalinfo -json "$T/$f" >"$T/$f.json" 2>/dev/null || { fail "gdalinfo $f"; continue; }
done
python3 - "$T/h_gistar_bin.tif.json" "$T/h_lisa_class.tif.json" <<'PY' && ok "class rasters: Byte, palette, RAT labels and colours" || fail "class rasters"
import json, sys
for path, label, code, rgb in [(sys.argv[1], "Hot spot, 99% confidence", 6, [214, 47, 39]),
                               (sys.argv[2], "High-High", 1, [255, 0, 0])]:
    j = json.load(open(path))
    b = j["bands"][0]
    assert b["type"] == "Byte" and b["colorInterpretation"] == "Palette" and b["noDataValue"] == 255, b
    assert b["colorTable"]["entries"][code][:3] == rgb, b["colorTable"]["entries"][code]
    names = [f["name"] for f in j["rat"]["fieldDefn"]]
    assert names[:4] == ["value", "class_value", "label", "colour"], names
    row = [r for r in j["rat"]["row"] if r["f"][0] == code][0]["f"]
    assert row[2] == label, row
    assert j["metadata"][""]["synthetic"] == "true"
    assert "Lambert azimuthal equal-area 2 12 (nexusmap)" in j["coordinateSystem"]["wkt"].split("\n")[0]
PY
# The per-unit CSV opens as a layer (WKT) and the styled GPKG has the bins' categories.
ogrinfo -so "$T/h_gistar.csv" h_gistar 2>/dev/null | grep -q "Geometry Column = geom_WKT" && ok "Gi* CSV has a geometry column" || fail "Gi* CSV geometry"
python3 - "$T/h_gistar.gpkg" <<'PY' && ok "Gi* GPKG style has the bin categories" || fail "Gi* GPKG style"
import sqlite3, sys
q = sqlite3.connect(sys.argv[1]).execute("SELECT styleQML FROM layer_styles WHERE f_table_name='gistar'").fetchone()[0]
assert 'label="+3 Hot spot, 99% confidence"' in q or 'label="0 Not significant"' in q, q[:400]
PY

[ $fails -eq 0 ] && echo "outputs ecosystem: ok" || { echo "outputs ecosystem: $fails failure(s)"; exit 1; }
