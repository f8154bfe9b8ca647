#!/usr/bin/env bash
# `nexusmap hotspots | lisa | emerging` on the bundled SYNTHETIC demo events (clusters in central
# Mali and in Liptako-Gourma around 0.5E 14.5N). Checks exit codes, the files, the GeoTIFF bands and
# metadata (gdalinfo/gdallocationinfo), hot units near Liptako-Gourma in the GeoJSON (ogr2ogr -> CSV
# + awk), and clear errors for bad input.
# Usage: test_hotspots_cli.sh <nexusmap binary> <source dir>
set -u
BIN=${1:?nexusmap binary}
SRC=${2:?source dir}
EV="$SRC/data/demo/events_synthetic.csv"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export NEXUSMAP_PROGRESS=0
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

for tool in gdalinfo gdallocationinfo ogr2ogr; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 0; }
done

# run NAME ARGS...: runs the binary, keeps stdout/stderr in $TMP/NAME.{out,err}, returns its status.
run() {
    local name=$1
    shift
    "$BIN" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
}

# near_liptako FILE LAYER WHERE: number of features matching WHERE whose centroid (lon/lat fields)
# lies within 1.5 degrees of (0.5E, 14.5N).
near_liptako() {
    ogr2ogr -f CSV /vsistdout/ "$1" -sql "SELECT lon, lat FROM $2 WHERE $3" 2>/dev/null |
        awk -F, 'NR > 1 { gsub(/"/, ""); if ($1 > -1 && $1 < 2 && $2 > 13 && $2 < 16) n++ } END { print n + 0 }'
}

# --- hotspots, fishnet -> 3-band GeoTIFF + CSV ---------------------------------------------------
if run fn hotspots "$EV" --units fishnet --cell-km 25 --out "$TMP/fn"; then
    ok "hotspots fishnet exits 0"
else
    fail "hotspots fishnet exited non-zero: $(cat "$TMP/fn.err")"
fi
[ -s "$TMP/fn_gistar.tif" ] && [ -s "$TMP/fn_gistar.csv" ] && ok "fishnet outputs exist" || fail "fishnet outputs missing"
info=$(gdalinfo "$TMP/fn_gistar.tif" 2>&1)
grep -q "^Band 3 " <<<"$info" && ! grep -q "^Band 4 " <<<"$info" && ok "GeoTIFF has 3 bands" || fail "GeoTIFF does not have 3 bands"
grep -q "Type=Float32" <<<"$info" && ok "bands are float32" || fail "bands are not float32"
grep -q "synthetic=true" <<<"$info" && ok "GeoTIFF metadata synthetic=true" || fail "GeoTIFF lacks synthetic=true"
grep -q "distance_band_km=" <<<"$info" && grep -q "distance_rule=" <<<"$info" && ok "GeoTIFF records the band and its rule" ||
    fail "GeoTIFF lacks distance_band_km/distance_rule"
grep -q "NoData Value=-9999" <<<"$info" && ok "GeoTIFF has nodata" || fail "GeoTIFF has no nodata value"
grep -q "Description = bin" <<<"$info" && ok "band 3 is named bin" || fail "band descriptions missing"
bin3=$(gdallocationinfo -valonly -wgs84 -b 3 "$TMP/fn_gistar.tif" 0.5 14.5 2>/dev/null)
[ "$bin3" = "3" ] && ok "fishnet bin at 0.5E 14.5N is 3" || fail "fishnet bin at 0.5E 14.5N is '$bin3', expected 3"
grep -q "^distance band: " "$TMP/fn.out" && ok "prints the distance band" || fail "distance band not printed: $(cat "$TMP/fn.out")"
# Issue #13 defaults: the study-area rule and the permutation inference are printed and recorded.
grep -q "^study area: units whose centre is in admin-0 of MLI,BFA,NER,CIV,GHA,TGO,BEN" "$TMP/fn.out" &&
    grep -q "study_area=countries: " <<<"$info" && ok "study-area rule printed and recorded" || fail "study-area rule missing: $(cat "$TMP/fn.out")"
grep -q "^p-values: permutation (999 conditional permutations" "$TMP/fn.out" && grep -q "correction=none" <<<"$info" &&
    ok "permutation p by default; correction recorded" || fail "default p-values not permutation: $(cat "$TMP/fn.out")"
head -1 "$TMP/fn_gistar.csv" | grep -q ",alpha,correction" && ok "Gi* CSV has alpha and correction columns" ||
    fail "Gi* CSV lacks alpha/correction columns"
grep -q "+3 hot spot, 99% confidence" "$TMP/fn.out" && ok "prints counts per bin" || fail "bin counts not printed"
grep -q "^unit,row,col,lon,lat,count,weighted,z,p,p_fdr,bin,n_neighbors" "$TMP/fn_gistar.csv" && ok "fishnet CSV header" ||
    fail "fishnet CSV header unexpected"

# --- hotspots, hexagons and admin-1 -> GeoJSON -----------------------------------------------
if run hex hotspots "$EV" --units hex --cell-km 25 --out "$TMP/hex"; then ok "hotspots hex exits 0"; else fail "hotspots hex: $(cat "$TMP/hex.err")"; fi
[ -s "$TMP/hex_gistar.geojson" ] && [ -s "$TMP/hex_gistar.csv" ] && ok "hex outputs exist" || fail "hex outputs missing"
n=$(near_liptako "$TMP/hex_gistar.geojson" gistar "bin = 3")
[ "$n" -ge 5 ] && ok "hex: $n bin-3 hexagons near Liptako-Gourma" || fail "hex: only $n bin-3 hexagons near Liptako-Gourma"
grep -q '"fill":"#d62f27"' "$TMP/hex_gistar.geojson" && ok "hex GeoJSON has simplestyle fill" || fail "no fill colour for bin 3"
grep -q '"synthetic":"true"' "$TMP/hex_gistar.geojson" && ok "hex GeoJSON metadata synthetic" || fail "hex GeoJSON lacks synthetic"

