#!/usr/bin/env bash
# The bundled real data (data/real: UCDP GED 24.1, admin-2 with population) end to end: every output
# format states synthetic=false and the UCDP attribution; mixed inputs carry each input's flags;
# location precision (--max-precision, --precision spread) against a hand count on
# tests/data/precision_levels.csv (where_prec 1..7: 3, 2, 2, 2, 1, 1, 1 events; best 2 5 1 | 4 3 |
# 7 1 | 10 2 | 6 | 20 | 8); admin-2 rates per 100,000 people flagged approximate.
# Usage: test_real_data.sh NEXUSMAP SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export NEXUSMAP_PROGRESS=0
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
# A CSV's metadata item, from its sidecar NAME.csv.json (CSVs have one plain header row).
meta() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]+'.json'))['metadata'].get(sys.argv[2],''))" "$1" "$2"; }
EV=$SRC/data/real/ucdp_ged241_uemoa6.csv
SYN=$SRC/data/demo/events_synthetic.csv
GPKG=$SRC/data/basemap/west_africa.gpkg
FIX=$SRC/tests/data/precision_levels.csv

# Bundled files stay small (every tracked file under 5 MB).
for f in "$EV" "$GPKG" "$SRC/data/real/afripop2020_20km.tif"; do
  [ "$(stat -c %s "$f")" -lt 5000000 ] && ok "$(basename "$f") under 5 MB" || fail "$f is 5 MB or more"
done

"$BIN" info "$EV" >"$T/info" 2>&1 || fail "info on the real events"
grep -q "4741 of 4741 records loaded (UCDP GED" "$T/info" && ok "info: UCDP GED recognised" || fail "info: $(head -3 "$T/info")"
grep -q "SYNTHETIC" "$T/info" && fail "info calls the real events synthetic" || ok "info: not synthetic"

# GeoTIFF tags.
"$BIN" density "$EV" -o "$T/d.tif" --cell-km 10 --from 2012-01-01 --to 2023-12-31 >"$T/dout" 2>"$T/derr" || fail "density: $(tail -3 "$T/derr")"
gdalinfo "$T/d.tif" >"$T/gi" 2>&1
grep -q "synthetic=false" "$T/gi" && ok "GeoTIFF synthetic=false" || fail "GeoTIFF lacks synthetic=false"
grep -q "attribution=UCDP GED" "$T/gi" && ok "GeoTIFF UCDP attribution" || fail "GeoTIFF lacks the UCDP attribution"
grep -q "illustrative" "$T/gi" && fail "GeoTIFF mentions illustrative routes it did not use" || ok "GeoTIFF: no routes"
# GeoJSON metadata.
"$BIN" contours "$T/d.tif" -o "$T/c.geojson" --percent 50,90 >/dev/null 2>&1 || fail contours
grep -q '"synthetic":"false"' "$T/c.geojson" && grep -q '"attribution":"UCDP GED' "$T/c.geojson" \
  && ok "GeoJSON metadata synthetic=false + UCDP" || fail "contours GeoJSON metadata: $(grep -o '"metadata":{[^}]*' "$T/c.geojson" | head -c 400)"
# CSV header, admin-2 rates per 100,000 people (approximate).
"$BIN" zonal "$EV" --polygons "$GPKG:admin2" --per-capita pop2020_est --from 2012-01-01 --to 2023-12-31 \
  -o "$T/z.geojson" --csv "$T/z.csv" >"$T/zout" 2>"$T/zerr" || fail "zonal admin2: $(tail -3 "$T/zerr")"
meta "$T/z.csv" synthetic | grep -q "^false" && ok "CSV synthetic: false" || fail "CSV lacks synthetic: false"
meta "$T/z.csv" attribution | grep -q "^UCDP GED.*OCHA" && ok "CSV attribution: UCDP and OCHA COD-AB" || fail "CSV attribution: $(meta "$T/z.csv" attribution)"
meta "$T/z.csv" population_note | grep -q "^APPROXIMATE" && ok "per-capita rates flagged approximate" || fail "no approximate flag"
grep -q "APPROXIMATE" "$T/zout" && ok "approximate said on stdout" || fail "stdout lacks the approximate flag"
hdr=$(head -1 "$T/z.csv")
grep -q "adm2_pcode" <<<"$hdr" && grep -q "events_per_100k_pop" <<<"$hdr" && ok "admin-2 P-codes and per-100k rates" || fail "zonal header: $hdr"
# Independent check of one rate: events / pop2020_est * 1e5 on every row (1e-6 relative).
python3 - "$T/z.csv" <<'PY' && ok "events_per_100k_pop = events / population * 1e5" || fail "per-capita rate arithmetic"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 643, len(rows)
n = 0
for r in rows:
    e, p, rate = float(r["events"]), float(r["population"]), float(r["events_per_100k_pop"])
    assert abs(rate - e / p * 1e5) <= 1e-6 * max(1, rate), r
    n += e
