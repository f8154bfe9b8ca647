#!/usr/bin/env bash
# Issue #19, data loss, through the real program: inputs named as FILE:LAYER or layer:FILE:LAYER
# are never overwritten (density, map), the viewer's batch outputs never replace an input and need
# --force for an existing file, racing writers without --force cannot both win, and a command that
# fails part-way leaves none of its outputs (all-or-nothing sets).
# Usage: test_no_overwrite.sh NEXUSMAP SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
EV=$SRC/data/demo/events_synthetic.csv
cp "$SRC/data/basemap/west_africa.gpkg" "$T/wa.gpkg"
head -2001 "$EV" >"$T/ev.csv"
sum() { md5sum "$1" | cut -d' ' -f1; }
G0=$(sum "$T/wa.gpkg")
E0=$(sum "$T/ev.csv")

# 1. Inputs overwritten through FILE:LAYER: --mask, --extent layer:, map --mask / --write-raster.
"$BIN" density "$T/ev.csv" --cell-km 25 --mask "$T/wa.gpkg:admin0" -o "$T/wa.gpkg" --force 2>"$T/e1" &&
  fail "density -o over its --mask FILE:LAYER succeeded"
grep -q "is one of the inputs" "$T/e1" || fail "density --mask: no 'is one of the inputs' message: $(cat "$T/e1")"
"$BIN" density "$T/ev.csv" --cell-km 25 --extent "layer:$T/wa.gpkg:admin0" -o "$T/wa.gpkg" --force 2>"$T/e2" &&
  fail "density -o over its --extent layer:FILE:LAYER succeeded"
grep -q "is one of the inputs" "$T/e2" || fail "density --extent layer: no refusal message: $(cat "$T/e2")"
"$BIN" map "$T/ev.csv" --mask "$T/wa.gpkg:admin0" -o "$T/m.png" --write-raster "$T/wa.gpkg" --force 2>"$T/e3" &&
  fail "map --write-raster over its --mask FILE:LAYER succeeded"
grep -q "is one of the inputs" "$T/e3" || fail "map --write-raster: no refusal message: $(cat "$T/e3")"
[[ -e "$T/m.png" ]] && fail "map wrote its PNG although another output of the command was refused"
"$BIN" density "$T/ev.csv" --cell-km 25 -o "$T/ev.csv" --force 2>/dev/null && fail "density -o over its events succeeded"
[[ "$(sum "$T/wa.gpkg")" == "$G0" ]] || fail "the GeoPackage input changed"
[[ "$(sum "$T/ev.csv")" == "$E0" ]] || fail "the event input changed"

# 2. The viewer's batch outputs (checked before any window opens, so no display is needed here).
# Builds without the viewer skip this part.
"$BIN" view --help >/dev/null 2>&1 && for flag in --export-tif --save-project --export-png --screenshot --export-map; do
  out="$T/ev.csv"
  [[ $flag == --export-map ]] && { cp "$T/ev.csv" "$T/ev.png"; out="$T/ev.png"; }
  if [[ $flag == --export-map ]]; then
    "$BIN" view "$T/ev.csv" "$T/ev.png" $flag "$out" --force >/dev/null 2>"$T/v" && fail "view $flag over an input succeeded"
  else
    "$BIN" view "$T/ev.csv" $flag "$out" --force >/dev/null 2>"$T/v" && fail "view $flag over an input succeeded"
  fi
  grep -q "is one of the inputs" "$T/v" || fail "view $flag: no refusal message: $(cat "$T/v")"
done
echo old >"$T/old.tif"
"$BIN" view --help >/dev/null 2>&1 && "$BIN" view "$T/ev.csv" --export-tif "$T/old.tif" >/dev/null 2>"$T/v" && fail "view --export-tif replaced an existing file without --force"
"$BIN" view --help >/dev/null 2>&1 && { grep -q -- "--force" "$T/v" || fail "view --export-tif: message does not mention --force: $(cat "$T/v")"; }
[[ "$(cat "$T/old.tif")" == old ]] || fail "existing file changed"
[[ "$(sum "$T/ev.csv")" == "$E0" ]] || fail "the viewer changed its input"

# 3. Racing writers without --force: exactly one of four wins, the file is whole.
for k in 1 2 3 4; do
  ("$BIN" density "$T/ev.csv" --cell-km 20 -o "$T/race.tif" >/dev/null 2>"$T/race$k.err"; echo $? >"$T/race$k.rc") &
done
wait
won=$(cat "$T"/race?.rc | grep -c '^0$')
[[ $won == 1 ]] || fail "$won of 4 racing writers succeeded without --force (want 1)"
gdalinfo "$T/race.tif" >/dev/null 2>&1 || fail "race.tif is not a readable GeoTIFF"

# 4. All or nothing: zonal writes its CSV, then fails on the GeoJSON (folder missing): no CSV left.
"$BIN" zonal "$T/ev.csv" -o "$T/nofolder/z.geojson" --csv "$T/z.csv" >/dev/null 2>"$T/z" &&
  fail "zonal into a missing folder succeeded"
[[ -e "$T/z.csv" ]] && fail "zonal left its CSV without its GeoJSON"
# spillover --force over an existing set, failing late: the old set stays whole.
"$BIN" spillover "$T/ev.csv" --out "$T/sp" >/dev/null 2>&1 || fail "spillover"
n_before=$(ls "$T/sp" | wc -l)
s_before=$(cat "$T"/sp/* | md5sum)
chmod 0500 "$T/sp"
if [[ $(id -u) != 0 ]]; then
  "$BIN" spillover "$T/ev.csv" --out "$T/sp" --period quarter --force >/dev/null 2>&1 && fail "spillover into a read-only folder succeeded"
  [[ "$(cat "$T"/sp/* | md5sum)" == "$s_before" ]] || fail "a failed spillover changed the old outputs"
fi
chmod 0700 "$T/sp"
[[ $(ls -A "$T/sp" | wc -l) == "$n_before" ]] || fail "temporary files left in the spillover folder"
ls -A "$T" | grep -q '\.tmp-' && fail "temporary files left: $(ls -A "$T")"

exit $((fails > 0))