if run adm hotspots "$EV" --units admin1 --out "$TMP/adm"; then ok "hotspots admin1 exits 0"; else fail "hotspots admin1: $(cat "$TMP/adm.err")"; fi
n=$(near_liptako "$TMP/adm_gistar.geojson" gistar "bin = 3")
[ "$n" -ge 1 ] && ok "admin1: $n bin-3 polygons near Liptako-Gourma" || fail "admin1: no bin-3 polygon near Liptako-Gourma"

# --- lisa ----------------------------------------------------------------------------------------
if run lisa lisa "$EV" --units hex --cell-km 25 --permutations 199 --out "$TMP/lisa"; then ok "lisa exits 0"; else fail "lisa: $(cat "$TMP/lisa.err")"; fi
grep -q "^global Moran's I = .* z = .* p = " "$TMP/lisa.out" && ok "lisa prints global Moran's I with z and p" ||
    fail "global Moran's I not printed: $(cat "$TMP/lisa.out")"
n=$(near_liptako "$TMP/lisa_lisa.geojson" lisa "class = 'HH'")
[ "$n" -ge 5 ] && ok "lisa: $n HH hexagons near Liptako-Gourma" || fail "lisa: only $n HH hexagons near Liptako-Gourma"
if run lisafn lisa "$EV" --units fishnet --permutations 99 --out "$TMP/lisafn"; then ok "lisa fishnet exits 0"; else fail "lisa fishnet: $(cat "$TMP/lisafn.err")"; fi
gdalinfo "$TMP/lisafn_lisa.tif" 2>/dev/null | grep -q "^Band 3 " && ok "lisa GeoTIFF has 3 bands" || fail "lisa GeoTIFF bands"

# --- emerging ------------------------------------------------------------------------------------
if run em emerging "$EV" --units fishnet --cell-km 50 --period year --out "$TMP/em"; then ok "emerging exits 0"; else fail "emerging: $(cat "$TMP/em.err")"; fi
[ -s "$TMP/em_emerging.geojson" ] && [ -s "$TMP/em_emerging.csv" ] && ok "emerging outputs exist" || fail "emerging outputs missing"
grep -q "^units per category" "$TMP/em.out" && ok "emerging prints counts per category" || fail "no category counts"
grep -q "^time steps: 13 years, 2012 .. 2024" "$TMP/em.out" && ok "emerging cube has 13 yearly steps" || fail "unexpected steps: $(cat "$TMP/em.out")"
n=$(near_liptako "$TMP/em_emerging.geojson" emerging "category LIKE '%Hot Spot'")
[ "$n" -ge 1 ] && ok "emerging: $n hot-spot units near Liptako-Gourma" || fail "emerging: no hot-spot unit near Liptako-Gourma"
ogr2ogr -f CSV /vsistdout/ "$TMP/em_emerging.geojson" -sql "SELECT trend_tau, trend_z, trend_p FROM emerging" 2>/dev/null |
    head -1 | grep -q "trend_tau,trend_z,trend_p" && ok "emerging has Mann-Kendall fields" || fail "emerging lacks trend fields"

# --- refusals and bad input ----------------------------------------------------------------------
expect_error() { # expect_error NAME PATTERN ARGS...
    local name=$1 pat=$2
    shift 2
    if run "$name" "$@"; then
        fail "$name: exited 0"
    elif grep -q -- "$pat" "$TMP/$name.err"; then
        ok "$name: fails with '$pat'"
    else
        fail "$name: stderr does not mention '$pat': $(cat "$TMP/$name.err")"
    fi
}
expect_error missing "does not exist" hotspots "$TMP/no_such_events.csv" --out "$TMP/x"
grep -q "no_such_events.csv" "$TMP/missing.err" && ok "missing file is named" || fail "missing file not named"
expect_error band_neg "--band-km" hotspots "$EV" --band-km -5 --out "$TMP/x"
expect_error band_text "--band-km" hotspots "$EV" --band-km abc --out "$TMP/x"
expect_error band_small "smaller than the cell" hotspots "$EV" --band-km 10 --cell-km 25 --out "$TMP/x"
expect_error exists "exists already" hotspots "$EV" --out "$TMP/fn"
expect_error step "--period" emerging "$EV" --period week --out "$TMP/x"
expect_error units "--units" hotspots "$EV" --units county --out "$TMP/x"
[ ! -e "$TMP/x_gistar.tif" ] && [ ! -e "$TMP/x_gistar.csv" ] && ok "failed runs leave no output" || fail "failed runs left output"
if run force hotspots "$EV" --out "$TMP/fn" --force; then ok "--force overwrites"; else fail "--force: $(cat "$TMP/force.err")"; fi

# --- help ----------------------------------------------------------------------------------------
for c in hotspots lisa emerging; do
    "$BIN" "$c" --help >"$TMP/help" 2>&1 && grep -q -- "--units" "$TMP/help" && ok "$c --help" || fail "$c --help"
done

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed" >&2
    exit 1
fi
echo "all hotspot CLI checks passed"