assert n > 3000, n
PY
# Print map footer and attribution (PDF text): real events, no routes unless asked for.
if command -v pdftotext >/dev/null; then
  "$BIN" map "$EV" -o "$T/m.pdf" --from 2012-01-01 --to 2023-12-31 >/dev/null 2>"$T/merr" || fail "map: $(tail -3 "$T/merr")"
  pdftotext "$T/m.pdf" "$T/m.txt"
  grep -q "synthetic=false" "$T/m.txt" && ok "map footer synthetic=false" || fail "map footer lacks synthetic=false"
  grep -q "UCDP GED" "$T/m.txt" && ok "map shows the UCDP attribution" || fail "map lacks the UCDP attribution"
  grep -qi "illustrative" "$T/m.txt" && fail "map mentions routes it did not draw" || ok "map: no routes by default"
  grep -q "SYNTHETIC" "$T/m.txt" && fail "map of real events says SYNTHETIC" || ok "map: no SYNTHETIC mark"
  # Mixed: real events + the illustrative routes -> still real, routes labelled.
  "$BIN" map "$EV" -o "$T/mr.pdf" --demo-routes >/dev/null 2>&1 || fail "map --demo-routes"
  pdftotext "$T/mr.pdf" "$T/mr.txt"
  grep -q "synthetic=false" "$T/mr.txt" && grep -q "illustrative routes" "$T/mr.txt" && ok "real events + routes: synthetic=false, illustrative routes" \
    || fail "map with routes footer: $(grep -i 'synthetic' "$T/mr.txt")"
  # The synthetic demo still says so.
  "$BIN" map "$SYN" -o "$T/ms.pdf" >/dev/null 2>&1 || fail "map synthetic"
  pdftotext "$T/ms.pdf" "$T/ms.txt"
  grep -q "synthetic=true" "$T/ms.txt" && ok "synthetic map footer synthetic=true" || fail "synthetic map footer"
  # Chart footer: the events' attribution.
  "$BIN" chart events-per-month "$EV" -o "$T/ch.pdf" >/dev/null 2>&1 || fail "chart on the real events"
  pdftotext "$T/ch.pdf" "$T/ch.txt"
  grep -q "synthetic=false" "$T/ch.txt" && grep -q "UCDP GED" "$T/ch.txt" && ok "chart footer: synthetic=false + UCDP" || fail "chart footer"
else
  echo "skip: pdftotext not installed (map footer checks)"
fi
# Mixed inputs in metadata: synthetic events on the real admin-2 layer.
"$BIN" zonal "$SYN" --polygons "$GPKG:admin2" --csv "$T/zs.csv" >/dev/null 2>&1 || fail "zonal synthetic on admin2"
meta "$T/zs.csv" synthetic | grep -q "^true" && meta "$T/zs.csv" attribution | grep -q "^.*OCHA" && ok "mixed: synthetic=true + OCHA attribution" \
  || fail "mixed zonal metadata: $(head -c 600 "$T/zs.csv.json")"
# Corridors analyse the illustrative routes: real events, flagged illustrative routes.
"$BIN" corridors "$EV" --out "$T/cor" >"$T/corout" 2>&1 || fail "corridors: $(tail -3 "$T/corout")"
grep -q "precise events only" "$T/corout" && ok "corridors: precise events by default, said" || fail "corridors does not say precise"
meta "$T/cor/corridor_routes.csv" synthetic | grep -q "^false" && meta "$T/cor/corridor_routes.csv" illustrative_routes | grep -q "^true" \
  && ok "corridors: synthetic=false, illustrative_routes=true" || fail "corridor metadata: $(head -c 600 "$T/cor/corridor_routes.csv.json")"
"$BIN" spillover "$EV" --from 2012-01-01 --out "$T/sp" >"$T/spout" 2>&1 || fail "spillover: $(tail -3 "$T/spout")"
grep -q "precise events only" "$T/spout" && ok "spillover: precise events by default, said" || fail "spillover does not say precise"
meta "$T/sp/spillover_periods.csv" precision_mode | grep -q "^max-precision 2" && ok "spillover metadata: max-precision 2" || fail "spillover precision metadata"

# Location precision against the hand count (all 12 fixture events lie in Burkina Faso).
zsum() { python3 -c "import csv,sys; print(sum(float(r['events']) for r in csv.DictReader(open(sys.argv[1], newline=''))))" "$1"; }
"$BIN" zonal "$FIX" --polygons "$GPKG:admin0" --csv "$T/p0.csv" >"$T/p0err" 2>&1 || fail "zonal fixture"
[ "$(zsum "$T/p0.csv")" = "12.0" ] && ok "keep: 12 events" || fail "keep: $(zsum "$T/p0.csv")"
grep -q "precision 7 (international waters or airspace): 1 events" "$T/p0err" && ok "counts per level printed" || fail "no per-level counts: $(cat "$T/p0err")"
"$BIN" zonal "$FIX" --polygons "$GPKG:admin0" --max-precision 2 --csv "$T/p2.csv" >/dev/null 2>"$T/p2err" || fail "zonal --max-precision 2"
[ "$(zsum "$T/p2.csv")" = "5.0" ] && ok "--max-precision 2: 5 events" || fail "--max-precision 2: $(zsum "$T/p2.csv")"
meta "$T/p2.csv" precision_mode | grep -q "^max-precision 2" && ok "max-precision in metadata" || fail "max-precision metadata"
"$BIN" zonal "$FIX" --polygons "$GPKG:admin0" --precision spread --csv "$T/ps.csv" >"$T/pserr" 2>&1 || fail "zonal --precision spread: $(cat "$T/pserr")"
[ "$(zsum "$T/ps.csv")" = "10.0" ] && ok "--precision spread: 10 events (5 and 7 excluded)" || fail "spread: $(zsum "$T/ps.csv")"
grep -q "precision 5 (linear feature / between places): 1 events, weight 1: 1 excluded" "$T/pserr" && ok "spread: what was done per level" || fail "spread summary: $(cat "$T/pserr")"
meta "$T/ps.csv" precision_mode | grep -q "^spread" && ok "spread in metadata" || fail "spread metadata"
# Weighted by best deaths on admin-2: kept 2+5+1+4+3 = 15, spread 7+1+10+2+20 = 40; 6 and 8 excluded.
"$BIN" zonal "$FIX" --polygons "$GPKG:admin2" --precision spread --weight auto --csv "$T/p2s.csv" >/dev/null 2>&1 || fail "zonal admin2 spread"
python3 - "$T/p2s.csv" <<'PY' && ok "spread weight total 55 = kept 15 + spread 40 (1e-9)" || fail "spread weight total"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
w = sum(float(r["weighted"]) for r in rows)
assert abs(w - 55.0) < 1e-6, w
PY
# density and hot spots take the same options.
"$BIN" density "$FIX" -o "$T/ps.tif" --cell-km 10 --precision spread >"$T/psd" 2>&1 || fail "density spread: $(tail -3 "$T/psd")"
grep -q "weight total 10;" "$T/psd" && ok "density spread: weight total 10" || fail "density spread: $(grep 'weight total' "$T/psd")"
gdalinfo "$T/ps.tif" | grep -q "precision_mode=spread" && ok "density GeoTIFF precision_mode=spread" || fail "density precision metadata"
mkdir -p "$T/hs"
"$BIN" hotspots "$EV" --precision spread --units fishnet --cell-km 50 --out "$T/hs/real" >"$T/hsout" 2>&1 || fail "hotspots spread: $(tail -3 "$T/hsout")"
meta "$T/hs/real_gistar.csv" precision_mode | grep -q "^spread" && ok "hotspots spread metadata" || fail "hotspots precision metadata: $(ls "$T/hs")"

[ $fails -eq 0 ] && echo "real data: ok" || { echo "real data: $fails failure(s)"; exit 1; }
